#!/usr/bin/env python3
"""ci/arch_check.py fails what it must: a copy of the repository's checked files, each broken one
way, must give exactly the disagreement expected; the unbroken copy must give none."""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arch_check  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = ["ci/arches.sh", ".cargo/config.toml", "Cargo.toml", "src/lib.rs"]


def copy(tmp):
    for f in FILES:
        os.makedirs(os.path.join(tmp, os.path.dirname(f)), exist_ok=True)
        shutil.copy(os.path.join(ROOT, f), os.path.join(tmp, f))


def edit(tmp, f, old, new):
    path = os.path.join(tmp, f)
    text = open(path).read()
    assert old in text, (f, old)
    open(path, "w").write(text.replace(old, new, 1))


CASES = [
    ("a cross linker that is not the table's", ".cargo/config.toml",
     'linker = "s390x-linux-gnu-gcc"', 'linker = "s390x-linux-gnu-gcc-12"',
     "[target.s390x-unknown-linux-gnu] linker"),
    ("a qemu-user runner that is not the table's", ".cargo/config.toml",
     "qemu-riscv64-static -L", "qemu-riscv64 -L", "[target.riscv64gc-unknown-linux-gnu] runner"),
    ("a docs.rs target missing", "Cargo.toml", '    "s390x-unknown-linux-gnu",\n', "",
     "docs.rs targets"),
    ("a target missing from lib.rs's message", "src/lib.rs", "s390x-unknown-linux-gnu, ", "",
     "does not name s390x-unknown-linux-gnu"),
    ("a comment that lists five architectures of seven", "src/lib.rs", "#![no_std]",
     "// Built for x86_64, aarch64, riscv64, armv7 and i686.\n#![no_std]",
     "lists 5 architectures, not ppc64le, s390x"),
]

failed = 0
with tempfile.TemporaryDirectory() as tmp:
    copy(tmp)
    errors = arch_check.check(tmp)
    if errors:
        print("FAIL the repository's own files:", errors)
        failed += 1
    else:
        print("ok the repository's own files agree")
for name, f, old, new, want in CASES:
    with tempfile.TemporaryDirectory() as tmp:
        copy(tmp)
        edit(tmp, f, old, new)
        errors = arch_check.check(tmp)
        if len(errors) == 1 and want in errors[0]:
            print(f"ok {name}: {errors[0]}")
        else:
            print(f"FAIL {name}: {errors}")
            failed += 1
print(f"{len(CASES) + 1 - failed} passed, {failed} failed" if failed else
      f"arch_check_test: {len(CASES) + 1} cases passed")
sys.exit(1 if failed else 0)
