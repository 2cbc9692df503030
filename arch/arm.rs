//! 32-bit ARM (EABI) Linux system calls, for ARM and Thumb code alike.
//!
//! ABI (see syscall(2), "Architecture calling conventions"):
//! - instruction: `svc 0`
//! - number: `r7`
//! - arguments: `r0` to `r5`
//! - return: `r0` (which also carries the first argument), a value in -4095..=-1 is `-errno`
//! - clobbered: nothing; the kernel restores every other register and the flags (`cpsr`'s
//!   condition bits), and touches no user stack, hence `options(nostack, preserves_flags)`.
//!
//! One file serves ARM and Thumb code (`armv7-*` and `thumbv7neon-*` targets), and stable Rust
//! has no `cfg` for the instruction set. In Thumb code `r7` is the frame pointer, which an asm
//! operand cannot name, so no stub names it: each moves the number into `r7` itself, after
//! saving `r7` in a scratch register, and restores it after `svc 0`. That works in both modes.
//! (`r6` cannot be an operand either, and `r11` is the frame pointer in ARM code; the stubs
//! need neither.)
//!
//! Time: `CLOCK_GETTIME`, `TIMERFD_SETTIME` and `TIMERFD_GETTIME` are the 64-bit `time_t`
//! calls (Linux 5.1), under the plain names; the rule is stated once, beside the timespec type
//! (`KernelTimespec` in `src/timeout.rs`).
//!
//! The stubs never claim `readonly` or `pure`: several calls write user memory, and the caller
//! of a raw stub is the only one who knows which.

// The numbers and values every architecture shares; the definitions below override them.
#[path = "common.rs"]
mod common;
pub(crate) use common::generic::*;

/// The system call numbers freepoll and its freestanding users need
/// (`arch/arm/tools/syscall.tbl`, EABI).
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
    /// getuid32 (getuid(2) with a 32-bit uid; 24 is the 16-bit one)
    pub const GETUID: usize = 199;
    /// gettid(2)
    pub const GETTID: usize = 224;
    /// exit_group(2)
    pub const EXIT_GROUP: usize = 248;
    /// epoll_ctl(2)
    pub const EPOLL_CTL: usize = 251;
    /// epoll_wait(2)
    pub const EPOLL_WAIT: usize = 252;
    /// tgkill(2)
    pub const TGKILL: usize = 268;
    /// waitid(2)
    pub const WAITID: usize = 280;
    /// socket(2)
    pub const SOCKET: usize = 281;
    /// bind(2)
    pub const BIND: usize = 282;
    /// connect(2)
    pub const CONNECT: usize = 283;
    /// listen(2)
    pub const LISTEN: usize = 284;
    /// getsockname(2)
    pub const GETSOCKNAME: usize = 286;
    /// getpeername(2)
    pub const GETPEERNAME: usize = 287;
    /// socketpair(2)
    pub const SOCKETPAIR: usize = 288;
    /// sendto(2) (send(2))
    pub const SENDTO: usize = 290;
    /// recvfrom(2) (recv(2))
    pub const RECVFROM: usize = 292;
    /// shutdown(2)
    pub const SHUTDOWN: usize = 293;
    /// setsockopt(2)
    pub const SETSOCKOPT: usize = 294;
    /// getsockopt(2)
    pub const GETSOCKOPT: usize = 295;
    /// sendmsg(2)
    pub const SENDMSG: usize = 296;
    /// recvmsg(2)
    pub const RECVMSG: usize = 297;
    /// inotify_add_watch(2)
    pub const INOTIFY_ADD_WATCH: usize = 317;
    /// inotify_rm_watch(2)
    pub const INOTIFY_RM_WATCH: usize = 318;
    /// openat(2) (open(2))
    pub const OPENAT: usize = 322;
    /// faccessat(2) (access(2))
    pub const FACCESSAT: usize = 334;
    /// epoll_pwait(2)
    pub const EPOLL_PWAIT: usize = 346;
    /// timerfd_create(2)
    pub const TIMERFD_CREATE: usize = 350;
    /// signalfd4(2) (signalfd(2))
    pub const SIGNALFD4: usize = 355;
    /// eventfd2(2)
    pub const EVENTFD2: usize = 356;
    /// epoll_create1(2)
    pub const EPOLL_CREATE1: usize = 357;
    /// dup3(2)
    pub const DUP3: usize = 358;
    /// pipe2(2)
    pub const PIPE2: usize = 359;
    /// inotify_init1(2) (inotify_init(2))
    pub const INOTIFY_INIT1: usize = 360;
    /// accept4(2) (accept(2))
    pub const ACCEPT4: usize = 366;
    /// execveat(2), Linux 3.19
    pub const EXECVEAT: usize = 387;
    /// statx(2), Linux 4.11
    pub const STATX: usize = 397;
    /// clock_gettime64 (clock_gettime(2) with a 64-bit `time_t`), Linux 5.1
    pub const CLOCK_GETTIME: usize = 403;
    /// timerfd_gettime64 (timerfd_gettime(2) with a 64-bit `time_t`), Linux 5.1
    pub const TIMERFD_GETTIME: usize = 410;
    /// timerfd_settime64 (timerfd_settime(2) with a 64-bit `time_t`), Linux 5.1
    pub const TIMERFD_SETTIME: usize = 411;
    /// mount(2)
    pub const MOUNT: usize = 21;
}

/// The wait without a signal mask, which the whole-millisecond `epoll_wait` makes: this
/// architecture's `epoll_wait`, four arguments and no mask for the kernel to look at, which is
/// cheaper in the kernel than `epoll_pwait` with a NULL mask.
pub(crate) const EPOLL_WAIT_NOMASK: usize = nr::EPOLL_WAIT;

/// `O_DIRECT` (`arch/arm/include/uapi/asm/fcntl.h`):
/// it differs between architectures, unlike `O_CLOEXEC` and `O_NONBLOCK`.
pub(crate) const O_DIRECT: u32 = 0o200_000;

/// `O_DIRECTORY` and `O_NOFOLLOW` (`arch/arm/include/uapi/asm/fcntl.h`): swapped with
/// `O_DIRECT` and `O_LARGEFILE` against the generic values.
pub(crate) const O_DIRECTORY: u32 = 0o40_000;
/// See [`O_DIRECTORY`].
pub(crate) const O_NOFOLLOW: u32 = 0o100_000;

/// `O_LARGEFILE` (`arch/arm/include/uapi/asm/fcntl.h`), which `open` must add on a 32-bit
/// architecture for files over 2 GiB, as C libraries do.
pub(crate) const O_LARGEFILE: u32 = 0o400_000;

/// The instructions, registers and options of every stub below, stated once: the number goes
/// in `r7`, which Thumb code keeps as its frame pointer and no operand may name, so the asm
/// saves r7 in `save` (an output, so a register of its own), loads the number, and restores r7
/// after the call; `r0` carries the first argument and the result; the stub names the other
/// argument registers.
macro_rules! syscall {
    ($nr:expr) => { syscall!(@ ret; $nr, lateout("r0") ret,) };
    ($nr:expr, $a0:expr $(, $reg:tt = $arg:expr)*) => {
        syscall!(@ ret; $nr, inlateout("r0") $a0 => ret, $(in($reg) $arg,)*)
    };
    (@ $ret:ident; $nr:expr, $($operands:tt)*) => {{
        let $ret;
        // SAFETY: the stub's caller upholds the contract of system call `$nr` for these
        // arguments (the stub contract, stated once in `crate::raw`). The kernel reads the
        // argument registers only, preserves every register but r0 (the result), declared, and
        // touches no user stack; r7 ends as it was.
        unsafe {
            core::arch::asm!(
                "mov {save}, r7",
                "mov r7, {nr}",
                "svc 0",
                "mov r7, {save}",
                nr = in(reg) $nr,
                save = out(reg) _,
                $($operands)*
                options(nostack, preserves_flags),
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

/// `svc 0` with one argument: `r0`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    syscall!(nr, a0)
}

/// `svc 0` with two arguments: `r0`, `r1`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> usize {
    syscall!(nr, a0, "r1" = a1)
}

/// `svc 0` with three arguments: `r0`, `r1`, `r2`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    syscall!(nr, a0, "r1" = a1, "r2" = a2)
}

/// `svc 0` with four arguments: `r0`, `r1`, `r2`, `r3`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    syscall!(nr, a0, "r1" = a1, "r2" = a2, "r3" = a3)
}

/// `svc 0` with five arguments: `r0`, `r1`, `r2`, `r3`, `r4`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    syscall!(nr, a0, "r1" = a1, "r2" = a2, "r3" = a3, "r4" = a4)
}

/// `svc 0` with six arguments: `r0`, `r1`, `r2`, `r3`, `r4`, `r5`.
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
        "r1" = a1,
        "r2" = a2,
        "r3" = a3,
        "r4" = a4,
        "r5" = a5
    )
}

/// The process entry point for [`entry!`](crate::entry!) (feature `entry`): `_start`, where the
/// kernel starts a static program with the stack pointer at argc (then argv, envp, auxv) and
/// nothing else set up, no return address and nothing to return to. It is ARM code (`.arm`)
/// in ARM and Thumb programs alike, so that its address is the entry address in both (a Thumb
/// entry would need the address's low bit set). It clears the frame pointers (r11 and r7)
/// and the link register (the outermost frame), passes sp in r0, aligns sp to 8 bytes as the
/// AAPCS wants at a call, and calls `__freepoll_start(sp)` (the linker makes the `bl` a `blx`
/// when that is Thumb code), which never returns; the trap after the call is never reached.
#[cfg(feature = "entry")]
#[doc(hidden)]
#[macro_export]
macro_rules! __freepoll_start_asm {
    () => {
        core::arch::global_asm!(
            ".pushsection .text._start, \"ax\", %progbits",
            ".arm",
            ".globl _start",
            ".type _start, %function",
            "_start:",
            "mov r11, #0",
            "mov r7, #0",
            "mov lr, #0",
            "mov r0, sp",
            "bic sp, sp, #7",
            "bl __freepoll_start",
            "udf #0",
            ".popsection",
        );
    };
}

/// `clone3(args, size)` or `clone(flags, stack, parent_tid, tls, child_tid)` (arm has the
/// kernel's `CLONE_BACKWARDS` order; `nr` and `a0`..`a4` as for [`syscall5`]) where the
/// child starts on a new stack: the parent gets the raw return (the child's pid or
/// `-errno`); the child runs `child(arg)` on its new stack and never comes back here. Every
/// architecture's file has this stub, with this signature.
///
/// In the child (`r0` = 0, every other register as the parent had it but `sp`, which the
/// kernel set to the new stack's top): `sp` is aligned down to 16 bytes through `r1` (Thumb
/// code cannot `bic` into `sp`), the frame pointers of both instruction sets (`r11` for ARM
/// code, `r7` for Thumb) and `lr` are cleared (the outermost frame), `arg` goes to `r0`, and
/// `blx child` calls it in whichever instruction set its address says (bit 0: Thumb);
/// `udf` traps if it ever returns. `child` and `arg` ride through the system call in `r8`
/// and `r10`, named, since a register the compiler picked could be `r7` in ARM code, which
/// the stub overwrites with the number.
///
/// `nostack`: the parent's path touches no stack; the child's uses the new one only. `cmp`
/// changes the flags.
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
    // call, with r7 saved in `save` (an output, so a register of its own) and restored after
    // it; r0 (the result) and the flags change, both declared. The child's path runs on the
    // new stack only and never returns into this function.
    unsafe {
        core::arch::asm!(
            "mov {save}, r7",
            "mov r7, {nr}",
            "svc 0",
            "mov r7, {save}",
            "cmp r0, #0",
            "bne 2f",
            "mov r1, sp",
            "bic r1, r1, #15",
            "mov sp, r1",
            "mov r0, #0",
            "mov r11, r0",
            "mov r7, r0",
            "mov lr, r0",
            "mov r0, r10",
            "blx r8",
            "udf #0",
            "2:",
            nr = in(reg) nr,
            save = out(reg) _,
            inlateout("r0") a0 => ret,
            in("r1") a1, in("r2") a2, in("r3") a3, in("r4") a4,
            in("r8") child as usize, in("r10") arg as usize,
            options(nostack),
        );
    }
    ret
}

// ---- vDSO ---------------------------------------------------------------------------------

/// The vDSO's `clock_gettime`: its name and symbol version
/// (`arch/arm/vdso/vdso.lds.S`).
///
/// It is a C function, `int f(clockid_t, struct __kernel_timespec *)`, returning 0 or
/// `-errno`: the shared `vdso_clock_gettime` (`arch/common.rs`) calls it.
/// Linux 5.5 added it, the 64-bit `time_t` entry; older kernels' vDSOs have only
/// `__vdso_clock_gettime`, whose 32-bit `timespec` is not used: on them the lookup finds
/// nothing and the clock is read with the system call. The address may have its low bit
/// set (Thumb code); the call, a `blx`, switches modes on it.
pub(crate) const VDSO_CLOCK_GETTIME: Option<(&[u8], &[u8])> =
    Some((b"__vdso_clock_gettime64", b"LINUX_2.6"));

/// `e_machine` of this architecture's ELF images, the vDSO's included: `EM_ARM`.
pub(crate) const ELF_MACHINE: u16 = 40;
