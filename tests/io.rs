//! `io`: read, write, pipe2 and dup3 as the kernel answers them.

mod common;

use common::*;
use freepoll::epoll::{epoll_add, EventFlags};
use freepoll::fd::{AsRawFd, OwnedFd};
use freepoll::io::{dup3, pipe2, read, stderr, stdin, stdout, write, DupFlags, PipeFlags};
use freepoll::Errno;

fn fd_flags(fd: &OwnedFd) -> (i32, i32) {
    // SAFETY: F_GETFD and F_GETFL take no argument and read no memory.
    unsafe {
        (
            libc::fcntl(fd.as_raw_fd(), libc::F_GETFD),
            libc::fcntl(fd.as_raw_fd(), libc::F_GETFL),
        )
    }
}

#[test]
fn pipe_flags_are_libcs_o_constants() {
    assert_eq!(PipeFlags::CLOEXEC.bits(), libc::O_CLOEXEC as u32);
    assert_eq!(PipeFlags::NONBLOCK.bits(), libc::O_NONBLOCK as u32);
    assert_eq!(PipeFlags::DIRECT.bits(), libc::O_DIRECT as u32, "O_DIRECT");
    assert_eq!(DupFlags::CLOEXEC.bits(), libc::O_CLOEXEC as u32);
}

#[test]
fn pipe2_sets_cloexec_and_nonblock_on_both_ends() {
    let (rx, tx) = pipe2(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK).unwrap();
    for end in [&rx, &tx] {
        let (fd, fl) = fd_flags(end);
        assert_eq!(fd & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
        assert_eq!(fl & libc::O_NONBLOCK, libc::O_NONBLOCK);
    }
    assert_eq!(fd_flags(&rx).1 & libc::O_ACCMODE, libc::O_RDONLY);
    assert_eq!(fd_flags(&tx).1 & libc::O_ACCMODE, libc::O_WRONLY);

    let (rx, tx) = pipe2(PipeFlags::empty()).unwrap();
    for end in [&rx, &tx] {
        let (fd, fl) = fd_flags(end);
        assert_eq!(fd & libc::FD_CLOEXEC, 0);
        assert_eq!(fl & libc::O_NONBLOCK, 0);
    }
}

#[test]
fn pipe2_direct_makes_a_packet_pipe() {
    let (rx, tx) = match pipe2(PipeFlags::DIRECT | PipeFlags::NONBLOCK | PipeFlags::CLOEXEC) {
        Ok(pair) => pair,
        Err(e) => {
            panic!("pipe2(O_DIRECT): {e:?} (PipeFlags::DIRECT is not this target's O_DIRECT?)")
        }
    };
    assert_eq!(fd_flags(&tx).1 & libc::O_DIRECT, libc::O_DIRECT);
    write(&tx, b"one").unwrap();
    write(&tx, b"two!").unwrap();
    let mut buf = [0u8; 16];
    // Packet mode: each read takes one write, not both.
    assert_eq!(read(&rx, &mut buf), Ok(3));
    assert_eq!(&buf[..3], b"one");
    assert_eq!(read(&rx, &mut buf), Ok(4));
    assert_eq!(&buf[..4], b"two!");
}

#[test]
fn pipe2_unknown_flag_is_einval() {
    assert_eq!(
        pipe2(PipeFlags::from_bits_retain(1 << 0)).err(),
        Some(Errno::INVAL)
    );
}

#[test]
fn write_then_read_moves_the_bytes() {
    let (rx, tx) = pipe2(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).unwrap();
    assert_eq!(write(&tx, b"hello, world"), Ok(12));
    let mut buf = [0u8; 64];
    assert_eq!(read(&rx, &mut buf), Ok(12));
    assert_eq!(&buf[..12], b"hello, world");
}

#[test]
fn short_buffer_reads_part_and_leaves_the_rest() {
    let (rx, tx) = pipe2(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).unwrap();
    write(&tx, b"abcdef").unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(read(&rx, &mut buf), Ok(4));
    assert_eq!(&buf, b"abcd");
    assert_eq!(read(&rx, &mut buf), Ok(2));
    assert_eq!(&buf[..2], b"ef");
}

#[test]
fn empty_nonblocking_read_is_eagain() {
    let (rx, _tx) = pipe2(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(read(&rx, &mut buf), Err(Errno::AGAIN));
}

#[test]
fn full_nonblocking_write_is_eagain() {
    let (_rx, tx) = pipe2(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).unwrap();
    assert!(fill(&tx) > 0);
    assert_eq!(write(&tx, b"x"), Err(Errno::AGAIN));
}

#[test]
fn read_after_every_writer_closed_is_eof() {
    let (rx, tx) = pipe2(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).unwrap();
    write(&tx, b"z").unwrap();
    drop(tx);
    let mut buf = [0u8; 4];
    assert_eq!(read(&rx, &mut buf), Ok(1));
    assert_eq!(read(&rx, &mut buf), Ok(0));
    assert_eq!(read(&rx, &mut buf), Ok(0), "end of file stays");
}

#[test]
fn write_with_no_reader_is_epipe() {
    // SIGPIPE would end the test process: ignore it for this thread's write. The disposition
    // is process-wide, so it stays ignored (what the Rust runtime sets up anyway).
    // SAFETY: SIG_IGN is a valid disposition for SIGPIPE.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let (rx, tx) = pipe2(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).unwrap();
    drop(rx);
    assert_eq!(write(&tx, b"x"), Err(Errno::PIPE));
}

#[test]
fn zero_length_read_and_write_return_zero() {
    let (rx, tx) = pipe2(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).unwrap();
    assert_eq!(write(&tx, b""), Ok(0));
    write(&tx, b"a").unwrap();
    assert_eq!(read(&rx, &mut []), Ok(0));
}

#[test]
fn read_of_write_end_and_write_of_read_end_are_ebadf() {
    let (rx, tx) = pipe2(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(read(&tx, &mut buf), Err(Errno::BADF));
    assert_eq!(write(&rx, b"x"), Err(Errno::BADF));
}

#[test]
fn eventfd_given_a_short_buffer_is_einval() {
    let efd = eventfd(1);
    let mut buf = [0u8; 4];
    assert_eq!(read(&efd, &mut buf), Err(Errno::INVAL));
    assert_eq!(write(&efd, &[0u8; 4]), Err(Errno::INVAL));
    let mut eight = [0u8; 8];
    assert_eq!(read(&efd, &mut eight), Ok(8));
    assert_eq!(u64::from_ne_bytes(eight), 1);
}

#[test]
fn pipe_read_end_is_readable_in_epoll_after_a_write() {
    let ep = epoll();
    let (rx, tx) = pipe2(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).unwrap();
    epoll_add(&ep, &rx, 3, EventFlags::IN).unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![]);
    write(&tx, b"q").unwrap();
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::IN, 3)]);
    drop(tx);
    let mut buf = [0u8; 4];
    assert_eq!(read(&rx, &mut buf), Ok(1));
    assert_eq!(wait(&ep, 4, 0), vec![(EventFlags::HUP, 3)], "writer gone");
}

#[test]
fn dup3_points_the_target_at_the_source() {
    let (rx, tx) = pipe2(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).unwrap();
    let (other_rx, mut target) = pipe2(PipeFlags::NONBLOCK | PipeFlags::CLOEXEC).unwrap();
    let number = target.as_raw_fd();
    dup3(&tx, &mut target, DupFlags::empty()).unwrap();
    assert_eq!(target.as_raw_fd(), number, "keeps its number");
    write(&target, b"via dup").unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(read(&rx, &mut buf), Ok(7));
    assert_eq!(&buf[..7], b"via dup");
    // The old object behind `target` was closed: its read end sees end of file.
    assert_eq!(read(&other_rx, &mut buf), Ok(0));
}

#[test]
fn dup3_sets_cloexec_only_when_asked() {
    let (_rx, tx) = pipe2(PipeFlags::CLOEXEC).unwrap();
    let (_rx2, mut target) = pipe2(PipeFlags::CLOEXEC).unwrap();
    dup3(&tx, &mut target, DupFlags::empty()).unwrap();
    assert_eq!(fd_flags(&target).0 & libc::FD_CLOEXEC, 0);
    dup3(&_rx, &mut target, DupFlags::CLOEXEC).unwrap();
    assert_eq!(fd_flags(&target).0 & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
    assert_eq!(fd_flags(&target).1 & libc::O_ACCMODE, libc::O_RDONLY);
}

#[test]
fn dup3_onto_itself_is_einval() {
    let (_rx, mut tx) = pipe2(PipeFlags::CLOEXEC).unwrap();
    let same = tx.as_raw_fd();
    // SAFETY: borrowed only for the call, while `tx` keeps it open.
    let borrowed = unsafe { freepoll::fd::BorrowedFd::borrow_raw(same) };
    assert_eq!(
        dup3(borrowed, &mut tx, DupFlags::empty()),
        Err(Errno::INVAL)
    );
}

#[test]
fn dup3_unknown_flag_is_einval() {
    let (rx, mut tx) = pipe2(PipeFlags::CLOEXEC).unwrap();
    assert_eq!(
        dup3(
            &rx,
            &mut tx,
            DupFlags::from_bits_retain(libc::O_NONBLOCK as u32)
        ),
        Err(Errno::INVAL)
    );
}

#[test]
fn standard_descriptors_are_0_1_and_2() {
    assert_eq!(stdin().as_raw_fd(), 0);
    assert_eq!(stdout().as_raw_fd(), 1);
    assert_eq!(stderr().as_raw_fd(), 2);
    assert_eq!(write(stderr(), b""), Ok(0));
}
