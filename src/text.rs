//! Text for a descriptor, assembled in a stack buffer without `core::fmt`: byte strings,
//! decimal and hexadecimal integers and [`Errno`] names, written with write(2).
//!
//! A program without libc that prints a few lines with `write!` pulls in `core::fmt`, some
//! 13 KB of machine code on x86_64 (the formatting machinery, and its tables for every
//! integer width). [`TextBuf`] does the few things such a program prints, in a buffer of `N`
//! bytes on the stack, and costs a few hundred bytes. When the buffer is full it writes what
//! it holds to its descriptor and carries on, so a long line is never cut; [`TextBuf::flush`]
//! writes the rest.
//!
//! The trap: nothing is written on drop. A `TextBuf` dropped without [`flush`](TextBuf::flush)
//! loses what it held (a drop could not report the error of its write). The first write
//! error stops all further writes and comes back from `flush`.
//!
//! ```
//! use freepoll::io::stdout;
//! use freepoll::text::TextBuf;
//! use freepoll::Errno;
//!
//! let mut line = TextBuf::<64>::new(stdout());
//! line.str("fd ").dec(3).str(": ").errno(Errno::BADF).str(", flags 0x").hex(0x80_000);
//! assert_eq!(line.held(), b"fd 3: EBADF, flags 0x80000");
//! line.str("\n").flush()?;
//! # Ok::<(), freepoll::Errno>(())
//! ```

use crate::fd::BorrowedFd;
use crate::Errno;

/// 10^19 down to 10^0: the place values of a `u64` in decimal.
const POWERS_OF_TEN: [u64; 20] = [
    10_000_000_000_000_000_000,
    1_000_000_000_000_000_000,
    100_000_000_000_000_000,
    10_000_000_000_000_000,
    1_000_000_000_000_000,
    100_000_000_000_000,
    10_000_000_000_000,
    1_000_000_000_000,
    100_000_000_000,
    10_000_000_000,
    1_000_000_000,
    100_000_000,
    10_000_000,
    1_000_000,
    100_000,
    10_000,
    1_000,
    100,
    10,
    1,
];

/// Up to `N` bytes of text on their way to a descriptor, written with write(2) when the buffer
/// fills and by [`flush`](TextBuf::flush). See the [module documentation](self).
///
/// `N` must be at least 1 for anything to be written; a `TextBuf<0>` holds nothing and every
/// push sets [`Errno::NOSPC`].
pub struct TextBuf<'fd, const N: usize> {
    /// Where the text goes.
    fd: BorrowedFd<'fd>,
    /// The bytes not yet written: `buf[..len]`.
    buf: [u8; N],
    /// Invariant: `len <= N`. Every method that raises it checks the slot it fills first.
    len: usize,
    /// The first write error; once set, nothing more is written or held.
    error: Option<Errno>,
}

impl<'fd, const N: usize> TextBuf<'fd, N> {
    /// An empty buffer for text bound for `fd`.
    #[inline]
    #[must_use]
    pub const fn new(fd: BorrowedFd<'fd>) -> TextBuf<'fd, N> {
        TextBuf {
            fd,
            buf: [0; N],
            len: 0,
            error: None,
        }
    }

    /// The bytes held, not yet written.
    #[inline]
    #[must_use]
    pub fn held(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Appends `bytes` (any bytes: a path, a line read from a descriptor), writing out the
    /// buffer whenever it fills.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        for &b in bytes {
            self.byte(b);
        }
        self
    }

    /// Appends `s`.
    #[inline]
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Appends `n` in decimal, with a `-` first when it is negative.
    pub fn dec(&mut self, n: i64) -> &mut Self {
        if n < 0 {
            self.byte(b'-');
        }
        self.udec(n.unsigned_abs())
    }

    /// Appends `n` in decimal.
    pub fn udec(&mut self, mut n: u64) -> &mut Self {
        // Each digit by subtracting its power of ten: no 64-bit division, which a 32-bit
        // target would make with a library routine (about a kilobyte on armv7).
        let mut started = false;
        for &power in POWERS_OF_TEN.iter() {
            let mut digit = 0u8;
            while n >= power {
                n = n.wrapping_sub(power);
                digit = digit.wrapping_add(1);
            }
            if digit != 0 || started || power == 1 {
                started = true;
                self.byte(b'0' | digit);
            }
        }
        self
    }

    /// Appends `n` in lowercase hexadecimal, with no prefix and no leading zeros (`0` for 0).
    pub fn hex(&mut self, mut n: u64) -> &mut Self {
        // 16 digits hold u64::MAX; filled from the end.
        let mut digits = [0u8; 16];
        let mut start = digits.len();
        while let Some(i) = start.checked_sub(1) {
            start = i;
            if let Some(slot) = digits.get_mut(i) {
                *slot = *b"0123456789abcdef".get((n & 0xf) as usize).unwrap_or(&b'?');
            }
            n >>= 4;
            if n == 0 {
                break;
            }
        }
        self.bytes(digits.get(start..).unwrap_or(&[]))
    }

    /// Appends the C name of `e` (`EBADF`), or `E` and its number for one with no name
    /// (`E4000`).
    pub fn errno(&mut self, e: Errno) -> &mut Self {
        match e.name() {
            Some(name) => self.str(name),
            None => {
                self.byte(b'E');
                self.udec(e.raw_os_error().unsigned_abs().into())
            }
        }
    }

    /// `write(fd, held, len)` until the buffer is empty: writes what the buffer holds (again
    /// for the rest after a short write) and empties it.
    ///
    /// # Errors
    /// The first error of any write this buffer made, here or when it filled: `EBADF`,
    /// `EPIPE`, `EAGAIN` (a non-blocking descriptor that is full), `EINTR` (not retried), ...
    /// [`Errno::NOSPC`] for a `TextBuf<0>`, which cannot hold a byte. After an error the
    /// buffer is empty and stays unusable: every later `flush` returns the same error.
    /// A write that returns 0 for a non-empty buffer is reported as [`Errno::IO`].
    ///
    /// # References
    /// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
    #[doc(alias = "write")]
    pub fn flush(&mut self) -> crate::Result<()> {
        let mut done = 0;
        while let (None, Some(rest)) = (self.error, self.buf.get(done..self.len)) {
            if rest.is_empty() {
                break;
            }
            match crate::io::write(self.fd, rest) {
                Ok(0) => self.fail(Errno::IO),
                // The kernel wrote at most `rest.len()` bytes: `done` stays `<= len`.
                Ok(n) => done = done.wrapping_add(n),
                Err(e) => self.fail(e),
            }
        }
        self.len = 0;
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Appends one byte, writing out a full buffer first.
    fn byte(&mut self, b: u8) {
        if self.len == N && self.flush().is_err() {
            return;
        }
        // After a successful flush `len` is 0; `get_mut` refuses the slot only when `N` is 0.
        match self.buf.get_mut(self.len) {
            Some(slot) => {
                *slot = b;
                self.len = self.len.wrapping_add(1);
            }
            None => self.fail(Errno::NOSPC),
        }
    }

    /// Records the first error and drops what is held.
    fn fail(&mut self, e: Errno) {
        self.error.get_or_insert(e);
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::TextBuf;
    use crate::fd::AsFd;
    use crate::io::{pipe2, read, PipeFlags};
    use crate::Errno;

    #[test]
    fn numbers_and_names_come_out_as_text() {
        let (r, w) = pipe2(PipeFlags::CLOEXEC).unwrap();
        let mut t = TextBuf::<8>::new(w.as_fd());
        t.dec(i64::MIN)
            .str(" ")
            .udec(u64::MAX)
            .str(" ")
            .hex(u64::MAX)
            .str(" ")
            .hex(0);
        t.str(" ").udec(0).str(" ").dec(-7).str(" ").udec(10);
        t.str(" ")
            .errno(Errno::BADF)
            .str(" ")
            .errno(Errno::from_raw_os_error(4000).unwrap());
        t.flush().unwrap();
        let mut buf = [0u8; 128];
        let n = read(&r, &mut buf).unwrap();
        assert_eq!(
            &buf[..n],
            b"-9223372036854775808 18446744073709551615 ffffffffffffffff 0 0 -7 10 EBADF E4000"
        );
    }

    #[test]
    fn a_zero_sized_buffer_reports_nospc() {
        let (_r, w) = pipe2(PipeFlags::CLOEXEC).unwrap();
        let mut t = TextBuf::<0>::new(w.as_fd());
        assert_eq!(t.str("x").flush(), Err(Errno::NOSPC));
    }
}
