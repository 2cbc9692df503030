//! powerpc64le Linux system calls (64-bit, little-endian, ELFv2).
//!
//! ABI (see syscall(2), "Architecture calling conventions"):
//! - instruction: `sc`
//! - number: `r0`
//! - arguments: `r3` to `r8`
//! - return: `r3`. On error the kernel sets the summary-overflow bit of `cr0` (cr0.SO) and
//!   leaves the **positive** errno in `r3`. Each stub turns that into `-errno` (`bns+` skips
//!   the `neg` on success), so that `decode_raw` reads the same -4095..=-1 convention as on
//!   every other architecture and stays the one decoder.
//! - clobbered: `r0`, `r4` to `r12`, `cr0`, `ctr` and `xer`, all declared. `preserves_flags`
//!   is not claimed: the condition register is not preserved. The kernel touches no user
//!   stack: `nostack`.
//!
//! Errors: powerpc numbers `EDEADLOCK` 58, apart from `EDEADLK` (35), which the generic table
//! makes its alias. ioctl numbers: powerpc encodes the direction in bits 29 to 31, with read
//! and write swapped (`_IOC_READ` 2, `_IOC_WRITE` 4), and 13 bits of size below them.
//!
//! The stubs never claim `readonly` or `pure`: several calls write user memory, and the caller
//! of a raw stub is the only one who knows which.

// The numbers and values every architecture shares; the definitions below override them.
#[path = "common.rs"]
mod common;
pub(crate) use common::generic::*;

/// The system call numbers freepoll and its freestanding users need
/// (`arch/powerpc/kernel/syscalls/syscall.tbl`, the 64-bit entries).
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
    /// getuid(2)
    pub const GETUID: usize = 24;
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
    pub const PRCTL: usize = 171;
    /// rt_sigaction(2) (sigaction(2))
    pub const RT_SIGACTION: usize = 173;
    /// rt_sigprocmask(2) (sigprocmask(2))
    pub const RT_SIGPROCMASK: usize = 174;
    /// gettid(2)
    pub const GETTID: usize = 207;
    /// exit_group(2)
    pub const EXIT_GROUP: usize = 234;
    /// epoll_ctl(2)
    pub const EPOLL_CTL: usize = 237;
    /// epoll_wait(2)
    pub const EPOLL_WAIT: usize = 238;
    /// clock_gettime(2)
    pub const CLOCK_GETTIME: usize = 246;
    /// tgkill(2)
    pub const TGKILL: usize = 250;
    /// waitid(2)
    pub const WAITID: usize = 272;
    /// inotify_add_watch(2)
    pub const INOTIFY_ADD_WATCH: usize = 276;
    /// inotify_rm_watch(2)
    pub const INOTIFY_RM_WATCH: usize = 277;
    /// openat(2) (open(2))
    pub const OPENAT: usize = 286;
    /// faccessat(2) (access(2))
    pub const FACCESSAT: usize = 298;
    /// epoll_pwait(2)
    pub const EPOLL_PWAIT: usize = 303;
    /// timerfd_create(2)
    pub const TIMERFD_CREATE: usize = 306;
    /// timerfd_settime(2)
    pub const TIMERFD_SETTIME: usize = 311;
    /// timerfd_gettime(2)
    pub const TIMERFD_GETTIME: usize = 312;
    /// signalfd4(2) (signalfd(2))
    pub const SIGNALFD4: usize = 313;
    /// eventfd2(2)
    pub const EVENTFD2: usize = 314;
    /// epoll_create1(2)
    pub const EPOLL_CREATE1: usize = 315;
    /// dup3(2)
    pub const DUP3: usize = 316;
    /// pipe2(2)
    pub const PIPE2: usize = 317;
    /// inotify_init1(2) (inotify_init(2))
    pub const INOTIFY_INIT1: usize = 318;
    /// socket(2)
    pub const SOCKET: usize = 326;
    /// bind(2)
    pub const BIND: usize = 327;
    /// connect(2)
    pub const CONNECT: usize = 328;
    /// listen(2)
    pub const LISTEN: usize = 329;
    /// getsockname(2)
    pub const GETSOCKNAME: usize = 331;
    /// getpeername(2)
    pub const GETPEERNAME: usize = 332;
    /// socketpair(2)
    pub const SOCKETPAIR: usize = 333;
    /// sendto(2) (send(2))
    pub const SENDTO: usize = 335;
    /// recvfrom(2) (recv(2))
    pub const RECVFROM: usize = 337;
    /// shutdown(2)
    pub const SHUTDOWN: usize = 338;
    /// setsockopt(2)
    pub const SETSOCKOPT: usize = 339;
    /// getsockopt(2)
    pub const GETSOCKOPT: usize = 340;
    /// sendmsg(2)
    pub const SENDMSG: usize = 341;
    /// recvmsg(2)
    pub const RECVMSG: usize = 342;
    /// accept4(2) (accept(2))
    pub const ACCEPT4: usize = 344;
    /// execveat(2), Linux 3.19
    pub const EXECVEAT: usize = 362;
    /// statx(2), Linux 4.11
    pub const STATX: usize = 383;
    /// mount(2)
    pub const MOUNT: usize = 21;
}

/// The wait without a signal mask, which the whole-millisecond `epoll_wait` makes: this
/// architecture's `epoll_wait`, four arguments and no mask for the kernel to look at, which is
/// cheaper in the kernel than `epoll_pwait` with a NULL mask.
pub(crate) const EPOLL_WAIT_NOMASK: usize = nr::EPOLL_WAIT;

/// The direction bits of powerpc's ioctl encoding (`arch/powerpc/include/uapi/asm/ioctl.h`),
/// already shifted to bits 29 to 31: `_IOC_WRITE` (4), `_IOC_READ` (2).
pub(crate) const IOC_WRITE: u32 = 4 << 29;
pub(crate) const IOC_READ: u32 = 2 << 29;

/// `EPIOCSPARAMS` and `EPIOCGPARAMS` as the kernel's headers expand them here, with powerpc's
/// direction bits.
pub(crate) const EPIOCSPARAMS_HEADER: u32 = 0x8008_8A01;
/// See [`EPIOCSPARAMS_HEADER`].
pub(crate) const EPIOCGPARAMS_HEADER: u32 = 0x4008_8A02;

/// `O_DIRECT` (`arch/powerpc/include/uapi/asm/fcntl.h`):
/// it differs between architectures, unlike `O_CLOEXEC` and `O_NONBLOCK`.
pub(crate) const O_DIRECT: u32 = 0o400_000;

/// `O_DIRECTORY` and `O_NOFOLLOW` (`arch/powerpc/include/uapi/asm/fcntl.h`): swapped with
/// `O_DIRECT` and `O_LARGEFILE` against the generic values.
pub(crate) const O_DIRECTORY: u32 = 0o40_000;
/// See [`O_DIRECTORY`].
pub(crate) const O_NOFOLLOW: u32 = 0o100_000;

/// Terminal and file ioctls that powerpc encodes with its own direction bits
/// (`arch/powerpc/include/uapi/asm/ioctls.h`); the others are the generic ones.
pub(crate) const TIOCGPGRP: u32 = 0x4004_7477;
/// See [`TIOCGPGRP`].
pub(crate) const TIOCSPGRP: u32 = 0x8004_7476;
/// See [`TIOCGPGRP`].
pub(crate) const FIONREAD: u32 = 0x4004_667F;
/// See [`TIOCGPGRP`].
pub(crate) const FIONBIO: u32 = 0x8004_667E;

/// Socket options powerpc numbers apart (`arch/powerpc/include/uapi/asm/socket.h`): the
/// generic 16 to 19 in another order.
pub(crate) const SO_RCVLOWAT: u32 = 16;
/// See [`SO_RCVLOWAT`].
pub(crate) const SO_SNDLOWAT: u32 = 17;
/// See [`SO_RCVLOWAT`].
pub(crate) const SO_PASSCRED: u32 = 20;
/// See [`SO_RCVLOWAT`].
pub(crate) const SO_PEERCRED: u32 = 21;

/// `EDEADLOCK` (`arch/powerpc/include/uapi/asm/errno.h`): 58, a number of its own on
/// powerpc, where every other architecture makes it an alias of `EDEADLK` (35).
pub(crate) const EDEADLOCK: u16 = 58;

/// The instructions, registers, clobbers and options of every stub below, stated once: the
/// number goes in `r0`; `r3` carries the first argument and the result; an error (cr0.SO set,
/// the positive errno in `r3`) is turned into `-errno` (`bns+` skips the `neg` on success).
/// The argument registers r4 to r8 are volatile across `sc`: the stub passes its arguments as
/// `inlateout`s with the output discarded, and names the rest of r4 to r8 as clobbered.
macro_rules! syscall {
    ($nr:expr $(; $($clobber:tt),*)?) => {
        syscall!(@ ret; $nr, lateout("r3") ret, $($(lateout($clobber) _,)*)?)
    };
    ($nr:expr, $a0:expr $(, $reg:tt = $arg:expr)* $(; $($clobber:tt),*)?) => {
        syscall!(@ ret; $nr,
            inlateout("r3") $a0 => ret,
            $(inlateout($reg) $arg => _,)*
            $($(lateout($clobber) _,)*)?
        )
    };
    (@ $ret:ident; $nr:expr, $($operands:tt)*) => {{
        let $ret;
        // SAFETY: the stub's caller upholds the contract of system call `$nr` for these
        // arguments (the stub contract, stated once in `crate::raw`). The kernel may change
        // r0 and r4 to r12, cr0, ctr and xer, all declared, and touches no user stack; the
        // result is in r3.
        unsafe {
            core::arch::asm!(
                "sc",
                "bns+ 1f",
                "neg 3, 3",
                "1:",
                inlateout("r0") $nr => _,
                $($operands)*
                lateout("r9") _, lateout("r10") _, lateout("r11") _, lateout("r12") _,
                out("cr0") _, out("ctr") _, out("xer") _,
                options(nostack),
            );
        }
        $ret
    }};
}

/// `sc` with no arguments.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    syscall!(nr; "r4", "r5", "r6", "r7", "r8")
}

/// `sc` with one argument: `r3`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    syscall!(nr, a0; "r4", "r5", "r6", "r7", "r8")
}

/// `sc` with two arguments: `r3`, `r4`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> usize {
    syscall!(nr, a0, "r4" = a1; "r5", "r6", "r7", "r8")
}

/// `sc` with three arguments: `r3`, `r4`, `r5`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    syscall!(nr, a0, "r4" = a1, "r5" = a2; "r6", "r7", "r8")
}

/// `sc` with four arguments: `r3`, `r4`, `r5`, `r6`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    syscall!(nr, a0, "r4" = a1, "r5" = a2, "r6" = a3; "r7", "r8")
}

/// `sc` with five arguments: `r3`, `r4`, `r5`, `r6`, `r7`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    syscall!(nr, a0, "r4" = a1, "r5" = a2, "r6" = a3, "r7" = a4; "r8")
}

/// `sc` with six arguments: `r3`, `r4`, `r5`, `r6`, `r7`, `r8`.
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
        "r4" = a1,
        "r5" = a2,
        "r6" = a3,
        "r7" = a4,
        "r8" = a5
    )
}

/// The process entry point for [`entry!`](crate::entry!) (feature `entry`): `_start`, where the
/// kernel starts a static program with the stack pointer (`r1`) at argc (then argv, envp,
/// auxv) and nothing else set up, no return address and nothing to return to. It finds its
/// own address (`bcl` and `mflr`) to set up the TOC pointer `r2` that ELFv2 code addresses its
/// data through, passes the stack pointer in r3, aligns r1 to 16 bytes and stores a minimal
/// 32-byte frame with a zero back chain (the outermost frame), and calls
/// `__freepoll_start(sp)`, which never returns; the trap after the call is never reached.
#[cfg(feature = "entry")]
#[doc(hidden)]
#[macro_export]
macro_rules! __freepoll_start_asm {
    () => {
        core::arch::global_asm!(
            ".globl _start",
            ".type _start, @function",
            "_start:",
            "bcl 20, 31, 1f",
            "1:",
            "mflr 12",
            "addis 2, 12, .TOC.-1b@ha",
            "addi 2, 2, .TOC.-1b@l",
            "mr 3, 1",
            "clrrdi 1, 1, 4",
            "li 0, 0",
            "stdu 0, -32(1)",
            "mtlr 0",
            "bl __freepoll_start",
            "nop",
            "trap",
        );
    };
}

/// `clone3(args, size)` or `clone(flags, stack, parent_tid, tls, child_tid)` (powerpc has the
/// kernel's `CLONE_BACKWARDS` order; `nr` and `a0`..`a4` as for [`syscall5`]) where the
/// child starts on a new stack: the parent gets the raw return (the child's pid or
/// `-errno`, converted from cr0.SO as in every stub here); the child runs `child(arg)` on its
/// new stack and never comes back here. Every architecture's file has this stub, with this
/// signature.
///
/// In the child (`r3` = 0, cr0.SO clear, the registers the kernel preserves as the parent had
/// them, `r1` set to the new stack's top): `r1` is aligned down to 16 bytes (the ELFv2
/// quadword alignment), and a minimal 32-byte frame is pushed with a zero back chain (the
/// outermost frame; the callee saves the link register into it, at 16). `child` goes to `ctr`
/// and to `r12` too, which ELFv2 requires at a function's global entry point (it computes
/// its TOC pointer from it), `arg` to `r3`, `bctrl`, and `trap` if it ever returns. `child`
/// and `arg` ride through the system call in `r14` and `r15`, nonvolatile registers the
/// kernel preserves; the TOC pointer `r2` is the parent's, the same program's.
///
/// `nostack`: the parent's path touches no stack; the child's uses the new one only.
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
    // call (r0, r3 to r12, cr0, ctr and xer may change, all declared; the `cmpdi` sets cr0);
    // the child's path runs on the new stack only and never returns into this function.
    unsafe {
        core::arch::asm!(
            "sc",
            "bns+ 1f",
            "neg 3, 3",
            "1:",
            "cmpdi 3, 0",
            "bne 2f",
            "clrrdi 1, 1, 4",
            "li 0, 0",
            "stdu 0, -32(1)",
            "mtctr 14",
            "mr 12, 14",
            "mr 3, 15",
            "bctrl",
            "trap",
            "2:",
            inlateout("r0") nr => _,
            inlateout("r3") a0 => ret,
            inlateout("r4") a1 => _, inlateout("r5") a2 => _, inlateout("r6") a3 => _,
            inlateout("r7") a4 => _, lateout("r8") _,
            lateout("r9") _, lateout("r10") _, lateout("r11") _, lateout("r12") _,
            in("r14") child as usize, in("r15") arg as usize,
            out("cr0") _, out("ctr") _, out("xer") _,
            options(nostack),
        );
    }
    ret
}

// ---- vDSO ---------------------------------------------------------------------------------

/// The vDSO's `clock_gettime`: its name and symbol version
/// (`arch/powerpc/kernel/vdso/vdso64.lds.S`).
///
/// It is not called as a C function: it reports an error as `sc` does (cr0.SO set, the
/// positive errno in `r3`), and saves the link register and `r2` in its caller's frame
/// header: [`vdso_clock_gettime`] below.
pub(crate) const VDSO_CLOCK_GETTIME: Option<(&[u8], &[u8])> =
    Some((b"__kernel_clock_gettime", b"LINUX_2.6.15"));

/// `e_machine` of this architecture's ELF images, the vDSO's included: `EM_PPC64`.
pub(crate) const ELF_MACHINE: u16 = 21;

/// Calls the vDSO's `clock_gettime` at `f`: 0, or `-errno` as a system call stub returns it.
///
/// The vDSO's functions return as `sc` does: on error cr0.SO set and the positive errno in
/// `r3` (for a clock it does not read itself, it makes the system call and returns that
/// answer), which `bns+` / `neg` turn into `-errno` as in the system call stubs. The call
/// goes through `ctr` with the address also in `r12`, as the ELFv2 ABI has it for an indirect
/// call. The callee saves the link register and `r2` in its caller's frame header (at 16 and
/// 24 bytes above the stack pointer): the asm makes a 32-byte frame of its own for that
/// (hence no `nostack`), so that nothing of the compiler's is overwritten. Clobbered: what
/// the C ABI lets a callee change (`clobber_abi("C")`: `r0`, `r3` to `r12`, the volatile
/// floating-point and vector registers, `cr0`, `cr1`, `cr5` to `cr7`, `ctr`, `lr`, `xer`).
///
/// # Safety
/// `f` is the address of the vDSO's `__kernel_clock_gettime`, and `ts` is valid for writes of
/// a 16-byte `__kernel_timespec`.
#[inline]
pub(crate) unsafe fn vdso_clock_gettime(f: usize, clock: usize, ts: usize) -> usize {
    let ret;
    // SAFETY: the caller's contract: `f` is the vDSO function, which reads the clock and
    // writes the 16 bytes at `ts`, touching no other memory of the program but the frame the
    // asm makes for it below the stack pointer; every register it may change is declared.
    unsafe {
        core::arch::asm!(
            "mtctr 12",
            "stdu 1, -32(1)",
            "bctrl",
            "addi 1, 1, 32",
            "bns+ 1f",
            "neg 3, 3",
            "1:",
            inlateout("r3") clock => ret,
            in("r4") ts,
            in("r12") f,
            clobber_abi("C"),
        );
    }
    ret
}
