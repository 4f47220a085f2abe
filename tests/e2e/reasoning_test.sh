#!/bin/bash
# The paper's regime on real reasoning-model lengths (issue 13's must-hold):
# `odmasim compare` on the paper setup with simpleqa_r1.csv offline runs every
# policy and both odma variants; the engineered odma is at least as fast as
# the literal one and reserves fewer tokens per request; the oracle packs
# exactly at completion. Also the Azure trace replays with its own times.
# Skips (passes) the parts whose shared traces are absent.
# Usage: reasoning_test.sh PATH/TO/odmasim (run from the source root)
. "$(dirname "$0")/lib.sh"
traces=${ODMASIM_TRACES:-../shared/traces}
# col NAME ROW: the value of column NAME in compare.csv's row ROW (by policy)
col() {
	awk -F, -v c="$1" -v p="$2" 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == c) k = i
			if ($i == "policy") q = i }; next }
		$q == p { print $k }' "$tmp/sq/compare.csv"
}
if [ -f "$traces/simpleqa_r1.csv" ]; then
	"$bin" compare experiments/paper_simpleqa_r1.ini -q -o "$tmp/sq" >"$tmp/sq.txt" 2>&1 \
		&& ok || bad "compare on paper_simpleqa_r1: $(head -c 300 "$tmp/sq.txt")"
	[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "policy") k = i } { print $k }' \
		"$tmp/sq/compare.csv" | tr '\n' ' ')" = \
		"policy static paged s3 odma oracle odma/literal " ] \
		&& ok || bad "every policy and both odma variants"
	for p in static paged s3 odma oracle odma/literal; do
		[ "$(col requests_completed "$p")" = 2000 ] && ok || bad "$p completed $(col requests_completed "$p")"
	done
	awk -v a="$(col rps odma)" -v b="$(col rps odma/literal)" 'BEGIN { exit !(a >= b) }' \
		&& ok || bad "engineered odma $(col rps odma) req/s < literal $(col rps odma/literal)"
	awk -v a="$(col reserved_tokens_mean odma)" -v b="$(col reserved_tokens_mean odma/literal)" \
		'BEGIN { exit !(a < b) }' \
		&& ok || bad "engineered odma reserves $(col reserved_tokens_mean odma) >= literal"
	awk -v a="$(col util_packing_at_finish oracle)" 'BEGIN { exit !(a > 0.999 && a <= 1) }' \
		&& ok || bad "oracle packing at finish $(col util_packing_at_finish oracle) != 1"
	# the quantile and tau came from the validation slice, and say so
	"$bin" run experiments/paper_simpleqa_r1.ini -q -o "$tmp/run" >/dev/null 2>&1
	grep -q '"pred_tuned": 1,' "$tmp/run/summary.json" \
		&& grep -q '"pred_quantile": 0\.[5-9],' "$tmp/run/summary.json" \
		&& grep -q '^quantile = auto$' "$tmp/run/config.ini" \
		&& ok || bad "tuned quantile in summary.json, auto in config.ini"
else
	echo "skip: $traces/simpleqa_r1.csv absent"
fi
az=$traces/azure/AzureLLMInferenceTrace_code.csv
if [ -f "$az" ]; then
	"$bin" run experiments/quickstart.ini -q -o "$tmp/az" --set workload.trace="$az" \
		--set workload.arrival=trace --set workload.num_requests=300 --set policy.name=paged \
		--set policy.max_model_len=8192 >/dev/null 2>"$tmp/az.err" \
		&& ok || bad "Azure replay: $(head -c 300 "$tmp/az.err")"
	grep -q ',300,300,0,' "$tmp/az/summary.csv" && ok || bad "Azure: 300 requests, all completed"
else
	echo "skip: $az absent"
fi
finish
