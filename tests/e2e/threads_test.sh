#!/bin/bash
# run.threads changes speed only: with a second thread requests.csv is
# written while the run goes (sim/core/rowstream), and for every policy the
# result files are byte-identical to a one-thread run; enough requests for
# the stream to take several turns, rejections and two replicas included.
# A run that fails after rows were written leaves nothing behind.
# Usage: threads_test.sh PATH/TO/odmasim (run from the source root)
. "$(dirname "$0")/lib.sh"
qs=experiments/quickstart.ini
base=(--set workload.num_requests=9000 --set workload.rate=30 --set run.sample_interval_s=0.5)
pred_noisy=(--set predictor.name=noisy --set predictor.noise_sigma=0.8)

# case name, then odmasim run arguments
check() {
	local name=$1
	shift
	if ! "$bin" run "$qs" -q -o "$tmp/$name-1" "$@" --set run.threads=1 2>"$tmp/err" ||
		! "$bin" run "$qs" -q -o "$tmp/$name-2" "$@" --set run.threads=2 2>>"$tmp/err"; then
		bad "$name: run failed: $(head -c 300 "$tmp/err")"
		return
	fi
	local files
	files=$(cd "$tmp/$name-1" && ls | grep -v '^config.ini$')
	[ "$(cd "$tmp/$name-2" && ls | grep -v '^config.ini$')" = "$files" ] \
		&& ok || bad "$name: different result files"
	for f in $files; do
		cmp -s "$tmp/$name-1/$f" "$tmp/$name-2/$f" && ok || bad "$name: $f differs"
	done
	rm -rf "$tmp/$name-1" "$tmp/$name-2"
}

pols=$("$bin" list policies) && [ -n "$pols" ] || { echo "FAIL: odmasim list policies"; exit 1; }
for pol in $pols; do
	extra=()
	case $pol in s3 | odma) extra=("${pred_noisy[@]}") ;; esac
	check "$pol" --set policy.name=$pol "${base[@]}" "${extra[@]}"
done
# prompts over max_model_len are rejected at arrival: rows of both kinds
check static-rejects "${base[@]}" --set policy.max_model_len=600
check paged-two --set policy.name=paged "${base[@]}" --set cluster.devices=2
check paged-offline --set policy.name=paged "${base[@]}" --set workload.arrival=offline
# predictions made on the second thread (sim/core/prep) from prompt texts,
# by a trained model: several blocks of requests, the run catching up
if [ -f ../shared/traces/alpaca.csv ] || [ -n "${ODMASIM_TRACES:-}" ]; then
	check odma-trained --set policy.name=odma --set workload.trace=alpaca.csv \
		--set workload.num_requests=30000 --set workload.rate=30
fi
# -o inside directories that do not exist yet
"$bin" run "$qs" -q -o "$tmp/deep/er/run" "${base[@]}" --set run.threads=2 >/dev/null 2>&1
"$bin" run "$qs" -q -o "$tmp/flat" "${base[@]}" --set run.threads=1 >/dev/null 2>&1
cmp -s "$tmp/deep/er/run/requests.csv" "$tmp/flat/requests.csv" && ok \
	|| bad "requests.csv under new directories differs"

# a run that stalls fails as with one thread, and leaves neither the
# directory nor a temporary one: here after some 75,000 requests finished,
# so the writer had written rows by then and is stopped (quit) mid-run
for th in 1 2; do
	"$bin" run "$qs" -q -o "$tmp/stall-$th" --set workload.num_requests=100000 \
		--set workload.arrival=offline --set scheduler.max_num_seqs=1 \
		--set run.max_stall_iterations=20 --set workload.synth_output_median=3 \
		--set workload.synth_output_sigma=0.5 --set run.threads=$th >/dev/null 2>"$tmp/stall-$th.err"
	echo "exit $?" >>"$tmp/stall-$th.err"
done
grep -q "stalled at t = 15682" "$tmp/stall-2.err" && cmp -s "$tmp/stall-1.err" "$tmp/stall-2.err" \
	&& ok || bad "stall differs: $(cat "$tmp/stall-1.err") / $(cat "$tmp/stall-2.err")"
[ -z "$(compgen -G "$tmp/stall-2*" | grep -v '\.err$')" ] && ok || bad "a failed run left $(ls -d "$tmp"/stall-2*)"

# requests_csv = false: no file, whatever the threads
"$bin" run "$qs" -q -o "$tmp/norq" "${base[@]}" --set run.requests_csv=false --set run.threads=2 \
	>/dev/null 2>&1
[ -s "$tmp/norq/util.csv" ] && [ ! -e "$tmp/norq/requests.csv" ] && ok \
	|| bad "requests_csv=false with two threads"
# a synthetic workload is built while the predictor loads (pred_wl_load):
# a failure of either, or of both, reads as with one thread (predictor first)
tiny=(--set predictor.name=s3 --set predictor.train_trace=tests/data/traces/odmasim.csv
	--set predictor.allow_no_text=true)
# a model trained (on five rows) while the synthetic workload is built
check s3-trained --set policy.name=s3 "${base[@]}" "${tiny[@]}"
sg=(--set workload.servegen_clients=top:3 --set workload.servegen_rates="$tmp/none.csv")
nm=(--set predictor.name=odma --set predictor.model_file="$tmp/none.model")
for k in wl pred both; do
	case $k in wl) a=("${tiny[@]}" "${sg[@]}") ;; pred) a=("${nm[@]}") ;;
		both) a=("${nm[@]}" "${sg[@]}") ;; esac
	for th in 1 2; do
		"$bin" run "$qs" -q -o "$tmp/fail-$k-$th" --set policy.name=odma "${a[@]}" \
			--set run.threads=$th >/dev/null 2>"$tmp/fail-$k-$th.err"
		echo "exit $?" >>"$tmp/fail-$k-$th.err"
	done
	grep -q "exit 1" "$tmp/fail-$k-2.err" && cmp -s "$tmp/fail-$k-1.err" "$tmp/fail-$k-2.err" \
		&& [ ! -e "$tmp/fail-$k-2" ] && ok \
		|| bad "$k failure differs: $(cat "$tmp/fail-$k-1.err") / $(cat "$tmp/fail-$k-2.err")"
done
grep -q "none.model" "$tmp/fail-both-2.err" && ok || bad "both failed: not the predictor's error first"
grep -q "none.csv" "$tmp/fail-wl-2.err" && ok || bad "workload failure: not its error"
finish
