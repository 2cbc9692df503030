//! [`SigSet`]: the kernel's signal mask, for [`epoll_pwait`](crate::epoll::epoll_pwait).

use crate::errno::{Errno, Result};
use core::fmt;

/// The kernel's `sizeof(sigset_t)` on x86_64, aarch64 and riscv64: 64 signals, one bit each
/// (`_NSIG` is 64). `epoll_pwait` and `epoll_pwait2` take it as `sigsetsize` and reject any
/// other value with `EINVAL`, even when the mask pointer is NULL.
pub(crate) const KERNEL_SIGSET_SIZE: usize = 8;

/// The highest signal number: `_NSIG` on these architectures.
const MAX_SIGNAL: i32 = 64;

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
/// use freepoll::epoll::SigSet;
///
/// let mut set = SigSet::empty();
/// set.add(libc::SIGUSR1)?;
/// assert!(set.contains(libc::SIGUSR1));
/// assert!(!set.contains(libc::SIGUSR2));
/// assert_eq!(set.add(0), Err(freepoll::Errno::INVAL));
/// assert_eq!(set.add(65), Err(freepoll::Errno::INVAL));
///
/// let mut all_but_one = SigSet::full();
/// all_but_one.remove(libc::SIGUSR1)?;
/// assert!(!all_but_one.contains(libc::SIGUSR1) && all_but_one.contains(libc::SIGUSR2));
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

    /// All 64 signals. (The kernel never blocks `SIGKILL` or `SIGSTOP`, whatever the mask.)
    #[doc(alias = "sigfillset")]
    #[inline]
    pub const fn full() -> SigSet {
        SigSet { bits: u64::MAX }
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
