#!/usr/bin/env python3
"""Reads the console of one ci/kernel-test.sh boot and judges it.

Usage: kernel_report.py LOG EXPECTED RUN

LOG is the serial console, EXPECTED a file naming the test binaries packed into the
initramfs (one a line), RUN the run's name (for example `aarch64 bullseye`). The init
(ci/kernel-test.sh) prints, for each binary NAME:

    FREEPOLL-TEST-BEGIN: NAME
    ... libtest's own output, run with --show-output ...
    FREEPOLL-TEST-END: NAME STATUS

and `FREEPOLL-KERNEL: RELEASE | VERSION | MACHINE` first and `FREEPOLL-KERNEL-TEST: done`
last. A test that could not check its point on this kernel prints one line `skipped: WHY`;
--show-output prints a passing test's captured output under `---- TEST stdout ----`, which
is how a skip is tied to its test.

Prints each binary's libtest summary line, then the skips, then one result line
(`kernel-test: RUN: ...`), and appends a tab-separated row to the file in
$KERNEL_TEST_RESULTS, if set: run, kernel, binaries, tests, passed, failed, ignored, skipped,
the skips as `test: why` joined by ` ; `, and ok or FAIL. Exits 1 on any failure: a binary
that failed or printed no summary, a missing binary, or a boot that did not reach its end;
each is shown with the last lines it printed.
"""

import os
import re
import sys

log_path, expected_path, run = sys.argv[1:4]
with open(log_path, "rb") as f:
    # The console has CR LF line ends; firmware output may be glued to the first lines.
    lines = f.read().decode("utf-8", "replace").replace("\r", "").split("\n")
with open(expected_path) as f:
    expected = [line.strip() for line in f if line.strip()]

kernel = "?"
summaries = {}  # binary -> (summary line, passed, failed, ignored)
statuses = {}  # binary -> exit status
skips = []  # (binary, test, why)
output = {}  # binary -> its lines
problems = []  # (what, the lines to show)
done = False
current = None  # the binary running
test = None  # the test whose captured output is being read (--show-output)

summary_re = re.compile(
    r"test result: (\w+)\. (\d+) passed; (\d+) failed; (\d+) ignored; (\d+) measured; "
    r"(\d+) filtered out"
)
for line in lines:
    m = re.search(r"FREEPOLL-KERNEL: (.*)$", line)
    if m:
        kernel = m.group(1).strip()
        continue
    m = re.search(r"FREEPOLL-TEST-BEGIN: (\S+)", line)
    if m:
        current, test = m.group(1), None
        continue
    m = re.search(r"FREEPOLL-TEST-END: (\S+) (\d+)", line)
    if m:
        statuses[m.group(1)] = int(m.group(2))
        current = test = None
        continue
    if "FREEPOLL-KERNEL-TEST: done" in line:
        done = True
        continue
    if current is None:
        continue
    output.setdefault(current, []).append(line)
    m = re.match(r"---- (\S+) std(out|err) ----$", line)
    if m:
        test = m.group(1)
        continue
    if line.startswith("successes:") or line.startswith("failures:"):
        test = None
        continue
    m = summary_re.search(line)
    if m:
        summaries[current] = (
            m.group(0),
            int(m.group(2)),
            int(m.group(3)),
            int(m.group(4)),
        )
        test = None
        continue
    m = re.search(r"skipped: (.*)$", line)
    if m and test is not None:
        skips.append((current, test, m.group(1).strip()))

passed = failed = ignored = 0
for name in expected:
    if name in summaries:
        text, p, f, i = summaries[name]
        passed, failed, ignored = passed + p, failed + f, ignored + i
        print(f"  {name}: {text}")
    else:
        print(f"  {name}: no test summary")
    tail = [line for line in output.get(name, []) if line.strip()][-40:]
    if name not in statuses:
        problems.append((f"{name} did not finish", tail))
    elif name not in summaries:
        # 143: stopped by the init's timeout (SIGTERM)
        problems.append((f"{name} printed no test summary (exit {statuses[name]})", tail))
    elif statuses[name] != 0 or summaries[name][2] != 0:
        problems.append((f"{name} failed (exit {statuses[name]})", tail))
if not done:
    tail = [line for line in lines if line.strip()][-40:]
    problems.append(("the boot did not reach its end; the console's last lines", tail))
# Each skip once (a test may print the same line from several places).
skips = sorted(set(skips))
for name, t, why in skips:
    print(f"  skipped {name}::{t}: {why}")
tests = passed + failed + ignored
print(
    f"kernel-test: {run}: {kernel}: {len(summaries)} of {len(expected)} binaries, "
    f"{tests} tests, {passed} passed, {failed} failed, {ignored} ignored; "
    f"{len(set((n, t) for n, t, _ in skips))} skipped part of their check"
)
for what, tail in problems:
    print(f"kernel-test: {run}: {what}")
    for line in tail:
        print(f"  | {line}")

results = os.environ.get("KERNEL_TEST_RESULTS")
if results:
    with open(results, "a") as f:
        why = " ; ".join(f"{n}::{t}: {w}" for n, t, w in skips)
        skipped = len(set((n, t) for n, t, _ in skips))
        f.write(
            f"{run}\t{kernel}\t{len(summaries)}\t{tests}\t{passed}\t{failed}\t{ignored}\t"
            f"{skipped}\t{why}\t{'FAIL' if problems else 'ok'}\n"
        )
sys.exit(1 if problems else 0)
