//! Starting programs: [`Spawn`] runs a program in a new child process, with the signal mask,
//! signal dispositions, session, process group, terminal, standard descriptors and working
//! directory it is given, and hands back a [`Child`] with its pid and a [`PidFd`] for the event
//! loop. No C library, no allocation: the core of an init or a supervisor. [`execve`] and
//! [`execvpe`] replace the calling process instead.
//!
//! ```
//! use core::mem::MaybeUninit;
//! use freepoll::epoll::{epoll_add, epoll_create, epoll_wait, CreateFlags, Event, EventFlags, EventVec};
//! use freepoll::process::{waitid, ChildState, WaitId, WaitOptions};
//! use freepoll::spawn::{CStrArray, Spawn};
//!
//! let mut slots = [core::ptr::null(); 4];
//! let argv = CStrArray::new(&mut slots, &[c"sh", c"-c", c"exit 3"])?;
//! let child = Spawn::new(c"/bin/sh", argv, CStrArray::empty()).spawn()?;
//!
//! // The pidfd becomes readable when the child ends.
//! let epoll = epoll_create(CreateFlags::CLOEXEC)?;
//! epoll_add(&epoll, child.pidfd(), 0, EventFlags::IN)?;
//! let mut buf = [MaybeUninit::<Event>::uninit(); 1];
//! let mut events = EventVec::new(&mut buf);
//! epoll_wait(&epoll, &mut events, -1)?;
//! assert_eq!(events.len(), 1);
//!
//! let status = waitid(WaitId::PidFd(child.pidfd().as_fd()), WaitOptions::EXITED)?;
//! assert_eq!(status.map(|s| s.state), Some(ChildState::Exited(3)));
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! [`spawn`](Spawn::spawn) returns once the child has started the new program, or fails with
//! the error of the step that failed in the child ([`Errno::NOENT`] for a missing program,
//! [`Errno::ACCES`], [`Errno::NOEXEC`], a failed `chdir`'s error, ...), having reaped that
//! child: an `Err` leaves no process behind.
//!
//! # Traps
//!
//! **The signal mask survives `fork` and `execve`.** A program that reads signals from a
//! [`SignalFd`](crate::signalfd::SignalFd) blocks them; a child started with `fork` and
//! `execve` (or std's `Command`, which keeps the mask on purpose, as POSIX says) inherits that
//! mask, and the new program runs with `SIGTERM`, `SIGINT` or `SIGCHLD` blocked without
//! knowing it: it cannot be stopped, and what it waits for never arrives. So [`Spawn`] starts
//! the program with an **empty** mask unless [`sigmask`](Spawn::sigmask) asks for another.
//! [`Spawn`] works the same from a std program (its strings are `CStr`s, its descriptors
//! std's with the `std` feature); for std's own `Command`, the `std` feature's
//! `command::CommandSignals` sets the same mask and dispositions in the child.
//!
//! **Ignored signals survive `execve` too.** A signal the parent ignores (`SIG_IGN`, set with
//! [`set_disposition`](crate::signal::set_disposition) or by a C library) stays ignored in the
//! new program; only handlers are reset. An init that ignores `SIGTTOU` or `SIGPIPE` passes
//! that on, unless the signal is in [`sigdefault`](Spawn::sigdefault).
//!
//! **No `PATH` search unless asked.** [`Spawn::new`] takes the program's path as it is, like
//! `execve`; [`search_path`](Spawn::search_path) looks a name without `/` up in `PATH` as
//! `execvp` does.
//!
//! **Reap the child.** A child that ends stays a zombie until it is reaped with
//! [`waitid`]: by its pidfd ([`WaitId::PidFd`]),
//! by pid, or with `WaitId::All` in a loop after `SIGCHLD`. Dropping a [`Child`] closes the
//! pidfd and neither waits for nor kills the process. The pidfd becomes readable when the child
//! ends (see [`pidfd`](crate::pidfd)); it is close-on-exec.
//!
//! **What the child does before the program starts** is fixed: the steps of [`Spawn`], in the
//! order its docs give, nothing else. It runs on a small stack of its own, in the caller's
//! memory, while the calling thread waits (as `vfork` does); other threads of the process keep
//! running. A descriptor without close-on-exec is inherited by the program; every descriptor
//! freepoll creates has close-on-exec.
//!
//! # References
//! - [clone(2)](https://man7.org/linux/man-pages/man2/clone.2.html),
//!   [execve(2)](https://man7.org/linux/man-pages/man2/execve.2.html),
//!   [posix_spawn(3)](https://man7.org/linux/man-pages/man3/posix_spawn.3.html)

// # Why the child is sound
//
// `spawn` starts the child with `clone3` (or `clone`) and CLONE_VM | CLONE_VFORK: the child
// shares this process's memory, and the calling thread is suspended in the kernel until the
// child calls execve (which gives it a new address space) or exits. Point by point:
//
// 1. The child's stack is `ChildStack`, a local of `spawn_blocked`, whose frame outlives the
//    child's use of it: that frame is suspended inside `clone_run` until the child has exec'd
//    or exited (CLONE_VFORK), and nothing else knows the array. The child's writes to it are
//    writes through the pointer handed to the asm, which the compiler must assume anyway.
// 2. Signals. Before the clone, every signal is blocked in the calling thread (the child
//    inherits the mask), so no handler can run in the child while it shares the memory: a
//    handler of the parent, run on the child's stack, would touch the parent's state from a
//    second thread of control. In the child, handlers are reset to SIG_DFL before any signal
//    is unblocked, by the kernel (CLONE_CLEAR_SIGHAND, clone3) or by the child itself (it
//    asks rt_sigaction for each of 1..=64 and resets every handler it finds). The child has
//    its own copy of the handler table (no CLONE_SIGHAND), so its changes do not reach the
//    parent. SIGKILL and SIGSTOP cannot be blocked, but have no handlers.
// 3. What the child reads: `ChildContext` and the `Spawn` it points to, the strings and
//    arrays they borrow, all in memory that is only read while the child runs (shared
//    borrows held by `spawn(&self)`), and that lives in the suspended frame or longer. Other
//    threads may read the same data at the same time; nobody writes it.
// 4. What the child writes: its own stack, kernel state of its own (its fd table is a copy,
//    no CLONE_FILES; its session, process group, cwd, dispositions and mask are its own), and
//    4 bytes into the pipe. Nothing else in the shared memory. No `OwnedFd` is dropped in the
//    child: descriptors are used by number only, and the parent's `OwnedFd`s are dropped by
//    the parent after the child is gone.
// 5. What the child runs: `child_main` and the plain functions it calls, which make system
//    calls and compute on the stack. No allocation, no lock, no thread-local storage (the
//    child still has the parent thread's TLS pointer, and must not use it), no formatting,
//    no panic (no indexing, no unchecked arithmetic: clippy denies both in src/; the
//    `?`s only move an `Errno`), no unwinding, no return: it ends in execve or exit_group.
//    The compiler may emit calls to memcpy and memset, which only touch their arguments
//    (Rust links with `-z now`, so no lazy symbol binding runs in the child either).
// 6. Other threads of the parent keep running while the child runs. They never see the
//    child's stack (it is in a suspended frame) and the child touches nothing of theirs, so
//    the only shared state is the kernel's (fd table copied at clone, process-wide settings
//    like the cwd belonging to the child alone).
// 7. Without CLONE_VM (qemu-user runs CLONE_VM | CLONE_VFORK as a plain fork, without
//    waiting), the child has a copy of everything, and points 1 to 6 hold trivially. This is
//    why the errno comes back through a pipe and not through shared memory, and why the
//    parent reads the pipe until the child has exec'd (close-on-exec closes the write end)
//    or exited.
// 8. The parent: the pipe is read, and a failed child reaped, with every signal still
//    blocked, so neither call can be interrupted (no EINTR, no retry); then the mask is
//    restored.

use crate::arch::{clone_run, nr, syscall0, syscall1, syscall2, syscall3, CLONE_BACKWARDS2};
use crate::errno::{decode_raw, Errno, Result};
use crate::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use crate::io::{self, PipeFlags};
use crate::pidfd::{PidFd, PidFdFlags};
use crate::process::{waitid, WaitId, WaitOptions};
use crate::signal::{
    self, sigprocmask, Disposition, SetDisposition, SigSet, SigmaskHow, SIGCHLD, SIGKILL, SIGRTMAX,
    SIGSTOP,
};
use core::ffi::{c_char, CStr};
use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr;
use static_assertions::const_assert_eq;

/// A NULL-terminated array of pointers to NUL-terminated strings, borrowed: the `argv` and
/// `envp` that `execve` takes.
///
/// Built by [`new`](CStrArray::new) in slots the caller provides (no allocation), or taken as
/// the kernel gave them to a freestanding program
/// (`entry::Args::argv`, with feature `entry`). It only reads what it
/// borrows, so it is `Copy`, like a shared reference.
///
/// ```
/// use freepoll::spawn::CStrArray;
/// let mut slots = [core::ptr::null(); 3];
/// let argv = CStrArray::new(&mut slots, &[c"ls", c"-l"])?;
/// assert_eq!(argv.len(), 2);
/// assert_eq!(argv.get(1), Some(c"-l"));
/// assert_eq!(argv.get(2), None);
/// assert!(argv.iter().eq([c"ls", c"-l"]));
/// // Too few slots for the strings and the NULL:
/// let mut two = [core::ptr::null(); 2];
/// assert_eq!(CStrArray::new(&mut two, &[c"ls", c"-l"]).err(), Some(freepoll::Errno::TOOBIG));
/// # Ok::<(), freepoll::Errno>(())
/// ```
#[derive(Clone, Copy)]
pub struct CStrArray<'a> {
    /// Invariant: `len + 1` pointers, readable and never written for `'a`; the first `len`
    /// point to NUL-terminated strings that are readable and never written for `'a`, the
    /// last is NULL.
    ptr: *const *const c_char,
    len: usize,
    _strings: PhantomData<&'a CStr>,
}

// SAFETY: a `CStrArray<'a>` is a shared borrow of an array of shared borrows of strings
// (`&'a [&'a CStr]` in effect): nothing is written through it, so it may be sent to and
// shared with other threads like those references.
unsafe impl Send for CStrArray<'_> {}
// SAFETY: as for `Send`.
unsafe impl Sync for CStrArray<'_> {}

/// The one NULL of [`CStrArray::empty`].
const EMPTY: &[*const c_char; 1] = &[ptr::null()];

impl<'a> CStrArray<'a> {
    /// Writes a pointer to each of `strings` into `slots`, then a NULL, and borrows the result.
    ///
    /// # Errors
    /// - [`Errno::TOOBIG`] (`E2BIG`): `slots` has fewer than `strings.len() + 1` slots.
    #[inline]
    pub fn new(slots: &'a mut [*const c_char], strings: &[&'a CStr]) -> Result<CStrArray<'a>> {
        let len = strings.len();
        let (null, head) = slots
            .get_mut(..=len)
            .and_then(|used| used.split_last_mut())
            .ok_or(Errno::TOOBIG)?;
        *null = ptr::null();
        for (slot, string) in head.iter_mut().zip(strings) {
            *slot = string.as_ptr();
        }
        // The `&'a mut` borrow is given up for a shared one of the same lifetime: nothing can
        // write the slots while the array exists.
        let slots: &'a [*const c_char] = slots;
        Ok(CStrArray {
            ptr: slots.as_ptr(),
            len,
            _strings: PhantomData,
        })
    }

    /// The empty array: one NULL.
    #[inline]
    pub const fn empty() -> CStrArray<'static> {
        CStrArray {
            ptr: EMPTY as *const [*const c_char; 1] as *const *const c_char,
            len: 0,
            _strings: PhantomData,
        }
    }

    /// The array at `ptr`, of `len` strings and the NULL after them.
    ///
    /// # Safety
    /// `ptr` holds `len` pointers to NUL-terminated strings and then a NULL; the array and the
    /// strings are readable and not written for `'a`.
    #[cfg_attr(not(feature = "entry"), allow(dead_code))]
    #[inline]
    pub(crate) unsafe fn from_raw(ptr: *const *const c_char, len: usize) -> CStrArray<'a> {
        CStrArray {
            ptr,
            len,
            _strings: PhantomData,
        }
    }

    /// The number of strings, the NULL not counted.
    #[inline]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no strings (only the NULL).
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// String `i`, or `None` for `i >= len()`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a CStr> {
        if i >= self.len {
            return None;
        }
        // SAFETY: `i < len`, so slot `i` is in the array and holds a pointer to a
        // NUL-terminated string readable and unchanged for `'a` (the type's invariant).
        Some(unsafe { CStr::from_ptr(self.ptr.add(i).read()) })
    }

    /// The strings, in order.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = &'a CStr> + 'a {
        let this = *self;
        (0..this.len).filter_map(move |i| this.get(i))
    }

    /// The array as `execve` takes it: `len() + 1` pointers, the last one NULL.
    #[inline]
    pub const fn as_ptr(&self) -> *const *const c_char {
        self.ptr
    }
}

impl fmt::Debug for CStrArray<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// `PATH_MAX`: the longest path, its NUL included, that the PATH search builds.
const PATH_MAX: usize = 4096;
/// `NAME_MAX`: the longest file name the PATH search looks up.
const NAME_MAX: usize = 255;
/// The `PATH` searched when the caller gives none.
const DEFAULT_PATH: &[u8] = b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// `execve(path, argv, envp)`: replaces this process's program with the one at `path`. Returns
/// only on failure, with the error.
///
/// On success every other thread of the process ends at once (no destructor runs anywhere,
/// nothing is flushed), descriptors with close-on-exec are closed, handlers go back to the
/// default; the signal mask, ignored signals and every other descriptor stay. `argv[0]` is by
/// convention the program's name; nothing checks it.
///
/// # Errors
/// - [`Errno::NOENT`]: no file at `path` (or a missing interpreter named by its `#!` line).
/// - [`Errno::ACCES`]: not a regular file, no execute permission, or a directory of the
///   path not searchable.
/// - [`Errno::NOEXEC`]: not a format the kernel runs (no ELF header, no `#!` line).
/// - [`Errno::NOTDIR`], [`Errno::NAMETOOLONG`], [`Errno::LOOP`]: as for any path.
/// - [`Errno::TOOBIG`] (`E2BIG`): the arguments and environment are too large.
/// - [`Errno::TXTBSY`]: the file is open for writing.
/// - [`Errno::NOMEM`], [`Errno::PERM`], [`Errno::IO`], [`Errno::ISDIR`] (an ELF interpreter
///   that is a directory), [`Errno::LIBBAD`] (an unusable ELF interpreter).
///
/// # References
/// - [execve(2)](https://man7.org/linux/man-pages/man2/execve.2.html)
#[doc(alias = "execv")]
#[inline]
pub fn execve(path: &CStr, argv: CStrArray<'_>, envp: CStrArray<'_>) -> Errno {
    execve_raw(path.as_ptr(), argv, envp)
}

/// `execve` of a NUL-terminated path given as a pointer: the PATH search builds its paths in a
/// buffer, and the child must not compute a string's length (no `CStr::from_ptr`, which may
/// call the C library's `strlen`).
#[inline]
fn execve_raw(path: *const c_char, argv: CStrArray<'_>, envp: CStrArray<'_>) -> Errno {
    // SAFETY: `path` is a NUL-terminated string (from a `&CStr`, or built by `search_and_exec`
    // in its buffer, NUL included) that lives for the call; `argv` and `envp` are
    // NULL-terminated arrays of such strings (`CStrArray`'s invariant). The kernel only reads
    // them. On success the call does not return, and this process's memory is gone, so no
    // borrow outlives anything.
    let ret = unsafe {
        syscall3(
            nr::EXECVE,
            path as usize,
            argv.as_ptr() as usize,
            envp.as_ptr() as usize,
        )
    };
    // execve returns only on failure; were it to return a success, it would have started
    // nothing, which `INVAL` says well enough.
    decode_raw(ret).err().unwrap_or(Errno::INVAL)
}

/// `execvpe(file, argv, envp)` with the search path given: runs `file` as [`execve`] does if
/// it contains a `/`, or else looks for it in each directory of `path_var` (a `PATH` value,
/// `dir:dir:...`; an empty entry is the working directory) in order and runs the first it can.
/// Returns only on failure. `None` searches
/// `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`.
///
/// The rules are `execvp`'s: `ENOENT`, `ENOTDIR` and `EACCES` go on to the next directory;
/// any other error stops the search and is returned; at the end, `EACCES` if any directory
/// answered it, else the last error. The full paths are built in a buffer of 4096 bytes
/// (`PATH_MAX`) on the stack. Unlike glibc's, a file the kernel cannot run (`ENOEXEC`) is not
/// handed to `/bin/sh`.
///
/// # Errors
/// Those of [`execve`], and:
/// - [`Errno::NOENT`]: `file` is empty, or not found in any directory.
/// - [`Errno::ACCES`]: found, but not executable, in at least one directory.
/// - [`Errno::NAMETOOLONG`]: `file` is longer than 255 bytes (`NAME_MAX`), or a directory and
///   `file` make a path longer than 4095 bytes (this ends the search, as an error of
///   `execve` would).
///
/// # References
/// - [exec(3)](https://man7.org/linux/man-pages/man3/exec.3.html)
#[doc(alias = "execvp")]
#[inline]
pub fn execvpe(
    file: &CStr,
    argv: CStrArray<'_>,
    envp: CStrArray<'_>,
    path_var: Option<&CStr>,
) -> Errno {
    let mut buf = [0u8; PATH_MAX];
    let path = match path_var {
        Some(path) => path.to_bytes(),
        None => DEFAULT_PATH,
    };
    search_and_exec(file, argv, envp, path, &mut buf)
}

/// The PATH search of [`execvpe`], with the buffer the caller gives. Runs in the child of
/// [`Spawn`] too: no panic, no allocation, only `execve` calls.
fn search_and_exec(
    file: &CStr,
    argv: CStrArray<'_>,
    envp: CStrArray<'_>,
    path: &[u8],
    buf: &mut [u8; PATH_MAX],
) -> Errno {
    let name = file.to_bytes();
    if name.is_empty() {
        return Errno::NOENT;
    }
    if name.contains(&b'/') {
        return execve_raw(file.as_ptr(), argv, envp);
    }
    if name.len() > NAME_MAX {
        return Errno::NAMETOOLONG;
    }
    let mut seen_eacces = false;
    let mut last = Errno::NOENT;
    for dir in path.split(|&b| b == b':') {
        let err = match join_path(buf, dir, name) {
            Some(full) => execve_raw(full, argv, envp),
            None => Errno::NAMETOOLONG,
        };
        match err {
            Errno::ACCES => seen_eacces = true,
            Errno::NOENT | Errno::NOTDIR => {}
            other => return other,
        }
        last = err;
    }
    if seen_eacces {
        Errno::ACCES
    } else {
        last
    }
}

/// Writes `dir/name` and a NUL into `buf` (`name` alone for an empty `dir`), or `None` if it
/// does not fit. Neither contains a NUL (both come from a `CStr`).
fn join_path(buf: &mut [u8; PATH_MAX], dir: &[u8], name: &[u8]) -> Option<*const c_char> {
    let slash: &[u8] = if dir.is_empty() { b"" } else { b"/" };
    let len = dir
        .len()
        .checked_add(slash.len())?
        .checked_add(name.len())?
        .checked_add(1)?;
    let out = buf.get_mut(..len)?;
    let bytes = dir.iter().chain(slash).chain(name).chain(b"\0");
    for (to, &from) in out.iter_mut().zip(bytes) {
        *to = from;
    }
    Some(buf.as_ptr() as *const c_char)
}

/// How to start a program in a child process: the builder of [`spawn`](Spawn::spawn).
///
/// The child does, in this order, what the options ask, and then starts the program:
/// 1. [`setsid`](Spawn::setsid);
/// 2. [`process_group`](Spawn::process_group);
/// 3. [`controlling_terminal`](Spawn::controlling_terminal);
/// 4. [`foreground`](Spawn::foreground), while every signal is still blocked;
/// 5. [`stdin`](Spawn::stdin), [`stdout`](Spawn::stdout), [`stderr`](Spawn::stderr);
/// 6. [`cwd`](Spawn::cwd);
/// 7. every signal with a handler goes back to the default action; then the signals of
///    [`sigdefault`](Spawn::sigdefault) too;
/// 8. the signal mask of [`sigmask`](Spawn::sigmask) (empty by default);
/// 9. `execve`, or the PATH search of [`search_path`](Spawn::search_path).
///
/// The first step that fails ends the child; its error is what `spawn` returns.
#[derive(Clone, Debug)]
#[must_use]
pub struct Spawn<'a> {
    path: &'a CStr,
    argv: CStrArray<'a>,
    envp: CStrArray<'a>,
    search: bool,
    path_var: Option<&'a CStr>,
    sigmask: SigSet,
    sigdefault: SigSet,
    setsid: bool,
    controlling_terminal: Option<BorrowedFd<'a>>,
    process_group: Option<i32>,
    foreground: Option<BorrowedFd<'a>>,
    stdio: [Option<BorrowedFd<'a>>; 3],
    cwd: Option<&'a CStr>,
}

impl<'a> Spawn<'a> {
    /// Runs the program at `path` with arguments `argv` (`argv[0]` first, by convention the
    /// program's name) and environment `envp` (`NAME=value` strings). Everything else is
    /// inherited from the caller, except the signal mask, which is empty, and signal
    /// handlers, which are reset.
    #[inline]
    pub fn new(path: &'a CStr, argv: CStrArray<'a>, envp: CStrArray<'a>) -> Spawn<'a> {
        Spawn {
            path,
            argv,
            envp,
            search: false,
            path_var: None,
            sigmask: SigSet::empty(),
            sigdefault: SigSet::empty(),
            setsid: false,
            controlling_terminal: None,
            process_group: None,
            foreground: None,
            stdio: [None, None, None],
            cwd: None,
        }
    }

    /// Looks `path` up as [`execvpe`] does if it has no `/`: in each directory of `path_var`
    /// (a `PATH` value), or of `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`
    /// with `None`.
    #[inline]
    pub fn search_path(mut self, path_var: Option<&'a CStr>) -> Self {
        self.search = true;
        self.path_var = path_var;
        self
    }

    /// The signal mask the program starts with. Default: empty, nothing blocked (see the
    /// module docs for why not the caller's).
    #[inline]
    pub fn sigmask(mut self, mask: SigSet) -> Self {
        self.sigmask = mask;
        self
    }

    /// Signals set back to the default action in the child, even those the caller ignores
    /// (`SIG_IGN` would otherwise survive `execve`). Signals with a handler are reset in any
    /// case. `SIGKILL` and `SIGSTOP`, which always have the default action, are skipped.
    #[inline]
    pub fn sigdefault(mut self, signals: SigSet) -> Self {
        self.sigdefault = signals;
        self
    }

    /// `setsid()` in the child: a new session and process group, both led by it, with no
    /// controlling terminal.
    #[inline]
    pub fn setsid(mut self) -> Self {
        self.setsid = true;
        self
    }

    /// `ioctl(tty, TIOCSCTTY, 0)` in the child: makes `tty` the controlling terminal of its
    /// session. Needs [`setsid`](Spawn::setsid) (the child must lead a session with no
    /// terminal) and a terminal that is no other session's.
    #[inline]
    pub fn controlling_terminal(mut self, tty: BorrowedFd<'a>) -> Self {
        self.controlling_terminal = Some(tty);
        self
    }

    /// `setpgid(0, pgid)` in the child: joins process group `pgid`, or with 0 makes a new one
    /// that the child leads (its pgid is then its pid).
    #[inline]
    pub fn process_group(mut self, pgid: i32) -> Self {
        self.process_group = Some(pgid);
        self
    }

    /// `tcsetpgrp(tty, getpgid(0))` in the child: makes the child's process group the
    /// foreground group of `tty`, its controlling terminal, as a shell or tini does for the
    /// program it starts. Done while every signal is blocked, so a background child is not
    /// stopped by `SIGTTOU` for it.
    #[inline]
    pub fn foreground(mut self, tty: BorrowedFd<'a>) -> Self {
        self.foreground = Some(tty);
        self
    }

    /// The program's standard input: `fd` is duplicated onto descriptor 0, without
    /// close-on-exec (`dup3(fd, 0, 0)`; if `fd` is 0 itself, its close-on-exec flag is
    /// cleared). Default: the caller's descriptor 0, if it has one without close-on-exec.
    #[inline]
    pub fn stdin(mut self, fd: BorrowedFd<'a>) -> Self {
        self.stdio[0] = Some(fd);
        self
    }

    /// The program's standard output, descriptor 1: as [`stdin`](Spawn::stdin).
    #[inline]
    pub fn stdout(mut self, fd: BorrowedFd<'a>) -> Self {
        self.stdio[1] = Some(fd);
        self
    }

    /// The program's standard error, descriptor 2: as [`stdin`](Spawn::stdin).
    #[inline]
    pub fn stderr(mut self, fd: BorrowedFd<'a>) -> Self {
        self.stdio[2] = Some(fd);
        self
    }

    /// `chdir(dir)` in the child. A relative `path` is then found from `dir` (and so is a
    /// relative directory in the search path).
    #[inline]
    pub fn cwd(mut self, dir: &'a CStr) -> Self {
        self.cwd = Some(dir);
        self
    }

    /// `clone3` (or `clone`), the steps above in the child, and the program: returns once the
    /// program has started, with the child's pid and a pidfd for it.
    ///
    /// The calling thread blocks every signal for the duration (the mask is restored before
    /// this returns) and waits while the child prepares, as with `vfork`: for the time of a
    /// few system calls and an `execve`.
    ///
    /// Kernels: `clone3` with `CLONE_PIDFD` and `CLONE_CLEAR_SIGHAND` (Linux 5.5). Where
    /// `clone3` answers `ENOSYS`, `EPERM` or `EINVAL` (older kernels, seccomp filters,
    /// emulators), the legacy `clone` with `CLONE_PIDFD` (Linux 5.2), the child then resetting
    /// handlers itself; where that flag is refused (`EINVAL`) or ignored (before 5.2),
    /// `clone` without it and then `pidfd_open` (Linux 5.3).
    ///
    /// # Errors
    /// The errno of the step that failed in the child, the child reaped:
    /// - from `execve` (see [`execve`]; [`execvpe`] with [`search_path`](Spawn::search_path)):
    ///   [`Errno::NOENT`], [`Errno::ACCES`], [`Errno::NOEXEC`], [`Errno::NOTDIR`],
    ///   [`Errno::NAMETOOLONG`], [`Errno::TOOBIG`], [`Errno::TXTBSY`], [`Errno::LOOP`], ...;
    /// - `setsid`: [`Errno::PERM`] (cannot happen in a new child, which leads no group);
    /// - `setpgid`: [`Errno::PERM`] (a group of another session: after `setsid`, any group but
    ///   0), [`Errno::INVAL`] (a negative `pgid`), [`Errno::SRCH`];
    /// - `TIOCSCTTY`: [`Errno::PERM`] (not a session leader, or the terminal is another
    ///   session's), [`Errno::NOTTY`] (not a terminal), [`Errno::BADF`];
    /// - `tcsetpgrp`: [`Errno::NOTTY`] (not the child's controlling terminal),
    ///   [`Errno::PERM`], [`Errno::BADF`];
    /// - `dup3` and `fcntl`: [`Errno::BADF`], [`Errno::MFILE`];
    /// - `chdir`: [`Errno::NOENT`], [`Errno::NOTDIR`], [`Errno::ACCES`], [`Errno::LOOP`],
    ///   [`Errno::NAMETOOLONG`];
    /// - `rt_sigaction`: [`Errno::INVAL`] (a signal of `sigdefault` an emulator cannot set).
    ///
    /// And in the caller, with no child left behind:
    /// - [`Errno::AGAIN`]: the process limit (`RLIMIT_NPROC`, `pids` cgroup) is reached;
    /// - [`Errno::NOMEM`];
    /// - [`Errno::MFILE`], [`Errno::NFILE`]: no descriptor for the pipe or the pidfd;
    /// - [`Errno::NOSYS`]: no pidfds at all (Linux before 5.3; the child is killed and reaped).
    ///
    /// # References
    /// - [clone(2)](https://man7.org/linux/man-pages/man2/clone.2.html),
    ///   [posix_spawn(3)](https://man7.org/linux/man-pages/man3/posix_spawn.3.html)
    #[doc(alias = "posix_spawn")]
    #[doc(alias = "fork")]
    #[doc(alias = "vfork")]
    #[doc(alias = "clone3")]
    #[inline]
    pub fn spawn(&self) -> Result<Child> {
        let mut stack = ChildStack::new();
        self.spawn_on(&mut stack, CloneCall::Clone3)
    }

    /// `spawn` with the child's stack and first clone call given: the unit tests measure the
    /// stack and take the legacy path on purpose.
    fn spawn_on(&self, stack: &mut ChildStack, first: CloneCall) -> Result<Child> {
        let all = SigSet::full_including_libc_reserved();
        let old = sigprocmask(SigmaskHow::SetMask, Some(&all))?;
        let result = self.spawn_blocked(stack, first);
        // Cannot fail: a valid `how` and a valid 8-byte set.
        let _ = sigprocmask(SigmaskHow::SetMask, Some(&old));
        result
    }

    /// `spawn` with every signal blocked in the calling thread.
    fn spawn_blocked(&self, stack: &mut ChildStack, first: CloneCall) -> Result<Child> {
        let (read_end, write_end) = io::pipe2(PipeFlags::CLOEXEC)?;
        let (pid, pidfd) = self.clone_child(stack, write_end.as_raw_fd(), first)?;
        // The child has exec'd or exited (or, under an emulator without vfork, runs on with
        // its own copy of the write end): ours goes, so that the read below ends.
        drop(write_end);
        let pidfd = match pidfd {
            Some(pidfd) => pidfd,
            None => match PidFd::open(pid, PidFdFlags::empty()) {
                Ok(pidfd) => pidfd,
                Err(e) => {
                    kill_and_reap(pid);
                    return Err(e);
                }
            },
        };
        let mut code = [0u8; 4];
        match io::read(&read_end, &mut code) {
            // End of file: the write end closed on exec.
            Ok(0) => Ok(Child { pid, pidfd }),
            Ok(4) => {
                reap(pid);
                // The child wrote a raw errno, 1..=4095 by construction.
                Err(Errno::from_raw_os_error(i32::from_ne_bytes(code)).unwrap_or(Errno::INVAL))
            }
            // A short read of an atomic 4-byte write, or a failed read of a pipe: neither
            // happens, but a child whose fate is unknown is not handed out.
            Ok(_) => {
                kill_and_reap(pid);
                Err(Errno::IO)
            }
            Err(e) => {
                kill_and_reap(pid);
                Err(e)
            }
        }
    }

    /// Starts the child with `clone3`, or the legacy `clone` (see [`spawn`](Spawn::spawn)):
    /// its pid, and its pidfd if the kernel gave one.
    fn clone_child(
        &self,
        stack: &mut ChildStack,
        pipe: RawFd,
        first: CloneCall,
    ) -> Result<(i32, Option<PidFd>)> {
        let base = stack.0.as_mut_ptr() as usize;
        // The end of the array: no overflow, it is an object in memory.
        let top = base.wrapping_add(CHILD_STACK_SIZE);
        let mut pidfd: RawFd = -1;
        let pidfd_ptr = &mut pidfd as *mut RawFd as usize;

        if first == CloneCall::Clone3 {
            let ctx = ChildContext {
                spawn: self,
                pipe,
                reset_handlers: false,
            };
            let args = CloneArgs {
                flags: CLONE_VM | CLONE_VFORK | CLONE_PIDFD | CLONE_CLEAR_SIGHAND,
                pidfd: pidfd_ptr as u64,
                child_tid: 0,
                parent_tid: 0,
                exit_signal: SIGCHLD as u64,
                stack: base as u64,
                stack_size: CHILD_STACK_SIZE as u64,
                tls: 0,
            };
            // SAFETY: `args` is a live `clone_args` of the version-0 size given, which the
            // kernel reads; it writes the pidfd into `pidfd`, a live `RawFd`. The child's
            // stack is `stack`, `CHILD_STACK_SIZE` bytes at `base`, 16-byte aligned at both
            // ends, used by nothing else while the child runs: CLONE_VFORK suspends this
            // thread, with `stack`, `ctx` and `self` borrowed in its frame, until the child has
            // exec'd or exited. `child_main` never returns and honours its contract: see the
            // soundness notes at the top of this file. No CLONE_SETTLS, CLONE_*_SETTID or
            // CLONE_CHILD_CLEARTID: the kernel touches no other memory.
            let ret = unsafe {
                clone_run(
                    nr::CLONE3,
                    &args as *const CloneArgs as usize,
                    CLONE_ARGS_SIZE_VER0,
                    0,
                    0,
                    0,
                    child_main,
                    &ctx as *const ChildContext<'_> as *mut u8,
                )
            };
            match decode_raw(ret) {
                Ok(pid) => return Ok((pid as i32, own_pidfd(pidfd, pid as i32))),
                // Linux before 5.3 (ENOSYS) or before 5.5 (EINVAL for CLONE_CLEAR_SIGHAND),
                // a seccomp filter that refuses clone3 (ENOSYS or EPERM), an emulator
                // (ENOSYS): the legacy call.
                Err(Errno::NOSYS | Errno::PERM | Errno::INVAL) => {}
                Err(e) => return Err(e),
            }
        }

        // The legacy clone: no CLONE_CLEAR_SIGHAND, so the child resets handlers itself.
        let ctx = ChildContext {
            spawn: self,
            pipe,
            reset_handlers: true,
        };
        let legacy = |flags: u64, pidfd: &mut RawFd| {
            // A failed clone3 may have written a number that is no longer a descriptor.
            *pidfd = -1;
            let flags = flags as usize;
            let (a0, a1) = if CLONE_BACKWARDS2 {
                (top, flags)
            } else {
                (flags, top)
            };
            // SAFETY: as for clone3 above, with the stack given by its top (16-byte aligned);
            // with CLONE_PIDFD the kernel writes the pidfd, an `int`, at `parent_tid`, the
            // third argument in every argument order; the fourth and fifth (`tls` and
            // `child_tid`) are unused without their flags.
            unsafe {
                clone_run(
                    nr::CLONE,
                    a0,
                    a1,
                    pidfd as *mut RawFd as usize,
                    0,
                    0,
                    child_main,
                    &ctx as *const ChildContext<'_> as *mut u8,
                )
            }
        };
        let exit_signal = SIGCHLD as u64;
        let mut ret = legacy(
            CLONE_VM | CLONE_VFORK | CLONE_PIDFD | exit_signal,
            &mut pidfd,
        );
        if decode_raw(ret) == Err(Errno::INVAL) {
            // An emulator that does not know CLONE_PIDFD (qemu-user 7.2): without it, and
            // `pidfd_open` afterwards.
            ret = legacy(CLONE_VM | CLONE_VFORK | exit_signal, &mut pidfd);
        }
        let pid = decode_raw(ret)? as i32;
        Ok((pid, own_pidfd(pidfd, pid)))
    }
}

/// The pidfd the kernel wrote for CLONE_PIDFD, owned; `None` if it wrote none (still -1:
/// the flag was not passed, or a kernel before 5.2 ignored it). `pid` is the child's pid.
fn own_pidfd(pidfd: RawFd, pid: i32) -> Option<PidFd> {
    if pidfd < 0 {
        return None;
    }
    // SAFETY: the clone call succeeded with CLONE_PIDFD and wrote this descriptor, a new
    // pidfd that nothing else owns.
    Some(PidFd::from_owned(
        unsafe { OwnedFd::from_raw_fd(pidfd) },
        pid,
    ))
}

/// Reaps child `pid`, which has ended or is about to (it wrote its errno and exits). The
/// result is not needed: a child reaped meanwhile by another thread's `waitid(P_ALL)` is
/// reaped all the same.
fn reap(pid: i32) {
    let _ = waitid(WaitId::Pid(pid), WaitOptions::EXITED);
}

/// `kill(pid, SIGKILL)` and [`reap`]: for a child whose program cannot be handed out.
fn kill_and_reap(pid: i32) {
    // SAFETY: kill takes integers and touches no memory; `pid` is this process's child, not
    // yet reaped (only `reap` below does that here), so the number is still its.
    let _ = unsafe { syscall2(nr::KILL, pid as isize as usize, SIGKILL as usize) };
    reap(pid);
}

/// A child started by [`Spawn::spawn`]: its pid and a pidfd for it (close-on-exec).
///
/// Dropping it closes the pidfd; the process runs on, and must still be reaped (see the
/// module docs).
#[derive(Debug)]
pub struct Child {
    pid: i32,
    pidfd: PidFd,
}

impl Child {
    /// The child's pid.
    #[inline]
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The child's pidfd: readable when it ends, for epoll; for
    /// [`WaitId::PidFd`] and
    /// [`send_signal`](PidFd::send_signal).
    #[inline]
    pub fn pidfd(&self) -> &PidFd {
        &self.pidfd
    }

    /// The pidfd, keeping it open.
    #[inline]
    pub fn into_pidfd(self) -> PidFd {
        self.pidfd
    }
}

/// clone flags (`include/uapi/linux/sched.h`).
const CLONE_VM: u64 = 0x100;
const CLONE_PIDFD: u64 = 0x1000;
const CLONE_VFORK: u64 = 0x4000;
/// Resets every handler to the default in the child (clone3 only, Linux 5.5).
const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;

/// `struct clone_args` (`include/uapi/linux/sched.h`), its first version: the same on every
/// architecture, all `__aligned_u64`.
#[repr(C)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
}

/// `CLONE_ARGS_SIZE_VER0`.
const CLONE_ARGS_SIZE_VER0: usize = 64;
const_assert_eq!(core::mem::size_of::<CloneArgs>(), CLONE_ARGS_SIZE_VER0);

/// fcntl commands and flags (`include/uapi/asm-generic/fcntl.h`, the same on every
/// architecture here).
const F_GETFD: usize = 1;
const F_SETFD: usize = 2;
const FD_CLOEXEC: usize = 1;
const F_DUPFD_CLOEXEC: usize = 1030;

/// The size of the child's stack. The child's deepest path, a PATH search, takes about 5
/// KiB in a debug build (most of it the 4 KiB path buffer); see the `stack_high_water_mark`
/// unit test.
const CHILD_STACK_SIZE: usize = 16 * 1024;

/// The child's stack, 16-byte aligned (the most any ABI here asks for), in the frame of
/// `spawn`.
#[repr(C, align(16))]
struct ChildStack([MaybeUninit<u8>; CHILD_STACK_SIZE]);

impl ChildStack {
    #[inline]
    fn new() -> ChildStack {
        ChildStack([MaybeUninit::uninit(); CHILD_STACK_SIZE])
    }
}

/// Which clone call `spawn` makes first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CloneCall {
    /// `clone3`, then the legacy `clone` where it is missing.
    Clone3,
    /// The legacy `clone` only (tests).
    #[cfg_attr(not(test), allow(dead_code))]
    Legacy,
}

/// What the child reads: the `Spawn`, the write end of the error pipe, and whether it must
/// reset handlers itself.
struct ChildContext<'a> {
    spawn: &'a Spawn<'a>,
    pipe: RawFd,
    reset_handlers: bool,
}

/// The child, on its own stack: the steps, the program, or its errno into the pipe and
/// `exit_group(127)`.
///
/// # Safety
/// `arg` points to a `ChildContext` that stays readable and unchanged until this function
/// has exec'd or exited, and the caller has blocked every signal (see the soundness notes
/// at the top of this file).
unsafe extern "C" fn child_main(arg: *mut u8) -> ! {
    // SAFETY: the caller's contract: `arg` is a live, unchanging `ChildContext`.
    let ctx = unsafe { &*(arg as *const ChildContext<'_>) };
    let mut pipe = ctx.pipe;
    let err = match child_setup(ctx, &mut pipe) {
        Ok(()) => child_exec(ctx.spawn),
        Err(e) => e,
    };
    let code = err.raw_os_error();
    // SAFETY: writes the 4 bytes of `code`, a live `i32`, to the pipe's write end, which
    // this child owns a copy of (its descriptor table is its own). A write of 4 bytes to a
    // pipe is atomic; an error is of no use here, the exit status says 127 anyway.
    let _ = unsafe {
        syscall3(
            nr::WRITE,
            pipe as usize,
            &code as *const i32 as usize,
            core::mem::size_of::<i32>(),
        )
    };
    loop {
        // SAFETY: exit_group takes an integer and touches no memory. The child is a thread
        // group of its own (no CLONE_THREAD), so this ends the child only.
        unsafe { syscall1(nr::EXIT_GROUP, 127) };
    }
}

/// The child's steps 1 to 8 (see [`Spawn`]). `pipe` is moved above 2 first when it is one of
/// the standard descriptors, so that the dups cannot overwrite it.
fn child_setup(ctx: &ChildContext<'_>, pipe: &mut RawFd) -> Result<()> {
    let spawn = ctx.spawn;
    if *pipe <= 2 {
        *pipe = fcntl(*pipe, F_DUPFD_CLOEXEC, 3)? as RawFd;
    }
    if spawn.setsid {
        // SAFETY: setsid takes nothing and touches no memory.
        decode_raw(unsafe { syscall0(nr::SETSID) })?;
    }
    if let Some(pgid) = spawn.process_group {
        // SAFETY: setpgid takes integers and touches no memory.
        decode_raw(unsafe { syscall2(nr::SETPGID, 0, pgid as isize as usize) })?;
    }
    if let Some(tty) = spawn.controlling_terminal {
        // SAFETY: TIOCSCTTY takes an integer argument (0: do not steal the terminal) and
        // touches no memory; `tty` is borrowed by the `Spawn`, so open.
        decode_raw(unsafe {
            syscall3(
                nr::IOCTL,
                tty.as_raw_fd() as usize,
                crate::arch::TIOCSCTTY as usize,
                0,
            )
        })?;
    }
    if let Some(tty) = spawn.foreground {
        // SAFETY: getpgid takes an integer and touches no memory.
        let pgrp = decode_raw(unsafe { syscall1(nr::GETPGID, 0) })? as i32;
        // SAFETY: TIOCSPGRP reads one `pid_t` at the address given, `pgrp` here, live;
        // `tty` is borrowed by the `Spawn`, so open.
        decode_raw(unsafe {
            syscall3(
                nr::IOCTL,
                tty.as_raw_fd() as usize,
                crate::arch::TIOCSPGRP as usize,
                &pgrp as *const i32 as usize,
            )
        })?;
    }
    // A source among 0..=2 that is not its own target is copied above 2 first: the dups onto
    // 0, 1 and 2 would otherwise overwrite each other's sources.
    let mut sources: [Option<RawFd>; 3] = [None; 3];
    for ((target, source), fd) in (0..).zip(sources.iter_mut()).zip(spawn.stdio.iter()) {
        if let Some(fd) = fd {
            let fd = fd.as_raw_fd();
            *source = Some(if fd <= 2 && fd != target {
                fcntl(fd, F_DUPFD_CLOEXEC, 3)? as RawFd
            } else {
                fd
            });
        }
    }
    for (target, source) in (0..).zip(sources.iter()) {
        match *source {
            Some(fd) if fd == target => {
                // Already in place: only close-on-exec must go, as dup2 onto itself would
                // leave it.
                let flags = fcntl(fd, F_GETFD, 0)?;
                fcntl(fd, F_SETFD, flags & !FD_CLOEXEC)?;
            }
            Some(fd) => {
                // SAFETY: dup3 takes integers and touches no memory; it replaces this child's
                // descriptor `target`, in its own table.
                decode_raw(unsafe { syscall3(nr::DUP3, fd as usize, target as usize, 0) })?;
            }
            None => {}
        }
    }
    if let Some(dir) = spawn.cwd {
        // SAFETY: `dir` is a NUL-terminated string borrowed by the `Spawn`; chdir reads it.
        decode_raw(unsafe { syscall1(nr::CHDIR, dir.as_ptr() as usize) })?;
    }
    for sig in 1..=SIGRTMAX {
        if sig == SIGKILL || sig == SIGSTOP {
            continue;
        }
        let reset = spawn.sigdefault.contains(sig)
            || (ctx.reset_handlers
                && matches!(signal::rt_sigaction(sig, None), Ok(Disposition::Handler(_))));
        if reset {
            signal::rt_sigaction(sig, Some(SetDisposition::Default))?;
        }
    }
    sigprocmask(SigmaskHow::SetMask, Some(&spawn.sigmask))?;
    Ok(())
}

/// The child's step 9: `execve`, or the PATH search. Returns the error.
fn child_exec(spawn: &Spawn<'_>) -> Errno {
    if !spawn.search {
        return execve_raw(spawn.path.as_ptr(), spawn.argv, spawn.envp);
    }
    let mut buf = [0u8; PATH_MAX];
    let path = match spawn.path_var {
        Some(path) => path.to_bytes(),
        None => DEFAULT_PATH,
    };
    search_and_exec(spawn.path, spawn.argv, spawn.envp, path, &mut buf)
}

/// `fcntl(fd, cmd, arg)` with an integer argument.
fn fcntl(fd: RawFd, cmd: usize, arg: usize) -> Result<usize> {
    // SAFETY: F_GETFD, F_SETFD and F_DUPFD_CLOEXEC take integers and touch no memory; a new
    // descriptor from F_DUPFD_CLOEXEC belongs to the child, which keeps it until exec closes it.
    decode_raw(unsafe { syscall3(nr::FCNTL, fd as usize, cmd, arg) })
}

#[cfg(test)]
mod tests {
    /// A `CStr` from bytes with their NUL (`c"..."` literals need Rust 1.77).
    fn cs(bytes: &[u8]) -> &core::ffi::CStr {
        core::ffi::CStr::from_bytes_with_nul(bytes).unwrap()
    }

    extern crate std;

    use super::*;
    use crate::process::ChildState;

    /// The byte the stack is painted with before the child runs.
    const PAINT: u8 = 0xA5;

    /// How many bytes at the top of the stack the child changed.
    fn used(stack: &ChildStack) -> usize {
        let bytes = stack.0.as_ptr() as *const u8;
        // SAFETY: every byte was painted (initialised) before the child ran, and the child
        // writes only initialised values.
        let bytes = unsafe { core::slice::from_raw_parts(bytes, CHILD_STACK_SIZE) };
        let untouched = bytes.iter().take_while(|&&b| b == PAINT).count();
        CHILD_STACK_SIZE - untouched
    }

    /// Spawns with a painted stack; the high-water mark of the child's stack use.
    fn high_water(spawn: &Spawn<'_>, first: CloneCall) -> (Result<Child>, usize) {
        let mut stack = ChildStack([MaybeUninit::new(PAINT); CHILD_STACK_SIZE]);
        let result = spawn.spawn_on(&mut stack, first);
        (result, used(&stack))
    }

    /// The deepest path the child takes: a PATH search through many directories that all
    /// fail, with every option set, on both clone paths. Prints the numbers; fails if a
    /// quarter of the stack is not left over.
    #[test]
    fn stack_high_water_mark() {
        let mut slots = [ptr::null(); 3];
        let argv = CStrArray::new(&mut slots, &[cs(b"x\0"), cs(b"y\0")]).unwrap();
        let path = cs(b"/nonexistent/a:/nonexistent/b:/nonexistent/c:/proc/self:/\0");
        let spawn = Spawn::new(cs(b"no-such-program-here\0"), argv, CStrArray::empty())
            .search_path(Some(path))
            .process_group(0)
            .sigdefault(SigSet::full())
            .cwd(cs(b"/\0"));
        for first in [CloneCall::Clone3, CloneCall::Legacy] {
            let (result, used) = high_water(&spawn, first);
            assert_eq!(result.err(), Some(Errno::NOENT));
            std::eprintln!(
                "child stack high-water mark ({}, {}): {used} of {CHILD_STACK_SIZE} bytes",
                if first == CloneCall::Clone3 {
                    "clone3"
                } else {
                    "clone"
                },
                if cfg!(debug_assertions) {
                    "debug"
                } else {
                    "release"
                },
            );
            assert!(used < CHILD_STACK_SIZE * 3 / 4, "{used}");
        }
    }

    /// The legacy clone path, taken on purpose: the program runs and exits with its status.
    #[test]
    fn legacy_clone_runs_the_program() {
        let mut slots = [ptr::null(); 4];
        let argv =
            CStrArray::new(&mut slots, &[cs(b"sh\0"), cs(b"-c\0"), cs(b"exit 9\0")]).unwrap();
        let spawn = Spawn::new(cs(b"/bin/sh\0"), argv, CStrArray::empty());
        let mut stack = ChildStack::new();
        let child = spawn.spawn_on(&mut stack, CloneCall::Legacy).unwrap();
        let status = waitid(WaitId::PidFd(child.pidfd().as_fd()), WaitOptions::EXITED)
            .unwrap()
            .unwrap();
        assert_eq!(status.state, ChildState::Exited(9));
    }
}
