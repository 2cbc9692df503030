//! System calls under Miri, through the C functions Miri emulates.
//!
//! Miri interprets the program and cannot execute inline asm, so under `cfg(miri)` this file
//! takes the place of the architecture's. It has the same stubs with the same signatures and
//! the same `mod nr` (the target architecture's own, from its file), and each stub dispatches
//! on the number to the libc function Miri emulates for that call:
//!
//! | number | function |
//! | --- | --- |
//! | `EPOLL_CREATE1` | `epoll_create1(flags)` |
//! | `EPOLL_CTL` | `epoll_ctl(epfd, op, fd, event)` |
//! | `EPOLL_WAIT` (where the architecture has it) | `epoll_wait(epfd, events, maxevents, timeout)` |
//! | `EPOLL_PWAIT` with a NULL mask | `epoll_wait(epfd, events, maxevents, timeout)` |
//! | `EPOLL_PWAIT2` with a NULL mask | `epoll_wait`, the timespec rounded up to milliseconds |
//! | `EVENTFD2`, `PIPE2` | `eventfd(count, flags)`, `pipe2(fds, flags)` |
//! | `READ`, `WRITE`, `CLOSE` | `read`, `write`, `close` |
//! | `GETPID`, `GETTID`, `CLOCK_GETTIME` | `getpid`, `gettid`, `clock_gettime` |
//!
//! Any other number, and a wait with a signal mask (Miri has no `epoll_pwait`), answers
//! `-ENOSYS`, as the kernel does for a call it lacks.
//!
//! Returns: a function that fails returns -1 and sets `errno`; the stub reads `errno` through
//! `__errno_location()` and returns `-errno` as a `usize`, what the return register would
//! carry, so that `decode_raw` and everything above it run unchanged.
//!
//! Pointers: the stubs take registers, so a pointer argument arrives as a bare address. It is
//! turned back into a pointer with `core::ptr::with_exposed_provenance_mut`, which finds the
//! allocation that the caller's `as usize` cast exposed. `-Zmiri-strict-provenance` forbids
//! exactly that conversion: under it, a call that passes a pointer (`epoll_ctl` ADD and MOD,
//! the waits, `read`, `write`, `pipe2`, `clock_gettime`) stops Miri with "unsupported
//! operation", and only the calls with integer arguments (`epoll_create1`, `close`,
//! `eventfd2`, `epoll_ctl` DEL, whose event pointer is NULL) run. NULL needs no provenance
//! and is passed as `ptr::null_mut()`.
//!
//! Miri's epoll itself has limits of its own (checked with the nightly of May 2026): it
//! refuses a registration without `EPOLLET` as an unsupported operation, and it watches
//! eventfds, pipes and UNIX socket pairs, nothing else.

// Compiled only under Miri, which runs on nightly: the MSRV does not apply here.
#![allow(clippy::incompatible_msrv)]

// The target's own numbers: the same names and values as on the real thing, so that
// `raw::nr` means the same under Miri. Its asm stubs, and what it re-exports for `src/`, are
// compiled but never used here.
#[allow(dead_code, unused_imports)]
#[cfg_attr(target_arch = "x86_64", path = "x86_64.rs")]
#[cfg_attr(target_arch = "aarch64", path = "aarch64.rs")]
#[cfg_attr(target_arch = "riscv64", path = "riscv64.rs")]
#[cfg_attr(target_arch = "powerpc64", path = "powerpc64.rs")]
#[cfg_attr(target_arch = "s390x", path = "s390x.rs")]
#[cfg_attr(target_arch = "x86", path = "x86.rs")]
#[cfg_attr(target_arch = "arm", path = "arm.rs")]
mod native;

pub use native::nr;
// The architecture's values (its overrides of arch/common.rs and what it shares); the stubs
// defined below shadow the architecture's own, which run asm Miri cannot.
pub(crate) use native::*;

/// `ENOSYS` (38), negated as the kernel returns it.
const NOSYS: usize = -38isize as usize;
/// `EINVAL` (22), negated as the kernel returns it.
const INVAL: usize = -22isize as usize;

// The functions Miri emulates, with the C types spelled out: `int` is i32, `unsigned int`
// u32, `size_t` usize, `ssize_t` isize, `void *` a byte pointer.
extern "C" {
    fn __errno_location() -> *mut i32;
    fn getpid() -> i32;
    fn gettid() -> i32;
    fn close(fd: i32) -> i32;
    fn read(fd: i32, buf: *mut u8, count: usize) -> isize;
    fn write(fd: i32, buf: *const u8, count: usize) -> isize;
    fn eventfd(count: u32, flags: i32) -> i32;
    fn pipe2(fds: *mut i32, flags: i32) -> i32;
    fn clock_gettime(clock: i32, ts: *mut CTimespec) -> i32;
    fn epoll_create1(flags: i32) -> i32;
    fn epoll_ctl(epfd: i32, op: i32, fd: i32, event: *mut u8) -> i32;
    fn epoll_wait(epfd: i32, events: *mut u8, maxevents: i32, timeout: i32) -> i32;
}

/// The kernel's `struct __kernel_timespec`, which freepoll hands `epoll_pwait2` and
/// `clock_gettime` on every architecture (the 32-bit ones through their `*_time64` calls):
/// seconds and nanoseconds, both 64-bit.
#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

/// C's `struct timespec` as Miri's libc has it: `time_t` and `long`, both the width of a
/// pointer (32-bit on i686, whose C library keeps the 32-bit `time_t` by default).
#[repr(C)]
struct CTimespec {
    sec: isize,
    nsec: isize,
}

/// `clock_gettime` into the kernel's 64-bit layout at `ts`, through C's own layout.
///
/// # Safety
/// `ts` is valid for writes of one [`Timespec`].
unsafe fn clock_gettime64(clock: i32, ts: usize) -> usize {
    let mut c = CTimespec { sec: 0, nsec: 0 };
    // SAFETY: `c` is a live C timespec.
    let ret = unsafe { clock_gettime(clock, &mut c) };
    if ret == 0 {
        let kernel = Timespec {
            sec: c.sec as i64,
            nsec: c.nsec as i64,
        };
        // SAFETY: the caller's contract.
        unsafe { ptr::<Timespec>(ts).write(kernel) };
    }
    raw(ret as isize)
}

/// The pointer a register carries: NULL for 0, otherwise the allocation that the caller
/// exposed at that address (see the module docs for `-Zmiri-strict-provenance`).
#[inline]
fn ptr<T>(reg: usize) -> *mut T {
    if reg == 0 {
        core::ptr::null_mut()
    } else {
        core::ptr::with_exposed_provenance_mut(reg)
    }
}

/// The raw register value for a C return: the value itself, or `-errno` for -1.
#[inline]
fn raw(ret: isize) -> usize {
    if ret == -1 {
        // SAFETY: `__errno_location` returns a pointer to the calling thread's `errno`, valid
        // for reads for the thread's lifetime.
        let errno = unsafe { *__errno_location() };
        (errno as isize).wrapping_neg() as usize
    } else {
        ret as usize
    }
}

/// `epoll_wait` for `epoll_pwait` and `epoll_pwait2`, once the timeout is in milliseconds.
///
/// # Safety
/// `events` is valid for writes of `maxevents` events in the kernel's layout.
#[inline]
unsafe fn wait(epfd: usize, events: usize, maxevents: usize, timeout_ms: i32) -> usize {
    // SAFETY: the caller's contract is `epoll_wait`'s.
    let ret = unsafe { epoll_wait(epfd as i32, ptr(events), maxevents as i32, timeout_ms) };
    raw(ret as isize)
}

/// An `epoll_pwait2` timeout in milliseconds: -1 for NULL (wait forever), otherwise the
/// timespec rounded up, capped at `i32::MAX`; `None` for an invalid timespec (EINVAL).
///
/// # Safety
/// `ts` is 0 or points to a readable `struct timespec`.
#[inline]
unsafe fn timeout_ms(ts: usize) -> Option<i32> {
    if ts == 0 {
        return Some(-1);
    }
    // SAFETY: the caller guarantees `ts` points to a readable timespec.
    let Timespec { sec, nsec } = unsafe { ptr::<Timespec>(ts).read() };
    let (Ok(sec), Ok(nsec)) = (u64::try_from(sec), u64::try_from(nsec)) else {
        return None;
    };
    if nsec >= 1_000_000_000 {
        return None;
    }
    let ms = sec
        .checked_mul(1000)
        .and_then(|ms| ms.checked_add(nsec.div_ceil(1_000_000)))
        .unwrap_or(u64::MAX);
    Some(i32::try_from(ms).unwrap_or(i32::MAX))
}

/// `GETPID` or `GETTID`.
///
/// # Safety
/// As for the architecture's `syscall0`.
#[inline]
pub unsafe fn syscall0(nr: usize) -> usize {
    match nr {
        // SAFETY: getpid takes nothing and touches no memory.
        nr::GETPID => raw(unsafe { getpid() } as isize),
        // SAFETY: gettid takes nothing and touches no memory.
        nr::GETTID => raw(unsafe { gettid() } as isize),
        _ => NOSYS,
    }
}

/// `CLOSE` or `EPOLL_CREATE1`.
///
/// # Safety
/// As for the architecture's `syscall1`.
#[inline]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    match nr {
        // SAFETY: the caller owns the descriptor it closes (its contract for close).
        nr::CLOSE => raw(unsafe { close(a0 as i32) } as isize),
        // SAFETY: epoll_create1 takes an integer only.
        nr::EPOLL_CREATE1 => raw(unsafe { epoll_create1(a0 as i32) } as isize),
        _ => NOSYS,
    }
}

/// `EVENTFD2`, `PIPE2` or `CLOCK_GETTIME`.
///
/// # Safety
/// As for the architecture's `syscall2`.
#[inline]
pub unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> usize {
    match nr {
        // SAFETY: eventfd takes integers only.
        nr::EVENTFD2 => raw(unsafe { eventfd(a0 as u32, a1 as i32) } as isize),
        // SAFETY: the caller guarantees `a0` points to two writable `int`s.
        nr::PIPE2 => raw(unsafe { pipe2(ptr(a0), a1 as i32) } as isize),
        // SAFETY: the caller guarantees `a1` points to a writable timespec.
        nr::CLOCK_GETTIME => unsafe { clock_gettime64(a0 as i32, a1) },
        _ => NOSYS,
    }
}

/// `READ` or `WRITE`.
///
/// # Safety
/// As for the architecture's `syscall3`.
#[inline]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    match nr {
        // SAFETY: the caller guarantees `a1` is valid for writes of `a2` bytes.
        nr::READ => raw(unsafe { read(a0 as i32, ptr(a1), a2) }),
        // SAFETY: the caller guarantees `a1` is valid for reads of `a2` bytes.
        nr::WRITE => raw(unsafe { write(a0 as i32, ptr(a1), a2) }),
        _ => NOSYS,
    }
}

/// `EPOLL_CTL`, or the architecture's `EPOLL_WAIT`.
///
/// # Safety
/// As for the architecture's `syscall4`.
#[inline]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    match nr {
        // The architecture's `epoll_wait` (where it has one; elsewhere the number is
        // `EPOLL_PWAIT`, which never comes with four arguments).
        // SAFETY: the caller guarantees `a1` is valid for writes of `a2` events.
        n if n == EPOLL_WAIT_NOMASK => unsafe { wait(a0, a1, a2, a3 as i32) },
        nr::EPOLL_CTL => {
            // SAFETY: the caller guarantees `a3` is NULL (DEL) or points to a readable event
            // in the kernel's layout, which is the layout Miri reads.
            let ret = unsafe { epoll_ctl(a0 as i32, a1 as i32, a2 as i32, ptr(a3)) };
            raw(ret as isize)
        }
        _ => NOSYS,
    }
}

/// `EPOLL_PWAIT` with a NULL signal mask and no size (the kernel ignores the size then).
///
/// # Safety
/// As for the architecture's `syscall5`.
#[inline]
pub unsafe fn syscall5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    // SAFETY: the caller upholds `syscall5`'s contract, which is `syscall6`'s for these
    // arguments; the size argument is not read with a NULL mask.
    unsafe { syscall6(nr, a0, a1, a2, a3, a4, 0) }
}

/// `EPOLL_PWAIT` or `EPOLL_PWAIT2`, each with a NULL signal mask.
///
/// # Safety
/// As for the architecture's `syscall6`.
#[inline]
pub unsafe fn syscall6(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
) -> usize {
    let _ = a5; // the sigset size: no mask is passed on, so there is nothing to size
    match nr {
        // SAFETY: the caller guarantees `a1` is valid for writes of `a2` events.
        nr::EPOLL_PWAIT if a4 == 0 => unsafe { wait(a0, a1, a2, a3 as i32) },
        // SAFETY: the caller guarantees `a3` is NULL or a readable timespec.
        nr::EPOLL_PWAIT2 if a4 == 0 => match unsafe { timeout_ms(a3) } {
            // SAFETY: the caller guarantees `a1` is valid for writes of `a2` events.
            Some(ms) => unsafe { wait(a0, a1, a2, ms) },
            None => INVAL,
        },
        _ => NOSYS,
    }
}

/// The stub that starts a child on a new stack: `-ENOSYS` under Miri, which cannot clone a
/// process (and cannot run the asm that would).
///
/// # Safety
/// As for the architecture's `clone_run`; nothing is called here.
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) unsafe fn clone_run(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    child: unsafe extern "C" fn(*mut u8) -> !,
    arg: *mut u8,
) -> usize {
    let _ = (nr, a0, a1, a2, a3, a4, child, arg);
    NOSYS
}

/// No vDSO under Miri, which cannot call into it: `clock_gettime` is always the system call.
pub(crate) const VDSO_CLOCK_GETTIME: Option<(&[u8], &[u8])> = None;

/// Never called under Miri ([`VDSO_CLOCK_GETTIME`] is `None`): `-ENOSYS`.
///
/// # Safety
/// None needed; the signature is the architecture's.
#[inline]
pub(crate) unsafe fn vdso_clock_gettime(_f: usize, _clock: usize, _ts: usize) -> usize {
    NOSYS
}
