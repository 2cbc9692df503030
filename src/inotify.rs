//! inotify: changes to files and directories as a descriptor. It becomes readable when a
//! watched path sees an event (a file created in a watched directory, written, closed, moved,
//! deleted), so a configuration reload or a device node's arrival in `/dev` is one more event
//! in the loop. A read returns whole records, each with the watch it belongs to, what happened
//! and, for an entry of a watched directory, its name.
//!
//! ```
//! # use std::ffi::CString;
//! use core::mem::MaybeUninit;
//! use freepoll::epoll::{epoll_add, epoll_create, epoll_wait, CreateFlags, Event, EventFlags, EventVec};
//! use freepoll::inotify::{Inotify, InotifyFlags, WatchMask, MIN_READ_BUFFER};
//!
//! # let dir = std::env::temp_dir().join(format!("freepoll-inotify-doc-{}", std::process::id()));
//! # std::fs::create_dir(&dir).unwrap();
//! # let path = CString::new(dir.to_str().unwrap()).unwrap();
//! // `path` names a directory.
//! let inotify = Inotify::new(InotifyFlags::CLOEXEC | InotifyFlags::NONBLOCK)?;
//! let wd = inotify.add_watch(&path, WatchMask::CREATE | WatchMask::DELETE)?;
//! let epoll = epoll_create(CreateFlags::CLOEXEC)?;
//! epoll_add(&epoll, &inotify, 1, EventFlags::IN)?;
//!
//! # std::fs::write(dir.join("new-file"), b"").unwrap();
//! // Something creates `new-file` in it.
//! let mut slots = [MaybeUninit::<Event>::uninit(); 4];
//! let mut ready = EventVec::new(&mut slots);
//! epoll_wait(&epoll, &mut ready, -1)?;
//! let mut buf = [0u8; MIN_READ_BUFFER];
//! let event = inotify.read(&mut buf)?.next().unwrap();
//! assert_eq!(event.wd, wd);
//! assert_eq!(event.mask, WatchMask::CREATE);
//! assert_eq!(event.name.unwrap().to_bytes(), b"new-file");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **The queue is bounded.** When more events wait than
//! `/proc/sys/fs/inotify/max_queued_events` allows, the kernel drops the rest and queues one
//! [`WatchMask::Q_OVERFLOW`] record (watch descriptor -1): what happened since is unknown,
//! and a program that mirrors a directory must scan it again.
//!
//! **A read needs room for the next whole record.** A record is 16 bytes and a name padded
//! with NULs; the kernel fails a read whose buffer is too small for the next one with
//! `EINVAL`. [`Inotify::read`] refuses any buffer smaller than [`MIN_READ_BUFFER`], which
//! holds the longest possible record, so that answer never depends on the name that comes.
//!
//! Watches are not recursive (a subdirectory needs its own), a rename arrives as two records
//! tied by their `cookie` (`MOVED_FROM`, `MOVED_TO`), and a watch whose file is deleted or
//! unmounted ends with a [`WatchMask::IGNORED`] record, after which its number may be reused.

use crate::arch::{nr, syscall1, syscall2, syscall3};
use crate::errno::{decode_raw, Result};
use crate::fd::{decode_new_fd, fd_handle, AsRawFd, OwnedFd};
use crate::io::{O_CLOEXEC, O_NONBLOCK};
#[cfg(doc)]
use crate::Errno;
use bitflags::bitflags;
use core::ffi::CStr;

/// `sizeof(struct inotify_event)`: the fixed part of a record, before its name
/// (`include/uapi/linux/inotify.h`).
pub const EVENT_HEADER_SIZE: usize = 16;

/// `NAME_MAX` (`include/uapi/linux/limits.h`): the longest name of a directory entry, without
/// its NUL.
pub const NAME_MAX: usize = 255;

/// The smallest buffer [`Inotify::read`] takes: one record with the longest name and its NUL,
/// `sizeof(struct inotify_event) + NAME_MAX + 1` (272 bytes), as inotify(7) advises.
pub const MIN_READ_BUFFER: usize = EVENT_HEADER_SIZE + NAME_MAX + 1;

bitflags! {
    /// Flags for [`Inotify::new`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct InotifyFlags: u32 {
        /// `IN_CLOEXEC`: close the descriptor on `execve`.
        const CLOEXEC = O_CLOEXEC;
        /// `IN_NONBLOCK`: a read with nothing queued fails with `EAGAIN` instead of waiting.
        const NONBLOCK = O_NONBLOCK;
    }
}

bitflags! {
    /// What a watch reports, and what a record says happened (`include/uapi/linux/inotify.h`).
    ///
    /// In [`Inotify::add_watch`] the event bits choose what to report and the bits from
    /// `ONLYDIR` up change how the watch is set; in a record ([`InotifyEvent::mask`]) one
    /// event bit says what happened, with `ISDIR`, `IGNORED`, `Q_OVERFLOW` or `UNMOUNT`
    /// alongside as they apply.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct WatchMask: u32 {
        /// `IN_ACCESS`: a file was read.
        const ACCESS = 0x0000_0001;
        /// `IN_MODIFY`: a file was written.
        const MODIFY = 0x0000_0002;
        /// `IN_ATTRIB`: metadata changed (permissions, timestamps, owner, link count, ...).
        const ATTRIB = 0x0000_0004;
        /// `IN_CLOSE_WRITE`: a file opened for writing was closed.
        const CLOSE_WRITE = 0x0000_0008;
        /// `IN_CLOSE_NOWRITE`: a file or directory not opened for writing was closed.
        const CLOSE_NOWRITE = 0x0000_0010;
        /// `IN_OPEN`: a file or directory was opened.
        const OPEN = 0x0000_0020;
        /// `IN_MOVED_FROM`: an entry was renamed out of a watched directory.
        const MOVED_FROM = 0x0000_0040;
        /// `IN_MOVED_TO`: an entry was renamed into a watched directory.
        const MOVED_TO = 0x0000_0080;
        /// `IN_CREATE`: an entry was created in a watched directory.
        const CREATE = 0x0000_0100;
        /// `IN_DELETE`: an entry was deleted from a watched directory.
        const DELETE = 0x0000_0200;
        /// `IN_DELETE_SELF`: the watched file or directory itself was deleted.
        const DELETE_SELF = 0x0000_0400;
        /// `IN_MOVE_SELF`: the watched file or directory itself was moved.
        const MOVE_SELF = 0x0000_0800;
        /// `IN_UNMOUNT` (records only): the filesystem of the watched object was unmounted;
        /// an `IGNORED` record follows.
        const UNMOUNT = 0x0000_2000;
        /// `IN_Q_OVERFLOW` (records only): the queue overflowed and events were lost; the
        /// record's watch descriptor is -1.
        const Q_OVERFLOW = 0x0000_4000;
        /// `IN_IGNORED` (records only): the watch was removed, by
        /// [`Inotify::rm_watch`] or because its object is gone. Its number may be reused.
        const IGNORED = 0x0000_8000;
        /// `IN_CLOSE`: `CLOSE_WRITE | CLOSE_NOWRITE`.
        const CLOSE = Self::CLOSE_WRITE.bits() | Self::CLOSE_NOWRITE.bits();
        /// `IN_MOVE`: `MOVED_FROM | MOVED_TO`.
        const MOVE = Self::MOVED_FROM.bits() | Self::MOVED_TO.bits();
        /// `IN_ALL_EVENTS`: every event bit from `ACCESS` to `MOVE_SELF`.
        const ALL_EVENTS = 0x0000_0fff;
        /// `IN_ONLYDIR` (watches only): fail with `ENOTDIR` unless the path is a directory
        /// (Linux 2.6.15).
        const ONLYDIR = 0x0100_0000;
        /// `IN_DONT_FOLLOW` (watches only): watch a symbolic link itself, not its target
        /// (Linux 2.6.15).
        const DONT_FOLLOW = 0x0200_0000;
        /// `IN_EXCL_UNLINK` (watches only): no events for children after they are unlinked
        /// from the watched directory (Linux 2.6.36).
        const EXCL_UNLINK = 0x0400_0000;
        /// `IN_MASK_CREATE` (watches only): fail with `EEXIST` if the path is watched already,
        /// instead of changing that watch (Linux 4.18).
        const MASK_CREATE = 0x1000_0000;
        /// `IN_MASK_ADD` (watches only): add these events to an existing watch's instead of
        /// replacing them.
        const MASK_ADD = 0x2000_0000;
        /// `IN_ISDIR` (records only): the entry the record is about is a directory.
        const ISDIR = 0x4000_0000;
        /// `IN_ONESHOT`: report one event, then remove the watch (an `IGNORED` record
        /// follows).
        const ONESHOT = 0x8000_0000;
    }
}

/// A watch, as [`Inotify::add_watch`] returned it: the number every record of that watch
/// carries. Adding a watch on a path watched already returns the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WatchDescriptor(i32);

impl WatchDescriptor {
    /// The kernel's number (`int wd`).
    #[inline]
    pub const fn raw(self) -> i32 {
        self.0
    }

    /// A watch descriptor from the kernel's number, as another program or a record gave it.
    #[inline]
    pub const fn from_raw(wd: i32) -> WatchDescriptor {
        WatchDescriptor(wd)
    }
}

/// One record of an inotify read (`struct inotify_event`), borrowed from the caller's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InotifyEvent<'buf> {
    /// The watch this record belongs to; -1 for `Q_OVERFLOW`.
    pub wd: WatchDescriptor,
    /// What happened: one event bit, and `ISDIR`, `IGNORED`, `UNMOUNT` or `Q_OVERFLOW` as
    /// they apply. Bits with no name here are kept.
    pub mask: WatchMask,
    /// Ties the `MOVED_FROM` and `MOVED_TO` records of one rename (the same non-zero value);
    /// 0 in other records.
    pub cookie: u32,
    /// The entry's name, for an event on an entry of a watched directory; `None` for an
    /// event on the watched object itself.
    pub name: Option<&'buf CStr>,
}

/// The records of one read, in the order the kernel queued them. Allocates nothing: each
/// record is decoded from the caller's buffer as the iteration reaches it.
///
/// Records the kernel writes are always whole. A buffer built any other way is read as far as
/// its records are well formed: a header cut short, a length that runs past the end, or a
/// name with no NUL ends the iteration, and [`Events::rest`] holds what was not read.
#[derive(Clone, Debug)]
pub struct Events<'buf> {
    /// What is left to decode.
    rest: &'buf [u8],
}

impl<'buf> Events<'buf> {
    /// The records in `bytes`, as a read of an inotify descriptor returns them (or as built
    /// by hand: malformed input ends the iteration, never reads out of bounds).
    #[inline]
    pub const fn new(bytes: &'buf [u8]) -> Events<'buf> {
        Events { rest: bytes }
    }

    /// The bytes not decoded yet: after the iteration has ended, empty when every record was
    /// well formed, and otherwise the first malformed record and what follows it.
    #[inline]
    pub const fn rest(&self) -> &'buf [u8] {
        self.rest
    }
}

/// The native-endian `u32` at `at` in `bytes`, if all four bytes are there.
#[inline]
fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let end = at.checked_add(4)?;
    let field: [u8; 4] = bytes.get(at..end)?.try_into().ok()?;
    Some(u32::from_ne_bytes(field))
}

impl<'buf> Iterator for Events<'buf> {
    type Item = InotifyEvent<'buf>;

    fn next(&mut self) -> Option<InotifyEvent<'buf>> {
        let bytes = self.rest;
        // struct inotify_event { s32 wd; u32 mask; u32 cookie; u32 len; char name[len]; }
        let wd = u32_at(bytes, 0)? as i32;
        let mask = u32_at(bytes, 4)?;
        let cookie = u32_at(bytes, 8)?;
        let len = u32_at(bytes, 12)? as usize;
        let end = EVENT_HEADER_SIZE.checked_add(len)?;
        let padded_name = bytes.get(EVENT_HEADER_SIZE..end)?;
        let name = if padded_name.is_empty() {
            None
        } else {
            // The kernel pads the name with NULs; the first one ends it.
            let nul = padded_name.iter().position(|&b| b == 0)?;
            let with_nul = padded_name.get(..=nul)?;
            Some(CStr::from_bytes_with_nul(with_nul).ok()?)
        };
        self.rest = bytes.get(end..)?;
        Some(InotifyEvent {
            wd: WatchDescriptor(wd),
            mask: WatchMask::from_bits_retain(mask),
            cookie,
            name,
        })
    }
}

/// An inotify instance: its watches and its queue of records.
pub struct Inotify {
    fd: OwnedFd,
}

fd_handle!(Inotify);

impl Inotify {
    /// `inotify_init1(flags)`: a new inotify instance with no watches.
    ///
    /// # Errors
    /// - [`Errno::INVAL`]: an unknown bit in `flags` (none can be set through
    ///   [`InotifyFlags`]).
    /// - [`Errno::MFILE`]: the user's limit of instances
    ///   (`/proc/sys/fs/inotify/max_user_instances`) or the process's descriptor limit.
    /// - [`Errno::NFILE`]: the system's descriptor limit.
    /// - [`Errno::NOMEM`]: no kernel memory.
    ///
    /// # References
    /// - [inotify_init1(2)](https://man7.org/linux/man-pages/man2/inotify_init1.2.html)
    #[doc(alias = "inotify_init1")]
    #[doc(alias = "inotify_init")]
    #[inline]
    pub fn new(flags: InotifyFlags) -> Result<Inotify> {
        // SAFETY: inotify_init1 takes one integer and touches no user memory.
        let ret = unsafe { syscall1(nr::INOTIFY_INIT1, flags.bits() as usize) };
        // SAFETY: on success inotify_init1 returns a new descriptor that nothing else owns.
        let fd = unsafe { decode_new_fd(ret) }?;
        Ok(Inotify { fd })
    }

    /// `inotify_add_watch(fd, path, mask)`: watches `path` for the events in `mask`, or
    /// changes the events of the watch `path` has already (the same descriptor comes back).
    ///
    /// # Errors
    /// - [`Errno::NOENT`]: `path` (or a directory on the way) does not exist, or is a
    ///   dangling symbolic link.
    /// - [`Errno::NOTDIR`]: a component of `path` is not a directory, or `ONLYDIR` and `path`
    ///   is not a directory.
    /// - [`Errno::ACCES`]: no read permission on `path`, or no search permission on the way.
    /// - [`Errno::EXIST`]: `MASK_CREATE` and `path` is watched already (Linux 4.18).
    /// - [`Errno::INVAL`]: `mask` has no bit inotify knows (an empty mask), or both
    ///   `MASK_CREATE` and `MASK_ADD`.
    /// - [`Errno::NAMETOOLONG`]: `path` is too long.
    /// - [`Errno::LOOP`]: too many symbolic links on the way.
    /// - [`Errno::NOSPC`]: the user's limit of watches
    ///   (`/proc/sys/fs/inotify/max_user_watches`).
    /// - [`Errno::NOMEM`]: no kernel memory.
    ///
    /// # References
    /// - [inotify_add_watch(2)](https://man7.org/linux/man-pages/man2/inotify_add_watch.2.html)
    #[doc(alias = "inotify_add_watch")]
    #[inline]
    pub fn add_watch(&self, path: &CStr, mask: WatchMask) -> Result<WatchDescriptor> {
        // SAFETY: `self.fd` is an open inotify descriptor (owned); `path` is a NUL-terminated
        // string the kernel only reads, up to its NUL.
        let ret = unsafe {
            syscall3(
                nr::INOTIFY_ADD_WATCH,
                self.fd.as_raw_fd() as usize,
                path.as_ptr() as usize,
                mask.bits() as usize,
            )
        };
        decode_raw(ret).map(|wd| WatchDescriptor(wd as i32))
    }

    /// `inotify_rm_watch(fd, wd)`: removes a watch. Its last record, [`WatchMask::IGNORED`],
    /// is queued for the next read.
    ///
    /// # Errors
    /// - [`Errno::INVAL`]: `wd` is not a watch of this instance (never was, or is gone:
    ///   removed already, or its object deleted).
    ///
    /// # References
    /// - [inotify_rm_watch(2)](https://man7.org/linux/man-pages/man2/inotify_rm_watch.2.html)
    #[doc(alias = "inotify_rm_watch")]
    #[inline]
    pub fn rm_watch(&self, wd: WatchDescriptor) -> Result<()> {
        // SAFETY: `self.fd` is an open inotify descriptor (owned); the call takes two integers
        // and touches no user memory.
        let ret = unsafe {
            syscall2(
                nr::INOTIFY_RM_WATCH,
                self.fd.as_raw_fd() as usize,
                wd.0 as isize as usize,
            )
        };
        decode_raw(ret).map(drop)
    }

    /// `read(fd, buf, buf.len())`: as many whole records as fit in `buf`, decoded in place.
    ///
    /// `buf` must hold at least [`MIN_READ_BUFFER`] bytes (272), the longest record there
    /// can be; a few kilobytes take many records per call.
    ///
    /// # Errors
    /// - [`Errno::INVAL`]: `buf` is shorter than [`MIN_READ_BUFFER`]. Checked here, before
    ///   any call: the kernel answers `EINVAL` too when the buffer cannot hold the next
    ///   record, and this way the answer does not depend on that record's name.
    /// - [`Errno::AGAIN`]: `NONBLOCK` and no record is queued.
    /// - [`Errno::INTR`]: a signal handler ran while the read waited.
    ///
    /// # References
    /// - [inotify(7)](https://man7.org/linux/man-pages/man7/inotify.7.html), "Reading events
    ///   from an inotify file descriptor"
    #[inline]
    pub fn read<'buf>(&self, buf: &'buf mut [u8]) -> Result<Events<'buf>> {
        if buf.len() < MIN_READ_BUFFER {
            return Err(crate::Errno::INVAL);
        }
        // SAFETY: `self.fd` is an open inotify descriptor (owned); `buf` is valid for writes
        // of `buf.len()` bytes, the only memory the kernel writes.
        let ret = unsafe {
            syscall3(
                nr::READ,
                self.fd.as_raw_fd() as usize,
                buf.as_mut_ptr() as usize,
                buf.len(),
            )
        };
        let n = decode_raw(ret)?;
        // The kernel wrote `n` bytes; a count past the buffer (which it never returns) would
        // decode nothing rather than read out of bounds.
        Ok(Events::new(buf.get(..n).unwrap_or(&[])))
    }
}
