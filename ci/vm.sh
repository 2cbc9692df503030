# shellcheck shell=bash disable=SC2034,SC2154 # sourced: the caller sets root and arches, and
# uses the tables
# Sourced by ci/boot-test.sh and ci/kernel-test.sh: Debian's kernels, qemu-system, the
# initramfs writer and the boot itself, for every architecture freepoll supports.
#
# What it needs comes from Debian's archive without touching the system's apt configuration:
# `apt-get download` with private lists (`-o Dir::...`, `-o APT::Architecture=...`), unpacked
# with dpkg-deb, kept in .cache/boot (git-ignored), so downloads happen once:
# - kernels: linux-image-amd64, -arm64, -armmp (armhf), -686 (i386), -powerpc64le, -s390x and
#   -riscv64 of a suite (bullseye, bookworm, trixie, sid), each resolved to the versioned
#   package it depends on, in .cache/boot/kernel-SUITE-DEBARCH;
# - busybox-static, for the test runner's /init (ci/kernel-test.sh);
# - qemu-system-x86, -arm, -ppc and -misc: the system's own when installed, otherwise
#   bookworm's, unpacked with the few libraries the system lacks and run from the cache.
#
# The caller sets `root` (the repository) and `arches` (the architectures it boots) first.
# Environment: DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR (a stable suite's -security updates).
# Delete .cache/boot to fetch the current kernels again.

cache=$root/.cache/boot
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# What each boot uses (Rust target, Debian architecture, kernel flavour, qemu-system binary,
# machine options, memory, serial console) comes from the architecture table.
# shellcheck source=ci/arches.sh
. "$root/ci/arches.sh"

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
    # The system's archive keyring (bookworm's also holds the keys of bullseye, trixie and
    # sid); without it (not a Debian system), the lists are taken unverified.
    [ -r "$keyring" ] && trust="signed-by=$keyring"
    echo "deb [$trust] $mirror $suite main" >"$d/sources.list"
    # A stable release's security updates (its newer kernels) are in a suite of their own.
    [ "$suite" = sid ] ||
        echo "deb [$trust] $security_mirror $suite-security main" >>"$d/sources.list"
    echo "vm: apt-get update ($suite, $arch, private lists)"
    # Not every architecture has security updates (bullseye's armhf has none): only the
    # suite's own list must come.
    papt "$suite" "$arch" apt-get update >"$d/update.log" 2>&1 || true
    if ! compgen -G "$d/lists/*_dists_${suite}_main_binary-${arch}_Packages*" >/dev/null; then
        echo "vm: no package list for $suite ($arch) from $mirror:" >&2
        cat "$d/update.log" >&2
        exit 1
    fi
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
# Kernels: $cache/kernel-SUITE-DEBARCH/ holds the image, and `package`, the package it came
# from (with its version).

fetch_kernel() {
    local s=$1 a=$2
    local d=$cache/kernel-$s-$a
    [ -s "$d/package" ] && return
    local meta=linux-image-${kflavour[$a]}
    papt_update "$s" "$a"
    # linux-image-FLAVOUR is a meta package: the kernel is the linux-image-* it depends on.
    local pkg
    pkg=$(papt "$s" "$a" apt-cache depends "$meta" |
        sed -n 's/^ *Depends: \(linux-image-[^ <>]*\)$/\1/p' | head -n 1)
    [ -n "$pkg" ] || { echo "vm: no kernel package behind $meta ($s, $a)" >&2; exit 1; }
    rm -rf "$d" && mkdir -p "$d/deb"
    # The archive has been seen to list a kernel that its pool does not hold yet (404): then
    # the newest earlier build of the same release (X.Y) that it does hold.
    if ! (cd "$d/deb" && papt_download "$s" "$a" "$pkg" 2>/dev/null); then
        local release=${pkg#linux-image-} candidate
        release=$(grep -o -E '^[0-9]+\.[0-9]+' <<<"$release")
        echo "vm: $pkg is listed ($s, $a) but cannot be downloaded; trying earlier $release builds"
        pkg=
        for candidate in $(papt "$s" "$a" apt-cache pkgnames "linux-image-$release." |
            grep -E -x "linux-image-[0-9]+\.[0-9]+(\.[0-9]+)?(-[0-9]+|\+deb[0-9]+)-${kflavour[$a]}" |
            sort -r -V); do
            if (cd "$d/deb" && papt_download "$s" "$a" "$candidate" 2>/dev/null); then
                pkg=$candidate
                break
            fi
        done
        [ -n "$pkg" ] || { echo "vm: no $release kernel can be downloaded ($s, $a)" >&2; exit 1; }
    fi
    local version debs=("$d/deb/${pkg}"_*.deb)
    local deb=${debs[0]}
    version=$(dpkg-deb -f "$deb" Version)
    echo "vm: $pkg $version ($s, $a)"
    # Newer kernels (sid's 7.x) keep the image in a package of its own, linux-binary-*, on
    # which linux-image-* depends.
    local binary
    binary=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-binary-[^ ]*\).*/\1/p')
    if [ -n "$binary" ]; then
        (cd "$d/deb" && papt_download "$s" "$a" "$binary")
        debs=("$d/deb/${binary}"_*.deb)
        deb=${debs[0]}
    fi
    # Only the image is needed, not the modules: /boot/vmlinuz-* (vmlinux-* on riscv64 and
    # ppc64el), or /usr/lib/modules/*/vmlinu[xz] in linux-binary-*.
    local image
    image=$(dpkg-deb -c "$deb" | grep -o -E '\./(boot/vmlinu[xz]-.*|usr/lib/modules/[^/]*/vmlinu[xz])$' |
        head -n 1)
    [ -n "$image" ] || { echo "vm: no kernel image in $pkg ($s, $a)" >&2; exit 1; }
    dpkg-deb --fsys-tarfile "$deb" | tar -x -O "$image" >"$d/image"
    rm -rf "$d/deb"
    echo "$pkg $version" >"$d/package"
}

# busybox-static of DEBARCH in $cache/busybox-DEBARCH/busybox: the shell and the few commands
# (mount, ip, poweroff) of ci/kernel-test.sh's /init. From the suite ci/boot-test.sh boots for
# that architecture (`boot` in ci/arches.sh); static, so it runs on every kernel of the matrix.
fetch_busybox() {
    local a=$1
    local d=$cache/busybox-$a s x
    [ -x "$d/busybox" ] && return
    for x in "${all_arches[@]}"; do [ "${debarch[$x]}" = "$a" ] && s=${boot_suite[$x]}; done
    rm -rf "$d" && mkdir -p "$d/deb"
    (cd "$d/deb" && papt_download "$s" "$a" busybox-static)
    # /bin/busybox, or /usr/bin/busybox from trixie on (merged /usr).
    local member
    member=$(dpkg-deb -c "$d"/deb/*.deb | grep -o -E '\./(usr/)?bin/busybox$' | head -n 1)
    [ -n "$member" ] || { echo "vm: no busybox in busybox-static ($s, $a)" >&2; exit 1; }
    dpkg-deb --fsys-tarfile "$d"/deb/*.deb | tar -x -O "$member" >"$d/busybox.part"
    chmod 755 "$d/busybox.part"
    rm -rf "$d/deb"
    mv "$d/busybox.part" "$d/busybox"
}

# The image to boot for ARCH from $cache/kernel-SUITE-DEBARCH. On x86_64 the bzImage
# decompresses itself, which under TCG takes several seconds. Its payload is an ELF vmlinux
# with a PVH entry point (CONFIG_PVH), which qemu boots directly: unpack it once. The bzImage
# stays the image if its payload is not xz.
kernel_image() {
    local s=$1 arch=$2
    local d=$cache/kernel-$s-${debarch[$arch]}
    if [ "$arch" = x86_64 ]; then
        if [ ! -s "$d/vmlinux" ]; then
            python3 "$root/ci/vm.py" vmlinux "$d/image" "$d/vmlinux" || rm -f "$d/vmlinux"
        fi
        [ -s "$d/vmlinux" ] && { echo "$d/vmlinux"; return; }
    fi
    echo "$d/image"
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
    echo "vm: unpacking bookworm's qemu-system into .cache/boot/qemu"
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
    private_qemu_paths
    local missing
    for arch in "${arches[@]}"; do
        if [ ! -x "${qemu[$arch]}" ]; then
            echo "vm: bookworm's qemu-system packages have no ${qemu_bin[$arch]}" >&2
            exit 1
        fi
        missing=$(LD_LIBRARY_PATH=$qemu_libdir ldd "${qemu[$arch]}" | grep 'not found' || true)
        if [ -n "$missing" ]; then
            echo "vm: ${qemu_bin[$arch]} needs libraries this system lacks:" >&2
            echo "$missing" >&2
            exit 1
        fi
    done
    echo "$wanted" >"$qemu_private/complete"
}

# KVM only for x86_64 on an x86_64 host whose /dev/kvm is the real thing: the kvm_intel or
# kvm_amd module. Other providers of /dev/kvm (nested variants) were seen to hang stock kernels.
accel_x86=tcg
if [ "$(uname -m)" = x86_64 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
    { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
    accel_x86=kvm
fi

# ---------------------------------------------------------------------------------------------
# The initramfs: a cpio archive in the "newc" format holding /dev/console (so that the kernel
# opens it as /init's fd 0, 1 and 2) and the tree of a directory (files, directories and
# symbolic links, owned by root). Written here, not with cpio(1): a device node needs no root
# privileges in an archive.

# make_initramfs OUT DIR: DIR's tree, with DIR/init as /init.
make_initramfs() {
    python3 "$root/ci/vm.py" initramfs "$1" "$2"
}

# ---------------------------------------------------------------------------------------------

# boot ARCH KERNEL INITRAMFS LOG SECONDS MEMORY_MB CPUS [KERNEL_ARGS...]: one boot, console
# to LOG, bounded by `timeout`. Returns qemu's status (124 when it timed out). qemu exits 0
# after a kernel panic too: callers read the console, not the status.
boot() {
    local arch=$1 kernel=$2 initramfs=$3 log=$4 seconds=$5 mem=$6 cpus=$7
    shift 7
    local accel=tcg
    [ "$arch" = x86_64 ] && accel=$accel_x86
    # -no-reboot: a kernel panic (panic=-1 reboots at once) ends qemu instead of looping.
    # shellcheck disable=SC2086 # the machine options are several words
    env ${qemu_libdir:+LD_LIBRARY_PATH="$qemu_libdir"} timeout "$seconds" "${qemu[$arch]}" \
        ${machine[$arch]} ${qemu_firmware[$arch]:-} -accel "$accel" -m "$mem" -smp "$cpus" -nographic \
        -no-reboot -nic none -kernel "$kernel" -initrd "$initramfs" \
        -append "console=${console[$arch]} panic=-1 $*" </dev/null >"$log" 2>&1
}
