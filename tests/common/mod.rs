//! Helpers shared by the integration tests: descriptors made with the `libc` crate (an
//! independent path to the kernel), and a wait that returns the events as a `Vec`.

#![allow(dead_code)]

use core::mem::MaybeUninit;
use freepoll::epoll::{self, CreateFlags, Event, EventFlags, EventVec};
use freepoll::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};

/// Takes ownership of a raw descriptor a libc call just returned, or fails the test with errno.
pub fn own(fd: i32, what: &str) -> OwnedFd {
    assert!(
        fd >= 0,
        "{what} failed: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: a successful libc call just returned `fd`; nothing else owns it.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

pub fn epoll() -> OwnedFd {
    epoll::epoll_create(CreateFlags::CLOEXEC).expect("epoll_create")
}

/// A non-blocking eventfd with counter `initial` (readable when non-zero).
pub fn eventfd(initial: u32) -> OwnedFd {
    // SAFETY: eventfd takes integers only.
    own(
        unsafe { libc::eventfd(initial, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) },
        "eventfd",
    )
}

/// A non-blocking pipe: (read end, write end).
pub fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    (own(fds[0], "pipe2"), own(fds[1], "pipe2"))
}

/// A non-blocking UNIX stream socket pair.
pub fn socketpair() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors socketpair writes.
    let rc = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    assert_eq!(rc, 0, "socketpair: {}", std::io::Error::last_os_error());
    (own(fds[0], "socketpair"), own(fds[1], "socketpair"))
}

/// Adds `n` to an eventfd's counter.
pub fn bump(efd: impl AsFd, n: u64) {
    let fd = efd.as_fd().as_raw_fd();
    // SAFETY: writes 8 bytes from a live u64.
    let rc = unsafe { libc::write(fd, &n as *const u64 as *const libc::c_void, 8) };
    assert_eq!(rc, 8, "eventfd write: {}", std::io::Error::last_os_error());
}

/// Reads an eventfd's counter (resetting it), or None if it was zero.
pub fn drain_eventfd(efd: impl AsFd) -> Option<u64> {
    let fd = efd.as_fd().as_raw_fd();
    let mut n = 0u64;
    // SAFETY: reads at most 8 bytes into a live u64.
    let rc = unsafe { libc::read(fd, &mut n as *mut u64 as *mut libc::c_void, 8) };
    if rc == 8 {
        Some(n)
    } else {
        assert_eq!(
            std::io::Error::last_os_error().raw_os_error(),
            Some(libc::EAGAIN)
        );
        None
    }
}

/// Writes bytes to a descriptor, all of them.
pub fn write_all(fd: impl AsFd, bytes: &[u8]) {
    let fd = fd.as_fd().as_raw_fd();
    // SAFETY: reads `bytes.len()` bytes from a live slice.
    let rc = unsafe { libc::write(fd, bytes.as_ptr() as *const libc::c_void, bytes.len()) };
    assert_eq!(
        rc,
        bytes.len() as isize,
        "write: {}",
        std::io::Error::last_os_error()
    );
}

/// Reads up to `max` bytes; an empty Vec for EAGAIN or end of file.
pub fn read_some(fd: impl AsFd, max: usize) -> Vec<u8> {
    let fd = fd.as_fd().as_raw_fd();
    let mut buf = vec![0u8; max];
    // SAFETY: writes at most `max` bytes into a live buffer of that size.
    let rc = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, max) };
    buf.truncate(rc.max(0) as usize);
    buf
}

/// One wait with a buffer of `capacity` slots; the events as (flags, data) pairs.
pub fn wait(epoll: impl AsFd, capacity: usize, timeout: i32) -> Vec<(EventFlags, u64)> {
    let mut buf = vec![MaybeUninit::<Event>::uninit(); capacity];
    let mut events = EventVec::new(&mut buf);
    let n = epoll::epoll_wait(epoll, &mut events, timeout).expect("epoll_wait");
    assert_eq!(n, events.len());
    events.iter().collect()
}

/// The data of each event, sorted.
pub fn datas(events: &[(EventFlags, u64)]) -> Vec<u64> {
    let mut d: Vec<u64> = events.iter().map(|&(_, d)| d).collect();
    d.sort_unstable();
    d
}

/// A connected TCP pair over 127.0.0.1, both ends non-blocking: (client, server).
pub fn tcp_pair() -> (OwnedFd, OwnedFd) {
    use std::os::unix::io::IntoRawFd;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local_addr");
    let client = std::net::TcpStream::connect(addr).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    for s in [&client, &server] {
        s.set_nonblocking(true).expect("set_nonblocking");
        s.set_nodelay(true).expect("set_nodelay");
    }
    let client = own(client.into_raw_fd(), "TcpStream::connect");
    let server = own(server.into_raw_fd(), "TcpListener::accept");
    (client, server)
}

/// shutdown(2) of one direction (`libc::SHUT_WR`, `SHUT_RD` or `SHUT_RDWR`).
pub fn shutdown(fd: impl AsFd, how: i32) {
    // SAFETY: shutdown takes integers only.
    let rc = unsafe { libc::shutdown(fd.as_fd().as_raw_fd(), how) };
    assert_eq!(rc, 0, "shutdown: {}", std::io::Error::last_os_error());
}

/// What poll(2) reports for `fd` when asked for `events` (an independent view of readiness).
pub fn poll_revents(fd: impl AsFd, events: i16) -> i16 {
    let mut pfd = libc::pollfd {
        fd: fd.as_fd().as_raw_fd(),
        events,
        revents: 0,
    };
    // SAFETY: `pfd` is one live pollfd; a zero timeout never blocks.
    let rc = unsafe { libc::poll(&mut pfd, 1, 0) };
    assert!(rc >= 0, "poll: {}", std::io::Error::last_os_error());
    pfd.revents
}

/// Writes to a non-blocking descriptor until it answers EAGAIN; returns the bytes written.
pub fn fill(fd: impl AsFd) -> usize {
    let fd = fd.as_fd().as_raw_fd();
    let chunk = [0x5au8; 4096];
    let mut total = 0;
    loop {
        // SAFETY: reads at most `chunk.len()` bytes from a live array.
        let rc = unsafe { libc::write(fd, chunk.as_ptr() as *const libc::c_void, chunk.len()) };
        if rc < 0 {
            let err = std::io::Error::last_os_error();
            assert_eq!(err.raw_os_error(), Some(libc::EAGAIN), "write: {}", err);
            return total;
        }
        total += rc as usize;
    }
}

/// Reads a non-blocking descriptor until EAGAIN or end of file; returns the bytes read.
pub fn drain(fd: impl AsFd) -> usize {
    let fd = fd.as_fd();
    let mut total = 0;
    loop {
        let got = read_some(fd, 65536).len();
        if got == 0 {
            return total;
        }
        total += got;
    }
}

/// The calling thread's id, from the raw stub (the id `tgkill` and `/proc/self/task` use).
pub fn gettid() -> i32 {
    // SAFETY: gettid takes no arguments and touches no memory.
    let tid =
        freepoll::raw::decode_raw(unsafe { freepoll::raw::syscall0(freepoll::raw::nr::GETTID) });
    tid.expect("gettid") as i32
}

/// Sends signal `sig` to thread `tid` of this process.
pub fn tgkill(tid: i32, sig: i32) {
    use freepoll::raw::{decode_raw, nr, syscall3};
    // SAFETY: tgkill takes integers only; the signal has a handler (see `count_signals`).
    let ret = unsafe {
        syscall3(
            nr::TGKILL,
            std::process::id() as usize,
            tid as usize,
            sig as usize,
        )
    };
    decode_raw(ret).expect("tgkill");
}

/// Whether thread `tid` of this process is asleep in an epoll wait, so that a wakeup cannot
/// miss it (a sleeping thread in there has queued itself on the instance's wait queue). Either
/// proof will do:
/// - the kernel function it sleeps in (`wchan`, "0" while it runs) is the epoll wait
///   (`do_epoll_wait`, or `ep_poll` on kernels that do not inline it);
/// - natively, it sleeps (state `S`) inside an epoll wait system call, as
///   `/proc/self/task/<tid>/syscall` names it. This is the proof on x86_64 kernels whose wchan
///   names nothing: before Linux 5.16 ("x86: Fix get_wchan() to support the ORC unwinder",
///   backported to some stable branches) wchan walked frame pointers that ORC kernels, Debian's
///   among them, do not keep, and said "0". Under qemu-user that file shows the host's system
///   call numbers, not the guest's, so there only wchan counts (and it works: the thread sleeps
///   in the host's epoll wait).
pub fn asleep_in_epoll_wait(tid: i32) -> bool {
    wchan_names_epoll_wait(tid) || (!emulated() && asleep_in_epoll_syscall(tid))
}

/// Whether the kernel function thread `tid` of this process sleeps in (its `wchan`) is the
/// epoll wait (`do_epoll_wait`, or `ep_poll` on kernels that do not inline it).
pub fn wchan_names_epoll_wait(tid: i32) -> bool {
    let path = format!("/proc/self/task/{tid}/wchan");
    let wchan = match std::fs::read_to_string(&path) {
        Ok(wchan) => wchan,
        // The thread has ended, or is ending (its entry is going): it sleeps nowhere. A caller
        // that polls this while another CPU runs the thread to its end sees this answer, and
        // its own check of the thread's end stops it.
        Err(e) if matches!(e.raw_os_error(), Some(libc::ESRCH) | Some(libc::ENOENT)) => {
            return false
        }
        Err(e) => panic!("{path}: {e}"),
    };
    wchan.contains("epoll_wait") || wchan.contains("ep_poll")
}

/// Whether thread `tid` of this process sleeps (state `S`) inside an epoll wait system call,
/// as `/proc/self/task/<tid>/syscall` names it: where the thread sleeps in there, it has
/// queued itself on the instance's wait queue. Natively only: under qemu-user the file names
/// the host's calls.
pub fn asleep_in_epoll_syscall(tid: i32) -> bool {
    task_state(tid) == Some('S') && epoll_wait_numbers().contains(&task_syscall(tid))
}

/// The system call numbers of the epoll waits on this architecture.
fn epoll_wait_numbers() -> Vec<Option<usize>> {
    use freepoll::raw::nr;
    #[allow(unused_mut)]
    let mut numbers = vec![Some(nr::EPOLL_PWAIT), Some(nr::EPOLL_PWAIT2)];
    #[cfg(not(any(target_arch = "aarch64", target_arch = "riscv64")))]
    numbers.push(Some(nr::EPOLL_WAIT));
    numbers
}

/// The state letter of thread `tid` of this process (`R`, `S`, `D`, ...), from its `stat`.
pub fn task_state(tid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // The state is the first field after the command name, which is in parentheses and may
    // itself contain ") ".
    let (_, rest) = stat.rsplit_once(')')?;
    rest.trim_start().chars().next()
}

/// The system call thread `tid` of this process is blocked in, from its `syscall` file
/// (None while it runs, or where the file cannot be read).
pub fn task_syscall(tid: i32) -> Option<usize> {
    let text = std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// What /proc says of thread `tid`, for a failure message.
pub fn sleep_report(tid: i32) -> String {
    let task = format!("/proc/self/task/{tid}");
    let read = |name: &str| {
        std::fs::read_to_string(format!("{task}/{name}"))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|e| format!("({e})"))
    };
    format!(
        "state {:?}, wchan {:?}, syscall {:?}",
        task_state(tid),
        read("wchan"),
        read("syscall")
    )
}

/// Blocks until thread `tid` is asleep in an epoll wait, checking `/proc` every millisecond;
/// fails the test after 10 s.
pub fn wait_until_asleep_in_epoll_wait(tid: i32) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !asleep_in_epoll_wait(tid) {
        assert!(
            std::time::Instant::now() < deadline,
            "thread {tid} never went to sleep in epoll_wait: {}",
            sleep_report(tid)
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// How many times the handler of `count_signals` ran, per signal number.
static SIGNALS_SEEN: [std::sync::atomic::AtomicUsize; 65] = {
    #[allow(clippy::declare_interior_mutable_const)]
    const ZERO: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    [ZERO; 65]
};

extern "C" fn count_signal(sig: i32) {
    if let Some(seen) = SIGNALS_SEEN.get(sig as usize) {
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Installs a handler for `sig` that counts its runs (see `signals_seen`), with `SA_RESTART`
/// so that the tests also show epoll waits are not restarted by it.
pub fn count_signals(sig: i32) {
    // SAFETY: a zeroed `sigaction` is a valid empty one; the handler only touches an atomic,
    // which is async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = count_signal as extern "C" fn(i32) as usize;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        let rc = libc::sigaction(sig, &action, std::ptr::null_mut());
        assert_eq!(rc, 0, "sigaction: {}", std::io::Error::last_os_error());
    }
}

/// How many times the `count_signals` handler ran for `sig`.
pub fn signals_seen(sig: i32) -> usize {
    SIGNALS_SEEN[sig as usize].load(std::sync::atomic::Ordering::SeqCst)
}

/// Changes the calling thread's signal mask with `pthread_sigmask(how, {sig}, NULL)`.
pub fn change_thread_mask(how: i32, sig: i32) {
    // SAFETY: `set` is a live sigset_t that sigemptyset initialises.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        let rc = libc::pthread_sigmask(how, &set, std::ptr::null_mut());
        assert_eq!(rc, 0, "pthread_sigmask");
    }
}

/// Whether the calling thread blocks `sig`, as libc reads the mask back.
pub fn thread_blocks(sig: i32) -> bool {
    // SAFETY: pthread_sigmask with a NULL new set only writes the current mask to `cur`.
    unsafe {
        let mut cur: libc::sigset_t = std::mem::zeroed();
        let rc = libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut cur);
        assert_eq!(rc, 0, "pthread_sigmask");
        libc::sigismember(&cur, sig) == 1
    }
}

/// A child made with `libc::fork`, running `body` (which must only make system calls: no
/// allocation, no printing, nothing that takes a lock another thread may hold). Killed with
/// SIGKILL and reaped when dropped, unless `reaped` was called.
pub struct Child {
    pub pid: i32,
    reaped: bool,
}

impl Child {
    pub fn spawn(body: fn() -> !) -> Child {
        // SAFETY: the child runs only `body`, which makes system calls and ends the process.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
        if pid == 0 {
            body();
        }
        Child { pid, reaped: false }
    }

    /// Says the test reaped it, so that dropping it does not.
    pub fn reaped(&mut self) {
        self.reaped = true;
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if !self.reaped {
            // SAFETY: `pid` is an unreaped child of this process, so the number is still its.
            unsafe {
                libc::kill(self.pid, libc::SIGKILL);
                libc::waitpid(self.pid, std::ptr::null_mut(), 0);
            }
        }
    }
}

/// A child body: waits for signals until one ends it.
pub fn pause_forever() -> ! {
    loop {
        // SAFETY: pause takes nothing and only waits.
        unsafe { libc::pause() };
    }
}

/// The program that really runs this test when it differs from the test binary: qemu-user,
/// which shows the guest binary as /proc/self/exe but not as a thread's own `exe` link.
pub fn emulator() -> Option<std::path::PathBuf> {
    let me = std::env::current_exe().ok()?;
    // SAFETY: gettid takes no arguments and cannot fail.
    let tid = unsafe { libc::syscall(libc::SYS_gettid) };
    let runner = std::fs::read_link(format!("/proc/self/task/{tid}/exe")).ok()?;
    Some(runner).filter(|r| *r != me)
}

/// Whether this test runs under qemu-user (or another user-mode emulator), which carries out
/// the system calls itself: there its answers are the emulator's, and uname(2) describes the
/// host's kernel, not the one the calls meet. Check this before any kernel version.
pub fn emulated() -> bool {
    emulator().is_some()
}

/// A Linux version: major, minor and the stable sublevel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct KernelVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl KernelVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> KernelVersion {
        KernelVersion {
            major,
            minor,
            patch,
        }
    }

    /// The leading `X.Y` or `X.Y.Z` of `text` ("6.1.0-41-amd64" is 6.1.0, "6.18~rc4" 6.18.0);
    /// None unless it starts with at least `X.Y`.
    pub fn parse(text: &str) -> Option<KernelVersion> {
        let mut parts = [0u32; 3];
        let mut count = 0;
        for (i, piece) in text.split('.').take(3).enumerate() {
            let digits: &str = &piece[..piece
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(piece.len())];
            match digits.parse() {
                Ok(n) => parts[i] = n,
                Err(_) => break,
            }
            count += 1;
            if digits.len() != piece.len() {
                break; // "0-41-amd64": nothing after this number belongs to the version
            }
        }
        if count < 2 {
            return None;
        }
        Some(KernelVersion::new(parts[0], parts[1], parts[2]))
    }

    /// The version from uname's `release` and `version`. Debian's release names the ABI, not
    /// the stable sublevel ("5.10.0-35-amd64", "6.1.0-41-amd64"); its version holds the real
    /// one ("#1 SMP Debian 5.10.244-1 (2025-09-29)", "#1 SMP PREEMPT_DYNAMIC Debian
    /// 6.1.153-1 (...)"), and is read first.
    pub fn from_uname(release: &str, version: &str) -> Option<KernelVersion> {
        version
            .split("Debian ")
            .skip(1)
            .find_map(KernelVersion::parse)
            .or_else(|| KernelVersion::parse(release))
    }
}

impl std::fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// One field of `struct utsname` as text.
fn uts_field(field: &[std::os::raw::c_char]) -> String {
    let bytes: Vec<u8> = field
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c.to_ne_bytes()[0])
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The version of the kernel this test runs on, from uname(2). Fails the test under an
/// emulator, where uname describes the host's kernel and not what answers the calls: the
/// callers ask `emulated()` first.
pub fn kernel() -> KernelVersion {
    assert!(
        !emulated(),
        "the kernel version asked under an emulator: uname there is the host's"
    );
    // SAFETY: a zeroed utsname is a valid buffer; uname fills it with NUL-terminated fields.
    let uts = unsafe {
        let mut uts: libc::utsname = std::mem::zeroed();
        assert_eq!(
            libc::uname(&mut uts),
            0,
            "uname: {}",
            std::io::Error::last_os_error()
        );
        uts
    };
    let (release, version) = (uts_field(&uts.release), uts_field(&uts.version));
    KernelVersion::from_uname(&release, &version)
        .unwrap_or_else(|| panic!("no kernel version in uname: {release:?} {version:?}"))
}

/// Whether the kernel is Linux `major.minor` or later (see `kernel`: not under an emulator).
pub fn kernel_at_least(major: u32, minor: u32) -> bool {
    kernel() >= KernelVersion::new(major, minor, 0)
}

/// Reports that a test could not check (part of) its point here: one line `skipped: WHAT`,
/// which must name the feature missing and, where it matters, the Linux version it came with
/// (ci/kernel-test.sh ties each such line to the test that printed it).
pub fn skip(what: std::fmt::Arguments<'_>) {
    report("skipped", what);
}

/// Reports that the test accepted an answer of the emulator where a kernel answers otherwise:
/// one line `emulator: WHAT`.
pub fn emulator_note(what: std::fmt::Arguments<'_>) {
    report("emulator", what);
}

/// One line `KIND: WHAT` on stderr (libtest shows it with a test's captured output). Where
/// `FREEPOLL_TEST_NOTES` names a file, the line is also appended there after the test's name,
/// so that ci/test.sh can print what a whole run could not check.
fn report(kind: &str, what: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let what = what.to_string();
    assert!(!what.contains('\n'), "a {kind} line is one line: {what:?}");
    eprintln!("{kind}: {what}");
    if let Some(path) = std::env::var_os("FREEPOLL_TEST_NOTES") {
        // The test binary's name less cargo's hash, and the test's: libtest runs each test
        // on a thread named after it.
        let exe = std::env::current_exe().unwrap_or_default();
        let stem = exe.file_stem().unwrap_or_default().to_string_lossy();
        let binary = stem.rsplit_once('-').map_or(&*stem, |(name, _)| name);
        let test = std::thread::current().name().unwrap_or("?").to_string();
        let line = format!("{binary}::{test}: {kind}: {what}\n");
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(line.as_bytes()))
            .unwrap_or_else(|e| panic!("FREEPOLL_TEST_NOTES {path:?}: {e}"));
    }
}

/// The set in field `field` (`SigBlk:`, `SigIgn:`) of a `/proc/PID/status` text, as a 64-bit
/// set.
pub fn status_set(status: &str, field: &str) -> u64 {
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .unwrap_or_else(|| panic!("no {field} in {status}"));
    u64::from_str_radix(line.trim(), 16).expect("hex set")
}

/// Signal `sig`'s bit in a kernel signal set.
pub fn bit(sig: i32) -> u64 {
    1 << (sig - 1)
}
