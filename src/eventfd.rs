//! eventfd: a 64-bit counter kept by the kernel, the wake-up of an event loop. Another thread,
//! a signal handler or the loop itself adds to it; the descriptor is readable while the
//! counter is not zero, and a read takes the count and resets it.
//!
//! ```
//! use core::mem::MaybeUninit;
//! use freepoll::epoll::{epoll_add, epoll_create, epoll_wait, CreateFlags, Event, EventFlags, EventVec};
//! use freepoll::eventfd::{EventFd, EventFdFlags};
//!
//! let epoll = epoll_create(CreateFlags::CLOEXEC)?;
//! let wake = EventFd::new(0, EventFdFlags::CLOEXEC | EventFdFlags::NONBLOCK)?;
//! epoll_add(&epoll, &wake, 1, EventFlags::IN)?;
//!
//! wake.add(2)?;
//! wake.add(3)?;
//! let mut buf = [MaybeUninit::<Event>::uninit(); 4];
//! let mut events = EventVec::new(&mut buf);
//! epoll_wait(&epoll, &mut events, 0)?;
//! assert_eq!(events.iter().next(), Some((EventFlags::IN, 1)));
//! assert_eq!(wake.read()?, 5); // both adds, in one read
//! assert_eq!(wake.read(), Err(freepoll::Errno::AGAIN)); // reset to 0
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **Wake-ups coalesce.** Several adds before the loop reads come back as one read of their
//! sum (or, with [`SEMAPHORE`](EventFdFlags::SEMAPHORE), as that many reads of 1). Count
//! work in the counter, not in events.
//!
//! **The counter stops at `u64::MAX - 1`.** An add that would pass it waits until a read makes
//! room, or fails with [`Errno::AGAIN`] on a non-blocking eventfd; `u64::MAX` itself can never
//! be added.

use crate::arch::{nr, syscall2};
use crate::errno::Result;
use crate::fd::{decode_new_fd, fd_handle, OwnedFd};
use crate::io::{read_u64, write_u64, O_CLOEXEC, O_NONBLOCK};
#[cfg(doc)]
use crate::Errno;
use bitflags::bitflags;

bitflags! {
    /// Flags for [`EventFd::new`] (`include/uapi/linux/eventfd.h`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct EventFdFlags: u32 {
        /// `EFD_CLOEXEC`: close on `execve`.
        const CLOEXEC = O_CLOEXEC;
        /// `EFD_NONBLOCK`: a read of 0 and an add that would overflow fail with `EAGAIN`
        /// instead of waiting.
        const NONBLOCK = O_NONBLOCK;
        /// `EFD_SEMAPHORE`: each read takes 1 from the counter and returns 1.
        const SEMAPHORE = 1;
    }
}

/// An eventfd descriptor: reads and adds move 8-byte counts, which this type does for you.
pub struct EventFd {
    fd: OwnedFd,
}

fd_handle!(EventFd);

impl EventFd {
    /// `eventfd2(initval, flags)`: a new eventfd whose counter starts at `initval`.
    ///
    /// # Errors
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `flags` has a bit the kernel does not know.
    /// - [`Errno::MFILE`](crate::Errno::MFILE), [`Errno::NFILE`](crate::Errno::NFILE): the
    ///   process's or the system's descriptor limit.
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    #[doc(alias = "eventfd")]
    #[doc(alias = "eventfd2")]
    #[inline]
    pub fn new(initval: u32, flags: EventFdFlags) -> Result<EventFd> {
        // SAFETY: eventfd2 takes two integers and touches no user memory.
        let ret = unsafe { syscall2(nr::EVENTFD2, initval as usize, flags.bits() as usize) };
        // SAFETY: on success eventfd2 returns a new descriptor that nothing else owns.
        let fd = unsafe { decode_new_fd(ret) }?;
        Ok(EventFd { fd })
    }

    /// `read(fd, &count, 8)`: takes the count and resets the counter to 0 (with
    /// [`SEMAPHORE`](EventFdFlags::SEMAPHORE): takes 1 and returns 1). Never returns 0.
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): the counter is 0 and the eventfd is
    ///   non-blocking.
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while it waited.
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    #[doc(alias = "eventfd_read")]
    #[inline]
    pub fn read(&self) -> Result<u64> {
        read_u64(&self.fd)
    }

    /// `write(fd, &value, 8)`: adds `value` to the counter.
    ///
    /// # Errors
    /// - [`Errno::AGAIN`](crate::Errno::AGAIN): the sum would pass `u64::MAX - 1` and the
    ///   eventfd is non-blocking (a blocking one waits for a read instead).
    /// - [`Errno::INVAL`](crate::Errno::INVAL): `value` is `u64::MAX`.
    /// - [`Errno::INTR`](crate::Errno::INTR): a signal handler ran while it waited.
    ///
    /// # References
    /// - [eventfd(2)](https://man7.org/linux/man-pages/man2/eventfd.2.html)
    #[doc(alias = "eventfd_write")]
    #[inline]
    pub fn add(&self, value: u64) -> Result<()> {
        write_u64(&self.fd, value)
    }
}
