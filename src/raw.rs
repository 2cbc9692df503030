//! The raw system call stubs and numbers, for freestanding programs that need a call freepoll
//! does not wrap (read, write, eventfd2, exit_group, ...).
//!
//! Each `syscallN` loads the number and `N` arguments into this architecture's registers and
//! executes the system call instruction; the result is the raw return register. Turn it into a
//! [`Result`](crate::Result) with [`decode_raw`]. The ABI of each architecture is written out
//! at the top of its file in `arch/`.
//!
//! ```
//! use freepoll::raw::{decode_raw, nr, syscall3};
//! let msg = b"";
//! // write(1, "", 0) writes nothing and returns 0.
//! // SAFETY: `msg` is valid for reads of `msg.len()` bytes; fd 1 is only written to.
//! let ret = unsafe { syscall3(nr::WRITE, 1, msg.as_ptr() as usize, msg.len()) };
//! assert!(matches!(decode_raw(ret), Ok(0) | Err(_)));
//! ```
//!
//! # Safety
//! The stub contract, which every stub in `arch/` refers to. A system call can do anything
//! the process can: the stubs are `unsafe fn`s whose contract is
//! the contract of the call they make. The caller must pass a valid number and arguments that
//! are valid for it: pointers to memory the kernel may read or write for the sizes the call
//! uses, descriptors the caller owns or borrows as the call requires, and no call that breaks
//! Rust's assumptions about memory this program owns (`munmap` of live memory, `clone` without
//! a new stack, `exit` of a thread holding borrowed data).

pub use crate::arch::{nr, syscall0, syscall1, syscall2, syscall3, syscall4, syscall5, syscall6};
pub use crate::errno::decode_raw;
