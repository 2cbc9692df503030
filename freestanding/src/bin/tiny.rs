//! The smallest useful freepoll program: an epoll instance, an eventfd registered with it, one
//! add, one wait, and a check of the event that came back. Exits 0 when the kernel reported
//! exactly that event, 1 otherwise.
//!
//! No libc: `freepoll::entry!` provides the entry point (`_start`, a few instructions from
//! freepoll's `arch/` file) and the memory functions, and every system call is one of
//! freepoll's inline-asm stubs. No `unsafe` here.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use core::mem::MaybeUninit;
use freepoll::entry::Args;
use freepoll::epoll::{
    epoll_add, epoll_create, epoll_wait, CreateFlags, Event, EventFlags, EventVec,
};
use freepoll::eventfd::{EventFd, EventFdFlags};

freepoll::entry!(main);

/// What the kernel hands back with the eventfd's event.
const TOKEN: u64 = 0x0123_4567_89ab_cdef;

/// The whole job: `Ok(true)` when the wait returned exactly one event, `IN` with `TOKEN`.
fn run() -> freepoll::Result<bool> {
    let epoll = epoll_create(CreateFlags::CLOEXEC)?;
    let efd = EventFd::new(0, EventFdFlags::CLOEXEC)?;
    epoll_add(&epoll, &efd, TOKEN, EventFlags::IN)?;
    efd.add(1)?;

    let mut buf = [MaybeUninit::<Event>::uninit(); 1];
    let mut events = EventVec::new(&mut buf);
    let n = epoll_wait(&epoll, &mut events, -1)?;
    Ok(n == 1 && events.iter().next() == Some((EventFlags::IN, TOKEN)))
}

/// The exit status: 0 when the event came back as it should.
fn main(_: Args) -> i32 {
    match run() {
        Ok(true) => 0,
        _ => 1,
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    freepoll::process::exit(101)
}
