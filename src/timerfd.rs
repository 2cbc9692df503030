//! timerfd: a timer as a descriptor. It becomes readable when it expires, and a read returns
//! how many times it expired since the last read: the tick source of an event loop.
//!
//! ```
//! use core::mem::MaybeUninit;
//! use core::time::Duration;
//! use freepoll::clock::ClockId;
//! use freepoll::epoll::{epoll_add, epoll_create, epoll_wait, CreateFlags, Event, EventFlags, EventVec};
//! use freepoll::timerfd::{SetFlags, TimerFd, TimerFlags};
//!
//! let epoll = epoll_create(CreateFlags::CLOEXEC)?;
//! let timer = TimerFd::new(ClockId::Monotonic, TimerFlags::CLOEXEC | TimerFlags::NONBLOCK)?;
//! epoll_add(&epoll, &timer, 9, EventFlags::IN)?;
//!
//! // First expiration in 1 ms, then every 1 ms.
//! let ms = Duration::from_millis(1);
//! timer.set(ms, ms, SetFlags::empty())?;
//! let mut buf = [MaybeUninit::<Event>::uninit(); 4];
//! let mut events = EventVec::new(&mut buf);
//! epoll_wait(&epoll, &mut events, -1)?;
//! assert_eq!(events.iter().next(), Some((EventFlags::IN, 9)));
//! assert!(timer.read()? >= 1); // expirations since it was set
//! timer.disarm()?;
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **A read returns a count of expirations, not one.** A periodic timer that fired three times
//! while the loop was busy is readable once and reads 3. A loop that counts ticks adds the
//! count; one that only needs "time passed" reads and ignores it, but must read, or the timer
//! stays readable.
//!
//! **A zero expiration disarms, in the kernel.** `timerfd_settime` reads an initial expiration
//! of zero as "disarm", even as an absolute time. freepoll does not pass that meaning on:
//! [`TimerFd::set`] with a zero `value` means "as soon as possible" and gives the kernel 1 ns
//! instead (from now, or with `ABSTIME` the time 1 ns on the clock, long past), so a
//! deadline computed as `deadline.saturating_sub(now)` fires at once when it is due and
//! never disarms. [`TimerFd::disarm`] is the one way to disarm.
//!
//! **`std::time::Instant` has no absolute conversion.** std gives no public access to an
//! `Instant`'s value, and which clock it reads is std's implementation detail, so freepoll
//! takes no `Instant`. For a deadline on the monotonic clock use
//! [`TimerFd::set_deadline`] with a time read by
//! [`clock_gettime(ClockId::Monotonic)`](crate::clock::clock_gettime) plus a `Duration`; with
//! an `Instant` in hand, set the time left,
//! `at.saturating_duration_since(Instant::now())`, as a relative timer (late by the few
//! instructions between the two reads, never early).
//!
//! **A clock change cancels, when asked.** An absolute timer on a realtime clock set with
//! [`CANCEL_ON_SET`](SetFlags::CANCEL_ON_SET) fails its next read with [`Errno::CANCELED`]
//! when the clock is set, instead of firing late or early. Set it again after that.

use crate::arch::{nr, syscall2, syscall4};
use crate::clock::ClockId;
use crate::errno::{decode_raw, Errno, Result};
use crate::fd::{decode_new_fd, fd_handle, AsRawFd, OwnedFd};
use crate::io::{read_u64, O_CLOEXEC, O_NONBLOCK};
use crate::timeout::KernelTimespec;
use bitflags::bitflags;
use core::time::Duration;
use static_assertions::const_assert_eq;

bitflags! {
    /// Flags for [`TimerFd::new`] (`include/uapi/linux/timerfd.h`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct TimerFlags: u32 {
        /// `TFD_CLOEXEC`: close on `execve`.
        const CLOEXEC = O_CLOEXEC;
        /// `TFD_NONBLOCK`: a read before the first expiration fails with `EAGAIN` instead of
        /// waiting.
        const NONBLOCK = O_NONBLOCK;
    }
}

bitflags! {
    /// Flags for [`TimerFd::set`] (`include/uapi/linux/timerfd.h`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SetFlags: u32 {
        /// `TFD_TIMER_ABSTIME`: the expiration is a time on the timer's clock (as
        /// [`clock_gettime`](crate::clock::clock_gettime) reads it), not a time from now.
        const ABSTIME = 1;
        /// `TFD_TIMER_CANCEL_ON_SET`: with `ABSTIME`, on `Realtime` or `RealtimeAlarm`, a
        /// change of the clock makes the next read fail with `ECANCELED` (Linux 3.0). The
        /// kernel ignores it in any other combination.
        const CANCEL_ON_SET = 2;
    }
}

/// A timer's setting: when it next expires, and its period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TimerSpec {
    /// The time until the next expiration, always relative (also for a timer set with
    /// `ABSTIME`); zero when the timer is disarmed.
    pub value: Duration,
    /// The period after each expiration; zero for a one-shot timer.
    pub interval: Duration,
}

impl TimerSpec {
    /// Whether the timer will expire again.
    #[inline]
    pub const fn is_armed(&self) -> bool {
        !self.value.is_zero()
    }
}

/// The kernel's `struct __kernel_itimerspec` (`include/uapi/linux/time_types.h`): the
/// period first, then the expiration.
#[derive(Clone, Copy, Default)]
#[repr(C)]
struct KernelItimerspec {
    it_interval: KernelTimespec,
    it_value: KernelTimespec,
}

const_assert_eq!(core::mem::size_of::<KernelItimerspec>(), 32);

impl KernelItimerspec {
    /// The setting as the kernel gave it; `None` if it is not a valid time (never the case).
    fn to_spec(self) -> Option<TimerSpec> {
        Some(TimerSpec {
            value: self.it_value.to_duration()?,
            interval: self.it_interval.to_duration()?,
        })
    }
}

/// What [`TimerFd::set`] gives the kernel for a zero `value`: the smallest expiration that
/// arms rather than disarms.
const ASAP: Duration = Duration::from_nanos(1);

/// A timerfd descriptor: its reads are expiration counts, which this type decodes.
pub struct TimerFd {
    fd: OwnedFd,
}

fd_handle!(TimerFd);

impl TimerFd {
    /// `timerfd_create(clock, flags)`: a new, disarmed timer on `clock`.
    ///
    /// The clocks a timerfd takes are `Realtime`, `Monotonic`, `Boottime`, `RealtimeAlarm`
    /// and `BoottimeAlarm`.
    ///
    /// # Errors
    /// - [`Errno::INVAL`]: another clock, or an unknown bit in `flags`.
    /// - [`Errno::PERM`]: an `_ALARM` clock without `CAP_WAKE_ALARM`.
    /// - [`Errno::MFILE`], [`Errno::NFILE`]: the descriptor limits.
    ///
    /// # References
    /// - [timerfd_create(2)](https://man7.org/linux/man-pages/man2/timerfd_create.2.html)
    #[doc(alias = "timerfd_create")]
    #[inline]
    pub fn new(clock: ClockId, flags: TimerFlags) -> Result<TimerFd> {
        // SAFETY: timerfd_create takes two integers and touches no user memory.
        let ret = unsafe {
            syscall2(
                nr::TIMERFD_CREATE,
                clock as i32 as usize,
                flags.bits() as usize,
            )
        };
        // SAFETY: on success timerfd_create returns a new descriptor that nothing else owns.
        let fd = unsafe { decode_new_fd(ret) }?;
        Ok(TimerFd { fd })
    }

    /// `timerfd_settime(fd, flags, {interval, value}, &old)`: arms the timer to expire at
    /// `value` (from now, or with [`ABSTIME`](SetFlags::ABSTIME) at that time on its clock),
    /// then every `interval` (zero: once). Returns the setting it replaced.
    ///
    /// An absolute time already past expires at once. A zero `value` means "as soon as
    /// possible": the kernel, which reads zero as "disarm", is given 1 ns instead (1 ns from
    /// now; with `ABSTIME`, the time 1 ns on the clock, which is past). To disarm, use
    /// [`disarm`](TimerFd::disarm).
    ///
    /// ```
    /// use core::time::Duration;
    /// use freepoll::clock::{clock_gettime, ClockId};
    /// use freepoll::timerfd::{SetFlags, TimerFd, TimerFlags};
    /// let timer = TimerFd::new(ClockId::Monotonic, TimerFlags::CLOEXEC)?;
    /// let at = clock_gettime(ClockId::Monotonic)? + Duration::from_millis(2);
    /// timer.set(at, Duration::ZERO, SetFlags::ABSTIME)?;
    /// assert_eq!(timer.read()?, 1); // blocks until then
    /// // Zero: as soon as possible, not "disarm".
    /// timer.set(Duration::ZERO, Duration::ZERO, SetFlags::empty())?;
    /// assert_eq!(timer.read()?, 1);
    /// # Ok::<(), freepoll::Errno>(())
    /// ```
    ///
    /// # Errors
    /// - [`Errno::INVAL`], before any call: `value` or `interval` is beyond `i64::MAX`
    ///   seconds.
    /// - [`Errno::INVAL`], from the kernel: an unknown bit in `flags`.
    /// - [`Errno::CANCELED`]: `CANCEL_ON_SET` was asked and the clock changed since it was
    ///   last set; the timer is still set as asked.
    ///
    /// # References
    /// - [timerfd_settime(2)](https://man7.org/linux/man-pages/man2/timerfd_settime.2.html)
    #[doc(alias = "timerfd_settime")]
    #[inline]
    pub fn set(&self, value: Duration, interval: Duration, flags: SetFlags) -> Result<TimerSpec> {
        // The kernel disarms on a zero it_value; the smallest time it arms on is 1 ns.
        let value = if value.is_zero() { ASAP } else { value };
        let new = KernelItimerspec {
            it_interval: KernelTimespec::from_duration(interval).ok_or(Errno::INVAL)?,
            it_value: KernelTimespec::from_duration(value).ok_or(Errno::INVAL)?,
        };
        self.settime(flags, &new)
    }

    /// `timerfd_settime(fd, TFD_TIMER_ABSTIME, {interval, deadline}, &old)`: arms the timer to
    /// expire when its clock reads `deadline` (a `Duration` since the clock's epoch, as
    /// [`clock_gettime`](crate::clock::clock_gettime) reads it: for `Monotonic`, an
    /// unspecified point before boot), then every `interval` (zero: once). A deadline
    /// already past, zero included, expires at once. Returns the setting it replaced.
    ///
    /// The same as [`set`](TimerFd::set) with [`ABSTIME`](SetFlags::ABSTIME). A deadline on
    /// the monotonic clock does not move when the system time is set, and is the one to
    /// use for timeouts and backoffs. See the module docs for `std::time::Instant`.
    ///
    /// ```
    /// use core::time::Duration;
    /// use freepoll::clock::{clock_gettime, ClockId};
    /// use freepoll::timerfd::{TimerFd, TimerFlags};
    /// let timer = TimerFd::new(ClockId::Monotonic, TimerFlags::CLOEXEC)?;
    /// let deadline = clock_gettime(ClockId::Monotonic)? + Duration::from_millis(3);
    /// timer.set_deadline(deadline, Duration::ZERO)?;
    /// assert_eq!(timer.read()?, 1); // blocks until the clock reads `deadline`
    /// assert!(clock_gettime(ClockId::Monotonic)? >= deadline);
    /// # Ok::<(), freepoll::Errno>(())
    /// ```
    ///
    /// # Errors
    /// - [`Errno::INVAL`], before any call: `deadline` or `interval` is beyond `i64::MAX`
    ///   seconds.
    ///
    /// # References
    /// - [timerfd_settime(2)](https://man7.org/linux/man-pages/man2/timerfd_settime.2.html)
    #[doc(alias = "timerfd_settime")]
    #[doc(alias = "TFD_TIMER_ABSTIME")]
    #[inline]
    pub fn set_deadline(&self, deadline: Duration, interval: Duration) -> Result<TimerSpec> {
        self.set(deadline, interval, SetFlags::ABSTIME)
    }

    /// `timerfd_settime(fd, 0, {0, 0}, &old)`: disarms the timer. Returns the setting it had.
    /// Expirations not yet read are dropped: the timer is no longer readable.
    ///
    /// # Errors
    /// None in practice: the descriptor is a timerfd by its type.
    ///
    /// # References
    /// - [timerfd_settime(2)](https://man7.org/linux/man-pages/man2/timerfd_settime.2.html)
    #[doc(alias = "timerfd_settime")]
    #[inline]
    pub fn disarm(&self) -> Result<TimerSpec> {
        self.settime(SetFlags::empty(), &KernelItimerspec::default())
    }

    /// `timerfd_gettime(fd, &cur)`: the time until the next expiration and the period.
    ///
    /// # Errors
    /// None in practice: the descriptor is a timerfd by its type.
    ///
    /// # References
    /// - [timerfd_gettime(2)](https://man7.org/linux/man-pages/man2/timerfd_gettime.2.html)
    #[doc(alias = "timerfd_gettime")]
    #[inline]
    pub fn get(&self) -> Result<TimerSpec> {
        let mut cur = KernelItimerspec::default();
        // SAFETY: `self.fd` is an open timerfd (owned); `cur` is valid for the 32-byte
        // itimerspec the kernel writes.
        let ret = unsafe {
            syscall2(
                nr::TIMERFD_GETTIME,
                self.fd.as_raw_fd() as usize,
                &mut cur as *mut KernelItimerspec as usize,
            )
        };
        decode_raw(ret)?;
        cur.to_spec().ok_or(Errno::OVERFLOW)
    }

    /// `read(fd, &count, 8)`: the number of expirations since the timer was set or last read,
    /// at least 1. Resets the count.
    ///
    /// # Errors
    /// - [`Errno::AGAIN`]: no expiration yet and the timer is non-blocking.
    /// - [`Errno::CANCELED`]: the timer was set with `CANCEL_ON_SET` and its clock was set.
    /// - [`Errno::INTR`]: a signal handler ran while it waited.
    ///
    /// # References
    /// - [timerfd_create(2)](https://man7.org/linux/man-pages/man2/timerfd_create.2.html),
    ///   "Operating on a timer file descriptor"
    #[inline]
    pub fn read(&self) -> Result<u64> {
        read_u64(&self.fd)
    }

    /// The one `timerfd_settime` call behind [`set`](TimerFd::set) and
    /// [`disarm`](TimerFd::disarm).
    fn settime(&self, flags: SetFlags, new: &KernelItimerspec) -> Result<TimerSpec> {
        let mut old = KernelItimerspec::default();
        // SAFETY: `self.fd` is an open timerfd (owned); `new` is a live itimerspec the kernel
        // reads (32 bytes) and `old` one it writes (32 bytes).
        let ret = unsafe {
            syscall4(
                nr::TIMERFD_SETTIME,
                self.fd.as_raw_fd() as usize,
                flags.bits() as usize,
                new as *const KernelItimerspec as usize,
                &mut old as *mut KernelItimerspec as usize,
            )
        };
        decode_raw(ret)?;
        old.to_spec().ok_or(Errno::OVERFLOW)
    }
}
