//! Clocks: [`clock_gettime`] reads one, so that a loop can compute its deadlines, and
//! [`ClockId`] names the clocks a [`TimerFd`](crate::timerfd::TimerFd) runs on.
//!
//! ```
//! use freepoll::clock::{clock_gettime, ClockId};
//! let a = clock_gettime(ClockId::Monotonic)?;
//! let b = clock_gettime(ClockId::Monotonic)?;
//! assert!(b >= a); // monotonic: never goes back
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **Pick the clock for the deadline.** `Monotonic` stops while the system is suspended,
//! `Boottime` does not; `Realtime` jumps when the time is set. A deadline "in five seconds"
//! wants `Monotonic` (or `Boottime` to count suspended time); a wall-clock time of day wants
//! `Realtime`, and a timer on it that must learn of changes wants
//! [`CANCEL_ON_SET`](crate::timerfd::SetFlags::CANCEL_ON_SET).
//!
//! **Reads go through the vDSO.** The kernel maps a small shared object into every process
//! whose `clock_gettime` reads most clocks without entering the kernel (tens of nanoseconds
//! instead of a system call's hundreds). [`clock_gettime`] finds it on its first call, with
//! no C library (see [`uses_vdso`]), and calls it; the clocks the vDSO does not read itself
//! (the CPU-time and alarm clocks) and every read where there is no vDSO to use are the system
//! call, with the same answers and errors.

use crate::arch::{nr, syscall2, vdso_clock_gettime};
use crate::errno::{decode_raw, Errno, Result};
use crate::timeout::KernelTimespec;
use core::time::Duration;

/// A clock, by its `CLOCK_*` number (`include/uapi/linux/time.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
#[non_exhaustive]
pub enum ClockId {
    /// `CLOCK_REALTIME`: the time of day, since 1970-01-01 UTC; set by the administrator
    /// and by NTP, so it can jump.
    Realtime = 0,
    /// `CLOCK_MONOTONIC`: time since some start, never set, stopped while suspended.
    Monotonic = 1,
    /// `CLOCK_PROCESS_CPUTIME_ID`: CPU time of this process. Not for timerfds.
    ProcessCputime = 2,
    /// `CLOCK_THREAD_CPUTIME_ID`: CPU time of this thread. Not for timerfds.
    ThreadCputime = 3,
    /// `CLOCK_MONOTONIC_RAW`: like `Monotonic`, without NTP's rate adjustment. Not for
    /// timerfds.
    MonotonicRaw = 4,
    /// `CLOCK_REALTIME_COARSE`: `Realtime` at tick resolution, cheaper. Not for timerfds.
    RealtimeCoarse = 5,
    /// `CLOCK_MONOTONIC_COARSE`: `Monotonic` at tick resolution, cheaper. Not for timerfds.
    MonotonicCoarse = 6,
    /// `CLOCK_BOOTTIME`: like `Monotonic`, but counting time suspended (Linux 2.6.39).
    Boottime = 7,
    /// `CLOCK_REALTIME_ALARM`: `Realtime`, and a timer on it wakes a suspended system
    /// (needs `CAP_WAKE_ALARM` for a timerfd; Linux 3.0).
    RealtimeAlarm = 8,
    /// `CLOCK_BOOTTIME_ALARM`: `Boottime`, and a timer on it wakes a suspended system
    /// (needs `CAP_WAKE_ALARM` for a timerfd; Linux 3.0).
    BoottimeAlarm = 9,
    /// `CLOCK_TAI`: international atomic time, `Realtime` without leap seconds (Linux
    /// 3.10). Not for timerfds.
    Tai = 11,
}

/// `clock_gettime(clock, &ts)`: the time on `clock`, as the time since its zero (1970 for
/// the realtime clocks, an unspecified start for the others).
///
/// ```
/// use freepoll::clock::{clock_gettime, ClockId};
/// let now = clock_gettime(ClockId::Realtime)?;
/// assert!(now.as_secs() > 1_600_000_000); // after September 2020
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::INVAL`]: the kernel does not have this clock.
/// - [`Errno::OVERFLOW`]: the clock reads before its zero, which a `Duration` cannot hold
///   (only a realtime clock set before 1970 does that).
///
/// Through the vDSO where there is one (see the [module](self) docs): the first call looks
/// it up, once for the process. An answer other than success from the vDSO is not trusted
/// as it is: the system call is made and its answer returned, so that every clock answers as
/// the kernel does.
///
/// # References
/// - [clock_gettime(2)](https://man7.org/linux/man-pages/man2/clock_gettime.2.html),
///   [vdso(7)](https://man7.org/linux/man-pages/man7/vdso.7.html)
#[inline]
pub fn clock_gettime(clock: ClockId) -> Result<Duration> {
    let mut ts = KernelTimespec::default();
    let ts_addr = &mut ts as *mut KernelTimespec as usize;
    let from_vdso = match crate::vdso::clock_gettime() {
        // SAFETY: `f` is the vDSO's clock_gettime, found under the name, version and machine
        // the architecture's file gives for that signature; `ts` is a live
        // `__kernel_timespec`, valid for the 16 bytes it writes; the clock is an integer.
        Some(f) => unsafe { vdso_clock_gettime(f, clock as i32 as usize, ts_addr) == 0 },
        None => false,
    };
    if !from_vdso {
        // SAFETY: `ts` is a live `__kernel_timespec`, valid for the 16 bytes the kernel
        // writes; the clock is an integer.
        let ret = unsafe { syscall2(nr::CLOCK_GETTIME, clock as i32 as usize, ts_addr) };
        decode_raw(ret)?;
    }
    ts.to_duration().ok_or(Errno::OVERFLOW)
}

/// Whether [`clock_gettime`] reads the clocks through the vDSO in this process (looking the
/// vDSO up now if no clock was read yet). `false` where there is none to use: no vDSO mapped
/// (some emulators), a kernel whose vDSO lacks the 64-bit-time function (i686 before Linux
/// 5.3, armv7 before 5.5), an image that does not check out, or Miri.
///
/// ```
/// let _fast = freepoll::clock::uses_vdso();
/// ```
#[inline]
pub fn uses_vdso() -> bool {
    crate::vdso::clock_gettime().is_some()
}
