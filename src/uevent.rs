//! Kernel uevents: the hotplug notices the kernel broadcasts on a netlink socket
//! (`NETLINK_KOBJECT_UEVENT`) when a device is added, removed, changed, bound to a driver.
//! Each arrives as one datagram; [`Uevent::parse`] reads it in place, without allocating, so
//! a freestanding device manager can wait for them in its epoll loop next to everything else.
//!
//! ```
//! use freepoll::uevent::Uevent;
//! let msg = b"add@/devices/virtual/mem/null\0ACTION=add\0DEVPATH=/devices/virtual/mem/null\0\
//!             SUBSYSTEM=mem\0MAJOR=1\0MINOR=3\0DEVNAME=null\0DEVMODE=0666\0SEQNUM=2207\0";
//! let event = Uevent::parse(msg).unwrap();
//! assert_eq!(event.action(), b"add");
//! assert_eq!(event.devpath(), b"/devices/virtual/mem/null");
//! assert_eq!(event.get(b"DEVNAME"), Some(&b"null"[..]));
//! assert_eq!(event.fields().count(), 8);
//! ```
//!
//! # The format
//!
//! The kernel's datagram (`lib/kobject_uevent.c`) is a header `ACTION@DEVPATH` and its NUL,
//! then the environment of the event, each `KEY=VALUE` ended by a NUL: `ACTION`, `DEVPATH`
//! (relative to `/sys`), `SUBSYSTEM`, `SEQNUM`, and the device's own (`MAJOR`, `MINOR`,
//! `DEVNAME`, `DEVTYPE`, `DRIVER`, `MODALIAS`, ...). Those are multicast to group 1.
//! udev's daemon re-sends each event, after its rules ran, to group 2 in libudev's own format,
//! which begins with `libudev` and a NUL and a binary header: [`Uevent::parse`] recognises it
//! and answers [`ParseError::Libudev`].
//!
//! # Traps
//!
//! **Events are lost when the socket's buffer is full.** A burst (a coldplug of every device,
//! a USB hub with many children) can outrun a slow reader: the kernel drops the datagrams that
//! do not fit and the next read fails with `ENOBUFS`. What was lost is unknown; scan `/sys`
//! again. [`open_uevent_socket`] asks for a large buffer for that reason.
//!
//! On group 1 only the kernel, and processes with `CAP_NET_ADMIN` in the network namespace's
//! user namespace, can send. A reader that must be sure of the kernel checks the sender's
//! port ID (0 for the kernel) with `recvfrom`. Uevents reach only sockets in the initial
//! network namespace (and, from Linux 4.18, those of namespaces owned by a user namespace
//! the device belongs to): a container may see none.

use crate::errno::Result;
use crate::fd::OwnedFd;
use crate::socket::{
    bind, set_rcvbuf, set_rcvbuf_force, socket, AddressFamily, Protocol, SocketAddrNetlink,
    SocketFlags, SocketType,
};
#[cfg(doc)]
use crate::Errno;

/// The prefix of a message in libudev's format (group 2), which is not a kernel uevent.
const LIBUDEV_PREFIX: &[u8] = b"libudev\0";

/// Why [`Uevent::parse`] refused a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParseError {
    /// A message of libudev's format (it begins with `libudev` and a NUL), which udev's daemon
    /// sends to group 2: not a kernel uevent. A listener on group 1 never gets one from the
    /// kernel.
    Libudev,
    /// Not in the kernel's format: no NUL after the header, no `@` in it (or an empty action
    /// or devpath), a field without `=` or with an empty key, or a last field without its
    /// NUL.
    Malformed,
}

/// A kernel uevent, borrowed from the datagram it was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Uevent<'msg> {
    action: &'msg [u8],
    devpath: &'msg [u8],
    /// The `KEY=VALUE\0` fields, each checked by `parse`.
    fields: &'msg [u8],
}

/// `bytes` split at its first NUL: what comes before, and what comes after the NUL.
#[inline]
fn split_nul(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    split_at_byte(bytes, 0)
}

/// `bytes` split at the first `byte`: what comes before it, and what comes after it.
#[inline]
fn split_at_byte(bytes: &[u8], byte: u8) -> Option<(&[u8], &[u8])> {
    let at = bytes.iter().position(|&b| b == byte)?;
    Some((bytes.get(..at)?, bytes.get(at.checked_add(1)?..)?))
}

impl<'msg> Uevent<'msg> {
    /// Reads a datagram from a uevent socket: the header `ACTION@DEVPATH\0` and the fields
    /// `KEY=VALUE\0` that follow. Checks every field once, so that [`fields`](Self::fields)
    /// and [`get`](Self::get) cannot meet a malformed one.
    ///
    /// # Errors
    /// - [`ParseError::Libudev`]: a message in libudev's format (group 2).
    /// - [`ParseError::Malformed`]: anything else not in the kernel's format (see
    ///   [`ParseError::Malformed`]).
    pub fn parse(msg: &'msg [u8]) -> core::result::Result<Uevent<'msg>, ParseError> {
        if msg.starts_with(LIBUDEV_PREFIX) {
            return Err(ParseError::Libudev);
        }
        let (header, fields) = split_nul(msg).ok_or(ParseError::Malformed)?;
        let (action, devpath) = split_at_byte(header, b'@').ok_or(ParseError::Malformed)?;
        if action.is_empty() || devpath.is_empty() {
            return Err(ParseError::Malformed);
        }
        let mut rest = fields;
        while !rest.is_empty() {
            let (field, after) = split_nul(rest).ok_or(ParseError::Malformed)?;
            match split_at_byte(field, b'=') {
                Some((key, _)) if !key.is_empty() => rest = after,
                _ => return Err(ParseError::Malformed),
            }
        }
        Ok(Uevent {
            action,
            devpath,
            fields,
        })
    }

    /// The action of the header: `add`, `remove`, `change`, `move`, `online`, `offline`,
    /// `bind`, `unbind`.
    #[inline]
    pub const fn action(&self) -> &'msg [u8] {
        self.action
    }

    /// The device's path in sysfs, from the header (`/devices/virtual/mem/null`: under
    /// `/sys`).
    #[inline]
    pub const fn devpath(&self) -> &'msg [u8] {
        self.devpath
    }

    /// The fields after the header, as `(key, value)` in the order sent.
    #[inline]
    pub const fn fields(&self) -> Fields<'msg> {
        Fields { rest: self.fields }
    }

    /// The value of the first field named `key`, if any.
    #[inline]
    pub fn get(&self, key: &[u8]) -> Option<&'msg [u8]> {
        self.fields().find(|&(k, _)| k == key).map(|(_, v)| v)
    }
}

/// The `KEY=VALUE` fields of a [`Uevent`], as `(key, value)` byte strings.
#[derive(Clone, Debug)]
pub struct Fields<'msg> {
    rest: &'msg [u8],
}

impl<'msg> Iterator for Fields<'msg> {
    type Item = (&'msg [u8], &'msg [u8]);

    #[inline]
    fn next(&mut self) -> Option<(&'msg [u8], &'msg [u8])> {
        // `parse` checked that every field ends with a NUL and has a `=`.
        let (field, rest) = split_nul(self.rest)?;
        self.rest = rest;
        split_at_byte(field, b'=')
    }
}

// ---------------------------------------------------------------------------------------------
// The socket. Made with the raw stubs here; the parser above needs none of it.

/// The multicast group of the kernel's uevents (udev's re-sent ones are group 2).
pub const KERNEL_GROUP: u32 = 1;

/// The receive buffer [`open_uevent_socket`] asks for: 1 MiB, room for a few thousand
/// uevents.
pub const RCVBUF_BYTES: usize = 1 << 20;

/// A buffer size for reading uevents: 8192 bytes, as libudev reads them. A kernel uevent is a
/// header (the action and the devpath) and an environment of at most 2048 bytes
/// (`UEVENT_BUFFER_SIZE` in `include/linux/kobject.h`), far less.
pub const MAX_UEVENT_SIZE: usize = 8192;

/// `socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT)`,
/// `setsockopt(SO_RCVBUFFORCE)` (or `SO_RCVBUF` where that is refused), and `bind` to
/// [`KERNEL_GROUP`]: a non-blocking socket that receives the kernel's uevents, one datagram
/// each (read them with [`read`](crate::io::read) into [`MAX_UEVENT_SIZE`] bytes and
/// [`Uevent::parse`]).
///
/// `SO_RCVBUFFORCE` sets the buffer to [`RCVBUF_BYTES`] past `net.core.rmem_max`, for a
/// process with `CAP_NET_ADMIN`; without it, `SO_RCVBUF` asks for the same, capped by the
/// kernel at `rmem_max`.
///
/// # Errors
/// - [`Errno::AFNOSUPPORT`], [`Errno::PROTONOSUPPORT`]: a kernel without netlink or
///   uevents (`CONFIG_NET`).
/// - [`Errno::ACCES`], [`Errno::PERM`]: a security module refuses the socket or the bind.
/// - [`Errno::MFILE`], [`Errno::NFILE`], [`Errno::NOBUFS`], [`Errno::NOMEM`]: the
///   descriptor limits, no kernel memory.
///
/// # References
/// - [netlink(7)](https://man7.org/linux/man-pages/man7/netlink.7.html),
///   [socket(2)](https://man7.org/linux/man-pages/man2/socket.2.html),
///   [bind(2)](https://man7.org/linux/man-pages/man2/bind.2.html),
///   [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html) (`SO_RCVBUFFORCE`)
#[doc(alias = "NETLINK_KOBJECT_UEVENT")]
pub fn open_uevent_socket() -> Result<OwnedFd> {
    let fd = socket(
        AddressFamily::NETLINK,
        SocketType::DGRAM,
        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
        Protocol::NETLINK_KOBJECT_UEVENT,
    )?;
    set_rcvbuf_force(&fd, RCVBUF_BYTES).or_else(|_| set_rcvbuf(&fd, RCVBUF_BYTES))?;
    // Port ID 0: the kernel picks one.
    bind(&fd, SocketAddrNetlink::new(0, KERNEL_GROUP))?;
    Ok(fd)
}
