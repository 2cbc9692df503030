//! aarch64 Linux system calls.
//!
//! ABI (see syscall(2), "Architecture calling conventions"):
//! - instruction: `svc 0`
//! - number: `x8`
//! - arguments: `x0` to `x5`
//! - return: `x0` (which also carries the first argument), a value in -4095..=-1 is `-errno`
//! - clobbered: nothing among the general-purpose and FP/SIMD registers; the kernel restores
//!   them and the flags (NZCV), and touches no user stack, hence `options(nostack,
//!   preserves_flags)`. With SVE, the kernel discards the SVE-only state on every system call
//!   (`Documentation/arch/arm64/sve.rst`): the predicate registers `p0`-`p15` and `ffr` are
//!   declared clobbered here. The bits of `z0`-`z31` above the 128 that alias `v0`-`v31` are
//!   discarded as well; inline asm cannot name them apart from the whole register, so they are
//!   not declared. freepoll holds no value there; a program compiled with `+sve` that keeps one
//!   live across a system call must not use these stubs.
//!
//! The stubs never claim `readonly` or `pure`: several calls write user memory, and the caller
//! of a raw stub is the only one who knows which.

// The numbers and values every architecture shares; the definitions below override them.
#[path = "common.rs"]
mod common;
pub(crate) use common::generic::*;

// The numbers: the generic table, which this architecture uses unchanged.
#[path = "generic.rs"]
mod generic;
pub use generic::nr;
pub(crate) use generic::EPOLL_WAIT_NOMASK;

/// `O_DIRECT` (`arch/arm64/include/uapi/asm/fcntl.h`):
/// it differs between architectures, unlike `O_CLOEXEC` and `O_NONBLOCK`.
pub(crate) const O_DIRECT: u32 = 0o200_000;

/// `O_DIRECTORY` and `O_NOFOLLOW` (`arch/arm64/include/uapi/asm/fcntl.h`): swapped with
/// `O_DIRECT` and `O_LARGEFILE` against the generic values.
pub(crate) const O_DIRECTORY: u32 = 0o40_000;
/// See [`O_DIRECTORY`].
pub(crate) const O_NOFOLLOW: u32 = 0o100_000;

/// The instruction, registers, clobbers and options of every stub below, stated once: the
/// number goes in `x8`; `x0` carries the first argument and the result; the stub names the
/// other argument registers.
macro_rules! syscall {
    ($nr:expr) => { syscall!(@ ret; $nr, [lateout("x0") ret,] []) };
    ($nr:expr, $a0:expr $(, $reg:tt = $arg:expr)*) => {
        syscall!(@ ret; $nr, [inlateout("x0") $a0 => ret,] [$(in($reg) $arg,)*])
    };
    (@ $ret:ident; $nr:expr, [$($first:tt)*] [$($rest:tt)*]) => {{
        let $ret;
        // SAFETY: the stub's caller upholds the contract of system call `$nr` for these
        // arguments (the stub contract, stated once in `crate::raw`). The kernel reads the
        // argument registers only, and preserves every register but x0 (the result) and the
        // SVE predicate state (p0-p15, ffr), all declared; it touches no user stack and
        // restores the flags.
        unsafe {
            core::arch::asm!(
                "svc 0",
                $($first)*
                in("x8") $nr,
                $($rest)*
                out("p0") _, out("p1") _, out("p2") _, out("p3") _, out("p4") _, out("p5") _,
                out("p6") _, out("p7") _, out("p8") _, out("p9") _, out("p10") _, out("p11") _,
                out("p12") _, out("p13") _, out("p14") _, out("p15") _, out("ffr") _,
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

/// `svc 0` with one argument: `x0`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    syscall!(nr, a0)
}

/// `svc 0` with two arguments: `x0`, `x1`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> usize {
    syscall!(nr, a0, "x1" = a1)
}

/// `svc 0` with three arguments: `x0`, `x1`, `x2`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    syscall!(nr, a0, "x1" = a1, "x2" = a2)
}

/// `svc 0` with four arguments: `x0`, `x1`, `x2`, `x3`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    syscall!(nr, a0, "x1" = a1, "x2" = a2, "x3" = a3)
}

/// `svc 0` with five arguments: `x0`, `x1`, `x2`, `x3`, `x4`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    syscall!(nr, a0, "x1" = a1, "x2" = a2, "x3" = a3, "x4" = a4)
}

/// `svc 0` with six arguments: `x0`, `x1`, `x2`, `x3`, `x4`, `x5`.
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
        "x1" = a1,
        "x2" = a2,
        "x3" = a3,
        "x4" = a4,
        "x5" = a5
    )
}

/// The process entry point for [`entry!`](crate::entry!) (feature `entry`): `_start`, where the
/// kernel starts a static program with the stack pointer at argc (then argv, envp, auxv) and
/// nothing else set up, no return address and nothing to return to. It clears the frame pointer x29
/// and the link register x30 (the outermost frame), passes sp in x0 (the kernel leaves it 16-byte
/// aligned), and calls `__freepoll_start(sp)`, which never returns; the trap after the call is
/// never reached.
#[cfg(feature = "entry")]
#[doc(hidden)]
#[macro_export]
macro_rules! __freepoll_start_asm {
    () => {
        core::arch::global_asm!(
            ".globl _start",
            ".type _start, %function",
            "_start:",
            "mov x29, xzr",
            "mov x30, xzr",
            "mov x0, sp",
            "bl __freepoll_start",
            "udf #0",
        );
    };
}

/// `clone3(args, size)` or `clone(flags, stack, parent_tid, child_tid, tls)` (`nr` and
/// `a0`..`a4` as for [`syscall5`]) where the child starts on a new stack: the parent gets the
/// raw return (the child's pid or `-errno`); the child runs `child(arg)` on its new stack and
/// never comes back here. Every architecture's file has this stub, with this signature.
///
/// In the child (`x0` = 0, every other register as the parent had it but `sp`, which the
/// kernel set to the new stack's top): `sp` is aligned down to 16 bytes (AAPCS64 requires it
/// at all times), the frame pointer `x29` and the link register `x30` are cleared (the
/// outermost frame), `arg` goes to `x0`, `blr child`, and `udf` traps if it ever returns.
/// `child` and `arg` ride through the system call in `x9` and `x10`, which the kernel
/// preserves; `x1` is the child's scratch register.
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
    // call (x0 and the SVE predicate state change, all declared); the child's path runs on
    // the new stack only and never returns into this function.
    unsafe {
        core::arch::asm!(
            "svc 0",
            "cbnz x0, 2f",
            "mov x1, sp",
            "and x1, x1, #-16",
            "mov sp, x1",
            "mov x29, xzr",
            "mov x30, xzr",
            "mov x0, x10",
            "blr x9",
            "udf #0",
            "2:",
            inlateout("x0") a0 => ret,
            in("x8") nr,
            in("x1") a1, in("x2") a2, in("x3") a3, in("x4") a4,
            in("x9") child as usize, in("x10") arg as usize,
            out("p0") _, out("p1") _, out("p2") _, out("p3") _, out("p4") _, out("p5") _,
            out("p6") _, out("p7") _, out("p8") _, out("p9") _, out("p10") _, out("p11") _,
            out("p12") _, out("p13") _, out("p14") _, out("p15") _, out("ffr") _,
            options(nostack),
        );
    }
    ret
}

// ---- vDSO ---------------------------------------------------------------------------------

/// The vDSO's `clock_gettime`: its name and symbol version
/// (`arch/arm64/kernel/vdso/vdso.lds.S`).
///
/// It is a C function, `int f(clockid_t, struct __kernel_timespec *)`, returning 0 or
/// `-errno`: the shared `vdso_clock_gettime` (`arch/common.rs`) calls it.
pub(crate) const VDSO_CLOCK_GETTIME: Option<(&[u8], &[u8])> =
    Some((b"__kernel_clock_gettime", b"LINUX_2.6.39"));

/// `e_machine` of this architecture's ELF images, the vDSO's included: `EM_AARCH64`.
pub(crate) const ELF_MACHINE: u16 = 183;
