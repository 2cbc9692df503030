//! The terminal's foreground process group, for a PID 1 or a shell-like supervisor that
//! hands the console to a child and takes it back: [`tcgetpgrp`] and [`tcsetpgrp`].
//!
//! ```no_run
//! use freepoll::io::stdin;
//! use freepoll::tty::{tcgetpgrp, tcsetpgrp};
//! // Give the terminal to process group `child_pgid`, and take it back afterwards.
//! # let child_pgid = 0;
//! let mine = tcgetpgrp(stdin())?;
//! tcsetpgrp(stdin(), child_pgid)?;
//! // ... the child runs in the foreground ...
//! tcsetpgrp(stdin(), mine)?;
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **Only the controlling terminal.** Both calls work on the caller's controlling terminal
//! only; another terminal (or a descriptor that is no terminal) answers `ENOTTY`. And a
//! process of a background group that calls `tcsetpgrp` gets `SIGTTOU`, which stops it unless
//! it blocks or ignores that signal: a supervisor taking the terminal back blocks `SIGTTOU`
//! first.

use crate::arch::{nr, syscall3};
use crate::errno::{decode_raw, Result};
use crate::fd::{AsFd, AsRawFd};
#[cfg(doc)]
use crate::Errno;

/// `ioctl(fd, TIOCGPGRP, &pgid)`: the foreground process group of the terminal `fd`, which
/// must be the caller's controlling terminal.
///
/// # Errors
/// - [`Errno::NOTTY`]: `fd` is not a terminal, or not the caller's controlling terminal.
/// - [`Errno::BADF`]: not from a borrowed descriptor, which is open; listed for raw users.
///
/// # References
/// - [tcgetpgrp(3)](https://man7.org/linux/man-pages/man3/tcgetpgrp.3.html),
///   [TIOCGPGRP(2const)](https://man7.org/linux/man-pages/man2/TIOCGPGRP.2const.html)
#[doc(alias = "TIOCGPGRP")]
#[inline]
pub fn tcgetpgrp(fd: impl AsFd) -> Result<i32> {
    let mut pgid: i32 = 0;
    // SAFETY: `fd` is borrowed, so open for the call; TIOCGPGRP writes one `pid_t` (an `int`)
    // at the address given, `pgid` here, live and writable for the call.
    let ret = unsafe {
        syscall3(
            nr::IOCTL,
            fd.as_fd().as_raw_fd() as usize,
            crate::arch::TIOCGPGRP as usize,
            &mut pgid as *mut i32 as usize,
        )
    };
    decode_raw(ret)?;
    Ok(pgid)
}

/// `ioctl(fd, TIOCSPGRP, &pgid)`: makes process group `pgid` (of the caller's session) the
/// foreground group of the terminal `fd`, the caller's controlling terminal.
///
/// # Errors
/// - [`Errno::NOTTY`]: `fd` is not a terminal, or not the caller's controlling terminal.
/// - [`Errno::PERM`]: `pgid` is a process group of another session.
/// - [`Errno::SRCH`]: no process group `pgid`.
/// - [`Errno::INVAL`]: `pgid` is negative.
/// - [`Errno::INTR`]: the caller is in a background group and `SIGTTOU`, not blocked or
///   ignored, was sent to its group.
///
/// # References
/// - [tcsetpgrp(3)](https://man7.org/linux/man-pages/man3/tcsetpgrp.3.html),
///   [TIOCSPGRP(2const)](https://man7.org/linux/man-pages/man2/TIOCSPGRP.2const.html)
#[doc(alias = "TIOCSPGRP")]
#[inline]
pub fn tcsetpgrp(fd: impl AsFd, pgid: i32) -> Result<()> {
    // SAFETY: `fd` is borrowed, so open for the call; TIOCSPGRP reads one `pid_t` (an `int`)
    // at the address given, `pgid` here, live for the call.
    let ret = unsafe {
        syscall3(
            nr::IOCTL,
            fd.as_fd().as_raw_fd() as usize,
            crate::arch::TIOCSPGRP as usize,
            &pgid as *const i32 as usize,
        )
    };
    decode_raw(ret).map(drop)
}
