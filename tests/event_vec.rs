//! EventVec's own behaviour around waits: capacity, iteration, and (with `alloc`) owned and
//! growing buffers.

mod common;

use common::*;
use core::mem::MaybeUninit;
use freepoll::epoll::{epoll_add, epoll_wait, Event, EventFlags, EventVec};

/// An instance with `n` ready eventfds, data 0..n, edge-triggered so each reports once.
fn ready_instance(n: u64) -> (freepoll::fd::OwnedFd, Vec<freepoll::fd::OwnedFd>) {
    let ep = epoll();
    let fds: Vec<_> = (0..n).map(|_| eventfd(1)).collect();
    for (i, fd) in fds.iter().enumerate() {
        epoll_add(&ep, fd, i as u64, EventFlags::IN | EventFlags::ET).unwrap();
    }
    (ep, fds)
}

#[test]
fn iter_as_slice_and_into_iter_agree() {
    let (ep, _fds) = ready_instance(3);
    let mut buf = [MaybeUninit::<Event>::uninit(); 8];
    let mut events = EventVec::new(&mut buf);
    assert_eq!(epoll_wait(&ep, &mut events, 0), Ok(3));
    let from_iter: Vec<_> = events.iter().collect();
    let from_ref: Vec<_> = (&events).into_iter().collect();
    let from_slice: Vec<_> = events
        .as_slice()
        .iter()
        .map(|e| (e.flags(), e.data()))
        .collect();
    assert_eq!(from_iter, from_ref);
    assert_eq!(from_iter, from_slice);
    assert_eq!(events.iter().len(), 3);
    let mut back: Vec<_> = events.iter().rev().collect();
    back.reverse();
    assert_eq!(back, from_iter);
    assert_eq!(datas(&from_iter), vec![0, 1, 2]);
}

#[test]
fn clear_empties_but_keeps_capacity() {
    let (ep, _fds) = ready_instance(2);
    let mut buf = [MaybeUninit::<Event>::uninit(); 5];
    let mut events = EventVec::new(&mut buf);
    assert_eq!(epoll_wait(&ep, &mut events, 0), Ok(2));
    events.clear();
    assert!(events.is_empty());
    assert_eq!(events.iter().count(), 0);
    assert_eq!(events.capacity(), 5);
}

#[test]
fn debug_shows_the_events() {
    let (ep, _fds) = ready_instance(1);
    let mut buf = [MaybeUninit::<Event>::uninit(); 2];
    let mut events = EventVec::new(&mut buf);
    epoll_wait(&ep, &mut events, 0).unwrap();
    let text = format!("{events:?}");
    assert!(
        text.contains("capacity: 2") && text.contains("IN") && text.contains("data: 0"),
        "{text}"
    );
}

#[cfg(feature = "alloc")]
mod owned {
    use super::*;

    #[test]
    fn with_capacity_owns_its_slots() {
        let (ep, _fds) = ready_instance(4);
        let mut events = EventVec::with_capacity(16);
        assert_eq!(events.capacity(), 16);
        assert_eq!(epoll_wait(&ep, &mut events, 0), Ok(4));
        assert_eq!(datas(&events.iter().collect::<Vec<_>>()), vec![0, 1, 2, 3]);
    }

    #[test]
    fn growing_a_borrowed_vector_moves_its_events() {
        let (ep, _fds) = ready_instance(2);
        let mut buf = [MaybeUninit::<Event>::uninit(); 2];
        let mut events = EventVec::new(&mut buf);
        assert_eq!(epoll_wait(&ep, &mut events, 0), Ok(2));
        let before: Vec<_> = events.iter().collect();
        events.reserve(10).unwrap();
        assert!(events.capacity() >= 12);
        assert_eq!(
            events.iter().collect::<Vec<_>>(),
            before,
            "events survive the move"
        );
    }

    #[test]
    fn reserve_exact_and_shrink_to_fit_set_the_capacity() {
        let (ep, _fds) = ready_instance(3);
        let mut events = EventVec::with_capacity(1);
        events.reserve_exact(7).unwrap();
        assert_eq!(events.capacity(), 7);
        assert_eq!(epoll_wait(&ep, &mut events, 0), Ok(3));
        events.shrink_to_fit().unwrap();
        assert_eq!(events.capacity(), 3);
        assert_eq!(datas(&events.iter().collect::<Vec<_>>()), vec![0, 1, 2]);
    }

    #[test]
    fn reserve_within_capacity_keeps_the_borrowed_buffer() {
        let mut buf = [MaybeUninit::<Event>::uninit(); 8];
        let ptr = buf.as_ptr() as usize;
        let mut events = EventVec::new(&mut buf);
        events.reserve(8).unwrap();
        assert_eq!(events.capacity(), 8);
        assert_eq!(events.as_slice().as_ptr() as usize, ptr);
    }

    #[test]
    fn grown_vector_receives_more_events_in_one_wait() {
        let (ep, _fds) = ready_instance(20);
        let mut buf = [MaybeUninit::<Event>::uninit(); 4];
        let mut events = EventVec::new(&mut buf);
        events.reserve_exact(20).unwrap();
        assert_eq!(epoll_wait(&ep, &mut events, 0), Ok(20));
    }
}
