//! The I/O around an event loop: [`read`](fn@read) and [`write`](fn@write) on any
//! descriptor, [`pipe2`], and [`dup3`] onto a descriptor the caller owns.
//!
//! ```
//! use freepoll::io::{pipe2, read, write, PipeFlags};
//! let (rx, tx) = pipe2(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK)?;
//! assert_eq!(write(&tx, b"ping")?, 4);
//! let mut buf = [0u8; 16];
//! let n = read(&rx, &mut buf)?;
//! assert_eq!(&buf[..n], b"ping");
//! // Empty and non-blocking: the kernel's EAGAIN, as it is.
//! assert_eq!(read(&rx, &mut buf), Err(freepoll::Errno::AGAIN));
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **Nothing is retried.** A call interrupted by a signal handler fails with
//! [`Errno::INTR`]; a non-blocking descriptor with nothing to read, or no room to write, fails
//! with [`Errno::AGAIN`]. Both come back to the caller, who decides: an event loop goes back
//! to its wait.
//!
//! **A short count is not an error.** `read` and `write` return how many bytes moved, which
//! may be fewer than asked (a pipe with less data, a signal after some bytes were copied). A
//! read of 0 bytes from a pipe, socket or terminal is end of file.

use crate::arch::{nr, syscall2, syscall3};
use crate::errno::{decode_raw, Result};
use crate::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
#[cfg(doc)]
use crate::Errno;
use bitflags::bitflags;

/// `O_CLOEXEC` (`include/uapi/asm-generic/fcntl.h`), which the `*_CLOEXEC` flags of eventfd,
/// timerfd, signalfd and pipe2 all are.
pub(crate) const O_CLOEXEC: u32 = 0o2_000_000;
/// `O_NONBLOCK` (`include/uapi/asm-generic/fcntl.h`), likewise the `*_NONBLOCK` flags.
pub(crate) const O_NONBLOCK: u32 = 0o4000;

bitflags! {
    /// Flags for [`pipe2`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct PipeFlags: u32 {
        /// `O_CLOEXEC`: close both ends on `execve`.
        const CLOEXEC = O_CLOEXEC;
        /// `O_NONBLOCK`: reads of an empty pipe and writes to a full one fail with `EAGAIN`.
        const NONBLOCK = O_NONBLOCK;
        /// `O_DIRECT`: packet mode, each write one packet (Linux 3.4). Its value depends on
        /// the architecture (from the arch file).
        const DIRECT = crate::arch::O_DIRECT;
    }
}

bitflags! {
    /// Flags for [`dup3`].
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct DupFlags: u32 {
        /// `O_CLOEXEC`: close the new descriptor on `execve`.
        const CLOEXEC = O_CLOEXEC;
    }
}

/// `read(fd, buf, buf.len())`: reads up to `buf.len()` bytes, returns how many it read.
///
/// ```
/// use freepoll::io::{pipe2, read, write, PipeFlags};
/// let (rx, tx) = pipe2(PipeFlags::CLOEXEC)?;
/// write(&tx, b"abc")?;
/// drop(tx);
/// let mut buf = [0u8; 2];
/// assert_eq!(read(&rx, &mut buf)?, 2);
/// assert_eq!(read(&rx, &mut buf)?, 1);
/// assert_eq!(read(&rx, &mut buf)?, 0); // every writer closed: end of file
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::AGAIN`]: `fd` is non-blocking and has nothing to read now.
/// - [`Errno::INTR`]: a signal handler ran before any byte was read.
/// - [`Errno::BADF`]: `fd` is not open for reading.
/// - [`Errno::INVAL`]: `fd` cannot be read this way, or the size is wrong for it (an eventfd,
///   timerfd or signalfd given a buffer too small for one record: use their own types).
/// - [`Errno::ISDIR`], [`Errno::IO`]: as the object reports.
///
/// # References
/// - [read(2)](https://man7.org/linux/man-pages/man2/read.2.html)
#[inline]
pub fn read(fd: impl AsFd, buf: &mut [u8]) -> Result<usize> {
    // SAFETY: `fd` is borrowed, so open for the call; `buf` is valid for writes of
    // `buf.len()` bytes, the only memory the kernel writes.
    let ret = unsafe {
        syscall3(
            nr::READ,
            fd.as_fd().as_raw_fd() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    };
    decode_raw(ret)
}

/// `write(fd, bytes, bytes.len())`: writes up to `bytes.len()` bytes, returns how many it
/// wrote.
///
/// ```
/// use freepoll::io::{pipe2, write, PipeFlags};
/// let (rx, tx) = pipe2(PipeFlags::CLOEXEC)?;
/// assert_eq!(write(&tx, b"hello")?, 5);
/// # drop(rx);
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::AGAIN`]: `fd` is non-blocking and has no room now.
/// - [`Errno::INTR`]: a signal handler ran before any byte was written.
/// - [`Errno::PIPE`]: a pipe or socket with no reader left (the process also gets
///   `SIGPIPE`, whose default action ends it).
/// - [`Errno::BADF`]: `fd` is not open for writing.
/// - [`Errno::INVAL`]: `fd` cannot be written this way, or the size is wrong for it (an
///   eventfd takes exactly 8 bytes).
///
/// # References
/// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
#[inline]
pub fn write(fd: impl AsFd, bytes: &[u8]) -> Result<usize> {
    // SAFETY: `fd` is borrowed, so open for the call; `bytes` is valid for reads of
    // `bytes.len()` bytes, the only memory the kernel reads, and it writes none.
    let ret = unsafe {
        syscall3(
            nr::WRITE,
            fd.as_fd().as_raw_fd() as usize,
            bytes.as_ptr() as usize,
            bytes.len(),
        )
    };
    decode_raw(ret)
}

/// `pipe2(fds, flags)`: a new pipe, as `(read end, write end)`.
///
/// # Errors
/// - [`Errno::INVAL`]: `flags` has a bit the kernel does not know.
/// - [`Errno::MFILE`], [`Errno::NFILE`]: the process's or the system's descriptor limit.
///
/// # References
/// - [pipe2(2)](https://man7.org/linux/man-pages/man2/pipe2.2.html)
#[doc(alias = "pipe")]
#[inline]
pub fn pipe2(flags: PipeFlags) -> Result<(OwnedFd, OwnedFd)> {
    let mut fds: [RawFd; 2] = [-1, -1];
    // SAFETY: `fds` is valid for writes of two `int`s, which is what the kernel writes.
    let ret = unsafe { syscall2(nr::PIPE2, fds.as_mut_ptr() as usize, flags.bits() as usize) };
    decode_raw(ret)?;
    let [rx, tx] = fds;
    // SAFETY: pipe2 succeeded, so it wrote two new descriptors that nothing else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(rx), OwnedFd::from_raw_fd(tx)) })
}

/// `dup3(old, new, flags)`: makes `new` refer to what `old` refers to, closing what `new`
/// referred to before.
///
/// `new` must be an `OwnedFd`: replacing a descriptor that something else owns would leave
/// that owner closing or using an object it never opened. To point the standard descriptors
/// of a program with no C library at a console, own 0, 1 and 2 first (`from_raw_fd`, where
/// the program knows nothing else does).
///
/// ```
/// use freepoll::io::{dup3, pipe2, read, write, DupFlags, PipeFlags};
/// let (rx, tx) = pipe2(PipeFlags::CLOEXEC)?;
/// let (_other_rx, mut target) = pipe2(PipeFlags::CLOEXEC)?;
/// dup3(&tx, &mut target, DupFlags::CLOEXEC)?;
/// write(&target, b"x")?; // now the first pipe's write end
/// let mut buf = [0u8; 1];
/// assert_eq!(read(&rx, &mut buf)?, 1);
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::INVAL`]: `old` and `new` are the same descriptor (dup3 does not accept that,
///   unlike dup2), or `flags` has an unknown bit.
/// - [`Errno::BUSY`]: a race with `open` in another thread.
/// - [`Errno::INTR`]: closing what `new` referred to was interrupted.
///
/// # References
/// - [dup3(2)](https://man7.org/linux/man-pages/man2/dup3.2.html)
#[doc(alias = "dup2")]
#[inline]
pub fn dup3(old: impl AsFd, new: &mut OwnedFd, flags: DupFlags) -> Result<()> {
    // SAFETY: `old` is borrowed and `new` owned by the caller, both open for the call. The
    // kernel closes what `new` referred to; `new` keeps its number and stays owned by the
    // caller, so no other owner is affected. No user memory is touched.
    let ret = unsafe {
        syscall3(
            nr::DUP3,
            old.as_fd().as_raw_fd() as usize,
            new.as_raw_fd() as usize,
            flags.bits() as usize,
        )
    };
    decode_raw(ret).map(drop)
}

/// `read(fd, &value, 8)`: the 8-byte count an eventfd or a timerfd gives (always all 8 bytes,
/// or an error).
#[inline]
pub(crate) fn read_u64(fd: impl AsFd) -> Result<u64> {
    let mut bytes = [0u8; 8];
    read(fd, &mut bytes)?;
    Ok(u64::from_ne_bytes(bytes))
}

/// `write(fd, &value, 8)`: the 8-byte count an eventfd takes (all 8 bytes, or an error).
#[inline]
pub(crate) fn write_u64(fd: impl AsFd, value: u64) -> Result<()> {
    write(fd, &value.to_ne_bytes()).map(drop)
}

/// Descriptor 0, standard input, borrowed for the whole program.
///
/// The three standard descriptors are the process's, set up by whoever started it (the
/// kernel opens `/dev/console` for PID 1), and freepoll treats them as std does: open for the
/// program's lifetime, closed by nobody. If one was closed at the start, calls on it fail
/// with [`Errno::BADF`]; a program that takes ownership of one (`OwnedFd::from_raw_fd(0)`)
/// must not use these afterwards.
///
/// ```
/// use freepoll::io::{stdout, write};
/// write(stdout(), b"")?;
/// # Ok::<(), freepoll::Errno>(())
/// ```
#[inline]
pub fn stdin() -> BorrowedFd<'static> {
    // SAFETY: the standard descriptors are open for the life of the process and owned by no
    // `OwnedFd` (the contract above, std's own for its `Stdin`).
    unsafe { BorrowedFd::borrow_raw(0) }
}

/// Descriptor 1, standard output, borrowed for the whole program (see [`stdin`]).
#[inline]
pub fn stdout() -> BorrowedFd<'static> {
    // SAFETY: as in `stdin`.
    unsafe { BorrowedFd::borrow_raw(1) }
}

/// Descriptor 2, standard error, borrowed for the whole program (see [`stdin`]).
#[inline]
pub fn stderr() -> BorrowedFd<'static> {
    // SAFETY: as in `stdin`.
    unsafe { BorrowedFd::borrow_raw(2) }
}
