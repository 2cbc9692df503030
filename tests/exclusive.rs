//! `EXCLUSIVE`: the rules checked before any call, the ones only the kernel can check, and
//! what the flag is for: one write to a shared source wakes fewer of the instances waiting on
//! it.

mod common;

use common::*;
use freepoll::epoll::{epoll_add, epoll_del, epoll_mod, EventFlags};
use freepoll::fd::BorrowedFd;
use freepoll::Errno;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A descriptor number that is never open: the kernel would answer EBADF for it, so EINVAL
/// proves that no call was made.
fn never_open() -> BorrowedFd<'static> {
    // SAFETY: the number is above any RLIMIT_NOFILE, so it is never open: the borrow cannot
    // alias a live descriptor.
    unsafe { BorrowedFd::borrow_raw(i32::MAX) }
}

/// The flags the kernel allows beside EXCLUSIVE (`EPOLLEXCLUSIVE_OK_BITS`).
const ALLOWED: [EventFlags; 6] = [
    EventFlags::IN,
    EventFlags::OUT,
    EventFlags::ERR,
    EventFlags::HUP,
    EventFlags::WAKEUP,
    EventFlags::ET,
];

/// Every other flag: named ones and an unnamed bit.
fn forbidden() -> Vec<EventFlags> {
    vec![
        EventFlags::ONESHOT,
        EventFlags::RDHUP,
        EventFlags::PRI,
        EventFlags::RDNORM,
        EventFlags::RDBAND,
        EventFlags::WRNORM,
        EventFlags::WRBAND,
        EventFlags::MSG,
        EventFlags::from_bits_retain(1 << 27),
    ]
}

#[test]
fn add_with_exclusive_and_a_forbidden_flag_is_einval_before_any_call() {
    for flag in forbidden() {
        let flags = EventFlags::IN | EventFlags::EXCLUSIVE | flag;
        assert_eq!(
            epoll_add(never_open(), never_open(), 0, flags),
            Err(Errno::INVAL),
            "{flags:?}"
        );
    }
}

#[test]
fn add_with_exclusive_and_allowed_flags_reaches_the_kernel() {
    // With a descriptor that is not open, the kernel's EBADF shows the call was made.
    for flag in ALLOWED {
        let flags = EventFlags::EXCLUSIVE | flag;
        assert_eq!(
            epoll_add(never_open(), never_open(), 0, flags),
            Err(Errno::BADF),
            "{flags:?}"
        );
    }
    // And on real descriptors the kernel accepts them, all together too.
    let all = ALLOWED
        .iter()
        .fold(EventFlags::EXCLUSIVE, |acc, &f| acc | f);
    for flags in ALLOWED
        .iter()
        .map(|&f| f | EventFlags::EXCLUSIVE)
        .chain([all])
    {
        let ep = epoll();
        let efd = eventfd(1);
        assert_eq!(epoll_add(&ep, &efd, 3, flags), Ok(()), "{flags:?}");
    }
    // Forbidden flags without EXCLUSIVE are fine.
    let ep = epoll();
    let efd = eventfd(1);
    let plain = forbidden()
        .into_iter()
        .fold(EventFlags::IN, |acc, f| acc | f);
    assert_eq!(epoll_add(&ep, &efd, 3, plain), Ok(()));
}

#[test]
fn mod_with_exclusive_is_einval_before_any_call() {
    for flags in [
        EventFlags::EXCLUSIVE,
        EventFlags::IN | EventFlags::EXCLUSIVE,
        EventFlags::IN | EventFlags::ET | EventFlags::EXCLUSIVE,
    ] {
        assert_eq!(
            epoll_mod(never_open(), never_open(), 0, flags),
            Err(Errno::INVAL),
            "{flags:?}"
        );
    }
}

#[test]
fn an_exclusive_registration_cannot_be_modified_only_deleted() {
    let ep = epoll();
    let efd = eventfd(1);
    epoll_add(&ep, &efd, 1, EventFlags::IN | EventFlags::EXCLUSIVE).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::IN, 1)]);
    // Without EXCLUSIVE in the new flags the call is made, and the kernel refuses it.
    assert_eq!(epoll_mod(&ep, &efd, 2, EventFlags::IN), Err(Errno::INVAL));
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::IN, 1)], "unchanged");
    epoll_del(&ep, &efd).unwrap();
    epoll_add(&ep, &efd, 2, EventFlags::IN).unwrap();
    epoll_mod(&ep, &efd, 3, EventFlags::IN).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::IN, 3)]);
}

#[test]
fn exclusive_on_an_epoll_source_is_einval_from_the_kernel() {
    let outer = epoll();
    let inner = epoll();
    assert_eq!(
        epoll_add(&outer, &inner, 0, EventFlags::IN | EventFlags::EXCLUSIVE),
        Err(Errno::INVAL)
    );
    epoll_add(&outer, &inner, 0, EventFlags::IN).unwrap();
}

/// The data of the shared source and of each waiter's own release switch.
const SHARED: u64 = 0;
const RELEASE: u64 = 1;

/// `N` threads, each blocked in `epoll_wait(-1)` on its own instance that watches one shared
/// eventfd (with `flags`) and the thread's own release eventfd. Once all are asleep in the
/// wait, one write to the shared eventfd; returns how many threads it woke.
///
/// The count is taken before the release switches are flipped: a thread released later also
/// sees the shared eventfd readable, but is not counted. Threads that the write wakes
/// return within milliseconds; the count waits 2 s for the first and then 500 ms more for the
/// rest (all `N` end it early).
fn woken_by_one_write(flags: EventFlags) -> usize {
    const N: usize = 4;
    let shared = eventfd(0);
    let woken = AtomicUsize::new(0);
    let mut releases = Vec::new();
    std::thread::scope(|s| {
        let (tids_tx, tids) = mpsc::channel();
        for _ in 0..N {
            let ep = epoll();
            let release = eventfd(0);
            epoll_add(&ep, &shared, SHARED, flags).unwrap();
            epoll_add(&ep, &release, RELEASE, EventFlags::IN).unwrap();
            releases.push(release);
            let (tids_tx, woken) = (tids_tx.clone(), &woken);
            s.spawn(move || {
                tids_tx.send(gettid()).unwrap();
                let events = wait(&ep, 4, -1);
                if events.iter().any(|&(_, d)| d == SHARED) {
                    woken.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        for tid in tids.iter().take(N) {
            wait_until_asleep_in_epoll_wait(tid);
        }

        bump(&shared, 1);
        let first = Instant::now() + Duration::from_secs(2);
        while woken.load(Ordering::SeqCst) == 0 && Instant::now() < first {
            std::thread::sleep(Duration::from_millis(1));
        }
        let rest = Instant::now() + Duration::from_millis(500);
        while woken.load(Ordering::SeqCst) < N && Instant::now() < rest {
            std::thread::sleep(Duration::from_millis(1));
        }
        let count = woken.load(Ordering::SeqCst);

        for release in &releases {
            bump(release, 1);
        }
        count
    })
}

#[test]
fn one_write_wakes_fewer_waiters_with_exclusive() {
    let all = woken_by_one_write(EventFlags::IN);
    let exclusive = woken_by_one_write(EventFlags::IN | EventFlags::EXCLUSIVE);
    eprintln!("one write woke {all} waiters without EXCLUSIVE, {exclusive} with it");
    assert_eq!(all, 4, "without EXCLUSIVE every waiting instance wakes");
    assert!(
        (1..all).contains(&exclusive),
        "with EXCLUSIVE one (or a few, never all) of {all} wake: {exclusive}"
    );
}
