#!/usr/bin/env bash
# What crates.io would get: checks the file list of the package (the arch/ files and the texts
# in, the CI scripts, the freestanding programs and the benchmarks out), runs
# `cargo publish --dry-run` (packages the crate and builds it from the package, as a user's
# cargo would; needs crates.io's index, nothing is uploaded), then builds the unpacked package
# again with all features and for a bare-metal target.
#
# The shipped tests are not run from the package: they would build every dev-dependency, and
# ci/test.sh runs the same files from the tree.
set -euo pipefail
cd "$(dirname "$0")/.."

toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
name=$(sed -n 's/^name *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
target_dir=${CARGO_TARGET_DIR:-$PWD/target}

# --allow-dirty: the check is of the tree as it is, committed or not.
list=$(cargo package --list --allow-dirty)

fail=0
# Every source file must ship: the library includes arch/<arch>.rs by path, so a package
# without them builds nowhere.
for f in Cargo.toml README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE src/*.rs arch/*.rs; do
    if ! grep -qxF "$f" <<<"$list"; then
        echo "package: $f is missing from the package" >&2
        fail=1
    fi
done
unwanted=$(grep -E '^(ci|freestanding|bench|docs|target|\.ci|\.cargo|\.cache)/|^rust-toolchain\.toml$' \
    <<<"$list" || true)
if [ -n "$unwanted" ]; then
    echo "package: these files would ship but are of no use to users:" >&2
    sed 's/^/  /' <<<"$unwanted" >&2
    fail=1
fi
if ((fail)); then
    echo "package: fix \`include\` in Cargo.toml" >&2
    exit 1
fi
echo "package: $(wc -l <<<"$list") files, arch/ included, nothing unwanted"

cargo publish --dry-run --allow-dirty

# The packaged crate once more, unpacked outside the tree (so nothing of the tree can leak in),
# with the pinned toolchain named explicitly (rust-toolchain.toml is not in the package). The
# dry run keeps its .crate somewhere of its own; `cargo package` writes it where this expects.
cargo package --quiet --no-verify --allow-dirty
crate=$target_dir/package/$name-$version.crate
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
tar -xzf "$crate" -C "$unpacked"
manifest=$unpacked/$name-$version/Cargo.toml
export CARGO_TARGET_DIR=$target_dir/package-check
cargo "+$toolchain" build --quiet --manifest-path "$manifest" --all-features
cargo "+$toolchain" build --quiet --manifest-path "$manifest" --target x86_64-unknown-none
echo "package: $name $version builds from its .crate: all features, and for x86_64-unknown-none"
