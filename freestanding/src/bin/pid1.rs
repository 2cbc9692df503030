//! An init for containers and initramfs images, doing tini's job with no C library, in safe
//! Rust only:
//!
//! ```text
//! pid1 [-s] [-g] [-e CODE]... [--] PROGRAM [ARGS...]
//! ```
//!
//! It starts PROGRAM (looked up in `PATH` as `execvp` does) in a process group of its own,
//! made the foreground group of the terminal on standard input when that is its controlling
//! terminal, with the signal mask and the `SIGTTIN`/`SIGTTOU` dispositions pid1 was started
//! with. Then it reads signals from a signalfd: every signal but `SIGCHLD` goes on to PROGRAM,
//! and after each batch every ended child is reaped, orphans included. When PROGRAM itself has
//! been reaped, pid1 exits with its status: its exit code, or 128 + the signal that killed it.
//!
//! - `-s`: become a child subreaper (when not PID 1), so that orphaned descendants are
//!   reparented to pid1 and reaped by it.
//! - `-g`: send the signals to PROGRAM's process group rather than to PROGRAM alone.
//! - `-e CODE`: exit 0 when PROGRAM's status is CODE (0 to 255). Repeatable.
//! - `-h`: print the usage on standard output and exit 0.
//!
//! Exit statuses of its own: 1 for bad usage (the usage goes to standard error) or a failed
//! setup step; 127 when PROGRAM is not found, 126 when it is found but cannot be executed, 1
//! when it cannot be started for another reason. Each failure is one line on standard error.
//!
//! What pid1 leaves out of tini: `-v`, `-w`, `-l`, `-p`, `--version` and the `TINI_*`
//! environment variables. Options end at the first argument that is not one (tini, with
//! glibc's `getopt`, also takes options after PROGRAM unless `--` or `POSIXLY_CORRECT` stops
//! it). One addition: a `SIGCHLD` that pid1's parent left ignored is set back to the default,
//! for otherwise the kernel would reap PROGRAM behind pid1's back and its status would be
//! lost; PROGRAM then starts with `SIGCHLD` at the default too.
//!
//! Tested by ci/pid1-test.sh (as a process, on every target) and ci/boot-test.sh (as PID 1
//! on real kernels).

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use core::ffi::CStr;
use freepoll::entry::Args;
use freepoll::io::{stderr, stdin, stdout, write};
use freepoll::process::{
    getpid, is_child_subreaper, kill, killpg, set_child_subreaper, waitid, ChildState, WaitId,
    WaitOptions,
};
use freepoll::signal::{
    set_disposition, sigprocmask, Disposition, SetDisposition, SigSet, SigmaskHow, SIGABRT, SIGBUS,
    SIGCHLD, SIGFPE, SIGILL, SIGSEGV, SIGSYS, SIGTRAP, SIGTTIN, SIGTTOU,
};
use freepoll::signalfd::{SigInfo, SignalFd, SignalFdFlags};
use freepoll::spawn::Spawn;
use freepoll::Errno;

freepoll::entry!(main);

const USAGE: &[u8] = b"usage: pid1 [-s] [-g] [-e CODE]... [--] PROGRAM [ARGS...]
  -s       become a child subreaper (when not PID 1)
  -g       send signals to PROGRAM's process group
  -e CODE  exit 0 when PROGRAM's status is CODE (0 to 255; repeatable)
  -h       print this and exit
";

/// The signals pid1 leaves unblocked: the ones a fault raises in pid1 itself, which must act
/// at once, and `SIGTTIN`/`SIGTTOU`, which it ignores instead (a background pid1 that writes
/// to its terminal must not stop).
const UNBLOCKED: [i32; 9] = [
    SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU,
];

/// What the command line asks for.
struct Options {
    subreaper: bool,
    group: bool,
    /// `expect[code]`: exit 0 when PROGRAM's status is `code`.
    expect: [bool; 256],
    /// The index of PROGRAM in argv.
    program: usize,
}

/// One line for standard error, `pid1: ` first, assembled without `core::fmt` and written with
/// one write(2). What does not fit in 255 bytes is cut off.
struct Line {
    buf: [u8; 256],
    len: usize,
}

impl Line {
    fn new() -> Line {
        let mut line = Line {
            buf: [0; 256],
            len: 0,
        };
        line.push(b"pid1: ");
        line
    }

    #[inline(never)]
    fn push(&mut self, bytes: &[u8]) -> &mut Line {
        for &byte in bytes {
            if let Some(slot) = self.buf.get_mut(self.len).filter(|_| self.len < 255) {
                *slot = byte;
                self.len += 1;
            }
        }
        self
    }

    /// The errno by name for those that starting a program gives, by number for the rest
    /// (`errno 12`): freepoll's table of every name, [`Errno::name`], would make pid1 a tenth
    /// larger.
    #[inline(never)]
    fn errno(&mut self, errno: Errno) -> &mut Line {
        let name: &[u8] = match errno {
            Errno::NOENT => b"ENOENT",
            Errno::ACCES => b"EACCES",
            Errno::NOEXEC => b"ENOEXEC",
            Errno::NOTDIR => b"ENOTDIR",
            Errno::PERM => b"EPERM",
            _ => {
                let mut digits = [0u8; 10];
                let mut at = digits.len();
                let mut n = errno.raw_os_error().unsigned_abs();
                while let Some(digit) = at.checked_sub(1).and_then(|i| digits.get_mut(i)) {
                    *digit = b'0' + (n % 10) as u8;
                    at -= 1;
                    n /= 10;
                    if n == 0 {
                        break;
                    }
                }
                return self.push(b"errno ").push(digits.get(at..).unwrap_or(&[]));
            }
        };
        self.push(name)
    }

    /// Ends the line and writes it. A failed write is ignored: there is nowhere else to say it.
    #[inline(never)]
    fn print(&mut self) {
        self.push_newline();
        let _ = write(stderr(), self.buf.get(..self.len).unwrap_or(&[]));
    }

    fn push_newline(&mut self) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b'\n';
            self.len += 1;
        }
    }
}

/// Says that `step` failed with `errno`; the exit status for that, 1.
fn failed(step: &[u8], errno: Errno) -> i32 {
    Line::new()
        .push(step)
        .push(b" failed: ")
        .errno(errno)
        .print();
    1
}

/// Bad usage: says why, prints the usage on standard error; the exit status, 1.
fn usage_error(why: &[u8], what: &[u8]) -> i32 {
    Line::new().push(why).push(what).print();
    let _ = write(stderr(), USAGE);
    1
}

/// An exit code for `-e`: decimal digits only, 0 to 255.
fn exit_code(text: &[u8]) -> Option<usize> {
    if text.is_empty() || text.len() > 3 {
        return None;
    }
    let mut code = 0usize;
    for &digit in text {
        if !digit.is_ascii_digit() {
            return None;
        }
        code = code * 10 + usize::from(digit - b'0');
    }
    (code <= 255).then_some(code)
}

/// Reads the options; `Err` holds the exit status when there is nothing to run.
fn parse(args: &Args) -> Result<Options, i32> {
    let mut options = Options {
        subreaper: false,
        group: false,
        expect: [false; 256],
        program: 1,
    };
    let mut i = 1;
    while let Some(arg) = args.get(i) {
        let letters = match arg {
            b"--" => {
                i += 1;
                break;
            }
            [b'-', letters @ ..] if !letters.is_empty() => letters,
            _ => break,
        };
        i += 1;
        for (at, &letter) in letters.iter().enumerate() {
            match letter {
                b's' => options.subreaper = true,
                b'g' => options.group = true,
                b'h' => {
                    let _ = write(stdout(), USAGE);
                    return Err(0);
                }
                b'e' => {
                    // The code follows in the same argument (`-e3`) or is the next one.
                    let rest = letters.get(at + 1..).unwrap_or(&[]);
                    let text = if rest.is_empty() {
                        i += 1;
                        args.get(i - 1)
                            .ok_or_else(|| usage_error(b"-e needs an exit code", b""))?
                    } else {
                        rest
                    };
                    let code = exit_code(text).ok_or_else(|| {
                        usage_error(b"not an exit code (0 to 255) for -e: ", text)
                    })?;
                    if let Some(slot) = options.expect.get_mut(code) {
                        *slot = true;
                    }
                    break;
                }
                other => return Err(usage_error(b"unknown option -", &[other])),
            }
        }
    }
    if args.get(i).is_none() {
        return Err(usage_error(b"no PROGRAM to run", b""));
    }
    options.program = i;
    Ok(options)
}

/// The value of `PATH` in `args`' environment, as a C string.
fn path_var(args: &Args) -> Option<&'static CStr> {
    args.envp().iter().find_map(|entry| {
        let value = entry.to_bytes_with_nul().strip_prefix(b"PATH=")?;
        CStr::from_bytes_until_nul(value).ok()
    })
}

/// The status pid1 exits with for PROGRAM's end: its exit code, or 128 + the signal that
/// killed it, then 0 if `-e` named it.
fn status_of(state: ChildState, expect: &[bool; 256]) -> i32 {
    let code = match state {
        ChildState::Exited(code) => code & 0xff,
        ChildState::Killed { signal, .. } => (128 + signal) & 0xff,
        _ => 1, // not reported without WSTOPPED or WCONTINUED
    };
    match expect.get(code as usize) {
        Some(true) => 0,
        _ => code,
    }
}

fn main(args: Args) -> i32 {
    let options = match parse(&args) {
        Ok(options) => options,
        Err(status) => return status,
    };

    // Every signal but the UNBLOCKED ones comes through the signalfd.
    let mut blocked = SigSet::full_including_libc_reserved();
    for sig in UNBLOCKED {
        let _ = blocked.remove(sig);
    }
    let original_mask = match sigprocmask(SigmaskHow::SetMask, Some(&blocked)) {
        Ok(mask) => mask,
        Err(e) => return failed(b"sigprocmask", e),
    };
    // SIGTTIN and SIGTTOU ignored here; those that were not ignored before are set back to
    // the default in PROGRAM (a handler, which execve would have reset anyway, included).
    let mut restore = SigSet::empty();
    for sig in [SIGTTIN, SIGTTOU] {
        match set_disposition(sig, SetDisposition::Ignore) {
            Ok(Disposition::Ignore) => {}
            Ok(_) => {
                let _ = restore.add(sig);
            }
            Err(e) => return failed(b"ignoring SIGTTIN/SIGTTOU", e),
        }
    }
    // An ignored SIGCHLD makes the kernel reap children by itself, PROGRAM's status lost.
    if let Err(e) = set_disposition(SIGCHLD, SetDisposition::Default) {
        return failed(b"SIGCHLD to the default", e);
    }
    let signals = match SignalFd::new(&blocked, SignalFdFlags::CLOEXEC) {
        Ok(fd) => fd,
        Err(e) => return failed(b"signalfd", e),
    };

    let pid1 = getpid() == 1;
    if options.subreaper && !pid1 {
        if let Err(e) = set_child_subreaper(true) {
            return failed(b"PR_SET_CHILD_SUBREAPER", e);
        }
    }
    if !pid1 && !is_child_subreaper().unwrap_or(false) {
        Line::new()
            .push(b"not PID 1 nor a subreaper (-s): orphans will not be reaped here")
            .print();
    }

    // PROGRAM exists: `parse` checked.
    let program = args.arg(options.program).unwrap_or_default();
    let spawn = Spawn::new(program, args.argv_from(options.program), args.envp())
        .search_path(path_var(&args))
        .process_group(0)
        .sigmask(original_mask)
        .sigdefault(restore);
    // tcsetpgrp(0) in the child: ENOTTY (or ENXIO) says standard input is no terminal, or not
    // pid1's controlling one, and PROGRAM then starts without taking the foreground.
    let child = match spawn.clone().foreground(stdin()).spawn() {
        Err(Errno::NOTTY | Errno::NXIO) => spawn.spawn(),
        other => other,
    };
    let child = match child {
        Ok(child) => child,
        Err(e) => {
            Line::new()
                .push(b"exec ")
                .push(program.to_bytes())
                .push(b" failed: ")
                .errno(e)
                .print();
            return match e {
                Errno::NOENT => 127,
                Errno::ACCES => 126,
                _ => 1,
            };
        }
    };
    let pid = child.pid();

    let mut infos = [SigInfo::default(); 8];
    loop {
        let got = match signals.read(&mut infos) {
            Ok(got) => got,
            Err(e) => return failed(b"reading the signalfd", e),
        };
        for info in got.iter().filter(|info| info.signal() != SIGCHLD) {
            let sent = if options.group {
                killpg(pid, info.signal())
            } else {
                kill(pid, info.signal())
            };
            // ESRCH, no process left to take it, is no failure (nor is it for tini).
            if let Err(e) = sent {
                if e != Errno::SRCH {
                    return failed(b"forwarding a signal", e);
                }
            }
        }
        // Every ended child, then PROGRAM's status if it was one of them.
        let mut status = None;
        loop {
            match waitid(WaitId::All, WaitOptions::EXITED | WaitOptions::NOHANG) {
                Ok(Some(child)) if child.pid == pid => {
                    status = Some(status_of(child.state, &options.expect));
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(Errno::CHILD) => break,
                Err(e) => return failed(b"waitid", e),
            }
        }
        if let Some(status) = status {
            return status;
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    freepoll::process::exit(101)
}
