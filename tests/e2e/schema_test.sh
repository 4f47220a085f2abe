#!/bin/bash
# docs/OUTPUTS.md is the output schema: its column tables for summary.csv,
# requests.csv and util.csv list exactly the columns odmasim writes, in
# order, with a unit for every time column; summary.json has the same
# fields as summary.csv; values that do not exist are empty / null.
# usage: schema_test.sh PATH/TO/odmasim   (run from the project root)
. "$(dirname "$0")/lib.sh"

documented() { # SECTION-HEADING: the backticked names of the table's first column, in order
	python3 - "$1" <<'PY'
import re, sys
text = open("docs/OUTPUTS.md").read().split("\n")
head = "### " + sys.argv[1]
start = text.index(head) + 1
for line in text[start:]:
    if line.startswith("#"):
        break
    cells = line.split("|")
    if len(cells) > 3 and cells[1].strip().startswith("`"):
        names = re.findall(r"`([^`]+)`", cells[1])
        for n in names:
            unit = cells[2].strip()
            if n.endswith("_s") and unit != "s":
                sys.exit("%s: time column %s has unit '%s', not s" % (head, n, unit))
            print(n)
PY
}

"$bin" run experiments/quickstart.ini --set workload.num_requests=50 -q -o "$tmp/q" 2>"$tmp/err" || bad "run: $(cat "$tmp/err")"
for pair in "summary.csv:summary.json / summary.csv" "requests.csv:requests.csv" "util.csv:util.csv"; do
	f=${pair%%:*} sec=${pair#*:}
	want=$(documented "$sec") || bad "$sec: $want"
	got=$(head -1 "$tmp/q/$f" | tr ',' '\n')
	if [ "$want" = "$got" ]; then ok; else
		bad "$f columns differ from docs/OUTPUTS.md ($sec): $(diff <(echo "$want") <(echo "$got") | tr '\n' ' ')"
	fi
done
keys=$(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))))' "$tmp/q/summary.json")
[ "$keys" = "$(head -1 "$tmp/q/summary.csv" | tr ',' '\n')" ] && ok || bad "summary.json fields differ from summary.csv"
expect "schema_version is a number" grep -q '"schema_version": [0-9]' "$tmp/q/summary.json"
expect "git_commit is given" grep -q '"git_commit": "[^"]' "$tmp/q/summary.json"

# the allocation columns agree with the summary and with the request itself
alloc_check() { # RUNDIR
	python3 - "$1" <<'PY'
import csv, json, sys
d = sys.argv[1]
j = json.load(open(d + "/summary.json"))
r = list(csv.DictReader(open(d + "/requests.csv")))
assert sum(int(x["overflows"]) for x in r) == j["overflows"], "overflows"
assert sum(int(x["relocations"]) for x in r) == j["relocations"], "relocations"
for x in r:
    if x["status"] == "finished":
        assert int(x["reserved_peak_tokens"]) >= int(x["prompt_tokens"]) + int(x["generated_tokens"]) - 1, x
        assert 0 <= int(x["replica"]) < j["instances"], x
PY
}
alloc_check "$tmp/q" && ok || bad "allocation columns (static)"
if "$bin" run experiments/nq_compare.ini --set policy.name=odma --set cluster.devices=2 -q -o "$tmp/odma" 2>/dev/null; then
	alloc_check "$tmp/odma" && ok || bad "allocation columns (odma, 2 replicas)"
	python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["overflows"] == 0)' "$tmp/odma/summary.json" \
		&& ok || bad "the odma check saw no overflow, so it checks nothing"
fi

# nothing completes (every prompt is too long): no latency exists
"$bin" run --trace tests/data/traces/plain.jsonl --set policy.max_model_len=2 -q -o "$tmp/none" 2>"$tmp/err" \
	|| bad "all-rejected run: $(cat "$tmp/err")"
python3 - "$tmp/none" <<'PY' && ok || bad "absent values are not empty/null"
import csv, json, sys
d = sys.argv[1]
j = json.load(open(d + "/summary.json"))
s = next(csv.DictReader(open(d + "/summary.csv")))
assert j["requests_completed"] == 0, j
for k in ("ttft_p50_s", "ttft_p99_s", "tpot_p99_s", "e2e_p50_s", "queue_p99_s", "ttft_mean_s",
          "itl_mean_s", "itl_p50_s", "itl_p99_s", "slo_met", "slo_attainment", "goodput_rps"):
    assert j[k] is None, (k, j[k])
    assert s[k] == "", (k, s[k])
for r in csv.DictReader(open(d + "/requests.csv")):
    assert r["status"] == "prompt_too_long", r
    for k in ("first_admit_s", "first_token_s", "ttft_s", "tpot_s", "e2e_s",
              "predicted_tokens"):
        assert r[k] == "", (k, r[k])
PY
finish
