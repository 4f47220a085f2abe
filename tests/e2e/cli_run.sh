#!/bin/bash
# End-to-end checks of `odmasim run`: outputs, determinism, refusals.
# usage: cli_run.sh PATH/TO/odmasim   (run from the project root)
. "$(dirname "$0")/lib.sh"
set +o pipefail # "odmasim ... | grep -q" may end odmasim early by SIGPIPE

"$bin" --help >/dev/null && ok || bad "--help"
"$bin" --version | grep -q '^odmasim ' && ok || bad "--version"
"$bin" keys | grep -q 'workload.rate' && ok || bad "keys lists workload.rate"

# the configuration reference (docs/CONFIG.md) lists every key
missing=$("$bin" keys | sed -n 's/^| `\([a-z_.0-9]*\)`.*/\1/p' | while read -r k; do
	grep -q "\`$k\`" docs/CONFIG.md || echo "$k"; done)
[ -z "$missing" ] && ok || bad "keys missing from docs/CONFIG.md: $missing"

exp=experiments/quickstart.ini
"$bin" run "$exp" -q --set workload.num_requests=300 -o "$tmp/a" && ok || bad "run a"
"$bin" run "$exp" -q --set workload.num_requests=300 -o "$tmp/b" && ok || bad "run b"
for f in config.ini summary.json summary.csv requests.csv util.csv; do
	[ -s "$tmp/a/$f" ] && ok || bad "missing $f"
	cmp -s "$tmp/a/$f" "$tmp/b/$f" && ok || bad "$f differs between identical runs"
done
[ "$(wc -l <"$tmp/a/requests.csv")" -eq 301 ] && ok || bad "requests.csv rows"
grep -q '"requests_completed": 300' "$tmp/a/summary.json" && ok || bad "all 300 completed"

# the effective config reruns to the same result
"$bin" run "$tmp/a/config.ini" -q -o "$tmp/c" && ok || bad "rerun config.ini"
cmp -s "$tmp/a/summary.csv" "$tmp/c/summary.csv" && ok || bad "config.ini rerun differs"

# a different seed gives a different result
"$bin" run "$exp" -q --set workload.num_requests=300 --set workload.seed=2 -o "$tmp/d" && ok || bad "seed 2"
cmp -s "$tmp/a/summary.csv" "$tmp/d/summary.csv" && bad "seed had no effect" || ok

# existing directory: refused, untouched
before=$(md5sum "$tmp/a/summary.json")
"$bin" run "$exp" -q -o "$tmp/a" 2>"$tmp/err" && bad "overwrote a results dir" || ok
grep -q "already exists" "$tmp/err" && ok || bad "message for existing dir"
[ "$before" = "$(md5sum "$tmp/a/summary.json")" ] && ok || bad "existing results changed"

# errors name file, line and key, exit non-zero, leave nothing behind
printf '[workload]\nrate = 2\nbogus = 1\n' >"$tmp/bad.ini"
"$bin" run "$tmp/bad.ini" -o "$tmp/out1" 2>"$tmp/err" && bad "unknown key accepted" || ok
grep -q "bad.ini:3: workload.bogus" "$tmp/err" && ok || bad "unknown key message: $(cat "$tmp/err")"
printf 'id,prompt_tokens,output_tokens\n1,5,7\n2,x,3\n' >"$tmp/bad.csv"
"$bin" run "$exp" --set "workload.trace=$tmp/bad.csv" -o "$tmp/out2" 2>"$tmp/err" && bad "bad csv accepted" || ok
grep -q "bad.csv:3: prompt_tokens" "$tmp/err" && ok || bad "csv message: $(cat "$tmp/err")"
"$bin" run "$exp" --set device.capacity_gib=10 -o "$tmp/out3" 2>"$tmp/err" && bad "impossible device accepted" || ok
grep -q "does not fit" "$tmp/err" && ok || bad "impossible device message"
ls -d "$tmp"/out* "$tmp"/*.tmp-* 2>/dev/null && bad "partial results left behind" || ok
"$bin" run /nonexistent.ini 2>"$tmp/err" && bad "missing file accepted" || ok
grep -q "/nonexistent.ini: cannot open" "$tmp/err" && ok || bad "missing file message"
"$bin" frobnicate 2>/dev/null; [ $? -eq 2 ] && ok || bad "unknown command exit code"

finish
