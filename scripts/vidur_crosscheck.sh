#!/bin/bash
# vidur_crosscheck.sh [-v VIDUR_CHECKOUT] [-n REQUESTS] [-o OUTDIR]
# odmasim against Vidur (github.com/microsoft/vidur) on the same replays: A100-80G +
# Llama-2-7B, one replica, vLLM scheduling (batch cap 128, 4096 tokens per batch, blocks
# of 16), Alpaca lengths and the head of the Azure conversation trace, Poisson arrivals
# at a light and a saturating rate (the arrival times are written into the replay, so
# both simulators see the same requests at the same times). odmasim runs paged with
# chunked prefill off (Vidur's vLLM scheduler does not chunk) and on. Vidur runs only
# with -v: from that checkout, under Debian's python3 with stand-ins for wandb,
# plotly_express and ddsketch and a SUBSTITUTE attention table (roofline; Vidur's
# profiled A100 attention.csv is missing from stored copies). Prints a markdown table.
# Vidur's code is never copied into this repository. Debian packages: scripts/setup-debian.sh
# --vidur. The docs block: VIDUR=CHECKOUT scripts/update_docs.sh vidur.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
vidur='' n=1000 out=''
while getopts v:n:o: o; do
	case $o in
	v) vidur=$(cd "$OPTARG" && pwd) ;;
	n) n=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
bin=$here/build/odmasim
traces=${ODMASIM_TRACES:-$here/../shared/traces}
py=/usr/bin/python3
helper=$here/scripts/vidur_crosscheck.py
work=${out:-$(mktemp -d)}
mkdir -p "$work"
printf '[run]\nsample_interval_s = 0\n' >"$work/base.ini"
$py "$helper" traces "$work/replays" "$n" 1 "$traces" >"$work/cases.txt"
if [ -n "$vidur" ]; then
	$py "$helper" shims "$work/shims"
	$py "$helper" attention "$work/attention_substitute.csv" \
		"$here/device_models/presets/a100-80g.ini" "$here/device_models/presets/llama-2-7b.ini"
fi
now() { date +%s.%N; }
odm() { # case chunked -> one summary line
	local d=$work/odm-$1-$2
	"$bin" run "$work/base.ini" -q -o "$d" --set device.preset=a100-80g --set model.preset=llama-2-7b \
		--set policy.name=paged --set policy.block_size=16 --set policy.max_model_len=4096 \
		--set scheduler.max_num_seqs=128 --set scheduler.max_batched_tokens=4096 \
		--set scheduler.chunked_prefill="$2" --set workload.arrival=trace \
		--set workload.trace="$work/replays/$1.csv" >/dev/null
	$py "$helper" odm-row "$d/summary.json"
}
vid() { # case -> one summary line
	local d=$work/vidur-$1
	(cd "$vidur" && PYTHONPATH=$work/shims $py -m vidur.main \
		--replica_config_device a100 --replica_config_model_name meta-llama/Llama-2-7b-hf \
		--cluster_config_num_replicas 1 --replica_config_tensor_parallel_size 1 \
		--replica_config_num_pipeline_stages 1 \
		--request_generator_config_type trace_replay \
		--trace_request_generator_config_trace_file "$work/replays/$1.csv" \
		--trace_request_generator_config_max_tokens 4096 \
		--replica_scheduler_config_type vllm --vllm_scheduler_config_batch_size_cap 128 \
		--vllm_scheduler_config_max_tokens_in_batch 4096 \
		--execution_time_predictor_config_type linear_regression \
		--linear_regression_execution_time_predictor_config_attention_input_file \
		"$work/attention_substitute.csv" \
		--linear_regression_execution_time_predictor_config_prediction_max_prefill_chunk_size 4096 \
		--linear_regression_execution_time_predictor_config_prediction_max_batch_size 128 \
		--linear_regression_execution_time_predictor_config_prediction_max_tokens_per_request 4096 \
		--metrics_config_output_dir "$d" --metrics_config_cache_dir "$work/vidur-cache" \
		--no-metrics_config_enable_chrome_trace --no-metrics_config_store_plots) \
		>"$d.log" 2>&1 || { echo "vidur failed: see $d.log" >&2; return 1; }
	$py "$helper" vidur-row "$d"
}
echo "| replay | rate req/s | simulator | TTFT p50 s | TTFT p90 s | TPOT p50 s | batch mean | preemptions | KV pool tokens | wall s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
while read -r c rate _; do
	for ch in false true; do
		t0=$(now)
		line=$(odm "$c" "$ch")
		t1=$(now)
		printf '| %s | %s | odmasim paged, chunked %s | %s | %.2f |\n' "$c" "$rate" "$ch" "$line" \
			"$(echo "$t1 - $t0" | bc)"
	done
	if [ -n "$vidur" ]; then
		t0=$(now)
		line=$(vid "$c")
		t1=$(now)
		printf '| %s | %s | Vidur vllm (substitute attention) | %s | %.2f |\n' "$c" "$rate" "$line" \
			"$(echo "$t1 - $t0" | bc)"
	fi
done <"$work/cases.txt"
