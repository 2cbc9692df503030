#!/usr/bin/env bash
# The documentation as docs.rs builds it: the features in Cargo.toml's
# [package.metadata.docs.rs], warnings denied. Fails unless those pages show what a no_std user
# gets (freepoll's own `fd::OwnedFd`, not std's) and say which build they come from. Also builds
# the docs without features and with all of them, warnings denied.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTDOCFLAGS="-D warnings"

# The `features = [...]` line of the docs.rs table, as a comma-separated list.
features=$(sed -n '/^\[package.metadata.docs.rs\]/,/^\[/s/^features *= *\[\(.*\)\]/\1/p' Cargo.toml |
    tr -d ' "')
if grep -A6 '^\[package.metadata.docs.rs\]' Cargo.toml | grep -q '^all-features *= *true'; then
    echo "docs: docs.rs would build with all features: the no_std fd types would not be shown" >&2
    exit 1
fi
echo "docs: docs.rs features: ${features:-none}"

cargo doc --quiet --no-deps
cargo doc --quiet --no-deps --all-features
cargo doc --quiet --no-deps --no-default-features --features "$features"

page=target/doc/freepoll/fd/struct.OwnedFd.html
grep -q "Defined by freepoll" "$page" || {
    echo "docs: $page is not freepoll's own OwnedFd" >&2
    exit 1
}
grep -q "This build has no" target/doc/freepoll/index.html || {
    echo "docs: the crate page does not say which build it shows" >&2
    exit 1
}
echo "docs: ok (fd shows freepoll's own types; the crate page names the build)"
