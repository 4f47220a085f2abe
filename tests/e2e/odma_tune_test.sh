#!/bin/bash
# odma's validation tuning is decided by the values of predictor.quantile and
# uncertainty_threshold (`auto`), not by whether a file spelled them out:
# a rerun of a tuned run's config.ini tunes again, byte for byte; a sweep job
# (every key written) tunes as the equivalent single run does; a number given
# is used as is; the values used are summary fields; any run.threads gives
# the same run.
# Usage: odma_tune_test.sh PATH/TO/odmasim
. "$(dirname "$0")/lib.sh"
cd "$tmp"
{
	echo 'id,prompt_tokens,output_tokens,prompt'
	for i in $(seq 0 199); do echo "$i,$((5 + i % 7)),$((3 + (i * 37) % 90)),\"word$((i % 5)) how many $((i % 3))\""; done
} >texts.csv
printf '[workload]\ntrace = %s\narrival = offline\n[policy]\nname = odma\n' "$tmp/texts.csv" >base.ini
field() { sed -n "s/^ *\"$1\": \\([^,]*\\),\$/\\1/p" "$2/summary.json"; }

# --- (a) a tuned run, and the rerun of its config.ini
"$bin" run base.ini -q -o t1 >/dev/null
expect "the run tunes (pred_tuned = 1)" test "$(field pred_tuned t1)" = 1
expect "... config.ini keeps quantile = auto" grep -qx 'quantile = auto' t1/config.ini
expect "... and uncertainty_threshold = auto" grep -qx 'uncertainty_threshold = auto' t1/config.ini
"$bin" run t1/config.ini -q -o t2 >/dev/null
expect "the rerun of config.ini tunes again" test "$(field pred_tuned t2)" = 1
expect "... to byte-identical requests.csv" cmp -s t1/requests.csv t2/requests.csv
expect "... summary.json" cmp -s t1/summary.json t2/summary.json
expect "... and config.ini" cmp -s t1/config.ini t2/config.ini
"$bin" run base.ini -o t3 >banner.txt
expect "the banner names the tuned values" \
	grep -q "predictor      odma: quantile $(field pred_quantile t1), tau $(field pred_uncertainty_threshold t1) (chosen on the validation slice)" banner.txt

# --- (b) a sweep job (every key written out) tunes as the single run does
printf '[sweep]\nbase = base.ini\nout = S\n[grid]\nscheduler.max_num_seqs = 4, 16\n' >s.ini
"$bin" sweep s.ini -j 1 -q 2>s.err
expect "the sweep exits 0" test $? -eq 0
job=$(find S/runs -mindepth 1 -maxdepth 1 -name '*max_num_seqs-16-*')
"$bin" run base.ini -q -o r16 --set scheduler.max_num_seqs=16 >/dev/null
expect "the sweep job tuned" test "$(field pred_tuned "$job")" = 1
expect "... to the single run's requests.csv" cmp -s r16/requests.csv "$job/requests.csv"
expect "... and summary.json" cmp -s r16/summary.json "$job/summary.json"
expect "the job's config.ini hashes as its job file: both runs done" \
	grep -q '^sweep: 2 runs: 2 done' <("$bin" sweep s.ini --list 2>&1)

# --- (c) a number given is honoured (no tuning) and reported
"$bin" run base.ini -q -o q8 --set predictor.quantile=0.8 >/dev/null
expect "quantile 0.8 given: no tuning" test "$(field pred_tuned q8)" = 0
expect "... pred_quantile = 0.8" test "$(field pred_quantile q8)" = 0.8
expect "... tau's auto resolved to 0.9" test "$(field pred_uncertainty_threshold q8)" = 0.9
expect "... config.ini keeps 0.8" grep -qx 'quantile = 0.8' q8/config.ini
"$bin" run base.ini -q -o off --set policy.odma_tune=off >/dev/null
expect "odma_tune = off: auto is 0.9, untuned" \
	test "$(field pred_tuned off)/$(field pred_quantile off)" = 0/0.9
"$bin" run base.ini -q -o bad --set predictor.quantile=auto1 2>bad.err
expect "a word other than auto is refused" test $? -ne 0 -a ! -e bad
expect "... saying what it accepts" grep -q 'predictor.quantile.*finite number or auto' bad.err

# --- (d) run.threads: the final training beside the search gives the same run
for th in 1 2 3; do
	"$bin" run base.ini -q -o th$th --set run.threads=$th >/dev/null
done
expect "threads 1 and 2 tune alike" test "$(field pred_tuned th2)/$(field pred_quantile th2)" = "$(field pred_tuned th1)/$(field pred_quantile th1)"
for th in 2 3; do
	for f in requests.csv util.csv summary.json summary.csv; do
		expect "run.threads=$th: $f byte-identical to run.threads=1" cmp -s th1/$f th$th/$f
	done
done
expect "... and to the run with the default (auto) threads" cmp -s th1/requests.csv t1/requests.csv
# --- (e) a model saved at another quantile, loaded with quantile = auto: the
# refusal says that auto is not tuned for a loaded model; the model's own
# value is accepted
"$bin" predict --trace "$tmp/texts.csv" --predictor odma --set predictor.quantile=0.5 \
	--save-model m05.txt -o pm >/dev/null 2>&1
"$bin" run base.ini -q -o mq1 --set predictor.model_file="$tmp/m05.txt" 2>mq1.err
expect "a model at quantile 0.5 with quantile = auto is refused" test $? -ne 0
expect "... saying auto is not tuned for a loaded model" grep -q "auto is not tuned for a loaded model" mq1.err
"$bin" run base.ini -q -o mq2 --set predictor.model_file="$tmp/m05.txt" --set predictor.quantile=0.7 2>mq2.err
expect "with an explicit 0.7 the refusal has no such hint" sh -c '! grep -q "auto is not tuned" mq2.err'
"$bin" run base.ini -q -o mq3 --set predictor.model_file="$tmp/m05.txt" --set predictor.quantile=0.5 >/dev/null 2>&1
expect "... and the model's own quantile is accepted" test -f mq3/summary.json
finish
