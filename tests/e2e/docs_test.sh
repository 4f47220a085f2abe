#!/bin/bash
# The documents: README.md stays a front door (at most 300 lines); every
# relative link in README.md and docs/*.md reaches an existing file (and, for
# links into Markdown, an existing heading); the cheap generated blocks match
# what the binary prints now (scripts/update_docs.sh --check: the key
# reference, usage texts, quick-start output, error examples); a key default
# quoted in prose is the key's default; and
# docs/OUTPUTS.md names every column the quick start writes.
# usage: tests/e2e/docs_test.sh ODMASIM   (from the project root)
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

n=$(wc -l <README.md)
[ "$n" -le 300 ] || bad "README.md has $n lines (at most 300: details belong in docs/)"

# Sources, experiments, scripts and tests that name a document
# ("docs/MODEL.md#paged") name one that exists, heading included.
git ls-files 2>/dev/null | grep -vE '^(docs/|README.md)|\.(png|svg|pdf)$' >"$tmp/files" ||
	find common workload device_models predictors sim experiments scripts results tests bench \
		-type f >"$tmp/files"
python3 - "$tmp/files" README.md docs/*.md <<'PY' || fail=1
import os, re, sys

def slugs(path):
    """GitHub's heading anchors of a Markdown file."""
    out, seen, fence = set(), {}, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        m = None if fence else re.match(r"#{1,6} +(.*?) *#*$", line.rstrip("\n"))
        if not m:
            continue
        s = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
        k = seen.get(s, 0)
        seen[s] = k + 1
        out.add(s if k == 0 else "%s-%d" % (s, k))
    return out

def check(where, path, anchor, what):
    if not os.path.exists(path):
        print("FAIL: %s %s, which does not exist" % (where, what), file=sys.stderr)
        return 1
    if anchor and path.endswith(".md") and anchor not in slugs(path):
        print("FAIL: %s %s: no such heading in %s" % (where, what, path), file=sys.stderr)
        return 1
    return 0

bad = 0
for f in open(sys.argv[1]).read().split():
    if os.path.isfile(f):
        text = open(f, encoding="utf-8", errors="replace").read()
        for doc, anchor in re.findall(r"\b(docs/[A-Za-z0-9_.-]+\.md)(?:#([a-z0-9-]+))?", text):
            bad |= check(f + " names", doc, anchor, doc + ("#" + anchor if anchor else ""))
for md in sys.argv[2:]:
    text = open(md, encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # code blocks hold no links
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        path, _, anchor = target.partition("#")
        full = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
        bad |= check(md + " links to", full, anchor, target)
sys.exit(bad)
PY

# A default quoted in prose ("`policy.odma_bin` tokens (default 16)") must be
# the key's default.
"$bin" keys >"$tmp/keys.md"
python3 - "$tmp/keys.md" README.md docs/*.md <<'PY' || fail=1
import re, sys
defaults = {}
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.split("|")]
    if len(cells) > 4 and cells[1].startswith("`"):
        defaults[cells[1].strip("`")] = cells[3]
bad = 0
for md in sys.argv[2:]:
    text = open(md, encoding="utf-8").read()
    for m in re.finditer(r"\b([a-z]+\.[a-z_0-9]+)`?[^`|]{0,40}?\bdefault (\d[\d.e-]*)(%?)", text):
        key, val, pct = m.groups()
        if key not in defaults:
            continue
        quoted = float(val.rstrip(".")) / (100 if pct else 1)
        try:
            ok = abs(float(defaults[key]) - quoted) <= 1e-12 * max(1.0, abs(quoted))
        except ValueError:
            ok = False
        if not ok:
            line = text.count("\n", 0, m.start()) + 1
            print("FAIL: %s:%d says %s defaults to %s%s; odmasim keys says %s"
                  % (md, line, key, val, pct, defaults[key]), file=sys.stderr)
            bad = 1
sys.exit(bad)
PY

ODMASIM=$bin scripts/update_docs.sh --check || bad "generated blocks are stale (scripts/update_docs.sh)"

"$bin" run experiments/quickstart.ini -q -o "$tmp/q" >/dev/null
for f in summary.csv requests.csv util.csv; do
	for col in $(head -1 "$tmp/q/$f" | tr ',' ' '); do
		grep -q "\`$col\`" docs/OUTPUTS.md || bad "docs/OUTPUTS.md does not describe $f column $col"
	done
done
exit $fail
