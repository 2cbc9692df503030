#!/usr/bin/env bash
# freepoll's whole test suite: formatting, lints, the tests natively (x86_64, and i686 on the
# same kernel) and under qemu-user (aarch64, riscv64, armv7 in ARM and Thumb code,
# powerpc64le, s390x), the bare-metal builds, and every further check in ci/. Installs what it
# needs first (ci/setup.sh). Prints cargo's own test summaries.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

step() { printf '\n==> %s\n' "$*"; }

step "setup"
ci/setup.sh

linux=(x86_64-unknown-linux-gnu i686-unknown-linux-gnu aarch64-unknown-linux-gnu
    riscv64gc-unknown-linux-gnu armv7-unknown-linux-gnueabihf thumbv7neon-unknown-linux-gnueabihf
    powerpc64le-unknown-linux-gnu s390x-unknown-linux-gnu)
# Every architecture with a `-none` target that has a rust-std download (i686, powerpc64le and
# s390x have none).
bare=(x86_64-unknown-none aarch64-unknown-none riscv64gc-unknown-none-elf armv7a-none-eabi)
# Differential cases per target: more where the tests run natively, fewer under qemu-user,
# which is slower, so that the whole run stays within its budget.
declare -A diff_cases=([x86_64-unknown-linux-gnu]=3000 [i686-unknown-linux-gnu]=2000)
export RUSTDOCFLAGS="-D warnings"

step "rustfmt"
cargo fmt --all -- --check

step "clippy (all targets, each architecture, with and without features)"
for t in "${linux[@]}"; do
    cargo clippy --quiet --target "$t" --all-targets -- -D warnings
    cargo clippy --quiet --target "$t" --all-targets --all-features -- -D warnings
done

step "no hidden std: bare-metal builds without features"
for t in "${bare[@]}"; do
    cargo build --quiet --target "$t" --no-default-features
    cargo build --quiet --target "$t" --no-default-features --features alloc
done

step "docs (warnings denied): without features, with all, and as docs.rs builds them"
ci/docs.sh

# Each target runs the suite without features (freepoll's own fd types) and with all of them
# (std's fd types, the owned EventVec). Cross targets run under qemu-user (.cargo/config.toml).
for t in "${linux[@]}"; do
    step "tests: $t, no features"
    cargo test --target "$t"
    step "tests: $t, all features"
    cargo test --target "$t" --all-features
    step "differential tests against libc: $t"
    FREEPOLL_DIFF_CASES=${diff_cases[$t]:-1000} cargo test --target "$t" --test differential -- \
        --nocapture
done

# The further checks, each a script of its own that installs what it needs.
for check in ci/freestanding.sh ci/boot-test.sh ci/miri.sh ci/msrv.sh ci/package.sh \
    ci/bench-build.sh; do
    step "$check"
    "$check"
done

step "all checks passed in $((SECONDS - start)) s"
