//! `epoll_wait_retry`: a storm of signals interrupts a plain wait at once, and cannot stretch a
//! retrying one past its deadline.
//!
//! A second thread sends SIGUSR1 to the waiting thread every millisecond until the wait is
//! over, or for 3 s at most, so that a wait the storm stretches ends and fails its test rather
//! than hanging. The handler (installed with `SA_RESTART`, which epoll ignores) counts its runs. The
//! tests run one at a time (`SERIAL`): the counter is process-wide.

mod common;

use common::*;
use freepoll::epoll::{
    epoll_add, epoll_wait, epoll_wait_retry, uninit_events, EventFlags, EventVec, Timeout,
};
use freepoll::Errno;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `wait` on this thread while another sends it SIGUSR1 every millisecond (for 3 s at
/// most), and calls
/// `every_signal` after each one sent; returns the wait's result and how many handler runs
/// happened during it.
fn under_signal_storm<T: Send>(
    wait: impl FnOnce() -> T,
    every_signal: impl Fn(usize) + Sync,
) -> (T, usize) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    count_signals(libc::SIGUSR1);
    let waiter = gettid();
    let done = AtomicBool::new(false);
    let sent = AtomicUsize::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            // The waiter stays alive until this thread is joined, so `waiter` cannot be reused
            // by another thread while signals go to it.
            let end = Instant::now() + Duration::from_secs(3);
            while !done.load(Ordering::SeqCst) && Instant::now() < end {
                tgkill(waiter, libc::SIGUSR1);
                every_signal(sent.fetch_add(1, Ordering::SeqCst) + 1);
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        let before = signals_seen(libc::SIGUSR1);
        let result = wait();
        let during = signals_seen(libc::SIGUSR1) - before;
        done.store(true, Ordering::SeqCst);
        (result, during)
    })
}

#[test]
fn a_signal_storm_interrupts_a_plain_wait() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 1, EventFlags::IN).unwrap();
    let mut buf = uninit_events::<4>();
    let mut events = EventVec::new(&mut buf);
    // A signal that lands just before the wait starts runs its handler and the wait goes on;
    // the next one interrupts it.
    let (got, seen) = under_signal_storm(|| epoll_wait(&ep, &mut events, 10_000), |_| {});
    assert_eq!(got, Err(Errno::INTR));
    assert!(seen >= 1);
}

#[test]
fn retry_keeps_a_100_ms_deadline_under_a_signal_storm() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 1, EventFlags::IN).unwrap();
    let mut buf = uninit_events::<4>();
    let mut events = EventVec::new(&mut buf);
    let ((got, took), seen) = under_signal_storm(
        || {
            let start = Instant::now();
            let got = epoll_wait_retry(&ep, &mut events, 100);
            (got, start.elapsed())
        },
        |_| {},
    );
    assert_eq!(got, Ok(0));
    assert!(seen >= 2, "the storm reached the wait: {seen} handler runs");
    assert!(
        took >= Duration::from_millis(100),
        "returned after {took:?}"
    );
    // Restarting with the full 100 ms after each of ~100 signals would take seconds.
    assert!(took < Duration::from_secs(1), "stretched to {took:?}");
}

#[test]
fn retry_keeps_a_sub_millisecond_deadline_under_a_signal_storm() {
    let ep = epoll();
    let mut buf = uninit_events::<4>();
    let mut events = EventVec::new(&mut buf);
    let timeout = Duration::from_micros(50_500);
    let ((got, took), _) = under_signal_storm(
        || {
            let start = Instant::now();
            let got = epoll_wait_retry(&ep, &mut events, timeout);
            (got, start.elapsed())
        },
        |_| {},
    );
    assert_eq!(got, Ok(0));
    assert!(took >= timeout, "returned after {took:?}");
    assert!(took < Duration::from_secs(1), "stretched to {took:?}");
}

#[test]
fn retry_returns_the_event_that_ends_a_storm() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 55, EventFlags::IN).unwrap();
    let mut buf = uninit_events::<4>();
    let mut events = EventVec::new(&mut buf);
    // Forever: only the event ends the wait, after 20 signals.
    let (got, seen) = under_signal_storm(
        || epoll_wait_retry(&ep, &mut events, Timeout::FOREVER),
        |sent| {
            if sent == 20 {
                bump(&efd, 1);
            }
        },
    );
    assert_eq!(got, Ok(1));
    assert_eq!(
        events.iter().collect::<Vec<_>>(),
        vec![(EventFlags::IN, 55)]
    );
    assert!(seen >= 1);
}

#[test]
fn retry_returns_events_ready_at_once() {
    let ep = epoll();
    let efd = eventfd(1);
    epoll_add(&ep, &efd, 4, EventFlags::IN).unwrap();
    let mut buf = uninit_events::<4>();
    let mut events = EventVec::new(&mut buf);
    for timeout in [Timeout::ZERO, Timeout::from(100), Timeout::FOREVER] {
        assert_eq!(
            epoll_wait_retry(&ep, &mut events, timeout),
            Ok(1),
            "{timeout:?}"
        );
        assert_eq!(events.iter().collect::<Vec<_>>(), vec![(EventFlags::IN, 4)]);
    }
}

#[test]
fn retry_returns_other_errors_at_once() {
    // An eventfd is not an epoll instance: EINVAL, not retried (a retry would block forever).
    let efd = eventfd(0);
    let mut buf = uninit_events::<4>();
    let mut events = EventVec::new(&mut buf);
    assert_eq!(
        epoll_wait_retry(&efd, &mut events, Timeout::FOREVER),
        Err(Errno::INVAL)
    );
    assert_eq!(epoll_wait_retry(&efd, &mut events, 100), Err(Errno::INVAL));
    assert_eq!(
        epoll_wait_retry(&efd, &mut events, Duration::MAX),
        Err(Errno::INVAL)
    );
}
