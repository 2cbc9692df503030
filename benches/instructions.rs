//! User-space instructions per `epoll_wait` call, counted by callgrind (through gungraun): one
//! level-triggered eventfd ready, timeout 0, an 8-slot buffer, so every call returns 1 event.
//!
//! Each benchmark is a loop that makes the call and hands the count to `black_box`, written
//! with the crate's own handle and buffer types as a program using the crate holds them (in
//! locals), and the crate's own error check (`expect` on its `Result`, `n < 0` for libc).
//! gungraun counts the instructions of the benchmark function and everything it calls (the
//! `libc` and `nix` rows include glibc's `epoll_wait`), but not the kernel's work: the
//! `syscall` instruction counts as one. Each crate runs twice, `CALLS` and `2 * CALLS` calls;
//! ci/bench.sh reports `(I(2 * CALLS) - I(CALLS)) / CALLS`, which cancels the set-up, the loop
//! entry and exit, and any one-time cost, and leaves the instructions of one pass through the
//! loop (of which 2, `dec` and `jne`, are the loop's own, in every row).
//!
//! The floor is the least any wrapper can do: the arguments in registers and the system call
//! instruction, `epoll_pwait(epfd, events, maxevents, 0, NULL)`, with no error decoding.
//!
//! Run: `cargo bench --bench instructions` (needs valgrind and `gungraun-runner` of the same
//! version as the `gungraun` dev-dependency; ci/bench.sh installs it).

// Built and run with the pinned toolchain only (gungraun itself needs Rust 1.88): the
// crate's MSRV does not apply here.
#![allow(clippy::incompatible_msrv)]

// The dev-dependencies of the benchmarks are x86_64-only (Cargo.toml), so is the code.
#[cfg(target_arch = "x86_64")]
mod common;

#[cfg(target_arch = "x86_64")]
mod bench {
    use gungraun::{library_benchmark, library_benchmark_group, Callgrind, LibraryBenchmarkConfig};
    use std::hint::black_box;
    use std::mem::MaybeUninit;
    use std::os::fd::{AsRawFd, OwnedFd};

    use crate::common;

    /// Calls per run; the second run makes twice as many.
    const CALLS: u64 = 1000;

    /// Slots in every crate's buffer.
    const SLOTS: usize = 8;

    /// The `data` registered with the eventfd.
    const TOKEN: u64 = 7;

    /// What a benchmark starts from: an epoll instance (made by the crate under test, in its own
    /// type), one readable eventfd registered with it, and a buffer.
    struct Setup<E, B> {
        calls: u64,
        epoll: E,
        buf: B,
        source: OwnedFd,
    }

    /// Tells the compiler that every caller-saved register changed, as the call to an event
    /// handler that a real loop makes between two waits would. An empty asm statement: it costs
    /// no instruction, but no crate can keep the arguments of its system call in registers from
    /// one pass to the next, so every row pays for setting them up, as it would in a program.
    #[inline(always)]
    fn handler_clobbers() {
        // SAFETY: an empty asm statement; the registers it declares clobbered are saved by the
        // compiler as around a call.
        unsafe {
            std::arch::asm!(
                "",
                clobber_abi("C"),
                options(nomem, nostack, preserves_flags)
            )
        }
    }

    /// Callgrind counts only inside the benchmark function (gungraun's default), no cache
    /// simulation.
    fn config() -> LibraryBenchmarkConfig {
        let mut config = LibraryBenchmarkConfig::default();
        config.tool(Callgrind::with_args(["--cache-sim=no"]));
        config
    }

    // ----- floor -------------------------------------------------------------------------------

    /// `epoll_pwait(epfd, buf, len, 0, NULL)` in one system call instruction; the raw return.
    #[inline(always)]
    fn floor_epoll_pwait(epfd: i32, buf: &mut [MaybeUninit<libc::epoll_event>]) -> usize {
        let ret;
        // SAFETY: `epfd` is an open epoll instance (the caller owns it). The kernel writes at most
        // `buf.len()` events to `buf`, which is valid for that many. A NULL sigmask is not read.
        unsafe {
            std::arch::asm!(
                "syscall",
                inlateout("rax") libc::SYS_epoll_pwait as usize => ret,
                in("rdi") epfd as usize, in("rsi") buf.as_mut_ptr() as usize, in("rdx") buf.len(),
                in("r10") 0usize, in("r8") 0usize,
                lateout("rcx") _, lateout("r11") _,
                options(nostack, preserves_flags),
            );
        }
        ret
    }

    type FloorSetup = Setup<OwnedFd, [MaybeUninit<libc::epoll_event>; SLOTS]>;

    fn floor_setup(calls: u64) -> FloorSetup {
        let epoll = common::libc_epoll();
        let source = libc_source(&epoll);
        Setup {
            calls,
            epoll,
            buf: [MaybeUninit::uninit(); SLOTS],
            source,
        }
    }

    #[library_benchmark(config = config())]
    #[bench::calls(args = (CALLS), setup = floor_setup)]
    #[bench::calls_x2(args = (2 * CALLS), setup = floor_setup)]
    fn floor_wait(s: FloorSetup) -> FloorSetup {
        let Setup {
            calls,
            epoll,
            mut buf,
            source,
        } = s;
        let epfd = epoll.as_raw_fd();
        for _ in 0..calls {
            black_box(floor_epoll_pwait(epfd, &mut buf));
            handler_clobbers();
        }
        Setup {
            calls,
            epoll,
            buf,
            source,
        }
    }

    // ----- freepoll ----------------------------------------------------------------------------

    type FreepollSetup = Setup<freepoll::fd::OwnedFd, [MaybeUninit<freepoll::epoll::Event>; SLOTS]>;

    fn freepoll_setup(calls: u64) -> FreepollSetup {
        use freepoll::epoll::{epoll_add, epoll_create, CreateFlags, EventFlags};
        let epoll = epoll_create(CreateFlags::CLOEXEC).expect("epoll_create");
        let source = common::eventfd(1);
        // SAFETY: `source` stays open for the call.
        let borrowed = unsafe { freepoll::fd::BorrowedFd::borrow_raw(source.as_raw_fd()) };
        epoll_add(&epoll, borrowed, TOKEN, EventFlags::IN).expect("epoll_add");
        Setup {
            calls,
            epoll,
            buf: [MaybeUninit::uninit(); SLOTS],
            source,
        }
    }

    #[library_benchmark(config = config())]
    #[bench::calls(args = (CALLS), setup = freepoll_setup)]
    #[bench::calls_x2(args = (2 * CALLS), setup = freepoll_setup)]
    fn freepoll_wait(s: FreepollSetup) -> FreepollSetup {
        use freepoll::epoll::{epoll_wait, EventFlags, EventVec};
        let Setup {
            calls,
            epoll,
            mut buf,
            source,
        } = s;
        let mut events = EventVec::new(&mut buf);
        for _ in 0..calls {
            black_box(epoll_wait(&epoll, &mut events, 0).expect("epoll_wait"));
            handler_clobbers();
        }
        // Read from the buffer rather than `events`, which would keep its length live in the loop.
        // SAFETY: every wait returned 1 event, written to the first slot.
        let first = unsafe { buf[0].assume_init() };
        assert_eq!((first.flags(), first.data()), (EventFlags::IN, TOKEN));
        Setup {
            calls,
            epoll,
            buf,
            source,
        }
    }

    // ----- libc --------------------------------------------------------------------------------

    fn libc_source(epoll: &OwnedFd) -> OwnedFd {
        let source = common::eventfd(1);
        common::libc_add(epoll, &source, libc::EPOLLIN, TOKEN);
        source
    }

    type LibcSetup = Setup<OwnedFd, [libc::epoll_event; SLOTS]>;

    fn libc_setup(calls: u64) -> LibcSetup {
        let epoll = common::libc_epoll();
        let source = libc_source(&epoll);
        Setup {
            calls,
            epoll,
            buf: [libc::epoll_event { events: 0, u64: 0 }; SLOTS],
            source,
        }
    }

    #[library_benchmark(config = config())]
    #[bench::calls(args = (CALLS), setup = libc_setup)]
    #[bench::calls_x2(args = (2 * CALLS), setup = libc_setup)]
    fn libc_wait(s: LibcSetup) -> LibcSetup {
        let Setup {
            calls,
            epoll,
            mut buf,
            source,
        } = s;
        let epfd = epoll.as_raw_fd();
        for _ in 0..calls {
            // SAFETY: `epfd` is open; `buf` is valid for `buf.len()` events (8, fits a c_int).
            let n =
                unsafe { libc::epoll_wait(epfd, buf.as_mut_ptr(), buf.len() as libc::c_int, 0) };
            assert!(n >= 0, "epoll_wait");
            black_box(n);
            handler_clobbers();
        }
        let data = buf[0].u64;
        assert_eq!(data, TOKEN);
        Setup {
            calls,
            epoll,
            buf,
            source,
        }
    }

    // ----- rustix ------------------------------------------------------------------------------

    use rustix::event::{epoll as rx, Timespec};

    type RustixSetup = Setup<OwnedFd, [rx::Event; SLOTS]>;

    fn rustix_setup(calls: u64) -> RustixSetup {
        let epoll = rx::create(rx::CreateFlags::CLOEXEC).expect("epoll::create");
        let source = common::eventfd(1);
        rx::add(
            &epoll,
            &source,
            rx::EventData::new_u64(TOKEN),
            rx::EventFlags::IN,
        )
        .expect("epoll::add");
        let empty = rx::Event {
            flags: rx::EventFlags::empty(),
            data: rx::EventData::new_u64(0),
        };
        Setup {
            calls,
            epoll,
            buf: [empty; SLOTS],
            source,
        }
    }

    // rustix's `epoll::wait` (linux_raw backend) into an initialised slice, its cheapest buffer.
    #[library_benchmark(config = config())]
    #[bench::calls(args = (CALLS), setup = rustix_setup)]
    #[bench::calls_x2(args = (2 * CALLS), setup = rustix_setup)]
    fn rustix_wait(s: RustixSetup) -> RustixSetup {
        let Setup {
            calls,
            epoll,
            mut buf,
            source,
        } = s;
        for _ in 0..calls {
            let zero = Timespec::default();
            black_box(rx::wait(&epoll, &mut buf[..], Some(&zero)).expect("wait"));
            handler_clobbers();
        }
        assert_eq!(buf[0].data.u64(), TOKEN);
        Setup {
            calls,
            epoll,
            buf,
            source,
        }
    }

    // ----- nix ---------------------------------------------------------------------------------

    use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

    type NixSetup = Setup<Epoll, [EpollEvent; SLOTS]>;

    fn nix_setup(calls: u64) -> NixSetup {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).expect("Epoll::new");
        let source = common::eventfd(1);
        epoll
            .add(&source, EpollEvent::new(EpollFlags::EPOLLIN, TOKEN))
            .expect("Epoll::add");
        Setup {
            calls,
            epoll,
            buf: [EpollEvent::empty(); SLOTS],
            source,
        }
    }

    #[library_benchmark(config = config())]
    #[bench::calls(args = (CALLS), setup = nix_setup)]
    #[bench::calls_x2(args = (2 * CALLS), setup = nix_setup)]
    fn nix_wait(s: NixSetup) -> NixSetup {
        let Setup {
            calls,
            epoll,
            mut buf,
            source,
        } = s;
        for _ in 0..calls {
            black_box(epoll.wait(&mut buf, EpollTimeout::ZERO).expect("wait"));
            handler_clobbers();
        }
        assert_eq!(buf[0].data(), TOKEN);
        Setup {
            calls,
            epoll,
            buf,
            source,
        }
    }

    library_benchmark_group!(
        name = one_ready;
        benchmarks = floor_wait, freepoll_wait, libc_wait, rustix_wait, nix_wait
    );
}

#[cfg(target_arch = "x86_64")]
use bench::one_ready;

#[cfg(target_arch = "x86_64")]
gungraun::main!(library_benchmark_groups = one_ready);

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    eprintln!("freepoll's benchmarks run on x86_64 only (their dev-dependencies are gated so)");
}
