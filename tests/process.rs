//! `process` and `pidfd`: children reaped by pid or pidfd with what became of them, pidfd
//! readiness and signals, the subreaper flag, and the process ids.
//!
//! Every wait here names its child (`WaitId::Pid`, `WaitId::PidFd`, its own process group), so
//! the tests can run in parallel threads without reaping each other's children; the `WaitId::All`
//! tests are in tests/waitid_all.rs. Children are made with `libc::fork` and only make system
//! calls before they end.

mod common;

use common::*;
use freepoll::epoll::{epoll_add, EventFlags};
use freepoll::fd::AsFd;
use freepoll::pidfd::{PidFd, PidFdFlags};
use freepoll::process::{
    getpid, getppid, is_child_subreaper, set_child_subreaper, waitid, ChildState, ChildStatus,
    WaitId, WaitOptions,
};
use freepoll::Errno;
use std::sync::Mutex;

/// The subreaper flag is process-wide: the tests that change it hold this.
static SUBREAPER: Mutex<()> = Mutex::new(());

fn uid() -> u32 {
    // SAFETY: getuid takes nothing and cannot fail.
    unsafe { libc::getuid() }
}

/// Whether `got`, an answer of pidfd_open, says that the call is missing where that is allowed,
/// and then prints the skip: under an emulator that answers ENOSYS, or on a kernel older than
/// the call (5.3), which must answer ENOSYS. Anywhere else the call must exist.
fn pidfd_open_missing<T>(got: &Result<T, Errno>) -> bool {
    let nosys = matches!(got, Err(Errno::NOSYS));
    if emulated() {
        if nosys {
            skip(format_args!(
                "pidfd_open (Linux 5.3): the emulator answers ENOSYS"
            ));
        }
        return nosys;
    }
    if kernel_at_least(5, 3) {
        return false;
    }
    let k = kernel();
    assert!(nosys, "pidfd_open on Linux {k}, older than the call (5.3)");
    skip(format_args!(
        "pidfd_open (Linux 5.3): this kernel ({k}) answers ENOSYS"
    ));
    true
}

/// A pidfd for `pid`, or `None` (and a skip line) where the kernel or emulator has no
/// pidfd_open, or no PIDFD_NONBLOCK (Linux 5.10) when `flags` asks for it.
fn pidfd(pid: i32, flags: PidFdFlags) -> Option<PidFd> {
    let got = PidFd::open(pid, flags);
    if pidfd_open_missing(&got) {
        return None;
    }
    if flags.contains(PidFdFlags::NONBLOCK) && !emulated() && !kernel_at_least(5, 10) {
        let k = kernel();
        assert_eq!(
            got.err(),
            Some(Errno::INVAL),
            "PIDFD_NONBLOCK on Linux {k}, older than the flag (5.10)"
        );
        skip(format_args!(
            "PIDFD_NONBLOCK (Linux 5.10): this kernel ({k}) answers EINVAL"
        ));
        return None;
    }
    match got {
        Ok(fd) => Some(fd),
        Err(e) => panic!("pidfd_open({pid}): {e:?}"),
    }
}

/// Whether this process is a subreaper, or `None` (and a skip line) under an emulator that
/// does not pass PR_GET_CHILD_SUBREAPER on (qemu-user 7.2 answers EINVAL). A kernel has it
/// since Linux 3.4.
fn subreaper_or_skip() -> Option<bool> {
    match is_child_subreaper() {
        Ok(on) => Some(on),
        Err(Errno::INVAL) if emulated() => {
            skip(format_args!(
                "PR_GET_CHILD_SUBREAPER (Linux 3.4): the emulator answers EINVAL"
            ));
            None
        }
        Err(e) => panic!("PR_GET_CHILD_SUBREAPER: {e:?}"),
    }
}

fn exited(pid: i32, code: i32) -> Option<ChildStatus> {
    Some(ChildStatus {
        pid,
        uid: uid(),
        state: ChildState::Exited(code),
    })
}

fn killed(pid: i32, signal: i32) -> Option<ChildStatus> {
    Some(ChildStatus {
        pid,
        uid: uid(),
        state: ChildState::Killed {
            signal,
            core_dumped: false,
        },
    })
}

fn kill(pid: i32, sig: i32) {
    // SAFETY: kill takes integers; `pid` is an unreaped child of this test.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
}

#[test]
fn wait_options_are_libcs_w_constants() {
    assert_eq!(WaitOptions::NOHANG.bits(), libc::WNOHANG as u32);
    assert_eq!(WaitOptions::STOPPED.bits(), libc::WSTOPPED as u32);
    assert_eq!(WaitOptions::EXITED.bits(), libc::WEXITED as u32);
    assert_eq!(WaitOptions::CONTINUED.bits(), libc::WCONTINUED as u32);
    assert_eq!(WaitOptions::NOWAIT.bits(), libc::WNOWAIT as u32);
    assert_eq!(PidFdFlags::NONBLOCK.bits(), libc::O_NONBLOCK as u32);
}

#[test]
fn getpid_and_getppid_are_libcs() {
    // SAFETY: getpid and getppid take nothing and cannot fail.
    let (pid, ppid) = unsafe { (libc::getpid(), libc::getppid()) };
    assert_eq!(getpid(), pid);
    assert_eq!(getppid(), ppid);
}

#[test]
fn waitid_pid_reports_the_exit_status_and_reaps() {
    let mut child = Child::spawn(|| unsafe { libc::_exit(7) });
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Ok(exited(child.pid, 7))
    );
    child.reaped();
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Err(Errno::CHILD),
        "reaped: nothing left"
    );
}

#[test]
fn exit_status_is_its_low_eight_bits() {
    let mut child = Child::spawn(|| unsafe { libc::_exit(255) });
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Ok(exited(child.pid, 255))
    );
    child.reaped();
    let mut child = Child::spawn(|| freepoll::process::exit(256 + 42));
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Ok(exited(child.pid, 42))
    );
    child.reaped();
}

#[test]
fn exit_ends_the_process_with_its_status() {
    let mut child = Child::spawn(|| freepoll::process::exit(0));
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Ok(exited(child.pid, 0))
    );
    child.reaped();
}

#[test]
fn nohang_answers_none_while_the_child_runs() {
    let mut child = Child::spawn(pause_forever);
    assert_eq!(
        waitid(
            WaitId::Pid(child.pid),
            WaitOptions::EXITED | WaitOptions::NOHANG
        ),
        Ok(None)
    );
    kill(child.pid, libc::SIGKILL);
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Ok(killed(child.pid, libc::SIGKILL))
    );
    child.reaped();
}

#[test]
fn nohang_reports_a_child_that_has_ended() {
    let mut child = Child::spawn(|| unsafe { libc::_exit(9) });
    // Wait, without reaping, until it has ended; then NOHANG must report it.
    let seen = waitid(
        WaitId::Pid(child.pid),
        WaitOptions::EXITED | WaitOptions::NOWAIT,
    );
    assert_eq!(seen, Ok(exited(child.pid, 9)));
    assert_eq!(
        waitid(
            WaitId::Pid(child.pid),
            WaitOptions::EXITED | WaitOptions::NOHANG
        ),
        Ok(exited(child.pid, 9))
    );
    child.reaped();
}

#[test]
fn sigterm_is_reported_as_killed_without_core() {
    let mut child = Child::spawn(pause_forever);
    kill(child.pid, libc::SIGTERM);
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Ok(killed(child.pid, libc::SIGTERM))
    );
    child.reaped();
}

#[test]
fn stopped_and_continued_are_reported_when_asked() {
    let child = Child::spawn(pause_forever);
    kill(child.pid, libc::SIGSTOP);
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::STOPPED),
        Ok(Some(ChildStatus {
            pid: child.pid,
            uid: uid(),
            state: ChildState::Stopped(libc::SIGSTOP)
        }))
    );
    // Reported once: a second NOHANG wait for stops finds nothing new.
    assert_eq!(
        waitid(
            WaitId::Pid(child.pid),
            WaitOptions::STOPPED | WaitOptions::NOHANG
        ),
        Ok(None)
    );
    kill(child.pid, libc::SIGCONT);
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::CONTINUED),
        Ok(Some(ChildStatus {
            pid: child.pid,
            uid: uid(),
            state: ChildState::Continued
        }))
    );
    // Still running: dropping `child` kills and reaps it.
}

#[test]
fn a_stop_is_not_reported_to_a_wait_for_exits_only() {
    let mut child = Child::spawn(pause_forever);
    kill(child.pid, libc::SIGSTOP);
    // Wait for the stop without consuming it, so that the next call runs after it.
    let stop = waitid(
        WaitId::Pid(child.pid),
        WaitOptions::STOPPED | WaitOptions::NOWAIT,
    );
    assert_eq!(
        stop.unwrap().map(|s| s.state),
        Some(ChildState::Stopped(libc::SIGSTOP))
    );
    assert_eq!(
        waitid(
            WaitId::Pid(child.pid),
            WaitOptions::EXITED | WaitOptions::NOHANG
        ),
        Ok(None)
    );
    kill(child.pid, libc::SIGKILL);
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Ok(killed(child.pid, libc::SIGKILL))
    );
    child.reaped();
}

#[test]
fn nowait_leaves_the_child_waitable() {
    let mut child = Child::spawn(|| unsafe { libc::_exit(4) });
    let opts = WaitOptions::EXITED | WaitOptions::NOWAIT;
    assert_eq!(
        waitid(WaitId::Pid(child.pid), opts),
        Ok(exited(child.pid, 4))
    );
    assert_eq!(
        waitid(WaitId::Pid(child.pid), opts),
        Ok(exited(child.pid, 4))
    );
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Ok(exited(child.pid, 4))
    );
    child.reaped();
    assert_eq!(waitid(WaitId::Pid(child.pid), opts), Err(Errno::CHILD));
}

#[test]
fn waitid_without_a_state_to_wait_for_is_einval() {
    let child = Child::spawn(pause_forever);
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::NOHANG),
        Err(Errno::INVAL)
    );
    assert_eq!(
        waitid(
            WaitId::Pid(child.pid),
            WaitOptions::from_bits_retain(WaitOptions::EXITED.bits() | 1 << 20)
        ),
        Err(Errno::INVAL)
    );
}

#[test]
fn waitid_for_a_process_that_is_not_a_child_is_echild() {
    assert_eq!(
        waitid(
            WaitId::Pid(getppid()),
            WaitOptions::EXITED | WaitOptions::NOHANG
        ),
        Err(Errno::CHILD)
    );
    assert_eq!(
        waitid(
            WaitId::Pid(getpid()),
            WaitOptions::EXITED | WaitOptions::NOHANG
        ),
        Err(Errno::CHILD)
    );
}

#[test]
fn waitid_pgid_waits_for_the_childs_own_group() {
    let mut child = Child::spawn(|| {
        // SAFETY: setpgid takes integers; pause only waits.
        unsafe { libc::setpgid(0, 0) };
        pause_forever()
    });
    // Both sides move it, so the group exists whichever runs first.
    // SAFETY: setpgid takes integers; `child.pid` is a child that has not called exec.
    unsafe { libc::setpgid(child.pid, child.pid) };
    assert_eq!(
        waitid(
            WaitId::Pgid(child.pid),
            WaitOptions::EXITED | WaitOptions::NOHANG
        ),
        Ok(None)
    );
    kill(child.pid, libc::SIGKILL);
    assert_eq!(
        waitid(WaitId::Pgid(child.pid), WaitOptions::EXITED),
        Ok(killed(child.pid, libc::SIGKILL))
    );
    child.reaped();
    assert_eq!(
        waitid(WaitId::Pgid(child.pid), WaitOptions::EXITED),
        Err(Errno::CHILD)
    );
}

#[test]
fn pidfd_is_readable_in_epoll_once_the_child_ends() {
    let mut child = Child::spawn(pause_forever);
    let Some(fd) = pidfd(child.pid, PidFdFlags::empty()) else {
        return;
    };
    let ep = epoll();
    epoll_add(&ep, &fd, 0x9d, EventFlags::IN).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![], "running");
    kill(child.pid, libc::SIGKILL);
    assert_eq!(wait(&ep, 4, 10_000), vec![(EventFlags::IN, 0x9d)]);
    // Readable is not reaped: the zombie is still there to wait for.
    assert_eq!(
        waitid(WaitId::PidFd(fd.as_fd()), WaitOptions::EXITED),
        Ok(killed(child.pid, libc::SIGKILL))
    );
    child.reaped();
}

#[test]
fn waitid_pidfd_reports_the_exit_status_and_reaps() {
    let mut child = Child::spawn(|| unsafe { libc::_exit(3) });
    let Some(fd) = pidfd(child.pid, PidFdFlags::empty()) else {
        return;
    };
    assert_eq!(
        waitid(WaitId::PidFd(fd.as_fd()), WaitOptions::EXITED),
        Ok(exited(child.pid, 3))
    );
    child.reaped();
    assert_eq!(
        waitid(WaitId::PidFd(fd.as_fd()), WaitOptions::EXITED),
        Err(Errno::CHILD)
    );
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Err(Errno::CHILD)
    );
}

#[test]
fn waitid_pidfd_nohang_answers_none_while_the_child_runs() {
    let child = Child::spawn(pause_forever);
    let Some(fd) = pidfd(child.pid, PidFdFlags::empty()) else {
        return;
    };
    assert_eq!(
        waitid(
            WaitId::PidFd(fd.as_fd()),
            WaitOptions::EXITED | WaitOptions::NOHANG
        ),
        Ok(None)
    );
}

#[test]
fn nonblocking_pidfd_wait_on_a_running_child_is_eagain() {
    let child = Child::spawn(pause_forever);
    let Some(fd) = pidfd(child.pid, PidFdFlags::NONBLOCK) else {
        return;
    };
    // Linux 5.10 and later; earlier kernels refuse the flag in pidfd_open.
    assert_eq!(
        waitid(WaitId::PidFd(fd.as_fd()), WaitOptions::EXITED),
        Err(Errno::AGAIN)
    );
}

#[test]
fn waitid_pidfd_on_another_kind_of_descriptor_is_ebadf() {
    let efd = eventfd(0);
    assert_eq!(
        waitid(
            WaitId::PidFd(efd.as_fd()),
            WaitOptions::EXITED | WaitOptions::NOHANG
        ),
        Err(Errno::BADF)
    );
}

#[test]
fn pidfd_open_refuses_bad_pids_and_flags() {
    if pidfd(getpid(), PidFdFlags::empty()).is_none() {
        return;
    }
    assert_eq!(
        PidFd::open(0, PidFdFlags::empty()).err(),
        Some(Errno::INVAL)
    );
    assert_eq!(
        PidFd::open(-1, PidFdFlags::empty()).err(),
        Some(Errno::INVAL)
    );
    assert_eq!(
        PidFd::open(getpid(), PidFdFlags::from_bits_retain(1)).err(),
        Some(Errno::INVAL)
    );
}

#[test]
fn pidfd_open_of_a_reaped_child_is_esrch() {
    let mut child = Child::spawn(|| unsafe { libc::_exit(0) });
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Ok(exited(child.pid, 0))
    );
    child.reaped();
    let got = PidFd::open(child.pid, PidFdFlags::empty());
    if !pidfd_open_missing(&got) {
        assert_eq!(got.err(), Some(Errno::SRCH));
    }
}

#[test]
fn pidfd_send_signal_kills_the_child() {
    let mut child = Child::spawn(pause_forever);
    let Some(fd) = pidfd(child.pid, PidFdFlags::empty()) else {
        return;
    };
    assert_eq!(fd.send_signal(0), Ok(()), "alive");
    fd.send_signal(libc::SIGTERM).unwrap();
    assert_eq!(
        waitid(WaitId::PidFd(fd.as_fd()), WaitOptions::EXITED),
        Ok(killed(child.pid, libc::SIGTERM))
    );
    child.reaped();
}

#[test]
fn pidfd_send_signal_to_a_zombie_succeeds_and_once_reaped_is_esrch() {
    let mut child = Child::spawn(|| unsafe { libc::_exit(1) });
    let Some(fd) = pidfd(child.pid, PidFdFlags::empty()) else {
        return;
    };
    // Ended, not yet reaped: wait for the zombie without reaping it.
    assert_eq!(
        waitid(
            WaitId::PidFd(fd.as_fd()),
            WaitOptions::EXITED | WaitOptions::NOWAIT
        ),
        Ok(exited(child.pid, 1))
    );
    // A zombie still takes signals (they do nothing), as kill(2) says for the same pid
    // (Linux 6.18; the pidfd docs' "ESRCH once ended" holds only after the reaping).
    // SAFETY: kill with signal 0 sends nothing; the pid is an unreaped child.
    assert_eq!(
        unsafe { libc::kill(child.pid, 0) },
        0,
        "kill(2) on the zombie"
    );
    assert_eq!(fd.send_signal(0), Ok(()), "a zombie");
    assert_eq!(fd.send_signal(libc::SIGKILL), Ok(()));
    assert_eq!(
        waitid(WaitId::PidFd(fd.as_fd()), WaitOptions::EXITED),
        Ok(exited(child.pid, 1))
    );
    child.reaped();
    assert_eq!(fd.send_signal(0), Err(Errno::SRCH), "reaped");
    assert_eq!(fd.send_signal(libc::SIGKILL), Err(Errno::SRCH), "reaped");
}

#[test]
fn pidfd_send_signal_of_a_bad_number_is_einval() {
    let child = Child::spawn(pause_forever);
    let Some(fd) = pidfd(child.pid, PidFdFlags::empty()) else {
        return;
    };
    assert_eq!(fd.send_signal(-1), Err(Errno::INVAL));
    assert_eq!(fd.send_signal(65), Err(Errno::INVAL));
}

#[test]
fn pidfd_send_signal_arrives_as_si_user_from_this_process() {
    // The child inherits SIGUSR1 blocked, waits for it with sigwaitinfo, and exits 0 only if
    // it came as kill(2) would send it (SI_USER) from its parent.
    let set = freepoll::signal::SigSet::of(&[libc::SIGUSR1]).unwrap();
    let old =
        freepoll::signal::sigprocmask(freepoll::signal::SigmaskHow::Block, Some(&set)).unwrap();
    let mut child = Child::spawn(|| {
        // SAFETY: `set` and `info` are live locals; sigwaitinfo writes `info`.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGUSR1);
            let mut info: libc::siginfo_t = std::mem::zeroed();
            let sig = libc::sigwaitinfo(&set, &mut info);
            let ok = sig == libc::SIGUSR1
                && info.si_code == libc::SI_USER
                && info.si_pid() == libc::getppid();
            libc::_exit(if ok { 0 } else { 1 })
        }
    });
    freepoll::signal::sigprocmask(freepoll::signal::SigmaskHow::SetMask, Some(&old)).unwrap();
    let Some(fd) = pidfd(child.pid, PidFdFlags::empty()) else {
        return;
    };
    fd.send_signal(libc::SIGUSR1).unwrap();
    assert_eq!(
        waitid(WaitId::PidFd(fd.as_fd()), WaitOptions::EXITED),
        Ok(exited(child.pid, 0))
    );
    child.reaped();
}

#[test]
fn subreaper_flag_is_set_read_back_and_cleared() {
    let _lock = SUBREAPER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(before) = subreaper_or_skip() else {
        return;
    };
    set_child_subreaper(true).unwrap();
    assert_eq!(is_child_subreaper(), Ok(true));
    let mut on: i32 = 0;
    // SAFETY: PR_GET_CHILD_SUBREAPER writes one int at the address given.
    assert_eq!(
        unsafe { libc::prctl(libc::PR_GET_CHILD_SUBREAPER, &mut on as *mut i32) },
        0
    );
    assert_eq!(on, 1, "libc reads the same flag");
    set_child_subreaper(false).unwrap();
    assert_eq!(is_child_subreaper(), Ok(false));
    set_child_subreaper(before).unwrap();
}

#[test]
fn subreaper_reaps_an_orphaned_grandchild() {
    let _lock = SUBREAPER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(before) = subreaper_or_skip() else {
        return;
    };
    set_child_subreaper(true).unwrap();
    let (rx, tx) = pipe();
    let tx_raw = freepoll::fd::AsRawFd::as_raw_fd(&tx);
    // The child passes the write end's number through a static: it only reads it.
    static TX: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);
    TX.store(tx_raw, std::sync::atomic::Ordering::SeqCst);
    let mut child = Child::spawn(|| {
        let tx = TX.load(std::sync::atomic::Ordering::SeqCst);
        // SAFETY: fork, write and _exit are async-signal-safe; the grandchild only exits, and
        // `pid` is a live local of which write reads 4 bytes.
        unsafe {
            let pid = libc::fork();
            if pid == 0 {
                libc::_exit(5);
            }
            libc::write(tx, &pid as *const i32 as *const libc::c_void, 4);
            libc::_exit(0)
        }
    });
    drop(tx);
    assert_eq!(
        waitid(WaitId::Pid(child.pid), WaitOptions::EXITED),
        Ok(exited(child.pid, 0))
    );
    child.reaped();
    let bytes = read_some(&rx, 4);
    assert_eq!(bytes.len(), 4, "the child wrote its child's pid");
    let grandchild = i32::from_ne_bytes(bytes.try_into().unwrap());
    // Orphaned, it is now this process's child.
    assert_eq!(
        waitid(WaitId::Pid(grandchild), WaitOptions::EXITED),
        Ok(exited(grandchild, 5))
    );
    set_child_subreaper(before).unwrap();
}

/// A child that drops every capability (capset with empty sets) and asks for a reboot
/// setting: exits 0 if refused with EPERM, 1 if not, and 16 + errno if it could not drop the
/// capabilities (and then never calls reboot). Dropping is always within the kernel's rules,
/// but a security module's policy (SELinux's `setcap`, say) can refuse it.
fn reboot_without_cap_sys_boot() -> ! {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    // _LINUX_CAPABILITY_VERSION_3: two 32-bit words of each set.
    let header = Header {
        version: 0x2008_0522,
        pid: 0,
    };
    let data = [0u32; 6];
    // SAFETY: capset reads the header and the two (effective, permitted, inheritable) words.
    let rc = unsafe { libc::syscall(libc::SYS_capset, &header as *const Header, data.as_ptr()) };
    if rc != 0 {
        // Reading errno touches no lock and allocates nothing.
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        freepoll::process::exit(16 + errno.clamp(0, 200));
    }
    match freepoll::process::reboot(freepoll::process::RebootCommand::CtrlAltDelOff) {
        Err(Errno::PERM) => freepoll::process::exit(0),
        _ => freepoll::process::exit(1),
    }
}

#[test]
fn reboot_without_cap_sys_boot_is_eperm() {
    let mut child = Child::spawn(reboot_without_cap_sys_boot);
    let status = waitid(WaitId::Pid(child.pid), WaitOptions::EXITED).unwrap();
    child.reaped();
    match status.map(|s| s.state) {
        Some(ChildState::Exited(0)) => {}
        Some(ChildState::Exited(code)) if code >= 16 => skip(format_args!(
            "reboot(2) refused without CAP_SYS_BOOT: capset(2) could not drop the child's \
             capabilities ({}), as a security policy may refuse",
            std::io::Error::from_raw_os_error(code - 16)
        )),
        other => panic!("reboot without CAP_SYS_BOOT: the child ended as {other:?}"),
    }
}
