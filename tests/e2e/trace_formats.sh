#!/bin/bash
# Every trace format round-trips: `odmasim run --trace SAMPLE` with no
# experiment file gives one requests.csv row per input row with the same
# prompt and output lengths, and (auto arrivals) the trace's own arrival
# times to the nanosecond. The expected rows come from an independent reader
# (Python's csv and json modules), not from odmasim.
# usage: trace_formats.sh PATH/TO/odmasim   (run from the project root)
. "$(dirname "$0")/lib.sh"

check() { # SAMPLE: compares requests.csv with the sample's rows
	python3 - "$1" "$tmp/$2/requests.csv" <<'PY'
import csv, json, sys
from decimal import Decimal
src, out = sys.argv[1], sys.argv[2]
def ns(s): return int(Decimal(str(s)) * 1000000000)
rows = []
if src.endswith('.tsv'):
    for r in csv.DictReader(open(src), delimiter='\t'):
        rows.append((int(r['input_toks']), int(r['output_toks']), int(r['arrival_time_ns'])))
elif src.endswith('.jsonl'):
    for line in open(src):
        if not line.strip(): continue
        o = json.loads(line, parse_float=Decimal)
        p = o.get('prompt_tokens', o.get('input_toks'))
        q = o.get('output_tokens', o.get('output_toks'))
        a = o['arrival_time_ns'] if 'arrival_time_ns' in o else ns(o['arrival_s'])
        rows.append((int(p), int(q), int(a)))
else:
    for r in csv.DictReader(open(src, newline='')):
        if 'arrived_at' in r:
            rows.append((int(float(r['num_prefill_tokens'])), int(r['num_decode_tokens']), ns(r['arrived_at'])))
        else:
            rows.append((int(r['prompt_tokens']), int(r['output_tokens']), ns(r['arrival_s'])))
got = []
for r in csv.DictReader(open(out)):
    assert r['status'] == 'finished', r
    got.append((int(r['prompt_tokens']), int(r['generated_tokens']), ns(r['arrival_s'])))
want = sorted(rows, key=lambda x: x[2])
if sorted(got, key=lambda x: x[2]) != want or len(got) != len(rows):
    sys.exit('rows differ:\n want %s\n got  %s' % (want, got))
PY
}

for f in tests/data/traces/*; do
	n=$(basename "$f")
	if "$bin" run --trace "$f" -q -o "$tmp/$n" 2>"$tmp/err"; then
		expect "$n: round trip" check "$f" "$n"
		expect "$n: arrival = trace" grep -q '"arrival": "trace"' "$tmp/$n/summary.json"
	else
		bad "$n: run failed: $(cat "$tmp/err")"
	fi
done

# the banner states format, arrival process, rows and cards
"$bin" run --trace tests/data/traces/llmservingsim.tsv -o "$tmp/banner" >"$tmp/out" 2>&1
expect "banner: cards and rows" grep -q 'on 1 x .*, 5 requests' "$tmp/out"
expect "banner: format and arrivals" grep -q 'tsv trace with timestamps, arrivals: trace' "$tmp/out"

# a trace without timestamps gets Poisson arrivals, and the summary says so
printf '{"prompt_tokens": 5, "output_tokens": 7}\n{"prompt_tokens": 6, "output_tokens": 2}\n' >"$tmp/nots.jsonl"
"$bin" run --trace "$tmp/nots.jsonl" -q -o "$tmp/nots" 2>"$tmp/err" && ok || bad "no timestamps: $(cat "$tmp/err")"
expect "no timestamps: poisson" grep -q '"arrival": "poisson"' "$tmp/nots/summary.json"

# a text-based predictor on a trace without prompt texts: refused unless allowed
if [ -f ../shared/traces/alpaca.csv ] || [ -n "${ODMASIM_TRACES:-}" ]; then
	sets=(--set policy.name=odma --set predictor.train_trace=alpaca.csv)
	"$bin" run --trace tests/data/traces/llmservingsim.tsv "${sets[@]}" -q -o "$tmp/nt1" 2>"$tmp/err" \
		&& bad "text predictor ran on a trace without text" || ok
	expect "no text: message names the override" grep -q 'predictor.allow_no_text' "$tmp/err"
	"$bin" run --trace tests/data/traces/llmservingsim.tsv "${sets[@]}" \
		--set predictor.allow_no_text=true -q -o "$tmp/nt2" 2>"$tmp/err" && ok || bad "allow_no_text: $(cat "$tmp/err")"
fi

# bad lines name file, line and field in every format
bad_case() { # NAME CONTENT EXPECTED-MESSAGE-PART
	printf '%b' "$2" >"$tmp/$1"
	if "$bin" run --trace "$tmp/$1" -q -o "$tmp/bad-$1" 2>"$tmp/err"; then
		bad "$1 accepted"
	else
		expect "$1: $3" grep -qF "$1:$3" "$tmp/err"
	fi
	[ -e "$tmp/bad-$1" ] && bad "$1: partial output left" || ok
}
bad_case b1.jsonl '{"prompt_tokens": 5, "output_tokens": 7}\n{"prompt_tokens": "x", "output_tokens": 7}\n' '2: prompt_tokens: expected an integer'
bad_case b2.jsonl '{"input_toks": 5, "output_toks": 7, "arrival_time_ns": 1}\n{"input_toks": 5, "output_toks": -1, "arrival_time_ns": 2}\n' '2: output_toks: must not be negative'
bad_case b3.jsonl '{"prompt_tokens": 5, "output_tokens": 7}\n\n{"prompt_tokens": 5,\n' '3: invalid JSON'
bad_case b4.jsonl '{"prompt_tokens": 5, "output_tokens": 7, "arrival_s": 1}\n{"prompt_tokens": 5, "output_tokens": 7}\n' '2: arrival_time_ns: either every row'
bad_case b5.jsonl '{"id": 3, "prompt_tokens": 5, "output_tokens": 7}\n{"id": 3, "prompt_tokens": 5, "output_tokens": 7}\n' '2: id: duplicate id 3'
bad_case b6.jsonl '{"output_tokens": 7}\n' '1: prompt_tokens: missing'
bad_case b1.tsv 'input_toks\toutput_toks\tarrival_time_ns\n5\t7\t0\n5\tx\t9\n' '3: output_toks: expected an integer'
bad_case b2.tsv 'input_toks\toutput_toks\n5\t7\n5\t7\t9\n' '3: expected 2 fields'
bad_case b3.tsv 'input\toutput\n5\t7\n' '1: TSV header must name'
bad_case b1.csv 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,5,7\nsoon,5,7\n' '3: arrived_at: expected a time'
finish
