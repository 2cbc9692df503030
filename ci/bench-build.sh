#!/usr/bin/env bash
# Builds the benchmarks (bench/, a package of its own beside freepoll) without running them, so
# they cannot rot: ci/test.sh runs this; ci/bench.sh runs them. On x86_64 only, where valgrind
# runs them. Clippy holds them to the same standard as the crate. They are built in the dev
# profile: the same code compiled and linked, in 52 s here from an empty target directory,
# where the optimised build of `cargo bench --no-run` took 117 s.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -m)" != x86_64 ]; then
    echo "bench-build: the benchmarks are x86_64-only; skipped on $(uname -m)"
    exit 0
fi
cd bench
cargo build --quiet --benches
cargo build --quiet --features std --bench instructions
cargo clippy --quiet --benches --features std -- -D warnings
echo "bench-build: bench/ builds (instructions, throughput, clock, scale)"
