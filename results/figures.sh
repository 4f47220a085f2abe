#!/bin/bash
# Regenerates every figure: runs what is needed, writes each figure's CSV
# first (so it can be replotted), then draws PNG and SVG with gnuplot.
# usage: results/figures.sh [-o DIR]   (default results/out/figures)
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/out/figures
while getopts "o:" o; do
	case $o in
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
bin=build/odmasim
[ -x "$bin" ] || scripts/build.sh
mkdir -p "$out/data"
t0=$(date +%s)

# (1) effective bandwidth vs run length
files=""
for spec in "mlu370-x4 halfsat" "a100-80g halfsat"; do
	set -- $spec
	f=$out/data/fig1_bandwidth_$1_$2.csv
	"$bin" bandwidth --set device.preset="$1" --set device.mem_model="$2" |
		awk -F, -v t="$1 ($2)" 'NR == 1 {print "run_bytes," t; next} {print $3 "," $4}' >"$f"
	files="$files $f"
done
gnuplot -e "out='$out/fig1_bandwidth'; files='${files# }'" results/fig1_bandwidth.gp

echo "figures written to $out/ in $(($(date +%s) - t0)) s"
