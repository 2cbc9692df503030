//! Busy-poll settings through `EPIOCSPARAMS`/`EPIOCGPARAMS` (Linux 6.9).
//!
//! Natively (Linux 6.18 here) the settings round-trip. A kernel older than 6.9 answers ENOTTY,
//! one built without `CONFIG_NET_RX_BUSY_POLL` EOPNOTSUPP, and qemu-user 7.2 ENOSYS for every
//! ioctl it does not know: those are reported as skipped, naming the answer.

mod common;

use common::*;
use freepoll::epoll::{epoll_params_get, epoll_params_set, Params};
use freepoll::fd::BorrowedFd;
use freepoll::Errno;

/// Whether `e` says the ioctl is not available here; prints why when it is.
fn unavailable(e: Errno) -> bool {
    let why = match e {
        Errno::NOTTY => "the kernel is older than 6.9 (ENOTTY)",
        Errno::OPNOTSUPP => "the kernel has no busy polling (EOPNOTSUPP)",
        Errno::NOSYS => "the emulator does not pass the ioctl on (ENOSYS)",
        _ => return false,
    };
    eprintln!("skipped: busy-poll ioctls unavailable: {why}");
    true
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
    let ep = epoll();
    match epoll_params_get(&ep) {
        Ok(params) => assert_eq!(
            params,
            Params::default(),
            "a new instance does not busy-poll"
        ),
        Err(e) if unavailable(e) => return,
        Err(e) => panic!("EPIOCGPARAMS: {e}"),
    }
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
        assert_eq!(epoll_params_set(&ep, &params), Ok(()), "{params:?}");
        assert_eq!(epoll_params_get(&ep), Ok(params));
    }
    // Settings belong to one instance.
    let other = epoll();
    epoll_params_set(&ep, &settings[0]).unwrap();
    assert_eq!(epoll_params_get(&other), Ok(Params::default()));
}

#[test]
fn usecs_above_i32_max_is_einval_before_any_call() {
    // SAFETY: the number is above any RLIMIT_NOFILE, so it is never open: a call would answer
    // EBADF (or ENOSYS under qemu-user, which refuses the unknown ioctl first).
    let never_open = unsafe { BorrowedFd::borrow_raw(i32::MAX) };
    for usecs in [i32::MAX as u32 + 1, u32::MAX] {
        let params = Params {
            busy_poll_usecs: usecs,
            ..Params::default()
        };
        assert_eq!(epoll_params_set(never_open, &params), Err(Errno::INVAL));
        // The same on a real instance: nothing is stored.
        let ep = epoll();
        assert_eq!(epoll_params_set(&ep, &params), Err(Errno::INVAL));
        if let Ok(stored) = epoll_params_get(&ep) {
            assert_eq!(stored, Params::default());
        }
    }
}

#[test]
fn budget_above_64_needs_cap_net_admin() {
    let ep = epoll();
    let params = Params {
        busy_poll_usecs: 10,
        busy_poll_budget: 65,
        prefer_busy_poll: false,
    };
    match epoll_params_set(&ep, &params) {
        Err(e) if unavailable(e) => {}
        Ok(()) => {
            assert!(has_cap_net_admin(), "accepted without CAP_NET_ADMIN");
            assert_eq!(epoll_params_get(&ep), Ok(params));
        }
        Err(e) => {
            assert_eq!(e, Errno::PERM);
            assert!(!has_cap_net_admin(), "refused with CAP_NET_ADMIN");
        }
    }
}

#[test]
fn a_descriptor_that_is_not_an_epoll_instance_is_refused() {
    let efd = eventfd(0);
    let params = Params {
        busy_poll_usecs: 10,
        ..Params::default()
    };
    for got in [
        epoll_params_set(&efd, &params),
        epoll_params_get(&efd).map(drop),
    ] {
        match got {
            Err(Errno::NOSYS) => {
                unavailable(Errno::NOSYS);
            }
            other => assert_eq!(other, Err(Errno::NOTTY)),
        }
    }
}
