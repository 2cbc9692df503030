//! A freestanding hotplug listener: one epoll loop over a kernel uevent socket, an inotify
//! watch and a timerfd deadline. Prints each uevent's action and devpath and each entry
//! created in the watched directory.
//!
//! Three ways to run it:
//! - `hotplug` (booted as `/init` by ci/boot-test.sh): mounts sysfs on `/sys` and devtmpfs on
//!   `/dev` where they are missing, watches `/dev` and opens the uevent socket, then makes the
//!   kernel send a uevent for `/dev/null`'s device (writes `add` to
//!   `/sys/devices/virtual/mem/null/uevent`) and creates `/dev/freepoll-hotplug`, and waits
//!   (10 s at most) until it has seen both: `add@/devices/virtual/mem/null` on the socket, and
//!   the creation through inotify. Prints `FREEPOLL-HOTPLUG: ok` (or `... fail <what>`). The
//!   file stays (a booted /init powers off next). Run as a process, this mode reaches the whole
//!   machine: every uevent listener sees the `add`.
//! - `hotplug SECONDS ACTION DEVPATH`: waits until the uevent `ACTION@DEVPATH` arrives and
//!   exits 0, or exits 1 with a message after `SECONDS`. Triggers nothing, mounts nothing.
//! - `hotplug --inotify-only DIR` (ci/freestanding.sh, under qemu-user and natively): watches
//!   `DIR`, creates `DIR/freepoll-hotplug` and waits until inotify reports it; opens the
//!   uevent socket but triggers no uevent (which would reach the whole machine), and says so.
//!
//! As PID 1 it powers the machine off at the end; as a process it exits 0 or 1. No `unsafe`,
//! no `core::fmt`.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use core::ffi::CStr;
use core::mem::MaybeUninit;
use core::time::Duration;
use freepoll::clock::ClockId;
use freepoll::entry::Args;
use freepoll::epoll::{
    epoll_add, epoll_create, epoll_wait, CreateFlags, Event, EventFlags, EventVec,
};
use freepoll::fd::{AsFd, OwnedFd};
use freepoll::fs::{
    faccessat, mount, open, openat, Access, AtFlags, Dir, Mode, MountFlags, OFlags,
};
use freepoll::inotify::{Inotify, InotifyFlags, WatchMask};
use freepoll::io::{read, write};
use freepoll::process::{exit, getpid};
use freepoll::timerfd::{SetFlags, TimerFd, TimerFlags};
use freepoll::uevent::{open_uevent_socket, Uevent, MAX_UEVENT_SIZE};
use freepoll::Errno;

#[path = "../console.rs"]
mod console;
use console::{finish, power_off, At, Fail, Line};

freepoll::entry!(main);

/// The epoll `data` of each source.
const UEVENTS: u64 = 1;
const WATCH: u64 = 2;
const DEADLINE: u64 = 3;

/// The uevent the self-test triggers, and the file it creates in the watched directory.
const NULL_UEVENT: &CStr = c"/sys/devices/virtual/mem/null/uevent";
const NULL_DEVPATH: &[u8] = b"/devices/virtual/mem/null";
const PROBE: &CStr = c"freepoll-hotplug";

type Step<T> = Result<T, Fail>;

fn fail<T>(step: &'static str) -> Step<T> {
    Err(Fail { step, errno: None })
}

/// What the run waits for.
struct Want<'a> {
    /// A uevent `action@devpath`, if any.
    uevent: Option<(&'a [u8], &'a [u8])>,
    /// An entry of this name created in the watched directory, if any.
    created: Option<&'a [u8]>,
}

/// How the program was asked to run.
enum Task<'a> {
    SelfTest,
    Wait {
        seconds: u64,
        action: &'a [u8],
        devpath: &'a [u8],
    },
    InotifyOnly {
        dir: &'a [u8],
    },
}

fn main(args: Args) -> i32 {
    let pid1 = getpid() == 1;
    let outcome = match parse_args(&args) {
        Some(mode) => run(mode),
        None => {
            Line::new()
                .push(
                    "usage: hotplug | hotplug SECONDS ACTION DEVPATH | hotplug --inotify-only DIR",
                )
                .print();
            fail("arguments")
        }
    };
    finish("FREEPOLL-HOTPLUG", &outcome, pid1)
}

fn parse_args(args: &Args) -> Option<Task<'static>> {
    match args.len() {
        0 | 1 => Some(Task::SelfTest),
        3 if args.get(1)? == b"--inotify-only" => Some(Task::InotifyOnly { dir: args.get(2)? }),
        4 => Some(Task::Wait {
            seconds: parse_decimal(args.get(1)?)?,
            action: args.get(2)?,
            devpath: args.get(3)?,
        }),
        _ => None,
    }
}

/// A decimal number of at most 9 digits.
fn parse_decimal(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 9 {
        return None;
    }
    text.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// `bytes` and a NUL in `buf`, as a `CStr`.
fn to_cstr<'b>(bytes: &[u8], buf: &'b mut [u8; 256]) -> Option<&'b CStr> {
    let with_nul = buf.get_mut(..bytes.len() + 1)?;
    let (body, nul) = with_nul.split_at_mut(bytes.len());
    body.copy_from_slice(bytes);
    nul[0] = 0;
    CStr::from_bytes_with_nul(with_nul).ok()
}

fn run(mode: Task<'_>) -> Step<()> {
    let mut dir_buf = [0u8; 256];
    let (watch_dir, seconds, want, trigger) = match mode {
        Task::SelfTest => {
            mount_if_missing(c"/sys/devices", c"sysfs", c"/sys", c"sysfs")?;
            mount_if_missing(c"/dev/null", c"devtmpfs", c"/dev", c"devtmpfs")?;
            let want = Want {
                uevent: Some((b"add", NULL_DEVPATH)),
                created: Some(PROBE.to_bytes()),
            };
            (c"/dev", 10, want, true)
        }
        Task::Wait {
            seconds,
            action,
            devpath,
        } => {
            let want = Want {
                uevent: Some((action, devpath)),
                created: None,
            };
            (c"/dev", seconds, want, false)
        }
        Task::InotifyOnly { dir } => {
            let Some(dir) = to_cstr(dir, &mut dir_buf) else {
                return fail("DIR is too long");
            };
            let want = Want {
                uevent: None,
                created: Some(PROBE.to_bytes()),
            };
            (dir, 10, want, false)
        }
    };

    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    let inotify =
        Inotify::new(InotifyFlags::CLOEXEC | InotifyFlags::NONBLOCK).at("inotify_init1")?;
    inotify
        .add_watch(watch_dir, WatchMask::CREATE | WatchMask::ONLYDIR)
        .at("inotify_add_watch")?;
    epoll_add(&epoll, &inotify, WATCH, EventFlags::IN).at("epoll_add inotify")?;
    Line::new()
        .push("hotplug: watching ")
        .push_bytes(watch_dir.to_bytes())
        .push(" for entries created")
        .print();

    // The uevent socket: required where a uevent is awaited, tried otherwise.
    let uevents = match open_uevent_socket() {
        Ok(fd) => {
            epoll_add(&epoll, &fd, UEVENTS, EventFlags::IN).at("epoll_add uevent socket")?;
            Line::new()
                .push("hotplug: uevent socket bound to group 1")
                .print();
            Some(fd)
        }
        Err(errno) if want.uevent.is_none() => {
            Line::new()
                .push("hotplug: skip uevent socket (")
                .push_errno(errno)
                .push(")")
                .print();
            None
        }
        Err(errno) => {
            return Err(Fail {
                step: "uevent socket",
                errno: Some(errno),
            })
        }
    };

    let deadline = TimerFd::new(
        ClockId::Monotonic,
        TimerFlags::CLOEXEC | TimerFlags::NONBLOCK,
    )
    .at("timerfd")?;
    deadline
        .set(
            Duration::from_secs(seconds),
            Duration::ZERO,
            SetFlags::empty(),
        )
        .at("timerfd_settime")?;
    epoll_add(&epoll, &deadline, DEADLINE, EventFlags::IN).at("epoll_add timerfd")?;

    // Everything is watched: now make it happen.
    if trigger {
        let sysfs = open(NULL_UEVENT, OFlags::WRONLY | OFlags::CLOEXEC, Mode::empty())
            .at("open /sys/devices/virtual/mem/null/uevent")?;
        write(&sysfs, b"add").at("write add to the uevent file")?;
        Line::new()
            .push("hotplug: wrote add to /sys/devices/virtual/mem/null/uevent")
            .print();
    }
    if want.created.is_some() {
        let dir = open(
            watch_dir,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .at("open the watched directory")?;
        let created = openat(
            Dir::Fd(dir.as_fd()),
            PROBE,
            OFlags::WRONLY | OFlags::CREAT | OFlags::TRUNC | OFlags::CLOEXEC,
            Mode::RUSR | Mode::WUSR,
        )
        .at("create freepoll-hotplug")?;
        drop(created);
    } else if want.uevent.is_none() {
        return fail("nothing to wait for");
    }
    if want.uevent.is_none() && uevents.is_some() {
        Line::new()
            .push(
                "hotplug: skip uevent delivery (nothing triggered here; ci/boot-test.sh checks it)",
            )
            .print();
    }

    let mut seen_uevent = want.uevent.is_none();
    let mut seen_created = want.created.is_none();
    let mut slots = [MaybeUninit::<Event>::uninit(); 4];
    let mut ready = EventVec::new(&mut slots);
    while !(seen_uevent && seen_created) {
        epoll_wait(&epoll, &mut ready, -1).at("epoll_wait")?;
        for (_, data) in &ready {
            match data {
                UEVENTS => {
                    if let Some(fd) = &uevents {
                        seen_uevent |= on_uevents(fd, &want)?;
                    }
                }
                WATCH => seen_created |= on_watch(&inotify, watch_dir, &want)?,
                DEADLINE => {
                    deadline.read().at("timerfd read")?;
                    return fail(if seen_uevent {
                        "timeout: the entry was not seen created"
                    } else {
                        "timeout: the uevent did not arrive"
                    });
                }
                _ => return fail("an event with unknown data"),
            }
        }
    }
    Ok(())
}

/// Mounts `fstype` on `target` unless `probe` exists already.
fn mount_if_missing(probe: &CStr, source: &CStr, target: &CStr, fstype: &CStr) -> Step<()> {
    match faccessat(Dir::Cwd, probe, Access::EXISTS, AtFlags::empty()) {
        Ok(()) => return Ok(()),
        Err(Errno::NOENT) => {}
        Err(errno) => {
            return Err(Fail {
                step: "faccessat",
                errno: Some(errno),
            })
        }
    }
    mount(
        source,
        target,
        fstype,
        MountFlags::NOSUID | MountFlags::NOEXEC,
        None,
    )
    .at("mount")?;
    Line::new()
        .push("hotplug: mounted ")
        .push_bytes(fstype.to_bytes())
        .push(" on ")
        .push_bytes(target.to_bytes())
        .print();
    Ok(())
}

/// Reads every queued uevent, prints each, and says whether the one wanted came.
fn on_uevents(fd: &OwnedFd, want: &Want<'_>) -> Step<bool> {
    let mut seen = false;
    let mut buf = [0u8; MAX_UEVENT_SIZE];
    loop {
        let n = match read(fd, &mut buf) {
            Ok(n) => n,
            Err(Errno::AGAIN) => return Ok(seen),
            Err(Errno::NOBUFS) => {
                // The socket's buffer overflowed: some were lost. Go on with what comes.
                Line::new().push("hotplug: uevents lost (ENOBUFS)").print();
                continue;
            }
            Err(errno) => {
                return Err(Fail {
                    step: "read uevent",
                    errno: Some(errno),
                })
            }
        };
        match Uevent::parse(buf.get(..n).unwrap_or(&[])) {
            Ok(event) => {
                Line::new()
                    .push("hotplug: uevent ")
                    .push_bytes(event.action())
                    .push(" ")
                    .push_bytes(event.devpath())
                    .print();
                if want.uevent == Some((event.action(), event.devpath())) {
                    seen = true;
                }
            }
            Err(_) => Line::new()
                .push("hotplug: a datagram not in the kernel's format, ignored")
                .print(),
        }
    }
}

/// Reads every queued inotify record, prints each creation, and says whether the one wanted
/// came.
fn on_watch(inotify: &Inotify, dir: &CStr, want: &Want<'_>) -> Step<bool> {
    let mut seen = false;
    let mut buf = [0u8; 1024];
    loop {
        let events = match inotify.read(&mut buf) {
            Ok(events) => events,
            Err(Errno::AGAIN) => return Ok(seen),
            Err(errno) => {
                return Err(Fail {
                    step: "read inotify",
                    errno: Some(errno),
                })
            }
        };
        for event in events {
            if event.mask.contains(WatchMask::Q_OVERFLOW) {
                Line::new()
                    .push("hotplug: inotify queue overflowed")
                    .print();
                continue;
            }
            let name = event.name.map_or(&b""[..], CStr::to_bytes);
            Line::new()
                .push("hotplug: ")
                .push_bytes(dir.to_bytes())
                .push(" created ")
                .push_bytes(name)
                .print();
            if want.created == Some(name) {
                seen = true;
            }
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    Line::new().push("FREEPOLL-HOTPLUG: fail panic").print();
    if getpid() == 1 {
        power_off()
    }
    exit(101)
}
