//! The Rust std counterpart of freestanding/src/bin/tiny.rs, for ci/bench.sh's footprint rows:
//! the same epoll instance, eventfd, write, wait and check, through glibc's functions as any std
//! program reaches them. Built by ci/bench.sh with plain rustc (no crates), static and stripped.

use std::process::ExitCode;

const TOKEN: u64 = 0x0123_4567_89ab_cdef;
const EPOLLIN: u32 = 0x001;
const EPOLL_CTL_ADD: i32 = 1;
/// `EPOLL_CLOEXEC` and `EFD_CLOEXEC` (both `O_CLOEXEC`).
const CLOEXEC: i32 = 0o2_000_000;

/// `struct epoll_event`, packed on x86_64 only.
#[cfg_attr(target_arch = "x86_64", repr(C, packed))]
#[cfg_attr(not(target_arch = "x86_64"), repr(C))]
#[derive(Clone, Copy)]
struct EpollEvent {
    events: u32,
    data: u64,
}

extern "C" {
    fn epoll_create1(flags: i32) -> i32;
    fn epoll_ctl(epfd: i32, op: i32, fd: i32, event: *mut EpollEvent) -> i32;
    fn epoll_wait(epfd: i32, events: *mut EpollEvent, maxevents: i32, timeout: i32) -> i32;
    fn eventfd(initval: u32, flags: i32) -> i32;
    fn write(fd: i32, buf: *const u8, count: usize) -> isize;
}

fn main() -> ExitCode {
    let mut out = [EpollEvent { events: 0, data: 0 }];
    // SAFETY: each call gets integers and pointers to live locals of the sizes it reads or
    // writes: one event for epoll_ctl and epoll_wait, 8 bytes for write.
    let n = unsafe {
        let epoll = epoll_create1(CLOEXEC);
        let efd = eventfd(0, CLOEXEC);
        let mut ev = EpollEvent {
            events: EPOLLIN,
            data: TOKEN,
        };
        let one = 1u64.to_ne_bytes();
        if epoll < 0
            || efd < 0
            || epoll_ctl(epoll, EPOLL_CTL_ADD, efd, &mut ev) != 0
            || write(efd, one.as_ptr(), 8) != 8
        {
            return ExitCode::FAILURE;
        }
        epoll_wait(epoll, out.as_mut_ptr(), 1, -1)
    };
    let EpollEvent { events, data } = out[0];
    if n == 1 && events == EPOLLIN && data == TOKEN {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
