//! s390x Linux system calls (64-bit, big-endian).
//!
//! ABI (see syscall(2), "Architecture calling conventions"):
//! - instruction: `svc 0`, with the number in `r1` (the `svc` immediate form holds only numbers
//!   below 256; with 0 the kernel takes the number from `r1`)
//! - number: `r1`
//! - arguments: `r2` to `r7`
//! - return: `r2` (which also carries the first argument), a value in -4095..=-1 is `-errno`
//! - clobbered: nothing; the kernel restores every other register and touches no user stack,
//!   hence `nostack`. `preserves_flags` is not claimed: the condition code is part of the PSW
//!   the kernel restores, but no document promises it across a system call.
//!
//! Big-endian: every value freepoll hands the kernel is a native integer or a struct of them
//! (`Event`, `SigSet`'s one `u64`, the 8-byte counts of eventfd and timerfd), so nothing here
//! depends on byte order; the tests that build bytes by hand build them native-endian.
//!
//! The stubs never claim `readonly` or `pure`: several calls write user memory, and the caller
//! of a raw stub is the only one who knows which.

// The numbers and values every architecture shares; the definitions below override them.
#[path = "common.rs"]
mod common;
pub(crate) use common::generic::*;

/// The system call numbers freepoll and its freestanding users need
/// (`arch/s390/kernel/syscalls/syscall.tbl`, the 64-bit column).
pub mod nr {
    pub use super::common::nr::*;

    /// _exit(2) (exit of the calling thread only)
    pub const EXIT: usize = 1;
    /// read(2)
    pub const READ: usize = 3;
    /// write(2)
    pub const WRITE: usize = 4;
    /// close(2)
    pub const CLOSE: usize = 6;
    /// execve(2)
    pub const EXECVE: usize = 11;
    /// chdir(2)
    pub const CHDIR: usize = 12;
    /// getpid(2)
    pub const GETPID: usize = 20;
    /// kill(2)
    pub const KILL: usize = 37;
    /// ioctl(2)
    pub const IOCTL: usize = 54;
    /// fcntl(2)
    pub const FCNTL: usize = 55;
    /// setpgid(2)
    pub const SETPGID: usize = 57;
    /// getppid(2)
    pub const GETPPID: usize = 64;
    /// setsid(2)
    pub const SETSID: usize = 66;
    /// reboot(2)
    pub const REBOOT: usize = 88;
    /// clone(2)
    pub const CLONE: usize = 120;
    /// getpgid(2)
    pub const GETPGID: usize = 132;
    /// fchdir(2)
    pub const FCHDIR: usize = 133;
    /// getsid(2)
    pub const GETSID: usize = 147;
    /// prctl(2)
    pub const PRCTL: usize = 172;
    /// rt_sigaction(2) (sigaction(2))
    pub const RT_SIGACTION: usize = 174;
    /// rt_sigprocmask(2) (sigprocmask(2))
    pub const RT_SIGPROCMASK: usize = 175;
    /// getuid(2)
    pub const GETUID: usize = 199;
    /// gettid(2)
    pub const GETTID: usize = 236;
    /// tgkill(2)
    pub const TGKILL: usize = 241;
    /// exit_group(2)
    pub const EXIT_GROUP: usize = 248;
    /// epoll_ctl(2)
    pub const EPOLL_CTL: usize = 250;
    /// epoll_wait(2)
    pub const EPOLL_WAIT: usize = 251;
    /// clock_gettime(2)
    pub const CLOCK_GETTIME: usize = 260;
    /// waitid(2)
    pub const WAITID: usize = 281;
    /// inotify_add_watch(2)
    pub const INOTIFY_ADD_WATCH: usize = 285;
    /// inotify_rm_watch(2)
    pub const INOTIFY_RM_WATCH: usize = 286;
    /// openat(2) (open(2))
    pub const OPENAT: usize = 288;
    /// faccessat(2) (access(2))
    pub const FACCESSAT: usize = 300;
    /// epoll_pwait(2)
    pub const EPOLL_PWAIT: usize = 312;
    /// timerfd_create(2)
    pub const TIMERFD_CREATE: usize = 319;
    /// timerfd_settime(2)
    pub const TIMERFD_SETTIME: usize = 320;
    /// timerfd_gettime(2)
    pub const TIMERFD_GETTIME: usize = 321;
    /// signalfd4(2) (signalfd(2))
    pub const SIGNALFD4: usize = 322;
    /// eventfd2(2)
    pub const EVENTFD2: usize = 323;
    /// inotify_init1(2) (inotify_init(2))
    pub const INOTIFY_INIT1: usize = 324;
    /// pipe2(2)
    pub const PIPE2: usize = 325;
    /// dup3(2)
    pub const DUP3: usize = 326;
    /// epoll_create1(2)
    pub const EPOLL_CREATE1: usize = 327;
    /// execveat(2), Linux 3.19
    pub const EXECVEAT: usize = 354;
    /// socket(2)
    pub const SOCKET: usize = 359;
    /// socketpair(2)
    pub const SOCKETPAIR: usize = 360;
    /// bind(2)
    pub const BIND: usize = 361;
    /// connect(2)
    pub const CONNECT: usize = 362;
    /// listen(2)
    pub const LISTEN: usize = 363;
    /// accept4(2) (accept(2))
    pub const ACCEPT4: usize = 364;
    /// getsockopt(2)
    pub const GETSOCKOPT: usize = 365;
    /// setsockopt(2)
    pub const SETSOCKOPT: usize = 366;
    /// getsockname(2)
    pub const GETSOCKNAME: usize = 367;
    /// getpeername(2)
    pub const GETPEERNAME: usize = 368;
    /// sendto(2) (send(2))
    pub const SENDTO: usize = 369;
    /// sendmsg(2)
    pub const SENDMSG: usize = 370;
    /// recvfrom(2) (recv(2))
    pub const RECVFROM: usize = 371;
    /// recvmsg(2)
    pub const RECVMSG: usize = 372;
    /// shutdown(2)
    pub const SHUTDOWN: usize = 373;
    /// statx(2), Linux 4.11
    pub const STATX: usize = 379;
    /// mount(2)
    pub const MOUNT: usize = 21;
}

/// The wait without a signal mask, which the whole-millisecond `epoll_wait` makes: this
/// architecture's `epoll_wait`, four arguments and no mask for the kernel to look at, which is
/// cheaper in the kernel than `epoll_pwait` with a NULL mask.
pub(crate) const EPOLL_WAIT_NOMASK: usize = nr::EPOLL_WAIT;

/// The instruction, registers and options of every stub below, stated once: the number goes
/// in `r1`; `r2` carries the first argument and the result; the stub names the other argument
/// registers.
macro_rules! syscall {
    ($nr:expr) => { syscall!(@ ret; $nr, lateout("r2") ret,) };
    ($nr:expr, $a0:expr $(, $reg:tt = $arg:expr)*) => {
        syscall!(@ ret; $nr, inlateout("r2") $a0 => ret, $(in($reg) $arg,)*)
    };
    (@ $ret:ident; $nr:expr, $($operands:tt)*) => {{
        let $ret;
        // SAFETY: the stub's caller upholds the contract of system call `$nr` for these
        // arguments (the stub contract, stated once in `crate::raw`). The kernel reads the
        // argument registers only, preserves every register but r2 (the result), declared, and
        // touches no user stack.
        unsafe {
            core::arch::asm!(
                "svc 0",
                in("r1") $nr,
                $($operands)*
                options(nostack),
            );
        }
        $ret
    }};
}

/// `svc 0` with no arguments.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    syscall!(nr)
}

/// `svc 0` with one argument: `r2`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    syscall!(nr, a0)
}

/// `svc 0` with two arguments: `r2`, `r3`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> usize {
    syscall!(nr, a0, "r3" = a1)
}

/// `svc 0` with three arguments: `r2`, `r3`, `r4`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    syscall!(nr, a0, "r3" = a1, "r4" = a2)
}

/// `svc 0` with four arguments: `r2`, `r3`, `r4`, `r5`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    syscall!(nr, a0, "r3" = a1, "r4" = a2, "r5" = a3)
}

/// `svc 0` with five arguments: `r2`, `r3`, `r4`, `r5`, `r6`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    syscall!(nr, a0, "r3" = a1, "r4" = a2, "r5" = a3, "r6" = a4)
}

/// `svc 0` with six arguments: `r2`, `r3`, `r4`, `r5`, `r6`, `r7`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall6(
    nr: usize,
    a0: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
) -> usize {
    syscall!(
        nr,
        a0,
        "r3" = a1,
        "r4" = a2,
        "r5" = a3,
        "r6" = a4,
        "r7" = a5
    )
}

/// The process entry point for [`entry!`](crate::entry!) (feature `entry`): `_start`, where the
/// kernel starts a static program with the stack pointer (`r15`) at argc (then argv, envp,
/// auxv) and nothing else set up, no return address and nothing to return to. It passes the
/// stack pointer in r2, makes the 160-byte register save area the ABI gives every callee,
/// with a zero back chain (the outermost frame), and calls `__freepoll_start(sp)`, which
/// never returns; the loop after the call is never reached.
#[cfg(feature = "entry")]
#[doc(hidden)]
#[macro_export]
macro_rules! __freepoll_start_asm {
    () => {
        core::arch::global_asm!(
            ".globl _start",
            ".type _start, @function",
            "_start:",
            "lgr %r2, %r15",
            "aghi %r15, -160",
            "xc 0(8,%r15), 0(%r15)",
            "brasl %r14, __freepoll_start",
            "j .",
        );
    };
}

/// s390's legacy `clone` takes the new stack first and the flags second
/// (`CONFIG_CLONE_BACKWARDS2`): `clone(stack, flags, parent_tid, child_tid, tls)`.
pub(crate) const CLONE_BACKWARDS2: bool = true;

/// `clone3(args, size)` or `clone(stack, flags, parent_tid, child_tid, tls)` (s390's
/// `CLONE_BACKWARDS2` order, see [`CLONE_BACKWARDS2`]; `nr` and `a0`..`a4` as for
/// [`syscall5`]) where the child starts on a new stack: the parent gets the raw return (the
/// child's pid or `-errno`); the child runs `child(arg)` on its new stack and never comes
/// back here. Every architecture's file has this stub, with this signature.
///
/// In the child (`r2` = 0, every other register as the parent had it but `r15`, which the
/// kernel set to the new stack's top): `r15` is aligned down to 8 bytes (the ABI's stack
/// alignment), the 160-byte register save area that the ABI gives every callee is made below
/// it, with a zero back chain (the outermost frame), `arg` goes to `r2`, `basr` calls
/// `child` with the return address in `r14`, and the invalid opcode 0 traps (`SIGILL`) if it
/// ever returns. `child` and `arg` ride through the system call in `r8` and `r9`, which the
/// kernel preserves.
///
/// `nostack`: the parent's path touches no stack; the child's uses the new one only.
/// `ltgr` sets the condition code, which no stub here claims to preserve.
///
/// # Safety
/// The `clone_run` contract, the same on every architecture (`arch/common.rs`).
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
    let ret;
    // SAFETY: the caller upholds the contract above. In the parent the asm is one system
    // call (r2, the result, and the condition code change); the child's path runs on the
    // new stack only and never returns into this function.
    unsafe {
        core::arch::asm!(
            "svc 0",
            "ltgr %r2, %r2",
            "jnz 2f",
            "nill %r15, 0xfff8",
            "aghi %r15, -160",
            "xc 0(8,%r15), 0(%r15)",
            "lgr %r2, %r9",
            "basr %r14, %r8",
            ".2byte 0",
            "2:",
            in("r1") nr,
            inlateout("r2") a0 => ret,
            in("r3") a1, in("r4") a2, in("r5") a3, in("r6") a4,
            in("r8") child as usize, in("r9") arg as usize,
            options(nostack),
        );
    }
    ret
}

// ---- vDSO ---------------------------------------------------------------------------------

/// The vDSO's `clock_gettime`: its name and symbol version
/// (`arch/s390/kernel/vdso64/vdso64.lds.S`).
///
/// It is a C function, `int f(clockid_t, struct __kernel_timespec *)`, returning 0 or
/// `-errno`: the shared `vdso_clock_gettime` (`arch/common.rs`) calls it.
pub(crate) const VDSO_CLOCK_GETTIME: Option<(&[u8], &[u8])> =
    Some((b"__kernel_clock_gettime", b"LINUX_2.6.29"));

/// `e_machine` of this architecture's ELF images, the vDSO's included: `EM_S390`.
pub(crate) const ELF_MACHINE: u16 = 22;

/// s390x's 64-bit ELF has 8-byte `DT_HASH` entries (binutils' s390x hash entry size; glibc's
/// `Elf_Symndx` is 64-bit there), where every other architecture has 4-byte ones.
pub(crate) const ELF_HASH_ENTRY: usize = 8;
