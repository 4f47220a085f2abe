#!/bin/bash
# The study's headline: every policy (and odma's literal variant) at its
# saturation throughput — `odmasim compare` with every request at t = 0 — over
# max_model_len 2048/4096/8192 x {4 replicas, tensor-parallel 4}, on the real
# reasoning-model lengths (simpleqa_r1, frames_r1), on NQ with the think
# output model (an ASSUMPTION, labelled), and on the reference-length traces
# (alpaca, nq). Prints one Markdown table, a row per workload and setting, a
# column per policy: req/s · packing at finish · reserved tokens per request;
# "paged (gather)" is paged on an accelerator without a paged-attention kernel.
# usage: scripts/headline_table.sh [ODMASIM] [N_REQUESTS]
# (scripts/update_docs.sh headline puts it in docs/STUDY.md; ~2 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/odmasim}
n=${2:-1000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# workload label | experiment | extra setting
workloads=(
	"simpleqa_r1|paper_simpleqa_r1.ini|"
	"frames_r1|paper_frames_r1.ini|"
	"nq + think (ASSUMPTION)|paper_nq.ini|workload.output_model=think"
	"alpaca (reference)|paper_alpaca.ini|"
	"nq (reference)|paper_nq.ini|"
)
clusters=("4 replicas|cluster.mode=instances" "TP4|cluster.mode=tensor_parallel")
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
			"$bin" compare "experiments/$exp" -q -o "$tmp/g$k" "${sets[@]}" --policies paged \
				--set policy.paged_kernel=gather >/dev/null
			printf '%s|%s|%s|%s|%s\n' "$label" "$mml" "$cname" "$tmp/c$k/compare.csv" \
				"$tmp/g$k/compare.csv" >>"$tmp/list"
		done
	done
done
python3 - "$tmp/list" <<'PY'
import csv, sys
rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1])]
pols = None
for label, mml, cl, f, g in rows:
    rs = {r["policy"]: r for r in csv.DictReader(open(f))}
    rs["paged (gather)"] = next(csv.DictReader(open(g)))
    if pols is None:
        pols = list(rs)
        print("| workload | max_model_len | cluster | " + " | ".join(pols) + " |")
        print("|---|---|---|" + "---|" * len(pols))
    cells = ["%.2f · %.0f%% · %.0f" % (float(rs[p]["rps"]),
             100 * float(rs[p]["util_packing_at_finish"]), float(rs[p]["reserved_tokens_mean"]))
             for p in pols]
    print("| %s | %s | %s | %s |" % (label, mml, cl, " | ".join(cells)))
PY
