#!/bin/bash
# odmasim speed benchmark. For each policy it replays the full Alpaca trace
# (offline and Poisson arrivals) and synthetic traces of 10k, 100k and 1M
# requests, and prints per run: median wall seconds over REPS runs, peak RSS,
# bytes of peak RSS per request, simulated requests and iterations per wall
# second, and for Alpaca the ratios to two parse floors measured in this run
# on the same file: the libcsv scan (libcsv alone, callbacks that count) and
# the lean scan (one pass over the bytes that keeps nothing); both are
# build/odmasim-scan (bench/scan.c, docs/SPEED.md).
# Predictor-driven policies load a model trained beforehand (not timed); on
# the synthetic traces (no prompt texts) they run with predictor.allow_no_text.
# Runs write every result file, requests.csv included (run.requests_csv).
# Extra --set arguments for every run can be given in BENCH_SETS, e.g.
#   BENCH_SETS="--set run.fast_path=false" bench/bench.sh
#
# usage: bench/bench.sh [-r REPS] [-p POLICIES] [-q] [-t] [-a] [-b]   (from the project root)
#   -q  quick: 2 reps, no 1M run; POLICIES default to every registered one
#   -t  s3 and odma train their predictor at the start of every run (timed)
#   -a  the Alpaca rows only (no synthetic traces)
#   -b  big: also 10M synthetic requests per policy at the default 1-s
#       utilization window (one run each; minutes)
# BENCH_BIN=path/to/odmasim benchmarks another build (e.g. a baseline checkout);
# BENCH_SCAN=path/to/odmasim-scan the floors' binary (default beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=5
policies=""
big=1000000
train=0
alpaca_only=0
huge=0
while getopts "r:p:qtab" o; do
	case $o in
	r) reps=$OPTARG ;;
	p) policies=$OPTARG ;;
	q) reps=2 big=0 ;;
	t) train=1 ;;
	a) alpaca_only=1 ;;
	b) huge=10000000 ;;
	*) exit 2 ;;
	esac
done
bin=${BENCH_BIN:-build/odmasim}
[ -x "$bin" ] || scripts/build.sh
scan=${BENCH_SCAN:-$(dirname "$bin")/odmasim-scan}
[ -x "$scan" ] || scan=build/odmasim-scan
traces=${ODMASIM_TRACES:-../shared/traces}
alpaca=$traces/alpaca.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
known=$("$bin" list policies | tr '\n' ' ')
policies=${policies:-$known}

# median of numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# runs "$@" REPS times; prints "median_wall_s peak_rss_kb". Wall time is
# bash's clock (1 ms resolution: the floors take tens of ms), RSS GNU time's.
# $pre, if set, runs before each rep, untimed (removing the previous rep's
# output is not part of a run, and the scans it is compared with have none).
measure() {
	local walls=() rss=0 TIMEFORMAT=%3R
	for ((k = 0; k < reps; k++)); do
		[ -z "${pre:-}" ] || eval "$pre"
		{ time /usr/bin/time -f "%M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err"; } 2>"$tmp/wall"
		walls+=("$(cat "$tmp/wall")")
		read -r m <"$tmp/time"
		((m > rss)) && rss=$m
	done
	printf '%s\n' "${walls[@]}" | median | tr '\n' ' '
	echo "$rss"
}

# extra settings a policy needs (a trained predictor model, loaded not trained)
policy_sets() {
	case $1 in
	s3 | odma)
		if [ $train = 1 ]; then
			echo "--set predictor.name=$1"
			return
		fi
		local model=$tmp/model-$1.txt
		[ -f "$model" ] || "$bin" predict --trace "$alpaca" --predictor "$1" \
			--save-model "$model" -o "$tmp/predict-$1" >/dev/null
		echo "--set predictor.name=$1 --set predictor.model_file=$model" ;;
	oracle) echo "--set predictor.name=oracle" ;;
	*) echo "" ;;
	esac
}

# The floors are measured again before each policy's Alpaca rows, so each
# ratio compares runs made under the same machine load.
fcsv="" flean=""
floor_now() {
	[ -f "$alpaca" ] || return 0
	# tens of ms each: more reps than the runs, so a busy moment moves the
	# median less
	local r=$reps
	reps=$((r < 7 ? 7 : r))
	read -r fcsv fcsv_rss < <(measure "$scan" libcsv "$alpaca")
	read -r flean flean_rss < <(measure "$scan" lean "$alpaca")
	reps=$r
	echo "floors on alpaca.csv before $1: libcsv scan ${fcsv} s (${fcsv_rss} KB), lean scan ${flean} s (${flean_rss} KB)" >>"$tmp/floors"
}
echo
echo "| policy | workload | requests | wall s (median of $reps) | peak RSS MB | B/request | req/s wall | iter/s wall | x libcsv scan | x lean scan |"
echo "|---|---|---|---|---|---|---|---|---|---|"
row() { # policy label requests sets...
	local pol=$1 label=$2 n=$3
	shift 3
	local out=$tmp/run
	rm -rf "$out"
	# shellcheck disable=SC2048,SC2086 # the settings are words, split on purpose
	read -r wall rss < <(pre="rm -rf '$out'" measure "$bin" run bench/base.ini -q -o "$out" $* ${BENCH_SETS:-})
	if [ ! -f "$out/summary.json" ]; then # say why, and go on with the next row
		echo "| $pol | $label | $n | failed: $(head -c 200 "$tmp/err" | head -1) | | | | | | |"
		return 0
	fi
	local iters
	iters=$(sed -n 's/.*"iterations": \([0-9]*\).*/\1/p' "$out/summary.json")
	local xc="-" xl="-"
	if [ -n "$fcsv" ] && [[ $label == alpaca* ]]; then
		xc=$(awk -v a="$wall" -v b="$fcsv" 'BEGIN {printf "%.1f", a / b}')
		xl=$(awk -v a="$wall" -v b="$flean" 'BEGIN {printf "%.1f", a / b}')
	fi
	awk -v p="$pol" -v l="$label" -v n="$n" -v w="$wall" -v r="$rss" -v it="$iters" -v xc="$xc" -v xl="$xl" \
		'BEGIN {printf "| %s | %s | %d | %.3f | %.0f | %.0f | %.0f | %.0f | %s | %s |\n", p, l, n, w, r / 1024, r * 1024 / n, n / w, it / w, xc, xl}'
}
for pol in $policies; do
	if ! grep -qw "$pol" <<<"$known"; then
		echo "| $pol | (not built) | | | | | | | | |"
		continue
	fi
	ps=$(policy_sets "$pol")
	base="--set policy.name=$pol $ps"
	floor_now "$pol"
	if [ -f "$alpaca" ]; then
		row "$pol" alpaca-offline 52002 "$base --set workload.trace=$alpaca --set workload.arrival=offline"
		row "$pol" alpaca-poisson 52002 "$base --set workload.trace=$alpaca --set workload.rate=4"
	fi
	[ $alpaca_only = 1 ] && continue
	# no prompt texts here: a text predictor (s3, odma) predicts from the
	# prompt length alone, which a run refuses unless allowed
	base="$base --set predictor.allow_no_text=true"
	for n in 10000 100000 $big; do
		[ "$n" -gt 0 ] || continue
		row "$pol" "synthetic 1.5/s" "$n" "$base --set workload.num_requests=$n --set workload.rate=1.5"
	done
	# a saturating rate: requests always wait, admission is blocked by memory
	[ "$big" -gt 0 ] && row "$pol" "synthetic 10/s" "$big" "$base --set workload.num_requests=$big --set workload.rate=10"
	if [ "$huge" -gt 0 ]; then # one run: minutes each
		r=$reps reps=1
		row "$pol" "synthetic 1.5/s, 1-s window" "$huge" "$base --set workload.num_requests=$huge --set workload.rate=1.5 --set run.sample_interval_s=1"
		reps=$r
	fi
done
echo
[ -f "$tmp/floors" ] && cat "$tmp/floors"
