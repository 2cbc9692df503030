//! What the freestanding programs share: a failed step with the kernel's error, a line of
//! output assembled without `core::fmt`, and the power-off that PID 1 needs instead of an exit. Not every program uses
//! every part.
#![allow(dead_code)]

use core::mem::MaybeUninit;
use freepoll::epoll::{epoll_create, epoll_wait, CreateFlags, Event, EventVec};
use freepoll::io::{stdout, write};
use freepoll::process::{reboot, RebootCommand};
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

/// One line of output, assembled without `core::fmt`, written with one write(2) to fd 1.
pub struct Line {
    buf: [u8; 160],
    len: usize,
}

impl Line {
    pub fn new() -> Line {
        Line {
            buf: [0; 160],
            len: 0,
        }
    }

    /// Appends `s`; what does not fit is cut off.
    pub fn push(&mut self, s: &str) -> &mut Line {
        self.push_bytes(s.as_bytes())
    }

    /// Appends raw bytes; what does not fit is cut off.
    pub fn push_bytes(&mut self, bytes: &[u8]) -> &mut Line {
        for &b in bytes {
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
        self
    }

    /// Appends `n` in decimal (a minus sign first if negative).
    pub fn push_int(&mut self, n: i64) -> &mut Line {
        if n < 0 {
            self.push("-");
        }
        let mut digits = [0u8; 20];
        let mut rest = n.unsigned_abs();
        let mut start = digits.len();
        loop {
            start -= 1;
            if let Some(d) = digits.get_mut(start) {
                *d = b'0' + (rest % 10) as u8;
            }
            rest /= 10;
            if rest == 0 || start == 0 {
                break;
            }
        }
        let digits = digits.get(start..).unwrap_or(&[]);
        self.push_bytes(digits)
    }

    /// Ends the line and writes it to fd 1. A failed write is ignored: there is nowhere else
    /// to report it.
    pub fn print(&mut self) {
        self.push("\n");
        let _ = write(stdout(), self.buf.get(..self.len).unwrap_or(&[]));
    }
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
