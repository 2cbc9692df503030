//! `struct epoll_event` and its flags.

use bitflags::bitflags;
use core::fmt;
use static_assertions::{assert_eq_align, const_assert};

bitflags! {
    /// The `EPOLL*` event bits: what to watch for in [`epoll_add`](crate::epoll::epoll_add)
    /// and [`epoll_mod`](crate::epoll::epoll_mod), and what happened in a returned [`Event`].
    ///
    /// Bits the kernel reports that have no name here are kept as they are (see
    /// [`Event::flags`]).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct EventFlags: u32 {
        /// `EPOLLIN`: readable.
        const IN = 0x001;
        /// `EPOLLPRI`: an exceptional condition, such as TCP urgent data.
        const PRI = 0x002;
        /// `EPOLLOUT`: writable.
        const OUT = 0x004;
        /// `EPOLLERR`: an error condition. Always reported; need not be requested.
        const ERR = 0x008;
        /// `EPOLLHUP`: hang-up. Always reported; need not be requested.
        const HUP = 0x010;
        /// `EPOLLRDNORM`: normal data readable (equivalent to `IN` for most files).
        const RDNORM = 0x040;
        /// `EPOLLRDBAND`: priority band data readable.
        const RDBAND = 0x080;
        /// `EPOLLWRNORM`: writable (equivalent to `OUT` for most files).
        const WRNORM = 0x100;
        /// `EPOLLWRBAND`: priority band data writable.
        const WRBAND = 0x200;
        /// `EPOLLMSG`: unused by Linux; accepted and never reported.
        const MSG = 0x400;
        /// `EPOLLRDHUP`: the peer shut down its writing half (stream sockets).
        const RDHUP = 0x2000;
        /// `EPOLLEXCLUSIVE`: wake only one of several epoll instances waiting on the same
        /// source (Linux 4.5). Only with `EPOLL_CTL_ADD`.
        const EXCLUSIVE = 1 << 28;
        /// `EPOLLWAKEUP`: hold a wakeup source while the event is pending (needs
        /// `CAP_BLOCK_SUSPEND`; silently dropped without it).
        const WAKEUP = 1 << 29;
        /// `EPOLLONESHOT`: report one event, then disable the registration until it is
        /// re-armed with [`epoll_mod`](crate::epoll::epoll_mod).
        const ONESHOT = 1 << 30;
        /// `EPOLLET`: edge-triggered: report a change of readiness once, not a state.
        const ET = 1 << 31;
    }
}

bitflags! {
    /// Flags for [`epoll_create`](crate::epoll::epoll_create).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct CreateFlags: u32 {
        /// `EPOLL_CLOEXEC`: close the epoll descriptor on `execve`.
        const CLOEXEC = 0o2_000_000;
    }
}

/// One `struct epoll_event`: the event bits and the caller's 64-bit `data`.
///
/// The layout is the kernel's: `#[repr(C)]`, and packed on x86_64, where the kernel declares
/// the struct `__attribute__((packed))` so that 32- and 64-bit programs share it. That makes
/// it 12 bytes there, and 12 bytes with 4-byte alignment on i686, whose ABI aligns `u64` to 4
/// (the kernel's and C's layout; the `libc` crate declares it packed, with alignment 1). On
/// every other architecture it is 16 bytes, with 4 bytes of padding after the flags. The
/// fields are private and read by value, so no reference to a possibly unaligned field is
/// ever made.
#[derive(Clone, Copy)]
#[repr(C)]
#[cfg_attr(target_arch = "x86_64", repr(packed))]
pub struct Event {
    events: u32,
    data: u64,
}

/// `size_of::<Event>()`, stated per architecture and checked below.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
const EVENT_SIZE: usize = 12;
#[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
const EVENT_SIZE: usize = 16;

const_assert!(core::mem::size_of::<Event>() == EVENT_SIZE);
#[cfg(target_arch = "x86_64")]
assert_eq_align!(Event, u8);
#[cfg(target_arch = "x86")]
assert_eq_align!(Event, u32);
#[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
assert_eq_align!(Event, u64);
// The offsets: an `Event` made from bytes that hold known values where the kernel puts
// `events` (offset 0) and `data` (offset 4 on x86_64 and i686, 8 elsewhere) must read them
// back. The bytes are native-endian, so this holds on big-endian s390x too.
const_assert!(layout_is_kernel_layout());

/// Decodes hand-placed bytes as an `Event` and checks both fields.
const fn layout_is_kernel_layout() -> bool {
    const EVENTS: u32 = 0x8000_2001;
    const DATA: u64 = 0x0123_4567_89ab_cdef;
    let [e0, e1, e2, e3] = EVENTS.to_ne_bytes();
    let [d0, d1, d2, d3, d4, d5, d6, d7] = DATA.to_ne_bytes();
    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    let bytes = [e0, e1, e2, e3, d0, d1, d2, d3, d4, d5, d6, d7];
    #[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
    let bytes = [e0, e1, e2, e3, 0, 0, 0, 0, d0, d1, d2, d3, d4, d5, d6, d7];
    // SAFETY: `Event` is `repr(C)` plain data of exactly `EVENT_SIZE` bytes (asserted above),
    // every bit pattern of its fields is valid, and padding may hold any byte.
    let event: Event = unsafe { core::mem::transmute::<[u8; EVENT_SIZE], Event>(bytes) };
    let (e, d) = (event.events, event.data);
    e == EVENTS && d == DATA
}

impl Event {
    /// An event with these flags and data: what [`epoll_add`](crate::epoll::epoll_add) hands
    /// the kernel.
    #[inline]
    pub const fn new(flags: EventFlags, data: u64) -> Event {
        Event {
            events: flags.bits(),
            data,
        }
    }

    /// The event bits, including any the kernel reports that [`EventFlags`] does not name.
    #[inline]
    pub const fn flags(&self) -> EventFlags {
        EventFlags::from_bits_retain(self.events)
    }

    /// The `data` given when the source was registered.
    #[inline]
    pub const fn data(&self) -> u64 {
        // A by-value read: copies the (possibly unaligned) field, never references it.
        self.data
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Event) -> bool {
        self.flags() == other.flags() && self.data() == other.data()
    }
}

impl Eq for Event {}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("flags", &self.flags())
            .field("data", &self.data())
            .finish()
    }
}
