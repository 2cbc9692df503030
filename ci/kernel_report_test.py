#!/usr/bin/env python3
"""Checks that ci/kernel_report.py fails what it must fail, on made-up consoles.

ci/kernel-test.sh runs this before its boots: a judge that passed everything would make the
whole real-kernel suite a test that cannot fail.
"""

import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
report = os.path.join(here, "kernel_report.py")

SUMMARY_OK = "test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s"
SUMMARY_FAILED = "test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s"


def console(*binaries, done=True):
    """A console: firmware noise, the kernel line, each binary's output, the end line."""
    lines = ["SeaBIOS noise\r", "FREEPOLL-KERNEL: 6.1.0-1-amd64 | #1 SMP Debian 6.1.1-1 (2026) | x86_64\r"]
    for name, body, status in binaries:
        lines.append(f"FREEPOLL-TEST-BEGIN: {name}\r")
        lines += [line + "\r" for line in body]
        if status is not None:
            lines.append(f"FREEPOLL-TEST-END: {name} {status}\r")
    if done:
        lines.append("FREEPOLL-KERNEL-TEST: done\r")
    return "\n".join(lines) + "\n"


PASSING = [
    "running 2 tests",
    "test a ... ok",
    "test b ... ok",
    "",
    "successes:",
    "",
    "---- b stdout ----",
    "skipped: FEATURE (Linux 9.9): this kernel answers ENOTTY",
    "",
    "successes:",
    "    a",
    "    b",
    "",
    SUMMARY_OK,
]
FAILING = ["running 2 tests", "test a ... ok", "test b ... FAILED", "", SUMMARY_FAILED]

cases = [
    # name, console, expected binaries, should pass, text the output must hold
    ("all pass", console(("one", PASSING, 0), ("two", PASSING, 0)), ["one", "two"], True,
     "one::b: FEATURE (Linux 9.9)"),
    ("a failed test", console(("one", PASSING, 0), ("two", FAILING, 101)), ["one", "two"],
     False, "two failed (exit 101)"),
    ("a binary stopped by the timeout", console(("one", PASSING, 0), ("two", PASSING[:2], 143)),
     ["one", "two"], False, "two printed no test summary (exit 143)"),
    ("a binary that never ran", console(("one", PASSING, 0)), ["one", "two"], False,
     "two did not finish"),
    ("a boot that hung", console(("one", PASSING, 0), ("two", PASSING[:2], None), done=False),
     ["one", "two"], False, "the boot did not reach its end"),
    ("a summary but a bad exit", console(("one", PASSING, 1)), ["one"], False,
     "one failed (exit 1)"),
]

failures = 0
with tempfile.TemporaryDirectory() as tmp:
    for name, text, expected, should_pass, needle in cases:
        log, names = os.path.join(tmp, "console"), os.path.join(tmp, "expected")
        with open(log, "w") as f:
            f.write(text)
        with open(names, "w") as f:
            f.write("\n".join(expected) + "\n")
        env = dict(os.environ)
        env.pop("KERNEL_TEST_RESULTS", None)
        got = subprocess.run([sys.executable, report, log, names, "test run"], env=env,
                             capture_output=True, text=True)
        passed = got.returncode == 0
        if passed != should_pass or needle not in got.stdout:
            failures += 1
            print(f"kernel_report_test: {name}: exit {got.returncode}, expected "
                  f"{'0' if should_pass else '1'} and {needle!r} in:\n{got.stdout}{got.stderr}")
print(f"kernel_report_test: {len(cases) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
