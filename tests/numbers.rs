//! The system call numbers in `freepoll::raw::nr`, each against the `libc` crate's `SYS_*`
//! for the target being built: an independent transcription of the kernel's tables.

use freepoll::raw::nr;

/// Every number freepoll defines, paired with libc's, by name.
fn pairs() -> Vec<(&'static str, usize, usize)> {
    vec![
        ("READ", nr::READ, libc::SYS_read as usize),
        ("WRITE", nr::WRITE, libc::SYS_write as usize),
        ("CLOSE", nr::CLOSE, libc::SYS_close as usize),
        ("IOCTL", nr::IOCTL, libc::SYS_ioctl as usize),
        ("DUP3", nr::DUP3, libc::SYS_dup3 as usize),
        ("PIPE2", nr::PIPE2, libc::SYS_pipe2 as usize),
        ("EVENTFD2", nr::EVENTFD2, libc::SYS_eventfd2 as usize),
        (
            "EPOLL_CREATE1",
            nr::EPOLL_CREATE1,
            libc::SYS_epoll_create1 as usize,
        ),
        ("EPOLL_CTL", nr::EPOLL_CTL, libc::SYS_epoll_ctl as usize),
        // aarch64 and riscv64 have no epoll_wait (the generic table dropped it).
        #[cfg(not(any(target_arch = "aarch64", target_arch = "riscv64")))]
        ("EPOLL_WAIT", nr::EPOLL_WAIT, libc::SYS_epoll_wait as usize),
        (
            "EPOLL_PWAIT",
            nr::EPOLL_PWAIT,
            libc::SYS_epoll_pwait as usize,
        ),
        (
            "EPOLL_PWAIT2",
            nr::EPOLL_PWAIT2,
            libc::SYS_epoll_pwait2 as usize,
        ),
        ("SIGNALFD4", nr::SIGNALFD4, libc::SYS_signalfd4 as usize),
        (
            "TIMERFD_CREATE",
            nr::TIMERFD_CREATE,
            libc::SYS_timerfd_create as usize,
        ),
        #[cfg(target_pointer_width = "64")]
        (
            "TIMERFD_SETTIME",
            nr::TIMERFD_SETTIME,
            libc::SYS_timerfd_settime as usize,
        ),
        // 32-bit arches: the 64-bit time_t call (timerfd_settime64, 411 in every 32-bit table
        // since Linux 5.1), which the libc crate does not name for these targets.
        #[cfg(target_pointer_width = "32")]
        ("TIMERFD_SETTIME", nr::TIMERFD_SETTIME, 411),
        #[cfg(target_pointer_width = "64")]
        (
            "TIMERFD_GETTIME",
            nr::TIMERFD_GETTIME,
            libc::SYS_timerfd_gettime as usize,
        ),
        // 32-bit arches: the 64-bit time_t call (timerfd_gettime64, 410 in every 32-bit table
        // since Linux 5.1), which the libc crate does not name for these targets.
        #[cfg(target_pointer_width = "32")]
        ("TIMERFD_GETTIME", nr::TIMERFD_GETTIME, 410),
        #[cfg(target_pointer_width = "64")]
        (
            "CLOCK_GETTIME",
            nr::CLOCK_GETTIME,
            libc::SYS_clock_gettime as usize,
        ),
        // 32-bit arches: the 64-bit time_t call (clock_gettime64, 403 in every 32-bit table
        // since Linux 5.1), which the libc crate does not name for these targets.
        #[cfg(target_pointer_width = "32")]
        ("CLOCK_GETTIME", nr::CLOCK_GETTIME, 403),
        ("EXIT_GROUP", nr::EXIT_GROUP, libc::SYS_exit_group as usize),
        ("WAITID", nr::WAITID, libc::SYS_waitid as usize),
        ("KILL", nr::KILL, libc::SYS_kill as usize),
        ("TGKILL", nr::TGKILL, libc::SYS_tgkill as usize),
        (
            "RT_SIGPROCMASK",
            nr::RT_SIGPROCMASK,
            libc::SYS_rt_sigprocmask as usize,
        ),
        ("REBOOT", nr::REBOOT, libc::SYS_reboot as usize),
        ("PRCTL", nr::PRCTL, libc::SYS_prctl as usize),
        ("GETPID", nr::GETPID, libc::SYS_getpid as usize),
        ("GETPPID", nr::GETPPID, libc::SYS_getppid as usize),
        #[cfg(not(any(target_arch = "x86", target_arch = "arm")))]
        ("GETUID", nr::GETUID, libc::SYS_getuid as usize),
        // i686 and arm: getuid32; their getuid is the old 16-bit one.
        #[cfg(any(target_arch = "x86", target_arch = "arm"))]
        ("GETUID", nr::GETUID, libc::SYS_getuid32 as usize),
        ("GETTID", nr::GETTID, libc::SYS_gettid as usize),
        ("CLONE", nr::CLONE, libc::SYS_clone as usize),
        (
            "PIDFD_SEND_SIGNAL",
            nr::PIDFD_SEND_SIGNAL,
            libc::SYS_pidfd_send_signal as usize,
        ),
        ("PIDFD_OPEN", nr::PIDFD_OPEN, libc::SYS_pidfd_open as usize),
        ("EXIT", nr::EXIT, libc::SYS_exit as usize),
        ("EXECVE", nr::EXECVE, libc::SYS_execve as usize),
        ("CHDIR", nr::CHDIR, libc::SYS_chdir as usize),
        ("SETPGID", nr::SETPGID, libc::SYS_setpgid as usize),
        ("SETSID", nr::SETSID, libc::SYS_setsid as usize),
        ("GETPGID", nr::GETPGID, libc::SYS_getpgid as usize),
        ("FCHDIR", nr::FCHDIR, libc::SYS_fchdir as usize),
        ("GETSID", nr::GETSID, libc::SYS_getsid as usize),
        (
            "RT_SIGACTION",
            nr::RT_SIGACTION,
            libc::SYS_rt_sigaction as usize,
        ),
        ("FCNTL", nr::FCNTL, libc::SYS_fcntl as usize),
        ("SOCKET", nr::SOCKET, libc::SYS_socket as usize),
        ("SOCKETPAIR", nr::SOCKETPAIR, libc::SYS_socketpair as usize),
        ("BIND", nr::BIND, libc::SYS_bind as usize),
        ("CONNECT", nr::CONNECT, libc::SYS_connect as usize),
        ("LISTEN", nr::LISTEN, libc::SYS_listen as usize),
        ("ACCEPT4", nr::ACCEPT4, libc::SYS_accept4 as usize),
        ("GETSOCKOPT", nr::GETSOCKOPT, libc::SYS_getsockopt as usize),
        ("SETSOCKOPT", nr::SETSOCKOPT, libc::SYS_setsockopt as usize),
        (
            "GETSOCKNAME",
            nr::GETSOCKNAME,
            libc::SYS_getsockname as usize,
        ),
        (
            "GETPEERNAME",
            nr::GETPEERNAME,
            libc::SYS_getpeername as usize,
        ),
        ("SENDTO", nr::SENDTO, libc::SYS_sendto as usize),
        ("SENDMSG", nr::SENDMSG, libc::SYS_sendmsg as usize),
        ("RECVFROM", nr::RECVFROM, libc::SYS_recvfrom as usize),
        ("RECVMSG", nr::RECVMSG, libc::SYS_recvmsg as usize),
        ("SHUTDOWN", nr::SHUTDOWN, libc::SYS_shutdown as usize),
        (
            "INOTIFY_INIT1",
            nr::INOTIFY_INIT1,
            libc::SYS_inotify_init1 as usize,
        ),
        (
            "INOTIFY_ADD_WATCH",
            nr::INOTIFY_ADD_WATCH,
            libc::SYS_inotify_add_watch as usize,
        ),
        (
            "INOTIFY_RM_WATCH",
            nr::INOTIFY_RM_WATCH,
            libc::SYS_inotify_rm_watch as usize,
        ),
        ("OPENAT", nr::OPENAT, libc::SYS_openat as usize),
        ("FACCESSAT", nr::FACCESSAT, libc::SYS_faccessat as usize),
        ("STATX", nr::STATX, libc::SYS_statx as usize),
        ("EXECVEAT", nr::EXECVEAT, libc::SYS_execveat as usize),
        ("CLONE3", nr::CLONE3, libc::SYS_clone3 as usize),
        (
            "CLOSE_RANGE",
            nr::CLOSE_RANGE,
            libc::SYS_close_range as usize,
        ),
        ("FACCESSAT2", nr::FACCESSAT2, libc::SYS_faccessat2 as usize),
        ("MOUNT", nr::MOUNT, libc::SYS_mount as usize),
    ]
}

#[test]
fn every_syscall_number_is_libcs() {
    let wrong: Vec<_> = pairs()
        .into_iter()
        .filter(|&(_, ours, libc)| ours != libc)
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
            libc::syscall(libc::SYS_gettid) as i64,
        )
    };
    assert_eq!(raw(nr::GETPID), pid);
    assert_eq!(raw(nr::GETPPID), ppid);
    assert_eq!(raw(nr::GETUID), uid);
    assert_eq!(raw(nr::GETTID), tid);
}
