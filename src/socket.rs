//! Sockets: the connections, listeners and kernel channels (netlink) an event loop waits on.
//! Create one non-blocking ([`SocketFlags::NONBLOCK`]), register it with
//! [`epoll`](crate::epoll), and [`accept4`], [`recv`] or [`send`] until the kernel answers
//! [`Errno::AGAIN`].
//!
//! ```
//! use freepoll::epoll::{epoll_add, epoll_create, epoll_wait, uninit_events, CreateFlags};
//! use freepoll::epoll::{EventFlags, EventVec};
//! use freepoll::socket::{self, AddressFamily, Protocol, SendFlags, SocketAddr, SocketAddrV4};
//! use freepoll::socket::{SocketFlags, SocketType};
//!
//! let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
//! let listener = socket::socket(AddressFamily::INET, SocketType::STREAM, flags, Protocol::DEFAULT)?;
//! socket::bind(&listener, SocketAddrV4::new([127, 0, 0, 1], 0))?; // port 0: any free port
//! socket::listen(&listener, 16)?;
//! let local = socket::getsockname(&listener)?;
//!
//! let client = socket::socket(AddressFamily::INET, SocketType::STREAM, flags, Protocol::DEFAULT)?;
//! // Non-blocking: the handshake completes later, and connect says so.
//! assert_eq!(socket::connect(&client, local), Err(freepoll::Errno::INPROGRESS));
//!
//! let epoll = epoll_create(CreateFlags::CLOEXEC)?;
//! epoll_add(&epoll, &listener, 1, EventFlags::IN)?;
//! let mut buf = uninit_events::<4>();
//! let mut events = EventVec::new(&mut buf);
//! epoll_wait(&epoll, &mut events, -1)?; // a connection is waiting
//!
//! let (conn, peer) = socket::accept4(&listener, flags)?;
//! assert!(matches!(peer, SocketAddr::V4(a) if a.ip() == [127, 0, 0, 1]));
//! assert_eq!(socket::send(&conn, b"hello\n", SendFlags::NOSIGNAL)?, 6);
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **Writing to a socket whose peer has gone raises `SIGPIPE`**, and its default action ends
//! the process, before the write's [`Errno::PIPE`] comes back. A server whose client hangs up
//! dies with it. Send with [`SendFlags::NOSIGNAL`] (then only `EPIPE` comes back), or ignore
//! `SIGPIPE` for the whole process (`SIG_IGN` with rt_sigaction(2); std programs have it
//! ignored by their runtime). `write(2)` on a socket has no such flag: use [`send`].
//!
//! Also:
//! - **A non-blocking connect ends later.** [`connect`] answers [`Errno::INPROGRESS`]; the
//!   socket becomes writable when the handshake is over, and [`take_error`] then says whether
//!   it worked (`None`) or why not (`ECONNREFUSED`, `ETIMEDOUT`, ...).
//! - **Non-blocking is per socket, set when it is made.** [`socket`], [`socketpair`] and
//!   [`accept4`] take [`SocketFlags::NONBLOCK`]; an accepted socket does not inherit it from
//!   the listener.
//!
//! # Addresses
//!
//! [`SocketAddr`] is one of [`SocketAddrV4`], [`SocketAddrV6`], [`SocketAddrUnix`] and
//! [`SocketAddrNetlink`]. Ports, IP addresses and the IPv6 flow label are in the host's byte
//! order here and in network order in the kernel's structures; the conversion is done by this
//! module. The kernel's layouts (`sockaddr_in`, `sockaddr_in6`, `sockaddr_un`, `sockaddr_nl`,
//! `sockaddr_storage`) are private and pinned at compile time.
//!
//! With the `std` feature, `std::net`'s addresses convert to and from these. `core::net`
//! (Rust 1.77) would make that possible without `std`, but freepoll builds with Rust 1.65.
//!
//! Every socket call here is its own system call on every architecture (i686 and s390x have
//! had them since Linux 4.3; before that they multiplexed everything through `socketcall`,
//! which freepoll does not use). The generic table has no `send` and `recv` calls:
//! [`send`] and [`recv`] are `sendto` and `recvfrom` with no address, everywhere.

use crate::arch::{nr, syscall2, syscall3, syscall4, syscall5, syscall6};
use crate::errno::{decode_raw, Errno, Result};
use crate::fd::{decode_new_fd, AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use crate::io::{O_CLOEXEC, O_NONBLOCK};
use bitflags::bitflags;
use static_assertions::{assert_eq_align, const_assert, const_assert_eq};

/// A protocol family (`AF_*`, `include/linux/socket.h`): the first argument of [`socket`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct AddressFamily(u16);

impl AddressFamily {
    /// `AF_UNSPEC`: no family (`connect` to it dissolves a datagram socket's association).
    pub const UNSPEC: AddressFamily = AddressFamily(0);
    /// `AF_UNIX`: local sockets, named by a path or an abstract name (unix(7)).
    pub const UNIX: AddressFamily = AddressFamily(1);
    /// `AF_INET`: IPv4 (ip(7)).
    pub const INET: AddressFamily = AddressFamily(2);
    /// `AF_INET6`: IPv6 (ipv6(7)).
    pub const INET6: AddressFamily = AddressFamily(10);
    /// `AF_NETLINK`: messages to and from the kernel (netlink(7)).
    pub const NETLINK: AddressFamily = AddressFamily(16);
    /// `AF_PACKET`: raw link-level packets (packet(7)). Its addresses are not decoded here.
    pub const PACKET: AddressFamily = AddressFamily(17);

    /// The family with this number.
    #[inline]
    pub const fn from_raw(raw: u16) -> AddressFamily {
        AddressFamily(raw)
    }

    /// The number, as `sa_family` holds it.
    #[inline]
    pub const fn as_raw(self) -> u16 {
        self.0
    }
}

/// A socket type (`SOCK_*`, `include/linux/net.h`): the second argument of [`socket`]. The
/// same numbers on every architecture freepoll supports (MIPS, which differs, is not one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct SocketType(u32);

impl SocketType {
    /// `SOCK_STREAM`: a reliable byte stream (TCP, a UNIX stream).
    pub const STREAM: SocketType = SocketType(1);
    /// `SOCK_DGRAM`: datagrams (UDP, a UNIX datagram socket, netlink).
    pub const DGRAM: SocketType = SocketType(2);
    /// `SOCK_RAW`: raw protocol access (netlink, raw IP, which needs `CAP_NET_RAW`).
    pub const RAW: SocketType = SocketType(3);
    /// `SOCK_RDM`: reliably delivered messages (TIPC, RDS).
    pub const RDM: SocketType = SocketType(4);
    /// `SOCK_SEQPACKET`: a connection of records with boundaries (UNIX, SCTP).
    pub const SEQPACKET: SocketType = SocketType(5);

    /// The type with this number.
    #[inline]
    pub const fn from_raw(raw: u32) -> SocketType {
        SocketType(raw)
    }

    /// The number.
    #[inline]
    pub const fn as_raw(self) -> u32 {
        self.0
    }
}

/// A protocol within a family: the third argument of [`socket`]. Its meaning depends on the
/// family (an IP protocol number for `INET` and `INET6`, a netlink bus for `NETLINK`);
/// [`Protocol::DEFAULT`] picks the family's usual one for the type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Protocol(u32);

impl Protocol {
    /// 0: the family's default for the socket type (TCP for an `INET` stream, UDP for an
    /// `INET` datagram socket; `NETLINK_ROUTE` for `NETLINK`).
    pub const DEFAULT: Protocol = Protocol(0);
    /// `IPPROTO_ICMP` (`include/uapi/linux/in.h`): ping sockets (`DGRAM`, allowed by
    /// `net.ipv4.ping_group_range`).
    pub const ICMP: Protocol = Protocol(1);
    /// `IPPROTO_TCP`.
    pub const TCP: Protocol = Protocol(6);
    /// `IPPROTO_UDP`.
    pub const UDP: Protocol = Protocol(17);
    /// `IPPROTO_ICMPV6` (`include/uapi/linux/in6.h`).
    pub const ICMPV6: Protocol = Protocol(58);
    /// `NETLINK_ROUTE` (`include/uapi/linux/netlink.h`): links, addresses, routes.
    pub const NETLINK_ROUTE: Protocol = Protocol(0);
    /// `NETLINK_KOBJECT_UEVENT`: the kernel's device events (what udev listens to, group 1).
    pub const NETLINK_KOBJECT_UEVENT: Protocol = Protocol(15);
    /// `NETLINK_GENERIC`: generic netlink families.
    pub const NETLINK_GENERIC: Protocol = Protocol(16);

    /// The protocol with this number.
    #[inline]
    pub const fn from_raw(raw: u32) -> Protocol {
        Protocol(raw)
    }

    /// The number.
    #[inline]
    pub const fn as_raw(self) -> u32 {
        self.0
    }
}

bitflags! {
    /// Flags for a new socket, or-ed into the type by [`socket`], [`socketpair`] and given to
    /// [`accept4`] (`include/linux/net.h`). On every architecture freepoll supports they are
    /// the `O_NONBLOCK` and `O_CLOEXEC` of the generic `fcntl.h`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SocketFlags: u32 {
        /// `SOCK_NONBLOCK`: calls that would wait fail with `EAGAIN` (`EINPROGRESS` for
        /// `connect`) instead.
        const NONBLOCK = O_NONBLOCK;
        /// `SOCK_CLOEXEC`: close the socket on `execve`.
        const CLOEXEC = O_CLOEXEC;
    }
}

bitflags! {
    /// Flags for [`send`] and [`sendto`] (`MSG_*`, `include/linux/socket.h`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SendFlags: u32 {
        /// `MSG_OOB`: TCP urgent data.
        const OOB = 0x1;
        /// `MSG_DONTROUTE`: to a directly connected network only.
        const DONTROUTE = 0x4;
        /// `MSG_DONTWAIT`: this call does not wait, whatever the socket's mode (`EAGAIN`).
        const DONTWAIT = 0x40;
        /// `MSG_EOR`: ends a record (`SEQPACKET`).
        const EOR = 0x80;
        /// `MSG_CONFIRM`: the neighbour answered (skips an ARP probe; datagrams).
        const CONFIRM = 0x800;
        /// `MSG_NOSIGNAL`: no `SIGPIPE` when the peer has gone; only `EPIPE` (see the module
        /// docs).
        const NOSIGNAL = 0x4000;
        /// `MSG_MORE`: more data follows; TCP holds a partial segment back, UDP builds one
        /// datagram from several calls.
        const MORE = 0x8000;
        /// `MSG_ZEROCOPY`: send from the caller's pages, completion on the error queue (needs
        /// `SO_ZEROCOPY`).
        const ZEROCOPY = 0x0400_0000;
        /// `MSG_FASTOPEN`: TCP Fast Open, the data in the SYN (`sendto` on an unconnected
        /// socket).
        const FASTOPEN = 0x2000_0000;
    }
}

bitflags! {
    /// Flags for [`recv`] and [`recvfrom`] (`MSG_*`, `include/linux/socket.h`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct RecvFlags: u32 {
        /// `MSG_OOB`: TCP urgent data.
        const OOB = 0x1;
        /// `MSG_PEEK`: returns the data without taking it from the queue.
        const PEEK = 0x2;
        /// `MSG_TRUNC`: for a datagram, returns its real length even when it was longer than
        /// the buffer (the rest is discarded all the same).
        const TRUNC = 0x20;
        /// `MSG_DONTWAIT`: this call does not wait, whatever the socket's mode (`EAGAIN`).
        const DONTWAIT = 0x40;
        /// `MSG_WAITALL`: a blocking stream read waits for the whole buffer (a signal, an
        /// error, or the end of the stream can still end it early).
        const WAITALL = 0x100;
        /// `MSG_ERRQUEUE`: reads the socket's error queue instead.
        const ERRQUEUE = 0x2000;
        /// `MSG_CMSG_CLOEXEC`: descriptors received in control messages are close-on-exec.
        const CMSG_CLOEXEC = 0x4000_0000;
    }
}

/// Which direction [`shutdown`] closes (`SHUT_*`, `include/linux/net.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shutdown {
    /// `SHUT_RD`: no more receiving.
    Read = 0,
    /// `SHUT_WR`: no more sending; the peer reads end of file (TCP sends its FIN).
    Write = 1,
    /// `SHUT_RDWR`: both.
    Both = 2,
}

// ---------------------------------------------------------------------------------------------
// Addresses, as the API has them.

/// An IPv4 socket address: four address bytes (`[127, 0, 0, 1]`) and a port, in host order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SocketAddrV4 {
    ip: [u8; 4],
    port: u16,
}

impl SocketAddrV4 {
    /// `INADDR_ANY`, 0.0.0.0: every local address, for [`bind`].
    pub const UNSPECIFIED: [u8; 4] = [0, 0, 0, 0];
    /// `INADDR_LOOPBACK`, 127.0.0.1.
    pub const LOCALHOST: [u8; 4] = [127, 0, 0, 1];

    /// The address `ip`:`port`.
    #[inline]
    pub const fn new(ip: [u8; 4], port: u16) -> SocketAddrV4 {
        SocketAddrV4 { ip, port }
    }

    /// The IP address, first byte first as written (`127.0.0.1` is `[127, 0, 0, 1]`).
    #[inline]
    pub const fn ip(&self) -> [u8; 4] {
        self.ip
    }

    /// The port.
    #[inline]
    pub const fn port(&self) -> u16 {
        self.port
    }
}

/// An IPv6 socket address: sixteen address bytes, a port, the flow information and the scope
/// (an interface index, for link-local addresses), in host order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SocketAddrV6 {
    ip: [u8; 16],
    port: u16,
    flowinfo: u32,
    scope_id: u32,
}

impl SocketAddrV6 {
    /// `in6addr_any`, `::`: every local address, for [`bind`].
    pub const UNSPECIFIED: [u8; 16] = [0; 16];
    /// `in6addr_loopback`, `::1`.
    pub const LOCALHOST: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

    /// The address `[ip]:port` with this flow information and scope.
    #[inline]
    pub const fn new(ip: [u8; 16], port: u16, flowinfo: u32, scope_id: u32) -> SocketAddrV6 {
        SocketAddrV6 {
            ip,
            port,
            flowinfo,
            scope_id,
        }
    }

    /// The IP address, first byte first as written.
    #[inline]
    pub const fn ip(&self) -> [u8; 16] {
        self.ip
    }

    /// The port.
    #[inline]
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// `sin6_flowinfo`: traffic class and flow label, in host order here (the kernel keeps it
    /// in network order).
    #[inline]
    pub const fn flowinfo(&self) -> u32 {
        self.flowinfo
    }

    /// `sin6_scope_id`: the interface index a link-local address belongs to, or 0.
    #[inline]
    pub const fn scope_id(&self) -> u32 {
        self.scope_id
    }
}

/// The size of `sun_path` (`UNIX_PATH_MAX`, `include/uapi/linux/un.h`).
const SUN_PATH_LEN: usize = 108;

/// A UNIX socket address: a path in the file system, an abstract name, or unnamed.
///
/// - A **path** ([`SocketAddrUnix::new`]) is 1 to 108 bytes with no NUL; [`bind`] creates a
///   socket file there (it must not exist yet) and the file stays after the socket is closed.
///   Linux takes a path that fills all 108 bytes of `sun_path`, with no terminating NUL;
///   other systems, and some programs, stop at 107.
/// - An **abstract** name ([`SocketAddrUnix::new_abstract`], Linux only) is 0 to 107 bytes
///   of any value, NULs included: no file, it goes away with the socket, and it is scoped to
///   the network namespace.
/// - **Unnamed** ([`SocketAddrUnix::unnamed`]): what a socket that never bound has (both ends
///   of a [`socketpair`], a client that connected without binding). Binding to it asks the
///   kernel to pick an abstract name (autobind).
///
/// Nothing is ever cut short: a name that does not fit is an error.
#[derive(Clone, Copy)]
pub struct SocketAddrUnix {
    /// `sun_path` as the kernel takes it: a path (NUL-padded), or a NUL and the abstract name.
    path: [u8; SUN_PATH_LEN],
    /// How many bytes of `path` are the address (0 when unnamed); at most `SUN_PATH_LEN`.
    len: u8,
}

impl SocketAddrUnix {
    /// A path name: `path` must be 1 to 108 bytes with no NUL.
    ///
    /// # Errors
    /// - [`Errno::NAMETOOLONG`]: `path` is longer than 108 bytes (`sun_path`).
    /// - [`Errno::INVAL`]: `path` is empty (see [`SocketAddrUnix::unnamed`]) or holds a NUL.
    #[inline]
    pub fn new(path: &[u8]) -> Result<SocketAddrUnix> {
        if path.is_empty() || path.contains(&0) {
            return Err(Errno::INVAL);
        }
        SocketAddrUnix::from_sun_path(&[], path)
    }

    /// An abstract name (Linux): `name` is 0 to 107 bytes, any bytes; the kernel sees a NUL
    /// and then `name`.
    ///
    /// # Errors
    /// - [`Errno::NAMETOOLONG`]: `name` is longer than 107 bytes (a NUL and the name fill
    ///   `sun_path`).
    #[inline]
    pub fn new_abstract(name: &[u8]) -> Result<SocketAddrUnix> {
        SocketAddrUnix::from_sun_path(&[0], name)
    }

    /// The unnamed address: only the family, no `sun_path`.
    #[inline]
    pub const fn unnamed() -> SocketAddrUnix {
        SocketAddrUnix {
            path: [0; SUN_PATH_LEN],
            len: 0,
        }
    }

    /// `prefix` then `rest` as `sun_path`, or `NAMETOOLONG` if they do not fit.
    fn from_sun_path(prefix: &[u8], rest: &[u8]) -> Result<SocketAddrUnix> {
        let len = prefix
            .len()
            .checked_add(rest.len())
            .filter(|&len| len <= SUN_PATH_LEN)
            .ok_or(Errno::NAMETOOLONG)?;
        let mut addr = SocketAddrUnix::unnamed();
        for (slot, &b) in addr.path.iter_mut().zip(prefix.iter().chain(rest)) {
            *slot = b;
        }
        addr.len = len as u8;
        Ok(addr)
    }

    /// The bytes of `sun_path` that are the address.
    fn sun_path(&self) -> &[u8] {
        self.path.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The path, for a path name.
    #[inline]
    pub fn path(&self) -> Option<&[u8]> {
        match self.sun_path() {
            [first, ..] if *first != 0 => Some(self.sun_path()),
            _ => None,
        }
    }

    /// The name, without the leading NUL, for an abstract name.
    #[inline]
    pub fn abstract_name(&self) -> Option<&[u8]> {
        match self.sun_path() {
            [0, name @ ..] => Some(name),
            _ => None,
        }
    }

    /// Whether this is the unnamed address.
    #[inline]
    pub fn is_unnamed(&self) -> bool {
        self.len == 0
    }
}

impl PartialEq for SocketAddrUnix {
    fn eq(&self, other: &SocketAddrUnix) -> bool {
        self.sun_path() == other.sun_path()
    }
}

impl Eq for SocketAddrUnix {}

impl core::hash::Hash for SocketAddrUnix {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.sun_path().hash(state);
    }
}

impl core::fmt::Debug for SocketAddrUnix {
    /// `Path("/run/x.sock")` (bytes where the path is not UTF-8), `Abstract([..])`, `Unnamed`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if let Some(path) = self.path() {
            match core::str::from_utf8(path) {
                Ok(text) => f.debug_tuple("Path").field(&text).finish(),
                Err(_) => f.debug_tuple("Path").field(&path).finish(),
            }
        } else if let Some(name) = self.abstract_name() {
            f.debug_tuple("Abstract").field(&name).finish()
        } else {
            f.write_str("Unnamed")
        }
    }
}

/// A netlink socket address: a port ID and a bit mask of multicast groups (netlink(7)).
///
/// To the kernel the port ID is 0; a socket's own is unique per protocol, by default the
/// process ID of the first socket bound, then a number the kernel picks. In [`bind`], a
/// port ID of 0 lets the kernel choose, and `groups` subscribes to groups 1 to 32 (bit
/// `n - 1` for group `n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SocketAddrNetlink {
    pid: u32,
    groups: u32,
}

impl SocketAddrNetlink {
    /// The address with port ID `pid` and group mask `groups`.
    #[inline]
    pub const fn new(pid: u32, groups: u32) -> SocketAddrNetlink {
        SocketAddrNetlink { pid, groups }
    }

    /// `nl_pid`: the port ID.
    #[inline]
    pub const fn pid(&self) -> u32 {
        self.pid
    }

    /// `nl_groups`: the multicast group mask.
    #[inline]
    pub const fn groups(&self) -> u32 {
        self.groups
    }
}

/// A socket address of any family this module decodes.
///
/// Decoding what the kernel returns checks the family and the length: an address of another
/// family (`AF_PACKET`, `AF_VSOCK`, ...) is [`Errno::AFNOSUPPORT`], and one shorter than its
/// family's structure is [`Errno::INVAL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SocketAddr {
    /// `AF_INET`.
    V4(SocketAddrV4),
    /// `AF_INET6`.
    V6(SocketAddrV6),
    /// `AF_UNIX`.
    Unix(SocketAddrUnix),
    /// `AF_NETLINK`.
    Netlink(SocketAddrNetlink),
}

impl SocketAddr {
    /// The family.
    #[inline]
    pub const fn family(&self) -> AddressFamily {
        match self {
            SocketAddr::V4(_) => AddressFamily::INET,
            SocketAddr::V6(_) => AddressFamily::INET6,
            SocketAddr::Unix(_) => AddressFamily::UNIX,
            SocketAddr::Netlink(_) => AddressFamily::NETLINK,
        }
    }
}

impl From<SocketAddrV4> for SocketAddr {
    #[inline]
    fn from(addr: SocketAddrV4) -> SocketAddr {
        SocketAddr::V4(addr)
    }
}

impl From<SocketAddrV6> for SocketAddr {
    #[inline]
    fn from(addr: SocketAddrV6) -> SocketAddr {
        SocketAddr::V6(addr)
    }
}

impl From<SocketAddrUnix> for SocketAddr {
    #[inline]
    fn from(addr: SocketAddrUnix) -> SocketAddr {
        SocketAddr::Unix(addr)
    }
}

impl From<SocketAddrNetlink> for SocketAddr {
    #[inline]
    fn from(addr: SocketAddrNetlink) -> SocketAddr {
        SocketAddr::Netlink(addr)
    }
}

macro_rules! from_ref {
    ($($t:ty),*) => {$(
        impl From<&$t> for SocketAddr {
            #[inline]
            fn from(addr: &$t) -> SocketAddr {
                SocketAddr::from(*addr)
            }
        }
    )*};
}
from_ref!(
    SocketAddrV4,
    SocketAddrV6,
    SocketAddrUnix,
    SocketAddrNetlink,
    SocketAddr
);

#[cfg(feature = "std")]
mod std_net {
    use super::{SocketAddr, SocketAddrV4, SocketAddrV6};
    use crate::Errno;
    use std::net;

    impl From<net::SocketAddrV4> for SocketAddrV4 {
        #[inline]
        fn from(addr: net::SocketAddrV4) -> SocketAddrV4 {
            SocketAddrV4::new(addr.ip().octets(), addr.port())
        }
    }

    impl From<SocketAddrV4> for net::SocketAddrV4 {
        #[inline]
        fn from(addr: SocketAddrV4) -> net::SocketAddrV4 {
            net::SocketAddrV4::new(addr.ip().into(), addr.port())
        }
    }

    impl From<net::SocketAddrV6> for SocketAddrV6 {
        #[inline]
        fn from(addr: net::SocketAddrV6) -> SocketAddrV6 {
            let ip = addr.ip().octets();
            SocketAddrV6::new(ip, addr.port(), addr.flowinfo(), addr.scope_id())
        }
    }

    impl From<SocketAddrV6> for net::SocketAddrV6 {
        #[inline]
        fn from(addr: SocketAddrV6) -> net::SocketAddrV6 {
            let ip = addr.ip().into();
            net::SocketAddrV6::new(ip, addr.port(), addr.flowinfo(), addr.scope_id())
        }
    }

    impl From<net::SocketAddr> for SocketAddr {
        #[inline]
        fn from(addr: net::SocketAddr) -> SocketAddr {
            match addr {
                net::SocketAddr::V4(a) => SocketAddr::V4(a.into()),
                net::SocketAddr::V6(a) => SocketAddr::V6(a.into()),
            }
        }
    }

    /// `std::net::SocketAddr` holds IP addresses only: a UNIX or netlink address is
    /// [`Errno::AFNOSUPPORT`].
    impl TryFrom<SocketAddr> for net::SocketAddr {
        type Error = Errno;

        #[inline]
        fn try_from(addr: SocketAddr) -> Result<net::SocketAddr, Errno> {
            match addr {
                SocketAddr::V4(a) => Ok(net::SocketAddr::V4(a.into())),
                SocketAddr::V6(a) => Ok(net::SocketAddr::V6(a.into())),
                _ => Err(Errno::AFNOSUPPORT),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Addresses, as the kernel has them.

/// `struct sockaddr_in` (`include/uapi/linux/in.h`): port and address in network order.
#[derive(Clone, Copy)]
#[repr(C)]
struct SockaddrIn {
    sin_family: u16,
    sin_port: u16,
    sin_addr: u32,
    sin_zero: [u8; 8],
}

/// `struct sockaddr_in6` (`include/uapi/linux/in6.h`): port, flow information and address in
/// network order, the scope in host order.
#[derive(Clone, Copy)]
#[repr(C)]
struct SockaddrIn6 {
    sin6_family: u16,
    sin6_port: u16,
    sin6_flowinfo: u32,
    sin6_addr: [u8; 16],
    sin6_scope_id: u32,
}

/// `struct sockaddr_un` (`include/uapi/linux/un.h`).
#[derive(Clone, Copy)]
#[repr(C)]
struct SockaddrUn {
    sun_family: u16,
    sun_path: [u8; SUN_PATH_LEN],
}

/// `struct sockaddr_nl` (`include/uapi/linux/netlink.h`).
#[derive(Clone, Copy)]
#[repr(C)]
struct SockaddrNl {
    nl_family: u16,
    nl_pad: u16,
    nl_pid: u32,
    nl_groups: u32,
}

/// `struct sockaddr_storage` (`include/uapi/linux/socket.h`, `__kernel_sockaddr_storage`):
/// 128 bytes aligned as a pointer, room for any address the kernel returns.
#[derive(Clone, Copy)]
#[repr(C)]
struct SockaddrStorage {
    ss_family: u16,
    ss_data: [u8; 126],
    _align: [usize; 0],
}

/// One address in the kernel's layout, of whichever family; the kernel reads or writes it
/// through a `struct sockaddr *`. Every field is plain integers and byte arrays (any bit
/// pattern is a valid value of each), and `storage` covers all 128 bytes, so reading any
/// field of a value that was made whole is sound.
#[derive(Clone, Copy)]
#[repr(C)]
union RawSockaddr {
    storage: SockaddrStorage,
    in4: SockaddrIn,
    in6: SockaddrIn6,
    un: SockaddrUn,
    nl: SockaddrNl,
}

const_assert_eq!(core::mem::size_of::<SockaddrIn>(), 16);
const_assert_eq!(core::mem::size_of::<SockaddrIn6>(), 28);
const_assert_eq!(core::mem::size_of::<SockaddrUn>(), 110);
const_assert_eq!(core::mem::size_of::<SockaddrNl>(), 12);
const_assert_eq!(core::mem::size_of::<SockaddrStorage>(), 128);
const_assert_eq!(core::mem::size_of::<RawSockaddr>(), 128);
const_assert_eq!(core::mem::size_of::<Ucred>(), 12);
assert_eq_align!(SockaddrStorage, usize);
assert_eq_align!(RawSockaddr, usize);
// The offsets: each structure made from hand-placed bytes must read back every field where
// the kernel's headers put it.
const_assert!(layouts_are_kernel_layouts());

/// Decodes hand-placed bytes as each kernel structure and checks every field. Compile time
/// only.
const fn layouts_are_kernel_layouts() -> bool {
    // sockaddr_in: family at 0, port at 2, address at 4, zero at 8.
    let [f0, f1] = 0x0102u16.to_ne_bytes();
    let [p0, p1] = 0x0304u16.to_ne_bytes();
    let [a0, a1, a2, a3] = 0x0506_0708u32.to_ne_bytes();
    let bytes = [f0, f1, p0, p1, a0, a1, a2, a3, 9, 9, 9, 9, 9, 9, 9, 9];
    // SAFETY: `SockaddrIn` is `repr(C)` integers and a byte array, 16 bytes (asserted above)
    // with no padding; every bit pattern is valid.
    let sin = unsafe { core::mem::transmute::<[u8; 16], SockaddrIn>(bytes) };
    let in4 = sin.sin_family == 0x0102
        && sin.sin_port == 0x0304
        && sin.sin_addr == 0x0506_0708
        && matches!(sin.sin_zero, [9, 9, 9, 9, 9, 9, 9, 9]);

    // sockaddr_in6: family at 0, port at 2, flowinfo at 4, address at 8, scope at 24.
    let [w0, w1, w2, w3] = 0x1112_1314u32.to_ne_bytes();
    let [s0, s1, s2, s3] = 0x2122_2324u32.to_ne_bytes();
    let bytes = [
        f0, f1, p0, p1, w0, w1, w2, w3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, s0,
        s1, s2, s3,
    ];
    // SAFETY: as above, for the 28 bytes of `SockaddrIn6`.
    let sin6 = unsafe { core::mem::transmute::<[u8; 28], SockaddrIn6>(bytes) };
    let in6 = sin6.sin6_family == 0x0102
        && sin6.sin6_port == 0x0304
        && sin6.sin6_flowinfo == 0x1112_1314
        && matches!(
            sin6.sin6_addr,
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
        )
        && sin6.sin6_scope_id == 0x2122_2324;

    // sockaddr_nl: family at 0, padding at 2, port ID at 4, groups at 8.
    let bytes = [f0, f1, p0, p1, w0, w1, w2, w3, s0, s1, s2, s3];
    // SAFETY: as above, for the 12 bytes of `SockaddrNl`.
    let snl = unsafe { core::mem::transmute::<[u8; 12], SockaddrNl>(bytes) };
    let nl = snl.nl_family == 0x0102
        && snl.nl_pad == 0x0304
        && snl.nl_pid == 0x1112_1314
        && snl.nl_groups == 0x2122_2324;

    // ucred: pid at 0, uid at 4, gid at 8.
    // SAFETY: as above, for the 12 bytes of `Ucred`.
    let cred = unsafe { core::mem::transmute::<[u8; 12], Ucred>(bytes) };
    let ucred = cred.pid == i32::from_ne_bytes([f0, f1, p0, p1])
        && cred.uid == 0x1112_1314
        && cred.gid == 0x2122_2324;

    // sockaddr_un: family at 0, the path at 2, to the end. (`sun_family` is first and two
    // bytes wide, and the size is 110: nothing else can be where.)
    in4 && in6 && nl && ucred
}

/// The length of each structure, as a `socklen_t` for the kernel.
const SOCKADDR_IN_LEN: u32 = core::mem::size_of::<SockaddrIn>() as u32;
const SOCKADDR_IN6_LEN: u32 = core::mem::size_of::<SockaddrIn6>() as u32;
const SOCKADDR_NL_LEN: u32 = core::mem::size_of::<SockaddrNl>() as u32;
const SOCKADDR_STORAGE_LEN: u32 = core::mem::size_of::<SockaddrStorage>() as u32;
/// `offsetof(struct sockaddr_un, sun_path)`: the length of an unnamed UNIX address.
const SUN_PATH_OFFSET: u32 = 2;

impl RawSockaddr {
    /// All zeroes: a buffer for the kernel to write an address into.
    const fn zeroed() -> RawSockaddr {
        RawSockaddr {
            storage: SockaddrStorage {
                ss_family: 0,
                ss_data: [0; 126],
                _align: [],
            },
        }
    }

    /// The kernel's form of `addr`, and how many bytes of it the kernel is to read.
    fn encode(addr: &SocketAddr) -> (RawSockaddr, u32) {
        let mut raw = RawSockaddr::zeroed();
        let len = match addr {
            SocketAddr::V4(a) => {
                raw.in4 = SockaddrIn {
                    sin_family: AddressFamily::INET.0,
                    sin_port: a.port.to_be(),
                    sin_addr: u32::from_ne_bytes(a.ip),
                    sin_zero: [0; 8],
                };
                SOCKADDR_IN_LEN
            }
            SocketAddr::V6(a) => {
                raw.in6 = SockaddrIn6 {
                    sin6_family: AddressFamily::INET6.0,
                    sin6_port: a.port.to_be(),
                    sin6_flowinfo: a.flowinfo.to_be(),
                    sin6_addr: a.ip,
                    sin6_scope_id: a.scope_id,
                };
                SOCKADDR_IN6_LEN
            }
            SocketAddr::Unix(a) => {
                raw.un = SockaddrUn {
                    sun_family: AddressFamily::UNIX.0,
                    sun_path: a.path,
                };
                // At most 2 + 108: `len` never exceeds `SUN_PATH_LEN`.
                SUN_PATH_OFFSET.wrapping_add(u32::from(a.len))
            }
            SocketAddr::Netlink(a) => {
                raw.nl = SockaddrNl {
                    nl_family: AddressFamily::NETLINK.0,
                    nl_pad: 0,
                    nl_pid: a.pid,
                    nl_groups: a.groups,
                };
                SOCKADDR_NL_LEN
            }
        };
        (raw, len)
    }

    /// The address the kernel wrote, `len` bytes of it (the length it reported).
    ///
    /// # Errors
    /// - [`Errno::AFNOSUPPORT`]: a family this module does not decode.
    /// - [`Errno::INVAL`]: shorter than its family's structure, or than a family at all.
    fn decode(&self, len: u32) -> Result<SocketAddr> {
        // SAFETY: every value of this type is made whole (`zeroed` or `encode`), and every
        // field is plain data valid for any bit pattern (the type's comment); the same holds
        // for the reads below.
        let storage = unsafe { self.storage };
        if len < SUN_PATH_OFFSET {
            return Err(Errno::INVAL);
        }
        match AddressFamily(storage.ss_family) {
            AddressFamily::INET if len >= SOCKADDR_IN_LEN => {
                // SAFETY: as above.
                let sin = unsafe { self.in4 };
                let ip = sin.sin_addr.to_ne_bytes();
                Ok(SocketAddr::V4(SocketAddrV4::new(
                    ip,
                    u16::from_be(sin.sin_port),
                )))
            }
            AddressFamily::INET6 if len >= SOCKADDR_IN6_LEN => {
                // SAFETY: as above.
                let sin6 = unsafe { self.in6 };
                Ok(SocketAddr::V6(SocketAddrV6::new(
                    sin6.sin6_addr,
                    u16::from_be(sin6.sin6_port),
                    u32::from_be(sin6.sin6_flowinfo),
                    sin6.sin6_scope_id,
                )))
            }
            AddressFamily::NETLINK if len >= SOCKADDR_NL_LEN => {
                // SAFETY: as above.
                let snl = unsafe { self.nl };
                Ok(SocketAddr::Netlink(SocketAddrNetlink::new(
                    snl.nl_pid,
                    snl.nl_groups,
                )))
            }
            AddressFamily::UNIX => {
                // SAFETY: as above.
                let sun = unsafe { self.un };
                // The kernel counts a path's terminating NUL, which may lie past `sun_path`
                // when the path fills it (then `len` is 111): the path ends at its first NUL
                // or at the end of `sun_path`.
                let n = (len.wrapping_sub(SUN_PATH_OFFSET) as usize).min(SUN_PATH_LEN);
                let bytes = sun.sun_path.get(..n).unwrap_or(&[]);
                let addr = match bytes {
                    [] => SocketAddrUnix::unnamed(),
                    [0, name @ ..] => SocketAddrUnix::from_sun_path(&[0], name)?,
                    path => {
                        let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                        SocketAddrUnix::from_sun_path(&[], path.get(..end).unwrap_or(&[]))?
                    }
                };
                Ok(SocketAddr::Unix(addr))
            }
            AddressFamily::INET | AddressFamily::INET6 | AddressFamily::NETLINK => {
                Err(Errno::INVAL)
            }
            _ => Err(Errno::AFNOSUPPORT),
        }
    }
}

/// `struct ucred` (`include/linux/socket.h`): a process's credentials, as
/// [`SO_PEERCRED`](peercred) reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct Ucred {
    /// The process ID.
    pub pid: i32,
    /// The effective user ID.
    pub uid: u32,
    /// The effective group ID.
    pub gid: u32,
}

// ---------------------------------------------------------------------------------------------
// The calls.

/// `socket(domain, type | flags, protocol)`: a new socket.
///
/// ```
/// use freepoll::socket::{socket, AddressFamily, Protocol, SocketFlags, SocketType};
/// let udp = socket(AddressFamily::INET, SocketType::DGRAM, SocketFlags::CLOEXEC, Protocol::DEFAULT)?;
/// # drop(udp);
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::AFNOSUPPORT`]: the family is not known or not built into this kernel.
/// - [`Errno::PROTONOSUPPORT`], [`Errno::SOCKTNOSUPPORT`], [`Errno::PROTOTYPE`]: the family has
///   no such type or protocol, or not that combination.
/// - [`Errno::INVAL`]: an unknown bit in `flags`, or a type out of range.
/// - [`Errno::ACCES`], [`Errno::PERM`]: the type or protocol needs a privilege (raw IP needs
///   `CAP_NET_RAW`).
/// - [`Errno::MFILE`], [`Errno::NFILE`], [`Errno::NOBUFS`], [`Errno::NOMEM`]: limits.
///
/// # References
/// - [socket(2)](https://man7.org/linux/man-pages/man2/socket.2.html)
#[doc(alias = "SOCK_NONBLOCK")]
#[doc(alias = "SOCK_CLOEXEC")]
#[inline]
pub fn socket(
    domain: AddressFamily,
    ty: SocketType,
    flags: SocketFlags,
    protocol: Protocol,
) -> Result<OwnedFd> {
    // SAFETY: socket takes integers and touches no user memory.
    let ret = unsafe {
        syscall3(
            nr::SOCKET,
            domain.0 as usize,
            (ty.0 | flags.bits()) as usize,
            protocol.0 as usize,
        )
    };
    // SAFETY: on success socket returns a new descriptor that nothing else owns.
    unsafe { decode_new_fd(ret) }
}

/// `socketpair(domain, type | flags, protocol, fds)`: two sockets connected to each other.
/// Linux makes pairs of `UNIX` sockets only.
///
/// ```
/// use freepoll::socket::{recv, send, socketpair, AddressFamily, Protocol, RecvFlags};
/// use freepoll::socket::{SendFlags, SocketFlags, SocketType};
/// let (a, b) = socketpair(AddressFamily::UNIX, SocketType::STREAM, SocketFlags::CLOEXEC, Protocol::DEFAULT)?;
/// send(&a, b"ping", SendFlags::NOSIGNAL)?;
/// let mut buf = [0u8; 8];
/// assert_eq!(recv(&b, &mut buf, RecvFlags::empty())?, 4);
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::OPNOTSUPP`]: the family makes no pairs (`INET`, `INET6`, ...).
/// - [`Errno::AFNOSUPPORT`], [`Errno::PROTONOSUPPORT`], [`Errno::INVAL`]: as for [`socket`].
/// - [`Errno::MFILE`], [`Errno::NFILE`]: the descriptor limits.
///
/// # References
/// - [socketpair(2)](https://man7.org/linux/man-pages/man2/socketpair.2.html)
#[inline]
pub fn socketpair(
    domain: AddressFamily,
    ty: SocketType,
    flags: SocketFlags,
    protocol: Protocol,
) -> Result<(OwnedFd, OwnedFd)> {
    let mut fds: [RawFd; 2] = [-1, -1];
    // SAFETY: `fds` is valid for writes of two `int`s, all the memory the kernel writes.
    let ret = unsafe {
        syscall4(
            nr::SOCKETPAIR,
            domain.0 as usize,
            (ty.0 | flags.bits()) as usize,
            protocol.0 as usize,
            fds.as_mut_ptr() as usize,
        )
    };
    decode_raw(ret)?;
    let [a, b] = fds;
    // SAFETY: socketpair succeeded, so it wrote two new descriptors that nothing else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(a), OwnedFd::from_raw_fd(b)) })
}

/// `bind(fd, &addr, len)`: gives the socket its local address.
///
/// ```
/// use freepoll::socket::{bind, getsockname, socket, AddressFamily, Protocol, SocketAddr};
/// use freepoll::socket::{SocketAddrV4, SocketFlags, SocketType};
/// let s = socket(AddressFamily::INET, SocketType::DGRAM, SocketFlags::CLOEXEC, Protocol::DEFAULT)?;
/// bind(&s, SocketAddrV4::new(SocketAddrV4::LOCALHOST, 0))?;
/// let SocketAddr::V4(local) = getsockname(&s)? else { unreachable!() };
/// assert_ne!(local.port(), 0); // the kernel picked one
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::ADDRINUSE`]: another socket has this address (and neither set
///   [`SO_REUSEADDR`](set_reuseaddr)/[`SO_REUSEPORT`](set_reuseport) as needed), or a UNIX
///   path exists already.
/// - [`Errno::ADDRNOTAVAIL`]: the address is not local to this machine.
/// - [`Errno::INVAL`]: the socket is bound already, or the address's family does not match
///   the socket's (an IPv4 socket answers [`Errno::AFNOSUPPORT`] to another family).
/// - [`Errno::ACCES`]: a port below 1024 without `CAP_NET_BIND_SERVICE`, or no search or
///   write permission on a UNIX path.
/// - [`Errno::NOENT`], [`Errno::NOTDIR`], [`Errno::ROFS`]: a UNIX path's directory.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [bind(2)](https://man7.org/linux/man-pages/man2/bind.2.html)
#[inline]
pub fn bind(fd: impl AsFd, addr: impl Into<SocketAddr>) -> Result<()> {
    let (raw, len) = RawSockaddr::encode(&addr.into());
    // SAFETY: `fd` is borrowed, so open for the call; `raw` is valid for reads of
    // `len <= 128` bytes, the only memory the kernel reads.
    let ret = unsafe {
        syscall3(
            nr::BIND,
            fd.as_fd().as_raw_fd() as usize,
            &raw as *const RawSockaddr as usize,
            len as usize,
        )
    };
    decode_raw(ret).map(drop)
}

/// `listen(fd, backlog)`: makes a bound stream or seqpacket socket accept connections.
///
/// `backlog` is how many finished connections may wait for [`accept4`]; the kernel caps it at
/// `net.core.somaxconn` (4096 since Linux 5.4), and a negative value means that cap.
///
/// # Errors
/// - [`Errno::OPNOTSUPP`]: the socket type does not listen (a datagram socket).
/// - [`Errno::ADDRINUSE`]: an unbound socket got a port that another socket listens on.
/// - [`Errno::INVAL`]: the socket is connected, or (UNIX) not bound.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [listen(2)](https://man7.org/linux/man-pages/man2/listen.2.html)
#[inline]
pub fn listen(fd: impl AsFd, backlog: i32) -> Result<()> {
    // SAFETY: `fd` is borrowed, so open for the call; listen takes integers only.
    let ret = unsafe {
        syscall2(
            nr::LISTEN,
            fd.as_fd().as_raw_fd() as usize,
            backlog as isize as usize,
        )
    };
    decode_raw(ret).map(drop)
}

/// `accept4(fd, &addr, &len, flags)`: takes the next connection waiting on a listening
/// socket, as a new socket with `flags`, and the peer's address.
///
/// The new socket does not inherit the listener's `O_NONBLOCK`: give
/// [`SocketFlags::NONBLOCK`] here. A UNIX peer that never bound has the unnamed address.
///
/// # Errors
/// - [`Errno::AGAIN`]: the listener is non-blocking and no connection is waiting.
/// - [`Errno::INVAL`]: the socket is not listening, or `flags` has an unknown bit.
/// - [`Errno::CONNABORTED`]: a connection went away before it was taken.
/// - [`Errno::INTR`]: a signal handler ran while it waited.
/// - [`Errno::OPNOTSUPP`]: the socket type does not accept (datagrams).
/// - [`Errno::MFILE`], [`Errno::NFILE`], [`Errno::NOBUFS`], [`Errno::NOMEM`]: limits; the
///   connection stays queued.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
/// - [`Errno::AFNOSUPPORT`]: a peer address of a family this module does not decode; never
///   for the families that listen (`INET`, `INET6`, `UNIX`). The new socket is closed then.
///
/// # References
/// - [accept4(2)](https://man7.org/linux/man-pages/man2/accept4.2.html)
#[doc(alias = "accept")]
#[inline]
pub fn accept4(fd: impl AsFd, flags: SocketFlags) -> Result<(OwnedFd, SocketAddr)> {
    let mut raw = RawSockaddr::zeroed();
    let mut len = SOCKADDR_STORAGE_LEN;
    // SAFETY: `fd` is borrowed, so open for the call; `raw` is valid for writes of `len`
    // (128) bytes and `len` for a read and a write of a `socklen_t`, the memory the kernel
    // touches.
    let ret = unsafe {
        syscall4(
            nr::ACCEPT4,
            fd.as_fd().as_raw_fd() as usize,
            &mut raw as *mut RawSockaddr as usize,
            &mut len as *mut u32 as usize,
            flags.bits() as usize,
        )
    };
    // SAFETY: on success accept4 returns a new descriptor that nothing else owns.
    let conn = unsafe { decode_new_fd(ret) }?;
    Ok((conn, raw.decode(len)?))
}

/// `connect(fd, &addr, len)`: connects a stream socket to a listener, or sets a datagram
/// socket's default destination (and the only source it receives from).
///
/// # Errors
/// - [`Errno::INPROGRESS`]: a non-blocking stream socket started connecting; it becomes
///   writable when done, and [`take_error`] says how it ended.
/// - [`Errno::CONNREFUSED`]: nothing listens there.
/// - [`Errno::ISCONN`]: connected already. [`Errno::ALREADY`]: a non-blocking connect is
///   still under way.
/// - [`Errno::AFNOSUPPORT`]: the address's family is not the socket's.
/// - [`Errno::INVAL`]: too short an address for the family.
/// - [`Errno::TIMEDOUT`], [`Errno::NETUNREACH`], [`Errno::HOSTUNREACH`]: the network.
/// - [`Errno::AGAIN`]: (UNIX) the listener's backlog is full; (IP) no local port left.
/// - [`Errno::INTR`]: a signal handler ran while it waited; the connection goes on.
/// - [`Errno::NOENT`], [`Errno::ACCES`]: (UNIX) the path.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [connect(2)](https://man7.org/linux/man-pages/man2/connect.2.html)
#[inline]
pub fn connect(fd: impl AsFd, addr: impl Into<SocketAddr>) -> Result<()> {
    let (raw, len) = RawSockaddr::encode(&addr.into());
    // SAFETY: `fd` is borrowed, so open for the call; `raw` is valid for reads of
    // `len <= 128` bytes, the only memory the kernel reads.
    let ret = unsafe {
        syscall3(
            nr::CONNECT,
            fd.as_fd().as_raw_fd() as usize,
            &raw as *const RawSockaddr as usize,
            len as usize,
        )
    };
    decode_raw(ret).map(drop)
}

/// `shutdown(fd, how)`: ends one or both directions of a connection, for every descriptor
/// of the socket (unlike `close`, which ends only this one's reference).
///
/// # Errors
/// - [`Errno::NOTCONN`]: the socket is not connected.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [shutdown(2)](https://man7.org/linux/man-pages/man2/shutdown.2.html)
#[doc(alias = "SHUT_RD")]
#[doc(alias = "SHUT_WR")]
#[doc(alias = "SHUT_RDWR")]
#[inline]
pub fn shutdown(fd: impl AsFd, how: Shutdown) -> Result<()> {
    // SAFETY: `fd` is borrowed, so open for the call; shutdown takes integers only.
    let ret = unsafe { syscall2(nr::SHUTDOWN, fd.as_fd().as_raw_fd() as usize, how as usize) };
    decode_raw(ret).map(drop)
}

/// `sendto(fd, bytes, len, flags, NULL, 0)` (`send`): sends on a connected socket, returns
/// how many bytes went.
///
/// A stream socket may take fewer bytes than given; a datagram goes whole or not at all.
/// Without [`SendFlags::NOSIGNAL`], sending to a peer that has gone raises `SIGPIPE` (see the
/// module docs).
///
/// # Errors
/// - [`Errno::AGAIN`]: non-blocking (or [`SendFlags::DONTWAIT`]) and no room now.
/// - [`Errno::PIPE`]: the connection is shut down for writing, or the peer has gone.
/// - [`Errno::CONNRESET`]: the peer reset the connection.
/// - [`Errno::NOTCONN`], [`Errno::DESTADDRREQ`]: not connected, and no address given.
/// - [`Errno::MSGSIZE`]: a datagram too large to send at once.
/// - [`Errno::INTR`]: a signal handler ran before anything was sent.
/// - [`Errno::OPNOTSUPP`]: a flag the socket type does not take.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [send(2)](https://man7.org/linux/man-pages/man2/send.2.html)
#[doc(alias = "sendto")]
#[doc(alias = "MSG_NOSIGNAL")]
#[inline]
pub fn send(fd: impl AsFd, bytes: &[u8], flags: SendFlags) -> Result<usize> {
    // SAFETY: `fd` is borrowed, so open for the call; `bytes` is valid for reads of
    // `bytes.len()` bytes, the only memory the kernel reads; the address is NULL.
    let ret = unsafe {
        syscall6(
            nr::SENDTO,
            fd.as_fd().as_raw_fd() as usize,
            bytes.as_ptr() as usize,
            bytes.len(),
            flags.bits() as usize,
            0,
            0,
        )
    };
    decode_raw(ret)
}

/// `sendto(fd, bytes, len, flags, &addr, addrlen)`: sends a datagram to `addr` (or, on a
/// connected stream socket, ignores `addr` and sends as [`send`] does).
///
/// # Errors
/// As [`send`], and:
/// - [`Errno::AFNOSUPPORT`], [`Errno::INVAL`]: an address of another family, or too short.
/// - [`Errno::ISCONN`]: (some protocols) connected, yet an address given.
/// - [`Errno::ACCES`]: a broadcast address without `SO_BROADCAST`.
///
/// # References
/// - [sendto(2)](https://man7.org/linux/man-pages/man2/sendto.2.html)
#[inline]
pub fn sendto(
    fd: impl AsFd,
    bytes: &[u8],
    flags: SendFlags,
    addr: impl Into<SocketAddr>,
) -> Result<usize> {
    let (raw, len) = RawSockaddr::encode(&addr.into());
    // SAFETY: `fd` is borrowed, so open for the call; `bytes` is valid for reads of
    // `bytes.len()` bytes and `raw` of `len <= 128`, the only memory the kernel reads.
    let ret = unsafe {
        syscall6(
            nr::SENDTO,
            fd.as_fd().as_raw_fd() as usize,
            bytes.as_ptr() as usize,
            bytes.len(),
            flags.bits() as usize,
            &raw as *const RawSockaddr as usize,
            len as usize,
        )
    };
    decode_raw(ret)
}

/// `recvfrom(fd, buf, len, flags, NULL, NULL)` (`recv`): receives into `buf`, returns how many
/// bytes came (or, with [`RecvFlags::TRUNC`] on a datagram socket, the datagram's whole
/// length, which may exceed `buf.len()`).
///
/// 0 from a stream socket is end of file: the peer shut down or closed its side (or `buf`
/// was empty).
///
/// # Errors
/// - [`Errno::AGAIN`]: non-blocking (or [`RecvFlags::DONTWAIT`]) and nothing to receive.
/// - [`Errno::CONNREFUSED`]: a connected datagram socket's peer refused an earlier datagram.
/// - [`Errno::CONNRESET`]: the peer reset the connection.
/// - [`Errno::NOTCONN`]: a stream socket that is not connected.
/// - [`Errno::INTR`]: a signal handler ran before anything was received.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html)
#[doc(alias = "recvfrom")]
#[inline]
pub fn recv(fd: impl AsFd, buf: &mut [u8], flags: RecvFlags) -> Result<usize> {
    // SAFETY: `fd` is borrowed, so open for the call; `buf` is valid for writes of
    // `buf.len()` bytes, the only memory the kernel writes (it writes no more than that even
    // with MSG_TRUNC); the address pointers are NULL.
    let ret = unsafe {
        syscall6(
            nr::RECVFROM,
            fd.as_fd().as_raw_fd() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            flags.bits() as usize,
            0,
            0,
        )
    };
    decode_raw(ret)
}

/// `recvfrom(fd, buf, len, flags, &addr, &addrlen)`: receives as [`recv`] does, and the
/// sender's address: `None` where the protocol gives none (a connected stream socket: TCP
/// reports no address; a UNIX stream reports none either).
///
/// # Errors
/// As [`recv`], and [`Errno::AFNOSUPPORT`] for a sender of a family this module does not
/// decode (the data is received all the same, and lost).
///
/// # References
/// - [recvfrom(2)](https://man7.org/linux/man-pages/man2/recvfrom.2.html)
#[inline]
pub fn recvfrom(
    fd: impl AsFd,
    buf: &mut [u8],
    flags: RecvFlags,
) -> Result<(usize, Option<SocketAddr>)> {
    let mut raw = RawSockaddr::zeroed();
    let mut len = SOCKADDR_STORAGE_LEN;
    // SAFETY: `fd` is borrowed, so open for the call; `buf` is valid for writes of
    // `buf.len()` bytes, `raw` for writes of `len` (128) bytes, and `len` for a read and a
    // write of a `socklen_t`: the memory the kernel touches.
    let ret = unsafe {
        syscall6(
            nr::RECVFROM,
            fd.as_fd().as_raw_fd() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            flags.bits() as usize,
            &mut raw as *mut RawSockaddr as usize,
            &mut len as *mut u32 as usize,
        )
    };
    let n = decode_raw(ret)?;
    if len == 0 {
        return Ok((n, None));
    }
    Ok((n, Some(raw.decode(len)?)))
}

/// `getsockname(fd, &addr, &len)`: the socket's own address (after [`bind`] to port 0, the
/// port the kernel picked).
///
/// # Errors
/// - [`Errno::AFNOSUPPORT`]: a family this module does not decode.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [getsockname(2)](https://man7.org/linux/man-pages/man2/getsockname.2.html)
#[inline]
pub fn getsockname(fd: impl AsFd) -> Result<SocketAddr> {
    name(nr::GETSOCKNAME, fd.as_fd().as_raw_fd())
}

/// `getpeername(fd, &addr, &len)`: the address of the connected peer.
///
/// # Errors
/// - [`Errno::NOTCONN`]: not connected.
/// - [`Errno::AFNOSUPPORT`]: a family this module does not decode.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [getpeername(2)](https://man7.org/linux/man-pages/man2/getpeername.2.html)
#[inline]
pub fn getpeername(fd: impl AsFd) -> Result<SocketAddr> {
    name(nr::GETPEERNAME, fd.as_fd().as_raw_fd())
}

/// `getsockname` or `getpeername` (`call`) of the borrowed socket `fd`.
fn name(call: usize, fd: RawFd) -> Result<SocketAddr> {
    let mut raw = RawSockaddr::zeroed();
    let mut len = SOCKADDR_STORAGE_LEN;
    // SAFETY: `fd` is borrowed by the caller, so open for the call; `raw` is valid for writes
    // of `len` (128) bytes and `len` for a read and a write of a `socklen_t`: the memory the
    // kernel touches.
    let ret = unsafe {
        syscall3(
            call,
            fd as usize,
            &mut raw as *mut RawSockaddr as usize,
            &mut len as *mut u32 as usize,
        )
    };
    decode_raw(ret)?;
    raw.decode(len)
}

// ---------------------------------------------------------------------------------------------
// Options.
//
// `SOL_SOCKET` and the `SO_*` numbers below are the same on all seven architectures freepoll
// supports (`include/uapi/asm-generic/socket.h`; alpha, MIPS, PA-RISC and SPARC differ). The
// four that powerpc numbers apart, `SO_PASSCRED`, `SO_PEERCRED`, `SO_RCVLOWAT` and
// `SO_SNDLOWAT`, come from the arch file.

/// `SOL_SOCKET`: the level of the socket's own options.
const SOL_SOCKET: u32 = 1;
/// `IPPROTO_TCP`, `IPPROTO_IPV6`: the levels of TCP's and IPv6's options.
const IPPROTO_TCP: u32 = 6;
const IPPROTO_IPV6: u32 = 41;

const SO_REUSEADDR: u32 = 2;
const SO_TYPE: u32 = 3;
const SO_ERROR: u32 = 4;
const SO_SNDBUF: u32 = 7;
const SO_RCVBUF: u32 = 8;
const SO_KEEPALIVE: u32 = 9;
const SO_REUSEPORT: u32 = 15;
const SO_SNDBUFFORCE: u32 = 32;
const SO_RCVBUFFORCE: u32 = 33;
/// `TCP_NODELAY` (`include/uapi/linux/tcp.h`).
const TCP_NODELAY: u32 = 1;
/// `IPV6_V6ONLY` (`include/uapi/linux/in6.h`).
const IPV6_V6ONLY: u32 = 26;

/// `getsockopt(fd, level, name, &value, &len)` of an `int` option.
fn get_int(fd: impl AsFd, level: u32, name: u32) -> Result<i32> {
    let mut value: i32 = 0;
    let mut len = core::mem::size_of::<i32>() as u32;
    // SAFETY: `fd` is borrowed, so open for the call; `value` is valid for writes of `len`
    // (4) bytes and `len` for a read and a write of a `socklen_t`.
    let ret = unsafe {
        syscall5(
            nr::GETSOCKOPT,
            fd.as_fd().as_raw_fd() as usize,
            level as usize,
            name as usize,
            &mut value as *mut i32 as usize,
            &mut len as *mut u32 as usize,
        )
    };
    decode_raw(ret)?;
    Ok(value)
}

/// `setsockopt(fd, level, name, &value, sizeof(int))` of an `int` option.
fn set_int(fd: impl AsFd, level: u32, name: u32, value: i32) -> Result<()> {
    // SAFETY: `fd` is borrowed, so open for the call; `value` is valid for reads of 4 bytes,
    // the only memory the kernel reads.
    let ret = unsafe {
        syscall5(
            nr::SETSOCKOPT,
            fd.as_fd().as_raw_fd() as usize,
            level as usize,
            name as usize,
            &value as *const i32 as usize,
            core::mem::size_of::<i32>(),
        )
    };
    decode_raw(ret).map(drop)
}

/// A buffer size for the kernel's `int`, or `INVAL` above `i32::MAX`.
fn buffer_size(size: usize) -> Result<i32> {
    i32::try_from(size).map_err(|_| Errno::INVAL)
}

/// `setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on)`: lets [`bind`] take a TCP port that
/// connections closed recently still hold (in `TIME_WAIT`), so a restarted server can bind at
/// once. Set it before `bind`.
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_REUSEADDR")]
#[doc(alias = "setsockopt")]
#[inline]
pub fn set_reuseaddr(fd: impl AsFd, on: bool) -> Result<()> {
    set_int(fd, SOL_SOCKET, SO_REUSEADDR, on as i32)
}

/// `getsockopt(fd, SOL_SOCKET, SO_REUSEADDR)`: see [`set_reuseaddr`].
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_REUSEADDR")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn reuseaddr(fd: impl AsFd) -> Result<bool> {
    get_int(fd, SOL_SOCKET, SO_REUSEADDR).map(|v| v != 0)
}

/// `setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on)`: lets several sockets of the same user
/// that all set it bind the same address and port; the kernel spreads connections (or
/// datagrams) among them (Linux 3.9). Set it before `bind`.
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_REUSEPORT")]
#[doc(alias = "setsockopt")]
#[inline]
pub fn set_reuseport(fd: impl AsFd, on: bool) -> Result<()> {
    set_int(fd, SOL_SOCKET, SO_REUSEPORT, on as i32)
}

/// `getsockopt(fd, SOL_SOCKET, SO_REUSEPORT)`: see [`set_reuseport`].
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_REUSEPORT")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn reuseport(fd: impl AsFd) -> Result<bool> {
    get_int(fd, SOL_SOCKET, SO_REUSEPORT).map(|v| v != 0)
}

/// `setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on)`: TCP probes an idle connection and
/// reports a dead peer as an error (`ETIMEDOUT`) after `net.ipv4.tcp_keepalive_*`.
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_KEEPALIVE")]
#[doc(alias = "setsockopt")]
#[inline]
pub fn set_keepalive(fd: impl AsFd, on: bool) -> Result<()> {
    set_int(fd, SOL_SOCKET, SO_KEEPALIVE, on as i32)
}

/// `getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE)`: see [`set_keepalive`].
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_KEEPALIVE")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn keepalive(fd: impl AsFd) -> Result<bool> {
    get_int(fd, SOL_SOCKET, SO_KEEPALIVE).map(|v| v != 0)
}

/// `getsockopt(fd, SOL_SOCKET, SO_ERROR)`: the socket's pending error, which reading clears;
/// `None` if there is none. After a non-blocking [`connect`] (`EINPROGRESS`) the socket
/// becomes writable, and this says whether the connection was made (`None`) or why not.
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket (the call itself
///   failed; not the socket's error).
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_ERROR")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn take_error(fd: impl AsFd) -> Result<Option<Errno>> {
    get_int(fd, SOL_SOCKET, SO_ERROR).map(Errno::from_raw_os_error)
}

/// `getsockopt(fd, SOL_SOCKET, SO_TYPE)`: the socket's type.
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_TYPE")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn socket_type(fd: impl AsFd) -> Result<SocketType> {
    get_int(fd, SOL_SOCKET, SO_TYPE).map(|v| SocketType(v as u32))
}

/// `setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size)`: asks for a receive buffer of `size` bytes.
///
/// The kernel doubles the value (the room its own bookkeeping takes), caps the request at
/// `net.core.rmem_max` and raises it to its minimum: [`rcvbuf`] reads back what it set, not
/// `size`.
///
/// # Errors
/// - [`Errno::INVAL`], before any call: `size` is above `i32::MAX` (the kernel's `int`).
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_RCVBUF")]
#[doc(alias = "setsockopt")]
#[inline]
pub fn set_rcvbuf(fd: impl AsFd, size: usize) -> Result<()> {
    set_int(fd, SOL_SOCKET, SO_RCVBUF, buffer_size(size)?)
}

/// `getsockopt(fd, SOL_SOCKET, SO_RCVBUF)`: the receive buffer's size, as the kernel set it
/// (see [`set_rcvbuf`]).
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_RCVBUF")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn rcvbuf(fd: impl AsFd) -> Result<usize> {
    get_int(fd, SOL_SOCKET, SO_RCVBUF).map(|v| v as u32 as usize)
}

/// `setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size)`: as [`set_rcvbuf`], past
/// `net.core.rmem_max`, for a process with `CAP_NET_ADMIN`.
///
/// # Errors
/// - [`Errno::PERM`]: no `CAP_NET_ADMIN`.
/// - [`Errno::INVAL`], before any call: `size` is above `i32::MAX`.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_RCVBUFFORCE")]
#[doc(alias = "setsockopt")]
#[inline]
pub fn set_rcvbuf_force(fd: impl AsFd, size: usize) -> Result<()> {
    set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, buffer_size(size)?)
}

/// `setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size)`: asks for a send buffer of `size` bytes,
/// doubled and bounded by the kernel as for [`set_rcvbuf`] (`net.core.wmem_max`).
///
/// # Errors
/// - [`Errno::INVAL`], before any call: `size` is above `i32::MAX`.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_SNDBUF")]
#[doc(alias = "setsockopt")]
#[inline]
pub fn set_sndbuf(fd: impl AsFd, size: usize) -> Result<()> {
    set_int(fd, SOL_SOCKET, SO_SNDBUF, buffer_size(size)?)
}

/// `getsockopt(fd, SOL_SOCKET, SO_SNDBUF)`: the send buffer's size, as the kernel set it.
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_SNDBUF")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn sndbuf(fd: impl AsFd) -> Result<usize> {
    get_int(fd, SOL_SOCKET, SO_SNDBUF).map(|v| v as u32 as usize)
}

/// `setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size)`: as [`set_sndbuf`], past
/// `net.core.wmem_max`, for a process with `CAP_NET_ADMIN`.
///
/// # Errors
/// - [`Errno::PERM`]: no `CAP_NET_ADMIN`.
/// - [`Errno::INVAL`], before any call: `size` is above `i32::MAX`.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_SNDBUFFORCE")]
#[doc(alias = "setsockopt")]
#[inline]
pub fn set_sndbuf_force(fd: impl AsFd, size: usize) -> Result<()> {
    set_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, buffer_size(size)?)
}

/// `setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &bytes)`: the socket is readable (for epoll and
/// `recv`) only once `bytes` are queued.
///
/// # Errors
/// - [`Errno::INVAL`], before any call: `bytes` is above `i32::MAX`.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_RCVLOWAT")]
#[doc(alias = "setsockopt")]
#[inline]
pub fn set_rcvlowat(fd: impl AsFd, bytes: usize) -> Result<()> {
    set_int(
        fd,
        SOL_SOCKET,
        crate::arch::SO_RCVLOWAT,
        buffer_size(bytes)?,
    )
}

/// `getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT)`: see [`set_rcvlowat`] (1 by default).
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_RCVLOWAT")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn rcvlowat(fd: impl AsFd) -> Result<usize> {
    get_int(fd, SOL_SOCKET, crate::arch::SO_RCVLOWAT).map(|v| v as u32 as usize)
}

/// `getsockopt(fd, SOL_SOCKET, SO_SNDLOWAT)`: always 1 on Linux, which cannot change it
/// (setting it fails with `ENOPROTOOPT`, so there is no setter).
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
#[doc(alias = "SO_SNDLOWAT")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn sndlowat(fd: impl AsFd) -> Result<usize> {
    get_int(fd, SOL_SOCKET, crate::arch::SO_SNDLOWAT).map(|v| v as u32 as usize)
}

/// `setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on)`: a UNIX socket receives its senders'
/// credentials with each message (`SCM_CREDENTIALS`), and autobinds when it has no name.
///
/// # Errors
/// - [`Errno::OPNOTSUPP`]: not a UNIX or netlink socket, on recent kernels (older ones take
///   the option on any socket and ignore it).
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
#[doc(alias = "SO_PASSCRED")]
#[doc(alias = "setsockopt")]
#[inline]
pub fn set_passcred(fd: impl AsFd, on: bool) -> Result<()> {
    set_int(fd, SOL_SOCKET, crate::arch::SO_PASSCRED, on as i32)
}

/// `getsockopt(fd, SOL_SOCKET, SO_PASSCRED)`: see [`set_passcred`].
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
#[doc(alias = "SO_PASSCRED")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn passcred(fd: impl AsFd) -> Result<bool> {
    get_int(fd, SOL_SOCKET, crate::arch::SO_PASSCRED).map(|v| v != 0)
}

/// `getsockopt(fd, SOL_SOCKET, SO_PEERCRED)`: the process ID, user and group of the peer of
/// a connected UNIX socket, as they were when it connected (or made the pair).
///
/// ```
/// use freepoll::socket::{peercred, socketpair, AddressFamily, Protocol, SocketFlags, SocketType};
/// let (a, _b) = socketpair(AddressFamily::UNIX, SocketType::STREAM, SocketFlags::CLOEXEC, Protocol::DEFAULT)?;
/// assert_eq!(peercred(&a)?.pid as u32, std::process::id());
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// A socket with no peer credentials (not connected, or not a UNIX socket) answers pid 0 and
/// the IDs -1 (`u32::MAX`).
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
#[doc(alias = "SO_PEERCRED")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn peercred(fd: impl AsFd) -> Result<Ucred> {
    let mut cred = Ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = core::mem::size_of::<Ucred>() as u32;
    // SAFETY: `fd` is borrowed, so open for the call; `cred` is valid for writes of `len`
    // (12) bytes and `len` for a read and a write of a `socklen_t`.
    let ret = unsafe {
        syscall5(
            nr::GETSOCKOPT,
            fd.as_fd().as_raw_fd() as usize,
            SOL_SOCKET as usize,
            crate::arch::SO_PEERCRED as usize,
            &mut cred as *mut Ucred as usize,
            &mut len as *mut u32 as usize,
        )
    };
    decode_raw(ret)?;
    Ok(cred)
}

/// `setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on)`: TCP sends small segments at once instead
/// of holding them back to merge them (Nagle's algorithm).
///
/// # Errors
/// - [`Errno::OPNOTSUPP`]: not a TCP socket.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html)
#[doc(alias = "TCP_NODELAY")]
#[doc(alias = "setsockopt")]
#[inline]
pub fn set_tcp_nodelay(fd: impl AsFd, on: bool) -> Result<()> {
    set_int(fd, IPPROTO_TCP, TCP_NODELAY, on as i32)
}

/// `getsockopt(fd, IPPROTO_TCP, TCP_NODELAY)`: see [`set_tcp_nodelay`].
///
/// # Errors
/// - [`Errno::OPNOTSUPP`]: not a TCP socket.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [tcp(7)](https://man7.org/linux/man-pages/man7/tcp.7.html)
#[doc(alias = "TCP_NODELAY")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn tcp_nodelay(fd: impl AsFd) -> Result<bool> {
    get_int(fd, IPPROTO_TCP, TCP_NODELAY).map(|v| v != 0)
}

/// `setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on)`: an IPv6 socket bound to `::` takes IPv6
/// only, not also IPv4 (as `::ffff:a.b.c.d`). The default is `net.ipv6.bindv6only` (0). Set
/// it before `bind`.
///
/// # Errors
/// - [`Errno::INVAL`]: the socket is bound already.
/// - [`Errno::NOPROTOOPT`]: not an IPv6 socket.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html)
#[doc(alias = "IPV6_V6ONLY")]
#[doc(alias = "setsockopt")]
#[inline]
pub fn set_ipv6_v6only(fd: impl AsFd, on: bool) -> Result<()> {
    set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, on as i32)
}

/// `getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY)`: see [`set_ipv6_v6only`].
///
/// # Errors
/// - [`Errno::NOPROTOOPT`]: not an IPv6 socket.
/// - [`Errno::BADF`], [`Errno::NOTSOCK`]: `fd` is not an open socket.
///
/// # References
/// - [ipv6(7)](https://man7.org/linux/man-pages/man7/ipv6.7.html)
#[doc(alias = "IPV6_V6ONLY")]
#[doc(alias = "getsockopt")]
#[inline]
pub fn ipv6_v6only(fd: impl AsFd) -> Result<bool> {
    get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY).map(|v| v != 0)
}

// The kernel's structures against the C library's, where the libc crate is (unit tests).
#[cfg(test)]
#[allow(clippy::incompatible_msrv)]
mod tests {
    use super::*;
    use core::mem::{align_of, offset_of, size_of};

    #[test]
    fn sockaddr_layouts_match_libc() {
        assert_eq!(size_of::<SockaddrIn>(), size_of::<libc::sockaddr_in>());
        assert_eq!(align_of::<SockaddrIn>(), align_of::<libc::sockaddr_in>());
        assert_eq!(
            offset_of!(SockaddrIn, sin_port),
            offset_of!(libc::sockaddr_in, sin_port)
        );
        assert_eq!(
            offset_of!(SockaddrIn, sin_addr),
            offset_of!(libc::sockaddr_in, sin_addr)
        );
        assert_eq!(
            offset_of!(SockaddrIn, sin_zero),
            offset_of!(libc::sockaddr_in, sin_zero)
        );

        assert_eq!(size_of::<SockaddrIn6>(), size_of::<libc::sockaddr_in6>());
        assert_eq!(align_of::<SockaddrIn6>(), align_of::<libc::sockaddr_in6>());
        assert_eq!(
            offset_of!(SockaddrIn6, sin6_flowinfo),
            offset_of!(libc::sockaddr_in6, sin6_flowinfo)
        );
        assert_eq!(
            offset_of!(SockaddrIn6, sin6_addr),
            offset_of!(libc::sockaddr_in6, sin6_addr)
        );
        assert_eq!(
            offset_of!(SockaddrIn6, sin6_scope_id),
            offset_of!(libc::sockaddr_in6, sin6_scope_id)
        );

        assert_eq!(size_of::<SockaddrUn>(), size_of::<libc::sockaddr_un>());
        assert_eq!(
            offset_of!(SockaddrUn, sun_path),
            offset_of!(libc::sockaddr_un, sun_path)
        );
        assert_eq!(
            SUN_PATH_OFFSET as usize,
            offset_of!(libc::sockaddr_un, sun_path)
        );

        assert_eq!(size_of::<SockaddrNl>(), size_of::<libc::sockaddr_nl>());
        assert_eq!(
            offset_of!(SockaddrNl, nl_pid),
            offset_of!(libc::sockaddr_nl, nl_pid)
        );
        assert_eq!(
            offset_of!(SockaddrNl, nl_groups),
            offset_of!(libc::sockaddr_nl, nl_groups)
        );

        assert_eq!(
            size_of::<SockaddrStorage>(),
            size_of::<libc::sockaddr_storage>()
        );
        assert_eq!(
            align_of::<SockaddrStorage>(),
            align_of::<libc::sockaddr_storage>()
        );

        assert_eq!(size_of::<Ucred>(), size_of::<libc::ucred>());
        assert_eq!(offset_of!(Ucred, uid), offset_of!(libc::ucred, uid));
        assert_eq!(offset_of!(Ucred, gid), offset_of!(libc::ucred, gid));
    }

    /// A raw address whose first bytes are `family` (native order) and then `rest`.
    fn raw_with(family: u16, rest: &[u8]) -> RawSockaddr {
        let mut storage = SockaddrStorage {
            ss_family: family,
            ss_data: [0; 126],
            _align: [],
        };
        storage.ss_data[..rest.len()].copy_from_slice(rest);
        RawSockaddr { storage }
    }

    #[test]
    fn decoding_checks_the_family_and_the_length() {
        let raw = raw_with(AddressFamily::INET.0, &[0x1f, 0x90, 127, 0, 0, 1]);
        assert_eq!(
            raw.decode(16),
            Ok(SocketAddr::V4(SocketAddrV4::new([127, 0, 0, 1], 8080)))
        );
        assert_eq!(raw.decode(15), Err(Errno::INVAL));
        assert_eq!(raw.decode(1), Err(Errno::INVAL));
        assert_eq!(raw.decode(0), Err(Errno::INVAL));
        assert_eq!(
            raw_with(AddressFamily::INET6.0, &[]).decode(27),
            Err(Errno::INVAL)
        );
        assert_eq!(
            raw_with(AddressFamily::NETLINK.0, &[]).decode(11),
            Err(Errno::INVAL)
        );
        assert_eq!(
            raw_with(AddressFamily::PACKET.0, &[]).decode(20),
            Err(Errno::AFNOSUPPORT)
        );
        assert_eq!(raw_with(0, &[]).decode(16), Err(Errno::AFNOSUPPORT));
    }

    #[test]
    fn unix_addresses_decode_as_the_kernel_reports_them() {
        let unix = |raw: RawSockaddr, len| match raw.decode(len) {
            Ok(SocketAddr::Unix(u)) => u,
            other => panic!("{other:?}"),
        };
        let family = AddressFamily::UNIX.0;
        assert!(unix(raw_with(family, &[]), 2).is_unnamed());
        // A path: the length counts its NUL.
        assert_eq!(
            unix(raw_with(family, b"/run/x\0"), 9).path(),
            Some(&b"/run/x"[..])
        );
        // A path that fills sun_path: the NUL the kernel counts lies past it (length 111).
        let full = [b'p'; 108];
        assert_eq!(unix(raw_with(family, &full), 111).path(), Some(&full[..]));
        // An abstract name may hold NULs, and has none after it.
        let u = unix(raw_with(family, b"\0a\0b"), 6);
        assert_eq!(u.abstract_name(), Some(&b"a\0b"[..]));
    }

    #[test]
    fn encoding_puts_ports_addresses_and_flow_labels_in_network_order() {
        let v6 = SocketAddrV6::new(SocketAddrV6::LOCALHOST, 0x1234, 0x0001_0203, 7);
        let (raw, len) = RawSockaddr::encode(&SocketAddr::V6(v6));
        assert_eq!(len, 28);
        // SAFETY: `encode` made the whole value; every field is plain data.
        let data = unsafe { raw.storage.ss_data };
        assert_eq!(&data[..6], &[0x12, 0x34, 0, 1, 2, 3]);
        assert_eq!(&data[6..22], &SocketAddrV6::LOCALHOST);
        assert_eq!(&data[22..26], &7u32.to_ne_bytes());
        assert_eq!(raw.decode(len), Ok(SocketAddr::V6(v6)));

        let v4 = SocketAddrV4::new([10, 1, 2, 3], 443);
        let (raw, len) = RawSockaddr::encode(&SocketAddr::V4(v4));
        assert_eq!(len, 16);
        // SAFETY: as above.
        let data = unsafe { raw.storage.ss_data };
        assert_eq!(&data[..6], &[0x01, 0xbb, 10, 1, 2, 3]);
        assert_eq!(raw.decode(len), Ok(SocketAddr::V4(v4)));

        let nl = SocketAddrNetlink::new(42, 1);
        let (raw, len) = RawSockaddr::encode(&SocketAddr::Netlink(nl));
        assert_eq!((len, raw.decode(len)), (12, Ok(SocketAddr::Netlink(nl))));

        let un = SocketAddrUnix::new_abstract(b"name").unwrap_or_else(|e| panic!("{e}"));
        let (raw, len) = RawSockaddr::encode(&SocketAddr::Unix(un));
        assert_eq!((len, raw.decode(len)), (7, Ok(SocketAddr::Unix(un))));
        let (raw, len) = RawSockaddr::encode(&SocketAddr::Unix(SocketAddrUnix::unnamed()));
        assert_eq!(len, 2);
        assert_eq!(
            raw.decode(len),
            Ok(SocketAddr::Unix(SocketAddrUnix::unnamed()))
        );
    }

    #[test]
    fn constants_match_libc() {
        assert_eq!(AddressFamily::UNIX.0 as i32, libc::AF_UNIX);
        assert_eq!(AddressFamily::INET.0 as i32, libc::AF_INET);
        assert_eq!(AddressFamily::INET6.0 as i32, libc::AF_INET6);
        assert_eq!(AddressFamily::NETLINK.0 as i32, libc::AF_NETLINK);
        assert_eq!(AddressFamily::PACKET.0 as i32, libc::AF_PACKET);
        assert_eq!(SocketType::STREAM.0 as i32, libc::SOCK_STREAM);
        assert_eq!(SocketType::DGRAM.0 as i32, libc::SOCK_DGRAM);
        assert_eq!(SocketType::RAW.0 as i32, libc::SOCK_RAW);
        assert_eq!(SocketType::RDM.0 as i32, libc::SOCK_RDM);
        assert_eq!(SocketType::SEQPACKET.0 as i32, libc::SOCK_SEQPACKET);
        assert_eq!(SocketFlags::NONBLOCK.bits() as i32, libc::SOCK_NONBLOCK);
        assert_eq!(SocketFlags::CLOEXEC.bits() as i32, libc::SOCK_CLOEXEC);
        assert_eq!(Protocol::TCP.0 as i32, libc::IPPROTO_TCP);
        assert_eq!(Protocol::UDP.0 as i32, libc::IPPROTO_UDP);
        assert_eq!(Protocol::ICMP.0 as i32, libc::IPPROTO_ICMP);
        assert_eq!(Protocol::ICMPV6.0 as i32, libc::IPPROTO_ICMPV6);
        assert_eq!(Protocol::NETLINK_ROUTE.0 as i32, libc::NETLINK_ROUTE);
        assert_eq!(
            Protocol::NETLINK_KOBJECT_UEVENT.0 as i32,
            libc::NETLINK_KOBJECT_UEVENT
        );
        assert_eq!(Protocol::NETLINK_GENERIC.0 as i32, libc::NETLINK_GENERIC);
        let send = [
            (SendFlags::OOB, libc::MSG_OOB),
            (SendFlags::DONTROUTE, libc::MSG_DONTROUTE),
            (SendFlags::DONTWAIT, libc::MSG_DONTWAIT),
            (SendFlags::EOR, libc::MSG_EOR),
            (SendFlags::CONFIRM, libc::MSG_CONFIRM),
            (SendFlags::NOSIGNAL, libc::MSG_NOSIGNAL),
            (SendFlags::MORE, libc::MSG_MORE),
            (SendFlags::ZEROCOPY, libc::MSG_ZEROCOPY),
            (SendFlags::FASTOPEN, libc::MSG_FASTOPEN),
        ];
        for (ours, theirs) in send {
            assert_eq!(ours.bits() as i32, theirs, "{ours:?}");
        }
        let recv = [
            (RecvFlags::OOB, libc::MSG_OOB),
            (RecvFlags::PEEK, libc::MSG_PEEK),
            (RecvFlags::TRUNC, libc::MSG_TRUNC),
            (RecvFlags::DONTWAIT, libc::MSG_DONTWAIT),
            (RecvFlags::WAITALL, libc::MSG_WAITALL),
            (RecvFlags::ERRQUEUE, libc::MSG_ERRQUEUE),
            (RecvFlags::CMSG_CLOEXEC, libc::MSG_CMSG_CLOEXEC),
        ];
        for (ours, theirs) in recv {
            assert_eq!(ours.bits() as i32, theirs, "{ours:?}");
        }
        assert_eq!(Shutdown::Read as i32, libc::SHUT_RD);
        assert_eq!(Shutdown::Write as i32, libc::SHUT_WR);
        assert_eq!(Shutdown::Both as i32, libc::SHUT_RDWR);
        let options = [
            (SOL_SOCKET, libc::SOL_SOCKET),
            (IPPROTO_TCP, libc::IPPROTO_TCP),
            (IPPROTO_IPV6, libc::IPPROTO_IPV6),
            (SO_REUSEADDR, libc::SO_REUSEADDR),
            (SO_TYPE, libc::SO_TYPE),
            (SO_ERROR, libc::SO_ERROR),
            (SO_SNDBUF, libc::SO_SNDBUF),
            (SO_RCVBUF, libc::SO_RCVBUF),
            (SO_KEEPALIVE, libc::SO_KEEPALIVE),
            (SO_REUSEPORT, libc::SO_REUSEPORT),
            (SO_SNDBUFFORCE, libc::SO_SNDBUFFORCE),
            (SO_RCVBUFFORCE, libc::SO_RCVBUFFORCE),
            (crate::arch::SO_PASSCRED, libc::SO_PASSCRED),
            (crate::arch::SO_PEERCRED, libc::SO_PEERCRED),
            (crate::arch::SO_RCVLOWAT, libc::SO_RCVLOWAT),
            (crate::arch::SO_SNDLOWAT, libc::SO_SNDLOWAT),
            (TCP_NODELAY, libc::TCP_NODELAY),
            (IPV6_V6ONLY, libc::IPV6_V6ONLY),
        ];
        for (ours, theirs) in options {
            assert_eq!(ours as i32, theirs);
        }
    }
}
