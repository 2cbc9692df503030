//! Files and devices against the kernel and libc: openat, faccessat, statx, the fcntl flags,
//! FIONBIO and FIONREAD, the terminal's foreground group and mount, each with the same
//! answers and errnos as libc's calls for good and bad input.

mod common;

use freepoll::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use freepoll::fs::{
    faccessat, fstat, get_fd_flags, get_status_flags, ioctl_fionbio, ioctl_fionread, mount, open,
    openat, set_fd_flags, set_nonblocking, set_status_flags, statx, Access, AtFlags, Dir, FdFlags,
    FileType, Mode, MountFlags, OFlags, Statx, StatxFlags,
};
use freepoll::tty::{tcgetpgrp, tcsetpgrp};
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
        let path =
            std::env::temp_dir().join(format!("freepoll-fs-{}-{n}-{what}", std::process::id()));
        std::fs::create_dir(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        TempDir(path)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn c(path: impl AsRef<Path>) -> CString {
    CString::new(path.as_ref().to_str().unwrap()).unwrap()
}

fn cs(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// A descriptor number that is never open: above any RLIMIT_NOFILE.
fn never_open() -> BorrowedFd<'static> {
    // SAFETY: the number is never open, so the borrow cannot alias a live descriptor; the
    // kernel only checks it and answers EBADF.
    unsafe { BorrowedFd::borrow_raw(i32::MAX) }
}

/// libc's errno after a call that returned `rc` (0 for success).
fn libc_errno(rc: i64) -> i32 {
    if rc >= 0 {
        0
    } else {
        std::io::Error::last_os_error().raw_os_error().unwrap()
    }
}

fn our_errno<T>(r: &Result<T, Errno>) -> i32 {
    r.as_ref().err().map_or(0, |e| e.raw_os_error())
}

fn is_root() -> bool {
    // SAFETY: geteuid takes nothing and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The process's umask (read by setting it and putting it back).
fn umask() -> u32 {
    // SAFETY: umask only swaps an integer in the process.
    unsafe {
        let old = libc::umask(0o022);
        libc::umask(old);
        old as u32
    }
}

fn libc_fcntl(fd: impl AsFd, cmd: i32) -> i32 {
    // SAFETY: F_GETFD and F_GETFL take no argument.
    let rc = unsafe { libc::fcntl(fd.as_fd().as_raw_fd(), cmd) };
    assert!(rc >= 0, "fcntl: {}", std::io::Error::last_os_error());
    rc
}

#[test]
fn flag_values_match_libc() {
    let o: &[(OFlags, i32)] = &[
        (OFlags::RDONLY, libc::O_RDONLY),
        (OFlags::WRONLY, libc::O_WRONLY),
        (OFlags::RDWR, libc::O_RDWR),
        // The kernel's O_ACCMODE is 3; musl's also holds its O_SEARCH (O_PATH), which
        // open(2) never takes as an access mode.
        (
            OFlags::ACCMODE,
            libc::O_ACCMODE & !(cfg!(target_env = "musl") as i32 * libc::O_PATH),
        ),
        (OFlags::CREAT, libc::O_CREAT),
        (OFlags::EXCL, libc::O_EXCL),
        (OFlags::NOCTTY, libc::O_NOCTTY),
        (OFlags::TRUNC, libc::O_TRUNC),
        (OFlags::APPEND, libc::O_APPEND),
        (OFlags::NONBLOCK, libc::O_NONBLOCK),
        (OFlags::DSYNC, libc::O_DSYNC),
        (OFlags::ASYNC, libc::O_ASYNC),
        (OFlags::DIRECT, libc::O_DIRECT),
        (OFlags::DIRECTORY, libc::O_DIRECTORY),
        (OFlags::NOFOLLOW, libc::O_NOFOLLOW),
        (OFlags::NOATIME, libc::O_NOATIME),
        (OFlags::CLOEXEC, libc::O_CLOEXEC),
        (OFlags::SYNC, libc::O_SYNC),
        (OFlags::PATH, libc::O_PATH),
        (OFlags::TMPFILE, libc::O_TMPFILE),
    ];
    for &(ours, theirs) in o {
        assert_eq!(ours.bits(), theirs as u32, "{ours:?}");
    }
    let m: &[(Mode, libc::mode_t)] = &[
        (Mode::SUID, libc::S_ISUID),
        (Mode::SGID, libc::S_ISGID),
        (Mode::SVTX, libc::S_ISVTX),
        (Mode::RWXU, libc::S_IRWXU),
        (Mode::RUSR, libc::S_IRUSR),
        (Mode::WUSR, libc::S_IWUSR),
        (Mode::XUSR, libc::S_IXUSR),
        (Mode::RWXG, libc::S_IRWXG),
        (Mode::RGRP, libc::S_IRGRP),
        (Mode::WGRP, libc::S_IWGRP),
        (Mode::XGRP, libc::S_IXGRP),
        (Mode::RWXO, libc::S_IRWXO),
        (Mode::ROTH, libc::S_IROTH),
        (Mode::WOTH, libc::S_IWOTH),
        (Mode::XOTH, libc::S_IXOTH),
    ];
    for &(ours, theirs) in m {
        assert_eq!(ours.bits(), theirs, "{ours:?}");
    }
    let a: &[(Access, i32)] = &[
        (Access::EXISTS, libc::F_OK),
        (Access::READ, libc::R_OK),
        (Access::WRITE, libc::W_OK),
        (Access::EXECUTE, libc::X_OK),
    ];
    for &(ours, theirs) in a {
        assert_eq!(ours.bits(), theirs as u32, "{ours:?}");
    }
    let at: &[(AtFlags, i32)] = &[
        (AtFlags::SYMLINK_NOFOLLOW, libc::AT_SYMLINK_NOFOLLOW),
        (AtFlags::EACCESS, libc::AT_EACCESS),
        (AtFlags::NO_AUTOMOUNT, libc::AT_NO_AUTOMOUNT),
        (AtFlags::EMPTY_PATH, libc::AT_EMPTY_PATH),
        (AtFlags::STATX_FORCE_SYNC, libc::AT_STATX_FORCE_SYNC),
        (AtFlags::STATX_DONT_SYNC, libc::AT_STATX_DONT_SYNC),
    ];
    for &(ours, theirs) in at {
        assert_eq!(ours.bits(), theirs as u32, "{ours:?}");
    }
    let sx: &[(StatxFlags, u32)] = &[
        (StatxFlags::TYPE, libc::STATX_TYPE),
        (StatxFlags::MODE, libc::STATX_MODE),
        (StatxFlags::NLINK, libc::STATX_NLINK),
        (StatxFlags::UID, libc::STATX_UID),
        (StatxFlags::GID, libc::STATX_GID),
        (StatxFlags::ATIME, libc::STATX_ATIME),
        (StatxFlags::MTIME, libc::STATX_MTIME),
        (StatxFlags::CTIME, libc::STATX_CTIME),
        (StatxFlags::INO, libc::STATX_INO),
        (StatxFlags::SIZE, libc::STATX_SIZE),
        (StatxFlags::BLOCKS, libc::STATX_BLOCKS),
        (StatxFlags::BASIC_STATS, libc::STATX_BASIC_STATS),
        (StatxFlags::BTIME, libc::STATX_BTIME),
        (StatxFlags::MNT_ID, libc::STATX_MNT_ID),
        (StatxFlags::DIOALIGN, libc::STATX_DIOALIGN),
    ];
    for &(ours, theirs) in sx {
        assert_eq!(ours.bits(), theirs, "{ours:?}");
    }
    assert_eq!(FdFlags::CLOEXEC.bits(), libc::FD_CLOEXEC as u32);
    let ms: &[(MountFlags, libc::c_ulong)] = &[
        (MountFlags::RDONLY, libc::MS_RDONLY),
        (MountFlags::NOSUID, libc::MS_NOSUID),
        (MountFlags::NODEV, libc::MS_NODEV),
        (MountFlags::NOEXEC, libc::MS_NOEXEC),
        (MountFlags::SYNCHRONOUS, libc::MS_SYNCHRONOUS),
        (MountFlags::REMOUNT, libc::MS_REMOUNT),
        (MountFlags::MANDLOCK, libc::MS_MANDLOCK),
        (MountFlags::DIRSYNC, libc::MS_DIRSYNC),
        (MountFlags::NOSYMFOLLOW, libc::MS_NOSYMFOLLOW),
        (MountFlags::NOATIME, libc::MS_NOATIME),
        (MountFlags::NODIRATIME, libc::MS_NODIRATIME),
        (MountFlags::BIND, libc::MS_BIND),
        (MountFlags::MOVE, libc::MS_MOVE),
        (MountFlags::REC, libc::MS_REC),
        (MountFlags::SILENT, libc::MS_SILENT),
        (MountFlags::UNBINDABLE, libc::MS_UNBINDABLE),
        (MountFlags::PRIVATE, libc::MS_PRIVATE),
        (MountFlags::SLAVE, libc::MS_SLAVE),
        (MountFlags::SHARED, libc::MS_SHARED),
        (MountFlags::RELATIME, libc::MS_RELATIME),
        (MountFlags::STRICTATIME, libc::MS_STRICTATIME),
        (MountFlags::LAZYTIME, libc::MS_LAZYTIME),
    ];
    for &(ours, theirs) in ms {
        assert_eq!(ours.bits() as libc::c_ulong, theirs, "{ours:?}");
    }
}

#[test]
fn statx_struct_has_libcs_size() {
    assert_eq!(
        std::mem::size_of::<Statx>(),
        std::mem::size_of::<libc::statx>()
    );
    assert_eq!(std::mem::size_of::<Statx>(), 256);
    assert_eq!(
        std::mem::align_of::<Statx>(),
        std::mem::align_of::<libc::statx>()
    );
}

#[test]
fn statx_fields_sit_where_libcs_statx_has_them() {
    // SAFETY: a zeroed statx is valid plain data.
    let mut theirs: libc::statx = unsafe { std::mem::zeroed() };
    theirs.stx_mask = 0x0101;
    theirs.stx_blksize = 0x0202;
    theirs.stx_nlink = 0x0303;
    theirs.stx_uid = 0x0404;
    theirs.stx_gid = 0x0505;
    theirs.stx_mode = 0o120_755;
    theirs.stx_ino = 0x0606_0000_0000_0606;
    theirs.stx_size = 0x0707_0000_0000_0707;
    theirs.stx_blocks = 0x0808_0000_0000_0808;
    theirs.stx_mtime.tv_sec = -0x0909_0000_0909;
    theirs.stx_mtime.tv_nsec = 0x0a0a;
    theirs.stx_rdev_major = 0x0b0b;
    theirs.stx_rdev_minor = 0x0c0c;
    theirs.stx_dev_major = 0x0d0d;
    theirs.stx_dev_minor = 0x0e0e;
    theirs.stx_mnt_id = 0x0f0f_0000_0000_0f0f;
    // SAFETY: both are plain data of the same size (checked above).
    let ours: Statx = unsafe { std::mem::transmute_copy(&theirs) };
    assert_eq!(ours.mask().bits(), 0x0101);
    assert_eq!(ours.blksize(), 0x0202);
    assert_eq!(ours.nlink(), 0x0303);
    assert_eq!(ours.uid(), 0x0404);
    assert_eq!(ours.gid(), 0x0505);
    assert_eq!(ours.raw_mode(), 0o120_755);
    assert_eq!(ours.mode().bits(), 0o755);
    assert_eq!(ours.file_type(), Some(FileType::Symlink));
    assert_eq!(ours.ino(), 0x0606_0000_0000_0606);
    assert_eq!(ours.size(), 0x0707_0000_0000_0707);
    assert_eq!(ours.blocks(), 0x0808_0000_0000_0808);
    assert_eq!(ours.mtime().tv_sec, -0x0909_0000_0909);
    assert_eq!(ours.mtime().tv_nsec, 0x0a0a);
    assert_eq!(ours.rdev(), (0x0b0b, 0x0c0c));
    assert_eq!(ours.dev(), (0x0d0d, 0x0e0e));
    assert_eq!(ours.mnt_id(), 0x0f0f_0000_0000_0f0f);
}

#[test]
fn statx_fields_match_libcs_statx_of_the_same_file() {
    let dir = TempDir::new("fields");
    let path = dir.join("file");
    std::fs::write(&path, b"twelve bytes").unwrap();
    let ours = statx(
        Dir::Cwd,
        &c(&path),
        AtFlags::empty(),
        StatxFlags::BASIC_STATS,
    )
    .unwrap();
    // SAFETY: a zeroed statx is a valid buffer of the size libc's statx writes.
    let mut theirs: libc::statx = unsafe { std::mem::zeroed() };
    // SAFETY: a live NUL-terminated path and a live statx buffer.
    let rc = unsafe {
        libc::statx(
            libc::AT_FDCWD,
            c(&path).as_ptr(),
            0,
            libc::STATX_BASIC_STATS,
            &mut theirs,
        )
    };
    assert_eq!(rc, 0, "statx: {}", std::io::Error::last_os_error());
    assert_eq!(ours.mask().bits(), theirs.stx_mask);
    assert_eq!(ours.raw_mode(), theirs.stx_mode);
    assert_eq!(ours.mode().bits(), theirs.stx_mode as u32 & 0o7777);
    assert_eq!(ours.size(), theirs.stx_size);
    assert_eq!(ours.size(), 12);
    assert_eq!(ours.ino(), theirs.stx_ino);
    assert_eq!(ours.nlink(), theirs.stx_nlink);
    assert_eq!(ours.uid(), theirs.stx_uid);
    assert_eq!(ours.gid(), theirs.stx_gid);
    assert_eq!(ours.blksize(), theirs.stx_blksize);
    assert_eq!(ours.blocks(), theirs.stx_blocks);
    assert_eq!(ours.dev(), (theirs.stx_dev_major, theirs.stx_dev_minor));
    assert_eq!(ours.rdev(), (theirs.stx_rdev_major, theirs.stx_rdev_minor));
    assert_eq!(ours.mtime().tv_sec, theirs.stx_mtime.tv_sec);
    assert_eq!(ours.mtime().tv_nsec, theirs.stx_mtime.tv_nsec);
    assert_eq!(ours.file_type(), Some(FileType::Regular));
}

#[test]
fn statx_tells_every_kind_of_file() {
    let dir = TempDir::new("kinds");
    let file = dir.join("file");
    std::fs::write(&file, b"").unwrap();
    let sub = dir.join("sub");
    std::fs::create_dir(&sub).unwrap();
    let link = dir.join("link");
    std::os::unix::fs::symlink("file", &link).unwrap();
    let fifo = dir.join("fifo");
    // SAFETY: a live NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c(&fifo).as_ptr(), 0o600) }, 0);
    let sock = dir.join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let kind = |path: &Path, flags: AtFlags| {
        statx(Dir::Cwd, &c(path), flags, StatxFlags::TYPE)
            .unwrap()
            .file_type()
    };
    let none = AtFlags::empty();
    assert_eq!(kind(&file, none), Some(FileType::Regular));
    assert_eq!(kind(&sub, none), Some(FileType::Directory));
    assert_eq!(kind(&link, none), Some(FileType::Regular), "followed");
    assert_eq!(
        kind(&link, AtFlags::SYMLINK_NOFOLLOW),
        Some(FileType::Symlink)
    );
    assert_eq!(kind(&fifo, none), Some(FileType::Fifo));
    assert_eq!(kind(&sock, none), Some(FileType::Socket));
    let null = statx(Dir::Cwd, &cs("/dev/null"), none, StatxFlags::BASIC_STATS).unwrap();
    assert_eq!(null.file_type(), Some(FileType::CharDevice));
    assert_eq!(null.rdev(), (1, 3));
    assert_eq!(null.mode().bits(), 0o666);
}

#[test]
fn fstat_describes_a_pipe_and_an_open_file() {
    let (rx, _tx) = common::pipe();
    assert_eq!(fstat(&rx).unwrap().file_type(), Some(FileType::Fifo));
    let null = open(
        &cs("/dev/null"),
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap();
    let st = fstat(&null).unwrap();
    assert_eq!(
        (st.file_type(), st.rdev()),
        (Some(FileType::CharDevice), (1, 3))
    );
}

#[test]
fn statx_relative_to_a_directory_descriptor() {
    let dir = TempDir::new("relative");
    std::fs::write(dir.join("inside"), b"abc").unwrap();
    let dirfd = open(
        &c(&dir.0),
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap();
    let st = statx(
        Dir::Fd(dirfd.as_fd()),
        &cs("inside"),
        AtFlags::empty(),
        StatxFlags::SIZE,
    )
    .unwrap();
    assert_eq!(st.size(), 3);
    let this = statx(
        dirfd.as_fd().into(),
        &cs(""),
        AtFlags::EMPTY_PATH,
        StatxFlags::TYPE,
    )
    .unwrap();
    assert_eq!(this.file_type(), Some(FileType::Directory));
}

#[test]
fn statx_errors_match_libc() {
    let dir = TempDir::new("statx-errors");
    let file = dir.join("file");
    std::fs::write(&file, b"").unwrap();
    let cases: Vec<(&str, Option<BorrowedFd<'static>>, CString, AtFlags, i32)> = vec![
        (
            "missing",
            None,
            c(dir.join("missing")),
            AtFlags::empty(),
            libc::ENOENT,
        ),
        (
            "under a file",
            None,
            c(file.join("x")),
            AtFlags::empty(),
            libc::ENOTDIR,
        ),
        ("empty path", None, cs(""), AtFlags::empty(), libc::ENOENT),
        (
            "both sync flags",
            None,
            c(&file),
            AtFlags::STATX_FORCE_SYNC | AtFlags::STATX_DONT_SYNC,
            libc::EINVAL,
        ),
        (
            "closed dir",
            Some(never_open()),
            cs("rel"),
            AtFlags::empty(),
            libc::EBADF,
        ),
    ];
    for (what, dirfd, path, flags, want) in cases {
        let d = dirfd.map_or(Dir::Cwd, Dir::Fd);
        let ours = our_errno(&statx(d, &path, flags, StatxFlags::BASIC_STATS));
        // SAFETY: a zeroed statx is a valid buffer; the path is live and NUL-terminated.
        let theirs = unsafe {
            let mut st: libc::statx = std::mem::zeroed();
            libc_errno(libc::statx(
                dirfd.map_or(libc::AT_FDCWD, |f| f.as_raw_fd()),
                path.as_ptr(),
                flags.bits() as i32,
                libc::STATX_BASIC_STATS,
                &mut st,
            ) as i64)
        };
        assert_eq!((what, ours), (what, theirs), "freepoll and libc");
        assert_eq!((what, ours), (what, want), "the kernel's errno");
    }
}

/// libc's openat, owning the descriptor it returns, or its errno.
fn libc_openat(
    dir: Option<BorrowedFd<'_>>,
    path: &CStr,
    flags: i32,
    mode: u32,
) -> Result<OwnedFd, i32> {
    let dirfd = dir.map_or(libc::AT_FDCWD, |d| d.as_raw_fd());
    // SAFETY: a live NUL-terminated path; the mode is an integer.
    let fd = unsafe { libc::openat(dirfd, path.as_ptr(), flags, mode) };
    if fd < 0 {
        Err(libc_errno(-1))
    } else {
        Ok(common::own(fd, "openat"))
    }
}

#[test]
fn openat_errors_match_libc() {
    let dir = TempDir::new("open-errors");
    let file = dir.join("file");
    std::fs::write(&file, b"").unwrap();
    let locked = dir.join("locked");
    std::fs::write(&locked, b"").unwrap();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    std::os::unix::fs::symlink("file", dir.join("link")).unwrap();
    let ro = OFlags::RDONLY | OFlags::CLOEXEC;
    // Root reads a 0o000 file (CAP_DAC_OVERRIDE); anyone else gets EACCES.
    let locked_errno = if is_root() { 0 } else { libc::EACCES };
    let cases: Vec<(&str, Option<BorrowedFd<'static>>, CString, OFlags, i32)> = vec![
        ("missing", None, c(dir.join("missing")), ro, libc::ENOENT),
        ("under a file", None, c(file.join("x")), ro, libc::ENOTDIR),
        (
            "DIRECTORY on a file",
            None,
            c(&file),
            ro | OFlags::DIRECTORY,
            libc::ENOTDIR,
        ),
        (
            "CREAT|EXCL on a file",
            None,
            c(&file),
            ro | OFlags::WRONLY | OFlags::CREAT | OFlags::EXCL,
            libc::EEXIST,
        ),
        (
            "NOFOLLOW on a link",
            None,
            c(dir.join("link")),
            ro | OFlags::NOFOLLOW,
            libc::ELOOP,
        ),
        (
            "directory for writing",
            None,
            c(&dir.0),
            OFlags::WRONLY | OFlags::CLOEXEC,
            libc::EISDIR,
        ),
        ("empty path", None, cs(""), ro, libc::ENOENT),
        ("closed dir", Some(never_open()), cs("rel"), ro, libc::EBADF),
        ("0o000 file", None, c(&locked), ro, locked_errno),
    ];
    for (what, dirfd, path, flags, want) in cases {
        let ours = our_errno(&openat(
            dirfd.map_or(Dir::Cwd, Dir::Fd),
            &path,
            flags,
            Mode::from_bits_retain(0o600),
        ));
        let theirs = libc_openat(dirfd, &path, flags.bits() as i32, 0o600)
            .err()
            .unwrap_or(0);
        assert_eq!((what, ours), (what, theirs), "freepoll and libc");
        assert_eq!((what, ours), (what, want), "the kernel's errno");
    }
}

#[test]
fn openat_creates_with_the_mode_less_the_umask() {
    let dir = TempDir::new("create");
    let dirfd = open(
        &c(&dir.0),
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .unwrap();
    let fd = openat(
        Dir::Fd(dirfd.as_fd()),
        &cs("new"),
        OFlags::WRONLY | OFlags::CREAT | OFlags::EXCL | OFlags::CLOEXEC,
        Mode::RUSR | Mode::WUSR | Mode::RGRP | Mode::ROTH | Mode::WOTH,
    )
    .unwrap();
    assert_eq!(freepoll::io::write(&fd, b"data").unwrap(), 4);
    let meta = std::fs::metadata(dir.join("new")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777,
        0o646 & !umask()
    );
    assert_eq!(meta.len(), 4);
    // And again: EEXIST.
    let again = openat(
        Dir::Fd(dirfd.as_fd()),
        &cs("new"),
        OFlags::WRONLY | OFlags::CREAT | OFlags::EXCL | OFlags::CLOEXEC,
        Mode::RUSR,
    );
    assert_eq!(again.err(), Some(Errno::EXIST));
}

#[test]
fn openat_status_flags_are_those_libcs_open64_gives() {
    // On a 32-bit target freepoll and glibc's open64 (what C programs built with
    // _FILE_OFFSET_BITS=64 call; its plain `open` does not) add O_LARGEFILE, which F_GETFL
    // shows; on a 64-bit one the kernel adds it for both.
    let dir = TempDir::new("largefile");
    let file = dir.join("file");
    std::fs::write(&file, b"").unwrap();
    for flags in [
        OFlags::RDONLY,
        OFlags::WRONLY | OFlags::APPEND,
        OFlags::RDWR | OFlags::NONBLOCK | OFlags::CLOEXEC,
    ] {
        let ours = open(&c(&file), flags, Mode::empty()).unwrap();
        // SAFETY: a live NUL-terminated path.
        let theirs = common::own(
            unsafe { libc::open64(c(&file).as_ptr(), flags.bits() as i32) },
            "open64",
        );
        assert_eq!(
            get_status_flags(&ours).unwrap().bits(),
            libc_fcntl(&theirs, libc::F_GETFL) as u32,
            "{flags:?}"
        );
        assert_eq!(
            get_fd_flags(&ours).unwrap().bits(),
            libc_fcntl(&theirs, libc::F_GETFD) as u32,
            "{flags:?}"
        );
    }
}

/// What to ask faccessat, relative to what, and the errno the kernel answers.
type AccessCase = (
    &'static str,
    Option<BorrowedFd<'static>>,
    CString,
    Access,
    AtFlags,
    i32,
);

#[test]
fn faccessat_answers_as_libc() {
    let dir = TempDir::new("access");
    let plain = dir.join("plain");
    std::fs::write(&plain, b"").unwrap();
    std::fs::set_permissions(&plain, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let exe = dir.join("exe");
    std::fs::write(&exe, b"").unwrap();
    std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink("nowhere", dir.join("dangling")).unwrap();
    let none = AtFlags::empty();
    let cases: Vec<AccessCase> = vec![
        ("exists", None, c(&plain), Access::EXISTS, none, 0),
        (
            "missing",
            None,
            c(dir.join("missing")),
            Access::EXISTS,
            none,
            libc::ENOENT,
        ),
        (
            "under a file",
            None,
            c(plain.join("x")),
            Access::EXISTS,
            none,
            libc::ENOTDIR,
        ),
        (
            "read and write",
            None,
            c(&plain),
            Access::READ | Access::WRITE,
            none,
            0,
        ),
        // Even root may not execute a file with no execute bit.
        (
            "execute 0o644",
            None,
            c(&plain),
            Access::EXECUTE,
            none,
            libc::EACCES,
        ),
        ("execute 0o755", None, c(&exe), Access::EXECUTE, none, 0),
        (
            "dangling link",
            None,
            c(dir.join("dangling")),
            Access::EXISTS,
            none,
            libc::ENOENT,
        ),
        (
            "closed dir",
            Some(never_open()),
            cs("rel"),
            Access::EXISTS,
            none,
            libc::EBADF,
        ),
        (
            "unknown mode bit",
            None,
            c(&plain),
            Access::from_bits_retain(8),
            none,
            libc::EINVAL,
        ),
    ];
    for (what, dirfd, path, access, flags, want) in cases {
        let ours = our_errno(&faccessat(
            dirfd.map_or(Dir::Cwd, Dir::Fd),
            &path,
            access,
            flags,
        ));
        // SAFETY: a live NUL-terminated path; integers otherwise.
        let theirs = libc_errno(unsafe {
            libc::faccessat(
                dirfd.map_or(libc::AT_FDCWD, |f| f.as_raw_fd()),
                path.as_ptr(),
                access.bits() as i32,
                flags.bits() as i32,
            )
        } as i64);
        assert_eq!((what, ours), (what, theirs), "freepoll and libc");
        assert_eq!((what, ours), (what, want), "the kernel's errno");
    }
}

#[test]
fn faccessat2_flags_answer_as_libc() {
    let dir = TempDir::new("access2");
    let plain = dir.join("plain");
    std::fs::write(&plain, b"").unwrap();
    std::os::unix::fs::symlink("nowhere", dir.join("dangling")).unwrap();
    let dangling = c(dir.join("dangling"));
    let first = faccessat(
        Dir::Cwd,
        &dangling,
        Access::EXISTS,
        AtFlags::SYMLINK_NOFOLLOW,
    );
    if first == Err(Errno::NOSYS) {
        // faccessat2 is Linux 5.8; every kernel the suite boots (5.10 on) has it.
        assert!(
            common::emulated() || !common::kernel_at_least(5, 8),
            "faccessat2 ENOSYS on Linux 5.8 or later"
        );
        let why = if common::emulated() {
            "faccessat2 (ENOSYS: not emulated by this qemu-user)"
        } else {
            "faccessat2 (ENOSYS: Linux 5.8)"
        };
        common::skip(format_args!("{why}"));
        return;
    }
    let cases: Vec<(&str, CString, Access, AtFlags, i32)> = vec![
        // The link itself exists, its target does not.
        (
            "NOFOLLOW on a dangling link",
            dangling.clone(),
            Access::EXISTS,
            AtFlags::SYMLINK_NOFOLLOW,
            0,
        ),
        ("EACCESS read", c(&plain), Access::READ, AtFlags::EACCESS, 0),
        (
            "EACCESS execute",
            c(&plain),
            Access::EXECUTE,
            AtFlags::EACCESS,
            libc::EACCES,
        ),
        (
            "EACCESS missing",
            c(dir.join("missing")),
            Access::EXISTS,
            AtFlags::EACCESS,
            libc::ENOENT,
        ),
        (
            "unknown flag",
            c(&plain),
            Access::EXISTS,
            AtFlags::from_bits_retain(0x1),
            libc::EINVAL,
        ),
    ];
    for (what, path, access, flags, want) in cases {
        let ours = our_errno(&faccessat(Dir::Cwd, &path, access, flags));
        // SAFETY: a live NUL-terminated path; integers otherwise.
        let theirs = libc_errno(unsafe {
            libc::faccessat(
                libc::AT_FDCWD,
                path.as_ptr(),
                access.bits() as i32,
                flags.bits() as i32,
            )
        } as i64);
        assert_eq!((what, ours), (what, theirs), "freepoll and libc");
        assert_eq!((what, ours), (what, want), "the kernel's errno");
    }
}

#[test]
fn fd_flags_round_trip_as_libc_sees_them() {
    let (rx, _tx) = common::pipe(); // O_CLOEXEC
    assert_eq!(get_fd_flags(&rx).unwrap(), FdFlags::CLOEXEC);
    set_fd_flags(&rx, FdFlags::empty()).unwrap();
    assert_eq!(libc_fcntl(&rx, libc::F_GETFD), 0);
    assert_eq!(get_fd_flags(&rx).unwrap(), FdFlags::empty());
    set_fd_flags(&rx, FdFlags::CLOEXEC).unwrap();
    assert_eq!(libc_fcntl(&rx, libc::F_GETFD), libc::FD_CLOEXEC);
}

#[test]
fn status_flags_round_trip_as_libc_sees_them() {
    let (rx, _tx) = common::pipe(); // O_NONBLOCK
    let flags = get_status_flags(&rx).unwrap();
    assert_eq!(flags.bits(), libc_fcntl(&rx, libc::F_GETFL) as u32);
    assert!(flags.contains(OFlags::NONBLOCK));
    assert_eq!(flags & OFlags::ACCMODE, OFlags::RDONLY);
    set_nonblocking(&rx, false).unwrap();
    assert_eq!(libc_fcntl(&rx, libc::F_GETFL) & libc::O_NONBLOCK, 0);
    assert_eq!(
        get_status_flags(&rx).unwrap().bits(),
        flags.difference(OFlags::NONBLOCK).bits()
    );
    set_nonblocking(&rx, true).unwrap();
    assert_eq!(get_status_flags(&rx).unwrap(), flags);

    // APPEND on a file, and the access mode is not changed by F_SETFL.
    let dir = TempDir::new("append");
    let fd = open(
        &c(dir.join("f")),
        OFlags::WRONLY | OFlags::CREAT | OFlags::CLOEXEC,
        Mode::RUSR | Mode::WUSR,
    )
    .unwrap();
    let before = get_status_flags(&fd).unwrap();
    set_status_flags(&fd, before | OFlags::APPEND | OFlags::RDWR).unwrap();
    let after = libc_fcntl(&fd, libc::F_GETFL);
    assert_eq!(after & libc::O_APPEND, libc::O_APPEND);
    assert_eq!(after & libc::O_ACCMODE, libc::O_WRONLY);
}

#[test]
fn fcntl_and_ioctl_on_a_closed_descriptor_are_ebadf_as_libc() {
    assert_eq!(get_fd_flags(never_open()).err(), Some(Errno::BADF));
    assert_eq!(
        set_fd_flags(never_open(), FdFlags::CLOEXEC).err(),
        Some(Errno::BADF)
    );
    assert_eq!(get_status_flags(never_open()).err(), Some(Errno::BADF));
    assert_eq!(
        set_status_flags(never_open(), OFlags::empty()).err(),
        Some(Errno::BADF)
    );
    assert_eq!(ioctl_fionbio(never_open(), true).err(), Some(Errno::BADF));
    assert_eq!(ioctl_fionread(never_open()).err(), Some(Errno::BADF));
    assert_eq!(tcgetpgrp(never_open()).err(), Some(Errno::BADF));
    // SAFETY: integers only; the descriptor is never open.
    let theirs = libc_errno(unsafe { libc::fcntl(i32::MAX, libc::F_GETFD) } as i64);
    assert_eq!(theirs, libc::EBADF);
}

#[test]
fn fionbio_sets_and_clears_nonblock_as_fcntl_shows() {
    let (rx, _tx) = common::pipe();
    ioctl_fionbio(&rx, false).unwrap();
    assert_eq!(libc_fcntl(&rx, libc::F_GETFL) & libc::O_NONBLOCK, 0);
    ioctl_fionbio(&rx, true).unwrap();
    assert_eq!(
        libc_fcntl(&rx, libc::F_GETFL) & libc::O_NONBLOCK,
        libc::O_NONBLOCK
    );
    // libc's FIONBIO has the same effect.
    let off: libc::c_int = 0;
    // SAFETY: FIONBIO reads one int from a live variable.
    let rc = unsafe { libc::ioctl(rx.as_raw_fd(), libc::FIONBIO as _, &off) };
    assert_eq!(rc, 0);
    assert!(!get_status_flags(&rx).unwrap().contains(OFlags::NONBLOCK));
}

#[test]
fn fionread_counts_the_bytes_libc_counts() {
    let (rx, tx) = common::pipe();
    assert_eq!(ioctl_fionread(&rx).unwrap(), 0);
    common::write_all(&tx, b"hello");
    let theirs = {
        let mut n: libc::c_int = -1;
        // SAFETY: FIONREAD writes one int to a live variable.
        let rc = unsafe { libc::ioctl(rx.as_raw_fd(), libc::FIONREAD as _, &mut n) };
        assert_eq!(rc, 0);
        n
    };
    assert_eq!(ioctl_fionread(&rx).unwrap(), 5);
    assert_eq!(theirs, 5);

    // A regular file: what is left after the offset.
    let dir = TempDir::new("fionread");
    let path = dir.join("f");
    std::fs::write(&path, b"0123456789").unwrap();
    let fd = open(&c(&path), OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()).unwrap();
    let mut three = [0u8; 3];
    freepoll::io::read(&fd, &mut three).unwrap();
    assert_eq!(ioctl_fionread(&fd).unwrap(), 7);

    // An object that does not answer FIONREAD: libc's errno.
    let efd = common::eventfd(0);
    let ours = our_errno(&ioctl_fionread(&efd));
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes at most one int to a live variable.
    let theirs =
        libc_errno(unsafe { libc::ioctl(efd.as_raw_fd(), libc::FIONREAD as _, &mut n) } as i64);
    assert_eq!(ours, theirs);
    assert_eq!(ours, libc::ENOTTY);
}

#[test]
fn tcgetpgrp_and_tcsetpgrp_on_a_non_terminal_are_enotty_as_libc() {
    let (rx, _tx) = common::pipe();
    assert_eq!(tcgetpgrp(&rx).err(), Some(Errno::NOTTY));
    // SAFETY: integers only; the descriptor is open.
    assert_eq!(
        libc_errno(unsafe { libc::tcgetpgrp(rx.as_raw_fd()) } as i64),
        libc::ENOTTY
    );
    // SAFETY: getpgrp takes nothing.
    let pgrp = unsafe { libc::getpgrp() };
    assert_eq!(tcsetpgrp(&rx, pgrp).err(), Some(Errno::NOTTY));
    // SAFETY: integers only; the descriptor is open.
    assert_eq!(
        libc_errno(unsafe { libc::tcsetpgrp(rx.as_raw_fd(), pgrp) } as i64),
        libc::ENOTTY
    );
}

#[test]
fn tcgetpgrp_and_tcsetpgrp_on_the_controlling_terminal() {
    // A pseudo-terminal becomes the controlling terminal of a child that starts a session
    // and opens it; the child then reads and sets its foreground group through freepoll.
    // SAFETY: plain libc calls on the descriptor they return; `name` has room for the path.
    let (master, name) = unsafe {
        let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        if fd < 0 {
            let err = std::io::Error::last_os_error();
            common::skip(format_args!("pseudo-terminals (posix_openpt: {err})"));
            return;
        }
        let master = common::own(fd, "posix_openpt");
        assert_eq!(libc::grantpt(fd), 0);
        assert_eq!(libc::unlockpt(fd), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(fd, name.as_mut_ptr(), name.len()), 0);
        (master, name)
    };
    static NAME: std::sync::OnceLock<[libc::c_char; 128]> = std::sync::OnceLock::new();
    NAME.set(name).unwrap();
    fn child() -> ! {
        // Only system calls from here: no allocation, no printing.
        let name = NAME.get().unwrap();
        // SAFETY: setsid, open, getpid, _exit: plain calls; `name` is NUL-terminated.
        unsafe {
            let me = libc::setsid();
            if me < 0 {
                libc::_exit(10);
            }
            let fd = libc::open(name.as_ptr(), libc::O_RDWR); // no O_NOCTTY: the ctty now
            if fd < 0 {
                libc::_exit(11);
            }
            let tty = BorrowedFd::borrow_raw(fd);
            let code = match tcgetpgrp(tty) {
                Ok(pgid) if pgid == me => match tcsetpgrp(tty, me) {
                    Ok(()) => match tcsetpgrp(tty, -1) {
                        Err(Errno::INVAL) => 0,
                        _ => 14,
                    },
                    Err(_) => 13,
                },
                _ => 12,
            };
            libc::_exit(code)
        }
    }
    let mut kid = common::Child::spawn(child);
    let mut status = 0;
    // SAFETY: waits for our own child; `status` is a live int.
    let rc = unsafe { libc::waitpid(kid.pid, &mut status, 0) };
    assert_eq!(rc, kid.pid);
    kid.reaped();
    drop(master);
    assert!(libc::WIFEXITED(status), "status {status:#x}");
    assert_eq!(
        libc::WEXITSTATUS(status),
        0,
        "10 setsid, 11 open, 12 tcgetpgrp, 13 tcsetpgrp, 14 tcsetpgrp(-1) not EINVAL"
    );
}

#[test]
fn mount_errors_match_libc() {
    let dir = TempDir::new("mount");
    let missing = c(dir.join("missing"));
    let target = c(&dir.0);
    let none = MountFlags::empty();
    let cases: Vec<(&str, CString, CString)> = vec![
        (
            "unknown filesystem type",
            target.clone(),
            cs("freepoll-no-such-fs"),
        ),
        ("missing target", missing, cs("tmpfs")),
    ];
    for (what, target, fstype) in cases {
        let ours = our_errno(&mount(&cs("none"), &target, &fstype, none, None));
        // SAFETY: live NUL-terminated strings and a NULL data pointer.
        let theirs = libc_errno(unsafe {
            libc::mount(
                cs("none").as_ptr(),
                target.as_ptr(),
                fstype.as_ptr(),
                0,
                std::ptr::null(),
            )
        } as i64);
        assert_eq!((what, ours), (what, theirs), "freepoll and libc");
    }
}

#[test]
fn mount_of_a_tmpfs_shows_a_new_filesystem() {
    let dir = TempDir::new("tmpfs");
    let target = c(&dir.0);
    let before = statx(Dir::Cwd, &target, AtFlags::empty(), StatxFlags::BASIC_STATS).unwrap();
    match mount(
        &cs("freepoll"),
        &target,
        &cs("tmpfs"),
        MountFlags::NOSUID,
        Some(&cs("mode=0700")),
    ) {
        Ok(()) => {}
        Err(e @ (Errno::PERM | Errno::ACCES)) => {
            common::skip(format_args!("mount (tmpfs: {e:?}: needs CAP_SYS_ADMIN)"));
            return;
        }
        Err(e) => panic!("mount: {e}"),
    }
    let after = statx(Dir::Cwd, &target, AtFlags::empty(), StatxFlags::BASIC_STATS).unwrap();
    // SAFETY: a live NUL-terminated path.
    let umounted = unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
    assert_eq!(umounted, 0, "umount2: {}", std::io::Error::last_os_error());
    assert_ne!(after.dev(), before.dev());
    assert_eq!(after.mode().bits(), 0o700);
}
