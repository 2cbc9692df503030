//! `TimerFd` and `clock_gettime`: expirations and their counts, the settings the kernel keeps
//! and hands back, disarming, absolute times, and cancellation when the clock is set.
//!
//! A timer is waited for with a blocking epoll wait (it will fire: the kernel is asked for
//! it), never with a sleep that hopes it has.

mod common;

use common::*;
use freepoll::clock::{clock_gettime, ClockId};
use freepoll::epoll::{epoll_add, EventFlags};
use freepoll::fd::AsRawFd;
use freepoll::timerfd::{SetFlags, TimerFd, TimerFlags, TimerSpec};
use freepoll::Errno;
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);
const HOUR: Duration = Duration::from_secs(3600);

fn nonblocking(clock: ClockId) -> TimerFd {
    TimerFd::new(clock, TimerFlags::CLOEXEC | TimerFlags::NONBLOCK).unwrap()
}

/// Waits (blocking, up to 10 s) until `timer` is readable in epoll, and checks the event.
fn wait_readable(timer: &TimerFd) {
    let ep = epoll();
    epoll_add(&ep, timer, 0x7173, EventFlags::IN).unwrap();
    assert_eq!(wait(&ep, 4, 10_000), vec![(EventFlags::IN, 0x7173)]);
}

fn now(clock: ClockId) -> Duration {
    clock_gettime(clock).unwrap()
}

/// The time on `clock` as libc reads it.
fn libc_now(clock: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a live timespec that clock_gettime writes.
    assert_eq!(unsafe { libc::clock_gettime(clock, &mut ts) }, 0);
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[test]
fn flags_are_libcs_tfd_constants() {
    assert_eq!(TimerFlags::CLOEXEC.bits(), libc::TFD_CLOEXEC as u32);
    assert_eq!(TimerFlags::NONBLOCK.bits(), libc::TFD_NONBLOCK as u32);
    assert_eq!(SetFlags::ABSTIME.bits(), libc::TFD_TIMER_ABSTIME as u32);
    assert_eq!(
        SetFlags::CANCEL_ON_SET.bits(),
        libc::TFD_TIMER_CANCEL_ON_SET as u32
    );
}

#[test]
fn clock_ids_are_libcs_clock_constants() {
    let pairs = [
        (ClockId::Realtime, libc::CLOCK_REALTIME),
        (ClockId::Monotonic, libc::CLOCK_MONOTONIC),
        (ClockId::ProcessCputime, libc::CLOCK_PROCESS_CPUTIME_ID),
        (ClockId::ThreadCputime, libc::CLOCK_THREAD_CPUTIME_ID),
        (ClockId::MonotonicRaw, libc::CLOCK_MONOTONIC_RAW),
        (ClockId::RealtimeCoarse, libc::CLOCK_REALTIME_COARSE),
        (ClockId::MonotonicCoarse, libc::CLOCK_MONOTONIC_COARSE),
        (ClockId::Boottime, libc::CLOCK_BOOTTIME),
        (ClockId::RealtimeAlarm, libc::CLOCK_REALTIME_ALARM),
        (ClockId::BoottimeAlarm, libc::CLOCK_BOOTTIME_ALARM),
        (ClockId::Tai, libc::CLOCK_TAI),
    ];
    for (ours, theirs) in pairs {
        assert_eq!(ours as i32, theirs, "{ours:?}");
    }
}

#[test]
fn clock_gettime_agrees_with_libc() {
    for (ours, theirs) in [
        (ClockId::Monotonic, libc::CLOCK_MONOTONIC),
        (ClockId::Realtime, libc::CLOCK_REALTIME),
        (ClockId::Boottime, libc::CLOCK_BOOTTIME),
        (ClockId::MonotonicRaw, libc::CLOCK_MONOTONIC_RAW),
    ] {
        let before = libc_now(theirs);
        let mid = now(ours);
        let after = libc_now(theirs);
        assert!(
            before <= mid && mid <= after,
            "{ours:?}: {before:?} {mid:?} {after:?}"
        );
    }
}

#[test]
fn clock_gettime_reads_every_clock() {
    for clock in [
        ClockId::Realtime,
        ClockId::Monotonic,
        ClockId::ProcessCputime,
        ClockId::ThreadCputime,
        ClockId::MonotonicRaw,
        ClockId::RealtimeCoarse,
        ClockId::MonotonicCoarse,
        ClockId::Boottime,
        ClockId::Tai,
    ] {
        assert!(clock_gettime(clock).is_ok(), "{clock:?}");
    }
    assert!(now(ClockId::Realtime).as_secs() > 1_600_000_000);
    assert!(now(ClockId::ThreadCputime) > Duration::ZERO);
}

#[test]
fn monotonic_clock_never_goes_back() {
    let mut last = now(ClockId::Monotonic);
    for _ in 0..1000 {
        let t = now(ClockId::Monotonic);
        assert!(t >= last);
        last = t;
    }
}

#[test]
fn new_timer_is_disarmed_and_unreadable() {
    let timer = nonblocking(ClockId::Monotonic);
    assert_eq!(timer.get(), Ok(TimerSpec::default()));
    assert!(!timer.get().unwrap().is_armed());
    assert_eq!(timer.read(), Err(Errno::AGAIN));
}

#[test]
fn timer_takes_the_five_timer_clocks_and_refuses_the_others() {
    for clock in [ClockId::Realtime, ClockId::Monotonic, ClockId::Boottime] {
        assert!(
            TimerFd::new(clock, TimerFlags::CLOEXEC).is_ok(),
            "{clock:?}"
        );
    }
    for clock in [
        ClockId::ProcessCputime,
        ClockId::ThreadCputime,
        ClockId::MonotonicRaw,
        ClockId::RealtimeCoarse,
        ClockId::MonotonicCoarse,
        ClockId::Tai,
    ] {
        assert_eq!(
            TimerFd::new(clock, TimerFlags::CLOEXEC).err(),
            Some(Errno::INVAL),
            "{clock:?}"
        );
    }
}

#[test]
fn alarm_clock_timer_is_created_or_eperm_without_cap_wake_alarm() {
    for clock in [ClockId::RealtimeAlarm, ClockId::BoottimeAlarm] {
        match TimerFd::new(clock, TimerFlags::CLOEXEC) {
            Ok(timer) => assert_eq!(timer.get(), Ok(TimerSpec::default())),
            Err(e) => assert_eq!(e, Errno::PERM, "{clock:?}"),
        }
    }
}

#[test]
fn unknown_create_flag_is_einval() {
    assert_eq!(
        TimerFd::new(ClockId::Monotonic, TimerFlags::from_bits_retain(1)).err(),
        Some(Errno::INVAL)
    );
}

#[test]
fn new_sets_the_descriptor_flags_asked_for() {
    let timer = nonblocking(ClockId::Monotonic);
    // SAFETY: F_GETFD and F_GETFL take no argument and read no memory.
    let (fd, fl) = unsafe {
        (
            libc::fcntl(timer.as_raw_fd(), libc::F_GETFD),
            libc::fcntl(timer.as_raw_fd(), libc::F_GETFL),
        )
    };
    assert_eq!(fd & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
    assert_eq!(fl & libc::O_NONBLOCK, libc::O_NONBLOCK);
}

#[test]
fn one_shot_timer_fires_once_readable_in_epoll() {
    let timer = nonblocking(ClockId::Monotonic);
    assert_eq!(
        timer.set(MS, Duration::ZERO, SetFlags::empty()),
        Ok(TimerSpec::default())
    );
    wait_readable(&timer);
    assert_eq!(timer.read(), Ok(1));
    assert_eq!(timer.read(), Err(Errno::AGAIN), "one shot, read");
    assert_eq!(timer.get(), Ok(TimerSpec::default()), "expired: disarmed");
}

#[test]
fn blocking_read_waits_for_the_expiration() {
    let timer = TimerFd::new(ClockId::Monotonic, TimerFlags::CLOEXEC).unwrap();
    let start = now(ClockId::Monotonic);
    timer
        .set(2 * MS, Duration::ZERO, SetFlags::empty())
        .unwrap();
    assert_eq!(timer.read(), Ok(1));
    assert!(now(ClockId::Monotonic) - start >= 2 * MS);
}

#[test]
fn periodic_timer_counts_every_period_since_the_last_read() {
    let timer = nonblocking(ClockId::Monotonic);
    timer.set(MS, MS, SetFlags::empty()).unwrap();
    wait_readable(&timer);
    assert!(timer.read().unwrap() >= 1);

    // Let at least 20 periods pass (measured on the timer's own clock), then read once.
    let mark = now(ClockId::Monotonic);
    while now(ClockId::Monotonic) < mark + 20 * MS {
        std::thread::sleep(MS);
    }
    let count = timer.read().unwrap();
    assert!(count >= 19, "{count} expirations in 20 periods or more");

    // Still periodic: it fires again.
    wait_readable(&timer);
    assert!(timer.read().unwrap() >= 1);
    assert_eq!(timer.get().unwrap().interval, MS);
}

#[test]
fn get_after_set_gives_the_time_left_and_the_period() {
    let timer = nonblocking(ClockId::Monotonic);
    let interval = Duration::new(7, 250_000_000);
    timer.set(HOUR, interval, SetFlags::empty()).unwrap();
    let spec = timer.get().unwrap();
    assert!(spec.is_armed());
    assert_eq!(spec.interval, interval);
    assert!(
        spec.value <= HOUR && spec.value > HOUR - Duration::from_secs(60),
        "{spec:?}"
    );
    assert_eq!(timer.read(), Err(Errno::AGAIN));
}

#[test]
fn set_returns_the_setting_it_replaced() {
    let timer = nonblocking(ClockId::Monotonic);
    timer.set(HOUR, 3 * MS, SetFlags::empty()).unwrap();
    let old = timer
        .set(2 * HOUR, Duration::ZERO, SetFlags::empty())
        .unwrap();
    assert_eq!(old.interval, 3 * MS);
    assert!(
        old.value <= HOUR && old.value > HOUR - Duration::from_secs(60),
        "{old:?}"
    );
    let cur = timer.get().unwrap();
    assert_eq!(cur.interval, Duration::ZERO);
    assert!(cur.value > HOUR, "{cur:?}");
}

#[test]
fn disarm_returns_the_old_setting_and_stops_the_timer() {
    let timer = nonblocking(ClockId::Monotonic);
    timer.set(HOUR, HOUR, SetFlags::empty()).unwrap();
    let old = timer.disarm().unwrap();
    assert!(old.is_armed());
    assert_eq!(old.interval, HOUR);
    assert_eq!(timer.get(), Ok(TimerSpec::default()));
    assert_eq!(timer.disarm(), Ok(TimerSpec::default()), "already disarmed");
}

#[test]
fn disarm_drops_expirations_not_yet_read() {
    let ep = epoll();
    let timer = nonblocking(ClockId::Monotonic);
    epoll_add(&ep, &timer, 4, EventFlags::IN).unwrap();
    timer.set(MS, MS, SetFlags::empty()).unwrap();
    assert_eq!(wait(&ep, 4, 10_000), vec![(EventFlags::IN, 4)]);
    let old = timer.disarm().unwrap();
    assert_eq!(old.interval, MS);
    assert_eq!(wait(&ep, 4, 0), vec![], "no longer readable");
    assert_eq!(timer.read(), Err(Errno::AGAIN));
}

#[test]
fn zero_relative_timer_fires_at_once() {
    let timer = nonblocking(ClockId::Monotonic);
    let start = now(ClockId::Monotonic);
    // Zero means "as soon as possible" (the kernel is given 1 ns), not "disarm".
    timer
        .set(Duration::ZERO, Duration::ZERO, SetFlags::empty())
        .unwrap();
    wait_readable(&timer);
    assert!(now(ClockId::Monotonic) - start < Duration::from_secs(5));
    assert_eq!(timer.read(), Ok(1));
    assert_eq!(timer.get(), Ok(TimerSpec::default()), "one-shot: done");
}

#[test]
fn zero_replaces_an_armed_timer_instead_of_disarming_it() {
    let timer = nonblocking(ClockId::Monotonic);
    timer.set(HOUR, Duration::ZERO, SetFlags::empty()).unwrap();
    let old = timer
        .set(Duration::ZERO, Duration::ZERO, SetFlags::empty())
        .unwrap();
    assert!(old.value > HOUR - Duration::from_secs(60), "{old:?}");
    wait_readable(&timer);
    assert_eq!(timer.read(), Ok(1));
}

#[test]
fn zero_absolute_time_fires_at_once() {
    let timer = nonblocking(ClockId::Monotonic);
    timer
        .set(Duration::ZERO, Duration::ZERO, SetFlags::ABSTIME)
        .unwrap();
    wait_readable(&timer);
    assert_eq!(timer.read(), Ok(1));
}

#[test]
fn zero_with_a_period_fires_at_once_then_every_period() {
    let timer = nonblocking(ClockId::Monotonic);
    timer.set(Duration::ZERO, HOUR, SetFlags::empty()).unwrap();
    wait_readable(&timer);
    assert_eq!(timer.read(), Ok(1));
    let spec = timer.get().unwrap();
    assert_eq!(spec.interval, HOUR);
    assert!(spec.is_armed(), "periodic: armed for the next period");
}

#[test]
fn deadline_on_the_monotonic_clock_fires_when_the_clock_reaches_it() {
    let timer = nonblocking(ClockId::Monotonic);
    let deadline = now(ClockId::Monotonic) + Duration::from_millis(300);
    timer.set_deadline(deadline, Duration::ZERO).unwrap();
    let spec = timer.get().unwrap();
    assert!(
        spec.is_armed() && spec.value <= Duration::from_millis(300),
        "{spec:?}"
    );
    wait_readable(&timer);
    let fired = now(ClockId::Monotonic);
    assert!(fired >= deadline, "never early: {fired:?} < {deadline:?}");
    assert!(fired - deadline < Duration::from_secs(5), "bounded");
    assert_eq!(timer.read(), Ok(1));
}

#[test]
fn deadline_already_past_fires_at_once() {
    let timer = nonblocking(ClockId::Monotonic);
    let past = now(ClockId::Monotonic) - Duration::from_millis(1);
    timer.set_deadline(past, Duration::ZERO).unwrap();
    wait_readable(&timer);
    assert_eq!(timer.read(), Ok(1));
}

#[test]
fn durations_beyond_i64_seconds_are_einval() {
    let timer = nonblocking(ClockId::Monotonic);
    let huge = Duration::from_secs(i64::MAX as u64 + 1);
    assert_eq!(
        timer.set(huge, Duration::ZERO, SetFlags::empty()),
        Err(Errno::INVAL)
    );
    assert_eq!(timer.set(MS, huge, SetFlags::empty()), Err(Errno::INVAL));
    assert_eq!(timer.get(), Ok(TimerSpec::default()));
}

#[test]
fn unknown_set_flag_is_einval() {
    let timer = nonblocking(ClockId::Monotonic);
    assert_eq!(
        timer.set(HOUR, Duration::ZERO, SetFlags::from_bits_retain(1 << 2)),
        Err(Errno::INVAL)
    );
    assert_eq!(timer.get(), Ok(TimerSpec::default()));
}

#[test]
fn absolute_time_in_the_future_is_kept_as_time_left() {
    let timer = nonblocking(ClockId::Monotonic);
    let at = now(ClockId::Monotonic) + HOUR;
    timer.set(at, Duration::ZERO, SetFlags::ABSTIME).unwrap();
    let spec = timer.get().unwrap();
    assert!(
        spec.value <= HOUR && spec.value > HOUR - Duration::from_secs(60),
        "{spec:?}"
    );
    assert_eq!(timer.read(), Err(Errno::AGAIN));
}

#[test]
fn absolute_time_in_the_past_fires_at_once() {
    let timer = nonblocking(ClockId::Monotonic);
    // 1 ns after the monotonic clock's start: long past.
    timer
        .set(Duration::from_nanos(1), Duration::ZERO, SetFlags::ABSTIME)
        .unwrap();
    let start = now(ClockId::Monotonic);
    wait_readable(&timer);
    assert!(now(ClockId::Monotonic) - start < Duration::from_secs(5));
    assert_eq!(timer.read(), Ok(1));
    assert_eq!(timer.get(), Ok(TimerSpec::default()));
}

#[test]
fn absolute_periodic_time_in_the_past_counts_the_periods_missed() {
    let timer = nonblocking(ClockId::Monotonic);
    let base = now(ClockId::Monotonic);
    // First expiration 1 s ago, then every 100 ms: about 10 missed periods at once.
    let period = Duration::from_millis(100);
    let first = base
        .checked_sub(Duration::from_secs(1))
        .unwrap_or(Duration::from_nanos(1));
    timer.set(first, period, SetFlags::ABSTIME).unwrap();
    wait_readable(&timer);
    let count = timer.read().unwrap();
    let missed = ((base - first).as_nanos() / period.as_nanos()) as u64;
    assert!(count > missed, "{count} expirations, {missed} periods past");
}

#[test]
fn cancel_on_set_read_is_ecanceled_after_the_clock_is_set() {
    let ep = epoll();
    let timer = nonblocking(ClockId::Realtime);
    epoll_add(&ep, &timer, 8, EventFlags::IN).unwrap();
    let at = now(ClockId::Realtime) + HOUR;
    timer
        .set(
            at,
            Duration::ZERO,
            SetFlags::ABSTIME | SetFlags::CANCEL_ON_SET,
        )
        .unwrap();
    assert_eq!(timer.read(), Err(Errno::AGAIN));

    // Set the realtime clock to what it reads: a change the kernel reports, by a few
    // microseconds at most.
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a live timespec; clock_gettime writes it and clock_settime reads it.
    let rc = unsafe {
        libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts);
        libc::clock_settime(libc::CLOCK_REALTIME, &ts)
    };
    if rc != 0 {
        let err = std::io::Error::last_os_error();
        assert_eq!(
            err.raw_os_error(),
            Some(libc::EPERM),
            "clock_settime: {err}"
        );
        skip(format_args!(
            "ECANCELED of a TFD_TIMER_CANCEL_ON_SET timer (Linux 3.0) when the clock is set: \
             setting CLOCK_REALTIME needs CAP_SYS_TIME, which this process lacks ({err})"
        ));
        return;
    }
    assert_eq!(
        wait(&ep, 4, 0),
        vec![(EventFlags::IN, 8)],
        "readable: canceled"
    );
    assert_eq!(timer.read(), Err(Errno::CANCELED));
    assert_eq!(timer.read(), Err(Errno::AGAIN), "reported once");
}

#[test]
fn cancel_on_set_is_ignored_on_a_relative_timer() {
    let timer = nonblocking(ClockId::Realtime);
    timer
        .set(MS, Duration::ZERO, SetFlags::CANCEL_ON_SET)
        .unwrap();
    wait_readable(&timer);
    assert_eq!(timer.read(), Ok(1));
}

#[test]
fn boottime_timer_fires() {
    let timer = nonblocking(ClockId::Boottime);
    timer.set(MS, Duration::ZERO, SetFlags::empty()).unwrap();
    wait_readable(&timer);
    assert_eq!(timer.read(), Ok(1));
}

#[test]
fn realtime_absolute_timer_fires_at_its_time() {
    let timer = nonblocking(ClockId::Realtime);
    let at = now(ClockId::Realtime) + 2 * MS;
    timer.set(at, Duration::ZERO, SetFlags::ABSTIME).unwrap();
    wait_readable(&timer);
    assert!(now(ClockId::Realtime) >= at);
    assert_eq!(timer.read(), Ok(1));
}
