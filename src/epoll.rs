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
//! Loop on `INTR` if that is what you want, and recompute the timeout when you do.
//!
//! **x86_64 packs `struct epoll_event`.** It is 12 bytes there and 16 elsewhere; [`Event`]
//! follows the kernel, and its fields are read by value (see [`Event`]).

pub use crate::event::{CreateFlags, Event, EventFlags};
pub use crate::event_vec::{EventVec, Iter, MAX_EVENTS};

use crate::arch::{nr, syscall1, syscall4, syscall6};
use crate::errno::{decode_raw, Errno, Result};
use crate::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};

/// `EPOLL_CTL_ADD`, `EPOLL_CTL_DEL`, `EPOLL_CTL_MOD` (`include/uapi/linux/eventpoll.h`).
const EPOLL_CTL_ADD: usize = 1;
const EPOLL_CTL_DEL: usize = 2;
const EPOLL_CTL_MOD: usize = 3;

/// The kernel's `sizeof(sigset_t)` on these architectures: 64 signals, 8 bytes. epoll_pwait
/// checks it even when the mask pointer is NULL.
const KERNEL_SIGSET_SIZE: usize = 8;

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
    let fd = decode_raw(ret)? as RawFd;
    // SAFETY: on success epoll_create1 returns a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
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
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::EXIST`]: `source` is already registered with this instance.
/// - [`Errno::PERM`]: `source` does not support epoll (a regular file, a directory).
/// - [`Errno::INVAL`]: `epoll` is not an epoll instance, `source` is `epoll` itself, or the
///   flags break a rule for `EXCLUSIVE`.
/// - [`Errno::LOOP`]: `source` is an epoll instance and adding it would make a cycle or nest
///   instances too deeply.
/// - [`Errno::NOSPC`]: the per-user limit `/proc/sys/fs/epoll/max_user_watches`.
/// - [`Errno::NOMEM`]: no kernel memory for the registration.
///
/// # References
/// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
#[doc(alias = "epoll_ctl")]
#[doc(alias = "EPOLL_CTL_ADD")]
#[inline]
pub fn epoll_add(epoll: impl AsFd, source: impl AsFd, data: u64, flags: EventFlags) -> Result<()> {
    ctl(
        epoll.as_fd().as_raw_fd(),
        EPOLL_CTL_ADD,
        source.as_fd().as_raw_fd(),
        Some(Event::new(flags, data)),
    )
}

/// `epoll_ctl(epoll, EPOLL_CTL_MOD, source, {flags, data})`: replaces the flags and data of a
/// registration. Re-arms a [`ONESHOT`](EventFlags::ONESHOT) registration.
///
/// # Errors
/// - [`Errno::NOENT`]: `source` is not registered with this instance.
/// - [`Errno::INVAL`]: `epoll` is not an epoll instance, or the change involves
///   `EXCLUSIVE`.
/// - [`Errno::BADF`]: `epoll` or `source` is not an open descriptor.
///
/// # References
/// - [epoll_ctl(2)](https://man7.org/linux/man-pages/man2/epoll_ctl.2.html)
#[doc(alias = "epoll_ctl")]
#[doc(alias = "EPOLL_CTL_MOD")]
#[inline]
pub fn epoll_mod(epoll: impl AsFd, source: impl AsFd, data: u64, flags: EventFlags) -> Result<()> {
    ctl(
        epoll.as_fd().as_raw_fd(),
        EPOLL_CTL_MOD,
        source.as_fd().as_raw_fd(),
        Some(Event::new(flags, data)),
    )
}

/// `epoll_ctl(epoll, EPOLL_CTL_DEL, source, NULL)`: stops watching `source`.
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
pub fn epoll_del(epoll: impl AsFd, source: impl AsFd) -> Result<()> {
    ctl(
        epoll.as_fd().as_raw_fd(),
        EPOLL_CTL_DEL,
        source.as_fd().as_raw_fd(),
        None,
    )
}

/// The one `epoll_ctl` call behind add, mod and del.
#[inline(always)]
fn ctl(epoll: RawFd, op: usize, source: RawFd, event: Option<Event>) -> Result<()> {
    let event_ptr = match &event {
        Some(event) => event as *const Event as usize,
        None => 0,
    };
    // SAFETY: `epoll` and `source` come from `BorrowedFd`s the caller holds, so they are open
    // for this call. `event_ptr` is NULL (DEL, which reads no event) or points to `event`, a
    // live `Event` in the kernel's layout that the kernel only reads (copy_from_user of
    // `size_of::<Event>()` bytes).
    let ret = unsafe {
        syscall4(
            nr::EPOLL_CTL,
            epoll as usize,
            op,
            source as usize,
            event_ptr,
        )
    };
    decode_raw(ret).map(drop)
}

/// `epoll_pwait(epoll, events, capacity, timeout, NULL)`: waits for events.
///
/// Replaces the contents of `events` with what the kernel returned and returns how many that
/// is. `timeout` is in milliseconds: 0 returns at once, -1 (any negative value) waits until an
/// event arrives.
///
/// The call is `epoll_pwait` with a NULL signal mask on every architecture, which is
/// `epoll_wait` (aarch64 and riscv64 have no `epoll_wait`).
///
/// ```
/// use core::mem::MaybeUninit;
/// use freepoll::epoll::{epoll_create, epoll_wait, CreateFlags, Event, EventVec};
/// let epoll = epoll_create(CreateFlags::CLOEXEC)?;
/// let mut buf = [MaybeUninit::<Event>::uninit(); 4];
/// let mut events = EventVec::new(&mut buf);
/// assert_eq!(epoll_wait(&epoll, &mut events, 0)?, 0); // nothing registered, nothing ready
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::INVAL`]: `events` has capacity 0 (checked before the call), or `epoll` is not an
///   epoll instance.
/// - [`Errno::INTR`]: a signal handler ran during the wait. The wait is not restarted, even
///   with `SA_RESTART`.
/// - [`Errno::BADF`]: `epoll` is not an open descriptor.
///
/// On error `events` is empty.
///
/// # References
/// - [epoll_wait(2)](https://man7.org/linux/man-pages/man2/epoll_wait.2.html)
#[doc(alias = "epoll_pwait")]
#[inline]
pub fn epoll_wait(epoll: impl AsFd, events: &mut EventVec<'_>, timeout: i32) -> Result<usize> {
    let epoll = epoll.as_fd().as_raw_fd();
    let slots = events.slots_for_kernel();
    if slots.is_empty() {
        return Err(Errno::INVAL);
    }
    let max = slots.len().min(MAX_EVENTS);
    // SAFETY: `epoll` comes from a `BorrowedFd`, open for the call. `slots` is valid for writes
    // of `max` events in the kernel's layout (`MaybeUninit<Event>` is `Event`'s layout, and
    // `max <= slots.len()`), and the kernel writes only there. The mask is NULL, so the
    // kernel reads no signal set (it only checks the size).
    let ret = unsafe {
        syscall6(
            nr::EPOLL_PWAIT,
            epoll as usize,
            slots.as_mut_ptr() as usize,
            max,
            timeout as isize as usize,
            0,
            KERNEL_SIGSET_SIZE,
        )
    };
    let n = decode_raw(ret)?.min(max);
    // SAFETY: epoll_pwait wrote `n` events into `slots[..n]` (it returns the count it copied
    // out, never more than `maxevents`; the `min` keeps `n <= max <= capacity` even so).
    unsafe { events.set_len_filled(n) };
    Ok(n)
}
