#!/usr/bin/env bash
# Builds the benchmarks (bench/, a package of its own beside freepoll) without running them, so
# they cannot rot: ci/test.sh runs this; ci/bench.sh runs them. On x86_64 only, where valgrind
# runs them. Clippy holds them to the same standard as the crate.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -m)" != x86_64 ]; then
    echo "bench-build: the benchmarks are x86_64-only; skipped on $(uname -m)"
    exit 0
fi
cd bench
cargo bench --quiet --no-run
cargo bench --quiet --no-run --features std --bench instructions
cargo clippy --quiet --benches --features std -- -D warnings
echo "bench-build: bench/ builds (instructions, throughput, clock, scale)"
