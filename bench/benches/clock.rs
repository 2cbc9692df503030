//! Reading the clock, as an event loop does every pass, measured by criterion (wall time; the
//! instruction counts of the same loops are in `instructions.rs`, group `clock`):
//!
//! - `clock_monotonic`: one `clock_gettime(CLOCK_MONOTONIC)` per iteration: freepoll's
//!   `clock::clock_gettime`, libc's (glibc, through the vDSO), rustix's `time::clock_gettime`
//!   (through the vDSO), and std's `Instant::now` (glibc's `clock_gettime` underneath).
//! - `clock_pass`: one loop pass: read the clock, then wait with timeout 0 on an instance with
//!   one ready eventfd (1 event). freepoll, libc and rustix each use their own clock read and
//!   wait; the std row pairs `Instant::now` with libc's `epoll_wait` (std has no epoll).
//!
//! Wall time on a shared machine is noise; only the ratios between crates from one run mean
//! something. Run: `cargo bench --bench clock`; ci/bench.sh prints the table.

// Built and run with the pinned toolchain only: the crate's MSRV does not apply here.
#![allow(clippy::incompatible_msrv)]

// The benchmarks run on x86_64 only, like their dependencies' harness (valgrind).
#[cfg(target_arch = "x86_64")]
mod common;

#[cfg(target_arch = "x86_64")]
mod bench {
    use criterion::Criterion;
    use std::hint::black_box;
    use std::mem::MaybeUninit;
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::time::{Duration, Instant};

    use crate::common;

    /// The `data` registered with the eventfd.
    const TOKEN: u64 = 7;
    /// Slots in every crate's buffer.
    const SLOTS: usize = 8;

    /// An instance with one ready, level-triggered eventfd: every wait returns it.
    fn ready_instance() -> (OwnedFd, OwnedFd) {
        let epoll = common::libc_epoll();
        let source = common::eventfd(1);
        common::libc_add(&epoll, &source, libc::EPOLLIN, TOKEN);
        (epoll, source)
    }

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

    pub fn clock_monotonic(c: &mut Criterion) {
        use freepoll::clock::{clock_gettime, uses_vdso, ClockId};
        assert!(uses_vdso(), "freepoll finds the vDSO here");
        let mut g = c.benchmark_group("clock_monotonic");
        g.bench_function("freepoll", |b| {
            b.iter(|| black_box(clock_gettime(ClockId::Monotonic).expect("clock_gettime")))
        });
        g.bench_function("libc", |b| b.iter(|| black_box(libc_monotonic())));
        g.bench_function("rustix", |b| {
            b.iter(|| {
                black_box(rustix::time::clock_gettime(
                    rustix::time::ClockId::Monotonic,
                ))
            })
        });
        g.bench_function("std", |b| b.iter(|| black_box(Instant::now())));
        g.finish();
    }

    pub fn clock_pass(c: &mut Criterion) {
        let mut g = c.benchmark_group("clock_pass");
        {
            use freepoll::clock::{clock_gettime, ClockId};
            use freepoll::epoll::{epoll_wait, EventVec};
            let (epoll, _source) = ready_instance();
            // SAFETY: `epoll` stays open for the benchmark.
            let epoll = unsafe { freepoll::fd::BorrowedFd::borrow_raw(epoll.as_raw_fd()) };
            let mut buf = [MaybeUninit::uninit(); SLOTS];
            let mut events = EventVec::new(&mut buf);
            g.bench_function("freepoll", |b| {
                b.iter(|| {
                    let now = clock_gettime(ClockId::Monotonic).expect("clock_gettime");
                    let n = epoll_wait(epoll, &mut events, 0).expect("epoll_wait");
                    black_box((now, n))
                })
            });
        }
        {
            let (epoll, _source) = ready_instance();
            let epfd = epoll.as_raw_fd();
            let mut buf = [libc::epoll_event { events: 0, u64: 0 }; SLOTS];
            g.bench_function("libc", |b| {
                b.iter(|| {
                    let now = libc_monotonic();
                    // SAFETY: `epfd` is open; `buf` is valid for SLOTS events.
                    let n = unsafe {
                        libc::epoll_wait(epfd, buf.as_mut_ptr(), SLOTS as libc::c_int, 0)
                    };
                    assert!(n >= 0, "epoll_wait");
                    black_box((now.tv_sec, now.tv_nsec, n))
                })
            });
            g.bench_function("std", |b| {
                b.iter(|| {
                    let now = Instant::now();
                    // SAFETY: as above.
                    let n = unsafe {
                        libc::epoll_wait(epfd, buf.as_mut_ptr(), SLOTS as libc::c_int, 0)
                    };
                    assert!(n >= 0, "epoll_wait");
                    black_box((now, n))
                })
            });
        }
        {
            use rustix::event::{epoll as rx, Timespec};
            let (epoll, _source) = ready_instance();
            let empty = rx::Event {
                flags: rx::EventFlags::empty(),
                data: rx::EventData::new_u64(0),
            };
            let mut buf = [empty; SLOTS];
            let zero = Timespec::default();
            g.bench_function("rustix", |b| {
                b.iter(|| {
                    let now = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
                    let n = rx::wait(&epoll, &mut buf[..], Some(&zero)).expect("wait");
                    black_box((now, n))
                })
            });
        }
        g.finish();
    }

    pub fn config() -> Criterion {
        Criterion::default()
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
    }
}

#[cfg(target_arch = "x86_64")]
criterion::criterion_group! {
    name = clock;
    config = bench::config();
    targets = bench::clock_monotonic, bench::clock_pass
}

#[cfg(target_arch = "x86_64")]
criterion::criterion_main!(clock);

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    eprintln!("freepoll's benchmarks run on x86_64 only");
}
