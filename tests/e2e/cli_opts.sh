#!/bin/bash
# The command-line conventions (sim/cli/opts.h): --opt=value and --opt value
# mean the same, `help X` prints what `X --help` prints, an unknown option or a
# missing value is one line and exit 2, `keys SECTION` and `list KIND` list
# one section or kind. usage: cli_opts.sh PATH/TO/odmasim (from the source root)
set -u
bin=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
exp=experiments/quickstart.ini
small=workload.num_requests=50

# one_line_2 NAME ARGS...: must exit 2 with exactly one line on stderr
one_line_2() {
	local name=$1
	shift
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ] && ok ||
		bad "$name: exit $rc, stderr: $(cat "$tmp/err")"
}

# the same run, its options spelt three ways
"$bin" run "$exp" -q --set "$small" -o "$tmp/a" && ok || bad "run --set v -o DIR"
"$bin" run --set="$small" --out="$tmp/b" --quiet "$exp" && ok || bad "run --set=v --out=DIR"
"$bin" run -s "$small" -q --out "$tmp/c" "$exp" && ok || bad "run -s v --out DIR"
for d in b c; do
	cmp -s "$tmp/a/summary.json" "$tmp/$d/summary.json" && ok || bad "spelling $d changed the result"
done
"$bin" bandwidth --set device.preset=a100-80g >"$tmp/bw1" && ok || bad "bandwidth --set v"
"$bin" bandwidth --set=device.preset=a100-80g >"$tmp/bw2" && ok || bad "bandwidth --set=v"
cmp -s "$tmp/bw1" "$tmp/bw2" && grep -q '^a100-80g,' "$tmp/bw1" && ok || bad "bandwidth spellings differ"
printf '[sweep]\nbase = %s/%s\n[grid]\nworkload.seed = 1, 2\n' "$PWD" "$exp" >"$tmp/s.ini"
"$bin" sweep "$tmp/s.ini" --list -o "$tmp/S" >"$tmp/l1" 2>/dev/null
"$bin" sweep --out="$tmp/S" --list "$tmp/s.ini" >"$tmp/l2" 2>/dev/null
[ "$(wc -l <"$tmp/l1")" -eq 3 ] && cmp -s "$tmp/l1" "$tmp/l2" && ok || bad "sweep --list spellings differ"
"$bin" sweep "$tmp/s.ini" -q -j1 -o "$tmp/S1" 2>/dev/null && ok || bad "sweep -j1"
"$bin" sweep "$tmp/s.ini" -q --jobs=1 -o "$tmp/S2" 2>/dev/null && ok || bad "sweep --jobs=1"

# help: every command in the overview has usage text, the same both ways
"$bin" help >"$tmp/h1" && "$bin" --help >"$tmp/h2" && cmp -s "$tmp/h1" "$tmp/h2" && ok || bad "help != --help"
cmds=$(sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' "$tmp/h1")
[ "$(wc -w <<<"$cmds")" -ge 10 ] && ok || bad "help lists commands: $cmds"
for c in $cmds; do
	"$bin" help "$c" >"$tmp/u1" && "$bin" "$c" --help >"$tmp/u2" || bad "$c: help exits non-zero"
	grep -q "^usage: odmasim $c" "$tmp/u1" && cmp -s "$tmp/u1" "$tmp/u2" && ok ||
		bad "help $c differs from $c --help"
done
one_line_2 unknown-command frobnicate
one_line_2 help-unknown-command help frobnicate

# unknown options and missing values: one line, exit 2, for every command
for c in $cmds; do
	one_line_2 "$c-unknown-long" "$c" --no-such-option
	one_line_2 "$c-unknown-short" "$c" -Z
done
one_line_2 run-missing-out run "$exp" -o
one_line_2 run-missing-set run "$exp" --set
one_line_2 run-two-experiments run "$exp" "$exp"
one_line_2 run-quiet-value run "$exp" --quiet=yes
one_line_2 sweep-bad-jobs sweep "$tmp/s.ini" -j 0
one_line_2 sweep-jobs-word sweep "$tmp/s.ini" --jobs=many
one_line_2 sweep-exclusive sweep "$tmp/s.ini" --list --emit-jobs
one_line_2 trace-nothing trace
grep -q -- "--no-such-option" <("$bin" run --no-such-option 2>&1) && ok || bad "message names the option"

# keys SECTION: only that section, and the sections together are all keys
"$bin" keys policy >"$tmp/k"
[ "$(grep -c '^| `' "$tmp/k")" -ge 3 ] && ! grep '^| `' "$tmp/k" | grep -qv '^| `policy\.' && ok ||
	bad "keys policy lists other sections"
all=$("$bin" keys | grep -c '^| `')
sum=0
for s in $("$bin" keys | sed -n 's/^| `\([a-z_]*\)\..*/\1/p' | sort -u); do
	sum=$((sum + $("$bin" keys "$s" | grep -c '^| `')))
done
[ "$sum" -eq "$all" ] && ok || bad "sections add up to $sum keys, not $all"
one_line_2 keys-unknown-section keys polcy
grep -q "sections: .*workload" <("$bin" keys polcy 2>&1) && ok || bad "unknown section lists the sections"

# list KIND: one name per line, from the registries
[ "$("$bin" list policies | tr '\n' ' ')" = "$("$bin" --help | sed -n 's/^policies: //p') " ] && ok ||
	bad "list policies vs --help"
"$bin" list policies | grep -qx odma && ok || bad "list policies has odma"
"$bin" list routers | grep -qx least_kv && ok || bad "list routers"
"$bin" list devices | grep -qx mlu370-x4 && ok || bad "list devices"
[ "$("$bin" list | wc -l)" -ge 7 ] && ok || bad "list lists the kinds"
one_line_2 list-unknown-kind list nosuch

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
