//! The errors the kernel answers, by name, and the ones freepoll answers before any call.

mod common;

use common::*;
use core::mem::MaybeUninit;
use freepoll::epoll::{epoll_add, epoll_create, epoll_del, epoll_mod, epoll_wait, CreateFlags};
use freepoll::epoll::{Event, EventFlags, EventVec};
use freepoll::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use freepoll::Errno;

/// A descriptor number that is never open: above any RLIMIT_NOFILE.
fn never_open() -> BorrowedFd<'static> {
    // SAFETY: the number is never open, so the borrow cannot alias a live descriptor; the
    // kernel only checks it and answers EBADF.
    unsafe { BorrowedFd::borrow_raw(i32::MAX) }
}

#[test]
fn unknown_create_flag_is_einval() {
    assert_eq!(
        epoll_create(CreateFlags::from_bits_retain(1)).err(),
        Some(Errno::INVAL)
    );
}

#[test]
fn create_cloexec_sets_fd_cloexec() {
    let ep = epoll_create(CreateFlags::CLOEXEC).unwrap();
    // SAFETY: F_GETFD on an open descriptor reads no memory.
    let flags = unsafe { libc::fcntl(ep.as_raw_fd(), libc::F_GETFD) };
    assert_eq!(flags & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
    let ep = epoll_create(CreateFlags::empty()).unwrap();
    // SAFETY: as above.
    let flags = unsafe { libc::fcntl(ep.as_raw_fd(), libc::F_GETFD) };
    assert_eq!(flags & libc::FD_CLOEXEC, 0);
}

#[test]
fn add_twice_is_eexist() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 0, EventFlags::IN).unwrap();
    assert_eq!(epoll_add(&ep, &efd, 0, EventFlags::IN), Err(Errno::EXIST));
}

#[test]
fn mod_of_unregistered_is_enoent() {
    let ep = epoll();
    let efd = eventfd(0);
    assert_eq!(epoll_mod(&ep, &efd, 0, EventFlags::IN), Err(Errno::NOENT));
}

#[test]
fn del_of_unregistered_is_enoent() {
    let ep = epoll();
    let efd = eventfd(0);
    assert_eq!(epoll_del(&ep, &efd), Err(Errno::NOENT));
}

#[test]
fn bad_epoll_descriptor_is_ebadf() {
    let efd = eventfd(0);
    assert_eq!(
        epoll_add(never_open(), &efd, 0, EventFlags::IN),
        Err(Errno::BADF)
    );
    let mut buf = [MaybeUninit::<Event>::uninit(); 1];
    let mut events = EventVec::new(&mut buf);
    assert_eq!(epoll_wait(never_open(), &mut events, 0), Err(Errno::BADF));
}

#[test]
fn bad_target_descriptor_is_ebadf() {
    let ep = epoll();
    assert_eq!(
        epoll_add(&ep, never_open(), 0, EventFlags::IN),
        Err(Errno::BADF)
    );
    assert_eq!(
        epoll_mod(&ep, never_open(), 0, EventFlags::IN),
        Err(Errno::BADF)
    );
    assert_eq!(epoll_del(&ep, never_open()), Err(Errno::BADF));
}

#[test]
fn regular_file_is_eperm() {
    let path = std::env::temp_dir().join(format!("freepoll-eperm-{}", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    // SAFETY: `into_raw_fd` hands over ownership of an open descriptor.
    let file = unsafe { OwnedFd::from_raw_fd(std::os::unix::io::IntoRawFd::into_raw_fd(file)) };
    let ep = epoll();
    assert_eq!(epoll_add(&ep, &file, 0, EventFlags::IN), Err(Errno::PERM));
}

#[test]
fn epoll_added_to_itself_is_einval() {
    let ep = epoll();
    assert_eq!(epoll_add(&ep, &ep, 0, EventFlags::IN), Err(Errno::INVAL));
}

#[test]
fn non_epoll_instance_is_einval() {
    let efd = eventfd(0);
    let other = eventfd(0);
    assert_eq!(
        epoll_add(&efd, &other, 0, EventFlags::IN),
        Err(Errno::INVAL)
    );
}

#[test]
fn capacity_zero_is_einval_before_any_call() {
    let mut buf: [MaybeUninit<Event>; 0] = [];
    let mut events = EventVec::new(&mut buf);
    // Even a descriptor that is not open gets INVAL, not BADF: no call was made.
    assert_eq!(epoll_wait(never_open(), &mut events, 0), Err(Errno::INVAL));
}

#[test]
fn cycle_of_two_instances_is_eloop() {
    let a = epoll();
    let b = epoll();
    epoll_add(&a, &b, 0, EventFlags::IN).unwrap();
    // Linux answers ELOOP for a cycle (fs/eventpoll.c, ep_loop_check), on every version since
    // the check came (2.6.38); EINVAL is what some kernels answer for too deep a nesting over
    // a non-epoll file (see conformance_ctl.rs), never for a cycle of epoll instances.
    assert_eq!(epoll_add(&b, &a, 0, EventFlags::IN), Err(Errno::LOOP));
}

/// Every number the kernel names, with its C name and text, as glibc 2.36's `strerrorname_np`
/// and `strerror` give them: an independent copy of the table, so that the packed strings and
/// their index are checked entry by entry.
const TABLE: &[(i32, &str, &str)] = &[
    (1, "EPERM", "Operation not permitted"),
    (2, "ENOENT", "No such file or directory"),
    (3, "ESRCH", "No such process"),
    (4, "EINTR", "Interrupted system call"),
    (5, "EIO", "Input/output error"),
    (6, "ENXIO", "No such device or address"),
    (7, "E2BIG", "Argument list too long"),
    (8, "ENOEXEC", "Exec format error"),
    (9, "EBADF", "Bad file descriptor"),
    (10, "ECHILD", "No child processes"),
    (11, "EAGAIN", "Resource temporarily unavailable"),
    (12, "ENOMEM", "Cannot allocate memory"),
    (13, "EACCES", "Permission denied"),
    (14, "EFAULT", "Bad address"),
    (15, "ENOTBLK", "Block device required"),
    (16, "EBUSY", "Device or resource busy"),
    (17, "EEXIST", "File exists"),
    (18, "EXDEV", "Invalid cross-device link"),
    (19, "ENODEV", "No such device"),
    (20, "ENOTDIR", "Not a directory"),
    (21, "EISDIR", "Is a directory"),
    (22, "EINVAL", "Invalid argument"),
    (23, "ENFILE", "Too many open files in system"),
    (24, "EMFILE", "Too many open files"),
    (25, "ENOTTY", "Inappropriate ioctl for device"),
    (26, "ETXTBSY", "Text file busy"),
    (27, "EFBIG", "File too large"),
    (28, "ENOSPC", "No space left on device"),
    (29, "ESPIPE", "Illegal seek"),
    (30, "EROFS", "Read-only file system"),
    (31, "EMLINK", "Too many links"),
    (32, "EPIPE", "Broken pipe"),
    (33, "EDOM", "Numerical argument out of domain"),
    (34, "ERANGE", "Numerical result out of range"),
    (35, "EDEADLK", "Resource deadlock avoided"),
    (36, "ENAMETOOLONG", "File name too long"),
    (37, "ENOLCK", "No locks available"),
    (38, "ENOSYS", "Function not implemented"),
    (39, "ENOTEMPTY", "Directory not empty"),
    (40, "ELOOP", "Too many levels of symbolic links"),
    (42, "ENOMSG", "No message of desired type"),
    (43, "EIDRM", "Identifier removed"),
    (44, "ECHRNG", "Channel number out of range"),
    (45, "EL2NSYNC", "Level 2 not synchronized"),
    (46, "EL3HLT", "Level 3 halted"),
    (47, "EL3RST", "Level 3 reset"),
    (48, "ELNRNG", "Link number out of range"),
    (49, "EUNATCH", "Protocol driver not attached"),
    (50, "ENOCSI", "No CSI structure available"),
    (51, "EL2HLT", "Level 2 halted"),
    (52, "EBADE", "Invalid exchange"),
    (53, "EBADR", "Invalid request descriptor"),
    (54, "EXFULL", "Exchange full"),
    (55, "ENOANO", "No anode"),
    (56, "EBADRQC", "Invalid request code"),
    (57, "EBADSLT", "Invalid slot"),
    (59, "EBFONT", "Bad font file format"),
    (60, "ENOSTR", "Device not a stream"),
    (61, "ENODATA", "No data available"),
    (62, "ETIME", "Timer expired"),
    (63, "ENOSR", "Out of streams resources"),
    (64, "ENONET", "Machine is not on the network"),
    (65, "ENOPKG", "Package not installed"),
    (66, "EREMOTE", "Object is remote"),
    (67, "ENOLINK", "Link has been severed"),
    (68, "EADV", "Advertise error"),
    (69, "ESRMNT", "Srmount error"),
    (70, "ECOMM", "Communication error on send"),
    (71, "EPROTO", "Protocol error"),
    (72, "EMULTIHOP", "Multihop attempted"),
    (73, "EDOTDOT", "RFS specific error"),
    (74, "EBADMSG", "Bad message"),
    (75, "EOVERFLOW", "Value too large for defined data type"),
    (76, "ENOTUNIQ", "Name not unique on network"),
    (77, "EBADFD", "File descriptor in bad state"),
    (78, "EREMCHG", "Remote address changed"),
    (79, "ELIBACC", "Can not access a needed shared library"),
    (80, "ELIBBAD", "Accessing a corrupted shared library"),
    (81, "ELIBSCN", ".lib section in a.out corrupted"),
    (
        82,
        "ELIBMAX",
        "Attempting to link in too many shared libraries",
    ),
    (83, "ELIBEXEC", "Cannot exec a shared library directly"),
    (
        84,
        "EILSEQ",
        "Invalid or incomplete multibyte or wide character",
    ),
    (
        85,
        "ERESTART",
        "Interrupted system call should be restarted",
    ),
    (86, "ESTRPIPE", "Streams pipe error"),
    (87, "EUSERS", "Too many users"),
    (88, "ENOTSOCK", "Socket operation on non-socket"),
    (89, "EDESTADDRREQ", "Destination address required"),
    (90, "EMSGSIZE", "Message too long"),
    (91, "EPROTOTYPE", "Protocol wrong type for socket"),
    (92, "ENOPROTOOPT", "Protocol not available"),
    (93, "EPROTONOSUPPORT", "Protocol not supported"),
    (94, "ESOCKTNOSUPPORT", "Socket type not supported"),
    (95, "EOPNOTSUPP", "Operation not supported"),
    (96, "EPFNOSUPPORT", "Protocol family not supported"),
    (
        97,
        "EAFNOSUPPORT",
        "Address family not supported by protocol",
    ),
    (98, "EADDRINUSE", "Address already in use"),
    (99, "EADDRNOTAVAIL", "Cannot assign requested address"),
    (100, "ENETDOWN", "Network is down"),
    (101, "ENETUNREACH", "Network is unreachable"),
    (102, "ENETRESET", "Network dropped connection on reset"),
    (103, "ECONNABORTED", "Software caused connection abort"),
    (104, "ECONNRESET", "Connection reset by peer"),
    (105, "ENOBUFS", "No buffer space available"),
    (106, "EISCONN", "Transport endpoint is already connected"),
    (107, "ENOTCONN", "Transport endpoint is not connected"),
    (
        108,
        "ESHUTDOWN",
        "Cannot send after transport endpoint shutdown",
    ),
    (109, "ETOOMANYREFS", "Too many references: cannot splice"),
    (110, "ETIMEDOUT", "Connection timed out"),
    (111, "ECONNREFUSED", "Connection refused"),
    (112, "EHOSTDOWN", "Host is down"),
    (113, "EHOSTUNREACH", "No route to host"),
    (114, "EALREADY", "Operation already in progress"),
    (115, "EINPROGRESS", "Operation now in progress"),
    (116, "ESTALE", "Stale file handle"),
    (117, "EUCLEAN", "Structure needs cleaning"),
    (118, "ENOTNAM", "Not a XENIX named type file"),
    (119, "ENAVAIL", "No XENIX semaphores available"),
    (120, "EISNAM", "Is a named type file"),
    (121, "EREMOTEIO", "Remote I/O error"),
    (122, "EDQUOT", "Disk quota exceeded"),
    (123, "ENOMEDIUM", "No medium found"),
    (124, "EMEDIUMTYPE", "Wrong medium type"),
    (125, "ECANCELED", "Operation canceled"),
    (126, "ENOKEY", "Required key not available"),
    (127, "EKEYEXPIRED", "Key has expired"),
    (128, "EKEYREVOKED", "Key has been revoked"),
    (129, "EKEYREJECTED", "Key was rejected by service"),
    (130, "EOWNERDEAD", "Owner died"),
    (131, "ENOTRECOVERABLE", "State not recoverable"),
    (132, "ERFKILL", "Operation not possible due to RF-kill"),
    (133, "EHWPOISON", "Memory page has hardware error"),
];

#[test]
fn every_number_has_its_name_and_text() {
    for &(code, name, text) in TABLE {
        let e = Errno::from_raw_os_error(code).unwrap();
        assert_eq!(e.name(), Some(name), "{}", code);
        assert_eq!(e.description(), Some(text), "{}", code);
        assert_eq!(format!("{}", e), format!("{}: {}", name, text));
        assert_eq!(format!("{:?}", e), format!("Errno({})", name));
    }
    assert_eq!(TABLE.len(), 131);
}

#[test]
fn numbers_without_a_name_have_none() {
    // powerpc names 58 EDEADLOCK (checked in tests/layout.rs against libc).
    let own_deadlock = |c: &i32| cfg!(target_arch = "powerpc64") && *c == 58;
    for code in (1..=4095).filter(|c| !TABLE.iter().any(|row| row.0 == *c) && !own_deadlock(c)) {
        let e = Errno::from_raw_os_error(code).unwrap();
        assert_eq!((e.name(), e.description()), (None, None), "{}", code);
        assert_eq!(format!("{}", e), format!("unknown error {}", code));
        assert_eq!(format!("{:?}", e), format!("Errno({})", code));
    }
}

/// The names work in a `const` as well.
#[test]
fn name_and_text_are_const() {
    const NAME: Option<&str> = Errno::HWPOISON.name();
    const TEXT: Option<&str> = Errno::PERM.description();
    const TOOBIG: Option<&str> = Errno::TOOBIG.name();
    assert_eq!(NAME, Some("EHWPOISON"));
    assert_eq!(TEXT, Some("Operation not permitted"));
    assert_eq!(TOOBIG, Some("E2BIG"));
}
