//! A freestanding init: one epoll loop over a signalfd (SIGCHLD, SIGTERM, SIGINT), a periodic
//! timerfd, an eventfd and the console, starting six real programs (`/bin/sh -c SCRIPT`, with
//! freepoll's `Spawn`), driving them to their ends and reaping each.
//! Booted as `/init` by ci/boot-test.sh on real kernels, and run as a plain process under
//! qemu-user by ci/freestanding.sh.
//!
//! The run, in two phases:
//! 1. Three children, each watched through the pidfd `spawn` returns: one exits 3, one exits 7,
//!    one sleeps until the first timer tick, when the init kills it with SIGKILL through its
//!    pidfd. Each is reaped when its pidfd is readable, with `waitid(P_PIDFD)`.
//! 2. When all three are reaped, the init wakes itself through the eventfd and starts three
//!    more, reaped on SIGCHLD with `waitid(P_ALL, WNOHANG)` until nothing is left: one exits
//!    0, one exits 42, one sends the init SIGINT and then kills itself with SIGKILL. The init
//!    sends itself SIGTERM. Each signal record is checked for its sender.
//!
//! The init blocks the three signals for its signalfd; its children start with nothing
//! blocked, `Spawn`'s default (a blocked mask would survive `execve`).
//!
//! Every status reaped is checked against what that child was made to do. Console input, if
//! any arrives, is read and counted. Then it prints `FREEPOLL-INIT: ok` (or
//! `FREEPOLL-INIT: fail <what>`) and, as PID 1, powers off; as a process it exits 0 or 1.
//!
//! The shell is the host's `/bin/sh` where the init runs as a process (ci/freestanding.sh; a
//! native program, which qemu-user runs as it is), busybox's in the initramfs of
//! ci/boot-test.sh. No `unsafe`: the compiler holds the program to it.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use core::ffi::CStr;
use core::mem::MaybeUninit;
use core::time::Duration;
use freepoll::clock::ClockId;
use freepoll::entry::Args;
use freepoll::epoll::{
    epoll_add, epoll_create, epoll_del, epoll_wait, CreateFlags, Event, EventFlags, EventVec,
};
use freepoll::eventfd::{EventFd, EventFdFlags};
use freepoll::fd::OwnedFd;
use freepoll::io::{read, stdin};
use freepoll::pidfd::{PidFd, PidFdFlags};
use freepoll::process::{
    exit, getpid, set_child_subreaper, waitid, ChildState, WaitId, WaitOptions,
};
use freepoll::signal::{
    sigprocmask, SigSet, SigmaskHow, SIGCHLD, SIGINT, SIGKILL, SIGTERM, SI_USER,
};
use freepoll::signalfd::{SigInfo, SignalFd, SignalFdFlags};
use freepoll::spawn::{CStrArray, Spawn};
use freepoll::timerfd::{SetFlags, TimerFd, TimerFlags};
use freepoll::Errno;

#[path = "../console.rs"]
mod console;
use console::{finish, power_off, At, Fail, Line};

freepoll::entry!(main);

/// The epoll `data` of each source; a child's pidfd is `CHILD + its index`.
const SIGNALS: u64 = 1;
const TIMER: u64 = 2;
const WAKE: u64 = 3;
const CONSOLE: u64 = 4;
const CHILD: u64 = 100;

/// The timer's period, and how many ticks the whole run may take before it counts as hung.
const TICK: Duration = Duration::from_millis(20);
const MAX_TICKS: u64 = 1500;

/// The shell that runs each child's script.
const SH: &CStr = c"/bin/sh";
/// The children's environment: only where to find `sleep`.
const ENV: &CStr = c"PATH=/bin:/usr/bin";

/// How the init reaps a child.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reap {
    /// When its pidfd is readable, `waitid(P_PIDFD)`.
    PidFd,
    /// On SIGCHLD, `waitid(P_ALL, WNOHANG)` until nothing is left.
    Sigchld,
}

/// One child of the run.
struct Child {
    name: &'static str,
    /// What it does: `sh -c` runs this.
    script: &'static CStr,
    reap: Reap,
    /// What `waitid` must report for it.
    expect: ChildState,
    pid: i32,
    pidfd: Option<PidFd>,
    reaped: bool,
}

impl Child {
    const fn new(
        name: &'static str,
        script: &'static CStr,
        reap: Reap,
        expect: ChildState,
    ) -> Child {
        Child {
            name,
            script,
            reap,
            expect,
            pid: 0,
            pidfd: None,
            reaped: false,
        }
    }
}

const KILLED: ChildState = ChildState::Killed {
    signal: SIGKILL,
    core_dumped: false,
};

/// The first `PHASE1` children are reaped through pidfds, the others on SIGCHLD.
const PHASE1: usize = 3;

/// Where the run stands.
struct Run {
    children: [Child; 6],
    pid: i32,
    ticks: u64,
    killed_waiter: bool,
    phase2: bool,
    sigterm_seen: bool,
    sigint_seen: bool,
    console_bytes: usize,
}

type Step<T> = Result<T, Fail>;

/// Fails with `step`, no kernel error involved.
fn fail<T>(step: &'static str) -> Step<T> {
    Err(Fail { step, errno: None })
}

fn main(_: Args) -> i32 {
    let pid1 = getpid() == 1;
    let outcome = run(pid1);
    finish("FREEPOLL-INIT", &outcome, pid1)
}

fn run(pid1: bool) -> Step<()> {
    let pid = getpid();
    Line::new()
        .push("init: pid ")
        .push_int(pid.into())
        .push(if pid1 { " (PID 1)" } else { " (a process)" })
        .print();
    if !pid1 {
        // Not needed for direct children; shows the call a supervisor makes.
        match set_child_subreaper(true) {
            Ok(()) => Line::new().push("init: a child subreaper now").print(),
            // A kernel knows the option since 3.4 and never answers EINVAL for it; qemu-user
            // 7.2 does not emulate it and does.
            Err(Errno::INVAL) => Line::new()
                .push("init: skip PR_SET_CHILD_SUBREAPER (EINVAL: not emulated by qemu-user)")
                .print(),
            Err(errno) => {
                return Err(Fail {
                    step: "prctl(PR_SET_CHILD_SUBREAPER)",
                    errno: Some(errno),
                })
            }
        }
    }

    // Block before anything else: this process has one thread, which every child inherits
    // the mask from (and the children unblock nothing: they never need to).
    let signals = SigSet::of(&[SIGCHLD, SIGTERM, SIGINT]).at("SigSet::of")?;
    sigprocmask(SigmaskHow::Block, Some(&signals)).at("sigprocmask")?;
    let signalfd =
        SignalFd::new(&signals, SignalFdFlags::CLOEXEC | SignalFdFlags::NONBLOCK).at("signalfd")?;
    let timer = TimerFd::new(
        ClockId::Monotonic,
        TimerFlags::CLOEXEC | TimerFlags::NONBLOCK,
    )
    .at("timerfd")?;
    timer
        .set(TICK, TICK, SetFlags::empty())
        .at("timerfd_settime")?;
    let wake = EventFd::new(0, EventFdFlags::CLOEXEC | EventFdFlags::NONBLOCK).at("eventfd")?;

    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    epoll_add(&epoll, &signalfd, SIGNALS, EventFlags::IN).at("epoll_add signalfd")?;
    epoll_add(&epoll, &timer, TIMER, EventFlags::IN).at("epoll_add timerfd")?;
    epoll_add(&epoll, &wake, WAKE, EventFlags::IN).at("epoll_add eventfd")?;
    let mut console = match epoll_add(&epoll, stdin(), CONSOLE, EventFlags::IN) {
        Ok(()) => true,
        Err(errno) => {
            // A regular file or /dev/null as stdin cannot be polled (EPERM).
            Line::new()
                .push("init: console not watched: ")
                .push_errno(errno)
                .print();
            false
        }
    };

    let mut run = Run {
        children: [
            Child::new("exit-3", c"exit 3", Reap::PidFd, ChildState::Exited(3)),
            Child::new("exit-7", c"exit 7", Reap::PidFd, ChildState::Exited(7)),
            // Sleeps until the init kills it at the first tick.
            Child::new("killed", c"exec sleep 1000", Reap::PidFd, KILLED),
            Child::new("exit-0", c"exit 0", Reap::Sigchld, ChildState::Exited(0)),
            Child::new("exit-42", c"exit 42", Reap::Sigchld, ChildState::Exited(42)),
            // The shell itself sends both: `kill` is a builtin, so the sender is this child.
            Child::new(
                "sigint",
                c"kill -INT $PPID; kill -KILL $$",
                Reap::Sigchld,
                KILLED,
            ),
        ],
        pid,
        ticks: 0,
        killed_waiter: false,
        phase2: false,
        sigterm_seen: false,
        sigint_seen: false,
        console_bytes: 0,
    };

    for (i, child) in run.children.iter_mut().enumerate().take(PHASE1) {
        let pidfd = start(child)?;
        epoll_add(&epoll, &pidfd, CHILD + i as u64, EventFlags::IN).at("epoll_add pidfd")?;
        child.pidfd = Some(pidfd);
    }

    let mut buf = [MaybeUninit::<Event>::uninit(); 8];
    let mut events = EventVec::new(&mut buf);
    while !done(&run) {
        epoll_wait(&epoll, &mut events, -1).at("epoll_wait")?;
        for (_, data) in &events {
            match data {
                SIGNALS => on_signals(&mut run, &signalfd)?,
                TIMER => on_tick(&mut run, &timer)?,
                WAKE => on_wake(&mut run, &wake)?,
                CONSOLE => {
                    if !on_console(&mut run)? {
                        epoll_del(&epoll, stdin()).at("epoll_del console")?;
                        console = false;
                    }
                }
                data => on_pidfd(&mut run, &epoll, &wake, data.wrapping_sub(CHILD) as usize)?,
            }
        }
    }
    Line::new()
        .push("init: 6 children reaped as expected, SIGTERM and SIGINT read, ")
        .push_int(run.ticks as i64)
        .push(" ticks, ")
        .push_int(run.console_bytes as i64)
        .push(" console bytes")
        .push(if console {
            ""
        } else {
            " (console closed or not watched)"
        })
        .print();
    Ok(())
}

/// Everything the run waits for has happened.
fn done(run: &Run) -> bool {
    run.children.iter().all(|c| c.reaped) && run.sigterm_seen && run.sigint_seen && run.ticks >= 3
}

/// The timer: counts its expirations; the first tick kills the waiting child.
fn on_tick(run: &mut Run, timer: &TimerFd) -> Step<()> {
    run.ticks += timer.read().at("timerfd read")?;
    if run.ticks > MAX_TICKS {
        return fail("timeout: the run did not finish");
    }
    if !run.killed_waiter {
        if let Some(pidfd) = &run.children[2].pidfd {
            pidfd
                .send_signal(SIGKILL)
                .at("pidfd_send_signal(SIGKILL)")?;
            run.killed_waiter = true;
        }
    }
    Ok(())
}

/// A child's pidfd is readable: it ended. Reap it through the pidfd and check its status.
fn on_pidfd(run: &mut Run, epoll: &OwnedFd, wake: &EventFd, i: usize) -> Step<()> {
    let Some(child) = run.children.get_mut(i) else {
        return fail("an event with unknown data");
    };
    let Some(pidfd) = child.pidfd.take() else {
        return fail("a pidfd event after the pidfd was closed");
    };
    let status = waitid(WaitId::PidFd(pidfd.as_fd()), WaitOptions::EXITED).at("waitid(P_PIDFD)")?;
    epoll_del(epoll, &pidfd).at("epoll_del pidfd")?;
    drop(pidfd);
    let Some(status) = status else {
        return fail("waitid(P_PIDFD) found nothing");
    };
    if status.pid != child.pid {
        return fail("waitid(P_PIDFD) reaped another pid");
    }
    reaped(child, status.state, "pidfd")?;
    if run.children.iter().take(PHASE1).all(|c| c.reaped) && !run.phase2 {
        // Phase 1 is over: wake the loop, which starts phase 2 on the eventfd's event.
        Line::new()
            .push("init: phase 1 done, waking phase 2")
            .print();
        wake.add(1).at("eventfd add")?;
    }
    Ok(())
}

/// The eventfd: phase 1 is over; start phase 2 and send the init its own SIGTERM.
fn on_wake(run: &mut Run, wake: &EventFd) -> Step<()> {
    let n = wake.read().at("eventfd read")?;
    if n != 1 || run.phase2 {
        return fail("eventfd: one wake-up expected");
    }
    run.phase2 = true;
    for child in run.children.iter_mut().skip(PHASE1) {
        // Reaped on SIGCHLD: their pidfds are closed at once.
        drop(start(child)?);
    }
    PidFd::open(run.pid, PidFdFlags::empty())
        .at("pidfd_open(self)")?
        .send_signal(SIGTERM)
        .at("pidfd_send_signal(self, SIGTERM)")
}

/// The signalfd: SIGCHLD means "reap until nothing is left"; SIGTERM and SIGINT are checked
/// for their sender.
fn on_signals(run: &mut Run, signalfd: &SignalFd) -> Step<()> {
    let mut infos = [SigInfo::default(); 4];
    loop {
        let got = match signalfd.read(&mut infos) {
            Ok(got) => got,
            Err(Errno::AGAIN) => return Ok(()),
            Err(errno) => {
                return Err(Fail {
                    step: "signalfd read",
                    errno: Some(errno),
                })
            }
        };
        for info in got {
            match info.signal() {
                SIGCHLD => reap_all(run)?,
                SIGTERM => {
                    if info.code() != SI_USER || info.pid() != run.pid {
                        return fail("SIGTERM: not SI_USER from the init itself");
                    }
                    Line::new().push("init: SIGTERM from itself").print();
                    run.sigterm_seen = true;
                }
                SIGINT => {
                    let sender = run.children[5].pid;
                    if info.code() != SI_USER || info.pid() != sender {
                        return fail("SIGINT: not SI_USER from the child that sends it");
                    }
                    Line::new().push("init: SIGINT from child sigint").print();
                    run.sigint_seen = true;
                }
                _ => return fail("signalfd: a signal outside the mask"),
            }
        }
    }
}

/// `waitid(P_ALL, WEXITED | WNOHANG)` until it finds nothing, in phase 2 only: in phase 1 the
/// children belong to their pidfds, and a P_ALL wait would take them first.
fn reap_all(run: &mut Run) -> Step<()> {
    if !run.phase2 {
        return Ok(());
    }
    loop {
        let status = match waitid(WaitId::All, WaitOptions::EXITED | WaitOptions::NOHANG) {
            Ok(Some(status)) => status,
            Ok(None) | Err(Errno::CHILD) => return Ok(()),
            Err(errno) => {
                return Err(Fail {
                    step: "waitid(P_ALL)",
                    errno: Some(errno),
                })
            }
        };
        let Some(child) = run.children.iter_mut().find(|c| c.pid == status.pid) else {
            return fail("waitid(P_ALL) reaped a process the init did not start");
        };
        if child.reap != Reap::Sigchld {
            return fail("waitid(P_ALL) reaped a child of a pidfd");
        }
        reaped(child, status.state, "SIGCHLD")?;
    }
}

/// Records a reaped child, failing if its status is not the one it was made to end with.
fn reaped(child: &mut Child, state: ChildState, how: &'static str) -> Step<()> {
    if child.reaped {
        return fail("a child reaped twice");
    }
    child.reaped = true;
    let mut line = Line::new();
    line.push("init: reaped ")
        .push(child.name)
        .push(" via ")
        .push(how)
        .push(": ");
    match state {
        ChildState::Exited(code) => line.push("exited ").push_int(code.into()),
        ChildState::Killed { signal, .. } => line.push("killed by signal ").push_int(signal.into()),
        _ => line.push("another state"),
    };
    line.print();
    if state == child.expect {
        Ok(())
    } else {
        fail(child.name)
    }
}

/// Console input: reads what is there and counts it. `false` when the console is gone (end of
/// file, hang-up, error) and should no longer be watched.
fn on_console(run: &mut Run) -> Step<bool> {
    let mut buf = [0u8; 64];
    match read(stdin(), &mut buf) {
        Ok(0) => Ok(false),
        Ok(n) => {
            run.console_bytes += n;
            Line::new()
                .push("init: console: ")
                .push_bytes(
                    buf.get(..n)
                        .unwrap_or(&[])
                        .strip_suffix(b"\n")
                        .unwrap_or(&[]),
                )
                .print();
            Ok(true)
        }
        Err(Errno::AGAIN | Errno::INTR) => Ok(true),
        Err(_) => Ok(false),
    }
}

/// Starts `child`: `/bin/sh -c SCRIPT` with `Spawn`, nothing blocked, no handlers (the init
/// has none), the init's standard descriptors. Returns the pidfd `spawn` opened with it.
fn start(child: &mut Child) -> Step<PidFd> {
    let mut argv_slots = [core::ptr::null(); 4];
    let argv = CStrArray::new(&mut argv_slots, &[SH, c"-c", child.script]).at("argv")?;
    let mut env_slots = [core::ptr::null(); 2];
    let envp = CStrArray::new(&mut env_slots, &[ENV]).at("envp")?;
    let spawned = Spawn::new(SH, argv, envp).spawn().at("spawn /bin/sh")?;
    child.pid = spawned.pid();
    Ok(spawned.into_pidfd())
}

/// A panic is a failed run.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    Line::new().push("FREEPOLL-INIT: fail panic").print();
    if getpid() == 1 {
        power_off()
    }
    exit(101)
}
