#!/bin/bash
# run.fast_path changes speed only: for every policy, on small synthetic
# traces (one card, two replicas, a tensor-parallel pair, a pool small enough
# to preempt, both paged layouts, sparse arrivals so that most iterations
# are leapt over), the result files are byte-identical with
# the fast path on and off.
# Usage: fastpath_test.sh PATH/TO/odmasim (run from the source root)
. "$(dirname "$0")/lib.sh"
qs=experiments/quickstart.ini
base=(--set workload.num_requests=400 --set workload.rate=20 --set run.sample_interval_s=0.5)
# s3 and odma size from a noisy oracle so they overflow, requeue and relocate
pred_noisy=(--set predictor.name=noisy --set predictor.noise_sigma=0.8)
tight=(--set device.capacity_gib=15.0 --set device.reserve_frac=0)
two=(--set cluster.devices=2 --set cluster.router=least_kv)
tp=(--set cluster.devices=2 --set cluster.mode=tensor_parallel)
# chunked prefill: prompts several times the token budget
long=(--set workload.synth_prompt_median=700 --set workload.synth_prompt_sigma=0.4
	--set scheduler.max_batched_tokens=256)

# case name, then odmasim run arguments
check() {
	local name=$1
	shift
	if ! "$bin" run "$qs" -q -o "$tmp/$name-on" "$@" --set run.fast_path=true 2>"$tmp/err" ||
		! "$bin" run "$qs" -q -o "$tmp/$name-off" "$@" --set run.fast_path=false 2>>"$tmp/err"; then
		bad "$name: run failed: $(head -c 300 "$tmp/err")"
		return
	fi
	local files
	files=$(cd "$tmp/$name-off" && ls | grep -v '^config.ini$')
	[ "$(cd "$tmp/$name-on" && ls | grep -v '^config.ini$')" = "$files" ] \
		&& ok || bad "$name: different result files"
	for f in $files; do
		cmp -s "$tmp/$name-on/$f" "$tmp/$name-off/$f" && ok || bad "$name: $f differs"
	done
	cp "$tmp/$name-on/summary.json" "$tmp/$name.json"
	rm -rf "$tmp/$name-on" "$tmp/$name-off"
}
# summary field of a checked case
field() { sed -n "s/.*\"$2\": \([0-9.e+-]*\).*/\1/p" "$tmp/$1.json"; }

# every registered policy, so a new one cannot skip this test
pols=$("$bin" list policies) && [ -n "$pols" ] || { echo "FAIL: odmasim list policies"; exit 1; }
for pol in $pols; do
	extra=()
	case $pol in s3 | odma) extra=("${pred_noisy[@]}") ;; esac
	small=("${tight[@]}")
	# odma's safety pool needs ten max_model_len slots
	[ $pol = odma ] && small=(--set device.capacity_gib=16.6 --set device.reserve_frac=0)
	check "$pol" --set policy.name=$pol "${base[@]}" "${extra[@]}"
	check "$pol-tight" --set policy.name=$pol "${base[@]}" "${extra[@]}" "${small[@]}"
	check "$pol-two" --set policy.name=$pol "${base[@]}" "${extra[@]}" "${two[@]}"
	# sparse arrivals: most iterations are leapt over
	check "$pol-sparse" --set policy.name=$pol "${base[@]}" "${extra[@]}" --set workload.rate=1
	check "$pol-two-sparse" --set policy.name=$pol "${base[@]}" "${extra[@]}" "${two[@]}" \
		--set workload.rate=2 --set cluster.router=round_robin
	check "$pol-tp" --set policy.name=$pol "${base[@]}" "${extra[@]}" "${tp[@]}"
	check "$pol-chunked" --set policy.name=$pol "${base[@]}" "${extra[@]}" "${long[@]}" \
		--set workload.rate=2
done
# saturated: requests always wait and a big batch finishes something nearly
# every iteration, so most leaps end before their first iteration (priced
# before anything is planned) or before the first finish
check paged-saturated --set policy.name=paged "${base[@]}" --set workload.rate=60 \
	--set scheduler.max_num_seqs=64
check odma-saturated --set policy.name=odma "${pred_noisy[@]}" "${base[@]}" \
	--set device.capacity_gib=16.6 --set device.reserve_frac=0 \
	--set workload.rate=60 --set run.check_invariants=true
# admission blocked by the batch limits rather than by memory
check static-seqs "${base[@]}" --set workload.rate=3 --set scheduler.max_num_seqs=4
check paged-budget --set policy.name=paged --set scheduler.max_batched_tokens=700 "${base[@]}" \
	--set workload.rate=3
check paged-budget-offline --set policy.name=paged --set scheduler.max_batched_tokens=400 \
	"${base[@]}" --set workload.arrival=offline
check static-offline "${base[@]}" --set workload.arrival=offline
# with every invariant checked after every event (and after every leap)
check odma-checked --set policy.name=odma "${pred_noisy[@]}" "${base[@]}" --set workload.rate=2 \
	--set run.check_invariants=true
check paged-checked --set policy.name=paged "${base[@]}" "${tight[@]}" --set workload.rate=2 \
	--set run.check_invariants=true
check paged-layer --set policy.name=paged --set policy.paged_block_layout=per_head \
	--set policy.paged_kernel_factor=1.23 "${base[@]}" "${tight[@]}"
check paged-gather --set policy.name=paged --set policy.paged_kernel=gather "${base[@]}" "${tight[@]}"
# the odma variants: literal, and engineered (classes learned from predicted and
# observed lengths) with checked invariants
check odma-literal --set policy.name=odma --set policy.odma_variant=literal "${pred_noisy[@]}" \
	"${base[@]}" --set workload.rate=2
check odma-engineered-checked --set policy.name=odma --set policy.odma_variant=engineered \
	--set policy.odma_learn_from=both --set policy.odma_free_lists=segregated \
	"${pred_noisy[@]}" "${base[@]}" --set workload.rate=8 --set run.check_invariants=true
# leaps that grow paged requests across block boundaries: every iteration
# (one-token blocks), until the free list runs dry (everyone queued at once,
# a tight pool), evicting prefix-cache tags, in FIFO free order, checked
check paged-bs1 --set policy.name=paged --set policy.block_size=1 "${base[@]}" --set workload.rate=1
check paged-tight-offline --set policy.name=paged "${base[@]}" "${tight[@]}" \
	--set workload.arrival=offline --set run.check_invariants=true
check paged-prefix --set policy.name=paged --set scheduler.prefix_cache=true "${base[@]}" \
	"${tight[@]}" --set workload.rate=8
check paged-fifo-checked --set policy.name=paged --set policy.paged_free_order=fifo "${base[@]}" \
	"${tight[@]}" --set workload.rate=1 --set run.check_invariants=true
# finishes inside leaps: many requests reaching their visible cap in the same
# iteration, with nobody waiting (offline, all admitted at once), checked
check static-cap-offline --set workload.max_new_tokens=37 "${base[@]}" --set workload.arrival=offline \
	--set workload.num_requests=200
check paged-cap-checked --set policy.name=paged --set workload.max_new_tokens=37 "${base[@]}" \
	--set workload.arrival=offline --set workload.num_requests=200 --set run.check_invariants=true
check paged-merge --set policy.name=paged --set policy.paged_merge_adjacent=true "${base[@]}" "${tight[@]}"
check static-lpddr5 --set device.mem_model=lpddr5 "${base[@]}" "${tight[@]}"
# the reasoning-regime workloads, where the shared traces are present
traces=${ODMASIM_TRACES:-../shared/traces}
if [ -f "$traces/simpleqa_r1.csv" ] && [ -f "$traces/nq.csv" ]; then
	check odma-simpleqa --set policy.name=odma --set workload.trace=simpleqa_r1.csv \
		--set workload.num_requests=300 --set workload.arrival=offline
	check s3-nq-think --set policy.name=s3 --set workload.trace=nq.csv --set workload.rows=held_out \
		--set workload.output_model=think --set workload.num_requests=300 --set workload.rate=16
fi
az=$traces/azure/AzureLLMInferenceTrace_conv.csv
[ -f "$az" ] && check paged-azure --set policy.name=paged --set workload.trace="$az" \
	--set workload.arrival=trace --set workload.num_requests=300 --set policy.max_model_len=16384

# the cases exercise what they claim to
for c in paged-chunked static-chunked; do
	p=$(field "$c" rejected_prompt_over_batch)
	[ "$p" = 0 ] && ok || bad "$c: prompts over the budget refused ($p)"
	p=$(field "$c" requests_completed)
	[ -n "$p" ] && [ "$p" -gt 0 ] && ok || bad "$c: nothing completed ($p)"
done
for c in paged-tight s3-tight odma-tight paged-merge paged-tight-offline paged-prefix; do
	p=$(field "$c" preemptions)
	[ -n "$p" ] && [ "$p" -gt 0 ] && ok || bad "$c: no preemptions ($p)"
done
for c in paged-saturated odma-saturated; do
	q=$(field "$c" queue_mean_s)
	awk -v q="$q" 'BEGIN { exit !(q > 1) }' && ok || bad "$c: requests hardly waited ($q s)"
done
o=$(field s3 overflows)
[ -n "$o" ] && [ "$o" -gt 0 ] && ok || bad "s3: no overflows ($o)"
r=$(field odma relocations)
[ -n "$r" ] && [ "$r" -gt 0 ] && ok || bad "odma: no relocations ($r)"

# a stall is reported at the same iteration, with the same words, either way
for fp in true false; do
	"$bin" run "$qs" -q -o "$tmp/stall-$fp" "${base[@]}" --set scheduler.max_num_seqs=1 \
		--set run.max_stall_iterations=3 --set run.fast_path=$fp >/dev/null 2>"$tmp/stall-$fp.err"
	echo $? >>"$tmp/stall-$fp.err"
done
grep -q "stalled at t = " "$tmp/stall-true.err" && cmp -s "$tmp/stall-true.err" "$tmp/stall-false.err" \
	&& ok || bad "stall report differs: $(cat "$tmp/stall-true.err") / $(cat "$tmp/stall-false.err")"

# run.requests_csv = false drops that file and changes nothing else
"$bin" run "$qs" -q -o "$tmp/rq-on" "${base[@]}" >/dev/null 2>&1
"$bin" run "$qs" -q -o "$tmp/rq-off" "${base[@]}" --set run.requests_csv=false >/dev/null 2>&1
[ -s "$tmp/rq-on/requests.csv" ] && [ ! -e "$tmp/rq-off/requests.csv" ] && ok || bad "requests_csv=false still writes requests.csv"
for f in summary.json summary.csv util.csv; do
	cmp -s "$tmp/rq-on/$f" "$tmp/rq-off/$f" && ok || bad "requests_csv=false changes $f"
done

finish
