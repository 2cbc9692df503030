//! Waits that block, and what ends them from another thread: a signal (EINTR), a
//! registration, an event seen by several instances at once.
//!
//! A test acts only once the waiting thread is asleep inside the kernel's epoll wait: the
//! function it sleeps in (`wchan`) is epoll's or, natively, its state is `S` inside an epoll
//! wait system call (`/proc/self/task/<tid>/syscall`). No sleeps: the test polls /proc.

mod common;

use common::*;
use core::mem::MaybeUninit;
use freepoll::epoll::{epoll_add, epoll_mod, epoll_wait, Event, EventFlags, EventVec};
use freepoll::fd::{AsFd, OwnedFd};
use freepoll::Errno;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The calling thread's kernel id.
fn gettid() -> i32 {
    // SAFETY: gettid takes no arguments and cannot fail.
    unsafe { libc::syscall(libc::SYS_gettid) as i32 }
}

/// Returns once thread `tid` is asleep in an epoll wait (`asleep_in_epoll_wait`: wchan names
/// epoll's function, or natively the thread sleeps inside an epoll wait system call), or
/// `done()` turned true. No kernel is excused: where wchan names nothing (x86_64 before 5.16),
/// the system call the thread sleeps in is the proof.
fn until_asleep_in_epoll(tid: i32, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() && !asleep_in_epoll_wait(tid) {
        // Not a timing assertion: a guard so that a thread that never blocks fails the test
        // with what /proc said instead of hanging it.
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "thread {tid} never slept in epoll: {}",
            sleep_report(tid)
        );
        std::thread::yield_now();
    }
}

/// One wait with `timeout` into a fresh vector; the result and the events.
fn wait_once(epoll: impl AsFd, timeout: i32) -> (Result<usize, Errno>, Vec<(EventFlags, u64)>) {
    let mut buf = [MaybeUninit::<Event>::uninit(); 4];
    let mut events = EventVec::new(&mut buf);
    let result = epoll_wait(epoll, &mut events, timeout);
    (result, events.iter().collect())
}

static HANDLED: AtomicUsize = AtomicUsize::new(0);

extern "C" fn count_signal(_: i32) {
    HANDLED.fetch_add(1, Ordering::SeqCst);
}

/// Installs `count_signal` for SIGUSR1 (used by no other test in this binary).
fn install_sigusr1_handler(restart: bool) {
    // SAFETY: an all-zero sigaction is a valid value to fill in.
    let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
    sa.sa_sigaction = count_signal as extern "C" fn(i32) as usize;
    sa.sa_flags = if restart { libc::SA_RESTART } else { 0 };
    // SAFETY: `sa` is a live sigaction; the handler only touches an atomic, which is
    // async-signal-safe.
    unsafe {
        libc::sigemptyset(&mut sa.sa_mask);
        assert_eq!(libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()), 0);
    }
}

#[test]
fn signal_during_a_wait_is_eintr_even_with_sa_restart() {
    for restart in [true, false] {
        install_sigusr1_handler(restart);
        let ep = epoll();
        let idle = eventfd(0);
        epoll_add(&ep, &idle, 1, EventFlags::IN).unwrap();
        let (tx, rx) = mpsc::channel();
        let (result, events) = std::thread::scope(|s| {
            let waiter = s.spawn(|| {
                tx.send(gettid()).unwrap();
                wait_once(&ep, -1)
            });
            let tid = rx.recv().unwrap();
            // Nothing can end this wait but a signal, sent once the thread sleeps in it: on a
            // kernel one signal ends it. Under qemu-user a signal can land while the thread
            // is in the emulator on its way to the host's call, which the emulator then
            // restarts: the handler runs, the thread sleeps in the wait again, and the loop
            // signals again.
            let mut sent = 0;
            while !waiter.is_finished() {
                until_asleep_in_epoll(tid, || waiter.is_finished());
                if waiter.is_finished() {
                    break;
                }
                let before = HANDLED.load(Ordering::SeqCst);
                // SAFETY: tgkill takes integers only; `tid` is a thread of this process that
                // is still running (it has not finished its wait).
                let rc =
                    unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, libc::SIGUSR1) };
                assert_eq!(rc, 0, "tgkill: {}", std::io::Error::last_os_error());
                sent += 1;
                while HANDLED.load(Ordering::SeqCst) == before && !waiter.is_finished() {
                    std::thread::yield_now();
                }
            }
            if sent != 1 {
                assert!(
                    emulated(),
                    "{sent} signals to end one wait, each sent while the thread slept in it"
                );
                emulator_note(format_args!(
                    "{sent} signals to end one wait: qemu-user restarted the call it had not yet made"
                ));
            }
            waiter.join().unwrap()
        });
        assert_eq!(result, Err(Errno::INTR), "SA_RESTART {restart}");
        assert_eq!(events, vec![], "a failed wait leaves the vector empty");
        assert!(HANDLED.load(Ordering::SeqCst) > 0);
    }
}

/// Starts a thread blocked in `wait_once(epoll, -1)`, runs `act` once it sleeps in the
/// kernel, and returns what the wait returned.
fn wake_blocked_wait(
    epoll: &OwnedFd,
    act: impl FnOnce(),
) -> (Result<usize, Errno>, Vec<(EventFlags, u64)>) {
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            tx.send(gettid()).unwrap();
            wait_once(epoll, -1)
        });
        let tid = rx.recv().unwrap();
        until_asleep_in_epoll(tid, || waiter.is_finished());
        assert!(
            !waiter.is_finished(),
            "the wait returned before anything was ready"
        );
        act();
        waiter.join().unwrap()
    })
}

#[test]
fn a_blocked_wait_is_seen_in_proc_by_its_system_call() {
    // The proof the tests rely on where wchan names nothing (x86_64 kernels before 5.16): a
    // thread asleep in epoll_wait sleeps inside an epoll wait system call, as its `syscall`
    // file says. Where wchan names nothing, that file must say so; where wchan names the wait,
    // the file is not needed, and Debian's armhf 5.10 kernel was seen to say call 0 in it
    // (7.2 names the call): a note then says what the file held.
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 3, EventFlags::IN).unwrap();
    let (tx, rx) = mpsc::channel();
    let (returned_early, seen, got) = std::thread::scope(|s| {
        let waiter = s.spawn(|| {
            tx.send(gettid()).unwrap();
            wait_once(&ep, -1)
        });
        let tid = rx.recv().unwrap();
        until_asleep_in_epoll(tid, || waiter.is_finished());
        let returned_early = waiter.is_finished();
        // What /proc says, read while the thread sleeps; asserted once the wait has ended, so
        // that a failure does not leave the scope joining a thread that never wakes.
        let seen = if emulated() {
            emulator_note(format_args!(
                "/proc/self/task/{tid}/syscall names the host's system calls under qemu-user: \
                 not checked"
            ));
            None
        } else {
            let by_wchan = wchan_names_epoll_wait(tid);
            Some((by_wchan, asleep_in_epoll_syscall(tid), sleep_report(tid)))
        };
        bump(&efd, 1);
        (returned_early, seen, waiter.join().unwrap())
    });
    assert!(!returned_early, "the wait returned before the event");
    if let Some((by_wchan, by_syscall, report)) = seen {
        assert!(
            by_wchan || by_syscall,
            "neither wchan nor the syscall file shows the epoll wait: {report}"
        );
        if !by_syscall {
            eprintln!("note: wchan shows the epoll wait, the syscall file does not: {report}");
        }
    }
    assert_eq!(got, (Ok(1), vec![(EventFlags::IN, 3)]));
}

#[test]
fn adding_a_ready_source_from_another_thread_wakes_a_blocked_wait() {
    let ep = epoll();
    let ready = eventfd(1);
    let got = wake_blocked_wait(&ep, || {
        epoll_add(&ep, &ready, 5, EventFlags::IN).unwrap();
    });
    assert_eq!(got, (Ok(1), vec![(EventFlags::IN, 5)]));
}

#[test]
fn modifying_a_registration_from_another_thread_wakes_a_blocked_wait() {
    let ep = epoll();
    let ready = eventfd(1);
    // Registered for nothing but ERR and HUP, which an eventfd never reports: the wait sleeps
    // although the eventfd is readable, until MOD asks for IN.
    epoll_add(&ep, &ready, 6, EventFlags::empty()).unwrap();
    let got = wake_blocked_wait(&ep, || {
        epoll_mod(&ep, &ready, 7, EventFlags::IN).unwrap();
    });
    assert_eq!(got, (Ok(1), vec![(EventFlags::IN, 7)]));
}

#[test]
fn one_event_wakes_the_waiters_of_every_instance() {
    const N: usize = 3;
    let efd = eventfd(0);
    let eps: Vec<OwnedFd> = (0..N).map(|_| epoll()).collect();
    for (i, ep) in eps.iter().enumerate() {
        let et = if i % 2 == 0 {
            EventFlags::ET
        } else {
            EventFlags::empty()
        };
        epoll_add(ep, &efd, i as u64, EventFlags::IN | et).unwrap();
    }
    let (tx, rx) = mpsc::channel();
    let results = std::thread::scope(|s| {
        let waiters: Vec<_> = eps
            .iter()
            .map(|ep| {
                let tx = tx.clone();
                s.spawn(move || {
                    tx.send(gettid()).unwrap();
                    wait_once(ep, -1)
                })
            })
            .collect();
        for _ in 0..N {
            let tid = rx.recv().unwrap();
            until_asleep_in_epoll(tid, || waiters.iter().any(|w| w.is_finished()));
        }
        assert!(
            waiters.iter().all(|w| !w.is_finished()),
            "a wait returned before the event"
        );
        bump(&efd, 1);
        waiters
            .into_iter()
            .map(|w| w.join().unwrap())
            .collect::<Vec<_>>()
    });
    for (i, got) in results.into_iter().enumerate() {
        assert_eq!(
            got,
            (Ok(1), vec![(EventFlags::IN, i as u64)]),
            "instance {i}"
        );
    }
}
