#!/bin/bash
# Regenerates the generated blocks of README.md and docs/*.md, so no number,
# key or usage line in them is typed by hand. A block is the text between
#   <!-- gen:NAME begin -->   and   <!-- gen:NAME end -->
# (the same block may appear in several files). --check writes nothing: it
# regenerates the blocks into a scratch copy and fails, naming each stale
# block, if any differs (tests/e2e/docs_test.sh runs it on the cheap blocks).
#
# usage: scripts/update_docs.sh [--check] [BLOCK...]
#   no BLOCK: every block (the study, RACM sweep and benchmark take minutes);
#   with --check and no BLOCK: the cheap blocks only (seconds).
# Environment: ODMASIM (default build/odmasim), VIDUR (a Vidur checkout, for the
# vidur block; unset: that block is kept as it is), FIGURES_DIR (a directory
# written by results/figures.sh; default docs/figures-build, made if absent;
# the figures block also copies its PNGs into docs/figures/).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ODMASIM:-build/odmasim}
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
cheap=(keys commands quickstart errors sweeplist badinput)
[ -x "$bin" ] || scripts/build.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
docs=(README.md docs/*.md)

# One command's usage text: `odmasim help CMD` where that exists, else
# `CMD --help`; a command whose --help does something else (keys prints the
# table) is given by its line of the top-level help.
usage_of() {
	local out
	if out=$("$bin" help "$1" 2>&1) && [ -n "$out" ] && [ "$out" != "$("$bin" --help)" ]; then
		printf '%s\n' "$out"
		return
	fi
	out=$("$bin" "$1" --help 2>&1 || true)
	if [ -z "$out" ] || [[ $out == "| key"* ]]; then
		"$bin" --help | awk -v c="$1" '$1 == c {sub(/^ *[^ ]+ +/, ""); print "odmasim " c ": " $0}'
	else
		printf '%s\n' "$out"
	fi
}

gen_commands() {
	echo '```'
	"$bin" --help
	echo '```'
	for c in $("$bin" --help | awk 'tolower($0) ~ /^commands:/ {f = 1; next} f && NF == 0 {exit} f {print $1}'); do
		echo
		echo "### odmasim $c"
		echo
		echo '```'
		usage_of "$c"
		echo '```'
	done
}

# Error messages as a user meets them, from small broken inputs.
gen_errors() {
	local d=$tmp/err q=experiments/quickstart.ini
	mkdir -p "$d/exists"
	printf 'id,prompt_tokens,output_tokens\n1,5,3\n2,-4,3\n' >"$d/t.csv"
	printf 'id,prompt_tokens,output_tokens\n7,5,3\n8,5,3\n7,5,3\n' >"$d/dup.csv"
	printf '[workload]\nrate = 2\n[policy]\nfoo = 1\n' >"$d/exp.ini"
	echo '```'
	{
		"$bin" run "$q" -q --set workload.trace="$d/t.csv" -o "$d/o1" || true
		"$bin" run "$q" -q --set workload.trace="$d/dup.csv" -o "$d/o2" || true
		"$bin" run "$d/exp.ini" -q -o "$d/o3" || true
		"$bin" run "$q" -q --set workload.rate=nan -o "$d/o4" || true
		"$bin" run "$q" -q --set device.capacity_gib=12 -o "$d/o5" || true
		"$bin" run "$q" -q --set scheduler.max_num_seqs=1 --set run.max_stall_iterations=3 \
			--set workload.num_requests=3 -o "$d/o6" || true
		"$bin" run "$q" -q -o "$d/exists" || true
	} 2>&1 | sed "s|$d/||g"
	echo '```'
}

gen_quickstart() {
	echo '```'
	"$bin" run experiments/quickstart.ini -o "$tmp/quickstart" |
		sed -e "s|$tmp/quickstart|results/out/quickstart|" -e '/^  wall time /d'
	echo '```'
}

# The MLU370 halfsat per-head latency and throughput tables of the RACM sweep.
racm_tables() {
	awk '/^## /{keep = ($0 ~ /^## mlu370-x4, halfsat, paged, per_head: (e2e p50 latency|throughput)/)}
		keep {sub(/^## /, "**"); if (/^\*\*/) $0 = $0 "**"; print}' "$1"
}

figures_dir() {
	local d=${FIGURES_DIR:-docs/figures-build}
	[ -f "$d/data/paper.csv" ] || ODMASIM=$bin results/figures.sh -o "$d" >&2
	echo "$d"
}

gen() {
	case $1 in
	keys) "$bin" keys ;;
	commands) gen_commands ;;
	quickstart) gen_quickstart ;;
	errors) gen_errors ;;
	badinput) # the bad-input matrix as a table: each case and what the binary says
		MATRIX=$tmp/matrix.md bash tests/e2e/bad_input.sh "$bin" >/dev/null
		cat "$tmp/matrix.md" ;;
	figures) # the table, and the committed copies of the figures it comes with
		local d
		d=$(figures_dir)
		scripts/figures_table.sh "$d"
		[ $check = 1 ] || cp "$d"/fig[0-9]*.png docs/figures/ ;;
	compare)
		scripts/compare_table.sh "$bin"
		SETS=predictor.uncertainty_threshold=1 POLICIES=odma scripts/compare_table.sh "$bin" ;;
	headline) scripts/headline_table.sh "$bin" ;;
	capacity_grid) scripts/capacity_table.sh "$bin" ;;
	odma_ablation) scripts/odma_ablation.sh "$bin" ;;
	azure) scripts/azure_table.sh "$bin" 2>/dev/null ;;
	predictors)
		ODMASIM=$bin scripts/predictor-tables.sh "$tmp/pred" >/dev/null
		python3 scripts/predictor_readme.py "$tmp/pred" ;;
	sweeplist)
		echo '```'
		echo '$ odmasim sweep experiments/sweep_example.ini --list'
		"$bin" sweep experiments/sweep_example.ini --list -o "$tmp/sweeplist" 2>&1
		echo '```' ;;
	validation) scripts/validation_table.sh "$bin" ;;
	capacity)
		local cmd=(capacity experiments/alpaca_static.ini --slo ttft_p99=1,tpot_p99=100ms
			--policies static,paged,oracle -q)
		echo '```'
		echo "\$ odmasim ${cmd[*]}"
		"$bin" "${cmd[@]}"
		echo '```' ;;
	dram) scripts/dram_table.sh "$bin" ;;
	conformal) # sample sizes from the predictors block (run that block first)
		python3 scripts/conformal_ranges.py docs/STUDY.md \
			"$("$bin" keys predictor | awk -F'|' '/predictor.calib_pct/ {gsub(/ /, "", $4); print $4}')" ;;
	racm)
		ODMASIM=$bin scripts/racm_sweep.sh "$tmp/racm" >/dev/null
		racm_tables "$tmp/racm/table.md" ;;
	bench) bench/bench.sh -b ;;
	bench_train) bench/bench.sh -a -t -p "s3 odma" ;;
	vidur) # needs a Vidur checkout; without one the block stays as it is
		if [ -n "${VIDUR:-}" ]; then
			scripts/vidur_crosscheck.sh -v "$VIDUR"
		else
			echo "update_docs: VIDUR (a Vidur checkout) unset: gen:vidur kept" >&2
			python3 -c 'import sys; s = open("docs/STUDY.md").read(); b = "<!-- gen:vidur begin -->\n"
print(s[s.index(b) + len(b):s.index("<!-- gen:vidur end -->")], end="")'
		fi ;;
	*) echo "update_docs: no generator for block '$1'" >&2; return 1 ;;
	esac
}

blocks=("$@")
if [ ${#blocks[@]} -eq 0 ]; then
	if [ $check = 1 ]; then
		blocks=("${cheap[@]}")
	else
		blocks=($(sed -n 's/^<!-- gen:\([a-z_]*\) begin -->$/\1/p' "${docs[@]}" | sort -u))
	fi
fi
stale=0
for b in "${blocks[@]}"; do
	files=$(grep -l "^<!-- gen:$b begin -->$" "${docs[@]}" || true)
	[ -n "$files" ] || { echo "update_docs: no block gen:$b in README.md or docs/*.md" >&2; exit 2; }
	gen "$b" >"$tmp/$b.md"
	for f in $files; do
		out=$f
		[ $check = 0 ] || out=$tmp/check.md
		python3 - "$b" "$tmp/$b.md" "$f" "$out" <<'PY'
import sys
name, block, src, dst = sys.argv[1:]
s = open(src).read()
begin, end = "<!-- gen:%s begin -->\n" % name, "<!-- gen:%s end -->" % name
a = s.index(begin) + len(begin)
open(dst, "w").write(s[:a] + open(block).read() + s[s.index(end):])
PY
		if [ $check = 1 ] && ! cmp -s "$f" "$out"; then
			echo "stale: block gen:$b in $f (run scripts/update_docs.sh $b)" >&2
			diff "$f" "$out" | head -20 >&2 || true
			stale=1
		fi
	done
done
exit $stale
