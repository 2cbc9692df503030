//! Events per second through epoll, each crate doing the whole loop with its own calls (the
//! eventfd writes too: freepoll through its raw `write` stub), measured by criterion.
//!
//! - `pingpong`: two epoll instances in one thread, an edge-triggered eventfd in each. One
//!   iteration writes the first eventfd, waits on the first instance, writes the second, waits
//!   on the second: 2 events.
//! - `fanout`: one eventfd behind 1,000 descriptors (`dup`s, each registered edge-triggered
//!   with its own `data`). One iteration writes the eventfd once, which makes all 1,000 ready,
//!   and drains them into a 256-slot buffer (4 waits), reading each event's data: 1,000 events.
//!
//! Wall time on a shared machine is noise; only the ratios between crates from one run mean
//! something. Run: `cargo bench --bench throughput`; ci/bench.sh prints the table.

// Built and run with the pinned toolchain only (gungraun itself needs Rust 1.88): the
// crate's MSRV does not apply here.
#![allow(clippy::incompatible_msrv)]

// The dev-dependencies of the benchmarks are x86_64-only (Cargo.toml), so is the code.
#[cfg(target_arch = "x86_64")]
mod common;

#[cfg(target_arch = "x86_64")]
mod bench {
    use criterion::{Criterion, Throughput};
    use std::hint::black_box;
    use std::mem::MaybeUninit;
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::time::Duration;

    use crate::common;

    /// Descriptors made ready by one write in `fanout`.
    const FANOUT: usize = 1000;
    /// Slots of the buffer `fanout` drains into.
    const SLOTS: usize = 256;

    /// The value each eventfd write adds.
    const ONE: [u8; 8] = 1u64.to_ne_bytes();

    /// The descriptors of one benchmark, made with libc and then held in each crate's own types.
    struct Fds {
        /// Epoll instances, each with its sources registered edge-triggered for `IN`.
        epolls: Vec<OwnedFd>,
        /// What the benchmark writes to.
        sources: Vec<OwnedFd>,
        /// Registered descriptors other than `sources` (the fan-out `dup`s).
        _extra: Vec<OwnedFd>,
    }

    /// The benchmarks' registration: edge-triggered for `IN`.
    fn add(epoll: &OwnedFd, fd: &OwnedFd, data: u64) {
        common::libc_add(epoll, fd, libc::EPOLLIN | libc::EPOLLET, data);
    }

    /// Two instances, one eventfd in each (data 0 and 1).
    fn pingpong_fds() -> Fds {
        let epolls = vec![common::libc_epoll(), common::libc_epoll()];
        let sources = vec![common::eventfd(0), common::eventfd(0)];
        add(&epolls[0], &sources[0], 0);
        add(&epolls[1], &sources[1], 1);
        Fds {
            epolls,
            sources,
            _extra: Vec::new(),
        }
    }

    /// One instance, one eventfd, `FANOUT` dups of it registered with data `0..FANOUT`.
    fn fanout_fds() -> Fds {
        let epolls = vec![common::libc_epoll()];
        let source = common::eventfd(0);
        let extra: Vec<OwnedFd> = (0..FANOUT)
            .map(|i| {
                let dup = source.try_clone().expect("dup");
                add(&epolls[0], &dup, i as u64);
                dup
            })
            .collect();
        Fds {
            epolls,
            sources: vec![source],
            _extra: extra,
        }
    }

    /// The sum of `0..FANOUT`: what draining one fan-out reads back.
    const FANOUT_SUM: u64 = (FANOUT as u64 - 1) * FANOUT as u64 / 2;

    // ----- freepoll ----------------------------------------------------------------------------

    mod with_freepoll {
        use super::*;
        use freepoll::epoll::{epoll_wait, Event, EventVec};
        use freepoll::fd::{BorrowedFd, FromRawFd, OwnedFd};
        use freepoll::raw::{decode_raw, nr, syscall3};

        pub struct Handles {
            epolls: Vec<OwnedFd>,
            sources: Vec<BorrowedFd<'static>>,
            _fds: Fds,
        }

        /// Takes over the instances; borrows the sources (they live in `_fds`, which is kept).
        pub fn handles(mut fds: Fds) -> Handles {
            let epolls = fds
                .epolls
                .drain(..)
                // SAFETY: `into_raw_fd` gives up ownership, which `from_raw_fd` takes.
                .map(|fd| unsafe { OwnedFd::from_raw_fd(std::os::fd::IntoRawFd::into_raw_fd(fd)) })
                .collect();
            let sources = fds
                .sources
                .iter()
                // SAFETY: the sources stay open in `_fds` for as long as `Handles` lives.
                .map(|fd| unsafe { BorrowedFd::borrow_raw(fd.as_raw_fd()) })
                .collect();
            Handles {
                epolls,
                sources,
                _fds: fds,
            }
        }

        fn write_one(fd: BorrowedFd<'_>) {
            use freepoll::fd::AsRawFd;
            // SAFETY: `fd` is open; the kernel reads the 8 bytes of `ONE` and writes nothing.
            let ret = unsafe {
                syscall3(
                    nr::WRITE,
                    fd.as_raw_fd() as usize,
                    ONE.as_ptr() as usize,
                    ONE.len(),
                )
            };
            decode_raw(ret).expect("write");
        }

        pub fn pingpong(h: &Handles, events: &mut EventVec<'_>) {
            for i in 0..2 {
                write_one(h.sources[i]);
                let n = epoll_wait(&h.epolls[i], &mut *events, 0).expect("epoll_wait");
                assert_eq!(n, 1);
                black_box(events.iter().next());
            }
        }

        pub fn fanout(h: &Handles, events: &mut EventVec<'_>) {
            write_one(h.sources[0]);
            let (mut seen, mut sum) = (0, 0);
            while seen < FANOUT {
                seen += epoll_wait(&h.epolls[0], &mut *events, 0).expect("epoll_wait");
                for (_, data) in &*events {
                    sum += data;
                }
            }
            assert_eq!((seen, sum), (FANOUT, FANOUT_SUM));
        }

        pub fn buffer() -> Vec<MaybeUninit<Event>> {
            vec![MaybeUninit::uninit(); SLOTS]
        }
    }

    // ----- libc --------------------------------------------------------------------------------

    mod with_libc {
        use super::*;

        fn write_one(fd: libc::c_int) {
            // SAFETY: `fd` is open; the kernel reads 8 bytes from `ONE`.
            let ret = unsafe { libc::write(fd, ONE.as_ptr().cast(), ONE.len()) };
            assert_eq!(ret, 8, "write");
        }

        fn wait(epfd: libc::c_int, buf: &mut [libc::epoll_event]) -> usize {
            // SAFETY: `epfd` is open; `buf` is valid for `buf.len()` events.
            let n =
                unsafe { libc::epoll_wait(epfd, buf.as_mut_ptr(), buf.len() as libc::c_int, 0) };
            assert!(n >= 0, "epoll_wait");
            n as usize
        }

        pub fn pingpong(fds: &Fds, buf: &mut [libc::epoll_event]) {
            for i in 0..2 {
                write_one(fds.sources[i].as_raw_fd());
                let n = wait(fds.epolls[i].as_raw_fd(), buf);
                assert_eq!(n, 1);
                black_box(buf[0].u64);
            }
        }

        pub fn fanout(fds: &Fds, buf: &mut [libc::epoll_event]) {
            write_one(fds.sources[0].as_raw_fd());
            let (mut seen, mut sum) = (0, 0);
            while seen < FANOUT {
                let n = wait(fds.epolls[0].as_raw_fd(), buf);
                for ev in &buf[..n] {
                    sum += ev.u64;
                }
                seen += n;
            }
            assert_eq!((seen, sum), (FANOUT, FANOUT_SUM));
        }

        pub fn buffer() -> Vec<libc::epoll_event> {
            vec![libc::epoll_event { events: 0, u64: 0 }; SLOTS]
        }
    }

    // ----- rustix ------------------------------------------------------------------------------

    mod with_rustix {
        use super::*;
        use rustix::event::{epoll, Timespec};

        const ZERO: Option<&Timespec> = Some(&Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        });

        pub fn pingpong(fds: &Fds, buf: &mut [epoll::Event]) {
            for i in 0..2 {
                rustix::io::write(&fds.sources[i], &ONE).expect("write");
                let n = epoll::wait(&fds.epolls[i], &mut *buf, ZERO).expect("wait");
                assert_eq!(n, 1);
                black_box(buf[0].data.u64());
            }
        }

        pub fn fanout(fds: &Fds, buf: &mut [epoll::Event]) {
            rustix::io::write(&fds.sources[0], &ONE).expect("write");
            let (mut seen, mut sum) = (0, 0);
            while seen < FANOUT {
                let n = epoll::wait(&fds.epolls[0], &mut *buf, ZERO).expect("wait");
                for ev in &buf[..n] {
                    sum += ev.data.u64();
                }
                seen += n;
            }
            assert_eq!((seen, sum), (FANOUT, FANOUT_SUM));
        }

        pub fn buffer() -> Vec<epoll::Event> {
            let empty = epoll::Event {
                flags: epoll::EventFlags::empty(),
                data: epoll::EventData::new_u64(0),
            };
            vec![empty; SLOTS]
        }
    }

    // ----- nix ---------------------------------------------------------------------------------

    mod with_nix {
        use super::*;
        use nix::sys::epoll::{Epoll, EpollEvent, EpollTimeout};

        pub struct Handles {
            epolls: Vec<Epoll>,
            fds: Fds,
        }

        pub fn handles(mut fds: Fds) -> Handles {
            let epolls = fds.epolls.drain(..).map(Epoll).collect();
            Handles { epolls, fds }
        }

        pub fn pingpong(h: &Handles, buf: &mut [EpollEvent]) {
            for i in 0..2 {
                nix::unistd::write(&h.fds.sources[i], &ONE).expect("write");
                let n = h.epolls[i].wait(buf, EpollTimeout::ZERO).expect("wait");
                assert_eq!(n, 1);
                black_box(buf[0].data());
            }
        }

        pub fn fanout(h: &Handles, buf: &mut [EpollEvent]) {
            nix::unistd::write(&h.fds.sources[0], &ONE).expect("write");
            let (mut seen, mut sum) = (0, 0);
            while seen < FANOUT {
                let n = h.epolls[0].wait(buf, EpollTimeout::ZERO).expect("wait");
                for ev in &buf[..n] {
                    sum += ev.data();
                }
                seen += n;
            }
            assert_eq!((seen, sum), (FANOUT, FANOUT_SUM));
        }

        pub fn buffer() -> Vec<EpollEvent> {
            vec![EpollEvent::empty(); SLOTS]
        }
    }

    /// One group per scenario, one benchmark per crate, each on descriptors of its own.
    fn scenario(c: &mut Criterion, name: &str, events: u64, make: fn() -> Fds, fanout: bool) {
        let mut group = c.benchmark_group(name);
        group
            .throughput(Throughput::Elements(events))
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));

        let h = with_freepoll::handles(make());
        let mut buf = with_freepoll::buffer();
        let mut events = freepoll::epoll::EventVec::new(&mut buf);
        group.bench_function("freepoll", |b| {
            if fanout {
                b.iter(|| with_freepoll::fanout(&h, &mut events))
            } else {
                b.iter(|| with_freepoll::pingpong(&h, &mut events))
            }
        });

        let fds = make();
        let mut buf = with_libc::buffer();
        group.bench_function("libc", |b| {
            if fanout {
                b.iter(|| with_libc::fanout(&fds, &mut buf))
            } else {
                b.iter(|| with_libc::pingpong(&fds, &mut buf))
            }
        });

        let fds = make();
        let mut buf = with_rustix::buffer();
        group.bench_function("rustix", |b| {
            if fanout {
                b.iter(|| with_rustix::fanout(&fds, &mut buf))
            } else {
                b.iter(|| with_rustix::pingpong(&fds, &mut buf))
            }
        });

        let h = with_nix::handles(make());
        let mut buf = with_nix::buffer();
        group.bench_function("nix", |b| {
            if fanout {
                b.iter(|| with_nix::fanout(&h, &mut buf))
            } else {
                b.iter(|| with_nix::pingpong(&h, &mut buf))
            }
        });

        group.finish();
    }

    pub fn main() {
        let mut c = Criterion::default().configure_from_args();
        scenario(&mut c, "pingpong", 2, pingpong_fds, false);
        scenario(&mut c, "fanout", FANOUT as u64, fanout_fds, true);
        c.final_summary();
    }
}

#[cfg(target_arch = "x86_64")]
fn main() {
    bench::main();
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    eprintln!("freepoll's benchmarks run on x86_64 only (their dev-dependencies are gated so)");
}
