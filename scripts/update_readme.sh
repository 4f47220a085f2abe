#!/bin/bash
# Regenerates the README's generated blocks (between <!-- gen:NAME begin -->
# and <!-- gen:NAME end -->) from the programs that produce them, so no number
# or key in them is typed by hand.
# usage: scripts/update_readme.sh [BLOCK...]   (default: every block)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/odmasim
[ -x "$bin" ] || scripts/build.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The MLU370 halfsat per-head latency and throughput tables of the RACM sweep.
racm_tables() {
	awk '/^## /{keep = ($0 ~ /^## mlu370-x4, halfsat, paged, per_head: (e2e p50 latency|throughput)/)}
		keep {sub(/^## /, "**"); if (/^\*\*/) $0 = $0 "**"; print}' "$1"
}
gen() {
	case $1 in
	keys) "$bin" keys ;;
	quickstart)
		echo '```'
		"$bin" run experiments/quickstart.ini -o "$tmp/quickstart" | sed "s|$tmp/quickstart|results/out/quickstart|"
		echo '```' ;;
	figures) scripts/figures_table.sh "${FIGURES_DIR:-docs/figures-build}" ;; # after results/figures.sh -o that dir
	predictors)
		ODMASIM=$bin scripts/predictor-tables.sh "$tmp/pred" >/dev/null
		python3 scripts/predictor_readme.py "$tmp/pred" ;;
	racm)
		ODMASIM=$bin scripts/racm_sweep.sh "$tmp/racm" >/dev/null
		racm_tables "$tmp/racm/table.md" ;;
	*) echo "unknown block $1" >&2; return 1 ;;
	esac
}
blocks=("$@")
[ ${#blocks[@]} -gt 0 ] || blocks=($(sed -n 's/^<!-- gen:\([a-z_]*\) begin -->$/\1/p' README.md))
for b in "${blocks[@]}"; do
	gen "$b" >"$tmp/$b.md"
	python3 - "$b" "$tmp/$b.md" <<'PY'
import sys
name, path = sys.argv[1], sys.argv[2]
s = open("README.md").read()
begin, end = "<!-- gen:%s begin -->\n" % name, "<!-- gen:%s end -->" % name
a = s.index(begin) + len(begin)
b = s.index(end)
open("README.md", "w").write(s[:a] + open(path).read() + s[b:])
PY
done
