#!/usr/bin/env python3
"""ci/vm.py does what the boots rely on: an initramfs that reads back as the tree it was made
from (with /dev/console), the vmlinux inside a bzImage-like file (and nothing from one without
an xz ELF payload), the test executables among cargo's messages, and an ELF's interpreter and
libraries copied from a sysroot."""

import json
import lzma
import os
import shutil
import stat
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vm  # noqa: E402

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def read_newc(path):
    """{name: (mode, rdevmajor, rdevminor, data)} of a newc archive."""
    data, pos, out = open(path, "rb").read(), 0, {}
    while True:
        assert data[pos:pos + 6] == b"070701", data[pos:pos + 6]
        fields = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        mode, size, major, minor, namesize = fields[1], fields[6], fields[9], fields[10], fields[11]
        pos += 110
        name = data[pos:pos + namesize - 1].decode()
        pos += namesize + (-(110 + namesize) % 4)
        body = data[pos:pos + size]
        pos += size + (-size % 4)
        if name == "TRAILER!!!":
            return out
        out[name] = (mode, major, minor, body)


with tempfile.TemporaryDirectory() as tmp:
    top = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(top, "bin"))
    open(os.path.join(top, "init"), "w").write("#!/bin/sh\necho hi\n")
    os.chmod(os.path.join(top, "init"), 0o755)
    os.symlink("busybox", os.path.join(top, "bin", "sh"))
    out = os.path.join(tmp, "root.cpio")
    vm.initramfs(out, top)
    entries = read_newc(out)
    check("initramfs: the tree and /dev/console, nothing else",
          sorted(entries) == ["bin", "bin/sh", "dev", "dev/console", "init"], sorted(entries))
    mode, _, _, body = entries["init"]
    check("initramfs: a file keeps its mode and contents",
          stat.S_IMODE(mode) == 0o755 and body == b"#!/bin/sh\necho hi\n")
    mode, _, _, body = entries["bin/sh"]
    check("initramfs: a link is a link to its target", stat.S_ISLNK(mode) and body == b"busybox")
    mode, major, minor, _ = entries["dev/console"]
    check("initramfs: /dev/console is character device 5:1",
          stat.S_ISCHR(mode) and (major, minor) == (5, 1))

    elf = b"\x7fELF" + b"\x02" * 60
    image = os.path.join(tmp, "bzImage")
    open(image, "wb").write(b"MZ setup code " * 10 + lzma.compress(elf, format=lzma.FORMAT_XZ))
    got = os.path.join(tmp, "vmlinux")
    check("vmlinux: the xz payload of a bzImage",
          vm.vmlinux(image, got) and open(got, "rb").read() == elf)
    open(image, "wb").write(b"MZ" + lzma.compress(b"not an ELF", format=lzma.FORMAT_XZ))
    os.remove(got)
    check("vmlinux: no ELF in the payload, nothing written",
          not vm.vmlinux(image, got) and not os.path.exists(got))
    open(image, "wb").write(b"MZ no payload at all")
    check("vmlinux: no xz stream, nothing written",
          not vm.vmlinux(image, got) and not os.path.exists(got))

    messages = [
        {"reason": "compiler-artifact", "profile": {"test": True},
         "executable": "/t/deps/wait-1", "target": {"name": "wait"}},
        {"reason": "compiler-artifact", "profile": {"test": False},
         "executable": None, "target": {"name": "freepoll"}},
        {"reason": "compiler-artifact", "profile": {"test": True},
         "executable": None, "target": {"name": "doc"}},
        {"reason": "build-finished", "success": True},
    ]
    found = list(vm.test_binaries(json.dumps(m) for m in messages))
    check("test-binaries: only the test executables", found == [("wait", "/t/deps/wait-1")],
          found)

    if shutil.which("readelf") and os.path.exists("/bin/true"):
        root = os.path.join(tmp, "root")
        vm.libs(root, "/", ["/bin/true"])
        libs = sorted(os.listdir(os.path.join(root, "lib")))
        interp = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
                  if f.startswith("ld-linux")]
        check("libs: the host's /bin/true gets its loader and libc",
              interp != [] and any(lib.startswith("libc.so") for lib in libs), (interp, libs))
    else:
        print("skipped: libs (no readelf or /bin/true here)")

print(f"vm_test: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
