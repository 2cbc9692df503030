//! `epoll_pwait` with a signal mask: the kernel swaps the mask in for the wait and back out,
//! and `SigSet` has the kernel's layout.
//!
//! Signal handlers and counters are process-wide, so the tests here run one at a time
//! (`SERIAL`), each in a thread of its own whose mask it may change freely.

mod common;

use common::*;
use freepoll::epoll::{epoll_add, epoll_pwait, uninit_events, EventFlags, EventVec, SigSet};
use freepoll::raw::{decode_raw, syscall4};
use freepoll::signal;
use freepoll::Errno;
use std::sync::Mutex;
use std::time::Duration;

static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` alone, on a new thread, with counting handlers for SIGUSR1 and SIGUSR2.
fn isolated(f: impl FnOnce() + Send) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    count_signals(libc::SIGUSR1);
    count_signals(libc::SIGUSR2);
    std::thread::scope(|s| {
        s.spawn(f).join().unwrap();
    });
}

#[test]
fn sigset_takes_signals_1_to_64_and_refuses_the_rest() {
    let mut set = SigSet::empty();
    for sig in 1..=64 {
        assert!(!set.contains(sig));
        set.add(sig).unwrap();
        assert!(set.contains(sig), "{sig}");
    }
    assert_eq!(set, SigSet::full_including_libc_reserved());
    for bad in [0, 65, -1, i32::MIN, i32::MAX] {
        assert_eq!(set.add(bad), Err(Errno::INVAL), "{bad}");
        assert_eq!(set.remove(bad), Err(Errno::INVAL), "{bad}");
        assert!(!set.contains(bad), "{bad}");
    }
    assert_eq!(
        set,
        SigSet::full_including_libc_reserved(),
        "refused numbers change nothing"
    );
    set.remove(64).unwrap();
    set.remove(1).unwrap();
    assert!(!set.contains(1) && !set.contains(64) && set.contains(2) && set.contains(63));
    assert_eq!(SigSet::default(), SigSet::empty());
    let mut two = SigSet::empty();
    two.add(10).unwrap();
    two.add(64).unwrap();
    assert_eq!(format!("{two:?}"), "SigSet {10, 64}");
    assert_eq!(std::mem::size_of::<SigSet>(), 8);
}

/// Sets the calling thread's mask to `set` with the raw rt_sigprocmask, the kernel's own reader
/// of the layout; returns the old mask as the kernel wrote it.
fn set_thread_mask_raw(set: &SigSet) -> SigSet {
    let mut old = SigSet::empty();
    // SAFETY: `set` and `old` are live 8-byte kernel sigsets; the kernel reads the first and
    // writes the second. Only this thread's mask changes.
    let ret = unsafe {
        syscall4(
            libc::SYS_rt_sigprocmask as usize,
            libc::SIG_SETMASK as usize,
            set as *const SigSet as usize,
            &mut old as *mut SigSet as usize,
            8,
        )
    };
    assert_eq!(decode_raw(ret), Ok(0));
    old
}

/// Whether this C library leaves `sig` out of every mask it reads back: musl's
/// `pthread_sigmask` clears its reserved signals 32, 33 and 34 from the old mask it returns,
/// though the kernel blocks them; glibc reports the kernel's mask as it is.
fn libc_hides(sig: i32) -> bool {
    cfg!(target_env = "musl") && (32..=34).contains(&sig)
}

#[test]
fn sigset_is_the_kernels_sigset_t() {
    // The kernel takes the SigSet as the thread's mask; libc reads the same signals back.
    isolated(|| {
        let mut set = SigSet::empty();
        for sig in [libc::SIGHUP, libc::SIGUSR1, libc::SIGUSR2, 32, 33, 40, 50] {
            set.add(sig).unwrap();
        }
        let old = set_thread_mask_raw(&set);
        assert!(
            !old.contains(libc::SIGUSR1),
            "the test thread inherits no SIGUSR1"
        );
        for sig in 1..=64 {
            assert_eq!(
                thread_blocks(sig),
                set.contains(sig) && !libc_hides(sig),
                "signal {sig}"
            );
        }
        // The kernel writes the old mask in the same layout.
        assert_eq!(set_thread_mask_raw(&SigSet::empty()), set);

        // The top bits: a kernel blocks 63 and 64 like any other signal. qemu-user maps the
        // guest's signals onto the host's and keeps some of the highest real-time ones for
        // itself, so under it the guest cannot block them.
        let mut top = SigSet::empty();
        top.add(63).unwrap();
        top.add(64).unwrap();
        set_thread_mask_raw(&top);
        let blocked_as_asked = (1..=64).all(|sig| thread_blocks(sig) == top.contains(sig));
        if blocked_as_asked || !emulated() {
            for sig in 1..=64 {
                assert_eq!(thread_blocks(sig), top.contains(sig), "signal {sig}");
            }
            assert_eq!(set_thread_mask_raw(&SigSet::empty()), top);
        } else {
            set_thread_mask_raw(&SigSet::empty());
            skip(format_args!(
                "blocking signals 63 and 64: qemu-user keeps them for itself"
            ));
        }
    });
}

#[test]
fn pending_signal_unblocked_by_the_mask_interrupts_the_wait() {
    isolated(|| {
        let ep = epoll();
        let efd = eventfd(0);
        epoll_add(&ep, &efd, 1, EventFlags::IN).unwrap();
        change_thread_mask(libc::SIG_BLOCK, libc::SIGUSR1);
        change_thread_mask(libc::SIG_BLOCK, libc::SIGUSR2);
        let (usr1, usr2) = (signals_seen(libc::SIGUSR1), signals_seen(libc::SIGUSR2));

        // Both arrive while blocked: pending, no handler yet.
        tgkill(gettid(), libc::SIGUSR1);
        tgkill(gettid(), libc::SIGUSR2);
        assert_eq!(signals_seen(libc::SIGUSR1), usr1);

        // The wait's mask unblocks SIGUSR1 only.
        let mut mask = SigSet::empty();
        mask.add(libc::SIGUSR2).unwrap();
        let mut buf = uninit_events::<4>();
        let mut events = EventVec::new(&mut buf);
        let got = epoll_pwait(&ep, &mut events, 5000, Some(&mask));
        assert_eq!(got, Err(Errno::INTR));
        assert_eq!(
            signals_seen(libc::SIGUSR1),
            usr1 + 1,
            "SIGUSR1's handler ran"
        );
        assert_eq!(signals_seen(libc::SIGUSR2), usr2, "SIGUSR2 stayed blocked");
        assert!(thread_blocks(libc::SIGUSR1), "the old mask is back");
        assert!(thread_blocks(libc::SIGUSR2), "the old mask is back");

        // Without a mask (or with one that blocks it) the pending SIGUSR2 stays pending.
        let mut buf = uninit_events::<4>();
        let mut events = EventVec::new(&mut buf);
        assert_eq!(epoll_pwait(&ep, &mut events, 0, None), Ok(0));
        assert_eq!(
            epoll_pwait(&ep, &mut events, 0, Some(&SigSet::full())),
            Ok(0)
        );
        assert_eq!(signals_seen(libc::SIGUSR2), usr2);
        // The thread ends with SIGUSR2 pending and blocked; a thread's pending signals die
        // with it.
    });
}

#[test]
fn signal_sent_during_the_wait_interrupts_it_and_the_mask_comes_back() {
    isolated(|| {
        let ep = epoll();
        let efd = eventfd(0);
        epoll_add(&ep, &efd, 1, EventFlags::IN).unwrap();
        change_thread_mask(libc::SIG_BLOCK, libc::SIGUSR1);
        let before = signals_seen(libc::SIGUSR1);
        let waiter = gettid();
        std::thread::scope(|s| {
            s.spawn(|| {
                wait_until_asleep_in_epoll_wait(waiter);
                tgkill(waiter, libc::SIGUSR1);
            });
            let mut buf = uninit_events::<4>();
            let mut events = EventVec::new(&mut buf);
            // Everything blocked but SIGUSR1; a timeout the test never reaches.
            let mut mask = SigSet::full();
            mask.remove(libc::SIGUSR1).unwrap();
            let got = epoll_pwait(&ep, &mut events, Duration::from_secs(10), Some(&mask));
            assert_eq!(got, Err(Errno::INTR));
            assert!(events.is_empty());
        });
        assert_eq!(signals_seen(libc::SIGUSR1), before + 1);
        assert!(thread_blocks(libc::SIGUSR1), "the old mask is back");
    });
}

#[test]
fn events_are_returned_through_a_mask_as_without_one() {
    isolated(|| {
        let ep = epoll();
        let efd = eventfd(1);
        epoll_add(&ep, &efd, 33, EventFlags::IN).unwrap();
        let mut buf = uninit_events::<4>();
        let mut events = EventVec::new(&mut buf);
        for mask in [SigSet::empty(), SigSet::full()] {
            assert_eq!(epoll_pwait(&ep, &mut events, -1, Some(&mask)), Ok(1));
            assert_eq!(
                events.iter().collect::<Vec<_>>(),
                vec![(EventFlags::IN, 33)]
            );
            // The sub-millisecond path takes the mask as well (epoll_pwait2 or its fallback).
            let fine = Duration::from_micros(100);
            assert_eq!(epoll_pwait(&ep, &mut events, fine, Some(&mask)), Ok(1));
        }
        assert!(
            !thread_blocks(libc::SIGUSR1),
            "the thread's own mask is untouched"
        );
    });
}

#[test]
fn full_leaves_out_the_signals_c_libraries_reserve() {
    let full = SigSet::full();
    // glibc's sigfillset leaves out 32 and 33; musl's leaves out 32, 33 and 34 (its
    // SIGSYNCCALL), exactly as full() does, which leaves out musl's 34 under glibc too.
    // SAFETY: `set` is a live sigset_t that sigfillset initialises.
    let filled = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        set
    };
    for sig in 1..=64 {
        let reserved = (32..=34).contains(&sig);
        assert_eq!(full.contains(sig), !reserved, "signal {sig}");
        // SAFETY: `filled` is an initialised sigset_t; sigismember only reads it.
        let libc_has = unsafe { libc::sigismember(&filled, sig) } == 1;
        if sig != 34 || cfg!(target_env = "musl") {
            assert_eq!(full.contains(sig), libc_has, "signal {sig}");
        }
    }
    assert_eq!(SigSet::full_including_libc_reserved().bits(), u64::MAX);
    assert_eq!(full.bits(), !(0b111 << 31));
}

#[test]
fn a_wait_with_the_full_mask_does_not_stall_setuid_in_another_thread() {
    // glibc's setuid() in a threaded process sends signal 33 (SIGSETXID) to every other thread
    // and waits until each has run its handler; musl's does the same with 34 (SIGSYNCCALL). A thread asleep in epoll_pwait with
    // SigSet::full() takes it during the wait: its wait ends with EINTR and setuid() returns.
    // Were 33 in the mask, the signal would wait for the 20 s wait to time out, and setuid()
    // with it: the waiter would then come back with no events instead of EINTR.
    isolated(|| {
        let ep = epoll();
        let efd = eventfd(0);
        epoll_add(&ep, &efd, 5, EventFlags::IN).unwrap();
        let (tid_tx, tid_rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| {
                tid_tx.send(gettid()).unwrap();
                let mut buf = uninit_events::<1>();
                let mut events = EventVec::new(&mut buf);
                epoll_pwait(&ep, &mut events, 20_000, Some(&SigSet::full()))
                    .map(|_| events.iter().collect::<Vec<_>>())
            });
            wait_until_asleep_in_epoll_wait(tid_rx.recv().unwrap());
            // SAFETY: setuid to the current uid changes nothing; getuid cannot fail.
            let rc = unsafe { libc::setuid(libc::getuid()) };
            assert_eq!(rc, 0, "setuid: {}", std::io::Error::last_os_error());
            bump(&efd, 1); // ends the wait now if the signal did not
            assert_eq!(
                waiter.join().unwrap(),
                Err(Errno::INTR),
                "glibc's SIGSETXID reached the waiter inside its wait"
            );
        });
    });
}

#[test]
fn signal_numbers_are_the_kernels() {
    use signal::*;
    let named = [
        (SIGHUP, libc::SIGHUP),
        (SIGINT, libc::SIGINT),
        (SIGQUIT, libc::SIGQUIT),
        (SIGILL, libc::SIGILL),
        (SIGTRAP, libc::SIGTRAP),
        (SIGABRT, libc::SIGABRT),
        (SIGIOT, libc::SIGIOT),
        (SIGBUS, libc::SIGBUS),
        (SIGFPE, libc::SIGFPE),
        (SIGKILL, libc::SIGKILL),
        (SIGUSR1, libc::SIGUSR1),
        (SIGSEGV, libc::SIGSEGV),
        (SIGUSR2, libc::SIGUSR2),
        (SIGPIPE, libc::SIGPIPE),
        (SIGALRM, libc::SIGALRM),
        (SIGTERM, libc::SIGTERM),
        (SIGSTKFLT, libc::SIGSTKFLT),
        (SIGCHLD, libc::SIGCHLD),
        (SIGCONT, libc::SIGCONT),
        (SIGSTOP, libc::SIGSTOP),
        (SIGTSTP, libc::SIGTSTP),
        (SIGTTIN, libc::SIGTTIN),
        (SIGTTOU, libc::SIGTTOU),
        (SIGURG, libc::SIGURG),
        (SIGXCPU, libc::SIGXCPU),
        (SIGXFSZ, libc::SIGXFSZ),
        (SIGVTALRM, libc::SIGVTALRM),
        (SIGPROF, libc::SIGPROF),
        (SIGWINCH, libc::SIGWINCH),
        (SIGIO, libc::SIGIO),
        (SIGPOLL, libc::SIGPOLL),
        (SIGPWR, libc::SIGPWR),
        (SIGSYS, libc::SIGSYS),
    ];
    for (ours, libc) in named {
        assert_eq!(ours, libc);
    }
    assert_eq!(named.last().map(|n| n.0), Some(31));
    // Real-time signals as the kernel numbers them; libc's SIGRTMIN is higher by the ones it
    // keeps (glibc 34, musl 35), its SIGRTMAX the same.
    assert_eq!((SIGRTMIN, SIGRTMAX), (32, 64));
    assert_eq!(libc::SIGRTMAX(), SIGRTMAX);
    assert!(libc::SIGRTMIN() >= SIGRTMIN + 2, "{}", libc::SIGRTMIN());
    // The raw bits agree with add and contains both ways.
    let mut set = SigSet::empty();
    set.add(SIGCHLD).unwrap();
    set.add(SIGRTMAX).unwrap();
    assert_eq!(set.bits(), 1 << 16 | 1 << 63);
    assert_eq!(SigSet::from_bits(set.bits()), set);
    assert!(SigSet::from_bits(1 << 16).contains(SIGCHLD));
}
