//! signalfd: signals as records read from a descriptor. Block the signals (see
//! [`sigprocmask`](crate::signal::sigprocmask)), create a signalfd for them, register it with
//! epoll: each pending signal is then one [`SigInfo`] record to read, in the loop, with no
//! handler and nothing async-signal-safe to worry about.
//!
//! ```
//! use core::mem::MaybeUninit;
//! use freepoll::epoll::{epoll_add, epoll_create, epoll_wait, CreateFlags, Event, EventFlags, EventVec};
//! use freepoll::signal::{sigprocmask, SigSet, SigmaskHow, SIGUSR1};
//! use freepoll::signalfd::{SigInfo, SignalFd, SignalFdFlags};
//!
//! let set = SigSet::of(&[SIGUSR1])?;
//! let old = sigprocmask(SigmaskHow::Block, Some(&set))?;
//! let signals = SignalFd::new(&set, SignalFdFlags::CLOEXEC | SignalFdFlags::NONBLOCK)?;
//! let epoll = epoll_create(CreateFlags::CLOEXEC)?;
//! epoll_add(&epoll, &signals, 0, EventFlags::IN)?;
//!
//! // SIGUSR1 to this thread: pending, since it is blocked here.
//! # let (pid, tid) = unsafe { (libc::getpid(), libc::gettid()) };
//! # assert_eq!(unsafe { libc::syscall(libc::SYS_tgkill, pid, tid, SIGUSR1) }, 0);
//! let mut buf = [MaybeUninit::<Event>::uninit(); 4];
//! let mut events = EventVec::new(&mut buf);
//! epoll_wait(&epoll, &mut events, 0)?;
//! assert_eq!(events.len(), 1);
//!
//! let mut infos = [SigInfo::default(); 4];
//! let got = signals.read(&mut infos)?;
//! assert_eq!(got.len(), 1);
//! assert_eq!(got[0].signal(), SIGUSR1);
//! assert_eq!(got[0].pid(), pid);
//! sigprocmask(SigmaskHow::SetMask, Some(&old))?;
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! The traps (block in every thread; standard signals coalesce) are in the
//! [`signal`](crate::signal) module's docs.
//!
//! # Traps
//!
//! **The mask blocked for a signalfd is inherited by children, across `execve`.** A program
//! started with `fork` and `execve`, or with std's `std::process::Command` (which keeps the
//! parent's mask on purpose, as POSIX says), runs with this process's signals blocked:
//! `SIGTERM` no longer stops it, `SIGCHLD` never reaches it. Start programs with
//! [`Spawn`](crate::spawn::Spawn), whose child starts with an empty mask, or, with std's
//! `Command` and the `std` feature, call `.sigmask(SigSet::empty())` from
//! `freepoll::command::CommandSignals` on it, which unblocks in the child before `execve`.

use crate::arch::{nr, syscall3, syscall4};
use crate::errno::{decode_raw, Result};
use crate::fd::{decode_new_fd, fd_handle, AsRawFd, OwnedFd};
use crate::io::{O_CLOEXEC, O_NONBLOCK};
use crate::signal::{SigSet, KERNEL_SIGSET_SIZE};
use bitflags::bitflags;
use static_assertions::const_assert_eq;

bitflags! {
    /// Flags for [`SignalFd::new`] (`include/uapi/linux/signalfd.h`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SignalFdFlags: u32 {
        /// `SFD_CLOEXEC`: close on `execve`.
        const CLOEXEC = O_CLOEXEC;
        /// `SFD_NONBLOCK`: a read with no signal pending fails with `EAGAIN` instead of
        /// waiting.
        const NONBLOCK = O_NONBLOCK;
    }
}

/// One record read from a signalfd: the kernel's `struct signalfd_siginfo`
/// (`include/uapi/linux/signalfd.h`), 128 bytes, read through its accessors.
///
/// Which fields mean something depends on the signal and its [`code`](SigInfo::code): `pid`
/// and `uid` for a signal sent by a process (`SI_USER`, `SI_TKILL`, `SI_QUEUE`) or for
/// `SIGCHLD`; `status` for `SIGCHLD`; `addr` for a fault; the others as signal(7) and
/// sigaction(2) list them. The rest are zero.
#[doc(alias = "signalfd_siginfo")]
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct SigInfo {
    ssi_signo: u32,
    ssi_errno: i32,
    ssi_code: i32,
    ssi_pid: u32,
    ssi_uid: u32,
    ssi_fd: i32,
    ssi_tid: u32,
    ssi_band: u32,
    ssi_overrun: u32,
    ssi_trapno: u32,
    ssi_status: i32,
    ssi_int: i32,
    ssi_ptr: u64,
    ssi_utime: u64,
    ssi_stime: u64,
    ssi_addr: u64,
    ssi_addr_lsb: u16,
    _pad2: u16,
    ssi_syscall: i32,
    ssi_call_addr: u64,
    ssi_arch: u32,
    _pad: [u8; 28],
}

const_assert_eq!(core::mem::size_of::<SigInfo>(), 128);

/// The size of one record, which a read's byte count is a multiple of.
const SIGINFO_SIZE: usize = core::mem::size_of::<SigInfo>();

impl SigInfo {
    /// `ssi_signo`: the signal.
    #[inline]
    pub const fn signal(&self) -> i32 {
        self.ssi_signo as i32
    }
    /// `ssi_code`: how it was sent or why it was raised ([`SI_USER`](crate::signal::SI_USER),
    /// [`SI_TKILL`](crate::signal::SI_TKILL), [`CLD_EXITED`](crate::signal::CLD_EXITED), ...).
    #[inline]
    pub const fn code(&self) -> i32 {
        self.ssi_code
    }
    /// `ssi_pid`: the process that sent it, or the child a `SIGCHLD` is about; 0 for a
    /// signal the kernel raised. An `i32`, as every pid in freepoll (see
    /// [`pidfd`](crate::pidfd#pids)); the kernel stores the `pid_t` in this `u32` field.
    #[inline]
    pub const fn pid(&self) -> i32 {
        self.ssi_pid as i32
    }
    /// `ssi_uid`: the real user ID of the sender (or of the child).
    #[inline]
    pub const fn uid(&self) -> u32 {
        self.ssi_uid
    }
    /// `ssi_status`: for `SIGCHLD`, the exit status (`CLD_EXITED`) or the signal that
    /// stopped, continued or killed the child; the value sent with sigqueue(3) otherwise.
    #[inline]
    pub const fn status(&self) -> i32 {
        self.ssi_status
    }
    /// `ssi_errno`: an error number (unused by Linux for most signals).
    #[inline]
    pub const fn errno(&self) -> i32 {
        self.ssi_errno
    }
    /// `ssi_fd`: the descriptor of a `SIGIO`.
    #[inline]
    pub const fn fd(&self) -> i32 {
        self.ssi_fd
    }
    /// `ssi_tid`: the kernel timer ID of a POSIX timer's signal.
    #[inline]
    pub const fn tid(&self) -> u32 {
        self.ssi_tid
    }
    /// `ssi_band`: the band event of a `SIGIO`.
    #[inline]
    pub const fn band(&self) -> u32 {
        self.ssi_band
    }
    /// `ssi_overrun`: the overrun count of a POSIX timer's signal.
    #[inline]
    pub const fn overrun(&self) -> u32 {
        self.ssi_overrun
    }
    /// `ssi_trapno`: the trap number of a hardware fault.
    #[inline]
    pub const fn trapno(&self) -> u32 {
        self.ssi_trapno
    }
    /// `ssi_int`: the integer sent with sigqueue(3).
    #[inline]
    pub const fn int(&self) -> i32 {
        self.ssi_int
    }
    /// `ssi_ptr`: the pointer value sent with sigqueue(3), as an integer.
    #[inline]
    pub const fn ptr(&self) -> u64 {
        self.ssi_ptr
    }
    /// `ssi_utime`: for `SIGCHLD`, the user CPU time of the child, in clock ticks.
    #[inline]
    pub const fn utime(&self) -> u64 {
        self.ssi_utime
    }
    /// `ssi_stime`: for `SIGCHLD`, the system CPU time of the child, in clock ticks.
    #[inline]
    pub const fn stime(&self) -> u64 {
        self.ssi_stime
    }
    /// `ssi_addr`: the faulting address of `SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGFPE`, `SIGTRAP`.
    #[inline]
    pub const fn addr(&self) -> u64 {
        self.ssi_addr
    }
    /// `ssi_addr_lsb`: the least significant bit of the address of a `SIGBUS` memory error.
    #[inline]
    pub const fn addr_lsb(&self) -> u16 {
        self.ssi_addr_lsb
    }
    /// `ssi_syscall`: the system call number of a seccomp `SIGSYS` (Linux 4.18).
    #[inline]
    pub const fn syscall(&self) -> i32 {
        self.ssi_syscall
    }
    /// `ssi_call_addr`: the address of the system call instruction of a seccomp `SIGSYS`.
    #[inline]
    pub const fn call_addr(&self) -> u64 {
        self.ssi_call_addr
    }
    /// `ssi_arch`: the `AUDIT_ARCH_*` of a seccomp `SIGSYS`.
    #[inline]
    pub const fn arch(&self) -> u32 {
        self.ssi_arch
    }
}

impl core::fmt::Debug for SigInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigInfo")
            .field("signal", &self.signal())
            .field("code", &self.code())
            .field("pid", &self.pid())
            .field("uid", &self.uid())
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

/// A signalfd descriptor: its reads are [`SigInfo`] records, which this type hands back.
pub struct SignalFd {
    fd: OwnedFd,
}

fd_handle!(SignalFd);

impl SignalFd {
    /// `signalfd4(-1, mask, 8, flags)`: a new signalfd that reads the pending signals of
    /// `mask`, those sent to the process and those sent to the reading thread.
    ///
    /// The signals must also be blocked (see the [`signal`](crate::signal) module docs);
    /// `SIGKILL` and `SIGSTOP` are silently left out.
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): an unknown bit in `flags`.
    /// - [`Errno::MFILE`](crate::Errno::MFILE), [`Errno::NFILE`](crate::Errno::NFILE): the
    ///   descriptor limits.
    /// - [`Errno::NOMEM`](crate::Errno::NOMEM): no kernel memory for it.
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html)
    #[doc(alias = "signalfd")]
    #[doc(alias = "signalfd4")]
    #[inline]
    pub fn new(mask: &SigSet, flags: SignalFdFlags) -> Result<SignalFd> {
        // SAFETY: -1 asks for a new descriptor; `mask` is a live `SigSet`, of which the
        // kernel reads `KERNEL_SIGSET_SIZE` bytes, its exact size.
        let ret = unsafe {
            syscall4(
                nr::SIGNALFD4,
                -1isize as usize,
                mask as *const SigSet as usize,
                KERNEL_SIGSET_SIZE,
                flags.bits() as usize,
            )
        };
        // SAFETY: on success with -1, signalfd4 returns a new descriptor that nothing else
        // owns.
        let fd = unsafe { decode_new_fd(ret) }?;
        Ok(SignalFd { fd })
    }

    /// `signalfd4(fd, mask, 8, 0)`: replaces the set of signals this signalfd reads.
    ///
    /// # Errors
    /// None in practice: the descriptor is a signalfd by its type.
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html)
    #[doc(alias = "signalfd4")]
    #[inline]
    pub fn set_mask(&self, mask: &SigSet) -> Result<()> {
        // SAFETY: `self.fd` is an open signalfd (owned), which the kernel updates in place;
        // `mask` is read as in `new`.
        let ret = unsafe {
            syscall4(
                nr::SIGNALFD4,
                self.fd.as_raw_fd() as usize,
                mask as *const SigSet as usize,
                KERNEL_SIGSET_SIZE,
                0,
            )
        };
        decode_raw(ret).map(drop)
    }

    /// `read(fd, buf, 128 * buf.len())`: takes pending signals of the mask, as many as `buf`
    /// holds, and returns the part of `buf` they fill (at least one record).
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): none pending and the signalfd is non-blocking.
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `buf` is empty.
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while it waited.
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html), "read(2)"
    #[inline]
    pub fn read<'a>(&self, buf: &'a mut [SigInfo]) -> Result<&'a [SigInfo]> {
        // `buf` is a live slice, so its byte size fits `isize` and cannot overflow.
        let bytes = core::mem::size_of_val(buf);
        // SAFETY: `self.fd` is an open signalfd (owned); `buf` is valid for writes of `bytes`
        // bytes, and the kernel writes whole `signalfd_siginfo` records there, every bit
        // pattern of which is a valid `SigInfo` (integers only).
        let ret = unsafe {
            syscall3(
                nr::READ,
                self.fd.as_raw_fd() as usize,
                buf.as_mut_ptr() as usize,
                bytes,
            )
        };
        let n = decode_raw(ret)? / SIGINFO_SIZE;
        Ok(buf.get(..n).unwrap_or_default())
    }
}
