//! The classic epoll TCP server, with no libc and no `unsafe`: a listening socket on
//! 127.0.0.1 registered for `IN`; each connection accepted non-blocking, registered for
//! `OUT | ET`, greeted with `hello\n` when writable, unregistered and closed.
//!
//! Usage: `hello PORT COUNT`. Listens on 127.0.0.1:PORT (0: a port the kernel picks), prints
//! `port <n>` with the port it got (from `getsockname`), greets COUNT connections, prints
//! `hello: greeted <COUNT>` and exits 0. Any failure prints `hello: FAIL <step>[: <errno>]`
//! and exits 1. ci/freestanding.sh runs it against a client on every architecture.

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

use core::mem::MaybeUninit;
use freepoll::entry::Args;
use freepoll::epoll::{
    epoll_add, epoll_create, epoll_del, epoll_wait, CreateFlags, Event, EventFlags, EventVec,
};
use freepoll::fd::OwnedFd;
use freepoll::socket::{
    self, AddressFamily, Protocol, SendFlags, SocketAddr, SocketAddrV4, SocketFlags, SocketType,
};
use freepoll::Errno;

#[path = "../console.rs"]
mod console;
use console::{At, Fail, Line};

freepoll::entry!(main);

/// The `data` of the listener's events; a connection's is its slot plus one.
const LISTENER: u64 = 0;

/// Connections accepted and not yet greeted, at most.
const SLOTS: usize = 64;

/// Listens, greets `count` connections, and returns.
fn serve(port: u16, count: u64) -> Result<(), Fail> {
    // Create a socket and listen on it. Non-blocking, so that an accept whose connection has
    // gone meanwhile answers EAGAIN instead of waiting.
    let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
    let listener = socket::socket(
        AddressFamily::INET,
        SocketType::STREAM,
        flags,
        Protocol::TCP,
    )
    .at("socket")?;
    socket::set_reuseaddr(&listener, true).at("SO_REUSEADDR")?;
    socket::bind(&listener, SocketAddrV4::new(SocketAddrV4::LOCALHOST, port)).at("bind")?;
    socket::listen(&listener, SLOTS as i32).at("listen")?;
    let port = match socket::getsockname(&listener).at("getsockname")? {
        SocketAddr::V4(local) => local.port(),
        _ => {
            return Err(Fail {
                step: "getsockname: not IPv4",
                errno: None,
            })
        }
    };
    Line::new().push("port ").push_int(i64::from(port)).print();

    // Register the listener with an epoll instance.
    let epoll = epoll_create(CreateFlags::CLOEXEC).at("epoll_create")?;
    epoll_add(&epoll, &listener, LISTENER, EventFlags::IN).at("epoll_add listener")?;

    // The sockets accepted and not yet greeted.
    let mut conns: [Option<OwnedFd>; SLOTS] = core::array::from_fn(|_| None);
    let mut greeted = 0u64;

    let mut buf = [MaybeUninit::<Event>::uninit(); 16];
    while greeted < count {
        let mut events = EventVec::new(&mut buf);
        epoll_wait(&epoll, &mut events, -1).at("epoll_wait")?;
        for (_, data) in &events {
            if data == LISTENER {
                // Accept a new connection, non-blocking, and register to be told when it can
                // be written to. With every slot taken, leave it queued: the listener stays
                // readable, and the greetings below free slots.
                let Some(slot) = conns.iter().position(Option::is_none) else {
                    continue;
                };
                let conn = match socket::accept4(&listener, flags) {
                    Ok((conn, _peer)) => conn,
                    Err(Errno::AGAIN) | Err(Errno::CONNABORTED) => continue,
                    Err(errno) => return Err(fail("accept4", errno)),
                };
                let id = slot as u64 + 1;
                epoll_add(&epoll, &conn, id, EventFlags::OUT | EventFlags::ET)
                    .at("epoll_add connection")?;
                if let Some(free) = conns.get_mut(slot) {
                    *free = Some(conn);
                }
            } else {
                // Write the greeting and unregister; dropping the socket closes it.
                let slot = (data - 1) as usize;
                let Some(conn) = conns.get_mut(slot).and_then(Option::take) else {
                    return Err(Fail {
                        step: "event for an empty slot",
                        errno: None,
                    });
                };
                socket::send(&conn, b"hello\n", SendFlags::NOSIGNAL).at("send")?;
                epoll_del(&epoll, &conn).at("epoll_del")?;
                greeted += 1;
            }
        }
    }
    Line::new()
        .push("hello: greeted ")
        .push_int(greeted as i64)
        .print();
    Ok(())
}

fn fail(step: &'static str, errno: Errno) -> Fail {
    Fail {
        step,
        errno: Some(errno),
    }
}

/// A decimal argument, or `None` if it is not one.
fn number(arg: Option<&[u8]>) -> Option<u64> {
    let digits = arg?;
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        let d = d.checked_sub(b'0').filter(|&d| d < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(d))
    })
}

fn main(args: Args) -> i32 {
    let port = number(args.get(1)).and_then(|p| u16::try_from(p).ok());
    let (Some(port), Some(count)) = (port, number(args.get(2))) else {
        Line::new().push("usage: hello PORT COUNT").print();
        return 2;
    };
    match serve(port, count) {
        Ok(()) => 0,
        Err(fail) => {
            let mut line = Line::new();
            line.push("hello: FAIL ").push(fail.step);
            if let Some(errno) = fail.errno {
                line.push(": ").push_errno(errno);
            }
            line.print();
            1
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    freepoll::process::exit(101)
}
