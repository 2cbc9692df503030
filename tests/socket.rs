//! freepoll's sockets against the `libc` crate's: each call made both ways on sockets made the
//! same way, the same answers and the same errnos by name, for good input and bad; the
//! addresses the kernel returns decoded by freepoll and, independently, from libc's structs;
//! and a server loop made of freepoll's calls alone, greeting 200 clients at once over
//! loopback without leaking a descriptor.
//!
//! The tests run one at a time (`serial`): the load test counts the process's descriptors, and
//! the SIGPIPE test counts the process's signals.

mod common;

use common::*;
use freepoll::epoll::{self, CreateFlags, EventFlags};
use freepoll::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use freepoll::socket::{
    self, AddressFamily, Protocol, RecvFlags, SendFlags, Shutdown, SocketAddr, SocketAddrNetlink,
    SocketAddrUnix, SocketAddrV4, SocketAddrV6, SocketFlags, SocketType,
};
use freepoll::Errno;
use std::io::Read;
use std::mem::{size_of, MaybeUninit};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// One test at a time: see the module docs.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A descriptor number that is never open: above any RLIMIT_NOFILE.
const NEVER_OPEN: i32 = i32::MAX;

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap()
}

/// A libc return as the value or the errno.
fn lc(ret: i64) -> Result<i64, i32> {
    if ret < 0 {
        Err(errno())
    } else {
        Ok(ret)
    }
}

/// A freepoll result with the errno as a number, to compare with `lc`.
fn fp<T>(r: freepoll::Result<T>) -> Result<T, i32> {
    r.map_err(Errno::raw_os_error)
}

/// The errno of a freepoll call, or None if it succeeded.
fn fe<T>(r: freepoll::Result<T>) -> Option<i32> {
    r.err().map(Errno::raw_os_error)
}

/// Borrows the descriptor of a std socket (`AsFd` is freepoll's own trait without `std`).
fn std_fd(s: &impl std::os::fd::AsRawFd) -> BorrowedFd<'_> {
    // SAFETY: `s` owns the descriptor and keeps it open while it is borrowed.
    unsafe { BorrowedFd::borrow_raw(s.as_raw_fd()) }
}

/// Whether both answered the same way: success both, or the same errno.
fn same<A, B>(ours: &Result<A, i32>, theirs: &Result<B, i32>) -> bool {
    match (ours, theirs) {
        (Ok(_), Ok(_)) => true,
        (Err(a), Err(b)) => a == b,
        _ => false,
    }
}

fn errname(e: i32) -> &'static str {
    Errno::from_raw_os_error(e)
        .and_then(Errno::name)
        .unwrap_or("?")
}

/// Asserts that freepoll and libc answered alike; names the errnos on failure.
#[track_caller]
fn assert_same<A: std::fmt::Debug, B: std::fmt::Debug>(
    what: &str,
    ours: &Result<A, i32>,
    theirs: &Result<B, i32>,
) {
    let show = |r: Result<String, i32>| match r {
        Ok(v) => format!("Ok({v})"),
        Err(e) => format!("Err({})", errname(e)),
    };
    assert!(
        same(ours, theirs),
        "{what}: freepoll {} libc {}",
        show(ours.as_ref().map(|v| format!("{v:?}")).map_err(|e| *e)),
        show(theirs.as_ref().map(|v| format!("{v:?}")).map_err(|e| *e)),
    );
}

const NB_CLOEXEC: SocketFlags = SocketFlags::NONBLOCK.union(SocketFlags::CLOEXEC);

fn tcp4(flags: SocketFlags) -> OwnedFd {
    socket::socket(
        AddressFamily::INET,
        SocketType::STREAM,
        flags,
        Protocol::DEFAULT,
    )
    .expect("socket(AF_INET, SOCK_STREAM)")
}

fn libc_socket(domain: i32, ty: i32, protocol: i32) -> Result<OwnedFd, i32> {
    // SAFETY: socket takes integers only.
    lc(unsafe { libc::socket(domain, ty, protocol) } as i64).map(|fd| own(fd as i32, "socket"))
}

/// A TCP listener on 127.0.0.1 at a port the kernel picks, and that address.
fn listener4(flags: SocketFlags) -> (OwnedFd, SocketAddrV4) {
    let l = tcp4(flags);
    socket::bind(&l, SocketAddrV4::new(SocketAddrV4::LOCALHOST, 0)).expect("bind");
    socket::listen(&l, 64).expect("listen");
    match socket::getsockname(&l).expect("getsockname") {
        SocketAddr::V4(a) => (l, a),
        other => panic!("getsockname of an AF_INET socket: {other:?}"),
    }
}

/// A TCP socket bound to 127.0.0.1 at a port the kernel picked, not listening: connecting to
/// that port is refused, and nothing else can take the port meanwhile.
fn bound_not_listening() -> (OwnedFd, SocketAddrV4) {
    let s = tcp4(SocketFlags::CLOEXEC);
    socket::bind(&s, SocketAddrV4::new(SocketAddrV4::LOCALHOST, 0)).expect("bind");
    match socket::getsockname(&s).expect("getsockname") {
        SocketAddr::V4(a) => (s, a),
        other => panic!("getsockname of an AF_INET socket: {other:?}"),
    }
}

fn c_in4(addr: SocketAddrV4) -> libc::sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: addr.port().to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from_ne_bytes(addr.ip()),
        },
        sin_zero: [0; 8],
    }
}

fn c_in6(addr: SocketAddrV6) -> libc::sockaddr_in6 {
    // SAFETY: sockaddr_in6 is plain data; all zeroes is a valid value.
    let mut sin6: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
    sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
    sin6.sin6_port = addr.port().to_be();
    sin6.sin6_flowinfo = addr.flowinfo().to_be();
    sin6.sin6_addr.s6_addr = addr.ip();
    sin6.sin6_scope_id = addr.scope_id();
    sin6
}

/// A `sockaddr_un` with `sun_path` = `path` (no terminating NUL added), and its length.
fn c_un(path: &[u8]) -> (libc::sockaddr_un, libc::socklen_t) {
    // SAFETY: sockaddr_un is plain data; all zeroes is a valid value.
    let mut sun: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (slot, &b) in sun.sun_path.iter_mut().zip(path) {
        *slot = b as _;
    }
    (sun, (2 + path.len()) as libc::socklen_t)
}

/// libc's bind of `addr` (any sockaddr structure) with length `len`.
fn libc_bind<T>(fd: impl AsFd, addr: &T, len: usize) -> Result<i64, i32> {
    // SAFETY: `addr` is a live structure of at least `len` bytes (the callers pass its size
    // or less).
    lc(unsafe {
        libc::bind(
            fd.as_fd().as_raw_fd(),
            addr as *const T as *const libc::sockaddr,
            len as libc::socklen_t,
        )
    } as i64)
}

fn libc_connect<T>(fd: impl AsFd, addr: &T, len: usize) -> Result<i64, i32> {
    // SAFETY: as in `libc_bind`.
    lc(unsafe {
        libc::connect(
            fd.as_fd().as_raw_fd(),
            addr as *const T as *const libc::sockaddr,
            len as libc::socklen_t,
        )
    } as i64)
}

/// getsockname (`peer` false) or getpeername through libc, decoded from libc's structures
/// into freepoll's types: a path to the same answer that shares none of freepoll's decoding.
fn libc_name(fd: impl AsFd, peer: bool) -> Result<SocketAddr, i32> {
    // SAFETY: sockaddr_storage is plain data; all zeroes is a valid value.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let fd = fd.as_fd().as_raw_fd();
    let p = &mut ss as *mut libc::sockaddr_storage as *mut libc::sockaddr;
    // SAFETY: `ss` has room for `len` bytes, and `len` is a live socklen_t.
    let rc = unsafe {
        if peer {
            libc::getpeername(fd, p, &mut len)
        } else {
            libc::getsockname(fd, p, &mut len)
        }
    };
    lc(rc as i64)?;
    Ok(decode_libc(&ss, len as usize))
}

/// An address libc returned, read through libc's structures.
fn decode_libc(ss: &libc::sockaddr_storage, len: usize) -> SocketAddr {
    let p = ss as *const libc::sockaddr_storage;
    match ss.ss_family as i32 {
        libc::AF_INET => {
            assert_eq!(len, size_of::<libc::sockaddr_in>());
            // SAFETY: the family says the storage holds a sockaddr_in.
            let sin = unsafe { &*(p as *const libc::sockaddr_in) };
            SocketAddr::V4(SocketAddrV4::new(
                sin.sin_addr.s_addr.to_ne_bytes(),
                u16::from_be(sin.sin_port),
            ))
        }
        libc::AF_INET6 => {
            assert_eq!(len, size_of::<libc::sockaddr_in6>());
            // SAFETY: the family says the storage holds a sockaddr_in6.
            let sin6 = unsafe { &*(p as *const libc::sockaddr_in6) };
            SocketAddr::V6(SocketAddrV6::new(
                sin6.sin6_addr.s6_addr,
                u16::from_be(sin6.sin6_port),
                u32::from_be(sin6.sin6_flowinfo),
                sin6.sin6_scope_id,
            ))
        }
        libc::AF_NETLINK => {
            // SAFETY: the family says the storage holds a sockaddr_nl.
            let snl = unsafe { &*(p as *const libc::sockaddr_nl) };
            SocketAddr::Netlink(SocketAddrNetlink::new(snl.nl_pid, snl.nl_groups))
        }
        libc::AF_UNIX => {
            // SAFETY: the family says the storage holds a sockaddr_un (and 128 bytes).
            let bytes = unsafe { std::slice::from_raw_parts(p as *const u8, len) };
            let path = &bytes[2..];
            let addr = match path {
                [] => SocketAddrUnix::unnamed(),
                [0, name @ ..] => SocketAddrUnix::new_abstract(name).unwrap(),
                _ => {
                    let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                    SocketAddrUnix::new(&path[..end.min(108)]).unwrap()
                }
            };
            SocketAddr::Unix(addr)
        }
        other => panic!("libc returned family {other}"),
    }
}

fn libc_getsockopt_int(fd: impl AsFd, level: i32, name: i32) -> Result<i32, i32> {
    let mut value: i32 = 0;
    let mut len = size_of::<i32>() as libc::socklen_t;
    // SAFETY: `value` has room for the `len` bytes the kernel writes.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_fd().as_raw_fd(),
            level,
            name,
            &mut value as *mut i32 as *mut libc::c_void,
            &mut len,
        )
    };
    lc(rc as i64).map(|_| value)
}

fn libc_setsockopt_int(fd: impl AsFd, level: i32, name: i32, value: i32) -> Result<i64, i32> {
    // SAFETY: the kernel reads the 4 bytes of `value`.
    lc(unsafe {
        libc::setsockopt(
            fd.as_fd().as_raw_fd(),
            level,
            name,
            &value as *const i32 as *const libc::c_void,
            size_of::<i32>() as libc::socklen_t,
        )
    } as i64)
}

/// SO_PEERCRED through libc: (pid, uid, gid).
fn libc_peercred(fd: impl AsFd) -> Result<(i32, u32, u32), i32> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` has room for the `len` bytes the kernel writes.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_fd().as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            &mut cred as *mut libc::ucred as *mut libc::c_void,
            &mut len,
        )
    };
    lc(rc as i64).map(|_| (cred.pid, cred.uid, cred.gid))
}

/// (O_NONBLOCK set, FD_CLOEXEC set), as fcntl reports them.
fn fd_flags(fd: impl AsFd) -> (bool, bool) {
    let fd = fd.as_fd().as_raw_fd();
    // SAFETY: F_GETFL and F_GETFD take no argument and touch no memory.
    let (fl, fdfl) = unsafe {
        (
            libc::fcntl(fd, libc::F_GETFL),
            libc::fcntl(fd, libc::F_GETFD),
        )
    };
    assert!(
        fl >= 0 && fdfl >= 0,
        "fcntl: {}",
        std::io::Error::last_os_error()
    );
    (fl & libc::O_NONBLOCK != 0, fdfl & libc::FD_CLOEXEC != 0)
}

/// A socket path in the temporary directory, unique to this process and `tag`, removed now
/// and when dropped.
struct TempPath(std::path::PathBuf);

impl TempPath {
    fn new(tag: &str) -> TempPath {
        let path = std::env::temp_dir().join(format!("freepoll-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        TempPath(path)
    }

    fn bytes(&self) -> &[u8] {
        use std::os::unix::ffi::OsStrExt;
        self.0.as_os_str().as_bytes()
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Waits until `fd` is writable, through freepoll's epoll (10 s at most).
fn wait_writable(fd: impl AsFd) {
    let ep = epoll();
    epoll::epoll_add(&ep, &fd, 1, EventFlags::OUT).expect("epoll_add");
    let events = wait(&ep, 4, 10_000);
    assert!(
        events.iter().any(|(f, _)| f.contains(EventFlags::OUT)),
        "not writable within 10 s: {events:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Creation.

#[test]
fn socket_answers_as_libc_for_families_types_and_protocols() {
    let _g = serial();
    let cases: &[(u16, u32, u32)] = &[
        (libc::AF_INET as u16, libc::SOCK_STREAM as u32, 0),
        (libc::AF_INET as u16, libc::SOCK_DGRAM as u32, 0),
        (
            libc::AF_INET as u16,
            libc::SOCK_STREAM as u32,
            libc::IPPROTO_TCP as u32,
        ),
        // A protocol the type has not.
        (
            libc::AF_INET as u16,
            libc::SOCK_STREAM as u32,
            libc::IPPROTO_UDP as u32,
        ),
        (libc::AF_INET6 as u16, libc::SOCK_DGRAM as u32, 0),
        (libc::AF_UNIX as u16, libc::SOCK_STREAM as u32, 0),
        (libc::AF_UNIX as u16, libc::SOCK_SEQPACKET as u32, 0),
        (libc::AF_UNIX as u16, libc::SOCK_DGRAM as u32, 0),
        (
            libc::AF_NETLINK as u16,
            libc::SOCK_RAW as u32,
            libc::NETLINK_ROUTE as u32,
        ),
        // A family that does not exist, a type out of range, an unknown flag bit.
        (1234, libc::SOCK_STREAM as u32, 0),
        (libc::AF_INET as u16, 11, 0),
        (libc::AF_INET as u16, libc::SOCK_STREAM as u32 | 1 << 20, 0),
        (libc::AF_UNIX as u16, libc::SOCK_STREAM as u32, 99),
    ];
    for &(domain, ty, protocol) in cases {
        let ours = fp(socket::socket(
            AddressFamily::from_raw(domain),
            SocketType::from_raw(ty),
            SocketFlags::empty(),
            Protocol::from_raw(protocol),
        ));
        let theirs = libc_socket(domain as i32, ty as i32, protocol as i32);
        let what = format!("socket({domain}, {ty:#x}, {protocol})");
        assert_same(&what, &ours, &theirs);
        if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
            let kind = fp(socket::socket_type(&ours));
            let libc_kind = libc_getsockopt_int(&theirs, libc::SOL_SOCKET, libc::SO_TYPE);
            assert_eq!(
                kind.map(SocketType::as_raw),
                libc_kind.map(|k| k as u32),
                "{what}"
            );
        }
    }
}

#[test]
fn socket_flags_set_nonblock_and_cloexec() {
    let _g = serial();
    for flags in [
        SocketFlags::empty(),
        SocketFlags::NONBLOCK,
        SocketFlags::CLOEXEC,
        NB_CLOEXEC,
    ] {
        let s = tcp4(flags);
        let want = (
            flags.contains(SocketFlags::NONBLOCK),
            flags.contains(SocketFlags::CLOEXEC),
        );
        assert_eq!(fd_flags(&s), want, "{flags:?}");
        let (a, b) = socket::socketpair(
            AddressFamily::UNIX,
            SocketType::STREAM,
            flags,
            Protocol::DEFAULT,
        )
        .expect("socketpair");
        assert_eq!((fd_flags(&a), fd_flags(&b)), (want, want), "{flags:?}");
    }
}

#[test]
fn socketpair_answers_as_libc() {
    let _g = serial();
    for (domain, ty) in [
        (libc::AF_UNIX, libc::SOCK_STREAM),
        (libc::AF_UNIX, libc::SOCK_DGRAM),
        (libc::AF_UNIX, libc::SOCK_SEQPACKET),
        (libc::AF_INET, libc::SOCK_STREAM),
        (libc::AF_INET6, libc::SOCK_DGRAM),
    ] {
        let ours = fp(socket::socketpair(
            AddressFamily::from_raw(domain as u16),
            SocketType::from_raw(ty as u32),
            SocketFlags::CLOEXEC,
            Protocol::DEFAULT,
        ));
        let mut fds = [-1; 2];
        // SAFETY: `fds` has room for the two descriptors socketpair writes.
        let rc = unsafe { libc::socketpair(domain, ty | libc::SOCK_CLOEXEC, 0, fds.as_mut_ptr()) };
        let theirs = lc(rc as i64).map(|_| (own(fds[0], "socketpair"), own(fds[1], "socketpair")));
        assert_same(&format!("socketpair({domain}, {ty})"), &ours, &theirs);
        if let Ok((a, b)) = ours {
            assert_eq!(socket::send(&a, b"ab", SendFlags::NOSIGNAL), Ok(2));
            let mut buf = [0u8; 4];
            assert_eq!(socket::recv(&b, &mut buf, RecvFlags::empty()), Ok(2));
            assert_eq!(&buf[..2], b"ab");
            // Both ends unnamed, as libc reads them.
            let unnamed = SocketAddr::Unix(SocketAddrUnix::unnamed());
            assert_eq!(socket::getsockname(&a), Ok(unnamed));
            assert_eq!(socket::getpeername(&a), Ok(unnamed));
            assert_eq!(libc_name(&a, true), Ok(unnamed));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bad descriptors.

#[test]
fn every_call_on_a_closed_descriptor_is_ebadf_as_in_libc() {
    let _g = serial();
    // SAFETY: NEVER_OPEN is above any descriptor limit: no descriptor has that number, and the
    // kernel answers EBADF without touching anything. Borrowed for these calls only.
    let closed = unsafe { BorrowedFd::borrow_raw(NEVER_OPEN) };
    let addr = SocketAddrV4::new(SocketAddrV4::LOCALHOST, 9);
    let sin = c_in4(addr);
    let mut buf = [0u8; 4];
    let ebadf = Some(libc::EBADF);
    let n = NEVER_OPEN;
    let p = buf.as_mut_ptr() as *mut libc::c_void;
    // SAFETY (all the libc calls below): the kernel looks the descriptor up first, and fails;
    // every pointer is a live buffer of the size given.
    unsafe {
        let len = size_of::<libc::sockaddr_in>();
        assert_eq!(libc_bind(closed, &sin, len).err(), ebadf);
        assert_eq!(fe(socket::bind(closed, addr)), ebadf);
        assert_eq!(libc_connect(closed, &sin, len).err(), ebadf);
        assert_eq!(fe(socket::connect(closed, addr)), ebadf);
        assert_eq!(lc(libc::listen(n, 1) as i64).err(), ebadf);
        assert_eq!(fe(socket::listen(closed, 1)), ebadf);
        let null = std::ptr::null_mut();
        assert_eq!(lc(libc::accept4(n, null, null as _, 0) as i64).err(), ebadf);
        assert_eq!(fe(socket::accept4(closed, SocketFlags::empty())), ebadf);
        assert_eq!(lc(libc::shutdown(n, libc::SHUT_RDWR) as i64).err(), ebadf);
        assert_eq!(fe(socket::shutdown(closed, Shutdown::Both)), ebadf);
        assert_eq!(
            lc(libc::send(n, p, 4, libc::MSG_NOSIGNAL) as i64).err(),
            ebadf
        );
        assert_eq!(fe(socket::send(closed, b"x", SendFlags::NOSIGNAL)), ebadf);
        assert_eq!(lc(libc::recv(n, p, 4, 0) as i64).err(), ebadf);
        assert_eq!(
            fe(socket::recv(closed, &mut buf, RecvFlags::empty())),
            ebadf
        );
        assert_eq!(
            fe(socket::recvfrom(closed, &mut buf, RecvFlags::empty())),
            ebadf
        );
        assert_eq!(
            fe(socket::sendto(closed, b"x", SendFlags::NOSIGNAL, addr)),
            ebadf
        );
        assert_eq!(libc_name(closed, false).err(), ebadf);
        assert_eq!(fe(socket::getsockname(closed)), ebadf);
        assert_eq!(libc_name(closed, true).err(), ebadf);
        assert_eq!(fe(socket::getpeername(closed)), ebadf);
    }
    assert_eq!(
        libc_getsockopt_int(closed, libc::SOL_SOCKET, libc::SO_ERROR).err(),
        ebadf
    );
    assert_eq!(fe(socket::take_error(closed)), ebadf);
    assert_eq!(
        libc_setsockopt_int(closed, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1).err(),
        ebadf
    );
    assert_eq!(fe(socket::set_reuseaddr(closed, true)), ebadf);
    assert_eq!(fe(socket::peercred(closed)), ebadf);
}

#[test]
fn every_call_on_a_pipe_is_enotsock_as_in_libc() {
    let _g = serial();
    let (rx, _tx) = pipe();
    let addr = SocketAddrV4::new(SocketAddrV4::LOCALHOST, 9);
    let enotsock = Some(libc::ENOTSOCK);
    let sin = c_in4(addr);
    let len = size_of::<libc::sockaddr_in>();
    assert_eq!(libc_bind(&rx, &sin, len).err(), enotsock);
    assert_eq!(fe(socket::bind(&rx, addr)), enotsock);
    assert_eq!(libc_connect(&rx, &sin, len).err(), enotsock);
    assert_eq!(fe(socket::connect(&rx, addr)), enotsock);
    assert_eq!(fe(socket::listen(&rx, 1)), enotsock);
    assert_eq!(fe(socket::accept4(&rx, SocketFlags::empty())), enotsock);
    assert_eq!(fe(socket::shutdown(&rx, Shutdown::Read)), enotsock);
    assert_eq!(
        fe(socket::recv(&rx, &mut [0; 4], RecvFlags::DONTWAIT)),
        enotsock
    );
    assert_eq!(libc_name(&rx, false).err(), enotsock);
    assert_eq!(fe(socket::getsockname(&rx)), enotsock);
    assert_eq!(
        libc_getsockopt_int(&rx, libc::SOL_SOCKET, libc::SO_TYPE).err(),
        enotsock
    );
    assert_eq!(fe(socket::socket_type(&rx)), enotsock);
}

// ---------------------------------------------------------------------------------------------
// Binding and addresses.

#[test]
fn bind_to_port_0_gives_the_port_getsockname_and_libc_report() {
    let _g = serial();
    let s = tcp4(SocketFlags::CLOEXEC);
    socket::bind(&s, SocketAddrV4::new(SocketAddrV4::LOCALHOST, 0)).unwrap();
    let ours = socket::getsockname(&s).unwrap();
    let SocketAddr::V4(v4) = ours else {
        panic!("{ours:?}")
    };
    assert_eq!(v4.ip(), [127, 0, 0, 1]);
    assert_ne!(v4.port(), 0, "the kernel picks a port");
    assert_eq!(libc_name(&s, false), Ok(ours));
    // And the other way: bound by libc, named by freepoll.
    let t = libc_socket(libc::AF_INET, libc::SOCK_DGRAM, 0).unwrap();
    let any = c_in4(SocketAddrV4::new(SocketAddrV4::LOCALHOST, 0));
    libc_bind(&t, &any, size_of::<libc::sockaddr_in>()).unwrap();
    assert_eq!(
        socket::getsockname(&t),
        libc_name(&t, false).map_err(|_| Errno::INVAL)
    );
}

#[test]
fn bind_with_another_family_answers_as_libc() {
    let _g = serial();
    let v6 = SocketAddrV6::new(SocketAddrV6::LOCALHOST, 0, 0, 0);
    let v4 = SocketAddrV4::new(SocketAddrV4::LOCALHOST, 0);
    let unix = SocketAddrUnix::new_abstract(b"freepoll-wrong-family").unwrap();
    let (sun, sun_len) = c_un(b"\0freepoll-wrong-family");

    // An IPv4 socket given an IPv6 address: EAFNOSUPPORT (inet_bind).
    let ours = fp(socket::bind(tcp4(SocketFlags::CLOEXEC), v6));
    let theirs = libc_bind(
        libc_socket(libc::AF_INET, libc::SOCK_STREAM, 0).unwrap(),
        &c_in6(v6),
        size_of::<libc::sockaddr_in6>(),
    );
    assert_same("AF_INET socket, AF_INET6 address", &ours, &theirs);
    assert_eq!(ours, Err(libc::EAFNOSUPPORT));

    // A UNIX socket given an IPv4 address, and an IPv4 socket a UNIX one.
    let unix_sock = || {
        socket::socket(
            AddressFamily::UNIX,
            SocketType::STREAM,
            SocketFlags::CLOEXEC,
            Protocol::DEFAULT,
        )
        .unwrap()
    };
    let ours = fp(socket::bind(unix_sock(), v4));
    let theirs = libc_bind(
        libc_socket(libc::AF_UNIX, libc::SOCK_STREAM, 0).unwrap(),
        &c_in4(v4),
        size_of::<libc::sockaddr_in>(),
    );
    assert_same("AF_UNIX socket, AF_INET address", &ours, &theirs);
    let ours = fp(socket::bind(tcp4(SocketFlags::CLOEXEC), unix));
    let theirs = libc_bind(
        libc_socket(libc::AF_INET, libc::SOCK_STREAM, 0).unwrap(),
        &sun,
        sun_len as usize,
    );
    assert_same("AF_INET socket, AF_UNIX address", &ours, &theirs);

    // An IPv6 socket given an IPv4 address, where IPv6 exists.
    if let Ok(s6) = libc_socket(libc::AF_INET6, libc::SOCK_STREAM, 0) {
        let ours = fp(socket::bind(
            socket::socket(
                AddressFamily::INET6,
                SocketType::STREAM,
                SocketFlags::CLOEXEC,
                Protocol::DEFAULT,
            )
            .unwrap(),
            v4,
        ));
        let theirs = libc_bind(&s6, &c_in4(v4), size_of::<libc::sockaddr_in>());
        assert_same("AF_INET6 socket, AF_INET address", &ours, &theirs);
        assert_eq!(ours, Err(libc::EINVAL));
    }
}

#[test]
fn too_short_an_address_is_einval_from_the_kernel_and_never_sent_by_freepoll() {
    let _g = serial();
    // The kernel refuses a sockaddr_in cut short; freepoll always passes the whole structure,
    // so the same bind through it succeeds.
    let addr = SocketAddrV4::new(SocketAddrV4::LOCALHOST, 0);
    let s = libc_socket(libc::AF_INET, libc::SOCK_STREAM, 0).unwrap();
    assert_eq!(libc_bind(&s, &c_in4(addr), 8), Err(libc::EINVAL));
    assert_eq!(libc_connect(&s, &c_in4(addr), 8), Err(libc::EINVAL));
    assert_eq!(fp(socket::bind(&s, addr)), Ok(()));
    // Only the family: EINVAL for IPv4, an autobind for UNIX (freepoll's unnamed address).
    let (sun, _) = c_un(b"");
    assert_eq!(libc_bind(&s, &sun, 2), Err(libc::EINVAL));
}

#[test]
fn two_binds_without_reuseaddr_are_eaddrinuse_as_in_libc() {
    let _g = serial();
    let (_first, addr) = listener4(SocketFlags::CLOEXEC);
    let ours = fp(socket::bind(tcp4(SocketFlags::CLOEXEC), addr));
    let theirs = libc_bind(
        libc_socket(libc::AF_INET, libc::SOCK_STREAM, 0).unwrap(),
        &c_in4(addr),
        size_of::<libc::sockaddr_in>(),
    );
    assert_eq!(ours, Err(libc::EADDRINUSE));
    assert_eq!(theirs, Err(libc::EADDRINUSE));
}

#[test]
fn reuseport_lets_two_listeners_share_a_port() {
    let _g = serial();
    let first = tcp4(SocketFlags::CLOEXEC);
    socket::set_reuseport(&first, true).unwrap();
    socket::bind(&first, SocketAddrV4::new(SocketAddrV4::LOCALHOST, 0)).unwrap();
    socket::listen(&first, 4).unwrap();
    let addr = socket::getsockname(&first).unwrap();
    let second = tcp4(SocketFlags::CLOEXEC);
    socket::set_reuseport(&second, true).unwrap();
    assert_eq!(socket::bind(&second, addr), Ok(()));
    assert_eq!(socket::listen(&second, 4), Ok(()));
}

// ---------------------------------------------------------------------------------------------
// Connecting and accepting.

#[test]
fn connect_to_a_port_nobody_listens_on_is_econnrefused_as_in_libc() {
    let _g = serial();
    let (_holder, addr) = bound_not_listening();
    let ours = fp(socket::connect(tcp4(SocketFlags::CLOEXEC), addr));
    let theirs = libc_connect(
        libc_socket(libc::AF_INET, libc::SOCK_STREAM, 0).unwrap(),
        &c_in4(addr),
        size_of::<libc::sockaddr_in>(),
    );
    assert_eq!(ours, Err(libc::ECONNREFUSED));
    assert_eq!(theirs, Err(libc::ECONNREFUSED));
}

#[test]
fn nonblocking_connect_is_einprogress_and_completes_through_so_error() {
    let _g = serial();
    let (listener, addr) = listener4(SocketFlags::CLOEXEC);
    let ours = tcp4(NB_CLOEXEC);
    assert_eq!(socket::connect(&ours, addr), Err(Errno::INPROGRESS));
    let theirs = libc_socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0).unwrap();
    let rc = libc_connect(&theirs, &c_in4(addr), size_of::<libc::sockaddr_in>());
    assert_eq!(rc, Err(libc::EINPROGRESS));
    wait_writable(&ours);
    wait_writable(&theirs);
    assert_eq!(socket::take_error(&ours), Ok(None));
    assert_eq!(
        libc_getsockopt_int(&theirs, libc::SOL_SOCKET, libc::SO_ERROR),
        Ok(0)
    );
    // The next connect reports the outcome (0: connected), and the one after EISCONN.
    let sin = c_in4(addr);
    let len = size_of::<libc::sockaddr_in>();
    assert_eq!(socket::connect(&ours, addr), Ok(()));
    assert_eq!(libc_connect(&theirs, &sin, len), Ok(0));
    assert_eq!(socket::connect(&ours, addr), Err(Errno::ISCONN));
    assert_eq!(libc_connect(&theirs, &sin, len), Err(libc::EISCONN));
    // The peer address, both ways.
    assert_eq!(socket::getpeername(&ours), Ok(SocketAddr::V4(addr)));
    assert_eq!(libc_name(&ours, true), Ok(SocketAddr::V4(addr)));
    drop(listener);
}

#[test]
fn nonblocking_connect_refused_is_reported_once_by_so_error() {
    let _g = serial();
    let (_holder, addr) = bound_not_listening();
    let ours = tcp4(NB_CLOEXEC);
    let theirs = libc_socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_NONBLOCK, 0).unwrap();
    assert_eq!(socket::connect(&ours, addr), Err(Errno::INPROGRESS));
    let rc = libc_connect(&theirs, &c_in4(addr), size_of::<libc::sockaddr_in>());
    assert_eq!(rc, Err(libc::EINPROGRESS));
    wait_writable(&ours);
    wait_writable(&theirs);
    assert_eq!(socket::take_error(&ours), Ok(Some(Errno::CONNREFUSED)));
    assert_eq!(
        libc_getsockopt_int(&theirs, libc::SOL_SOCKET, libc::SO_ERROR),
        Ok(libc::ECONNREFUSED)
    );
    // Reading it cleared it.
    assert_eq!(socket::take_error(&ours), Ok(None));
    assert_eq!(
        libc_getsockopt_int(&theirs, libc::SOL_SOCKET, libc::SO_ERROR),
        Ok(0)
    );
}

#[test]
fn accept4_honours_nonblock_and_cloexec_and_names_the_peer() {
    let _g = serial();
    let (listener, addr) = listener4(SocketFlags::CLOEXEC);
    for flags in [
        SocketFlags::empty(),
        SocketFlags::NONBLOCK,
        SocketFlags::CLOEXEC,
        NB_CLOEXEC,
    ] {
        let client =
            std::net::TcpStream::connect(std::net::SocketAddr::from((addr.ip(), addr.port())))
                .unwrap();
        let (conn, peer) = socket::accept4(&listener, flags).unwrap();
        let want = (
            flags.contains(SocketFlags::NONBLOCK),
            flags.contains(SocketFlags::CLOEXEC),
        );
        assert_eq!(fd_flags(&conn), want, "{flags:?}");
        assert_eq!(Ok(peer), libc_name(std_fd(&client), false), "{flags:?}");
        assert_eq!(Ok(peer), libc_name(&conn, true), "{flags:?}");
    }
}

#[test]
fn accept4_with_nothing_waiting_is_eagain_and_with_a_bad_flag_einval_as_in_libc() {
    let _g = serial();
    let (listener, _) = listener4(NB_CLOEXEC);
    let null = std::ptr::null_mut();
    let fd = listener.as_raw_fd();
    // SAFETY: NULL address and length: the kernel writes no address.
    let theirs = lc(unsafe { libc::accept4(fd, null, null as _, 0) } as i64);
    assert_eq!(theirs, Err(libc::EAGAIN));
    assert_eq!(
        fe(socket::accept4(&listener, SocketFlags::empty())),
        Some(libc::EAGAIN)
    );
    let bad = SocketFlags::from_bits_retain(1 << 20);
    // SAFETY: as above.
    let theirs = lc(unsafe { libc::accept4(fd, null, null as _, 1 << 20) } as i64);
    assert_eq!(fe(socket::accept4(&listener, bad)), theirs.err());
    if emulated() && theirs == Err(libc::EAGAIN) {
        // qemu-user translates accept4's flags and drops the bits it does not know.
        emulator_note(format_args!(
            "accept4 with an unknown flag bit: EAGAIN (the bit dropped), EINVAL on a kernel"
        ));
    } else {
        assert_eq!(theirs, Err(libc::EINVAL));
    }
    // Not listening.
    let s = tcp4(SocketFlags::CLOEXEC);
    assert_eq!(
        fe(socket::accept4(&s, SocketFlags::empty())),
        Some(libc::EINVAL)
    );
}

#[test]
fn getpeername_of_an_unconnected_socket_is_enotconn_as_in_libc() {
    let _g = serial();
    let s = tcp4(SocketFlags::CLOEXEC);
    assert_eq!(fp(socket::getpeername(&s)), Err(libc::ENOTCONN));
    assert_eq!(libc_name(&s, true), Err(libc::ENOTCONN));
}

#[test]
fn ipv6_loopback_connects_and_names_both_ends() {
    let _g = serial();
    let s = match socket::socket(
        AddressFamily::INET6,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        Protocol::DEFAULT,
    ) {
        Err(Errno::AFNOSUPPORT) => {
            skip(format_args!("IPv6: socket(AF_INET6) is EAFNOSUPPORT here"));
            return;
        }
        r => r.unwrap(),
    };
    socket::set_ipv6_v6only(&s, true).unwrap();
    assert_eq!(socket::ipv6_v6only(&s), Ok(true));
    match socket::bind(&s, SocketAddrV6::new(SocketAddrV6::LOCALHOST, 0, 0, 0)) {
        Err(Errno::ADDRNOTAVAIL) => {
            skip(format_args!(
                "IPv6: ::1 is not configured here (EADDRNOTAVAIL)"
            ));
            return;
        }
        r => r.unwrap(),
    }
    socket::listen(&s, 4).unwrap();
    let local = socket::getsockname(&s).unwrap();
    assert_eq!(libc_name(&s, false), Ok(local));
    let SocketAddr::V6(v6) = local else {
        panic!("{local:?}")
    };
    assert_eq!(
        (v6.ip(), v6.flowinfo(), v6.scope_id()),
        (SocketAddrV6::LOCALHOST, 0, 0)
    );
    assert_ne!(v6.port(), 0);

    let client = socket::socket(
        AddressFamily::INET6,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        Protocol::DEFAULT,
    )
    .unwrap();
    socket::connect(&client, v6).unwrap();
    let (conn, peer) = socket::accept4(&s, SocketFlags::CLOEXEC).unwrap();
    assert_eq!(Ok(peer), libc_name(&client, false));
    assert_eq!(socket::getpeername(&client), Ok(local));
    assert_eq!(socket::send(&conn, b"six", SendFlags::NOSIGNAL), Ok(3));
    let mut buf = [0u8; 8];
    assert_eq!(
        socket::recv(&client, &mut buf[..3], RecvFlags::WAITALL),
        Ok(3)
    );
}

// ---------------------------------------------------------------------------------------------
// UNIX sockets.

#[test]
fn unix_path_socket_binds_accepts_and_names_itself_as_libc_reads_it() {
    let _g = serial();
    let path = TempPath::new("path");
    let addr = SocketAddrUnix::new(path.bytes()).unwrap();
    let l = socket::socket(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        Protocol::DEFAULT,
    )
    .unwrap();
    socket::bind(&l, addr).unwrap();
    socket::listen(&l, 4).unwrap();
    assert_eq!(socket::getsockname(&l), Ok(SocketAddr::Unix(addr)));
    assert_eq!(libc_name(&l, false), Ok(SocketAddr::Unix(addr)));
    assert_eq!(addr.path(), Some(path.bytes()));

    let c = libc_socket(libc::AF_UNIX, libc::SOCK_STREAM, 0).unwrap();
    let (sun, len) = c_un(path.bytes());
    libc_connect(&c, &sun, len as usize).unwrap();
    let (conn, peer) = socket::accept4(&l, SocketFlags::CLOEXEC).unwrap();
    // The client never bound: unnamed.
    assert!(
        matches!(peer, SocketAddr::Unix(u) if u.is_unnamed()),
        "{peer:?}"
    );
    assert_eq!(socket::getpeername(&c), Ok(SocketAddr::Unix(addr)));
    // Binding the same path again: the file exists.
    let again = fp(socket::bind(
        socket::socket(
            AddressFamily::UNIX,
            SocketType::STREAM,
            SocketFlags::CLOEXEC,
            Protocol::DEFAULT,
        )
        .unwrap(),
        addr,
    ));
    let theirs = libc_bind(
        libc_socket(libc::AF_UNIX, libc::SOCK_STREAM, 0).unwrap(),
        &sun,
        len as usize,
    );
    assert_eq!(again, Err(libc::EADDRINUSE));
    assert_eq!(theirs, Err(libc::EADDRINUSE));
    drop(conn);
}

#[test]
fn unix_path_of_108_bytes_fills_sun_path_and_comes_back_whole() {
    let _g = serial();
    // Linux takes a path with no room for a terminating NUL, and reports a length past
    // sun_path (2 + 108 + 1); freepoll decodes the whole path.
    let dir = std::env::temp_dir();
    let stem = format!("{}/freepoll-{}-", dir.display(), std::process::id());
    let mut name = stem.into_bytes();
    name.resize(108, b'x');
    let path = std::path::PathBuf::from(String::from_utf8(name.clone()).unwrap());
    let _ = std::fs::remove_file(&path);
    let addr = SocketAddrUnix::new(&name).unwrap();
    let s = socket::socket(
        AddressFamily::UNIX,
        SocketType::DGRAM,
        SocketFlags::CLOEXEC,
        Protocol::DEFAULT,
    )
    .unwrap();
    let bound = socket::bind(&s, addr);
    let got = socket::getsockname(&s);
    let theirs = libc_name(&s, false);
    let _ = std::fs::remove_file(&path);
    bound.unwrap();
    assert_eq!(got, Ok(SocketAddr::Unix(addr)));
    assert_eq!(theirs, Ok(SocketAddr::Unix(addr)));
}

#[test]
fn unix_names_that_do_not_fit_or_hold_a_nul_are_refused_never_cut() {
    let _g = serial();
    let long = vec![b'a'; 109];
    assert_eq!(
        SocketAddrUnix::new(&long).map(drop),
        Err(Errno::NAMETOOLONG)
    );
    assert_eq!(
        SocketAddrUnix::new_abstract(&long[..108]).map(drop),
        Err(Errno::NAMETOOLONG)
    );
    assert!(SocketAddrUnix::new_abstract(&long[..107]).is_ok());
    assert_eq!(SocketAddrUnix::new(b"a\0b").map(drop), Err(Errno::INVAL));
    assert_eq!(SocketAddrUnix::new(b"").map(drop), Err(Errno::INVAL));
    // What the kernel says to a 109-byte path (through libc, which passes it as given).
    let s = libc_socket(libc::AF_UNIX, libc::SOCK_STREAM, 0).unwrap();
    // SAFETY: sockaddr_storage is plain data; all zeroes is a valid value.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    ss.ss_family = libc::AF_UNIX as libc::sa_family_t;
    // SAFETY: the storage has 128 bytes; 2 + 109 are written.
    unsafe {
        let p = (&mut ss as *mut libc::sockaddr_storage as *mut u8).add(2);
        std::ptr::copy_nonoverlapping(long.as_ptr(), p, 109);
    }
    assert_eq!(libc_bind(&s, &ss, 2 + 109), Err(libc::EINVAL));
}

#[test]
fn unix_abstract_socket_binds_and_names_itself_as_libc_reads_it() {
    let _g = serial();
    let name = format!("freepoll-abstract-{}", std::process::id());
    let addr = SocketAddrUnix::new_abstract(name.as_bytes()).unwrap();
    assert_eq!(addr.abstract_name(), Some(name.as_bytes()));
    let l = socket::socket(
        AddressFamily::UNIX,
        SocketType::SEQPACKET,
        SocketFlags::CLOEXEC,
        Protocol::DEFAULT,
    )
    .unwrap();
    socket::bind(&l, addr).unwrap();
    socket::listen(&l, 4).unwrap();
    assert_eq!(socket::getsockname(&l), Ok(SocketAddr::Unix(addr)));
    assert_eq!(libc_name(&l, false), Ok(SocketAddr::Unix(addr)));
    let c = socket::socket(
        AddressFamily::UNIX,
        SocketType::SEQPACKET,
        SocketFlags::CLOEXEC,
        Protocol::DEFAULT,
    )
    .unwrap();
    socket::connect(&c, addr).unwrap();
    let (conn, _) = socket::accept4(&l, SocketFlags::CLOEXEC).unwrap();
    assert_eq!(
        socket::send(&c, b"record", SendFlags::EOR | SendFlags::NOSIGNAL),
        Ok(6)
    );
    let mut buf = [0u8; 3];
    // A record longer than the buffer: TRUNC gives its whole length.
    assert_eq!(socket::recv(&conn, &mut buf, RecvFlags::TRUNC), Ok(6));
    assert_eq!(&buf, b"rec");
}

#[test]
fn unix_bind_to_the_unnamed_address_autobinds_an_abstract_name() {
    let _g = serial();
    let s = socket::socket(
        AddressFamily::UNIX,
        SocketType::DGRAM,
        SocketFlags::CLOEXEC,
        Protocol::DEFAULT,
    )
    .unwrap();
    socket::bind(&s, SocketAddrUnix::unnamed()).unwrap();
    let got = socket::getsockname(&s).unwrap();
    assert_eq!(libc_name(&s, false), Ok(got));
    let SocketAddr::Unix(u) = got else {
        panic!("{got:?}")
    };
    // Five hex digits (net/unix/af_unix.c, unix_autobind).
    let name = u.abstract_name().expect("an abstract name");
    assert_eq!(name.len(), 5, "{got:?}");
    assert!(name.iter().all(u8::is_ascii_hexdigit), "{got:?}");
}

#[test]
fn peercred_names_this_process_as_libc_reads_it() {
    let _g = serial();
    let (a, _b) = socket::socketpair(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        Protocol::DEFAULT,
    )
    .unwrap();
    let cred = socket::peercred(&a).unwrap();
    // SAFETY: getpid, getuid and getgid take nothing and cannot fail.
    let me = unsafe { (libc::getpid(), libc::geteuid(), libc::getegid()) };
    assert_eq!((cred.pid, cred.uid, cred.gid), me);
    assert_eq!(libc_peercred(&a), Ok(me));
    // A socket with no peer credentials (TCP): pid 0 and the IDs -1, both ways.
    let t = tcp4(SocketFlags::CLOEXEC);
    let none = socket::Ucred {
        pid: 0,
        uid: u32::MAX,
        gid: u32::MAX,
    };
    assert_eq!(socket::peercred(&t), Ok(none));
    assert_eq!(libc_peercred(&t), Ok((0, u32::MAX, u32::MAX)));
}

// ---------------------------------------------------------------------------------------------
// Data.

#[test]
fn send_with_nosignal_to_a_closed_peer_is_epipe_without_sigpipe() {
    let _g = serial();
    count_signals(libc::SIGPIPE);
    let before = signals_seen(libc::SIGPIPE);
    let (a, b) = socket::socketpair(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::CLOEXEC,
        Protocol::DEFAULT,
    )
    .unwrap();
    drop(b);
    assert_eq!(
        socket::send(&a, b"x", SendFlags::NOSIGNAL),
        Err(Errno::PIPE)
    );
    // The handler would have run by the time the call returned (the kernel queues SIGPIPE to
    // the sending thread, which takes it on the way out); one more call to be sure under an
    // emulator, which delivers it at its next stop.
    let _ = socket::take_error(&a);
    assert_eq!(
        signals_seen(libc::SIGPIPE),
        before,
        "SIGPIPE with MSG_NOSIGNAL"
    );
    // Without the flag: EPIPE and SIGPIPE, which the test sees.
    assert_eq!(socket::send(&a, b"x", SendFlags::empty()), Err(Errno::PIPE));
    let _ = socket::take_error(&a);
    assert_eq!(
        signals_seen(libc::SIGPIPE),
        before + 1,
        "SIGPIPE without it"
    );
}

#[test]
fn shutdown_write_gives_the_peer_end_of_file_and_here_epipe() {
    let _g = serial();
    let (a, b) = socket::socketpair(
        AddressFamily::UNIX,
        SocketType::STREAM,
        NB_CLOEXEC,
        Protocol::DEFAULT,
    )
    .unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(
        socket::recv(&b, &mut buf, RecvFlags::empty()),
        Err(Errno::AGAIN)
    );
    socket::shutdown(&a, Shutdown::Write).unwrap();
    assert_eq!(socket::recv(&b, &mut buf, RecvFlags::empty()), Ok(0));
    assert_eq!(
        socket::send(&a, b"x", SendFlags::NOSIGNAL),
        Err(Errno::PIPE)
    );
    // The other direction still works.
    assert_eq!(socket::send(&b, b"back", SendFlags::NOSIGNAL), Ok(4));
    assert_eq!(socket::recv(&a, &mut buf, RecvFlags::empty()), Ok(4));
    socket::shutdown(&a, Shutdown::Read).unwrap();
    socket::shutdown(&a, Shutdown::Both).unwrap();
    // An unconnected TCP socket: ENOTCONN both ways.
    let t = tcp4(SocketFlags::CLOEXEC);
    assert_eq!(
        fp(socket::shutdown(&t, Shutdown::Both)),
        Err(libc::ENOTCONN)
    );
    // SAFETY: shutdown takes integers only.
    let theirs = lc(unsafe { libc::shutdown(t.as_raw_fd(), libc::SHUT_RDWR) } as i64);
    assert_eq!(theirs, Err(libc::ENOTCONN));
}

#[test]
fn udp_sendto_and_recvfrom_carry_the_addresses_libc_reports() {
    let _g = serial();
    let udp = || {
        let s = socket::socket(
            AddressFamily::INET,
            SocketType::DGRAM,
            NB_CLOEXEC,
            Protocol::UDP,
        )
        .unwrap();
        socket::bind(&s, SocketAddrV4::new(SocketAddrV4::LOCALHOST, 0)).unwrap();
        s
    };
    let (a, b) = (udp(), udp());
    let b_addr = socket::getsockname(&b).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(
        socket::recvfrom(&b, &mut buf, RecvFlags::empty()),
        Err(Errno::AGAIN)
    );
    assert_eq!(
        socket::sendto(&a, b"datagram", SendFlags::empty(), b_addr),
        Ok(8)
    );
    // Loopback delivers within the call: the datagram is queued when sendto returns.
    let (n, from) = socket::recvfrom(&b, &mut buf, RecvFlags::PEEK).unwrap();
    assert_eq!((n, from), (8, Some(libc_name(&a, false).unwrap())));
    // Too small a buffer, with TRUNC: the real length; the datagram is then gone.
    let mut small = [0u8; 4];
    assert_eq!(
        socket::recvfrom(&b, &mut small, RecvFlags::TRUNC).map(|r| r.0),
        Ok(8)
    );
    assert_eq!(&small, b"data");
    assert_eq!(
        socket::recv(&b, &mut buf, RecvFlags::DONTWAIT),
        Err(Errno::AGAIN)
    );
    // Connected: send and recv.
    socket::connect(&a, b_addr).unwrap();
    assert_eq!(socket::send(&a, b"again", SendFlags::empty()), Ok(5));
    assert_eq!(socket::recv(&b, &mut buf, RecvFlags::empty()), Ok(5));
    assert_eq!(&buf[..5], b"again");
}

#[test]
fn recvfrom_on_a_tcp_stream_reports_no_address() {
    let _g = serial();
    let (l, addr) = listener4(SocketFlags::CLOEXEC);
    let c = tcp4(SocketFlags::CLOEXEC);
    socket::connect(&c, addr).unwrap();
    let (conn, _) = socket::accept4(&l, SocketFlags::CLOEXEC).unwrap();
    socket::send(&c, b"hi", SendFlags::NOSIGNAL).unwrap();
    // WAITALL: both bytes, whatever the segments; TCP reports no sender.
    let mut buf = [0u8; 2];
    assert_eq!(
        socket::recvfrom(&conn, &mut buf, RecvFlags::WAITALL),
        Ok((2, None))
    );
}

// ---------------------------------------------------------------------------------------------
// Options.

#[test]
fn boolean_options_round_trip_as_libc_reads_them() {
    let _g = serial();
    let s = tcp4(SocketFlags::CLOEXEC);
    type Set = fn(BorrowedFd<'_>, bool) -> freepoll::Result<()>;
    type Get = fn(BorrowedFd<'_>) -> freepoll::Result<bool>;
    let options: [(&str, Set, Get, i32, i32); 4] = [
        (
            "SO_REUSEADDR",
            |f, v| socket::set_reuseaddr(f, v),
            |f| socket::reuseaddr(f),
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
        ),
        (
            "SO_REUSEPORT",
            |f, v| socket::set_reuseport(f, v),
            |f| socket::reuseport(f),
            libc::SOL_SOCKET,
            libc::SO_REUSEPORT,
        ),
        (
            "SO_KEEPALIVE",
            |f, v| socket::set_keepalive(f, v),
            |f| socket::keepalive(f),
            libc::SOL_SOCKET,
            libc::SO_KEEPALIVE,
        ),
        (
            "TCP_NODELAY",
            |f, v| socket::set_tcp_nodelay(f, v),
            |f| socket::tcp_nodelay(f),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
        ),
    ];
    for (name, set, get, level, opt) in options {
        for on in [true, false, true] {
            set(s.as_fd(), on).unwrap();
            assert_eq!(get(s.as_fd()), Ok(on), "{name}");
            assert_eq!(
                libc_getsockopt_int(&s, level, opt).map(|v| v != 0),
                Ok(on),
                "{name}"
            );
        }
        // Set by libc, read by freepoll.
        libc_setsockopt_int(&s, level, opt, 0).unwrap();
        assert_eq!(get(s.as_fd()), Ok(false), "{name}");
    }
    // SO_PASSCRED, on a UNIX socket (recent kernels refuse it on TCP with EOPNOTSUPP).
    let (u, _) = socketpair();
    for on in [true, false] {
        socket::set_passcred(&u, on).unwrap();
        assert_eq!(socket::passcred(&u), Ok(on));
        let theirs = libc_getsockopt_int(&u, libc::SOL_SOCKET, libc::SO_PASSCRED);
        assert_eq!(theirs.map(|v| v != 0), Ok(on));
    }
    // TCP_NODELAY on a UNIX socket: what the kernel says, both ways.
    let ours = fp(socket::set_tcp_nodelay(&u, true));
    let theirs = libc_setsockopt_int(&u, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1);
    assert_same("TCP_NODELAY on AF_UNIX", &ours, &theirs);
    assert!(ours.is_err());
    // IPV6_V6ONLY on an IPv4 socket.
    let ours = fp(socket::ipv6_v6only(&s));
    let theirs = libc_getsockopt_int(&s, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY);
    assert_same("IPV6_V6ONLY on AF_INET", &ours, &theirs);
}

#[test]
fn buffer_sizes_read_back_doubled_as_the_kernel_sets_them() {
    let _g = serial();
    let s = tcp4(SocketFlags::CLOEXEC);
    socket::set_rcvbuf(&s, 65536).unwrap();
    assert_eq!(socket::rcvbuf(&s), Ok(131072));
    assert_eq!(
        libc_getsockopt_int(&s, libc::SOL_SOCKET, libc::SO_RCVBUF),
        Ok(131072)
    );
    socket::set_sndbuf(&s, 32768).unwrap();
    assert_eq!(socket::sndbuf(&s), Ok(65536));
    assert_eq!(
        libc_getsockopt_int(&s, libc::SOL_SOCKET, libc::SO_SNDBUF),
        Ok(65536)
    );
    // Set by libc, read by freepoll.
    libc_setsockopt_int(&s, libc::SOL_SOCKET, libc::SO_RCVBUF, 40000).unwrap();
    assert_eq!(socket::rcvbuf(&s), Ok(80000));
    // Above the kernel's int: refused before the call.
    assert_eq!(socket::set_rcvbuf(&s, 1 << 31), Err(Errno::INVAL));
    assert_eq!(socket::set_sndbuf_force(&s, usize::MAX), Err(Errno::INVAL));
    // The low-water marks.
    socket::set_rcvlowat(&s, 100).unwrap();
    assert_eq!(socket::rcvlowat(&s), Ok(100));
    assert_eq!(
        libc_getsockopt_int(&s, libc::SOL_SOCKET, libc::SO_RCVLOWAT),
        Ok(100)
    );
    // SO_SNDLOWAT: 1, fixed, on every kernel.
    let sndlowat = socket::sndlowat(&s);
    let theirs = libc_getsockopt_int(&s, libc::SOL_SOCKET, libc::SO_SNDLOWAT);
    assert_eq!(
        sndlowat,
        theirs.map(|v| v as usize).map_err(|_| Errno::INVAL)
    );
    if emulated() && sndlowat != Ok(1) {
        // qemu-user for powerpc answers 0 (seen with 7.2).
        emulator_note(format_args!(
            "SO_SNDLOWAT reads {sndlowat:?}, 1 on a kernel"
        ));
    } else {
        assert_eq!(sndlowat, Ok(1));
    }
}

#[test]
fn forced_buffer_sizes_answer_as_libc() {
    let _g = serial();
    // Past net.core.[rw]mem_max with CAP_NET_ADMIN, EPERM without: whichever this process
    // has, the same answer both ways.
    let (ours, theirs) = (tcp4(SocketFlags::CLOEXEC), tcp4(SocketFlags::CLOEXEC));
    let size = 4 << 20;
    let a = fp(socket::set_rcvbuf_force(&ours, size));
    let b = libc_setsockopt_int(&theirs, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, size as i32);
    assert_same("SO_RCVBUFFORCE", &a, &b);
    assert_eq!(
        fp(socket::rcvbuf(&ours)),
        libc_getsockopt_int(&theirs, libc::SOL_SOCKET, libc::SO_RCVBUF).map(|v| v as usize)
    );
    if a.is_ok() {
        assert_eq!(socket::rcvbuf(&ours), Ok(2 * size));
    }
    let a = fp(socket::set_sndbuf_force(&ours, size));
    let b = libc_setsockopt_int(&theirs, libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, size as i32);
    assert_same("SO_SNDBUFFORCE", &a, &b);
    if a.is_ok() {
        assert_eq!(socket::sndbuf(&ours), Ok(2 * size));
    }
}

#[test]
fn take_error_of_a_healthy_socket_is_none() {
    let _g = serial();
    let s = tcp4(SocketFlags::CLOEXEC);
    assert_eq!(socket::take_error(&s), Ok(None));
    assert_eq!(
        libc_getsockopt_int(&s, libc::SOL_SOCKET, libc::SO_ERROR),
        Ok(0)
    );
}

// ---------------------------------------------------------------------------------------------
// Netlink.

#[test]
fn netlink_uevent_socket_binds_to_group_1_and_names_itself() {
    let _g = serial();
    let s = socket::socket(
        AddressFamily::NETLINK,
        SocketType::DGRAM,
        SocketFlags::CLOEXEC,
        Protocol::NETLINK_KOBJECT_UEVENT,
    )
    .unwrap();
    socket::bind(&s, SocketAddrNetlink::new(0, 1)).unwrap();
    let got = socket::getsockname(&s).unwrap();
    assert_eq!(libc_name(&s, false), Ok(got));
    let SocketAddr::Netlink(nl) = got else {
        panic!("{got:?}")
    };
    assert_eq!(nl.groups(), 1);
    assert_ne!(nl.pid(), 0, "the kernel assigns a port ID at bind");
}

// ---------------------------------------------------------------------------------------------
// std's addresses.

#[cfg(feature = "std")]
#[test]
fn std_addresses_convert_both_ways() {
    use std::net;
    let v4: net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
    let ours = SocketAddr::from(v4);
    assert_eq!(
        ours,
        SocketAddr::V4(SocketAddrV4::new([127, 0, 0, 1], 8080))
    );
    assert_eq!(net::SocketAddr::try_from(ours), Ok(v4));
    let v6 = net::SocketAddr::V6(net::SocketAddrV6::new(net::Ipv6Addr::LOCALHOST, 9, 7, 3));
    let ours = SocketAddr::from(v6);
    assert_eq!(
        ours,
        SocketAddr::V6(SocketAddrV6::new(SocketAddrV6::LOCALHOST, 9, 7, 3))
    );
    assert_eq!(net::SocketAddr::try_from(ours), Ok(v6));
    let unix = SocketAddr::Unix(SocketAddrUnix::unnamed());
    assert_eq!(net::SocketAddr::try_from(unix), Err(Errno::AFNOSUPPORT));
    // std's listener, freepoll's name for it.
    let l = net::TcpListener::bind("127.0.0.1:0").unwrap();
    assert_eq!(socket::getsockname(&l), Ok(l.local_addr().unwrap().into()));
}

// ---------------------------------------------------------------------------------------------
// Load.

/// The descriptors this process has open, from /proc/self/fd.
fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// How many clients connect at once.
const CLIENTS: usize = 200;

/// The server of the load test, made of freepoll's calls only: a non-blocking listener in an
/// epoll loop; each connection accepted non-blocking, registered for OUT|ET, greeted once with
/// "hello\n", unregistered and closed. Returns how many it greeted.
fn greet(listener: OwnedFd, count: usize, deadline: Instant) -> Result<usize, String> {
    let ep = epoll::epoll_create(CreateFlags::CLOEXEC).map_err(|e| e.to_string())?;
    epoll::epoll_add(&ep, &listener, 0, EventFlags::IN).map_err(|e| e.to_string())?;
    let mut conns: Vec<Option<OwnedFd>> = Vec::new();
    let mut greeted = 0;
    let mut buf = vec![MaybeUninit::uninit(); 64];
    while greeted < count {
        if Instant::now() > deadline {
            return Err(format!("greeted {greeted} of {count} before the deadline"));
        }
        let mut events = epoll::EventVec::new(&mut buf);
        epoll::epoll_wait(&ep, &mut events, 100).map_err(|e| e.to_string())?;
        for (_, data) in &events {
            if data == 0 {
                loop {
                    match socket::accept4(&listener, NB_CLOEXEC) {
                        Ok((conn, _)) => {
                            conns.push(Some(conn));
                            let id = conns.len() as u64;
                            let conn = conns.last().unwrap().as_ref().unwrap();
                            epoll::epoll_add(&ep, conn, id, EventFlags::OUT | EventFlags::ET)
                                .map_err(|e| e.to_string())?;
                        }
                        Err(Errno::AGAIN) => break,
                        Err(e) => return Err(format!("accept4: {e}")),
                    }
                }
            } else {
                let conn = conns[data as usize - 1]
                    .take()
                    .ok_or("event for a closed one")?;
                let sent = socket::send(&conn, b"hello\n", SendFlags::NOSIGNAL);
                if sent != Ok(6) {
                    return Err(format!("send: {sent:?}"));
                }
                epoll::epoll_del(&ep, &conn).map_err(|e| e.to_string())?;
                greeted += 1;
            }
        }
    }
    Ok(greeted)
}

#[test]
fn two_hundred_clients_at_once_each_get_hello_and_nothing_leaks() {
    let _g = serial();
    let before = open_descriptors();
    let timeout = if emulated() { 120 } else { 30 };
    let deadline = Instant::now() + Duration::from_secs(timeout);
    let (listener, addr) = listener4(NB_CLOEXEC);
    socket::listen(&listener, CLIENTS as i32 + 56).unwrap();
    let server = std::thread::spawn(move || greet(listener, CLIENTS, deadline));
    let target = std::net::SocketAddr::from((addr.ip(), addr.port()));
    let mut clients = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        let c = std::net::TcpStream::connect(target).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(timeout)))
            .unwrap();
        clients.push(c);
    }
    for (i, mut c) in clients.into_iter().enumerate() {
        let mut got = Vec::new();
        c.read_to_end(&mut got)
            .unwrap_or_else(|e| panic!("client {i}: {e}"));
        assert_eq!(got, b"hello\n", "client {i}");
    }
    assert_eq!(server.join().unwrap(), Ok(CLIENTS));
    assert_eq!(open_descriptors(), before, "descriptors leaked");
}
