//! `clock_gettime` through the vDSO against the system call.
//!
//! On a real kernel the vDSO must be found and used on every architecture (i686 before Linux
//! 5.3 and armv7 before 5.5 have no 64-bit-time function in it: there the system call is what
//! is tested, and the test says so). qemu-user may map no vDSO, or one of its own: the test
//! prints which it found, and whatever path is taken must agree with the system call.
//! Each test prints one `vdso:` line saying which path it tested.

mod common;

use common::*;
use freepoll::clock::{clock_gettime, uses_vdso, ClockId};
use freepoll::Errno;
use std::time::Duration;

/// Every clock freepoll names, with its name for messages.
const CLOCKS: [(ClockId, &str); 11] = [
    (ClockId::Realtime, "REALTIME"),
    (ClockId::Monotonic, "MONOTONIC"),
    (ClockId::ProcessCputime, "PROCESS_CPUTIME_ID"),
    (ClockId::ThreadCputime, "THREAD_CPUTIME_ID"),
    (ClockId::MonotonicRaw, "MONOTONIC_RAW"),
    (ClockId::RealtimeCoarse, "REALTIME_COARSE"),
    (ClockId::MonotonicCoarse, "MONOTONIC_COARSE"),
    (ClockId::Boottime, "BOOTTIME"),
    (ClockId::RealtimeAlarm, "REALTIME_ALARM"),
    (ClockId::BoottimeAlarm, "BOOTTIME_ALARM"),
    (ClockId::Tai, "TAI"),
];

/// The `clock_gettime` system call itself, through libc's `syscall` (the 64-bit-time one on
/// 32-bit targets): never the vDSO.
fn syscall_clock(clock: ClockId) -> Result<Duration, Errno> {
    let mut ts = [0i64; 2];
    #[cfg(target_pointer_width = "64")]
    let nr = libc::SYS_clock_gettime;
    // clock_gettime64 is 403 on both 32-bit architectures (the libc crate lacks the name).
    #[cfg(target_pointer_width = "32")]
    let nr: libc::c_long = 403;
    // SAFETY: `ts` is a 16-byte `__kernel_timespec` the kernel writes.
    let ret = unsafe { libc::syscall(nr, clock as i32, ts.as_mut_ptr()) };
    if ret != 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap();
        return Err(Errno::from_raw_os_error(errno).unwrap());
    }
    Ok(Duration::new(ts[0] as u64, ts[1] as u32))
}

/// Which path `clock_gettime` takes here, as the `vdso:` lines say it.
fn path() -> &'static str {
    if uses_vdso() {
        "the vDSO"
    } else {
        "the system call (no vDSO in use)"
    }
}

/// Whether this kernel's vDSO may lack the function freepoll calls: the 64-bit-time entries
/// came with Linux 5.3 on i686 and 5.5 on armv7.
fn vdso_may_lack_the_function() -> bool {
    if cfg!(target_arch = "x86") {
        !kernel_at_least(5, 3)
    } else if cfg!(target_arch = "arm") {
        !kernel_at_least(5, 5)
    } else {
        false
    }
}

#[test]
fn the_vdso_is_used_on_a_real_kernel() {
    // SAFETY: getauxval reads this process's auxiliary vector.
    let mapped = unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) } != 0;
    let used = uses_vdso();
    if emulated() {
        eprintln!(
            "vdso: under an emulator, vDSO mapped: {mapped}, clock_gettime through it: {used}"
        );
        // qemu-user 7.2 maps no vDSO for most guests: then the system call is what the
        // other tests check here.
        emulator_note(format_args!(
            "vDSO mapped: {mapped}, clock_gettime through it: {used}{}",
            if used {
                ""
            } else {
                "; the system call is tested instead"
            }
        ));
        return;
    }
    let kernel = kernel();
    eprintln!(
        "vdso: kernel {}.{}, vDSO mapped: {mapped}, clock_gettime through it: {used}",
        kernel.major, kernel.minor
    );
    assert!(mapped, "a real kernel maps a vDSO into every process");
    if !used && vdso_may_lack_the_function() {
        skip(format_args!(
            "vDSO clock_gettime: this kernel's vDSO lacks the 64-bit-time entry (i686 Linux \
             5.3, armv7 Linux 5.5); the system call is used"
        ));
        return;
    }
    assert!(
        used,
        "the vDSO's clock_gettime is found and used on a real kernel"
    );
}

#[test]
fn monotonic_never_goes_back_across_vdso_and_syscall_reads() {
    eprintln!("vdso: monotonic reads through {}", path());
    for (clock, name) in [
        (ClockId::Monotonic, "MONOTONIC"),
        (ClockId::MonotonicRaw, "MONOTONIC_RAW"),
        (ClockId::Boottime, "BOOTTIME"),
    ] {
        let mut last = Duration::ZERO;
        for i in 0..2000 {
            let now = if i % 2 == 0 {
                clock_gettime(clock).unwrap()
            } else {
                syscall_clock(clock).unwrap()
            };
            assert!(
                now >= last,
                "CLOCK_{name} went back at read {i}: {last:?} then {now:?}"
            );
            last = now;
        }
    }
}

#[test]
fn realtime_agrees_with_the_system_call() {
    eprintln!("vdso: realtime reads through {}", path());
    // Read in order, the system call's answer lies between the two others; a clock set in
    // between (NTP slews, it rarely steps) would move it by far more than the tolerance only
    // on a step, which a test machine does not do.
    let tolerance = Duration::from_millis(5);
    for _ in 0..100 {
        let before = clock_gettime(ClockId::Realtime).unwrap();
        let middle = syscall_clock(ClockId::Realtime).unwrap();
        let after = clock_gettime(ClockId::Realtime).unwrap();
        assert!(middle + tolerance >= before, "{before:?} then {middle:?}");
        assert!(after + tolerance >= middle, "{middle:?} then {after:?}");
        assert!(
            after - before < Duration::from_secs(1),
            "{before:?} to {after:?}"
        );
    }
}

#[test]
fn every_clock_answers_as_the_system_call() {
    eprintln!("vdso: every clock through {}", path());
    for (clock, name) in CLOCKS {
        let ours = clock_gettime(clock);
        let theirs = syscall_clock(clock);
        match (ours, theirs) {
            (Ok(_), Ok(_)) => {}
            (Err(a), Err(b)) => assert_eq!(a, b, "CLOCK_{name}: the same error"),
            (a, b) => panic!("CLOCK_{name}: freepoll answered {a:?}, the system call {b:?}"),
        }
    }
}

#[test]
fn coarse_clocks_stay_within_a_tick_of_the_fine_ones() {
    eprintln!("vdso: coarse clocks through {}", path());
    // A coarse clock is the fine one at the last tick: behind by at most a tick (10 ms at
    // HZ=100), never ahead.
    for (coarse, fine, name) in [
        (ClockId::MonotonicCoarse, ClockId::Monotonic, "MONOTONIC"),
        (ClockId::RealtimeCoarse, ClockId::Realtime, "REALTIME"),
    ] {
        let Ok(c) = clock_gettime(coarse) else {
            continue;
        };
        let f = clock_gettime(fine).unwrap();
        assert!(
            c <= f + Duration::from_millis(1),
            "CLOCK_{name}_COARSE ahead: {c:?} > {f:?}"
        );
        assert!(
            f - c.min(f) < Duration::from_millis(100),
            "CLOCK_{name}_COARSE: {c:?}, {f:?}"
        );
    }
}

#[test]
fn threads_racing_for_the_first_read_all_get_the_time() {
    // Whichever thread looks the vDSO up first, every one gets an answer that agrees with
    // the system call's order.
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                let a = syscall_clock(ClockId::Monotonic).unwrap();
                let b = clock_gettime(ClockId::Monotonic).unwrap();
                let c = syscall_clock(ClockId::Monotonic).unwrap();
                assert!(a <= b && b <= c, "{a:?} {b:?} {c:?}");
                uses_vdso()
            })
        })
        .collect();
    let answers: Vec<bool> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(answers.iter().all(|&u| u == answers[0]), "{answers:?}");
    eprintln!("vdso: 4 threads, all through {}", path());
}
