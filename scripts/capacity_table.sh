#!/bin/bash
# Each policy's capacity under a latency SLO (`odmasim capacity`): the highest
# Poisson rate at which TTFT p99 <= 1 s and TPOT p99 <= 100 ms, on the paper
# setup with real reasoning-model lengths (experiments/paper_simpleqa_r1.ini,
# max_model_len 4096, 4 replicas), 20,000 requests per evaluation so that the
# queue reaches a steady state; plus odma/literal and paged without a
# paged-attention kernel. Markdown on stdout (scripts/update_docs.sh
# capacity_r1 puts it in docs/STUDY.md; about 3 minutes on 2 cores).
# usage: scripts/capacity_table.sh [ODMASIM]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/odmasim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
exp=experiments/paper_simpleqa_r1.ini
base=(--slo ttft_p99=1,tpot_p99=100ms --set workload.arrival=poisson
	--set workload.num_requests=20000 --start 4 -j 1 -q)
"$bin" capacity "$exp" "${base[@]}" -o "$tmp/all.csv" >/dev/null
"$bin" capacity "$exp" "${base[@]}" --policies odma --set policy.odma_variant=literal \
	-o "$tmp/lit.csv" >/dev/null
"$bin" capacity "$exp" "${base[@]}" --policies paged --set policy.paged_kernel=gather \
	-o "$tmp/gat.csv" >/dev/null
python3 - "$tmp/all.csv" "$tmp/lit.csv" "$tmp/gat.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rows += [dict(r, policy="odma/literal") for r in csv.DictReader(open(sys.argv[2]))]
rows += [dict(r, policy="paged (gather)") for r in csv.DictReader(open(sys.argv[3]))]
print("| policy | capacity req/s | achieved req/s | TTFT p99 s | TPOT p99 s | SLO missed at req/s (by) |")
print("|---|---:|---:|---:|---:|---|")
for r in rows:
    print("| %s | %s | %.2f | %.3f | %.4f | %s (%s) |" % (r["policy"], r["capacity_rps"],
          float(r["rps"]), float(r["ttft_p99_s"]), float(r["tpot_p99_s"]), r["missed_at_rps"], r["missed"]))
PY
