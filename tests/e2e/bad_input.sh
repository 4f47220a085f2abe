#!/bin/bash
# Bad-input matrix: each case runs `odmasim run` on broken input and requires
#  - a non-zero exit,
#  - exactly one line on stderr, "odmasim: error: ...", containing the
#    expected location (file[:line]) and field/key,
#  - no results directory and no leftover DIR.tmp-* directory.
# A few cases that are valid-but-extreme input must instead succeed and count
# what they dropped. usage: tests/e2e/bad_input.sh path/to/odmasim
# With MATRIX=FILE, also writes the matrix as a Markdown table (case, what
# the binary printed) to FILE: docs/ROBUSTNESS.md's badinput block.
set -u
BIN=$(realpath "${1:?usage: bad_input.sh ODMASIM}")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
pass=0 fail=0
[ -n "${MATRIX:-}" ] && printf '| case | expected message |\n|---|---|\n' >"$MATRIX"
# row NAME TEXT: one table row; temporary paths cut, `|` escaped for Markdown.
row() {
	[ -n "${MATRIX:-}" ] || return 0
	local text=${2//$T\//}
	text=${text//$T/.}
	text=${text//|/\\|}
	printf '| %s | `` %s `` |\n' "$1" "$text" >>"$MATRIX"
}

# one_line PREFIX_RE 'PATTERN1|...': appends to $why what is wrong with
# $T/stderr (one line, matching PREFIX_RE, holding every pattern).
one_line() {
	[ "$(wc -l <"$T/stderr")" -eq 1 ] || why="$why; stderr has $(wc -l <"$T/stderr") lines"
	grep -q "$1" "$T/stderr" || why="$why; no '$1' prefix"
	local IFS='|' p
	for p in $2; do
		grep -qF -- "$p" "$T/stderr" || why="$why; message lacks '$p'"
	done
}

# verdict NAME: prints and counts the case from $why.
verdict() {
	if [ -n "$why" ]; then
		echo "FAIL $1:${why#;}"; sed 's/^/    /' "$T/stderr"; fail=$((fail + 1))
	else
		echo "ok   $1: $(cat "$T/stderr")"; pass=$((pass + 1))
		row "$1" "$(cat "$T/stderr")"
	fi
}

# fail_case NAME 'PATTERN1|PATTERN2...' -- ARGS... : the run must fail so.
fail_case() {
	local name=$1 pats=$2
	shift 3
	local out=${OUT:-$T/out-$name}
	why=""
	"$BIN" run "$@" -o "$out" -q >"$T/stdout" 2>"$T/stderr" && why="exit status 0"
	one_line '^odmasim: error: ' "$pats"
	[ ! -e "$out" ] || why="$why; $out was created"
	compgen -G "$out.tmp-*" >/dev/null && why="$why; temporary directory left behind"
	verdict "$name"
}

# cmd_fail NAME 'PATTERN1|...' -- COMMAND ARGS... : another command must fail
# with one "error:" line holding each pattern.
cmd_fail() {
	local name=$1 pats=$2
	shift 3
	why=""
	"$BIN" "$@" >"$T/stdout" 2>"$T/stderr" && why="exit status 0"
	one_line '^odmasim[a-z ]*: error: ' "$pats"
	verdict "$name"
}

# ok_case NAME 'summary.json needle' -- ARGS... : the run must succeed.
ok_case() {
	local name=$1 pat=$2
	shift 3
	local out="$T/out-$name"
	if "$BIN" run "$@" -o "$out" -q 2>"$T/stderr" && grep -qF -- "$pat" "$out/summary.json"; then
		echo "ok   $name: $pat"; pass=$((pass + 1))
		row "$name" "(succeeds) $pat"
	else
		echo "FAIL $name: expected success with '$pat'"; cat "$T/stderr"; fail=$((fail + 1))
	fi
}

# An experiment over trace file $1 (offline arrivals, small).
exp() { printf '[workload]\ntrace = %s\narrival = offline\n\n[policy]\nmax_model_len = 4096\n' "$T/$1" >"$T/$1.ini"; }
csv() { printf "$2" >"$T/$1"; exp "$1"; }

csv good.csv 'id,prompt_tokens,output_tokens\n0,10,5\n1,20,7\n'
csv empty.csv ''
csv header_only.csv 'id,prompt_tokens,output_tokens\n'
csv wrong_header.csv 'id,input_len,output_len\n0,10,5\n'
csv vidur_partial.csv 'arrived_at,num_prefill_tokens\n0,10\n'
csv unterminated.csv 'id,prompt_tokens,output_tokens,prompt\n0,10,5,"hello\n1,3,3,x\n'
csv neg_prompt.csv 'id,prompt_tokens,output_tokens\n0,10,5\n1,-4,5\n'
csv neg_output.csv 'id,prompt_tokens,output_tokens\n0,10,-1\n'
csv nonnum.csv 'id,prompt_tokens,output_tokens\n0,10,five\n'
csv fraction.csv 'id,prompt_tokens,output_tokens\n0,10.5,5\n'
csv huge.csv 'id,prompt_tokens,output_tokens\n0,10,333333333333333333333.0\n'
csv empty_field.csv 'id,prompt_tokens,output_tokens\n0,,5\n'
csv short_row.csv 'id,prompt_tokens,output_tokens\n0,10,5\n1,10\n'
csv dup_ids.csv 'id,prompt_tokens,output_tokens\n7,10,5\n8,10,5\n7,3,3\n'
csv bad_arrival.csv 'id,prompt_tokens,output_tokens,arrival_s\n0,10,5,-1\n'
csv nul.csv 'id,prompt_tokens,output_tokens\n0,1\0000,5\n'
csv too_long.csv 'id,prompt_tokens,output_tokens\n0,10,5\n1,5000,5\n2,4000,9000\n'
printf '[workload]\ntrace = %s/good.csv\narrival = offline\n[policy]\nfoo = 3\n' "$T" >unknown_key.ini
printf '[workload]\ntrace = %s/good.csv\n[polcy]\nname = static\n' "$T" >unknown_section.ini
printf '[workload]\ntrace = %s/good.csv\nrate\n' "$T" >syntax.ini
printf '[workload]\ntrace = %s/good.csv\n[scheduler]\nmax_num_seqs = many\n' "$T" >nonnum_key.ini
printf '[workload]\nrate = 1\nrate = 2\n' >twice.ini
touch afile
printf '[sweep] base = good.csv.ini\n' >sweep_junk.ini

fail_case missing_experiment 'nope.ini|cannot open' -- "$T/nope.ini"
fail_case missing_trace 'missing.csv|cannot open trace' -- good.csv.ini --set "workload.trace=$T/missing.csv"
fail_case empty_trace 'empty.csv|empty file' -- empty.csv.ini
fail_case header_only 'header_only.csv|header only' -- header_only.csv.ini
fail_case wrong_header 'wrong_header.csv:1:|header must name id, prompt_tokens and output_tokens' -- wrong_header.csv.ini
fail_case vidur_missing_column 'vidur_partial.csv:1:|num_decode_tokens' -- vidur_partial.csv.ini
fail_case unterminated_quote 'unterminated.csv:2:|unterminated quoted field' -- unterminated.csv.ini
csv unterminated_first.csv 'id,prompt_tokens,output_tokens,prompt\n0,1,1,x\n"1,3,3,x\n2,3,3,x\n'
fail_case unterminated_quote_first_field 'unterminated_first.csv:3:|unterminated quoted field' -- unterminated_first.csv.ini
fail_case negative_prompt 'neg_prompt.csv:3: prompt_tokens: must be positive' -- neg_prompt.csv.ini
fail_case negative_output 'neg_output.csv:2: output_tokens: must not be negative' -- neg_output.csv.ini
fail_case nonnumeric_length "nonnum.csv:2: output_tokens: expected an integer, got 'five'" -- nonnum.csv.ini
fail_case fractional_length 'fraction.csv:2: prompt_tokens: expected an integer' -- fraction.csv.ini
fail_case huge_length 'huge.csv:2: output_tokens: too large' -- huge.csv.ini
fail_case empty_field 'empty_field.csv:2: prompt_tokens: empty value' -- empty_field.csv.ini
fail_case short_row 'short_row.csv:3:|expected 3 fields' -- short_row.csv.ini
fail_case duplicate_ids 'dup_ids.csv:4: id: duplicate id 7 (first on line 2)' -- dup_ids.csv.ini
fail_case negative_arrival 'bad_arrival.csv:2: arrival_s:' -- bad_arrival.csv.ini --set workload.arrival=trace
fail_case nul_byte 'nul.csv:2:|NUL byte' -- nul.csv.ini
csv cr_only.csv 'id,prompt_tokens,output_tokens\r0,10,5\r1,-3,5\r'
fail_case trace_cr_only_line "cr_only.csv:3: prompt_tokens: must be positive, got '-3'" -- cr_only.csv.ini
csv mixed_header.csv 'id,prompt_tokens,output_tokens,arrived_at\n0,10,5,0\n1,x,5,1\n'
fail_case mixed_header_names_its_column "mixed_header.csv:3: prompt_tokens: expected an integer, got 'x'" -- mixed_header.csv.ini
fail_case nan_rate "--set: workload.rate: expected a finite number, got 'nan'" -- good.csv.ini --set workload.rate=nan
fail_case zero_rate '--set: workload.rate: 0 is out of range' -- good.csv.ini --set workload.rate=0
fail_case unknown_policy "--set: policy.name: unknown policy 'lru'" -- good.csv.ini --set policy.name=lru
fail_case unknown_key 'unknown_key.ini:5: policy.foo: unknown key' -- unknown_key.ini
fail_case unknown_section 'unknown_section.ini:4:|unknown section [polcy]' -- unknown_section.ini
fail_case ini_syntax 'syntax.ini:3: syntax error' -- syntax.ini
fail_case key_twice 'twice.ini:3: workload.rate: set twice (first at twice.ini:2)' -- twice.ini
fail_case nonnumeric_key "nonnum_key.ini:4: scheduler.max_num_seqs: expected an integer, got 'many'" -- nonnum_key.ini
fail_case zero_max_num_seqs '--set: scheduler.max_num_seqs: 0 is out of range' -- good.csv.ini --set scheduler.max_num_seqs=0
fail_case eta_above_one '--set: device.eta_seq: 1.5 is out of range' -- good.csv.ini --set device.eta_seq=1.5
fail_case reserve_frac_one '--set: device.reserve_frac: 1 is out of range' -- good.csv.ini --set device.reserve_frac=1
fail_case kv_heads_over_heads '--set: model.kv_heads: 64 KV heads but only 28 heads' -- good.csv.ini --set model.kv_heads=64
fail_case set_line_break '--set: device.name: a value cannot hold a line break' -- good.csv.ini --set $'device.name=a\nb'
fail_case set_inline_comment "--set: device.name: a ';' at the start of a value or after a space starts a comment" -- good.csv.ini --set 'device.name=x ;y'
fail_case bad_set_syntax "--set: expected section.key=value, got 'rate=3'" -- good.csv.ini --set rate=3
fail_case unknown_preset "--set: device.preset: unknown device preset 'h100'" -- good.csv.ini --set device.preset=h100
fail_case missing_preset_file "--set: model.preset_file: /nonexistent.ini: cannot open preset file" -- good.csv.ini --set model.preset_file=/nonexistent.ini
fail_case model_does_not_fit "model.params_b: model 'deepseek-r1-distill-qwen-7b' does not fit on device 'mlu370-x4'|device.capacity_gib from --set" -- good.csv.ini --set device.capacity_gib=10
fail_case tp_model_over_all_cards "--set: model.params_b: model 'deepseek-r1-distill-qwen-7b' does not fit on device 'mlu370-x4' over 4 cards" -- good.csv.ini --set model.params_b=400 --set cluster.devices=4 --set cluster.mode=tensor_parallel
fail_case static_region_over_pool '--set: policy.max_model_len: one static region of 1000000 tokens does not fit' -- good.csv.ini --set policy.max_model_len=1000000
fail_case trace_arrival_without_times "good.csv: workload.arrival: 'trace' needs timestamps" -- good.csv.ini --set workload.arrival=trace
fail_case more_requests_than_rows "--set: workload.num_requests: 5 requested but $T/good.csv has 2 rows" -- good.csv.ini --set workload.num_requests=5
# Phases (several traces in workload.trace).
fail_case phase_trailing_comma '--set: workload.trace: item 2 of the trace list is empty' -- good.csv.ini --set "workload.trace=$T/good.csv,"
many=$(for i in $(seq 33); do printf '%s/good.csv,' "$T"; done)
fail_case phases_over_32 '--set: workload.trace: more than 32 phases' -- good.csv.ini --set "workload.trace=${many%,}"
fail_case phase_more_than_rows "--set: workload.phase_requests: 5 requested but $T/good.csv has 2 rows" -- good.csv.ini --set "workload.trace=$T/good.csv,$T/good.csv" --set workload.phase_requests=1,5
fail_case phase_count_not_number "--set: workload.phase_requests: 'x' is not a request count" -- good.csv.ini --set "workload.trace=$T/good.csv,$T/good.csv" --set workload.phase_requests=1,x
fail_case rate_overflows_clock '--set: workload.rate: request |raise workload.rate' -- good.csv.ini --set workload.arrival=poisson --set workload.rate=1e-9 --set workload.seed=1 --set run.sample_interval_s=0 --set workload.sampling=replace --set workload.num_requests=50
fail_case gamma_rate_overflows_clock '--set: workload.rate: request ' -- good.csv.ini --set workload.arrival=gamma --set workload.rate=1e-9 --set workload.seed=1 --set run.sample_interval_s=0 --set workload.sampling=replace --set workload.num_requests=50
# The synthetic workload streamed (made during the run): the same error, also
# when the arrival past the clock lies beyond the first block of 8,192 rows.
fail_case synth_rate_overflows_clock '--set: workload.rate: request 8 would arrive' -- --set workload.rate=1e-9 --set workload.seed=1 --set run.sample_interval_s=0 --set workload.num_requests=50 --set run.threads=1
fail_case synth_rate_overflows_clock_late '--set: workload.rate: request 13646 would arrive' -- --set workload.rate=1.5e-6 --set workload.seed=1 --set run.sample_interval_s=0 --set workload.num_requests=20000 --set run.threads=2
fail_case stall_limit 'run.max_stall_iterations: stalled at t = |request 1 at the head of the queue|scheduler.max_num_seqs = 1' -- good.csv.ini --set scheduler.max_num_seqs=1 --set run.max_stall_iterations=2 --set workload.max_new_tokens=0
csv far_apart.csv 'id,prompt_tokens,output_tokens,arrival_s\n0,10,5,0\n1,10,5,8e9\n'
ok_case series_coarsens_far_apart '"requests_completed": 2' -- far_apart.csv.ini --set workload.arrival=trace
ok_case series_off_far_apart '"requests_completed": 2' -- far_apart.csv.ini --set workload.arrival=trace --set run.sample_interval_s=0
csv long_prompt.csv 'id,prompt_tokens,output_tokens\n0,2000,5\n'
fail_case device_far_too_slow 'device: an iteration at t = |overflow simulated time|device.peak_tflops' -- long_prompt.csv.ini --set device.capacity_gib=1000000 --set device.peak_tflops=0.001 --set device.compute_eff=0.001 --set model.params_b=100000 --set model.bytes_per_elem=1 --set run.sample_interval_s=0
fail_case block_size_zero '--set: policy.block_size: 0 is out of range' -- good.csv.ini --set policy.name=paged --set policy.block_size=0
fail_case buckets_zero '--set: predictor.buckets: 0 is out of range' -- good.csv.ini --set predictor.name=s3 --set predictor.buckets=0
fail_case noise_sigma_too_large '--set: predictor.noise_sigma: 6 is out of range' -- good.csv.ini --set predictor.name=noisy --set predictor.noise_sigma=6
fail_case unknown_predictor "--set: predictor.name: unknown predictor 'lstm'" -- good.csv.ini --set predictor.name=lstm
fail_case missing_model_file "$T/none.model: cannot open model" -- good.csv.ini --set predictor.name=s3 --set "predictor.model_file=$T/none.model"
printf 'odmasim-model s3 1\nmodel\n' >bad.model
fail_case corrupt_model_file "$T/bad.model:2:" -- good.csv.ini --set predictor.name=s3 --set "predictor.model_file=$T/bad.model"
printf 'odmasim-model s3 1\nmodel ridge\nbuckets 10\nbucket_max 2048\nhash_bits 14\nweights w 16392 1\n0 1.5\nend\njunk\n' >ridge.model
fail_case model_kind_contradicts_config "$T/ridge.model:2: model|predictor.s3_model = softmax" -- good.csv.ini --set predictor.name=s3 --set "predictor.model_file=$T/ridge.model"
fail_case model_text_after_end "$T/ridge.model:9:|after the model's last table" -- good.csv.ini --set predictor.name=s3 --set predictor.s3_model=ridge --set "predictor.model_file=$T/ridge.model"
# INI and preset readers (issue 16): nothing is silently dropped.
printf '[workload]\ntrace = %s/good.csv\narrival = offline\n[policy] name = nosuch\n' "$T" >after_section.ini
fail_case text_after_section 'after_section.ini:4: text after the section header' -- after_section.ini
printf '[workload]\rtrace = %s/missing.csv\rarrival = offline\r' "$T" >cr_only.ini
fail_case cr_only_line_ends "$T/missing.csv: cannot open trace" -- cr_only.ini
printf '[workload]\rtrace = %s/good.csv\r[polcy]\rname = static\r' "$T" >cr_only_line.ini
fail_case cr_only_line_number 'cr_only_line.ini:4:|unknown section [polcy]' -- cr_only_line.ini
printf '[workload]\ntrace = %s/good.csv\n  arrival = offline\n' "$T" >indented.ini
fail_case indented_key 'indented.ini:3: indented line' -- indented.ini
printf '[device]\nname = x\ncapacity_gib = 48\n\0\npeak_tflops = 1\n' >nul_preset.ini
fail_case preset_nul_byte "--set: device.preset_file: preset file '$T/nul_preset.ini' contains a NUL byte" -- good.csv.ini --set "device.preset_file=$T/nul_preset.ini"
sed 's/^capacity_gib = .*/capacity_gib = -48/' "$SRC/device_models/presets/a100-80g.ini" >neg_preset.ini
fail_case preset_bad_value "$T/neg_preset.ini:6: device.capacity_gib: -48 is out of range" -- good.csv.ini --set "device.preset_file=$T/neg_preset.ini"
printf '[device] name = x\n' >junk_preset.ini
fail_case preset_text_after_section "$T/junk_preset.ini:1: text after the section header" -- good.csv.ini --set "device.preset_file=$T/junk_preset.ini"
printf '[device]\nname = x\n' >partial_preset.ini
fail_case preset_incomplete "--set: device.preset_file: preset file '$T/partial_preset.ini' does not set device.capacity_gib" -- good.csv.ini --set "device.preset_file=$T/partial_preset.ini"
fail_case preset_not_regular '--set: device.preset_file: /dev/zero: preset file is not a regular file' -- good.csv.ini --set device.preset_file=/dev/zero
fail_case trace_endless '/dev/zero: trace is not a regular file' -- good.csv.ini --set workload.trace=/dev/zero
fail_case experiment_endless '/dev/zero: config is not a regular file' -- /dev/zero
mkdir adir
fail_case experiment_directory "$T/adir: config is a directory" -- "$T/adir"
OUT="$T/afile/out" fail_case output_under_a_file "$T/afile/out: cannot create output directory: Not a directory" -- good.csv.ini

# predict: no metrics over zero test rows; s3 needs prompt texts, as in run.
cmd_fail predict_no_test_rows 'predictor.split_test_pct: no test rows' -- predict --trace "$T/good.csv" --predictor noisy --test-pct 0 -q
cmd_fail predict_s3_without_text "good.csv: prompt: predictor 's3' needs prompt texts but the trace has none" -- predict --trace "$T/good.csv" --predictor s3 -q
cmd_fail sweep_text_after_section 'sweep_junk.ini:1: text after the section header' -- sweep sweep_junk.ini --list
cmd_fail sweep_file_endless '/dev/zero: sweep file is not a regular file' -- sweep /dev/zero --list
cmd_fail merge_nothing "$T/adir: no runs here" -- merge "$T/adir"

# The results directory already exists: refused, and left untouched.
mkdir exists && echo keep >exists/mine.txt
"$BIN" run good.csv.ini -o exists -q 2>stderr
if [ $? -ne 0 ] && grep -qF "exists: output directory already exists" stderr && [ "$(cat exists/mine.txt)" = keep ] &&
	[ "$(ls exists)" = mine.txt ] && ! compgen -G 'exists.tmp-*' >/dev/null; then
	echo "ok   results_dir_exists: $(cat stderr)"; pass=$((pass + 1))
	row results_dir_exists "$(cat stderr)"
else
	echo "FAIL results_dir_exists"; cat stderr; fail=$((fail + 1))
fi

# A write that fails half way (file size limit) leaves no partial results.
(trap '' XFSZ; ulimit -f 1; exec "$BIN" run "$T/good.csv.ini" --set workload.trace= \
	--set workload.num_requests=2000 -o "$T/partial" -q) 2>stderr
if [ $? -ne 0 ] && grep -qF "write failed" stderr && [ ! -e partial ] && ! compgen -G 'partial.tmp-*' >/dev/null; then
	echo "ok   write_fails_midway: $(cat stderr)"; pass=$((pass + 1))
	row write_fails_midway "$(cat stderr)"
else
	echo "FAIL write_fails_midway"; cat stderr; ls; fail=$((fail + 1))
fi

# A sweep whose run count would overflow (it used to crash): refused at the
# axis that crosses the limit, before anything is written.
{ printf '[sweep]\nbase = good.csv.ini\nout = %s/sweep-out\n' "$T"
  for k in workload.seed workload.rate scheduler.max_num_seqs scheduler.max_batched_tokens \
	workload.cv device.eta_seq device.compute_eff device.peak_tflops; do
	printf '[grid]\n%s = 1, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.001953125\n' "$k"
  done; } >huge_sweep.ini
"$BIN" sweep huge_sweep.ini --list >/dev/null 2>stderr
if [ $? -ne 0 ] && [ "$(wc -l <stderr)" -eq 1 ] &&
	grep -qF "huge_sweep.ini:15: device.eta_seq: this axis takes the sweep past 100000 runs" stderr &&
	[ ! -e sweep-out ]; then
	echo "ok   sweep_too_many_runs: $(cat stderr)"; pass=$((pass + 1))
	row sweep_too_many_runs "$(cat stderr)"
else
	echo "FAIL sweep_too_many_runs"; cat stderr; fail=$((fail + 1))
fi

# Valid but extreme: requests longer than max_model_len are rejected and
# counted (a serving system refuses them; the trace is not malformed), and an
# output beyond the cap is truncated at it.
ok_case over_max_model_len '"rejected_prompt_too_long": 1' -- too_long.csv.ini
# Tensor parallelism: a model larger than one card fits on four (each holds a quarter).
ok_case tp_model_over_one_card '"requests_completed": 2' -- good.csv.ini --set model.params_b=40 --set cluster.devices=4 --set cluster.mode=tensor_parallel
ok_case all_at_time_zero '"requests_completed": 2' -- good.csv.ini --set run.check_invariants=true

echo "bad-input matrix: $pass passed, $fail failed"
[ $fail -eq 0 ]
