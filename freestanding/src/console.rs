//! What the freestanding programs share: a failed step with the kernel's error, a line of
//! output assembled without `core::fmt`, and the power-off that PID 1 needs instead of an exit. Not every program uses
//! every part.
#![allow(dead_code)]

use core::mem::MaybeUninit;
use freepoll::epoll::{epoll_create, epoll_wait, CreateFlags, Event, EventVec};
use freepoll::io::stdout;
use freepoll::process::{reboot, RebootCommand};
use freepoll::text::TextBuf;
use freepoll::Errno;

/// Where a program failed, and the kernel's error if that is how.
pub struct Fail {
    pub step: &'static str,
    pub errno: Option<Errno>,
}

/// Names the step that a system call belongs to.
pub trait At<T> {
    fn at(self, step: &'static str) -> Result<T, Fail>;
}

impl<T> At<T> for freepoll::Result<T> {
    fn at(self, step: &'static str) -> Result<T, Fail> {
        self.map_err(|errno| Fail {
            step,
            errno: Some(errno),
        })
    }
}

/// One line of output for fd 1, assembled without `core::fmt` by freepoll's [`TextBuf`] (a
/// longer line goes out in more than one write(2)).
pub struct Line(TextBuf<'static, 160>);

impl Line {
    pub fn new() -> Line {
        Line(TextBuf::new(stdout()))
    }

    /// Appends `s`.
    pub fn push(&mut self, s: &str) -> &mut Line {
        self.0.str(s);
        self
    }

    /// Appends raw bytes.
    pub fn push_bytes(&mut self, bytes: &[u8]) -> &mut Line {
        self.0.bytes(bytes);
        self
    }

    /// Appends `n` in decimal (a minus sign first if negative).
    pub fn push_int(&mut self, n: i64) -> &mut Line {
        self.0.dec(n);
        self
    }

    /// Appends the name of `errno` (`EBADF`).
    pub fn push_errno(&mut self, errno: Errno) -> &mut Line {
        self.0.errno(errno);
        self
    }

    /// Ends the line and writes it to fd 1. A failed write is ignored: there is nowhere else
    /// to report it.
    pub fn print(&mut self) {
        let _ = self.0.str("\n").flush();
    }
}

/// Ends a run: prints `MARKER: ok` or `MARKER: fail STEP[: ERRNO]` and, as PID 1, powers
/// off; as a process returns the exit status (0 or 1).
pub fn finish(marker: &str, outcome: &Result<(), Fail>, pid1: bool) -> i32 {
    let mut line = Line::new();
    line.push(marker);
    match outcome {
        Ok(()) => line.push(": ok"),
        Err(fail) => {
            line.push(": fail ").push(fail.step);
            match fail.errno {
                Some(errno) => line.push(": ").push_errno(errno),
                None => &mut line,
            }
        }
    };
    line.print();
    if pid1 {
        power_off()
    }
    outcome.is_err() as i32
}

/// reboot(2) with `LINUX_REBOOT_CMD_POWER_OFF`: PID 1 may not exit. Should the call fail, says
/// so and sleeps for good in a wait on an empty epoll instance (the boot's timeout ends it).
pub fn power_off() -> ! {
    let err = reboot(RebootCommand::PowerOff).err();
    Line::new()
        .push("reboot(POWER_OFF) failed: ")
        .push(err.and_then(Errno::name).unwrap_or("returned"))
        .print();
    let mut buf = [MaybeUninit::<Event>::uninit(); 1];
    let mut events = EventVec::new(&mut buf);
    loop {
        if let Ok(epoll) = epoll_create(CreateFlags::CLOEXEC) {
            let _ = epoll_wait(&epoll, &mut events, -1);
        }
    }
}
