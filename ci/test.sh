#!/usr/bin/env bash
# freepoll's whole test suite: formatting, lints, the tests natively (x86_64, and i686 on the
# same kernel) and under qemu-user (every other architecture of ci/arches.sh), the same test
# binaries on Debian's kernels 5.10 to 7.2 in VMs, the
# bare-metal builds, and every further check in ci/. Installs what it
# needs first (ci/setup.sh). Prints cargo's own test summaries.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

# Each step's header says how long the run has taken so far (CI's budget is 30 minutes) and
# how much disk is left: a CI machine's disk can be small, and a full one fails a link.
step() {
    printf '\n==> %s (at %d s; target/ %s, %s free)\n' "$*" "$((SECONDS - start))" \
        "$(du -sh target 2>/dev/null | cut -f1)" "$(df -h --output=avail . | tail -1 | tr -d ' ')"
}

# Test builds without debug information or incremental state: the test binaries of eight
# targets, each with and without features, then take about a seventh of the disk (an x86_64
# all-features build: 101 MB instead of 730 MB, in half the time). A failing assertion still
# names its file and line. The scripts below inherit both settings, so ci/kernel-test.sh
# packs the binaries this run built.
export CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=0

step "setup"
ci/setup.sh
# The kernels and qemu-system for ci/boot-test.sh and ci/kernel-test.sh (about 1.3 GB on a
# fresh clone) download in the background while the CPU compiles; waited for before those.
mkdir -p target
ci/kernel-test.sh fetch >target/kernel-fetch.log 2>&1 &
fetch=$!

# The targets: every architecture of ci/arches.sh, and the bare-metal (`-none`) targets that
# have a rust-std download (i686, powerpc64le and s390x have none).
# shellcheck source=ci/arches.sh
. ci/arches.sh
# Differential cases per target: more where the tests run natively, fewer under qemu-user,
# which is slower, so that the whole run stays within its budget.
declare -A diff_cases=([x86_64-unknown-linux-gnu]=3000 [i686-unknown-linux-gnu]=2000)
export RUSTDOCFLAGS="-D warnings"

step "rustfmt"
cargo fmt --all -- --check

step "ci/'s own tools: the architecture table against the files that name the architectures, the VM file work"
python3 ci/arch_check_test.py
python3 ci/arch_check.py
python3 ci/vm_test.py

step "clippy (all targets, each architecture, with and without features)"
for t in "${linux_targets[@]}"; do
    cargo clippy --quiet --target "$t" --all-targets -- -D warnings
    cargo clippy --quiet --target "$t" --all-targets --all-features -- -D warnings
done

step "no hidden std: bare-metal builds without features"
for t in "${bare_targets[@]}"; do
    cargo build --quiet --target "$t" --no-default-features
    cargo build --quiet --target "$t" --no-default-features --features alloc
done

step "docs (warnings denied): without features, with all, and as docs.rs builds them"
ci/docs.sh

# Each target runs the suite without features (freepoll's own fd types) and with all of them
# (std's fd types, the owned EventVec). Cross targets run under qemu-user (.cargo/config.toml).
# What a test could not check there, and the emulator's answers it accepted, are printed after
# the run (FREEPOLL_TEST_NOTES); ci/kernel-test.sh checks those points on real kernels.
#
# Under qemu-user each test binary runs one test at a time: a fork in a guest whose other
# threads are running can leave the child hung in qemu's own locks (seen in a full run of
# tests/spawn.rs on aarch64, a child of `execvpe_searches_the_path` asleep on a host futex).
# Natively, and on the real kernels of ci/kernel-test.sh, the tests run in parallel.
notes=$PWD/target/test-notes.txt
for a in "${all_arches[@]}"; do
    t=${target[$a]}
    threads=()
    [ -z "${qemu_user[$a]}" ] || threads=(-- --test-threads=1)
    step "tests: $t, no features"
    cargo test --target "$t" "${threads[@]}"
    step "tests: $t, all features"
    mkdir -p target && : >"$notes"
    FREEPOLL_TEST_NOTES=$notes cargo test --target "$t" --all-features "${threads[@]}"
    if [ -s "$notes" ]; then
        echo "tests: $t: what this run could not check here, and the emulator's answers accepted:"
        sort -u "$notes" | sed 's/^/  /'
    fi
    step "differential tests against libc: $t"
    FREEPOLL_DIFF_CASES=${diff_cases[$t]:-1000} cargo test --target "$t" --test differential -- \
        --nocapture
done

# musl, as a static std program is usually built: the suite without features and with all of
# them on the musl targets of ci/arches.sh (.cargo/config.toml links them with rust-lld).
# Where it differs from glibc, musl gives its own answers (its reserved signals 32 to 34, its
# libc crate's constants), which the tests compare with. The whole suite where the host runs
# the target: x86_64 and i686 (each a minute or two from a fresh clone; the benchmarks and
# their dependencies are a package of their own, bench/, not built here). Under qemu-user (aarch64), where
# the whole suite would add nearly 5 minutes (its 29 test binaries and 53 doctests built and
# run twice), the unit tests and the files that compare with musl's libc: constants and
# layouts, signal masks and dispositions, open flags, errors, processes (1 minute); the glibc
# runs cover the rest on aarch64.
musl_subset=(--lib --test layout --test numbers --test sigmask --test spawn --test fs
    --test errors --test process)
for t in "${musl_targets[@]}"; do
    only=()
    threads=()
    if [ "$(uname -m)" != "${t%%-*}" ] && ! [[ "$t" == i686-* && "$(uname -m)" == x86_64 ]]; then
        only=("${musl_subset[@]}")
        threads=(-- --test-threads=1) # qemu-user, as above
    fi
    step "tests: $t, no features${only[*]:+ (a subset: ${only[*]})}"
    cargo test --target "$t" "${only[@]}" "${threads[@]}"
    step "tests: $t, all features${only[*]:+ (the same subset)}"
    cargo test --target "$t" --all-features "${only[@]}" "${threads[@]}"
done

step "kernels and qemu-system (downloaded in the background)"
wait "$fetch" || { cat target/kernel-fetch.log; exit 1; }
cat target/kernel-fetch.log

# The further checks, each a script of its own that installs what it needs.
for check in ci/freestanding.sh ci/boot-test.sh "ci/kernel-test.sh full" ci/miri.sh ci/msrv.sh \
    ci/package.sh ci/bench-build.sh; do
    step "$check"
    # shellcheck disable=SC2086 # a script and its arguments
    $check
done

step "all checks passed in $((SECONDS - start)) s"
