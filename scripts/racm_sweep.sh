#!/bin/bash
# RACM sweep: static vs paged on mlu370-x4 and a100-80g with the Alpaca trace,
# over the access granularity L_half and the arrival rate, plus the lpddr5
# model and vLLM v1's per-layer block layout on the MLU370. Every point is one `odmasim run` of
# experiments/racm_sweep.ini with --set overrides; the summary rows are
# collected into sweep.csv and scripts/racm_table.py turns them into table.md.
# usage: scripts/racm_sweep.sh [OUTDIR]   (default results/out/racm_sweep)
# Environment overrides (space-separated lists): LHALF, RATES_MLU, RATES_A100.
# Stand-in until the general sweep runner exists; the result directory appears
# only when every run succeeded.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ODMASIM:-./build/odmasim}
exp=experiments/racm_sweep.ini
out=${1:-results/out/racm_sweep}
LHALF=${LHALF:-"64 256 1024 4096 16384 65536 262144 1048576"}
RATES_MLU=${RATES_MLU:-"4 8 10 12 16 24 40 80"}
RATES_A100=${RATES_A100:-"40 120 160 250"}

if [ -e "$out" ]; then
	echo "racm_sweep: $out exists; results are never overwritten" >&2
	exit 2
fi
[ -x "$bin" ] || { echo "racm_sweep: no $bin (build first: scripts/build.sh)" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$out.tmp-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0
point() { # device mem_model l_half rate policy [paged block layout]
	local lay=${6:-per_head}
	local dir="$tmp/runs/$1-$2-$3-$4-$5-$lay"
	"$bin" run "$exp" -q -o "$dir" --set device.preset="$1" --set device.mem_model="$2" \
		--set device.l_half_bytes="$3" --set workload.rate="$4" --set policy.name="$5" \
		--set policy.paged_block_layout="$lay"
	if [ ! -s "$tmp/sweep.csv" ]; then
		printf 'device_preset,mem_model,block_layout,l_half_bytes,rate,%s\n' \
			"$(head -n 1 "$dir/summary.csv")" >"$tmp/sweep.csv"
	fi
	printf '%s,%s,%s,%s,%s,%s\n' "$1" "$2" "$lay" "$3" "$4" "$(sed -n 2p "$dir/summary.csv")" \
		>>"$tmp/sweep.csv"
	rm -rf "$dir"
	n=$((n + 1))
}

mkdir -p "$tmp/runs"
for lh in $LHALF; do
	for r in $RATES_MLU; do
		for p in static paged; do point mlu370-x4 halfsat "$lh" "$r" "$p"; done
		# vLLM v1's block layout: a block's KV heads form one run
		point mlu370-x4 halfsat "$lh" "$r" paged per_layer
	done
	for r in $RATES_A100; do
		for p in static paged; do point a100-80g halfsat "$lh" "$r" "$p"; done
	done
done
# The two-level LPDDR5 model does not use L_half; "-" marks that in the table.
for r in $RATES_MLU; do
	for p in static paged; do point mlu370-x4 lpddr5 0 "$r" "$p"; done
done
python3 scripts/racm_table.py "$tmp/sweep.csv" >"$tmp/table.md"
rm -rf "$tmp/runs"
mv "$tmp" "$out"
trap - EXIT
echo "racm_sweep: $n runs -> $out/sweep.csv, $out/table.md"
