#!/usr/bin/env python3
"""The file work of ci/vm.sh and ci/kernel-test.sh, kept out of the shell scripts (and tested by
ci/vm_test.py):

  vm.py initramfs OUT TOP          a newc cpio archive of the tree TOP, with /dev/console
  vm.py vmlinux IMAGE OUT          the ELF vmlinux inside an x86 bzImage whose payload is xz;
                                   exits 1 (writing nothing) if it has none
  vm.py test-binaries              reads `cargo test --no-run --message-format=json` on stdin,
                                   prints "NAME PATH" per test executable
  vm.py libs ROOT SYSROOT BIN...   copies into ROOT the ELF interpreter the binaries name (at
                                   its path) and every shared library they need, and those
                                   need, from SYSROOT into ROOT/lib
"""

import json
import lzma
import os
import re
import shutil
import stat
import subprocess
import sys


def initramfs(out, top):
    """Writes the tree `top` as a newc cpio archive, owned by root, with a /dev/console."""
    # name, mode, rdev major, rdev minor, contents
    entries = [("dev", 0o040755, 0, 0, b""), ("dev/console", 0o020600, 5, 1, b"")]
    for base, dirs, files in os.walk(top):
        dirs.sort()
        for name in sorted(dirs) + sorted(files):
            path = os.path.join(base, name)
            rel = os.path.relpath(path, top)
            if rel == "dev":
                continue
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(path).encode()
            elif stat.S_ISREG(st.st_mode):
                data = open(path, "rb").read()
            else:
                data = b""
            entries.append((rel, st.st_mode, 0, 0, data))
    entries.append(("TRAILER!!!", 0, 0, 0, b""))
    with open(out, "wb") as f:
        for ino, (name, mode, major, minor, data) in enumerate(entries, 1):
            name = name.encode() + b"\0"
            nlink = 2 if stat.S_ISDIR(mode) else 1
            # magic, then 13 fields of 8 hex digits: ino, mode, uid, gid, nlink, mtime,
            # filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
            fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, major, minor, len(name), 0]
            header = b"070701" + b"".join(b"%08X" % f for f in fields)
            f.write(header + name + b"\0" * (-(len(header) + len(name)) % 4))
            f.write(data + b"\0" * (-len(data) % 4))


def vmlinux(image, out):
    """Unpacks the xz payload of a bzImage if it is an ELF file; False if there is none."""
    data = open(image, "rb").read()
    start = data.find(b"\xfd7zXZ\x00")  # the xz stream header
    if start < 0:
        return False
    try:
        elf = lzma.LZMADecompressor().decompress(data[start:])
    except lzma.LZMAError:
        return False
    if not elf.startswith(b"\x7fELF"):
        return False
    open(out, "wb").write(elf)
    return True


def test_binaries(lines):
    """(name, executable) for each test executable in cargo's JSON messages."""
    for line in lines:
        msg = json.loads(line)
        if (msg.get("reason") == "compiler-artifact" and msg["profile"]["test"]
                and msg["executable"]):
            yield msg["target"]["name"], msg["executable"]


def libs(root, sysroot, binaries):
    """Copies the interpreter and the shared libraries of `binaries` from `sysroot`."""
    libdirs = [os.path.join(sysroot, d) for d in ("lib", "lib64", "usr/lib")]
    libdirs += [os.path.join(sysroot, d, "x86_64-linux-gnu") for d in ("lib", "usr/lib")]

    def readelf(path, flag):
        return subprocess.run(["readelf", "-W", flag, path], check=True,
                              capture_output=True, text=True).stdout

    def find(name):
        for d in libdirs:
            path = os.path.join(d, name)
            if os.path.exists(path):
                return path
        sys.exit(f"vm.py: {name} is not in {sysroot}")

    os.makedirs(os.path.join(root, "lib"), exist_ok=True)
    todo, seen = list(binaries), set()
    while todo:
        path = todo.pop()
        interp = re.search(r"Requesting program interpreter: ([^\]]+)\]", readelf(path, "-l"))
        if interp and interp.group(1) not in seen:
            seen.add(interp.group(1))
            dest = root + interp.group(1)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(find(os.path.basename(interp.group(1))), dest)
            os.chmod(dest, 0o755)
        for name in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", readelf(path, "-d")):
            if name not in seen:
                seen.add(name)
                dest = os.path.join(root, "lib", name)
                shutil.copyfile(find(name), dest)
                todo.append(dest)


def main(argv):
    if argv[:1] == ["initramfs"] and len(argv) == 3:
        initramfs(argv[1], argv[2])
    elif argv[:1] == ["vmlinux"] and len(argv) == 3:
        return 0 if vmlinux(argv[1], argv[2]) else 1
    elif argv == ["test-binaries"]:
        for name, exe in test_binaries(sys.stdin):
            print(name, exe)
    elif argv[:1] == ["libs"] and len(argv) >= 3:
        libs(argv[1], argv[2], argv[3:])
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
