#!/bin/bash
# The study's headline: every policy (and odma's literal variant) at its
# saturation throughput — `odmasim compare` with every request at t = 0 — over
# max_model_len 2048/4096/8192 x {4 replicas, tensor-parallel 4}, on the real
# reasoning-model lengths (simpleqa_r1, frames_r1), on NQ with the think
# output model (an ASSUMPTION, labelled), and on the reference-length traces
# (alpaca, nq). Prints Markdown: req/s, packing at finish, mean reserved tokens
# per request. Then each policy's capacity under a latency SLO on two of them.
# usage: scripts/headline_table.sh [ODMASIM] [N_REQUESTS]
# (scripts/update_docs.sh headline puts it in docs/STUDY.md)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/odmasim}
n=${2:-1000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# workload label, experiment, extra settings
workloads=(
	"simpleqa_r1|paper_simpleqa_r1.ini|"
	"frames_r1|paper_frames_r1.ini|"
	"nq + think (ASSUMPTION)|paper_nq.ini|workload.output_model=think"
	"alpaca (reference)|paper_alpaca.ini|"
	"nq (reference)|paper_nq.ini|"
)
clusters=("4 replicas|cluster.mode=instances" "TP4|cluster.mode=tensor_parallel")
echo "| workload | max_model_len | cluster | policy | req/s | packing at finish | reserved tok/req | preemptions | relocations |"
echo "|---|---|---|---|---|---|---|---|---|"
k=0
for w in "${workloads[@]}"; do
	IFS='|' read -r label exp extra <<<"$w"
	for mml in 2048 4096 8192; do
		for cl in "${clusters[@]}"; do
			IFS='|' read -r cname cset <<<"$cl"
			sets=(--set workload.arrival=offline --set workload.sampling=replace
				--set workload.num_requests="$n" --set policy.max_model_len="$mml"
				--set "$cset")
			[ -z "$extra" ] || sets+=(--set "$extra")
			k=$((k + 1))
			"$bin" compare "experiments/$exp" -q -o "$tmp/c$k" "${sets[@]}" >/dev/null
			python3 - "$tmp/c$k/compare.csv" "$label" "$mml" "$cname" <<'PY'
import csv, sys
f, label, mml, cl = sys.argv[1:]
for r in csv.DictReader(open(f)):
    print("| %s | %s | %s | %s | %.2f | %.1f%% | %.0f | %s | %s |" % (
        label, mml, cl, r["policy"], float(r["rps"]),
        100 * float(r["util_packing_at_finish"]), float(r["reserved_tokens_mean"]),
        r["preemptions"], r["relocations"]))
PY
		done
	done
done
