//! freepoll: Linux epoll for `no_std` and freestanding programs.
//!
//! A safe API ([`epoll`]) over borrowed file descriptors ([`fd`]), reaching the kernel through
//! hand-written inline-asm system calls, one file per architecture (x86_64, aarch64,
//! riscv64, armv7 in ARM and Thumb code, i686, powerpc64le, s390x). No libc, no allocator,
//! nothing between the caller and the kernel but a few instructions. Errors are [`Errno`]s.
//!
//! The other sources an event loop waits on, each shaped like [`epoll`]: [`eventfd`] (wake-ups),
//! [`timerfd`] (timers, with [`clock`] for deadlines), [`signalfd`] (signals, blocked with
//! [`signal::sigprocmask`]), [`pidfd`] (child exits, reaped with [`process::waitid`]), and the
//! I/O around them in [`io`]. [`raw`] has the stubs and numbers for any other call.
//!
//! Features (none by default):
//! - `entry`: `entry!(main)`, the start-up code of a `#![no_main]` program with no C library
//!   (the `entry` module).
//! - `alloc`: an [`EventVec`](epoll::EventVec) that owns and grows a heap buffer.
//! - `std` (implies `alloc`): [`fd`] re-exports std's `OwnedFd`, `BorrowedFd` and `AsFd`, so
//!   std's sockets and files pass straight in; `Errno` implements `std::error::Error` and
//!   converts into `std::io::Error`.
//!
//! What these pages show depends on the features of the build that made them. docs.rs builds
//! them with `alloc` and `entry`, as a `no_std` program sees freepoll: [`fd`] shows the types defined
//! by freepoll. With `std`, [`fd`] holds std's types instead, and [`Errno`] also implements
//! `std::error::Error` and `From<Errno> for std::io::Error`; nothing else changes.
#![cfg_attr(
    feature = "std",
    doc = "\n**This build has the `std` feature**: [`fd`] shows std's types."
)]
#![cfg_attr(
    not(feature = "std"),
    doc = "\n**This build has no `std` feature**: [`fd`] shows freepoll's own types."
)]
#![no_std]
#![deny(unsafe_op_in_unsafe_fn, missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]
// No reachable panics in library code. Tests may panic: the integration tests are separate
// crates, and the unit tests are built with cfg(test), which lifts these.
#![cfg_attr(
    not(test),
    deny(
        clippy::panic,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(not(all(
    any(target_os = "linux", target_os = "none"),
    any(
        all(
            target_pointer_width = "64",
            any(
                target_arch = "x86_64",
                target_arch = "aarch64",
                target_arch = "riscv64",
                all(target_arch = "powerpc64", target_endian = "little"),
                target_arch = "s390x"
            )
        ),
        all(
            target_pointer_width = "32",
            any(target_arch = "x86", target_arch = "arm")
        ),
    ),
)))]
compile_error!(
    "freepoll supports Linux (or bare `*-none` targets running on Linux) on x86_64, aarch64, \
     riscv64, powerpc64le, s390x, i686 (x86) and armv7 (ARM or Thumb code) only: targets \
     x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu, riscv64gc-unknown-linux-gnu, \
     powerpc64le-unknown-linux-gnu, s390x-unknown-linux-gnu, i686-unknown-linux-gnu, \
     armv7-unknown-linux-gnueabihf, thumbv7neon-unknown-linux-gnueabihf, their musl \
     variants, and the `*-none` targets of these architectures"
);

// Miri cannot run inline asm: under it, the stubs call the C functions Miri emulates.
#[cfg_attr(miri, path = "../arch/miri.rs")]
#[cfg_attr(all(not(miri), target_arch = "x86_64"), path = "../arch/x86_64.rs")]
#[cfg_attr(all(not(miri), target_arch = "aarch64"), path = "../arch/aarch64.rs")]
#[cfg_attr(all(not(miri), target_arch = "riscv64"), path = "../arch/riscv64.rs")]
#[cfg_attr(
    all(not(miri), target_arch = "powerpc64"),
    path = "../arch/powerpc64.rs"
)]
#[cfg_attr(all(not(miri), target_arch = "s390x"), path = "../arch/s390x.rs")]
#[cfg_attr(all(not(miri), target_arch = "x86"), path = "../arch/x86.rs")]
#[cfg_attr(all(not(miri), target_arch = "arm"), path = "../arch/arm.rs")]
mod arch;

mod errno;
mod event;
mod event_vec;
mod params;
mod timeout;
mod vdso;

pub mod clock;
#[cfg(feature = "std")]
pub mod command;
#[cfg(feature = "entry")]
pub mod entry;
pub mod epoll;
pub mod eventfd;
pub mod fd;
pub mod fs;
pub mod inotify;
pub mod io;
pub mod pidfd;
pub mod process;
pub mod raw;
pub mod signal;
pub mod signalfd;
pub mod socket;
pub mod spawn;
pub mod text;
pub mod timerfd;
pub mod tty;
pub mod uevent;

pub use errno::{Errno, Result};

// The memory-safety tests Miri runs (ci/miri.sh); ignored outside Miri.
#[cfg(test)]
mod miri_tests;
