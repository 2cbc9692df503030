#!/usr/bin/env bash
# Installs what freepoll's checks need when it is missing: the Rust targets, and (as root,
# through apt) qemu-user and the cross linkers. Without root it says what to install.
# Sourced by the ci/*.sh scripts; safe to run alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The pinned toolchain (rust-toolchain.toml) must be installed; rustup is not allowed to fetch
# it here, so say so plainly instead of failing later.
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
    echo "setup: Rust $toolchain is not installed: rustup toolchain install $toolchain --profile minimal -c rustfmt,clippy" >&2
    exit 1
fi

targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu riscv64gc-unknown-linux-gnu
         armv7-unknown-linux-gnueabihf thumbv7neon-unknown-linux-gnueabihf i686-unknown-linux-gnu
         powerpc64le-unknown-linux-gnu s390x-unknown-linux-gnu
         x86_64-unknown-none aarch64-unknown-none riscv64gc-unknown-none-elf armv7a-none-eabi)
installed=$(rustup target list --installed --toolchain "$toolchain")
missing_targets=()
for t in "${targets[@]}"; do
    grep -qx "$t" <<<"$installed" || missing_targets+=("$t")
done
if ((${#missing_targets[@]})); then
    echo "setup: rustup target add ${missing_targets[*]}"
    rustup target add --toolchain "$toolchain" "${missing_targets[@]}"
fi
for c in rustfmt clippy; do
    rustup component list --installed --toolchain "$toolchain" | grep -q "^$c" ||
        rustup component add --toolchain "$toolchain" "$c"
done

# command -> Debian package that provides it
declare -A need=(
    [qemu-aarch64-static]=qemu-user-static
    [qemu-riscv64-static]=qemu-user-static
    [qemu-arm-static]=qemu-user-static
    [qemu-i386-static]=qemu-user-static
    [qemu-ppc64le-static]=qemu-user-static
    [qemu-s390x-static]=qemu-user-static
    [aarch64-linux-gnu-gcc]=gcc-aarch64-linux-gnu
    [riscv64-linux-gnu-gcc]=gcc-riscv64-linux-gnu
    [arm-linux-gnueabihf-gcc]=gcc-arm-linux-gnueabihf
    [i686-linux-gnu-gcc]=gcc-i686-linux-gnu
    [powerpc64le-linux-gnu-gcc]=gcc-powerpc64le-linux-gnu
    [s390x-linux-gnu-gcc]=gcc-s390x-linux-gnu
)
declare -A libs=(
    [/usr/aarch64-linux-gnu/lib/crt1.o]=libc6-dev-arm64-cross
    [/usr/riscv64-linux-gnu/lib/crt1.o]=libc6-dev-riscv64-cross
    [/usr/arm-linux-gnueabihf/lib/crt1.o]=libc6-dev-armhf-cross
    [/usr/i686-linux-gnu/lib/crt1.o]=libc6-dev-i386-cross
    [/usr/powerpc64le-linux-gnu/lib/crt1.o]=libc6-dev-ppc64el-cross
    [/usr/s390x-linux-gnu/lib/crt1.o]=libc6-dev-s390x-cross
)
pkgs=()
for cmd in "${!need[@]}"; do command -v "$cmd" >/dev/null || pkgs+=("${need[$cmd]}"); done
for f in "${!libs[@]}"; do [ -e "$f" ] || pkgs+=("${libs[$f]}"); done
if ((${#pkgs[@]})); then
    mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "setup: missing ${pkgs[*]}; install them (Debian/Ubuntu):" >&2
        echo "  sudo apt-get update && sudo apt-get install -y ${pkgs[*]}" >&2
        exit 1
    fi
    echo "setup: apt-get install ${pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
