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
    // Linux answers ELOOP for a cycle (fs/eventpoll.c, ep_loop_check); the man page lists
    // EINVAL for related misuse, which some older kernels returned for nesting: accept both.
    let got = epoll_add(&b, &a, 0, EventFlags::IN);
    assert!(
        matches!(got, Err(Errno::LOOP) | Err(Errno::INVAL)),
        "{got:?}"
    );
}
