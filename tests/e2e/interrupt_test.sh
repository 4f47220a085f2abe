#!/bin/bash
# Interrupts and -o: `run` killed by SIGTERM or SIGHUP while it writes its
# results leaves neither DIR nor DIR.tmp-PID; an existing -o is refused before
# the workload is even read. usage: tests/e2e/interrupt_test.sh ODMASIM
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1
printf '[workload]\nnum_requests = 200000\narrival = offline\n' >big.ini

# Starts a run, waits for its temporary directory (the write has begun), then
# sends the signal. A signal that arrived after the write finished would leave a
# whole directory and exit 0: inconclusive, and told apart.
interrupt() {
	local sig=$1 out=$tmp/out-$1
	"$bin" run big.ini -o "$out" -q 2>err &
	local pid=$!
	until compgen -G "$out.tmp-*" >/dev/null; do kill -0 $pid 2>/dev/null || break; done
	kill -"$sig" $pid 2>/dev/null
	wait $pid
	local rc=$?
	if compgen -G "$out.tmp-*" >/dev/null; then
		bad "SIG$sig while writing left $(compgen -G "$out.tmp-*")"
	elif [ $rc -eq 0 ] && [ -f "$out/summary.json" ]; then
		echo "ok   SIG$sig came after the write (inconclusive, whole directory)"; ok
	elif [ $rc -ne 0 ] && [ ! -e "$out" ]; then
		echo "ok   SIG$sig while writing: exit $rc, nothing left"; ok
	else
		bad "SIG$sig while writing: exit $rc, $(ls -d "$out"* 2>/dev/null)"
	fi
}
interrupt TERM
interrupt HUP

# -o names an existing directory: refused before the (missing) trace is read.
mkdir taken
"$bin" run big.ini --set workload.trace=/nonexistent.csv -o taken -q 2>err
expect "existing -o refused before loading the workload" \
	grep -qF "taken: output directory already exists" err
finish
