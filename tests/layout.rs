//! freepoll's constants and `Event` layout against the `libc` crate, an independent source of
//! truth, on whatever architecture the tests run.

use freepoll::epoll::{CreateFlags, Event, EventFlags, MAX_EVENTS};
use freepoll::raw::nr;
use std::mem::{align_of, size_of};

#[test]
fn event_layout_matches_libc() {
    assert_eq!(size_of::<Event>(), size_of::<libc::epoll_event>());
    // On i686 the libc crate declares the struct packed (alignment 1); the kernel's and C's
    // layout aligns it as its `u64`, to 4 there, which is what freepoll pins.
    #[cfg(not(target_arch = "x86"))]
    assert_eq!(align_of::<Event>(), align_of::<libc::epoll_event>());
    #[cfg(target_arch = "x86")]
    assert_eq!((align_of::<Event>(), align_of::<u64>()), (4, 4));
    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    assert_eq!(size_of::<Event>(), 12);
    #[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
    assert_eq!(size_of::<Event>(), 16);
}

#[test]
fn event_field_offsets_match_libc() {
    let ev = libc::epoll_event {
        events: 0x8000_0011,
        u64: 0x0102_0304_0506_0708,
    };
    // SAFETY: both are plain data of the same size (checked by the test above).
    let ours: Event = unsafe { std::mem::transmute_copy(&ev) };
    assert_eq!(ours.flags().bits(), 0x8000_0011);
    assert_eq!(ours.data(), 0x0102_0304_0506_0708);
    let back = Event::new(EventFlags::from_bits_retain(7), 99);
    // SAFETY: as above.
    let theirs: libc::epoll_event = unsafe { std::mem::transmute_copy(&back) };
    let (e, d) = (theirs.events, theirs.u64);
    assert_eq!((e, d), (7, 99));
}

#[test]
fn event_flags_match_libc() {
    let pairs: &[(EventFlags, i32)] = &[
        (EventFlags::IN, libc::EPOLLIN),
        (EventFlags::PRI, libc::EPOLLPRI),
        (EventFlags::OUT, libc::EPOLLOUT),
        (EventFlags::ERR, libc::EPOLLERR),
        (EventFlags::HUP, libc::EPOLLHUP),
        (EventFlags::RDNORM, libc::EPOLLRDNORM),
        (EventFlags::RDBAND, libc::EPOLLRDBAND),
        (EventFlags::WRNORM, libc::EPOLLWRNORM),
        (EventFlags::WRBAND, libc::EPOLLWRBAND),
        (EventFlags::MSG, libc::EPOLLMSG),
        (EventFlags::RDHUP, libc::EPOLLRDHUP),
        (EventFlags::EXCLUSIVE, libc::EPOLLEXCLUSIVE),
        (EventFlags::WAKEUP, libc::EPOLLWAKEUP),
        (EventFlags::ONESHOT, libc::EPOLLONESHOT),
        (EventFlags::ET, libc::EPOLLET),
    ];
    for &(ours, theirs) in pairs {
        assert_eq!(ours.bits(), theirs as u32, "{ours:?}");
    }
    assert_eq!(
        pairs.len(),
        EventFlags::all().iter().count(),
        "every named flag is checked"
    );
    assert_eq!(CreateFlags::CLOEXEC.bits(), libc::EPOLL_CLOEXEC as u32);
}

#[test]
fn unknown_event_bits_are_kept() {
    let ev = Event::new(EventFlags::from_bits_retain(0x0800_0001), 0);
    assert_eq!(ev.flags().bits(), 0x0800_0001);
    assert!(ev.flags().contains(EventFlags::IN));
    assert!(format!("{:?}", ev).contains("IN"));
}

#[test]
fn max_events_is_the_kernels_limit() {
    assert_eq!(
        MAX_EVENTS,
        i32::MAX as usize / size_of::<libc::epoll_event>()
    );
}

#[test]
fn syscall_numbers_match_libc() {
    let pairs: &[(&str, usize, libc::c_long)] = &[
        ("read", nr::READ, libc::SYS_read),
        ("write", nr::WRITE, libc::SYS_write),
        ("close", nr::CLOSE, libc::SYS_close),
        ("ioctl", nr::IOCTL, libc::SYS_ioctl),
        ("getpid", nr::GETPID, libc::SYS_getpid),
        ("gettid", nr::GETTID, libc::SYS_gettid),
        ("reboot", nr::REBOOT, libc::SYS_reboot),
        #[cfg(target_pointer_width = "64")]
        ("clock_gettime", nr::CLOCK_GETTIME, libc::SYS_clock_gettime),
        // 32-bit arches: clock_gettime64 (403 in every 32-bit table since Linux 5.1), which
        // the libc crate does not name for them.
        #[cfg(target_pointer_width = "32")]
        ("clock_gettime64", nr::CLOCK_GETTIME, 403),
        ("exit_group", nr::EXIT_GROUP, libc::SYS_exit_group),
        ("epoll_ctl", nr::EPOLL_CTL, libc::SYS_epoll_ctl),
        ("tgkill", nr::TGKILL, libc::SYS_tgkill),
        ("epoll_pwait", nr::EPOLL_PWAIT, libc::SYS_epoll_pwait),
        ("eventfd2", nr::EVENTFD2, libc::SYS_eventfd2),
        ("epoll_create1", nr::EPOLL_CREATE1, libc::SYS_epoll_create1),
        ("pipe2", nr::PIPE2, libc::SYS_pipe2),
        ("epoll_pwait2", nr::EPOLL_PWAIT2, libc::SYS_epoll_pwait2),
    ];
    for &(name, ours, theirs) in pairs {
        assert_eq!(ours, theirs as usize, "{name}");
    }
}

#[test]
fn errno_values_match_libc() {
    use freepoll::Errno;
    let pairs = [
        (Errno::PERM, libc::EPERM),
        (Errno::NOENT, libc::ENOENT),
        (Errno::INTR, libc::EINTR),
        (Errno::BADF, libc::EBADF),
        (Errno::AGAIN, libc::EAGAIN),
        (Errno::NOMEM, libc::ENOMEM),
        (Errno::EXIST, libc::EEXIST),
        (Errno::INVAL, libc::EINVAL),
        (Errno::NOSPC, libc::ENOSPC),
        (Errno::NOSYS, libc::ENOSYS),
        (Errno::LOOP, libc::ELOOP),
        (Errno::NOTTY, libc::ENOTTY),
        (Errno::OPNOTSUPP, libc::EOPNOTSUPP),
        (Errno::HWPOISON, libc::EHWPOISON),
        (Errno::DEADLK, libc::EDEADLK),
        (Errno::DEADLOCK, libc::EDEADLOCK),
    ];
    for (ours, theirs) in pairs {
        assert_eq!(ours.raw_os_error(), theirs, "{ours}");
    }
}
