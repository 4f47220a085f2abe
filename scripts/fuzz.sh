#!/bin/sh
# Builds the libFuzzer targets (clang, ASan+UBSan) in ./build-fuzz and runs each
# for SECONDS (default 30) from its seed corpus in tests/fuzz/corpus/<target>.
# New inputs go to build-fuzz/corpus/<target>, crashes to build-fuzz/crashes/;
# the committed seeds are never modified. Exits non-zero on the first crash.
#   usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (targets: trace cfg preset run model sweep)
#   e.g.   scripts/fuzz.sh 600 trace
set -eu
cd "$(dirname "$0")/.."
secs=${1:-30}
[ $# -gt 0 ] && shift
targets=${*:-"trace cfg preset run model sweep"}
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null
fi
ninja -C build-fuzz >/dev/null
mkdir -p build-fuzz/crashes
for t in $targets; do
	bin=build-fuzz/tests/fuzz/fuzz_$t
	[ -x "$bin" ] || { echo "fuzz: no target '$t'" >&2; exit 2; }
	mkdir -p "build-fuzz/corpus/$t"
	log=build-fuzz/fuzz_$t.log
	if ! UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$bin" \
		-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="build-fuzz/crashes/$t-" \
		"build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		echo "fuzz: $t FAILED (log $log, input in build-fuzz/crashes/)" >&2
		exit 1
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	echo "fuzz: $t ok: $runs executions in ${secs}s"
done
