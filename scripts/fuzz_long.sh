#!/bin/bash
# Long fuzzing (not in CI): runs every libFuzzer target for MINUTES each, one
# at a time (scripts/fuzz.sh: clang, ASan+UBSan, build-fuzz/), and writes a
# Markdown table of executions per target to build-fuzz/fuzz_long.md (the
# record docs/ROBUSTNESS.md quotes). A target may be given as NAME:MINUTES to
# override MINUTES for it. Stops at the first finding, which fuzz.sh leaves in
# build-fuzz/crashes/: fix it, add the input to tests/fuzz/regress/<target>/
# (replayed by every build), and run again.
#   usage: scripts/fuzz_long.sh MINUTES [TARGET[:MINUTES]...]
#   e.g.   scripts/fuzz_long.sh 10            (all six targets, an hour)
set -euo pipefail
cd "$(dirname "$0")/.."
mins=${1:?usage: scripts/fuzz_long.sh MINUTES [TARGET[:MINUTES]...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(trace cfg preset run model sweep)
out=build-fuzz/fuzz_long.md
mkdir -p build-fuzz
{
	echo "Fuzzed $(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git rev-parse --short HEAD)," \
		"one target at a time, clang $(clang -dumpversion), ASan+UBSan."
	echo
	echo '| target | seconds | executions | executions/s | result |'
	echo '|---|---:|---:|---:|---|'
} >"$out"
total=0 rc=0
for spec in "${targets[@]}"; do
	t=${spec%%:*}
	m=$mins
	[ "$spec" = "$t" ] || m=${spec#*:}
	secs=$((m * 60))
	if scripts/fuzz.sh "$secs" "$t"; then result="no finding"; else result="FINDING (build-fuzz/crashes/)"; rc=1; fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build-fuzz/fuzz_$t.log")
	runs=${runs:-0}
	total=$((total + runs))
	echo "| $t | $secs | $runs | $((runs / (secs > 0 ? secs : 1))) | $result |" >>"$out"
	[ $rc -eq 0 ] || break
done
echo "| **all** | | **$total** | | |" >>"$out"
cat "$out"
exit $rc
