//! What the benchmarks share: the sources they wait on, made the same way for every crate so
//! that only the epoll calls differ.

// Each bench target uses a different part of this module.
#![allow(dead_code)]

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// An eventfd with counter `initial`: readable (`IN`) at once if `initial > 0`, and it stays
/// so, level-triggered, as nothing ever reads it. Non-blocking and close-on-exec.
pub fn eventfd(initial: u32) -> OwnedFd {
    // SAFETY: eventfd takes two integers and touches no user memory.
    let fd = unsafe { libc::eventfd(initial, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    assert!(fd >= 0, "eventfd: {}", std::io::Error::last_os_error());
    // SAFETY: on success eventfd returns a new descriptor that nothing else owns.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// A new epoll instance made through libc (close-on-exec).
pub fn libc_epoll() -> OwnedFd {
    // SAFETY: epoll_create1 takes an integer and touches no user memory.
    let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    assert!(
        fd >= 0,
        "epoll_create1: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: on success epoll_create1 returns a new descriptor that nothing else owns.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// `epoll_ctl(epoll, EPOLL_CTL_ADD, fd, {events, data})` through libc.
#[inline]
pub fn libc_add(epoll: &OwnedFd, fd: &OwnedFd, events: i32, data: u64) {
    let mut ev = libc::epoll_event {
        events: events as u32,
        u64: data,
    };
    // SAFETY: both descriptors are open; the kernel reads `ev`.
    let ret = unsafe {
        libc::epoll_ctl(
            epoll.as_raw_fd(),
            libc::EPOLL_CTL_ADD,
            fd.as_raw_fd(),
            &mut ev,
        )
    };
    assert_eq!(ret, 0, "epoll_ctl: {}", std::io::Error::last_os_error());
}

/// Raises the soft limit on open descriptors to `want` (at most the hard limit, which root may
/// raise too). Returns the new soft limit.
pub fn raise_fd_limit(want: u64) -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one `struct rlimit` to `lim`.
    let ret = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    assert_eq!(ret, 0, "getrlimit: {}", std::io::Error::last_os_error());
    if lim.rlim_cur >= want {
        return lim.rlim_cur;
    }
    let raised = libc::rlimit {
        rlim_cur: want,
        rlim_max: lim.rlim_max.max(want),
    };
    // SAFETY: setrlimit reads one `struct rlimit` from `raised`.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
        return want;
    }
    let capped = libc::rlimit {
        rlim_cur: lim.rlim_max,
        rlim_max: lim.rlim_max,
    };
    // SAFETY: as above.
    let ret = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &capped) };
    assert_eq!(ret, 0, "setrlimit: {}", std::io::Error::last_os_error());
    lim.rlim_max
}
