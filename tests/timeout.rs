//! Timeouts: the integer forms still work, durations finer than a millisecond go to
//! `epoll_pwait2` where the kernel has it and are rounded up where it does not, and durations
//! the kernel cannot take are errors.
//!
//! `epoll_pwait2` came with Linux 5.11: a kernel since then must have it, an older one must
//! answer ENOSYS, and the `Auto` policy must find that out by itself and fall back (rounding up
//! to whole milliseconds). qemu-user 7.2 answers ENOSYS for it too, accepted only under it.
//! Each test asks the kernel directly (`kernel_has_pwait2`), which checks the answer against
//! the kernel's version, and asserts the path that must follow.
//! The policy is process-wide, so every test that depends on it holds `POLICY`.

mod common;

use common::*;
use freepoll::epoll::{
    epoll_add, epoll_wait, pwait2_available, pwait2_policy, set_pwait2_policy, EventFlags,
    EventVec, Pwait2Policy, Timeout,
};
use freepoll::fd::AsRawFd;
use freepoll::raw::{decode_raw, nr, syscall6};
use freepoll::Errno;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

static POLICY: Mutex<()> = Mutex::new(());

/// Holds the policy lock and sets `policy`; puts `Auto` (and a fresh probe) back when dropped.
struct PolicyGuard(#[allow(dead_code)] MutexGuard<'static, ()>);

fn with_policy(policy: Pwait2Policy) -> PolicyGuard {
    let guard = POLICY.lock().unwrap_or_else(|e| e.into_inner());
    set_pwait2_policy(policy);
    PolicyGuard(guard)
}

impl Drop for PolicyGuard {
    fn drop(&mut self) {
        set_pwait2_policy(Pwait2Policy::Auto);
    }
}

/// Whether the kernel (or emulator) answers `epoll_pwait2`, asked through the raw stub with a
/// zero timespec on an empty instance. The answer must be what this kernel owes: the call on
/// Linux 5.11 and later, ENOSYS before; under an emulator either is accepted.
fn kernel_has_pwait2() -> bool {
    let ep = epoll();
    let mut buf = freepoll::epoll::uninit_events::<1>();
    let ts = [0i64, 0i64];
    // SAFETY: `buf` has room for the 1 event allowed; `ts` is a live 16-byte timespec the kernel
    // only reads; the mask is NULL.
    let ret = unsafe {
        syscall6(
            nr::EPOLL_PWAIT2,
            ep.as_raw_fd() as usize,
            buf.as_mut_ptr() as usize,
            1,
            ts.as_ptr() as usize,
            0,
            8,
        )
    };
    let answer = decode_raw(ret);
    if emulated() {
        return match answer {
            Ok(0) => true,
            Err(Errno::NOSYS) => {
                emulator_note(format_args!(
                    "qemu-user answers ENOSYS to epoll_pwait2 (Linux 5.11): testing the fallback path"
                ));
                false
            }
            other => panic!("epoll_pwait2 probe under the emulator: {other:?}"),
        };
    }
    let k = kernel();
    if kernel_at_least(5, 11) {
        assert_eq!(answer, Ok(0), "epoll_pwait2 (Linux 5.11) on Linux {k}");
        true
    } else {
        assert_eq!(
            answer,
            Err(Errno::NOSYS),
            "epoll_pwait2 on Linux {k}, older than the call (5.11)"
        );
        eprintln!(
            "note: epoll_pwait2 (Linux 5.11) is missing on Linux {k}: testing the fallback path"
        );
        false
    }
}

/// One wait on `ep` with `timeout`; the result and how long it took.
fn timed_wait(
    ep: &freepoll::fd::OwnedFd,
    timeout: impl Into<Timeout>,
) -> (Result<Vec<(EventFlags, u64)>, Errno>, Duration) {
    let mut buf = freepoll::epoll::uninit_events::<4>();
    let mut events = EventVec::new(&mut buf);
    let start = Instant::now();
    let ret = epoll_wait(ep, &mut events, timeout);
    let took = start.elapsed();
    (ret.map(|_| events.iter().collect()), took)
}

/// An instance watching one idle eventfd (returned to keep it open).
fn idle_instance() -> (freepoll::fd::OwnedFd, freepoll::fd::OwnedFd) {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 1, EventFlags::IN).unwrap();
    (ep, efd)
}

/// An instance watching one readable eventfd, data 9: any wait that is made returns it.
fn ready_instance() -> (freepoll::fd::OwnedFd, freepoll::fd::OwnedFd) {
    let ep = epoll();
    let efd = eventfd(1);
    epoll_add(&ep, &efd, 9, EventFlags::IN).unwrap();
    (ep, efd)
}

#[test]
fn conversions_keep_their_meaning() {
    assert_eq!(Timeout::from(-1), Timeout::FOREVER);
    assert_eq!(Timeout::from(i32::MIN), Timeout::FOREVER);
    assert_eq!(Timeout::from(None::<Duration>), Timeout::FOREVER);
    assert!(Timeout::FOREVER.is_forever());
    assert_eq!(Timeout::FOREVER.duration(), None);
    assert_eq!(Timeout::from(0), Timeout::ZERO);
    assert_eq!(Timeout::from(Duration::ZERO), Timeout::ZERO);
    assert_eq!(Timeout::from(Some(Duration::ZERO)), Timeout::ZERO);
    assert_eq!(Timeout::from(50), Timeout::from(Duration::from_millis(50)));
    assert_eq!(
        Timeout::from(i32::MAX).duration(),
        Some(Duration::from_millis(i32::MAX as u64))
    );
    let fine = Duration::new(3, 250_001);
    assert_eq!(Timeout::from(fine).duration(), Some(fine));
    assert!(!Timeout::from(fine).is_forever());
    // No duration, however long, is "forever".
    assert!(!Timeout::from(Duration::MAX).is_forever());
    assert_eq!(Timeout::from(Duration::MAX).duration(), Some(Duration::MAX));
    assert_eq!(format!("{:?}", Timeout::FOREVER), "Timeout(FOREVER)");
    assert_eq!(
        format!("{:?}", Timeout::from(Duration::from_micros(1500))),
        "Timeout(1.5ms)"
    );
}

#[test]
fn integer_timeouts_compile_and_wait_as_before() {
    let (ep, efd) = idle_instance();
    let (got, took) = timed_wait(&ep, 30);
    assert_eq!(got, Ok(vec![]));
    assert!(took >= Duration::from_millis(30), "returned after {took:?}");
    bump(&efd, 1);
    assert_eq!(timed_wait(&ep, -1).0, Ok(vec![(EventFlags::IN, 1)]));
    assert_eq!(timed_wait(&ep, 0).0, Ok(vec![(EventFlags::IN, 1)]));
    // The other spellings of "forever" compile as arguments too.
    let mut buf = freepoll::epoll::uninit_events::<4>();
    let mut events = EventVec::new(&mut buf);
    assert_eq!(epoll_wait(&ep, &mut events, None), Ok(1));
    assert_eq!(epoll_wait(&ep, &mut events, Timeout::FOREVER), Ok(1));
    assert_eq!(
        epoll_wait(&ep, &mut events, Some(Duration::from_secs(5))),
        Ok(1)
    );
}

#[test]
fn whole_millisecond_durations_never_touch_pwait2() {
    // Under `Always`, a call to epoll_pwait2 where it is missing would fail with ENOSYS: a
    // whole number of milliseconds must go to epoll_pwait instead, on every kernel.
    let _policy = with_policy(Pwait2Policy::Always);
    let (ep, _efd) = idle_instance();
    let (got, took) = timed_wait(&ep, Duration::from_millis(5));
    assert_eq!(got, Ok(vec![]));
    assert!(took >= Duration::from_millis(5), "returned after {took:?}");
    let (ep, _efd) = ready_instance();
    assert_eq!(
        timed_wait(&ep, Some(Duration::from_secs(1))).0,
        Ok(vec![(EventFlags::IN, 9)])
    );
    drop(_policy);

    let _policy = with_policy(Pwait2Policy::Auto);
    assert_eq!(
        timed_wait(&ep, Duration::from_millis(1)).0,
        Ok(vec![(EventFlags::IN, 9)])
    );
    assert_eq!(pwait2_available(), None, "no probe for whole milliseconds");
}

#[test]
fn auto_uses_pwait2_where_the_kernel_has_it_and_remembers_the_answer() {
    let _policy = with_policy(Pwait2Policy::Auto);
    assert_eq!(pwait2_policy(), Pwait2Policy::Auto);
    assert_eq!(pwait2_available(), None);
    let has = kernel_has_pwait2();
    let (ep, _efd) = idle_instance();

    let (got, took) = timed_wait(&ep, Duration::from_micros(200));
    assert_eq!(got, Ok(vec![]));
    assert!(
        took >= Duration::from_micros(200),
        "returned after {took:?}"
    );
    assert_eq!(
        pwait2_available(),
        Some(has),
        "the probe's answer is remembered"
    );
    if !has {
        assert!(
            took >= Duration::from_millis(1),
            "the fallback rounds 0.2 ms up to 1 ms, returned after {took:?}"
        );
    }

    // Later waits take the remembered path, and the answer stays.
    let (got, took) = timed_wait(&ep, Duration::from_micros(1500));
    assert_eq!(got, Ok(vec![]));
    let least = if has { 1500 } else { 2000 };
    assert!(
        took >= Duration::from_micros(least),
        "returned after {took:?}"
    );
    assert_eq!(pwait2_available(), Some(has));

    // Setting Auto again forgets it.
    set_pwait2_policy(Pwait2Policy::Auto);
    assert_eq!(pwait2_available(), None);
}

#[test]
fn never_rounds_up_to_whole_milliseconds() {
    // The fallback, forced: on a kernel that has epoll_pwait2 this is the only way to see it.
    let _policy = with_policy(Pwait2Policy::Never);
    assert_eq!(pwait2_policy(), Pwait2Policy::Never);
    let (ep, _efd) = idle_instance();
    for (asked, least) in [(1, 1000), (200, 1000), (999, 1000), (1001, 2000)] {
        let (got, took) = timed_wait(&ep, Duration::from_micros(asked));
        assert_eq!(got, Ok(vec![]));
        assert!(
            took >= Duration::from_micros(least),
            "{asked} us must wait at least {least} us, returned after {took:?}"
        );
    }
    assert_eq!(pwait2_available(), None, "Never does not probe");
}

#[test]
fn always_calls_pwait2_and_reports_its_absence() {
    let _policy = with_policy(Pwait2Policy::Always);
    assert_eq!(pwait2_policy(), Pwait2Policy::Always);
    let has = kernel_has_pwait2();
    let (ep, _efd) = idle_instance();
    let (got, took) = timed_wait(&ep, Duration::from_micros(300));
    if has {
        assert_eq!(got, Ok(vec![]));
        assert!(
            took >= Duration::from_micros(300),
            "returned after {took:?}"
        );
    } else {
        assert_eq!(got, Err(Errno::NOSYS), "no fallback under Always");
    }
    assert_eq!(pwait2_available(), None, "Always does not probe");
}

#[test]
fn every_path_returns_ready_events_with_their_data() {
    let (ep, _efd) = ready_instance();
    let fine = Duration::from_micros(700);
    for policy in [Pwait2Policy::Auto, Pwait2Policy::Never] {
        let _policy = with_policy(policy);
        assert_eq!(
            timed_wait(&ep, fine).0,
            Ok(vec![(EventFlags::IN, 9)]),
            "{policy:?}"
        );
        assert_eq!(
            timed_wait(&ep, fine).0,
            Ok(vec![(EventFlags::IN, 9)]),
            "{policy:?}"
        );
    }
    let _policy = with_policy(Pwait2Policy::Always);
    if kernel_has_pwait2() {
        assert_eq!(timed_wait(&ep, fine).0, Ok(vec![(EventFlags::IN, 9)]));
    } else {
        assert_eq!(
            timed_wait(&ep, fine).0,
            Err(Errno::NOSYS),
            "no fallback under Always"
        );
    }
}

#[test]
fn sub_millisecond_wait_wakes_for_an_event_from_another_thread() {
    let _policy = with_policy(Pwait2Policy::Auto);
    let (ep, efd) = idle_instance();
    let waiter = gettid();
    std::thread::scope(|s| {
        s.spawn(|| {
            wait_until_asleep_in_epoll_wait(waiter);
            bump(&efd, 1);
        });
        // Not a whole number of milliseconds, and far longer than the test: 10 s and 1 ns.
        let (got, _) = timed_wait(&ep, Duration::new(10, 1));
        assert_eq!(got, Ok(vec![(EventFlags::IN, 1)]));
    });
}

#[test]
fn durations_beyond_the_kernels_range_are_errors_not_forever() {
    // A ready source: a wait that the kernel accepted would return its event at once, so an
    // error proves the duration was refused, and no mistake can block the test.
    let (ep, _efd) = ready_instance();
    let _policy = with_policy(Pwait2Policy::Auto);
    let has = kernel_has_pwait2();

    // More seconds than a timespec holds: refused on every path.
    for policy in [
        Pwait2Policy::Auto,
        Pwait2Policy::Never,
        Pwait2Policy::Always,
    ] {
        set_pwait2_policy(policy);
        for huge in [Duration::MAX, Duration::from_secs(i64::MAX as u64 + 1)] {
            assert_eq!(
                timed_wait(&ep, huge).0,
                Err(Errno::INVAL),
                "{policy:?} {huge:?}"
            );
        }
    }

    // Whole milliseconds, but more than epoll_pwait's int holds (24.8 days and 1 ms), and the
    // largest timespec: epoll_pwait2 takes them; rounding up for epoll_pwait cannot.
    let long = [
        Duration::from_millis(i32::MAX as u64 + 1),
        Duration::from_secs(i64::MAX as u64),
        Duration::new(i64::MAX as u64, 999_999_999),
    ];
    set_pwait2_policy(Pwait2Policy::Auto);
    for d in long {
        let expected = if has {
            Ok(vec![(EventFlags::IN, 9)])
        } else {
            Err(Errno::INVAL)
        };
        assert_eq!(timed_wait(&ep, d).0, expected, "Auto {d:?}");
    }
    set_pwait2_policy(Pwait2Policy::Never);
    for d in long {
        assert_eq!(timed_wait(&ep, d).0, Err(Errno::INVAL), "Never {d:?}");
    }
    // The largest duration that rounds up into an int is still fine.
    let edge = Duration::from_millis(i32::MAX as u64 - 1) + Duration::from_nanos(1);
    assert_eq!(timed_wait(&ep, edge).0, Ok(vec![(EventFlags::IN, 9)]));
    let over = Duration::from_millis(i32::MAX as u64) + Duration::from_nanos(1);
    assert_eq!(timed_wait(&ep, over).0, Err(Errno::INVAL));
}

#[test]
fn stack_buffer_helper_is_typed_and_uninitialised() {
    let (ep, _efd) = ready_instance();
    let mut buf = freepoll::epoll::uninit_events::<3>();
    let mut events = EventVec::new(&mut buf);
    assert_eq!(events.capacity(), 3);
    assert!(events.is_empty());
    assert_eq!(epoll_wait(&ep, &mut events, 0), Ok(1));
    assert_eq!(events.iter().collect::<Vec<_>>(), vec![(EventFlags::IN, 9)]);
}

/// Installs, on the calling thread only, a seccomp filter that answers `errno` for
/// `epoll_pwait2` and allows every other call: what a sandbox in front of the call looks like.
/// Filters belong to a thread (and the threads it starts later), so the rest of this test
/// binary runs unfiltered. The filter does not check the architecture word: this thread makes
/// only native calls.
fn refuse_pwait2_on_this_thread(errno: Errno) {
    /// `struct sock_filter` (`include/uapi/linux/filter.h`).
    #[repr(C)]
    struct SockFilter {
        code: u16,
        jt: u8,
        jf: u8,
        k: u32,
    }
    /// `struct sock_fprog`.
    #[repr(C)]
    struct SockFprog {
        len: u16,
        filter: *const SockFilter,
    }
    const LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
    const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const RET_K: u16 = 0x06; // BPF_RET | BPF_K
    const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
    const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
    const SECCOMP_MODE_FILTER: usize = 2; // an unsigned long, as prctl(2) takes it
    let op = |code, jt, jf, k| SockFilter { code, jt, jf, k };
    let program = [
        op(LD_W_ABS, 0, 0, 0), // seccomp_data.nr
        op(JEQ_K, 0, 1, nr::EPOLL_PWAIT2 as u32),
        op(RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.raw_os_error() as u32),
        op(RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ];
    let fprog = SockFprog {
        len: program.len() as u16,
        filter: program.as_ptr(),
    };
    // SAFETY: PR_SET_NO_NEW_PRIVS takes integers; PR_SET_SECCOMP reads `fprog` and the four
    // instructions it points to, both live for the call.
    unsafe {
        assert_eq!(
            libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1usize, 0usize, 0usize, 0usize),
            0
        );
        let fprog: *const SockFprog = &fprog;
        assert_eq!(
            libc::prctl(libc::PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprog),
            0,
            "seccomp filter: {}",
            std::io::Error::last_os_error()
        );
    }
}

#[test]
fn auto_falls_back_on_every_answer_a_filter_gives_and_on_none_the_call_gives() {
    // A seccomp filter runs before the kernel looks the call up, so this holds on kernels
    // without epoll_pwait2 (before 5.11) as on those with it: the filter's answer is what the
    // probe sees either way.
    if emulated() {
        skip(format_args!(
            "seccomp filters in front of epoll_pwait2 (Linux 5.11): under qemu-user a filter \
             sees the host's system calls, which the emulator makes, not the guest's"
        ));
        return;
    }
    let _policy = with_policy(Pwait2Policy::Auto);
    // What a filter answers (or a missing call: ENOSYS): the wait falls back to epoll_pwait,
    // rounded up, and the probe remembers that the call is unusable.
    for errno in [
        Errno::PERM,
        Errno::ACCES,
        Errno::OPNOTSUPP,
        Errno::NOSYS,
        Errno::NOMEM,
        Errno::NOTTY,
    ] {
        set_pwait2_policy(Pwait2Policy::Auto);
        std::thread::spawn(move || {
            refuse_pwait2_on_this_thread(errno);
            let (ep, _efd) = idle_instance();
            let (got, took) = timed_wait(&ep, Duration::from_micros(1500));
            assert_eq!(got, Ok(vec![]), "filter answering {errno:?}");
            assert!(
                took >= Duration::from_millis(2),
                "{errno:?}: 1.5 ms rounded up waits 2 ms, returned after {took:?}"
            );
            assert_eq!(pwait2_available(), Some(false), "{errno:?} is remembered");
        })
        .join()
        .unwrap();
    }
    // What epoll_pwait2 itself answers: returned as it is, no fallback, and the call counts as
    // present.
    for errno in [Errno::BADF, Errno::FAULT, Errno::INTR, Errno::INVAL] {
        set_pwait2_policy(Pwait2Policy::Auto);
        std::thread::spawn(move || {
            refuse_pwait2_on_this_thread(errno);
            let (ep, _efd) = idle_instance();
            assert_eq!(
                timed_wait(&ep, Duration::from_micros(1500)).0,
                Err(errno),
                "the call's own answer is not hidden by a fallback"
            );
            assert_eq!(pwait2_available(), Some(true), "{errno:?}");
        })
        .join()
        .unwrap();
    }
}
