#!/bin/bash
# Runs `odmasim compare` on the policy experiments and prints the results as
# Markdown tables (scripts/update_docs.sh compare puts them in docs/STUDY.md).
# usage: [SETS="k=v k=v"] [POLICIES=a,b] scripts/compare_table.sh [ODMASIM] [EXPERIMENT.ini...]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/odmasim}
shift || true
exps=("$@")
[ ${#exps[@]} -gt 0 ] || exps=(experiments/alpaca_compare.ini experiments/nq_compare.ini)
sets=()
for kv in ${SETS:-}; do sets+=(--set "$kv"); done
[ -z "${POLICIES:-}" ] || sets+=(--policies "$POLICIES")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for exp in "${exps[@]}"; do
	name=$(basename "$exp" .ini)
	"$bin" compare "$exp" -q -o "$tmp/$name" "${sets[@]}" >/dev/null
	echo
	echo "**$exp**${SETS:+ with ${SETS}}"
	echo
	python3 - "$tmp/$name/compare.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pct = lambda r, k: "%.1f%%" % (100 * float(r[k]))
print("| policy | predictor | RPS | gen TPS | util reserved | util live | packing | TTFT p50/p99 s | TPOT p50 s | e2e p50/p99 s | overflows | relocations | preemptions | recomputed tok | frag int | frag ext | safety pool | large bucket |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print("| %s | %s | %.2f | %.0f | %s | %s | %s | %.3f / %.2f | %.4f | %.2f / %.2f | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        r["policy"], r["predictor"], float(r["rps"]), float(r["tps_generated"]),
        pct(r, "util_reserved"), pct(r, "util_live"), pct(r, "util_packing"),
        float(r["ttft_p50_s"]), float(r["ttft_p99_s"]), float(r["tpot_p50_s"]),
        float(r["e2e_p50_s"]), float(r["e2e_p99_s"]), r["overflows"], r["relocations"],
        r["preemptions"], r["recomputed_tokens"], pct(r, "frag_internal"),
        pct(r, "frag_external"), pct(r, "safety_occupancy"), pct(r, "large_bucket_share")))
PY
done
