//! `EventFd`: the counter's sums, semaphore reads, its limit, and its readiness in epoll.

mod common;

use common::*;
use freepoll::epoll::{epoll_add, EventFlags};
use freepoll::eventfd::{EventFd, EventFdFlags};
use freepoll::fd::AsRawFd;
use freepoll::Errno;

fn nonblocking(initval: u32) -> EventFd {
    EventFd::new(initval, EventFdFlags::CLOEXEC | EventFdFlags::NONBLOCK).unwrap()
}

#[test]
fn flags_are_libcs_efd_constants() {
    assert_eq!(EventFdFlags::CLOEXEC.bits(), libc::EFD_CLOEXEC as u32);
    assert_eq!(EventFdFlags::NONBLOCK.bits(), libc::EFD_NONBLOCK as u32);
    assert_eq!(EventFdFlags::SEMAPHORE.bits(), libc::EFD_SEMAPHORE as u32);
}

#[test]
fn new_sets_the_descriptor_flags_asked_for() {
    let efd = nonblocking(0);
    let fd = efd.as_raw_fd();
    // SAFETY: F_GETFD and F_GETFL take no argument and read no memory.
    let (fdflags, flflags) = unsafe {
        (
            libc::fcntl(fd, libc::F_GETFD),
            libc::fcntl(fd, libc::F_GETFL),
        )
    };
    assert_eq!(fdflags & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
    assert_eq!(flflags & libc::O_NONBLOCK, libc::O_NONBLOCK);

    let plain = EventFd::new(0, EventFdFlags::empty()).unwrap();
    let fd = plain.as_raw_fd();
    // SAFETY: as above.
    let (fdflags, flflags) = unsafe {
        (
            libc::fcntl(fd, libc::F_GETFD),
            libc::fcntl(fd, libc::F_GETFL),
        )
    };
    assert_eq!(fdflags & libc::FD_CLOEXEC, 0);
    assert_eq!(flflags & libc::O_NONBLOCK, 0);
}

#[test]
fn unknown_flag_is_einval() {
    assert_eq!(
        EventFd::new(0, EventFdFlags::from_bits_retain(1 << 1)).err(),
        Some(Errno::INVAL)
    );
}

#[test]
fn initial_value_is_read_back() {
    let efd = nonblocking(7);
    assert_eq!(efd.read(), Ok(7));
    assert_eq!(efd.read(), Err(Errno::AGAIN));
}

#[test]
fn adds_before_a_read_come_back_as_their_sum() {
    let efd = nonblocking(0);
    efd.add(2).unwrap();
    efd.add(3).unwrap();
    efd.add(1_000_000_000_000).unwrap();
    assert_eq!(efd.read(), Ok(1_000_000_000_005));
    assert_eq!(efd.read(), Err(Errno::AGAIN), "the read reset it to 0");
}

#[test]
fn empty_nonblocking_read_is_eagain() {
    assert_eq!(nonblocking(0).read(), Err(Errno::AGAIN));
}

#[test]
fn semaphore_reads_one_at_a_time() {
    let efd = EventFd::new(
        3,
        EventFdFlags::SEMAPHORE | EventFdFlags::NONBLOCK | EventFdFlags::CLOEXEC,
    )
    .unwrap();
    efd.add(2).unwrap();
    for _ in 0..5 {
        assert_eq!(efd.read(), Ok(1));
    }
    assert_eq!(efd.read(), Err(Errno::AGAIN));
}

#[test]
fn counter_stops_at_u64_max_minus_one_with_eagain() {
    let efd = nonblocking(0);
    efd.add(u64::MAX - 1).unwrap();
    assert_eq!(efd.add(1), Err(Errno::AGAIN), "past u64::MAX - 1");
    assert_eq!(
        efd.read(),
        Ok(u64::MAX - 1),
        "the failed add left it as it was"
    );
    efd.add(1).unwrap();
    assert_eq!(efd.read(), Ok(1));
}

#[test]
fn adding_u64_max_is_einval() {
    let efd = nonblocking(0);
    assert_eq!(efd.add(u64::MAX), Err(Errno::INVAL));
    assert_eq!(efd.read(), Err(Errno::AGAIN), "nothing was added");
}

#[test]
fn adding_zero_succeeds_and_leaves_it_unreadable() {
    let efd = nonblocking(0);
    assert_eq!(efd.add(0), Ok(()));
    assert_eq!(efd.read(), Err(Errno::AGAIN));
}

#[test]
fn readable_in_epoll_after_an_add_and_not_after_the_read() {
    let ep = epoll();
    let efd = nonblocking(0);
    epoll_add(&ep, &efd, 77, EventFlags::IN).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![]);
    efd.add(1).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::IN, 77)]);
    assert_eq!(efd.read(), Ok(1));
    assert_eq!(wait(&ep, 4, 0), vec![]);
}

#[test]
fn writable_in_epoll_until_the_counter_is_full() {
    let ep = epoll();
    let efd = nonblocking(0);
    epoll_add(&ep, &efd, 5, EventFlags::OUT).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::OUT, 5)]);
    efd.add(u64::MAX - 1).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![], "no room for even 1");
}

#[test]
fn libc_reads_what_add_wrote_and_read_takes_what_libc_wrote() {
    let efd = nonblocking(0);
    efd.add(41).unwrap();
    assert_eq!(drain_eventfd(&efd), Some(41));
    bump(&efd, 9);
    assert_eq!(efd.read(), Ok(9));
}

#[test]
fn into_owned_fd_keeps_the_descriptor_open() {
    let efd = nonblocking(3);
    let raw = efd.as_raw_fd();
    let owned: freepoll::fd::OwnedFd = efd.into();
    assert_eq!(owned.as_raw_fd(), raw);
    assert_eq!(drain_eventfd(&owned), Some(3));
}

#[test]
fn blocking_add_past_the_limit_waits_for_a_read() {
    let efd = EventFd::new(0, EventFdFlags::CLOEXEC).unwrap();
    efd.add(u64::MAX - 1).unwrap();
    std::thread::scope(|s| {
        // Full: this add cannot complete until the read below makes room.
        let adder = s.spawn(|| efd.add(1));
        assert_eq!(efd.read(), Ok(u64::MAX - 1));
        assert_eq!(adder.join().unwrap(), Ok(()));
    });
    assert_eq!(efd.read(), Ok(1));
}

#[test]
fn blocking_read_waits_for_an_add() {
    let efd = EventFd::new(0, EventFdFlags::CLOEXEC).unwrap();
    std::thread::scope(|s| {
        let reader = s.spawn(|| efd.read());
        efd.add(6).unwrap();
        assert_eq!(reader.join().unwrap(), Ok(6));
    });
}
