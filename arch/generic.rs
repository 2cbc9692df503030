//! The generic system call table (`include/uapi/asm-generic/unistd.h`), which aarch64 and
//! riscv64 use as it is, and what follows from it for both. Included by their files as
//! `mod generic`; its `nr` is theirs.

/// The system call numbers freepoll and its freestanding users need, from the generic table
/// (`include/uapi/asm-generic/unistd.h`).
pub mod nr {
    pub use super::super::common::nr::*;

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
    /// fcntl(2)
    pub const FCNTL: usize = 25;
    /// inotify_init1(2) (inotify_init(2))
    pub const INOTIFY_INIT1: usize = 26;
    /// inotify_add_watch(2)
    pub const INOTIFY_ADD_WATCH: usize = 27;
    /// inotify_rm_watch(2)
    pub const INOTIFY_RM_WATCH: usize = 28;
    /// ioctl(2)
    pub const IOCTL: usize = 29;
    /// faccessat(2) (access(2))
    pub const FACCESSAT: usize = 48;
    /// chdir(2)
    pub const CHDIR: usize = 49;
    /// fchdir(2)
    pub const FCHDIR: usize = 50;
    /// openat(2) (open(2))
    pub const OPENAT: usize = 56;
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
    /// _exit(2) (exit of the calling thread only)
    pub const EXIT: usize = 93;
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
    /// rt_sigaction(2) (sigaction(2))
    pub const RT_SIGACTION: usize = 134;
    /// rt_sigprocmask(2) (sigprocmask(2))
    pub const RT_SIGPROCMASK: usize = 135;
    /// reboot(2)
    pub const REBOOT: usize = 142;
    /// setpgid(2)
    pub const SETPGID: usize = 154;
    /// getpgid(2)
    pub const GETPGID: usize = 155;
    /// getsid(2)
    pub const GETSID: usize = 156;
    /// setsid(2)
    pub const SETSID: usize = 157;
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
    /// socket(2)
    pub const SOCKET: usize = 198;
    /// socketpair(2)
    pub const SOCKETPAIR: usize = 199;
    /// bind(2)
    pub const BIND: usize = 200;
    /// listen(2)
    pub const LISTEN: usize = 201;
    /// connect(2)
    pub const CONNECT: usize = 203;
    /// getsockname(2)
    pub const GETSOCKNAME: usize = 204;
    /// getpeername(2)
    pub const GETPEERNAME: usize = 205;
    /// sendto(2) (send(2))
    pub const SENDTO: usize = 206;
    /// recvfrom(2) (recv(2))
    pub const RECVFROM: usize = 207;
    /// setsockopt(2)
    pub const SETSOCKOPT: usize = 208;
    /// getsockopt(2)
    pub const GETSOCKOPT: usize = 209;
    /// shutdown(2)
    pub const SHUTDOWN: usize = 210;
    /// sendmsg(2)
    pub const SENDMSG: usize = 211;
    /// recvmsg(2)
    pub const RECVMSG: usize = 212;
    /// clone(2)
    pub const CLONE: usize = 220;
    /// execve(2)
    pub const EXECVE: usize = 221;
    /// accept4(2) (accept(2))
    pub const ACCEPT4: usize = 242;
    /// execveat(2), Linux 3.19
    pub const EXECVEAT: usize = 281;
    /// statx(2), Linux 4.11
    pub const STATX: usize = 291;
    /// mount(2)
    pub const MOUNT: usize = 40;
}

/// The wait without a signal mask: the generic table has no `epoll_wait`, so it is
/// `epoll_pwait` with a NULL mask. With a NULL mask the kernel reads no signal set and ignores
/// the size argument (`set_user_sigmask` returns before checking it).
pub(crate) const EPOLL_WAIT_NOMASK: usize = nr::EPOLL_PWAIT;
