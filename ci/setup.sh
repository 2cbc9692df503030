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

# Every target of the architecture table, its bare-metal targets and its musl targets.
# shellcheck source=ci/arches.sh
. ci/arches.sh
targets=("${linux_targets[@]}" "${bare_targets[@]}" "${musl_targets[@]}")
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

# command -> Debian package that provides it, and a file -> the package that provides it: each
# architecture's qemu-user, its cross gcc (gcc-PREFIX) and its C library (libc6-dev-DEBARCH-cross,
# known by its crt1.o), from the architecture table.
declare -A need=() libs=()
for a in "${all_arches[@]}"; do
    [ -z "${qemu_user[$a]}" ] || need[${qemu_user[$a]}]=qemu-user-static
    [ -n "${cross[$a]}" ] || continue
    need[${cross[$a]}-gcc]=gcc-${cross[$a]}
    libs[${sysroot[$a]}/lib/crt1.o]=libc6-dev-${debarch[$a]}-cross
done
# i686 runs on the host, but ci/freestanding.sh also runs it under qemu-user when the host is
# not x86_64.
need[qemu-i386-static]=qemu-user-static
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
