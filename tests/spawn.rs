//! `spawn`: programs started with `Spawn` (exit statuses, exec errors by name, the child's
//! signal mask and dispositions and descriptors as /proc shows them in the new program, the
//! session, process group, terminal and working directory), the PATH search, `execve` and
//! `execvpe` themselves (in forked children), and the signal dispositions of `signal`.
//!
//! Which clone call ran: on a real kernel, `clone3` (it exists from Linux 5.3, and takes
//! `CLONE_CLEAR_SIGHAND` from 5.5; `clone3_is_there_on_a_kernel` checks that). Under qemu-user
//! 7.2, `clone3` answers ENOSYS and the legacy `clone` refuses `CLONE_PIDFD` (EINVAL), so spawn
//! runs the legacy `clone` (which qemu makes a plain fork) and `pidfd_open`; the same test
//! says so with an `emulator:` line. The legacy path is also taken on purpose natively by the
//! unit tests in src/spawn.rs.

mod common;

use common::*;
use freepoll::epoll::{epoll_add, EventFlags};
use freepoll::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use freepoll::process::{waitid, ChildState, WaitId, WaitOptions};
use freepoll::signal::{
    disposition, set_disposition, sigprocmask, Disposition, SetDisposition, SigSet, SigmaskHow,
    SIGKILL, SIGPIPE, SIGSTOP, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
};
use freepoll::spawn::{execve, execvpe, CStrArray, Child, Spawn};
use freepoll::Errno;
use std::ffi::{CStr, CString};
use std::os::unix::ffi::OsStrExt;
use std::sync::Mutex;

/// Held by the tests that change or read this process's signal dispositions, which every
/// spawned child inherits.
static DISPOSITIONS: Mutex<()> = Mutex::new(());

/// A blocking pipe, both ends close-on-exec: (read end, write end).
fn blocking_pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    (own(fds[0], "pipe2"), own(fds[1], "pipe2"))
}

/// Reads `fd` (blocking) to end of file.
fn read_to_end(fd: impl AsFd) -> Vec<u8> {
    let fd = fd.as_fd().as_raw_fd();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: reads at most `buf.len()` bytes into a live array.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        assert!(n >= 0, "read: {}", std::io::Error::last_os_error());
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n as usize]);
    }
}

/// `argv` slots for a few strings.
type Slots = [*const libc::c_char; 8];

fn slots() -> Slots {
    [std::ptr::null(); 8]
}

/// Reaps `child` through its pidfd; what became of it.
fn wait(child: &Child) -> ChildState {
    let status = waitid(WaitId::PidFd(child.pidfd().as_fd()), WaitOptions::EXITED)
        .expect("waitid P_PIDFD")
        .expect("a status");
    assert_eq!(status.pid, child.pid());
    status.state
}

/// Spawns `spawn` with its standard output on a pipe; the exit state and the output.
fn output(spawn: Spawn<'_>) -> (ChildState, String) {
    let (r, w) = blocking_pipe();
    let child = spawn.stdout(w.as_fd()).spawn().expect("spawn");
    drop(w);
    let out = read_to_end(&r);
    let state = wait(&child);
    (state, String::from_utf8(out).expect("UTF-8 output"))
}

/// `/bin/sh -c script` with an empty environment.
fn sh<'a>(slots: &'a mut Slots, script: &'a CStr) -> Spawn<'a> {
    let argv = CStrArray::new(slots, &[c"sh", c"-c", script]).unwrap();
    Spawn::new(c"/bin/sh", argv, CStrArray::empty())
}

/// `/bin/cat /proc/self/status` or another file: its lines as /proc shows them for `cat`.
fn cat<'a>(slots: &'a mut Slots, file: &'a CStr) -> Spawn<'a> {
    let argv = CStrArray::new(slots, &[c"cat", file]).unwrap();
    Spawn::new(c"/bin/cat", argv, CStrArray::empty())
}

/// A file of `mode` with `contents` in a fresh directory of its own; (directory, file).
fn temp_file(name: &str, contents: &[u8], mode: u32) -> (std::path::PathBuf, CString) {
    use std::os::unix::fs::PermissionsExt;
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("freepoll-spawn-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    (dir, c)
}

/// Runs `body` in a child made with `libc::fork` and returns its exit status: for what must
/// happen in a process of its own (`execve`; a check of all of one's children).
fn in_forked_child(body: fn() -> !) -> ChildState {
    let mut child = common::Child::spawn(body);
    let status = waitid(WaitId::Pid(child.pid), WaitOptions::EXITED)
        .expect("waitid")
        .expect("a status");
    child.reaped();
    status.state
}

/// Ends a forked child with `code`, without running anything of the test harness.
fn exit(code: i32) -> ! {
    // SAFETY: _exit ends the process at once.
    unsafe { libc::_exit(code) }
}

/// Prints which clone call spawn makes here, and checks it on a kernel: clone3 with a size
/// below the first version answers EINVAL where the call exists (Linux 5.3) and ENOSYS where
/// it does not. qemu-user 7.2 answers ENOSYS.
fn clone3_exists() -> bool {
    // SAFETY: clone3 with a NULL argument and size 0 is refused before anything is read.
    let rc = unsafe { libc::syscall(libc::SYS_clone3, std::ptr::null::<u8>(), 0usize) };
    let errno = std::io::Error::last_os_error().raw_os_error();
    assert_eq!(rc, -1);
    errno == Some(libc::EINVAL)
}

const CLONE_PIDFD: u64 = 0x1000;
const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;

/// `clone3` with `flags` and no new stack, a fork whose child exits at once: `Ok` with the
/// child reaped and its pidfd checked, or the errno.
fn clone3_fork(flags: u64) -> Result<(), i32> {
    let mut pidfd: i32 = -1;
    let args: [u64; 8] = [
        flags,
        &mut pidfd as *mut i32 as u64,
        0,
        0,
        libc::SIGCHLD as u64,
        0,
        0,
        0,
    ];
    // SAFETY: `args` is a version-0 `clone_args` (64 bytes); with no stack the child runs on
    // a copy of this one, in a copy of this memory, and only calls _exit.
    let rc = unsafe { libc::syscall(libc::SYS_clone3, args.as_ptr(), 64usize) };
    if rc == 0 {
        exit(0);
    }
    if rc < 0 {
        return Err(std::io::Error::last_os_error().raw_os_error().unwrap());
    }
    assert!(pidfd >= 0, "CLONE_PIDFD wrote no pidfd");
    let pidfd = own(pidfd, "clone3 pidfd");
    let status = waitid(WaitId::PidFd(pidfd.as_fd()), WaitOptions::EXITED).unwrap();
    assert_eq!(
        status.map(|s| (s.pid, s.state)),
        Some((rc as i32, ChildState::Exited(0)))
    );
    Ok(())
}

#[test]
fn clone3_is_there_on_a_kernel() {
    let exists = clone3_exists();
    if emulated() {
        if !exists {
            emulator_note(format_args!(
                "clone3 answers ENOSYS and clone refuses CLONE_PIDFD: spawn ran the legacy \
                 clone (a fork under qemu-user) and pidfd_open"
            ));
        }
        return;
    }
    if kernel_at_least(5, 3) {
        assert!(exists, "clone3 on Linux {}", kernel());
        // What spawn asks of it: CLONE_PIDFD (5.2) and, from 5.5, CLONE_CLEAR_SIGHAND; before
        // 5.5 the flag is refused with EINVAL and spawn takes the legacy clone.
        let got = clone3_fork(CLONE_PIDFD | CLONE_CLEAR_SIGHAND);
        if kernel_at_least(5, 5) {
            assert_eq!(
                got,
                Ok(()),
                "clone3 with CLONE_CLEAR_SIGHAND on Linux {}",
                kernel()
            );
        } else {
            assert_eq!(got, Err(libc::EINVAL));
            skip(format_args!(
                "CLONE_CLEAR_SIGHAND (Linux 5.5): this kernel ({}) refuses it, spawn takes clone",
                kernel()
            ));
        }
    } else {
        skip(format_args!(
            "clone3 (Linux 5.3): this kernel ({}) lacks it",
            kernel()
        ));
    }
}

#[test]
fn exit_status_comes_back_through_waitid() {
    let mut s = slots();
    let child = sh(&mut s, c"exit 3").spawn().expect("spawn");
    assert!(child.pid() > 0);
    assert_eq!(wait(&child), ChildState::Exited(3));
}

#[test]
fn pidfd_is_readable_when_the_child_ends_and_takes_signals() {
    let (r, w) = blocking_pipe();
    let mut s = slots();
    // cat waits on its standard input, which only this test can end.
    let argv = CStrArray::new(&mut s, &[c"cat"]).unwrap();
    let child = Spawn::new(c"/bin/cat", argv, CStrArray::empty())
        .stdin(r.as_fd())
        .spawn()
        .expect("spawn");
    drop(r);
    let ep = epoll();
    epoll_add(&ep, child.pidfd(), 7, EventFlags::IN).unwrap();
    assert_eq!(wait_events(&ep, 0), vec![]);
    assert_eq!(poll_revents(child.pidfd(), libc::POLLIN), 0);
    child
        .pidfd()
        .send_signal(SIGTERM)
        .expect("pidfd_send_signal");
    let events = wait_events(&ep, -1);
    assert_eq!(events, vec![(EventFlags::IN, 7)]);
    assert_eq!(
        wait(&child),
        ChildState::Killed {
            signal: SIGTERM,
            core_dumped: false
        }
    );
    drop(w);
}

fn wait_events(ep: &OwnedFd, timeout: i32) -> Vec<(EventFlags, u64)> {
    common::wait(ep, 4, timeout)
}

#[test]
fn missing_program_is_enoent() {
    let mut s = slots();
    let argv = CStrArray::new(&mut s, &[c"x"]).unwrap();
    let got = Spawn::new(c"/nonexistent/freepoll-test", argv, CStrArray::empty()).spawn();
    assert_eq!(got.err(), Some(Errno::NOENT));
}

#[test]
fn non_executable_file_is_eacces() {
    let (dir, file) = temp_file("plain", b"#!/bin/sh\nexit 0\n", 0o644);
    let mut s = slots();
    let argv = CStrArray::new(&mut s, &[c"plain"]).unwrap();
    let got = Spawn::new(&file, argv, CStrArray::empty()).spawn();
    assert_eq!(got.err(), Some(Errno::ACCES));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn file_of_no_known_format_is_enoexec() {
    let (dir, file) = temp_file("garbage", b"\x01\x02\x03 not a program\n", 0o755);
    let mut s = slots();
    let argv = CStrArray::new(&mut s, &[c"garbage"]).unwrap();
    // ETXTBSY while a child forked by a test running beside this one still holds the
    // descriptor that wrote the file (close-on-exec closes it only at that child's exec):
    // that race is the harness's, not spawn's, so the test waits it out, boundedly.
    let mut got = Spawn::new(&file, argv, CStrArray::empty()).spawn();
    for _ in 0..200 {
        if got.as_ref().err() != Some(&Errno::TXTBSY) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        got = Spawn::new(&file, argv, CStrArray::empty()).spawn();
    }
    assert_eq!(got.err(), Some(Errno::NOEXEC));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn failed_spawn_leaves_no_child_behind() {
    // In a process of its own, so that "no child" means this spawn's.
    let state = in_forked_child(|| {
        let mut s = slots();
        let argv = CStrArray::new(&mut s, &[c"x"]).unwrap();
        let got = Spawn::new(c"/nonexistent/freepoll-test", argv, CStrArray::empty()).spawn();
        if got.err() != Some(Errno::NOENT) {
            exit(1);
        }
        match waitid(WaitId::All, WaitOptions::EXITED | WaitOptions::NOHANG) {
            Err(Errno::CHILD) => exit(0),
            _ => exit(2),
        }
    });
    assert_eq!(state, ChildState::Exited(0));
}

#[test]
fn child_mask_is_empty_by_default_whatever_the_parent_blocks() {
    let set = SigSet::of(&[SIGUSR1, SIGTERM, SIGWINCH]).unwrap();
    let old = sigprocmask(SigmaskHow::Block, Some(&set)).unwrap();
    let mut s = slots();
    let (state, status) = output(cat(&mut s, c"/proc/self/status"));
    sigprocmask(SigmaskHow::SetMask, Some(&old)).unwrap();
    assert_eq!(state, ChildState::Exited(0));
    assert_eq!(status_set(&status, "SigBlk:"), 0, "{status}");
}

#[test]
fn sigmask_sets_the_child_mask() {
    let mut s = slots();
    let mask = SigSet::of(&[SIGUSR2, SIGWINCH]).unwrap();
    let (state, status) = output(cat(&mut s, c"/proc/self/status").sigmask(mask));
    assert_eq!(state, ChildState::Exited(0));
    let blocked = status_set(&status, "SigBlk:");
    if emulated() && blocked == 0 {
        emulator_note(format_args!(
            "the program exec'd by qemu-user starts with the host's mask, not the guest's: \
             SigBlk 0, not {:#x}",
            mask.bits()
        ));
        return;
    }
    assert_eq!(blocked, mask.bits(), "{status}");
}

#[test]
fn ignored_signals_stay_ignored_unless_in_sigdefault() {
    let _lock = DISPOSITIONS.lock().unwrap();
    // std's runtime ignores SIGPIPE; this test ignores SIGUSR2 and handles SIGUSR1.
    assert_eq!(disposition(SIGPIPE), Ok(Disposition::Ignore));
    let before = set_disposition(SIGUSR2, SetDisposition::Ignore).unwrap();
    count_signals(SIGUSR1);

    let mut s = slots();
    let (state, status) = output(cat(&mut s, c"/proc/self/status"));
    assert_eq!(state, ChildState::Exited(0));
    let ignored = status_set(&status, "SigIgn:");
    let caught = status_set(&status, "SigCgt:");

    let mut s = slots();
    let reset = SigSet::of(&[SIGPIPE, SIGUSR2]).unwrap();
    let (state, status2) = output(cat(&mut s, c"/proc/self/status").sigdefault(reset));
    assert_eq!(state, ChildState::Exited(0));
    let ignored2 = status_set(&status2, "SigIgn:");

    set_disposition(SIGUSR2, SetDisposition::Default).unwrap();
    set_disposition(SIGUSR1, SetDisposition::Default).unwrap();
    assert_eq!(before, Disposition::Default);

    // Ignored stays ignored; the handled one is neither ignored nor caught in the program.
    assert_eq!(
        ignored & (bit(SIGPIPE) | bit(SIGUSR2)),
        bit(SIGPIPE) | bit(SIGUSR2)
    );
    assert_eq!(ignored & bit(SIGUSR1), 0, "{status}");
    assert_eq!(caught, 0, "{status}");
    // sigdefault takes both back to the default.
    assert_eq!(
        ignored2 & (bit(SIGPIPE) | bit(SIGUSR2) | bit(SIGUSR1)),
        0,
        "{status2}"
    );
}

#[test]
fn close_on_exec_descriptors_are_not_inherited_and_others_are() {
    let (r, _w) = blocking_pipe();
    // SAFETY: fcntl F_DUPFD and F_DUPFD_CLOEXEC take integers; each returns a new descriptor.
    let cloexec = own(
        unsafe { libc::fcntl(r.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 300) },
        "F_DUPFD_CLOEXEC",
    );
    // SAFETY: as above.
    let inherited = own(
        unsafe { libc::fcntl(r.as_raw_fd(), libc::F_DUPFD, 400) },
        "F_DUPFD",
    );
    let open_in_child = |fd: &OwnedFd| {
        let script = CString::new(format!("[ -e /proc/self/fd/{} ]", fd.as_raw_fd())).unwrap();
        let mut s = slots();
        let child = sh(&mut s, &script).spawn().expect("spawn");
        wait(&child) == ChildState::Exited(0)
    };
    assert!(!open_in_child(&cloexec));
    assert!(open_in_child(&inherited));
}

#[test]
fn stdout_and_stderr_go_to_the_descriptors_given() {
    let (r, w) = blocking_pipe();
    let (er, ew) = blocking_pipe();
    let mut s = slots();
    let child = sh(&mut s, c"echo out; echo err >&2")
        .stdout(w.as_fd())
        .stderr(ew.as_fd())
        .spawn()
        .expect("spawn");
    drop((w, ew));
    assert_eq!(read_to_end(&r), b"out\n");
    assert_eq!(read_to_end(&er), b"err\n");
    assert_eq!(wait(&child), ChildState::Exited(0));
}

#[test]
fn stdin_comes_from_the_descriptor_given() {
    let (r, w) = blocking_pipe();
    write_all(&w, b"from the pipe");
    drop(w);
    let mut s = slots();
    let argv = CStrArray::new(&mut s, &[c"cat"]).unwrap();
    let (state, out) = output(Spawn::new(c"/bin/cat", argv, CStrArray::empty()).stdin(r.as_fd()));
    assert_eq!(state, ChildState::Exited(0));
    assert_eq!(out, "from the pipe");
}

#[test]
fn standard_descriptors_swapped_reach_their_targets() {
    // Descriptor 1 of the child from the test's pipe that sits at 0, and 0 from the one at 1:
    // each dup must not overwrite the other's source. In a forked child, whose 0 and 1 are
    // its own to replace.
    let state = in_forked_child(|| {
        let (r, w) = blocking_pipe();
        let (r2, w2) = blocking_pipe();
        // The child's output pipe at 0, its input pipe at 1.
        // SAFETY: dup3 onto this process's own 0 and 1; the originals stay open.
        unsafe {
            if libc::dup3(w.as_raw_fd(), 0, libc::O_CLOEXEC) != 0
                || libc::dup3(r2.as_raw_fd(), 1, libc::O_CLOEXEC) != 1
            {
                exit(10);
            }
        }
        drop(w);
        drop(r2);
        if unsafe { libc::write(w2.as_raw_fd(), b"swap".as_ptr() as *const libc::c_void, 4) } != 4 {
            exit(11);
        }
        drop(w2);
        let mut s = slots();
        let argv = CStrArray::new(&mut s, &[c"cat"]).unwrap();
        // SAFETY: 0 and 1 are open in this process until it exits.
        let (fd0, fd1) = unsafe { (BorrowedFd::borrow_raw(0), BorrowedFd::borrow_raw(1)) };
        let Ok(child) = Spawn::new(c"/bin/cat", argv, CStrArray::empty())
            .stdin(fd1)
            .stdout(fd0)
            .spawn()
        else {
            exit(12)
        };
        // SAFETY: closes this process's own 0 and 1, so that the read below sees the end.
        unsafe {
            libc::close(0);
            libc::close(1);
        }
        let mut buf = [0u8; 16];
        let n = unsafe { libc::read(r.as_raw_fd(), buf.as_mut_ptr() as *mut libc::c_void, 16) };
        let ok = n == 4 && &buf[..4] == b"swap";
        match waitid(WaitId::PidFd(child.pidfd().as_fd()), WaitOptions::EXITED) {
            Ok(Some(s)) if s.state == ChildState::Exited(0) && ok => exit(0),
            _ => exit(13),
        }
    });
    assert_eq!(state, ChildState::Exited(0));
}

#[test]
fn descriptor_already_in_place_loses_close_on_exec() {
    // The child's standard output is descriptor 1 itself, close-on-exec: spawn must clear the
    // flag (as posix_spawn does for dup2 onto itself), or the program writes to nothing.
    let state = in_forked_child(|| {
        let (r, w) = blocking_pipe();
        // SAFETY: dup3 onto this process's own 1.
        if unsafe { libc::dup3(w.as_raw_fd(), 1, libc::O_CLOEXEC) } != 1 {
            exit(10);
        }
        drop(w);
        let mut s = slots();
        // SAFETY: 1 is open in this process until it exits.
        let fd1 = unsafe { BorrowedFd::borrow_raw(1) };
        let Ok(child) = sh(&mut s, c"echo in place").stdout(fd1).spawn() else {
            exit(11)
        };
        // SAFETY: closes this process's own 1, so that the read below sees the end.
        unsafe { libc::close(1) };
        let mut buf = [0u8; 32];
        let n = unsafe { libc::read(r.as_raw_fd(), buf.as_mut_ptr() as *mut libc::c_void, 32) };
        let ok = n == 9 && &buf[..9] == b"in place\n";
        match waitid(WaitId::PidFd(child.pidfd().as_fd()), WaitOptions::EXITED) {
            Ok(Some(s)) if s.state == ChildState::Exited(0) && ok => exit(0),
            _ => exit(12),
        }
    });
    assert_eq!(state, ChildState::Exited(0));
}

/// Spawns `cat` reading a pipe this test holds, so that it waits; `finish` ends it.
fn waiting_cat(spawn: impl FnOnce(Spawn<'_>) -> Spawn<'_>) -> (Child, OwnedFd) {
    let (r, w) = blocking_pipe();
    let mut s = slots();
    let argv = CStrArray::new(&mut s, &[c"cat"]).unwrap();
    let base = Spawn::new(c"/bin/cat", argv, CStrArray::empty()).stdin(r.as_fd());
    let child = spawn(base).spawn().expect("spawn");
    (child, w)
}

fn finish(child: Child, w: OwnedFd) {
    drop(w);
    assert_eq!(wait(&child), ChildState::Exited(0));
}

#[test]
fn setsid_makes_the_child_a_session_leader() {
    let (child, w) = waiting_cat(|s| s.setsid());
    let pid = child.pid();
    // SAFETY: getsid and getpgid take integers; `child` is not reaped yet.
    let (sid, pgid) = unsafe { (libc::getsid(pid), libc::getpgid(pid)) };
    finish(child, w);
    assert_eq!((sid, pgid), (pid, pid));
}

#[test]
fn process_group_zero_makes_a_new_group_and_a_pgid_joins_it() {
    let (leader, w) = waiting_cat(|s| s.process_group(0));
    let (member, w2) = waiting_cat(|s| s.process_group(leader.pid()));
    // SAFETY: getpgid and getsid take integers; both children are unreaped.
    let (lpg, mpg, msid, mysid) = unsafe {
        (
            libc::getpgid(leader.pid()),
            libc::getpgid(member.pid()),
            libc::getsid(member.pid()),
            libc::getsid(0),
        )
    };
    let lpid = leader.pid();
    finish(member, w2);
    finish(leader, w);
    assert_eq!((lpg, mpg, msid), (lpid, lpid, mysid));
}

#[test]
fn setpgid_to_a_group_of_another_session_is_eperm() {
    // After setsid the child's session has only its own group: joining this test's is EPERM.
    let mut s = slots();
    // SAFETY: getpgid(0) takes an integer.
    let mine = unsafe { libc::getpgid(0) };
    let got = sh(&mut s, c"exit 0").setsid().process_group(mine).spawn();
    assert_eq!(got.err(), Some(Errno::PERM));
}

#[test]
fn cwd_sets_the_working_directory() {
    let mut s = slots();
    let argv = CStrArray::new(&mut s, &[c"pwd"]).unwrap();
    let (state, out) = output(Spawn::new(c"/bin/pwd", argv, CStrArray::empty()).cwd(c"/proc"));
    assert_eq!(state, ChildState::Exited(0));
    assert_eq!(out, "/proc\n");
}

#[test]
fn cwd_that_does_not_exist_is_enoent() {
    let mut s = slots();
    let got = sh(&mut s, c"exit 0").cwd(c"/nonexistent/dir").spawn();
    assert_eq!(got.err(), Some(Errno::NOENT));
}

#[test]
fn search_path_finds_a_name_without_slash() {
    let mut s = slots();
    let argv = CStrArray::new(&mut s, &[c"sh", c"-c", c"exit 4"]).unwrap();
    let child = Spawn::new(c"sh", argv, CStrArray::empty())
        .search_path(Some(c"/nonexistent:/etc/passwd:/bin"))
        .spawn()
        .expect("spawn");
    assert_eq!(wait(&child), ChildState::Exited(4));
}

#[test]
fn search_path_default_finds_sh() {
    let mut s = slots();
    let argv = CStrArray::new(&mut s, &[c"sh", c"-c", c"exit 6"]).unwrap();
    let child = Spawn::new(c"sh", argv, CStrArray::empty())
        .search_path(None)
        .spawn()
        .expect("spawn");
    assert_eq!(wait(&child), ChildState::Exited(6));
}

#[test]
fn search_path_missing_everywhere_is_enoent() {
    let mut s = slots();
    let argv = CStrArray::new(&mut s, &[c"x"]).unwrap();
    let got = Spawn::new(c"freepoll-no-such-program", argv, CStrArray::empty())
        .search_path(Some(c"/nonexistent:/bin:/usr/bin"))
        .spawn();
    assert_eq!(got.err(), Some(Errno::NOENT));
}

#[test]
fn search_path_found_but_not_executable_is_eacces() {
    let (dir, _file) = temp_file("freepoll-nx", b"#!/bin/sh\n", 0o644);
    let path = CString::new(format!("/nonexistent:{}:/bin", dir.display())).unwrap();
    let mut s = slots();
    let argv = CStrArray::new(&mut s, &[c"x"]).unwrap();
    let got = Spawn::new(c"freepoll-nx", argv, CStrArray::empty())
        .search_path(Some(&path))
        .spawn();
    assert_eq!(got.err(), Some(Errno::ACCES));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn without_search_path_a_bare_name_is_not_searched() {
    let mut s = slots();
    let argv = CStrArray::new(&mut s, &[c"sh"]).unwrap();
    let got = Spawn::new(c"sh", argv, CStrArray::empty())
        .cwd(c"/")
        .spawn();
    assert_eq!(got.err(), Some(Errno::NOENT));
}

#[test]
fn execve_replaces_the_process() {
    let state = in_forked_child(|| {
        let mut s = slots();
        let argv = CStrArray::new(&mut s, &[c"sh", c"-c", c"exit 5"]).unwrap();
        let err = execve(c"/bin/sh", argv, CStrArray::empty());
        exit(100 + err.raw_os_error())
    });
    assert_eq!(state, ChildState::Exited(5));
}

#[test]
fn execve_of_a_missing_file_returns_enoent() {
    let state = in_forked_child(|| {
        let err = execve(c"/nonexistent/x", CStrArray::empty(), CStrArray::empty());
        exit(100 + err.raw_os_error())
    });
    assert_eq!(state, ChildState::Exited(100 + libc::ENOENT));
}

#[test]
fn execvpe_searches_the_path() {
    let state = in_forked_child(|| {
        let mut s = slots();
        let argv = CStrArray::new(&mut s, &[c"sh", c"-c", c"exit 8"]).unwrap();
        let err = execvpe(c"sh", argv, CStrArray::empty(), Some(c"/nonexistent:/bin"));
        exit(100 + err.raw_os_error())
    });
    assert_eq!(state, ChildState::Exited(8));
}

#[test]
fn execvpe_of_a_long_name_is_enametoolong() {
    let state = in_forked_child(|| {
        let name = [b'a'; 300];
        let mut buf = [0u8; 301];
        buf[..300].copy_from_slice(&name);
        let file = CStr::from_bytes_with_nul(&buf).unwrap();
        let err = execvpe(file, CStrArray::empty(), CStrArray::empty(), None);
        exit(100 + err.raw_os_error())
    });
    assert_eq!(state, ChildState::Exited(100 + libc::ENAMETOOLONG));
}

#[test]
fn environment_reaches_the_program() {
    let mut s = slots();
    let mut e = slots();
    let argv = CStrArray::new(&mut s, &[c"sh", c"-c", c"echo \"$GREETING\""]).unwrap();
    let envp = CStrArray::new(&mut e, &[c"GREETING=hello there"]).unwrap();
    let (state, out) = output(Spawn::new(c"/bin/sh", argv, envp));
    assert_eq!(state, ChildState::Exited(0));
    assert_eq!(out, "hello there\n");
}

#[test]
fn cstr_array_is_null_terminated_and_refuses_too_few_slots() {
    let mut s = [std::ptr::null(); 3];
    let a = CStrArray::new(&mut s, &[c"one", c"two"]).unwrap();
    assert_eq!(a.len(), 2);
    assert!(!a.is_empty());
    // SAFETY: the array has len + 1 = 3 slots.
    let raw = unsafe { std::slice::from_raw_parts(a.as_ptr(), 3) };
    assert!(raw[2].is_null());
    assert_eq!(a.iter().collect::<Vec<_>>(), vec![c"one", c"two"]);
    let mut two = [std::ptr::null(); 2];
    assert_eq!(
        CStrArray::new(&mut two, &[c"one", c"two"]).err(),
        Some(Errno::TOOBIG)
    );
    let empty = CStrArray::empty();
    assert!(empty.is_empty() && empty.get(0).is_none());
    // SAFETY: the empty array is one NULL.
    assert!(unsafe { *empty.as_ptr() }.is_null());
}

#[test]
fn controlling_terminal_and_foreground_from_a_pty() {
    // SAFETY: posix_openpt and friends take integers and a descriptor; ptsname returns a
    // pointer to a static buffer read at once.
    let (master, slave) = unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        if m < 0 {
            skip(format_args!(
                "a pseudo-terminal: /dev/ptmx cannot be opened here ({})",
                std::io::Error::last_os_error()
            ));
            return;
        }
        assert_eq!(libc::grantpt(m), 0);
        assert_eq!(libc::unlockpt(m), 0);
        let name = CStr::from_ptr(libc::ptsname(m)).to_owned();
        let s = libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        (own(m, "posix_openpt"), own(s, "open pts"))
    };
    let mut s = slots();
    let (state, stat) = output(
        cat(&mut s, c"/proc/self/stat")
            .setsid()
            .controlling_terminal(slave.as_fd())
            .foreground(slave.as_fd()),
    );
    assert_eq!(state, ChildState::Exited(0));
    // pid (comm) state ppid pgrp session tty_nr tpgid ...
    let (head, rest) = stat.rsplit_once(") ").expect("stat");
    let pid: i32 = head.split_whitespace().next().unwrap().parse().unwrap();
    let f: Vec<i64> = rest
        .split_whitespace()
        .skip(1)
        .take(5)
        .map(|x| x.parse().unwrap())
        .collect();
    let (pgrp, session, tty_nr, tpgid) = (f[1], f[2], f[3], f[4]);
    assert_eq!(
        (pgrp, session, tpgid),
        (pid as i64, pid as i64, pid as i64),
        "{stat}"
    );
    assert_ne!(tty_nr, 0, "{stat}");
    drop(master);
}

#[test]
fn controlling_terminal_without_setsid_is_eperm() {
    // SAFETY: as in the test above.
    let (_master, slave) = unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        if m < 0 {
            skip(format_args!(
                "a pseudo-terminal: /dev/ptmx cannot be opened here ({})",
                std::io::Error::last_os_error()
            ));
            return;
        }
        assert_eq!(libc::grantpt(m), 0);
        assert_eq!(libc::unlockpt(m), 0);
        let name = CStr::from_ptr(libc::ptsname(m)).to_owned();
        let s = libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        (own(m, "posix_openpt"), own(s, "open pts"))
    };
    let mut s = slots();
    let got = sh(&mut s, c"exit 0")
        .controlling_terminal(slave.as_fd())
        .spawn();
    assert_eq!(got.err(), Some(Errno::PERM));
}

#[test]
fn disposition_reads_what_libc_installed() {
    let _lock = DISPOSITIONS.lock().unwrap();
    count_signals(SIGUSR1);
    // SAFETY: a query only: a NULL new action.
    let libc_handler = unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        assert_eq!(libc::sigaction(SIGUSR1, std::ptr::null(), &mut old), 0);
        old.sa_sigaction
    };
    assert_eq!(disposition(SIGUSR1), Ok(Disposition::Handler(libc_handler)));
    assert_eq!(
        set_disposition(SIGUSR1, SetDisposition::Default),
        Ok(Disposition::Handler(libc_handler))
    );
    assert_eq!(disposition(SIGUSR1), Ok(Disposition::Default));
}

#[test]
fn set_disposition_round_trips_with_libc() {
    let _lock = DISPOSITIONS.lock().unwrap();
    let libc_handler = |sig| {
        // SAFETY: a query only: a NULL new action.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            assert_eq!(libc::sigaction(sig, std::ptr::null(), &mut old), 0);
            old.sa_sigaction
        }
    };
    assert_eq!(
        set_disposition(SIGUSR2, SetDisposition::Ignore),
        Ok(Disposition::Default)
    );
    assert_eq!(libc_handler(SIGUSR2), libc::SIG_IGN);
    assert_eq!(
        set_disposition(SIGUSR2, SetDisposition::Default),
        Ok(Disposition::Ignore)
    );
    assert_eq!(libc_handler(SIGUSR2), libc::SIG_DFL);
    // Real-time signals, 64 included, on every architecture (the 8-byte kernel sigset). Not
    // 32 to 34: musl's sigaction refuses those (EINVAL), its own.
    for sig in [35, 50, 64] {
        assert_eq!(
            set_disposition(sig, SetDisposition::Ignore),
            Ok(Disposition::Default),
            "signal {sig}"
        );
        assert_eq!(libc_handler(sig), libc::SIG_IGN, "signal {sig}");
        assert_eq!(
            set_disposition(sig, SetDisposition::Default),
            Ok(Disposition::Ignore)
        );
    }
}

#[test]
fn set_disposition_refuses_sigkill_sigstop_and_numbers_out_of_range() {
    for sig in [SIGKILL, SIGSTOP] {
        assert_eq!(
            set_disposition(sig, SetDisposition::Ignore),
            Err(Errno::INVAL)
        );
        assert_eq!(disposition(sig), Ok(Disposition::Default));
    }
    for sig in [0, -1, 65, i32::MAX] {
        assert_eq!(
            set_disposition(sig, SetDisposition::Default),
            Err(Errno::INVAL)
        );
        assert_eq!(disposition(sig), Err(Errno::INVAL));
    }
}

#[test]
fn spawns_from_two_threads_leave_memory_untouched() {
    // 200 spawns of /bin/true from two threads at once, while a third checks that a large
    // buffer keeps its checksum, and each spawning thread checks a canary array of its own
    // stack: the children share this memory (CLONE_VM) until they exec.
    const SPAWNS_PER_THREAD: usize = 100;
    let stop = std::sync::atomic::AtomicBool::new(false);
    let buffer: Vec<u64> = (0..(1 << 17)).map(|i| i * 2_654_435_761).collect();
    let checksum = |b: &[u64]| b.iter().fold(0u64, |a, &x| a.rotate_left(5) ^ x);
    let expected = checksum(&buffer);
    std::thread::scope(|scope| {
        let checker = scope.spawn(|| {
            let mut rounds = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                assert_eq!(checksum(&buffer), expected);
                rounds += 1;
            }
            rounds
        });
        let spawners: Vec<_> = (0..2)
            .map(|t| {
                scope.spawn(move || {
                    let canary = [0x5a5a_0000_u32 + t; 64];
                    for _ in 0..SPAWNS_PER_THREAD {
                        let mut s = slots();
                        let argv = CStrArray::new(&mut s, &[c"true"]).unwrap();
                        let child = Spawn::new(c"/bin/true", argv, CStrArray::empty())
                            .spawn()
                            .expect("spawn");
                        assert_eq!(wait(&child), ChildState::Exited(0));
                        assert!(std::hint::black_box(&canary)
                            .iter()
                            .all(|&c| c == 0x5a5a_0000 + t));
                    }
                })
            })
            .collect();
        for s in spawners {
            s.join().unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(checker.join().unwrap() > 0);
    });
    assert_eq!(checksum(&buffer), expected);
}

#[test]
fn f_constants_are_libcs() {
    // The fcntl values spawn's child uses (src/spawn.rs), against libc's.
    assert_eq!(
        (
            libc::F_GETFD,
            libc::F_SETFD,
            libc::FD_CLOEXEC,
            libc::F_DUPFD_CLOEXEC
        ),
        (1, 2, 1, 1030)
    );
    assert_eq!(
        (libc::CLONE_VM, libc::CLONE_VFORK, libc::CLONE_PIDFD),
        (0x100, 0x4000, 0x1000)
    );
}
