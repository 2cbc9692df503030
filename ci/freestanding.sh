#!/usr/bin/env bash
# freepoll without libc: builds the freestanding programs in freestanding/ (`tiny`, `selftest`,
# `init`, `hello`, `pid1` and `hotplug`: no_std, no_main, freepoll's `entry!`, linked by
# rust-lld alone) for every architecture of ci/arches.sh, checks their
# formatting and lints, runs them (natively where the host has the
# architecture, under qemu-user elsewhere) and holds `tiny` to its size budget. Also builds and
# runs the debug profile, a program of one's own set up as the README says whose dependency
# has a build script and a proc macro, and ci/readme-setup.sh (README.md's set-up taken from
# README.md and built alone and in a workspace: about 2 minutes). Measures what printing an
# `Errno` costs: one small program built six ways: printing nothing, a string with `{}` (the
# cost of `core::fmt` itself), the number with `{}`, `name()` with `write_str`, the `Errno`
# with `{}` (Display), and its name through `text::TextBuf` (no `core::fmt`).
#
# Prints, per program and target, `ok <program> <target>` and `size <program> <target> <bytes>`
# (the stripped executable), after the selftest's and the init's own lines, and per target
# `errno-cost <target> fmt +<bytes> number +<bytes> name +<bytes> display +<bytes>
# text +<bytes> display-over-fmt +<bytes>`: each variant's size less the one that prints nothing, and what
# Display adds to a program that already prints with `{}`. Fails if a program fails, if the
# selftest does not end with `FREEPOLL-RESULT: ok`, if the init does not end with
# `FREEPOLL-INIT: ok` or did not read the line piped to its console, or if `tiny` is over
# budget. Here the init is not PID 1: it reaps its own children and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Bytes, stripped, on each architecture.
TINY_BUDGET=1536

ci/setup.sh # the Rust targets, qemu-user

# shellcheck source=ci/arches.sh
. ci/arches.sh
targets=("${linux_targets[@]}")
# Where cargo puts them: freestanding/.cargo/config.toml sets it (and the linker flags, which is
# why cargo runs in freestanding/).
out=$root/target/freestanding

# README.md shows tiny.rs whole: the copy must be the file.
if ! awk '/^```rust$/{getline first; if (first ~ /^\/\/! The smallest useful freepoll program/) {print first; on=1}; next}
          on && /^```$/{exit} on' README.md | cmp -s - freestanding/src/bin/tiny.rs; then
    echo "FAIL README.md's copy of tiny.rs differs from freestanding/src/bin/tiny.rs"
    exit 1
fi

cd freestanding
cargo fmt -- --check
for t in "${targets[@]}"; do
    cargo clippy --quiet --release --target "$t" --all-features -- -D warnings
    cargo build --quiet --release --target "$t"
    cargo build --quiet --target "$t" # the debug profile links too
done
cd "$root"

# A program of one's own, set up as the README says (freestanding/.cargo/config.toml copied in,
# the same profiles), whose dependency has a build script and is a proc macro (rustversion):
# those are built for the host with the host's linker, and must not get rust-lld.
deps=$root/target/freestanding-deps
rm -rf "$deps/src" "$deps/.cargo"
mkdir -p "$deps/src" "$deps/.cargo"
grep -v '^target-dir' freestanding/.cargo/config.toml >"$deps/.cargo/config.toml"
cat >"$deps/Cargo.toml" <<EOF
[package]
name = "with-deps"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
freepoll = { path = "$root", default-features = false, features = ["entry"] }
rustversion = "1"

$(sed -n '/^\[profile.dev\]/,$p' freestanding/Cargo.toml)
EOF
{
    cat freestanding/src/bin/tiny.rs
    printf '\n/// Expanded by a proc macro whose crate has a build script.\n'
    printf '#[rustversion::since(1.63)]\nconst _BUILT_WITH_A_PROC_MACRO: () = ();\n'
} >"$deps/src/main.rs"
(
    cd "$deps"
    cargo build --quiet # no --target: the config's default
    for t in "${targets[@]}"; do
        cargo build --quiet --release --target "$t"
    done
)

# What printing an `Errno` adds to a program: the same program, set up like with-deps, built as
# six binaries that differ only in `report`. It gets EBADF from close(-1), which the compiler
# cannot see through, and prints it (or not); each variant is checked by its output.
errno_dir=$root/target/freestanding-errno
rm -rf "$errno_dir/src" "$errno_dir/.cargo"
mkdir -p "$errno_dir/src/bin" "$errno_dir/.cargo"
grep -v '^target-dir' freestanding/.cargo/config.toml >"$errno_dir/.cargo/config.toml"
cat >"$errno_dir/Cargo.toml" <<EOF
[package]
name = "errno-cost"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
freepoll = { path = "$root", default-features = false, features = ["entry"] }

$(sed -n '/^\[profile.dev\]/,$p' freestanding/Cargo.toml)
EOF
# `fmt` is the cost of `{}` itself (core::fmt::write), which `number` and `display` include.
declare -A errno_report=(
    [none]='e.raw_os_error() == 9'
    [fmt]='writeln!(Stdout, "{}", if e.raw_os_error() == 9 { "EBADF" } else { "?" }).is_ok()'
    [number]='writeln!(Stdout, "{}", e.raw_os_error()).is_ok()'
    [name]='matches!(e.name(), Some(name) if Stdout.write_str(name).is_ok() && Stdout.write_str("\n").is_ok())'
    [display]='writeln!(Stdout, "{}", e).is_ok()'
    [text]='freepoll::text::TextBuf::<16>::new(freepoll::io::stdout()).errno(e).str("\n").flush().is_ok()'
)
declare -A errno_expect=([none]='' [fmt]='EBADF' [number]='9' [name]='EBADF'
    [display]='EBADF: Bad file descriptor' [text]='EBADF')
for v in "${!errno_report[@]}"; do
    cat >"$errno_dir/src/bin/$v.rs" <<EOF
//! Prints EBADF (variant \`$v\`) and exits 0 if that worked.
#![no_std]
#![no_main]

use core::fmt::Write;
use freepoll::raw::{decode_raw, nr, syscall1, syscall3};
use freepoll::Errno;

/// Standard output, through write(2).
struct Stdout;

impl Write for Stdout {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        // SAFETY: \`s\` is valid for reads of \`s.len()\` bytes; fd 1 is only written to.
        let ret = unsafe { syscall3(nr::WRITE, 1, s.as_ptr() as usize, s.len()) };
        decode_raw(ret).map(drop).map_err(|_| core::fmt::Error)
    }
}

/// What this variant does with the error.
fn report(e: Errno) -> bool {
    ${errno_report[$v]}
}

freepoll::entry!(main);

fn main(_: freepoll::entry::Args) -> i32 {
    // SAFETY: close(2) of a descriptor that is never open (-1) touches nothing: EBADF.
    let ret = unsafe { syscall1(nr::CLOSE, u32::MAX as usize) };
    match decode_raw(ret) {
        Err(e) if report(e) => 0,
        _ => 1,
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    freepoll::process::exit(101)
}
EOF
done
(
    cd "$errno_dir"
    for t in "${targets[@]}"; do
        cargo build --quiet --release --target "$t"
    done
)


# How to run a program built for target $1 on this machine: nothing (natively) where the host
# runs it, qemu-user elsewhere. The programs are static, so i686 runs on an x86_64 kernel
# without any loader.
runner() {
    local arch=${1%%-*}
    case $arch in
    riscv64gc) arch=riscv64 ;;
    armv7 | thumbv7neon) arch=arm ;;
    powerpc64le) arch=ppc64le ;;
    i686) [ "$(uname -m)" = x86_64 ] && return ;;
    esac
    if [ "$arch" = "$(uname -m)" ]; then
        return
    fi
    echo "qemu-$arch-static"
}

failed=0

# Runs PROGRAM (built for target $t) and reports it as LABEL: it passes when it exits 0.
run_ok() {
    local program=$1 label=$2
    if $run "$program"; then
        echo "ok $label"
    else
        echo "FAIL $label: exit status $?"
        failed=1
    fi
}

# Runs a selftest and reports it as LABEL: it passes when it exits 0 and its last line is
# `FREEPOLL-RESULT: ok`. With a third argument, its own lines are printed too.
run_selftest() {
    local program=$1 label=$2 show=${3:-} status=0 log
    log=$($run "$program") || status=$?
    if [ -n "$show" ]; then
        printf '%s\n' "$log" | sed "s/^/  $t: /"
    fi
    if [ "$status" -eq 0 ] && [ "$(printf '%s\n' "$log" | tail -n 1)" = "FREEPOLL-RESULT: ok" ]; then
        echo "ok $label"
    else
        echo "FAIL $label: exit status $status"
        failed=1
    fi
}

# Runs an init with a line on its standard input and reports it as LABEL: it passes when it
# exits 0, its last line is `FREEPOLL-INIT: ok`, and it read the line from its console.
run_init() {
    local program=$1 label=$2 show=${3:-} status=0 log
    log=$(echo console-line | $run "$program") || status=$?
    if [ -n "$show" ]; then
        printf '%s\n' "$log" | sed "s/^/  $t: /"
    fi
    if [ "$status" -eq 0 ] && [ "$(printf '%s\n' "$log" | tail -n 1)" = "FREEPOLL-INIT: ok" ] &&
        printf '%s\n' "$log" | grep -q -x 'init: console: console-line'; then
        echo "ok $label"
    else
        echo "FAIL $label: exit status $status"
        failed=1
    fi
}

# Runs a hotplug program in its inotify-only mode on a fresh directory and reports it as LABEL:
# it passes when it exits 0 and its last line is `FREEPOLL-HOTPLUG: ok`. No uevent is triggered
# here (one would reach the whole machine): ci/boot-test.sh checks that part as /init.
run_hotplug() {
    local program=$1 label=$2 show=${3:-} status=0 log dir
    dir=$(mktemp -d)
    log=$($run "$program" --inotify-only "$dir") || status=$?
    rm -rf "$dir"
    if [ -n "$show" ]; then
        printf '%s\n' "$log" | sed "s/^/  $t: /"
    fi
    if [ "$status" -eq 0 ] && [ "$(printf '%s\n' "$log" | tail -n 1)" = "FREEPOLL-HOTPLUG: ok" ]; then
        echo "ok $label"
    else
        echo "FAIL $label: exit status $status"
        failed=1
    fi
}

for t in "${targets[@]}"; do
    run=$(runner "$t")

    tiny=$out/$t/release/tiny
    run_ok "$tiny" "tiny $t"
    size=$(stat -c %s "$tiny")
    echo "size tiny $t $size"
    if [ "$size" -gt "$TINY_BUDGET" ]; then
        echo "FAIL tiny $t: $size bytes, over the budget of $TINY_BUDGET"
        failed=1
    fi

    run_selftest "$out/$t/release/selftest" "selftest $t" show
    echo "size selftest $t $(stat -c %s "$out/$t/release/selftest")"

    run_init "$out/$t/release/init" "init $t" show
    echo "size init $t $(stat -c %s "$out/$t/release/init")"

    run_hotplug "$out/$t/release/hotplug" "hotplug $t" show
    echo "size hotplug $t $(stat -c %s "$out/$t/release/hotplug")"

    run_ok "$out/$t/debug/tiny" "tiny $t (debug)"
    run_selftest "$out/$t/debug/selftest" "selftest $t (debug)"
    run_init "$out/$t/debug/init" "init $t (debug)"
    run_hotplug "$out/$t/debug/hotplug" "hotplug $t (debug)"
    run_ok "$deps/target/$t/release/with-deps" "with-deps $t"

    base=$(stat -c %s "$errno_dir/target/$t/release/none")
    cost="errno-cost $t"
    for v in none fmt number name display text; do
        program=$errno_dir/target/$t/release/$v
        status=0
        output=$($run "$program") || status=$?
        if [ "$status" -eq 0 ] && [ "$output" = "${errno_expect[$v]}" ]; then
            echo "ok errno-$v $t"
        else
            echo "FAIL errno-$v $t: exit status $status, printed '$output'"
            failed=1
        fi
        size=$(stat -c %s "$program")
        echo "size errno-$v $t $size"
        declare "errno_size_$v=$size"
        [ "$v" = none ] || cost="$cost $v +$((size - base))"
    done
    # What Display adds to a program that already prints with `{}`.
    echo "$cost display-over-fmt +$((errno_size_display - errno_size_fmt))"
done

# riscv64's `_start` loads the global pointer: a C object built by gcc (relaxable) and linked by
# GNU ld, whose global loads the linker makes gp-relative, must read its value. The check is
# only worth something if the loads were relaxed: the disassembly must show them.
gp_dir=$root/target/freestanding-gp
mkdir -p "$gp_dir"
riscv64-linux-gnu-gcc -O2 -fno-pie -mcmodel=medlow -c freestanding/gp/global.c -o "$gp_dir/global.o"
(cd freestanding && CARGO_TARGET_DIR=$gp_dir RUSTFLAGS="-C linker=riscv64-linux-gnu-gcc \
    -C relocation-model=static -C force-unwind-tables=no -C link-arg=-nostdlib \
    -C link-arg=-static -C link-arg=-no-pie -C link-arg=-nostartfiles \
    -C link-arg=-Wl,--defsym=rust_eh_personality=0 -C link-arg=$gp_dir/global.o" \
    cargo build --quiet --release --target riscv64gc-unknown-linux-gnu --bin gp --features gp-test)
gp=$gp_dir/riscv64gc-unknown-linux-gnu/release/gp
if ! riscv64-linux-gnu-objdump -d "$gp" | grep -q '(gp)'; then
    echo "FAIL gp riscv64gc-unknown-linux-gnu: GNU ld relaxed no load to gp, so this checks nothing"
    failed=1
elif output=$($(runner riscv64gc-unknown-linux-gnu) "$gp") &&
    [ "$output" = "ok gp: the relaxed global load read 42" ]; then
    relaxed=$(riscv64-linux-gnu-objdump -d "$gp" | grep -c '(gp)')
    echo "ok gp riscv64gc-unknown-linux-gnu ($relaxed loads relaxed to gp, read right)"
else
    echo "FAIL gp riscv64gc-unknown-linux-gnu: '$output'"
    failed=1
fi

ci/pid1-test.sh || failed=1 # pid1 checked against tini's behaviour, and its size budget
ci/readme-setup.sh || failed=1 # README.md's set-up, from README.md, alone and in a workspace

# hello: the classic epoll TCP server (freestanding/src/bin/hello.rs), release and debug, on
# every target, against HELLO_CLIENTS python3 clients that connect at once and each read until
# the server closes: every one must get exactly "hello\n", and the server must then exit 0.
# It listens on port 0 and prints the port the kernel gave it, which the clients read: no
# port is guessed. Prints `ok hello <target>` and `size hello <target> <bytes>`.
HELLO_CLIENTS=8
run_hello() {
    local program=$1 label=$2 fifo fd first port rest status=0
    fifo=$(mktemp -u)
    mkfifo "$fifo"
    timeout 120 $run "$program" 0 "$HELLO_CLIENTS" >"$fifo" &
    local pid=$!
    exec {fd}<"$fifo"
    rm "$fifo"
    read -r -t 60 first <&"$fd" || true
    port=${first#port }
    if [[ "$first" != "port "* ]] || ! python3 - "$port" "$HELLO_CLIENTS" <<'PY'; then
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
conns = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(n)]
for i, conn in enumerate(conns):
    data = b""
    while True:
        chunk = conn.recv(64)
        if not chunk:
            break
        data += chunk
    conn.close()
    if data != b"hello\n":
        sys.exit(f"client {i} of {n} got {data!r}")
PY
        status=1
    fi
    rest=$(timeout 60 cat <&"$fd") || status=1
    exec {fd}<&-
    wait "$pid" || status=$?
    if [ "$status" -eq 0 ] && [ "$rest" = "hello: greeted $HELLO_CLIENTS" ]; then
        echo "ok $label"
    else
        echo "FAIL $label: status $status, first line '$first', then '$rest'"
        failed=1
    fi
}
for t in "${targets[@]}"; do
    run=$(runner "$t")
    run_hello "$out/$t/release/hello" "hello $t"
    echo "size hello $t $(stat -c %s "$out/$t/release/hello")"
    run_hello "$out/$t/debug/hello" "hello $t (debug)"
done

if [ "$failed" -ne 0 ]; then
    echo "freestanding: FAILED"
    exit 1
fi
echo "freestanding: all programs passed on ${#targets[@]} targets"
