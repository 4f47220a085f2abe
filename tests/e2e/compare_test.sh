#!/bin/bash
# `odmasim compare` and the predictor-driven policies end to end: the table and
# CSV, refusals that leave nothing behind, determinism, boundaries.csv.
# Usage: compare_test.sh PATH/TO/odmasim (run from the source root)
. "$(dirname "$0")/lib.sh"
qs=experiments/quickstart.ini
small=(--set workload.num_requests=200 --set workload.rate=8)

"$bin" compare "$qs" --policies static,paged,oracle "${small[@]}" -q -o "$tmp/a" >"$tmp/a.txt" \
	&& ok || bad "compare exits 0"
[ "$(wc -l <"$tmp/a/compare.csv")" -eq 4 ] && ok || bad "header + 3 rows"
col() { # FILE NAME: that column's values, one per line
	python3 -c 'import csv,sys; [print(r[sys.argv[2]]) for r in csv.DictReader(open(sys.argv[1]))]' "$1" "$2"
}
[ "$(col "$tmp/a/compare.csv" policy | tr '\n' ' ')" = "static paged oracle " ] \
	&& ok || bad "rows in the order asked"
# the summary's own column names, each policy's run kept, merge reads it like a sweep
[ "$(col "$tmp/a/compare.csv" requests_completed | tr '\n' ' ')" = "200 200 200 " ] \
	&& ok || bad "compare.csv has requests_completed"
for p in static paged oracle; do
	[ -s "$tmp/a/$p/summary.csv" ] && [ -s "$tmp/a/$p/requests.csv" ] && ok || bad "run directory $p kept"
	[ "$(col "$tmp/a/$p/summary.csv" rps)" = "$(python3 -c 'import csv,sys; print([r for r in csv.DictReader(open(sys.argv[1])) if r["policy"] == sys.argv[2]][0]["rps"])' "$tmp/a/compare.csv" "$p")" ] \
		&& ok || bad "$p: compare.csv row equals its summary.csv"
done
"$bin" merge "$tmp/a" -o "$tmp/a-merged.csv" 2>"$tmp/merge.err" && ok || bad "merge a compare dir: $(cat "$tmp/merge.err")"
[ "$(col "$tmp/a-merged.csv" policy | sort | tr '\n' ' ')" = "oracle paged static " ] && ok || bad "merged rows"
grep -q '^oracle ' "$tmp/a.txt" && ok || bad "printed table has the oracle row"
[ -s "$tmp/a/config.ini" ] && ok || bad "config.ini written"
"$bin" compare "$qs" --policies static,paged,oracle "${small[@]}" -q -o "$tmp/b" >/dev/null
cmp -s "$tmp/a/compare.csv" "$tmp/b/compare.csv" && ok || bad "compare.csv deterministic"

"$bin" compare "$qs" --policies static,nosuch -o "$tmp/c" >/dev/null 2>"$tmp/c.err"
[ $? -eq 2 ] && ok || bad "unknown policy is a usage error"
grep -q "'nosuch' is not in this build" "$tmp/c.err" && ok || bad "names the unknown policy"
[ ! -e "$tmp/c" ] && ok || bad "no directory after a usage error"

# s3 needs a trained predictor; the synthetic workload has no prompt texts
"$bin" compare "$qs" --policies static,s3 "${small[@]}" -o "$tmp/d" >/dev/null 2>"$tmp/d.err"
[ $? -eq 1 ] && ok || bad "a policy that cannot run fails the command"
grep -q "policy s3:.*must be trained" "$tmp/d.err" && ok || bad "says which policy and why"
[ ! -e "$tmp/d" ] && ok || bad "partial results left behind"

"$bin" compare "$qs" --policies oracle "${small[@]}" -q -o "$tmp/a" >/dev/null 2>&1
[ $? -ne 0 ] && ok || bad "an existing directory is refused"

# real traces: odma and s3 bring and train their own predictors on NQ
nq=experiments/nq_compare.ini
"$bin" run "$nq" -q -o "$tmp/odma" && ok || bad "odma run on NQ"
[ -s "$tmp/odma/boundaries.csv" ] && ok || bad "odma writes boundaries.csv"
head -1 "$tmp/odma/boundaries.csv" | grep -q '^t_s,completions,c1,c2,c3,c4$' && ok \
	|| bad "boundaries.csv header"
awk '/^\[predictor\]/ { p = 1; next } /^\[/ { p = 0 } p && /^name = odma$/ { f = 1 }
     END { exit !f }' "$tmp/odma/config.ini" && ok || bad "odma brought its predictor (config.ini)"
grep -q '"relocations": ' "$tmp/odma/summary.json" && ok || bad "summary has relocations"
"$bin" run "$nq" -q -o "$tmp/odma2" && ok || bad "odma run on NQ again"
for f in summary.csv requests.csv boundaries.csv; do
	cmp -s "$tmp/odma/$f" "$tmp/odma2/$f" && ok || bad "odma $f differs between identical runs"
done
"$bin" run "$nq" -q --set policy.name=oracle -o "$tmp/oracle" && ok || bad "oracle run on NQ"
grep -q '"policy": "oracle"' "$tmp/oracle/summary.json" && ok || bad "oracle says oracle"
"$bin" run "$nq" -q --set predictor.name=none -o "$tmp/none" 2>"$tmp/none.err"
[ $? -ne 0 ] && grep -q 'predictor.name' "$tmp/none.err" && ok || bad "odma without predictor refused"
[ ! -e "$tmp/none" ] && ok || bad "no results after a refusal"

finish
