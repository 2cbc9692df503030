//! The classic epoll demo: a TCP server that greets every client with `hello\n`.
//!
//! ```sh
//! cargo run --example hello --features std                 # serves 5 clients of its own, exits
//! cargo run --example hello --features std -- --serve      # serves until Ctrl-C; try `nc`
//! cargo run --example hello --features std -- --port 7000  # either mode, on a fixed port
//! ```
//!
//! One epoll instance watches two kinds of source, told apart by the `data` each was
//! registered with:
//!
//! - the listening socket, `data` 0, level-triggered for `IN`: "a connection is waiting to be
//!   accepted", reported again on every wait for as long as one is waiting;
//! - each accepted connection, `data` = its connection id (1, 2, ...), edge-triggered for
//!   `OUT`: "the socket became writable", reported once. A new socket is writable at once, so
//!   the event arrives on the next wait, and the server writes `hello\n`, stops watching the
//!   connection and closes it.
//!
//! Both sockets are std's own `TcpListener` and `TcpStream`. With freepoll's `std` feature
//! (which this example needs) `freepoll::fd::AsFd` is std's `AsFd`, so `&listener` and
//! `&stream` go straight into `epoll_add`.

use std::collections::HashMap;
use std::error::Error;
use std::io::{self, ErrorKind, Read, Write};
use std::mem::MaybeUninit;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use freepoll::epoll::{
    epoll_add, epoll_create, epoll_del, epoll_wait, CreateFlags, Event, EventFlags, EventVec,
};
use freepoll::fd::OwnedFd;
use freepoll::Errno;

/// The `data` of the listening socket. Connections are numbered from 1, so they never clash.
const LISTENER: u64 = 0;

/// What every client is sent.
const GREETING: &[u8] = b"hello\n";

/// How many clients the self-test runs.
const CLIENTS: usize = 5;

/// In the self-test, give up if nothing at all happens for this long (a client that never
/// connected, say) rather than wait forever. `--serve` waits without a limit.
const IDLE_TIMEOUT: Duration = Duration::from_secs(5);

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

/// The command line: `[--port N] [--serve]`.
struct Options {
    port: u16,
    serve: bool,
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("hello: {message}");
            eprintln!("usage: hello [--port N] [--serve]");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hello: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<()> {
    // The listening socket. Non-blocking, so that `accept` says `WouldBlock` once the queue of
    // waiting connections is empty instead of blocking the whole server.
    let listener = TcpListener::bind(("127.0.0.1", options.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;

    // The epoll instance, an `OwnedFd`: dropping it closes it. CLOEXEC, as every descriptor
    // should be unless a child process is meant to inherit it.
    let epoll = epoll_create(CreateFlags::CLOEXEC)?;

    // Watch the listener for incoming connections. Level-triggered (no `ET`): epoll keeps
    // reporting `IN` as long as a connection is waiting.
    epoll_add(&epoll, &listener, LISTENER, EventFlags::IN)?;

    if options.serve {
        let port = addr.port();
        println!("listening on {addr}: try `nc 127.0.0.1 {port}`; Ctrl-C stops");
        return serve(&epoll, &listener, None);
    }

    // The self-test: clients on threads of their own, while this thread runs the server.
    println!("listening on {addr}, starting {CLIENTS} clients");
    let clients: Vec<_> = (1..=CLIENTS)
        .map(|n| (n, thread::spawn(move || client(addr))))
        .collect();

    serve(&epoll, &listener, Some(CLIENTS))?;

    // Every connection is finished with and closed, so every client has read to the end (or
    // failed): the joins return at once.
    let mut failed = 0;
    for (n, handle) in clients {
        match handle.join() {
            Ok(Ok(received)) if received == GREETING => {
                println!("client {n} got {:?}", String::from_utf8_lossy(&received));
            }
            Ok(Ok(received)) => {
                println!(
                    "client {n} got {:?}, expected {:?}",
                    String::from_utf8_lossy(&received),
                    String::from_utf8_lossy(GREETING),
                );
                failed += 1;
            }
            Ok(Err(e)) => {
                println!("client {n} failed: {e}");
                failed += 1;
            }
            Err(_) => {
                println!("client {n} panicked");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(format!("{failed} of {CLIENTS} clients were not greeted correctly").into());
    }
    println!("all {CLIENTS} clients greeted");
    Ok(())
}

/// A connection that has been accepted and not yet fully greeted.
struct Connection {
    stream: TcpStream,
    /// The part of the greeting still to be written.
    unsent: &'static [u8],
}

/// The event loop. Returns once `stop_after` connections are finished with (greeted, or
/// failed), or never if it is `None`.
fn serve(epoll: &OwnedFd, listener: &TcpListener, stop_after: Option<usize>) -> Result<()> {
    // Where `epoll_wait` puts the events: 16 slots on the stack, no allocation. If more than
    // 16 sources are ready at once, the next wait returns the rest.
    let mut buf = [MaybeUninit::<Event>::uninit(); 16];
    let mut events = EventVec::new(&mut buf);

    // The open connections, by id: the `data` each was registered with.
    let mut connections: HashMap<u64, Connection> = HashMap::new();
    let mut next_id: u64 = 1;
    let mut finished = 0;

    // epoll_wait's timeout is in milliseconds; -1 waits as long as it takes.
    let timeout_ms = match stop_after {
        Some(_) => IDLE_TIMEOUT.as_millis() as i32,
        None => -1,
    };

    while stop_after.map_or(true, |n| finished < n) {
        match epoll_wait(epoll, &mut events, timeout_ms) {
            Ok(0) => {
                // Only with a timeout, so only in the self-test.
                let secs = IDLE_TIMEOUT.as_secs();
                return Err(format!("no event for {secs} s, {finished} connections done").into());
            }
            Ok(_) => {}
            // A signal interrupted the wait: a handler ran, or the process was stopped and
            // continued (Ctrl-Z, then `fg`). The kernel never restarts epoll_wait, even for
            // `SA_RESTART` handlers: wait again. (This loop's timeout is an idle limit, so it
            // need not be shortened by the time already waited.)
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }

        // Each event is the `(flags, data)` of one ready source; `data` says which.
        for (flags, data) in &events {
            if data == LISTENER {
                accept_all(epoll, listener, &mut connections, &mut next_id)?;
            } else if greet(epoll, data, flags, &mut connections)? {
                finished += 1;
            }
        }
    }
    Ok(())
}

/// Accepts every waiting connection and registers each for `OUT | ET`.
fn accept_all(
    epoll: &OwnedFd,
    listener: &TcpListener,
    connections: &mut HashMap<u64, Connection>,
    next_id: &mut u64,
) -> Result<()> {
    // Level-triggered, so accepting just one would also work (the next wait would report the
    // listener again), but draining the queue saves a wait per connection.
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()), // drained
            Err(e) if e.kind() == ErrorKind::ConnectionAborted => continue, // the client gave up
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,     // a signal
            Err(e) => return Err(e.into()),
        };
        // Non-blocking too: with `ET` the server must write until `WouldBlock`, and a blocking
        // write would stall every other client instead of returning it.
        stream.set_nonblocking(true)?;

        let id = *next_id;
        *next_id += 1;
        // Edge-triggered `OUT`: one event when the socket becomes writable, which for a new
        // connection is immediately. `data` is the id, to find the connection again.
        epoll_add(epoll, &stream, id, EventFlags::OUT | EventFlags::ET)?;
        println!("accepted connection {id} from {peer}");
        connections.insert(
            id,
            Connection {
                stream,
                unsent: GREETING,
            },
        );
    }
}

/// Handles an event on connection `id`: writes the rest of the greeting and, once it is all
/// sent (or the connection failed), stops watching the connection and closes it. Returns
/// whether the connection is finished with.
fn greet(
    epoll: &OwnedFd,
    id: u64,
    flags: EventFlags,
    connections: &mut HashMap<u64, Connection>,
) -> Result<bool> {
    let mut conn = match connections.remove(&id) {
        Some(conn) => conn,
        None => return Ok(false), // not ours (cannot happen here: ids are never reused)
    };

    // Edge-triggered means this event will not be repeated: write until the greeting is all
    // sent or the socket is full (`WouldBlock`), and in that case wait for the next edge. Six
    // bytes always fit in a new socket's buffer, but this is the pattern for real data.
    let mut outcome = Ok(());
    while !conn.unsent.is_empty() {
        match conn.stream.write(conn.unsent) {
            Ok(n) => conn.unsent = &conn.unsent[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                // Full: keep the connection, the next `OUT` event will come when there is room.
                connections.insert(id, conn);
                return Ok(false);
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            // The client went away (ECONNRESET, EPIPE; `flags` then has ERR or HUP).
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }

    // Done with this connection either way. Remove it from the epoll instance before closing
    // it: closing alone removes the registration only if no other descriptor (a dup, a forked
    // child's copy) refers to the same socket. See "Traps" in freepoll's `epoll` module.
    epoll_del(epoll, &conn.stream)?;
    drop(conn); // closes the socket: the client reads `hello\n`, then end of file

    match outcome {
        Ok(()) => println!("greeted connection {id}"),
        Err(e) => println!("connection {id} failed ({flags:?}): {e}"),
    }
    Ok(true)
}

/// One client of the self-test: connects, reads until the server closes the connection and
/// returns what it read.
fn client(addr: SocketAddr) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    // A broken server must not hang the demo.
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    let mut received = Vec::new();
    stream.read_to_end(&mut received)?;
    Ok(received)
}

/// Reads `--port N` and `--serve` from the command line.
fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        port: 0, // any free port
        serve: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--serve" => options.serve = true,
            "--port" => {
                let value = args.next().ok_or("--port needs a value")?;
                options.port = value
                    .parse()
                    .map_err(|_| format!("--port {value}: not a port number"))?;
            }
            "-h" | "--help" => {
                println!("usage: hello [--port N] [--serve]");
                println!("the classic epoll demo: a TCP server greets its clients with `hello`");
                println!("without --serve it runs {CLIENTS} clients of its own and checks them");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}
