//! `waitid(WaitId::All)` and `WaitId::Pgid(0)`: any child of this process. One test in a binary
//! of its own, since a wait for any child would reap the children of tests running in parallel.

mod common;

use common::*;
use freepoll::process::{waitid, ChildState, WaitId, WaitOptions};
use freepoll::Errno;

#[test]
fn waits_for_any_child_reap_every_one_then_echild() {
    // SAFETY: getuid takes nothing and cannot fail.
    let uid = unsafe { libc::getuid() };
    let exits = WaitOptions::EXITED;
    let nohang = WaitOptions::EXITED | WaitOptions::NOHANG;

    // No child at all: ECHILD, with or without NOHANG.
    assert_eq!(waitid(WaitId::All, nohang), Err(Errno::CHILD));
    assert_eq!(waitid(WaitId::All, exits), Err(Errno::CHILD));
    assert_eq!(waitid(WaitId::Pgid(0), nohang), Err(Errno::CHILD));

    // Three children that exit: one wait each, any order, then none left.
    let mut children = [
        Child::spawn(|| unsafe { libc::_exit(1) }),
        Child::spawn(|| unsafe { libc::_exit(2) }),
        Child::spawn(|| unsafe { libc::_exit(3) }),
    ];
    let mut got = Vec::new();
    for _ in 0..3 {
        let status = waitid(WaitId::All, exits).unwrap().unwrap();
        assert_eq!(status.uid, uid);
        got.push((status.pid, status.state));
    }
    for child in &mut children {
        child.reaped();
    }
    got.sort_unstable_by_key(|&(pid, _)| pid);
    let mut want: Vec<_> = children
        .iter()
        .zip(1..)
        .map(|(c, code)| (c.pid, ChildState::Exited(code)))
        .collect();
    want.sort_unstable_by_key(|&(pid, _)| pid);
    assert_eq!(got, want);
    assert_eq!(waitid(WaitId::All, nohang), Err(Errno::CHILD), "all reaped");

    // A running child: NOHANG answers None (not ECHILD) until it ends.
    let mut running = Child::spawn(pause_forever);
    assert_eq!(waitid(WaitId::All, nohang), Ok(None));
    // In this process's group, as a forked child is: Pgid(0) sees it too.
    assert_eq!(waitid(WaitId::Pgid(0), nohang), Ok(None));
    // SAFETY: kill takes integers; the pid is an unreaped child.
    assert_eq!(unsafe { libc::kill(running.pid, libc::SIGKILL) }, 0);
    let status = waitid(WaitId::Pgid(0), exits).unwrap().unwrap();
    running.reaped();
    assert_eq!(status.pid, running.pid);
    assert_eq!(
        status.state,
        ChildState::Killed {
            signal: libc::SIGKILL,
            core_dumped: false
        }
    );

    // A stopped child, reported to a wait for stops from any child.
    let stopped = Child::spawn(pause_forever);
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(stopped.pid, libc::SIGSTOP) }, 0);
    let status = waitid(WaitId::All, WaitOptions::STOPPED).unwrap().unwrap();
    assert_eq!(
        (status.pid, status.state),
        (stopped.pid, ChildState::Stopped(libc::SIGSTOP))
    );
    drop(stopped); // killed and reaped
    assert_eq!(waitid(WaitId::All, nohang), Err(Errno::CHILD), "none left");
}
