//! Files and devices by path, for the descriptors a loop waits on: [`openat`] (a FIFO, a
//! device node, a sysfs attribute, a directory to watch), [`faccessat`], [`statx`] (what kind
//! of file a path or descriptor is, and a device's numbers), the [`fcntl`](get_status_flags)
//! flags and the `ioctl`s a loop uses on any descriptor ([`ioctl_fionbio`],
//! [`ioctl_fionread`]), and [`mount`] for a program that starts with nothing mounted. Paths
//! are `&CStr`: nothing is copied or allocated on the way to the kernel.
//!
//! ```
//! use freepoll::fs::{fstat, open, FileType, Mode, OFlags};
//! # let null = std::ffi::CString::new("/dev/null").unwrap();
//! // `null` is "/dev/null" as a `&CStr`.
//! let fd = open(&null, OFlags::RDWR | OFlags::CLOEXEC | OFlags::NONBLOCK, Mode::empty())?;
//! let st = fstat(&fd)?;
//! assert_eq!(st.file_type(), Some(FileType::CharDevice));
//! assert_eq!(st.rdev(), (1, 3));
//! # Ok::<(), freepoll::Errno>(())
//! ```
//!
//! # Traps
//!
//! **Flags belong to the open file description, not to the descriptor.** `O_NONBLOCK` and
//! `O_APPEND` ([`set_status_flags`], [`ioctl_fionbio`]) change every descriptor that shares
//! the description: those `dup`ed from it, and those a child inherited. Making a shared
//! terminal non-blocking surprises every other process on it. Only `FD_CLOEXEC`
//! ([`set_fd_flags`]) is the descriptor's own.
//!
//! Nothing here retries: `EINTR` (an open of a FIFO that waits for its other end) comes back
//! to the caller. And `O_CLOEXEC` is the caller's to ask for, as with every call here.

use crate::arch::{nr, syscall2, syscall3, syscall4, syscall5};
use crate::errno::{decode_raw, Result};
use crate::fd::{decode_new_fd, AsFd, AsRawFd, BorrowedFd, OwnedFd};
use crate::io::{O_CLOEXEC, O_NONBLOCK};
#[cfg(doc)]
use crate::Errno;
use bitflags::bitflags;
use core::ffi::CStr;
use static_assertions::const_assert_eq;

/// `AT_FDCWD` (`include/uapi/linux/fcntl.h`): a relative path is relative to the current
/// directory.
const AT_FDCWD: isize = -100;

/// The fcntl(2) commands used here (`include/uapi/asm-generic/fcntl.h`, the same on every
/// architecture freepoll supports).
const F_GETFD: usize = 1;
const F_SETFD: usize = 2;
const F_GETFL: usize = 3;
const F_SETFL: usize = 4;

/// The directory a relative path starts from.
#[derive(Clone, Copy, Debug)]
pub enum Dir<'fd> {
    /// `AT_FDCWD`: the current directory.
    Cwd,
    /// An open directory (opened with `O_DIRECTORY` or `O_PATH`, or any descriptor with
    /// `AtFlags::EMPTY_PATH` and an empty path).
    Fd(BorrowedFd<'fd>),
}

impl<'fd> From<BorrowedFd<'fd>> for Dir<'fd> {
    #[inline]
    fn from(fd: BorrowedFd<'fd>) -> Dir<'fd> {
        Dir::Fd(fd)
    }
}

impl Dir<'_> {
    /// The `dirfd` argument: the descriptor's number, or `AT_FDCWD`.
    #[inline]
    fn raw(self) -> usize {
        match self {
            Dir::Cwd => AT_FDCWD as usize,
            Dir::Fd(fd) => fd.as_raw_fd() as isize as usize,
        }
    }
}

bitflags! {
    /// Flags for [`openat`] and the status flags of [`get_status_flags`]
    /// (`include/uapi/asm-generic/fcntl.h`, with the architecture's own `O_DIRECTORY`,
    /// `O_NOFOLLOW` and `O_DIRECT`).
    ///
    /// The access mode is the two low bits: [`RDONLY`](Self::RDONLY) (0, the absence of the
    /// other two), [`WRONLY`](Self::WRONLY) or [`RDWR`](Self::RDWR); compare
    /// `flags & OFlags::ACCMODE` with one of them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct OFlags: u32 {
        /// `O_RDONLY` (0): open for reading only.
        const RDONLY = 0;
        /// `O_WRONLY`: open for writing only.
        const WRONLY = 0o1;
        /// `O_RDWR`: open for reading and writing.
        const RDWR = 0o2;
        /// `O_ACCMODE`: the access mode bits.
        const ACCMODE = 0o3;
        /// `O_CREAT`: create the file if it does not exist, with the mode given.
        const CREAT = 0o100;
        /// `O_EXCL`: with `CREAT`, fail with `EEXIST` if the path exists (a symbolic link
        /// included, even a dangling one).
        const EXCL = 0o200;
        /// `O_NOCTTY`: a terminal opened does not become the controlling terminal.
        const NOCTTY = 0o400;
        /// `O_TRUNC`: truncate a regular file opened for writing to length 0.
        const TRUNC = 0o1000;
        /// `O_APPEND`: every write goes to the end of the file.
        const APPEND = 0o2000;
        /// `O_NONBLOCK`: the open does not wait (a FIFO with no other end), and neither do
        /// reads and writes after it: `EAGAIN` instead.
        const NONBLOCK = O_NONBLOCK;
        /// `O_DSYNC`: each write returns once its data is on the device.
        const DSYNC = 0o10_000;
        /// `O_ASYNC` (`FASYNC`): signal-driven I/O (takes effect through `set_status_flags`;
        /// open(2) ignores it).
        const ASYNC = 0o20_000;
        /// `O_DIRECT`: I/O bypasses the page cache, with alignment rules. Its value depends
        /// on the architecture.
        const DIRECT = crate::arch::O_DIRECT;
        /// `O_DIRECTORY`: fail with `ENOTDIR` unless the path is a directory. Its value
        /// depends on the architecture.
        const DIRECTORY = crate::arch::O_DIRECTORY;
        /// `O_NOFOLLOW`: fail with `ELOOP` if the last component is a symbolic link. Its
        /// value depends on the architecture.
        const NOFOLLOW = crate::arch::O_NOFOLLOW;
        /// `O_NOATIME`: reads do not update the access time (owner or `CAP_FOWNER` only:
        /// `EPERM` otherwise).
        const NOATIME = 0o1_000_000;
        /// `O_CLOEXEC`: close the descriptor on `execve`.
        const CLOEXEC = O_CLOEXEC;
        /// `O_SYNC`: each write returns once its data and metadata are on the device
        /// (`__O_SYNC | O_DSYNC`).
        const SYNC = 0o4_010_000;
        /// `O_PATH`: a descriptor that only names a place in the tree (for `*at` calls,
        /// `fstat`, `fchdir`); no reads or writes.
        const PATH = 0o10_000_000;
        /// `O_TMPFILE`: an unnamed regular file in the directory `path` names, which must be
        /// opened with `WRONLY` or `RDWR` (`__O_TMPFILE | O_DIRECTORY`).
        const TMPFILE = 0o20_000_000 | crate::arch::O_DIRECTORY;
    }
}

bitflags! {
    /// Permission bits for a file [`openat`] creates (`include/uapi/linux/stat.h`), and the
    /// permission part of [`Statx::mode`]. The process's umask clears bits from it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Mode: u32 {
        /// `S_ISUID`: set-user-ID on execution.
        const SUID = 0o4000;
        /// `S_ISGID`: set-group-ID on execution (or, on a directory, new entries take its
        /// group).
        const SGID = 0o2000;
        /// `S_ISVTX`: sticky (a directory's entries can be removed by their owner only).
        const SVTX = 0o1000;
        /// `S_IRWXU`: the owner may read, write, execute.
        const RWXU = 0o700;
        /// `S_IRUSR`: the owner may read.
        const RUSR = 0o400;
        /// `S_IWUSR`: the owner may write.
        const WUSR = 0o200;
        /// `S_IXUSR`: the owner may execute (or search a directory).
        const XUSR = 0o100;
        /// `S_IRWXG`: the group may read, write, execute.
        const RWXG = 0o70;
        /// `S_IRGRP`: the group may read.
        const RGRP = 0o40;
        /// `S_IWGRP`: the group may write.
        const WGRP = 0o20;
        /// `S_IXGRP`: the group may execute.
        const XGRP = 0o10;
        /// `S_IRWXO`: others may read, write, execute.
        const RWXO = 0o7;
        /// `S_IROTH`: others may read.
        const ROTH = 0o4;
        /// `S_IWOTH`: others may write.
        const WOTH = 0o2;
        /// `S_IXOTH`: others may execute.
        const XOTH = 0o1;
    }
}

bitflags! {
    /// What [`faccessat`] checks (`include/uapi/linux/fcntl.h`'s `unistd.h` values).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Access: u32 {
        /// `F_OK` (0): only that the path exists.
        const EXISTS = 0;
        /// `R_OK`: read permission.
        const READ = 4;
        /// `W_OK`: write permission.
        const WRITE = 2;
        /// `X_OK`: execute (search) permission.
        const EXECUTE = 1;
    }
}

bitflags! {
    /// `AT_*` flags for [`faccessat`] and [`statx`] (`include/uapi/linux/fcntl.h`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct AtFlags: u32 {
        /// `AT_SYMLINK_NOFOLLOW`: a symbolic link as the last component is itself the
        /// object.
        const SYMLINK_NOFOLLOW = 0x100;
        /// `AT_EACCESS` (faccessat): check with the effective user and group IDs, as open(2)
        /// would, instead of the real ones.
        const EACCESS = 0x200;
        /// `AT_NO_AUTOMOUNT` (statx): do not trigger an automount at the last component.
        const NO_AUTOMOUNT = 0x800;
        /// `AT_EMPTY_PATH`: with an empty path, the object is `dir`'s descriptor itself.
        const EMPTY_PATH = 0x1000;
        /// `AT_STATX_FORCE_SYNC` (statx): a network filesystem fetches fresh attributes.
        const STATX_FORCE_SYNC = 0x2000;
        /// `AT_STATX_DONT_SYNC` (statx): a network filesystem may answer from its cache.
        const STATX_DONT_SYNC = 0x4000;
    }
}

bitflags! {
    /// The `STATX_*` fields [`statx`] is asked for and says it filled in
    /// (`include/uapi/linux/stat.h`). A filesystem may fill in more or fewer than asked.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct StatxFlags: u32 {
        /// `STATX_TYPE`: the file type bits of the mode.
        const TYPE = 0x0001;
        /// `STATX_MODE`: the permission bits of the mode.
        const MODE = 0x0002;
        /// `STATX_NLINK`: the link count.
        const NLINK = 0x0004;
        /// `STATX_UID`: the owner.
        const UID = 0x0008;
        /// `STATX_GID`: the group.
        const GID = 0x0010;
        /// `STATX_ATIME`: the last access time.
        const ATIME = 0x0020;
        /// `STATX_MTIME`: the last modification time.
        const MTIME = 0x0040;
        /// `STATX_CTIME`: the last status change time.
        const CTIME = 0x0080;
        /// `STATX_INO`: the inode number.
        const INO = 0x0100;
        /// `STATX_SIZE`: the size.
        const SIZE = 0x0200;
        /// `STATX_BLOCKS`: the blocks allocated.
        const BLOCKS = 0x0400;
        /// `STATX_BASIC_STATS`: everything `stat(2)` gives, `TYPE` to `BLOCKS`.
        const BASIC_STATS = 0x07ff;
        /// `STATX_BTIME`: the creation time.
        const BTIME = 0x0800;
        /// `STATX_MNT_ID`: the mount ID (Linux 5.8).
        const MNT_ID = 0x1000;
        /// `STATX_DIOALIGN`: the direct I/O alignments (Linux 6.1).
        const DIOALIGN = 0x2000;
    }
}

bitflags! {
    /// The descriptor's own flags (`F_GETFD`, `F_SETFD`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct FdFlags: u32 {
        /// `FD_CLOEXEC`: close the descriptor on `execve`.
        const CLOEXEC = 1;
    }
}

bitflags! {
    /// Flags for [`mount`] (`include/uapi/linux/mount.h`, `MS_*`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MountFlags: u32 {
        /// `MS_RDONLY`: read-only.
        const RDONLY = 1;
        /// `MS_NOSUID`: set-user-ID and set-group-ID bits are ignored.
        const NOSUID = 2;
        /// `MS_NODEV`: device nodes on it cannot be opened.
        const NODEV = 4;
        /// `MS_NOEXEC`: programs on it cannot be executed.
        const NOEXEC = 8;
        /// `MS_SYNCHRONOUS`: writes are synchronous.
        const SYNCHRONOUS = 16;
        /// `MS_REMOUNT`: change the flags of an existing mount.
        const REMOUNT = 32;
        /// `MS_MANDLOCK`: allow mandatory locks.
        const MANDLOCK = 64;
        /// `MS_DIRSYNC`: directory changes are synchronous.
        const DIRSYNC = 128;
        /// `MS_NOSYMFOLLOW`: symbolic links on it are not followed (Linux 5.10).
        const NOSYMFOLLOW = 256;
        /// `MS_NOATIME`: no access times.
        const NOATIME = 1024;
        /// `MS_NODIRATIME`: no access times on directories.
        const NODIRATIME = 2048;
        /// `MS_BIND`: a bind mount of `source`.
        const BIND = 4096;
        /// `MS_MOVE`: move the mount at `source` to `target`.
        const MOVE = 8192;
        /// `MS_REC`: with `BIND` or a propagation flag, the whole subtree.
        const REC = 16384;
        /// `MS_SILENT`: fewer kernel log messages.
        const SILENT = 32768;
        /// `MS_UNBINDABLE`: make the mount unbindable.
        const UNBINDABLE = 1 << 17;
        /// `MS_PRIVATE`: make the mount private.
        const PRIVATE = 1 << 18;
        /// `MS_SLAVE`: make the mount a slave.
        const SLAVE = 1 << 19;
        /// `MS_SHARED`: make the mount shared.
        const SHARED = 1 << 20;
        /// `MS_RELATIME`: access times updated relative to modification times.
        const RELATIME = 1 << 21;
        /// `MS_STRICTATIME`: every access updates the access time.
        const STRICTATIME = 1 << 24;
        /// `MS_LAZYTIME`: timestamps are written back lazily.
        const LAZYTIME = 1 << 25;
    }
}

/// What kind of file a [`Statx`] describes (`S_IFMT` of its mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileType {
    /// `S_IFREG`: a regular file.
    Regular,
    /// `S_IFDIR`: a directory.
    Directory,
    /// `S_IFLNK`: a symbolic link (seen only with `SYMLINK_NOFOLLOW`).
    Symlink,
    /// `S_IFCHR`: a character device.
    CharDevice,
    /// `S_IFBLK`: a block device.
    BlockDevice,
    /// `S_IFIFO`: a FIFO (named pipe), or a pipe.
    Fifo,
    /// `S_IFSOCK`: a socket.
    Socket,
}

impl FileType {
    /// The type in the `S_IFMT` bits of `mode`, if they name one.
    #[inline]
    pub const fn from_mode(mode: u32) -> Option<FileType> {
        match mode & 0o170_000 {
            0o100_000 => Some(FileType::Regular),
            0o040_000 => Some(FileType::Directory),
            0o120_000 => Some(FileType::Symlink),
            0o020_000 => Some(FileType::CharDevice),
            0o060_000 => Some(FileType::BlockDevice),
            0o010_000 => Some(FileType::Fifo),
            0o140_000 => Some(FileType::Socket),
            _ => None,
        }
    }
}

/// `struct statx_timestamp` (`include/uapi/linux/stat.h`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct StatxTimestamp {
    /// `tv_sec`: seconds since the Epoch.
    pub tv_sec: i64,
    /// `tv_nsec`: nanoseconds, 0 to 999,999,999.
    pub tv_nsec: u32,
    __reserved: i32,
}

const_assert_eq!(core::mem::size_of::<StatxTimestamp>(), 16);

/// `struct statx` (`include/uapi/linux/stat.h`, 256 bytes on every architecture), as
/// [`statx`] returns it. A field means something only if its bit is in [`mask`](Self::mask).
#[doc(alias = "statx")]
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct Statx {
    stx_mask: u32,
    stx_blksize: u32,
    stx_attributes: u64,
    stx_nlink: u32,
    stx_uid: u32,
    stx_gid: u32,
    stx_mode: u16,
    __spare0: u16,
    stx_ino: u64,
    stx_size: u64,
    stx_blocks: u64,
    stx_attributes_mask: u64,
    stx_atime: StatxTimestamp,
    stx_btime: StatxTimestamp,
    stx_ctime: StatxTimestamp,
    stx_mtime: StatxTimestamp,
    stx_rdev_major: u32,
    stx_rdev_minor: u32,
    stx_dev_major: u32,
    stx_dev_minor: u32,
    stx_mnt_id: u64,
    stx_dio_mem_align: u32,
    stx_dio_offset_align: u32,
    /// The fields newer kernels add (`stx_subvol`, the atomic write sizes, ...) and spare
    /// room, zero unless their `STATX_*` bit is asked for.
    __spare3: [u64; 12],
}

// The kernel's size and alignment; every field is at the offset its natural alignment gives in
// C, which tests/fs.rs checks field by field through a libc `statx` with a distinct value in
// each.
const_assert_eq!(core::mem::size_of::<Statx>(), 256);
const_assert_eq!(core::mem::align_of::<Statx>(), core::mem::align_of::<u64>());

impl core::fmt::Debug for Statx {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Statx")
            .field("mask", &self.mask())
            .field("file_type", &self.file_type())
            .field("mode", &self.stx_mode)
            .field("size", &self.stx_size)
            .field("ino", &self.stx_ino)
            .field("rdev", &self.rdev())
            .finish_non_exhaustive()
    }
}

impl Statx {
    /// `stx_mask`: the fields the kernel filled in.
    #[inline]
    pub const fn mask(&self) -> StatxFlags {
        StatxFlags::from_bits_retain(self.stx_mask)
    }

    /// The file's type (`stx_mode & S_IFMT`), or `None` if the kernel did not report it.
    #[inline]
    pub const fn file_type(&self) -> Option<FileType> {
        if self.stx_mask & StatxFlags::TYPE.bits() == 0 {
            return None;
        }
        FileType::from_mode(self.stx_mode as u32)
    }

    /// The permission bits (`stx_mode & 0o7777`).
    #[inline]
    pub const fn mode(&self) -> Mode {
        Mode::from_bits_retain(self.stx_mode as u32 & 0o7777)
    }

    /// `stx_mode` whole: type and permission bits.
    #[inline]
    pub const fn raw_mode(&self) -> u16 {
        self.stx_mode
    }

    /// `stx_size`: the size in bytes (of a regular file, a symbolic link's target path, ...).
    #[inline]
    pub const fn size(&self) -> u64 {
        self.stx_size
    }

    /// `stx_ino`: the inode number.
    #[inline]
    pub const fn ino(&self) -> u64 {
        self.stx_ino
    }

    /// `stx_nlink`: the number of hard links.
    #[inline]
    pub const fn nlink(&self) -> u32 {
        self.stx_nlink
    }

    /// `stx_uid`: the owner.
    #[inline]
    pub const fn uid(&self) -> u32 {
        self.stx_uid
    }

    /// `stx_gid`: the group.
    #[inline]
    pub const fn gid(&self) -> u32 {
        self.stx_gid
    }

    /// `stx_blksize`: the preferred I/O block size.
    #[inline]
    pub const fn blksize(&self) -> u32 {
        self.stx_blksize
    }

    /// `stx_blocks`: 512-byte blocks allocated.
    #[inline]
    pub const fn blocks(&self) -> u64 {
        self.stx_blocks
    }

    /// `(stx_rdev_major, stx_rdev_minor)`: the device a device node stands for (`(1, 3)`
    /// for `/dev/null`); `(0, 0)` for other files.
    #[inline]
    pub const fn rdev(&self) -> (u32, u32) {
        (self.stx_rdev_major, self.stx_rdev_minor)
    }

    /// `(stx_dev_major, stx_dev_minor)`: the device of the filesystem the file is on.
    #[inline]
    pub const fn dev(&self) -> (u32, u32) {
        (self.stx_dev_major, self.stx_dev_minor)
    }

    /// `stx_mtime`: the last modification time.
    #[inline]
    pub const fn mtime(&self) -> StatxTimestamp {
        self.stx_mtime
    }

    /// `stx_mnt_id`: the mount ID, where `mask` has `MNT_ID` (Linux 5.8).
    #[inline]
    pub const fn mnt_id(&self) -> u64 {
        self.stx_mnt_id
    }
}

/// `openat(dir, path, flags | O_LARGEFILE, mode)`: opens (or with `CREAT`, creates) the file
/// at `path`, relative to `dir` unless absolute.
///
/// `mode` applies only to a file created (`CREAT` or `TMPFILE`), less the umask; pass
/// `Mode::empty()` otherwise. `O_LARGEFILE` is always added, as C libraries do, so that a
/// 32-bit program can open files over 2 GiB (a 64-bit kernel adds it by itself).
///
/// # Errors
/// - [`Errno::NOENT`]: a component of `path` does not exist (or the file, without `CREAT`;
///   or `path` is empty).
/// - [`Errno::NOTDIR`]: a component of `path` is not a directory, or `DIRECTORY` and the
///   file is not one.
/// - [`Errno::ACCES`]: the access asked is not permitted, or a directory on the way cannot be
///   searched.
/// - [`Errno::EXIST`]: `CREAT | EXCL` and `path` exists.
/// - [`Errno::LOOP`]: `NOFOLLOW` and the last component is a symbolic link, or too many
///   links on the way.
/// - [`Errno::ISDIR`]: a directory opened for writing.
/// - [`Errno::NXIO`]: `NONBLOCK | WRONLY` on a FIFO with no reader, or a device node with no
///   device.
/// - [`Errno::NODEV`]: a device node whose driver is missing.
/// - [`Errno::ROFS`], [`Errno::TXTBSY`]: writing to a read-only filesystem, or to a program
///   being executed.
/// - [`Errno::PERM`]: `NOATIME` on a file the caller does not own, or a seal or lease forbids
///   it.
/// - [`Errno::INVAL`]: a bad flag combination (`TMPFILE` without `WRONLY` or `RDWR`),
///   `DIRECT` where the filesystem does not support it.
/// - [`Errno::OPNOTSUPP`]: `TMPFILE` on a filesystem without it.
/// - [`Errno::NAMETOOLONG`], [`Errno::MFILE`], [`Errno::NFILE`], [`Errno::NOMEM`],
///   [`Errno::NOSPC`], [`Errno::DQUOT`]: as named.
/// - [`Errno::INTR`]: a signal handler ran while the open waited (a FIFO's other end).
/// - [`Errno::AGAIN`]: `NONBLOCK` and the file has a conflicting lease.
///
/// # References
/// - [openat(2)](https://man7.org/linux/man-pages/man2/openat.2.html)
#[doc(alias = "open")]
#[inline]
pub fn openat(dir: Dir<'_>, path: &CStr, flags: OFlags, mode: Mode) -> Result<OwnedFd> {
    let flags = flags.bits() | crate::arch::O_LARGEFILE;
    // SAFETY: `dir` is borrowed (open for the call) or AT_FDCWD; `path` is a NUL-terminated
    // string the kernel only reads, up to its NUL.
    let ret = unsafe {
        syscall4(
            nr::OPENAT,
            dir.raw(),
            path.as_ptr() as usize,
            flags as usize,
            mode.bits() as usize,
        )
    };
    // SAFETY: on success openat returns a new descriptor that nothing else owns.
    unsafe { decode_new_fd(ret) }
}

/// `openat(AT_FDCWD, path, flags | O_LARGEFILE, mode)`: [`openat`] from the current
/// directory.
///
/// # Errors
/// As [`openat`].
///
/// # References
/// - [open(2)](https://man7.org/linux/man-pages/man2/open.2.html)
#[inline]
pub fn open(path: &CStr, flags: OFlags, mode: Mode) -> Result<OwnedFd> {
    openat(Dir::Cwd, path, flags, mode)
}

/// `faccessat(dir, path, access)`, or `faccessat2(dir, path, access, flags)` when `flags`
/// is not empty: whether this process may access `path` as asked.
///
/// Without flags the check uses the real user and group IDs, as access(2) does. With flags
/// it needs faccessat2 (Linux 5.8); on an older kernel that is `ENOSYS`, returned as it is
/// (no emulation in user space, which could not be exact).
///
/// # Errors
/// - [`Errno::ACCES`]: the access is refused, or a directory on the way cannot be searched.
///   Root passes read and write checks whatever the mode, and an execute check only if some
///   execute bit is set.
/// - [`Errno::NOENT`], [`Errno::NOTDIR`], [`Errno::LOOP`], [`Errno::NAMETOOLONG`]: as for
///   [`openat`].
/// - [`Errno::ROFS`]: `WRITE` on a read-only filesystem.
/// - [`Errno::TXTBSY`]: `WRITE` on a program being executed.
/// - [`Errno::INVAL`]: an unknown bit in `access` or `flags`.
/// - [`Errno::NOSYS`]: `flags` not empty and the kernel is older than 5.8.
///
/// # References
/// - [faccessat(2)](https://man7.org/linux/man-pages/man2/faccessat.2.html)
#[doc(alias = "access")]
#[doc(alias = "faccessat2")]
#[inline]
pub fn faccessat(dir: Dir<'_>, path: &CStr, access: Access, flags: AtFlags) -> Result<()> {
    let ret = if flags.is_empty() {
        // SAFETY: `dir` is borrowed or AT_FDCWD; `path` is a NUL-terminated string the kernel
        // only reads.
        unsafe {
            syscall3(
                nr::FACCESSAT,
                dir.raw(),
                path.as_ptr() as usize,
                access.bits() as usize,
            )
        }
    } else {
        // SAFETY: as above; the flags are an integer.
        unsafe {
            syscall4(
                nr::FACCESSAT2,
                dir.raw(),
                path.as_ptr() as usize,
                access.bits() as usize,
                flags.bits() as usize,
            )
        }
    };
    decode_raw(ret).map(drop)
}

/// `statx(dir, path, flags, mask, &statx)`: what the kernel knows of the file at `path`
/// (Linux 4.11): its type, permissions, size, device numbers, times.
///
/// With `AtFlags::SYMLINK_NOFOLLOW` a symbolic link is described itself; with
/// `AtFlags::EMPTY_PATH` and an empty `path`, the descriptor of `dir` (see [`fstat`]).
///
/// # Errors
/// - [`Errno::NOENT`], [`Errno::NOTDIR`], [`Errno::LOOP`], [`Errno::NAMETOOLONG`],
///   [`Errno::ACCES`]: as for [`openat`] (an empty `path` without `EMPTY_PATH` is
///   `ENOENT`).
/// - [`Errno::INVAL`]: an unknown bit in `flags`, or both `STATX_FORCE_SYNC` and
///   `STATX_DONT_SYNC`, or a reserved bit in `mask`.
/// - [`Errno::NOMEM`]: no kernel memory.
///
/// # References
/// - [statx(2)](https://man7.org/linux/man-pages/man2/statx.2.html)
#[doc(alias = "stat")]
#[doc(alias = "lstat")]
#[doc(alias = "fstatat")]
#[inline]
pub fn statx(dir: Dir<'_>, path: &CStr, flags: AtFlags, mask: StatxFlags) -> Result<Statx> {
    statx_raw(dir.raw(), path.as_ptr() as usize, flags, mask)
}

/// `statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &statx)`: [`statx`] of an open
/// descriptor (any kind: a pipe, a socket, a device), as fstat(2) describes it.
///
/// # Errors
/// - [`Errno::NOMEM`]: no kernel memory.
///
/// # References
/// - [statx(2)](https://man7.org/linux/man-pages/man2/statx.2.html)
#[inline]
pub fn fstat(fd: impl AsFd) -> Result<Statx> {
    let empty: &[u8; 1] = b"\0";
    statx_raw(
        fd.as_fd().as_raw_fd() as isize as usize,
        empty.as_ptr() as usize,
        AtFlags::EMPTY_PATH,
        StatxFlags::BASIC_STATS,
    )
}

/// statx with `dirfd` and `path` already in registers.
///
/// `dirfd` is `AT_FDCWD` or a descriptor open for the call, and `path` the address of a
/// NUL-terminated string live for the call (the callers borrow both).
#[inline]
fn statx_raw(dirfd: usize, path: usize, flags: AtFlags, mask: StatxFlags) -> Result<Statx> {
    let mut out = Statx::default();
    // SAFETY: `dirfd` and `path` are as the contract above says; `out` is valid for writes
    // of `size_of::<Statx>()` (256) bytes, the size of the kernel's `struct statx`, which is
    // all it writes.
    let ret = unsafe {
        syscall5(
            nr::STATX,
            dirfd,
            path,
            flags.bits() as usize,
            mask.bits() as usize,
            &mut out as *mut Statx as usize,
        )
    };
    decode_raw(ret)?;
    Ok(out)
}

/// `fcntl(fd, F_GETFD)`: the descriptor's own flags (`FD_CLOEXEC`).
///
/// # Errors
/// - [`Errno::BADF`]: not from a borrowed descriptor, which is open; listed for raw users.
///
/// # References
/// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
#[doc(alias = "fcntl")]
#[doc(alias = "F_GETFD")]
#[inline]
pub fn get_fd_flags(fd: impl AsFd) -> Result<FdFlags> {
    // SAFETY: `fd` is borrowed, so open for the call; F_GETFD takes no argument and touches
    // no user memory.
    let ret = unsafe { syscall2(nr::FCNTL, fd.as_fd().as_raw_fd() as usize, F_GETFD) };
    decode_raw(ret).map(|bits| FdFlags::from_bits_retain(bits as u32))
}

/// `fcntl(fd, F_SETFD, flags)`: sets the descriptor's own flags (`FD_CLOEXEC`), which no
/// other descriptor shares.
///
/// # Errors
/// - [`Errno::BADF`]: as for [`get_fd_flags`].
///
/// # References
/// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
#[doc(alias = "fcntl")]
#[doc(alias = "F_SETFD")]
#[inline]
pub fn set_fd_flags(fd: impl AsFd, flags: FdFlags) -> Result<()> {
    // SAFETY: `fd` is borrowed, so open for the call; F_SETFD takes an integer.
    let ret = unsafe {
        syscall3(
            nr::FCNTL,
            fd.as_fd().as_raw_fd() as usize,
            F_SETFD,
            flags.bits() as usize,
        )
    };
    decode_raw(ret).map(drop)
}

/// `fcntl(fd, F_GETFL)`: the open file description's access mode and status flags.
///
/// Bits the kernel reports that have no name in [`OFlags`] are kept: a 64-bit kernel sets
/// `O_LARGEFILE` in every description (whose value there has no name here, as it is never
/// needed to open).
///
/// # Errors
/// - [`Errno::BADF`]: as for [`get_fd_flags`].
///
/// # References
/// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
#[doc(alias = "fcntl")]
#[doc(alias = "F_GETFL")]
#[inline]
pub fn get_status_flags(fd: impl AsFd) -> Result<OFlags> {
    // SAFETY: `fd` is borrowed, so open for the call; F_GETFL takes no argument and touches
    // no user memory.
    let ret = unsafe { syscall2(nr::FCNTL, fd.as_fd().as_raw_fd() as usize, F_GETFL) };
    decode_raw(ret).map(|bits| OFlags::from_bits_retain(bits as u32))
}

/// `fcntl(fd, F_SETFL, flags)`: sets the status flags of the open file description, for
/// every descriptor that shares it (see the module's traps).
///
/// Only `APPEND`, `ASYNC`, `DIRECT`, `NOATIME` and `NONBLOCK` change; the kernel ignores the
/// access mode and the open-time flags (`CREAT`, `EXCL`, `TRUNC`, ...) in `flags`. To change
/// one flag, read the others with [`get_status_flags`] first (as [`set_nonblocking`] does).
///
/// # Errors
/// - [`Errno::PERM`]: clearing `APPEND` on an append-only file, or `NOATIME` on a file the
///   caller does not own.
/// - [`Errno::INVAL`]: `DIRECT` where the filesystem does not support it.
/// - [`Errno::BADF`]: as for [`get_fd_flags`].
///
/// # References
/// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
#[doc(alias = "fcntl")]
#[doc(alias = "F_SETFL")]
#[inline]
pub fn set_status_flags(fd: impl AsFd, flags: OFlags) -> Result<()> {
    // SAFETY: `fd` is borrowed, so open for the call; F_SETFL takes an integer.
    let ret = unsafe {
        syscall3(
            nr::FCNTL,
            fd.as_fd().as_raw_fd() as usize,
            F_SETFL,
            flags.bits() as usize,
        )
    };
    decode_raw(ret).map(drop)
}

/// `fcntl(fd, F_GETFL)` then `fcntl(fd, F_SETFL, flags with O_NONBLOCK set or cleared)`:
/// makes the open file description non-blocking or blocking, keeping its other flags.
///
/// Two calls, not one atomic change: another thread changing the same description's flags
/// in between may have its change undone. [`ioctl_fionbio`] does it in one call.
///
/// # Errors
/// As [`get_status_flags`] and [`set_status_flags`].
///
/// # References
/// - [fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)
#[inline]
pub fn set_nonblocking(fd: impl AsFd, nonblocking: bool) -> Result<()> {
    let fd = fd.as_fd();
    let flags = get_status_flags(fd)?;
    set_status_flags(
        fd,
        flags.difference(OFlags::NONBLOCK) | nonblocking_flag(nonblocking),
    )
}

/// `NONBLOCK` if `on`, else nothing.
#[inline]
fn nonblocking_flag(on: bool) -> OFlags {
    if on {
        OFlags::NONBLOCK
    } else {
        OFlags::empty()
    }
}

/// `ioctl(fd, FIONBIO, &on)`: sets or clears `O_NONBLOCK` on the open file description in one
/// call (see the module's traps).
///
/// # Errors
/// - [`Errno::BADF`]: as for [`get_fd_flags`].
///
/// # References
/// - [ioctl(2)](https://man7.org/linux/man-pages/man2/ioctl.2.html),
///   [ioctl_fionbio(2const)](https://man7.org/linux/man-pages/man2/FIONBIO.2const.html)
#[doc(alias = "ioctl")]
#[doc(alias = "FIONBIO")]
#[inline]
pub fn ioctl_fionbio(fd: impl AsFd, on: bool) -> Result<()> {
    let value: i32 = on as i32;
    // SAFETY: `fd` is borrowed, so open for the call; FIONBIO reads one `int` at the address
    // given, `value` here, live for the call.
    let ret = unsafe {
        syscall3(
            nr::IOCTL,
            fd.as_fd().as_raw_fd() as usize,
            crate::arch::FIONBIO as usize,
            &value as *const i32 as usize,
        )
    };
    decode_raw(ret).map(drop)
}

/// `ioctl(fd, FIONREAD, &n)`: how many bytes a read could take now: the bytes queued in a
/// pipe, FIFO, stream socket or terminal, the size of the next datagram on a datagram socket,
/// or what is left after the offset of a regular file.
///
/// # Errors
/// - [`Errno::NOTTY`]: the object does not answer FIONREAD (an eventfd, an epoll instance, a
///   directory, ...).
/// - [`Errno::INVAL`]: a listening socket, or an object that refuses it so.
///
/// # References
/// - [ioctl(2)](https://man7.org/linux/man-pages/man2/ioctl.2.html),
///   [FIONREAD(2const)](https://man7.org/linux/man-pages/man2/FIONREAD.2const.html)
#[doc(alias = "ioctl")]
#[doc(alias = "FIONREAD")]
#[inline]
pub fn ioctl_fionread(fd: impl AsFd) -> Result<usize> {
    let mut n: i32 = 0;
    // SAFETY: `fd` is borrowed, so open for the call; FIONREAD writes one `int` at the address
    // given, `n` here, live and writable for the call.
    let ret = unsafe {
        syscall3(
            nr::IOCTL,
            fd.as_fd().as_raw_fd() as usize,
            crate::arch::FIONREAD as usize,
            &mut n as *mut i32 as usize,
        )
    };
    decode_raw(ret)?;
    // The kernel's count is an `int`; a negative one would be its bug, not a size.
    usize::try_from(n).map_err(|_| crate::Errno::OVERFLOW)
}

/// `mount(source, target, fstype, flags, data)`: mounts a filesystem of type `fstype` from
/// `source` on the directory `target` (for a program that starts with nothing mounted:
/// `mount("sysfs", "/sys", "sysfs", ...)`, `mount("devtmpfs", "/dev", "devtmpfs", ...)`).
///
/// `data` is the filesystem's own option string (`"mode=0755"`), or `None`.
///
/// # Errors
/// - [`Errno::PERM`]: the caller lacks `CAP_SYS_ADMIN` in the mount's user namespace.
/// - [`Errno::NODEV`]: the kernel does not know `fstype`.
/// - [`Errno::NOENT`], [`Errno::NOTDIR`]: `target` (or a path on the way) does not exist, or
///   is not a directory.
/// - [`Errno::BUSY`]: `source` is mounted already where that is not allowed.
/// - [`Errno::INVAL`]: a bad combination of flags, a bad `data`, or `source` not a block
///   device where `fstype` needs one.
/// - [`Errno::NOTBLK`], [`Errno::NXIO`]: `source` is not a block device, or no such device.
/// - [`Errno::ACCES`], [`Errno::ROFS`], [`Errno::LOOP`], [`Errno::NAMETOOLONG`],
///   [`Errno::NOMEM`], [`Errno::MFILE`]: as named.
///
/// # References
/// - [mount(2)](https://man7.org/linux/man-pages/man2/mount.2.html)
#[inline]
pub fn mount(
    source: &CStr,
    target: &CStr,
    fstype: &CStr,
    flags: MountFlags,
    data: Option<&CStr>,
) -> Result<()> {
    let data = data.map_or(0, |d| d.as_ptr() as usize);
    // SAFETY: `source`, `target` and `fstype` are NUL-terminated strings the kernel only
    // reads. `data` is NULL or a NUL-terminated string; the kernel copies up to a page from
    // it (`copy_mount_options`), which may read bytes past the NUL, but only reads them and
    // stops quietly at unreadable memory. Nothing in this process is written.
    let ret = unsafe {
        syscall5(
            nr::MOUNT,
            source.as_ptr() as usize,
            target.as_ptr() as usize,
            fstype.as_ptr() as usize,
            flags.bits() as usize,
            data,
        )
    };
    decode_raw(ret).map(drop)
}
