#!/bin/bash
# Include rules: which folder may include which. A layer that may not see a
# header cannot use it, so these rules are the architecture (docs/MODEL.md,
# "Layers"). The truth boundary is one of them: sim/policy/ cannot include
# workload/ or predictors/, so no policy can name a trace's true lengths.
# Every project include is written from the source root ("sim/core/engine.h").
# usage: include_rules.sh SOURCE_ROOT
set -u
ROOT=${1:?usage: include_rules.sh SOURCE_ROOT}
cd "$ROOT" || exit 2

# FOLDER: allowed include prefixes (a prefix ending in / is a folder, else a file)
rules() {
	case $1 in
	common/*) echo "common/" ;;
	workload/* | device_models/*) echo "common/ ${1%%/*}/" ;;
	predictors/*) echo "common/ workload/trace.h predictors/" ;;
	sim/policy/*) echo "common/ device_models/timing.h sim/core/request.h sim/policy/" ;;
	sim/core/*) echo "common/ workload/ device_models/ predictors/ sim/core/ sim/policy/policy.h" ;;
	sim/batch/*) echo "common/ workload/ device_models/ predictors/ sim/core/ sim/batch/" ;;
	sim/cli/*) echo "common/ workload/ device_models/ predictors/ sim/core/ sim/policy/ sim/batch/ sim/cli/" ;;
	tests/* | bench/*) echo "common/ workload/ device_models/ predictors/ sim/core/ sim/policy/ sim/batch/ tests/" ;;
	*) echo "" ;;
	esac
}

fail=0 n=0
while IFS= read -r f; do
	allowed=$(rules "$f")
	while IFS=: read -r line inc; do
		[ -n "$inc" ] || continue
		n=$((n + 1))
		ok=0
		for p in $allowed; do
			case $inc in "$p"*) ok=1 ;; esac
		done
		# headers generated into the build tree or beside a test are named bare
		if [ $ok = 0 ] && [[ $inc != */* ]] && [[ $f == tests/* ]]; then ok=1; fi
		if [ $ok = 0 ]; then
			echo "FAIL $f:$line: includes \"$inc\" (${f%/*}/ may include: ${allowed:-nothing of the tree})"
			fail=1
		fi
	done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		sed -E 's/^([0-9]+):[^"]*"([^"]+)".*/\1:\2/')
done < <(find common workload device_models predictors sim tests bench \
	-name '*.[ch]' 2>/dev/null | sort)
echo "include rules: $n includes checked"
[ $n -gt 0 ] && [ $fail = 0 ]
