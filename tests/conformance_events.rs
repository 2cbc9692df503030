//! The events epoll reports, source by source, as the Linux Test Project checks them and
//! beyond wait.rs: IN and OUT on eventfds, pipes, UNIX and TCP sockets; RDHUP, HUP and ERR;
//! edge-triggered and one-shot registrations; ADD, MOD and DEL seen by the next wait; nested
//! epoll instances; fair rotation of the ready list; one ready source among 10,000.
//!
//! Every source is made ready before the wait that must see it. TCP over loopback is the one
//! exception the kernel forces: data and FIN reach the peer asynchronously, so those waits
//! block (timeout -1) on a registration for the one event the test expects.

mod common;

use common::*;
use freepoll::epoll::{epoll_add, epoll_del, epoll_mod, EventFlags};
use freepoll::fd::OwnedFd;

const IN: EventFlags = EventFlags::IN;
const OUT: EventFlags = EventFlags::OUT;
const ET: EventFlags = EventFlags::ET;

/// The flags of the only event a wait returns for `data`, or None if it returned nothing.
fn only(events: Vec<(EventFlags, u64)>, data: u64) -> Option<EventFlags> {
    match events.as_slice() {
        [] => None,
        [(flags, d)] if *d == data => Some(*flags),
        _ => panic!("expected at most one event with data {data}: {events:?}"),
    }
}

/// A UNIX datagram socket pair, non-blocking.
fn dgram_pair() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors socketpair writes.
    let rc = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    assert_eq!(rc, 0, "socketpair: {}", std::io::Error::last_os_error());
    (own(fds[0], "socketpair"), own(fds[1], "socketpair"))
}

// ---------------------------------------------------------------------------------------
// IN and OUT, source by source

#[test]
fn eventfd_in_and_out_follow_its_counter() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 1, IN | OUT).unwrap();
    assert_eq!(
        only(wait(&ep, 2, 0), 1),
        Some(OUT),
        "count 0: writable only"
    );
    bump(&efd, 1);
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(IN | OUT), "count 1");
    // The counter's maximum is 2^64 - 2; there no write of 1 fits, so it is not writable.
    bump(&efd, u64::MAX - 2);
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(IN), "count at its maximum");
    assert_eq!(drain_eventfd(&efd), Some(u64::MAX - 1));
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(OUT), "drained");
}

#[test]
fn pipe_ends_report_in_and_out() {
    let ep = epoll();
    let (r, w) = pipe();
    epoll_add(&ep, &r, 1, IN | OUT).unwrap();
    epoll_add(&ep, &w, 2, IN | OUT).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![(OUT, 2)], "empty pipe");
    write_all(&w, b"data");
    let mut got = wait(&ep, 4, 0);
    got.sort_by_key(|&(_, d)| d);
    assert_eq!(got, vec![(IN, 1), (OUT, 2)], "data in the pipe");
    fill(&w);
    assert_eq!(wait(&ep, 4, 0), vec![(IN, 1)], "full pipe");
    drain(&r);
    assert_eq!(wait(&ep, 4, 0), vec![(OUT, 2)], "drained");
}

#[test]
fn unix_stream_socket_reports_in_and_out() {
    let ep = epoll();
    let (a, b) = socketpair();
    epoll_add(&ep, &a, 1, IN | OUT).unwrap();
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(OUT), "idle");
    write_all(&b, b"hello");
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(IN | OUT), "peer wrote");
    assert_eq!(read_some(&a, 64), b"hello");
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(OUT), "read it all");
    fill(&a);
    assert_eq!(
        only(wait(&ep, 2, 0), 1),
        None,
        "send buffer full, nothing to read"
    );
}

#[test]
fn unix_datagram_socket_reports_in_and_out() {
    let ep = epoll();
    let (a, b) = dgram_pair();
    epoll_add(&ep, &a, 1, IN | OUT).unwrap();
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(OUT), "idle");
    write_all(&b, b"datagram");
    assert_eq!(
        only(wait(&ep, 2, 0), 1),
        Some(IN | OUT),
        "one datagram queued"
    );
    assert_eq!(read_some(&a, 64), b"datagram");
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(OUT), "read it");
}

#[test]
fn tcp_socket_reports_in_and_out() {
    let ep = epoll();
    let (client, server) = tcp_pair();
    epoll_add(&ep, &client, 1, IN | OUT).unwrap();
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(OUT), "connected and idle");
    // The server sees the bytes once loopback delivers them: wait for exactly that, on an
    // instance that watches nothing else.
    let arrival = epoll();
    epoll_add(&arrival, &server, 2, IN).unwrap();
    write_all(&client, b"ping");
    assert_eq!(wait(&arrival, 2, -1), vec![(IN, 2)], "data arrived");
    epoll_add(&ep, &server, 2, IN | OUT).unwrap();
    let mut got = wait(&ep, 4, 0);
    got.sort_by_key(|&(_, d)| d);
    assert_eq!(got, vec![(OUT, 1), (IN | OUT, 2)]);
    assert_eq!(read_some(&server, 64), b"ping");
    let mut got = wait(&ep, 4, 0);
    got.sort_by_key(|&(_, d)| d);
    assert_eq!(got, vec![(OUT, 1), (OUT, 2)], "read it all");
}

// ---------------------------------------------------------------------------------------
// RDHUP, HUP, ERR

#[test]
fn half_closed_unix_socket_reports_rdhup_only_when_asked() {
    let ep = epoll();
    let (a, b) = socketpair();
    let (c, d) = socketpair();
    epoll_add(&ep, &a, 1, IN | EventFlags::RDHUP).unwrap();
    epoll_add(&ep, &c, 2, IN).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![]);
    shutdown(&b, libc::SHUT_WR);
    shutdown(&d, libc::SHUT_WR);
    let mut got = wait(&ep, 4, 0);
    got.sort_by_key(|&(_, d)| d);
    assert_eq!(
        got,
        vec![(IN | EventFlags::RDHUP, 1), (IN, 2)],
        "end of file is readable; RDHUP only where requested"
    );
    // The other direction still works: no HUP while `a` can write.
    write_all(&a, b"still open");
    assert_eq!(read_some(&b, 64), b"still open");
}

#[test]
fn half_closed_tcp_socket_reports_rdhup() {
    let ep = epoll();
    let (client, server) = tcp_pair();
    epoll_add(&ep, &server, 1, EventFlags::RDHUP).unwrap();
    shutdown(&client, libc::SHUT_WR);
    // The FIN arrives asynchronously over loopback: wait for it. tcp_poll sets IN, RDNORM
    // and RDHUP together when the FIN is processed; only RDHUP was requested.
    assert_eq!(wait(&ep, 2, -1), vec![(EventFlags::RDHUP, 1)]);
    epoll_mod(&ep, &server, 1, IN | EventFlags::RDHUP | OUT).unwrap();
    assert_eq!(
        only(wait(&ep, 2, 0), 1),
        Some(IN | EventFlags::RDHUP | OUT),
        "half-closed: readable (end of file), still writable, no HUP"
    );
}

#[test]
fn closed_unix_peer_reports_hup_without_being_asked() {
    let ep = epoll();
    let (a, b) = socketpair();
    epoll_add(&ep, &a, 1, EventFlags::empty()).unwrap();
    assert_eq!(wait(&ep, 2, 0), vec![]);
    drop(b);
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(EventFlags::HUP));
    epoll_mod(&ep, &a, 1, IN | EventFlags::RDHUP).unwrap();
    assert_eq!(
        only(wait(&ep, 2, 0), 1),
        Some(IN | EventFlags::RDHUP | EventFlags::HUP)
    );
}

#[test]
fn pipe_hangup_with_unread_data_reports_in_and_hup() {
    let ep = epoll();
    let (r, w) = pipe();
    epoll_add(&ep, &r, 1, IN).unwrap();
    write_all(&w, b"last words");
    drop(w);
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(IN | EventFlags::HUP));
    assert_eq!(read_some(&r, 64), b"last words");
    assert_eq!(
        only(wait(&ep, 2, 0), 1),
        Some(EventFlags::HUP),
        "drained: HUP stays"
    );
}

#[test]
fn pipe_error_is_reported_without_being_asked() {
    let ep = epoll();
    let (r, w) = pipe();
    epoll_add(&ep, &w, 1, EventFlags::empty()).unwrap();
    assert_eq!(wait(&ep, 2, 0), vec![]);
    drop(r);
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(EventFlags::ERR));
}

// ---------------------------------------------------------------------------------------
// Edge-triggered and one-shot

#[test]
fn edge_triggered_pipe_writer_reports_once_when_room_returns() {
    let ep = epoll();
    let (r, w) = pipe();
    epoll_add(&ep, &w, 1, OUT | ET).unwrap();
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(OUT), "writable when added");
    assert_eq!(only(wait(&ep, 2, 0), 1), None, "no new edge");
    fill(&w);
    assert_eq!(only(wait(&ep, 2, 0), 1), None, "full");
    drain(&r);
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(OUT), "room again");
    assert_eq!(only(wait(&ep, 2, 0), 1), None);
}

#[test]
fn edge_triggered_reader_of_partially_read_pipe_waits_for_new_data() {
    let ep = epoll();
    let (r, w) = pipe();
    epoll_add(&ep, &r, 1, IN | ET).unwrap();
    write_all(&w, b"abcdef");
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(IN));
    assert_eq!(read_some(&r, 3), b"abc");
    assert_eq!(
        only(wait(&ep, 2, 0), 1),
        None,
        "still readable, but no new edge: the trap of ET"
    );
    write_all(&w, b"g");
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(IN));
    assert_eq!(read_some(&r, 16), b"defg");
}

#[test]
fn oneshot_rearmed_while_idle_reports_the_next_readiness() {
    let ep = epoll();
    let (r, w) = pipe();
    epoll_add(&ep, &r, 1, IN | EventFlags::ONESHOT).unwrap();
    write_all(&w, b"1");
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(IN));
    write_all(&w, b"2");
    assert_eq!(
        only(wait(&ep, 2, 0), 1),
        None,
        "disarmed: new data is not reported"
    );
    drain(&r);
    epoll_mod(&ep, &r, 2, IN | EventFlags::ONESHOT).unwrap();
    assert_eq!(only(wait(&ep, 2, 0), 2), None, "re-armed, nothing to read");
    write_all(&w, b"3");
    assert_eq!(only(wait(&ep, 2, 0), 2), Some(IN));
    assert_eq!(only(wait(&ep, 2, 0), 2), None);
}

#[test]
fn oneshot_with_edge_trigger_fires_once_per_rearm() {
    let ep = epoll();
    let efd = eventfd(1);
    let flags = IN | ET | EventFlags::ONESHOT;
    epoll_add(&ep, &efd, 1, flags).unwrap();
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(IN));
    bump(&efd, 1);
    assert_eq!(only(wait(&ep, 2, 0), 1), None, "disarmed");
    epoll_mod(&ep, &efd, 1, flags).unwrap();
    // MOD polls the source: it is readable, so re-arming reports it at once.
    assert_eq!(only(wait(&ep, 2, 0), 1), Some(IN));
    assert_eq!(only(wait(&ep, 2, 0), 1), None);
}

// ---------------------------------------------------------------------------------------
// ADD, MOD, DEL and the next wait

#[test]
fn add_mod_del_are_seen_by_the_next_wait() {
    let ep = epoll();
    let (a, b) = socketpair();
    write_all(&b, b"x");
    epoll_add(&ep, &a, 1, IN).unwrap();
    assert_eq!(wait(&ep, 2, 0), vec![(IN, 1)], "ADD of a ready source");
    epoll_mod(&ep, &a, 2, OUT).unwrap();
    assert_eq!(wait(&ep, 2, 0), vec![(OUT, 2)], "MOD: new flags, new data");
    epoll_mod(&ep, &a, 3, EventFlags::empty()).unwrap();
    assert_eq!(
        wait(&ep, 2, 0),
        vec![],
        "MOD to no flags: only ERR and HUP would show"
    );
    epoll_mod(&ep, &a, 4, IN | OUT).unwrap();
    assert_eq!(wait(&ep, 2, 0), vec![(IN | OUT, 4)]);
    epoll_del(&ep, &a).unwrap();
    assert_eq!(wait(&ep, 2, 0), vec![], "DEL");
    epoll_add(&ep, &a, 5, IN).unwrap();
    assert_eq!(wait(&ep, 2, 0), vec![(IN, 5)], "added again");
}

#[test]
fn closing_the_only_descriptor_removes_the_registration() {
    let ep = epoll();
    let efd = eventfd(1);
    let other = eventfd(1);
    epoll_add(&ep, &efd, 1, IN).unwrap();
    epoll_add(&ep, &other, 2, IN).unwrap();
    let mut got = wait(&ep, 4, 0);
    got.sort_by_key(|&(_, d)| d);
    assert_eq!(got, vec![(IN, 1), (IN, 2)]);
    drop(efd);
    assert_eq!(wait(&ep, 4, 0), vec![(IN, 2)]);
}

#[test]
fn a_duplicated_descriptor_keeps_reporting_after_the_original_closes() {
    // epoll watches the open file description: a dup keeps it (and the registration) alive.
    let ep = epoll();
    let efd = eventfd(1);
    // SAFETY: dup of an open descriptor; the new one is owned below.
    let dup = own(
        unsafe { libc::dup(freepoll::fd::AsRawFd::as_raw_fd(&efd)) },
        "dup",
    );
    epoll_add(&ep, &efd, 7, IN).unwrap();
    drop(efd);
    assert_eq!(
        wait(&ep, 2, 0),
        vec![(IN, 7)],
        "the closed number still reports"
    );
    assert_eq!(drain_eventfd(&dup), Some(1));
    assert_eq!(wait(&ep, 2, 0), vec![]);
    drop(dup);
}

// ---------------------------------------------------------------------------------------
// Nested instances

/// inner watches an eventfd (data 10) with `inner_et`; outer watches inner (data 20) with
/// `outer_et`. Returns (outer, inner, eventfd).
fn nested(inner_et: bool, outer_et: bool) -> (OwnedFd, OwnedFd, OwnedFd) {
    let (outer, inner, efd) = (epoll(), epoll(), eventfd(0));
    let et = |on: bool| if on { ET } else { EventFlags::empty() };
    epoll_add(&inner, &efd, 10, IN | et(inner_et)).unwrap();
    epoll_add(&outer, &inner, 20, IN | et(outer_et)).unwrap();
    (outer, inner, efd)
}

#[test]
fn nested_instance_reports_its_readiness_as_in() {
    for inner_et in [false, true] {
        for outer_et in [false, true] {
            let case = format!("inner ET {inner_et}, outer ET {outer_et}");
            let (outer, inner, efd) = nested(inner_et, outer_et);
            assert_eq!(wait(&outer, 2, 0), vec![], "{case}: idle");
            bump(&efd, 1);
            // The eventfd's wakeup reaches the outer instance through the inner one, in the
            // writer's own call: ready before the wait.
            assert_eq!(wait(&outer, 2, 0), vec![(IN, 20)], "{case}: source ready");
            let again = wait(&outer, 2, 0);
            if outer_et {
                assert_eq!(again, vec![], "{case}: outer ET, one report per edge");
            } else {
                assert_eq!(again, vec![(IN, 20)], "{case}: outer LT, reported again");
            }
            bump(&efd, 1);
            assert_eq!(
                wait(&outer, 2, 0),
                vec![(IN, 20)],
                "{case}: a new event at the bottom is a new edge at the top"
            );
            // The inner instance reports the source itself, with the source's data.
            assert_eq!(wait(&inner, 2, 0), vec![(IN, 10)], "{case}: inner");
            if !outer_et {
                // Outer LT polls inner: inner LT still has the readable eventfd to report;
                // inner ET handed its one event out, so it has nothing left.
                let expected = if inner_et { vec![] } else { vec![(IN, 20)] };
                assert_eq!(wait(&outer, 2, 0), expected, "{case}: after the inner wait");
            }
            assert_eq!(drain_eventfd(&efd), Some(2));
            if !outer_et {
                assert_eq!(wait(&outer, 2, 0), vec![], "{case}: drained");
            }
            assert_eq!(wait(&inner, 2, 0), vec![], "{case}: inner drained");
        }
    }
}

#[test]
fn three_levels_of_nesting_carry_an_event_to_the_top() {
    let (mid, bottom, efd) = nested(false, false);
    let top = epoll();
    epoll_add(&top, &mid, 30, IN).unwrap();
    assert_eq!(wait(&top, 2, 0), vec![]);
    bump(&efd, 1);
    assert_eq!(wait(&top, 2, 0), vec![(IN, 30)]);
    assert_eq!(wait(&mid, 2, 0), vec![(IN, 20)]);
    assert_eq!(wait(&bottom, 2, 0), vec![(IN, 10)]);
    drain_eventfd(&efd);
    assert_eq!(wait(&top, 2, 0), vec![]);
}

#[test]
fn one_event_is_reported_by_every_instance_watching_the_source() {
    let efd = eventfd(0);
    let eps: Vec<OwnedFd> = (0..4).map(|_| epoll()).collect();
    for (i, ep) in eps.iter().enumerate() {
        let et = if i % 2 == 0 { ET } else { EventFlags::empty() };
        epoll_add(ep, &efd, i as u64, IN | et).unwrap();
    }
    bump(&efd, 1);
    for (i, ep) in eps.iter().enumerate() {
        assert_eq!(wait(ep, 2, 0), vec![(IN, i as u64)], "instance {i}");
    }
}

// ---------------------------------------------------------------------------------------
// The ready list

#[test]
fn level_triggered_ready_list_rotates_fairly() {
    // More ready (level-triggered, so permanently ready) sources than the wait's capacity:
    // the kernel moves each reported source to the back of the ready list, so successive
    // waits cover every source before repeating any (ep_send_events).
    const N: usize = 10;
    const CAP: usize = 3;
    let ep = epoll();
    let fds: Vec<OwnedFd> = (0..N).map(|_| eventfd(1)).collect();
    for (i, fd) in fds.iter().enumerate() {
        epoll_add(&ep, fd, i as u64, IN).unwrap();
    }
    let mut seen: Vec<u64> = Vec::new();
    let waits = (N + CAP - 1) / CAP;
    for w in 0..waits {
        let batch = wait(&ep, CAP, 0);
        assert_eq!(batch.len(), CAP, "wait {w}: a full batch every time");
        for (flags, data) in batch {
            assert_eq!(flags, IN);
            if seen.len() < N {
                assert!(
                    !seen.contains(&data),
                    "wait {w}: {data} again before all: {seen:?}"
                );
            }
            seen.push(data);
        }
    }
    let mut first_round: Vec<u64> = seen[..N].to_vec();
    first_round.sort_unstable();
    assert_eq!(first_round, (0..N as u64).collect::<Vec<_>>());
    // Still level-triggered: every source is reported again in the next round.
    let mut next: Vec<u64> = Vec::new();
    for _ in 0..waits {
        next.extend(wait(&ep, CAP, 0).into_iter().map(|(_, d)| d));
    }
    next.extend_from_slice(&seen[N..]);
    next.sort_unstable();
    next.dedup();
    assert_eq!(next, (0..N as u64).collect::<Vec<_>>());
}

/// Raises the soft RLIMIT_NOFILE to the hard one; returns the new soft limit.
fn raise_nofile_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into `lim`.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    lim.rlim_cur = lim.rlim_max;
    // SAFETY: setrlimit reads one rlimit; raising the soft limit up to the hard one is always
    // allowed.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) }, 0);
    #[allow(clippy::unnecessary_cast)] // rlim_t is not u64 on every target libc knows
    let soft = lim.rlim_cur as u64;
    soft
}

#[test]
fn one_ready_source_among_ten_thousand_is_found() {
    // 10,000 registered eventfds (the number), fewer only if the hard RLIMIT_NOFILE
    // is lower: then the count is printed.
    const WANT: u64 = 10_000;
    let limit = raise_nofile_limit();
    // Leave room for the test harness, qemu-user and the other tests running in parallel.
    let n = WANT.min(limit.saturating_sub(500));
    if n < WANT {
        eprintln!("RLIMIT_NOFILE hard limit {limit}: {n} descriptors instead of {WANT}");
    }
    assert!(
        n >= 1000,
        "RLIMIT_NOFILE hard limit {limit} is too low for this test"
    );
    let ep = epoll();
    let fds: Vec<OwnedFd> = (0..n).map(|_| eventfd(0)).collect();
    for (i, fd) in fds.iter().enumerate() {
        epoll_add(&ep, fd, i as u64, IN).unwrap();
    }
    assert_eq!(wait(&ep, 64, 0), vec![]);
    for &pick in &[n / 2, 0, n - 1] {
        bump(&fds[pick as usize], 1);
        assert_eq!(wait(&ep, 64, 0), vec![(IN, pick)], "source {pick}");
        drain_eventfd(&fds[pick as usize]);
        assert_eq!(wait(&ep, 64, 0), vec![]);
    }
    // And with everything deleted but the ready one.
    let pick = n / 3;
    bump(&fds[pick as usize], 1);
    for (i, fd) in fds.iter().enumerate() {
        if i as u64 != pick {
            epoll_del(&ep, fd).unwrap();
        }
    }
    assert_eq!(wait(&ep, 64, 0), vec![(IN, pick)]);
    drop(fds);
}
