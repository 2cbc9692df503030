//! riscv64's `_start` sets the global pointer: this program calls a C function built by gcc
//! (`gp/global.c`, a relaxable object) whose global load GNU ld turns into one gp-relative
//! load, and checks the value it reads. Without `_start` loading `gp`, the load would go
//! through whatever `gp` held at entry (0) and fault or read another value. Built and run by
//! `ci/freestanding.sh` for riscv64 only, linked with GNU ld (feature `gp-test`).
#![no_std]
#![no_main]

use freepoll::entry::Args;
use freepoll::io::{stdout, write};

freepoll::entry!(main);

extern "C" {
    fn freepoll_gp_global() -> i32;
}

fn main(_: Args) -> i32 {
    // SAFETY: `freepoll_gp_global` takes nothing and returns an `int` read from a global of
    // the C object linked in.
    let value = unsafe { freepoll_gp_global() };
    if value == 42 {
        let _ = write(stdout(), b"ok gp: the relaxed global load read 42\n");
        0
    } else {
        let _ = write(
            stdout(),
            b"FAIL gp: the relaxed global load read another value\n",
        );
        1
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    freepoll::process::exit(101)
}
