//! The epoll API: create an instance, register sources, wait for events.
//!
//! ```
//! use core::mem::MaybeUninit;
//! use freepoll::epoll::{self, CreateFlags, Event, EventFlags, EventVec};
//! # use freepoll::fd::{AsFd, FromRawFd, OwnedFd};
//! # // An eventfd with a count of 1 is readable at once.
//! # let efd = unsafe { freepoll::raw::syscall2(freepoll::raw::nr::EVENTFD2, 1, 0) };
//! # let source = unsafe { OwnedFd::from_raw_fd(freepoll::raw::decode_raw(efd).unwrap() as i32) };
//!
//! let epoll = epoll::epoll_create(CreateFlags::CLOEXEC)?;
//! epoll::epoll_add(&epoll, &source, 7, EventFlags::IN)?;
//!
//! let mut buf = [MaybeUninit::<Event>::uninit(); 8];
//! let mut events = EventVec::new(&mut buf);
//! epoll::epoll_wait(&epoll, &mut events, -1)?;
//! for (flags, data) in &events {
//!     assert_eq!((flags, data), (EventFlags::IN, 7));
//! }
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **Sources are borrowed, never given away.** [`epoll_add`], [`epoll_mod`] and [`epoll_del`]
//! (and [`Epoll`]'s methods) take `impl AsFd + Copy`: a reference (`&stream`, `&pidfd`) or a
//! [`BorrowedFd`] (`fd.as_fd()`). An owned descriptor (`OwnedFd`, a socket, a file) does not
//! compile there, because passing it by value would close it when the call returns, and the
//! registration would end with it, without an error. Inside a function generic over
//! `impl AsFd`, pass `source.as_fd()`.
//!
//! ```compile_fail,E0277
//! use freepoll::epoll::{epoll_add, epoll_create, CreateFlags, EventFlags};
//! let epoll = epoll_create(CreateFlags::CLOEXEC)?;
//! let source = epoll_create(CreateFlags::CLOEXEC)?; // an OwnedFd
//! // error[E0277]: `OwnedFd` is not `Copy`: it would be dropped, and closed, here.
//! epoll_add(&epoll, source, 1, EventFlags::IN)?;
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! **epoll watches open file descriptions, not descriptor numbers.** A registration belongs to
//! the pair (descriptor number, open file description). Closing the descriptor removes the
//! registration only when it was the last descriptor referring to that description: after
//! `dup`, `fork` or passing it over a socket, the closed number keeps reporting events (with
//! its old `data`) until every copy is closed, and `epoll_del` on the closed number then fails
//! with `EBADF`. Call [`epoll_del`] before closing a source that may be shared.
//!
//! **Edge-triggered sources must be drained.** With [`EventFlags::ET`] the kernel reports a
//! transition to ready once. Read (or write) until the call fails with `EAGAIN`, on a
//! non-blocking descriptor, before waiting again, or the remaining data never triggers another
//! event.
//!
//! **ONESHOT disarms after one event.** With [`EventFlags::ONESHOT`] the registration stays but
//! reports nothing more until it is re-armed with [`epoll_mod`]; [`epoll_add`] again fails with
//! `EEXIST`.
//!
//! **Waits are never restarted.** A signal handler that runs during [`epoll_wait`] makes it fail
//! with [`Errno::INTR`], even when the handler was installed with `SA_RESTART` (signal(7)).
//! [`epoll_wait_retry`] restarts it with the time that is left; a plain loop on `INTR` that
//! passes the same timeout again lets a stream of signals stretch the wait without bound.
//!
//! **Blocking a signal outside the wait and unblocking it inside is one call.** Unblocking with
//! `sigprocmask` and then waiting loses a signal that arrives in between (its handler runs
//! before the wait, which then sleeps). [`epoll_pwait`] swaps the mask in and out atomically.
//!
//! **`EXCLUSIVE` is for one source shared by several epoll instances.** With it, an event on
//! the source wakes one (or a few) of the instances that wait on it, not all. The kernel takes
//! it only when adding, and only with `IN`, `OUT`, `ERR`, `HUP`, `WAKEUP` and `ET` beside it;
//! [`epoll_add`] and [`epoll_mod`] check that before the call.
//!
//! **Timeouts finer than a millisecond need Linux 5.11.** A [`Timeout`] that is not a whole
//! number of milliseconds uses `epoll_pwait2`; where that is missing it is rounded up (see
//! [`Pwait2Policy`]).
//!
//! **x86_64 packs `struct epoll_event`.** It is 12 bytes there and 16 elsewhere; [`Event`]
//! follows the kernel, and its fields are read by value (see [`Event`]).

pub use crate::event::{CreateFlags, Event, EventFlags};
pub use crate::event_vec::{uninit_events, EventVec, Iter, MAX_EVENTS};
pub use crate::params::Params;
pub use crate::signal::SigSet;
pub use crate::timeout::{
    pwait2_available, pwait2_policy, set_pwait2_policy, Pwait2Policy, Timeout,
};

use crate::arch::{nr, syscall1, syscall3, syscall4, syscall5, syscall6, EPOLL_WAIT_NOMASK};
use crate::clock::{clock_gettime, ClockId};
use crate::errno::{decode_count, decode_raw, Errno, Result};
use crate::fd::{decode_new_fd, fd_handle, AsFd, AsRawFd, BorrowedFd, OwnedFd};
use crate::params::{RawParams, EPIOCGPARAMS, EPIOCSPARAMS};
use crate::signal::KERNEL_SIGSET_SIZE;
use crate::timeout::{
    millis_rounded_up, pwait2_plan, pwait2_refused, record_pwait2_refused, record_pwait2_works,
    KernelTimespec, Pwait2Plan, Repr,
};
use core::time::Duration;

/// `EPOLL_CTL_ADD`, `EPOLL_CTL_DEL`, `EPOLL_CTL_MOD` (`include/uapi/linux/eventpoll.h`).
const EPOLL_CTL_ADD: usize = 1;
const EPOLL_CTL_DEL: usize = 2;
const EPOLL_CTL_MOD: usize = 3;

/// The flags the kernel accepts next to `EXCLUSIVE` (`EPOLLEXCLUSIVE_OK_BITS` in
/// `fs/eventpoll.c`).
const EXCLUSIVE_OK: EventFlags = EventFlags::IN
    .union(EventFlags::OUT)
    .union(EventFlags::ERR)
    .union(EventFlags::HUP)
    .union(EventFlags::WAKEUP)
    .union(EventFlags::ET)
    .union(EventFlags::EXCLUSIVE);

/// `epoll_create1(flags)`: a new epoll instance.
///
/// aarch64 and riscv64 have no `epoll_create`; `epoll_create1` is the call on every
/// architecture.
///
/// ```
/// use freepoll::epoll::{epoll_create, CreateFlags};
/// let epoll = epoll_create(CreateFlags::CLOEXEC)?;
/// # drop(epoll);
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::INVAL`]: `flags` has a bit the kernel does not know.
/// - [`Errno::MFILE`], [`Errno::NFILE`]: the process's or the system's descriptor limit.
/// - [`Errno::NOMEM`]: no kernel memory for the instance.
///
/// # References
/// - [epoll_create1(2)](https://man7.org/linux/man-pages/man2/epoll_create1.2.html)
#[doc(alias = "epoll_create1")]
#[inline]
pub fn epoll_create(flags: CreateFlags) -> Result<OwnedFd> {
    // SAFETY: epoll_create1 takes an integer and touches no user memory.
    let ret = unsafe { syscall1(nr::EPOLL_CREATE1, flags.bits() as usize) };
    // SAFETY: on success epoll_create1 returns a new descriptor that nothing else owns.
    unsafe { decode_new_fd(ret) }
}

/// `epoll_ctl(epoll, EPOLL_CTL_ADD, source, {flags, data})`: starts watching `source`.
///
/// `data` comes back unchanged with every event for `source`: a token, an index, a pointer
/// turned into an integer.
///
/// ```
/// use freepoll::epoll::{epoll_add, epoll_create, CreateFlags, EventFlags};
/// # use freepoll::fd::{FromRawFd, OwnedFd};
/// # let efd = unsafe { freepoll::raw::syscall2(freepoll::raw::nr::EVENTFD2, 0, 0) };
/// # let source = unsafe { OwnedFd::from_raw_fd(freepoll::raw::decode_raw(efd).unwrap() as i32) };
/// let epoll = epoll_create(CreateFlags::CLOEXEC)?;
/// epoll_add(&epoll, &source, 1, EventFlags::IN | EventFlags::ET)?;
/// assert_eq!(epoll_add(&epoll, &source, 1, EventFlags::IN), Err(freepoll::Errno::EXIST));
///
/// // EXCLUSIVE takes only IN, OUT, ERR, HUP, WAKEUP and ET beside it.
/// let shared = epoll_create(CreateFlags::CLOEXEC)?;
/// let bad = EventFlags::IN | EventFlags::EXCLUSIVE | EventFlags::ONESHOT;
/// assert_eq!(epoll_add(&shared, &source, 1, bad), Err(freepoll::Errno::INVAL));
/// epoll_add(&shared, &source, 1, EventFlags::IN | EventFlags::EXCLUSIVE)?;
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// `epoll` and `source` are borrowed (`impl AsFd + Copy`: `&fd`, `fd.as_fd()`); an owned
/// descriptor, which the call would drop and close, does not compile:
///
/// ```compile_fail,E0277
/// use freepoll::epoll::{epoll_add, epoll_create, CreateFlags, EventFlags};
/// let epoll = epoll_create(CreateFlags::CLOEXEC)?;
/// let source = epoll_create(CreateFlags::CLOEXEC)?;
/// epoll_add(&epoll, source, 1, EventFlags::IN)?; // `&source` or `source.as_fd()`
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// ```compile_fail,E0277
/// use freepoll::epoll::{epoll_add, epoll_create, CreateFlags, EventFlags};
/// let epoll = epoll_create(CreateFlags::CLOEXEC)?;
/// let source = epoll_create(CreateFlags::CLOEXEC)?;
/// epoll_add(epoll, &source, 1, EventFlags::IN)?; // the instance itself, by value
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::EXIST`]: `source` is already registered with this instance.
/// - [`Errno::PERM`]: `source` does not support epoll (a regular file, a directory).
/// - [`Errno::INVAL`], before any call: `flags` has [`EXCLUSIVE`](EventFlags::EXCLUSIVE)
///   together with a flag other than `IN`, `OUT`, `ERR`, `HUP`, `WAKEUP` and `ET` (`ONESHOT`,
///   `RDHUP`, `PRI`, an unnamed bit, ...). An exclusive wakeup stops at the first instance
///   with a waiter, so the kernel allows only the flags for which that waiter is sure to take
///   the event; anything else could leave the others asleep with the event unreported.
/// - [`Errno::INVAL`], from the kernel: `epoll` is not an epoll instance, `source` is `epoll`
///   itself, or `flags` has `EXCLUSIVE` and `source` is an epoll instance (exclusive wakeups
///   do not nest).
/// - [`Errno::LOOP`]: `source` is an epoll instance and adding it would make a cycle or nest
///   instances too deeply.
/// - [`Errno::NOSPC`]: the per-user limit `/proc/sys/fs/epoll/max_user_watches`.
/// - [`Errno::NOMEM`]: no kernel memory for the registration.
///
/// # References
/// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
#[doc(alias = "epoll_ctl")]
#[doc(alias = "EPOLL_CTL_ADD")]
#[doc(alias = "EPOLLEXCLUSIVE")]
#[inline]
pub fn epoll_add(
    epoll: impl AsFd + Copy,
    source: impl AsFd + Copy,
    data: u64,
    flags: EventFlags,
) -> Result<()> {
    if flags.contains(EventFlags::EXCLUSIVE) && !EXCLUSIVE_OK.contains(flags) {
        return Err(Errno::INVAL);
    }
    ctl(
        epoll.as_fd(),
        EPOLL_CTL_ADD,
        source.as_fd(),
        Some(Event::new(flags, data)),
    )
}

/// `epoll_ctl(epoll, EPOLL_CTL_MOD, source, {flags, data})`: replaces the flags and data of a
/// registration. Re-arms a [`ONESHOT`](EventFlags::ONESHOT) registration.
///
/// An [`EXCLUSIVE`](EventFlags::EXCLUSIVE) registration cannot be modified: the kernel sets up
/// the exclusive wakeup once, when adding. Delete it and add it again instead.
///
/// ```
/// use freepoll::epoll::{epoll_add, epoll_create, epoll_mod, CreateFlags, EventFlags};
/// # use freepoll::fd::{FromRawFd, OwnedFd};
/// # let efd = unsafe { freepoll::raw::syscall2(freepoll::raw::nr::EVENTFD2, 0, 0) };
/// # let source = unsafe { OwnedFd::from_raw_fd(freepoll::raw::decode_raw(efd).unwrap() as i32) };
/// let epoll = epoll_create(CreateFlags::CLOEXEC)?;
/// epoll_add(&epoll, &source, 1, EventFlags::IN)?;
/// epoll_mod(&epoll, &source, 2, EventFlags::IN | EventFlags::ONESHOT)?;
/// assert_eq!(
///     epoll_mod(&epoll, &source, 3, EventFlags::IN | EventFlags::EXCLUSIVE),
///     Err(freepoll::Errno::INVAL),
/// );
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::INVAL`], before any call: `flags` has [`EXCLUSIVE`](EventFlags::EXCLUSIVE),
///   which only [`epoll_add`] can set.
/// - [`Errno::INVAL`], from the kernel: `epoll` is not an epoll instance, or `source` was
///   added with `EXCLUSIVE`.
/// - [`Errno::NOENT`]: `source` is not registered with this instance.
/// - [`Errno::BADF`]: `epoll` or `source` is not an open descriptor.
///
/// # References
/// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
#[doc(alias = "epoll_ctl")]
#[doc(alias = "EPOLL_CTL_MOD")]
#[inline]
pub fn epoll_mod(
    epoll: impl AsFd + Copy,
    source: impl AsFd + Copy,
    data: u64,
    flags: EventFlags,
) -> Result<()> {
    if flags.contains(EventFlags::EXCLUSIVE) {
        return Err(Errno::INVAL);
    }
    ctl(
        epoll.as_fd(),
        EPOLL_CTL_MOD,
        source.as_fd(),
        Some(Event::new(flags, data)),
    )
}

/// `epoll_ctl(epoll, EPOLL_CTL_DEL, source, NULL)`: stops watching `source`.
///
/// Call it before closing a source whose open file description may live on in a duplicate
/// (see the module docs): closing the descriptor alone does not end the registration then.
///
/// ```
/// use freepoll::epoll::{epoll_add, epoll_create, epoll_del, epoll_wait, uninit_events};
/// use freepoll::epoll::{CreateFlags, EventFlags, EventVec};
/// # use freepoll::fd::{FromRawFd, OwnedFd};
/// # // An eventfd with a count of 1: readable at once.
/// # let efd = unsafe { freepoll::raw::syscall2(freepoll::raw::nr::EVENTFD2, 1, 0) };
/// # let source = unsafe { OwnedFd::from_raw_fd(freepoll::raw::decode_raw(efd).unwrap() as i32) };
/// let epoll = epoll_create(CreateFlags::CLOEXEC)?;
/// epoll_add(&epoll, &source, 1, EventFlags::IN)?;
/// epoll_del(&epoll, &source)?;
/// let mut buf = uninit_events::<4>();
/// let mut events = EventVec::new(&mut buf);
/// assert_eq!(epoll_wait(&epoll, &mut events, 0)?, 0); // readable, but no longer watched
/// assert_eq!(epoll_del(&epoll, &source), Err(freepoll::Errno::NOENT));
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::NOENT`]: `source` is not registered with this instance.
/// - [`Errno::INVAL`]: `epoll` is not an epoll instance.
/// - [`Errno::BADF`]: `epoll` or `source` is not an open descriptor.
///
/// # References
/// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
#[doc(alias = "epoll_ctl")]
#[doc(alias = "EPOLL_CTL_DEL")]
#[inline]
pub fn epoll_del(epoll: impl AsFd + Copy, source: impl AsFd + Copy) -> Result<()> {
    ctl(epoll.as_fd(), EPOLL_CTL_DEL, source.as_fd(), None)
}

/// The one `epoll_ctl` call behind add, mod and del.
#[inline(always)]
fn ctl(
    epoll: BorrowedFd<'_>,
    op: usize,
    source: BorrowedFd<'_>,
    event: Option<Event>,
) -> Result<()> {
    let event_ptr = match &event {
        Some(event) => event as *const Event as usize,
        None => 0,
    };
    // SAFETY: `epoll` and `source` are `BorrowedFd`s the caller holds, so they are open
    // for this call. `event_ptr` is NULL (DEL, which reads no event) or points to `event`, a
    // live `Event` in the kernel's layout that the kernel only reads (copy_from_user of
    // `size_of::<Event>()` bytes).
    let ret = unsafe {
        syscall4(
            nr::EPOLL_CTL,
            epoll.as_raw_fd() as usize,
            op,
            source.as_raw_fd() as usize,
            event_ptr,
        )
    };
    decode_raw(ret).map(drop)
}

/// `epoll_wait(epoll, events, capacity, timeout)`: waits for events.
///
/// Replaces the contents of `events` with what the kernel returned and returns how many that
/// is. `timeout` is a [`Timeout`]: milliseconds as C takes them (`0` returns at once, `-1` or
/// any negative value waits until an event arrives), a [`Duration`], or an
/// `Option<Duration>` (`None` waits forever).
///
/// A whole number of milliseconds goes to the kernel's `epoll_wait` where the architecture
/// has it, and to `epoll_pwait` with a NULL signal mask on aarch64 and riscv64, which do not
/// (the kernel does the same wait either way; `epoll_wait` skips the mask). Any other
/// duration goes to `epoll_pwait2` (Linux 5.11) as an exact timespec or, where that call is
/// missing, to `epoll_pwait` rounded up to whole milliseconds: see [`Pwait2Policy`].
///
/// ```
/// use core::time::Duration;
/// use freepoll::epoll::{epoll_create, epoll_wait, uninit_events, CreateFlags, EventVec};
/// let epoll = epoll_create(CreateFlags::CLOEXEC)?;
/// let mut buf = uninit_events::<4>();
/// let mut events = EventVec::new(&mut buf);
/// assert_eq!(epoll_wait(&epoll, &mut events, 0)?, 0); // nothing registered, nothing ready
/// assert_eq!(epoll_wait(&epoll, &mut events, 1)?, 0); // 1 ms
/// assert_eq!(epoll_wait(&epoll, &mut events, Duration::from_micros(200))?, 0);
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::INVAL`], before any call: `events` has capacity 0; or `timeout` is longer than
///   the kernel takes: more than `i64::MAX` seconds, or more than `i32::MAX` milliseconds
///   (about 24.8 days) when it is not a whole number of milliseconds and has to be rounded up
///   for `epoll_pwait`.
/// - [`Errno::INVAL`], from the kernel: `epoll` is not an epoll instance.
/// - [`Errno::INTR`]: a signal handler ran during the wait. The wait is not restarted, even
///   with `SA_RESTART`; [`epoll_wait_retry`] restarts it.
/// - [`Errno::BADF`]: `epoll` is not an open descriptor.
/// - [`Errno::NOSYS`], [`Errno::PERM`], [`Errno::ACCES`] or any other number that
///   `epoll_pwait2` itself never gives: only under [`Pwait2Policy::Always`], for a timeout
///   that is not a whole number of milliseconds: the call is missing or a filter forbids it.
///
/// On error `events` is empty.
///
/// # References
/// - [epoll_wait(2)](https://man7.org/linux/man-pages/man2/epoll_wait.2.html) (`epoll_pwait`
///   and `epoll_pwait2` too)
#[doc(alias = "epoll_pwait")]
#[doc(alias = "epoll_pwait2")]
#[inline]
pub fn epoll_wait(
    epoll: impl AsFd,
    events: &mut EventVec<'_>,
    timeout: impl Into<Timeout>,
) -> Result<usize> {
    wait(epoll.as_fd(), events, timeout.into(), None)
}

/// `epoll_pwait(epoll, events, capacity, timeout, sigmask)`: waits for events with `sigmask`
/// as the calling thread's signal mask.
///
/// The kernel installs `sigmask`, waits, and puts the thread's own mask back, as one step. A
/// signal that the thread blocks and `sigmask` does not is therefore delivered only during the
/// wait, even if it arrived before: its handler runs, the wait fails with [`Errno::INTR`], and
/// the old mask is in place again when this returns. Unblocking it yourself and then calling
/// [`epoll_wait`] would let the handler run just before the wait, which then sleeps on.
/// `None` leaves the mask alone: that is [`epoll_wait`].
///
/// `timeout` is as for [`epoll_wait`], `epoll_pwait2` included (it takes the same mask).
/// `SIGKILL` and `SIGSTOP` cannot be blocked; the kernel ignores them in `sigmask`.
///
/// ```
/// use freepoll::epoll::{epoll_create, epoll_pwait, uninit_events, CreateFlags, EventVec};
/// use freepoll::signal::{SigSet, SIGTERM};
/// let epoll = epoll_create(CreateFlags::CLOEXEC)?;
/// let mut buf = uninit_events::<4>();
/// let mut events = EventVec::new(&mut buf);
///
/// // Wait with every signal but SIGTERM blocked (and those libc reserves left alone).
/// let mut mask = SigSet::full();
/// mask.remove(SIGTERM)?;
/// assert_eq!(epoll_pwait(&epoll, &mut events, 10, Some(&mask))?, 0);
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// As [`epoll_wait`]. [`Errno::INTR`] is the expected answer when a signal that `sigmask`
/// unblocks is pending or arrives.
///
/// # References
/// - [epoll_pwait(2)](https://man7.org/linux/man-pages/man2/epoll_pwait.2.html),
///   [sigprocmask(2)](https://man7.org/linux/man-pages/man2/sigprocmask.2.html)
#[doc(alias = "epoll_pwait2")]
#[inline]
pub fn epoll_pwait(
    epoll: impl AsFd,
    events: &mut EventVec<'_>,
    timeout: impl Into<Timeout>,
    sigmask: Option<&SigSet>,
) -> Result<usize> {
    wait(epoll.as_fd(), events, timeout.into(), sigmask)
}

/// [`epoll_wait`] that restarts after [`Errno::INTR`] with the time that is left, so signals
/// arriving during the wait cannot stretch it.
///
/// Reads `CLOCK_MONOTONIC` with [`clock_gettime`] (through the vDSO where there is one)
/// before the first wait and after each interruption, and waits again for what is left of
/// `timeout`. When
/// nothing is left it waits once more with a zero timeout, so events that arrived are still
/// reported. [`Timeout::FOREVER`] restarts as it is and reads no clock; [`Timeout::ZERO`]
/// reads none either. Only `INTR` is retried: every other answer is returned.
///
/// The time left after an interruption is rarely a whole number of milliseconds, so restarts
/// use `epoll_pwait2` or its rounded-up fallback (see [`Pwait2Policy`]).
///
/// ```
/// use freepoll::epoll::{epoll_create, epoll_wait_retry, uninit_events, CreateFlags, EventVec};
/// let epoll = epoll_create(CreateFlags::CLOEXEC)?;
/// let mut buf = uninit_events::<4>();
/// let mut events = EventVec::new(&mut buf);
/// // 20 ms, however many signal handlers run meanwhile.
/// assert_eq!(epoll_wait_retry(&epoll, &mut events, 20)?, 0);
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// As [`epoll_wait`], never [`Errno::INTR`]; and whatever `clock_gettime(CLOCK_MONOTONIC)`
/// answers, which on Linux is nothing unless a seccomp filter forbids it.
///
/// # References
/// - [epoll_wait(2)](https://man7.org/linux/man-pages/man2/epoll_wait.2.html),
///   [clock_gettime(2)](https://man7.org/linux/man-pages/man2/clock_gettime.2.html),
///   [signal(7)](https://man7.org/linux/man-pages/man7/signal.7.html) ("Interruption of
///   system calls")
#[doc(alias = "EINTR")]
pub fn epoll_wait_retry(
    epoll: impl AsFd,
    events: &mut EventVec<'_>,
    timeout: impl Into<Timeout>,
) -> Result<usize> {
    let epoll = epoll.as_fd();
    let timeout = timeout.into();
    let total = match timeout.duration() {
        Some(total) if !total.is_zero() => total,
        // Forever, or zero (a zero-timeout wait never sleeps, so nothing is left to recompute).
        _ => loop {
            match wait(epoll, events, timeout, None) {
                Err(Errno::INTR) => continue,
                other => return other,
            }
        },
    };
    // A `total` so long that the sum overflows a `Duration` is over `i64::MAX` seconds, which
    // the first wait rejects with INVAL.
    let deadline = clock_gettime(ClockId::Monotonic)?.saturating_add(total);
    let mut remaining = timeout;
    loop {
        match wait(epoll, events, remaining, None) {
            Err(Errno::INTR) => {}
            other => return other,
        }
        remaining =
            Timeout::from_duration(deadline.saturating_sub(clock_gettime(ClockId::Monotonic)?));
    }
}

/// `ioctl(epoll, EPIOCSPARAMS, &params)` on any descriptor: [`Epoll::set_params`] on one
/// known to be an epoll instance.
///
/// # Errors
/// As [`Epoll::set_params`]; [`Errno::NOTTY`] also where `epoll` is not an epoll instance.
#[deprecated(
    since = "0.2.0",
    note = "use `Epoll::set_params`: the ioctl belongs on an epoll instance, which `Epoll` is"
)]
#[doc(alias = "EPIOCSPARAMS")]
#[inline]
pub fn epoll_params_set(epoll: impl AsFd, params: &Params) -> Result<()> {
    params_set(epoll.as_fd(), params)
}

/// `ioctl(epoll, EPIOCGPARAMS, &params)` on any descriptor: [`Epoll::params`] on one known to
/// be an epoll instance.
///
/// # Errors
/// As [`Epoll::params`]; [`Errno::NOTTY`] also where `epoll` is not an epoll instance.
#[deprecated(
    since = "0.2.0",
    note = "use `Epoll::params`: the ioctl belongs on an epoll instance, which `Epoll` is"
)]
#[doc(alias = "EPIOCGPARAMS")]
#[inline]
pub fn epoll_params_get(epoll: impl AsFd) -> Result<Params> {
    params_get(epoll.as_fd())
}

/// `ioctl(epoll, EPIOCSPARAMS, &params)`, for [`Epoll::set_params`] and the deprecated
/// [`epoll_params_set`].
#[inline]
fn params_set(epoll: BorrowedFd<'_>, params: &Params) -> Result<()> {
    if params.busy_poll_usecs > i32::MAX as u32 {
        return Err(Errno::INVAL);
    }
    let raw = params.to_raw();
    // SAFETY: `epoll` is a `BorrowedFd`, open for the call. For EPIOCSPARAMS the kernel reads
    // `size_of::<RawParams>()` (8) bytes from `&raw`, a live `RawParams` in the layout of
    // `struct epoll_params`, and writes nothing. On an `Epoll` the request reaches eventpoll's
    // own ioctl handler; on another descriptor (only through the deprecated free function)
    // that file's driver refuses type 0x8A, which the kernel's ioctl number list gives to
    // epoll alone.
    let ret = unsafe {
        syscall3(
            nr::IOCTL,
            epoll.as_raw_fd() as usize,
            EPIOCSPARAMS as usize,
            &raw as *const RawParams as usize,
        )
    };
    decode_raw(ret).map(drop)
}

/// `ioctl(epoll, EPIOCGPARAMS, &params)`, for [`Epoll::params`] and the deprecated
/// [`epoll_params_get`].
#[inline]
fn params_get(epoll: BorrowedFd<'_>) -> Result<Params> {
    let mut raw = RawParams::default();
    // SAFETY: `epoll` is a `BorrowedFd`, open for the call. For EPIOCGPARAMS the kernel writes
    // `size_of::<RawParams>()` (8) bytes to `&mut raw`, a live `RawParams` in the layout of
    // `struct epoll_params`, any bytes of which are a valid value. On another descriptor than
    // an epoll instance the request is refused (see `params_set`).
    let ret = unsafe {
        syscall3(
            nr::IOCTL,
            epoll.as_raw_fd() as usize,
            EPIOCGPARAMS as usize,
            &mut raw as *mut RawParams as usize,
        )
    };
    decode_raw(ret)?;
    Ok(Params::from_raw(raw))
}

/// An epoll instance: [`epoll_create`]'s descriptor as a type of its own, so that what only an
/// epoll instance answers (the busy-poll ioctls) is asked of nothing else. Its methods are the
/// free functions of this module with the instance as `self`; the free functions, which take
/// any descriptor, stay for code written against them.
///
/// ```
/// use freepoll::epoll::{uninit_events, CreateFlags, Epoll, EventFlags, EventVec};
/// use freepoll::eventfd::{EventFd, EventFdFlags};
/// let epoll = Epoll::new(CreateFlags::CLOEXEC)?;
/// let wake = EventFd::new(0, EventFdFlags::CLOEXEC)?;
/// epoll.add(&wake, 7, EventFlags::IN)?;
/// wake.add(1)?;
///
/// let mut buf = uninit_events::<4>();
/// let mut events = EventVec::new(&mut buf);
/// assert_eq!(epoll.wait(&mut events, 0)?, 1);
/// assert_eq!(events.iter().next(), Some((EventFlags::IN, 7)));
/// # Ok::<(), freepoll::Errno>(())
/// ```
pub struct Epoll {
    fd: OwnedFd,
}

fd_handle!(Epoll);

impl Epoll {
    /// `epoll_create1(flags)`: a new epoll instance, as [`epoll_create`].
    ///
    /// # Errors
    /// As [`epoll_create`].
    ///
    /// # References
    /// - [epoll_create1(2)](https://man7.org/linux/man-pages/man2/epoll_create1.2.html)
    #[doc(alias = "epoll_create1")]
    #[inline]
    pub fn new(flags: CreateFlags) -> Result<Epoll> {
        epoll_create(flags).map(|fd| Epoll { fd })
    }

    /// `epoll_ctl(self, EPOLL_CTL_ADD, source, {flags, data})`: as [`epoll_add`].
    ///
    /// # Errors
    /// As [`epoll_add`].
    ///
    /// # References
    /// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
    #[doc(alias = "epoll_ctl")]
    #[inline]
    pub fn add(&self, source: impl AsFd + Copy, data: u64, flags: EventFlags) -> Result<()> {
        epoll_add(&self.fd, source, data, flags)
    }

    /// `epoll_ctl(self, EPOLL_CTL_MOD, source, {flags, data})`: as [`epoll_mod`].
    ///
    /// # Errors
    /// As [`epoll_mod`].
    ///
    /// # References
    /// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
    #[doc(alias = "epoll_ctl")]
    #[inline]
    pub fn modify(&self, source: impl AsFd + Copy, data: u64, flags: EventFlags) -> Result<()> {
        epoll_mod(&self.fd, source, data, flags)
    }

    /// `epoll_ctl(self, EPOLL_CTL_DEL, source, NULL)`: as [`epoll_del`].
    ///
    /// # Errors
    /// As [`epoll_del`].
    ///
    /// # References
    /// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
    #[doc(alias = "epoll_ctl")]
    #[inline]
    pub fn delete(&self, source: impl AsFd + Copy) -> Result<()> {
        epoll_del(&self.fd, source)
    }

    /// `epoll_wait(self, events, capacity, timeout)`: as [`epoll_wait`].
    ///
    /// # Errors
    /// As [`epoll_wait`].
    ///
    /// # References
    /// - [epoll_wait(2)](https://man7.org/linux/man-pages/man2/epoll_wait.2.html)
    #[doc(alias = "epoll_wait")]
    #[inline]
    pub fn wait(&self, events: &mut EventVec<'_>, timeout: impl Into<Timeout>) -> Result<usize> {
        epoll_wait(&self.fd, events, timeout)
    }

    /// `epoll_pwait(self, events, capacity, timeout, sigmask)`: as [`epoll_pwait`].
    ///
    /// # Errors
    /// As [`epoll_pwait`].
    ///
    /// # References
    /// - [epoll_pwait(2)](https://man7.org/linux/man-pages/man2/epoll_pwait.2.html)
    #[doc(alias = "epoll_pwait")]
    #[inline]
    pub fn pwait(
        &self,
        events: &mut EventVec<'_>,
        timeout: impl Into<Timeout>,
        sigmask: Option<&SigSet>,
    ) -> Result<usize> {
        epoll_pwait(&self.fd, events, timeout, sigmask)
    }

    /// [`epoll_wait_retry`] on this instance: restarts after [`Errno::INTR`] with the time
    /// that is left.
    ///
    /// # Errors
    /// As [`epoll_wait_retry`].
    ///
    /// # References
    /// - [epoll_wait(2)](https://man7.org/linux/man-pages/man2/epoll_wait.2.html)
    #[inline]
    pub fn wait_retry(
        &self,
        events: &mut EventVec<'_>,
        timeout: impl Into<Timeout>,
    ) -> Result<usize> {
        epoll_wait_retry(&self.fd, events, timeout)
    }

    /// `ioctl(self, EPIOCSPARAMS, &params)`: sets the busy-poll settings of this instance
    /// (Linux 6.9).
    ///
    /// ```
    /// use freepoll::epoll::{CreateFlags, Epoll, Params};
    /// use freepoll::Errno;
    /// let epoll = Epoll::new(CreateFlags::CLOEXEC)?;
    /// let params = Params { busy_poll_usecs: 50, busy_poll_budget: 16, prefer_busy_poll: true };
    /// match epoll.set_params(&params) {
    ///     Ok(()) => assert_eq!(epoll.params()?, params),
    ///     // Too old a kernel, one built without busy polling, or an emulator that lacks the ioctl.
    ///     Err(Errno::NOTTY | Errno::OPNOTSUPP | Errno::NOSYS) => {}
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok::<(), freepoll::Errno>(())
    /// ```
    ///
    /// # Errors
    /// - [`Errno::INVAL`], before any call: `busy_poll_usecs` is over `i32::MAX`, which the
    ///   kernel rejects the same way.
    /// - [`Errno::NOTTY`]: the kernel is older than 6.9 (an epoll instance answers no ioctl).
    /// - [`Errno::OPNOTSUPP`]: the kernel was built without `CONFIG_NET_RX_BUSY_POLL`.
    /// - [`Errno::PERM`]: `busy_poll_budget` is over 64 (`NAPI_POLL_WEIGHT`) and the caller
    ///   lacks `CAP_NET_ADMIN`.
    /// - [`Errno::NOSYS`]: an emulator that does not pass the ioctl on (qemu-user 7.2 answers
    ///   this for every ioctl it does not know).
    ///
    /// # References
    /// - [ioctl_eventpoll(2)](https://man7.org/linux/man-pages/man2/ioctl_eventpoll.2.html),
    ///   `include/uapi/linux/eventpoll.h`
    #[doc(alias = "EPIOCSPARAMS")]
    #[doc(alias = "ioctl")]
    #[doc(alias = "epoll_params_set")]
    #[inline]
    pub fn set_params(&self, params: &Params) -> Result<()> {
        params_set(self.fd.as_fd(), params)
    }

    /// `ioctl(self, EPIOCGPARAMS, &params)`: reads the busy-poll settings of this instance
    /// (Linux 6.9). A new instance reports [`Params::default()`]: busy polling off.
    ///
    /// # Errors
    /// - [`Errno::NOTTY`]: the kernel is older than 6.9.
    /// - [`Errno::OPNOTSUPP`]: the kernel was built without `CONFIG_NET_RX_BUSY_POLL`.
    /// - [`Errno::NOSYS`]: an emulator that does not pass the ioctl on (qemu-user 7.2).
    ///
    /// # References
    /// - [ioctl_eventpoll(2)](https://man7.org/linux/man-pages/man2/ioctl_eventpoll.2.html),
    ///   `include/uapi/linux/eventpoll.h`
    #[doc(alias = "EPIOCGPARAMS")]
    #[doc(alias = "ioctl")]
    #[doc(alias = "epoll_params_get")]
    #[inline]
    pub fn params(&self) -> Result<Params> {
        params_get(self.fd.as_fd())
    }
}

/// The one wait behind [`epoll_wait`], [`epoll_pwait`] and [`epoll_wait_retry`].
#[inline(always)]
fn wait(
    epoll: BorrowedFd<'_>,
    events: &mut EventVec<'_>,
    timeout: Timeout,
    sigmask: Option<&SigSet>,
) -> Result<usize> {
    let slots = events.slots_for_kernel();
    if slots.is_empty() {
        return Err(Errno::INVAL);
    }
    // Plain comparisons rather than `usize::min`: the generic `min` drags unwind tables into
    // freestanding binaries (see README, "Using freepoll without libc").
    let max = if slots.len() < MAX_EVENTS {
        slots.len()
    } else {
        MAX_EVENTS
    };
    let buf = slots.as_mut_ptr() as usize;
    let mask = match sigmask {
        Some(set) => set as *const SigSet as usize,
        None => 0,
    };
    let n = match timeout.0 {
        Repr::Millis(ms) if mask == 0 => {
            // SAFETY: `epoll` is a `BorrowedFd`, open for the call. `buf` is valid for
            // writes of `max` events in the kernel's layout (`MaybeUninit<Event>` is `Event`'s
            // layout, and `max <= slots.len()`), and the kernel writes only there. The timeout
            // is an `int`, sign-extended. The call is the architecture's wait without a mask
            // (`EPOLL_WAIT_NOMASK`; the comparison is decided at compile time): `epoll_wait`,
            // or `epoll_pwait` with a NULL mask, for which the kernel reads no set and ignores
            // the size, not passed.
            let ret = unsafe {
                if EPOLL_WAIT_NOMASK == nr::EPOLL_PWAIT {
                    syscall5(
                        EPOLL_WAIT_NOMASK,
                        epoll.as_raw_fd() as usize,
                        buf,
                        max,
                        ms as isize as usize,
                        0,
                    )
                } else {
                    syscall4(
                        EPOLL_WAIT_NOMASK,
                        epoll.as_raw_fd() as usize,
                        buf,
                        max,
                        ms as isize as usize,
                    )
                }
            };
            decode_count(ret, max)
        }
        Repr::Millis(ms) => {
            // SAFETY: `epoll`, `buf` and `max` as above; `mask` points to `sigmask`, a live
            // `SigSet` borrowed for the call, of which the kernel reads `KERNEL_SIGSET_SIZE`
            // bytes, its exact size.
            let ret = unsafe {
                syscall6(
                    nr::EPOLL_PWAIT,
                    epoll.as_raw_fd() as usize,
                    buf,
                    max,
                    ms as isize as usize,
                    mask,
                    KERNEL_SIGSET_SIZE,
                )
            };
            decode_count(ret, max)
        }
        Repr::Exact(timeout) => {
            // SAFETY: the same `epoll`, `buf`, `max` and `mask`, valid as said above.
            let ret = unsafe { wait_exact(epoll, buf, max, timeout, mask) }?;
            decode_count(ret, max)
        }
    }?;
    // SAFETY: the wait wrote `n` events into `slots[..n]`: the kernel returns the count it
    // copied out, never more than `maxevents`, and `decode_count`, which every arm goes
    // through, keeps `n <= max <= capacity` even so.
    unsafe { events.set_len_filled(n) };
    Ok(n)
}

/// The wait for a timeout that `epoll_pwait`'s milliseconds cannot hold: `epoll_pwait2` with
/// the exact timespec, or `epoll_pwait` with the timeout rounded up, as the [`Pwait2Policy`]
/// says. Out of line: the whole-millisecond path stays as short as it was.
///
/// Returns the kernel's raw result, for the one decoder of every wait ([`decode_count`]), or
/// `EINVAL` for a timeout refused before any call.
///
/// # Safety
/// For the whole call: `epoll` is an open descriptor; `buf` is valid for writes of `max`
/// events in the kernel's layout; `mask` is 0 or the address of a live [`SigSet`].
#[inline(never)]
unsafe fn wait_exact(
    epoll: BorrowedFd<'_>,
    buf: usize,
    max: usize,
    timeout: Duration,
    mask: usize,
) -> Result<usize> {
    let plan = pwait2_plan();
    if let Pwait2Plan::Probe { .. } | Pwait2Plan::Only = plan {
        let ts = KernelTimespec::from_duration(timeout).ok_or(Errno::INVAL)?;
        // SAFETY: `epoll`, `buf`/`max` and `mask` are valid as the caller guarantees. `ts` is a
        // live `struct __kernel_timespec` that the kernel only reads (16 bytes).
        let ret = unsafe {
            syscall6(
                nr::EPOLL_PWAIT2,
                epoll.as_raw_fd() as usize,
                buf,
                max,
                &ts as *const KernelTimespec as usize,
                mask,
                KERNEL_SIGSET_SIZE,
            )
        };
        match (plan, decode_raw(ret)) {
            // An answer that only a missing call or a filter gives: fall back below, and skip
            // the probe from now on.
            (Pwait2Plan::Probe { .. }, Err(errno)) if pwait2_refused(errno) => {
                record_pwait2_refused()
            }
            (Pwait2Plan::Probe { untried: true }, _) => {
                record_pwait2_works();
                return Ok(ret);
            }
            _ => return Ok(ret),
        }
    }
    let ms = millis_rounded_up(timeout).ok_or(Errno::INVAL)?;
    // SAFETY: `epoll`, `buf`/`max` and `mask` are valid as the caller guarantees; the timeout
    // is an integer.
    Ok(unsafe {
        syscall6(
            nr::EPOLL_PWAIT,
            epoll.as_raw_fd() as usize,
            buf,
            max,
            ms as isize as usize,
            mask,
            KERNEL_SIGSET_SIZE,
        )
    })
}
