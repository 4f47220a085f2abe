#!/bin/bash
# Regenerates every figure of the study: runs what is needed, writes each
# figure's CSV first (DIR/data/figN_*.csv, so it can be replotted), then draws
# PDF, PNG and SVG with gnuplot (results/figN_*.gp, style and print sizes in
# results/common.gp: one journal column, 8-pt text).
# usage: results/figures.sh [-o DIR] [-j N] [-r]
#   -o DIR  output directory (default results/out/figures)
#   -j N    parallel simulator runs (default: CPUs)
#   -r      reuse complete runs already in DIR/runs (default: start afresh, so
#           a changed simulator never hides behind old results)
# The experiments are the committed files in experiments/ (paper_*.ini,
# rate_sweep.ini, odma_sens_*.ini, lhalf_sweep.ini, drift.ini, and azure_sweep.ini
# through scripts/azure_table.sh, which writes DIR/data/azure.csv); the sweep files
# written to DIR/sweeps take their axes from those files and add one thing:
# the s3 and odma predictors are trained once per dataset by `odmasim predict`
# (which figure 3 needs anyway) and loaded from DIR/data/models instead of
# being retrained at the start of every run. Loaded and retrained predictors
# give identical results (tests/e2e/figures_test.sh checks one run).
set -euo pipefail
cd "$(dirname "$0")/.."
out=results/out/figures
jobs=$(nproc)
reuse=0
while getopts "o:j:r" o; do
	case $o in
	o) out=$OPTARG ;;
	j) jobs=$OPTARG ;;
	r) reuse=1 ;;
	*) exit 2 ;;
	esac
done
bin=build/odmasim
scripts/build.sh # (re)builds only what changed, so the figures never come from a stale binary
export LC_ALL=C
t0=$(date +%s)
[ $reuse = 1 ] || rm -rf "$out/runs" "$out/sweeps" "$out/data"
mkdir -p "$out/data/models" "$out/sweeps" "$out/runs"
D=$out/data
exp=$(pwd)/experiments
step() { echo "figures: $* ($(($(date +%s) - t0)) s)" >&2; }

# axis values of a committed sweep file, continuation lines joined: axis FILE KEY
axis() {
	awk -v k="$2" '$0 ~ "^" k " *=" { sub(/^[^=]*= */, ""); v = $0; f = 1; next }
		f && /^[ \t]/ { sub(/^[ \t]+/, ""); v = v " " $0; next } { f = 0 } END { print v }' "$exp/$1"
}
# one value of a committed experiment: val FILE KEY (key without its section)
val() { sed -n "s/^$2 *= *//p" "$exp/$1" | head -1; }

# --- predictors: fig 3's metrics and the models every s3/odma run loads -----
step "training and evaluating the s3 and odma predictors"
for ds in alpaca nq simpleqa_r1 frames_r1; do
	p=$D/pred_$ds
	[ -d "$p" ] || "$bin" predict --trace $ds.csv --predictor s3,odma -o "$p" >/dev/null &
	[ $ds != nq ] || wait # two at a time
done
wait
for ds in alpaca nq; do cp "$D/pred_$ds/model-s3.txt" "$D/models/$ds-s3.txt"; done
M=$D/models

# odma (engineered) chooses its quantile and tau on a validation slice of the
# training rows when it trains at start; a saved model has its quantile baked
# in, so the same choice is made once per dataset (a one-request run) and the
# model saved with it; the runs then load it and set tau.
step "odma: quantile and tau from the validation slice"
declare -A oq otau
for ds in alpaca nq; do
	"$bin" run "$exp/paper_$ds.ini" --set workload.num_requests=1 -q -o "$out/runs/tune_$ds" >/dev/null
	# the values used are summary fields (config.ini keeps auto, as given)
	oq[$ds]=$(sed -n 's/^ *"pred_quantile": \([^,]*\),$/\1/p' "$out/runs/tune_$ds/summary.json")
	otau[$ds]=$(sed -n 's/^ *"pred_uncertainty_threshold": \([^,]*\),$/\1/p' \
		"$out/runs/tune_$ds/summary.json")
	[ "$(sed -n 's/^ *"pred_tuned": \([^,]*\),$/\1/p' "$out/runs/tune_$ds/summary.json")" = 1 ] ||
		{ echo "figures.sh: odma did not tune on $ds" >&2; exit 1; }
	"$bin" predict --trace $ds.csv --predictor odma --set predictor.quantile="${oq[$ds]}" \
		--save-model "$M/$ds-odma.txt" -q >/dev/null &
done
wait

# a sweep-file list, one value per line (sweep files limit line length):
# list KEY ", v1, v2, ..."
list() { printf '%s = %s\n' "$1" "$(printf '%s' "${2#, }" | sed 's/, /,\n\t/g')"; }
# runs of every policy on both datasets: the zip's columns move together
# (and each dataset's row sampling from experiments/paper_<dataset>.ini)
pol_zip() { # pol_zip RATE_ALPACA RATE_NQ [POLICIES...]
	local ra=$1 rn=$2 tr="" po="" mf="" rt="" sa="" nr="" qq="" ta="" ds p m
	shift 2
	for ds in alpaca nq; do
		for p in "$@"; do
			case $p in s3 | odma) m=$M/$ds-$p.txt ;; *) m='""' ;; esac
			tr="$tr, $ds.csv" po="$po, $p" mf="$mf, $m" qq="$qq, ${oq[$ds]}" ta="$ta, ${otau[$ds]}"
			sa="$sa, $(val paper_$ds.ini sampling)" nr="$nr, $(val paper_$ds.ini num_requests)"
			if [ $ds = alpaca ]; then rt="$rt, $ra"; else rt="$rt, $rn"; fi
		done
	done
	printf '[zip run]\n'
	list workload.trace "$tr"
	list policy.name "$po"
	list predictor.model_file "$mf"
	list workload.sampling "$sa"
	list workload.num_requests "$nr"
	list predictor.quantile "$qq"
	[ -n "${NO_TAU:-}" ] || list predictor.uncertainty_threshold "$ta"
	[ -z "$ra" ] || list workload.rate "$rt"
}
sweep() { # sweep NAME < sweep file text
	cat >"$out/sweeps/$1.ini"
	"$bin" sweep "$out/sweeps/$1.ini" -j "$jobs" -q -o "$out/runs/$1" >&2
	"$bin" merge "$out/runs/$1" -o "$D/$1.csv"
}
POLS="static paged s3 odma oracle"
ra=$(val paper_alpaca.ini rate) rn=$(val paper_nq.ini rate)

step "paper setup: 2 datasets x 5 policies"
{ printf '[sweep]\nbase = %s/paper_alpaca.ini\n' "$exp"; pol_zip "$ra" "$rn" $POLS; } | sweep paper

step "arrival-rate sweep"
{ printf '[sweep]\nbase = %s/paper_alpaca.ini\n' "$exp"; pol_zip "" "" $POLS
  printf '[grid]\nworkload.rate = %s\n' "$(axis rate_sweep.ini workload.rate)"; } | sweep rates

step "odma sensitivity to K, T, sigma, tau"
for s in K:policy.odma_classes T:policy.odma_relearn_every sigma:policy.odma_safety \
	tau:predictor.uncertainty_threshold; do
	nt=""
	[ "${s%%:*}" != tau ] || nt=1
	{ printf '[sweep]\nbase = %s/paper_alpaca.ini\n' "$exp"; NO_TAU=$nt pol_zip "$ra" "$rn" odma
	  printf '[grid]\n%s = %s\n' "${s#*:}" "$(axis "odma_sens_${s%%:*}.ini" "${s#*:}")"; } |
		sweep "sens_${s%%:*}"
done

step "L_half sweep"
{ printf '[sweep]\nbase = %s/paper_alpaca.ini\n' "$exp"
  pol_zip "$(axis lhalf_sweep.ini workload.rate | cut -d, -f1)" \
	"$(axis lhalf_sweep.ini workload.rate | cut -d, -f2 | tr -d ' ')" paged odma
  printf '[grid]\ndevice.l_half_bytes = %s\n' "$(axis lhalf_sweep.ini device.l_half_bytes)"; } |
	sweep lhalf

step "drift run"
{ printf '[sweep]\nbase = %s/drift.ini\n[zip run]\n' "$exp"
  printf 'policy.name = paged, s3, odma, oracle\n'
  list predictor.model_file ", \"\", $M/alpaca-s3.txt, $M/alpaca-odma.txt, \"\""
  printf '[set]\npredictor.quantile = %s\npredictor.uncertainty_threshold = %s\n' \
	"${oq[alpaca]}" "${otau[alpaca]}"; } |
	sweep drift

step "output-length histograms (all rows of each trace, oracle runs)"
for ds in alpaca nq; do
	"$bin" run "$exp/paper_$ds.ini" --set workload.rows=all --set policy.name=oracle \
		--set run.sample_interval_s=0 -q -o "$out/runs/lengths_$ds" >/dev/null
done

step "Azure traces: every policy, chunked prefill off and on"
scripts/azure_table.sh "$bin" "$D/azure.csv" >/dev/null

step "writing the figures' CSVs"
python3 results/figures_data.py "$out"

step "drawing"
for gp in results/fig[0-9]*.gp; do
	name=$(basename "$gp" .gp)
	case $name in
	fig1_*) ;; # drawn below from the bandwidth command
	*) gnuplot -e "out='$out/$name'; data='$D'" "$gp" ;;
	esac
done

# (1) effective bandwidth vs run length
files=""
for spec in "mlu370-x4 halfsat" "mlu370-x4 lpddr5" "a100-80g halfsat"; do
	set -- $spec
	f=$D/fig1_bandwidth_$1_$2.csv
	"$bin" bandwidth --set device.preset="$1" --set device.mem_model="$2" |
		awk -F, -v t="$1 ($2)" 'NR == 1 {print "run_bytes," t; next} {print $3 "," $4}' >"$f"
	files="$files $f"
done
# The DRAM layer alone, measured on Ramulator 2 (scripts/dram-calibrate.sh):
# the committed table's points, efficiency x the MLU370-X4's 307.2 GB/s.
f=$D/fig1_bandwidth_mlu370-x4_ramulator.csv
pk=$("$bin" bandwidth --set device.preset=mlu370-x4-dram | awk -F, 'NR == 2 {print $4 / $5}')
awk -F, -v pk="$pk" '/^#/ {next} !h {h = 1; print "run_bytes,LPDDR5 DRAM (Ramulator 2)"; next}
	{print $1 "," $2 * pk}' device_models/calib/lpddr5-6400-x24-ramulator.csv >"$f"
files="$files $f"
gnuplot -e "out='$out/fig1_bandwidth'; files='${files# }'" results/fig1_bandwidth.gp

step "done: figures in $out/, their CSVs in $D/"
echo "figures written to $out/ in $(($(date +%s) - t0)) s"
