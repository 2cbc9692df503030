//! `process::kill` and `process::killpg`: a signal reaches a forked child and ends it as the
//! kernel reports through waitid, a group signal reaches every member, and the errors come
//! back by name, the same as libc's `kill` and `killpg` give them.
//!
//! Children are made with `libc::fork` and only make system calls; each wait names its child,
//! so the tests can run side by side.

mod common;

use common::*;
use freepoll::process::{kill, killpg, waitid, ChildState, WaitId, WaitOptions};
use freepoll::signal::{SIGKILL, SIGTERM, SIGUSR1};
use freepoll::Errno;

/// The errno libc's last failed call left.
fn last_errno() -> Errno {
    let raw = std::io::Error::last_os_error().raw_os_error().unwrap();
    Errno::from_raw_os_error(raw).unwrap()
}

/// libc's answer to `kill(pid, sig)`: `Ok(())` or the errno.
fn libc_kill(pid: i32, sig: i32) -> Result<(), Errno> {
    // SAFETY: kill takes two integers; the callers pass only pids of their own children (or
    // numbers that name no process) and signal 0 or a signal meant for that child.
    if unsafe { libc::kill(pid, sig) } == 0 {
        Ok(())
    } else {
        Err(last_errno())
    }
}

/// libc's answer to `killpg(pgrp, sig)`.
fn libc_killpg(pgrp: i32, sig: i32) -> Result<(), Errno> {
    // SAFETY: as `libc_kill`: only the groups of this test's own children.
    if unsafe { libc::killpg(pgrp, sig) } == 0 {
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

/// A child body: ends at once, status 0.
fn exit_now() -> ! {
    // SAFETY: _exit takes an integer and ends the process.
    unsafe { libc::_exit(0) }
}

/// A pid that was a child of this process and has been reaped: no process has it (the kernel
/// hands pids out in increasing order and wraps only after `pid_max` more, so it is not
/// reused within the test).
fn reaped_pid() -> i32 {
    let mut child = Child::spawn(exit_now);
    assert_eq!(reap(&mut child), ChildState::Exited(0));
    child.pid
}

#[test]
fn kill_ends_a_child_with_the_signal() {
    let mut child = Child::spawn(pause_forever);
    kill(child.pid, SIGTERM).expect("kill");
    assert_eq!(
        reap(&mut child),
        ChildState::Killed {
            signal: SIGTERM,
            core_dumped: false
        }
    );
}

#[test]
fn kill_with_signal_zero_only_checks_the_process() {
    let mut child = Child::spawn(pause_forever);
    assert_eq!(kill(child.pid, 0), Ok(()));
    assert_eq!(libc_kill(child.pid, 0), Ok(()));
    // Still running: signal 0 sent nothing. Now end it for real.
    assert_eq!(
        waitid(
            WaitId::Pid(child.pid),
            WaitOptions::EXITED | WaitOptions::NOHANG
        ),
        Ok(None)
    );
    kill(child.pid, SIGKILL).expect("kill");
    assert_eq!(
        reap(&mut child),
        ChildState::Killed {
            signal: SIGKILL,
            core_dumped: false
        }
    );
}

#[test]
fn kill_of_a_reaped_pid_is_srch() {
    let pid = reaped_pid();
    assert_eq!(kill(pid, 0), Err(Errno::SRCH));
    assert_eq!(libc_kill(pid, 0), Err(Errno::SRCH));
}

#[test]
fn kill_with_a_bad_signal_is_inval() {
    let child = Child::spawn(pause_forever);
    for sig in [-1, 65, i32::MAX] {
        assert_eq!(kill(child.pid, sig), Err(Errno::INVAL), "signal {sig}");
        assert_eq!(libc_kill(child.pid, sig), Err(Errno::INVAL), "signal {sig}");
    }
    // Nothing was sent: the child is still running.
    assert_eq!(
        waitid(
            WaitId::Pid(child.pid),
            WaitOptions::EXITED | WaitOptions::NOHANG
        ),
        Ok(None)
    );
}

/// Two children in a process group of their own, led by the first; both wait for signals.
fn group_of_two() -> (Child, Child) {
    let leader = Child::spawn(pause_forever);
    // The parent may move a child that has not called execve: no race with the child.
    // SAFETY: setpgid takes integers; `leader.pid` is this process's child.
    assert_eq!(
        unsafe { libc::setpgid(leader.pid, leader.pid) },
        0,
        "setpgid"
    );
    let member = Child::spawn(pause_forever);
    // SAFETY: as above, for the second child, into the group just made.
    assert_eq!(
        unsafe { libc::setpgid(member.pid, leader.pid) },
        0,
        "setpgid"
    );
    (leader, member)
}

#[test]
fn killpg_reaches_every_process_of_the_group() {
    let (mut leader, mut member) = group_of_two();
    killpg(leader.pid, SIGUSR1).expect("killpg");
    let by_usr1 = ChildState::Killed {
        signal: SIGUSR1,
        core_dumped: false,
    };
    assert_eq!(reap(&mut leader), by_usr1);
    assert_eq!(reap(&mut member), by_usr1);
}

#[test]
fn kill_of_a_negative_pid_reaches_the_group() {
    let (mut leader, mut member) = group_of_two();
    kill(-leader.pid, SIGTERM).expect("kill(-pgrp)");
    let by_term = ChildState::Killed {
        signal: SIGTERM,
        core_dumped: false,
    };
    assert_eq!(reap(&mut leader), by_term);
    assert_eq!(reap(&mut member), by_term);
}

#[test]
fn killpg_refuses_group_zero_and_negative_groups() {
    // Signal 0: even a wrong answer would send nothing.
    for pgrp in [0, -1, i32::MIN] {
        assert_eq!(killpg(pgrp, 0), Err(Errno::INVAL), "group {pgrp}");
    }
}

#[test]
fn killpg_of_an_empty_group_is_srch() {
    let pgrp = reaped_pid();
    assert_eq!(killpg(pgrp, 0), Err(Errno::SRCH));
    assert_eq!(libc_killpg(pgrp, 0), Err(Errno::SRCH));
}

#[test]
fn killpg_with_a_bad_signal_is_inval() {
    let (leader, _member) = group_of_two();
    assert_eq!(killpg(leader.pid, 65), Err(Errno::INVAL));
    assert_eq!(libc_killpg(leader.pid, 65), Err(Errno::INVAL));
}
