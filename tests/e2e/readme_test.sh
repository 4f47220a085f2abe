#!/bin/bash
# The README's first-hour walkthrough runs as written: every ```sh block of
# "## The first hour" runs, line by line, in a scratch copy of the project (as
# on a fresh clone: experiments/ and tests/data/ copied, build/ the real one),
# after the quick-start command. The pandas snippet runs where pandas is
# installed; elsewhere the columns it reads are checked in the written files.
# usage: readme_test.sh PATH/TO/odmasim   (run from the project root)
. "$(dirname "$0")/lib.sh"
src=$PWD
work=$tmp/clone
mkdir -p "$work/tests"
cp -r experiments "$work/"
cp -r tests/data "$work/tests/"
ln -s "$(dirname "$bin")" "$work/build"
# the shared traces beside the clone, as the quick start asks
shared=${ODMASIM_TRACES:-$src/../shared/traces}
mkdir -p "$tmp/shared"
ln -s "$(realpath "$shared")" "$tmp/shared/traces"

python3 - README.md "$tmp" <<'PY' || bad "README has no first-hour section"
import sys, re
text = open(sys.argv[1]).read()
sec = text.split("\n## The first hour\n", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"```(\w+)\n(.*?)```", sec, re.S)
assert blocks, "no code blocks"
open(sys.argv[2] + "/walk.sh", "w").write("".join(b for k, b in blocks if k == "sh"))
open(sys.argv[2] + "/walk.py", "w").write("".join(b for k, b in blocks if k == "python"))
PY

cd "$work" || exit 1
build/odmasim run experiments/quickstart.ini -q >/dev/null || bad "quick start"
while IFS= read -r line; do
	[ -n "${line// /}" ] || continue
	if bash -c "$line" >"$tmp/out" 2>&1; then
		echo "ok   $line"
		ok
	else
		bad "README command failed: $line: $(tail -3 "$tmp/out")"
	fi
done <"$tmp/walk.sh"

if python3 -c 'import pandas' 2>/dev/null; then
	python3 "$tmp/walk.py" >"$tmp/out" 2>&1 && ok || bad "README python: $(tail -3 "$tmp/out")"
else
	echo "pandas not installed: checking the columns the snippet reads"
	python3 - "$tmp/walk.py" <<'PY' && ok || bad "README python snippet reads columns that are not written"
import csv, re, sys
code = open(sys.argv[1]).read()
files = re.findall(r'read_csv\("([^"]+)"\)', code)
cols = set(re.findall(r'"([a-z_.0-9]+)"', code)) - set(files) - {"finished"}
have = set()
for f in files:
    have |= set(next(csv.reader(open(f))))
missing = cols - have
assert not missing, missing
assert any(r["status"] == "finished" for r in csv.DictReader(open(files[-1])))
PY
fi
cd "$src" || exit 1
finish
