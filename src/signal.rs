//! [`SigSet`], the kernel's signal mask (for [`epoll_pwait`](crate::epoll::epoll_pwait)), and
//! the signal numbers, named, so that a program without libc needs no `libc::SIG*`.
//!
//! The numbers are the kernel's on every architecture freepoll supports (the asm-generic
//! numbering, `include/uapi/asm-generic/signal.h`; x86 and arm use the same). Real-time signals
//! run from [`SIGRTMIN`] (32) to [`SIGRTMAX`] (64) as the kernel numbers them. A C library
//! keeps the first two or three for itself (glibc: 32 and 33; musl: 32, 33 and 34) and so its
//! own `SIGRTMIN` is higher: 34 or 35. A program that shares its process with a C library
//! should take real-time signals from `SIGRTMIN + 3` up.
//!
//! ```
//! use freepoll::signal::{SigSet, SIGCHLD, SIGTERM};
//!
//! let mut set = SigSet::empty();
//! set.add(SIGTERM)?;
//! set.add(SIGCHLD)?;
//! assert_eq!(set.bits(), 1 << (15 - 1) | 1 << (17 - 1));
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Waiting for signals in an event loop
//!
//! Block the signals with [`sigprocmask`], then read them from a
//! [`SignalFd`](crate::signalfd::SignalFd) registered with epoll. Two traps, stated once here:
//!
//! **Block them in every thread, before any other thread starts.** A signal sent to the
//! process goes to any one thread that does not block it. If one thread leaves it unblocked,
//! that thread takes it, by its handler or by the default action (which for `SIGTERM` and
//! `SIGINT` ends the process), and the signalfd never sees it. Threads inherit the mask of the
//! thread that creates them, so blocking first, in the main thread, covers them all.
//!
//! **Standard signals coalesce.** Signals 1 to 31 are pending or not: three children that
//! exit before the loop reads give one `SIGCHLD`. So `SIGCHLD` means "reap until nothing is
//! left": call [`waitid`](crate::process::waitid) with [`NOHANG`](crate::process::WaitOptions::NOHANG)
//! until it answers `None`, not once per signal. Real-time signals (32 to 64) queue, one record
//! each.
//!
//! **The mask and ignored signals outlive `fork` and `execve`.** A child starts with its
//! parent's blocked mask and keeps it across `execve`, and a signal set to `SIG_IGN` stays
//! ignored in the new program too (handlers do not: `execve` resets them to the default). A
//! program that blocks `SIGTERM` and `SIGCHLD` for its signalfd and then starts a shell with
//! `fork` and `execve` gives that shell a blocked `SIGTERM` and `SIGCHLD`: it can no longer be
//! stopped with `kill`, and whatever waits for children in it breaks. std's
//! `std::process::Command` keeps the parent's mask on purpose (it is POSIX's rule), so it
//! does this too. [`Spawn`](crate::spawn::Spawn) starts the child with an empty mask unless
//! asked otherwise, and can set ignored signals back to the default
//! ([`Spawn::sigdefault`](crate::spawn::Spawn::sigdefault)). For children of std's
//! `Command`, the `std` feature's `command::CommandSignals` trait adds `.sigmask(mask)` and
//! `.sigdefault(signals)` to `Command`, which do the same in the child before `execve`.
//!
//! # References
//! - [signal(7)](https://man7.org/linux/man-pages/man7/signal.7.html)

use crate::arch::{nr, syscall4, KernelSigaction};
use crate::errno::{decode_raw, Errno, Result};
use core::fmt;

/// Hangup of the controlling terminal, or the death of its controlling process.
pub const SIGHUP: i32 = 1;
/// Interrupt from the keyboard (Ctrl-C).
pub const SIGINT: i32 = 2;
/// Quit from the keyboard (Ctrl-\\).
pub const SIGQUIT: i32 = 3;
/// Illegal instruction.
pub const SIGILL: i32 = 4;
/// Trace or breakpoint trap.
pub const SIGTRAP: i32 = 5;
/// Abort, as from abort(3).
pub const SIGABRT: i32 = 6;
/// The old name of [`SIGABRT`].
pub const SIGIOT: i32 = 6;
/// Bus error: a bad memory access.
pub const SIGBUS: i32 = 7;
/// Arithmetic exception.
pub const SIGFPE: i32 = 8;
/// Kill: cannot be caught, blocked or ignored.
pub const SIGKILL: i32 = 9;
/// User-defined signal 1.
pub const SIGUSR1: i32 = 10;
/// Invalid memory reference.
pub const SIGSEGV: i32 = 11;
/// User-defined signal 2.
pub const SIGUSR2: i32 = 12;
/// Write to a pipe or socket with no reader.
pub const SIGPIPE: i32 = 13;
/// Timer signal, as from alarm(2).
pub const SIGALRM: i32 = 14;
/// Termination request: what `kill` sends by default, and what an init is asked to stop with.
pub const SIGTERM: i32 = 15;
/// Stack fault on a coprocessor (unused).
pub const SIGSTKFLT: i32 = 16;
/// A child stopped, continued or ended.
pub const SIGCHLD: i32 = 17;
/// Continue if stopped.
pub const SIGCONT: i32 = 18;
/// Stop the process: cannot be caught, blocked or ignored.
pub const SIGSTOP: i32 = 19;
/// Stop typed at the terminal (Ctrl-Z).
pub const SIGTSTP: i32 = 20;
/// Terminal input for a background process.
pub const SIGTTIN: i32 = 21;
/// Terminal output for a background process.
pub const SIGTTOU: i32 = 22;
/// Urgent condition on a socket.
pub const SIGURG: i32 = 23;
/// CPU time limit exceeded.
pub const SIGXCPU: i32 = 24;
/// File size limit exceeded.
pub const SIGXFSZ: i32 = 25;
/// Virtual alarm clock.
pub const SIGVTALRM: i32 = 26;
/// Profiling timer expired.
pub const SIGPROF: i32 = 27;
/// Window resize.
pub const SIGWINCH: i32 = 28;
/// I/O now possible.
pub const SIGIO: i32 = 29;
/// The System V name of [`SIGIO`].
pub const SIGPOLL: i32 = 29;
/// Power failure.
pub const SIGPWR: i32 = 30;
/// Bad system call: what a seccomp filter's `SECCOMP_RET_TRAP` raises.
pub const SIGSYS: i32 = 31;
/// The first real-time signal as the kernel numbers them. A C library in the process reserves
/// this one and the next one or two: see the module docs.
pub const SIGRTMIN: i32 = 32;
/// The last real-time signal, and the highest signal number (`_NSIG`).
pub const SIGRTMAX: i32 = 64;

/// `si_code` `SI_USER`: sent by kill(2) or pidfd_send_signal(2) (`include/uapi/asm-generic/siginfo.h`).
pub const SI_USER: i32 = 0;
/// `si_code` `SI_KERNEL`: sent by the kernel.
pub const SI_KERNEL: i32 = 0x80;
/// `si_code` `SI_QUEUE`: sent by sigqueue(3).
pub const SI_QUEUE: i32 = -1;
/// `si_code` `SI_TKILL`: sent by tgkill(2) or tkill(2).
pub const SI_TKILL: i32 = -6;
/// `si_code` `CLD_EXITED` of a `SIGCHLD`: the child exited.
pub const CLD_EXITED: i32 = 1;
/// `si_code` `CLD_KILLED` of a `SIGCHLD`: the child was killed by a signal.
pub const CLD_KILLED: i32 = 2;
/// `si_code` `CLD_DUMPED` of a `SIGCHLD`: the child was killed by a signal and dumped core.
pub const CLD_DUMPED: i32 = 3;
/// `si_code` `CLD_TRAPPED` of a `SIGCHLD`: a traced child trapped.
pub const CLD_TRAPPED: i32 = 4;
/// `si_code` `CLD_STOPPED` of a `SIGCHLD`: the child stopped.
pub const CLD_STOPPED: i32 = 5;
/// `si_code` `CLD_CONTINUED` of a `SIGCHLD`: the stopped child continued.
pub const CLD_CONTINUED: i32 = 6;

/// The kernel's `sizeof(sigset_t)` on every supported architecture: 64 signals, one bit each
/// (`_NSIG` is 64). `epoll_pwait` and `epoll_pwait2` take it as `sigsetsize` and reject any
/// other value with `EINVAL`, even when the mask pointer is NULL.
pub(crate) const KERNEL_SIGSET_SIZE: usize = 8;

/// The highest signal number: `_NSIG` on these architectures.
const MAX_SIGNAL: i32 = SIGRTMAX;

/// The signals a C library keeps for itself: 32 and 33 in glibc (`SIGCANCEL`, thread
/// cancellation; `SIGSETXID`, which `setuid()` and its relatives send to every thread and wait
/// for), and 34 too in musl (`SIGSYNCCALL`). [`SigSet::full`] leaves them out, as
/// `sigfillset(3)` does.
const LIBC_RESERVED: u64 = 0b111 << (SIGRTMIN - 1);

/// A set of signals in the kernel's layout: bit `n - 1` of one `u64` stands for signal `n`,
/// for `n` in `1..=64` (`SIGHUP` is 1, `SIGRTMAX` is 64).
///
/// This is the kernel's `sigset_t`, 8 bytes, not glibc's 128-byte one: it is what
/// [`epoll_pwait`](crate::epoll::epoll_pwait) hands the kernel.
///
/// Signal numbers outside `1..=64` are rejected, never wrapped onto another signal:
/// [`add`](SigSet::add) and [`remove`](SigSet::remove) return [`Errno::INVAL`] (as C's
/// `sigaddset` does), [`contains`](SigSet::contains) answers `false`.
///
/// ```
/// use freepoll::signal::{SigSet, SIGUSR1, SIGUSR2};
///
/// let mut set = SigSet::empty();
/// set.add(SIGUSR1)?;
/// assert!(set.contains(SIGUSR1));
/// assert!(!set.contains(SIGUSR2));
/// assert_eq!(set.add(0), Err(freepoll::Errno::INVAL));
/// assert_eq!(set.add(65), Err(freepoll::Errno::INVAL));
///
/// let mut all_but_one = SigSet::full();
/// all_but_one.remove(SIGUSR1)?;
/// assert!(!all_but_one.contains(SIGUSR1) && all_but_one.contains(SIGUSR2));
///
/// // The raw bits, for a call freepoll does not wrap: bit n - 1 is signal n.
/// assert_eq!(SigSet::from_bits(set.bits()), set);
/// assert_eq!(set.bits(), 1 << (SIGUSR1 - 1));
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # References
/// - [sigsetops(3)](https://man7.org/linux/man-pages/man3/sigsetops.3.html),
///   [signal(7)](https://man7.org/linux/man-pages/man7/signal.7.html)
#[doc(alias = "sigset_t")]
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct SigSet {
    bits: u64,
}

static_assertions::const_assert!(core::mem::size_of::<SigSet>() == KERNEL_SIGSET_SIZE);

/// The bit of signal `sig`, or `None` outside `1..=64`.
#[inline]
const fn bit(sig: i32) -> Option<u64> {
    if sig >= 1 && sig <= MAX_SIGNAL {
        // `sig - 1` is in 0..=63 here, so the subtraction never wraps and the shift is valid.
        Some(1 << (sig as u32).wrapping_sub(1))
    } else {
        None
    }
}

impl SigSet {
    /// No signals.
    #[doc(alias = "sigemptyset")]
    #[inline]
    pub const fn empty() -> SigSet {
        SigSet { bits: 0 }
    }

    /// Every signal but the three that C libraries keep for themselves (32, 33 and 34), as
    /// `sigfillset(3)` gives it: the set to block in a process that may have a C library.
    ///
    /// glibc's `setuid()`, `setgid()` and their relatives, in a process with several threads,
    /// send signal 33 to every thread and wait until each has handled it; glibc cancels
    /// threads with 32, musl uses 34 too. A thread waiting with those blocked would stall
    /// that other thread for its whole wait, so this set leaves them out. (The kernel never
    /// blocks `SIGKILL` or `SIGSTOP`, whatever the mask.)
    ///
    /// ```
    /// use freepoll::signal::{SigSet, SIGRTMAX, SIGRTMIN, SIGTERM};
    /// let full = SigSet::full();
    /// assert!(full.contains(SIGTERM) && full.contains(SIGRTMAX));
    /// assert!(!full.contains(SIGRTMIN) && !full.contains(33) && !full.contains(34));
    /// ```
    #[doc(alias = "sigfillset")]
    #[inline]
    pub const fn full() -> SigSet {
        SigSet {
            bits: !LIBC_RESERVED,
        }
    }

    /// All 64 signals, the ones C libraries reserve included: only for a program with no C
    /// library anywhere in its process (`#![no_std]`, `#![no_main]`, freepoll's own `_start`).
    ///
    /// In a process with glibc or musl, a thread that blocks these stalls the library's other
    /// threads: see [`full`](SigSet::full), which is what such a process wants.
    ///
    /// ```
    /// use freepoll::signal::{SigSet, SIGRTMIN};
    /// assert_eq!(SigSet::full_including_libc_reserved().bits(), u64::MAX);
    /// assert!(SigSet::full_including_libc_reserved().contains(SIGRTMIN));
    /// ```
    #[inline]
    pub const fn full_including_libc_reserved() -> SigSet {
        SigSet { bits: u64::MAX }
    }

    /// The set whose raw bits are `bits`, in the kernel's layout: bit `n - 1` stands for
    /// signal `n`. Every `u64` is a valid set.
    #[inline]
    pub const fn from_bits(bits: u64) -> SigSet {
        SigSet { bits }
    }

    /// The raw bits of the set, in the kernel's layout (bit `n - 1` is signal `n`): the 8-byte
    /// `sigset_t` a system call takes, for calls freepoll does not wrap.
    #[inline]
    pub const fn bits(&self) -> u64 {
        self.bits
    }

    /// The set of the signals in `signals`.
    ///
    /// ```
    /// use freepoll::signal::{SigSet, SIGCHLD, SIGINT, SIGTERM};
    /// let set = SigSet::of(&[SIGCHLD, SIGTERM, SIGINT])?;
    /// assert!(set.contains(SIGCHLD) && set.contains(SIGINT) && !set.contains(1));
    /// # Ok::<(), freepoll::Errno>(())
    /// ```
    ///
    /// # Errors
    /// [`Errno::INVAL`] if a number is not in `1..=64`.
    #[inline]
    pub fn of(signals: &[i32]) -> Result<SigSet> {
        let mut set = SigSet::empty();
        for &sig in signals {
            set.add(sig)?;
        }
        Ok(set)
    }

    /// Adds signal `sig`.
    ///
    /// # Errors
    /// [`Errno::INVAL`] if `sig` is not in `1..=64`; the set is unchanged.
    #[doc(alias = "sigaddset")]
    #[inline]
    pub fn add(&mut self, sig: i32) -> Result<()> {
        let bit = bit(sig).ok_or(Errno::INVAL)?;
        self.bits |= bit;
        Ok(())
    }

    /// Removes signal `sig`.
    ///
    /// # Errors
    /// [`Errno::INVAL`] if `sig` is not in `1..=64`; the set is unchanged.
    #[doc(alias = "sigdelset")]
    #[inline]
    pub fn remove(&mut self, sig: i32) -> Result<()> {
        let bit = bit(sig).ok_or(Errno::INVAL)?;
        self.bits &= !bit;
        Ok(())
    }

    /// Whether signal `sig` is in the set; `false` for any number outside `1..=64`.
    #[doc(alias = "sigismember")]
    #[inline]
    pub const fn contains(&self, sig: i32) -> bool {
        match bit(sig) {
            Some(bit) => self.bits & bit != 0,
            None => false,
        }
    }
}

impl fmt::Debug for SigSet {
    /// The signal numbers in the set: `SigSet {10, 12}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigSet ")?;
        f.debug_set()
            .entries((1..=MAX_SIGNAL).filter(|&sig| self.contains(sig)))
            .finish()
    }
}

/// What [`sigprocmask`] does with its set (`SIG_BLOCK`, `SIG_UNBLOCK`, `SIG_SETMASK`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum SigmaskHow {
    /// `SIG_BLOCK`: block the signals of the set, besides those blocked already.
    Block = 0,
    /// `SIG_UNBLOCK`: unblock the signals of the set.
    Unblock = 1,
    /// `SIG_SETMASK`: block exactly the signals of the set.
    SetMask = 2,
}

/// `rt_sigprocmask(how, set, &old, 8)`: changes this thread's signal mask, and returns the
/// mask it had. With `None` it only reads the mask (`how` is then ignored).
///
/// The mask is per thread; a thread started later inherits its creator's. The kernel never
/// blocks `SIGKILL` or `SIGSTOP` and leaves them out silently. See the module docs for why a
/// signal read through a signalfd must be blocked in every thread.
///
/// **The signals a C library reserves (32 to 34).** This function is safe although it can
/// block them: a thread with them blocked makes glibc's `setuid()` and its relatives in other
/// threads wait (they signal every thread and wait for each to answer), which is a stall, not
/// undefined behaviour, and a program without a C library has no such waiter. The reserved
/// signals are kept out of the way instead: [`SigSet::full`] leaves them out, and only a set
/// built by naming them ([`SigSet::full_including_libc_reserved`], [`SigSet::add`],
/// [`SigSet::from_bits`]) blocks them. In a process with a C library, leave them unblocked.
///
/// ```
/// use freepoll::signal::{sigprocmask, SigSet, SigmaskHow, SIGUSR1};
/// let set = SigSet::of(&[SIGUSR1])?;
/// let old = sigprocmask(SigmaskHow::Block, Some(&set))?;
/// assert!(sigprocmask(SigmaskHow::Block, None)?.contains(SIGUSR1));
/// sigprocmask(SigmaskHow::SetMask, Some(&old))?; // as it was
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// None in practice: `how` is always valid, and `set` is a valid 8-byte kernel `sigset_t`.
///
/// # References
/// - [sigprocmask(2)](https://man7.org/linux/man-pages/man2/sigprocmask.2.html),
///   [pthread_sigmask(3)](https://man7.org/linux/man-pages/man3/pthread_sigmask.3.html)
#[doc(alias = "rt_sigprocmask")]
#[doc(alias = "pthread_sigmask")]
#[inline]
pub fn sigprocmask(how: SigmaskHow, set: Option<&SigSet>) -> Result<SigSet> {
    let mut old = SigSet::empty();
    let set = match set {
        Some(set) => set as *const SigSet as usize,
        None => 0,
    };
    // SAFETY: `set` is NULL or points to a live `SigSet`, of which the kernel reads
    // `KERNEL_SIGSET_SIZE` bytes, its exact size; `old` is a live `SigSet` the kernel writes
    // (the same size). Only this thread's mask changes.
    let ret = unsafe {
        syscall4(
            nr::RT_SIGPROCMASK,
            how as i32 as usize,
            set,
            &mut old as *mut SigSet as usize,
            KERNEL_SIGSET_SIZE,
        )
    };
    decode_raw(ret)?;
    Ok(old)
}

/// What a process does with a signal: its disposition, as [`disposition`] reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// `SIG_DFL`: the default action (end the process, dump core, stop, or nothing, depending
    /// on the signal).
    Default,
    /// `SIG_IGN`: discarded on arrival. Survives `execve`.
    Ignore,
    /// A handler, at this address, that something in the process installed (a C library, a
    /// runtime, the program). freepoll never installs handlers. `execve` resets it to
    /// `Default`.
    Handler(usize),
}

/// A disposition [`set_disposition`] can install: the default action or ignoring. No
/// handler: a handler runs in whatever thread the signal interrupts, with every
/// async-signal-safety rule, which is what freepoll's signalfd and epoll are there to avoid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetDisposition {
    /// `SIG_DFL`.
    Default,
    /// `SIG_IGN`.
    Ignore,
}

/// `SIG_DFL` and `SIG_IGN` as the kernel reads `sa_handler` (`include/uapi/asm-generic/signal-defs.h`).
const SIG_DFL: usize = 0;
const SIG_IGN: usize = 1;

impl Disposition {
    /// The disposition whose `sa_handler` is `handler`.
    #[inline]
    pub(crate) const fn from_handler(handler: usize) -> Disposition {
        match handler {
            SIG_DFL => Disposition::Default,
            SIG_IGN => Disposition::Ignore,
            address => Disposition::Handler(address),
        }
    }
}

/// `rt_sigaction(sig, NULL, &old, 8)`: what the process does with signal `sig` now.
///
/// ```
/// use freepoll::signal::{disposition, Disposition, SIGKILL};
/// assert_eq!(disposition(SIGKILL)?, Disposition::Default);
/// assert_eq!(disposition(0), Err(freepoll::Errno::INVAL));
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::INVAL`]: `sig` is not in `1..=64`.
///
/// # References
/// - [sigaction(2)](https://man7.org/linux/man-pages/man2/sigaction.2.html)
#[doc(alias = "sigaction")]
#[doc(alias = "rt_sigaction")]
#[inline]
pub fn disposition(sig: i32) -> Result<Disposition> {
    bit(sig).ok_or(Errno::INVAL)?;
    rt_sigaction(sig, None)
}

/// `rt_sigaction(sig, &{SIG_DFL or SIG_IGN}, &old, 8)`: sets what the process does with
/// signal `sig` to the default action or to ignoring it, and returns what it was.
///
/// Safe whatever was installed before: with no handler left for `sig`, no code runs on its
/// arrival. What it changes is what the rest of the process expects. Ignoring `SIGCHLD` makes
/// the kernel reap children by itself (so `waitid` finds none: [`Errno::CHILD`]); ignoring
/// `SIGPIPE` turns a write to a closed pipe into [`Errno::PIPE`]; and a C library's own
/// handlers (glibc's for signals 32 and 33, which `setuid()` in a threaded process relies on)
/// should be left alone. An ignored signal stays ignored across `execve`: see the module docs.
///
/// ```
/// use freepoll::signal::{disposition, set_disposition, Disposition, SetDisposition, SIGUSR2};
/// let before = set_disposition(SIGUSR2, SetDisposition::Ignore)?;
/// assert_eq!(disposition(SIGUSR2)?, Disposition::Ignore);
/// # assert_eq!(before, Disposition::Default);
/// set_disposition(SIGUSR2, SetDisposition::Default)?;
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::INVAL`]: `sig` is not in `1..=64`, or is `SIGKILL` or `SIGSTOP`, whose action
///   cannot be changed.
///
/// # References
/// - [sigaction(2)](https://man7.org/linux/man-pages/man2/sigaction.2.html)
#[doc(alias = "sigaction")]
#[doc(alias = "rt_sigaction")]
#[doc(alias = "signal")]
#[inline]
pub fn set_disposition(sig: i32, disposition: SetDisposition) -> Result<Disposition> {
    bit(sig).ok_or(Errno::INVAL)?;
    rt_sigaction(sig, Some(disposition))
}

/// `rt_sigaction(sig, new, &old, 8)`: sets `SIG_DFL` or `SIG_IGN` for `sig` when `new` is
/// given, and returns the previous disposition. The callers check `sig` (the kernel answers
/// `EINVAL` for what it refuses as well); [`spawn`](crate::spawn)'s child calls it directly.
#[inline]
pub(crate) fn rt_sigaction(sig: i32, new: Option<SetDisposition>) -> Result<Disposition> {
    let new = new.map(|new| {
        KernelSigaction::new(match new {
            SetDisposition::Default => SIG_DFL,
            SetDisposition::Ignore => SIG_IGN,
        })
    });
    let new_ptr = match &new {
        Some(new) => new as *const KernelSigaction as usize,
        None => 0,
    };
    let mut old = KernelSigaction::new(SIG_DFL);
    // SAFETY: `new_ptr` is NULL or points to `new`, a live `KernelSigaction` (the kernel's
    // `struct sigaction` for this architecture, pinned in the arch file) whose handler is
    // SIG_DFL or SIG_IGN, so no code gets installed; `old` is a live one the kernel writes,
    // of the same layout; the sigset size is the kernel's 8 bytes.
    let ret = unsafe {
        syscall4(
            nr::RT_SIGACTION,
            sig as isize as usize,
            new_ptr,
            &mut old as *mut KernelSigaction as usize,
            KERNEL_SIGSET_SIZE,
        )
    };
    decode_raw(ret)?;
    Ok(Disposition::from_handler(old.handler()))
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    /// The kernel's `struct sigaction` as `KernelSigaction` lays it out, against what the C
    /// library installs through its own: the handler, the flags and the mask (with a
    /// real-time signal above 32, in the second word on 32-bit) read back where the C
    /// library put them.
    #[test]
    fn kernel_sigaction_reads_what_libc_installed() {
        extern "C" fn handler(_: i32) {}
        let sig = SIGURG;
        // SAFETY: a handler that does nothing, installed for SIGURG, which nothing here
        // sends; the old action is put back below.
        let old = unsafe {
            let mut act: libc::sigaction = core::mem::zeroed();
            act.sa_sigaction = handler as extern "C" fn(i32) as usize;
            act.sa_flags = libc::SA_RESTART | libc::SA_NODEFER;
            libc::sigemptyset(&mut act.sa_mask);
            libc::sigaddset(&mut act.sa_mask, SIGUSR2);
            libc::sigaddset(&mut act.sa_mask, 40);
            let mut old: libc::sigaction = core::mem::zeroed();
            assert_eq!(libc::sigaction(sig, &act, &mut old), 0);
            old
        };
        let mut got = KernelSigaction::new(0);
        // SAFETY: a query (NULL new action) into a live `KernelSigaction`.
        let ret = unsafe {
            syscall4(
                nr::RT_SIGACTION,
                sig as usize,
                0,
                &mut got as *mut KernelSigaction as usize,
                KERNEL_SIGSET_SIZE,
            )
        };
        // SAFETY: puts the test's previous action back.
        unsafe { libc::sigaction(sig, &old, core::ptr::null_mut()) };
        assert_eq!(decode_raw(ret), Ok(0));
        assert_eq!(got.handler(), handler as extern "C" fn(i32) as usize);
        let flags = (libc::SA_RESTART | libc::SA_NODEFER) as usize;
        assert_eq!(got.flags() & flags, flags);
        assert_eq!(got.mask(), 1 << (SIGUSR2 - 1) | 1 << (40 - 1));
    }
}
