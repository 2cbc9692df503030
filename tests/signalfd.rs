//! `sigprocmask` and `SignalFd`: the mask as the kernel keeps it, and blocked signals read as
//! records, with their sender, coalesced or queued as the kernel does.
//!
//! Each test changes only its own thread's mask and signals only its own thread (`tgkill`), so
//! the tests can run in parallel threads; `Masked` puts the mask back at the end, after taking
//! any signal still pending so that unblocking it cannot end the process.

mod common;

use common::*;
use freepoll::epoll::{epoll_add, EventFlags};
use freepoll::fd::AsRawFd;
use freepoll::signal::{self, sigprocmask, SigSet, SigmaskHow};
use freepoll::signalfd::{SigInfo, SignalFd, SignalFdFlags};
use freepoll::Errno;

/// Real-time signals for the tests: above every C library's reserved ones (32 to 34), below the
/// ones qemu-user keeps for itself (63, 64).
const RT_A: i32 = 40;
const RT_B: i32 = 41;
const RT_C: i32 = 42;

/// Blocks `signals` in this thread; when dropped, takes whatever of them is still pending and
/// restores the old mask.
struct Masked {
    set: SigSet,
    old: SigSet,
}

fn block(signals: &[i32]) -> Masked {
    let set = SigSet::of(signals).unwrap();
    let old = sigprocmask(SigmaskHow::Block, Some(&set)).unwrap();
    Masked { set, old }
}

impl Drop for Masked {
    fn drop(&mut self) {
        if let Ok(fd) = SignalFd::new(&self.set, SignalFdFlags::NONBLOCK | SignalFdFlags::CLOEXEC) {
            let mut buf = [SigInfo::default(); 8];
            while fd.read(&mut buf).is_ok() {}
        }
        sigprocmask(SigmaskHow::SetMask, Some(&self.old)).unwrap();
    }
}

fn signalfd(signals: &[i32]) -> SignalFd {
    SignalFd::new(
        &SigSet::of(signals).unwrap(),
        SignalFdFlags::NONBLOCK | SignalFdFlags::CLOEXEC,
    )
    .unwrap()
}

/// Sends `sig` to this thread: `tgkill(getpid(), gettid(), sig)` through libc.
fn raise_here(sig: i32) {
    // SAFETY: getpid and gettid take nothing; tgkill takes integers. The signal is blocked.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_tgkill,
            libc::getpid(),
            libc::syscall(libc::SYS_gettid),
            sig,
        )
    };
    assert_eq!(rc, 0, "tgkill: {}", std::io::Error::last_os_error());
}

fn read_all(fd: &SignalFd) -> Vec<SigInfo> {
    let mut buf = [SigInfo::default(); 16];
    match fd.read(&mut buf) {
        Ok(got) => got.to_vec(),
        Err(Errno::AGAIN) => vec![],
        Err(e) => panic!("signalfd read: {e:?}"),
    }
}

fn uid() -> u32 {
    // SAFETY: getuid takes nothing and cannot fail.
    unsafe { libc::getuid() }
}

fn pid() -> i32 {
    i32::try_from(std::process::id()).unwrap()
}

#[test]
fn flags_are_libcs_sfd_constants() {
    assert_eq!(SignalFdFlags::CLOEXEC.bits(), libc::SFD_CLOEXEC as u32);
    assert_eq!(SignalFdFlags::NONBLOCK.bits(), libc::SFD_NONBLOCK as u32);
}

#[test]
fn signal_numbers_and_codes_are_libcs() {
    let numbers = [
        (signal::SIGHUP, libc::SIGHUP),
        (signal::SIGINT, libc::SIGINT),
        (signal::SIGQUIT, libc::SIGQUIT),
        (signal::SIGILL, libc::SIGILL),
        (signal::SIGTRAP, libc::SIGTRAP),
        (signal::SIGABRT, libc::SIGABRT),
        (signal::SIGIOT, libc::SIGIOT),
        (signal::SIGBUS, libc::SIGBUS),
        (signal::SIGFPE, libc::SIGFPE),
        (signal::SIGKILL, libc::SIGKILL),
        (signal::SIGUSR1, libc::SIGUSR1),
        (signal::SIGSEGV, libc::SIGSEGV),
        (signal::SIGUSR2, libc::SIGUSR2),
        (signal::SIGPIPE, libc::SIGPIPE),
        (signal::SIGALRM, libc::SIGALRM),
        (signal::SIGTERM, libc::SIGTERM),
        (signal::SIGSTKFLT, libc::SIGSTKFLT),
        (signal::SIGCHLD, libc::SIGCHLD),
        (signal::SIGCONT, libc::SIGCONT),
        (signal::SIGSTOP, libc::SIGSTOP),
        (signal::SIGTSTP, libc::SIGTSTP),
        (signal::SIGTTIN, libc::SIGTTIN),
        (signal::SIGTTOU, libc::SIGTTOU),
        (signal::SIGURG, libc::SIGURG),
        (signal::SIGXCPU, libc::SIGXCPU),
        (signal::SIGXFSZ, libc::SIGXFSZ),
        (signal::SIGVTALRM, libc::SIGVTALRM),
        (signal::SIGPROF, libc::SIGPROF),
        (signal::SIGWINCH, libc::SIGWINCH),
        (signal::SIGIO, libc::SIGIO),
        (signal::SIGPOLL, libc::SIGPOLL),
        (signal::SIGPWR, libc::SIGPWR),
        (signal::SIGSYS, libc::SIGSYS),
        (signal::SI_USER, libc::SI_USER),
        (signal::SI_KERNEL, libc::SI_KERNEL),
        (signal::SI_QUEUE, libc::SI_QUEUE),
        (signal::SI_TKILL, libc::SI_TKILL),
        (signal::CLD_EXITED, libc::CLD_EXITED),
        (signal::CLD_KILLED, libc::CLD_KILLED),
        (signal::CLD_DUMPED, libc::CLD_DUMPED),
        (signal::CLD_TRAPPED, libc::CLD_TRAPPED),
        (signal::CLD_STOPPED, libc::CLD_STOPPED),
        (signal::CLD_CONTINUED, libc::CLD_CONTINUED),
        (SigmaskHow::Block as i32, libc::SIG_BLOCK),
        (SigmaskHow::Unblock as i32, libc::SIG_UNBLOCK),
        (SigmaskHow::SetMask as i32, libc::SIG_SETMASK),
    ];
    for (i, (ours, theirs)) in numbers.into_iter().enumerate() {
        assert_eq!(ours, theirs, "entry {i}");
    }
    assert_eq!(signal::SIGRTMAX, 64);
    // glibc's SIGRTMIN is past the ones it reserves; the kernel's is 32.
    assert!(signal::SIGRTMIN < libc::SIGRTMIN());
    assert_eq!(libc::SIGRTMAX(), signal::SIGRTMAX);
}

#[test]
fn siginfo_has_the_layout_of_libcs_signalfd_siginfo() {
    assert_eq!(
        std::mem::size_of::<SigInfo>(),
        std::mem::size_of::<libc::signalfd_siginfo>()
    );
    assert_eq!(
        std::mem::align_of::<SigInfo>(),
        std::mem::align_of::<libc::signalfd_siginfo>()
    );
    // SAFETY: signalfd_siginfo is integers only; all zeroes is a valid value.
    let mut c: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
    c.ssi_signo = 1;
    c.ssi_errno = -2;
    c.ssi_code = -3;
    c.ssi_pid = 4;
    c.ssi_uid = 5;
    c.ssi_fd = 6;
    c.ssi_tid = 7;
    c.ssi_band = 8;
    c.ssi_overrun = 9;
    c.ssi_trapno = 10;
    c.ssi_status = 11;
    c.ssi_int = 12;
    c.ssi_ptr = 0x1300_0000_0000_0013;
    c.ssi_utime = 0x1400_0000_0000_0014;
    c.ssi_stime = 0x1500_0000_0000_0015;
    c.ssi_addr = 0x1600_0000_0000_0016;
    c.ssi_addr_lsb = 0x1717;
    c.ssi_syscall = 18;
    c.ssi_call_addr = 0x1900_0000_0000_0019;
    c.ssi_arch = 20;
    // SAFETY: both are 128 bytes of integers (sizes checked above); every bit pattern is a
    // valid SigInfo.
    let ours: SigInfo = unsafe { std::mem::transmute(c) };
    assert_eq!(ours.signal(), 1);
    assert_eq!(ours.errno(), -2);
    assert_eq!(ours.code(), -3);
    assert_eq!(ours.pid(), 4);
    assert_eq!(ours.uid(), 5);
    assert_eq!(ours.fd(), 6);
    assert_eq!(ours.tid(), 7);
    assert_eq!(ours.band(), 8);
    assert_eq!(ours.overrun(), 9);
    assert_eq!(ours.trapno(), 10);
    assert_eq!(ours.status(), 11);
    assert_eq!(ours.int(), 12);
    assert_eq!(ours.ptr(), 0x1300_0000_0000_0013);
    assert_eq!(ours.utime(), 0x1400_0000_0000_0014);
    assert_eq!(ours.stime(), 0x1500_0000_0000_0015);
    assert_eq!(ours.addr(), 0x1600_0000_0000_0016);
    assert_eq!(ours.addr_lsb(), 0x1717);
    assert_eq!(ours.syscall(), 18);
    assert_eq!(ours.call_addr(), 0x1900_0000_0000_0019);
    assert_eq!(ours.arch(), 20);
    assert_eq!(SigInfo::default().signal(), 0);
}

#[test]
fn sigprocmask_block_returns_the_old_mask_and_libc_sees_the_new() {
    let _restore = block(&[]);
    let before = sigprocmask(SigmaskHow::Block, None).unwrap();
    assert!(!before.contains(libc::SIGUSR1));
    let set = SigSet::of(&[libc::SIGUSR1, RT_A]).unwrap();
    assert_eq!(sigprocmask(SigmaskHow::Block, Some(&set)), Ok(before));
    assert!(thread_blocks(libc::SIGUSR1) && thread_blocks(RT_A));
    let now = sigprocmask(SigmaskHow::Block, None).unwrap();
    assert_eq!(now.bits(), before.bits() | set.bits());
    for sig in 1..=62 {
        assert_eq!(now.contains(sig), thread_blocks(sig), "signal {sig}");
    }
    // Drain-and-restore of `_restore` puts `before` back (it was taken with an empty set).
    sigprocmask(SigmaskHow::SetMask, Some(&before)).unwrap();
}

#[test]
fn sigprocmask_unblock_and_setmask_do_what_they_say() {
    let masked = block(&[libc::SIGUSR1, libc::SIGUSR2]);
    let one = SigSet::of(&[libc::SIGUSR1]).unwrap();
    let both = sigprocmask(SigmaskHow::Unblock, Some(&one)).unwrap();
    assert!(both.contains(libc::SIGUSR1) && both.contains(libc::SIGUSR2));
    assert!(!thread_blocks(libc::SIGUSR1) && thread_blocks(libc::SIGUSR2));

    let exact = SigSet::of(&[RT_B]).unwrap();
    sigprocmask(SigmaskHow::SetMask, Some(&exact)).unwrap();
    assert_eq!(sigprocmask(SigmaskHow::Block, None), Ok(exact));
    assert!(!thread_blocks(libc::SIGUSR2) && thread_blocks(RT_B));
    sigprocmask(SigmaskHow::SetMask, Some(&masked.old)).unwrap();
    assert_eq!(sigprocmask(SigmaskHow::Block, None), Ok(masked.old));
}

#[test]
fn sigprocmask_leaves_out_sigkill_and_sigstop() {
    let _restore = block(&[]);
    let set = SigSet::of(&[libc::SIGKILL, libc::SIGSTOP, libc::SIGUSR2]).unwrap();
    sigprocmask(SigmaskHow::Block, Some(&set)).unwrap();
    let now = sigprocmask(SigmaskHow::Block, None).unwrap();
    assert!(now.contains(libc::SIGUSR2));
    assert!(!now.contains(libc::SIGKILL) && !now.contains(libc::SIGSTOP));
    sigprocmask(SigmaskHow::Unblock, Some(&set)).unwrap();
}

#[test]
fn new_sets_the_descriptor_flags_asked_for() {
    let fd = signalfd(&[libc::SIGUSR1]);
    // SAFETY: F_GETFD and F_GETFL take no argument and read no memory.
    let (fdf, fl) = unsafe {
        (
            libc::fcntl(fd.as_raw_fd(), libc::F_GETFD),
            libc::fcntl(fd.as_raw_fd(), libc::F_GETFL),
        )
    };
    assert_eq!(fdf & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
    assert_eq!(fl & libc::O_NONBLOCK, libc::O_NONBLOCK);
}

#[test]
fn unknown_flag_is_einval() {
    assert_eq!(
        SignalFd::new(
            &SigSet::of(&[libc::SIGUSR1]).unwrap(),
            SignalFdFlags::from_bits_retain(1)
        )
        .err(),
        Some(Errno::INVAL)
    );
}

#[test]
fn nothing_pending_is_eagain() {
    let _m = block(&[libc::SIGUSR1]);
    let fd = signalfd(&[libc::SIGUSR1]);
    let mut buf = [SigInfo::default(); 2];
    assert_eq!(fd.read(&mut buf).err(), Some(Errno::AGAIN));
}

#[test]
fn empty_buffer_is_einval() {
    let _m = block(&[libc::SIGUSR1]);
    let fd = signalfd(&[libc::SIGUSR1]);
    raise_here(libc::SIGUSR1);
    assert_eq!(fd.read(&mut []).err(), Some(Errno::INVAL));
    assert_eq!(read_all(&fd).len(), 1, "the signal is still pending");
}

#[test]
fn blocked_signal_is_readable_in_epoll_and_read_with_its_sender() {
    let _m = block(&[libc::SIGUSR1]);
    let fd = signalfd(&[libc::SIGUSR1]);
    let ep = epoll();
    epoll_add(&ep, &fd, 0x51, EventFlags::IN).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![]);
    raise_here(libc::SIGUSR1);
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::IN, 0x51)]);
    let got = read_all(&fd);
    assert_eq!(got.len(), 1);
    let info = got[0];
    assert_eq!(info.signal(), libc::SIGUSR1);
    assert_eq!(info.code(), signal::SI_TKILL);
    assert_eq!(info.pid(), pid());
    assert_eq!(info.uid(), uid());
    assert_eq!(info.errno(), 0);
    assert_eq!(wait(&ep, 4, 0), vec![], "taken: no longer readable");
}

#[test]
fn two_standard_signals_coalesce_into_one_record() {
    let _m = block(&[libc::SIGUSR2]);
    let fd = signalfd(&[libc::SIGUSR2]);
    raise_here(libc::SIGUSR2);
    raise_here(libc::SIGUSR2);
    let got = read_all(&fd);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].signal(), libc::SIGUSR2);
    assert_eq!(read_all(&fd), vec![]);
}

#[test]
fn two_realtime_signals_queue_as_two_records() {
    let _m = block(&[RT_A]);
    let fd = signalfd(&[RT_A]);
    raise_here(RT_A);
    raise_here(RT_A);
    let got = read_all(&fd);
    assert_eq!(got.len(), 2, "{got:?}");
    for info in &got {
        assert_eq!(info.signal(), RT_A);
        assert_eq!(info.code(), signal::SI_TKILL);
        assert_eq!(info.pid(), pid());
        assert_eq!(info.uid(), uid());
    }
    assert_eq!(read_all(&fd), vec![]);
}

#[test]
fn read_takes_no_more_records_than_the_buffer_holds() {
    let _m = block(&[RT_A, RT_B, RT_C]);
    let fd = signalfd(&[RT_A, RT_B, RT_C]);
    raise_here(RT_C);
    raise_here(RT_B);
    raise_here(RT_A);
    let mut two = [SigInfo::default(); 2];
    let first: Vec<i32> = fd
        .read(&mut two)
        .unwrap()
        .iter()
        .map(|i| i.signal())
        .collect();
    let mut one = [SigInfo::default(); 1];
    let rest: Vec<i32> = fd
        .read(&mut one)
        .unwrap()
        .iter()
        .map(|i| i.signal())
        .collect();
    // The kernel hands out the lowest-numbered pending signal first.
    assert_eq!(first, vec![RT_A, RT_B]);
    assert_eq!(rest, vec![RT_C]);
    assert_eq!(fd.read(&mut one).err(), Some(Errno::AGAIN));
}

#[test]
fn pending_signal_outside_the_mask_is_left_pending() {
    let _m = block(&[libc::SIGUSR1, libc::SIGUSR2]);
    let fd = signalfd(&[libc::SIGUSR1]);
    let ep = epoll();
    epoll_add(&ep, &fd, 1, EventFlags::IN).unwrap();
    raise_here(libc::SIGUSR2);
    assert_eq!(wait(&ep, 4, 0), vec![], "SIGUSR2 is not this signalfd's");
    assert_eq!(read_all(&fd), vec![]);
    let other = signalfd(&[libc::SIGUSR2]);
    let got = read_all(&other);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].signal(), libc::SIGUSR2);
}

#[test]
fn set_mask_changes_which_signals_are_read() {
    let _m = block(&[libc::SIGUSR1, libc::SIGUSR2]);
    let fd = signalfd(&[libc::SIGUSR1]);
    let ep = epoll();
    epoll_add(&ep, &fd, 2, EventFlags::IN).unwrap();
    raise_here(libc::SIGUSR2);
    assert_eq!(read_all(&fd), vec![]);
    fd.set_mask(&SigSet::of(&[libc::SIGUSR2]).unwrap()).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::IN, 2)]);
    let got = read_all(&fd);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].signal(), libc::SIGUSR2);
    raise_here(libc::SIGUSR1);
    assert_eq!(read_all(&fd), vec![], "SIGUSR1 is no longer in the mask");
    fd.set_mask(&SigSet::of(&[libc::SIGUSR1]).unwrap()).unwrap();
    assert_eq!(read_all(&fd).len(), 1);
}

#[test]
fn sigkill_and_sigstop_in_the_mask_are_left_out_silently() {
    let _m = block(&[libc::SIGUSR1]);
    let fd = SignalFd::new(
        &SigSet::of(&[libc::SIGKILL, libc::SIGSTOP, libc::SIGUSR1]).unwrap(),
        SignalFdFlags::NONBLOCK | SignalFdFlags::CLOEXEC,
    )
    .unwrap();
    raise_here(libc::SIGUSR1);
    let got = read_all(&fd);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].signal(), libc::SIGUSR1);
}

#[test]
fn standard_and_realtime_signals_come_out_in_one_read() {
    let _m = block(&[libc::SIGUSR1, RT_B]);
    let fd = signalfd(&[libc::SIGUSR1, RT_B]);
    raise_here(RT_B);
    raise_here(libc::SIGUSR1);
    raise_here(RT_B);
    let mut signals: Vec<i32> = read_all(&fd).iter().map(|i| i.signal()).collect();
    signals.sort_unstable();
    assert_eq!(signals, vec![libc::SIGUSR1, RT_B, RT_B]);
}

/// What a child checks in `sigchld_record_names_the_child_and_its_status`, by exit code.
const SIGCHLD_CHECKS: [&str; 8] = [
    "all as expected",
    "SigSet::of or sigprocmask failed",
    "SignalFd::new failed",
    "fork failed",
    "the read failed or gave no record",
    "signal or code is not SIGCHLD / CLD_EXITED",
    "pid or uid is not the grandchild's",
    "status is not the exit status 23",
];

/// A child, single-threaded, so that blocking SIGCHLD in it blocks it in the whole process:
/// forks a grandchild that exits with 23, reads the SIGCHLD record, checks it, and exits with
/// the index of the first failed check in `SIGCHLD_CHECKS`. System calls only.
fn sigchld_reader() -> ! {
    use freepoll::process::exit;
    let Ok(set) = SigSet::of(&[libc::SIGCHLD]) else {
        exit(1)
    };
    if sigprocmask(SigmaskHow::Block, Some(&set)).is_err() {
        exit(1);
    }
    let Ok(fd) = SignalFd::new(&set, SignalFdFlags::CLOEXEC) else {
        exit(2)
    };
    // SAFETY: the grandchild only exits.
    let grandchild = unsafe { libc::fork() };
    if grandchild == 0 {
        // SAFETY: _exit ends the process and touches nothing.
        unsafe { libc::_exit(23) };
    }
    if grandchild < 0 {
        exit(3);
    }
    let mut buf = [SigInfo::default(); 1];
    let info = match fd.read(&mut buf) {
        Ok([info]) => *info,
        _ => exit(4),
    };
    if info.signal() != libc::SIGCHLD || info.code() != signal::CLD_EXITED {
        exit(5);
    }
    // SAFETY: getuid takes nothing and cannot fail.
    if info.pid() != grandchild || info.uid() != unsafe { libc::getuid() } {
        exit(6);
    }
    if info.status() != 23 {
        exit(7);
    }
    exit(0)
}

#[test]
fn sigchld_record_names_the_child_and_its_status() {
    use freepoll::process::{waitid, ChildState, WaitId, WaitOptions};
    let mut child = Child::spawn(sigchld_reader);
    let status = waitid(WaitId::Pid(child.pid), WaitOptions::EXITED)
        .unwrap()
        .unwrap();
    child.reaped();
    match status.state {
        ChildState::Exited(code) => assert_eq!(
            code,
            0,
            "{}",
            SIGCHLD_CHECKS.get(code as usize).unwrap_or(&"unknown")
        ),
        other => panic!("the checking child ended as {other:?}"),
    }
}
