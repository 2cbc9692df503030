//! Signals to processes and threads, and the pid they are named by: `PidFd::send_signal_with`
//! and its Linux 6.9 flags (refused with the kernel's own `EINVAL` before 6.9), `tgkill`
//! against libc's, `PidFd::pid`, `PidFd::from_std_child` and what std's `Child` answers once
//! freepoll has reaped it, and `ChildState`'s `Display`.
//!
//! Children are made with `libc::fork` and only make system calls; each wait names its child,
//! so the tests can run side by side.

mod common;

use common::*;
use freepoll::pidfd::{PidFd, PidFdFlags, SendSignalFlags};
use freepoll::process::{getpid, gettid, tgkill, waitid, ChildState, WaitId, WaitOptions};
use freepoll::signal::{SIGKILL, SIGTERM, SIGUSR1, SIGUSR2, SI_TKILL, SI_USER};
use freepoll::Errno;

/// The errno libc's last failed call left.
fn last_errno() -> Errno {
    let raw = std::io::Error::last_os_error().raw_os_error().unwrap();
    Errno::from_raw_os_error(raw).unwrap()
}

/// libc's answer to `syscall(SYS_tgkill, tgid, tid, sig)`.
fn libc_tgkill(tgid: i32, tid: i32, sig: i32) -> Result<(), Errno> {
    // SAFETY: tgkill takes three integers; the callers pass this process's own threads (with
    // signal 0) or numbers that name no thread of it.
    if unsafe { libc::syscall(libc::SYS_tgkill, tgid, tid, sig) } == 0 {
        Ok(())
    } else {
        Err(last_errno())
    }
}

/// Waits for `child` to end and returns what ended it.
fn reap(child: &mut Child) -> ChildState {
    let status = waitid(WaitId::Pid(child.pid), WaitOptions::EXITED)
        .expect("waitid")
        .expect("an ended child");
    child.reaped();
    status.state
}

fn killed_by(signal: i32) -> ChildState {
    ChildState::Killed {
        signal,
        core_dumped: false,
    }
}

/// Whether the kernel took `flags` in a `send_signal_with` that answered `got`: natively,
/// Linux 6.9 and later must answer `Ok`, earlier ones `EINVAL`. Under qemu-user the host's
/// kernel answers (qemu passes the flags on), which may be either.
fn flags_taken(got: Result<(), Errno>, what: &str) -> bool {
    if emulated() {
        match got {
            Ok(()) => return true,
            Err(Errno::INVAL) => {
                emulator_note(format_args!(
                    "{what}: EINVAL, the host's kernel under qemu-user lacks the Linux 6.9 flags"
                ));
                return false;
            }
            Err(e) => panic!("{what}: {e:?}"),
        }
    }
    if kernel_at_least(6, 9) {
        assert_eq!(got, Ok(()), "{what} on Linux 6.9 or later");
        true
    } else {
        // Before 6.9 the kernel took no flag at all: `flags` had to be 0.
        assert_eq!(got, Err(Errno::INVAL), "{what} before Linux 6.9");
        skip(format_args!(
            "{what}: PIDFD_SIGNAL_* flags need Linux 6.9 (EINVAL checked instead)"
        ));
        false
    }
}

/// A child whose `SIGUSR1` is blocked from before it exists (the parent's thread blocks it
/// around the fork), which reads it from a signalfd and exits with 10 for `SI_TKILL`, 11 for
/// `SI_USER`, 12 for anything else.
fn child_reporting_si_code() -> Child {
    // SAFETY: a sigset built and used in this thread only; the mask is put back below.
    let old = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, SIGUSR1);
        let mut old: libc::sigset_t = std::mem::zeroed();
        assert_eq!(libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old), 0);
        old
    };
    let child = Child::spawn(|| {
        // SAFETY: system calls only: a signalfd for SIGUSR1 (blocked since the fork), one
        // read of one record into a local, and _exit.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, SIGUSR1);
            let fd = libc::signalfd(-1, &set, 0);
            let mut info: libc::signalfd_siginfo = std::mem::zeroed();
            let n = libc::read(
                fd,
                &mut info as *mut libc::signalfd_siginfo as *mut libc::c_void,
                std::mem::size_of::<libc::signalfd_siginfo>(),
            );
            if n as usize != std::mem::size_of::<libc::signalfd_siginfo>() {
                libc::_exit(13);
            }
            libc::_exit(match info.ssi_code {
                SI_TKILL => 10,
                SI_USER => 11,
                _ => 12,
            })
        }
    });
    // SAFETY: puts this thread's mask back.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
    child
}

#[test]
fn flag_values_are_the_kernels() {
    // include/uapi/linux/pidfd.h (Linux 6.9); the libc crate has no constants for them yet.
    assert_eq!(SendSignalFlags::THREAD.bits(), 1 << 0);
    assert_eq!(SendSignalFlags::THREAD_GROUP.bits(), 1 << 1);
    assert_eq!(SendSignalFlags::PROCESS_GROUP.bits(), 1 << 2);
}

#[test]
fn no_flag_is_send_signal() {
    let mut child = Child::spawn(pause_forever);
    let fd = PidFd::open(child.pid, PidFdFlags::empty()).unwrap();
    fd.send_signal_with(SIGTERM, SendSignalFlags::empty())
        .unwrap();
    assert_eq!(reap(&mut child), killed_by(SIGTERM));
}

#[test]
fn thread_flag_arrives_as_si_tkill() {
    let mut child = child_reporting_si_code();
    let fd = PidFd::open(child.pid, PidFdFlags::empty()).unwrap();
    let got = fd.send_signal_with(SIGUSR1, SendSignalFlags::THREAD);
    if flags_taken(got, "PIDFD_SIGNAL_THREAD") {
        assert_eq!(reap(&mut child), ChildState::Exited(10), "SI_TKILL");
    } else {
        assert_eq!(fd.send_signal(0), Ok(()), "nothing sent: still running");
    }
}

#[test]
fn thread_group_flag_arrives_as_si_user() {
    let mut child = child_reporting_si_code();
    let fd = PidFd::open(child.pid, PidFdFlags::empty()).unwrap();
    let got = fd.send_signal_with(SIGUSR1, SendSignalFlags::THREAD_GROUP);
    if flags_taken(got, "PIDFD_SIGNAL_THREAD_GROUP") {
        assert_eq!(reap(&mut child), ChildState::Exited(11), "SI_USER");
    } else {
        assert_eq!(fd.send_signal(0), Ok(()), "nothing sent: still running");
    }
}

/// Two children in a process group of their own, led by the first; both wait for signals.
fn group_of_two() -> (Child, Child) {
    let leader = Child::spawn(pause_forever);
    // The parent may move a child that has not called execve: no race with the child.
    // SAFETY: setpgid takes integers; `leader.pid` is this process's child.
    assert_eq!(unsafe { libc::setpgid(leader.pid, leader.pid) }, 0);
    let member = Child::spawn(pause_forever);
    // SAFETY: as above, for the second child, into the group just made.
    assert_eq!(unsafe { libc::setpgid(member.pid, leader.pid) }, 0);
    (leader, member)
}

#[test]
fn process_group_flag_reaches_every_process_of_the_group() {
    let (mut leader, mut member) = group_of_two();
    let fd = PidFd::open(leader.pid, PidFdFlags::empty()).unwrap();
    let got = fd.send_signal_with(SIGUSR2, SendSignalFlags::PROCESS_GROUP);
    if flags_taken(got, "PIDFD_SIGNAL_PROCESS_GROUP") {
        assert_eq!(reap(&mut leader), killed_by(SIGUSR2));
        assert_eq!(reap(&mut member), killed_by(SIGUSR2));
    } else {
        assert_eq!(fd.send_signal(0), Ok(()), "nothing sent: still running");
        // SAFETY: kill takes integers; `member.pid` is an unreaped child of this process.
        assert_eq!(unsafe { libc::kill(member.pid, 0) }, 0);
    }
}

#[test]
fn process_group_flag_on_a_process_that_leads_no_group_is_srch() {
    let (_leader, member) = group_of_two();
    let fd = PidFd::open(member.pid, PidFdFlags::empty()).unwrap();
    let got = fd.send_signal_with(SIGUSR2, SendSignalFlags::PROCESS_GROUP);
    if emulated() || kernel_at_least(6, 9) {
        // The member's pid is nobody's process group.
        if !(emulated() && got == Err(Errno::INVAL)) {
            assert_eq!(got, Err(Errno::SRCH));
        }
    } else {
        assert_eq!(got, Err(Errno::INVAL), "before Linux 6.9");
    }
}

#[test]
fn two_flags_at_once_are_einval_on_every_kernel() {
    let child = Child::spawn(pause_forever);
    let fd = PidFd::open(child.pid, PidFdFlags::empty()).unwrap();
    let two = SendSignalFlags::THREAD | SendSignalFlags::PROCESS_GROUP;
    assert_eq!(fd.send_signal_with(SIGKILL, two), Err(Errno::INVAL));
    assert_eq!(
        fd.send_signal_with(SIGKILL, SendSignalFlags::from_bits_retain(1 << 3)),
        Err(Errno::INVAL),
        "a bit no kernel knows"
    );
    assert_eq!(fd.send_signal(0), Ok(()), "nothing sent");
}

#[test]
fn tgkill_with_signal_zero_finds_this_thread_as_libcs_does() {
    let (pid, tid) = (getpid(), gettid());
    // SAFETY: getpid and gettid take nothing and cannot fail.
    assert_eq!((pid, tid), unsafe { (libc::getpid(), libc::gettid()) });
    assert_eq!(tgkill(pid, tid, 0), Ok(()));
    assert_eq!(tgkill(pid, tid, 0), libc_tgkill(pid, tid, 0));
}

#[test]
fn tgkill_of_a_thread_of_another_process_is_srch_as_libcs() {
    let child = Child::spawn(pause_forever);
    // The child's thread exists, but not in this process.
    assert_eq!(tgkill(getpid(), child.pid, 0), Err(Errno::SRCH));
    assert_eq!(libc_tgkill(getpid(), child.pid, 0), Err(Errno::SRCH));
    assert_eq!(tgkill(child.pid, child.pid, 0), Ok(()), "its own pair");
}

#[test]
fn tgkill_with_bad_arguments_is_einval_as_libcs() {
    let (pid, tid) = (getpid(), gettid());
    for (tgid, tid, sig) in [(0, tid, 0), (pid, 0, 0), (pid, -1, 0), (pid, tid, 65)] {
        assert_eq!(
            tgkill(tgid, tid, sig),
            Err(Errno::INVAL),
            "{tgid} {tid} {sig}"
        );
        assert_eq!(libc_tgkill(tgid, tid, sig), Err(Errno::INVAL));
    }
}

#[test]
fn tgkill_reaches_the_thread_named() {
    // A thread that blocks SIGUSR2 and waits for it with sigtimedwait: the signal is
    // pending on that thread only until it takes it, so no other thread of the test binary
    // sees it, whatever it blocks.
    let (tid_tx, tid_rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        // SAFETY: a sigset of this thread; rt_sigtimedwait reads the 8-byte kernel sigset at the
        // start of `set` and the timespec, and writes one siginfo_t into a local.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, SIGUSR2);
            assert_eq!(
                libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()),
                0
            );
            tid_tx.send(libc::gettid()).unwrap();
            let mut info: libc::siginfo_t = std::mem::zeroed();
            let limit = libc::timespec {
                tv_sec: 10,
                tv_nsec: 0,
            };
            // The system call, not glibc's sigtimedwait, which reports SI_TKILL as SI_USER.
            let sig = libc::syscall(
                libc::SYS_rt_sigtimedwait,
                &set as *const libc::sigset_t,
                &mut info as *mut libc::siginfo_t,
                &limit as *const libc::timespec,
                8usize,
            ) as i32;
            (sig, info.si_code, info.si_pid())
        }
    });
    let tid = tid_rx.recv().unwrap();
    tgkill(getpid(), tid, SIGUSR2).unwrap();
    let (sig, code, sender) = waiter.join().unwrap();
    assert_eq!((sig, code, sender), (SIGUSR2, SI_TKILL, getpid()));
}

#[test]
fn pidfd_pid_is_the_pid_it_was_opened_for_and_stays_after_reaping() {
    let mut child = Child::spawn(pause_forever);
    let fd = PidFd::open(child.pid, PidFdFlags::empty()).unwrap();
    assert_eq!(fd.pid(), child.pid);
    fd.send_signal(SIGKILL).unwrap();
    assert_eq!(reap(&mut child), killed_by(SIGKILL));
    // The number is kept; the process behind it is gone.
    assert_eq!(fd.pid(), child.pid);
    assert_eq!(fd.send_signal(0), Err(Errno::SRCH));
}

#[test]
fn child_state_displays_as_a_shell_reports_it() {
    let cases = [
        (ChildState::Exited(3), "exited with status 3"),
        (killed_by(15), "killed by signal 15"),
        (
            ChildState::Killed {
                signal: 11,
                core_dumped: true,
            },
            "killed by signal 11 (core dumped)",
        ),
        (ChildState::Stopped(19), "stopped by signal 19"),
        (ChildState::Continued, "continued"),
        (ChildState::Trapped(5), "trapped with signal 5"),
        (
            ChildState::Other { code: 9, status: 1 },
            "si_code 9, si_status 1",
        ),
    ];
    for (state, text) in cases {
        assert_eq!(state.to_string(), text);
    }
}

#[cfg(feature = "std")]
mod std_child {
    use super::*;
    use freepoll::epoll::{epoll_add, EventFlags};
    use std::process::{Command, Stdio};

    /// `/bin/sleep 60`: a std child that runs until it is signalled.
    fn sleeper() -> std::process::Child {
        Command::new("/bin/sleep")
            .arg("60")
            .stdin(Stdio::null())
            .spawn()
            .expect("/bin/sleep")
    }

    #[test]
    fn from_std_child_opens_the_childs_pidfd() {
        let mut child = sleeper();
        let fd = PidFd::from_std_child(&child).unwrap();
        assert_eq!(u32::try_from(fd.pid()).ok(), Some(child.id()));
        let ep = epoll();
        epoll_add(&ep, &fd, 5, EventFlags::IN).unwrap();
        assert_eq!(wait(&ep, 1, 0), vec![], "running: not readable");
        fd.send_signal(SIGTERM).unwrap();
        assert_eq!(wait(&ep, 1, 10_000), vec![(EventFlags::IN, 5)]);
        // Readable is not reaped: std can still reap it and see the signal.
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(SIGTERM));
    }

    #[test]
    fn std_child_reaped_by_freepoll_answers_echild_and_esrch() {
        let mut child = sleeper();
        let fd = PidFd::from_std_child(&child).unwrap();
        fd.send_signal(SIGKILL).unwrap();
        // WaitId::Pid, not WaitId::All: the other tests' children are not this test's to
        // reap. Either reaps the same child, behind std's back.
        let status = waitid(WaitId::Pid(fd.pid()), WaitOptions::EXITED)
            .unwrap()
            .unwrap();
        assert_eq!(status.state, killed_by(SIGKILL));
        assert_eq!(status.state.to_string(), "killed by signal 9");
        // std's Child has only the number left.
        let waited = child.try_wait().unwrap_err();
        assert_eq!(waited.raw_os_error(), Some(libc::ECHILD), "{waited}");
        let killed = child.kill().unwrap_err();
        assert_eq!(killed.raw_os_error(), Some(libc::ESRCH), "{killed}");
        // And a pidfd can no longer be opened from it.
        assert_eq!(PidFd::from_std_child(&child).err(), Some(Errno::SRCH));
    }
}
