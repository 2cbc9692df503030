//! An edge-triggered TCP echo server for many connections, with no allocation in its event
//! loop: a fixed buffer of events on the stack and a fixed table of connections.
//!
//! ```sh
//! cargo run --example echo --features std                  # self-test: 50 clients, every byte checked
//! cargo run --example echo --features std -- --clients 500 # more clients than table slots
//! cargo run --example echo --features std -- --serve 7000  # serves forever; try `nc 127.0.0.1 7000`
//! ```
//!
//! The design, in the terms of freepoll's `epoll` module docs:
//!
//! - One epoll instance. The listening socket is registered with `data` = [`LISTENER`]; each
//!   connection with `data` = the index of its slot in the table. An event's `data` leads
//!   straight to its connection: no map, no allocation.
//! - Everything is edge-triggered (`ET`): the kernel reports a change of readiness once, so on
//!   every event the server works until the socket says `WouldBlock` (EAGAIN). Reading stops
//!   early only when the echo cannot be written back (the client is not reading): the
//!   connection then waits for its `OUT` edge, which comes when the socket has room again, and
//!   carries on from there. That is the whole flow control.
//! - The listener too is edge-triggered: the server accepts until `WouldBlock`, or until the
//!   table is full. Then the connections left in the kernel's backlog are accepted as soon as
//!   a slot is free, without waiting for a new edge (none would come for them).
//! - A wait interrupted by a signal handler fails with `INTR` (never restarted, even with
//!   `SA_RESTART`): the loop simply waits again. Reads and writes retry on `Interrupted`.
//! - A connection is removed from the epoll instance before it is closed (see "Traps" in the
//!   `epoll` module: closing alone is not enough when the socket has another descriptor).
//! - Draining has a cost: a client that sends without pause keeps the server on its
//!   connection. A server facing untrusted clients bounds the work per event and comes back to
//!   the connection after the others; `ET` gives no reminder, so it keeps its own list.
//!
//! The self-test (the default) starts N client threads. Each sends 64 KiB of a pattern of its
//! own, in writes of varying sizes, while reading the echo back, then checks every byte. A
//! counting global allocator, below, counts the allocations made on the server thread while it
//! is in the event loop; the self-test fails unless there were none and every client got its
//! own bytes back.

#![deny(unsafe_op_in_unsafe_fn)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::error::Error;
use std::io::{self, ErrorKind, Read, Write};
use std::mem::MaybeUninit;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use freepoll::epoll::{
    epoll_add, epoll_create, epoll_del, epoll_wait, CreateFlags, Event, EventFlags, EventVec,
};
use freepoll::fd::OwnedFd;
use freepoll::Errno;

/// How many connections the server holds at once. More clients wait in the kernel's backlog
/// until a slot is free.
const SLOTS: usize = 128;

/// Each connection's echo buffer: what was read and not yet written back.
const CHUNK: usize = 4096;

/// How many events one wait can return. More ready sources are returned by the next wait.
const EVENTS: usize = 64;

/// The `data` of the listening socket: never a slot index.
const LISTENER: u64 = u64::MAX;

/// What each self-test client sends, and how it splits it into writes.
const CLIENT_BYTES: usize = 64 * 1024;
const WRITE_SIZES: [usize; 6] = [1, 700, 1500, 4096, 9000, 16384];

/// How many clients the self-test runs when not told.
const DEFAULT_CLIENTS: usize = 50;

/// In the self-test, give up if nothing happens for this long rather than hang. `--serve`
/// waits without a limit.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

/// One connection: its socket and the bytes read from it that still have to be written back,
/// `buf[start..end]`.
struct Connection {
    stream: TcpStream,
    buf: [u8; CHUNK],
    start: usize,
    end: usize,
    /// The client has shut down its sending half: once `buf` is written back, close.
    eof: bool,
}

/// What [`pump`] left a connection waiting for.
enum Pumped {
    /// A new edge: `IN` (everything was read and echoed) or `OUT` (the echo did not fit).
    Waiting,
    /// Nothing: the client finished and got all of its bytes back.
    Finished,
}

/// The server's state, all of it fixed in size.
struct Server<'a> {
    epoll: &'a OwnedFd,
    listener: &'a TcpListener,
    slots: [Option<Connection>; SLOTS],
    /// Connections may be waiting in the backlog although the listener reports no new edge:
    /// the table was full when the last accept succeeded.
    backlog: bool,
    /// Connections finished, and those that ended with an error.
    finished: usize,
    failed: usize,
}

enum Mode {
    SelfTest { clients: usize },
    Serve { port: u16 },
}

fn main() -> ExitCode {
    let mode = match parse_args() {
        Ok(mode) => mode,
        Err(message) => {
            eprintln!("echo: {message}");
            eprintln!("usage: echo [--clients N | --serve PORT]");
            return ExitCode::from(2);
        }
    };
    let outcome = match mode {
        Mode::SelfTest { clients } => self_test(clients),
        Mode::Serve { port } => serve_forever(port),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("echo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A non-blocking listener on the loopback interface: with `ET`, `accept` must be able to say
/// `WouldBlock` when the backlog is empty instead of stopping the server.
fn listen(port: u16) -> Result<TcpListener> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

fn serve_forever(port: u16) -> Result<()> {
    let listener = listen(port)?;
    let epoll = epoll_create(CreateFlags::CLOEXEC)?;
    epoll_add(&epoll, &listener, LISTENER, EventFlags::IN | EventFlags::ET)?;
    println!(
        "echoing on {}, {SLOTS} connections at a time; Ctrl-C stops",
        listener.local_addr()?
    );
    let mut server = Server::new(&epoll, &listener);
    server.run(None, -1)?;
    Ok(())
}

fn self_test(clients: usize) -> Result<()> {
    let listener = listen(0)?;
    let addr = listener.local_addr()?;
    let epoll = epoll_create(CreateFlags::CLOEXEC)?;
    epoll_add(&epoll, &listener, LISTENER, EventFlags::IN | EventFlags::ET)?;
    println!("echoing on {addr}: {clients} clients, {CLIENT_BYTES} bytes each, {SLOTS} slots");

    let handles: Vec<_> = (0..clients)
        .map(|id| thread::spawn(move || client(addr, id)))
        .collect();

    // The table is about 0.5 MiB: on this thread's stack, like the events.
    let mut server = Server::new(&epoll, &listener);
    let stats = server.run(Some(clients), IDLE_TIMEOUT.as_millis() as i32)?;

    let mut wrong = 0;
    for (id, handle) in handles.into_iter().enumerate() {
        match handle.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                println!("client {id}: {e}");
                wrong += 1;
            }
            Err(_) => {
                println!("client {id} panicked");
                wrong += 1;
            }
        }
    }
    println!(
        "{} waits, {} events; {} allocations in the event loop",
        stats.waits, stats.events, stats.allocations
    );
    if wrong > 0 || server.failed > 0 {
        return Err(format!(
            "{wrong} of {clients} clients did not get their bytes back; \
             {} connections ended with an error",
            server.failed
        )
        .into());
    }
    if stats.allocations > 0 {
        return Err("the event loop allocated".into());
    }
    println!(
        "all {clients} clients got their {} bytes back, every byte checked",
        CLIENT_BYTES
    );
    Ok(())
}

/// What one run of the event loop did.
struct Stats {
    waits: usize,
    events: usize,
    allocations: usize,
}

impl<'a> Server<'a> {
    fn new(epoll: &'a OwnedFd, listener: &'a TcpListener) -> Server<'a> {
        // `Option<Connection>` is not `Copy`; a constant may still be repeated.
        const EMPTY: Option<Connection> = None;
        Server {
            epoll,
            listener,
            slots: [EMPTY; SLOTS],
            backlog: false,
            finished: 0,
            failed: 0,
        }
    }

    /// The event loop. Returns once `stop_after` connections have finished, or never if it is
    /// `None`. `timeout_ms` bounds each wait; a wait that times out is an error.
    fn run(&mut self, stop_after: Option<usize>, timeout_ms: i32) -> Result<Stats> {
        // Where `epoll_wait` puts the events: on the stack, no allocation.
        let mut buf = [MaybeUninit::<Event>::uninit(); EVENTS];
        let mut events = EventVec::new(&mut buf);
        let mut stats = Stats {
            waits: 0,
            events: 0,
            allocations: 0,
        };

        let counted_before = allocations_counted();
        counting(true);
        // Ok(true): done; Ok(false): a wait timed out.
        let outcome = loop {
            if stop_after.map_or(false, |n| self.finished >= n) {
                break Ok(true);
            }
            stats.waits += 1;
            match epoll_wait(self.epoll, &mut events, timeout_ms) {
                Ok(0) => break Ok(false),
                Ok(n) => stats.events += n,
                // A signal handler ran during the wait: wait again.
                Err(Errno::INTR) => continue,
                Err(e) => break Err(e),
            }
            for (_flags, data) in &events {
                if data == LISTENER {
                    self.accept_all();
                } else {
                    // An event can name a slot closed earlier in this batch, or even reused
                    // by a connection accepted since: pumping it anyway costs one read that
                    // says `WouldBlock`, and needs no bookkeeping.
                    self.pump_slot(data as usize);
                }
            }
        };
        counting(false);
        stats.allocations = allocations_counted() - counted_before;

        match outcome {
            Ok(true) => Ok(stats),
            Ok(false) => Err(format!(
                "nothing happened for {} ms: {} connections finished",
                timeout_ms, self.finished
            )
            .into()),
            Err(e) => Err(e.into()),
        }
    }

    /// Accepts connections until the backlog is empty or the table is full.
    fn accept_all(&mut self) {
        loop {
            let free = match self.slots.iter().position(Option::is_none) {
                Some(free) => free,
                None => {
                    // Full. The backlog may hold more: accept them when a slot frees up.
                    self.backlog = true;
                    return;
                }
            };
            let stream = match self.listener.accept() {
                Ok((stream, _peer)) => stream,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    self.backlog = false;
                    return;
                }
                // A signal, or a client that gave up before it was accepted.
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == ErrorKind::ConnectionAborted => continue,
                // Out of descriptors (EMFILE, ENFILE) or memory: the connection stays in the
                // backlog, and the next connection to close frees what it needs.
                Err(e) => {
                    eprintln!("echo: accept: {e}");
                    self.backlog = true;
                    return;
                }
            };
            // Non-blocking: with `ET` the server reads and writes until `WouldBlock`, and a
            // blocking call would stall every other connection instead.
            if let Err(e) = stream.set_nonblocking(true) {
                eprintln!("echo: set_nonblocking: {e}");
                continue;
            }
            // One registration for both directions, edge-triggered. A new socket is writable,
            // so its first `OUT` edge arrives on the next wait: harmless, the pump finds
            // nothing to read.
            let flags = EventFlags::IN | EventFlags::OUT | EventFlags::RDHUP | EventFlags::ET;
            if let Err(e) = epoll_add(self.epoll, &stream, free as u64, flags) {
                eprintln!("echo: epoll_add: {e}");
                continue;
            }
            self.slots[free] = Some(Connection {
                stream,
                buf: [0; CHUNK],
                start: 0,
                end: 0,
                eof: false,
            });
            // Data may have arrived before the registration: epoll reports it (the kernel
            // checks readiness when a source is added), so nothing is lost.
        }
    }

    /// Works on the connection in `slot` until it waits for a new edge, and closes it when it
    /// has finished or failed.
    fn pump_slot(&mut self, slot: usize) {
        let conn = match self.slots.get_mut(slot) {
            Some(Some(conn)) => conn,
            _ => return, // closed earlier in this batch
        };
        let result = pump(conn);
        match result {
            Ok(Pumped::Waiting) => return,
            Ok(Pumped::Finished) => {}
            Err(e) => {
                eprintln!("echo: connection in slot {slot}: {e}");
                self.failed += 1;
            }
        }
        if let Some(conn) = self.slots[slot].take() {
            // Deregister before closing, see the module docs. A failure here would mean the
            // registration is already gone, which is what closing wants anyway.
            let _ = epoll_del(self.epoll, &conn.stream);
            drop(conn);
        }
        self.finished += 1;
        // A slot is free: take a connection that waited in the backlog while the table was
        // full. Its edge was reported (and spent) then, so none will come now.
        if self.backlog {
            self.accept_all();
        }
    }
}

/// Echoes what `conn` sent until the socket would block, in either direction.
fn pump(conn: &mut Connection) -> io::Result<Pumped> {
    loop {
        // Write back what was read, all of it, before reading more: the buffer is the only
        // place it can wait.
        while conn.start < conn.end {
            match conn.stream.write(&conn.buf[conn.start..conn.end]) {
                Ok(0) => return Err(ErrorKind::WriteZero.into()),
                Ok(n) => conn.start += n,
                // The client is not reading: wait for the `OUT` edge.
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(Pumped::Waiting),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        conn.start = 0;
        conn.end = 0;
        if conn.eof {
            return Ok(Pumped::Finished);
        }
        match conn.stream.read(&mut conn.buf) {
            Ok(0) => conn.eof = true,
            Ok(n) => conn.end = n,
            // Drained: wait for the `IN` edge.
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(Pumped::Waiting),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Byte `i` of what client `id` sends: a pattern of its own, so that bytes delivered to the
/// wrong client, lost, repeated or reordered do not match.
fn pattern(id: usize, i: usize) -> u8 {
    let x = ((id as u64) << 32) | i as u64;
    (x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as u8
}

/// One self-test client: sends its bytes (on a second thread, so that sending and reading the
/// echo overlap and neither side's buffers can fill up for good), shuts down its sending half,
/// reads until the server closes, and checks every byte.
fn client(addr: SocketAddr, id: usize) -> Result<(), String> {
    let sent: Vec<u8> = (0..CLIENT_BYTES).map(|i| pattern(id, i)).collect();
    let stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(IDLE_TIMEOUT))
        .map_err(|e| e.to_string())?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let mut reader = stream;

    let mut received = Vec::with_capacity(CLIENT_BYTES);
    thread::scope(|s| {
        let sending = s.spawn(|| -> io::Result<()> {
            let mut rest = &sent[..];
            for size in WRITE_SIZES.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (now, later) = rest.split_at((*size).min(rest.len()));
                writer.write_all(now)?;
                rest = later;
            }
            writer.shutdown(Shutdown::Write)
        });
        let read = reader.read_to_end(&mut received);
        let wrote = sending.join().map_err(|_| "sender panicked".to_string())?;
        wrote.map_err(|e| format!("send: {e}"))?;
        read.map_err(|e| format!("receive: {e}"))?;
        Ok::<(), String>(())
    })?;

    if let Some(i) = (0..sent.len().min(received.len())).find(|&i| sent[i] != received[i]) {
        return Err(format!(
            "byte {i} is {:#04x}, sent {:#04x}",
            received[i], sent[i]
        ));
    }
    if received.len() != sent.len() {
        return Err(format!(
            "got {} bytes back, sent {}",
            received.len(),
            sent.len()
        ));
    }
    Ok(())
}

fn parse_args() -> Result<Mode, String> {
    let mut mode = Mode::SelfTest {
        clients: DEFAULT_CLIENTS,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--clients" => {
                mode = Mode::SelfTest {
                    clients: value(&mut args, &arg, "a number")?,
                }
            }
            "--serve" => {
                mode = Mode::Serve {
                    port: value(&mut args, &arg, "a port number")?,
                }
            }
            "-h" | "--help" => {
                println!("usage: echo [--clients N | --serve PORT]");
                println!(
                    "an edge-triggered TCP echo server with a fixed table of {SLOTS} connections"
                );
                println!("without --serve it runs N clients of its own (default {DEFAULT_CLIENTS}) and checks every byte");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(mode)
}

/// The value after `option` on the command line.
fn value<T: FromStr>(
    args: &mut impl Iterator<Item = String>,
    option: &str,
    what: &str,
) -> Result<T, String> {
    let v = args.next().ok_or(format!("{option} needs {what}"))?;
    v.parse().map_err(|_| format!("{option} {v}: not {what}"))
}

// The allocation counter: the system allocator, counting the allocations made on a thread
// while that thread has counting switched on (the server thread, in its event loop).

/// Allocations counted so far, on any thread.
static COUNTED: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread counts its allocations. A `const` initialiser and no destructor, so
    /// reading it never allocates.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn counting(on: bool) {
    COUNTING.with(|c| c.set(on));
}

fn allocations_counted() -> usize {
    COUNTED.load(Ordering::Relaxed)
}

struct CountingAllocator;

impl CountingAllocator {
    fn count(&self) {
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            COUNTED.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is passed unchanged to `System`, which upholds `GlobalAlloc`'s contract;
// counting touches only an atomic and a thread-local `Cell`, and allocates nothing.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.count();
        // SAFETY: the caller's guarantees for `alloc` are `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.count();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.count();
        // SAFETY: `ptr` was allocated by `System` (every allocation goes through it) with
        // `layout`; the rest is the caller's guarantee for `realloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;
