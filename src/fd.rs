//! File descriptors with lifetimes: [`OwnedFd`] closes on drop, [`BorrowedFd`] cannot outlive
//! the descriptor it borrows, and [`AsFd`] lets every function take either.
//!
//! With the `std` feature these are std's own types, re-exported, so `&TcpListener`,
//! `&UnixStream`, `&File` and every other std handle pass straight into freepoll. Without it,
//! this module defines the same types with the same contracts for `no_std` programs.
//!
//! The pages below show the types of the build that made them: without `std` (how docs.rs
//! builds freepoll, and how a `no_std` program gets it) the types defined by freepoll, whose
//! pages say so; with `std`, std's own.
//!
//! The `std` feature changes which trait `AsFd` is. A library that implements
//! `freepoll::fd::AsFd` for its own type should implement it from std (enable `std`) or accept
//! that its implementation belongs to the `no_std` trait, which is a different trait once any
//! crate in the build turns `std` on.

#[cfg(feature = "std")]
pub use std::os::unix::io::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};

#[cfg(not(feature = "std"))]
pub use self::nostd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};

#[cfg(not(feature = "std"))]
mod nostd {
    use crate::arch::{nr, syscall1};
    use core::fmt;
    use core::marker::PhantomData;
    use core::mem::ManuallyDrop;

    /// A raw file descriptor number, as the kernel sees it.
    pub type RawFd = i32;

    /// An open file descriptor that this value owns: dropping it closes the descriptor.
    ///
    /// Defined by freepoll, for builds without the `std` feature; with it, this is
    /// `std::os::fd::OwnedFd`, with the same contract.
    ///
    /// # Invariant
    /// `fd` is open and nothing else closes it.
    #[repr(transparent)]
    pub struct OwnedFd {
        fd: RawFd,
    }

    /// A file descriptor borrowed for `'fd`: it stays open at least that long.
    ///
    /// Defined by freepoll, for builds without the `std` feature; with it, this is
    /// `std::os::fd::BorrowedFd`, with the same contract.
    ///
    /// # Invariant
    /// `fd` is open for all of `'fd`.
    #[derive(Clone, Copy)]
    #[repr(transparent)]
    pub struct BorrowedFd<'fd> {
        fd: RawFd,
        _owner: PhantomData<&'fd OwnedFd>,
    }

    impl BorrowedFd<'_> {
        /// Borrows the raw descriptor `fd`.
        ///
        /// # Safety
        /// `fd` must be an open file descriptor (not -1) and must stay open for the whole
        /// lifetime of the returned value.
        pub const unsafe fn borrow_raw(fd: RawFd) -> Self {
            debug_assert!(fd != -1, "BorrowedFd::borrow_raw(-1)");
            BorrowedFd {
                fd,
                _owner: PhantomData,
            }
        }
    }

    impl Drop for OwnedFd {
        /// close(2). An error from close is ignored: the descriptor is released whatever close
        /// answers on Linux, and retrying could close a descriptor another thread just got.
        fn drop(&mut self) {
            // SAFETY: this value owns `fd` (the type's invariant), so closing it cannot
            // invalidate a descriptor anyone else holds; close reads no user memory.
            let _ = unsafe { syscall1(nr::CLOSE, self.fd as usize) };
        }
    }

    /// Borrows a file descriptor.
    pub trait AsFd {
        /// Borrows the descriptor for as long as `self` is borrowed.
        fn as_fd(&self) -> BorrowedFd<'_>;
    }

    /// Extracts the raw descriptor number, without any lifetime.
    pub trait AsRawFd {
        /// The raw descriptor number. It is valid only while `self` keeps it open.
        fn as_raw_fd(&self) -> RawFd;
    }

    /// Builds an owning value from a raw descriptor.
    pub trait FromRawFd {
        /// Takes ownership of `fd`.
        ///
        /// # Safety
        /// `fd` must be open and owned by the caller, who hands that ownership over: nothing
        /// else may close it afterwards.
        unsafe fn from_raw_fd(fd: RawFd) -> Self;
    }

    /// Gives up ownership of a descriptor without closing it.
    pub trait IntoRawFd {
        /// Returns the raw descriptor; the caller now owns it and must close it.
        fn into_raw_fd(self) -> RawFd;
    }

    impl AsFd for OwnedFd {
        #[inline]
        fn as_fd(&self) -> BorrowedFd<'_> {
            // SAFETY: `self` owns an open descriptor (its invariant), which stays open until it
            // is dropped, so at least as long as the borrow of `self`.
            unsafe { BorrowedFd::borrow_raw(self.fd) }
        }
    }

    impl AsFd for BorrowedFd<'_> {
        #[inline]
        fn as_fd(&self) -> BorrowedFd<'_> {
            *self
        }
    }

    impl<T: AsFd + ?Sized> AsFd for &T {
        #[inline]
        fn as_fd(&self) -> BorrowedFd<'_> {
            T::as_fd(self)
        }
    }

    impl<T: AsFd + ?Sized> AsFd for &mut T {
        #[inline]
        fn as_fd(&self) -> BorrowedFd<'_> {
            T::as_fd(self)
        }
    }

    impl AsRawFd for OwnedFd {
        #[inline]
        fn as_raw_fd(&self) -> RawFd {
            self.fd
        }
    }

    impl AsRawFd for BorrowedFd<'_> {
        #[inline]
        fn as_raw_fd(&self) -> RawFd {
            self.fd
        }
    }

    impl AsRawFd for RawFd {
        #[inline]
        fn as_raw_fd(&self) -> RawFd {
            *self
        }
    }

    impl FromRawFd for OwnedFd {
        #[inline]
        unsafe fn from_raw_fd(fd: RawFd) -> Self {
            debug_assert!(fd != -1, "OwnedFd::from_raw_fd(-1)");
            OwnedFd { fd }
        }
    }

    impl IntoRawFd for OwnedFd {
        #[inline]
        fn into_raw_fd(self) -> RawFd {
            // Not dropped, so not closed: ownership passes to the caller.
            ManuallyDrop::new(self).fd
        }
    }

    impl fmt::Debug for OwnedFd {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("OwnedFd").field("fd", &self.fd).finish()
        }
    }

    impl fmt::Debug for BorrowedFd<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("BorrowedFd").field("fd", &self.fd).finish()
        }
    }
}

/// Takes ownership of the descriptor that a raw system call returned, or returns its error.
///
/// For a call that freepoll does not wrap, made with [`raw::syscallN`](crate::raw): the raw
/// return of a call that creates a descriptor (`memfd_create`, `open_tree`, `fsopen`, ...)
/// becomes an [`OwnedFd`], which closes it on drop, or the call's [`Errno`](crate::Errno).
/// The error range (-4095..=-1) is decoded as [`decode_raw`](crate::raw::decode_raw) decodes
/// it; any other value is the descriptor.
///
/// # Safety
/// `ret` is the raw return value of a system call that, when it succeeds, returns a
/// descriptor that the call has just created and that nothing else owns, and no other code
/// takes ownership of that same return value. Then the [`OwnedFd`] made here is the only
/// owner, and it closes the descriptor exactly once.
///
/// It is unsound to pass the return of a call that does not create a descriptor: `dup2`'s or
/// `dup3`'s (their target descriptor may be owned already), `fcntl(F_GETFD)`'s, `read`'s or
/// `getpid`'s (numbers that are not descriptors, or the number of a descriptor owned
/// elsewhere), or a descriptor number that some other value owns. Dropping the result
/// would close that descriptor under its owner.
///
/// # Errors
/// The call's error, whatever errno the kernel returned.
///
/// # Examples
/// ```
/// use freepoll::fd::{decode_new_fd, AsRawFd};
/// use freepoll::raw::{nr, syscall2};
///
/// // eventfd2(0, EFD_CLOEXEC): a new eventfd, owned by nothing else yet.
/// const EFD_CLOEXEC: usize = 0o2000000;
/// // SAFETY: eventfd2 takes two integers and touches no memory of this process.
/// let ret = unsafe { syscall2(nr::EVENTFD2, 0, EFD_CLOEXEC) };
/// // SAFETY: on success eventfd2 returns a descriptor it has just created; `ret` is used
/// // nowhere else, so the `OwnedFd` is its only owner.
/// let fd = unsafe { decode_new_fd(ret) }?;
/// assert!(fd.as_raw_fd() >= 0);
/// drop(fd); // closes it
/// # Ok::<(), freepoll::Errno>(())
/// ```
///
/// # References
/// - syscall(2): <https://man7.org/linux/man-pages/man2/syscall.2.html>
#[inline]
pub unsafe fn decode_new_fd(ret: usize) -> crate::Result<OwnedFd> {
    let fd = crate::errno::decode_raw(ret)? as RawFd;
    // SAFETY: the call succeeded, so `fd` is the new descriptor it returned (0..=i32::MAX,
    // never -1), which the caller's contract says nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// A typed handle around an [`OwnedFd`]: `AsFd`, `AsRawFd`, `Debug`, and conversion into the
/// `OwnedFd`. The type says which kind of kernel object the descriptor is, so that its calls
/// (a timer's expiration count, a signalfd's records) cannot be made on another kind.
macro_rules! fd_handle {
    ($name:ident) => {
        impl $crate::fd::AsFd for $name {
            #[inline]
            fn as_fd(&self) -> $crate::fd::BorrowedFd<'_> {
                $crate::fd::AsFd::as_fd(&self.fd)
            }
        }

        impl $crate::fd::AsRawFd for $name {
            #[inline]
            fn as_raw_fd(&self) -> $crate::fd::RawFd {
                $crate::fd::AsRawFd::as_raw_fd(&self.fd)
            }
        }

        impl From<$name> for $crate::fd::OwnedFd {
            /// The descriptor, no longer typed; it stays open.
            #[inline]
            fn from(handle: $name) -> $crate::fd::OwnedFd {
                handle.fd
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_tuple(stringify!($name))
                    .field(&$crate::fd::AsRawFd::as_raw_fd(&self.fd))
                    .finish()
            }
        }
    };
}
pub(crate) use fd_handle;
