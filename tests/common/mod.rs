//! Helpers shared by the integration tests: descriptors made with the `libc` crate (an
//! independent path to the kernel), and a wait that returns the events as a `Vec`.

#![allow(dead_code)]

use core::mem::MaybeUninit;
use freepoll::epoll::{self, CreateFlags, Event, EventFlags, EventVec};
use freepoll::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};

/// Takes ownership of a raw descriptor a libc call just returned, or fails the test with errno.
pub fn own(fd: i32, what: &str) -> OwnedFd {
    assert!(
        fd >= 0,
        "{what} failed: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: a successful libc call just returned `fd`; nothing else owns it.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

pub fn epoll() -> OwnedFd {
    epoll::epoll_create(CreateFlags::CLOEXEC).expect("epoll_create")
}

/// A non-blocking eventfd with counter `initial` (readable when non-zero).
pub fn eventfd(initial: u32) -> OwnedFd {
    // SAFETY: eventfd takes integers only.
    own(
        unsafe { libc::eventfd(initial, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) },
        "eventfd",
    )
}

/// A non-blocking pipe: (read end, write end).
pub fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    (own(fds[0], "pipe2"), own(fds[1], "pipe2"))
}

/// A non-blocking UNIX stream socket pair.
pub fn socketpair() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors socketpair writes.
    let rc = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    assert_eq!(rc, 0, "socketpair: {}", std::io::Error::last_os_error());
    (own(fds[0], "socketpair"), own(fds[1], "socketpair"))
}

/// Adds `n` to an eventfd's counter.
pub fn bump(efd: impl AsFd, n: u64) {
    let fd = efd.as_fd().as_raw_fd();
    // SAFETY: writes 8 bytes from a live u64.
    let rc = unsafe { libc::write(fd, &n as *const u64 as *const libc::c_void, 8) };
    assert_eq!(rc, 8, "eventfd write: {}", std::io::Error::last_os_error());
}

/// Reads an eventfd's counter (resetting it), or None if it was zero.
pub fn drain_eventfd(efd: impl AsFd) -> Option<u64> {
    let fd = efd.as_fd().as_raw_fd();
    let mut n = 0u64;
    // SAFETY: reads at most 8 bytes into a live u64.
    let rc = unsafe { libc::read(fd, &mut n as *mut u64 as *mut libc::c_void, 8) };
    if rc == 8 {
        Some(n)
    } else {
        assert_eq!(
            std::io::Error::last_os_error().raw_os_error(),
            Some(libc::EAGAIN)
        );
        None
    }
}

/// Writes bytes to a descriptor, all of them.
pub fn write_all(fd: impl AsFd, bytes: &[u8]) {
    let fd = fd.as_fd().as_raw_fd();
    // SAFETY: reads `bytes.len()` bytes from a live slice.
    let rc = unsafe { libc::write(fd, bytes.as_ptr() as *const libc::c_void, bytes.len()) };
    assert_eq!(
        rc,
        bytes.len() as isize,
        "write: {}",
        std::io::Error::last_os_error()
    );
}

/// Reads up to `max` bytes; an empty Vec for EAGAIN or end of file.
pub fn read_some(fd: impl AsFd, max: usize) -> Vec<u8> {
    let fd = fd.as_fd().as_raw_fd();
    let mut buf = vec![0u8; max];
    // SAFETY: writes at most `max` bytes into a live buffer of that size.
    let rc = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, max) };
    buf.truncate(rc.max(0) as usize);
    buf
}

/// One wait with a buffer of `capacity` slots; the events as (flags, data) pairs.
pub fn wait(epoll: impl AsFd, capacity: usize, timeout: i32) -> Vec<(EventFlags, u64)> {
    let mut buf = vec![MaybeUninit::<Event>::uninit(); capacity];
    let mut events = EventVec::new(&mut buf);
    let n = epoll::epoll_wait(epoll, &mut events, timeout).expect("epoll_wait");
    assert_eq!(n, events.len());
    events.iter().collect()
}

/// The data of each event, sorted.
pub fn datas(events: &[(EventFlags, u64)]) -> Vec<u64> {
    let mut d: Vec<u64> = events.iter().map(|&(_, d)| d).collect();
    d.sort_unstable();
    d
}
