//! The generic system call table (`include/uapi/asm-generic/unistd.h`), which aarch64 and
//! riscv64 use as it is, and what follows from it for both. Included by their files as
//! `mod generic`; its `nr` is theirs.

/// The system call numbers freepoll and its freestanding users need, from the generic table
/// (`include/uapi/asm-generic/unistd.h`).
pub mod nr {
    /// eventfd2(2)
    pub const EVENTFD2: usize = 19;
    /// epoll_create1(2)
    pub const EPOLL_CREATE1: usize = 20;
    /// epoll_ctl(2)
    pub const EPOLL_CTL: usize = 21;
    /// epoll_pwait(2)
    pub const EPOLL_PWAIT: usize = 22;
    /// dup3(2)
    pub const DUP3: usize = 24;
    /// ioctl(2)
    pub const IOCTL: usize = 29;
    /// close(2)
    pub const CLOSE: usize = 57;
    /// pipe2(2)
    pub const PIPE2: usize = 59;
    /// read(2)
    pub const READ: usize = 63;
    /// write(2)
    pub const WRITE: usize = 64;
    /// signalfd4(2) (signalfd(2))
    pub const SIGNALFD4: usize = 74;
    /// timerfd_create(2)
    pub const TIMERFD_CREATE: usize = 85;
    /// timerfd_settime(2)
    pub const TIMERFD_SETTIME: usize = 86;
    /// timerfd_gettime(2)
    pub const TIMERFD_GETTIME: usize = 87;
    /// exit_group(2)
    pub const EXIT_GROUP: usize = 94;
    /// waitid(2)
    pub const WAITID: usize = 95;
    /// clock_gettime(2)
    pub const CLOCK_GETTIME: usize = 113;
    /// kill(2)
    pub const KILL: usize = 129;
    /// tgkill(2)
    pub const TGKILL: usize = 131;
    /// rt_sigprocmask(2) (sigprocmask(2))
    pub const RT_SIGPROCMASK: usize = 135;
    /// reboot(2)
    pub const REBOOT: usize = 142;
    /// prctl(2)
    pub const PRCTL: usize = 167;
    /// getpid(2)
    pub const GETPID: usize = 172;
    /// getppid(2)
    pub const GETPPID: usize = 173;
    /// getuid(2)
    pub const GETUID: usize = 174;
    /// gettid(2)
    pub const GETTID: usize = 178;
    /// clone(2)
    pub const CLONE: usize = 220;
    /// pidfd_send_signal(2), Linux 5.1
    pub const PIDFD_SEND_SIGNAL: usize = 424;
    /// pidfd_open(2), Linux 5.3
    pub const PIDFD_OPEN: usize = 434;
    /// epoll_pwait2(2), Linux 5.11
    pub const EPOLL_PWAIT2: usize = 441;
}

/// The direction bits of the generic ioctl encoding (`include/uapi/asm-generic/ioctl.h`),
/// already shifted to bits 30 and 31: `_IOC_WRITE`, `_IOC_READ`.
pub(crate) const IOC_WRITE: u32 = 1 << 30;
pub(crate) const IOC_READ: u32 = 2 << 30;

/// `EDEADLOCK`: the same number as `EDEADLK` (35) here (`include/uapi/asm-generic/errno.h`).
pub(crate) const EDEADLOCK: u16 = 35;

/// `epoll_wait(epfd, events, maxevents, timeout)`, the wait with no signal mask, made with
/// `epoll_pwait` and a NULL mask: the generic table has no `epoll_wait`. With a NULL mask the
/// kernel reads no signal set and ignores the size argument (`set_user_sigmask` returns before
/// checking it), so five arguments suffice. Every architecture's file has this stub, each with
/// its own call for it.
///
/// # Safety
/// `epfd` is an open descriptor and `events` is valid for writes of `maxevents` events in the
/// kernel's layout for the whole call; `timeout` is an `int` in milliseconds, sign-extended.
#[inline(always)]
pub(crate) unsafe fn epoll_wait_nomask(
    epfd: usize,
    events: usize,
    maxevents: usize,
    timeout: usize,
) -> usize {
    // SAFETY: the caller upholds epoll_pwait's contract for these arguments, stated above; the
    // mask is NULL, so the kernel reads nothing but writes at most `maxevents` events to
    // `events`.
    unsafe { super::syscall5(nr::EPOLL_PWAIT, epfd, events, maxevents, timeout, 0) }
}
