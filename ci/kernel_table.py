#!/usr/bin/env python3
"""Prints the README's kernel x architecture table from ci/kernel-test.sh's results.

Usage: kernel_table.py [target/kernel-test/results.tsv]

Each cell: the kernel's stable release, the tests run on it (libtest's passed plus failed; the Miri-only tests,
ignored outside Miri, are not counted), how many passed, and how many skipped part of their
check, with a note per distinct reason under the table.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arches  # noqa: E402

path = sys.argv[1] if len(sys.argv) > 1 else "target/kernel-test/results.tsv"
order = [r["name"] for r in arches.rows()]
suites = ["bullseye", "bookworm", "trixie", "sid"]

cells = {}  # (arch, suite) -> row
versions = {}  # suite -> {X.Y}
for line in open(path):
    fields = line.rstrip("\n").split("\t")
    run, kernel, _, tests, passed, failed, ignored, skipped, why, result = fields
    arch, suite = run.split()
    m = re.search(r"Debian (\d+\.\d+)\.\d+", kernel)
    versions.setdefault(suite, set()).add(m.group(1) if m else "?")
    m = re.search(r"Debian (\d+\.\d+\.\d+)", kernel)
    version = m.group(1) if m else kernel.split(" ")[0]
    cells[(arch, suite)] = (version, int(passed), int(failed), int(skipped), why, result)

notes = []  # distinct reasons, in order of appearance


def note(why):
    # One note per reason, the kernel's own version left out.
    reason = re.sub(r"this kernel \([\d.]+\)", "the kernel", why)
    if reason not in notes:
        notes.append(reason)
    return notes.index(reason) + 1


present = [s for s in suites if s in versions]
head = [f"{s} {', '.join(sorted(versions[s]))}" for s in present]
print("| target | " + " | ".join(head) + " |")
print("| --- |" + " --- |" * len(present))
for arch in order:
    if not any((arch, s) in cells for s in present):
        continue
    row = []
    for s in present:
        if (arch, s) not in cells:
            row.append("no kernel")
            continue
        version, passed, failed, skipped, why, result = cells[(arch, s)]
        text = f"{version}: {passed + failed} run, {passed} passed"
        if skipped:
            marks = sorted({note(w.strip()) for w in why.split(" ; ") if w.strip()})
            text += f", {skipped} of them in part skipped " + "".join(f"[{n}]" for n in marks)
        if result != "ok":
            text += ", **FAILED**"
        row.append(text)
    print(f"| {arch} | " + " | ".join(row) + " |")
print()
for n, reason in enumerate(notes, 1):
    print(f"[{n}] {reason}")
    print()
