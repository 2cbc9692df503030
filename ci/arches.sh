# shellcheck shell=bash disable=SC2034 # sourced: the caller uses the tables
# The architectures freepoll is built and tested on, one row each: the one place in ci/ that
# names them. Every script here sources this file and reads its facts from the arrays below;
# ci/arch_check.py checks that .cargo/config.toml, Cargo.toml's docs.rs targets and
# src/lib.rs's list of supported targets agree with it. Adding an architecture is one row
# here, then the files that check names.
#
# Columns, separated by `|`:
#   name     short name (armv7 and thumbv7 are the same architecture, ARM and Thumb code)
#   target   the Rust target
#   debarch  Debian's architecture (packages, kernels)
#   flavour  the Debian kernel package's flavour (linux-image-FLAVOUR)
#   suites   the Debian suites whose kernels the matrix boots, oldest first
#   boot     the suite whose kernel ci/boot-test.sh boots
#   cross    the cross toolchain's prefix (Debian's gcc-PREFIX, sysroot /usr/PREFIX); empty
#            for the host's own
#   user     the qemu-user binary; empty where the host runs the code itself
#   system   the qemu-system binary
#   machine  qemu-system's machine options. s390x runs without the vector facility (vx=off):
#            on the 6.12 and 7.2 kernels (not 6.1) a blocking connect to a port with no
#            listener hung under bookworm's qemu 7.2 (TCG) in tests/socket.rs, by all signs
#            because the RST that refuses it is dropped for a checksum summed with vector
#            instructions that the emulator gets wrong; with vx=off, 34 of 34 pass.
#   console  the kernel's serial console
#   memory   MiB for a ci/boot-test.sh boot
#   bare     the bare-metal (`-none`) target with a rust-std download, if any
#   miri     `miri` where ci/miri.sh runs the Miri tests on this target
#   msrv     `msrv` where ci/msrv.sh builds at the minimum Rust version (a rust-std exists)
arch_table='
x86_64 |x86_64-unknown-linux-gnu           |amd64  |amd64      |bullseye bookworm trixie sid|bookworm|                    |                   |qemu-system-x86_64 |-vga none                         |ttyS0   |256|x86_64-unknown-none        |miri|msrv
i686   |i686-unknown-linux-gnu             |i386   |686        |bullseye bookworm           |bookworm|i686-linux-gnu      |                   |qemu-system-i386   |-M pc -vga none                   |ttyS0   |256|                           |miri|msrv
aarch64|aarch64-unknown-linux-gnu          |arm64  |arm64      |bullseye bookworm trixie sid|bookworm|aarch64-linux-gnu   |qemu-aarch64-static|qemu-system-aarch64|-M virt -cpu max,pauth-impdef=on  |ttyAMA0 |256|aarch64-unknown-none       |miri|
riscv64|riscv64gc-unknown-linux-gnu        |riscv64|riscv64    |trixie sid                  |trixie  |riscv64-linux-gnu   |qemu-riscv64-static|qemu-system-riscv64|-M virt -bios default             |ttyS0   |256|riscv64gc-unknown-none-elf |    |
armv7  |armv7-unknown-linux-gnueabihf      |armhf  |armmp      |bullseye bookworm trixie sid|bookworm|arm-linux-gnueabihf |qemu-arm-static    |qemu-system-arm    |-M virt,highmem=off -cpu cortex-a15|ttyAMA0 |256|armv7a-none-eabi           |    |msrv
thumbv7|thumbv7neon-unknown-linux-gnueabihf|armhf  |armmp      |bullseye bookworm trixie sid|bookworm|arm-linux-gnueabihf |qemu-arm-static    |qemu-system-arm    |-M virt,highmem=off -cpu cortex-a15|ttyAMA0 |256|                           |    |
ppc64le|powerpc64le-unknown-linux-gnu      |ppc64el|powerpc64le|bookworm trixie sid         |bookworm|powerpc64le-linux-gnu|qemu-ppc64le-static|qemu-system-ppc64  |-M pseries -cpu POWER9 -vga none  |hvc0    |512|                           |    |
s390x  |s390x-unknown-linux-gnu            |s390x  |s390x      |bookworm trixie sid         |bookworm|s390x-linux-gnu     |qemu-s390x-static  |qemu-system-s390x  |-M s390-ccw-virtio -cpu max,vx=off|ttysclp0|512|                           |miri|
'

all_arches=()
declare -A target=() debarch=() kflavour=() suites=() boot_suite=() cross=() qemu_user=()
declare -A qemu_bin=() machine=() console=() memory=() bare=() miri=() msrv=()
# Trims the spaces around a field.
_arch_field() {
    local v=$1
    v=${v#"${v%%[![:space:]]*}"}
    printf '%s' "${v%"${v##*[![:space:]]}"}"
}
while IFS='|' read -r _n _t _d _f _s _b _c _u _q _m _co _me _ba _mi _ms; do
    _n=$(_arch_field "$_n")
    [ -n "$_n" ] || continue
    all_arches+=("$_n")
    target[$_n]=$(_arch_field "$_t")
    debarch[$_n]=$(_arch_field "$_d")
    kflavour[${debarch[$_n]}]=$(_arch_field "$_f")
    suites[${debarch[$_n]}]=$(_arch_field "$_s")
    boot_suite[$_n]=$(_arch_field "$_b")
    cross[$_n]=$(_arch_field "$_c")
    qemu_user[$_n]=$(_arch_field "$_u")
    qemu_bin[$_n]=$(_arch_field "$_q")
    machine[$_n]=$(_arch_field "$_m")
    console[$_n]=$(_arch_field "$_co")
    memory[$_n]=$(_arch_field "$_me")
    bare[$_n]=$(_arch_field "$_ba")
    miri[$_n]=$(_arch_field "$_mi")
    msrv[$_n]=$(_arch_field "$_ms")
done <<<"$arch_table"
unset _n _t _d _f _s _b _c _u _q _m _co _me _ba _mi _ms

# Derived lists, in the table's order.
linux_targets=()    # every Rust Linux target
bare_targets=()     # every bare-metal target with a rust-std download
miri_targets=()     # where ci/miri.sh runs
msrv_cross=()       # the targets besides the host's that ci/msrv.sh builds at the MSRV
for _a in "${all_arches[@]}"; do
    linux_targets+=("${target[$_a]}")
    [ -z "${bare[$_a]}" ] || bare_targets+=("${bare[$_a]}")
    [ -z "${miri[$_a]}" ] || miri_targets+=("${target[$_a]}")
    [ -z "${msrv[$_a]}" ] || [ -z "${cross[$_a]}" ] || msrv_cross+=("${target[$_a]}")
done
unset _a

# The musl targets (static std programs) ci/test.sh runs the whole suite on, each an
# architecture of the table: natively where the host runs that architecture, under its
# qemu-user elsewhere. .cargo/config.toml links them with rust-lld (self-contained: rust-std
# ships musl's crt objects and libc.a), no musl-gcc.
musl_targets=(x86_64-unknown-linux-musl i686-unknown-linux-musl aarch64-unknown-linux-musl)

# The cross toolchain's commands (`${tool_prefix[ARCH]}strip`) and sysroot of ARCH.
declare -A tool_prefix=() sysroot=()
for _a in "${all_arches[@]}"; do
    if [ -n "${cross[$_a]}" ]; then
        tool_prefix[$_a]=${cross[$_a]}-
        sysroot[$_a]=/usr/${cross[$_a]}
    else
        tool_prefix[$_a]=
        sysroot[$_a]=/
    fi
done
unset _a

# The table's arrays are read-only from here: a script that reuses one of their names for
# its own variable (`bare=(...)`, `for target in`) stops with "readonly variable" at once
# instead of reading a garbled table later.
readonly all_arches target debarch kflavour suites boot_suite cross qemu_user qemu_bin machine \
    console memory bare miri msrv linux_targets bare_targets miri_targets msrv_cross tool_prefix sysroot \
    musl_targets
