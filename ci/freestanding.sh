#!/usr/bin/env bash
# freepoll without libc: builds the freestanding programs in freestanding/ (`tiny`, `selftest`
# and `init`: no_std, no_main, freepoll's `entry!`, linked by rust-lld alone) for x86_64,
# aarch64, riscv64, armv7 (ARM and Thumb code), i686, powerpc64le and s390x, checks their
# formatting and lints, runs them (natively where the host has the
# architecture, under qemu-user elsewhere) and holds `tiny` to its size budget. Also builds and
# runs the debug profile, and a program of one's own set up as the README says whose dependency
# has a build script and a proc macro.
#
# Prints, per program and target, `ok <program> <target>` and `size <program> <target> <bytes>`
# (the stripped executable), after the selftest's and the init's own lines. Fails if a program
# fails, if the selftest does not end with `FREEPOLL-RESULT: ok`, if the init does not end with
# `FREEPOLL-INIT: ok` or did not read the line piped to its console, or if `tiny` is over
# budget. Here the init is not PID 1: it reaps its own children and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Bytes, stripped, on each architecture.
TINY_BUDGET=1536

ci/setup.sh # the Rust targets, qemu-user

targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu riscv64gc-unknown-linux-gnu
    armv7-unknown-linux-gnueabihf thumbv7neon-unknown-linux-gnueabihf i686-unknown-linux-gnu
    powerpc64le-unknown-linux-gnu s390x-unknown-linux-gnu)
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
    cargo clippy --quiet --release --target "$t" -- -D warnings
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
cp freestanding/link.ld "$deps/"
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

    run_ok "$out/$t/debug/tiny" "tiny $t (debug)"
    run_selftest "$out/$t/debug/selftest" "selftest $t (debug)"
    run_init "$out/$t/debug/init" "init $t (debug)"
    run_ok "$deps/target/$t/release/with-deps" "with-deps $t"
done

if [ "$failed" -ne 0 ]; then
    echo "freestanding: FAILED"
    exit 1
fi
echo "freestanding: all programs passed on ${#targets[@]} targets"
