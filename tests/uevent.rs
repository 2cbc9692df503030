//! Kernel uevents: the parser on hand-built datagrams (the kernel's format, libudev's, and
//! malformed ones), the socket's flags and address as libc reads them back, and a real uevent
//! triggered through sysfs and seen within a bounded wait.

mod common;

use freepoll::epoll::{epoll_add, EventFlags};
use freepoll::fd::{AsRawFd, OwnedFd};
use freepoll::uevent::{open_uevent_socket, ParseError, Uevent, KERNEL_GROUP, MAX_UEVENT_SIZE};
use freepoll::Errno;
use std::time::{Duration, Instant};

const NULL_ADD: &[u8] = b"add@/devices/virtual/mem/null\0ACTION=add\0\
    DEVPATH=/devices/virtual/mem/null\0SUBSYSTEM=mem\0SYNTH_UUID=0\0MAJOR=1\0MINOR=3\0\
    DEVNAME=null\0DEVMODE=0666\0SEQNUM=4242\0";

#[test]
fn kernel_datagram_parses_into_header_and_fields() {
    let ev = Uevent::parse(NULL_ADD).unwrap();
    assert_eq!(ev.action(), b"add");
    assert_eq!(ev.devpath(), b"/devices/virtual/mem/null");
    let fields: Vec<(&[u8], &[u8])> = ev.fields().collect();
    assert_eq!(
        fields,
        vec![
            (&b"ACTION"[..], &b"add"[..]),
            (b"DEVPATH", b"/devices/virtual/mem/null"),
            (b"SUBSYSTEM", b"mem"),
            (b"SYNTH_UUID", b"0"),
            (b"MAJOR", b"1"),
            (b"MINOR", b"3"),
            (b"DEVNAME", b"null"),
            (b"DEVMODE", b"0666"),
            (b"SEQNUM", b"4242"),
        ]
    );
    assert_eq!(ev.get(b"SEQNUM"), Some(&b"4242"[..]));
    assert_eq!(ev.get(b"DRIVER"), None);
    assert_eq!(ev.get(b""), None);
}

#[test]
fn header_alone_has_no_fields() {
    let ev = Uevent::parse(b"remove@/devices/x\0").unwrap();
    assert_eq!(
        (ev.action(), ev.devpath()),
        (&b"remove"[..], &b"/devices/x"[..])
    );
    assert_eq!(ev.fields().count(), 0);
}

#[test]
fn value_keeps_everything_after_the_first_equals_sign() {
    let ev = Uevent::parse(b"change@/d\0MODALIAS=a=b=c\0EMPTY=\0KEY=1\0KEY=2\0").unwrap();
    assert_eq!(ev.get(b"MODALIAS"), Some(&b"a=b=c"[..]));
    assert_eq!(ev.get(b"EMPTY"), Some(&b""[..]));
    assert_eq!(ev.get(b"KEY"), Some(&b"1"[..]), "the first of two");
}

#[test]
fn libudev_messages_are_recognised() {
    // libudev's header: "libudev\0", the magic 0xfeedcafe in network byte order, sizes...
    let mut msg = b"libudev\0".to_vec();
    msg.extend_from_slice(&0xfeed_cafeu32.to_be_bytes());
    msg.extend_from_slice(&[0; 32]);
    msg.extend_from_slice(b"ACTION=add\0DEVPATH=/devices/x\0");
    assert_eq!(Uevent::parse(&msg), Err(ParseError::Libudev));
    assert_eq!(Uevent::parse(b"libudev\0"), Err(ParseError::Libudev));
}

#[test]
fn malformed_datagrams_are_refused() {
    let cases: &[(&str, &[u8])] = &[
        ("empty", b""),
        ("no NUL", b"add@/devices/x"),
        ("no @", b"add/devices/x\0A=b\0"),
        ("empty action", b"@/devices/x\0"),
        ("empty devpath", b"add@\0"),
        ("field without =", b"add@/d\0ACTION\0"),
        ("empty key", b"add@/d\0=value\0"),
        ("last field without NUL", b"add@/d\0ACTION=add\0SEQNUM=1"),
        ("empty field", b"add@/d\0ACTION=add\0\0"),
        ("libudev without its NUL", b"libudev"),
    ];
    for &(what, msg) in cases {
        assert_eq!(Uevent::parse(msg), Err(ParseError::Malformed), "{what}");
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let alphabet = b"\0\0\0==@@@abcAB/";
    for len in 0..64usize {
        for _ in 0..200 {
            let msg: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            if let Ok(ev) = Uevent::parse(&msg) {
                assert!(!ev.action().is_empty() && !ev.devpath().is_empty());
                for (k, v) in ev.fields() {
                    assert!(!k.is_empty() && k.len() + v.len() < msg.len());
                    assert!(!k.contains(&0) && !v.contains(&0) && !k.contains(&b'='));
                }
            }
        }
    }
}

/// The uevent socket, or None (reported) where the emulator cannot make one.
fn socket_or_skip() -> Option<OwnedFd> {
    match open_uevent_socket() {
        Ok(fd) => Some(fd),
        Err(e) if common::emulated() => {
            common::emulator_note(format_args!(
                "NETLINK_KOBJECT_UEVENT socket: {e:?} (not emulated by this qemu-user)"
            ));
            None
        }
        Err(e) => panic!("open_uevent_socket: {e}"),
    }
}

#[test]
fn socket_is_a_nonblocking_cloexec_datagram_socket_bound_to_group_1() {
    let Some(fd) = socket_or_skip() else { return };
    let raw = fd.as_raw_fd();
    // SAFETY: F_GETFD and F_GETFL take no argument.
    let (fd_flags, fl) = unsafe {
        (
            libc::fcntl(raw, libc::F_GETFD),
            libc::fcntl(raw, libc::F_GETFL),
        )
    };
    assert_eq!(fd_flags & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
    assert_eq!(fl & libc::O_NONBLOCK, libc::O_NONBLOCK);
    let int_opt = |level, name| {
        let mut v: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: getsockopt writes at most `len` bytes to a live int.
        let rc = unsafe {
            libc::getsockopt(
                raw,
                level,
                name,
                (&mut v as *mut libc::c_int).cast(),
                &mut len,
            )
        };
        assert_eq!(rc, 0, "getsockopt: {}", std::io::Error::last_os_error());
        v
    };
    assert_eq!(int_opt(libc::SOL_SOCKET, libc::SO_TYPE), libc::SOCK_DGRAM);
    assert_eq!(int_opt(libc::SOL_SOCKET, libc::SO_DOMAIN), libc::AF_NETLINK);
    assert_eq!(
        int_opt(libc::SOL_SOCKET, libc::SO_PROTOCOL),
        libc::NETLINK_KOBJECT_UEVENT
    );
    // SAFETY: a zeroed sockaddr_nl is valid; getsockname writes at most `len` bytes into it.
    let addr = unsafe {
        let mut addr: libc::sockaddr_nl = std::mem::zeroed();
        let mut len = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        let rc = libc::getsockname(raw, (&mut addr as *mut libc::sockaddr_nl).cast(), &mut len);
        assert_eq!(rc, 0, "getsockname: {}", std::io::Error::last_os_error());
        addr
    };
    assert_eq!(addr.nl_family as i32, libc::AF_NETLINK);
    assert_eq!(addr.nl_groups, KERNEL_GROUP);
    // The kernel doubles the size asked for; with CAP_NET_ADMIN (SO_RCVBUFFORCE) it is all
    // there, without it rmem_max caps it.
    let rcvbuf = int_opt(libc::SOL_SOCKET, libc::SO_RCVBUF);
    assert!(rcvbuf > 0);
    if !common::emulated() && is_root() {
        assert_eq!(
            rcvbuf,
            2 * freepoll::uevent::RCVBUF_BYTES as i32,
            "SO_RCVBUFFORCE as root"
        );
    }
    // Nothing queued yet, or only other uevents: a non-blocking read never waits.
    let mut buf = [0u8; MAX_UEVENT_SIZE];
    match freepoll::io::read(&fd, &mut buf) {
        Ok(_) | Err(Errno::AGAIN) => {}
        Err(e) => panic!("read: {e}"),
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid takes nothing and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The sysfs attribute whose write makes the kernel send a uevent for /dev/null's device.
const NULL_UEVENT: &str = "/sys/devices/virtual/mem/null/uevent";
const NULL_DEVPATH: &[u8] = b"/devices/virtual/mem/null";

/// Whether this process is in the initial user namespace, where the network namespaces whose
/// sockets the kernel broadcasts untagged uevents to live (`uevent_net_init`).
fn in_initial_user_namespace() -> bool {
    std::fs::read_to_string("/proc/self/uid_map")
        .map(|map| map.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"])
        .unwrap_or(false)
}

#[test]
fn written_add_to_sysfs_arrives_as_an_add_uevent() {
    let Some(sock) = socket_or_skip() else { return };
    let ep = common::epoll();
    epoll_add(&ep, &sock, 1, EventFlags::IN).unwrap();
    let trigger = std::fs::OpenOptions::new().write(true).open(NULL_UEVENT);
    let mut trigger = match trigger {
        Ok(f) => f,
        Err(e) => {
            assert!(
                common::emulated()
                    || !is_root()
                    || !std::path::Path::new("/sys/devices").exists()
                    || e.raw_os_error() == Some(libc::EROFS),
                "{NULL_UEVENT}: {e} (root with sysfs mounted read-write must open it)"
            );
            common::skip(format_args!("a real uevent ({NULL_UEVENT}: {e})"));
            return;
        }
    };
    use std::io::Write;
    if let Err(e) = trigger.write_all(b"add") {
        panic!("write {NULL_UEVENT}: {e}");
    }
    drop(trigger);
    // Other devices' uevents may come first: read until ours, for at most 10 s.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = [0u8; MAX_UEVENT_SIZE];
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        if common::wait(&ep, 1, left.as_millis().max(1) as i32).is_empty() {
            break;
        }
        let n = match freepoll::io::read(&sock, &mut buf) {
            Ok(n) => n,
            Err(Errno::AGAIN) => continue,
            Err(e) => panic!("read: {e}"),
        };
        let ev = match Uevent::parse(&buf[..n]) {
            Ok(ev) => ev,
            Err(e) => panic!("a datagram on group 1 not in the kernel's format: {e:?}"),
        };
        if ev.action() == b"add" && ev.devpath() == NULL_DEVPATH {
            assert_eq!(ev.get(b"ACTION"), Some(&b"add"[..]));
            assert_eq!(ev.get(b"DEVPATH"), Some(NULL_DEVPATH));
            assert_eq!(ev.get(b"SUBSYSTEM"), Some(&b"mem"[..]));
            assert_eq!(ev.get(b"DEVNAME"), Some(&b"null"[..]));
            assert!(ev.get(b"SEQNUM").is_some());
            return;
        }
        seen.push(String::from_utf8_lossy(&buf[..n.min(80)]).into_owned());
    }
    // Nothing for us within the wait.
    if common::emulated() {
        common::emulator_note(format_args!(
            "no uevent arrived through qemu-user's netlink socket within 10 s"
        ));
        return;
    }
    assert!(
        !in_initial_user_namespace(),
        "no add uevent for {} within 10 s (saw {seen:?})",
        String::from_utf8_lossy(NULL_DEVPATH)
    );
    common::skip(format_args!(
        "a real uevent (none delivered to a network namespace outside the initial user namespace)"
    ));
}
