#!/bin/bash
# Outputs stay well-formed whatever a name holds: a trace file named with a
# quote, a comma, a backslash, a control character and a byte that is not
# UTF-8 still gives JSON that parses and CSV rows as wide as their header
# (predict, run, merge). The table commands (predict, compare, capacity,
# merge) take --opt=value like --opt value, and an unknown option is one
# line and exit 2.
# Usage: outputs_test.sh PATH/TO/odmasim (run from the source root)
set -uo pipefail
bin=$(realpath "$1")
traces=${ODMASIM_TRACES:-../shared/traces}
tmp=$(mktemp -d /tmp/odmasim-outputs-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
json_ok() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }
# every row as wide as the header, and field FIELD of row 1 is the bytes VALUE
csv_ok() {
	python3 - "$@" <<'PY'
import csv, os, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8", errors="surrogateescape")))
ok = len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)
if len(sys.argv) > 3:
    col = rows[0].index(sys.argv[2])
    ok = ok and rows[1][col].encode("utf-8", "surrogateescape") == os.fsencode(sys.argv[3])
sys.exit(0 if ok else 1)
PY
}
# member KEY of the JSON at PATH (or of its first "results" entry) is VALUE,
# with bytes that are not UTF-8 as U+FFFD
json_has() {
	python3 - "$@" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
want = os.fsencode(sys.argv[3]).decode("utf-8", "replace")
sys.exit(0 if d.get(sys.argv[2]) == want else 1)
PY
}

name=$'we"ird, na\\me\x01\xff.csv'
head -400 "$traces/nq_short.csv" >"$tmp/$name"

# predict: the trace name lands in metrics.json and metrics.csv
"$bin" predict --trace "$tmp/$name" --predictor s3,oracle -q -o "$tmp/p" >/dev/null 2>"$tmp/p.err" \
	&& ok || bad "predict on an oddly named trace exits 0: $(cat "$tmp/p.err")"
json_ok "$tmp/p/metrics.json" && ok || bad "predict metrics.json parses"
json_has "$tmp/p/metrics.json" train_trace "$name" && ok || bad "train_trace round-trips"
csv_ok "$tmp/p/metrics.csv" train_trace "$name" && ok || bad "metrics.csv columns hold"

# run: the trace path is the summary's workload field; merge copies it
run_name=$'q"uo\\te\x01\xff.csv'
cp "$tmp/$name" "$tmp/$run_name"
"$bin" run experiments/quickstart.ini --set "workload.trace=$tmp/$run_name" \
	--set workload.num_requests=200 --set workload.arrival=poisson -q -o "$tmp/r" >/dev/null 2>"$tmp/r.err" \
	&& ok || bad "run on an oddly named trace exits 0: $(cat "$tmp/r.err")"
json_ok "$tmp/r/summary.json" && ok || bad "summary.json parses"
json_has "$tmp/r/summary.json" workload "$tmp/$run_name" && ok || bad "workload round-trips"
csv_ok "$tmp/r/summary.csv" workload "$tmp/$run_name" && ok || bad "summary.csv columns hold"
"$bin" merge "$tmp/r" -o "$tmp/m.csv" 2>/dev/null && ok || bad "merge exits 0"
csv_ok "$tmp/m.csv" workload "$tmp/$run_name" && ok || bad "merged table columns hold"

# --opt=value is --opt value
small=(--set workload.num_requests=60 --set workload.rate=4)
"$bin" compare experiments/quickstart.ini --policies static,oracle "${small[@]}" -q -o "$tmp/c1" >/dev/null
"$bin" compare experiments/quickstart.ini --policies=static,oracle --set=workload.num_requests=60 \
	--set=workload.rate=4 --quiet --out="$tmp/c2" >/dev/null
cmp -s "$tmp/c1/compare.csv" "$tmp/c2/compare.csv" && ok || bad "compare: --opt=value"
slo=ttft_p99=0.5
"$bin" capacity experiments/quickstart.ini --slo "$slo" --policies static --tol 0.2 -j 1 \
	"${small[@]}" -q -o "$tmp/k1.csv" >/dev/null
"$bin" capacity experiments/quickstart.ini --slo="$slo" --policies=static --tol=0.2 --jobs=1 \
	--set=workload.num_requests=60 --set=workload.rate=4 -q --out="$tmp/k2.csv" >/dev/null
cmp -s "$tmp/k1.csv" "$tmp/k2.csv" && ok || bad "capacity: --opt=value"
"$bin" predict --trace nq_short.csv --predictor oracle -q -o "$tmp/q1"
"$bin" predict --trace=nq_short.csv --predictor=oracle --quiet --out="$tmp/q2"
cmp -s "$tmp/q1/metrics.csv" "$tmp/q2/metrics.csv" && ok || bad "predict: --opt=value"
"$bin" merge "$tmp/r" --out="$tmp/m2.csv" 2>/dev/null
cmp -s "$tmp/m.csv" "$tmp/m2.csv" && ok || bad "merge: --opt=value"

# an unknown option: one line, exit 2
for c in "predict --trace nq_short.csv" "compare experiments/quickstart.ini" \
	"capacity experiments/quickstart.ini --slo $slo" "merge $tmp/r"; do
	# shellcheck disable=SC2086
	"$bin" $c --no-such-option >/dev/null 2>"$tmp/u.err"
	st=$?
	[ $st -eq 2 ] && [ "$(wc -l <"$tmp/u.err")" -eq 1 ] && ok \
		|| bad "${c%% *}: unknown option gives exit $st and $(wc -l <"$tmp/u.err") lines"
done

echo "outputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
