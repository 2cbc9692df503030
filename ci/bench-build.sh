#!/usr/bin/env bash
# Builds the benchmarks (benches/) without running them, so they cannot rot: ci/test.sh runs
# this; ci/bench.sh runs them. On x86_64 only, like their dev-dependencies (Cargo.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(uname -m)" != x86_64 ]; then
    echo "bench-build: the benchmarks are x86_64-only; skipped on $(uname -m)"
    exit 0
fi
cargo bench --quiet --no-run
cargo bench --quiet --no-run --features std --bench instructions
echo "bench-build: benches/ build (instructions, throughput, scale)"
