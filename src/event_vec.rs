//! [`EventVec`]: where `epoll_wait` puts what it returns.

use crate::event::{Event, EventFlags};
use core::fmt;
use core::iter::FusedIterator;
use core::mem::MaybeUninit;

#[cfg(feature = "alloc")]
use alloc::{boxed::Box, collections::TryReserveError, vec::Vec};

/// The most events one wait can return: the kernel rejects a larger `maxevents` with `EINVAL`
/// (`EP_MAX_EVENTS`, `INT_MAX / sizeof(struct epoll_event)` in `fs/eventpoll.c`).
///
/// A vector with more capacity is still accepted: [`epoll_wait`](crate::epoll::epoll_wait)
/// passes this many as `maxevents`, and the rest of the slots stay unused.
pub const MAX_EVENTS: usize = i32::MAX as usize / core::mem::size_of::<Event>();

/// `N` uninitialised event slots, typed for [`EventVec::new`]: a stack buffer with no `unsafe`
/// and no `MaybeUninit` at the call site.
///
/// ```
/// use freepoll::epoll::{uninit_events, EventVec};
///
/// let mut buf = uninit_events::<64>();
/// let events = EventVec::new(&mut buf);
/// assert_eq!(events.capacity(), 64);
/// ```
///
/// Nothing is written: the array is as cheap as `[MaybeUninit::uninit(); N]`, which is what it
/// returns.
#[inline(always)]
pub const fn uninit_events<const N: usize>() -> [MaybeUninit<Event>; N] {
    [MaybeUninit::uninit(); N]
}

/// The buffer `epoll_wait` fills: a length and a backing of possibly uninitialised slots.
///
/// Backed by a caller's slice, so it works with no allocator:
///
/// ```
/// use core::mem::MaybeUninit;
/// use freepoll::epoll::{Event, EventVec};
///
/// let mut buf = [MaybeUninit::<Event>::uninit(); 32];
/// let events = EventVec::new(&mut buf);
/// assert_eq!(events.capacity(), 32);
/// assert!(events.is_empty());
/// ```
///
/// With the `alloc` feature it can also own a heap buffer (`EventVec::with_capacity`) and
/// grow (`EventVec::reserve`).
pub struct EventVec<'a> {
    // Invariant: `len <= slots.len()`, and `slots[..len]` are initialised. Every method that
    // writes `len` says how it keeps this.
    slots: Slots<'a>,
    len: usize,
}

enum Slots<'a> {
    Borrowed(&'a mut [MaybeUninit<Event>]),
    #[cfg(feature = "alloc")]
    Owned(Box<[MaybeUninit<Event>]>),
}

impl<'a> EventVec<'a> {
    /// An empty vector whose capacity is `buf.len()`. The slots need not be initialised.
    #[inline]
    pub fn new(buf: &'a mut [MaybeUninit<Event>]) -> EventVec<'a> {
        // Invariant: len 0, nothing needs to be initialised.
        EventVec {
            slots: Slots::Borrowed(buf),
            len: 0,
        }
    }

    /// How many events one wait can return into this vector (see also [`MAX_EVENTS`]).
    #[inline]
    pub fn capacity(&self) -> usize {
        self.slots().len()
    }

    /// How many events the last wait returned.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the last wait returned no events.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets the events; the capacity stays.
    #[inline]
    pub fn clear(&mut self) {
        // Invariant: len 0 needs nothing initialised.
        self.len = 0;
    }

    /// The events as `Event`s.
    #[inline]
    pub fn as_slice(&self) -> &[Event] {
        let slots = self.slots();
        if self.len > slots.len() {
            // SAFETY: never reached: `len <= slots.len()` is the invariant. Saying so lets the
            // compiler bound a loop over the events by the capacity.
            unsafe { core::hint::unreachable_unchecked() }
        }
        // SAFETY: `slots[..len]` is in bounds and initialised (the invariant), and
        // `MaybeUninit<Event>` has the same size and alignment as `Event`.
        unsafe { core::slice::from_raw_parts(slots.as_ptr().cast::<Event>(), self.len) }
    }

    /// The events as `(flags, data)` pairs, in the order the kernel returned them.
    ///
    /// `&EventVec` is also `IntoIterator`: `for (flags, data) in &events { ... }`.
    #[inline]
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            inner: self.as_slice().iter(),
        }
    }

    /// The slots, for the one caller that hands them to the kernel. Sets the length to 0 first,
    /// so that if the caller fails between here and [`EventVec::set_len_filled`], the vector
    /// is empty rather than claiming slots that were handed out for writing.
    #[inline]
    pub(crate) fn slots_for_kernel(&mut self) -> &mut [MaybeUninit<Event>] {
        // Invariant: len 0 needs nothing initialised.
        self.len = 0;
        match &mut self.slots {
            Slots::Borrowed(buf) => buf,
            #[cfg(feature = "alloc")]
            Slots::Owned(buf) => buf,
        }
    }

    /// Records that the first `n` slots were just written.
    ///
    /// # Safety
    /// `slots[..n]` are initialised and `n <= capacity()`.
    #[inline]
    pub(crate) unsafe fn set_len_filled(&mut self, n: usize) {
        // Invariant: the caller guarantees exactly what it needs.
        self.len = n;
    }

    #[inline]
    fn slots(&self) -> &[MaybeUninit<Event>] {
        match &self.slots {
            Slots::Borrowed(buf) => buf,
            #[cfg(feature = "alloc")]
            Slots::Owned(buf) => buf,
        }
    }
}

#[cfg(feature = "alloc")]
impl EventVec<'static> {
    /// A vector that owns a heap buffer of `capacity` slots, at most [`MAX_EVENTS`] (more
    /// could never be filled).
    ///
    /// Like `Vec::with_capacity`, it aborts if the allocator fails; use
    /// [`EventVec::try_with_capacity`] to get an error instead.
    ///
    /// ```
    /// # #[cfg(feature = "alloc")] {
    /// let events = freepoll::epoll::EventVec::with_capacity(256);
    /// assert_eq!(events.capacity(), 256);
    /// # }
    /// ```
    pub fn with_capacity(capacity: usize) -> EventVec<'static> {
        // Invariant: len 0.
        EventVec {
            slots: Slots::Owned(alloc_slots(capacity.min(MAX_EVENTS))),
            len: 0,
        }
    }

    /// [`EventVec::with_capacity`] that reports allocation failure.
    ///
    /// # Errors
    /// The allocator's error, if it cannot provide `capacity` slots.
    pub fn try_with_capacity(capacity: usize) -> Result<EventVec<'static>, TryReserveError> {
        // Invariant: len 0.
        Ok(EventVec {
            slots: Slots::Owned(try_alloc_slots(capacity.min(MAX_EVENTS))?),
            len: 0,
        })
    }
}

#[cfg(feature = "alloc")]
impl<'a> EventVec<'a> {
    /// Makes room for at least `additional` more events than [`len`](EventVec::len), growing
    /// geometrically to keep repeated calls cheap. The result is capped at [`MAX_EVENTS`].
    ///
    /// If the vector must grow, it moves to a new heap buffer that it owns, copying the
    /// current events; a borrowed buffer is no longer used afterwards. Does nothing if the
    /// capacity already suffices.
    ///
    /// # Errors
    /// The allocator's error; the vector is unchanged then.
    ///
    /// ```
    /// use core::mem::MaybeUninit;
    /// use freepoll::epoll::{Event, EventVec};
    ///
    /// let mut buf = [MaybeUninit::<Event>::uninit(); 4];
    /// let mut events = EventVec::new(&mut buf);
    /// events.reserve(100).unwrap();
    /// assert!(events.capacity() >= 100);
    /// ```
    pub fn reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        let needed = self.len.saturating_add(additional).min(MAX_EVENTS);
        if needed <= self.capacity() {
            return Ok(());
        }
        let doubled = self.capacity().saturating_mul(2).min(MAX_EVENTS);
        self.regrow(needed.max(doubled))
    }

    /// Makes room for exactly `additional` more events than [`len`](EventVec::len) (capped at
    /// [`MAX_EVENTS`]). Moves to an owned buffer as [`EventVec::reserve`] does.
    ///
    /// # Errors
    /// The allocator's error; the vector is unchanged then.
    pub fn reserve_exact(&mut self, additional: usize) -> Result<(), TryReserveError> {
        let needed = self.len.saturating_add(additional).min(MAX_EVENTS);
        if needed <= self.capacity() {
            return Ok(());
        }
        self.regrow(needed)
    }

    /// Reduces the capacity to the length.
    ///
    /// An owned buffer is reallocated to fit. A borrowed buffer cannot be given back in part,
    /// so the vector moves to an owned buffer of exactly `len` slots and stops using the
    /// borrowed one; with no events, it becomes an empty vector of capacity 0 (which
    /// `epoll_wait` rejects with `EINVAL` until it grows again).
    ///
    /// # Errors
    /// The allocator's error; the vector is unchanged then.
    pub fn shrink_to_fit(&mut self) -> Result<(), TryReserveError> {
        if self.capacity() == self.len {
            return Ok(());
        }
        self.regrow(self.len)
    }

    /// Moves the events into a new owned buffer of exactly `capacity >= len` slots.
    fn regrow(&mut self, capacity: usize) -> Result<(), TryReserveError> {
        let mut new = try_alloc_slots(capacity)?;
        let old = self.as_slice();
        for (slot, event) in new.iter_mut().zip(old) {
            *slot = MaybeUninit::new(*event);
        }
        // Invariant: `capacity >= len`, so the zip copied all `len` events into `new[..len]`.
        self.slots = Slots::Owned(new);
        Ok(())
    }
}

#[cfg(feature = "alloc")]
fn alloc_slots(capacity: usize) -> Box<[MaybeUninit<Event>]> {
    let mut v = Vec::with_capacity(capacity);
    v.resize(capacity, MaybeUninit::uninit());
    v.into_boxed_slice()
}

#[cfg(feature = "alloc")]
fn try_alloc_slots(capacity: usize) -> Result<Box<[MaybeUninit<Event>]>, TryReserveError> {
    let mut v = Vec::new();
    v.try_reserve_exact(capacity)?;
    // No allocation: the capacity is there. `into_boxed_slice` then has nothing to shrink
    // unless the allocator gave more, in which case it is the shrink `Vec` always does.
    v.resize(capacity, MaybeUninit::uninit());
    Ok(v.into_boxed_slice())
}

impl fmt::Debug for EventVec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventVec")
            .field("capacity", &self.capacity())
            .field("events", &self.as_slice())
            .finish()
    }
}

/// Iterator over an [`EventVec`]'s events as `(flags, data)` pairs.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    inner: core::slice::Iter<'a, Event>,
}

impl Iterator for Iter<'_> {
    type Item = (EventFlags, u64);

    #[inline]
    fn next(&mut self) -> Option<(EventFlags, u64)> {
        self.inner.next().map(|e| (e.flags(), e.data()))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<(EventFlags, u64)> {
        self.inner.next_back().map(|e| (e.flags(), e.data()))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl FusedIterator for Iter<'_> {}

impl<'v> IntoIterator for &'v EventVec<'_> {
    type Item = (EventFlags, u64);
    type IntoIter = Iter<'v>;

    #[inline]
    fn into_iter(self) -> Iter<'v> {
        self.iter()
    }
}
