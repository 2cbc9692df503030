#!/usr/bin/env bash
# README.md's "A program of your own", followed to the letter: the files and commands come out
# of README.md itself, so the instructions and this check cannot drift apart. Each block it
# takes is a fenced block right after a `<!-- readme-setup: WHAT -->` line:
#   .cargo/config.toml   the config a user copies
#   Cargo.toml           the program's manifest (its `freepoll = ...` line is pointed at this
#                        checkout: the one edit, as a user would have the crates.io release)
#   src/main.rs          the program
#   workspace            the lines a workspace's own Cargo.toml gets (its `members` is set here)
#   build                the build commands, one a line, run as written and then with
#                        `--target T` for every target of ci/arches.sh
# Then builds that program in a fresh directory outside any workspace, and as a member of a
# fresh workspace (cargo run in the member's directory), debug and release, for every Linux
# target of ci/arches.sh, and runs every binary (natively or under qemu-user): each must exit 0.
# Also checks that the README's config is freestanding/.cargo/config.toml less its
# `target-dir` (and that line's comment). Prints `ok readme-setup LAYOUT TARGET PROFILE`; fails
# on the first error. About 3 minutes here (2 cores), most of it 32 builds of freepoll.
set -euo pipefail
export CARGO_TERM_QUIET=true
cd "$(dirname "$0")/.."
root=$PWD

# shellcheck source=ci/arches.sh
. ci/arches.sh

# The fenced block after `<!-- readme-setup: $1 -->` in README.md, without its fences.
block() {
    awk -v want="<!-- readme-setup: $1 -->" '
        $0 == want { found = 1; next }
        found == 1 && /^```/ { found = 2; next }
        found == 2 && /^```$/ { exit }
        found == 2 { print }
    ' README.md
}

for what in .cargo/config.toml Cargo.toml src/main.rs workspace build; do
    if [ -z "$(block "$what")" ]; then
        echo "FAIL readme-setup: README.md has no block marked <!-- readme-setup: $what -->"
        exit 1
    fi
done
if ! diff -u <(grep -v -e '^target-dir' -e '^# Git-ignored' freestanding/.cargo/config.toml) \
    <(block .cargo/config.toml); then
    echo "FAIL readme-setup: README.md's config is not freestanding/.cargo/config.toml"
    exit 1
fi

# How to run a binary of target $1 here: nothing where the host runs it, else qemu-user.
runner_of() {
    local a
    for a in "${all_arches[@]}"; do
        [ "${target[$a]}" = "$1" ] || continue
        if [ "$a" = i686 ] && [ "$(uname -m)" = x86_64 ]; then
            return # static, so no loader needed
        fi
        echo "${qemu_user[$a]}"
    done
}

# Writes the program's files from README.md into directory $1.
write_program() {
    mkdir -p "$1/.cargo" "$1/src"
    block .cargo/config.toml >"$1/.cargo/config.toml"
    block Cargo.toml | sed -E "s|^freepoll = \{[^,}]*|freepoll = { path = \"$root\"|" >"$1/Cargo.toml"
    block src/main.rs >"$1/src/main.rs"
}

name=$(block Cargo.toml | sed -n 's/^name = "\(.*\)"/\1/p' | head -n 1)
mapfile -t commands < <(block build | sed 's/ *#.*//' | grep .)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A fresh directory, its own workspace.
write_program "$work/alone/$name"
# The same program as a member of a workspace: the README's lines for the workspace's
# Cargo.toml, and cargo run in the member's directory.
write_program "$work/ws/$name"
{
    printf '[workspace]\nmembers = ["%s"]\n' "$name"
    block workspace
} >"$work/ws/Cargo.toml"

# layout, the member's directory, the target directory
for layout in "alone $work/alone/$name $work/alone/$name/target" \
    "workspace $work/ws/$name $work/ws/target"; do
    read -r label dir out <<<"$layout"
    (
        cd "$dir"
        for c in "${commands[@]}"; do
            # As written (the config's default target), then for every target.
            eval "$c"
            for t in "${linux_targets[@]}"; do
                eval "$c --target $t"
            done
        done
    )
    for t in "${linux_targets[@]}"; do
        for profile in release debug; do
            exe=$out/$t/$profile/$name
            if ! $(runner_of "$t") "$exe"; then
                echo "FAIL readme-setup $label $t $profile: $exe did not exit 0"
                exit 1
            fi
            echo "ok readme-setup $label $t $profile ($(stat -c %s "$exe") bytes)"
        done
    done
done
echo "readme-setup: README.md's set-up builds and runs alone and in a workspace, ${#linux_targets[@]} targets"
