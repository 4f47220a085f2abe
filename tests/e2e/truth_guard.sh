#!/bin/bash
# Structural truth-hiding guard. The scheduler and every allocation policy
# must be compiled without sight of the true output lengths: their
# preprocessed translation units may not contain the workload's truth-bearing
# types (struct wl_trace, its out_tokens array) or the predictor's labelled
# sample. The engine keeps the truth in its private struct (sim/core/engine.c);
# tests/e2e/include_rules.sh makes that structural (sim/policy/ may not include
# workload/ or predictors/); this test checks the preprocessed result.
# The one labelled exception, a policy with `.wants_truth = true` (oracle), is
# handed the truth through pol_env.truth; any other policy that reads
# env->truth fails this test too.
CC=${1:?usage: truth_guard.sh CC SOURCE_ROOT}
ROOT=${2:?usage: truth_guard.sh CC SOURCE_ROOT}
fail=0 n=0
for f in "$ROOT"/sim/core/sched.c "$ROOT"/sim/policy/*.c; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	pp=$("$CC" -E -P -std=c11 -D_POSIX_C_SOURCE=200809L -I"$ROOT" "$f" 2>&1) || {
		echo "FAIL $f: does not preprocess:"; echo "$pp" | head -5; fail=1; continue; }
	for word in wl_trace out_tokens pred_sample; do
		if grep -qw "$word" <<<"$pp"; then
			echo "FAIL ${f#$ROOT/}: sees '$word' (a truth-bearing type): include request.h/policy.h only"
			fail=1
		fi
	done
	if grep -Eq '\btruth\b' <<<"$(grep -v '^\s*\(/\*\|\*\)' "$f")" && ! grep -Eq '\.wants_truth *= *true' "$f"; then
		echo "FAIL ${f#$ROOT/}: reads pol_env.truth without declaring .wants_truth = true"
		fail=1
	fi
done
echo "truth guard: $n files checked"
[ $n -gt 1 ] && [ $fail -eq 0 ]
