//! inotify against the kernel and libc: watches on a fresh directory, the records a read
//! returns for what happens in it (names, masks, cookies), the errors of a bad watch and a
//! short buffer as libc's calls get them, and the record iterator on hand-built buffers.

mod common;

use freepoll::epoll::{epoll_add, EventFlags};
use freepoll::fd::{AsFd, AsRawFd};
use freepoll::inotify::{
    Events, Inotify, InotifyFlags, WatchDescriptor, WatchMask, EVENT_HEADER_SIZE, MIN_READ_BUFFER,
};
use freepoll::Errno;
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory under the temporary directory, removed with everything in it on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(what: &str) -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!(
            "freepoll-inotify-{}-{n}-{what}",
            std::process::id()
        ));
        std::fs::create_dir(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn c(&self) -> CString {
        cpath(&self.0)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cpath(path: &Path) -> CString {
    CString::new(path.to_str().unwrap()).unwrap()
}

/// A non-blocking inotify instance.
fn inotify() -> Inotify {
    Inotify::new(InotifyFlags::CLOEXEC | InotifyFlags::NONBLOCK).expect("inotify_init1")
}

/// One record, owned, for comparisons.
#[derive(Debug, PartialEq, Eq)]
struct Record {
    wd: WatchDescriptor,
    mask: WatchMask,
    cookie: u32,
    name: Option<String>,
}

/// Every record queued now (reads until EAGAIN).
fn records(inotify: &Inotify) -> Vec<Record> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let events = match inotify.read(&mut buf) {
            Ok(events) => events,
            Err(Errno::AGAIN) => return out,
            Err(e) => panic!("inotify read: {e}"),
        };
        let mut events = events;
        for ev in events.by_ref() {
            out.push(Record {
                wd: ev.wd,
                mask: ev.mask,
                cookie: ev.cookie,
                name: ev.name.map(|n| n.to_str().unwrap().to_string()),
            });
        }
        assert!(events.rest().is_empty(), "the kernel's records are whole");
    }
}

fn rec(wd: WatchDescriptor, mask: WatchMask, name: &str) -> Record {
    Record {
        wd,
        mask,
        cookie: 0,
        name: Some(name.to_string()),
    }
}

/// libc's errno for a call that returned -1, or 0 if it succeeded.
fn libc_errno(rc: i32) -> i32 {
    if rc >= 0 {
        0
    } else {
        std::io::Error::last_os_error().raw_os_error().unwrap()
    }
}

fn our_errno<T>(r: Result<T, Errno>) -> i32 {
    r.err().map_or(0, |e| e.raw_os_error())
}

#[test]
fn flag_and_mask_values_match_libc() {
    assert_eq!(InotifyFlags::CLOEXEC.bits(), libc::IN_CLOEXEC as u32);
    assert_eq!(InotifyFlags::NONBLOCK.bits(), libc::IN_NONBLOCK as u32);
    let pairs: &[(WatchMask, u32)] = &[
        (WatchMask::ACCESS, libc::IN_ACCESS),
        (WatchMask::MODIFY, libc::IN_MODIFY),
        (WatchMask::ATTRIB, libc::IN_ATTRIB),
        (WatchMask::CLOSE_WRITE, libc::IN_CLOSE_WRITE),
        (WatchMask::CLOSE_NOWRITE, libc::IN_CLOSE_NOWRITE),
        (WatchMask::OPEN, libc::IN_OPEN),
        (WatchMask::MOVED_FROM, libc::IN_MOVED_FROM),
        (WatchMask::MOVED_TO, libc::IN_MOVED_TO),
        (WatchMask::CREATE, libc::IN_CREATE),
        (WatchMask::DELETE, libc::IN_DELETE),
        (WatchMask::DELETE_SELF, libc::IN_DELETE_SELF),
        (WatchMask::MOVE_SELF, libc::IN_MOVE_SELF),
        (WatchMask::UNMOUNT, libc::IN_UNMOUNT),
        (WatchMask::Q_OVERFLOW, libc::IN_Q_OVERFLOW),
        (WatchMask::IGNORED, libc::IN_IGNORED),
        (WatchMask::CLOSE, libc::IN_CLOSE),
        (WatchMask::MOVE, libc::IN_MOVE),
        (WatchMask::ALL_EVENTS, libc::IN_ALL_EVENTS),
        (WatchMask::ONLYDIR, libc::IN_ONLYDIR),
        (WatchMask::DONT_FOLLOW, libc::IN_DONT_FOLLOW),
        (WatchMask::EXCL_UNLINK, libc::IN_EXCL_UNLINK),
        (WatchMask::MASK_CREATE, libc::IN_MASK_CREATE),
        (WatchMask::MASK_ADD, libc::IN_MASK_ADD),
        (WatchMask::ISDIR, libc::IN_ISDIR),
        (WatchMask::ONESHOT, libc::IN_ONESHOT),
    ];
    for &(ours, theirs) in pairs {
        assert_eq!(ours.bits(), theirs, "{ours:?}");
    }
    assert_eq!(
        EVENT_HEADER_SIZE,
        std::mem::size_of::<libc::inotify_event>()
    );
    assert_eq!(MIN_READ_BUFFER, 16 + 255 + 1);
}

#[test]
fn add_watch_returns_libcs_descriptor_for_the_same_path() {
    let dir = TempDir::new("wd");
    let ino = inotify();
    let wd = ino.add_watch(&dir.c(), WatchMask::CREATE).unwrap();
    assert!(wd.raw() >= 1);
    // The same path watched again on the same instance, through libc: the same watch.
    // SAFETY: the path is a live NUL-terminated string; the descriptor is open.
    let theirs =
        unsafe { libc::inotify_add_watch(ino.as_raw_fd(), dir.c().as_ptr(), libc::IN_DELETE) };
    assert_eq!(theirs, wd.raw());
    // And the watch now reports DELETE only (libc replaced the mask): a creation is silent.
    std::fs::write(dir.path().join("a"), b"").unwrap();
    std::fs::remove_file(dir.path().join("a")).unwrap();
    assert_eq!(records(&ino), vec![rec(wd, WatchMask::DELETE, "a")]);
    assert_eq!(WatchDescriptor::from_raw(wd.raw()), wd);
}

#[test]
fn create_modify_delete_arrive_with_names_and_masks() {
    let dir = TempDir::new("cmd");
    let ino = inotify();
    let wd = ino
        .add_watch(
            &dir.c(),
            WatchMask::CREATE | WatchMask::MODIFY | WatchMask::DELETE,
        )
        .unwrap();
    std::fs::write(dir.path().join("file"), b"x").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::remove_file(dir.path().join("file")).unwrap();
    std::fs::remove_dir(dir.path().join("sub")).unwrap();
    assert_eq!(
        records(&ino),
        vec![
            rec(wd, WatchMask::CREATE, "file"),
            rec(wd, WatchMask::MODIFY, "file"),
            rec(wd, WatchMask::CREATE | WatchMask::ISDIR, "sub"),
            rec(wd, WatchMask::DELETE, "file"),
            rec(wd, WatchMask::DELETE | WatchMask::ISDIR, "sub"),
        ]
    );
}

#[test]
fn rename_gives_moved_from_and_moved_to_with_one_cookie() {
    let dir = TempDir::new("move");
    std::fs::write(dir.path().join("old"), b"").unwrap();
    let ino = inotify();
    let wd = ino.add_watch(&dir.c(), WatchMask::MOVE).unwrap();
    std::fs::rename(dir.path().join("old"), dir.path().join("new")).unwrap();
    let got = records(&ino);
    assert_eq!(got.len(), 2, "{got:?}");
    let (from, to) = (&got[0], &got[1]);
    assert_eq!((from.wd, from.mask), (wd, WatchMask::MOVED_FROM));
    assert_eq!((to.wd, to.mask), (wd, WatchMask::MOVED_TO));
    assert_eq!(from.name.as_deref(), Some("old"));
    assert_eq!(to.name.as_deref(), Some("new"));
    assert_ne!(from.cookie, 0);
    assert_eq!(from.cookie, to.cookie);
}

#[test]
fn rm_watch_queues_ignored_then_the_watch_is_gone() {
    let dir = TempDir::new("rm");
    let ino = inotify();
    let wd = ino.add_watch(&dir.c(), WatchMask::CREATE).unwrap();
    ino.rm_watch(wd).unwrap();
    assert_eq!(
        records(&ino),
        vec![Record {
            wd,
            mask: WatchMask::IGNORED,
            cookie: 0,
            name: None
        }]
    );
    // Removed already: EINVAL, as libc gets it.
    let ours = our_errno(ino.rm_watch(wd));
    // SAFETY: integers only; the descriptor is open.
    let theirs = libc_errno(unsafe { libc::inotify_rm_watch(ino.as_raw_fd(), wd.raw()) });
    assert_eq!((ours, theirs), (libc::EINVAL, libc::EINVAL));
}

#[test]
fn one_read_returns_several_records_in_order() {
    let dir = TempDir::new("many");
    let ino = inotify();
    let wd = ino.add_watch(&dir.c(), WatchMask::CREATE).unwrap();
    let names: Vec<String> = (0..6)
        .map(|i| format!("entry-{i}-{}", "x".repeat(i * 7)))
        .collect();
    for name in &names {
        std::fs::write(dir.path().join(name), b"").unwrap();
    }
    let mut buf = [0u8; 4096];
    let mut events = ino.read(&mut buf).unwrap();
    let got: Vec<(WatchDescriptor, WatchMask, String)> = events
        .by_ref()
        .map(|e| (e.wd, e.mask, e.name.unwrap().to_str().unwrap().to_string()))
        .collect();
    assert!(events.rest().is_empty());
    let want: Vec<_> = names
        .iter()
        .map(|n| (wd, WatchMask::CREATE, n.clone()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(ino.read(&mut buf).err(), Some(Errno::AGAIN));
}

#[test]
fn buffer_shorter_than_minimum_is_einval_as_the_kernel_answers_a_short_one() {
    let dir = TempDir::new("short");
    let ino = inotify();
    ino.add_watch(&dir.c(), WatchMask::CREATE).unwrap();
    std::fs::write(dir.path().join("a-name-of-some-length"), b"").unwrap();
    // Ours: refused before the call, whatever is queued.
    let mut small = [0u8; MIN_READ_BUFFER - 1];
    assert_eq!(ino.read(&mut small).err(), Some(Errno::INVAL));
    // The kernel: a buffer that cannot hold the queued record (16 bytes and a name) is EINVAL.
    let mut header_only = [0u8; EVENT_HEADER_SIZE];
    // SAFETY: reads at most 16 bytes into a live array of 16.
    let rc = unsafe {
        libc::read(
            ino.as_raw_fd(),
            header_only.as_mut_ptr().cast(),
            header_only.len(),
        )
    };
    assert_eq!(libc_errno(rc as i32), libc::EINVAL);
    // The record is still there for a buffer of the minimum size.
    let mut buf = [0u8; MIN_READ_BUFFER];
    let ev = ino.read(&mut buf).unwrap().next().unwrap();
    assert_eq!(ev.name.unwrap().to_bytes(), b"a-name-of-some-length");
}

#[test]
fn empty_nonblocking_read_is_eagain_as_libc_gets_it() {
    let ino = inotify();
    let mut buf = [0u8; MIN_READ_BUFFER];
    assert_eq!(ino.read(&mut buf).err(), Some(Errno::AGAIN));
    // SAFETY: reads at most `buf.len()` bytes into a live array.
    let rc = unsafe { libc::read(ino.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
    assert_eq!(libc_errno(rc as i32), libc::EAGAIN);
}

#[test]
fn epoll_reports_readable_when_a_record_is_queued() {
    let dir = TempDir::new("epoll");
    let ino = inotify();
    let ep = common::epoll();
    epoll_add(&ep, &ino, 7, EventFlags::IN).unwrap();
    ino.add_watch(&dir.c(), WatchMask::CREATE).unwrap();
    assert_eq!(common::wait(&ep, 4, 0), vec![]);
    std::fs::write(dir.path().join("f"), b"").unwrap();
    assert_eq!(common::wait(&ep, 4, 0), vec![(EventFlags::IN, 7)]);
    assert_eq!(
        common::poll_revents(ino.as_fd(), libc::POLLIN),
        libc::POLLIN
    );
}

#[test]
fn bad_watches_fail_with_libcs_errnos() {
    let dir = TempDir::new("errors");
    let file = dir.path().join("file");
    std::fs::write(&file, b"").unwrap();
    std::os::unix::fs::symlink("nowhere", dir.path().join("dangling")).unwrap();
    let ino = inotify();
    // SAFETY: integers only.
    let theirs_fd = common::own(
        unsafe { libc::inotify_init1(libc::IN_CLOEXEC | libc::IN_NONBLOCK) },
        "inotify_init1",
    );
    let create = WatchMask::CREATE;
    let cases: Vec<(&str, CString, WatchMask, i32)> = vec![
        (
            "missing",
            cpath(&dir.path().join("missing")),
            create,
            libc::ENOENT,
        ),
        (
            "under a file",
            cpath(&file.join("x")),
            create,
            libc::ENOTDIR,
        ),
        (
            "ONLYDIR on a file",
            cpath(&file),
            create | WatchMask::ONLYDIR,
            libc::ENOTDIR,
        ),
        (
            "dangling link",
            cpath(&dir.path().join("dangling")),
            create,
            libc::ENOENT,
        ),
        ("empty mask", dir.c(), WatchMask::empty(), libc::EINVAL),
        (
            "MASK_CREATE with MASK_ADD",
            dir.c(),
            create | WatchMask::MASK_CREATE | WatchMask::MASK_ADD,
            libc::EINVAL,
        ),
        (
            "empty path",
            CString::new("").unwrap(),
            create,
            libc::ENOENT,
        ),
    ];
    for (what, path, mask, want) in cases {
        let ours = our_errno(ino.add_watch(&path, mask));
        // SAFETY: a live NUL-terminated path; the descriptor is open.
        let theirs = libc_errno(unsafe {
            libc::inotify_add_watch(theirs_fd.as_raw_fd(), path.as_ptr(), mask.bits())
        });
        assert_eq!((what, ours), (what, theirs), "freepoll and libc");
        assert_eq!((what, ours), (what, want), "the kernel's errno");
    }
}

#[test]
fn mask_create_on_a_watched_path_is_eexist() {
    let dir = TempDir::new("excl");
    let ino = inotify();
    ino.add_watch(&dir.c(), WatchMask::CREATE).unwrap();
    let again = ino.add_watch(&dir.c(), WatchMask::CREATE | WatchMask::MASK_CREATE);
    // SAFETY: a live NUL-terminated path; the descriptor is open.
    let theirs = libc_errno(unsafe {
        libc::inotify_add_watch(
            ino.as_raw_fd(),
            dir.c().as_ptr(),
            libc::IN_CREATE | libc::IN_MASK_CREATE,
        )
    });
    // IN_MASK_CREATE is Linux 4.18; every kernel the suite runs on has it.
    assert_eq!((our_errno(again), theirs), (libc::EEXIST, libc::EEXIST));
}

#[test]
fn deleting_the_watched_directory_ends_the_watch() {
    let dir = TempDir::new("gone");
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let ino = inotify();
    let wd = ino.add_watch(&cpath(&sub), WatchMask::DELETE_SELF).unwrap();
    std::fs::remove_dir(&sub).unwrap();
    let masks: Vec<WatchMask> = records(&ino).into_iter().map(|r| r.mask).collect();
    assert_eq!(masks, vec![WatchMask::DELETE_SELF, WatchMask::IGNORED]);
    assert_eq!(ino.rm_watch(wd).err(), Some(Errno::INVAL));
}

/// A record as the kernel lays it out: header, then the name padded with NULs to `len`.
fn record(wd: i32, mask: u32, cookie: u32, name: &[u8], len: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&wd.to_ne_bytes());
    out.extend_from_slice(&mask.to_ne_bytes());
    out.extend_from_slice(&cookie.to_ne_bytes());
    out.extend_from_slice(&len.to_ne_bytes());
    let mut padded = name.to_vec();
    padded.resize(len as usize, 0);
    out.extend_from_slice(&padded);
    out
}

#[test]
fn hand_built_records_decode_field_by_field() {
    let mut buf = record(3, libc::IN_MOVED_FROM, 77, b"abc", 16);
    buf.extend(record(-1, libc::IN_Q_OVERFLOW, 0, b"", 0));
    buf.extend(record(4, libc::IN_CREATE | libc::IN_ISDIR, 0, b"d", 4));
    let got: Vec<_> = Events::new(&buf)
        .map(|e| {
            (
                e.wd.raw(),
                e.mask.bits(),
                e.cookie,
                e.name.map(CStr::to_bytes),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (3, libc::IN_MOVED_FROM, 77, Some(&b"abc"[..])),
            (-1, libc::IN_Q_OVERFLOW, 0, None),
            (4, libc::IN_CREATE | libc::IN_ISDIR, 0, Some(&b"d"[..])),
        ]
    );
}

#[test]
fn malformed_records_end_the_iteration_and_stay_in_rest() {
    let good = record(1, libc::IN_CREATE, 0, b"ok", 16);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated header", good[..10].to_vec()),
        (
            "len past the end",
            record(1, libc::IN_CREATE, 0, b"x", 16)[..20].to_vec(),
        ),
        ("len u32::MAX", {
            let mut r = record(1, libc::IN_CREATE, 0, b"", 0);
            r[12..16].copy_from_slice(&u32::MAX.to_ne_bytes());
            r
        }),
        ("name with no NUL", {
            let mut r = record(1, libc::IN_CREATE, 0, b"", 4);
            r[16..20].copy_from_slice(b"abcd");
            r
        }),
    ];
    for (what, bad) in cases {
        let mut buf = good.clone();
        buf.extend_from_slice(&bad);
        let mut events = Events::new(&buf);
        let first = events.next().expect(what);
        assert_eq!(first.name.unwrap().to_bytes(), b"ok", "{what}");
        assert_eq!(events.next(), None, "{what}");
        assert_eq!(events.rest(), &bad[..], "{what}");
        assert_eq!(events.next(), None, "{what}: stays ended");
    }
}

#[test]
fn arbitrary_bytes_never_panic_or_overrun() {
    // A fixed pseudo-random sequence: every length up to 300, many contents.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for len in 0..300usize {
        for _ in 0..20 {
            let buf: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // Small lengths often enough that records chain.
                    (state % 24) as u8
                })
                .collect();
            let mut events = Events::new(&buf);
            let mut consumed = 0;
            for ev in events.by_ref() {
                consumed += EVENT_HEADER_SIZE;
                if let Some(name) = ev.name {
                    assert!(name.to_bytes().len() < buf.len());
                }
                assert!(consumed <= buf.len());
            }
            assert!(events.rest().len() <= buf.len());
        }
    }
}
