//! How the cost of the calls grows with the number of registrations, and what they allocate.
//!
//! - `wait_registered/<crate>/<N>`: one wait (timeout 0) returning the 1 ready eventfd among
//!   `N` registrations (the other `N - 1` idle). All crates wait on the same epoll instance,
//!   each through its own handle type (a `dup` of it). epoll keeps a ready list, so the cost
//!   should not depend on `N`.
//! - `add_delete_100000/<crate>`: 100,000 registrations added to an empty instance, then all
//!   deleted; `add_delete_100000/dup2` is the same loop without the epoll calls (see below).
//!
//! 100,000 registrations without 100,000 open descriptors: a registration belongs to the pair
//! (descriptor number, open file), and stays when the number is closed or pointed elsewhere
//! while the file is still open. So 10 idle eventfds ("files") and 10,000 reserved descriptor
//! numbers ("slots") make 100,000 distinct pairs: `dup2` points a slot at a file, and the
//! crate under test adds (or deletes) that pair. This fits under a descriptor limit of 20,000,
//! which an unprivileged process (or a container without `CAP_SYS_RESOURCE`) cannot raise. The
//! `dup2` before each add or delete is the same for every crate; its own cost is the `dup2`
//! row, and ci/bench.sh subtracts it.
//!
//! Before criterion starts, a counting global allocator checks what each crate's adds, waits
//! and deletes allocate; those lines start with `allocations:` (ci/bench.sh reads them).
//!
//! Run: `cargo bench --bench scale`.

// Built and run with the pinned toolchain only (gungraun itself needs Rust 1.88): the
// crate's MSRV does not apply here.
#![allow(clippy::incompatible_msrv)]

// The dev-dependencies of the benchmarks are x86_64-only (Cargo.toml), so is the code.
#[cfg(target_arch = "x86_64")]
mod common;

#[cfg(target_arch = "x86_64")]
mod bench {
    use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::hint::black_box;
    use std::mem::MaybeUninit;
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    use crate::common;

    /// Registrations for the wait benchmark.
    const SIZES: [usize; 4] = [1, 1_000, 10_000, 100_000];
    /// Registrations added and deleted per iteration.
    const CHURN: usize = 100_000;
    /// Idle files, and descriptor numbers pointed at them: `FILES * SLOTS_PER_FILE` pairs.
    const FILES: usize = 10;
    const SLOTS_PER_FILE: usize = 10_000;
    /// Slots of every wait buffer.
    const BUF: usize = 8;
    /// The `data` of the ready eventfd.
    const READY: u64 = u64::MAX;

    /// Counts every allocation and reallocation, then hands it to the system allocator.
    struct Counting;

    static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

    // SAFETY: every method forwards to `System`, which upholds the `GlobalAlloc` contract; the
    // counter has no effect on the memory handed out.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: the caller's contract for `alloc` is `System.alloc`'s.
            unsafe { System.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: as for `alloc`.
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            // SAFETY: as for `alloc`.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: as for `alloc`.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;

    /// Allocations made by `f`.
    fn allocations(f: impl FnOnce()) -> u64 {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        f();
        ALLOCATIONS.load(Ordering::Relaxed) - before
    }

    /// Idle files and reserved descriptor numbers whose pairs are the registrations under test.
    struct Pairs {
        files: Vec<OwnedFd>,
        slots: Vec<OwnedFd>,
        /// An eventfd with counter 1: readable, and never read.
        ready: OwnedFd,
    }

    impl Pairs {
        /// Room for `FILES * SLOTS_PER_FILE` pairs.
        fn new() -> Pairs {
            let files: Vec<OwnedFd> = (0..FILES).map(|_| common::eventfd(0)).collect();
            let slots = (0..SLOTS_PER_FILE)
                .map(|_| files[0].try_clone().expect("dup"))
                .collect();
            Pairs {
                files,
                slots,
                ready: common::eventfd(1),
            }
        }

        /// Points the slot of pair `i` at its file, and returns the slot: a descriptor that, until
        /// the next call, makes pair `i` for epoll_ctl.
        fn point(&self, i: usize) -> &OwnedFd {
            let (file, slot) = (
                &self.files[i / SLOTS_PER_FILE],
                &self.slots[i % SLOTS_PER_FILE],
            );
            // SAFETY: both descriptors are open and owned by `self`; dup2 makes `slot`'s number
            // refer to `file`'s open file, and `slot` still owns that number.
            let ret = unsafe { libc::dup2(file.as_raw_fd(), slot.as_raw_fd()) };
            assert_eq!(
                ret,
                slot.as_raw_fd(),
                "dup2: {}",
                std::io::Error::last_os_error()
            );
            slot
        }
    }

    /// An instance with `n` registrations: `n - 1` idle pairs and one ready eventfd (`READY`).
    fn registered(pairs: &Pairs, n: usize) -> OwnedFd {
        let epoll = common::libc_epoll();
        for i in 0..n - 1 {
            Libc::add(&epoll, pairs.point(i), i as u64);
        }
        Libc::add(&epoll, &pairs.ready, READY);
        epoll
    }

    /// One crate's handles and calls. `Epoll` holds the instance in the crate's own type.
    trait Crate {
        const NAME: &'static str;
        type Epoll;
        type Buf;
        fn adopt(epoll: OwnedFd) -> Self::Epoll;
        fn buffer() -> Self::Buf;
        /// One wait with timeout 0; the number of events.
        fn wait(epoll: &Self::Epoll, buf: &mut Self::Buf) -> usize;
        fn add(epoll: &Self::Epoll, fd: &OwnedFd, data: u64);
        fn delete(epoll: &Self::Epoll, fd: &OwnedFd);
    }

    struct Freepoll;
    impl Crate for Freepoll {
        const NAME: &'static str = "freepoll";
        type Epoll = freepoll::fd::OwnedFd;
        type Buf = freepoll::epoll::EventVec<'static>;
        fn adopt(epoll: OwnedFd) -> Self::Epoll {
            use std::os::fd::IntoRawFd;
            // SAFETY: ownership passes from `epoll` to the new handle.
            unsafe { freepoll::fd::FromRawFd::from_raw_fd(epoll.into_raw_fd()) }
        }
        fn buffer() -> Self::Buf {
            // The EventVec borrows a leaked buffer: a handful per run, freed at exit.
            let buf = Box::leak(vec![MaybeUninit::uninit(); BUF].into_boxed_slice());
            freepoll::epoll::EventVec::new(buf)
        }
        fn wait(epoll: &Self::Epoll, buf: &mut Self::Buf) -> usize {
            freepoll::epoll::epoll_wait(epoll, buf, 0).expect("epoll_wait")
        }
        fn add(epoll: &Self::Epoll, fd: &OwnedFd, data: u64) {
            // SAFETY: `fd` is open for the call.
            let fd = unsafe { freepoll::fd::BorrowedFd::borrow_raw(fd.as_raw_fd()) };
            freepoll::epoll::epoll_add(epoll, fd, data, freepoll::epoll::EventFlags::IN)
                .expect("epoll_add");
        }
        fn delete(epoll: &Self::Epoll, fd: &OwnedFd) {
            // SAFETY: `fd` is open for the call.
            let fd = unsafe { freepoll::fd::BorrowedFd::borrow_raw(fd.as_raw_fd()) };
            freepoll::epoll::epoll_del(epoll, fd).expect("epoll_del");
        }
    }

    struct Libc;
    impl Crate for Libc {
        const NAME: &'static str = "libc";
        type Epoll = OwnedFd;
        type Buf = Vec<libc::epoll_event>;
        fn adopt(epoll: OwnedFd) -> Self::Epoll {
            epoll
        }
        fn buffer() -> Self::Buf {
            vec![libc::epoll_event { events: 0, u64: 0 }; BUF]
        }
        fn wait(epoll: &Self::Epoll, buf: &mut Self::Buf) -> usize {
            // SAFETY: `epoll` is open; `buf` is valid for `buf.len()` events.
            let n = unsafe {
                libc::epoll_wait(
                    epoll.as_raw_fd(),
                    buf.as_mut_ptr(),
                    buf.len() as libc::c_int,
                    0,
                )
            };
            assert!(n >= 0, "epoll_wait");
            n as usize
        }
        fn add(epoll: &Self::Epoll, fd: &OwnedFd, data: u64) {
            common::libc_add(epoll, fd, libc::EPOLLIN, data);
        }
        fn delete(epoll: &Self::Epoll, fd: &OwnedFd) {
            // SAFETY: both descriptors are open; DEL reads no event.
            let ret = unsafe {
                libc::epoll_ctl(
                    epoll.as_raw_fd(),
                    libc::EPOLL_CTL_DEL,
                    fd.as_raw_fd(),
                    std::ptr::null_mut(),
                )
            };
            assert_eq!(ret, 0, "epoll_ctl");
        }
    }

    struct Rustix;
    impl Crate for Rustix {
        const NAME: &'static str = "rustix";
        type Epoll = OwnedFd;
        type Buf = Vec<rustix::event::epoll::Event>;
        fn adopt(epoll: OwnedFd) -> Self::Epoll {
            epoll
        }
        fn buffer() -> Self::Buf {
            use rustix::event::epoll::{Event, EventData, EventFlags};
            let empty = Event {
                flags: EventFlags::empty(),
                data: EventData::new_u64(0),
            };
            vec![empty; BUF]
        }
        fn wait(epoll: &Self::Epoll, buf: &mut Self::Buf) -> usize {
            let zero = rustix::event::Timespec::default();
            rustix::event::epoll::wait(epoll, &mut buf[..], Some(&zero)).expect("wait")
        }
        fn add(epoll: &Self::Epoll, fd: &OwnedFd, data: u64) {
            use rustix::event::epoll::{add, EventData, EventFlags};
            add(epoll, fd, EventData::new_u64(data), EventFlags::IN).expect("add");
        }
        fn delete(epoll: &Self::Epoll, fd: &OwnedFd) {
            rustix::event::epoll::delete(epoll, fd).expect("delete");
        }
    }

    struct Nix;
    impl Crate for Nix {
        const NAME: &'static str = "nix";
        type Epoll = nix::sys::epoll::Epoll;
        type Buf = Vec<nix::sys::epoll::EpollEvent>;
        fn adopt(epoll: OwnedFd) -> Self::Epoll {
            nix::sys::epoll::Epoll(epoll)
        }
        fn buffer() -> Self::Buf {
            vec![nix::sys::epoll::EpollEvent::empty(); BUF]
        }
        fn wait(epoll: &Self::Epoll, buf: &mut Self::Buf) -> usize {
            epoll
                .wait(buf, nix::sys::epoll::EpollTimeout::ZERO)
                .expect("wait")
        }
        fn add(epoll: &Self::Epoll, fd: &OwnedFd, data: u64) {
            use nix::sys::epoll::{EpollEvent, EpollFlags};
            epoll
                .add(fd, EpollEvent::new(EpollFlags::EPOLLIN, data))
                .expect("add");
        }
        fn delete(epoll: &Self::Epoll, fd: &OwnedFd) {
            epoll.delete(fd).expect("delete");
        }
    }

    /// Prints the allocations of `C`'s adds, waits and deletes of `CHURN` pairs on a new instance.
    fn count_allocations<C: Crate>(pairs: &Pairs) {
        let epoll = C::adopt(common::libc_epoll());
        let mut buf = C::buffer();
        let mut add = 0;
        for i in 0..CHURN {
            let fd = pairs.point(i);
            add += allocations(|| C::add(&epoll, fd, i as u64));
        }
        add += allocations(|| C::add(&epoll, &pairs.ready, READY));
        let wait = allocations(|| {
            for _ in 0..1000 {
                assert_eq!(C::wait(&epoll, &mut buf), 1);
            }
        });
        let mut delete = 0;
        for i in 0..CHURN {
            let fd = pairs.point(i);
            delete += allocations(|| C::delete(&epoll, fd));
        }
        println!(
            "allocations: {} add {} {add} wait 1000 {wait} delete {CHURN} {delete}",
            C::NAME,
            CHURN + 1,
        );
    }

    type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

    fn wait_at<C: Crate>(group: &mut Group<'_>, epoll: &OwnedFd, n: usize) {
        let epoll = C::adopt(epoll.try_clone().expect("dup"));
        let mut buf = C::buffer();
        group.bench_function(BenchmarkId::new(C::NAME, n), |b| {
            b.iter(|| black_box(C::wait(&epoll, &mut buf)))
        });
    }

    /// Adds `CHURN` pairs to an empty instance and deletes them; with `C = None`, only the `dup2`s.
    fn churn<C: Crate>(group: &mut Group<'_>, pairs: &Pairs, name: &str, epoll_calls: bool) {
        let epoll = C::adopt(common::libc_epoll());
        group.bench_function(name, |b| {
            b.iter(|| {
                for i in 0..CHURN {
                    let fd = pairs.point(i);
                    if epoll_calls {
                        C::add(&epoll, fd, i as u64);
                    }
                }
                for i in 0..CHURN {
                    let fd = pairs.point(i);
                    if epoll_calls {
                        C::delete(&epoll, fd);
                    }
                }
            })
        });
    }

    pub fn main() {
        // The slots, the files, stdio, the instances and criterion's own files.
        let limit = common::raise_fd_limit(SLOTS_PER_FILE as u64 + 1000);
        assert!(
            limit >= SLOTS_PER_FILE as u64 + 100,
            "scale needs {} descriptors; the limit is {limit}",
            SLOTS_PER_FILE + 100
        );
        assert!(FILES * SLOTS_PER_FILE >= CHURN.max(SIZES[SIZES.len() - 1]));
        let pairs = Pairs::new();
        let mut c = Criterion::default().configure_from_args();

        let mut group = c.benchmark_group("wait_registered");
        group
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for n in SIZES {
            let epoll = registered(&pairs, n);
            wait_at::<Freepoll>(&mut group, &epoll, n);
            wait_at::<Libc>(&mut group, &epoll, n);
            wait_at::<Rustix>(&mut group, &epoll, n);
            wait_at::<Nix>(&mut group, &epoll, n);
        }
        group.finish();

        count_allocations::<Freepoll>(&pairs);
        count_allocations::<Libc>(&pairs);
        count_allocations::<Rustix>(&pairs);
        count_allocations::<Nix>(&pairs);

        let mut group = c.benchmark_group(format!("add_delete_{CHURN}"));
        group
            .throughput(Throughput::Elements(CHURN as u64))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        churn::<Libc>(&mut group, &pairs, "dup2", false);
        churn::<Freepoll>(&mut group, &pairs, Freepoll::NAME, true);
        churn::<Libc>(&mut group, &pairs, Libc::NAME, true);
        churn::<Rustix>(&mut group, &pairs, Rustix::NAME, true);
        churn::<Nix>(&mut group, &pairs, Nix::NAME, true);
        group.finish();

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
