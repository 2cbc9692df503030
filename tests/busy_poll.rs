//! Busy-poll settings through `EPIOCSPARAMS`/`EPIOCGPARAMS` (Linux 6.9).
//!
//! On a kernel since 6.9 the settings round-trip; one built without `CONFIG_NET_RX_BUSY_POLL`
//! answers EOPNOTSUPP (a skip, naming the option). A kernel older than 6.9 must answer ENOTTY to
//! both ioctls: that is asserted, and what cannot be checked there is reported as skipped.
//! qemu-user 7.2 answers ENOSYS to every ioctl it does not know, accepted only under it.

mod common;

use common::*;
#[allow(deprecated)] // the free functions' own behaviour is tested too
use freepoll::epoll::{epoll_params_get, epoll_params_set, CreateFlags, Epoll, Params};
use freepoll::fd::BorrowedFd;
use freepoll::Errno;

/// The feature, as the skip lines name it.
const FEATURE: &str = "EPIOCSPARAMS/EPIOCGPARAMS (busy-poll ioctls, Linux 6.9)";

/// How the busy-poll ioctls answer here: None where they work, else their refusal, with why.
/// Both are asked on a new instance, and the answer is checked against what this environment
/// owes: the settings on a kernel since 6.9 (or EOPNOTSUPP without busy polling built in),
/// ENOTTY before 6.9, and under an emulator its ENOSYS. Any other answer fails the test.
fn refusal() -> Option<(Errno, String)> {
    let ep = Epoll::new(CreateFlags::CLOEXEC).unwrap();
    let answers = [
        ("EPIOCGPARAMS", ep.params().map(drop)),
        ("EPIOCSPARAMS", ep.set_params(&Params::default())),
    ];
    let all = |want: Result<(), Errno>| answers.iter().all(|&(_, got)| got == want);
    if emulated() {
        if all(Ok(())) {
            return None;
        }
        for (name, got) in answers {
            assert_eq!(got, Err(Errno::NOSYS), "{name} under the emulator");
        }
        return Some((
            Errno::NOSYS,
            "qemu-user does not pass them on (ENOSYS)".to_string(),
        ));
    }
    let k = kernel();
    if kernel_at_least(6, 9) {
        if all(Ok(())) {
            return None;
        }
        assert!(
            all(Err(Errno::OPNOTSUPP)),
            "Linux {k} has the busy-poll ioctls (6.9) but answers {answers:?}"
        );
        return Some((
            Errno::OPNOTSUPP,
            format!("this kernel ({k}) was built without CONFIG_NET_RX_BUSY_POLL (EOPNOTSUPP)"),
        ));
    }
    for (name, got) in answers {
        assert_eq!(
            got,
            Err(Errno::NOTTY),
            "{name} on Linux {k}, older than the busy-poll ioctls (6.9)"
        );
    }
    Some((Errno::NOTTY, format!("this kernel ({k}) answers ENOTTY")))
}

/// `refusal()`, reported as a skip of what the calling test could then not check.
fn refusal_reported(unchecked: &str) -> Option<Errno> {
    let (errno, why) = refusal()?;
    skip(format_args!("{FEATURE}: {why}; {unchecked} not checked"));
    Some(errno)
}

/// Whether this process has CAP_NET_ADMIN (bit 12 of CapEff in /proc/self/status).
fn has_cap_net_admin() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hex = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .expect("CapEff in /proc/self/status")
        .trim();
    u64::from_str_radix(hex, 16).unwrap() & (1 << 12) != 0
}

#[test]
fn settings_round_trip() {
    if refusal_reported("the settings and their read-back").is_some() {
        return;
    }
    let ep = Epoll::new(CreateFlags::CLOEXEC).unwrap();
    assert_eq!(
        ep.params(),
        Ok(Params::default()),
        "a new instance does not busy-poll"
    );
    let settings = [
        Params {
            busy_poll_usecs: 25,
            busy_poll_budget: 16,
            prefer_busy_poll: true,
        },
        Params {
            busy_poll_usecs: i32::MAX as u32,
            busy_poll_budget: 64,
            prefer_busy_poll: false,
        },
        Params {
            busy_poll_usecs: 1,
            busy_poll_budget: 0,
            prefer_busy_poll: true,
        },
        Params::default(),
    ];
    for params in settings {
        assert_eq!(ep.set_params(&params), Ok(()), "{params:?}");
        assert_eq!(ep.params(), Ok(params));
    }
    // Settings belong to one instance.
    let other = Epoll::new(CreateFlags::CLOEXEC).unwrap();
    ep.set_params(&settings[0]).unwrap();
    assert_eq!(other.params(), Ok(Params::default()));
}

#[test]
#[allow(deprecated)] // the free function on a descriptor that is no `Epoll`
fn usecs_above_i32_max_is_einval_before_any_call() {
    // SAFETY: the number is above any RLIMIT_NOFILE, so it is never open: the kernel only looks
    // it up and answers EBADF.
    let never_open = unsafe { BorrowedFd::borrow_raw(i32::MAX) };
    // What a call that reaches the kernel answers there: EBADF on every kernel, whether or not
    // it knows the ioctl, since ioctl(2) looks the descriptor up first. qemu-user refuses an
    // ioctl it does not know before it looks at the descriptor.
    let refused = refusal().map(|(errno, _)| errno);
    let want = if emulated() && refused.is_some() {
        emulator_note(format_args!(
            "qemu-user answers ENOSYS, not EBADF, for an unknown ioctl on a descriptor that is not open"
        ));
        Errno::NOSYS
    } else {
        Errno::BADF
    };
    assert_eq!(
        epoll_params_set(never_open, &Params::default()),
        Err(want),
        "a call that reaches the kernel"
    );
    for usecs in [i32::MAX as u32 + 1, u32::MAX] {
        let params = Params {
            busy_poll_usecs: usecs,
            ..Params::default()
        };
        assert_eq!(epoll_params_set(never_open, &params), Err(Errno::INVAL));
        // The same on a real instance: nothing is stored.
        let ep = Epoll::new(CreateFlags::CLOEXEC).unwrap();
        assert_eq!(ep.set_params(&params), Err(Errno::INVAL));
        let stored = match refused {
            None => Ok(Params::default()),
            Some(errno) => Err(errno),
        };
        assert_eq!(ep.params(), stored);
    }
}

#[test]
fn budget_above_64_needs_cap_net_admin() {
    let ep = Epoll::new(CreateFlags::CLOEXEC).unwrap();
    let params = Params {
        busy_poll_usecs: 10,
        busy_poll_budget: 65,
        prefer_busy_poll: false,
    };
    let got = ep.set_params(&params);
    if let Some(errno) = refusal_reported("the CAP_NET_ADMIN check of a budget above 64") {
        assert_eq!(got, Err(errno));
        return;
    }
    match got {
        Ok(()) => {
            assert!(has_cap_net_admin(), "accepted without CAP_NET_ADMIN");
            assert_eq!(ep.params(), Ok(params));
        }
        Err(e) => {
            assert_eq!(e, Errno::PERM);
            assert!(!has_cap_net_admin(), "refused with CAP_NET_ADMIN");
        }
    }
}

#[test]
#[allow(deprecated)] // the free function on a descriptor that is no `Epoll`
fn a_descriptor_that_is_not_an_epoll_instance_is_refused() {
    let efd = eventfd(0);
    let params = Params {
        busy_poll_usecs: 10,
        ..Params::default()
    };
    // ENOTTY on every kernel: an eventfd has no ioctls, before 6.9 as since.
    let want = if emulated() && refusal().is_some() {
        skip(format_args!(
            "{FEATURE} on a descriptor that is not an epoll instance: qemu-user answers ENOSYS \
             to an ioctl it does not know, before the file's driver could answer ENOTTY"
        ));
        Errno::NOSYS
    } else {
        Errno::NOTTY
    };
    for (name, got) in [
        ("EPIOCSPARAMS", epoll_params_set(&efd, &params)),
        ("EPIOCGPARAMS", epoll_params_get(&efd).map(drop)),
    ] {
        assert_eq!(got, Err(want), "{name}");
    }
}
