//! The supervisor example (examples/supervisor.rs) run as a real process, supervising copies
//! of `/bin/sleep`: a child that is killed comes back after the backoff, its children start
//! with nothing blocked while it blocks `SIGTERM`, and `SIGTERM` to it stops every child and
//! ends it with status 0.
//!
//! The example's binary is the one cargo built next to this test
//! (`target/[TRIPLE/]debug/examples/supervisor`, which `cargo test --all-features` builds);
//! if it is missing (`cargo test --test supervisor`), it is built with cargo into a target
//! directory of its own. `FREEPOLL_SUPERVISOR_EXAMPLE` names it where the test runs outside
//! cargo's layout (ci/kernel-test.sh's VMs). Under an emulator it is run with the runner `.cargo/config.toml`
//! names for the target. Every wait on the supervisor's output is bounded (10 s).
#![cfg(feature = "std")]

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest any one step of the supervisor may take.
const STEP: Duration = Duration::from_secs(10);

/// The directory of this build's profile (`TARGET_DIR/[TRIPLE/]PROFILE`, which holds `deps/`
/// with this test and `examples/`), and the target triple when it was built with `--target`;
/// None where the test binary was moved out of cargo's layout (as into a test VM).
fn layout() -> Option<(PathBuf, Option<String>)> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    if deps.file_name()? != "deps" {
        return None;
    }
    let profile = deps.parent()?.to_path_buf();
    let name = profile
        .parent()?
        .file_name()?
        .to_string_lossy()
        .into_owned();
    let triple = name.contains("-linux-").then_some(name);
    Some((profile, triple))
}

/// The supervisor example's binary, built if it is not there yet; None where it cannot be
/// (no cargo or no source tree, as in the kernel test VMs).
fn example() -> Option<PathBuf> {
    // Found or built once, by the first test that asks; the others wait for it.
    static EXAMPLE: Mutex<Option<Option<PathBuf>>> = Mutex::new(None);
    EXAMPLE
        .lock()
        .unwrap()
        .get_or_insert_with(|| {
            // Named by whoever moved this test out of cargo's layout (ci/kernel-test.sh packs
            // the example beside the tests).
            if let Some(path) = std::env::var_os("FREEPOLL_SUPERVISOR_EXAMPLE") {
                return Some(PathBuf::from(path));
            }
            let (profile, triple) = layout()?;
            let next_to_us = profile.join("examples/supervisor");
            if next_to_us.exists() {
                return Some(next_to_us);
            }
            let cargo = option_env!("CARGO")?;
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            if !manifest.join("Cargo.toml").exists() {
                return None;
            }
            // A target directory of its own: the one of this test may be locked by the cargo
            // that runs it.
            let target_dir = manifest.join("target/supervisor-example");
            let mut cmd = Command::new(cargo);
            cmd.current_dir(manifest)
                .args([
                    "build",
                    "--quiet",
                    "--example",
                    "supervisor",
                    "--features",
                    "std",
                ])
                .arg("--target-dir")
                .arg(&target_dir);
            if let Some(triple) = &triple {
                cmd.args(["--target", triple]);
            }
            let status = cmd.status().ok()?;
            assert!(
                status.success(),
                "cargo build --example supervisor: {status}"
            );
            let built = match &triple {
                Some(t) => target_dir.join(t).join("debug/examples/supervisor"),
                None => target_dir.join("debug/examples/supervisor"),
            };
            Some(built)
        })
        .clone()
}

/// The runner of this target in the repository's `.cargo/config.toml` (qemu-user with its
/// `-L` sysroot, or the i686 dynamic loader), split into words; empty if there is none.
fn runner() -> Vec<String> {
    let Some((_, Some(triple))) = layout() else {
        return Vec::new();
    };
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cargo/config.toml");
    let Ok(text) = std::fs::read_to_string(config) else {
        return Vec::new();
    };
    let section = format!("[target.{triple}]");
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == section;
        } else if let (true, Some(value)) = (inside, line.strip_prefix("runner = ")) {
            return value
                .trim_matches('"')
                .split_whitespace()
                .map(String::from)
                .collect();
        }
    }
    Vec::new()
}

/// A running supervisor: its process and the lines it prints, as they come.
struct Supervisor {
    process: std::process::Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Supervisor {
    /// `supervisor COUNT BACKOFF_MS /bin/sleep 60`, or None (reported as skipped) where the
    /// example cannot be had.
    fn start(count: usize, backoff_ms: u64) -> Option<Supervisor> {
        let Some(example) = example() else {
            skip(format_args!(
                "the supervisor example is not built next to this test and cannot be (no cargo \
                 build tree here)"
            ));
            return None;
        };
        let runner = if emulated() { runner() } else { Vec::new() };
        let mut cmd = match runner.split_first() {
            Some((program, args)) => {
                let mut cmd = Command::new(program);
                cmd.args(args).arg(&example);
                cmd
            }
            None => Command::new(example),
        };
        let mut process = cmd
            .args([
                &count.to_string(),
                &backoff_ms.to_string(),
                "/bin/sleep",
                "60",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the supervisor example");
        let stdout = process.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Some(Supervisor {
            process,
            lines,
            seen: Vec::new(),
        })
    }

    fn pid(&self) -> i32 {
        i32::try_from(self.process.id()).unwrap()
    }

    /// The next line, which must start with `prefix`, within `STEP`.
    fn expect(&mut self, prefix: &str) -> String {
        let line = self
            .lines
            .recv_timeout(STEP)
            .unwrap_or_else(|e| panic!("no {prefix:?} line ({e}); so far: {:?}", self.seen));
        self.seen.push(line.clone());
        assert!(
            line.starts_with(prefix),
            "{line:?} where {prefix:?} was due; so far: {:?}",
            self.seen
        );
        line
    }

    /// `started SLOT PID`: the pid.
    fn expect_started(&mut self, slot: usize) -> i32 {
        let line = self.expect(&format!("started {slot} "));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    }

    /// Sends `SIGTERM`, checks the shutdown of `children` and the exit status 0.
    fn stop(mut self, children: &[i32]) {
        signal(self.pid(), libc::SIGTERM);
        self.expect("stopping");
        let mut exited: Vec<String> = (0..children.len())
            .map(|_| self.expect("exited "))
            .collect();
        exited.sort();
        let mut want: Vec<String> = children
            .iter()
            .enumerate()
            .map(|(slot, pid)| format!("exited {slot} {pid} killed by signal 15"))
            .collect();
        want.sort();
        assert_eq!(exited, want, "each child ended by the SIGTERM sent to it");
        self.expect("stopped");
        let status = wait_bounded(&mut self.process);
        assert!(status.success(), "the supervisor's exit: {status}");
        for pid in children {
            assert!(!running_sleep(*pid), "child {pid} left running");
        }
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        if let Ok(None) = self.process.try_wait() {
            let _ = self.process.kill();
            let _ = self.process.wait();
        }
    }
}

/// `kill(pid, sig)` through libc.
fn signal(pid: i32, sig: i32) {
    // SAFETY: kill takes integers; `pid` is the supervisor (this test's child) or one of its
    // children, which only the supervisor reaps, after the test's signal.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0, "kill({pid}, {sig})");
}

/// Waits for the process to end, up to `STEP`.
fn wait_bounded(process: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + STEP;
    loop {
        if let Some(status) = process.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the supervisor did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether `pid` is a running `sleep` (a number the kernel gave to another process since
/// does not count).
///
/// `started` is printed once std's `spawn` returns, which it does as soon as the child's
/// `execve` has passed its point of no return (the old memory released, close-on-exec
/// descriptors closed); the kernel sets the new program's argument area (what
/// `/proc/PID/cmdline` reads) a little later, while it loads the program.
/// Until then `cmdline` is empty, so an empty one is read again, up to `STEP` (seen on the
/// emulated CPUs of ci/kernel-test.sh's VMs, where that gap is long).
fn running_sleep(pid: i32) -> bool {
    let deadline = Instant::now() + STEP;
    loop {
        match std::fs::read(format!("/proc/{pid}/cmdline")) {
            Err(_) => return false,
            Ok(c) if c.is_empty() && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok(c) => return c.split(|&b| b == 0).any(|arg| arg.ends_with(b"sleep")),
        }
    }
}

/// The set in field `field` of `/proc/PID/status`.
fn pid_status_set(pid: i32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status_set(&status, field)
}

#[test]
fn a_killed_child_is_restarted_after_the_backoff() {
    let backoff = Duration::from_millis(300);
    let Some(mut sup) = Supervisor::start(1, backoff.as_millis() as u64) else {
        return;
    };
    let first = sup.expect_started(0);
    let killed_at = Instant::now();
    signal(first, libc::SIGKILL);
    sup.expect(&format!("exited 0 {first} killed by signal 9"));
    sup.expect("restarting 0 in 300 ms");
    let second = sup.expect_started(0);
    let after = killed_at.elapsed();
    assert_ne!(second, first, "a new process");
    assert!(
        after >= backoff,
        "restarted after {after:?}, before the backoff"
    );
    assert!(running_sleep(second));
    // The next failure waits twice as long.
    signal(second, libc::SIGKILL);
    sup.expect(&format!("exited 0 {second} killed by signal 9"));
    sup.expect("restarting 0 in 600 ms");
    let third = sup.expect_started(0);
    sup.stop(&[third]);
}

#[test]
fn sigterm_stops_every_child_and_the_supervisor_exits_0() {
    let Some(mut sup) = Supervisor::start(3, 100) else {
        return;
    };
    let children: Vec<i32> = (0..3).map(|slot| sup.expect_started(slot)).collect();
    for pid in &children {
        assert!(running_sleep(*pid));
    }
    sup.stop(&children);
}

#[test]
fn children_start_with_nothing_blocked_while_the_supervisor_blocks_sigterm() {
    let Some(mut sup) = Supervisor::start(1, 100) else {
        return;
    };
    let child = sup.expect_started(0);
    assert_eq!(pid_status_set(child, "SigBlk:"), 0, "the child's mask");
    let blocked = pid_status_set(sup.pid(), "SigBlk:");
    let term = 1 << (libc::SIGTERM - 1);
    if emulated() && blocked & term == 0 {
        emulator_note(format_args!(
            "/proc shows the emulator's own mask for the supervisor, not the guest's: SigBlk \
             {blocked:#x}"
        ));
    } else {
        assert_ne!(blocked & term, 0, "the supervisor blocks SIGTERM");
    }
    sup.stop(&[child]);
}
