//! What epoll_wait returns: readiness, triggering modes, data, capacity and timeouts, as the
//! kernel reports them.

mod common;

use common::*;
use core::mem::MaybeUninit;
use freepoll::epoll::{epoll_add, epoll_del, epoll_mod, epoll_wait, Event, EventFlags, EventVec};
use freepoll::Errno;
use std::time::{Duration, Instant};

#[test]
fn idle_source_reports_nothing() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 1, EventFlags::IN).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![]);
}

#[test]
fn readable_eventfd_reports_in_with_its_data() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 42, EventFlags::IN).unwrap();
    bump(&efd, 1);
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::IN, 42)]);
}

#[test]
fn writable_pipe_reports_out() {
    let ep = epoll();
    let (_r, w) = pipe();
    epoll_add(&ep, &w, 9, EventFlags::OUT).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::OUT, 9)]);
}

#[test]
fn level_triggered_reports_again_until_drained() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 1, EventFlags::IN).unwrap();
    bump(&efd, 1);
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::IN, 1)]);
    assert_eq!(
        wait(&ep, 4, 0),
        vec![(EventFlags::IN, 1)],
        "still readable, reported again"
    );
    assert_eq!(drain_eventfd(&efd), Some(1));
    assert_eq!(wait(&ep, 4, 0), vec![]);
}

#[test]
fn edge_triggered_reports_once_per_change() {
    let ep = epoll();
    let (r, w) = pipe();
    epoll_add(&ep, &r, 5, EventFlags::IN | EventFlags::ET).unwrap();
    write_all(&w, b"ab");
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::IN, 5)]);
    assert_eq!(
        wait(&ep, 4, 0),
        vec![],
        "no new edge while data stays unread"
    );
    write_all(&w, b"c");
    assert_eq!(
        wait(&ep, 4, 0),
        vec![(EventFlags::IN, 5)],
        "new data is a new edge"
    );
    assert_eq!(read_some(&r, 16), b"abc");
    assert_eq!(wait(&ep, 4, 0), vec![]);
}

#[test]
fn oneshot_fires_once_until_rearmed() {
    let ep = epoll();
    let efd = eventfd(1);
    epoll_add(&ep, &efd, 3, EventFlags::IN | EventFlags::ONESHOT).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::IN, 3)]);
    assert_eq!(wait(&ep, 4, 0), vec![], "disarmed although still readable");
    assert_eq!(
        epoll_add(&ep, &efd, 3, EventFlags::IN),
        Err(Errno::EXIST),
        "a disarmed registration still exists"
    );
    epoll_mod(&ep, &efd, 4, EventFlags::IN | EventFlags::ONESHOT).unwrap();
    assert_eq!(
        wait(&ep, 4, 0),
        vec![(EventFlags::IN, 4)],
        "re-armed with the new data"
    );
    assert_eq!(wait(&ep, 4, 0), vec![]);
}

#[test]
fn data_round_trips_unchanged() {
    for data in [0, 1, u64::MAX, 0x8000_0000_0000_0001, 0xdead_beef_0bad_f00d] {
        let ep = epoll();
        let efd = eventfd(1);
        epoll_add(&ep, &efd, data, EventFlags::IN).unwrap();
        assert_eq!(
            wait(&ep, 1, 0),
            vec![(EventFlags::IN, data)],
            "data {data:#x}"
        );
    }
}

#[test]
fn mod_changes_flags_and_data() {
    let ep = epoll();
    let (r, w) = pipe();
    epoll_add(&ep, &w, 1, EventFlags::IN).unwrap();
    assert_eq!(
        wait(&ep, 4, 0),
        vec![],
        "a pipe's write end is never readable"
    );
    epoll_mod(&ep, &w, 2, EventFlags::OUT).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::OUT, 2)]);
    drop(r);
}

#[test]
fn del_stops_reports() {
    let ep = epoll();
    let efd = eventfd(1);
    epoll_add(&ep, &efd, 1, EventFlags::IN).unwrap();
    assert_eq!(wait(&ep, 4, 0).len(), 1);
    epoll_del(&ep, &efd).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![]);
}

#[test]
fn hangup_is_reported_without_being_requested() {
    let ep = epoll();
    let (r, w) = pipe();
    epoll_add(&ep, &r, 8, EventFlags::empty()).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![]);
    drop(w);
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::HUP, 8)]);
}

#[test]
fn error_is_reported_when_pipe_reader_closes() {
    let ep = epoll();
    let (r, w) = pipe();
    epoll_add(&ep, &w, 8, EventFlags::OUT).unwrap();
    drop(r);
    assert_eq!(
        wait(&ep, 4, 0),
        vec![(EventFlags::OUT | EventFlags::ERR, 8)]
    );
}

#[test]
fn more_ready_than_capacity_delivers_each_once_across_waits() {
    const N: u64 = 10;
    let ep = epoll();
    let fds: Vec<_> = (0..N).map(|_| eventfd(1)).collect();
    for (i, fd) in fds.iter().enumerate() {
        epoll_add(&ep, fd, i as u64, EventFlags::IN | EventFlags::ET).unwrap();
    }
    let mut seen = Vec::new();
    for _ in 0..4 {
        let batch = wait(&ep, 3, 0);
        assert!(batch.len() <= 3, "never more than the capacity");
        let mut unique = datas(&batch);
        unique.dedup();
        assert_eq!(
            unique.len(),
            batch.len(),
            "no duplicate within a wait: {batch:?}"
        );
        seen.extend(batch.iter().map(|&(f, d)| {
            assert_eq!(f, EventFlags::IN);
            d
        }));
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..N).collect::<Vec<_>>(),
        "every event delivered exactly once"
    );
    assert_eq!(wait(&ep, 3, 0), vec![]);
}

#[test]
fn wait_replaces_previous_contents() {
    let ep = epoll();
    let a = eventfd(1);
    let b = eventfd(1);
    epoll_add(&ep, &a, 1, EventFlags::IN | EventFlags::ONESHOT).unwrap();
    epoll_add(&ep, &b, 2, EventFlags::IN | EventFlags::ONESHOT).unwrap();
    let mut buf = [MaybeUninit::<Event>::uninit(); 1];
    let mut events = EventVec::new(&mut buf);
    assert_eq!(epoll_wait(&ep, &mut events, 0), Ok(1));
    let first = events.iter().next().unwrap().1;
    assert_eq!(epoll_wait(&ep, &mut events, 0), Ok(1));
    let second = events.iter().next().unwrap().1;
    assert_eq!(events.len(), 1);
    let mut both = [first, second];
    both.sort_unstable();
    assert_eq!(both, [1, 2]);
    assert_eq!(epoll_wait(&ep, &mut events, 0), Ok(0));
    assert!(events.is_empty());
}

#[test]
fn failed_wait_leaves_vector_empty() {
    let ep = epoll();
    let efd = eventfd(1);
    epoll_add(&ep, &efd, 1, EventFlags::IN).unwrap();
    let mut buf = [MaybeUninit::<Event>::uninit(); 2];
    let mut events = EventVec::new(&mut buf);
    assert_eq!(epoll_wait(&ep, &mut events, 0), Ok(1));
    // A non-epoll descriptor as the instance: the kernel answers EINVAL.
    assert_eq!(epoll_wait(&efd, &mut events, 0), Err(Errno::INVAL));
    assert!(events.is_empty());
}

#[test]
fn zero_timeout_returns_at_once_on_idle_instance() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 1, EventFlags::IN).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![]);
}

#[test]
fn positive_timeout_waits_at_least_that_long() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 1, EventFlags::IN).unwrap();
    let start = Instant::now();
    assert_eq!(wait(&ep, 4, 50), vec![]);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(50),
        "returned after {waited:?}"
    );
}

#[test]
fn infinite_wait_returns_when_another_thread_makes_a_source_ready() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 77, EventFlags::IN).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| bump(&efd, 1));
        assert_eq!(wait(&ep, 4, -1), vec![(EventFlags::IN, 77)]);
    });
}
