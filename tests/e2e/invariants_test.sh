#!/bin/bash
# docs/INVARIANTS.md and the checks agree: every id INV-N the document defines
# starts at least one violation message ("INV-N: ...") in the C sources, inside
# the function its "checked by" column names; every INV id a C source uses is
# defined; the ids run INV-1, INV-2, ... with none twice; an id in a C source
# only ever starts a message. A violation names its invariant, so the message
# leads straight to the statement.
# usage: tests/e2e/invariants_test.sh SOURCE_ROOT
set -euo pipefail
cd "${1:?usage: invariants_test.sh SOURCE_ROOT}"
python3 - docs/INVARIANTS.md common workload device_models predictors sim <<'PY'
import os, re, sys

doc, dirs = sys.argv[1], sys.argv[2:]
defined = {}  # id -> set of checking functions
order = []
for line in open(doc, encoding="utf-8"):
    m = re.match(r"\|\s*INV-(\d+)\s*\|[^|]*\|([^|]*)\|", line)
    if m:
        n = int(m.group(1))
        order.append(n)
        defined[n] = set(re.findall(r"`(\w+)`", m.group(2)))

bad = []
if order != list(range(1, len(order) + 1)):
    bad.append("%s: ids are not INV-1 .. INV-%d in order, each once: %s"
               % (doc, len(order), order))
for n, fns in defined.items():
    if not fns:
        bad.append("%s: INV-%d names no checking function" % (doc, n))

# A function definition starts in column 0 with "type name(": remember the
# name of the one each line is in.
head = re.compile(r"^(?:static\s+)?[A-Za-z_][\w\s\*]*?\b(\w+)\s*\(")
used = {}  # id -> set of (function, file)
for d in dirs:
    for root, _, files in os.walk(d):
        for f in sorted(files):
            if not f.endswith(".c"):
                continue
            path = os.path.join(root, f)
            fn = None
            for k, line in enumerate(open(path, encoding="utf-8"), 1):
                m = head.match(line)
                if m and not line.rstrip().endswith(";"):
                    fn = m.group(1)
                for tok in re.finditer(r"INV-(\d+)", line):
                    if not re.search(r'"INV-%s: ' % tok.group(1), line):
                        bad.append("%s:%d: INV-%s does not start a message (\"INV-N: ...\")"
                                   % (path, k, tok.group(1)))
                        continue
                    used.setdefault(int(tok.group(1)), set()).add((fn, path))

for n in sorted(used):
    if n not in defined:
        where = ", ".join(sorted(p for _, p in used[n]))
        bad.append("%s uses INV-%d, which %s does not define" % (where, n, doc))
for n in sorted(defined):
    if n not in used:
        bad.append("%s: INV-%d appears in no message in the C sources" % (doc, n))
        continue
    fns = {fn for fn, _ in used[n]}
    if not fns & defined[n]:
        bad.append("%s: INV-%d is checked by %s, but its messages are in %s"
                   % (doc, n, "/".join(sorted(defined[n])), "/".join(sorted(map(str, fns)))))
    for fn, path in sorted(used[n], key=str):
        if fn not in defined[n]:
            bad.append("%s: INV-%d message in %s, which the document does not name"
                       % (path, n, fn))

for b in bad:
    print("FAIL: " + b, file=sys.stderr)
if not bad:
    print("invariants: %d ids, each defined once and used by its checker" % len(defined))
sys.exit(1 if bad else 0)
PY
