#!/usr/bin/env bash
# freepoll without libc: builds the freestanding programs in freestanding/ (`tiny` and
# `selftest`: no_std, no_main, their own `_start`, linked by rust-lld alone) for x86_64, aarch64
# and riscv64, checks their formatting and lints, runs them (natively where the host has the
# architecture, under qemu-user elsewhere) and holds `tiny` to its size budget.
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

cd freestanding
cargo fmt -- --check
for t in "${targets[@]}"; do
    cargo clippy --quiet --release --target "$t" -- -D warnings
    cargo build --quiet --release --target "$t"
done
cd "$root"

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
