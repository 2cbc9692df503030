#!/usr/bin/env bash
# freepoll's freestanding programs on real kernels. For x86_64, aarch64, riscv64, armv7 and
# thumbv7 (ARM and Thumb code on the armhf kernel), i686, ppc64le and s390x, three boots each:
# `selftest` (freestanding/src/bin/selftest.rs), `init` (freestanding/src/bin/init.rs) and
# `hotplug` (freestanding/src/bin/hotplug.rs: a uevent it triggers and an inotify creation), each
# packed as /init into a minimal initramfs and booted under qemu-system with a Debian kernel
# (bookworm's 6.1; trixie's 6.12 on riscv64, which bookworm lacks). Reads each one's summary
# line from the serial console (`FREEPOLL-RESULT` for the selftest, `FREEPOLL-INIT` for the
# init, `FREEPOLL-HOTPLUG` for hotplug) and fails on anything but `...: ok`. Every boot is
# bounded by `timeout`.
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
declare -A memory=([ppc64le]=512 [s390x]=512)
# The kernel each architecture boots.
suite_of() { if [ "${debarch[$1]}" = riscv64 ]; then echo trixie; else echo bookworm; fi; }

step() { printf '\n--> %s\n' "$*"; }

# Each program booted, and the summary line it ends with.
programs=(selftest init hotplug)
declare -A marker=([selftest]=FREEPOLL-RESULT [init]=FREEPOLL-INIT [hotplug]=FREEPOLL-HOTPLUG)

step "build ${programs[*]}"
(cd freestanding && for arch in "${arches[@]}"; do
    cargo build --quiet --release --target "${target[$arch]}" --bin selftest --bin init --bin hotplug
done)

step "kernels and qemu"
mkdir -p "$cache" "$work"
for arch in "${arches[@]}"; do fetch_kernel "$(suite_of "$arch")" "${debarch[$arch]}"; done
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
        # The hotplug program mounts sysfs there (and devtmpfs on /dev, which every tree has).
        if [ "$program" = hotplug ]; then mkdir "$tree/sys"; fi
        log=$work/$arch-$program.log
        make_initramfs "$tree.cpio" "$tree"
        start=$SECONDS
        status=0
        boot "$arch" "$(kernel_image "$s" "$arch")" "$tree.cpio" "$log" "$boot_timeout" \
            "${memory[$arch]:-256}" 1 quiet || status=$?
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
    done
done

echo
if ((${#failed[@]})); then
    echo "boot-test: FAILED on ${failed[*]}"
    exit 1
fi
echo "boot-test: ${programs[*]} ok on ${arches[*]}"
