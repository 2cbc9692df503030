//! The tests Miri runs: `EventVec` (borrowed and owned, growing and shrinking), `Event`, the
//! iterator and the descriptor types, checked for undefined behaviour.
//!
//! Under Miri the system calls go through `arch/miri.rs`. Outside Miri every test here is
//! ignored: the real kernel's side of the same behaviour is covered by `tests/`.
//!
//! Two groups, because a pointer handed to a stub travels as a bare address:
//! - [`strict`]: nothing crosses a stub as a pointer. Run with `-Zmiri-strict-provenance`.
//!   The kernel's writes into an `EventVec` are made here by hand, as `epoll_wait` does after
//!   the call (write the slots, then `set_len_filled`).
//! - [`exposed`]: `epoll_add`, `epoll_mod` and `epoll_wait` through the stubs, whose pointer
//!   arguments Miri can only follow through exposed provenance. Run without
//!   `-Zmiri-strict-provenance` (see `arch/miri.rs`).
//!
//! Miri's epoll supports edge-triggered registrations only, so every registration here has
//! `EventFlags::ET`.

extern crate std;

use crate::epoll::{self, CreateFlags, Event, EventFlags, EventVec};
use crate::errno::{decode_raw, Errno};
use crate::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use crate::raw::{nr, syscall1, syscall2, syscall3};
use core::mem::MaybeUninit;
use std::format;
use std::vec::Vec;

/// A new eventfd holding `count`, non-blocking (`EFD_NONBLOCK`), through the stubs.
fn eventfd(count: u32) -> OwnedFd {
    const EFD_NONBLOCK: usize = 0o4000;
    // SAFETY: eventfd2 takes integers only.
    let fd = decode_raw(unsafe { syscall2(nr::EVENTFD2, count as usize, EFD_NONBLOCK) });
    // SAFETY: eventfd2 just returned this descriptor; nothing else owns it.
    unsafe { OwnedFd::from_raw_fd(fd.unwrap() as RawFd) }
}

/// close(2) on a raw number, through the stubs: how a test sees whether a descriptor is open.
fn close_raw(fd: RawFd) -> Result<usize, Errno> {
    // SAFETY: every caller passes a number it no longer owns through an `OwnedFd` (already
    // closed, or given up with `into_raw_fd`), so no owner's descriptor is closed under it.
    decode_raw(unsafe { syscall1(nr::CLOSE, fd as usize) })
}

/// The raw number of anything `AsFd`.
fn raw_of(fd: impl AsFd) -> RawFd {
    fd.as_fd().as_raw_fd()
}

/// `n` events with data 0..n and flags that differ per event, unknown bit 1 << 20 included.
fn sample(n: u64) -> Vec<Event> {
    (0..n)
        .map(|i| {
            let flags = if i % 2 == 0 {
                EventFlags::IN
            } else {
                EventFlags::OUT | EventFlags::from_bits_retain(1 << 20)
            };
            Event::new(flags, i)
        })
        .collect()
}

/// The events of a vector as (flags, data) pairs.
fn pairs(events: &EventVec<'_>) -> Vec<(EventFlags, u64)> {
    events.iter().collect()
}

fn expected(events: &[Event]) -> Vec<(EventFlags, u64)> {
    events.iter().map(|e| (e.flags(), e.data())).collect()
}

mod strict {
    use super::*;

    /// Writes `events` into the vector's slots and records them, as `epoll_wait` does.
    fn fill(vec: &mut EventVec<'_>, events: &[Event]) {
        let slots = vec.slots_for_kernel();
        assert!(events.len() <= slots.len());
        for (slot, event) in slots.iter_mut().zip(events) {
            *slot = MaybeUninit::new(*event);
        }
        // SAFETY: the loop initialised `slots[..events.len()]`, and the assert above keeps
        // `events.len()` within the capacity.
        unsafe { vec.set_len_filled(events.len()) };
    }

    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn event_reads_back_its_fields_by_value() {
        let all = EventFlags::all() | EventFlags::from_bits_retain(1 << 20);
        let event = Event::new(all, u64::MAX - 1);
        let copy = event;
        assert_eq!(copy.flags(), all);
        assert_eq!(copy.data(), u64::MAX - 1);
        assert_eq!(copy, event);
        assert_ne!(Event::new(EventFlags::IN, 1), Event::new(EventFlags::IN, 2));
        let text = format!("{:?}", event);
        assert!(text.contains("data: 18446744073709551614"), "{}", text);
        // Packed on x86_64: an array puts most events at unaligned addresses there.
        let array = [Event::new(EventFlags::OUT, 3); 5];
        assert!(array
            .iter()
            .all(|e| e.data() == 3 && e.flags() == EventFlags::OUT));
    }

    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn borrowed_vector_reads_only_its_initialised_prefix() {
        // Five slots, three filled: reading a fourth would be a read of uninitialised memory.
        let mut buf = [MaybeUninit::<Event>::uninit(); 5];
        let mut vec = EventVec::new(&mut buf);
        assert_eq!((vec.capacity(), vec.len()), (5, 0));
        let events = sample(3);
        fill(&mut vec, &events);
        assert_eq!(vec.len(), 3);
        assert_eq!(vec.as_slice(), &events[..]);
        assert_eq!(pairs(&vec), expected(&events));
        let mut back: Vec<_> = vec.iter().rev().collect();
        back.reverse();
        assert_eq!(back, expected(&events));
        let mut iter = vec.iter();
        assert_eq!(iter.size_hint(), (3, Some(3)));
        assert_eq!(iter.next(), Some((EventFlags::IN, 0)));
        assert_eq!(iter.len(), 2);
        assert_eq!(iter.next_back().map(|(_, d)| d), Some(2));
        assert_eq!(iter.next().map(|(_, d)| d), Some(1));
        assert_eq!((iter.next(), iter.next()), (None, None), "fused");
        assert_eq!((&vec).into_iter().count(), 3);
        let text = format!("{:?}", vec);
        assert!(text.contains("capacity: 5"), "{}", text);
        vec.clear();
        assert!(vec.is_empty());
        assert_eq!(vec.as_slice(), &[]);
        assert_eq!(vec.capacity(), 5);
    }

    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn handing_slots_to_the_kernel_empties_the_vector() {
        let mut buf = [MaybeUninit::<Event>::uninit(); 2];
        let mut vec = EventVec::new(&mut buf);
        fill(&mut vec, &sample(2));
        assert_eq!(vec.slots_for_kernel().len(), 2);
        assert!(vec.is_empty(), "no claim on slots lent out for writing");
        assert_eq!(vec.iter().next(), None);
    }

    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn zero_capacity_wait_is_einval_without_a_call() {
        let epoll = epoll::epoll_create(CreateFlags::CLOEXEC).unwrap();
        let mut buf: [MaybeUninit<Event>; 0] = [];
        let mut vec = EventVec::new(&mut buf);
        assert_eq!(epoll::epoll_wait(&epoll, &mut vec, 0), Err(Errno::INVAL));
    }

    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn owned_fd_closes_on_drop_and_not_after_into_raw_fd() {
        let efd = eventfd(0);
        let raw = efd.as_raw_fd();
        assert_eq!(efd.as_fd().as_raw_fd(), raw);
        assert_eq!(raw_of(&efd), raw, "AsFd for references");
        drop(efd);
        assert_eq!(close_raw(raw), Err(Errno::BADF), "drop closed it");

        let efd = eventfd(0);
        let raw = efd.into_raw_fd();
        assert_eq!(close_raw(raw), Ok(0), "still open after into_raw_fd");
    }

    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn epoll_instance_is_an_owned_fd() {
        let epoll = epoll::epoll_create(CreateFlags::CLOEXEC).unwrap();
        let source = eventfd(0);
        // DEL passes a NULL event: no pointer crosses the stub.
        assert_eq!(epoll::epoll_del(&epoll, &source), Err(Errno::NOENT));
        let raw = epoll.as_raw_fd();
        drop(epoll);
        assert_eq!(close_raw(raw), Err(Errno::BADF));
    }

    #[cfg(feature = "alloc")]
    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn owned_vector_grows_and_shrinks_keeping_its_events() {
        let events = sample(6);
        let mut vec = EventVec::with_capacity(4);
        assert_eq!(vec.capacity(), 4);
        fill(&mut vec, &events[..4]);
        vec.reserve(1).unwrap();
        assert!(vec.capacity() >= 8, "doubles: {}", vec.capacity());
        assert_eq!(pairs(&vec), expected(&events[..4]));
        vec.shrink_to_fit().unwrap();
        assert_eq!(vec.capacity(), 4);
        assert_eq!(pairs(&vec), expected(&events[..4]));
        vec.reserve_exact(2).unwrap();
        assert_eq!(vec.capacity(), 6);
        fill(&mut vec, &events);
        assert_eq!(pairs(&vec), expected(&events));
        vec.clear();
        vec.shrink_to_fit().unwrap();
        assert_eq!(vec.capacity(), 0);
        let mut vec = EventVec::try_with_capacity(3).unwrap();
        fill(&mut vec, &events[..3]);
        assert_eq!(pairs(&vec), expected(&events[..3]));
    }

    #[cfg(feature = "alloc")]
    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn borrowed_vector_moves_to_the_heap_when_it_must() {
        let events = sample(3);
        let mut buf = [MaybeUninit::<Event>::uninit(); 3];
        let base = buf.as_ptr();
        let mut vec = EventVec::new(&mut buf);
        fill(&mut vec, &events);
        vec.reserve(0).unwrap();
        assert_eq!(
            vec.as_slice().as_ptr().cast(),
            base,
            "enough room: stays borrowed"
        );
        vec.reserve_exact(2).unwrap();
        assert_eq!(vec.capacity(), 5);
        assert_ne!(
            vec.as_slice().as_ptr().cast(),
            base,
            "moved to its own buffer"
        );
        assert_eq!(pairs(&vec), expected(&events));
        vec.shrink_to_fit().unwrap();
        assert_eq!(vec.capacity(), 3);
        assert_eq!(pairs(&vec), expected(&events));
        drop(vec);
        // The borrowed buffer is the caller's again, and its three events are still there.
        // SAFETY: `fill` initialised `buf[..3]` and nothing wrote to it since.
        let back: Vec<Event> = buf
            .iter()
            .map(|slot| unsafe { slot.assume_init() })
            .collect();
        assert_eq!(back, events);

        // A borrowed vector with no events shrinks to an owned one of capacity 0.
        let mut buf = [MaybeUninit::<Event>::uninit(); 2];
        let mut vec = EventVec::new(&mut buf);
        vec.shrink_to_fit().unwrap();
        assert_eq!(vec.capacity(), 0);
    }
}

mod exposed {
    use super::*;

    /// Adds `n` to an eventfd's counter, through the write stub.
    fn bump(efd: &OwnedFd, n: u64) {
        // SAFETY: write reads 8 bytes from a live u64.
        let ret = unsafe {
            syscall3(
                nr::WRITE,
                efd.as_raw_fd() as usize,
                &n as *const u64 as usize,
                8,
            )
        };
        assert_eq!(decode_raw(ret), Ok(8));
    }

    /// An instance with `n` eventfds holding 1, data 0..n, edge-triggered.
    fn ready_instance(n: u64) -> (OwnedFd, Vec<OwnedFd>) {
        let epoll = epoll::epoll_create(CreateFlags::CLOEXEC).unwrap();
        let fds: Vec<_> = (0..n).map(|_| eventfd(1)).collect();
        for (i, fd) in fds.iter().enumerate() {
            epoll::epoll_add(&epoll, fd, i as u64, EventFlags::IN | EventFlags::ET).unwrap();
        }
        (epoll, fds)
    }

    fn sorted_data(vec: &EventVec<'_>) -> Vec<u64> {
        let mut data: Vec<u64> = vec.iter().map(|(_, d)| d).collect();
        data.sort_unstable();
        data
    }

    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn wait_fills_a_borrowed_vector_and_iteration_reads_it() {
        let (epoll, _fds) = ready_instance(3);
        let mut buf = [MaybeUninit::<Event>::uninit(); 4];
        let mut vec = EventVec::new(&mut buf);
        assert_eq!(epoll::epoll_wait(&epoll, &mut vec, 0), Ok(3));
        assert_eq!(vec.len(), 3);
        assert_eq!(sorted_data(&vec), [0, 1, 2]);
        assert!(vec.iter().all(|(f, _)| f == EventFlags::IN));
        assert_eq!(vec.as_slice().len(), 3);
        assert_eq!(
            epoll::epoll_wait(&epoll, &mut vec, 0),
            Ok(0),
            "edge-triggered: once"
        );
        assert!(vec.is_empty());
    }

    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn small_capacity_delivers_every_event_across_waits() {
        let (epoll, _fds) = ready_instance(5);
        let mut buf = [MaybeUninit::<Event>::uninit(); 2];
        let mut vec = EventVec::new(&mut buf);
        let mut seen = Vec::new();
        for _ in 0..3 {
            let n = epoll::epoll_wait(&epoll, &mut vec, 0).unwrap();
            assert!(n <= 2);
            seen.extend(vec.iter().map(|(_, d)| d));
        }
        seen.sort_unstable();
        assert_eq!(seen, [0, 1, 2, 3, 4]);
    }

    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn mod_and_new_edges_reach_the_vector() {
        let epoll = epoll::epoll_create(CreateFlags::CLOEXEC).unwrap();
        let efd = eventfd(0);
        epoll::epoll_add(&epoll, &efd, 1, EventFlags::IN | EventFlags::ET).unwrap();
        assert_eq!(
            epoll::epoll_add(&epoll, &efd, 1, EventFlags::IN | EventFlags::ET),
            Err(Errno::EXIST)
        );
        let mut buf = [MaybeUninit::<Event>::uninit(); 2];
        let mut vec = EventVec::new(&mut buf);
        assert_eq!(epoll::epoll_wait(&epoll, &mut vec, 0), Ok(0));
        bump(&efd, 1);
        assert_eq!(epoll::epoll_wait(&epoll, &mut vec, 0), Ok(1));
        assert_eq!(pairs(&vec), [(EventFlags::IN, 1)]);
        epoll::epoll_mod(
            &epoll,
            &efd,
            9,
            EventFlags::IN | EventFlags::OUT | EventFlags::ET,
        )
        .unwrap();
        assert_eq!(epoll::epoll_wait(&epoll, &mut vec, 0), Ok(1));
        assert_eq!(pairs(&vec), [(EventFlags::IN | EventFlags::OUT, 9)]);
        epoll::epoll_del(&epoll, &efd).unwrap();
        bump(&efd, 1);
        assert_eq!(epoll::epoll_wait(&epoll, &mut vec, 0), Ok(0));
    }

    #[cfg(feature = "alloc")]
    #[test]
    #[cfg_attr(not(miri), ignore = "Miri only (ci/miri.sh)")]
    fn owned_vector_receives_events_and_keeps_them_when_it_moves() {
        let (epoll, fds) = ready_instance(6);
        let mut vec = EventVec::with_capacity(2);
        assert_eq!(epoll::epoll_wait(&epoll, &mut vec, 0), Ok(2));
        let first = pairs(&vec);
        vec.reserve(8).unwrap();
        assert_eq!(pairs(&vec), first, "the kernel's events survive the move");
        assert_eq!(epoll::epoll_wait(&epoll, &mut vec, 0), Ok(4));
        vec.shrink_to_fit().unwrap();
        assert_eq!(vec.capacity(), 4);
        let mut all: Vec<u64> = first.iter().map(|&(_, d)| d).collect();
        all.extend(vec.iter().map(|(_, d)| d));
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2, 3, 4, 5]);
        for fd in &fds {
            bump(fd, 1);
        }
        let mut buf = [MaybeUninit::<Event>::uninit(); 3];
        let mut borrowed = EventVec::new(&mut buf);
        assert_eq!(epoll::epoll_wait(&epoll, &mut borrowed, 0), Ok(3));
        borrowed.reserve_exact(3).unwrap();
        assert_eq!(borrowed.len(), 3);
        assert_eq!(epoll::epoll_wait(&epoll, &mut borrowed, 0), Ok(3));
    }
}
