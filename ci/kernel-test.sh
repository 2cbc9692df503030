#!/usr/bin/env bash
# freepoll's test suite on real kernels: the unit and integration test binaries of every
# architecture, run inside qemu-system VMs on Debian's kernels from Linux 5.10 to 7.2.
#
#   ci/kernel-test.sh          the oldest and the newest kernel of each architecture
#   ci/kernel-test.sh full     every kernel of the matrix below (ci/test.sh runs this)
#   ci/kernel-test.sh fetch    only the downloads of `full` (ci/test.sh starts it early, in
#                              the background, since it waits on the network, not the CPU)
#
# qemu-user, which runs the suite in ci/test.sh, emulates the system calls itself: it has no
# epoll_pwait2, no busy-poll ioctls, cannot block signals 63 and 64, and answers in its own
# order where kernels differ by version. Here the same binaries meet the kernels' own code.
#
# For each architecture the test binaries (`cargo test --all-features --no-run`, the build
# ci/test.sh runs) are stripped of debug information and packed into an initramfs with their
# dynamic loader and libraries from the cross sysroot, busybox-static and an /init that
# mounts /proc, /sys, /dev and a tmpfs on /tmp, brings loopback up (the TCP tests), runs every
# binary with --show-output and powers off. ci/kernel_report.py reads the console: each
# binary's libtest summary, and every `skipped:` line a test printed where this kernel lacks
# what it checks (with the test's name). Any failure, missing summary or boot that does not
# reach its end fails the run; qemu exits 0 even after a panic, so only the console counts.
#
# Environment: KERNEL_ARCHES (a space-separated subset of the architectures), KERNEL_SUITES
# (a subset of the suites), KERNEL_JOBS (VMs at once, default: the number of cores),
# KERNEL_TIMEOUT (seconds per boot, default 900), KERNEL_TEST_ONLY and KERNEL_TEST_ARGS (below),
# DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR (ci/vm.sh). The results of the last run
# are in target/kernel-test/results.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/kernel-test

matrix=${1:-default}
case $matrix in default | full | fetch) ;; *)
    echo "usage: ci/kernel-test.sh [default|full|fetch]" >&2
    exit 2
    ;;
esac
# The Rust targets, the cross linkers and their sysroots (not needed to download).
[ "$matrix" = fetch ] || ci/setup.sh

# shellcheck source=ci/vm.sh
. ci/vm.sh

# The matrix: the Debian suites of each architecture (`suites` in ci/arches.sh), oldest first;
# its cross toolchain's `strip` and its sysroot come from the same table.
suites_all=(bullseye bookworm trixie sid)

read -r -a arches <<<"${KERNEL_ARCHES:-${all_arches[*]}}"
read -r -a only_suites <<<"${KERNEL_SUITES:-${suites_all[*]}}"
jobs=${KERNEL_JOBS:-$(nproc)}
boot_timeout=${KERNEL_TIMEOUT:-900}
# Each test binary is stopped after this long (the boot goes on with the next one).
binary_timeout=180
# For a closer look at one failure: KERNEL_TEST_ONLY="exclusive timeout" packs only those
# binaries, KERNEL_TEST_ARGS replaces the arguments each binary is run with.
only=${KERNEL_TEST_ONLY:-}
test_args=${KERNEL_TEST_ARGS:---show-output}

# The runs, as "ARCH SUITE": every kernel of the architecture, or its oldest and newest.
runs=()
for arch in "${arches[@]}"; do
    [ -n "${target[$arch]:-}" ] || { echo "kernel-test: unknown architecture $arch" >&2; exit 2; }
    read -r -a ks <<<"${suites[${debarch[$arch]}]}"
    [ "$matrix" = default ] && ks=("${ks[0]}" "${ks[-1]}")
    for s in $(printf '%s\n' "${ks[@]}" | uniq); do
        grep -qw "$s" <<<"${only_suites[*]}" && runs+=("$arch $s")
    done
done

step() { printf '\n--> %s\n' "$*"; }

# ---------------------------------------------------------------------------------------------
# The root tree of ARCH in $work/root-ARCH: /init, busybox, the stripped test binaries in
# /tests (and their names in $work/tests-ARCH), the loader and the libraries they need.

stage() {
    local arch=$1 t=${target[$1]}
    local dir=$work/root-$arch
    rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/lib" "$dir/tests" "$dir/proc" "$dir/sys" \
        "$dir/tmp"
    # The binaries of this build (the JSON messages name each one).
    cargo test --quiet --target "$t" --all-features --no-run --message-format=json |
        python3 ci/vm.py test-binaries >"$work/binaries-$arch"
    local name exe
    : >"$work/tests-$arch"
    while read -r name exe; do
        [ -z "$only" ] || grep -qw "$name" <<<"$only" || continue
        "${tool_prefix[$arch]}strip" --strip-debug -o "$dir/tests/$name" "$exe"
        echo "$name" >>"$work/tests-$arch"
    done <"$work/binaries-$arch"
    [ -s "$work/tests-$arch" ] || { echo "kernel-test: no test binaries for $t" >&2; exit 1; }
    # The supervisor example, which tests/supervisor.rs starts (the same build makes it).
    local example=$root/target/$t/debug/examples/supervisor
    [ ! -x "$example" ] || "${tool_prefix[$arch]}strip" --strip-debug -o "$dir/bin/supervisor" \
        "$example"
    # The loader at the path the binaries name, and every library they need (and those need),
    # from the sysroot, in /lib.
    python3 ci/vm.py libs "$dir" "${sysroot[$arch]}" "$dir"/tests/*
    cp "$cache/busybox-${debarch[$arch]}/busybox" "$dir/bin/busybox"
    cat >"$dir/init" <<'EOF'
#!/bin/busybox sh
# /init of ci/kernel-test.sh: mounts what the tests need, runs each, powers off.
/bin/busybox --install -s /bin
export PATH=/bin LD_LIBRARY_PATH=/lib TMPDIR=/tmp HOME=/tmp
# The differential test against libc: more cases than a plain `cargo test` runs.
export FREEPOLL_DIFF_CASES=256
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Pseudo-terminals (the controlling-terminal tests): /dev/ptmx opens only with devpts here.
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
# The supervisor example, which tests/supervisor.rs runs (packed beside the tests).
[ -x /bin/supervisor ] && export FREEPOLL_SUPERVISOR_EXAMPLE=/bin/supervisor
ip link set lo up
echo "FREEPOLL-KERNEL: $(uname -r) | $(uname -v) | $(uname -m)"
cd /tmp
for t in /tests/*; do
    echo "FREEPOLL-TEST-BEGIN: ${t##*/}"
    status=0
    timeout @BINARY_TIMEOUT@ "$t" @TEST_ARGS@ </dev/null 2>&1 || status=$?
    echo "FREEPOLL-TEST-END: ${t##*/} $status"
done
echo "FREEPOLL-KERNEL-TEST: done"
poweroff -f
EOF
    sed -i -e "s|@BINARY_TIMEOUT@|$binary_timeout|" -e "s|@TEST_ARGS@|$test_args|" "$dir/init"
    chmod 755 "$dir/init"
}

# One boot: ARCH's tests on SUITE's kernel. Its console and report go to $work/ARCH-SUITE.*;
# returns the report's status.
run_one() {
    local arch=$1 s=$2
    local base=$work/$arch-$s
    local start=$SECONDS status=0
    boot "$arch" "$(kernel_image "$s" "$arch")" "$work/$arch.cpio" "$base.log" "$boot_timeout" \
        1024 1 quiet || status=$?
    {
        echo "$arch on $s ($(cat "$cache/kernel-$s-${debarch[$arch]}/package")), $((SECONDS - start)) s"
        [ "$status" -eq 124 ] && echo "kernel-test: $arch $s: the boot timed out after $boot_timeout s"
        python3 ci/kernel_report.py "$base.log" "$work/tests-$arch" "$arch $s"
    } >"$base.report" 2>&1
}

mkdir -p "$work" "$cache"
step "kernels and qemu: ${#runs[@]} runs"
for r in "${runs[@]}"; do
    read -r arch s <<<"$r"
    fetch_kernel "$s" "${debarch[$arch]}"
done
for a in $(for arch in "${arches[@]}"; do echo "${debarch[$arch]}"; done | sort -u); do
    fetch_busybox "$a"
done
find_qemu
if [ "$matrix" = fetch ]; then
    echo "kernel-test: the downloads of ${#runs[@]} runs are in ${cache#"$root"/}"
    exit 0
fi

step "test binaries and initramfs for ${arches[*]}"
for arch in "${arches[@]}"; do
    stage "$arch"
    make_initramfs "$work/$arch.cpio" "$work/root-$arch"
    echo "$arch: $(wc -l <"$work/tests-$arch") test binaries, initramfs $(($(stat -c %s "$work/$arch.cpio") / 1048576)) MiB"
done

step "the console reader fails what it must (ci/kernel_report_test.py)"
python3 ci/kernel_report_test.py

step "boots, $jobs at a time"
export KERNEL_TEST_RESULTS=$work/results.tsv
: >"$KERNEL_TEST_RESULTS"
start=$SECONDS
declare -A run_of=() # pid -> run
failed=()
# Waits for any one run to end, prints its report, and records a failure.
finish() {
    local pid status=0
    wait -n -p pid || status=$?
    read -r arch s <<<"${run_of[$pid]}"
    unset "run_of[$pid]"
    ((status == 0)) || failed+=("$arch/$s")
    echo
    cat "$work/$arch-$s.report"
}
for r in "${runs[@]}"; do
    while ((${#run_of[@]} >= jobs)); do finish; done
    read -r arch s <<<"$r"
    run_one "$arch" "$s" &
    run_of[$!]=$r
done
while ((${#run_of[@]})); do finish; done

echo
echo "kernel-test: ${#runs[@]} runs in $((SECONDS - start)) s; results in ${KERNEL_TEST_RESULTS#"$root"/}"
if ((${#failed[@]})); then
    echo "kernel-test: FAILED on ${failed[*]}"
    exit 1
fi
echo "kernel-test: the suite passed on all ${#runs[@]} kernel runs"
