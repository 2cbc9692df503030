//! [`Params`]: an epoll instance's busy-poll settings (Linux 6.9), and the kernel's layout of
//! them for the `EPIOCSPARAMS`/`EPIOCGPARAMS` ioctls.

use crate::arch::{EPIOCGPARAMS_HEADER, EPIOCSPARAMS_HEADER, IOC_READ, IOC_WRITE};
use static_assertions::const_assert;

/// Busy-poll settings of one epoll instance, as [`Epoll::set_params`] stores them and
/// [`Epoll::params`] reads them back (Linux 6.9).
///
/// With `busy_poll_usecs` non-zero, a wait on this instance first spins for up to that many
/// microseconds polling the NAPI context of the network sockets it watches, instead of
/// sleeping until an interrupt. `busy_poll_budget` caps the packets handled per poll (0 means
/// the kernel's default; above 64, `NAPI_POLL_WEIGHT`, it needs `CAP_NET_ADMIN`).
/// `prefer_busy_poll` prefers this busy polling to the network stack's own softirq processing,
/// as `SO_PREFER_BUSY_POLL` does for one socket. The defaults, all zero, turn busy polling off.
///
/// [`Epoll::set_params`]: crate::epoll::Epoll::set_params
/// [`Epoll::params`]: crate::epoll::Epoll::params
#[doc(alias = "epoll_params")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Params {
    /// How long a wait busy-polls before it sleeps, in microseconds; at most `i32::MAX`.
    pub busy_poll_usecs: u32,
    /// Packets per poll; 0 is the kernel's default. Above 64 needs `CAP_NET_ADMIN`.
    pub busy_poll_budget: u16,
    /// Prefer busy polling to softirq processing (`SO_PREFER_BUSY_POLL` for the instance).
    pub prefer_busy_poll: bool,
}

/// The kernel's `struct epoll_params` (`include/uapi/linux/eventpoll.h`): 8 bytes, no implicit
/// padding, the same on every architecture. The kernel rejects a non-zero `pad`.
#[derive(Clone, Copy, Default)]
#[repr(C)]
pub(crate) struct RawParams {
    pub(crate) busy_poll_usecs: u32,
    pub(crate) busy_poll_budget: u16,
    pub(crate) prefer_busy_poll: u8,
    pub(crate) pad: u8,
}

const_assert!(core::mem::size_of::<RawParams>() == 8);

/// `_IOC(dir, type, nr, size)`: `nr` in bits 0-7, `type` in 8-15, `size` from bit 16 (14 bits
/// in the generic encoding, 13 on powerpc), `dir` above it. The direction bits differ by
/// architecture (powerpc swaps read and write and puts them one bit lower), so they come
/// from the arch file, already shifted: `arch::IOC_WRITE`, `arch::IOC_READ`.
const fn ioc(dir: u32, ty: u32, nr: u32, size: usize) -> u32 {
    dir | ((size as u32) << 16) | (ty << 8) | nr
}

/// `EPOLL_IOC_TYPE`.
const EPOLL_IOC_TYPE: u32 = 0x8A;

/// `EPIOCSPARAMS`: `_IOW(EPOLL_IOC_TYPE, 0x01, struct epoll_params)`.
pub(crate) const EPIOCSPARAMS: u32 = ioc(
    IOC_WRITE,
    EPOLL_IOC_TYPE,
    0x01,
    core::mem::size_of::<RawParams>(),
);

/// `EPIOCGPARAMS`: `_IOR(EPOLL_IOC_TYPE, 0x02, struct epoll_params)`.
pub(crate) const EPIOCGPARAMS: u32 = ioc(
    IOC_READ,
    EPOLL_IOC_TYPE,
    0x02,
    core::mem::size_of::<RawParams>(),
);

// The values the kernel headers expand to, as each arch file states them.
const_assert!(EPIOCSPARAMS == EPIOCSPARAMS_HEADER && EPIOCGPARAMS == EPIOCGPARAMS_HEADER);

impl Params {
    /// The kernel's layout of these settings.
    #[inline]
    pub(crate) fn to_raw(self) -> RawParams {
        RawParams {
            busy_poll_usecs: self.busy_poll_usecs,
            busy_poll_budget: self.busy_poll_budget,
            prefer_busy_poll: u8::from(self.prefer_busy_poll),
            pad: 0,
        }
    }

    /// Settings from the kernel's layout (which reports `prefer_busy_poll` as 0 or 1).
    #[inline]
    pub(crate) fn from_raw(raw: RawParams) -> Params {
        Params {
            busy_poll_usecs: raw.busy_poll_usecs,
            busy_poll_budget: raw.busy_poll_budget,
            prefer_busy_poll: raw.prefer_busy_poll != 0,
        }
    }
}
