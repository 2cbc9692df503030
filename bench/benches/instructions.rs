//! User-space instructions per `epoll_wait` call, counted by callgrind (through gungraun), in two
//! groups:
//! - `one_ready`, the wait alone: one level-triggered eventfd ready, timeout 0, an 8-slot
//!   buffer, so every call returns 1 event; the loop makes the call and hands the count to
//!   `black_box`.
//! - `walk_4`, `walk_64`, `walk_1024`, the loop a program runs: the wait, then a walk over the
//!   returned events summing their `data`, with a stack buffer of 4, 64 or 1,024 slots and 1, 4
//!   or 64 ready eventfds (those that fit). freepoll is walked three ways (`for (_, data) in
//!   &events`, `events.iter().fold(..)`, `for e in events.as_slice()`), the others with a `for`
//!   over the slice of the returned count.
//!
//! Each benchmark is written with the crate's own handle and buffer types as a program using
//! the crate holds them (in locals), and the crate's own error check (`expect` on its
//! `Result`, `n < 0` for libc). gungraun counts the instructions of the benchmark function and
//! everything it calls (the `libc` and `nix` rows include glibc's `epoll_wait`), but not the
//! kernel's work: the `syscall` instruction counts as one. Each benchmark runs twice, `CALLS`
//! and `2 * CALLS` passes; ci/bench.sh reports `(I(2 * CALLS) - I(CALLS)) / CALLS`, which
//! cancels the set-up, the loop entry and exit, and any one-time cost, and leaves the
//! instructions of one pass through the loop (of which 2, `dec` and `jne`, are the loop's own,
//! in every row).
//!
//! The floor is the least any wrapper can do: the arguments in registers and the system call
//! instruction, `epoll_wait(epfd, events, maxevents, 0)` (x86_64's 232, four arguments), with
//! no error decoding; in the walks, a plain slice of the returned count (`&buf[..n]`).
//!
//! A third group, `clock`, counts `clock_gettime(CLOCK_MONOTONIC)` alone (std: `Instant::now`)
//! and one pass of a loop with timers: the clock read, then the wait of `one_ready` (freepoll,
//! libc, std; rustix's clock read does not run under valgrind, see the group).
//!
//! Run: `cargo bench --bench instructions` (needs valgrind and `gungraun-runner` of the same
//! version as the `gungraun` dev-dependency; ci/bench.sh installs it). One group:
//! `cargo bench --bench instructions -- 'instructions::walk_64::*'`.

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
            black_box(floor_epoll_wait(epfd, &mut buf));
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

    // ----- the whole loop: wait, then walk the events ------------------------------------------
    //
    // One module per buffer size (4, 64 and 1,024 slots, a stack array of that many), each with
    // the same benchmarks at 1, 4 and 64 ready sources where they fit. Every crate waits with
    // timeout 0 and sums the `data` of each returned event, written as a program using it would:
    // - `floor`: the raw `epoll_wait` (x86_64's 232, four arguments) and a plain slice of the
    //   returned count (`&buf[..n]`), with no error check;
    // - freepoll three ways: `for (_, data) in &events`, `events.iter().fold(...)`, and
    //   `for e in events.as_slice()`;
    // - libc, nix and rustix, each with a `for` over the slice of the returned count.
    // ci/bench.sh reports each as instructions per pass, and per event from the slope between two
    // ready counts.

    /// What the walk benchmarks start from: an epoll instance in the crate's own type, `ready`
    /// readable eventfds registered with it (their `data` is 1, 2, ...), and the buffer.
    pub struct WalkSetup<E, B> {
        calls: u64,
        epoll: E,
        buf: B,
        sources: Vec<OwnedFd>,
    }

    /// `ready` eventfds, readable, level-triggered, registered through libc with data `1..=ready`.
    fn libc_sources(epoll: &OwnedFd, ready: usize) -> Vec<OwnedFd> {
        (1..=ready as u64)
            .map(|data| {
                let source = common::eventfd(1);
                common::libc_add(epoll, &source, libc::EPOLLIN, data);
                source
            })
            .collect()
    }

    /// The sum the walk must find: `1 + 2 + ... + ready`.
    fn expected_sum(ready: usize) -> u64 {
        let r = ready as u64;
        r * (r + 1) / 2
    }

    /// `epoll_wait(epfd, buf, len, 0)`: the least a wrapper can do, one system call instruction
    /// with the arguments in registers; the raw return, not decoded. `T` is `libc::epoll_event`
    /// or `MaybeUninit` of it: the kernel's layout.
    #[inline(always)]
    fn floor_epoll_wait<T>(epfd: i32, buf: &mut [T]) -> usize {
        let ret;
        // SAFETY: `epfd` is an open epoll instance (the caller owns it). The kernel writes at most
        // `buf.len()` events to `buf`, which is valid for that many `struct epoll_event`s (`T`
        // is that struct, or `MaybeUninit` of it, at both call sites).
        unsafe {
            std::arch::asm!(
                "syscall",
                inlateout("rax") libc::SYS_epoll_wait as usize => ret,
                in("rdi") epfd as usize, in("rsi") buf.as_mut_ptr() as usize, in("rdx") buf.len(),
                in("r10") 0usize,
                lateout("rcx") _, lateout("r11") _,
                options(nostack, preserves_flags),
            );
        }
        ret
    }

    macro_rules! walk_benches {
        ($module:ident, $group:ident, $slots:literal, $fits_64:meta) => {
            pub mod $module {
                use super::*;

                const SLOTS: usize = $slots;

                type FloorSetup = WalkSetup<OwnedFd, [libc::epoll_event; SLOTS]>;

                fn floor_setup(calls: u64, ready: usize) -> FloorSetup {
                    let epoll = common::libc_epoll();
                    let sources = libc_sources(&epoll, ready);
                    let buf = [libc::epoll_event { events: 0, u64: 0 }; SLOTS];
                    WalkSetup { calls, epoll, buf, sources }
                }

                #[library_benchmark(config = config())]
                #[bench::r1(args = (CALLS, 1), setup = floor_setup)]
                #[bench::r1_x2(args = (2 * CALLS, 1), setup = floor_setup)]
                #[bench::r4(args = (CALLS, 4), setup = floor_setup)]
                #[bench::r4_x2(args = (2 * CALLS, 4), setup = floor_setup)]
                #[cfg_attr($fits_64, bench::r64(args = (CALLS, 64), setup = floor_setup))]
                #[cfg_attr($fits_64, bench::r64_x2(args = (2 * CALLS, 64), setup = floor_setup))]
                pub fn floor_walk(s: FloorSetup) -> FloorSetup {
                    let WalkSetup { calls, epoll, mut buf, sources } = s;
                    let epfd = epoll.as_raw_fd();
                    let mut sum = 0u64;
                    for _ in 0..calls {
                        let n = floor_epoll_wait(epfd, &mut buf);
                        // No error check: the instance is open and the buffer valid.
                        for e in &buf[..n] {
                            sum += e.u64;
                        }
                        black_box(sum);
                        handler_clobbers();
                    }
                    assert_eq!(sum, calls * expected_sum(sources.len()));
                    WalkSetup { calls, epoll, buf, sources }
                }

                type FreepollSetup =
                    WalkSetup<freepoll::fd::OwnedFd, [MaybeUninit<freepoll::epoll::Event>; SLOTS]>;

                fn freepoll_setup(calls: u64, ready: usize) -> FreepollSetup {
                    use freepoll::epoll::{epoll_add, epoll_create, CreateFlags, EventFlags};
                    let epoll = epoll_create(CreateFlags::CLOEXEC).expect("epoll_create");
                    let sources: Vec<OwnedFd> = (1..=ready as u64)
                        .map(|data| {
                            let source = common::eventfd(1);
                            // SAFETY: `source` stays open for the call.
                            let fd = unsafe {
                                freepoll::fd::BorrowedFd::borrow_raw(source.as_raw_fd())
                            };
                            epoll_add(&epoll, fd, data, EventFlags::IN).expect("epoll_add");
                            source
                        })
                        .collect();
                    WalkSetup {
                        calls,
                        epoll,
                        buf: freepoll::epoll::uninit_events::<SLOTS>(),
                        sources,
                    }
                }

                #[library_benchmark(config = config())]
                #[bench::r1(args = (CALLS, 1), setup = freepoll_setup)]
                #[bench::r1_x2(args = (2 * CALLS, 1), setup = freepoll_setup)]
                #[bench::r4(args = (CALLS, 4), setup = freepoll_setup)]
                #[bench::r4_x2(args = (2 * CALLS, 4), setup = freepoll_setup)]
                #[cfg_attr($fits_64, bench::r64(args = (CALLS, 64), setup = freepoll_setup))]
                #[cfg_attr($fits_64, bench::r64_x2(args = (2 * CALLS, 64), setup = freepoll_setup))]
                pub fn freepoll_for(s: FreepollSetup) -> FreepollSetup {
                    use freepoll::epoll::{epoll_wait, EventVec};
                    let WalkSetup { calls, epoll, mut buf, sources } = s;
                    let mut events = EventVec::new(&mut buf);
                    let mut sum = 0u64;
                    for _ in 0..calls {
                        epoll_wait(&epoll, &mut events, 0).expect("epoll_wait");
                        for (_, data) in &events {
                            sum += data;
                        }
                        black_box(sum);
                        handler_clobbers();
                    }
                    assert_eq!(sum, calls * expected_sum(sources.len()));
                    WalkSetup { calls, epoll, buf, sources }
                }

                #[library_benchmark(config = config())]
                #[bench::r1(args = (CALLS, 1), setup = freepoll_setup)]
                #[bench::r1_x2(args = (2 * CALLS, 1), setup = freepoll_setup)]
                #[bench::r4(args = (CALLS, 4), setup = freepoll_setup)]
                #[bench::r4_x2(args = (2 * CALLS, 4), setup = freepoll_setup)]
                #[cfg_attr($fits_64, bench::r64(args = (CALLS, 64), setup = freepoll_setup))]
                #[cfg_attr($fits_64, bench::r64_x2(args = (2 * CALLS, 64), setup = freepoll_setup))]
                pub fn freepoll_iter(s: FreepollSetup) -> FreepollSetup {
                    use freepoll::epoll::{epoll_wait, EventVec};
                    let WalkSetup { calls, epoll, mut buf, sources } = s;
                    let mut events = EventVec::new(&mut buf);
                    let mut sum = 0u64;
                    for _ in 0..calls {
                        epoll_wait(&epoll, &mut events, 0).expect("epoll_wait");
                        sum = events.iter().fold(sum, |sum, (_, data)| sum + data);
                        black_box(sum);
                        handler_clobbers();
                    }
                    assert_eq!(sum, calls * expected_sum(sources.len()));
                    WalkSetup { calls, epoll, buf, sources }
                }

                #[library_benchmark(config = config())]
                #[bench::r1(args = (CALLS, 1), setup = freepoll_setup)]
                #[bench::r1_x2(args = (2 * CALLS, 1), setup = freepoll_setup)]
                #[bench::r4(args = (CALLS, 4), setup = freepoll_setup)]
                #[bench::r4_x2(args = (2 * CALLS, 4), setup = freepoll_setup)]
                #[cfg_attr($fits_64, bench::r64(args = (CALLS, 64), setup = freepoll_setup))]
                #[cfg_attr($fits_64, bench::r64_x2(args = (2 * CALLS, 64), setup = freepoll_setup))]
                pub fn freepoll_slice(s: FreepollSetup) -> FreepollSetup {
                    use freepoll::epoll::{epoll_wait, EventVec};
                    let WalkSetup { calls, epoll, mut buf, sources } = s;
                    let mut events = EventVec::new(&mut buf);
                    let mut sum = 0u64;
                    for _ in 0..calls {
                        epoll_wait(&epoll, &mut events, 0).expect("epoll_wait");
                        for e in events.as_slice() {
                            sum += e.data();
                        }
                        black_box(sum);
                        handler_clobbers();
                    }
                    assert_eq!(sum, calls * expected_sum(sources.len()));
                    WalkSetup { calls, epoll, buf, sources }
                }

                type LibcSetup = WalkSetup<OwnedFd, [libc::epoll_event; SLOTS]>;

                fn libc_setup(calls: u64, ready: usize) -> LibcSetup {
                    let epoll = common::libc_epoll();
                    let sources = libc_sources(&epoll, ready);
                    let buf = [libc::epoll_event { events: 0, u64: 0 }; SLOTS];
                    WalkSetup { calls, epoll, buf, sources }
                }

                #[library_benchmark(config = config())]
                #[bench::r1(args = (CALLS, 1), setup = libc_setup)]
                #[bench::r1_x2(args = (2 * CALLS, 1), setup = libc_setup)]
                #[bench::r4(args = (CALLS, 4), setup = libc_setup)]
                #[bench::r4_x2(args = (2 * CALLS, 4), setup = libc_setup)]
                #[cfg_attr($fits_64, bench::r64(args = (CALLS, 64), setup = libc_setup))]
                #[cfg_attr($fits_64, bench::r64_x2(args = (2 * CALLS, 64), setup = libc_setup))]
                pub fn libc_walk(s: LibcSetup) -> LibcSetup {
                    let WalkSetup { calls, epoll, mut buf, sources } = s;
                    let epfd = epoll.as_raw_fd();
                    let mut sum = 0u64;
                    for _ in 0..calls {
                        // SAFETY: `epfd` is open; `buf` is valid for `SLOTS` events (fits a c_int).
                        let n = unsafe {
                            libc::epoll_wait(epfd, buf.as_mut_ptr(), SLOTS as libc::c_int, 0)
                        };
                        assert!(n >= 0, "epoll_wait");
                        for e in &buf[..n as usize] {
                            sum += e.u64;
                        }
                        black_box(sum);
                        handler_clobbers();
                    }
                    assert_eq!(sum, calls * expected_sum(sources.len()));
                    WalkSetup { calls, epoll, buf, sources }
                }

                type NixSetup = WalkSetup<Epoll, [EpollEvent; SLOTS]>;

                fn nix_setup(calls: u64, ready: usize) -> NixSetup {
                    let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).expect("Epoll::new");
                    let sources: Vec<OwnedFd> = (1..=ready as u64)
                        .map(|data| {
                            let source = common::eventfd(1);
                            epoll
                                .add(&source, EpollEvent::new(EpollFlags::EPOLLIN, data))
                                .expect("Epoll::add");
                            source
                        })
                        .collect();
                    WalkSetup { calls, epoll, buf: [EpollEvent::empty(); SLOTS], sources }
                }

                #[library_benchmark(config = config())]
                #[bench::r1(args = (CALLS, 1), setup = nix_setup)]
                #[bench::r1_x2(args = (2 * CALLS, 1), setup = nix_setup)]
                #[bench::r4(args = (CALLS, 4), setup = nix_setup)]
                #[bench::r4_x2(args = (2 * CALLS, 4), setup = nix_setup)]
                #[cfg_attr($fits_64, bench::r64(args = (CALLS, 64), setup = nix_setup))]
                #[cfg_attr($fits_64, bench::r64_x2(args = (2 * CALLS, 64), setup = nix_setup))]
                pub fn nix_walk(s: NixSetup) -> NixSetup {
                    let WalkSetup { calls, epoll, mut buf, sources } = s;
                    let mut sum = 0u64;
                    for _ in 0..calls {
                        let n = epoll.wait(&mut buf, EpollTimeout::ZERO).expect("wait");
                        for e in &buf[..n] {
                            sum += e.data();
                        }
                        black_box(sum);
                        handler_clobbers();
                    }
                    assert_eq!(sum, calls * expected_sum(sources.len()));
                    WalkSetup { calls, epoll, buf, sources }
                }

                type RustixSetup = WalkSetup<OwnedFd, [rx::Event; SLOTS]>;

                fn rustix_setup(calls: u64, ready: usize) -> RustixSetup {
                    let epoll = rx::create(rx::CreateFlags::CLOEXEC).expect("epoll::create");
                    let sources: Vec<OwnedFd> = (1..=ready as u64)
                        .map(|data| {
                            let source = common::eventfd(1);
                            rx::add(&epoll, &source, rx::EventData::new_u64(data), rx::EventFlags::IN)
                                .expect("epoll::add");
                            source
                        })
                        .collect();
                    let empty = rx::Event {
                        flags: rx::EventFlags::empty(),
                        data: rx::EventData::new_u64(0),
                    };
                    WalkSetup { calls, epoll, buf: [empty; SLOTS], sources }
                }

                #[library_benchmark(config = config())]
                #[bench::r1(args = (CALLS, 1), setup = rustix_setup)]
                #[bench::r1_x2(args = (2 * CALLS, 1), setup = rustix_setup)]
                #[bench::r4(args = (CALLS, 4), setup = rustix_setup)]
                #[bench::r4_x2(args = (2 * CALLS, 4), setup = rustix_setup)]
                #[cfg_attr($fits_64, bench::r64(args = (CALLS, 64), setup = rustix_setup))]
                #[cfg_attr($fits_64, bench::r64_x2(args = (2 * CALLS, 64), setup = rustix_setup))]
                pub fn rustix_walk(s: RustixSetup) -> RustixSetup {
                    let WalkSetup { calls, epoll, mut buf, sources } = s;
                    let mut sum = 0u64;
                    for _ in 0..calls {
                        let zero = Timespec::default();
                        let n = rx::wait(&epoll, &mut buf[..], Some(&zero)).expect("wait");
                        for e in &buf[..n] {
                            sum += e.data.u64();
                        }
                        black_box(sum);
                        handler_clobbers();
                    }
                    assert_eq!(sum, calls * expected_sum(sources.len()));
                    WalkSetup { calls, epoll, buf, sources }
                }

                library_benchmark_group!(
                    name = $group;
                    benchmarks = floor_walk, freepoll_for, freepoll_iter, freepoll_slice, libc_walk, nix_walk, rustix_walk
                );
            }
        };
    }

    walk_benches!(slots_4, walk_4, 4, any());
    walk_benches!(slots_64, walk_64, 64, all());
    walk_benches!(slots_1024, walk_1024, 1024, all());

    // ----- the whole loop on a heap buffer (alloc feature) -----------------------------------
    //
    // The same walks with the buffer on the heap, its size known only at run time:
    // `EventVec::with_capacity(slots)` for freepoll, a `Vec` of `slots` events and
    // `&buf[..n]` for the floor. Built with the `alloc` (or `std`) feature only.

    #[cfg(feature = "alloc")]
    pub mod heap {
        use super::*;
        use freepoll::epoll::{epoll_wait, EventVec};

        type FloorSetup = WalkSetup<OwnedFd, Vec<libc::epoll_event>>;

        fn floor_setup(calls: u64, slots: usize, ready: usize) -> FloorSetup {
            let epoll = common::libc_epoll();
            let sources = libc_sources(&epoll, ready);
            let buf = vec![libc::epoll_event { events: 0, u64: 0 }; slots];
            WalkSetup {
                calls,
                epoll,
                buf,
                sources,
            }
        }

        #[library_benchmark(config = config())]
        #[bench::s4_r1(args = (CALLS, 4, 1), setup = floor_setup)]
        #[bench::s4_r1_x2(args = (2 * CALLS, 4, 1), setup = floor_setup)]
        #[bench::s4_r4(args = (CALLS, 4, 4), setup = floor_setup)]
        #[bench::s4_r4_x2(args = (2 * CALLS, 4, 4), setup = floor_setup)]
        #[bench::s1024_r1(args = (CALLS, 1024, 1), setup = floor_setup)]
        #[bench::s1024_r1_x2(args = (2 * CALLS, 1024, 1), setup = floor_setup)]
        #[bench::s1024_r64(args = (CALLS, 1024, 64), setup = floor_setup)]
        #[bench::s1024_r64_x2(args = (2 * CALLS, 1024, 64), setup = floor_setup)]
        pub fn floor_heap(s: FloorSetup) -> FloorSetup {
            let WalkSetup {
                calls,
                epoll,
                mut buf,
                sources,
            } = s;
            let epfd = epoll.as_raw_fd();
            let mut sum = 0u64;
            for _ in 0..calls {
                let n = floor_epoll_wait(epfd, &mut buf);
                // No error check: the instance is open and the buffer valid.
                for e in &buf[..n] {
                    sum += e.u64;
                }
                black_box(sum);
                handler_clobbers();
            }
            assert_eq!(sum, calls * expected_sum(sources.len()));
            WalkSetup {
                calls,
                epoll,
                buf,
                sources,
            }
        }

        type FreepollSetup = WalkSetup<freepoll::fd::OwnedFd, EventVec<'static>>;

        fn freepoll_setup(calls: u64, slots: usize, ready: usize) -> FreepollSetup {
            use freepoll::epoll::{epoll_add, epoll_create, CreateFlags, EventFlags};
            let epoll = epoll_create(CreateFlags::CLOEXEC).expect("epoll_create");
            let sources: Vec<OwnedFd> = (1..=ready as u64)
                .map(|data| {
                    let source = common::eventfd(1);
                    // SAFETY: `source` stays open for the call.
                    let fd = unsafe { freepoll::fd::BorrowedFd::borrow_raw(source.as_raw_fd()) };
                    epoll_add(&epoll, fd, data, EventFlags::IN).expect("epoll_add");
                    source
                })
                .collect();
            let buf = EventVec::with_capacity(slots);
            WalkSetup {
                calls,
                epoll,
                buf,
                sources,
            }
        }

        #[library_benchmark(config = config())]
        #[bench::s4_r1(args = (CALLS, 4, 1), setup = freepoll_setup)]
        #[bench::s4_r1_x2(args = (2 * CALLS, 4, 1), setup = freepoll_setup)]
        #[bench::s4_r4(args = (CALLS, 4, 4), setup = freepoll_setup)]
        #[bench::s4_r4_x2(args = (2 * CALLS, 4, 4), setup = freepoll_setup)]
        #[bench::s1024_r1(args = (CALLS, 1024, 1), setup = freepoll_setup)]
        #[bench::s1024_r1_x2(args = (2 * CALLS, 1024, 1), setup = freepoll_setup)]
        #[bench::s1024_r64(args = (CALLS, 1024, 64), setup = freepoll_setup)]
        #[bench::s1024_r64_x2(args = (2 * CALLS, 1024, 64), setup = freepoll_setup)]
        pub fn freepoll_heap(s: FreepollSetup) -> FreepollSetup {
            let WalkSetup {
                calls,
                epoll,
                buf: mut events,
                sources,
            } = s;
            let mut sum = 0u64;
            for _ in 0..calls {
                epoll_wait(&epoll, &mut events, 0).expect("epoll_wait");
                for (_, data) in &events {
                    sum += data;
                }
                black_box(sum);
                handler_clobbers();
            }
            assert_eq!(sum, calls * expected_sum(sources.len()));
            WalkSetup {
                calls,
                epoll,
                buf: events,
                sources,
            }
        }

        library_benchmark_group!(
            name = walk_heap;
            benchmarks = floor_heap, freepoll_heap
        );
    }

    // ----- the clock: one read, and one loop pass (read, then wait) ----------------------------
    //
    // `clock_gettime(CLOCK_MONOTONIC)` alone, per crate (std: `Instant::now`), and one pass of
    // a loop with timers: the read, then the wait of `one_ready` (the std row waits with libc).
    // No rustix row: under valgrind (3.19) rustix's first clock read dies with SIGSEGV. rustix
    // can read the auxiliary vector with prctl(PR_GET_AUXV), which valgrind passes to the
    // kernel (the answer is valgrind's own vector); freepoll died the same way while it asked
    // prctl before /proc/self/auxv. clock.rs has rustix's wall times.

    fn libc_monotonic() -> libc::timespec {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a live timespec the call writes.
        let ret = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
        assert_eq!(ret, 0, "clock_gettime");
        ts
    }

    #[library_benchmark(config = config())]
    #[bench::calls(args = (CALLS))]
    #[bench::calls_x2(args = (2 * CALLS))]
    fn freepoll_clock(calls: u64) -> u64 {
        use freepoll::clock::{clock_gettime, ClockId};
        for _ in 0..calls {
            black_box(clock_gettime(ClockId::Monotonic).expect("clock_gettime"));
            handler_clobbers();
        }
        calls
    }

    #[library_benchmark(config = config())]
    #[bench::calls(args = (CALLS))]
    #[bench::calls_x2(args = (2 * CALLS))]
    fn libc_clock(calls: u64) -> u64 {
        for _ in 0..calls {
            black_box(libc_monotonic());
            handler_clobbers();
        }
        calls
    }

    #[library_benchmark(config = config())]
    #[bench::calls(args = (CALLS))]
    #[bench::calls_x2(args = (2 * CALLS))]
    fn std_clock(calls: u64) -> u64 {
        for _ in 0..calls {
            black_box(std::time::Instant::now());
            handler_clobbers();
        }
        calls
    }

    #[library_benchmark(config = config())]
    #[bench::calls(args = (CALLS), setup = freepoll_setup)]
    #[bench::calls_x2(args = (2 * CALLS), setup = freepoll_setup)]
    fn freepoll_pass(s: FreepollSetup) -> FreepollSetup {
        use freepoll::clock::{clock_gettime, ClockId};
        use freepoll::epoll::{epoll_wait, EventVec};
        let Setup {
            calls,
            epoll,
            mut buf,
            source,
        } = s;
        let mut events = EventVec::new(&mut buf);
        for _ in 0..calls {
            let now = clock_gettime(ClockId::Monotonic).expect("clock_gettime");
            black_box((now, epoll_wait(&epoll, &mut events, 0).expect("epoll_wait")));
            handler_clobbers();
        }
        Setup {
            calls,
            epoll,
            buf,
            source,
        }
    }

    #[library_benchmark(config = config())]
    #[bench::calls(args = (CALLS), setup = libc_setup)]
    #[bench::calls_x2(args = (2 * CALLS), setup = libc_setup)]
    fn libc_pass(s: LibcSetup) -> LibcSetup {
        let Setup {
            calls,
            epoll,
            mut buf,
            source,
        } = s;
        let epfd = epoll.as_raw_fd();
        for _ in 0..calls {
            let now = libc_monotonic();
            // SAFETY: `epfd` is open; `buf` is valid for `buf.len()` events (8, fits a c_int).
            let n =
                unsafe { libc::epoll_wait(epfd, buf.as_mut_ptr(), buf.len() as libc::c_int, 0) };
            assert!(n >= 0, "epoll_wait");
            black_box((now.tv_sec, now.tv_nsec, n));
            handler_clobbers();
        }
        Setup {
            calls,
            epoll,
            buf,
            source,
        }
    }

    #[library_benchmark(config = config())]
    #[bench::calls(args = (CALLS), setup = libc_setup)]
    #[bench::calls_x2(args = (2 * CALLS), setup = libc_setup)]
    fn std_pass(s: LibcSetup) -> LibcSetup {
        let Setup {
            calls,
            epoll,
            mut buf,
            source,
        } = s;
        let epfd = epoll.as_raw_fd();
        for _ in 0..calls {
            let now = std::time::Instant::now();
            // SAFETY: `epfd` is open; `buf` is valid for `buf.len()` events (8, fits a c_int).
            let n =
                unsafe { libc::epoll_wait(epfd, buf.as_mut_ptr(), buf.len() as libc::c_int, 0) };
            assert!(n >= 0, "epoll_wait");
            black_box((now, n));
            handler_clobbers();
        }
        Setup {
            calls,
            epoll,
            buf,
            source,
        }
    }

    library_benchmark_group!(
        name = clock;
        benchmarks = freepoll_clock, libc_clock, std_clock, freepoll_pass, libc_pass, std_pass
    );

    library_benchmark_group!(
        name = one_ready;
        benchmarks = floor_wait, freepoll_wait, libc_wait, rustix_wait, nix_wait
    );
}

#[cfg(target_arch = "x86_64")]
use bench::{clock, one_ready, slots_1024::walk_1024, slots_4::walk_4, slots_64::walk_64};

#[cfg(all(target_arch = "x86_64", feature = "alloc"))]
use bench::heap::walk_heap;

#[cfg(all(target_arch = "x86_64", not(feature = "alloc")))]
gungraun::main!(
    library_benchmark_groups = one_ready,
    clock,
    walk_4,
    walk_64,
    walk_1024
);

#[cfg(all(target_arch = "x86_64", feature = "alloc"))]
gungraun::main!(
    library_benchmark_groups = one_ready,
    clock,
    walk_4,
    walk_64,
    walk_1024,
    walk_heap
);

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    eprintln!("freepoll's benchmarks run on x86_64 only (their dev-dependencies are gated so)");
}
