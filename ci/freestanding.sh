#!/usr/bin/env bash
# freepoll without libc: builds the freestanding programs in freestanding/ (`tiny` and
# `selftest`: no_std, no_main, their own `_start`, linked by rust-lld alone) for x86_64, aarch64
# and riscv64, checks their formatting and lints, runs them (natively where the host has the
# architecture, under qemu-user elsewhere) and holds `tiny` to its size budget. Also builds and
# runs the debug profile, and a program of one's own set up as the README says whose dependency
# has a build script and a proc macro.
#
# Prints, per program and target, `ok <program> <target>` and `size <program> <target> <bytes>`
# (the stripped executable), after the selftest's own lines. Fails if a program fails, if the
# selftest does not end with `FREEPOLL-RESULT: ok`, or if `tiny` is over budget.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# Bytes, stripped, on each architecture.
TINY_BUDGET=1536

ci/setup.sh # the Rust targets, qemu-user

targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu riscv64gc-unknown-linux-gnu)
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
cat >"$deps/Cargo.toml" <<EOF
[package]
name = "with-deps"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
freepoll = { path = "$root", default-features = false }
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

# How to run a program built for target $1 on this machine.
runner() {
    local arch=${1%%-*}
    arch=${arch%gc} # riscv64gc -> riscv64
    if [ "$arch" = "$(uname -m)" ]; then
        return
    fi
    echo "qemu-$arch-static"
}

failed=0
for t in "${targets[@]}"; do
    run=$(runner "$t")

    for program in "$out/$t/debug/tiny" "$deps/target/$t/release/with-deps"; do
        if $run "$program"; then
            echo "ok $(basename "$program") $t ($(basename "$(dirname "$program")"))"
        else
            echo "FAIL $program: exit status $?"
            failed=1
        fi
    done
    if $run "$out/$t/debug/selftest" | tail -n 1 | grep -qx "FREEPOLL-RESULT: ok"; then
        echo "ok selftest $t (debug)"
    else
        echo "FAIL selftest $t (debug)"
        failed=1
    fi

    tiny=$out/$t/release/tiny
    if $run "$tiny"; then
        echo "ok tiny $t"
    else
        echo "FAIL tiny $t: exit status $?"
        failed=1
    fi
    size=$(stat -c %s "$tiny")
    echo "size tiny $t $size"
    if [ "$size" -gt "$TINY_BUDGET" ]; then
        echo "FAIL tiny $t: $size bytes, over the budget of $TINY_BUDGET"
        failed=1
    fi

    selftest=$out/$t/release/selftest
    status=0
    log=$($run "$selftest") || status=$?
    printf '%s\n' "$log" | sed "s/^/  $t: /"
    if [ "$status" -eq 0 ] && [ "$(printf '%s\n' "$log" | tail -n 1)" = "FREEPOLL-RESULT: ok" ]; then
        echo "ok selftest $t"
    else
        echo "FAIL selftest $t: exit status $status"
        failed=1
    fi
    echo "size selftest $t $(stat -c %s "$selftest")"
done

if [ "$failed" -ne 0 ]; then
    echo "freestanding: FAILED"
    exit 1
fi
echo "freestanding: all programs passed on ${#targets[@]} targets"
