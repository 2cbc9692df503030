//! [`Timeout`]: how long a wait may block, to the nanosecond; and the process-wide policy for
//! `epoll_pwait2`, the call that takes such a timeout.

use crate::errno::Errno;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::sync::atomic::{AtomicU8, Ordering};
use core::time::Duration;

/// How long [`epoll_wait`](crate::epoll::epoll_wait) may block: forever, or a duration.
///
/// Converts from what a caller has at hand:
/// - `i32` milliseconds, as C's `epoll_wait` takes them: `0` returns at once, any negative
///   value waits forever. So `epoll_wait(&epoll, &mut events, -1)` and `..., 50)` read as in C.
/// - [`Duration`], to the nanosecond.
/// - `Option<Duration>`: `None` waits forever.
///
/// A timeout that is a whole number of milliseconds, and fits the kernel's `int`, is passed as
/// it is to the architecture's wait without a signal mask (`epoll_wait`, or `epoll_pwait` with
/// a NULL mask on aarch64 and riscv64, which have no `epoll_wait`): the conversion costs
/// nothing. Any other duration goes to `epoll_pwait2` (Linux 5.11) as an exact
/// `struct timespec`; where that call is missing, the duration is rounded **up** to whole
/// milliseconds for that wait (so 0.2 ms waits 1 ms, never 0). [`set_pwait2_policy`] controls this.
///
/// `FOREVER` is the only "wait forever": no duration turns into it. A duration the kernel
/// cannot take (more than `i64::MAX` seconds; with `epoll_pwait2` missing, more than `i32::MAX`
/// milliseconds, about 24.8 days) makes the wait fail with [`Errno::INVAL`](crate::Errno::INVAL)
/// before any system call, rather than wrap or shrink.
///
/// Two timeouts are equal when they wait the same time: `Timeout::from(-1) == Timeout::from(-7)
/// == Timeout::FOREVER`, and `Timeout::from(50) == Timeout::from(Duration::from_millis(50))`.
///
/// ```
/// use core::time::Duration;
/// use freepoll::epoll::Timeout;
///
/// assert_eq!(Timeout::from(-1), Timeout::FOREVER);
/// assert_eq!(Timeout::from(None::<Duration>), Timeout::FOREVER);
/// assert_eq!(Timeout::from(0), Timeout::ZERO);
/// let t = Timeout::from(Duration::from_micros(250));
/// assert_eq!(t.duration(), Some(Duration::from_micros(250)));
/// ```
#[derive(Clone, Copy)]
pub struct Timeout(pub(crate) Repr);

/// What the kernel is given: an `int` for `epoll_pwait`, or a timespec for `epoll_pwait2`.
#[derive(Clone, Copy)]
pub(crate) enum Repr {
    /// Milliseconds for `epoll_pwait`'s `int timeout`: negative is forever.
    Millis(i32),
    /// A duration that is not a whole number of milliseconds, or does not fit an `i32` of them.
    Exact(Duration),
}

impl Timeout {
    /// Wait until an event arrives (or a signal handler runs).
    pub const FOREVER: Timeout = Timeout(Repr::Millis(-1));

    /// Do not block: report what is ready now.
    pub const ZERO: Timeout = Timeout(Repr::Millis(0));

    /// `ms` milliseconds; any negative value is [`Timeout::FOREVER`]. The same as `From<i32>`.
    #[inline]
    pub const fn from_millis(ms: i32) -> Timeout {
        Timeout(Repr::Millis(ms))
    }

    /// Exactly `duration`. The same as `From<Duration>`.
    #[inline]
    pub const fn from_duration(duration: Duration) -> Timeout {
        let nanos = duration.subsec_nanos();
        if nanos % 1_000_000 == 0 {
            if let Some(ms) = duration.as_secs().checked_mul(1000) {
                // `nanos / 1_000_000` is below 1000, and `ms` below `u64::MAX / 2`: no overflow.
                if let Some(ms) = ms.checked_add((nanos / 1_000_000) as u64) {
                    if ms <= i32::MAX as u64 {
                        return Timeout(Repr::Millis(ms as i32));
                    }
                }
            }
        }
        Timeout(Repr::Exact(duration))
    }

    /// How long the wait may block, or `None` for [`Timeout::FOREVER`].
    #[inline]
    pub const fn duration(self) -> Option<Duration> {
        match self.0 {
            Repr::Millis(ms) if ms < 0 => None,
            Repr::Millis(ms) => Some(Duration::from_millis(ms as u64)),
            Repr::Exact(duration) => Some(duration),
        }
    }

    /// Whether this is [`Timeout::FOREVER`].
    #[inline]
    pub const fn is_forever(self) -> bool {
        matches!(self.0, Repr::Millis(ms) if ms < 0)
    }
}

impl From<i32> for Timeout {
    /// Milliseconds, as C's `epoll_wait` takes them: negative waits forever.
    #[inline(always)]
    fn from(ms: i32) -> Timeout {
        Timeout::from_millis(ms)
    }
}

impl From<Duration> for Timeout {
    #[inline]
    fn from(duration: Duration) -> Timeout {
        Timeout::from_duration(duration)
    }
}

impl From<Option<Duration>> for Timeout {
    /// `None` waits forever.
    #[inline]
    fn from(duration: Option<Duration>) -> Timeout {
        match duration {
            Some(duration) => Timeout::from_duration(duration),
            None => Timeout::FOREVER,
        }
    }
}

impl PartialEq for Timeout {
    fn eq(&self, other: &Timeout) -> bool {
        self.duration() == other.duration()
    }
}

impl Eq for Timeout {}

impl Hash for Timeout {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.duration().hash(state);
    }
}

impl fmt::Debug for Timeout {
    /// `Timeout(FOREVER)` or `Timeout(1.5ms)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.duration() {
            None => f.write_str("Timeout(FOREVER)"),
            Some(duration) => write!(f, "Timeout({:?})", duration),
        }
    }
}

/// The kernel's `struct __kernel_timespec`: 64-bit seconds and nanoseconds on every
/// architecture (`include/uapi/linux/time_types.h`), which is also `struct timespec` on the
/// 64-bit ones.
///
/// **The time64 rule**, the one timespec layout everywhere: on the 32-bit architectures (i686,
/// armv7) every call that takes or returns a time is its 64-bit `time_t` variant (Linux 5.1),
/// under the plain name in their `mod nr`: `CLOCK_GETTIME` is `clock_gettime64`,
/// `TIMERFD_SETTIME` and `TIMERFD_GETTIME` are `timerfd_settime64` and `timerfd_gettime64`.
/// On an older kernel those answer `ENOSYS`, which comes back as it is: freepoll does not
/// retry with the 32-bit calls, whose times end in 2038. `epoll_pwait2` takes this layout on
/// every architecture already.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub(crate) struct KernelTimespec {
    pub(crate) tv_sec: i64,
    pub(crate) tv_nsec: i64,
}

static_assertions::const_assert!(core::mem::size_of::<KernelTimespec>() == 16);

impl KernelTimespec {
    /// `duration` as a timespec, or `None` beyond `i64::MAX` seconds, which the kernel rejects.
    #[inline]
    pub(crate) fn from_duration(duration: Duration) -> Option<KernelTimespec> {
        Some(KernelTimespec {
            tv_sec: i64::try_from(duration.as_secs()).ok()?,
            tv_nsec: i64::from(duration.subsec_nanos()),
        })
    }

    /// The timespec as a duration, or `None` if it is negative or not normalised (which the
    /// kernel never returns from `clock_gettime`).
    #[inline]
    pub(crate) fn to_duration(self) -> Option<Duration> {
        let secs = u64::try_from(self.tv_sec).ok()?;
        let nanos = u32::try_from(self.tv_nsec)
            .ok()
            .filter(|&n| n < 1_000_000_000)?;
        Some(Duration::new(secs, nanos))
    }
}

/// `duration` rounded up to whole milliseconds, if that fits `epoll_pwait`'s `int`.
#[inline]
pub(crate) fn millis_rounded_up(duration: Duration) -> Option<i32> {
    let nanos = duration.subsec_nanos();
    // `nanos < 10^9`, so the sum stays below 2 * 10^9 < u32::MAX, and the quotient is <= 1000.
    let sub = nanos.checked_add(999_999)? / 1_000_000;
    let ms = duration
        .as_secs()
        .checked_mul(1000)?
        .checked_add(u64::from(sub))?;
    i32::try_from(ms).ok()
}

/// When freepoll uses `epoll_pwait2` for a timeout that is not a whole number of milliseconds.
/// Set with [`set_pwait2_policy`]; process-wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pwait2Policy {
    /// Never call `epoll_pwait2`: round every such timeout up to whole milliseconds for
    /// `epoll_pwait`. For sandboxes whose seccomp filter kills the process on a system call it
    /// does not know, where even one probe is fatal.
    Never,
    /// The default. Try `epoll_pwait2`; if it answers anything the call itself never answers,
    /// make this wait with `epoll_pwait`, the timeout rounded up, and remember it: later waits
    /// go straight to `epoll_pwait` without trying again.
    ///
    /// `epoll_pwait2` itself fails only with `EBADF`, `EFAULT`, `EINTR` and `EINVAL`, and those
    /// are returned as they are. Every other number comes from something in front of the
    /// call: `ENOSYS` from a kernel older than 5.11 or an emulator such as qemu-user, and
    /// whatever a seccomp filter was written to answer (`SECCOMP_RET_ERRNO` takes any number:
    /// `EPERM` is the usual one, `EACCES` and `EOPNOTSUPP` are common, systemd falls back on
    /// both).
    Auto,
    /// Always call `epoll_pwait2` and return whatever it answers, `ENOSYS` and a filter's
    /// `EPERM` included. For programs that need nanosecond timeouts or nothing.
    Always,
}

/// The policy, written only by [`set_pwait2_policy`].
///
/// The state lives in two bytes touched only by plain loads and stores: no read-modify-write,
/// so aarch64 needs no outline-atomics helpers (which a program without libc cannot link), and
/// a wait that records what its probe found can never overwrite a policy set meanwhile. The
/// whole-millisecond path reads neither.
static POLICY: AtomicU8 = AtomicU8::new(AUTO);

/// Under `Auto`, what the probe found so far: written by waits, reset by `set_pwait2_policy`.
static PROBE: AtomicU8 = AtomicU8::new(UNTRIED);

const AUTO: u8 = 0;
const NEVER: u8 = 1;
const ALWAYS: u8 = 2;

const UNTRIED: u8 = 0;
const WORKS: u8 = 1;
const REFUSED: u8 = 2;

/// Sets the process-wide [`Pwait2Policy`]. Setting `Auto` also forgets what an earlier probe
/// found, so the next sub-millisecond wait tries `epoll_pwait2` again.
///
/// Waits with a timeout that is a whole number of milliseconds (`-1`, `0`, `50`,
/// `Duration::from_millis(50)`) always use `epoll_pwait` and ignore the policy.
///
/// ```
/// use freepoll::epoll::{pwait2_policy, set_pwait2_policy, Pwait2Policy};
/// set_pwait2_policy(Pwait2Policy::Never);
/// assert_eq!(pwait2_policy(), Pwait2Policy::Never);
/// set_pwait2_policy(Pwait2Policy::Auto);
/// ```
///
/// # References
/// - [epoll_pwait2(2)](https://man7.org/linux/man-pages/man2/epoll_pwait2.2.html)
#[doc(alias = "epoll_pwait2")]
#[inline]
pub fn set_pwait2_policy(policy: Pwait2Policy) {
    let policy = match policy {
        Pwait2Policy::Never => NEVER,
        Pwait2Policy::Auto => {
            PROBE.store(UNTRIED, Ordering::Relaxed);
            AUTO
        }
        Pwait2Policy::Always => ALWAYS,
    };
    POLICY.store(policy, Ordering::Relaxed);
}

/// The process-wide [`Pwait2Policy`] (`Auto` unless [`set_pwait2_policy`] changed it).
#[inline]
pub fn pwait2_policy() -> Pwait2Policy {
    match POLICY.load(Ordering::Relaxed) {
        NEVER => Pwait2Policy::Never,
        ALWAYS => Pwait2Policy::Always,
        _ => Pwait2Policy::Auto,
    }
}

/// What the `Auto` policy has learned about `epoll_pwait2`: `Some(true)` once the call
/// answered, `Some(false)` once it was refused (`ENOSYS`, or a filter's `EPERM`, `EACCES` or
/// any other number the call itself never gives; later waits then round up for
/// `epoll_pwait` without trying it), `None` before the first sub-millisecond wait, and always
/// `None` under `Never` and `Always`, which do not probe.
///
/// ```
/// use freepoll::epoll::{pwait2_available, set_pwait2_policy, Pwait2Policy};
/// set_pwait2_policy(Pwait2Policy::Auto);
/// assert_eq!(pwait2_available(), None); // nothing tried yet
/// ```
#[inline]
pub fn pwait2_available() -> Option<bool> {
    if POLICY.load(Ordering::Relaxed) != AUTO {
        return None;
    }
    match PROBE.load(Ordering::Relaxed) {
        WORKS => Some(true),
        REFUSED => Some(false),
        _ => None,
    }
}

/// What the sub-millisecond path does next, read once per wait.
#[derive(Clone, Copy)]
pub(crate) enum Pwait2Plan {
    /// Call `epoll_pwait2`; if it is refused ([`pwait2_refused`]), fall back and remember
    /// (`Auto`, not yet known to be refused). `untried` says whether an answer should be
    /// recorded.
    Probe { untried: bool },
    /// Call `epoll_pwait2` and return its answer (`Always`).
    Only,
    /// Go straight to `epoll_pwait` (`Never`, or `Auto` after a failed probe).
    Fallback,
}

#[inline]
pub(crate) fn pwait2_plan() -> Pwait2Plan {
    match POLICY.load(Ordering::Relaxed) {
        NEVER => Pwait2Plan::Fallback,
        ALWAYS => Pwait2Plan::Only,
        _ => match PROBE.load(Ordering::Relaxed) {
            UNTRIED => Pwait2Plan::Probe { untried: true },
            WORKS => Pwait2Plan::Probe { untried: false },
            _ => Pwait2Plan::Fallback,
        },
    }
}

/// Whether `errno`, answered by `epoll_pwait2`, means the call was refused rather than made:
/// every number but the four the call itself fails with (epoll_pwait2(2): `EBADF`, `EFAULT`,
/// `EINTR`, `EINVAL`; `fs/eventpoll.c` has no other). `ENOSYS` is a missing call; anything
/// else is a filter's choice (seccomp's `SECCOMP_RET_ERRNO` carries any number), and an `Auto`
/// wait falls back on all of them.
#[inline]
pub(crate) fn pwait2_refused(errno: Errno) -> bool {
    !matches!(
        errno,
        Errno::BADF | Errno::FAULT | Errno::INTR | Errno::INVAL
    )
}

/// Records that `epoll_pwait2` answered (anything [`pwait2_refused`] does not match).
#[inline]
pub(crate) fn record_pwait2_works() {
    PROBE.store(WORKS, Ordering::Relaxed);
}

/// Records that `epoll_pwait2` was refused: later `Auto` waits skip it.
#[inline]
pub(crate) fn record_pwait2_refused() {
    PROBE.store(REFUSED, Ordering::Relaxed);
}
