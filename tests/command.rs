//! `command::CommandSignals` on std's `std::process::Command`, and `spawn::Spawn` called from a
//! std program: the signal mask and the ignored signals a program starts with, read from its
//! own `/proc/self/status` (the program is `/bin/cat`), while the thread that starts it
//! blocks `SIGTERM` as a signalfd loop does.
//!
//! The mask is per thread and each test blocks in its own thread, so the tests can run side
//! by side; dispositions are per process, so the one test that ignores a signal uses one no
//! other test here touches.
#![cfg(feature = "std")]

mod common;

use common::*;
use freepoll::command::CommandSignals;
use freepoll::process::{waitid, ChildState, WaitId, WaitOptions};
use freepoll::signal::{
    disposition, set_disposition, sigprocmask, Disposition, SetDisposition, SigSet, SigmaskHow,
    SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
};
use freepoll::spawn::{CStrArray, Spawn};
use std::ffi::CString;
use std::process::Command;

/// `/bin/cat /proc/self/status`, with the changes `setup` makes to the `Command`: the status
/// of `cat` itself.
fn cat_status(setup: impl FnOnce(&mut Command) -> &mut Command) -> String {
    let mut cmd = Command::new("/bin/cat");
    cmd.arg("/proc/self/status");
    let out = setup(&mut cmd).output().expect("cat");
    assert!(out.status.success(), "{:?}", out.status);
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `f` with `SIGTERM` blocked in this thread (as a signalfd loop blocks it), then puts
/// the mask back.
fn with_sigterm_blocked<T>(f: impl FnOnce() -> T) -> T {
    let set = SigSet::of(&[SIGTERM]).unwrap();
    let old = sigprocmask(SigmaskHow::Block, Some(&set)).unwrap();
    let got = f();
    sigprocmask(SigmaskHow::SetMask, Some(&old)).unwrap();
    got
}

#[test]
fn std_command_alone_passes_the_blocked_mask_on() {
    let status = with_sigterm_blocked(|| cat_status(|c| c));
    let blocked = status_set(&status, "SigBlk:");
    if emulated() && blocked & bit(SIGTERM) == 0 {
        emulator_note(format_args!(
            "the program exec'd by qemu-user starts with the host's mask, not the guest's: \
             SigBlk {blocked:#x}"
        ));
        return;
    }
    // The trap the module documents: std keeps the caller's mask.
    assert_ne!(blocked & bit(SIGTERM), 0, "{status}");
}

#[test]
fn sigmask_empty_starts_the_program_with_nothing_blocked() {
    let status = with_sigterm_blocked(|| cat_status(|c| c.sigmask(SigSet::empty())));
    assert_eq!(status_set(&status, "SigBlk:"), 0, "{status}");
}

#[test]
fn sigmask_sets_the_mask_asked() {
    let mask = SigSet::of(&[SIGUSR1, SIGWINCH]).unwrap();
    let status = with_sigterm_blocked(|| cat_status(|c| c.sigmask(mask)));
    let blocked = status_set(&status, "SigBlk:");
    if emulated() && blocked == 0 {
        emulator_note(format_args!(
            "the program exec'd by qemu-user starts with the host's mask, not the guest's: \
             SigBlk 0, not {:#x}",
            mask.bits()
        ));
        return;
    }
    assert_eq!(blocked, mask.bits(), "{status}");
}

#[test]
fn sigmask_leaves_the_callers_mask_alone() {
    with_sigterm_blocked(|| {
        cat_status(|c| c.sigmask(SigSet::empty()));
        let now = sigprocmask(SigmaskHow::Block, None).unwrap();
        assert!(now.contains(SIGTERM), "the parent still blocks SIGTERM");
    });
}

#[test]
fn sigdefault_resets_a_signal_the_caller_ignores() {
    // SIGUSR2 is ignored only in this test, of all the tests of this file.
    let before = set_disposition(SIGUSR2, SetDisposition::Ignore).unwrap();
    let kept = cat_status(|c| c);
    let reset = cat_status(|c| c.sigdefault(SigSet::of(&[SIGUSR2]).unwrap()));
    set_disposition(SIGUSR2, SetDisposition::Default).unwrap();
    assert_eq!(before, Disposition::Default);
    assert_eq!(disposition(SIGUSR2), Ok(Disposition::Default));
    let (kept, reset) = (status_set(&kept, "SigIgn:"), status_set(&reset, "SigIgn:"));
    if emulated() && kept & bit(SIGUSR2) == 0 {
        emulator_note(format_args!(
            "the program exec'd by qemu-user starts with the host's dispositions: SigIgn \
             {kept:#x}"
        ));
    } else {
        assert_ne!(kept & bit(SIGUSR2), 0, "SIG_IGN survives execve");
    }
    assert_eq!(reset & bit(SIGUSR2), 0, "reset by sigdefault");
}

#[test]
fn sigdefault_and_sigmask_together_in_one_command() {
    let status = with_sigterm_blocked(|| {
        cat_status(|c| {
            c.sigdefault(SigSet::of(&[SIGUSR1]).unwrap())
                .sigmask(SigSet::empty())
        })
    });
    assert_eq!(status_set(&status, "SigBlk:"), 0, "{status}");
}

#[test]
fn spawn_from_a_std_program_starts_with_an_empty_mask() {
    let (read, write) = pipe();
    // Strings as a std program has them: CStrings built at run time.
    let path = CString::new("/bin/cat").unwrap();
    let strings = [path.clone(), CString::new("/proc/self/status").unwrap()];
    let refs: Vec<&std::ffi::CStr> = strings.iter().map(|s| s.as_c_str()).collect();
    let mut slots = [std::ptr::null(); 3];
    let argv = CStrArray::new(&mut slots, &refs).unwrap();
    let child = with_sigterm_blocked(|| {
        use freepoll::fd::AsFd;
        Spawn::new(&path, argv, CStrArray::empty())
            .stdout(write.as_fd())
            .spawn()
            .expect("spawn")
    });
    drop(write);
    let status = waitid(WaitId::PidFd(child.pidfd().as_fd()), WaitOptions::EXITED)
        .unwrap()
        .unwrap();
    assert_eq!(status.state, ChildState::Exited(0));
    assert_eq!(status.pid, child.pid());
    assert_eq!(child.pidfd().pid(), child.pid());
    let text = String::from_utf8(read_some(&read, 1 << 16)).unwrap();
    assert_eq!(status_set(&text, "SigBlk:"), 0, "{text}");
}
