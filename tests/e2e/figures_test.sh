#!/bin/bash
# Figures: every gnuplot script draws a non-empty PDF, PNG and SVG from tiny CSVs
# written with the headers results/figures_data.py produces, without a gnuplot
# warning (the scripts read columns by header name, so a column the data lacks
# is a warning and fails here); the committed study sweeps parse; and a run
# that loads a predictor saved by `odmasim predict` (what results/figures.sh
# does) equals the same run that trains it at start.
# usage: tests/e2e/figures_test.sh ODMASIM   (from the project root)
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 results/figures_data.py --tiny "$tmp/data"
printf 'run_bytes,dev (halfsat)\n64,1.5\n4096,100\n1048576,250\n' >"$tmp/data/fig1.csv"

n=0
for gp in results/fig[0-9]*.gp; do
	name=$(basename "$gp" .gp)
	if [[ $name == fig1_* ]]; then
		vars="out='$tmp/$name'; files='$tmp/data/fig1.csv'"
	else
		vars="out='$tmp/$name'; data='$tmp/data'"
	fi
	gnuplot -e "$vars" "$gp" 2>"$tmp/$name.err" || fail "$gp exits non-zero: $(cat "$tmp/$name.err")"
	if grep -qi 'warning' "$tmp/$name.err"; then
		fail "$gp warns: $(cat "$tmp/$name.err")"
	fi
	for ext in pdf png svg; do
		[ -s "$tmp/$name.$ext" ] || fail "$gp wrote no $name.$ext"
	done
	[ "$(head -c 8 "$tmp/$name.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		fail "$name.png is not a PNG"
	[ "$(head -c 5 "$tmp/$name.pdf")" = "%PDF-" ] || fail "$name.pdf is not a PDF"
	# drawn for one journal column: 3.5 in wide (252 pt in the PDF's media box)
	grep -aq 'MediaBox \[ *0 0 252' "$tmp/$name.pdf" || fail "$name.pdf is not 3.5 in wide"
	n=$((n + 1))
done
[ $n -ge 10 ] || fail "expected ten figure scripts, found $n"

# a column missing from a CSV must fail the check above (guards the guard)
sed -i '1s/alpaca_live_pct/alpaca_other/' "$tmp/data/fig4_util.csv"
gnuplot -e "out='$tmp/broken'; data='$tmp/data'" results/fig4_util.gp 2>"$tmp/broken.err" || true
grep -qi 'warning' "$tmp/broken.err" || fail "a missing column did not make gnuplot warn"

# the schema covers every figure CSV (a script reading a file the schema lacks
# fails above: gnuplot cannot open it)
for f in fig2_hist fig2_s3_edges fig2_odma_alpaca fig2_odma_nq fig3_accuracy fig4_util \
	fig5_throughput fig6_alpaca fig6_nq fig7_K fig7_T fig7_sigma fig7_tau fig8_lhalf \
	fig9_bounds fig9_phases fig9_util_paged fig9_util_s3 fig9_util_odma fig9_util_oracle fig10_azure; do
	[ -s "$tmp/data/$f.csv" ] || fail "no schema for $f.csv"
done

# the committed study sweeps resolve (every key known, every value valid)
for s in paper_sweep rate_sweep odma_sens_K odma_sens_T odma_sens_sigma odma_sens_tau lhalf_sweep; do
	"$bin" sweep "experiments/$s.ini" --list -o "$tmp/sweep_$s" >"$tmp/list" 2>"$tmp/list.err" ||
		fail "experiments/$s.ini: $(cat "$tmp/list.err")"
	grep -q pending "$tmp/list" || fail "experiments/$s.ini lists no run"
done
"$bin" run experiments/drift.ini --set workload.phase_requests=30,20,30 -q -o "$tmp/drift" >/dev/null
head -1 "$tmp/drift/util.csv" | grep -q ',overflows$' || fail "util.csv has no overflows column"
[ -s "$tmp/drift/boundaries.csv" ] || fail "the drift run wrote no boundaries.csv"

# a saved predictor gives the same run as one trained at start
"$bin" predict --trace nq.csv --predictor odma -o "$tmp/pred" >/dev/null
common=(--set workload.num_requests=300 --set policy.name=odma --set policy.odma_tune=off -q)
"$bin" run experiments/paper_nq.ini "${common[@]}" -o "$tmp/trained" >/dev/null
"$bin" run experiments/paper_nq.ini "${common[@]}" --set predictor.model_file="$tmp/pred/model-odma.txt" \
	-o "$tmp/loaded" >/dev/null
cmp -s "$tmp/trained/summary.csv" "$tmp/loaded/summary.csv" ||
	fail "a loaded odma model does not reproduce the run that trained it"
cmp -s "$tmp/trained/boundaries.csv" "$tmp/loaded/boundaries.csv" ||
	fail "a loaded odma model changes odma's boundaries"
echo "figures: $n scripts drawn, sweeps resolve, saved predictor reproduces the trained run"
