//! What every architecture shares: the system call numbers that are the same in every table,
//! and the kernel's generic values (`include/uapi/asm-generic/`), which an architecture file
//! takes with a glob import and overrides by defining the same name itself (a local item
//! shadows a glob import in Rust), as the kernel's `asm/` headers override `asm-generic/`.
//!
//! Each architecture file includes this one as `mod common` and re-exports
//! [`nr`] from its own `mod nr`, so `grep 'const NAME'` finds every number of a call
//! here or in the one arch file that has its own.
//!
//! # The `clone_run` contract
//! Every architecture file has `clone_run(nr, a0, a1, a2, a3, a4, child, arg)`, the stub
//! that starts a child on a new stack (`clone3`, or the legacy `clone` in that
//! architecture's argument order), and each refers to this contract as its `# Safety`:
//! the caller upholds the contract of `nr` for these arguments, which must give the child a
//! new stack (the legacy `stack` argument, or `clone_args.stack` and `stack_size`), valid
//! for the child's writes, 16-byte aligned at its top, and not used by anything else until
//! the child has exec'd or exited; `child` must never return and may use only that stack and
//! what `arg` points to. With `CLONE_VM` (shared memory) the caller must pass `CLONE_VFORK`
//! too, so that its thread, and the frame the stack and `arg` live in, wait until the child
//! has exec'd or exited.

/// The numbers every architecture's table shares: since Linux 5.1 a new system call gets the
/// same number everywhere (424 and up; `scripts/syscall.tbl`).
pub mod nr {
    /// pidfd_send_signal(2), Linux 5.1
    pub const PIDFD_SEND_SIGNAL: usize = 424;
    /// pidfd_open(2), Linux 5.3
    pub const PIDFD_OPEN: usize = 434;
    /// clone3(2) (clone(2)), Linux 5.3
    pub const CLONE3: usize = 435;
    /// close_range(2), Linux 5.9
    pub const CLOSE_RANGE: usize = 436;
    /// faccessat2 (faccessat(2) with flags), Linux 5.8
    pub const FACCESSAT2: usize = 439;
    /// epoll_pwait2(2), Linux 5.11
    pub const EPOLL_PWAIT2: usize = 441;
}

/// The generic values, for `pub(crate) use common::generic::*` in an architecture file; each
/// architecture that differs defines the name itself, next to the glob, with the header it
/// comes from.
pub(crate) mod generic {
    // A value an architecture overrides is shadowed there, and so unused on that target.
    #![allow(dead_code)]

    /// The direction bits of the generic ioctl encoding (`include/uapi/asm-generic/ioctl.h`),
    /// already shifted to bits 30 and 31: `_IOC_WRITE`, `_IOC_READ`.
    pub(crate) const IOC_WRITE: u32 = 1 << 30;
    /// See [`IOC_WRITE`].
    pub(crate) const IOC_READ: u32 = 2 << 30;

    /// `EPIOCSPARAMS` and `EPIOCGPARAMS` as the kernel's headers expand them
    /// (`include/uapi/linux/eventpoll.h`), against which `src/params.rs` checks its own
    /// encoding.
    pub(crate) const EPIOCSPARAMS_HEADER: u32 = 0x4008_8A01;
    /// See [`EPIOCSPARAMS_HEADER`].
    pub(crate) const EPIOCGPARAMS_HEADER: u32 = 0x8008_8A02;

    /// `EDEADLOCK`: the same number as `EDEADLK` (35) (`include/uapi/asm-generic/errno.h`).
    pub(crate) const EDEADLOCK: u16 = 35;

    /// `O_DIRECT` (`include/uapi/asm-generic/fcntl.h`).
    pub(crate) const O_DIRECT: u32 = 0o40_000;
    /// `O_DIRECTORY` (`include/uapi/asm-generic/fcntl.h`).
    pub(crate) const O_DIRECTORY: u32 = 0o200_000;
    /// `O_NOFOLLOW` (`include/uapi/asm-generic/fcntl.h`).
    pub(crate) const O_NOFOLLOW: u32 = 0o400_000;
    /// The `O_LARGEFILE` that `open` must add for files over 2 GiB: none on a 64-bit
    /// architecture, whose kernel forces it (`force_o_largefile`); the 32-bit files define
    /// their own.
    pub(crate) const O_LARGEFILE: u32 = 0;

    /// Terminal and file ioctls (`include/uapi/asm-generic/ioctls.h`).
    pub(crate) const TIOCSCTTY: u32 = 0x540E;
    /// See [`TIOCSCTTY`].
    pub(crate) const TIOCGPGRP: u32 = 0x540F;
    /// See [`TIOCSCTTY`].
    pub(crate) const TIOCSPGRP: u32 = 0x5410;
    /// See [`TIOCSCTTY`].
    pub(crate) const FIONREAD: u32 = 0x541B;
    /// See [`TIOCSCTTY`].
    pub(crate) const FIONBIO: u32 = 0x5421;

    /// Socket options whose numbers differ on powerpc (`include/uapi/asm-generic/socket.h`);
    /// the others (`SO_REUSEADDR`, `SO_ERROR`, `SO_RCVBUF`, ...) are the same on every
    /// architecture freepoll supports and stand in `src/` once.
    pub(crate) const SO_PASSCRED: u32 = 16;
    /// See [`SO_PASSCRED`].
    pub(crate) const SO_PEERCRED: u32 = 17;
    /// See [`SO_PASSCRED`].
    pub(crate) const SO_RCVLOWAT: u32 = 18;
    /// See [`SO_PASSCRED`].
    pub(crate) const SO_SNDLOWAT: u32 = 19;

    pub(crate) use super::spawn::*;
}

/// What the process-spawning code takes from each architecture file besides the stubs: the
/// kernel's `struct sigaction` and the argument order of the legacy `clone`. Re-exported by
/// [`generic`](self::generic); an architecture that differs defines the name itself.
pub(crate) mod spawn {
    // What an architecture overrides (riscv64's `KernelSigaction`) is unused on that target.
    #![allow(dead_code)]

    /// The number of `unsigned long` words in the kernel's 8-byte `sigset_t` (`_NSIG_WORDS`):
    /// one on a 64-bit architecture, two on a 32-bit one.
    pub(crate) const SIGSET_WORDS: usize = 8 / core::mem::size_of::<usize>();

    /// The kernel's `struct sigaction` as `rt_sigaction(2)` reads and writes it
    /// (`include/linux/signal_types.h`; not the C library's, whose mask is 128 bytes):
    /// `sa_handler`, `sa_flags` (an `unsigned long`), `sa_restorer` (on every architecture
    /// with `__ARCH_HAS_SA_RESTORER`, all here but riscv64, whose file defines its own), and
    /// `sa_mask`, the kernel's `sigset_t`: `unsigned long sig[_NSIG_WORDS]`, 8 bytes with the
    /// alignment of `unsigned long` (4 on a 32-bit architecture, which is why it is not a
    /// `u64` here).
    #[derive(Clone, Copy)]
    #[repr(C)]
    pub(crate) struct KernelSigaction {
        /// `sa_handler`: `SIG_DFL` (0), `SIG_IGN` (1), or the address of a handler.
        handler: usize,
        /// `sa_flags`.
        flags: usize,
        /// `sa_restorer`.
        restorer: usize,
        /// `sa_mask`, least significant word first (signals 1 to 32 in word 0 on 32-bit).
        mask: [usize; SIGSET_WORDS],
    }

    static_assertions::const_assert!(
        core::mem::size_of::<KernelSigaction>()
            == core::mem::size_of::<usize>()
                .wrapping_mul(3)
                .wrapping_add(8)
    );
    static_assertions::const_assert!(
        core::mem::align_of::<KernelSigaction>() == core::mem::align_of::<usize>()
    );

    impl KernelSigaction {
        /// A `struct sigaction` with `sa_handler` = `handler`, no flags, no restorer and an
        /// empty mask: what setting `SIG_DFL` or `SIG_IGN` takes, and a buffer for a query.
        #[inline]
        pub(crate) const fn new(handler: usize) -> KernelSigaction {
            KernelSigaction {
                handler,
                flags: 0,
                restorer: 0,
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

    /// Whether the legacy `clone` takes the new stack first and the flags second
    /// (`CONFIG_CLONE_BACKWARDS2` in `kernel/fork.c`: s390). Everywhere else the order is
    /// `clone(flags, newsp, parent_tid, ...)`; the third argument is `parent_tid` in every
    /// variant (`CLONE_BACKWARDS`, on arm, powerpc and i386, swaps only the fourth and fifth,
    /// `tls` and `child_tid`).
    pub(crate) const CLONE_BACKWARDS2: bool = false;

    /// The size of an entry of an ELF `DT_HASH` table (`Elf_Symndx`): 4 bytes; 8 on s390x,
    /// whose 64-bit ELF uses 64-bit hash entries.
    pub(crate) const ELF_HASH_ENTRY: usize = 4;

    /// Calls the vDSO's `clock_gettime` at `f` as the C function it is,
    /// `int f(clockid_t clock, struct __kernel_timespec *ts)`: 0, or `-errno` as a system
    /// call returns it (for a clock it does not read itself, the vDSO makes the system call and
    /// returns its answer). The architectures whose vDSO follows the C calling convention
    /// (all but powerpc) use this one.
    ///
    /// # Safety
    /// `f` is the address of the vDSO's `clock_gettime` with that C signature (found with the
    /// architecture's name and version), and `ts` is valid for writes of a 16-byte
    /// `__kernel_timespec`.
    #[inline]
    pub(crate) unsafe fn vdso_clock_gettime(f: usize, clock: usize, ts: usize) -> usize {
        // SAFETY: the caller passes the address of a function with this C signature.
        let f =
            unsafe { core::mem::transmute::<usize, unsafe extern "C" fn(i32, *mut u8) -> i32>(f) };
        // SAFETY: the vDSO reads the clock and writes the 16 bytes at `ts`, which the caller
        // passes valid for them; it touches no other memory of the program.
        let ret = unsafe { f(clock as i32, ts as *mut u8) };
        ret as isize as usize
    }
}
