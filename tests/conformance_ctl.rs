//! epoll_create1 and epoll_ctl as the Linux Test Project checks them (its epoll_create1,
//! epoll_ctl and nesting tests), beyond the basics in errors.rs: every creation flag, every
//! operation in the error table, the order in which the kernel checks, loops of several
//! instances, the nesting depth limit, and every event bit.

mod common;

use common::*;
use freepoll::epoll::{epoll_add, epoll_create, epoll_del, epoll_mod, CreateFlags, EventFlags};
use freepoll::fd::{AsFd, BorrowedFd, FromRawFd, OwnedFd};
use freepoll::Errno;

/// A descriptor number that is never open: above any RLIMIT_NOFILE.
fn never_open() -> BorrowedFd<'static> {
    // SAFETY: the number is never open, so the borrow cannot alias a live descriptor; the
    // kernel only looks it up and answers EBADF.
    unsafe { BorrowedFd::borrow_raw(i32::MAX) }
}

/// The three operations on (epoll, source), each with flags IN: ADD, MOD, DEL.
fn all_ops(epoll: impl AsFd, source: impl AsFd) -> [Result<(), Errno>; 3] {
    let (epoll, source) = (epoll.as_fd(), source.as_fd());
    [
        epoll_add(epoll, source, 1, EventFlags::IN),
        epoll_mod(epoll, source, 1, EventFlags::IN),
        epoll_del(epoll, source),
    ]
}

/// Opens `path` read-only with libc (`O_DIRECTORY` added for a directory).
fn open_ro(path: &str, extra: i32) -> OwnedFd {
    let c = std::ffi::CString::new(path).unwrap();
    // SAFETY: `c` is a NUL-terminated path that outlives the call.
    own(
        unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC | extra) },
        path,
    )
}

/// An unlinked regular file.
fn regular_file() -> OwnedFd {
    let path = std::env::temp_dir().join(format!(
        "freepoll-conformance-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let file = std::fs::File::create(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    // SAFETY: `into_raw_fd` hands over ownership of an open descriptor.
    unsafe { OwnedFd::from_raw_fd(std::os::unix::io::IntoRawFd::into_raw_fd(file)) }
}

/// epoll_create1 through libc: the instance (closed at once), or the errno.
fn libc_create(flags: u32) -> Result<(), Errno> {
    // SAFETY: epoll_create1 takes an integer only.
    let fd = unsafe { libc::epoll_create1(flags as i32) };
    if fd < 0 {
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap();
        return Err(Errno::from_raw_os_error(errno).unwrap());
    }
    drop(own(fd, "epoll_create1"));
    Ok(())
}

#[test]
fn create_accepts_cloexec_and_rejects_every_other_bit() {
    assert!(epoll_create(CreateFlags::empty()).is_ok());
    assert!(epoll_create(CreateFlags::CLOEXEC).is_ok());
    let emulator = emulator();
    let mut accepted = Vec::new();
    for bit in 0..32 {
        let flags = CreateFlags::from_bits_retain(1 << bit);
        if flags == CreateFlags::CLOEXEC {
            continue;
        }
        for flags in [flags, flags | CreateFlags::CLOEXEC] {
            let ours = epoll_create(flags).map(drop);
            assert_eq!(
                ours,
                libc_create(flags.bits()),
                "{flags:?}: freepoll and libc"
            );
            if ours.is_ok() {
                accepted.push(flags);
            } else {
                assert_eq!(ours, Err(Errno::INVAL), "{flags:?}");
            }
        }
    }
    match emulator {
        // The kernel rejects every bit but EPOLL_CLOEXEC, on every version.
        None => assert_eq!(accepted, vec![], "accepted by the kernel"),
        // qemu-user (7.2) translates epoll_create1's flags through its table of open(2) flags
        // and drops the bits that have no entry there: those reach the kernel as nothing and
        // create an instance, through libc as through freepoll (checked above). The bits that
        // are open(2) flags reach it and are refused: O_WRONLY's bit 0, for one.
        Some(runner) => {
            emulator_note(format_args!(
                "{} accepts {} unknown epoll_create1 flags that a kernel refuses",
                runner.display(),
                accepted.len()
            ));
            assert_eq!(
                epoll_create(CreateFlags::from_bits_retain(1)).err(),
                Some(Errno::INVAL)
            );
        }
    }
}

#[test]
fn every_operation_on_a_bad_epoll_descriptor_is_ebadf() {
    let efd = eventfd(0);
    assert_eq!(all_ops(never_open(), &efd), [Err(Errno::BADF); 3]);
}

#[test]
fn every_operation_on_a_regular_file_or_directory_is_eperm() {
    let ep = epoll();
    let file = regular_file();
    let dir = open_ro("/", libc::O_DIRECTORY);
    assert_eq!(all_ops(&ep, &file), [Err(Errno::PERM); 3], "regular file");
    assert_eq!(all_ops(&ep, &dir), [Err(Errno::PERM); 3], "directory");
}

#[test]
fn every_operation_on_the_epoll_descriptor_itself_is_einval() {
    let ep = epoll();
    assert_eq!(all_ops(&ep, &ep), [Err(Errno::INVAL); 3]);
}

#[test]
fn every_kind_of_non_epoll_first_argument_is_einval() {
    let target = eventfd(0);
    let (pipe_r, pipe_w) = pipe();
    let (sock, _peer) = socketpair();
    let efd = eventfd(0);
    for (what, not_epoll) in [
        ("pipe read end", pipe_r.as_fd()),
        ("pipe write end", pipe_w.as_fd()),
        ("socket", sock.as_fd()),
        ("eventfd", efd.as_fd()),
    ] {
        assert_eq!(
            all_ops(not_epoll, &target),
            [Err(Errno::INVAL); 3],
            "{what}"
        );
    }
}

#[test]
fn checks_come_in_the_kernels_order() {
    // fs/eventpoll.c (do_epoll_ctl, and sys_epoll_ctl before it) looks both descriptors up
    // (EBADF), then checks that the target can be polled (EPERM), then that the first is an
    // epoll instance other than the target (EINVAL), then the operation (ENOENT, EEXIST).
    // Each line breaks two rules and must get the earlier one's error.
    let ep = epoll();
    let efd = eventfd(0);
    let file = regular_file();
    assert_eq!(all_ops(never_open(), &file), [Err(Errno::BADF); 3]);
    assert_eq!(all_ops(&efd, never_open()), [Err(Errno::BADF); 3]);
    assert_eq!(all_ops(&efd, &file), [Err(Errno::PERM); 3]);
    // Not an epoll instance, and the target is not registered: EINVAL, not ENOENT.
    let other = eventfd(0);
    assert_eq!(all_ops(&efd, &other), [Err(Errno::INVAL); 3]);
    // The epoll descriptor itself, never registered: EINVAL, not ENOENT.
    assert_eq!(epoll_del(&ep, &ep), Err(Errno::INVAL));
}

#[test]
fn add_mod_del_succeed_in_sequence_and_fail_out_of_it() {
    let ep = epoll();
    let efd = eventfd(0);
    assert_eq!(epoll_mod(&ep, &efd, 1, EventFlags::IN), Err(Errno::NOENT));
    assert_eq!(epoll_del(&ep, &efd), Err(Errno::NOENT));
    assert_eq!(epoll_add(&ep, &efd, 1, EventFlags::IN), Ok(()));
    assert_eq!(epoll_add(&ep, &efd, 2, EventFlags::OUT), Err(Errno::EXIST));
    assert_eq!(epoll_mod(&ep, &efd, 3, EventFlags::OUT), Ok(()));
    assert_eq!(epoll_del(&ep, &efd), Ok(()));
    assert_eq!(epoll_del(&ep, &efd), Err(Errno::NOENT));
    assert_eq!(epoll_mod(&ep, &efd, 4, EventFlags::IN), Err(Errno::NOENT));
    assert_eq!(
        epoll_add(&ep, &efd, 5, EventFlags::IN),
        Ok(()),
        "added again after DEL"
    );
}

/// Whether the kernel has "eventpoll: Fix semi-unbounded recursion" (Jann Horn, commit
/// f2e467a48287, merged during the 6.16/6.17 cycle and sent to the stable branches), which
/// reworked ep_loop_check: it now measures the longest chain of instances above the one added
/// to as well as below the target, and refuses any graph deeper than EP_MAX_NESTS + 1 links
/// with ELOOP. Before it, only the depth below the target counted, and a chain that was too
/// deep over a non-epoll file was refused later, by the wakeup-path check
/// (reverse_path_check), with EINVAL.
///
/// The stable thresholds below are the first release of each branch that carried the fix, as
/// the stable queues of August 2025 show. ci/kernel-test.sh bears them out on Debian's
/// kernels: 5.10.223 and 5.10.262 answer as before the fix, 6.1.176, 6.1.192, 6.12.113,
/// 6.12.118 and 7.2.13 as after it (no kernel of the matrix sits near a threshold):
/// - 6.16.2, 6.15.11, 6.12.43, 6.6.103, 6.1.149, 5.15.190;
/// - 5.10 and 5.4: the patch did not apply ("failed to apply to 5.10-stable tree"), so no
///   release of those branches has it unless a later backport is found;
/// - the branches that had ended by then (6.2 to 6.5, 6.7 to 6.11, 6.13, 6.14): never;
/// - 6.17 and later: always.
fn kernel_has_semi_unbounded_recursion_fix() -> bool {
    has_semi_unbounded_recursion_fix(kernel())
}

/// The rule of `kernel_has_semi_unbounded_recursion_fix` for version `k`.
fn has_semi_unbounded_recursion_fix(k: KernelVersion) -> bool {
    let first_fixed = match (k.major, k.minor) {
        (major, _) if major > 6 => return true,
        (6, minor) if minor >= 17 => return true,
        (6, 16) => 2,
        (6, 15) => 11,
        (6, 12) => 43,
        (6, 6) => 103,
        (6, 1) => 149,
        (5, 15) => 190,
        _ => return false,
    };
    k.patch >= first_fixed
}

/// Whether the loop check refuses a graph deeper than the kernel allows with ELOOP: where the
/// check was reworked (see `kernel_has_semi_unbounded_recursion_fix`), and under qemu-user,
/// which passes epoll_ctl on to the host's kernel (this machine's, 6.18). Where it is false,
/// only the wakeup-path check refuses, and only graphs over a non-epoll file.
fn deep_graphs_refused_with_eloop() -> bool {
    if emulated() {
        emulator_note(format_args!(
            "qemu-user passes epoll_ctl on to the host's kernel: its loop check is the host's"
        ));
        return true;
    }
    kernel_has_semi_unbounded_recursion_fix()
}

/// Adds `target` to `epoll`, expecting a refusal for too deep a nesting over a non-epoll file:
/// ELOOP from the reworked loop check, EINVAL from the wakeup-path check before it (what LTP's
/// nesting test expects of those kernels).
fn add_refused_as_too_deep(epoll: impl AsFd, target: impl AsFd, what: &str) {
    let got = epoll_add(epoll.as_fd(), target.as_fd(), 0, EventFlags::IN);
    let want = if deep_graphs_refused_with_eloop() {
        Errno::LOOP
    } else {
        Errno::INVAL
    };
    assert_eq!(got, Err(want), "{what} ({})", kernel_description());
}

/// The kernel, for a failure message.
fn kernel_description() -> String {
    if emulated() {
        "under an emulator".to_string()
    } else {
        format!("Linux {}", kernel())
    }
}

#[test]
fn cycle_of_several_instances_is_refused() {
    for n in [3, 4] {
        let eps: Vec<OwnedFd> = (0..n).map(|_| epoll()).collect();
        // eps[0] watches eps[1], which watches eps[2], ...: a chain.
        for pair in eps.windows(2) {
            epoll_add(&pair[0], &pair[1], 0, EventFlags::IN).unwrap();
        }
        // Closing the chain into a ring must fail: ELOOP (a cycle), on every kernel.
        let got = epoll_add(&eps[n - 1], &eps[0], 0, EventFlags::IN);
        assert_eq!(got, Err(Errno::LOOP), "ring of {n}");
        // An instance watching itself through the chain is refused however it is entered.
        let got = epoll_add(&eps[n - 1], &eps[1], 0, EventFlags::IN);
        assert_eq!(got, Err(Errno::LOOP), "ring of {} inside {n}", n - 1);
    }
}

#[test]
fn nesting_deeper_than_the_kernel_limit_is_refused() {
    // EP_MAX_NESTS is 4: a chain of epoll instances over a pipe may be 5 instances deep
    // (LTP: "the maximum number of nesting allowed inside epoll sets is 5"); a sixth level is
    // refused, whichever end it is added at.
    const DEPTH: usize = 5;
    let (r, _w) = pipe();
    let eps: Vec<OwnedFd> = (0..DEPTH).map(|_| epoll()).collect();
    epoll_add(&eps[0], &r, 0, EventFlags::IN).unwrap();
    for i in 1..DEPTH {
        epoll_add(&eps[i], &eps[i - 1], 0, EventFlags::IN)
            .unwrap_or_else(|e| panic!("level {}: {e:?}", i + 1));
    }
    let on_top = epoll();
    add_refused_as_too_deep(&on_top, &eps[DEPTH - 1], "a sixth level on top");
    // The refused registration left nothing behind: on_top can watch the pipe directly.
    epoll_add(&on_top, &r, 0, EventFlags::IN).unwrap();

    // The same limit without any non-epoll file at the bottom: 5 edges of epoll instances.
    let bare: Vec<OwnedFd> = (0..DEPTH + 1).map(|_| epoll()).collect();
    for i in 1..DEPTH {
        epoll_add(&bare[i], &bare[i - 1], 0, EventFlags::IN).unwrap();
    }
    let got = epoll_add(&bare[DEPTH], &bare[DEPTH - 1], 0, EventFlags::IN);
    // Chains of epoll instances alone: the reworked loop check refuses a path longer than
    // EP_MAX_NESTS edges (ELOOP); before it, only the depth below the target counted (4 edges
    // here), nothing is a non-epoll file for the wakeup-path check, and the kernel accepted
    // this one.
    let want = if deep_graphs_refused_with_eloop() {
        Err(Errno::LOOP)
    } else {
        Ok(())
    };
    assert_eq!(
        got,
        want,
        "{} edges of epoll instances ({})",
        DEPTH,
        kernel_description()
    );
}

/// Every named flag, and an unnamed bit the kernel does not know.
fn every_bit() -> Vec<(&'static str, EventFlags)> {
    let mut bits: Vec<(&'static str, EventFlags)> = EventFlags::all()
        .iter_names()
        .filter(|&(_, f)| f != EventFlags::EXCLUSIVE)
        .collect();
    bits.push(("bit 20 (unnamed)", EventFlags::from_bits_retain(1 << 20)));
    bits
}

#[test]
fn every_event_bit_is_accepted_by_add_and_mod() {
    let ep = epoll();
    let (sock, _peer) = socketpair();
    let bits = every_bit();
    assert!(bits.len() >= 14, "{bits:?}");
    for &(name, flag) in &bits {
        assert_eq!(epoll_add(&ep, &sock, 1, flag), Ok(()), "ADD {name}");
        assert_eq!(epoll_mod(&ep, &sock, 2, flag), Ok(()), "MOD {name}");
        assert_eq!(epoll_del(&ep, &sock), Ok(()), "DEL after {name}");
    }
    let all = bits
        .iter()
        .fold(EventFlags::empty(), |acc, &(_, f)| acc | f);
    assert_eq!(epoll_add(&ep, &sock, 3, all), Ok(()), "all at once");
    assert_eq!(epoll_mod(&ep, &sock, 4, all), Ok(()), "all at once");
    // EXCLUSIVE: accepted by ADD alone and with each flag the kernel allows beside it
    // (EPOLLEXCLUSIVE_OK_BITS); MOD never takes it.
    epoll_del(&ep, &sock).unwrap();
    for with in [
        EventFlags::empty(),
        EventFlags::IN,
        EventFlags::OUT,
        EventFlags::ERR,
        EventFlags::HUP,
        EventFlags::WAKEUP,
        EventFlags::ET,
    ] {
        let flags = EventFlags::EXCLUSIVE | with;
        assert_eq!(epoll_add(&ep, &sock, 5, flags), Ok(()), "ADD {flags:?}");
        epoll_del(&ep, &sock).unwrap();
    }
}

#[test]
fn each_requested_bit_is_reported_exactly_when_poll_reports_it() {
    // A UNIX stream socket with unread data and room to write, and one with neither: for each
    // bit alone, the event epoll reports is what poll(2) reports for that bit (ERR and HUP,
    // which epoll always adds, are not set on these sockets: poll says so too).
    let (a, b) = socketpair();
    write_all(&b, b"x");
    let (full, _full_peer) = socketpair();
    fill(&full);
    for sock in [a.as_fd(), full.as_fd()] {
        for (name, flag) in every_bit() {
            if flag.bits() > 0xffff {
                continue; // not an event (ET, ONESHOT, ...) and out of poll's 16 bits
            }
            let ep = epoll();
            epoll_add(&ep, sock, 9, flag).unwrap();
            let want = poll_revents(sock, flag.bits() as i16) as u16 as u32;
            let got = wait(&ep, 2, 0);
            if want == 0 {
                assert_eq!(got, vec![], "{name}");
            } else {
                assert_eq!(got, vec![(EventFlags::from_bits_retain(want), 9)], "{name}");
            }
        }
    }
}

#[test]
fn exclusive_is_refused_on_an_epoll_target_and_for_mod_of_an_exclusive_registration() {
    let ep = epoll();
    let inner = epoll();
    // Exclusive wakeups do not nest (fs/eventpoll.c: EPOLLEXCLUSIVE on an epoll target).
    assert_eq!(
        epoll_add(&ep, &inner, 1, EventFlags::IN | EventFlags::EXCLUSIVE),
        Err(Errno::INVAL)
    );
    epoll_add(&ep, &inner, 1, EventFlags::IN).unwrap();
    // An exclusive registration cannot be modified, even to flags without EXCLUSIVE.
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 2, EventFlags::IN | EventFlags::EXCLUSIVE).unwrap();
    assert_eq!(epoll_mod(&ep, &efd, 3, EventFlags::IN), Err(Errno::INVAL));
    assert_eq!(epoll_del(&ep, &efd), Ok(()), "but it can be deleted");
}

#[test]
fn exclusive_registration_reports_its_events() {
    let ep = epoll();
    let efd = eventfd(0);
    epoll_add(&ep, &efd, 4, EventFlags::IN | EventFlags::EXCLUSIVE).unwrap();
    assert_eq!(wait(&ep, 2, 0), vec![]);
    bump(&efd, 1);
    assert_eq!(wait(&ep, 2, 0), vec![(EventFlags::IN, 4)]);
}

#[test]
fn kernel_versions_read_as_debian_and_upstream_write_them() {
    let v = KernelVersion::new;
    // Debian: the release names the ABI, the version the stable release.
    assert_eq!(
        KernelVersion::from_uname("5.10.0-35-amd64", "#1 SMP Debian 5.10.244-1 (2025-09-29)"),
        Some(v(5, 10, 244))
    );
    assert_eq!(
        KernelVersion::from_uname(
            "6.1.0-41-arm64",
            "#1 SMP PREEMPT_DYNAMIC Debian 6.1.153-1 (2025-09-20)"
        ),
        Some(v(6, 1, 153))
    );
    assert_eq!(
        KernelVersion::from_uname(
            "6.18-rc4-amd64",
            "#1 SMP Debian 6.18~rc4-1~exp1 (2025-11-03)"
        ),
        Some(v(6, 18, 0))
    );
    // Anything else: the release.
    assert_eq!(
        KernelVersion::from_uname("6.18.44-fc-v1252", "#1 SMP PREEMPT_DYNAMIC @0"),
        Some(v(6, 18, 44))
    );
    assert_eq!(
        KernelVersion::from_uname("7.2.0", "#1 SMP"),
        Some(v(7, 2, 0))
    );
    assert_eq!(KernelVersion::from_uname("6.12", "#1"), Some(v(6, 12, 0)));
    assert_eq!(KernelVersion::from_uname("linux", "#1"), None);
    assert!(v(6, 1, 149) > v(6, 1, 148) && v(6, 2, 0) > v(6, 1, 149) && v(7, 0, 0) > v(6, 18, 9));
    assert_eq!(v(5, 10, 244).to_string(), "5.10.244");

    // The rule for the loop check, at the edges of its thresholds.
    let fixed = |major, minor, patch| has_semi_unbounded_recursion_fix(v(major, minor, patch));
    for (major, minor, first) in [
        (6, 16, 2),
        (6, 15, 11),
        (6, 12, 43),
        (6, 6, 103),
        (6, 1, 149),
        (5, 15, 190),
    ] {
        assert!(
            !fixed(major, minor, first - 1),
            "{major}.{minor}.{}",
            first - 1
        );
        assert!(fixed(major, minor, first), "{major}.{minor}.{first}");
    }
    assert!(!fixed(5, 10, 244) && !fixed(6, 14, 11) && !fixed(6, 11, 11));
    assert!(fixed(6, 17, 0) && fixed(6, 18, 0) && fixed(7, 2, 0));
}
