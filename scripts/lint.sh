#!/bin/bash
# Static checks of the C sources, each failing on any finding:
#  - cppcheck (warning, style, performance, portability) over the tree, with
#    inline suppressions and scripts/cppcheck.supp, both of which give reasons;
#  - clang-format --dry-run --Werror (the repo's .clang-format) over every
#    .c/.h file: `clang-format -i FILE` fixes one.
# usage: scripts/lint.sh [SOURCE_ROOT]   (exits 77, "skipped", if a tool is missing)
set -uo pipefail
cd "${1:-$(dirname "$0")/..}" || exit 2
for tool in cppcheck clang-format; do
	command -v "$tool" >/dev/null || { echo "lint: $tool not found: skipped"; exit 77; }
done
dirs=(common workload device_models predictors sim tests)
status=0
echo "== cppcheck"
cppcheck -q --std=c11 --enable=warning,style,performance,portability --inline-suppr \
	--suppressions-list=scripts/cppcheck.supp --error-exitcode=1 -I. "${dirs[@]}" || status=1
echo "== clang-format"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -- '*.c' '*.h'
else
	find "${dirs[@]}" -name '*.[ch]' -print0
fi | xargs -0 clang-format --dry-run --Werror || status=1
[ $status = 0 ] && echo "lint: clean"
exit $status
