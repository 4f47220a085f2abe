#!/bin/bash
# Every policy (`odmasim list policies`) on both Azure traces replayed with their
# real arrival times (experiments/azure_sweep.ini: one hour each, the paper's four
# MLU370-X4 cards), chunked prefill off and on, at max_model_len 4096 and 16384.
# Writes the merged CSV (one row per run) to CSV if given, and prints the markdown
# table of docs/STUDY.md (scripts/update_docs.sh azure). About 10 s on 2 cores.
# Traces: $ODMASIM_TRACES/azure, else ../shared/traces/azure.
# usage: scripts/azure_table.sh [ODMASIM [CSV]]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/odmasim}
csv=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sweep=experiments/azure_sweep.ini
# Every registered policy must be on the sweep's policy axis.
want=$("$bin" list policies | sort | tr '\n' ' ')
have=$(sed -n 's/^policy\.name *= *//p' "$sweep" | tr -d ' ' | tr , '\n' | sort | tr '\n' ' ')
if [ "$want" != "$have" ]; then
	echo "azure_table: $sweep covers policies '$have', odmasim has '$want'" >&2
	exit 1
fi
{
	sed "s|^base = .*|base = $PWD/experiments/azure.ini|" "$sweep"
	printf '\n[set]\nworkload.trace_dir = %s/azure\n' "$(cd "${ODMASIM_TRACES:-../shared/traces}" && pwd)"
} >"$tmp/sweep.ini"
"$bin" sweep "$tmp/sweep.ini" -j 2 -q -o "$tmp/out" >/dev/null
"$bin" merge "$tmp/out" -o "$tmp/all.csv" 2>/dev/null
[ -z "$csv" ] || cp "$tmp/all.csv" "$csv"
python3 - "$tmp/all.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
key = lambda r: (r["workload.trace"], r["policy.max_model_len"], r["policy.name"])
by = {}
for r in rows:
    by.setdefault(key(r), {})[r["scheduler.chunked_prefill"]] = r
def pair(k, f):
    return " / ".join(f(by[k][c]) for c in ("false", "true"))
g = lambda col, fmt: (lambda r: fmt % float(r[col]))
print("Each cell: chunked prefill off / on.\n")
print("| trace | max_model_len | policy | completed | too long / over batch | gen tok/s "
      "| TTFT p50 s | TTFT p99 s | TPOT p50 s | e2e p99 s | preemptions | reserved util |")
print("|---|---:|---|---|---|---|---|---|---|---|---|---|")
for k in sorted(by, key=lambda k: ("code" in k[0], int(k[1]))):
    name = k[0].replace("AzureLLMInferenceTrace_", "").replace(".csv", "")
    print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        name, k[1], k[2],
        pair(k, lambda r: r["requests_completed"]),
        pair(k, lambda r: "%s+%s" % (r["rejected_prompt_too_long"], r["rejected_prompt_over_batch"])),
        pair(k, g("tps_generated", "%.0f")), pair(k, g("ttft_p50_s", "%.3g")),
        pair(k, g("ttft_p99_s", "%.3g")), pair(k, g("tpot_p50_s", "%.3g")),
        pair(k, g("e2e_p99_s", "%.3g")), pair(k, lambda r: r["preemptions"]),
        pair(k, g("util_reserved", "%.2f"))))
PY
