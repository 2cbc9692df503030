#!/usr/bin/env bash
# freepoll's freestanding programs on real kernels. For every architecture of ci/arches.sh
# (armv7 and thumbv7, ARM and Thumb code, on the armhf kernel), four boots each:
# `selftest` (freestanding/src/bin/selftest.rs), `init` (freestanding/src/bin/init.rs),
# `pid1` (freestanding/src/bin/pid1.rs, running ci/pid1-boot.sh with busybox) and `hotplug`
# (freestanding/src/bin/hotplug.rs: a uevent it triggers and an inotify creation), each packed
# as /init into a minimal initramfs and booted under qemu-system with a Debian kernel (the
# suite `boot` in ci/arches.sh names: bookworm's 6.1; trixie's 6.12 on riscv64, which bookworm
# lacks). Reads each one's summary line from the serial console (`FREEPOLL-RESULT` for the
# selftest, `FREEPOLL-INIT` for the init, `FREEPOLL-PID1` for pid1's script,
# `FREEPOLL-HOTPLUG` for hotplug) and fails on anything but `...: ok`; for pid1, also on a
# panic line whose exit code is not the script's. Every boot is bounded by `timeout`.
#
# qemu-user, which ci/freestanding.sh uses, emulates the system calls itself: it lacks
# epoll_pwait2 and converts structures on its own. Here the programs run on the kernels' own
# code, as PID 1 with nothing else in the system. ci/kernel-test.sh runs the whole test suite
# the same way, on every kernel from 5.10 to 7.2. The kernels and qemu-system come from
# Debian's archive into .cache/boot (ci/vm.sh).
#
# Environment: BOOT_TIMEOUT (seconds per boot, default 120), DEBIAN_MIRROR, BOOT_ARCHES (a
# space-separated subset of the architectures). Delete .cache/boot to fetch the current
# kernels again.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/boot-test
boot_timeout=${BOOT_TIMEOUT:-120}

ci/setup.sh # the Rust targets

# shellcheck source=ci/vm.sh
. ci/vm.sh

# BOOT_ARCHES="i686 s390x" boots only those.
read -r -a arches <<<"${BOOT_ARCHES:-${all_arches[*]}}"
# The kernel each architecture boots: `boot` in ci/arches.sh.
suite_of() { echo "${boot_suite[$1]}"; }

step() { printf '\n--> %s\n' "$*"; }

# Each program booted, and the summary line it ends with.
programs=(selftest init pid1 hotplug)
declare -A marker=([selftest]=FREEPOLL-RESULT [init]=FREEPOLL-INIT [pid1]=FREEPOLL-PID1
    [hotplug]=FREEPOLL-HOTPLUG)

# busybox and the applets a booted program runs in TREE: the init's children are `/bin/sh -c`
# scripts (and `sleep`); pid1 runs ci/pid1-boot.sh with busybox's sh.
busybox_files() {
    local tree=$1 arch=$2 applet
    mkdir -p "$tree/bin"
    cp "$cache/busybox-${debarch[$arch]}/busybox" "$tree/bin/busybox"
    for applet in sh mount mkdir sleep cat sed grep; do ln -s busybox "$tree/bin/$applet"; done
}

# pid1 as /init runs ci/pid1-boot.sh (kernel command line `-- /bin/sh /pid1-boot.sh`: what
# follows `--` is init's argv). The script exits 7 when its checks pass; pid1 exits with that,
# and the kernel's panic line must say so (`exitcode=0x00000700`, the wait status).
pid1_files() {
    busybox_files "$1" "$2"
    cp "$root/ci/pid1-boot.sh" "$1/pid1-boot.sh"
}

step "build ${programs[*]}"
(cd freestanding && for arch in "${arches[@]}"; do
    cargo build --quiet --release --target "${target[$arch]}" --bin selftest --bin init --bin pid1 \
        --bin hotplug
done)

step "kernels and qemu"
mkdir -p "$cache" "$work"
for arch in "${arches[@]}"; do fetch_kernel "$(suite_of "$arch")" "${debarch[$arch]}"; done
for arch in "${arches[@]}"; do fetch_busybox "${debarch[$arch]}"; done # init's and pid1's
find_qemu

failed=()
for arch in "${arches[@]}"; do
    s=$(suite_of "$arch")
    accel=tcg
    [ "$arch" = x86_64 ] && accel=$accel_x86
    for program in "${programs[@]}"; do
        step "boot $arch, $program as /init: $(cat "$cache/kernel-$s-${debarch[$arch]}/package")"
        tree=$work/$arch-$program
        rm -rf "$tree" && mkdir -p "$tree"
        cp "$root/target/freestanding/${target[$arch]}/release/$program" "$tree/init"
        args=()
        [ "$program" = init ] && busybox_files "$tree" "$arch"
        [ "$program" = pid1 ] && pid1_files "$tree" "$arch" && args=(-- /bin/sh /pid1-boot.sh)
        # The hotplug program mounts sysfs there (and devtmpfs on /dev, which every tree has).
        if [ "$program" = hotplug ]; then mkdir "$tree/sys"; fi
        log=$work/$arch-$program.log
        make_initramfs "$tree.cpio" "$tree"
        start=$SECONDS
        status=0
        boot "$arch" "$(kernel_image "$s" "$arch")" "$tree.cpio" "$log" "$boot_timeout" \
            "${memory[$arch]}" 1 quiet "${args[@]}" || status=$?
        elapsed=$((SECONDS - start))
        # The console has CR LF line ends and may glue a line to firmware output: no anchoring.
        tr -d '\r' <"$log" | grep -a -o -E '((ok|skip|FAIL) [a-z0-9_]+|init:|hotplug:)( .*)?$' |
            sed 's/^/  /' || true
        want="${marker[$program]}: ok"
        result=$(tr -d '\r' <"$log" | grep -a -o "${marker[$program]}: .*" | tail -n 1 || true)
        echo "$arch $program: ${result:-no ${marker[$program]} line} ($accel, ${elapsed} s)"
        if [ "$result" != "$want" ]; then
            [ "$status" -eq 124 ] && echo "$arch $program: the boot timed out after $boot_timeout s"
            echo "$arch $program: last lines of the console ($log):"
            tr -d '\r' <"$log" | tail -n 30 | sed 's/^/  | /'
            failed+=("$arch/$program")
        fi
        if [ "$program" = pid1 ]; then
            exitcode=$(tr -d '\r' <"$log" | grep -a -o 'Attempted to kill init! exitcode=0x[0-9a-f]*' |
                tail -n 1 | sed 's/.*=//' || true)
            echo "$arch pid1: PID 1 exited, kernel panic: exitcode=${exitcode:-none} (want 0x00000700)"
            [ "$exitcode" = 0x00000700 ] || failed+=("$arch/pid1-exitcode")
        fi
    done
done

echo
if ((${#failed[@]})); then
    echo "boot-test: FAILED on ${failed[*]}"
    exit 1
fi
echo "boot-test: ${programs[*]} ok on ${arches[*]}"
