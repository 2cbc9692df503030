//! pidfd: a process as a descriptor. It becomes readable when the process ends, so a child's
//! exit is one more event in the loop; and a signal sent through it cannot reach another
//! process that reused the number.
//!
//! ```
//! use core::mem::MaybeUninit;
//! use freepoll::epoll::{epoll_add, epoll_create, epoll_wait, CreateFlags, Event, EventFlags, EventVec};
//! use freepoll::pidfd::{PidFd, PidFdFlags};
//! use freepoll::process::{waitid, ChildState, WaitId, WaitOptions};
//!
//! # let child = unsafe { libc::fork() };
//! # if child == 0 { unsafe { libc::_exit(3) } }
//! // `child` is the pid of a child that exits with status 3.
//! let pidfd = PidFd::open(child, PidFdFlags::empty())?;
//! let epoll = epoll_create(CreateFlags::CLOEXEC)?;
//! epoll_add(&epoll, &pidfd, 1, EventFlags::IN)?;
//!
//! let mut buf = [MaybeUninit::<Event>::uninit(); 4];
//! let mut events = EventVec::new(&mut buf);
//! epoll_wait(&epoll, &mut events, -1)?; // readable: it ended
//! let status = waitid(WaitId::PidFd(pidfd.as_fd()), WaitOptions::EXITED)?;
//! assert_eq!(status.map(|s| s.state), Some(ChildState::Exited(3)));
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **Readable is not reaped.** The pidfd becomes readable when the process ends; the zombie
//! stays until [`waitid`](crate::process::waitid) reaps it (with
//! [`WaitId::PidFd`](crate::process::WaitId::PidFd), or any other way). Only the parent (or a
//! subreaper it was reparented to) can reap; others get `ECHILD`.
//!
//! **Open it before the child can be reaped.** A pid names a process only until it is reaped;
//! after that the number may belong to another. Open the pidfd right after starting the child,
//! before anything waits with `WaitId::All`, or start it with `CLONE_PIDFD`.
//!
//! **A std `Child` reaped by freepoll is a stale number to std.** `PidFd::from_std_child`
//! (feature `std`) opens a pidfd for a child that `std::process::Command` started. Once
//! freepoll's [`waitid`](crate::process::waitid) has reaped that child (by its pidfd, its pid, or
//! `WaitId::All` anywhere in the process), std no longer has a process behind its `Child`:
//! `Child::try_wait` and `Child::wait` fail with `ECHILD` (std never sees the status), and
//! `Child::kill` sends `SIGKILL` to the bare number, which fails with `ESRCH`, or, once the
//! number is reused, kills another process. After reaping with freepoll, use the status
//! `waitid` returned and drop the `Child`; signal through the pidfd, never through the
//! number.
//!
//! # Pids
//!
//! A pid is an `i32` everywhere in freepoll, the kernel's `pid_t`: [`PidFd::open`],
//! [`PidFd::pid`], [`process::kill`](crate::process::kill) (where 0 and negative numbers
//! name process groups), [`WaitId::Pid`](crate::process::WaitId::Pid),
//! [`ChildStatus::pid`](crate::process::ChildStatus::pid),
//! [`SigInfo::pid`](crate::signalfd::SigInfo::pid) and
//! [`spawn::Child::pid`](crate::spawn::Child::pid). std's `Child::id` gives a `u32`:
//! `i32::try_from(child.id())` converts it, and never fails for a real pid (the kernel's
//! `pid_max` is at most 2^22); `u32::try_from(pid)` goes the other way for a positive pid.

use crate::arch::{nr, syscall2, syscall4};
use crate::errno::{decode_raw, Result};
use crate::fd::{decode_new_fd, fd_handle, AsFd, AsRawFd, BorrowedFd, OwnedFd};
use crate::io::O_NONBLOCK;
use bitflags::bitflags;

bitflags! {
    /// Flags for [`PidFd::open`] (`include/uapi/linux/pidfd.h`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct PidFdFlags: u32 {
        /// `PIDFD_NONBLOCK`: `waitid` on it with the process still running fails with
        /// `EAGAIN` instead of waiting (Linux 5.10).
        const NONBLOCK = O_NONBLOCK;
    }
}

bitflags! {
    /// Flags for [`PidFd::send_signal_with`]: who receives the signal
    /// (`include/uapi/linux/pidfd.h`, Linux 6.9). At most one may be given. A kernel before
    /// 6.9 refuses any of them with `EINVAL`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SendSignalFlags: u32 {
        /// `PIDFD_SIGNAL_THREAD`: the thread the pidfd refers to (for a process's pidfd, its
        /// thread-group leader), as `tgkill` would.
        const THREAD = 1;
        /// `PIDFD_SIGNAL_THREAD_GROUP`: the whole process, as `kill` would (what no flag
        /// means for a pidfd opened on a process).
        const THREAD_GROUP = 2;
        /// `PIDFD_SIGNAL_PROCESS_GROUP`: every process in the process group the pidfd's
        /// process leads, as `killpg(pid, sig)` would; `ESRCH` if it leads no group.
        const PROCESS_GROUP = 4;
    }
}

/// A pidfd descriptor, for a process that existed when it was opened, with the pid it was
/// opened for.
pub struct PidFd {
    fd: OwnedFd,
    /// The pid the process had when the pidfd was opened (positive).
    pid: i32,
}

fd_handle!(PidFd);

impl PidFd {
    /// `pidfd_open(pid, flags)`: a pidfd for process `pid` (Linux 5.3).
    ///
    /// # Errors
    /// - [`Errno::SRCH`](crate::Errno::SRCH): no such process (or it was reaped already).
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `pid` is not positive, or an unknown bit in
    ///   `flags`.
    /// - [`Errno::NOSYS`](crate::Errno::NOSYS): the kernel is older than 5.3.
    /// - [`Errno::MFILE`](crate::Errno::MFILE), [`Errno::NFILE`](crate::Errno::NFILE): the
    ///   descriptor limits.
    ///
    /// # References
    /// - [pidfd_open(2)](https://man7.org/linux/man-pages/man2/pidfd_open.2.html)
    #[doc(alias = "pidfd_open")]
    #[inline]
    pub fn open(pid: i32, flags: PidFdFlags) -> Result<PidFd> {
        // SAFETY: pidfd_open takes two integers and touches no user memory.
        let ret = unsafe { syscall2(nr::PIDFD_OPEN, pid as isize as usize, flags.bits() as usize) };
        // SAFETY: on success pidfd_open returns a new descriptor that nothing else owns.
        let fd = unsafe { decode_new_fd(ret) }?;
        Ok(PidFd { fd, pid })
    }

    /// `pidfd_open(child.id(), 0)`: a pidfd for a child started with std's
    /// `std::process::Command`, so that its end is an event in the loop.
    ///
    /// Right only while the child is not reaped: std's `Child` holds a bare number, and once
    /// the child is reaped (by std's `wait`/`try_wait`, by freepoll's `waitid` with
    /// `WaitId::All` anywhere in the process, or by an ignored `SIGCHLD`) the number may
    /// name another process. Open it right after `spawn`, before anything can reap. A wrong
    /// process is a logic error, never undefined behaviour. Reap through the pidfd
    /// afterwards ([`WaitId::PidFd`](crate::process::WaitId::PidFd)), and see the module
    /// docs for what std's `Child` can do after that.
    ///
    /// ```
    /// use freepoll::pidfd::PidFd;
    /// use freepoll::process::{waitid, ChildState, WaitId, WaitOptions};
    /// let child = std::process::Command::new("/bin/sh").args(["-c", "exit 4"]).spawn().unwrap();
    /// let pidfd = PidFd::from_std_child(&child)?;
    /// assert_eq!(u32::try_from(pidfd.pid()).ok(), Some(child.id()));
    /// let status = waitid(WaitId::PidFd(pidfd.as_fd()), WaitOptions::EXITED)?;
    /// assert_eq!(status.map(|s| s.state), Some(ChildState::Exited(4)));
    /// # Ok::<(), freepoll::Errno>(())
    /// ```
    ///
    /// # Errors
    /// As [`open`](PidFd::open): [`Errno::SRCH`](crate::Errno::SRCH) once the child has been
    /// reaped (if its number was not reused meanwhile).
    ///
    /// # References
    /// - [pidfd_open(2)](https://man7.org/linux/man-pages/man2/pidfd_open.2.html)
    #[cfg(feature = "std")]
    #[doc(alias = "pidfd_open")]
    #[inline]
    pub fn from_std_child(child: &std::process::Child) -> Result<PidFd> {
        let pid = i32::try_from(child.id()).map_err(|_| crate::Errno::INVAL)?;
        PidFd::open(pid, PidFdFlags::empty())
    }

    /// The pid the process had when this pidfd was opened (or when [`Spawn`](crate::spawn::Spawn)
    /// started it), kept since; no system call.
    ///
    /// It names the process only until the process is reaped: after that the kernel may give
    /// the number to another process, while the pidfd still refers to the old one (and
    /// `send_signal` through it fails with `ESRCH`). Use it for logs and for APIs that take a
    /// pid, while the process is known to be unreaped.
    #[inline]
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// `pidfd_send_signal(fd, sig, NULL, 0)`: sends `sig` to the process, as kill(2) would
    /// (the receiver sees `SI_USER` and this process's pid) (Linux 5.1). Signal 0 sends
    /// nothing and checks that the process is alive and may be signalled.
    ///
    /// # Errors
    /// - [`Errno::SRCH`](crate::Errno::SRCH): the process has been reaped. A process that has
    ///   ended but is not yet reaped (a zombie) still takes the signal, as with kill(2), to no
    ///   effect.
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `sig` is not a signal number.
    /// - [`Errno::PERM`](crate::Errno::PERM): no permission to signal it.
    ///
    /// # References
    /// - [pidfd_send_signal(2)](https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html)
    #[doc(alias = "pidfd_send_signal")]
    #[inline]
    pub fn send_signal(&self, sig: i32) -> Result<()> {
        // SAFETY: `self.fd` is an open pidfd (owned); the info pointer is NULL, so the kernel
        // reads no user memory.
        let ret = unsafe {
            syscall4(
                nr::PIDFD_SEND_SIGNAL,
                self.fd.as_raw_fd() as usize,
                sig as isize as usize,
                0,
                0,
            )
        };
        decode_raw(ret).map(drop)
    }

    /// `pidfd_send_signal(fd, sig, NULL, flags)`: sends `sig` to the thread, the process or
    /// the process group that `flags` chooses (Linux 6.9 for any flag; no flag is
    /// [`send_signal`](PidFd::send_signal)).
    ///
    /// A kernel that lacks the flags refuses them with its own `EINVAL`; nothing is emulated.
    ///
    /// ```
    /// use freepoll::pidfd::{PidFd, PidFdFlags, SendSignalFlags};
    /// use freepoll::process::{waitid, ChildState, WaitId, WaitOptions};
    /// # let child = unsafe { libc::fork() };
    /// # if child == 0 { unsafe { libc::pause(); libc::_exit(0) } }
    /// // `child` is a child that waits for a signal.
    /// let pidfd = PidFd::open(child, PidFdFlags::empty())?;
    /// match pidfd.send_signal_with(libc::SIGTERM, SendSignalFlags::THREAD_GROUP) {
    ///     Ok(()) => {}
    ///     Err(freepoll::Errno::INVAL) => pidfd.send_signal(libc::SIGTERM)?, // before 6.9
    ///     Err(e) => return Err(e),
    /// }
    /// let status = waitid(WaitId::PidFd(pidfd.as_fd()), WaitOptions::EXITED)?;
    /// let killed = ChildState::Killed { signal: libc::SIGTERM, core_dumped: false };
    /// assert_eq!(status.map(|s| s.state), Some(killed));
    /// # Ok::<(), freepoll::Errno>(())
    /// ```
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `sig` is not a signal number; more than one
    ///   flag; or a kernel before 6.9 and any flag.
    /// - [`Errno::SRCH`](crate::Errno::SRCH): the process has been reaped; with
    ///   [`PROCESS_GROUP`](SendSignalFlags::PROCESS_GROUP), it leads no process group.
    /// - [`Errno::PERM`](crate::Errno::PERM): no permission to signal it.
    ///
    /// # References
    /// - [pidfd_send_signal(2)](https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html)
    #[doc(alias = "pidfd_send_signal")]
    #[inline]
    pub fn send_signal_with(&self, sig: i32, flags: SendSignalFlags) -> Result<()> {
        // SAFETY: `self.fd` is an open pidfd (owned); the info pointer is NULL, so the kernel
        // reads no user memory; `flags` is an integer.
        let ret = unsafe {
            syscall4(
                nr::PIDFD_SEND_SIGNAL,
                self.fd.as_raw_fd() as usize,
                sig as isize as usize,
                0,
                flags.bits() as usize,
            )
        };
        decode_raw(ret).map(drop)
    }

    /// Borrows the descriptor, for [`WaitId::PidFd`](crate::process::WaitId::PidFd) and
    /// anything else that takes one.
    #[inline]
    pub fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl PidFd {
    /// Wraps `fd`, which must be a pidfd this crate just got from the kernel and owns (the
    /// one `clone3` or `clone` wrote for `CLONE_PIDFD`). Not `unsafe`: a descriptor of another
    /// kind would only make the calls fail (`EBADF`, `EINVAL`), with no undefined behaviour.
    /// `pid` is the pid the clone call returned for the same child.
    #[inline]
    pub(crate) fn from_owned(fd: OwnedFd, pid: i32) -> PidFd {
        PidFd { fd, pid }
    }
}
