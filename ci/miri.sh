#!/usr/bin/env bash
# Miri: freepoll's memory-safety tests (src/miri_tests.rs) under the Miri interpreter, which
# reports undefined behaviour: reads of uninitialised or freed memory, out-of-bounds and
# misaligned accesses, aliasing violations, leaks. Miri cannot run inline asm, so under it the
# system calls go through arch/miri.rs, to the libc functions Miri emulates.
#
# Two groups of tests, because a pointer handed to a system call stub travels as a bare address
# (see arch/miri.rs):
# - miri_tests::strict, with -Zmiri-strict-provenance: EventVec (borrowed and owned, growing
#   and shrinking), Event, the iterator, the descriptor types, and the calls that pass no
#   pointer;
# - miri_tests::exposed, with -Zmiri-permissive-provenance: epoll_add, epoll_mod and epoll_wait
#   through the stubs, filling EventVecs.
# Each runs on the targets `miri` marks in ci/arches.sh: x86_64 (the packed 12-byte Event)
# and, interpreted by the same Miri, aarch64 (the 16-byte Event with padding), i686 (32-bit:
# the 12-byte Event with 4-byte alignment, a 32-bit usize) and s390x (big-endian). One test thread: the descriptor tests check that a number
# is closed, which another thread could reuse meanwhile.
#
# Uses the installed nightly toolchain (never updates it) and adds its miri and rust-src
# components when missing. Prints cargo's test summaries.
set -euo pipefail
cd "$(dirname "$0")/.."

toolchain=nightly
if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
    echo "miri: rustup toolchain install $toolchain --profile minimal"
    rustup toolchain install "$toolchain" --profile minimal
fi
installed=$(rustup component list --installed --toolchain "$toolchain")
for c in miri rust-src; do
    if ! grep -q "^$c" <<<"$installed"; then
        echo "miri: rustup component add --toolchain $toolchain $c"
        rustup component add --toolchain "$toolchain" "$c"
    fi
done
echo "miri: $(rustup run "$toolchain" cargo miri --version 2>/dev/null || true)"

# A normal build never compiles arch/miri.rs (cfg(miri) is off), so clippy never sees it: lint
# it here with the pinned toolchain, in a target directory of its own (changing RUSTFLAGS
# would make cargo rebuild everything in the main one).
# The targets: `miri` in ci/arches.sh.
# shellcheck source=ci/arches.sh
. ci/arches.sh
for t in "${miri_targets[@]}"; do
    echo "miri: clippy on the Miri backend, $t"
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/miri-clippy" RUSTFLAGS="--cfg miri" \
        cargo clippy --quiet --lib --all-features --target "$t" -- -D warnings
done

# .cargo/config.toml names qemu-user (or a loader) as the runner for the cross targets;
# cargo-miri's own runner must win over it, and an environment variable beats the file.
cargo_miri=$(rustup which --toolchain "$toolchain" cargo-miri)
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="$cargo_miri runner"
export CARGO_TARGET_I686_UNKNOWN_LINUX_GNU_RUNNER="$cargo_miri runner"
export CARGO_TARGET_S390X_UNKNOWN_LINUX_GNU_RUNNER="$cargo_miri runner"

run() { # target features group provenance
    echo "miri: $1, $2, $3 ($4)"
    MIRIFLAGS="${MIRIFLAGS:-} $4" cargo "+$toolchain" miri test --quiet --lib --target "$1" \
        "$2" -- "miri_tests::$3" --test-threads=1
}

for t in "${miri_targets[@]}"; do
    cargo "+$toolchain" miri setup --quiet --target "$t"
    run "$t" --features=alloc strict -Zmiri-strict-provenance
    run "$t" --all-features strict -Zmiri-strict-provenance
    run "$t" --features=alloc exposed -Zmiri-permissive-provenance
done
