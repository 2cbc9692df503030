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

/// A pidfd descriptor, for a process that existed when it was opened.
pub struct PidFd {
    fd: OwnedFd,
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
        Ok(PidFd { fd })
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
    #[inline]
    pub(crate) fn from_owned(fd: OwnedFd) -> PidFd {
        PidFd { fd }
    }
}
