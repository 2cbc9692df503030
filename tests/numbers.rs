//! The system call numbers in `freepoll::raw::nr`, each against the `libc` crate's `SYS_*`
//! for the target being built: an independent transcription of the kernel's tables.

use freepoll::raw::nr;

/// Every number freepoll defines, paired with libc's, by name.
fn pairs() -> Vec<(&'static str, usize, i64)> {
    vec![
        ("READ", nr::READ, libc::SYS_read as i64),
        ("WRITE", nr::WRITE, libc::SYS_write as i64),
        ("CLOSE", nr::CLOSE, libc::SYS_close as i64),
        ("IOCTL", nr::IOCTL, libc::SYS_ioctl as i64),
        ("DUP3", nr::DUP3, libc::SYS_dup3 as i64),
        ("PIPE2", nr::PIPE2, libc::SYS_pipe2 as i64),
        ("EVENTFD2", nr::EVENTFD2, libc::SYS_eventfd2 as i64),
        (
            "EPOLL_CREATE1",
            nr::EPOLL_CREATE1,
            libc::SYS_epoll_create1 as i64,
        ),
        ("EPOLL_CTL", nr::EPOLL_CTL, libc::SYS_epoll_ctl as i64),
        ("EPOLL_PWAIT", nr::EPOLL_PWAIT, libc::SYS_epoll_pwait as i64),
        (
            "EPOLL_PWAIT2",
            nr::EPOLL_PWAIT2,
            libc::SYS_epoll_pwait2 as i64,
        ),
        ("SIGNALFD4", nr::SIGNALFD4, libc::SYS_signalfd4 as i64),
        (
            "TIMERFD_CREATE",
            nr::TIMERFD_CREATE,
            libc::SYS_timerfd_create as i64,
        ),
        (
            "TIMERFD_SETTIME",
            nr::TIMERFD_SETTIME,
            libc::SYS_timerfd_settime as i64,
        ),
        (
            "TIMERFD_GETTIME",
            nr::TIMERFD_GETTIME,
            libc::SYS_timerfd_gettime as i64,
        ),
        (
            "CLOCK_GETTIME",
            nr::CLOCK_GETTIME,
            libc::SYS_clock_gettime as i64,
        ),
        ("EXIT_GROUP", nr::EXIT_GROUP, libc::SYS_exit_group as i64),
        ("WAITID", nr::WAITID, libc::SYS_waitid as i64),
        ("KILL", nr::KILL, libc::SYS_kill as i64),
        ("TGKILL", nr::TGKILL, libc::SYS_tgkill as i64),
        (
            "RT_SIGPROCMASK",
            nr::RT_SIGPROCMASK,
            libc::SYS_rt_sigprocmask as i64,
        ),
        ("REBOOT", nr::REBOOT, libc::SYS_reboot as i64),
        ("PRCTL", nr::PRCTL, libc::SYS_prctl as i64),
        ("GETPID", nr::GETPID, libc::SYS_getpid as i64),
        ("GETPPID", nr::GETPPID, libc::SYS_getppid as i64),
        ("GETUID", nr::GETUID, libc::SYS_getuid as i64),
        ("GETTID", nr::GETTID, libc::SYS_gettid as i64),
        ("CLONE", nr::CLONE, libc::SYS_clone as i64),
        (
            "PIDFD_SEND_SIGNAL",
            nr::PIDFD_SEND_SIGNAL,
            libc::SYS_pidfd_send_signal as i64,
        ),
        ("PIDFD_OPEN", nr::PIDFD_OPEN, libc::SYS_pidfd_open as i64),
    ]
}

#[test]
fn every_syscall_number_is_libcs() {
    let wrong: Vec<_> = pairs()
        .into_iter()
        .filter(|&(_, ours, libc)| ours as i64 != libc)
        .collect();
    assert_eq!(wrong, vec![], "(name, freepoll, libc)");
}

#[test]
fn syscall_numbers_are_distinct() {
    let mut numbers: Vec<usize> = pairs().iter().map(|&(_, n, _)| n).collect();
    numbers.sort_unstable();
    let before = numbers.len();
    numbers.dedup();
    assert_eq!(numbers.len(), before);
}

#[test]
fn raw_getpid_getppid_getuid_gettid_answer_as_libc_does() {
    use freepoll::raw::{decode_raw, syscall0};
    // SAFETY: these four take no arguments, touch no memory and cannot fail.
    let raw = |n| decode_raw(unsafe { syscall0(n) }).unwrap() as i64;
    // SAFETY: as above, through libc.
    let (pid, ppid, uid, tid) = unsafe {
        (
            libc::getpid() as i64,
            libc::getppid() as i64,
            libc::getuid() as i64,
            libc::syscall(libc::SYS_gettid),
        )
    };
    assert_eq!(raw(nr::GETPID), pid);
    assert_eq!(raw(nr::GETPPID), ppid);
    assert_eq!(raw(nr::GETUID), uid);
    assert_eq!(raw(nr::GETTID), tid);
}
