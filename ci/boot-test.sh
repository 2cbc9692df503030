#!/usr/bin/env bash
# freepoll on real kernels. For x86_64, aarch64, riscv64, armv7 and thumbv7 (ARM and Thumb code
# on the armhf kernel), i686, ppc64le and s390x, two boots each: the freestanding
# programs `selftest` (freestanding/src/bin/selftest.rs) and `init` (freestanding/src/bin/init.rs),
# each packed as /init into a minimal initramfs and booted under qemu-system with a Debian
# kernel. Reads each one's summary line from the serial console (`FREEPOLL-RESULT` for the
# selftest, `FREEPOLL-INIT` for the init) and fails on anything but `...: ok`. Every boot is
# bounded by `timeout`.
#
# qemu-user, which ci/freestanding.sh uses, emulates the system calls itself: it lacks
# epoll_pwait2 and converts structures on its own. Here the programs run on the kernels' own
# code.
#
# What it needs comes from Debian's archive without touching the system's apt configuration:
# `apt-get download` with private lists (`-o Dir::...`, `-o APT::Architecture=...`), unpacked
# with dpkg-deb, kept in .cache/boot (git-ignored), so downloads happen once:
# - kernels: bookworm's linux-image-amd64, -arm64, -armmp (armhf), -686 (i386), -powerpc64le
#   and -s390x, trixie's linux-image-riscv64 (bookworm has no riscv64 port), each resolved to
#   the versioned package it depends on;
# - qemu-system-x86, -arm, -ppc and -misc: the system's own when installed, otherwise
#   bookworm's, unpacked with the few libraries the system lacks and run from the cache.
#
# Environment: BOOT_TIMEOUT (seconds per boot, default 120), DEBIAN_MIRROR, BOOT_ARCHES (a
# space-separated subset of the architectures below). Delete .cache/boot
# to fetch the current kernels again.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=$root/.cache/boot
work=$root/target/boot-test
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
boot_timeout=${BOOT_TIMEOUT:-120}

ci/setup.sh # the Rust targets

# What each boot uses: Rust target, Debian architecture, kernel package and suite, qemu-system
# binary, machine options, memory, serial console. armv7 and thumbv7 (the same architecture,
# ARM and Thumb code) share the armhf kernel.
all_arches=(x86_64 aarch64 riscv64 armv7 thumbv7 i686 ppc64le s390x)
# BOOT_ARCHES="i686 s390x" boots only those.
read -r -a arches <<<"${BOOT_ARCHES:-${all_arches[*]}}"
declare -A target=([x86_64]=x86_64-unknown-linux-gnu [aarch64]=aarch64-unknown-linux-gnu
    [riscv64]=riscv64gc-unknown-linux-gnu [armv7]=armv7-unknown-linux-gnueabihf
    [thumbv7]=thumbv7neon-unknown-linux-gnueabihf [i686]=i686-unknown-linux-gnu
    [ppc64le]=powerpc64le-unknown-linux-gnu [s390x]=s390x-unknown-linux-gnu)
declare -A debarch=([x86_64]=amd64 [aarch64]=arm64 [riscv64]=riscv64 [armv7]=armhf
    [thumbv7]=armhf [i686]=i386 [ppc64le]=ppc64el [s390x]=s390x)
declare -A kflavour=([amd64]=amd64 [arm64]=arm64 [riscv64]=riscv64 [armhf]=armmp [i386]=686
    [ppc64el]=powerpc64le [s390x]=s390x)
declare -A suite=([amd64]=bookworm [arm64]=bookworm [riscv64]=trixie [armhf]=bookworm
    [i386]=bookworm [ppc64el]=bookworm [s390x]=bookworm)
declare -A qemu_bin=([x86_64]=qemu-system-x86_64 [aarch64]=qemu-system-aarch64
    [riscv64]=qemu-system-riscv64 [armv7]=qemu-system-arm [thumbv7]=qemu-system-arm
    [i686]=qemu-system-i386 [ppc64le]=qemu-system-ppc64 [s390x]=qemu-system-s390x)
declare -A machine=([x86_64]="-vga none" [aarch64]="-M virt -cpu max,pauth-impdef=on"
    [riscv64]="-M virt -bios default" [armv7]="-M virt,highmem=off -cpu cortex-a15"
    [thumbv7]="-M virt,highmem=off -cpu cortex-a15" [i686]="-M pc -vga none"
    [ppc64le]="-M pseries -cpu POWER9 -vga none" [s390x]="-M s390-ccw-virtio -cpu max")
declare -A memory=([ppc64le]=512 [s390x]=512)
declare -A console=([x86_64]=ttyS0 [aarch64]=ttyAMA0 [riscv64]=ttyS0 [armv7]=ttyAMA0
    [thumbv7]=ttyAMA0 [i686]=ttyS0 [ppc64le]=hvc0 [s390x]=ttysclp0)

step() { printf '\n--> %s\n' "$*"; }

# ---------------------------------------------------------------------------------------------
# Private apt: `papt SUITE ARCH apt-get|apt-cache ARGS...` runs apt against its own sources
# list, package lists, cache and (empty) dpkg status under $cache/apt/SUITE-ARCH.

papt() {
    local suite=$1 arch=$2 cmd=$3
    shift 3
    local d=$cache/apt/$suite-$arch
    "$cmd" -q -o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts="$d/none" \
        -o Dir::Etc::Preferences="$d/none/preferences" -o Dir::Etc::PreferencesParts="$d/none" \
        -o Dir::State::Lists="$d/lists" -o Dir::State::status="$d/status" \
        -o Dir::Cache="$d/cache" -o APT::Architecture="$arch" -o APT::Architectures="$arch" \
        -o Acquire::Languages=none -o APT::Sandbox::User="$(id -un)" -o Debug::NoLocking=1 \
        "$@"
}

# Fetches the package lists of SUITE for ARCH, once per run.
declare -A updated=()
papt_update() {
    local suite=$1 arch=$2
    [ -n "${updated[$suite-$arch]:-}" ] && return
    local d=$cache/apt/$suite-$arch trust="trusted=yes"
    mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/none"
    : >"$d/status"
    # The system's archive keyring (bookworm's also holds trixie's key); without it (not a
    # Debian system), the lists are taken unverified.
    [ -r "$keyring" ] && trust="signed-by=$keyring"
    echo "deb [$trust] $mirror $suite main" >"$d/sources.list"
    echo "boot-test: apt-get update ($suite, $arch, private lists)"
    papt "$suite" "$arch" apt-get update --error-on=any >/dev/null
    updated[$suite-$arch]=1
}

# Downloads the .deb files of PACKAGES (SUITE, ARCH) into the current directory.
papt_download() {
    local suite=$1 arch=$2
    shift 2
    papt_update "$suite" "$arch"
    papt "$suite" "$arch" apt-get download "$@" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# Kernels: $cache/kernel-DEBARCH/ holds the image, and `package`, the package it came from.

fetch_kernel() {
    local a=$1
    local d=$cache/kernel-$a
    [ -s "$d/package" ] && return
    local s=${suite[$a]} meta=linux-image-${kflavour[$a]}
    papt_update "$s" "$a"
    # linux-image-FLAVOUR is a meta package: the kernel is the linux-image-* it depends on.
    local pkg
    pkg=$(papt "$s" "$a" apt-cache depends "$meta" |
        sed -n 's/^ *Depends: \(linux-image-[^ <>]*\)$/\1/p' | head -n 1)
    [ -n "$pkg" ] || { echo "boot-test: no kernel package behind $meta ($s)" >&2; exit 1; }
    echo "boot-test: $pkg ($s)"
    rm -rf "$d" && mkdir -p "$d/deb"
    (cd "$d/deb" && papt_download "$s" "$a" "$pkg")
    # Only /boot is needed: the image (vmlinuz-*, or vmlinux-* on riscv64 and ppc64el), not
    # the modules.
    dpkg-deb --fsys-tarfile "$d"/deb/*.deb | tar -x -C "$d" ./boot
    mv "$d"/boot/vmlinu[xz]-* "$d/image"
    rm -rf "$d/deb" "$d/boot"
    echo "$pkg" >"$d/package"
}

# x86_64: the bzImage decompresses itself, which under TCG takes several seconds. Its payload
# is an ELF vmlinux with a PVH entry point (CONFIG_PVH), which qemu boots directly: unpack it
# once. Prints the image to boot: the ELF, or the bzImage if its payload is not xz.
x86_64_image() {
    local d=$cache/kernel-amd64
    if [ ! -s "$d/vmlinux" ]; then
        python3 - "$d/image" "$d/vmlinux" <<'EOF' || rm -f "$d/vmlinux"
import lzma, sys
data = open(sys.argv[1], "rb").read()
start = data.find(b"\xfd7zXZ\x00")  # the xz stream header
if start < 0:
    sys.exit(1)
elf = lzma.LZMADecompressor().decompress(data[start:])
if not elf.startswith(b"\x7fELF"):
    sys.exit(1)
open(sys.argv[2], "wb").write(elf)
EOF
    fi
    if [ -s "$d/vmlinux" ]; then echo "$d/vmlinux"; else echo "$d/image"; fi
}

# ---------------------------------------------------------------------------------------------
# qemu-system: the system's, or bookworm's unpacked into $cache/qemu.

qemu_libs=(libcapstone4 libfdt1 libpmem1 libndctl6 libdaxctl1 librdmacm1 libibverbs1
    libnl-3-200 libnl-route-3-200 libslirp0 libvdeplug2)
qemu_private=$cache/qemu
# The unpacked libraries, for LD_LIBRARY_PATH; empty when the system's qemu is used.
qemu_libdir=
declare -A qemu=()
# Extra options that point an unpacked qemu at its firmware, per architecture.
declare -A qemu_firmware=()

# Sets qemu[ARCH] (and qemu_firmware[ARCH]) to the emulators unpacked in $qemu_private.
private_qemu_paths() {
    local arch
    for arch in "${arches[@]}"; do
        qemu[$arch]=$qemu_private/root/usr/bin/${qemu_bin[$arch]}
        # Debian's qemu-system-i386 is a shell wrapper that runs /usr/libexec/qemu-system-i386,
        # an absolute path: run that directly, with the unpacked SeaBIOS (the BIOS links in
        # usr/share/qemu point at /usr/share/seabios, absolute as well).
        if [ -x "$qemu_private/root/usr/libexec/${qemu_bin[$arch]}" ]; then
            qemu[$arch]=$qemu_private/root/usr/libexec/${qemu_bin[$arch]}
            qemu_firmware[$arch]="-L $qemu_private/root/usr/share/seabios"
        fi
    done
}

# Sets qemu[ARCH] for every architecture: the system's qemu-system-* when all are installed,
# otherwise bookworm's, unpacked once.
find_qemu() {
    local arch installed=yes
    for arch in "${arches[@]}"; do command -v "${qemu_bin[$arch]}" >/dev/null || installed=; done
    if [ -n "$installed" ]; then
        for arch in "${arches[@]}"; do qemu[$arch]=$(command -v "${qemu_bin[$arch]}"); done
        return
    fi
    local hostarch triplet
    hostarch=$(dpkg --print-architecture)
    triplet=$(uname -m)-linux-gnu
    qemu_libdir=$qemu_private/root/usr/lib/$triplet:$qemu_private/root/lib/$triplet
    private_qemu_paths
    # The emulators kept, as the marker of a complete unpacking: a new one unpacks again.
    local wanted
    wanted=$(printf '%s\n' "${qemu_bin[@]}" | sort -u | tr '\n' ' ')
    [ "$(cat "$qemu_private/complete" 2>/dev/null)" = "$wanted" ] && return
    echo "boot-test: unpacking bookworm's qemu-system into .cache/boot/qemu"
    rm -rf "$qemu_private" && mkdir -p "$qemu_private/deb"
    papt_update bookworm "$hostarch"
    (cd "$qemu_private/deb" && papt_download bookworm "$hostarch" \
        qemu-system-x86 qemu-system-arm qemu-system-ppc qemu-system-misc qemu-system-common \
        qemu-system-data seabios "${qemu_libs[@]}")
    local deb
    for deb in "$qemu_private"/deb/*.deb; do dpkg -x "$deb" "$qemu_private/root"; done
    # Only the emulators above are used; the rest of qemu-system-misc is most of its size.
    local bin
    for bin in "$qemu_private"/root/usr/bin/qemu-system-*; do
        grep -qw "$(basename "$bin")" <<<"$wanted" || rm -f "$bin"
    done
    rm -rf "$qemu_private/deb" "$qemu_private/root/usr/share/doc" "$qemu_private/root/usr/share/man"
    local missing
    for arch in "${arches[@]}"; do
        if [ ! -x "${qemu[$arch]}" ]; then
            echo "boot-test: bookworm's qemu-system packages have no ${qemu_bin[$arch]}" >&2
            exit 1
        fi
        missing=$(LD_LIBRARY_PATH=$qemu_libdir ldd "${qemu[$arch]}" | grep 'not found' || true)
        if [ -n "$missing" ]; then
            echo "boot-test: ${qemu_bin[$arch]} needs libraries this system lacks:" >&2
            echo "$missing" >&2
            exit 1
        fi
    done
    private_qemu_paths
    echo "$wanted" >"$qemu_private/complete"
}

# ---------------------------------------------------------------------------------------------
# The initramfs: a cpio archive in the "newc" format holding /dev/console (so that the kernel
# opens it as /init's fd 0, 1 and 2) and /init. Written here, not with cpio(1): a device node
# needs no root privileges in an archive.

make_initramfs() {
    python3 - "$1" "$2" <<'EOF'
import sys

out, init = sys.argv[1], sys.argv[2]
entries = [
    # name, mode, rdev major, rdev minor, contents
    ("dev", 0o040755, 0, 0, b""),
    ("dev/console", 0o020600, 5, 1, b""),  # character device 5:1
    ("init", 0o100755, 0, 0, open(init, "rb").read()),
    ("TRAILER!!!", 0, 0, 0, b""),
]
archive = bytearray()
for ino, (name, mode, major, minor, data) in enumerate(entries, 1):
    name = name.encode() + b"\0"
    nlink = 2 if mode & 0o040000 else 1
    # magic, then 13 fields of 8 hex digits: ino, mode, uid, gid, nlink, mtime, filesize,
    # devmajor, devminor, rdevmajor, rdevminor, namesize, check
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, major, minor, len(name), 0]
    header = b"070701" + b"".join(b"%08X" % f for f in fields)
    archive += header + name + b"\0" * (-(len(header) + len(name)) % 4)
    archive += data + b"\0" * (-len(data) % 4)
open(out, "wb").write(archive)
EOF
}

# ---------------------------------------------------------------------------------------------

# Each program booted, and the summary line it ends with.
programs=(selftest init)
declare -A marker=([selftest]=FREEPOLL-RESULT [init]=FREEPOLL-INIT)

step "build ${programs[*]}"
(cd freestanding && for arch in "${arches[@]}"; do
    cargo build --quiet --release --target "${target[$arch]}" --bin selftest --bin init
done)

step "kernels and qemu"
mkdir -p "$cache" "$work"
for a in $(for arch in "${arches[@]}"; do echo "${debarch[$arch]}"; done | sort -u); do
    fetch_kernel "$a"
done
find_qemu

# KVM only for x86_64 on an x86_64 host whose /dev/kvm is the real thing: the kvm_intel or
# kvm_amd module. Other providers of /dev/kvm (nested variants) were seen to hang stock kernels.
accel_x86=tcg
if [ "$(uname -m)" = x86_64 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
    { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
    accel_x86=kvm
fi

failed=()
for arch in "${arches[@]}"; do
    kernel=$cache/kernel-${debarch[$arch]}/image
    accel=tcg
    if [ "$arch" = x86_64 ]; then
        kernel=$(x86_64_image)
        accel=$accel_x86
    fi
    for program in "${programs[@]}"; do
        step "boot $arch, $program as /init: $(cat "$cache/kernel-${debarch[$arch]}/package")"
        initramfs=$work/$arch-$program.cpio
        log=$work/$arch-$program.log
        make_initramfs "$initramfs" "$root/target/freestanding/${target[$arch]}/release/$program"
        start=$SECONDS
        status=0
        # -no-reboot: a kernel panic (panic=-1 reboots at once) ends qemu instead of looping.
        # qemu exits 0 after a panic too: only the result line counts.
        # shellcheck disable=SC2086 # the machine options are several words
        env ${qemu_libdir:+LD_LIBRARY_PATH="$qemu_libdir"} timeout "$boot_timeout" "${qemu[$arch]}" \
            ${machine[$arch]} ${qemu_firmware[$arch]:-} -accel "$accel" -m "${memory[$arch]:-256}" -nographic -no-reboot -nic none \
            -kernel "$kernel" -initrd "$initramfs" \
            -append "console=${console[$arch]} panic=-1 quiet" \
            </dev/null >"$log" 2>&1 || status=$?
        elapsed=$((SECONDS - start))
        # The console has CR LF line ends and may glue a line to firmware output: no anchoring.
        tr -d '\r' <"$log" | grep -a -o -E '((ok|skip|FAIL) [a-z0-9_]+|init:)( .*)?$' |
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
