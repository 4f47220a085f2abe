#!/bin/bash
# The engineered odma's optional mechanisms against its defaults, on the
# paper setup with real reasoning-model lengths (experiments/paper_
# {simpleqa_r1,frames_r1}.ini: offline, 2,000 held-out requests, 4 replicas,
# max_model_len 4096), each the mean over workload seeds 1-3: classes learned
# from predicted and observed lengths (policy.odma_learn_from = both), size-
# segregated free lists (policy.odma_free_lists = segregated), both, and the
# literal variant for scale. Markdown on stdout (scripts/update_docs.sh
# odma_ablation puts it in docs/MODEL.md; about 20 s on 2 cores).
# usage: scripts/odma_ablation.sh [ODMASIM]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/odmasim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
variants=("default|"
	"learn_from=both|--set policy.odma_learn_from=both"
	"free_lists=segregated|--set policy.odma_free_lists=segregated"
	"both + segregated|--set policy.odma_learn_from=both --set policy.odma_free_lists=segregated"
	"literal|--set policy.odma_variant=literal")
for w in simpleqa_r1 frames_r1; do
	for i in "${!variants[@]}"; do
		IFS='|' read -r name args <<<"${variants[$i]}"
		for seed in 1 2 3; do
			# shellcheck disable=SC2086 # args are --set pairs without spaces
			"$bin" run "experiments/paper_$w.ini" -q -o "$tmp/$w-$i-$seed" \
				--set run.requests_csv=false --set workload.seed=$seed $args
			echo "$w,$name,$seed,$(tail -n 1 "$tmp/$w-$i-$seed/summary.csv")" >>"$tmp/rows.csv"
		done
	done
done
hdr=$(head -n 1 "$tmp/$w-0-1/summary.csv")
python3 - "$tmp/rows.csv" "wl,variant,wseed,$hdr" <<'PY'
import csv, io, sys
hdr = sys.argv[2].split(",")
rows = list(csv.DictReader(open(sys.argv[1]), fieldnames=hdr))
cols = [("rps", "req/s", "%.3f"), ("reserved_tokens_mean", "reserved/request", "%.1f"),
        ("util_packing_at_finish", "packing at finish", "%.4f"), ("relocations", "relocations", "%.1f"),
        ("overflows", "overflows", "%.1f"), ("preemptions", "preemptions", "%.1f")]
print("| workload | odma | " + " | ".join(c[1] for c in cols) + " |")
print("|---|---|" + "---:|" * len(cols))
seen = []
for r in rows:
    k = (r["wl"], r["variant"])
    if k not in seen:
        seen.append(k)
for k in seen:
    g = [r for r in rows if (r["wl"], r["variant"]) == k]
    vals = [c[2] % (sum(float(r[c[0]]) for r in g) / len(g)) for c in cols]
    print("| %s | %s | %s |" % (k[0], k[1], " | ".join(vals)))
PY
