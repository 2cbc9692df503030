#!/usr/bin/env python3
"""Checks that what names the architectures outside ci/ agrees with ci/arches.sh:

- .cargo/config.toml: a [target.T] for every cross target, whose linker is the table's cross
  gcc and whose runner is its qemu-user with the cross sysroot (or, for a target the host runs,
  the cross loader); and for every musl target (`musl_targets`), one of the table's
  architectures, rust-lld as the linker and that architecture's qemu-user, if any, as runner;
- Cargo.toml's docs.rs `targets`: every architecture's target once (thumbv7neon shares armv7's
  arch file and is left out);
- src/lib.rs: the message of its compile_error! names every target;
- comments (in src/, arch/, ci/, freestanding/, tests/, bench/ and the manifests): one that
  names four or more of the architectures within three lines names all of them (a list
  meant to be partial names fewer).

Usage: ci/arch_check.py [ROOT]. Prints each disagreement; exits 1 if there is one.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arches  # noqa: E402

# The names a text may use for each architecture (short name first).
ALIASES = {
    "x86_64": ["x86_64", "amd64"],
    "i686": ["i686", "i386", "x86"],
    "aarch64": ["aarch64", "arm64"],
    "riscv64": ["riscv64", "riscv64gc"],
    "armv7": ["armv7", "armhf", "arm"],
    "ppc64le": ["ppc64le", "powerpc64le", "powerpc64", "ppc64el", "powerpc"],
    "s390x": ["s390x"],
}


def check(root):
    errors = []
    table = arches.rows(os.path.join(root, "ci", "arches.sh"))
    targets = [r["target"] for r in table]

    config = open(os.path.join(root, ".cargo", "config.toml")).read()
    for r in table:
        if not r["cross"]:
            continue
        m = re.search(r"^\[target\.%s\]\n(.*?)(?=^\[|\Z)" % re.escape(r["target"]), config,
                      re.S | re.M)
        if not m:
            errors.append(f".cargo/config.toml: no [target.{r['target']}]")
            continue
        body = m.group(1)
        if f'linker = "{r["cross"]}-gcc"' not in body:
            errors.append(f".cargo/config.toml: [target.{r['target']}] linker is not "
                          f"{r['cross']}-gcc")
        sysroot = f"/usr/{r['cross']}"
        if r["user"]:
            want = f'runner = "{r["user"]} -L {sysroot}"'
            if want not in body:
                errors.append(f".cargo/config.toml: [target.{r['target']}] runner is not "
                              f"{want}")
        elif sysroot not in body:
            errors.append(f".cargo/config.toml: [target.{r['target']}] runner is not the "
                          f"loader in {sysroot}")

    # The musl targets: each one of the table's architectures, linked by rust-lld, and run
    # under that architecture's qemu-user (static: no sysroot) where the table has one.
    m = re.search(r"^musl_targets=\((.*?)\)", open(os.path.join(root, "ci", "arches.sh")).read(),
                  re.M)
    for t in (m.group(1).split() if m else []):
        row = next((r for r in table if r["target"].split("-")[0] == t.split("-")[0]), None)
        if row is None or not t.endswith("-linux-musl"):
            errors.append(f"ci/arches.sh: musl target {t} is no architecture of the table")
            continue
        m = re.search(r"^\[target\.%s\]\n(.*?)(?=^\[|\Z)" % re.escape(t), config, re.S | re.M)
        body = m.group(1) if m else ""
        if 'linker = "rust-lld"' not in body:
            errors.append(f".cargo/config.toml: [target.{t}] linker is not rust-lld")
        if row["user"] and f'runner = "{row["user"]}"' not in body:
            errors.append(f".cargo/config.toml: [target.{t}] runner is not {row['user']}")

    cargo = open(os.path.join(root, "Cargo.toml")).read()
    m = re.search(r"^\[package\.metadata\.docs\.rs\].*?^targets = \[(.*?)\]", cargo, re.S | re.M)
    docs = re.findall(r'"([^"]+)"', m.group(1)) if m else []
    want = [t for t in targets if not t.startswith("thumbv7neon")]
    if sorted(docs) != sorted(want):
        errors.append(f"Cargo.toml: docs.rs targets {sorted(docs)}, the table's {sorted(want)}")

    lib = open(os.path.join(root, "src", "lib.rs")).read()
    m = re.search(r"compile_error!\((.*?)\);", lib, re.S)
    message = m.group(1) if m else ""
    for t in targets:
        if t not in message:
            errors.append(f"src/lib.rs: the compile_error! message does not name {t}")

    names = {a: re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, al)))
             for a, al in ALIASES.items()}
    for top in ("src", "arch", "ci", "freestanding", "tests", "bench", "Cargo.toml", ".cargo"):
        path = os.path.join(root, top)
        files = [path] if os.path.isfile(path) else [
            os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs
            if f.endswith((".rs", ".sh", ".py", ".toml"))]
        for f in sorted(files):
            if f.endswith(("arch_check.py", "arches.sh")):
                continue
            # A comment: consecutive comment lines (a list may wrap over several of them).
            paragraph, start = [], 1
            mark = "//" if f.endswith(".rs") else "#"
            lines = open(f, errors="replace").read().split("\n") + [""]
            for n, line in enumerate(lines, 1):
                if line.strip().startswith(mark):
                    if not paragraph:
                        start = n
                    paragraph.append(line)
                    continue
                block, paragraph = paragraph, []
                # A list: four or more names within three lines of the comment; the window
                # that names the most is the list.
                best, at = [], 0
                for k in range(max(len(block) - 2, 1)):
                    text = " ".join(block[k:k + 3])
                    found = [a for a, rx in names.items() if rx.search(text)]
                    if len(found) > len(best):
                        best, at = found, k
                # A comment that cites the table says which of its columns it lists.
                if 4 <= len(best) < len(ALIASES) and "ci/arches.sh" not in " ".join(block):
                    missing = [a for a in ALIASES if a not in best]
                    errors.append(f"{os.path.relpath(f, root)}:{start + at}: lists {len(best)} "
                                  f"architectures, not {', '.join(missing)}")
    return errors


if __name__ == "__main__":
    errs = check(sys.argv[1] if len(sys.argv) > 1 else
                 os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for e in errs:
        print("arch-check:", e)
    if errs:
        sys.exit(1)
    print("arch-check: .cargo/config.toml, Cargo.toml, src/lib.rs and the comments agree "
          "with ci/arches.sh")
