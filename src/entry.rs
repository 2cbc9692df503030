//! What a `#![no_main]` program with no C library needs (feature `entry`): the process entry
//! point `_start`, its arguments and environment handed to `main`, the exit, and the memory
//! functions the compiler emits calls to. One line, [`entry!`](crate::entry!), provides them.
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//!
//! use freepoll::entry::Args;
//!
//! freepoll::entry!(main);
//!
//! fn main(args: Args) -> i32 {
//!     let _program = args.get(0); // argv[0], as bytes
//!     0 // the exit status
//! }
//!
//! #[panic_handler]
//! fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
//!     freepoll::process::exit(101)
//! }
//! ```
//!
//! `entry!(main)` defines, in the program that invokes it:
//! - `_start`, from the architecture's file in `arch/`: it clears the frame pointer (the
//!   outermost frame), passes the initial stack pointer on and aligns the stack for the call;
//! - `__freepoll_start`, which reads argc, argv and envp from that stack, calls `main` with
//!   them as [`Args`], and ends the process with its return value as the exit status
//!   ([`exit`](crate::process::exit));
//! - `memcpy`, `memmove`, `memset`, `memcmp`, `bcmp` and `strlen`, which LLVM calls for
//!   copies, fills, comparisons and NUL scans it does not expand inline. They are byte loops:
//!   small, not fast. A program with bulk copies on its hot path is better served by a C
//!   library.
//!
//! Only a program that invokes the macro gets these symbols, so the feature can stay on in a
//! build that also links a C library (its tests, `cargo test --all-features`): nothing
//! conflicts with the C library's `_start` or `memcpy` unless `entry!` is used there.
//!
//! The link itself needs no C toolchain: `freestanding/.cargo/config.toml` in the repository
//! has the flags (rust-lld, static, no unwind tables), and the README says why each is there.
//! Works from Rust 1.65, like the rest of freepoll.

use crate::spawn::CStrArray;
use core::ffi::{c_char, CStr};
use core::marker::PhantomData;

/// The arguments and environment the kernel put on the initial stack: `argc`, `argv` and
/// `envp`, as bytes (no terminating NUL, no encoding assumed), or as the C strings and
/// NULL-terminated arrays that [`execve`](crate::spawn::execve) takes.
#[derive(Clone, Copy)]
pub struct Args {
    argc: usize,
    argv: *const *const u8,
    envp: *const *const u8,
    /// Neither `Send` nor `Sync`, like the raw pointers; and the strings live as long as the
    /// process, which `'static` says.
    _not_send: PhantomData<*const u8>,
}

impl Args {
    /// `argc`: the number of arguments, the program name included.
    #[inline]
    pub fn len(&self) -> usize {
        self.argc
    }

    /// Whether there are no arguments at all (not even a program name: `execve` with an empty
    /// `argv`).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.argc == 0
    }

    /// `argv[i]`, or `None` for `i >= argc`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'static [u8]> {
        if i < self.argc {
            // SAFETY: the kernel wrote `argc` pointers at `argv` (the `Args` invariant), and
            // `i < argc`; each is a NUL-terminated string that lives as long as the process.
            Some(unsafe { c_str(self.argv.add(i).read()) })
        } else {
            None
        }
    }

    /// The arguments, `argv[0]` first.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = &'static [u8]> + '_ {
        (0..self.argc).filter_map(move |i| self.get(i))
    }

    /// The environment, `NAME=value` strings in the order `execve` gave them.
    #[inline]
    pub fn env(&self) -> Env {
        Env {
            next: self.envp,
            _not_send: PhantomData,
        }
    }

    /// `argv[i]` as a C string, or `None` for `i >= argc`.
    #[inline]
    pub fn arg(&self, i: usize) -> Option<&'static CStr> {
        self.argv().get(i)
    }

    /// The kernel's `argv` array itself, NULL-terminated, for [`execve`](crate::spawn::execve)
    /// and [`Spawn`](crate::spawn::Spawn): no copy.
    #[inline]
    pub fn argv(&self) -> CStrArray<'static> {
        self.argv_from(0)
    }

    /// `argv[i..]`, the arguments from `i` on, without a copy: the kernel's array ends with a
    /// NULL at `argv[argc]`, so its tail is an array of its own. For `i >= argc`, the empty
    /// array. What an init or a wrapper passes to the program it starts:
    /// `Spawn::new(args.arg(1)?, args.argv_from(1), args.envp())`.
    #[inline]
    pub fn argv_from(&self, i: usize) -> CStrArray<'static> {
        if i >= self.argc {
            return CStrArray::empty();
        }
        // SAFETY: the kernel wrote `argc` pointers to NUL-terminated strings at `argv` and a
        // NULL after them (the `Args` invariant); `i < argc`, so `argv + i` holds the
        // `argc - i` last ones and that NULL. The kernel's arrays and strings live as long
        // as the process and nothing here writes them.
        unsafe {
            CStrArray::from_raw(
                self.argv.add(i).cast::<*const c_char>(),
                self.argc.wrapping_sub(i),
            )
        }
    }

    /// The kernel's `envp` array as it is, NULL-terminated, for
    /// [`execve`](crate::spawn::execve) and [`Spawn`](crate::spawn::Spawn): no copy.
    #[inline]
    pub fn envp(&self) -> CStrArray<'static> {
        let len = self.env().count();
        // SAFETY: the kernel wrote the environment pointers at `envp`, each to a
        // NUL-terminated string, and a NULL after them; `len` counts them up to that NULL.
        // They live as long as the process and nothing here writes them.
        unsafe { CStrArray::from_raw(self.envp.cast::<*const c_char>(), len) }
    }

    /// The value of environment variable `name`, if it is set.
    #[inline]
    pub fn var(&self, name: &[u8]) -> Option<&'static [u8]> {
        self.env().find_map(|entry| {
            let rest = entry.strip_prefix(name)?;
            rest.strip_prefix(b"=")
        })
    }
}

/// The environment strings of [`Args::env`].
pub struct Env {
    next: *const *const u8,
    _not_send: PhantomData<*const u8>,
}

impl Iterator for Env {
    type Item = &'static [u8];

    #[inline]
    fn next(&mut self) -> Option<&'static [u8]> {
        // SAFETY: `next` points into the NULL-terminated `envp` array the kernel wrote, and
        // never past its NULL (it stops there).
        let entry = unsafe { self.next.read() };
        if entry.is_null() {
            return None;
        }
        // SAFETY: not the last (NULL) entry, so the next one is still in the array.
        self.next = unsafe { self.next.add(1) };
        // SAFETY: a non-NULL entry is a NUL-terminated string that lives as long as the
        // process.
        Some(unsafe { c_str(entry) })
    }
}

/// The bytes of the NUL-terminated string at `s`, without the NUL.
///
/// # Safety
/// `s` points to a NUL-terminated string that is never written and lives for `'static`.
unsafe fn c_str(s: *const u8) -> &'static [u8] {
    // SAFETY: the caller's contract.
    unsafe { core::slice::from_raw_parts(s, strlen(s)) }
}

/// Reads argc, argv and envp from the initial stack at `sp`, runs `main`, exits with its
/// status. Called by the `__freepoll_start` that [`entry!`](crate::entry!) defines.
///
/// # Safety
/// `sp` is the stack pointer the kernel handed the process at its entry: argc, then argc
/// pointers and a NULL (argv), then the environment pointers and a NULL (envp). Called once.
#[doc(hidden)]
pub unsafe fn start(sp: *const usize, main: fn(Args) -> i32) -> ! {
    // The auxiliary vector follows envp: the vDSO lookup finds it from here, if the program
    // ever reads a clock.
    crate::vdso::record_initial_stack(sp);
    // SAFETY: the caller's contract is `from_initial_stack`'s.
    let args = unsafe { Args::from_initial_stack(sp) };
    crate::process::exit(main(args))
}

impl Args {
    /// argc, argv and envp from the initial stack at `sp`.
    ///
    /// # Safety
    /// As for [`start`]: argc at `sp`, then argc pointers to NUL-terminated strings and a
    /// NULL (argv), then the environment pointers and a NULL (envp), all of it and the strings
    /// readable and unchanged for the rest of the process.
    unsafe fn from_initial_stack(sp: *const usize) -> Args {
        // SAFETY: the kernel's initial stack layout (the caller's contract): argc at `sp`,
        // argv right after it, envp after argv's NULL, all within the stack.
        unsafe {
            let argc = sp.read();
            let argv = sp.add(1) as *const *const u8;
            Args {
                argc,
                argv,
                envp: argv.add(argc).add(1),
                _not_send: PhantomData,
            }
        }
    }
}

/// The bodies of the C memory functions [`entry!`](crate::entry!) defines. Byte loops; the
/// empty asm statement in each is opaque to the optimiser, which keeps it from turning the
/// loop back into a call to the very function it implements.
#[doc(hidden)]
pub mod mem {
    /// An empty statement the optimiser cannot see through.
    #[inline(always)]
    fn barrier() {
        // SAFETY: an empty statement: it reads and writes nothing.
        unsafe { core::arch::asm!("", options(nostack, preserves_flags)) };
    }

    /// memset(3).
    ///
    /// # Safety
    /// `dst` is valid for writes of `len` bytes.
    pub unsafe fn memset(dst: *mut u8, byte: i32, len: usize) -> *mut u8 {
        for i in 0..len {
            // SAFETY: `i < len`, and the caller passes `dst` valid for `len` bytes.
            unsafe { dst.add(i).write(byte as u8) };
            barrier();
        }
        dst
    }

    /// memmove(3) and memcpy(3): forwards when `dst` is below `src`, backwards otherwise, so
    /// that overlapping ranges copy correctly.
    ///
    /// # Safety
    /// `src` is valid for reads and `dst` for writes of `len` bytes.
    pub unsafe fn memmove(dst: *mut u8, src: *const u8, len: usize) -> *mut u8 {
        if (dst as usize) < (src as usize) {
            for i in 0..len {
                // SAFETY: `i < len`, and the caller passes both pointers valid for `len`.
                unsafe { dst.add(i).write(src.add(i).read()) };
                barrier();
            }
        } else {
            for i in (0..len).rev() {
                // SAFETY: as above.
                unsafe { dst.add(i).write(src.add(i).read()) };
                barrier();
            }
        }
        dst
    }

    /// memcmp(3) and bcmp(3).
    ///
    /// # Safety
    /// `a` and `b` are valid for reads of `len` bytes.
    pub unsafe fn memcmp(a: *const u8, b: *const u8, len: usize) -> i32 {
        for i in 0..len {
            // SAFETY: `i < len`, and the caller passes both pointers valid for `len` bytes.
            let (x, y) = unsafe { (a.add(i).read(), b.add(i).read()) };
            if x != y {
                return i32::from(x).wrapping_sub(i32::from(y));
            }
            barrier();
        }
        0
    }

    /// strlen(3).
    ///
    /// # Safety
    /// `s` points to a NUL-terminated string.
    pub unsafe fn strlen(s: *const u8) -> usize {
        let mut n = 0;
        // SAFETY: the string is NUL-terminated, so every byte up to and including the NUL is
        // readable, and the loop stops at the NUL.
        while unsafe { s.add(n).read() } != 0 {
            n = n.wrapping_add(1);
            barrier();
        }
        n
    }
}

use mem::strlen;

/// Makes `main` the program's entry: defines `_start`, `__freepoll_start` and the C memory
/// functions in the program that invokes it (see the [`entry`](mod@crate::entry) module).
///
/// `main` is a `fn(Args) -> i32`; its return value is the exit status. Invoke it once, in a
/// `#![no_main]` binary with no C library.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        $crate::__freepoll_start_asm!();

        /// The process entry after `_start`: runs `main` and exits.
        ///
        /// # Safety
        /// Called once, by `_start`, with the stack pointer the kernel handed the process.
        #[no_mangle]
        unsafe extern "C" fn __freepoll_start(sp: *const usize) -> ! {
            let main: fn($crate::entry::Args) -> i32 = $main;
            // SAFETY: `_start` passes the kernel's initial stack pointer, once.
            unsafe { $crate::entry::start(sp, main) }
        }

        /// memcpy(3), for the code the compiler generates.
        ///
        /// # Safety
        /// As memcpy(3).
        #[no_mangle]
        unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, len: usize) -> *mut u8 {
            // SAFETY: memcpy's contract is memmove's with no overlap.
            unsafe { $crate::entry::mem::memmove(dst, src, len) }
        }

        /// memmove(3), for the code the compiler generates.
        ///
        /// # Safety
        /// As memmove(3).
        #[no_mangle]
        unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, len: usize) -> *mut u8 {
            // SAFETY: the caller's contract is memmove's.
            unsafe { $crate::entry::mem::memmove(dst, src, len) }
        }

        /// memset(3), for the code the compiler generates.
        ///
        /// # Safety
        /// As memset(3).
        #[no_mangle]
        unsafe extern "C" fn memset(dst: *mut u8, byte: i32, len: usize) -> *mut u8 {
            // SAFETY: the caller's contract is memset's.
            unsafe { $crate::entry::mem::memset(dst, byte, len) }
        }

        /// memcmp(3), for the code the compiler generates.
        ///
        /// # Safety
        /// As memcmp(3).
        #[no_mangle]
        unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, len: usize) -> i32 {
            // SAFETY: the caller's contract is memcmp's.
            unsafe { $crate::entry::mem::memcmp(a, b, len) }
        }

        /// bcmp(3), for the code the compiler generates.
        ///
        /// # Safety
        /// As bcmp(3), memcmp's contract.
        #[no_mangle]
        unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, len: usize) -> i32 {
            // SAFETY: the caller's contract is memcmp's.
            unsafe { $crate::entry::mem::memcmp(a, b, len) }
        }

        /// strlen(3), for the code the compiler generates.
        ///
        /// # Safety
        /// As strlen(3).
        #[no_mangle]
        unsafe extern "C" fn strlen(s: *const u8) -> usize {
            // SAFETY: the caller's contract is strlen's.
            unsafe { $crate::entry::mem::strlen(s) }
        }
    };
}

#[cfg(test)]
mod tests {
    /// A `CStr` from bytes with their NUL (`c"..."` literals need Rust 1.77).
    fn cs(bytes: &[u8]) -> &core::ffi::CStr {
        core::ffi::CStr::from_bytes_with_nul(bytes).unwrap()
    }

    use super::Args;
    use core::ffi::CStr;

    /// An initial stack as the kernel lays it out: argc, argv and its NULL, envp and its NULL.
    #[test]
    fn argv_from_and_envp_read_the_kernel_arrays_in_place() {
        let strings: [&CStr; 5] = [
            cs(b"init\0"),
            cs(b"-v\0"),
            cs(b"/bin/sh\0"),
            cs(b"HOME=/\0"),
            cs(b"TERM=linux\0"),
        ];
        let p = |i: usize| strings[i].as_ptr() as usize;
        let stack: [usize; 8] = [3, p(0), p(1), p(2), 0, p(3), p(4), 0];
        // SAFETY: `stack` is laid out as the kernel's initial stack, with 'static strings, and
        // outlives `args`.
        let args = unsafe { Args::from_initial_stack(stack.as_ptr()) };
        assert_eq!(args.arg(2), Some(cs(b"/bin/sh\0")));
        assert_eq!(args.arg(3), None);
        assert!(args.argv().iter().eq(strings[..3].iter().copied()));
        let tail = args.argv_from(2);
        assert_eq!(tail.len(), 1);
        assert_eq!(tail.get(0), Some(cs(b"/bin/sh\0")));
        assert_eq!(
            tail.as_ptr(),
            stack[3..].as_ptr() as *const *const core::ffi::c_char
        );
        // SAFETY: argv[argc] is the NULL after the tail.
        assert!(unsafe { tail.as_ptr().add(1).read() }.is_null());
        assert!(args.argv_from(3).is_empty());
        assert!(args.argv_from(4).is_empty());
        assert!(args.envp().iter().eq(strings[3..].iter().copied()));
        assert_eq!(
            args.envp().as_ptr(),
            stack[5..].as_ptr() as *const *const core::ffi::c_char
        );
    }
}
