//! Children of std's `std::process::Command` with the signal state they should have: an
//! extension trait, [`CommandSignals`], whose [`sigmask`](CommandSignals::sigmask) and
//! [`sigdefault`](CommandSignals::sigdefault) set the program's signal mask and reset ignored
//! signals in the child, between `fork` and `execve`. Needs the `std` feature.
//!
//! ```
//! use freepoll::command::CommandSignals;
//! use freepoll::signal::{sigprocmask, SigSet, SigmaskHow, SIGTERM};
//! use std::process::Command;
//!
//! // The event loop blocks SIGTERM to read it from a signalfd ...
//! let old = sigprocmask(SigmaskHow::Block, Some(&SigSet::of(&[SIGTERM])?))?;
//! // ... and its children start with nothing blocked.
//! let out = Command::new("/bin/cat")
//!     .arg("/proc/self/status")
//!     .sigmask(SigSet::empty())
//!     .output()
//!     .unwrap();
//! let status = String::from_utf8(out.stdout).unwrap();
//! assert!(status.lines().any(|l| l == "SigBlk:\t0000000000000000"), "{status}");
//! sigprocmask(SigmaskHow::SetMask, Some(&old))?;
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **std's `Command` keeps the caller's signal mask.** A child starts with the mask of the
//! thread that forks it and keeps it across `execve` (POSIX's rule, which std follows on
//! purpose). A program that blocks `SIGTERM`, `SIGINT` or `SIGCHLD` for a
//! [`SignalFd`](crate::signalfd::SignalFd) would give its children those signals blocked:
//! they could no longer be stopped with `SIGTERM`, and whatever waits for children in them
//! would never hear of one. Call [`sigmask`](CommandSignals::sigmask) on every `Command` such
//! a program runs. Ignored signals (`SIG_IGN`) survive `execve` as well;
//! [`sigdefault`](CommandSignals::sigdefault) resets them. std itself already resets
//! `SIGPIPE`, which it ignores in the parent.
//!
//! **The setting is applied in the child by a `pre_exec` hook.** With one, std starts the
//! child with `fork` rather than `posix_spawn` or `vfork`, which costs a copy of the page
//! tables: for a large process that starts many programs, [`Spawn`](crate::spawn::Spawn)
//! (no fork, no C library, the same signal settings and an empty mask by default) is the
//! lighter way, and gives a pidfd along with the child.
//!
//! # References
//! - [signal(7)](https://man7.org/linux/man-pages/man7/signal.7.html), "Signal mask and
//!   pending signals", "Execution of signal handlers" and the effect of `execve`
//! - [std::os::unix::process::CommandExt::pre_exec](https://doc.rust-lang.org/std/os/unix/process/trait.CommandExt.html#tymethod.pre_exec)

use crate::signal::{self, sigprocmask, SetDisposition, SigSet, SigmaskHow};
use crate::signal::{SIGKILL, SIGRTMAX, SIGSTOP};
use std::os::unix::process::CommandExt;
use std::process::Command;

mod sealed {
    /// Only `std::process::Command` takes [`CommandSignals`](super::CommandSignals).
    pub trait Sealed {}
    impl Sealed for std::process::Command {}
}

/// Signal settings for the program a `std::process::Command` starts (`std` feature).
///
/// Each call adds one step that the child runs between `fork` and `execve`, in the order of
/// the calls, after std's own set-up (descriptors, working directory, ...). A step that fails
/// makes `spawn` (or `output`, `status`) fail with its error, as an `io::Error` with the raw
/// errno, and no program starts.
pub trait CommandSignals: sealed::Sealed {
    /// `rt_sigprocmask(SIG_SETMASK, &mask, NULL, 8)` in the child: the program starts with
    /// `mask` blocked, whatever the calling thread blocks. `SigSet::empty()` for nothing
    /// blocked, which is what almost every program expects.
    ///
    /// # Errors (of `spawn`)
    /// None in practice: the kernel ignores `SIGKILL` and `SIGSTOP` in a mask.
    ///
    /// # References
    /// - [sigprocmask(2)](https://man7.org/linux/man-pages/man2/sigprocmask.2.html)
    #[doc(alias = "pthread_sigmask")]
    #[doc(alias = "sigprocmask")]
    fn sigmask(&mut self, mask: SigSet) -> &mut Command;

    /// `rt_sigaction(sig, {SIG_DFL}, NULL, 8)` in the child for every signal in `signals`
    /// (`SIGKILL` and `SIGSTOP` skipped): sets them back to the default action, so that a
    /// signal the caller ignores (`SIG_IGN` survives `execve`) does not stay ignored in the
    /// program. Signals with a handler need nothing: `execve` resets those.
    ///
    /// # Errors (of `spawn`)
    /// - `EINVAL`: a signal an emulator cannot set (qemu-user, for the signals it keeps for
    ///   itself).
    ///
    /// # References
    /// - [sigaction(2)](https://man7.org/linux/man-pages/man2/sigaction.2.html)
    #[doc(alias = "sigaction")]
    fn sigdefault(&mut self, signals: SigSet) -> &mut Command;
}

impl CommandSignals for Command {
    fn sigmask(&mut self, mask: SigSet) -> &mut Command {
        let hook = move || -> std::io::Result<()> {
            sigprocmask(SigmaskHow::SetMask, Some(&mask))?;
            Ok(())
        };
        // SAFETY: `pre_exec` requires a closure that is safe to run in the child between
        // `fork` and `execve`, where only async-signal-safe work is allowed (the child has
        // one thread; a lock another thread held at the fork stays held forever). This one
        // captures `mask`, a `SigSet` (one `u64`), by value, allocates nothing, takes no lock
        // and touches no shared state: it makes one `rt_sigprocmask` system call through
        // freepoll's inline asm (no C library), on the stack. Its only output is an
        // `io::Error` made with `from_raw_os_error`, which stores the number and allocates
        // nothing. The mask it sets is the child's own (the child is a separate process).
        unsafe { self.pre_exec(hook) }
    }

    fn sigdefault(&mut self, signals: SigSet) -> &mut Command {
        let hook = move || -> std::io::Result<()> {
            for sig in 1..=SIGRTMAX {
                if sig != SIGKILL && sig != SIGSTOP && signals.contains(sig) {
                    signal::rt_sigaction(sig, Some(SetDisposition::Default))?;
                }
            }
            Ok(())
        };
        // SAFETY: as in `sigmask`: the closure owns a copy of `signals` (one `u64`), and makes
        // only `rt_sigaction` system calls through freepoll's inline asm, with a
        // `KernelSigaction` on the stack whose handler is SIG_DFL (no code is installed), in
        // the child, whose dispositions are its own copy (fork shares no handler table). No
        // allocation, no lock; an error becomes an `io::Error` by number only.
        unsafe { self.pre_exec(hook) }
    }
}
