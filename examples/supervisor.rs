//! A process supervisor in std Rust: keeps `COUNT` copies of a program running, restarts each
//! one that ends after a backoff, and on `SIGTERM` (or `SIGINT`) stops them all and exits 0.
//!
//! ```sh
//! cargo run --example supervisor --features std -- 2 100 /bin/sleep 30
//! #                                                  ^ ^   ^ the program and its arguments
//! #                                                  | first backoff, in milliseconds
//! #                                                  copies
//! ```
//!
//! One epoll loop, one thread, three kinds of source, told apart by their `data`:
//!
//! - a signalfd for `SIGTERM` and `SIGINT`, which are blocked so that they arrive there and
//!   not as the default action (`data` [`SIGNALS`]);
//! - one pidfd per running child, readable when it ends (`data` [`CHILD`] + slot);
//! - one timerfd per slot, armed with the backoff when its child ended (`data` [`TIMER`] +
//!   slot); and one more for the grace period of the shutdown ([`GRACE`]).
//!
//! Children are started with std's `Command` and the signal mask they should have: std keeps
//! the caller's mask in its children, and this process blocks `SIGTERM`, so without
//! `.sigmask(SigSet::empty())` ([`CommandSignals`]) every child would ignore the `SIGTERM`
//! that is meant to stop it. Each child is watched and reaped through its pidfd; the std
//! `Child` is dropped as soon as the pidfd is open (std has nothing left to do with it: see
//! `freepoll::pidfd` for what it would answer after freepoll reaped the child).
//!
//! What it does is printed on stdout, one line per step, for tests and logs:
//! `started SLOT PID`, `exited SLOT PID STATE`, `restarting SLOT in MS ms`, `stopping`,
//! `stopped`.

use std::error::Error;
use std::ffi::OsString;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use freepoll::clock::{clock_gettime, ClockId};
use freepoll::command::CommandSignals;
use freepoll::epoll::EventVec;
use freepoll::epoll::{epoll_add, epoll_create, epoll_del, epoll_wait, CreateFlags, EventFlags};
use freepoll::fd::OwnedFd;
use freepoll::pidfd::PidFd;
use freepoll::process::{waitid, ChildState, WaitId, WaitOptions};
use freepoll::signal::{sigprocmask, SigSet, SigmaskHow, SIGINT, SIGKILL, SIGTERM};
use freepoll::signalfd::{SigInfo, SignalFd, SignalFdFlags};
use freepoll::timerfd::{SetFlags, TimerFd, TimerFlags};

/// The `data` of the signalfd.
const SIGNALS: u64 = 0;
/// The `data` of the shutdown's grace timer.
const GRACE: u64 = 1;
/// The `data` of slot `i`'s pidfd is `CHILD + i`; of its backoff timer, `TIMER + i`.
const CHILD: u64 = 1 << 32;
const TIMER: u64 = 2 << 32;

/// The longest backoff: the first doubles on each quick failure up to this.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A child that ran this long was healthy: its slot's backoff starts over.
const HEALTHY: Duration = Duration::from_secs(10);
/// How long stopping children have after `SIGTERM` before `SIGKILL`.
const GRACE_PERIOD: Duration = Duration::from_secs(5);

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

/// The command line: `COUNT BACKOFF_MS PROGRAM [ARG...]`.
struct Options {
    count: usize,
    backoff: Duration,
    program: OsString,
    args: Vec<OsString>,
}

/// One supervised copy of the program.
struct Slot {
    /// The running child's pidfd, registered with `data` `CHILD + slot`; `None` while the
    /// slot waits for its backoff (or after the shutdown reaped it).
    child: Option<PidFd>,
    /// When the child started, on the monotonic clock.
    started: Duration,
    /// The backoff before the next restart.
    backoff: Duration,
    /// Armed while the slot waits to restart.
    timer: TimerFd,
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Some(options) => options,
        None => {
            eprintln!("usage: supervisor COUNT BACKOFF_MS PROGRAM [ARG...]");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("supervisor: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Option<Options> {
    let mut args = std::env::args_os().skip(1);
    let count = args.next()?.into_string().ok()?.parse().ok()?;
    let ms = args.next()?.into_string().ok()?.parse().ok()?;
    let program = args.next()?;
    Some(Options {
        count,
        backoff: Duration::from_millis(ms),
        program,
        args: args.collect(),
    })
}

fn run(options: &Options) -> Result<()> {
    // Block the signals first, in the only thread, so that they reach the signalfd.
    let signals = SigSet::of(&[SIGTERM, SIGINT])?;
    sigprocmask(SigmaskHow::Block, Some(&signals))?;
    let signalfd = SignalFd::new(&signals, SignalFdFlags::CLOEXEC | SignalFdFlags::NONBLOCK)?;

    let epoll: OwnedFd = epoll_create(CreateFlags::CLOEXEC)?;
    epoll_add(&epoll, &signalfd, SIGNALS, EventFlags::IN)?;
    let grace = TimerFd::new(
        ClockId::Monotonic,
        TimerFlags::CLOEXEC | TimerFlags::NONBLOCK,
    )?;
    epoll_add(&epoll, &grace, GRACE, EventFlags::IN)?;

    let mut slots = Vec::with_capacity(options.count);
    for i in 0..options.count {
        let timer = TimerFd::new(
            ClockId::Monotonic,
            TimerFlags::CLOEXEC | TimerFlags::NONBLOCK,
        )?;
        epoll_add(&epoll, &timer, TIMER + i as u64, EventFlags::IN)?;
        slots.push(Slot {
            child: None,
            started: Duration::ZERO,
            backoff: options.backoff,
            timer,
        });
        start(options, &epoll, &mut slots, i)?;
    }

    let mut stopping = false;
    let mut events = EventVec::with_capacity(16);
    loop {
        if stopping && slots.iter().all(|s| s.child.is_none()) {
            println!("stopped");
            return Ok(());
        }
        match epoll_wait(&epoll, &mut events, -1) {
            Ok(_) => {}
            Err(freepoll::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
        for (_, data) in &events {
            match data {
                SIGNALS => {
                    let mut infos = [SigInfo::default(); 4];
                    let got = signalfd.read(&mut infos)?;
                    if !stopping && !got.is_empty() {
                        stopping = true;
                        println!("stopping");
                        stop(&slots, &grace)?;
                    }
                }
                GRACE => {
                    grace.read()?;
                    for slot in slots.iter().filter_map(|s| s.child.as_ref()) {
                        let _ = slot.send_signal(SIGKILL);
                    }
                }
                d if d >= TIMER => {
                    let i = (d - TIMER) as usize;
                    slots[i].timer.read()?;
                    if !stopping {
                        start(options, &epoll, &mut slots, i)?;
                    }
                }
                d => {
                    let i = (d - CHILD) as usize;
                    reap(options, &epoll, &mut slots[i], i, stopping)?;
                }
            }
        }
    }
}

/// Starts slot `i`'s child with an empty signal mask and watches its pidfd.
fn start(options: &Options, epoll: &OwnedFd, slots: &mut [Slot], i: usize) -> Result<()> {
    let child = Command::new(&options.program)
        .args(&options.args)
        .stdin(Stdio::null())
        // This process blocks SIGTERM and SIGINT; the child must not.
        .sigmask(SigSet::empty())
        .spawn()?;
    // Opened before anything could reap the child, so the pid is still its.
    let pidfd = PidFd::from_std_child(&child)?;
    drop(child); // Watched and reaped through the pidfd from here on.
    epoll_add(epoll, &pidfd, CHILD + i as u64, EventFlags::IN)?;
    println!("started {i} {}", pidfd.pid());
    let slot = &mut slots[i];
    slot.started = clock_gettime(ClockId::Monotonic)?;
    slot.child = Some(pidfd);
    Ok(())
}

/// Slot `i`'s child ended: reaps it, and unless stopping arms the backoff before its restart.
fn reap(
    options: &Options,
    epoll: &OwnedFd,
    slot: &mut Slot,
    i: usize,
    stopping: bool,
) -> Result<()> {
    let Some(pidfd) = slot.child.take() else {
        return Ok(());
    };
    let state = match waitid(WaitId::PidFd(pidfd.as_fd()), WaitOptions::EXITED)? {
        Some(status) => status.state,
        None => ChildState::Other { code: 0, status: 0 },
    };
    epoll_del(epoll, &pidfd)?;
    println!("exited {i} {} {state}", pidfd.pid());
    if stopping {
        return Ok(());
    }
    let ran = clock_gettime(ClockId::Monotonic)?.saturating_sub(slot.started);
    if ran >= HEALTHY {
        slot.backoff = options.backoff;
    }
    let wait = slot.backoff;
    println!("restarting {i} in {} ms", wait.as_millis());
    // A zero backoff means "at once": TimerFd::set fires as soon as possible on zero.
    slot.timer.set(wait, Duration::ZERO, SetFlags::empty())?;
    slot.backoff = (wait * 2).min(MAX_BACKOFF);
    Ok(())
}

/// Shutdown: cancels pending restarts, sends `SIGTERM` to every child through its pidfd,
/// and arms the grace timer after which the rest get `SIGKILL`.
fn stop(slots: &[Slot], grace: &TimerFd) -> Result<()> {
    for slot in slots {
        slot.timer.disarm()?;
        if let Some(pidfd) = &slot.child {
            // ESRCH cannot happen: the child is not reaped until its pidfd is read here.
            pidfd.send_signal(SIGTERM)?;
        }
    }
    grace.set(GRACE_PERIOD, Duration::ZERO, SetFlags::empty())?;
    Ok(())
}
