#!/bin/bash
# Each policy's capacity under a latency SLO (`odmasim capacity`): the highest
# Poisson rate at which TTFT p99 <= 1 s and TPOT p99 <= 100 ms, on the paper
# setup (experiments/paper_*.ini: DeepSeek-R1-Distill-Qwen-7B on four
# MLU370-X4), 20,000 requests per evaluation so that the queue reaches a
# steady state; every policy plus odma/literal and paged without a
# paged-attention kernel (gather). The grid is workload x max_model_len x
# cluster; each argument after ODMASIM narrows one axis (comma lists):
#   WORKLOADS  simpleqa_r1,frames_r1,nq   (nq = reference lengths)
#   MMLS       2048,4096,8192
#   CLUSTERS   instances,tensor_parallel  (4 replicas, TP4)
#   TOL        the search's relative bracket (default 0.02)
# Markdown on stdout, a row per setting, a column per policy: capacity req/s
# and, in brackets, the first bound missed just above it. scripts/update_docs.sh
# capacity_grid runs the full grid and puts it in docs/STUDY.md (about 10 minutes
# on the 2-core machine).
# usage: scripts/capacity_table.sh [ODMASIM [WORKLOADS [MMLS [CLUSTERS [TOL]]]]]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/odmasim}
IFS=, read -r -a wls <<<"${2:-simpleqa_r1,frames_r1,nq}"
IFS=, read -r -a mmls <<<"${3:-2048,4096,8192}"
IFS=, read -r -a cls <<<"${4:-instances,tensor_parallel}"
tol=${5:-0.02}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for w in "${wls[@]}"; do
	case $w in
	nq) exp=experiments/paper_nq.ini ;;
	*) exp=experiments/paper_$w.ini ;;
	esac
	for m in "${mmls[@]}"; do
		for c in "${cls[@]}"; do
			d=$tmp/$w-$m-$c
			base=("$exp" --slo ttft_p99=1,tpot_p99=100ms --set workload.arrival=poisson
				--set workload.sampling=replace --set workload.num_requests=20000
				--set policy.max_model_len="$m" --set cluster.mode="$c"
				--set run.requests_csv=false --start 4 --tol "$tol" -j 2 -q)
			mkdir -p "$d"
			"$bin" capacity "${base[@]}" -o "$d/all.csv" >/dev/null
			"$bin" capacity "${base[@]}" --policies odma --set policy.odma_variant=literal \
				-o "$d/lit.csv" >/dev/null
			"$bin" capacity "${base[@]}" --policies paged --set policy.paged_kernel=gather \
				-o "$d/gat.csv" >/dev/null
			echo "$w|$m|$c|$d" >>"$tmp/list"
		done
	done
done
python3 - "$tmp/list" <<'PY'
import csv, sys
label = {"nq": "nq (reference)", "instances": "4 replicas", "tensor_parallel": "TP4"}
pols, out = None, []
for line in open(sys.argv[1]):
    w, m, c, d = line.rstrip("\n").split("|")
    rows = list(csv.DictReader(open(d + "/all.csv")))
    rows += [dict(r, policy="odma/literal") for r in csv.DictReader(open(d + "/lit.csv"))]
    rows += [dict(r, policy="paged (gather)") for r in csv.DictReader(open(d + "/gat.csv"))]
    pols = pols or [r["policy"] for r in rows]
    by = {r["policy"]: r for r in rows}
    cell = lambda r: "%s (%s)" % (r["capacity_rps"], r["missed"].replace("_p99", ""))
    out.append("| %s | %s | %s | %s |" % (label.get(w, w), m, label.get(c, c),
               " | ".join(cell(by[p]) for p in pols)))
print("| workload | max_model_len | cluster | " + " | ".join(pols) + " |")
print("|---|---:|---|" + "---:|" * len(pols))
print("\n".join(out))
PY
