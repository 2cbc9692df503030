//! riscv64 Linux system calls.
//!
//! ABI (see syscall(2), "Architecture calling conventions"):
//! - instruction: `ecall`
//! - number: `a7`
//! - arguments: `a0` to `a5`
//! - return: `a0` (which also carries the first argument), a value in -4095..=-1 is `-errno`
//! - clobbered: the vector registers `v0`-`v31`. The kernel restores every general-purpose and
//!   floating-point register, but leaves the vector state unspecified after a system call
//!   (`Documentation/arch/riscv/vector.rst`), so every vector register is declared clobbered.
//!   RISC-V has no flags register; `preserves_flags` is not claimed, since the vector CSRs
//!   (`vtype`, `vl`) are not guaranteed either. The kernel touches no user stack: `nostack`.
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

/// The instruction, registers, clobbers and options of every stub below, stated once: the
/// number goes in `a7`; `a0` carries the first argument and the result; the stub names the
/// other argument registers.
macro_rules! syscall {
    ($nr:expr) => { syscall!(@ ret; $nr, [lateout("a0") ret,] []) };
    ($nr:expr, $a0:expr $(, $reg:tt = $arg:expr)*) => {
        syscall!(@ ret; $nr, [inlateout("a0") $a0 => ret,] [$(in($reg) $arg,)*])
    };
    (@ $ret:ident; $nr:expr, [$($first:tt)*] [$($rest:tt)*]) => {{
        let $ret;
        // SAFETY: the stub's caller upholds the contract of system call `$nr` for these
        // arguments (the stub contract, stated once in `crate::raw`). The kernel reads the
        // argument registers only, and preserves every register but a0 (the result) and the
        // vector state (v0-v31), all declared; it touches no user stack.
        unsafe {
            core::arch::asm!(
                "ecall",
                $($first)*
                in("a7") $nr,
                $($rest)*
                out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v4") _, out("v5") _,
                out("v6") _, out("v7") _, out("v8") _, out("v9") _, out("v10") _, out("v11") _,
                out("v12") _, out("v13") _, out("v14") _, out("v15") _, out("v16") _,
                out("v17") _, out("v18") _, out("v19") _, out("v20") _, out("v21") _,
                out("v22") _, out("v23") _, out("v24") _, out("v25") _, out("v26") _,
                out("v27") _, out("v28") _, out("v29") _, out("v30") _, out("v31") _,
                options(nostack),
            );
        }
        $ret
    }};
}

/// `ecall` with no arguments.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall0(nr: usize) -> usize {
    syscall!(nr)
}

/// `ecall` with one argument: `a0`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall1(nr: usize, a0: usize) -> usize {
    syscall!(nr, a0)
}

/// `ecall` with two arguments: `a0`, `a1`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall2(nr: usize, a0: usize, a1: usize) -> usize {
    syscall!(nr, a0, "a1" = a1)
}

/// `ecall` with three arguments: `a0`, `a1`, `a2`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> usize {
    syscall!(nr, a0, "a1" = a1, "a2" = a2)
}

/// `ecall` with four arguments: `a0`, `a1`, `a2`, `a3`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall4(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize) -> usize {
    syscall!(nr, a0, "a1" = a1, "a2" = a2, "a3" = a3)
}

/// `ecall` with five arguments: `a0`, `a1`, `a2`, `a3`, `a4`.
///
/// # Safety
/// The stub contract ([`raw`](crate::raw)): the contract of system call `nr` for these
/// arguments.
#[doc(alias = "syscall")]
#[inline(always)]
pub unsafe fn syscall5(nr: usize, a0: usize, a1: usize, a2: usize, a3: usize, a4: usize) -> usize {
    syscall!(nr, a0, "a1" = a1, "a2" = a2, "a3" = a3, "a4" = a4)
}

/// `ecall` with six arguments: `a0`, `a1`, `a2`, `a3`, `a4`, `a5`.
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
        "a1" = a1,
        "a2" = a2,
        "a3" = a3,
        "a4" = a4,
        "a5" = a5
    )
}

/// The process entry point for [`entry!`](crate::entry!) (feature `entry`): `_start`, where the
/// kernel starts a static program with the stack pointer at argc (then argv, envp, auxv) and
/// nothing else set up, no return address and nothing to return to. It loads the global
/// pointer `gp` (below), clears the frame pointer s0 and ra (the outermost frame), passes sp in
/// a0, aligns sp to 16 bytes, and calls `__freepoll_start(sp)`, which never returns; the trap
/// after the call is never reached.
///
/// `gp`: a linker that relaxes (GNU ld by default, on objects from gcc, which marks them
/// relaxable) rewrites accesses to globals within 2 KiB of `__global_pointer$` into
/// `gp`-relative ones, and the ABI leaves setting `gp` to the start-up code. Without this load
/// such an access from safe code would read through whatever `gp` held (0 at entry). The load
/// itself must not be relaxed (it would become `mv gp, gp`), hence `.option norelax`.
#[cfg(feature = "entry")]
#[doc(hidden)]
#[macro_export]
macro_rules! __freepoll_start_asm {
    () => {
        core::arch::global_asm!(
            ".globl _start",
            ".type _start, %function",
            "_start:",
            ".option push",
            ".option norelax",
            "lla gp, __global_pointer$",
            ".option pop",
            "li s0, 0",
            "li ra, 0",
            "mv a0, sp",
            "andi sp, sp, -16",
            "call __freepoll_start",
            "unimp",
        );
    };
}

/// riscv64's `struct sigaction` for `rt_sigaction`: `sa_handler`, `sa_flags`, `sa_mask`, no
/// `sa_restorer`: the architecture does not define `SA_RESTORER` (signal returns go through
/// the vDSO); the generic one in `common.rs` has it.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct KernelSigaction {
    /// `sa_handler`: `SIG_DFL` (0), `SIG_IGN` (1), or the address of a handler.
    handler: usize,
    /// `sa_flags`.
    flags: usize,
    /// `sa_mask`: the kernel's 8-byte `sigset_t`.
    mask: [usize; SIGSET_WORDS],
}

static_assertions::const_assert!(core::mem::size_of::<KernelSigaction>() == 24);

impl KernelSigaction {
    /// A `struct sigaction` with `sa_handler` = `handler`, no flags and an empty mask.
    #[inline]
    pub(crate) const fn new(handler: usize) -> KernelSigaction {
        KernelSigaction {
            handler,
            flags: 0,
            mask: [0; SIGSET_WORDS],
        }
    }

    /// `sa_handler`.
    #[inline]
    pub(crate) const fn handler(&self) -> usize {
        self.handler
    }

    /// `sa_flags` (the unit test that checks the layout against the C library's reads it).
    #[cfg_attr(not(test), allow(dead_code))]
    #[inline]
    pub(crate) const fn flags(&self) -> usize {
        self.flags
    }

    /// `sa_mask` as a 64-bit set, bit `n - 1` for signal `n` (likewise for the test).
    #[cfg_attr(not(test), allow(dead_code))]
    #[inline]
    pub(crate) fn mask(&self) -> u64 {
        let bits = usize::BITS;
        self.mask.iter().zip(0..).fold(0, |set, (&word, i)| {
            set | (word as u64) << bits.wrapping_mul(i)
        })
    }
}

/// `clone3(args, size)` or `clone(flags, stack, parent_tid, child_tid, tls)` (`nr` and
/// `a0`..`a4` as for [`syscall5`]) where the child starts on a new stack: the parent gets the
/// raw return (the child's pid or `-errno`); the child runs `child(arg)` on its new stack and
/// never comes back here. Every architecture's file has this stub, with this signature.
///
/// In the child (`a0` = 0, every other register as the parent had it but `sp`, which the
/// kernel set to the new stack's top): `sp` is aligned down to 16 bytes (the psABI's stack
/// alignment), the frame pointer `s0` and `ra` are cleared (the outermost frame), `arg` goes
/// to `a0`, `jalr child`, and `unimp` traps if it ever returns. `child` and `arg` ride
/// through the system call in `t0` and `t1`, which the kernel preserves.
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
    // call (a0 and the vector state change, all declared); the child's path runs on the new
    // stack only and never returns into this function.
    unsafe {
        core::arch::asm!(
            "ecall",
            "bnez a0, 2f",
            "andi sp, sp, -16",
            "li s0, 0",
            "li ra, 0",
            "mv a0, t1",
            "jalr t0",
            "unimp",
            "2:",
            inlateout("a0") a0 => ret,
            in("a7") nr,
            in("a1") a1, in("a2") a2, in("a3") a3, in("a4") a4,
            in("t0") child as usize, in("t1") arg as usize,
            out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v4") _, out("v5") _,
            out("v6") _, out("v7") _, out("v8") _, out("v9") _, out("v10") _, out("v11") _,
            out("v12") _, out("v13") _, out("v14") _, out("v15") _, out("v16") _, out("v17") _,
            out("v18") _, out("v19") _, out("v20") _, out("v21") _, out("v22") _, out("v23") _,
            out("v24") _, out("v25") _, out("v26") _, out("v27") _, out("v28") _, out("v29") _,
            out("v30") _, out("v31") _,
            options(nostack),
        );
    }
    ret
}

// ---- vDSO ---------------------------------------------------------------------------------

/// The vDSO's `clock_gettime`: its name and symbol version
/// (`arch/riscv/kernel/vdso/vdso.lds.S`).
///
/// It is a C function, `int f(clockid_t, struct __kernel_timespec *)`, returning 0 or
/// `-errno`: the shared `vdso_clock_gettime` (`arch/common.rs`) calls it.
pub(crate) const VDSO_CLOCK_GETTIME: Option<(&[u8], &[u8])> =
    Some((b"__vdso_clock_gettime", b"LINUX_4.15"));

/// `e_machine` of this architecture's ELF images, the vDSO's included: `EM_RISCV`.
pub(crate) const ELF_MACHINE: u16 = 243;
