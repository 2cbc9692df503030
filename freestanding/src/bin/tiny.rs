//! The smallest useful freepoll program: an epoll instance, an eventfd registered with it, one
//! write, one wait, and a check of the event that came back. Exits 0 when the kernel reported
//! exactly that event, 1 otherwise.
//!
//! No libc: the entry point `_start` is the few instructions below, and every system call is
//! one of freepoll's inline-asm stubs.

#![no_std]
#![no_main]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use core::mem::MaybeUninit;
use freepoll::epoll::{
    epoll_add, epoll_create, epoll_wait, CreateFlags, Event, EventFlags, EventVec,
};
use freepoll::fd::{AsRawFd, FromRawFd, OwnedFd};
use freepoll::raw::{decode_raw, nr, syscall1, syscall2, syscall3};

/// What the kernel hands back with the eventfd's event.
const TOKEN: u64 = 0x0123_4567_89ab_cdef;
/// `EFD_CLOEXEC` (`include/uapi/linux/eventfd.h`: `O_CLOEXEC`).
const EFD_CLOEXEC: usize = 0o2_000_000;

/// The whole job: `Ok(true)` when the wait returned exactly one event, `IN` with `TOKEN`.
fn run() -> freepoll::Result<bool> {
    let epoll = epoll_create(CreateFlags::CLOEXEC)?;

    // SAFETY: eventfd2 takes two integers and touches no user memory.
    let ret = unsafe { syscall2(nr::EVENTFD2, 0, EFD_CLOEXEC) };
    // SAFETY: on success eventfd2 returns a new descriptor that nothing else owns.
    let efd = unsafe { OwnedFd::from_raw_fd(decode_raw(ret)? as i32) };
    epoll_add(&epoll, &efd, TOKEN, EventFlags::IN)?;

    let one: u64 = 1;
    // SAFETY: `efd` is open (owned above); the kernel reads the 8 bytes of `one` and writes
    // nothing.
    let ret = unsafe {
        syscall3(
            nr::WRITE,
            efd.as_raw_fd() as usize,
            &one as *const u64 as usize,
            8,
        )
    };
    decode_raw(ret)?;

    let mut buf = [MaybeUninit::<Event>::uninit(); 1];
    let mut events = EventVec::new(&mut buf);
    let n = epoll_wait(&epoll, &mut events, -1)?;
    Ok(n == 1 && events.iter().next() == Some((EventFlags::IN, TOKEN)))
}

/// Called by `_start` with the initial stack pointer (argc, argv, envp, auxv), unused here.
extern "C" fn main(_sp: *const usize) -> ! {
    exit(match run() {
        Ok(true) => 0,
        _ => 1,
    })
}

/// exit_group(2).
fn exit(status: i32) -> ! {
    loop {
        // SAFETY: exit_group takes an integer, touches no user memory, and does not return.
        unsafe { syscall1(nr::EXIT_GROUP, status as usize) };
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    exit(101)
}

// The entry point. The kernel starts the program here with the stack pointer at argc (then
// argv, envp, auxv) and nothing else set up: no return address, nothing to return to. `_start`
// marks the outermost frame, aligns the stack as the C ABI wants at a call, and calls `main`,
// which never returns; the trap after the call is never reached. The `sym` operands need
// Rust 1.66 (freepoll itself builds with 1.63).
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "xor ebp, ebp",
    "mov rdi, rsp",
    "and rsp, -16",
    "call {main}",
    "ud2",
    main = sym main,
);

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "mov x29, xzr",
    "mov x30, xzr",
    "mov x0, sp",
    "bl {main}",
    "udf #0",
    main = sym main,
);

#[cfg(target_arch = "riscv64")]
core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "mv a0, sp",
    "andi sp, sp, -16",
    "call {main}",
    "unimp",
    main = sym main,
);
