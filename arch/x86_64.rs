//! x86_64 Linux system calls.
//!
//! ABI (see syscall(2), "Architecture calling conventions"):
//! - instruction: `syscall`
//! - number: `rax`
//! - arguments: `rdi`, `rsi`, `rdx`, `r10`, `r8`, `r9` (`r10`, not `rcx`: `syscall` itself
//!   overwrites `rcx`)
//! - return: `rax`, a value in -4095..=-1 is `-errno`
//! - clobbered: `rcx` (the return address) and `r11` (the saved `rflags`); the kernel restores
//!   every other register, the flags included, and touches no user stack, hence
//!   `options(nostack, preserves_flags)`.
//!
//! The stubs never claim `readonly` or `pure`: several calls write user memory, and the caller
//! of a raw stub is the only one who knows which.

// The numbers and values every architecture shares; the definitions below override them.
#[path = "common.rs"]
mod common;
pub(crate) use common::generic::*;

/// The system call numbers freepoll and its freestanding users need
/// (`arch/x86/entry/syscalls/syscall_64.tbl`).
pub mod nr {
    pub use super::common::nr::*;

    /// read(2)
    pub const READ: usize = 0;
    /// write(2)
    pub const WRITE: usize = 1;
    /// close(2)
    pub const CLOSE: usize = 3;
    /// rt_sigaction(2) (sigaction(2))
    pub const RT_SIGACTION: usize = 13;
    /// rt_sigprocmask(2) (sigprocmask(2))
    pub const RT_SIGPROCMASK: usize = 14;
    /// ioctl(2)
    pub const IOCTL: usize = 16;
    /// getpid(2)
    pub const GETPID: usize = 39;
    /// socket(2)
    pub const SOCKET: usize = 41;
    /// connect(2)
    pub const CONNECT: usize = 42;
    /// sendto(2) (send(2))
    pub const SENDTO: usize = 44;
    /// recvfrom(2) (recv(2))
    pub const RECVFROM: usize = 45;
    /// sendmsg(2)
    pub const SENDMSG: usize = 46;
    /// recvmsg(2)
    pub const RECVMSG: usize = 47;
    /// shutdown(2)
    pub const SHUTDOWN: usize = 48;
    /// bind(2)
    pub const BIND: usize = 49;
    /// listen(2)
    pub const LISTEN: usize = 50;
    /// getsockname(2)
    pub const GETSOCKNAME: usize = 51;
    /// getpeername(2)
    pub const GETPEERNAME: usize = 52;
    /// socketpair(2)
    pub const SOCKETPAIR: usize = 53;
    /// setsockopt(2)
    pub const SETSOCKOPT: usize = 54;
    /// getsockopt(2)
    pub const GETSOCKOPT: usize = 55;
    /// clone(2)
    pub const CLONE: usize = 56;
    /// execve(2)
    pub const EXECVE: usize = 59;
    /// _exit(2) (exit of the calling thread only)
    pub const EXIT: usize = 60;
    /// kill(2)
    pub const KILL: usize = 62;
    /// fcntl(2)
    pub const FCNTL: usize = 72;
    /// chdir(2)
    pub const CHDIR: usize = 80;
    /// fchdir(2)
    pub const FCHDIR: usize = 81;
    /// getuid(2)
    pub const GETUID: usize = 102;
    /// setpgid(2)
    pub const SETPGID: usize = 109;
    /// getppid(2)
    pub const GETPPID: usize = 110;
    /// setsid(2)
    pub const SETSID: usize = 112;
    /// getpgid(2)
    pub const GETPGID: usize = 121;
    /// getsid(2)
    pub const GETSID: usize = 124;
    /// prctl(2)
    pub const PRCTL: usize = 157;
    /// reboot(2)
    pub const REBOOT: usize = 169;
    /// gettid(2)
    pub const GETTID: usize = 186;
    /// clock_gettime(2)
    pub const CLOCK_GETTIME: usize = 228;
    /// exit_group(2)
    pub const EXIT_GROUP: usize = 231;
    /// epoll_wait(2)
    pub const EPOLL_WAIT: usize = 232;
    /// epoll_ctl(2)
    pub const EPOLL_CTL: usize = 233;
    /// tgkill(2)
    pub const TGKILL: usize = 234;
    /// waitid(2)
    pub const WAITID: usize = 247;
    /// inotify_add_watch(2)
    pub const INOTIFY_ADD_WATCH: usize = 254;
    /// inotify_rm_watch(2)
    pub const INOTIFY_RM_WATCH: usize = 255;
    /// openat(2) (open(2))
    pub const OPENAT: usize = 257;
    /// faccessat(2) (access(2))
    pub const FACCESSAT: usize = 269;
    /// epoll_pwait(2)
    pub const EPOLL_PWAIT: usize = 281;
    /// timerfd_create(2)
    pub const TIMERFD_CREATE: usize = 283;
    /// timerfd_settime(2)
    pub const TIMERFD_SETTIME: usize = 286;
    /// timerfd_gettime(2)
    pub const TIMERFD_GETTIME: usize = 287;
    /// accept4(2) (accept(2))
    pub const ACCEPT4: usize = 288;
    /// signalfd4(2) (signalfd(2))
    pub const SIGNALFD4: usize = 289;
    /// eventfd2(2)
    pub const EVENTFD2: usize = 290;
    /// epoll_create1(2)
    pub const EPOLL_CREATE1: usize = 291;
    /// dup3(2)
    pub const DUP3: usize = 292;
    /// pipe2(2)
    pub const PIPE2: usize = 293;
    /// inotify_init1(2) (inotify_init(2))
    pub const INOTIFY_INIT1: usize = 294;
    /// execveat(2), Linux 3.19
    pub const EXECVEAT: usize = 322;
    /// statx(2), Linux 4.11
    pub const STATX: usize = 332;
    /// mount(2)
    pub const MOUNT: usize = 165;
}

/// The wait without a signal mask, which the whole-millisecond `epoll_wait` makes: this
/// architecture's `epoll_wait`, four arguments and no mask for the kernel to look at, which is
/// cheaper in the kernel than `epoll_pwait` with a NULL mask.
pub(crate) const EPOLL_WAIT_NOMASK: usize = nr::EPOLL_WAIT;

/// The instruction, registers, clobbers and options of every stub below, stated once: the
/// number goes in `rax` and comes back as the result; the stub names its argument registers.
macro_rules! syscall {
    ($nr:expr $(, $reg:tt = $arg:expr)*) => {{
        let ret;
        // SAFETY: the stub's caller upholds the contract of system call `$nr` for these
        // arguments (the stub contract, stated once in `crate::raw`). The kernel reads the
        // argument registers only, and preserves every register but rax (the result), rcx
        // (the return address) and r11 (the saved rflags), all three declared; it touches no
        // user stack and restores the flags.
        unsafe {
            core::arch::asm!(
                "syscall",
                inlateout("rax") $nr => ret,
                $(in($reg) $arg,)*
                lateout("rcx") _, lateout("r11") _,
                options(nostack, preserves_flags),
            );
        }
        ret
    }};
}

/// `syscall` with no arguments.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    syscall!(nr)
}

/// `syscall` with one argument: `rdi`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    syscall!(nr, "rdi" = a0)
}

/// `syscall` with two arguments: `rdi`, `rsi`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> usize {
    syscall!(nr, "rdi" = a0, "rsi" = a1)
}

/// `syscall` with three arguments: `rdi`, `rsi`, `rdx`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    syscall!(nr, "rdi" = a0, "rsi" = a1, "rdx" = a2)
}

/// `syscall` with four arguments: `rdi`, `rsi`, `rdx`, `r10`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    syscall!(nr, "rdi" = a0, "rsi" = a1, "rdx" = a2, "r10" = a3)
}

/// `syscall` with five arguments: `rdi`, `rsi`, `rdx`, `r10`, `r8`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    syscall!(
        nr,
        "rdi" = a0,
        "rsi" = a1,
        "rdx" = a2,
        "r10" = a3,
        "r8" = a4
    )
}

/// `syscall` with six arguments: `rdi`, `rsi`, `rdx`, `r10`, `r8`, `r9`.
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
        "rdi" = a0,
        "rsi" = a1,
        "rdx" = a2,
        "r10" = a3,
        "r8" = a4,
        "r9" = a5
    )
}

/// The process entry point for [`entry!`](crate::entry!) (feature `entry`): `_start`, where the
/// kernel starts a static program with the stack pointer at argc (then argv, envp, auxv) and
/// nothing else set up, no return address and nothing to return to. It clears rbp (the outermost
/// frame), passes rsp in rdi, aligns rsp to 16 bytes as the C ABI wants at a call, and calls
/// `__freepoll_start(sp)`, which never returns; the trap after the call is never reached.
#[cfg(feature = "entry")]
#[doc(hidden)]
#[macro_export]
macro_rules! __freepoll_start_asm {
    () => {
        core::arch::global_asm!(
            ".globl _start",
            ".type _start, %function",
            "_start:",
            "xor ebp, ebp",
            "mov rdi, rsp",
            "and rsp, -16",
            "call __freepoll_start",
            "ud2",
        );
    };
}
/// `clone3(args, size)` or `clone(flags, stack, parent_tid, child_tid, tls)` (`nr` and
/// `a0`..`a4` as for [`syscall5`]) where the child starts on a new stack: the parent gets the
/// raw return (the child's pid or `-errno`); the child runs `child(arg)` on its new stack and
/// never comes back here. Every architecture's file has this stub, with this signature.
///
/// In the child (`rax` = 0, every other register as the parent had it but `rsp`, which the
/// kernel set to the new stack's top): `rsp` is aligned down to 16 bytes so that it is
/// 16-byte aligned at the `call`, as the SysV ABI wants; `rbp` is cleared (the outermost
/// frame); `arg` goes to `rdi`; `call child`; `ud2` traps if it ever returns. `child` and
/// `arg` ride through the system call in `r12` and `r13`, which the kernel preserves (only
/// `rax`, `rcx` and `r11` change) in the parent and copies into the child.
///
/// `nostack`: the parent's path pushes nothing; the child's pushes onto the new stack only.
/// `test` changes the flags: no `preserves_flags`.
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
    // call (rax, rcx, r11 and the flags changed, all declared); the child's path runs on the
    // new stack only and never returns into this function.
    unsafe {
        core::arch::asm!(
            "syscall",
            "test rax, rax",
            "jnz 2f",
            "and rsp, -16",
            "xor ebp, ebp",
            "mov rdi, r13",
            "call r12",
            "ud2",
            "2:",
            inlateout("rax") nr => ret,
            in("rdi") a0, in("rsi") a1, in("rdx") a2, in("r10") a3, in("r8") a4,
            in("r12") child as usize, in("r13") arg as usize,
            lateout("rcx") _, lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

// ---- vDSO ---------------------------------------------------------------------------------

/// The vDSO's `clock_gettime`: its name and symbol version
/// (`arch/x86/entry/vdso/vdso.lds.S`).
///
/// It is a C function, `int f(clockid_t, struct __kernel_timespec *)`, returning 0 or
/// `-errno`: the shared `vdso_clock_gettime` (`arch/common.rs`) calls it.
pub(crate) const VDSO_CLOCK_GETTIME: Option<(&[u8], &[u8])> =
    Some((b"__vdso_clock_gettime", b"LINUX_2.6"));

/// `e_machine` of this architecture's ELF images, the vDSO's included: `EM_X86_64`.
pub(crate) const ELF_MACHINE: u16 = 62;
