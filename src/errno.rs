//! Kernel error numbers.
//!
//! Every system call in this crate reports failure as an [`Errno`]: the
//! positive error number that the kernel hands back negated in the return
//! register. [`decode_raw`] is the single place where a raw return value is
//! split into a success value and an [`Errno`].

use core::fmt::{self, Write as _};
use static_assertions::const_assert;

/// A Linux error number, such as `EBADF` or `EINTR`.
///
/// A failing system call leaves the error number negated in the return
/// register: a value in `-4095..=-1`. An `Errno` holds the positive number,
/// so it is always in `1..=4095`.
///
/// Every supported architecture uses the kernel's generic numbering, and every error the
/// kernel defines there has a named constant here (`Errno::BADF` for `EBADF`, and so on).
/// powerpc adds one: `EDEADLOCK` is 58 there, not an alias of `EDEADLK` (see
/// [`Errno::DEADLOCK`]). A number with no constant can still be held, and is shown by its
/// value.
///
/// # Size
///
/// The names and texts are stored once each, as one string of all names (976 bytes) and one
/// of all texts (2,974 bytes), with one byte per number for the length of each. A program pays
/// for what it uses (measured by ci/freestanding.sh in a freestanding program, release
/// profile, stripped, on x86_64, aarch64 and riscv64):
///
/// | use | bytes added |
/// | --- | ---: |
/// | [`raw_os_error`](Errno::raw_os_error) | 0 |
/// | [`name`](Errno::name) | about 1,400 |
/// | `{}` ([`Display`](fmt::Display)), in a program that already prints with `{}` | about 4,000 |
/// | `{}` of any value at all (`core::fmt` itself), for comparison | about 2,000 |
///
/// A program on a tight size budget can print [`raw_os_error`](Errno::raw_os_error) instead,
/// or `name()` without `core::fmt` (`write_str` of the name). `{:?}` ([`Debug`](fmt::Debug))
/// uses the names only.
///
/// # Examples
///
/// ```
/// use freepoll::Errno;
/// assert_eq!(Errno::BADF.raw_os_error(), 9);
/// assert_eq!(Errno::BADF.name(), Some("EBADF"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Errno(u16);

/// A `Result` whose error is an [`Errno`].
pub type Result<T> = core::result::Result<T, Errno>;

/// The largest error number the kernel returns.
const MAX_ERRNO: u16 = 4095;

/// The largest raw return that is not an error: `-(MAX_ERRNO + 1)` as `usize`.
const LARGEST_NON_ERROR: usize = (MAX_ERRNO as usize).wrapping_add(1).wrapping_neg();

/// Defines the named constants and the one table behind [`Errno::name`] and
/// [`Errno::description`]: each row gives the constant, its number, the
/// C name and the text of the error. The rows are in increasing order of number (checked
/// below, with everything else the lookup relies on).
macro_rules! errnos {
    ($($(#[$attr:meta])* $konst:ident = $code:literal, $name:literal, $desc:literal;)*) => {
        impl Errno {
            $(
                #[doc = concat!("`", $name, "` (", stringify!($code), "): ", $desc, ".")]
                $(#[$attr])*
                pub const $konst: Errno = Errno($code);
            )*
        }

        /// Every C name, in the order of the numbers, with nothing between them:
        /// `"EPERMENOENTESRCH..."`.
        const NAMES: &str = concat!($($name),*);

        /// Every text, the same way: `"Operation not permittedNo such file or directory..."`.
        const TEXTS: &str = concat!($($desc),*);

        /// Each named error's number and the lengths of its name and text, in the order of the
        /// numbers: what [`lengths`] builds the index from, at compile time.
        const ROWS: &[(u16, usize, usize)] = &[$(($code, $name.len(), $desc.len())),*];
    };
}

errnos! {
    PERM = 1, "EPERM", "Operation not permitted";
    NOENT = 2, "ENOENT", "No such file or directory";
    SRCH = 3, "ESRCH", "No such process";
    INTR = 4, "EINTR", "Interrupted system call";
    IO = 5, "EIO", "Input/output error";
    NXIO = 6, "ENXIO", "No such device or address";
    /// The constant is named `TOOBIG` because a Rust identifier cannot start with a digit.
    TOOBIG = 7, "E2BIG", "Argument list too long";
    NOEXEC = 8, "ENOEXEC", "Exec format error";
    BADF = 9, "EBADF", "Bad file descriptor";
    CHILD = 10, "ECHILD", "No child processes";
    AGAIN = 11, "EAGAIN", "Resource temporarily unavailable";
    NOMEM = 12, "ENOMEM", "Cannot allocate memory";
    ACCES = 13, "EACCES", "Permission denied";
    FAULT = 14, "EFAULT", "Bad address";
    NOTBLK = 15, "ENOTBLK", "Block device required";
    BUSY = 16, "EBUSY", "Device or resource busy";
    EXIST = 17, "EEXIST", "File exists";
    XDEV = 18, "EXDEV", "Invalid cross-device link";
    NODEV = 19, "ENODEV", "No such device";
    NOTDIR = 20, "ENOTDIR", "Not a directory";
    ISDIR = 21, "EISDIR", "Is a directory";
    INVAL = 22, "EINVAL", "Invalid argument";
    NFILE = 23, "ENFILE", "Too many open files in system";
    MFILE = 24, "EMFILE", "Too many open files";
    NOTTY = 25, "ENOTTY", "Inappropriate ioctl for device";
    TXTBSY = 26, "ETXTBSY", "Text file busy";
    FBIG = 27, "EFBIG", "File too large";
    NOSPC = 28, "ENOSPC", "No space left on device";
    SPIPE = 29, "ESPIPE", "Illegal seek";
    ROFS = 30, "EROFS", "Read-only file system";
    MLINK = 31, "EMLINK", "Too many links";
    PIPE = 32, "EPIPE", "Broken pipe";
    DOM = 33, "EDOM", "Numerical argument out of domain";
    RANGE = 34, "ERANGE", "Numerical result out of range";
    DEADLK = 35, "EDEADLK", "Resource deadlock avoided";
    NAMETOOLONG = 36, "ENAMETOOLONG", "File name too long";
    NOLCK = 37, "ENOLCK", "No locks available";
    NOSYS = 38, "ENOSYS", "Function not implemented";
    NOTEMPTY = 39, "ENOTEMPTY", "Directory not empty";
    LOOP = 40, "ELOOP", "Too many levels of symbolic links";
    NOMSG = 42, "ENOMSG", "No message of desired type";
    IDRM = 43, "EIDRM", "Identifier removed";
    CHRNG = 44, "ECHRNG", "Channel number out of range";
    L2NSYNC = 45, "EL2NSYNC", "Level 2 not synchronized";
    L3HLT = 46, "EL3HLT", "Level 3 halted";
    L3RST = 47, "EL3RST", "Level 3 reset";
    LNRNG = 48, "ELNRNG", "Link number out of range";
    UNATCH = 49, "EUNATCH", "Protocol driver not attached";
    NOCSI = 50, "ENOCSI", "No CSI structure available";
    L2HLT = 51, "EL2HLT", "Level 2 halted";
    BADE = 52, "EBADE", "Invalid exchange";
    BADR = 53, "EBADR", "Invalid request descriptor";
    XFULL = 54, "EXFULL", "Exchange full";
    NOANO = 55, "ENOANO", "No anode";
    BADRQC = 56, "EBADRQC", "Invalid request code";
    BADSLT = 57, "EBADSLT", "Invalid slot";
    BFONT = 59, "EBFONT", "Bad font file format";
    NOSTR = 60, "ENOSTR", "Device not a stream";
    NODATA = 61, "ENODATA", "No data available";
    TIME = 62, "ETIME", "Timer expired";
    NOSR = 63, "ENOSR", "Out of streams resources";
    NONET = 64, "ENONET", "Machine is not on the network";
    NOPKG = 65, "ENOPKG", "Package not installed";
    REMOTE = 66, "EREMOTE", "Object is remote";
    NOLINK = 67, "ENOLINK", "Link has been severed";
    ADV = 68, "EADV", "Advertise error";
    SRMNT = 69, "ESRMNT", "Srmount error";
    COMM = 70, "ECOMM", "Communication error on send";
    PROTO = 71, "EPROTO", "Protocol error";
    MULTIHOP = 72, "EMULTIHOP", "Multihop attempted";
    DOTDOT = 73, "EDOTDOT", "RFS specific error";
    BADMSG = 74, "EBADMSG", "Bad message";
    OVERFLOW = 75, "EOVERFLOW", "Value too large for defined data type";
    NOTUNIQ = 76, "ENOTUNIQ", "Name not unique on network";
    BADFD = 77, "EBADFD", "File descriptor in bad state";
    REMCHG = 78, "EREMCHG", "Remote address changed";
    LIBACC = 79, "ELIBACC", "Can not access a needed shared library";
    LIBBAD = 80, "ELIBBAD", "Accessing a corrupted shared library";
    LIBSCN = 81, "ELIBSCN", ".lib section in a.out corrupted";
    LIBMAX = 82, "ELIBMAX", "Attempting to link in too many shared libraries";
    LIBEXEC = 83, "ELIBEXEC", "Cannot exec a shared library directly";
    ILSEQ = 84, "EILSEQ", "Invalid or incomplete multibyte or wide character";
    RESTART = 85, "ERESTART", "Interrupted system call should be restarted";
    STRPIPE = 86, "ESTRPIPE", "Streams pipe error";
    USERS = 87, "EUSERS", "Too many users";
    NOTSOCK = 88, "ENOTSOCK", "Socket operation on non-socket";
    DESTADDRREQ = 89, "EDESTADDRREQ", "Destination address required";
    MSGSIZE = 90, "EMSGSIZE", "Message too long";
    PROTOTYPE = 91, "EPROTOTYPE", "Protocol wrong type for socket";
    NOPROTOOPT = 92, "ENOPROTOOPT", "Protocol not available";
    PROTONOSUPPORT = 93, "EPROTONOSUPPORT", "Protocol not supported";
    SOCKTNOSUPPORT = 94, "ESOCKTNOSUPPORT", "Socket type not supported";
    OPNOTSUPP = 95, "EOPNOTSUPP", "Operation not supported";
    PFNOSUPPORT = 96, "EPFNOSUPPORT", "Protocol family not supported";
    AFNOSUPPORT = 97, "EAFNOSUPPORT", "Address family not supported by protocol";
    ADDRINUSE = 98, "EADDRINUSE", "Address already in use";
    ADDRNOTAVAIL = 99, "EADDRNOTAVAIL", "Cannot assign requested address";
    NETDOWN = 100, "ENETDOWN", "Network is down";
    NETUNREACH = 101, "ENETUNREACH", "Network is unreachable";
    NETRESET = 102, "ENETRESET", "Network dropped connection on reset";
    CONNABORTED = 103, "ECONNABORTED", "Software caused connection abort";
    CONNRESET = 104, "ECONNRESET", "Connection reset by peer";
    NOBUFS = 105, "ENOBUFS", "No buffer space available";
    ISCONN = 106, "EISCONN", "Transport endpoint is already connected";
    NOTCONN = 107, "ENOTCONN", "Transport endpoint is not connected";
    SHUTDOWN = 108, "ESHUTDOWN", "Cannot send after transport endpoint shutdown";
    TOOMANYREFS = 109, "ETOOMANYREFS", "Too many references: cannot splice";
    TIMEDOUT = 110, "ETIMEDOUT", "Connection timed out";
    CONNREFUSED = 111, "ECONNREFUSED", "Connection refused";
    HOSTDOWN = 112, "EHOSTDOWN", "Host is down";
    HOSTUNREACH = 113, "EHOSTUNREACH", "No route to host";
    ALREADY = 114, "EALREADY", "Operation already in progress";
    INPROGRESS = 115, "EINPROGRESS", "Operation now in progress";
    STALE = 116, "ESTALE", "Stale file handle";
    UCLEAN = 117, "EUCLEAN", "Structure needs cleaning";
    NOTNAM = 118, "ENOTNAM", "Not a XENIX named type file";
    NAVAIL = 119, "ENAVAIL", "No XENIX semaphores available";
    ISNAM = 120, "EISNAM", "Is a named type file";
    REMOTEIO = 121, "EREMOTEIO", "Remote I/O error";
    DQUOT = 122, "EDQUOT", "Disk quota exceeded";
    NOMEDIUM = 123, "ENOMEDIUM", "No medium found";
    MEDIUMTYPE = 124, "EMEDIUMTYPE", "Wrong medium type";
    CANCELED = 125, "ECANCELED", "Operation canceled";
    NOKEY = 126, "ENOKEY", "Required key not available";
    KEYEXPIRED = 127, "EKEYEXPIRED", "Key has expired";
    KEYREVOKED = 128, "EKEYREVOKED", "Key has been revoked";
    KEYREJECTED = 129, "EKEYREJECTED", "Key was rejected by service";
    OWNERDEAD = 130, "EOWNERDEAD", "Owner died";
    NOTRECOVERABLE = 131, "ENOTRECOVERABLE", "State not recoverable";
    RFKILL = 132, "ERFKILL", "Operation not possible due to RF-kill";
    HWPOISON = 133, "EHWPOISON", "Memory page has hardware error";
}

impl Errno {
    /// `EWOULDBLOCK` (11): alias of [`Errno::AGAIN`]: Resource temporarily unavailable.
    pub const WOULDBLOCK: Errno = Errno::AGAIN;
    /// `EDEADLOCK`: on every architecture but powerpc an alias of [`Errno::DEADLK`] (35),
    /// Resource deadlock avoided; on powerpc a number of its own, 58, File locking deadlock
    /// error, named `"EDEADLOCK"` (the number comes from the arch file).
    pub const DEADLOCK: Errno = Errno(crate::arch::EDEADLOCK);
    /// `ENOTSUP` (95): alias of [`Errno::OPNOTSUPP`]: Operation not supported.
    pub const NOTSUP: Errno = Errno::OPNOTSUPP;

    /// Makes an `Errno` from a positive error number.
    ///
    /// Returns `None` unless `code` is in `1..=4095`, the range the kernel
    /// uses for errors.
    ///
    /// # Examples
    ///
    /// ```
    /// use freepoll::Errno;
    /// assert_eq!(Errno::from_raw_os_error(4), Some(Errno::INTR));
    /// assert_eq!(Errno::from_raw_os_error(0), None);
    /// assert_eq!(Errno::from_raw_os_error(-4), None);
    /// ```
    #[inline]
    #[must_use]
    pub const fn from_raw_os_error(code: i32) -> Option<Errno> {
        match code {
            1..=4095 => Some(Errno(code as u16)),
            _ => None,
        }
    }

    /// The positive error number, as C's `errno` would hold it.
    #[inline]
    #[must_use]
    pub const fn raw_os_error(self) -> i32 {
        self.0 as i32
    }

    /// The C name of the error, such as `"EBADF"`, or `None` for a number
    /// with no name.
    ///
    /// An alias gives the name of the constant it stands for: `"EAGAIN"`,
    /// `"EDEADLK"`, `"EOPNOTSUPP"`.
    ///
    /// Size: a program that calls `name()` carries every name (976 bytes) and one byte per
    /// number for their lengths, about 1.4 KB with the code (see [`Errno`], "Size").
    #[must_use]
    pub const fn name(self) -> Option<&'static str> {
        if DEADLOCK_OF_ITS_OWN && self.0 == crate::arch::EDEADLOCK {
            return Some("EDEADLOCK");
        }
        entry(NAMES, &NAME_LEN, self.0)
    }

    /// The text of the error, such as `"Bad file descriptor"`, or `None` for
    /// a number with no name.
    ///
    /// Size: every text (2,974 bytes) and one byte per number for their lengths, as for
    /// [`Errno::name`].
    #[must_use]
    pub const fn description(self) -> Option<&'static str> {
        if DEADLOCK_OF_ITS_OWN && self.0 == crate::arch::EDEADLOCK {
            return Some("File locking deadlock error");
        }
        entry(TEXTS, &TEXT_LEN, self.0)
    }
}

/// Whether this architecture numbers `EDEADLOCK` apart from `EDEADLK` (powerpc: 58), which
/// then has a name and a text of its own outside the table.
const DEADLOCK_OF_ITS_OWN: bool = crate::arch::EDEADLOCK != 35;

/// One more than the largest number with a name: the numbers the index covers are `0..TABLE`.
const TABLE: usize = 134;

/// The length of each number's name in [`NAMES`], 0 for a number with no name: the name of
/// `code` starts after the names of all smaller numbers. One byte per number.
const NAME_LEN: [u8; TABLE] = lengths(Column::Name);

/// The length of each number's text in [`TEXTS`], as [`NAME_LEN`] is for names.
const TEXT_LEN: [u8; TABLE] = lengths(Column::Text);

/// Which length of a [`ROWS`] entry an index is built from.
#[derive(Clone, Copy)]
enum Column {
    Name,
    Text,
}

/// The length of each number's string in one column, for the numbers `0..TABLE`. Evaluated at
/// compile time only, to initialise [`NAME_LEN`] and [`TEXT_LEN`]: an index out of range here
/// is a build error, not a panic, and every length fits a byte (checked below).
// A `const fn` on Rust 1.63 can fill an array only by indexing it.
#[allow(clippy::indexing_slicing)]
const fn lengths(column: Column) -> [u8; TABLE] {
    let mut lens = [0u8; TABLE];
    let mut rows = ROWS;
    while let [(number, name, text), rest @ ..] = rows {
        lens[*number as usize] = match column {
            Column::Name => *name as u8,
            Column::Text => *text as u8,
        };
        rows = rest;
    }
    lens
}

/// Whether `ROWS` is in strictly increasing order of number, every number below `TABLE`, its
/// last number `TABLE - 1`, every length in `1..=255`, and both strings ASCII: what [`entry`]
/// relies on.
const fn table_is_sound() -> bool {
    let mut rows = ROWS;
    let mut previous = 0u16;
    while let [(number, name, text), rest @ ..] = rows {
        if *number <= previous
            || *number as usize >= TABLE
            || *name == 0
            || *name > u8::MAX as usize
            || *text == 0
            || *text > u8::MAX as usize
        {
            return false;
        }
        previous = *number;
        rows = rest;
    }
    previous as usize == TABLE.wrapping_sub(1)
        && sum(&NAME_LEN) == NAMES.len()
        && sum(&TEXT_LEN) == TEXTS.len()
        && is_ascii(NAMES.as_bytes())
        && is_ascii(TEXTS.as_bytes())
}

/// The sum of `lens`, for the check above.
const fn sum(mut lens: &[u8]) -> usize {
    let mut total = 0usize;
    while let [len, rest @ ..] = lens {
        total = total.wrapping_add(*len as usize);
        lens = rest;
    }
    total
}

/// Whether every byte of `bytes` is ASCII (`<[u8]>::is_ascii` is `const` only from Rust 1.74).
const fn is_ascii(mut bytes: &[u8]) -> bool {
    while let [first, rest @ ..] = bytes {
        if !first.is_ascii() {
            return false;
        }
        bytes = rest;
    }
    true
}

const_assert!(table_is_sound());

/// The string for `code` in `text`, the concatenation whose lengths are `lens`: `None` for a
/// number outside the index or with no string.
///
/// The start is the sum of the lengths before `code`: a loop over at most `TABLE` bytes, which
/// keeps the index at one byte per number (formatting an error is never the hot path).
/// `const`, for [`Errno::name`] and [`Errno::description`], on Rust 1.63, which has no range
/// indexing and no `slice::from_raw_parts` in a `const fn`: the slice is cut with slice
/// patterns, in loops the compiler reduces to a pointer and a length.
#[inline]
const fn entry(text: &'static str, lens: &'static [u8], code: u16) -> Option<&'static str> {
    let mut rest = lens;
    let mut before = code;
    let mut start = 0usize;
    let len = loop {
        match rest {
            [len, ..] if before == 0 => break *len as usize,
            [len, tail @ ..] => {
                start = start.wrapping_add(*len as usize);
                rest = tail;
                before = before.wrapping_sub(1);
            }
            [] => return None,
        }
    };
    if len == 0 {
        return None;
    }
    let bytes = take(skip(text.as_bytes(), start), len);
    // SAFETY: `text` is `NAMES` or `TEXTS` (the only callers are `name` and `description`),
    // both ASCII (`table_is_sound`, checked at compile time), so any run of its bytes is valid
    // UTF-8.
    Some(unsafe { core::str::from_utf8_unchecked(bytes) })
}

/// `s` without its first `n` elements (empty if it has fewer): `s.get(n..)` in a `const fn`.
#[inline(always)]
const fn skip<T>(mut s: &[T], mut n: usize) -> &[T] {
    while n > 0 {
        match s {
            [_, rest @ ..] => s = rest,
            [] => break,
        }
        n = n.wrapping_sub(1);
    }
    s
}

/// The first `n` elements of `s` (all of it if it has fewer): `s.get(..n)` in a `const fn`.
#[inline(always)]
const fn take<T>(mut s: &[T], n: usize) -> &[T] {
    while s.len() > n {
        match s {
            [rest @ .., _] => s = rest,
            [] => break,
        }
    }
    s
}

/// Splits a raw system call return into a success value or an [`Errno`].
///
/// The kernel returns errors as `-errno` in the return register, so a value
/// in `-4095..=-1`, read as `usize`, is an error and anything else is the
/// result.
///
/// # Errors
///
/// Returns the [`Errno`] when `ret` is in `-4095..=-1` read as `usize`.
///
/// # Examples
///
/// ```
/// assert_eq!(freepoll::raw::decode_raw(-9isize as usize), Err(freepoll::Errno::BADF));
/// assert_eq!(freepoll::raw::decode_raw(3), Ok(3));
/// ```
#[inline(always)]
pub fn decode_raw(ret: usize) -> Result<usize> {
    if ret > LARGEST_NON_ERROR {
        // `ret` is in `usize::MAX - 4094..=usize::MAX`, so its negation is in
        // `1..=4095` and fits a `u16`.
        Err(Errno(ret.wrapping_neg() as u16))
    } else {
        Ok(ret)
    }
}

impl fmt::Debug for Errno {
    /// Writes `Errno(EBADF)`, or `Errno(4000)` for a number with no name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Errno(")?;
        match self.name() {
            Some(name) => f.write_str(name)?,
            None => write_decimal(f, self.0)?,
        }
        f.write_str(")")
    }
}

impl fmt::Display for Errno {
    /// Writes `EBADF: Bad file descriptor`, or `unknown error 4000` for a
    /// number with no name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name(), self.description()) {
            (Some(name), Some(text)) => {
                f.write_str(name)?;
                f.write_str(": ")?;
                f.write_str(text)
            }
            _ => {
                f.write_str("unknown error ")?;
                write_decimal(f, self.0)
            }
        }
    }
}

/// Writes `n` in decimal, as `{}` would, without the integer formatting of `core::fmt` (its
/// digit tables and padding code would be most of what `Display` costs otherwise).
fn write_decimal(f: &mut fmt::Formatter<'_>, n: u16) -> fmt::Result {
    // Five digits hold any `u16`; they are filled from the right.
    let mut digits = [b'0'; 5];
    let mut rest = n;
    let mut used = 0;
    for (slot, count) in digits.iter_mut().rev().zip(1..) {
        *slot = b'0'.wrapping_add((rest % 10) as u8);
        rest /= 10;
        used = count;
        if rest == 0 {
            break;
        }
    }
    for &digit in digits.iter().skip(digits.len().saturating_sub(used)) {
        f.write_char(char::from(digit))?;
    }
    Ok(())
}

/// [`decode_raw`] for a call that returns a count of at most `max`, such as a wait's number of
/// events: the count, never more than `max`.
///
/// The common answer, a count within `max`, costs one comparison: `max` is below the error
/// range (callers pass at most `MAX_EVENTS`), so `ret <= max` is never an error. Errors, and a
/// count above `max` that a correct kernel never returns, take the out-of-line path.
#[inline(always)]
pub(crate) fn decode_count(ret: usize, max: usize) -> Result<usize> {
    if ret <= max {
        Ok(ret)
    } else {
        decode_count_slow(ret, max)
    }
}

/// The rare half of [`decode_count`]: out of line and cold, so the common path stays a single
/// compare and branch rather than a conditional move.
#[cold]
#[inline(never)]
fn decode_count_slow(ret: usize, max: usize) -> Result<usize> {
    let n = decode_raw(ret)?;
    Ok(if n < max { n } else { max })
}

#[cfg(feature = "std")]
impl std::error::Error for Errno {}

#[cfg(feature = "std")]
impl From<Errno> for std::io::Error {
    #[inline]
    fn from(e: Errno) -> std::io::Error {
        std::io::Error::from_raw_os_error(e.raw_os_error())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::format;
    use std::vec::Vec;

    #[test]
    fn decode_boundaries() {
        assert_eq!(decode_raw(0), Ok(0));
        assert_eq!(decode_raw(1), Ok(1));
        assert_eq!(decode_raw(usize::MAX), Err(Errno::PERM));
        assert_eq!(decode_raw(-1isize as usize), Err(Errno::PERM));
        assert_eq!(decode_raw(-9isize as usize), Err(Errno::BADF));
        assert_eq!(
            decode_raw(-4095isize as usize),
            Err(Errno::from_raw_os_error(4095).unwrap())
        );
        assert_eq!(decode_raw(-4096isize as usize), Ok(-4096isize as usize));
        assert_eq!(decode_raw(isize::MAX as usize), Ok(isize::MAX as usize));
        assert_eq!(decode_raw(isize::MIN as usize), Ok(isize::MIN as usize));
    }

    #[test]
    fn decode_gives_positive_numbers() {
        for code in 1..=4095i32 {
            let ret = (-(code as isize)) as usize;
            assert_eq!(decode_raw(ret).map_err(Errno::raw_os_error), Err(code));
        }
    }

    #[test]
    fn from_raw_os_error_range() {
        assert_eq!(Errno::from_raw_os_error(0), None);
        assert_eq!(Errno::from_raw_os_error(-1), None);
        assert_eq!(Errno::from_raw_os_error(4096), None);
        assert_eq!(Errno::from_raw_os_error(i32::MIN), None);
        assert_eq!(Errno::from_raw_os_error(i32::MAX), None);
        assert_eq!(Errno::from_raw_os_error(1), Some(Errno::PERM));
        let max = Errno::from_raw_os_error(4095).unwrap();
        assert_eq!(max.raw_os_error(), 4095);
        assert_eq!(max.name(), None);
        assert_eq!(max.description(), None);
    }

    #[test]
    fn names_and_descriptions() {
        assert_eq!(Errno::BADF.raw_os_error(), 9);
        assert_eq!(Errno::BADF.name(), Some("EBADF"));
        assert_eq!(Errno::BADF.description(), Some("Bad file descriptor"));
        assert_eq!(Errno::TOOBIG.name(), Some("E2BIG"));
        assert_eq!(Errno::INTR.name(), Some("EINTR"));
        assert_eq!(Errno::INTR.description(), Some("Interrupted system call"));
        assert_eq!(Errno::HWPOISON.raw_os_error(), 133);
        assert_eq!(Errno::HWPOISON.name(), Some("EHWPOISON"));
        assert_eq!(Errno::from_raw_os_error(41).and_then(Errno::name), None);
        #[cfg(not(target_arch = "powerpc64"))]
        assert_eq!(Errno::from_raw_os_error(58).and_then(Errno::name), None);
        #[cfg(target_arch = "powerpc64")]
        assert_eq!(
            Errno::from_raw_os_error(58).and_then(Errno::name),
            Some("EDEADLOCK")
        );
        assert_eq!(Errno::from_raw_os_error(134).and_then(Errno::name), None);
    }

    #[test]
    fn aliases() {
        assert_eq!(Errno::WOULDBLOCK, Errno::AGAIN);
        #[cfg(not(target_arch = "powerpc64"))]
        assert_eq!(Errno::DEADLOCK, Errno::DEADLK);
        #[cfg(not(target_arch = "powerpc64"))]
        assert_eq!(Errno::DEADLOCK.name(), Some("EDEADLK"));
        #[cfg(target_arch = "powerpc64")]
        assert_eq!(
            (Errno::DEADLOCK.raw_os_error(), Errno::DEADLOCK.name()),
            (58, Some("EDEADLOCK"))
        );
        assert_eq!(Errno::NOTSUP, Errno::OPNOTSUPP);
        assert_eq!(Errno::WOULDBLOCK.name(), Some("EAGAIN"));
        assert_eq!(Errno::NOTSUP.name(), Some("EOPNOTSUPP"));
        assert_eq!(Errno::NOTSUP.raw_os_error(), 95);
    }

    #[test]
    fn formatting() {
        assert_eq!(format!("{:?}", Errno::BADF), "Errno(EBADF)");
        assert_eq!(format!("{}", Errno::BADF), "EBADF: Bad file descriptor");
        let unknown = Errno::from_raw_os_error(4000).unwrap();
        assert_eq!(format!("{:?}", unknown), "Errno(4000)");
        assert_eq!(format!("{}", unknown), "unknown error 4000");
        assert_eq!(
            format!("{:?}", Err::<(), _>(Errno::INTR)),
            "Err(Errno(EINTR))"
        );
    }

    #[test]
    fn every_number_has_one_name() {
        let mut names: Vec<&str> = Vec::new();
        for code in 1..=133 {
            let e = Errno::from_raw_os_error(code).unwrap();
            let name = e.name();
            let desc = e.description();
            if code == 41 || (code == 58 && !cfg!(target_arch = "powerpc64")) {
                assert_eq!(name, None, "{}", code);
                assert_eq!(desc, None, "{}", code);
                continue;
            }
            let name = name.unwrap();
            assert!(name.starts_with('E'), "{}", name);
            assert!(!desc.unwrap().is_empty(), "{}", name);
            assert!(!names.contains(&name), "{} twice", name);
            names.push(name);
        }
        // powerpc also names 58 (EDEADLOCK).
        assert_eq!(
            names.len(),
            if cfg!(target_arch = "powerpc64") {
                132
            } else {
                131
            }
        );
    }

    #[cfg(feature = "std")]
    #[test]
    fn into_io_error() {
        let e: std::io::Error = Errno::NOENT.into();
        assert_eq!(e.raw_os_error(), Some(2));
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        let e: std::io::Error = Errno::AGAIN.into();
        assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock);
        let boxed: std::boxed::Box<dyn std::error::Error> = std::boxed::Box::new(Errno::BADF);
        assert_eq!(format!("{}", boxed), "EBADF: Bad file descriptor");
    }
}
