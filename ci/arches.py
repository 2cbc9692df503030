"""The architecture table of ci/arches.sh, for the Python scripts in ci/.

`rows()` gives one dict per architecture, in the table's order, with the columns that
ci/arches.sh names (name, target, debarch, flavour, suites, boot, cross, user, system, machine,
console, memory, bare, miri, msrv).
"""

import os

COLUMNS = ["name", "target", "debarch", "flavour", "suites", "boot", "cross", "user", "system",
           "machine", "console", "memory", "bare", "miri", "msrv"]
HERE = os.path.dirname(os.path.abspath(__file__))


def rows(path=os.path.join(HERE, "arches.sh")):
    text = open(path).read()
    table = text.split("arch_table='", 1)[1].split("'", 1)[0]
    out = []
    for line in table.strip().splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) != len(COLUMNS):
            raise SystemExit(f"ci/arches.sh: {len(fields)} columns, not {len(COLUMNS)}: {line}")
        out.append(dict(zip(COLUMNS, fields)))
    return out
