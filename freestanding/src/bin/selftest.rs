//! freepoll's self test as a freestanding program: no libc, its own `_start`, every system call
//! through freepoll. Built for every architecture freepoll supports by `ci/freestanding.sh`,
//! which runs it as a process, and packed as `/init` by `ci/boot-test.sh`, which boots it on real kernels.
//!
//! It prints one line per check (`ok <check>`, `ok <check> (<how>)`, `skip <check> (<why>)` or
//! `FAIL <check>: <step>[: <errno>]`) and then exactly one result line,
//! `FREEPOLL-RESULT: ok` or `FREEPOLL-RESULT: fail <first failed check>`. As a process it exits
//! 0 or 1. As PID 1 it must not exit (the kernel would panic): it powers the machine off.
//!
//! Every check makes its descriptors ready (or leaves them idle) before it waits, and waits
//! with a timeout of 0 unless the timeout itself is under test; those checks require only that
//! a wait did not end early, never that it ended soon.

#![no_std]
#![no_main]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

use core::mem::MaybeUninit;
use core::time::Duration;
use freepoll::clock::{clock_gettime, ClockId};
use freepoll::entry::Args;
use freepoll::epoll::{
    epoll_add, epoll_create, epoll_del, epoll_mod, epoll_wait, pwait2_available, CreateFlags,
    Event, EventFlags, EventVec,
};
use freepoll::eventfd::{EventFd, EventFdFlags};
use freepoll::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use freepoll::io::{pipe2, read, write, PipeFlags};
use freepoll::process::{exit, getpid};
use freepoll::raw::{decode_raw, nr, syscall4, syscall6};
use freepoll::Errno;

#[path = "../console.rs"]
mod console;
use console::{power_off, At, Fail, Line};

freepoll::entry!(main);

/// `EPOLL_CTL_ADD` (`include/uapi/linux/eventpoll.h`), for the one raw `epoll_ctl` below.
const EPOLL_CTL_ADD: usize = 1;
/// The kernel's `sizeof(sigset_t)` here (64 signals), which epoll_pwait2 checks.
const KERNEL_SIGSET_SIZE: usize = 8;

/// A check: `Ok` when it passed or could not run here, `Err` with where it failed.
type Check = fn(&Context) -> Outcome;

/// The checks, in the order they run.
const CHECKS: &[(&str, Check)] = &[
    ("lt_eventfd", lt_eventfd),
    ("et_eventfd", et_eventfd),
    ("lt_pipe", lt_pipe),
    ("et_pipe", et_pipe),
    ("oneshot_rearm", oneshot_rearm),
    ("data_round_trip", data_round_trip),
    ("more_ready_than_capacity", more_ready_than_capacity),
    ("timeout_zero", timeout_zero),
    ("timeout_short", timeout_short),
    ("timeout_ns", timeout_ns),
    ("pwait2", pwait2),
    ("ebadf", ebadf),
    ("eexist", eexist),
    ("enoent", enoent),
];

/// What the checks may need to know about how they run.
struct Context {
    /// Running as the first process of a kernel we booted (ci/boot-test.sh).
    pid1: bool,
}

/// A check that did not fail: it passed, passed with a remark on how, or could not run here
/// (and says why).
enum Pass {
    Ok,
    Note(&'static str),
    Skip(&'static str),
}

type Outcome = Result<Pass, Fail>;

/// Fails with `step` unless `cond` holds.
fn ensure(cond: bool, step: &'static str) -> Result<(), Fail> {
    if cond {
        Ok(())
    } else {
        Err(Fail { step, errno: None })
    }
}

// ---------------------------------------------------------------------------------------------
// The checks.

/// Level-triggered eventfd: reported while its counter is non-zero, again and again.
fn lt_eventfd(_: &Context) -> Outcome {
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let efd = eventfd().at("eventfd2")?;
    epoll_add(&epoll, &efd, 1, EventFlags::IN).at("epoll_add")?;
    let mut buf = [MaybeUninit::<Event>::uninit(); 4];
    let mut events = EventVec::new(&mut buf);

    expect(&epoll, &mut events, &[], "idle eventfd reported")?;
    write_u64(&efd, 1).at("write")?;
    expect(&epoll, &mut events, &[(EventFlags::IN, 1)], "first wait")?;
    expect(
        &epoll,
        &mut events,
        &[(EventFlags::IN, 1)],
        "second wait (level)",
    )?;
    ensure(read_u64(&efd).at("read")? == 1, "counter read back")?;
    expect(&epoll, &mut events, &[], "drained eventfd reported")?;
    Ok(Pass::Ok)
}

/// Edge-triggered eventfd: one event per write, none for a state that did not change.
fn et_eventfd(_: &Context) -> Outcome {
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let efd = eventfd().at("eventfd2")?;
    epoll_add(&epoll, &efd, 2, EventFlags::IN | EventFlags::ET).at("epoll_add")?;
    let mut buf = [MaybeUninit::<Event>::uninit(); 4];
    let mut events = EventVec::new(&mut buf);

    write_u64(&efd, 1).at("write")?;
    expect(
        &epoll,
        &mut events,
        &[(EventFlags::IN, 2)],
        "edge after write",
    )?;
    expect(&epoll, &mut events, &[], "no new edge, yet reported")?;
    write_u64(&efd, 1).at("write")?;
    expect(
        &epoll,
        &mut events,
        &[(EventFlags::IN, 2)],
        "edge after second write",
    )?;
    ensure(read_u64(&efd).at("read")? == 2, "counter read back")?;
    Ok(Pass::Ok)
}

/// Level-triggered pipe, both ends: the write end is writable at once, the read end readable
/// until it is drained.
fn lt_pipe(_: &Context) -> Outcome {
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let (rx, tx) = pipe().at("pipe2")?;
    epoll_add(&epoll, &rx, 3, EventFlags::IN).at("epoll_add read end")?;
    epoll_add(&epoll, &tx, 4, EventFlags::OUT).at("epoll_add write end")?;
    let mut buf = [MaybeUninit::<Event>::uninit(); 4];
    let mut events = EventVec::new(&mut buf);

    let writable = (EventFlags::OUT, 4);
    let readable = (EventFlags::IN, 3);
    expect(&epoll, &mut events, &[writable], "empty pipe")?;
    write_bytes(&tx, b"x").at("write")?;
    expect(&epoll, &mut events, &[readable, writable], "first wait")?;
    expect(
        &epoll,
        &mut events,
        &[readable, writable],
        "second wait (level)",
    )?;
    let mut byte = [0u8; 1];
    ensure(read(&rx, &mut byte).at("read")? == 1, "read one byte")?;
    ensure(byte == *b"x", "byte read back")?;
    expect(&epoll, &mut events, &[writable], "drained pipe")?;
    Ok(Pass::Ok)
}

/// Edge-triggered pipe: one event when data arrives, none while it sits unread; after draining
/// to `EAGAIN`, new data is a new edge.
fn et_pipe(_: &Context) -> Outcome {
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let (rx, tx) = pipe().at("pipe2")?;
    epoll_add(&epoll, &rx, 5, EventFlags::IN | EventFlags::ET).at("epoll_add")?;
    let mut buf = [MaybeUninit::<Event>::uninit(); 4];
    let mut events = EventVec::new(&mut buf);

    write_bytes(&tx, b"ab").at("write")?;
    expect(
        &epoll,
        &mut events,
        &[(EventFlags::IN, 5)],
        "edge after write",
    )?;
    expect(&epoll, &mut events, &[], "no new edge, yet reported")?;
    // Drain as an edge-triggered reader must: until EAGAIN.
    let mut data = [0u8; 8];
    ensure(read(&rx, &mut data).at("read")? == 2, "read both bytes")?;
    match read(&rx, &mut data) {
        Err(Errno::AGAIN) => {}
        Err(errno) => {
            return Err(Fail {
                step: "read after drain",
                errno: Some(errno),
            })
        }
        Ok(_) => {
            return Err(Fail {
                step: "read after drain returned data",
                errno: None,
            })
        }
    }
    write_bytes(&tx, b"c").at("write")?;
    expect(
        &epoll,
        &mut events,
        &[(EventFlags::IN, 5)],
        "edge after refill",
    )?;
    Ok(Pass::Ok)
}

/// ONESHOT: one event, then silence while still ready, until `epoll_mod` re-arms it (with new
/// data, which the next event carries).
fn oneshot_rearm(_: &Context) -> Outcome {
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let efd = eventfd().at("eventfd2")?;
    epoll_add(&epoll, &efd, 6, EventFlags::IN | EventFlags::ONESHOT).at("epoll_add")?;
    let mut buf = [MaybeUninit::<Event>::uninit(); 4];
    let mut events = EventVec::new(&mut buf);

    write_u64(&efd, 1).at("write")?;
    expect(&epoll, &mut events, &[(EventFlags::IN, 6)], "first event")?;
    expect(&epoll, &mut events, &[], "disarmed, yet reported")?;
    epoll_mod(&epoll, &efd, 7, EventFlags::IN | EventFlags::ONESHOT).at("epoll_mod")?;
    expect(
        &epoll,
        &mut events,
        &[(EventFlags::IN, 7)],
        "event after re-arm",
    )?;
    expect(&epoll, &mut events, &[], "disarmed again, yet reported")?;
    Ok(Pass::Ok)
}

/// Every bit of `data` comes back, for each source its own: the edges of the 64-bit range and
/// patterns that show a shifted or truncated field (x86_64's packed layout puts `data` at
/// offset 4, the others at offset 8).
fn data_round_trip(_: &Context) -> Outcome {
    const DATA: [u64; 6] = [
        0,
        1,
        u64::MAX,
        1 << 63,
        0x0123_4567_89ab_cdef,
        0xfedc_ba98_7654_3210,
    ];
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let e0 = eventfd().at("eventfd2")?;
    let e1 = eventfd().at("eventfd2")?;
    let e2 = eventfd().at("eventfd2")?;
    let e3 = eventfd().at("eventfd2")?;
    let e4 = eventfd().at("eventfd2")?;
    let e5 = eventfd().at("eventfd2")?;
    for (efd, data) in [&e0, &e1, &e2, &e3, &e4, &e5].iter().zip(DATA) {
        epoll_add(&epoll, efd, data, EventFlags::IN).at("epoll_add")?;
        write_u64(efd, 1).at("write")?;
    }
    let mut buf = [MaybeUninit::<Event>::uninit(); 8];
    let mut events = EventVec::new(&mut buf);
    let want = DATA.map(|data| (EventFlags::IN, data));
    expect(&epoll, &mut events, &want, "events")?;
    Ok(Pass::Ok)
}

/// More ready sources than the buffer holds: each wait fills the buffer, and the kernel rotates
/// level-triggered sources to the back of its ready list, so three waits of two see all five.
fn more_ready_than_capacity(_: &Context) -> Outcome {
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let e0 = eventfd().at("eventfd2")?;
    let e1 = eventfd().at("eventfd2")?;
    let e2 = eventfd().at("eventfd2")?;
    let e3 = eventfd().at("eventfd2")?;
    let e4 = eventfd().at("eventfd2")?;
    for (efd, data) in [&e0, &e1, &e2, &e3, &e4].iter().zip(0u64..) {
        epoll_add(&epoll, efd, data, EventFlags::IN).at("epoll_add")?;
        write_u64(efd, 1).at("write")?;
    }
    let mut buf = [MaybeUninit::<Event>::uninit(); 2];
    let mut events = EventVec::new(&mut buf);
    let mut seen = 0u64; // bit `data` is set once the source with that data was reported
    for _ in 0..3 {
        let n = epoll_wait(&epoll, &mut events, 0).at("epoll_wait")?;
        ensure(
            n == 2 && events.len() == 2,
            "a wait did not fill the buffer",
        )?;
        for (flags, data) in &events {
            ensure(flags == EventFlags::IN && data < 5, "unexpected event")?;
            seen |= 1 << data;
        }
    }
    ensure(seen == 0b1_1111, "a ready source was never reported")?;
    Ok(Pass::Ok)
}

/// A timeout of 0 on an idle source returns at once with nothing.
fn timeout_zero(_: &Context) -> Outcome {
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let efd = eventfd().at("eventfd2")?;
    epoll_add(&epoll, &efd, 8, EventFlags::IN).at("epoll_add")?;
    let mut buf = [MaybeUninit::<Event>::uninit(); 1];
    let mut events = EventVec::new(&mut buf);
    let n = epoll_wait(&epoll, &mut events, 0).at("epoll_wait")?;
    ensure(n == 0 && events.is_empty(), "idle eventfd reported")?;
    Ok(Pass::Ok)
}

/// A short positive timeout on an idle source returns nothing, and not before the time is up
/// (the kernel rounds a timeout up, never down; how much later it returns is not checked).
fn timeout_short(_: &Context) -> Outcome {
    const TIMEOUT_MS: i32 = 20;
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let efd = eventfd().at("eventfd2")?;
    epoll_add(&epoll, &efd, 9, EventFlags::IN).at("epoll_add")?;
    let mut buf = [MaybeUninit::<Event>::uninit(); 1];
    let mut events = EventVec::new(&mut buf);
    let start = now_ns().at("clock_gettime")?;
    let n = epoll_wait(&epoll, &mut events, TIMEOUT_MS).at("epoll_wait")?;
    let elapsed = now_ns().at("clock_gettime")?.wrapping_sub(start);
    ensure(n == 0, "idle eventfd reported")?;
    ensure(
        elapsed >= TIMEOUT_MS as u64 * 1_000_000,
        "returned before the timeout",
    )?;
    Ok(Pass::Ok)
}

/// A sub-millisecond [`Duration`] timeout on an idle source returns nothing, and not before the
/// time is up. freepoll passes it to `epoll_pwait2`, or, where that answers `ENOSYS`, rounds it
/// up to 1 ms for `epoll_pwait`: qemu-user takes that path, which is reported; the kernels that
/// ci/boot-test.sh boots (PID 1) all have `epoll_pwait2`, so there the fallback is a failure.
fn timeout_ns(context: &Context) -> Outcome {
    const TIMEOUT: Duration = Duration::from_micros(300);
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let efd = eventfd().at("eventfd2")?;
    epoll_add(&epoll, &efd, 13, EventFlags::IN).at("epoll_add")?;
    let mut buf = [MaybeUninit::<Event>::uninit(); 1];
    let mut events = EventVec::new(&mut buf);
    let start = now_ns().at("clock_gettime")?;
    let n = epoll_wait(&epoll, &mut events, TIMEOUT).at("epoll_wait")?;
    let elapsed = now_ns().at("clock_gettime")?.wrapping_sub(start);
    ensure(n == 0, "idle eventfd reported")?;
    ensure(
        elapsed >= TIMEOUT.as_nanos() as u64,
        "returned before the timeout",
    )?;
    match pwait2_available() {
        Some(true) => Ok(Pass::Note("epoll_pwait2")),
        Some(false) if !context.pid1 => Ok(Pass::Note(
            "rounded up to 1 ms for epoll_pwait: epoll_pwait2 ENOSYS from qemu-user",
        )),
        Some(false) => Err(Fail {
            step: "fell back to epoll_pwait on a kernel with epoll_pwait2",
            errno: None,
        }),
        None => Err(Fail {
            step: "the wait did not try epoll_pwait2",
            errno: None,
        }),
    }
}

/// `epoll_pwait2` (Linux 5.11) itself, called directly: a 300 µs timeout on an idle source
/// returns nothing, and not early; a ready source comes back with its data. qemu-user 7.2
/// answers `ENOSYS` (it does not know the call): a skip there, but a failure on the kernels
/// that ci/boot-test.sh boots (PID 1), which all have it.
fn pwait2(context: &Context) -> Outcome {
    const TIMEOUT_NS: i64 = 300_000;
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let efd = eventfd().at("eventfd2")?;
    epoll_add(&epoll, &efd, 12, EventFlags::IN).at("epoll_add")?;
    let mut buf = [MaybeUninit::<Event>::uninit(); 2];

    let start = now_ns().at("clock_gettime")?;
    match raw_pwait2(&epoll, &mut buf, TIMEOUT_NS) {
        Err(Errno::NOSYS) if !context.pid1 => return Ok(Pass::Skip("ENOSYS from qemu-user")),
        idle => ensure(idle.at("epoll_pwait2")? == 0, "idle eventfd reported")?,
    }
    let elapsed = now_ns().at("clock_gettime")?.wrapping_sub(start);
    ensure(elapsed >= TIMEOUT_NS as u64, "returned before the timeout")?;

    write_u64(&efd, 1).at("write")?;
    ensure(
        raw_pwait2(&epoll, &mut buf, 0).at("epoll_pwait2")? == 1,
        "one event",
    )?;
    let [first, _] = buf;
    // SAFETY: epoll_pwait2 returned 1, so it wrote one whole event to the first slot.
    let event = unsafe { first.assume_init() };
    ensure(
        event.flags() == EventFlags::IN && event.data() == 12,
        "event and data",
    )?;
    Ok(Pass::Ok)
}

/// `epoll_pwait2(epoll, buf, buf.len(), {0, nanos}, NULL, 8)`: the number of events written to
/// the front of `buf`.
fn raw_pwait2(
    epoll: &OwnedFd,
    buf: &mut [MaybeUninit<Event>],
    nanos: i64,
) -> freepoll::Result<usize> {
    // `struct __kernel_timespec`: 64-bit seconds, 64-bit nanoseconds.
    let timeout: [i64; 2] = [0, nanos];
    // SAFETY: `epoll` is open (borrowed); the kernel writes at most `buf.len()` events (it is
    // a small array) to `buf`, in the layout of `Event`, and reads the 16 bytes of `timeout`;
    // the signal mask is NULL, so it reads no mask.
    decode_raw(unsafe {
        syscall6(
            nr::EPOLL_PWAIT2,
            epoll.as_raw_fd() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            timeout.as_ptr() as usize,
            0,
            KERNEL_SIGSET_SIZE,
        )
    })
}

/// `EBADF` for a descriptor number that is not open. The safe API cannot be handed one (a
/// `BorrowedFd` is open by contract), so this is the raw `epoll_ctl`, decoded by freepoll.
fn ebadf(_: &Context) -> Outcome {
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    // Open and close an eventfd: its number is then closed, and this single-threaded program
    // opens nothing that could take the number before the call below.
    let closed: RawFd = eventfd().at("eventfd2")?.as_raw_fd();
    let event = Event::new(EventFlags::IN, 0);
    // SAFETY: `epoll` is open (owned above); `closed` is a number, not a descriptor anything
    // owns, which the kernel only looks up; it only reads `event`, a live `Event` in its
    // layout.
    let ret = unsafe {
        syscall4(
            nr::EPOLL_CTL,
            epoll.as_raw_fd() as usize,
            EPOLL_CTL_ADD,
            closed as usize,
            &event as *const Event as usize,
        )
    };
    expect_errno(
        decode_raw(ret),
        Errno::BADF,
        "EBADF",
        "epoll_ctl on a closed fd",
    )
}

/// `EEXIST` for adding a source twice.
fn eexist(_: &Context) -> Outcome {
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let efd = eventfd().at("eventfd2")?;
    epoll_add(&epoll, &efd, 10, EventFlags::IN).at("epoll_add")?;
    let again = epoll_add(&epoll, &efd, 10, EventFlags::IN);
    expect_errno(again, Errno::EXIST, "EEXIST", "second epoll_add")
}

/// `ENOENT` for modifying or deleting a source that is not registered.
fn enoent(_: &Context) -> Outcome {
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let efd = eventfd().at("eventfd2")?;
    let modified = epoll_mod(&epoll, &efd, 11, EventFlags::IN);
    expect_errno(modified, Errno::NOENT, "ENOENT", "epoll_mod unregistered")?;
    let deleted = epoll_del(&epoll, &efd);
    expect_errno(deleted, Errno::NOENT, "ENOENT", "epoll_del unregistered")
}

// ---------------------------------------------------------------------------------------------
// What the checks share.

/// Waits with a timeout of 0 and requires exactly the events `want`, in any order.
fn expect(
    epoll: &OwnedFd,
    events: &mut EventVec<'_>,
    want: &[(EventFlags, u64)],
    step: &'static str,
) -> Result<(), Fail> {
    let n = epoll_wait(epoll, events, 0).at(step)?;
    ensure(n == want.len() && events.len() == n, step)?;
    for got in events.iter() {
        ensure(want.contains(&got), step)?;
    }
    for want in want {
        ensure(events.iter().any(|got| got == *want), step)?;
    }
    Ok(())
}

/// Requires `result` to be the error `want`, whose C name is `name`.
fn expect_errno<T>(
    result: freepoll::Result<T>,
    want: Errno,
    name: &str,
    step: &'static str,
) -> Outcome {
    match result {
        Err(errno) if errno == want && errno.name() == Some(name) => Ok(Pass::Ok),
        Err(errno) => Err(Fail {
            step,
            errno: Some(errno),
        }),
        Ok(_) => Err(Fail { step, errno: None }),
    }
}

/// `eventfd2(0, EFD_CLOEXEC | EFD_NONBLOCK)`, as a plain descriptor (the checks read and
/// write it as bytes too).
fn eventfd() -> freepoll::Result<OwnedFd> {
    EventFd::new(0, EventFdFlags::CLOEXEC | EventFdFlags::NONBLOCK).map(OwnedFd::from)
}

/// `pipe2(O_CLOEXEC | O_NONBLOCK)`: the read end and the write end.
fn pipe() -> freepoll::Result<(OwnedFd, OwnedFd)> {
    pipe2(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK)
}

/// write(2) of `bytes`; all of them, or an error (a pipe takes a few bytes whole).
fn write_bytes(fd: impl AsFd, bytes: &[u8]) -> freepoll::Result<()> {
    if write(fd, bytes)? == bytes.len() {
        Ok(())
    } else {
        Err(Errno::IO)
    }
}

/// Adds `value` to an eventfd's counter.
fn write_u64(fd: impl AsFd, value: u64) -> freepoll::Result<()> {
    write_bytes(fd, &value.to_ne_bytes())
}

/// Reads (and resets) an eventfd's counter.
fn read_u64(fd: impl AsFd) -> freepoll::Result<u64> {
    let mut bytes = [0u8; 8];
    let n = read(fd, &mut bytes)?;
    if n == 8 {
        Ok(u64::from_ne_bytes(bytes))
    } else {
        Err(Errno::IO)
    }
}

/// `CLOCK_MONOTONIC` in nanoseconds.
fn now_ns() -> freepoll::Result<u64> {
    let now = clock_gettime(ClockId::Monotonic)?;
    Ok(now
        .as_secs()
        .wrapping_mul(1_000_000_000)
        .wrapping_add(u64::from(now.subsec_nanos())))
}

// ---------------------------------------------------------------------------------------------
// Output, start and end.

/// Runs every check, prints a line for each and the result line, then ends (see `finish`).
fn main(_: Args) -> i32 {
    let context = Context {
        pid1: getpid() == 1,
    };
    let mut first_failure = None;
    for &(name, check) in CHECKS {
        let mut line = Line::new();
        match check(&context) {
            Ok(Pass::Ok) => line.push("ok ").push(name),
            Ok(Pass::Note(how)) => line.push("ok ").push(name).push(" (").push(how).push(")"),
            Ok(Pass::Skip(why)) => line.push("skip ").push(name).push(" (").push(why).push(")"),
            Err(fail) => {
                first_failure = first_failure.or(Some(name));
                line.push("FAIL ").push(name).push(": ").push(fail.step);
                match fail.errno {
                    Some(errno) => line.push(": ").push_errno(errno),
                    None => &mut line,
                }
            }
        };
        line.print();
    }
    finish(first_failure, context.pid1)
}

/// Prints the result line, then exits (0 when every check passed) or, as PID 1, powers off.
fn finish(first_failure: Option<&str>, pid1: bool) -> ! {
    let mut line = Line::new();
    match first_failure {
        None => line.push("FREEPOLL-RESULT: ok"),
        Some(name) => line.push("FREEPOLL-RESULT: fail ").push(name),
    };
    line.print();
    if pid1 {
        power_off()
    }
    exit(first_failure.is_some() as i32)
}

/// A panic is a failed run: report it, then end as `finish` does.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    finish(Some("panic"), getpid() == 1)
}
