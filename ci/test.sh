#!/usr/bin/env bash
# freepoll's whole test suite: formatting, lints, the tests natively and under qemu-user on
# aarch64 and riscv64, the bare-metal builds, and every further check in ci/. Installs what it
# needs first (ci/setup.sh). Prints cargo's own test summaries.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

step() { printf '\n==> %s\n' "$*"; }

step "setup"
ci/setup.sh

linux=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu riscv64gc-unknown-linux-gnu)
bare=(x86_64-unknown-none aarch64-unknown-none riscv64gc-unknown-none-elf)
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
    FREEPOLL_DIFF_CASES=3000 cargo test --target "$t" --test differential -- --nocapture
done

# The further checks, each a script of its own that installs what it needs.
for check in ci/freestanding.sh ci/boot-test.sh ci/miri.sh ci/msrv.sh ci/package.sh \
    ci/bench-build.sh; do
    step "$check"
    "$check"
done

step "all checks passed in $((SECONDS - start)) s"
