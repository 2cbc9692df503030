#!/usr/bin/env bash
# The minimum supported Rust version, proved: builds freepoll (no features, `alloc`, `std`,
# `entry`) and the freestanding `tiny`,
# runs its core tests (without and with all features) and the echo example's self-test on the
# native target with the exact toolchain that `rust-version` in Cargo.toml names (1.65 ->
# 1.65.0), installed with rustup when missing. Prints cargo's summaries.
#
# Why not simply `cargo +1.63.0 test` at the top of the tree:
# - freepoll's dev-dependencies (proptest, a current libc) need a newer Rust, and
#   cargo resolves and locks them even for a plain `cargo build`. So the check runs in ci/msrv/,
#   a crate of its own: it depends on freepoll by path (a path dependency brings none of its
#   dev-dependencies), has `libc` as its only dev-dependency, and its test targets are
#   freepoll's core test files themselves (tests/wait.rs, errors.rs, event_vec.rs, layout.rs,
#   raw.rs, with tests/common/), not copies; it builds the examples too. Its committed
#   Cargo.lock pins versions that build on the MSRV: libc 0.2.183, the last 0.2 release before
#   libc required Rust 1.65.
# - Cargo before 1.68 reads crates.io only through the git index, and CI reaches crates.io's
#   sparse index only. So the old cargo never touches the network: the pinned toolchain's cargo
#   (rust-toolchain.toml) first copies the locked crates into the target directory
#   (`cargo vendor`), and the old one builds from that copy (`--offline`, `--locked`, a source
#   replacement given with `--config`, which cargo accepts since 1.63).
# - rust-toolchain.toml pins the current toolchain for the whole tree; `cargo +<msrv>`
#   overrides it.
# Clippy (ci/test.sh, current toolchain) reads `rust-version` as well and holds back suggestions
# that would not build on it.
#
# After freepoll's version or dependencies change, refresh the lock (it resolves for
# `rust-version`):
#   cd ci/msrv && cargo generate-lockfile --config 'resolver.incompatible-rust-versions="fallback"'
set -euo pipefail
cd "$(dirname "$0")/.."

wanted=$(sed -n 's/^rust-version *= *"\(.*\)"/\1/p' Cargo.toml)
ours=$(sed -n 's/^rust-version *= *"\(.*\)"/\1/p' ci/msrv/Cargo.toml)
if [ -z "$wanted" ] || [ "$wanted" != "$ours" ]; then
    echo "msrv: rust-version is '$wanted' in Cargo.toml but '$ours' in ci/msrv/Cargo.toml" >&2
    exit 1
fi
toolchain=$wanted
[[ $toolchain =~ ^[0-9]+\.[0-9]+$ ]] && toolchain=$toolchain.0

if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
    echo "msrv: rustup toolchain install $toolchain --profile minimal"
    rustup toolchain install "$toolchain" --profile minimal
fi
# The other architectures whose asm is stable at the MSRV (arm's and x86's since 1.59). The
# rustup mirror has no 1.65 rust-std for thumbv7neon (the same arm file is checked through
# armv7). s390x's asm is stable from 1.84 and powerpc64's from 1.95, and the mirror has no
# rust-std of either for those versions (1.84.0 for s390x: "unavailable for download"), so
# those two are checked only with the pinned toolchain, by ci/test.sh.
# shellcheck source=ci/arches.sh
. ci/arches.sh # msrv_cross: `msrv` in the table, besides the host
missing=()
installed=$(rustup target list --installed --toolchain "$toolchain")
for t in "${msrv_cross[@]}"; do grep -qx "$t" <<<"$installed" || missing+=("$t"); done
if ((${#missing[@]})); then
    echo "msrv: rustup target add --toolchain $toolchain ${missing[*]}"
    rustup target add --toolchain "$toolchain" "${missing[@]}"
fi

target_dir=${CARGO_TARGET_DIR:-$PWD/target}/msrv
vendor=$target_dir/vendor
lock=ci/msrv/Cargo.lock

# Vendor again only when the lock changed since the last copy.
if ! cmp -s "$lock" "$vendor/.msrv-lock"; then
    echo "msrv: vendoring the crates in $lock into $vendor"
    if ! (cd ci/msrv && cargo vendor --quiet --locked --versioned-dirs "$vendor" >/dev/null); then
        echo "msrv: $lock is out of date; refresh it as the top of ci/msrv.sh says" >&2
        exit 1
    fi
    cp "$lock" "$vendor/.msrv-lock"
fi

# `cargo +<msrv> <command> ...` in ci/msrv, offline, from the vendored copy.
old() {
    (cd ci/msrv && CARGO_TARGET_DIR=$target_dir cargo "+$toolchain" --locked --offline \
        --config 'source.crates-io.replace-with="msrv-vendor"' \
        --config "source.msrv-vendor.directory=\"$vendor\"" "$@")
}

echo "msrv: $(rustup run "$toolchain" cargo --version), $(rustup run "$toolchain" rustc --version)"
old build --quiet
old build --quiet --features alloc
old build --quiet --features std
old build --quiet --features entry
echo "msrv: freepoll builds with Rust $toolchain: no features, alloc, std, entry"
for t in "${msrv_cross[@]}"; do
    old build --quiet --target "$t"
    old build --quiet --target "$t" --features std,entry
done
echo "msrv: and for ${msrv_cross[*]}, with no features and with std and entry"

# `tiny` as freestanding/ builds it (no libc, rust-lld, its `_start` from `entry!`), with the
# old compiler; then run.
host=$(rustc -vV | sed -n 's/^host: //p')
RUSTFLAGS="-C panic=abort -C linker=rust-lld -C linker-flavor=ld.lld -C relocation-model=static \
-C link-arg=-static -C force-unwind-tables=no -C link-arg=--no-eh-frame-hdr \
-C link-arg=--defsym=rust_eh_personality=0" \
    old build --quiet --release --features entry --example tiny --target "$host"
"$target_dir/$host/release/examples/tiny"
echo "msrv: the freestanding tiny (entry feature), built with Rust $toolchain, runs and exits 0"

echo "msrv: core tests with Rust $toolchain, no features"
old test
echo "msrv: core tests with Rust $toolchain, all features (the examples are built too)"
old test --features std
echo "msrv: the echo example's self-test, built with Rust $toolchain"
old run --quiet --features std --example echo -- --clients 20
