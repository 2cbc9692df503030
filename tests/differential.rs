//! Differential testing against libc: random sequences of operations on a small pool of
//! descriptors (eventfds, pipes, UNIX socket pairs, epoll instances), applied through freepoll
//! and, on a second pool made the same way, through the `libc` crate's epoll functions. Each
//! step must give the same answer in both: the return value, the errno, and for a wait the
//! events as a multiset keyed by data.
//!
//! The two pools are separate kernel objects driven by the same steps in the same order, so
//! the kernel's state (registrations, ready lists and their order) evolves identically in both;
//! any difference is freepoll's.
//!
//! `FREEPOLL_DIFF_CASES` sets the number of cases (default 64, a quick check in every
//! `cargo test`; `ci/test.sh` runs more). The count, the operations and the time are printed
//! (visible with `-- --nocapture`). A failure prints the shortest failing sequence proptest
//! finds; `PROPTEST_RNG_SEED` replays a run.

mod common;

use common::*;
use core::mem::MaybeUninit;
use freepoll::epoll::{self, CreateFlags, Event, EventFlags, EventVec};
use freepoll::fd::{AsRawFd, BorrowedFd, OwnedFd};
use freepoll::Errno;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::Cell;
use std::time::Instant;

/// Epoll instances per pool.
const EPOLLS: usize = 3;
/// Sources per pool: 2 eventfds, 2 pipes (read end, write end), 2 socket pairs.
const SOURCES: usize = 10;
/// The default case count: quick enough for every `cargo test` under qemu-user.
const DEFAULT_CASES: u32 = 64;

/// A descriptor an operation names: an epoll instance or a source, by slot.
#[derive(Clone, Copy, Debug)]
enum Fd {
    Epoll(usize),
    Source(usize),
}

#[derive(Clone, Copy, Debug)]
enum Ctl {
    Add,
    Mod,
    Del,
}

#[derive(Clone, Debug)]
enum Op {
    /// Closes epoll slot `slot` and creates a new instance there with `flags`.
    Create { slot: usize, flags: u32 },
    /// epoll_ctl(first, op, target, {flags, data}).
    Ctl {
        op: Ctl,
        first: Fd,
        target: Fd,
        flags: u32,
        data: u64,
    },
    /// epoll_wait(first, capacity, timeout 0).
    Wait { first: Fd, capacity: usize },
    /// Writes `len` bytes (an eventfd: adds `len`).
    Write { source: usize, len: usize },
    /// Reads up to `len` bytes (an eventfd: its counter).
    Read { source: usize, len: usize },
    /// Closes a source; later operations on it name a descriptor that is not open.
    Close { source: usize },
}

/// What a step answered.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// A call's result: its value, or the errno.
    Call(Result<u64, i32>),
    /// A wait: the events as (data, flags), sorted: a multiset keyed by data.
    Events(Result<Vec<(u64, u32)>, i32>),
    /// Nothing to do (reading or writing a closed source).
    Skipped,
}

impl Outcome {
    /// Success or the errno, whatever the value.
    fn status(&self) -> Result<(), i32> {
        match self {
            Outcome::Call(r) => r.map(drop),
            Outcome::Events(r) => r.as_ref().map(drop).map_err(|e| *e),
            Outcome::Skipped => Ok(()),
        }
    }
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap()
}

fn from_libc(ret: i64) -> Result<u64, i32> {
    if ret < 0 {
        Err(errno())
    } else {
        Ok(ret as u64)
    }
}

fn from_freepoll<T: Into<u64>>(r: Result<T, Errno>) -> Result<u64, i32> {
    r.map(Into::into).map_err(Errno::raw_os_error)
}

/// Which of the two paths to the kernel a pool uses for its epoll calls.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Api {
    Freepoll,
    Libc,
}

/// One pool: epoll instances and sources, driven through one API.
struct Pool {
    api: Api,
    epolls: Vec<OwnedFd>,
    sources: Vec<Option<OwnedFd>>,
}

/// A descriptor number that is never open: above any RLIMIT_NOFILE.
const NEVER_OPEN: i32 = i32::MAX;

impl Pool {
    fn new(api: Api) -> Pool {
        let mut sources = Vec::with_capacity(SOURCES);
        sources.push(Some(eventfd(0)));
        sources.push(Some(eventfd(0)));
        for _ in 0..2 {
            let (r, w) = pipe();
            sources.push(Some(r));
            sources.push(Some(w));
        }
        for _ in 0..2 {
            let (a, b) = socketpair();
            sources.push(Some(a));
            sources.push(Some(b));
        }
        let mut pool = Pool {
            api,
            epolls: Vec::new(),
            sources,
        };
        for _ in 0..EPOLLS {
            let fd = pool.create(CreateFlags::CLOEXEC.bits()).unwrap();
            pool.epolls.push(fd);
        }
        pool
    }

    fn raw(&self, fd: Fd) -> i32 {
        match fd {
            Fd::Epoll(i) => self.epolls[i].as_raw_fd(),
            Fd::Source(i) => self.sources[i]
                .as_ref()
                .map_or(NEVER_OPEN, |f| f.as_raw_fd()),
        }
    }

    fn create(&self, flags: u32) -> Result<OwnedFd, i32> {
        match self.api {
            Api::Freepoll => epoll::epoll_create(CreateFlags::from_bits_retain(flags))
                .map_err(Errno::raw_os_error),
            Api::Libc => {
                // SAFETY: epoll_create1 takes an integer only.
                let fd = unsafe { libc::epoll_create1(flags as i32) };
                if fd < 0 {
                    Err(errno())
                } else {
                    Ok(own(fd, "epoll_create1"))
                }
            }
        }
    }

    fn apply(&mut self, op: &Op) -> Outcome {
        match *op {
            Op::Create { slot, flags } => match self.create(flags) {
                // A failed creation leaves the old instance in place.
                Ok(fd) => {
                    self.epolls[slot] = fd;
                    Outcome::Call(Ok(0))
                }
                Err(e) => Outcome::Call(Err(e)),
            },
            Op::Ctl {
                op,
                first,
                target,
                flags,
                data,
            } => Outcome::Call(self.ctl(op, self.raw(first), self.raw(target), flags, data)),
            Op::Wait { first, capacity } => Outcome::Events(self.wait(self.raw(first), capacity)),
            Op::Write { source, len } => match &self.sources[source] {
                None => Outcome::Skipped,
                Some(fd) => Outcome::Call(write_source(source, fd.as_raw_fd(), len)),
            },
            Op::Read { source, len } => match &self.sources[source] {
                None => Outcome::Skipped,
                Some(fd) => Outcome::Call(read_source(source, fd.as_raw_fd(), len)),
            },
            Op::Close { source } => {
                let open = self.sources[source].take().is_some();
                Outcome::Call(Ok(open as u64))
            }
        }
    }

    fn ctl(&self, op: Ctl, first: i32, target: i32, flags: u32, data: u64) -> Result<u64, i32> {
        match self.api {
            Api::Freepoll => {
                // SAFETY: both numbers are open descriptors of this pool, or NEVER_OPEN, which
                // no descriptor ever has; they are borrowed for this one call only.
                let (first, target) = unsafe {
                    (
                        BorrowedFd::borrow_raw(first),
                        BorrowedFd::borrow_raw(target),
                    )
                };
                let flags = EventFlags::from_bits_retain(flags);
                from_freepoll(
                    match op {
                        Ctl::Add => epoll::epoll_add(first, target, data, flags),
                        Ctl::Mod => epoll::epoll_mod(first, target, data, flags),
                        Ctl::Del => epoll::epoll_del(first, target),
                    }
                    .map(|()| 0u64),
                )
            }
            Api::Libc => {
                let op = match op {
                    Ctl::Add => libc::EPOLL_CTL_ADD,
                    Ctl::Mod => libc::EPOLL_CTL_MOD,
                    Ctl::Del => libc::EPOLL_CTL_DEL,
                };
                let mut event = libc::epoll_event {
                    events: flags,
                    u64: data,
                };
                // SAFETY: `event` is a live epoll_event the kernel reads (ignored for DEL).
                from_libc(unsafe { libc::epoll_ctl(first, op, target, &mut event) } as i64)
            }
        }
    }

    fn wait(&self, first: i32, capacity: usize) -> Result<Vec<(u64, u32)>, i32> {
        let mut events = match self.api {
            Api::Freepoll => {
                let mut buf = vec![MaybeUninit::<Event>::uninit(); capacity];
                let mut vec = EventVec::new(&mut buf);
                // SAFETY: as in `ctl`.
                let first = unsafe { BorrowedFd::borrow_raw(first) };
                let n = epoll::epoll_wait(first, &mut vec, 0).map_err(Errno::raw_os_error)?;
                assert_eq!(n, vec.len());
                vec.iter().map(|(f, d)| (d, f.bits())).collect::<Vec<_>>()
            }
            Api::Libc => {
                let mut buf = vec![libc::epoll_event { events: 0, u64: 0 }; capacity];
                // SAFETY: `buf` has room for `capacity` events, which the kernel may write.
                let n = unsafe { libc::epoll_wait(first, buf.as_mut_ptr(), capacity as i32, 0) };
                let n = from_libc(n as i64)? as usize;
                buf.truncate(n);
                buf.iter().map(|e| (e.u64, e.events)).collect()
            }
        };
        events.sort_unstable();
        Ok(events)
    }
}

/// Sources 0 and 1 are eventfds; the others are pipes and sockets.
fn is_eventfd(source: usize) -> bool {
    source < 2
}

fn write_source(source: usize, fd: i32, len: usize) -> Result<u64, i32> {
    if is_eventfd(source) {
        let n = len as u64;
        // SAFETY: writes 8 bytes from a live u64.
        from_libc(unsafe { libc::write(fd, &n as *const u64 as *const libc::c_void, 8) } as i64)
    } else {
        let bytes = vec![0x42u8; len];
        // SAFETY: writes `len` bytes from a live buffer of that size.
        from_libc(unsafe { libc::write(fd, bytes.as_ptr() as *const libc::c_void, len) } as i64)
    }
}

fn read_source(source: usize, fd: i32, len: usize) -> Result<u64, i32> {
    if is_eventfd(source) {
        let mut n = 0u64;
        // SAFETY: reads 8 bytes into a live u64.
        let r = unsafe { libc::read(fd, &mut n as *mut u64 as *mut libc::c_void, 8) };
        from_libc(r as i64).map(|_| n)
    } else {
        let mut buf = vec![0u8; len];
        // SAFETY: reads at most `len` bytes into a live buffer of that size.
        from_libc(unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, len) } as i64)
    }
}

/// Whether freepoll refuses `step` with EINVAL before calling the kernel, as its docs say:
/// - a wait into a vector of capacity 0 (`epoll_wait`);
/// - `EXCLUSIVE` with a flag the kernel does not allow beside it, in an ADD, and `EXCLUSIVE` in
///   a MOD (`epoll_add`, `epoll_mod`).
///
/// The kernel refuses the same calls with EINVAL, but where a descriptor is not open it may
/// say EBADF first (see `libc_answer_to_a_prechecked_call`): the one difference this test
/// accepts, and only where the kernel owes it.
fn refused_by_freepoll_before_the_call(step: &Op) -> bool {
    let exclusive_ok = EventFlags::IN
        | EventFlags::OUT
        | EventFlags::ERR
        | EventFlags::HUP
        | EventFlags::WAKEUP
        | EventFlags::ET
        | EventFlags::EXCLUSIVE;
    match *step {
        Op::Wait { capacity, .. } => capacity == 0,
        Op::Ctl { op, flags, .. } => {
            let flags = EventFlags::from_bits_retain(flags);
            match op {
                Ctl::Add => flags.contains(EventFlags::EXCLUSIVE) && !exclusive_ok.contains(flags),
                Ctl::Mod => flags.contains(EventFlags::EXCLUSIVE),
                Ctl::Del => false,
            }
        }
        _ => false,
    }
}

/// What libc, that is the kernel, answers to a call that freepoll refuses with EINVAL before
/// making it: EINVAL as well, except where a descriptor the call names is not open and the
/// kernel looks it up first:
/// - epoll_ctl looks both descriptors up before it checks the flags, on every kernel (and
///   qemu-user passes it on): EBADF;
/// - epoll_wait looks the instance up before it checks `maxevents` since Linux 6.15
///   ("eventpoll: abstract out parameter sanity checking", not sent to the stable branches):
///   EBADF there (`wait_looks_up_first`); earlier kernels, and qemu-user, which checks
///   `maxevents` itself before it makes the call, answer EINVAL.
fn libc_answer_to_a_prechecked_call(step: &Op, pool: &Pool, wait_looks_up_first: bool) -> i32 {
    let closed = |fd| pool.raw(fd) == NEVER_OPEN;
    match *step {
        Op::Ctl { first, target, .. } if closed(first) || closed(target) => libc::EBADF,
        Op::Wait { first, .. } if closed(first) && wait_looks_up_first => libc::EBADF,
        _ => libc::EINVAL,
    }
}

/// Whether epoll_wait here looks its descriptor up before it checks `maxevents` (Linux 6.15).
fn wait_looks_up_first() -> bool {
    if emulated() {
        emulator_note(format_args!(
            "qemu-user checks epoll_wait's maxevents before its descriptor, as kernels before \
             6.15 do"
        ));
        return false;
    }
    kernel_at_least(6, 15)
}

// ---------------------------------------------------------------------------------------
// Strategies

/// An epoll slot, the first one most often (so that waits find what was registered), the
/// others for nesting.
fn epoll_slot() -> impl Strategy<Value = usize> {
    prop_oneof![6 => Just(0usize), 3 => Just(1), 1 => Just(2)]
}

/// An epoll instance most of the time (`epoll_pct` percent), else a source.
fn fd(epoll_pct: u32) -> impl Strategy<Value = Fd> {
    prop_oneof![
        epoll_pct => epoll_slot().prop_map(Fd::Epoll),
        100 - epoll_pct => (0..SOURCES).prop_map(Fd::Source),
    ]
}

/// Event flags: a few of the bits that matter, now and then one the kernel does not know.
fn flags() -> impl Strategy<Value = u32> {
    let bits = prop_oneof![
        12 => Just(EventFlags::IN.bits()),
        10 => Just(EventFlags::OUT.bits()),
        3 => Just(EventFlags::ET.bits()),
        2 => Just(EventFlags::ONESHOT.bits()),
        2 => Just(EventFlags::RDHUP.bits()),
        1 => Just(EventFlags::PRI.bits()),
        1 => Just(EventFlags::RDNORM.bits()),
        1 => Just(EventFlags::WRNORM.bits()),
        1 => Just(EventFlags::ERR.bits()),
        1 => Just(EventFlags::HUP.bits()),
        1 => Just(EventFlags::EXCLUSIVE.bits()),
        1 => Just(EventFlags::WAKEUP.bits()),
        1 => Just(1u32 << 20),
    ];
    prop::collection::vec(bits, 1..4).prop_map(|v| v.into_iter().fold(0, |a, b| a | b))
}

fn op() -> impl Strategy<Value = Op> {
    let ctl = prop_oneof![5 => Just(Ctl::Add), 2 => Just(Ctl::Mod), 1 => Just(Ctl::Del)];
    let create_flags = prop_oneof![
        4 => Just(CreateFlags::CLOEXEC.bits()),
        2 => Just(0u32),
        1 => (0..32u32).prop_map(|bit| 1 << bit),
    ];
    let capacity = prop_oneof![1 => Just(0usize), 9 => 1..5usize];
    let len = prop_oneof![Just(1usize), Just(7), Just(4096), Just(70_000)];
    prop_oneof![
        1 => (epoll_slot(), create_flags).prop_map(|(slot, flags)| Op::Create { slot, flags }),
        // Mostly an instance watching a source; sometimes another instance (nesting, loops),
        // sometimes a source as the instance (EINVAL).
        12 => (ctl, fd(90), fd(20), flags(), 0..4u64).prop_map(
            |(op, first, target, flags, data)| Op::Ctl { op, first, target, flags, data }
        ),
        8 => (fd(95), capacity).prop_map(|(first, capacity)| Op::Wait { first, capacity }),
        5 => (0..SOURCES, len.clone()).prop_map(|(source, len)| Op::Write { source, len }),
        3 => (0..SOURCES, len).prop_map(|(source, len)| Op::Read { source, len }),
        1 => (0..SOURCES).prop_map(|source| Op::Close { source }),
    ]
}

// ---------------------------------------------------------------------------------------

#[test]
fn freepoll_answers_as_libc_does() {
    let cases = std::env::var("FREEPOLL_DIFF_CASES")
        .ok()
        .map(|s| s.parse::<u32>().expect("FREEPOLL_DIFF_CASES: a number"))
        .unwrap_or(DEFAULT_CASES);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let (ran, ops, events) = (Cell::new(0u32), Cell::new(0usize), Cell::new(0usize));
    let (prechecked, waits_with_events) = (Cell::new(0usize), Cell::new(0usize));
    let wait_looks_up_first = wait_looks_up_first();
    let start = Instant::now();
    let mut runner = TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(op(), 1..40), |steps| {
        ran.set(ran.get() + 1);
        let mut ours = Pool::new(Api::Freepoll);
        let mut theirs = Pool::new(Api::Libc);
        for (i, step) in steps.iter().enumerate() {
            let got = ours.apply(step);
            let want = theirs.apply(step);
            ops.set(ops.get() + 1);
            if let Outcome::Events(Ok(e)) = &want {
                events.set(events.get() + e.len());
                waits_with_events.set(waits_with_events.get() + !e.is_empty() as usize);
            }
            if refused_by_freepoll_before_the_call(step) {
                prechecked.set(prechecked.get() + 1);
                let kernels = libc_answer_to_a_prechecked_call(step, &theirs, wait_looks_up_first);
                let (ours, theirs) = (got.status(), want.status());
                prop_assert_eq!(ours, Err(libc::EINVAL), "step {}: {:?}", i, step);
                prop_assert_eq!(
                    theirs,
                    Err(kernels),
                    "step {}: {:?}: libc answered {:?}",
                    i,
                    step,
                    want
                );
                continue;
            }
            prop_assert_eq!(got, want, "step {}: {:?}", i, step);
        }
        Ok::<(), TestCaseError>(())
    });
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "differential: {} cases, {} operations ({} refused by freepoll before the call), \
         {} events in {} non-empty waits, {:.1} s (FREEPOLL_DIFF_CASES={})",
        ran.get(),
        ops.get(),
        prechecked.get(),
        events.get(),
        waits_with_events.get(),
        secs,
        cases
    );
    if let Err(e) = result {
        panic!("{}", e);
    }
    assert!(
        events.get() > 0 || cases < 16,
        "no wait returned an event: the test tests nothing"
    );
}

// ---------------------------------------------------------------------------------------
// Sockets: creation and options, freepoll's typed calls against libc's raw ones.

/// The option a step sets and reads back, with freepoll's typed setter and getter.
#[derive(Clone, Copy, Debug)]
enum SockOpt {
    ReuseAddr,
    ReusePort,
    KeepAlive,
    NoDelay,
    V6Only,
    RcvBuf,
    SndBuf,
    RcvLowat,
}

impl SockOpt {
    /// (level, name) for libc.
    fn raw(self) -> (i32, i32) {
        match self {
            SockOpt::ReuseAddr => (libc::SOL_SOCKET, libc::SO_REUSEADDR),
            SockOpt::ReusePort => (libc::SOL_SOCKET, libc::SO_REUSEPORT),
            SockOpt::KeepAlive => (libc::SOL_SOCKET, libc::SO_KEEPALIVE),
            SockOpt::NoDelay => (libc::IPPROTO_TCP, libc::TCP_NODELAY),
            SockOpt::V6Only => (libc::IPPROTO_IPV6, libc::IPV6_V6ONLY),
            SockOpt::RcvBuf => (libc::SOL_SOCKET, libc::SO_RCVBUF),
            SockOpt::SndBuf => (libc::SOL_SOCKET, libc::SO_SNDBUF),
            SockOpt::RcvLowat => (libc::SOL_SOCKET, libc::SO_RCVLOWAT),
        }
    }

    fn is_bool(self) -> bool {
        !matches!(self, SockOpt::RcvBuf | SockOpt::SndBuf | SockOpt::RcvLowat)
    }

    /// Sets `value` (a bool option: non-zero) through freepoll.
    fn set(self, fd: BorrowedFd<'_>, value: u32) -> Result<u64, i32> {
        use freepoll::socket as s;
        let on = value != 0;
        let n = value as usize;
        from_freepoll(
            match self {
                SockOpt::ReuseAddr => s::set_reuseaddr(fd, on),
                SockOpt::ReusePort => s::set_reuseport(fd, on),
                SockOpt::KeepAlive => s::set_keepalive(fd, on),
                SockOpt::NoDelay => s::set_tcp_nodelay(fd, on),
                SockOpt::V6Only => s::set_ipv6_v6only(fd, on),
                SockOpt::RcvBuf => s::set_rcvbuf(fd, n),
                SockOpt::SndBuf => s::set_sndbuf(fd, n),
                SockOpt::RcvLowat => s::set_rcvlowat(fd, n),
            }
            .map(|()| 0u64),
        )
    }

    /// Reads it back through freepoll (a bool as 0 or 1).
    fn get(self, fd: BorrowedFd<'_>) -> Result<u64, i32> {
        use freepoll::socket as s;
        let b = |r: freepoll::Result<bool>| r.map(u64::from);
        let n = |r: freepoll::Result<usize>| r.map(|v| v as u64);
        from_freepoll(match self {
            SockOpt::ReuseAddr => b(s::reuseaddr(fd)),
            SockOpt::ReusePort => b(s::reuseport(fd)),
            SockOpt::KeepAlive => b(s::keepalive(fd)),
            SockOpt::NoDelay => b(s::tcp_nodelay(fd)),
            SockOpt::V6Only => b(s::ipv6_v6only(fd)),
            SockOpt::RcvBuf => n(s::rcvbuf(fd)),
            SockOpt::SndBuf => n(s::sndbuf(fd)),
            SockOpt::RcvLowat => n(s::rcvlowat(fd)),
        })
    }

    /// Sets `value` through libc: a bool option as 1 or 0, as freepoll passes it.
    fn libc_set(self, fd: i32, value: u32) -> Result<u64, i32> {
        let (level, name) = self.raw();
        let v: i32 = if self.is_bool() {
            (value != 0) as i32
        } else {
            value as i32
        };
        // SAFETY: the kernel reads the 4 bytes of `v`.
        from_libc(unsafe {
            libc::setsockopt(fd, level, name, &v as *const i32 as *const libc::c_void, 4)
        } as i64)
    }

    fn libc_get(self, fd: i32) -> Result<u64, i32> {
        let (level, name) = self.raw();
        let mut v: i32 = 0;
        let mut len: libc::socklen_t = 4;
        // SAFETY: `v` has room for the 4 bytes the kernel writes.
        let rc = unsafe {
            libc::getsockopt(
                fd,
                level,
                name,
                &mut v as *mut i32 as *mut libc::c_void,
                &mut len,
            )
        };
        from_libc(rc as i64).map(|_| {
            if self.is_bool() {
                (v != 0) as u64
            } else {
                v as u64
            }
        })
    }
}

/// A socket to make: (family, type, flags, protocol), now and then one the kernel refuses.
fn socket_spec() -> impl Strategy<Value = (u16, u32, u32, u32)> {
    let family = prop_oneof![
        4 => Just(libc::AF_INET as u16),
        3 => Just(libc::AF_INET6 as u16),
        3 => Just(libc::AF_UNIX as u16),
        1 => Just(libc::AF_NETLINK as u16),
        1 => 0..64u16,
    ];
    let ty = prop_oneof![
        4 => Just(libc::SOCK_STREAM as u32),
        3 => Just(libc::SOCK_DGRAM as u32),
        1 => Just(libc::SOCK_SEQPACKET as u32),
        1 => Just(libc::SOCK_RAW as u32),
        1 => 0..16u32,
    ];
    let flags = prop_oneof![
        4 => Just(0u32),
        2 => Just(libc::SOCK_NONBLOCK as u32),
        2 => Just(libc::SOCK_CLOEXEC as u32),
        1 => (4..31u32).prop_map(|bit| 1 << bit),
    ];
    let protocol = prop_oneof![6 => Just(0u32), 1 => Just(6), 1 => Just(17), 1 => 0..64u32];
    (family, ty, flags, protocol)
}

fn sock_opt() -> impl Strategy<Value = (SockOpt, u32)> {
    let opt = prop_oneof![
        Just(SockOpt::ReuseAddr),
        Just(SockOpt::ReusePort),
        Just(SockOpt::KeepAlive),
        Just(SockOpt::NoDelay),
        Just(SockOpt::V6Only),
        Just(SockOpt::RcvBuf),
        Just(SockOpt::SndBuf),
        Just(SockOpt::RcvLowat),
    ];
    let value = prop_oneof![Just(0u32), Just(1), 0..300_000u32, Just(i32::MAX as u32)];
    (opt, value)
}

#[test]
fn socket_creation_and_options_answer_as_libc_does() {
    use freepoll::fd::AsFd;
    use freepoll::socket::{self, AddressFamily, Protocol, SocketFlags, SocketType};
    let cases = std::env::var("FREEPOLL_DIFF_CASES")
        .ok()
        .map(|s| s.parse::<u32>().expect("FREEPOLL_DIFF_CASES: a number"))
        .unwrap_or(DEFAULT_CASES);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let (made, set) = (Cell::new(0usize), Cell::new(0usize));
    let mut runner = TestRunner::new(config);
    let steps = (socket_spec(), prop::collection::vec(sock_opt(), 0..8));
    let result = runner.run(&steps, |((family, ty, flags, protocol), opts)| {
        let ours = socket::socket(
            AddressFamily::from_raw(family),
            SocketType::from_raw(ty),
            SocketFlags::from_bits_retain(flags),
            Protocol::from_raw(protocol),
        )
        .map_err(Errno::raw_os_error);
        // SAFETY: socket takes integers only.
        let theirs = unsafe { libc::socket(family as i32, (ty | flags) as i32, protocol as i32) };
        let theirs = if theirs < 0 {
            Err(errno())
        } else {
            Ok(own(theirs, "socket"))
        };
        let spec = (family, ty, flags, protocol);
        match (ours, theirs) {
            (Err(a), Err(b)) => prop_assert_eq!(a, b, "socket{:?}", spec),
            (Ok(ours), Ok(theirs)) => {
                made.set(made.get() + 1);
                for &(opt, value) in &opts {
                    let got = opt.set(ours.as_fd(), value);
                    let want = opt.libc_set(theirs.as_raw_fd(), value);
                    prop_assert_eq!(&got, &want, "set {:?}={} on socket{:?}", opt, value, spec);
                    set.set(set.get() + got.is_ok() as usize);
                    let got = opt.get(ours.as_fd());
                    let want = opt.libc_get(theirs.as_raw_fd());
                    prop_assert_eq!(got, want, "get {:?} on socket{:?}", opt, spec);
                }
            }
            (a, b) => prop_assert!(
                false,
                "socket{:?}: freepoll {:?}, libc {:?}",
                spec,
                a.map(drop),
                b.map(drop)
            ),
        }
        Ok::<(), TestCaseError>(())
    });
    eprintln!(
        "differential sockets: {} cases, {} sockets made, {} options set",
        cases,
        made.get(),
        set.get()
    );
    if let Err(e) = result {
        panic!("{}", e);
    }
}
