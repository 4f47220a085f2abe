#!/bin/bash
# Runs the README's headline experiments and prints their results as a
# Markdown table (the README's table is pasted from this output, not typed).
# usage: scripts/results_table.sh [ODMASIM]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/odmasim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| experiment | device | policy | completed | RPS | gen TPS | util reserved | util live | packing | TTFT p99 s | TPOT p50 s | e2e p99 s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
row() { # name config sets...
	local name=$1 exp=$2
	shift 2
	local args=()
	for s in "$@"; do args+=(--set "$s"); done
	"$bin" run "$exp" -q -o "$tmp/$name" "${args[@]}"
	python3 - "$tmp/$name/summary.csv" "$exp" <<'PY'
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
pct = lambda k: "%.1f%%" % (100 * float(r[k]))
print("| %s | %s | %s | %s | %.3f | %.1f | %s | %s | %s | %.3f | %.4f | %.2f |" % (
    sys.argv[2], r["device"], r["policy"], r["requests_completed"], float(r["rps"]),
    float(r["tps_generated"]), pct("util_reserved"), pct("util_live"), pct("util_packing"),
    float(r["ttft_p99_s"]), float(r["tpot_p50_s"]), float(r["e2e_p99_s"])))
PY
}
row qs experiments/quickstart.ini
row alpaca_mlu experiments/alpaca_static.ini
row alpaca_a100 experiments/alpaca_static.ini device.preset=a100-80g
