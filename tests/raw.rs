//! The raw stubs, driven directly: a freestanding program's view of freepoll.

use freepoll::raw::{decode_raw, nr, syscall0, syscall1, syscall2, syscall3};
use freepoll::Errno;

#[test]
fn getpid_matches_std() {
    // SAFETY: getpid takes no arguments and touches no memory.
    let pid = decode_raw(unsafe { syscall0(nr::GETPID) }).unwrap();
    assert_eq!(pid, std::process::id() as usize);
}

#[test]
fn eventfd_write_read_round_trip() {
    // SAFETY: eventfd2 takes integers only.
    let fd = decode_raw(unsafe { syscall2(nr::EVENTFD2, 5, 0) }).unwrap();
    let add = 37u64;
    // SAFETY: write reads 8 bytes from a live u64; `fd` is the eventfd just created.
    let wrote = unsafe { syscall3(nr::WRITE, fd, &add as *const u64 as usize, 8) };
    assert_eq!(decode_raw(wrote), Ok(8));
    let mut got = 0u64;
    // SAFETY: read writes 8 bytes into a live u64.
    let read = unsafe { syscall3(nr::READ, fd, &mut got as *mut u64 as usize, 8) };
    assert_eq!(decode_raw(read), Ok(8));
    assert_eq!(got, 42);
    // SAFETY: `fd` is owned by this test and not used afterwards.
    assert_eq!(decode_raw(unsafe { syscall1(nr::CLOSE, fd) }), Ok(0));
    // SAFETY: i32::MAX is above any RLIMIT_NOFILE, so it is never open: close only answers
    // EBADF.
    let again = decode_raw(unsafe { syscall1(nr::CLOSE, i32::MAX as usize) });
    assert_eq!(again, Err(Errno::BADF));
}

#[test]
fn unknown_syscall_is_enosys() {
    // SAFETY: number 100000 is not a system call; the kernel answers ENOSYS and does nothing.
    let ret = unsafe { syscall0(100_000) };
    assert_eq!(decode_raw(ret), Err(Errno::NOSYS));
}
