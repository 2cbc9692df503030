//! Processes: reap children with [`waitid`] and read what became of them, become a
//! [subreaper](set_child_subreaper) for a supervisor's grandchildren, and end the process
//! ([`exit`]) or the machine ([`reboot`]).
//!
//! ```
//! use freepoll::process::{waitid, ChildState, WaitId, WaitOptions};
//! # let child = unsafe { libc::fork() };
//! # if child == 0 { unsafe { libc::_exit(7) } }
//! // `child` is a child that exits with status 7.
//! let status = waitid(WaitId::Pid(child), WaitOptions::EXITED)?.unwrap();
//! assert_eq!((status.pid, status.state), (child, ChildState::Exited(7)));
//! // Reaped: nothing of it is left to wait for.
//! assert_eq!(waitid(WaitId::Pid(child), WaitOptions::EXITED), Err(freepoll::Errno::CHILD));
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **A `SIGCHLD` stands for any number of children.** Standard signals coalesce; reap with
//! [`WaitOptions::NOHANG`] until `waitid` answers `Ok(None)` (some children still running) or
//! [`Errno::CHILD`] (none left), every time a `SIGCHLD` is read.
//!
//! **A child that is never reaped stays a zombie**, and as PID 1 (or a subreaper) every
//! orphan in the system becomes yours to reap.

use crate::arch::{nr, syscall0, syscall1, syscall2, syscall3, syscall4, syscall5};
use crate::errno::{decode_raw, Result};
use crate::fd::{AsRawFd, BorrowedFd};
use crate::signal::{CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED, CLD_TRAPPED};
#[cfg(doc)]
use crate::Errno;
use bitflags::bitflags;
use core::fmt;
use static_assertions::const_assert_eq;

/// Which children [`waitid`] waits for (`idtype_t` and `id`).
#[derive(Clone, Copy, Debug)]
pub enum WaitId<'fd> {
    /// `P_ALL`: any child.
    All,
    /// `P_PID`: the child with this pid.
    Pid(i32),
    /// `P_PGID`: any child in this process group (0: the caller's group).
    Pgid(i32),
    /// `P_PIDFD`: the child this pidfd refers to (Linux 5.4).
    PidFd(BorrowedFd<'fd>),
}

bitflags! {
    /// Options for [`waitid`] (`include/uapi/linux/wait.h`). At least one of `EXITED`,
    /// `STOPPED` and `CONTINUED` must be given.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct WaitOptions: u32 {
        /// `WNOHANG`: answer at once, `None` if no child has changed state yet.
        const NOHANG = 1;
        /// `WSTOPPED`: report children stopped by a signal.
        const STOPPED = 2;
        /// `WEXITED`: report children that ended (and reap them).
        const EXITED = 4;
        /// `WCONTINUED`: report stopped children that a `SIGCONT` resumed.
        const CONTINUED = 8;
        /// `WNOWAIT`: report, but leave the child waitable (not reaped).
        const NOWAIT = 0x0100_0000;
    }
}

/// What became of a child.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChildState {
    /// It exited with this status (`CLD_EXITED`; the low 8 bits of what it passed to `exit`).
    Exited(i32),
    /// A signal ended it (`CLD_KILLED`), or ended it and a core dump was written
    /// (`CLD_DUMPED`).
    Killed {
        /// The signal.
        signal: i32,
        /// Whether a core dump was written.
        core_dumped: bool,
    },
    /// A signal stopped it (`CLD_STOPPED`).
    Stopped(i32),
    /// A `SIGCONT` resumed it (`CLD_CONTINUED`).
    Continued,
    /// A traced child trapped, with this signal (`CLD_TRAPPED`).
    Trapped(i32),
    /// A `si_code` this version of freepoll does not know, with its `si_status`.
    Other {
        /// `si_code`.
        code: i32,
        /// `si_status`.
        status: i32,
    },
}

impl fmt::Display for ChildState {
    /// As a shell reports it: `exited with status 3`, `killed by signal 15`,
    /// `killed by signal 11 (core dumped)`, `stopped by signal 19`, `continued`,
    /// `trapped with signal 5`, `si_code 7, si_status 0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ChildState::Exited(status) => write!(f, "exited with status {status}"),
            ChildState::Killed {
                signal,
                core_dumped: false,
            } => write!(f, "killed by signal {signal}"),
            ChildState::Killed {
                signal,
                core_dumped: true,
            } => write!(f, "killed by signal {signal} (core dumped)"),
            ChildState::Stopped(signal) => write!(f, "stopped by signal {signal}"),
            ChildState::Continued => f.write_str("continued"),
            ChildState::Trapped(signal) => write!(f, "trapped with signal {signal}"),
            ChildState::Other { code, status } => {
                write!(f, "si_code {code}, si_status {status}")
            }
        }
    }
}

/// A child [`waitid`] reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChildStatus {
    /// Its pid.
    pub pid: i32,
    /// Its real user ID.
    pub uid: u32,
    /// What happened to it.
    pub state: ChildState,
}

/// The part of the kernel's `siginfo_t` that waitid fills (`include/uapi/asm-generic/siginfo.h`):
/// the three leading ints, then the `_sigchld` member of the union.
#[derive(Clone, Copy, Default)]
#[repr(C)]
struct Sigchld {
    si_signo: i32,
    si_errno: i32,
    si_code: i32,
    sigchld: SigchldFields,
}

/// `_sigchld` in the union of `siginfo_t`. The union holds pointers and longs, so it starts at
/// the next pointer-aligned offset after the three ints (16 on 64-bit targets), which the
/// `isize` members give this struct too.
#[derive(Clone, Copy, Default)]
#[repr(C)]
struct SigchldFields {
    si_pid: i32,
    si_uid: u32,
    si_status: i32,
    si_utime: isize,
    si_stime: isize,
}

/// The whole 128-byte `siginfo_t` the kernel may write.
#[repr(C)]
struct Siginfo {
    head: Sigchld,
    _rest: [u8; SIGINFO_SIZE - core::mem::size_of::<Sigchld>()],
}

/// `sizeof(siginfo_t)` (`SI_MAX_SIZE`).
const SIGINFO_SIZE: usize = 128;
const_assert_eq!(core::mem::size_of::<Siginfo>(), SIGINFO_SIZE);

/// `P_ALL`, `P_PID`, `P_PGID`, `P_PIDFD` (`include/uapi/linux/wait.h`).
const P_ALL: usize = 0;
const P_PID: usize = 1;
const P_PGID: usize = 2;
const P_PIDFD: usize = 3;

/// `waitid(idtype, id, &info, options, NULL)`: waits for a child of `id` to change state as
/// `options` asks, and reports it. With [`EXITED`](WaitOptions::EXITED) (and no
/// [`NOWAIT`](WaitOptions::NOWAIT)) an ended child is reaped.
///
/// Returns `Ok(None)` only with [`NOHANG`](WaitOptions::NOHANG), when children of `id` exist
/// but none has changed state.
///
/// # Errors
/// - [`Errno::CHILD`]: no child of `id` to wait for (none at all, or all reaped).
/// - [`Errno::INVAL`]: none of `EXITED`, `STOPPED`, `CONTINUED`, or an unknown bit.
/// - [`Errno::INTR`]: a signal handler ran while it waited (never retried).
/// - [`Errno::AGAIN`]: `id` is a non-blocking pidfd whose process is still running.
/// - [`Errno::BADF`]: with [`WaitId::PidFd`], the descriptor is not a pidfd.
///
/// # References
/// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
#[doc(alias = "waitpid")]
#[doc(alias = "wait")]
#[inline]
pub fn waitid(id: WaitId<'_>, options: WaitOptions) -> Result<Option<ChildStatus>> {
    let (idtype, id) = match id {
        WaitId::All => (P_ALL, 0),
        WaitId::Pid(pid) => (P_PID, pid as isize as usize),
        WaitId::Pgid(pgid) => (P_PGID, pgid as isize as usize),
        WaitId::PidFd(fd) => (P_PIDFD, fd.as_raw_fd() as usize),
    };
    // Zeroed, so that `si_pid` stays 0 when NOHANG finds nothing.
    let mut info = Siginfo {
        head: Sigchld::default(),
        _rest: [0; SIGINFO_SIZE - core::mem::size_of::<Sigchld>()],
    };
    // SAFETY: `info` is valid for writes of the 128 bytes of a `siginfo_t`; the rusage
    // pointer is NULL; a pidfd in `id` is borrowed, so open for the call.
    let ret = unsafe {
        syscall5(
            nr::WAITID,
            idtype,
            id,
            &mut info as *mut Siginfo as usize,
            options.bits() as usize,
            0,
        )
    };
    decode_raw(ret)?;
    let (code, child) = (info.head.si_code, info.head.sigchld);
    if child.si_pid == 0 {
        return Ok(None);
    }
    let status = child.si_status;
    let state = match code {
        CLD_EXITED => ChildState::Exited(status),
        CLD_KILLED | CLD_DUMPED => ChildState::Killed {
            signal: status,
            core_dumped: code == CLD_DUMPED,
        },
        CLD_STOPPED => ChildState::Stopped(status),
        CLD_CONTINUED => ChildState::Continued,
        CLD_TRAPPED => ChildState::Trapped(status),
        code => ChildState::Other { code, status },
    };
    Ok(Some(ChildStatus {
        pid: child.si_pid,
        uid: child.si_uid,
        state,
    }))
}

/// `PR_SET_CHILD_SUBREAPER`, `PR_GET_CHILD_SUBREAPER` (`include/uapi/linux/prctl.h`).
const PR_SET_CHILD_SUBREAPER: usize = 36;
const PR_GET_CHILD_SUBREAPER: usize = 37;

/// `prctl(PR_SET_CHILD_SUBREAPER, on)`: with `true`, orphaned descendants of this process are
/// reparented to it rather than to PID 1, so a supervisor can reap its grandchildren.
///
/// # Errors
/// None in practice.
///
/// # References
/// - [PR_SET_CHILD_SUBREAPER(2const)](https://man7.org/linux/man-pages/man2/PR_SET_CHILD_SUBREAPER.2const.html),
///   [prctl(2)](https://man7.org/linux/man-pages/man2/prctl.2.html)
#[doc(alias = "prctl")]
#[doc(alias = "PR_SET_CHILD_SUBREAPER")]
#[inline]
pub fn set_child_subreaper(on: bool) -> Result<()> {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes an integer and touches no user memory.
    let ret = unsafe { syscall2(nr::PRCTL, PR_SET_CHILD_SUBREAPER, on as usize) };
    decode_raw(ret).map(drop)
}

/// `prctl(PR_GET_CHILD_SUBREAPER, &on)`: whether this process is a subreaper.
///
/// # Errors
/// None in practice.
///
/// # References
/// - [PR_GET_CHILD_SUBREAPER(2const)](https://man7.org/linux/man-pages/man2/PR_GET_CHILD_SUBREAPER.2const.html)
#[doc(alias = "prctl")]
#[doc(alias = "PR_GET_CHILD_SUBREAPER")]
#[inline]
pub fn is_child_subreaper() -> Result<bool> {
    let mut on: i32 = 0;
    // SAFETY: PR_GET_CHILD_SUBREAPER writes one `int` at the address given, `on` here.
    let ret = unsafe {
        syscall2(
            nr::PRCTL,
            PR_GET_CHILD_SUBREAPER,
            &mut on as *mut i32 as usize,
        )
    };
    decode_raw(ret)?;
    Ok(on != 0)
}

/// `getpid()`: this process's pid.
///
/// # References
/// - [getpid(2)](https://man7.org/linux/man-pages/man2/getpid.2.html)
#[inline]
pub fn getpid() -> i32 {
    // SAFETY: getpid takes nothing, touches no user memory and cannot fail.
    unsafe { syscall0(nr::GETPID) as i32 }
}

/// `getppid()`: the parent's pid (0 for PID 1).
///
/// # References
/// - [getppid(2)](https://man7.org/linux/man-pages/man2/getppid.2.html)
#[inline]
pub fn getppid() -> i32 {
    // SAFETY: getppid takes nothing, touches no user memory and cannot fail.
    unsafe { syscall0(nr::GETPPID) as i32 }
}

/// `gettid()`: the calling thread's ID, for [`tgkill`]. In a single-threaded process (and in
/// the main thread of any process) it is the pid.
///
/// # References
/// - [gettid(2)](https://man7.org/linux/man-pages/man2/gettid.2.html)
#[inline]
pub fn gettid() -> i32 {
    // SAFETY: gettid takes nothing, touches no user memory and cannot fail.
    unsafe { syscall0(nr::GETTID) as i32 }
}

/// `exit_group(status)`: ends the process, every thread of it, at once, with exit status
/// `status & 0xff`.
///
/// Nothing else runs: no destructor, no flush of buffered output, no `atexit` handler. In a
/// program with std, `std::process::exit` is usually what is wanted.
///
/// # References
/// - [exit_group(2)](https://man7.org/linux/man-pages/man2/exit_group.2.html)
#[doc(alias = "exit_group")]
#[doc(alias = "_exit")]
#[inline]
pub fn exit(status: i32) -> ! {
    loop {
        // SAFETY: exit_group takes an integer and touches no user memory. It ends every thread
        // of the process, so no borrowed data outlives its owner in a thread left running.
        unsafe { syscall1(nr::EXIT_GROUP, status as isize as usize) };
    }
}

/// What [`reboot`] does (`include/uapi/linux/reboot.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RebootCommand {
    /// `LINUX_REBOOT_CMD_POWER_OFF`: stop the system and remove power.
    PowerOff,
    /// `LINUX_REBOOT_CMD_RESTART`: restart the system.
    Restart,
    /// `LINUX_REBOOT_CMD_HALT`: stop the system, power left on.
    Halt,
    /// `LINUX_REBOOT_CMD_CAD_ON`: Ctrl-Alt-Del restarts at once.
    CtrlAltDelOn,
    /// `LINUX_REBOOT_CMD_CAD_OFF`: Ctrl-Alt-Del sends `SIGINT` to PID 1.
    CtrlAltDelOff,
}

/// `LINUX_REBOOT_MAGIC1`, `LINUX_REBOOT_MAGIC2` (`include/uapi/linux/reboot.h`).
const REBOOT_MAGIC1: usize = 0xfee1_dead;
const REBOOT_MAGIC2: usize = 672_274_793;

/// `reboot(MAGIC1, MAGIC2, cmd, NULL)`: powers off, restarts or halts the machine, or sets what
/// Ctrl-Alt-Del does. The first three return only on failure.
///
/// The kernel does not write file system buffers out first: an init syncs (or unmounts)
/// before it calls this.
///
/// # Errors
/// - [`Errno::PERM`]: without `CAP_SYS_BOOT`.
///
/// # References
/// - [reboot(2)](https://man7.org/linux/man-pages/man2/reboot.2.html)
#[inline]
pub fn reboot(cmd: RebootCommand) -> Result<()> {
    let cmd: usize = match cmd {
        RebootCommand::PowerOff => 0x4321_fedc,
        RebootCommand::Restart => 0x0123_4567,
        RebootCommand::Halt => 0xcdef_0123,
        RebootCommand::CtrlAltDelOn => 0x89ab_cdef,
        RebootCommand::CtrlAltDelOff => 0,
    };
    // SAFETY: with these commands reboot reads no user memory (the argument pointer is only
    // used by RESTART2, not offered here). A success ends or restarts the machine.
    let ret = unsafe { syscall4(nr::REBOOT, REBOOT_MAGIC1, REBOOT_MAGIC2, cmd, 0) };
    decode_raw(ret).map(drop)
}

/// `kill(pid, sig)`: sends signal `sig` to a process or a group of processes.
///
/// `pid` selects the receivers:
/// - `pid > 0`: the process `pid`;
/// - `pid == 0`: every process in the caller's process group;
/// - `pid == -1`: every process the caller may signal, except PID 1 and the caller itself;
/// - `pid < -1`: every process in process group `-pid` (as [`killpg`] does).
///
/// `sig == 0` sends nothing and only checks that `pid` exists and may be signalled. A signal
/// that is blocked in the receiver waits there, pending; to PID 1 (or the init of a PID
/// namespace) the kernel delivers only the signals it has a handler for or blocks (so reads
/// from a signalfd).
///
/// # Errors
/// - [`Errno::INVAL`]: `sig` is not in `0..=64`.
/// - [`Errno::SRCH`]: no process or group `pid` (a reaped pid included; a zombie is still
///   there and takes the signal without effect).
/// - [`Errno::PERM`]: not allowed to signal the process, or any of the group.
///
/// # References
/// - [kill(2)](https://man7.org/linux/man-pages/man2/kill.2.html)
#[inline]
pub fn kill(pid: i32, sig: i32) -> Result<()> {
    // SAFETY: kill takes two integers and touches no user memory.
    let ret = unsafe { syscall2(nr::KILL, pid as isize as usize, sig as isize as usize) };
    decode_raw(ret).map(drop)
}

/// `killpg(pgrp, sig)`, that is `kill(-pgrp, sig)`: sends signal `sig` to every process in
/// process group `pgrp`.
///
/// Unlike C's `killpg`, which takes 0 as the caller's own group, `pgrp` must be positive: 0
/// and negative numbers are refused rather than passed on as `kill(0, ...)` or
/// `kill(-1, ...)` (every process the caller may signal). [`kill`] with `pid == 0` signals the
/// caller's own group on purpose.
///
/// # Errors
/// - [`Errno::INVAL`]: `pgrp <= 0`, or `sig` is not in `0..=64`.
/// - [`Errno::SRCH`]: no process in group `pgrp`.
/// - [`Errno::PERM`]: not allowed to signal any process of the group.
///
/// # References
/// - [killpg(3)](https://man7.org/linux/man-pages/man3/killpg.3.html),
///   [kill(2)](https://man7.org/linux/man-pages/man2/kill.2.html)
#[inline]
pub fn killpg(pgrp: i32, sig: i32) -> Result<()> {
    if pgrp <= 0 {
        return Err(crate::Errno::INVAL);
    }
    kill(pgrp.wrapping_neg(), sig)
}

/// `tgkill(tgid, tid, sig)`: sends signal `sig` to the one thread `tid` of process `tgid`.
///
/// For a signal meant for a thread, not for the process: to wake a thread blocked in a call
/// with a signal it has a handler for, or to make one thread of an event loop take a signal
/// the others block. The pair names the thread safely enough: a `tid` that ended and was
/// reused by another process's thread fails with `ESRCH` rather than reaching it, unless
/// `tgid` was reused too. The receiver sees `si_code` [`SI_TKILL`](crate::signal::SI_TKILL).
///
/// ```
/// use freepoll::process::{getpid, gettid, tgkill};
/// // Signal 0: only checks that this thread exists.
/// tgkill(getpid(), gettid(), 0)?;
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # Errors
/// - [`Errno::INVAL`]: `tgid` or `tid` is not positive, or `sig` is not in `0..=64` (the
///   kernel's answers; nothing is checked before the call).
/// - [`Errno::SRCH`]: no thread `tid` in process `tgid`.
/// - [`Errno::PERM`]: not allowed to signal it.
///
/// # References
/// - [tgkill(2)](https://man7.org/linux/man-pages/man2/tgkill.2.html)
#[doc(alias = "tkill")]
#[inline]
pub fn tgkill(tgid: i32, tid: i32, sig: i32) -> Result<()> {
    // SAFETY: tgkill takes three integers and touches no user memory.
    let ret = unsafe {
        syscall3(
            nr::TGKILL,
            tgid as isize as usize,
            tid as isize as usize,
            sig as isize as usize,
        )
    };
    decode_raw(ret).map(drop)
}
