# Sourced by the end-to-end scripts (". "$(dirname "$0")/lib.sh" ODMASIM).
# Gives: $bin, the odmasim binary as an absolute path; $tmp, a fresh
# directory removed on exit; tallies $pass and $fail with ok, bad MESSAGE and
# expect DESCRIPTION COMMAND... (runs the command, prints ok/FAIL with the
# description); and finish, which prints the tally and fails if anything did.
set -uo pipefail
bin=$(realpath "${1:?usage: $(basename "$0") PATH/TO/odmasim}")
tmp=$(mktemp -d "/tmp/odmasim-$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
expect() {
	if "${@:2}"; then echo "ok   $1"; ok; else echo "FAIL $1"; fail=$((fail + 1)); fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
