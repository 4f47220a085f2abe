#!/bin/bash
# Interrupts and -o: `run`, `compare` and `predict` killed by SIGTERM or SIGHUP
# while they write their results leave neither DIR nor DIR.tmp-PID; an existing
# -o is refused before the workload is even read.
# usage: tests/e2e/interrupt_test.sh ODMASIM
. "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1
printf '[workload]\nnum_requests = 200000\narrival = offline\n' >big.ini
awk 'BEGIN { print "id,prompt_tokens,output_tokens"
	for (i = 0; i < 400000; i++) print i "," 10 + i % 500 "," 5 + (i * 7) % 300 }' >big.csv

# interrupt SIG NAME ARGS...: starts `odmasim ARGS... -o DIR -q`, waits for its
# temporary directory (the write has begun), then sends the signal. A signal
# that arrived after the write finished would leave a whole directory and exit
# 0: inconclusive, and told apart.
interrupt() {
	local sig=$1 what=$2 out=$tmp/out-$2-$1
	"$bin" "${@:3}" -o "$out" -q >/dev/null 2>err &
	local pid=$!
	until compgen -G "$out.tmp-*" >/dev/null; do kill -0 $pid 2>/dev/null || break; done
	kill -"$sig" $pid 2>/dev/null
	wait $pid
	local rc=$?
	if compgen -G "$out.tmp-*" >/dev/null; then
		bad "$what: SIG$sig while writing left $(compgen -G "$out.tmp-*")"
	elif [ $rc -eq 0 ] && [ -d "$out" ]; then
		echo "ok   $what: SIG$sig came after the write (inconclusive, whole directory)"; ok
	elif [ $rc -ne 0 ] && [ ! -e "$out" ]; then
		echo "ok   $what: SIG$sig while writing: exit $rc, nothing left"; ok
	else
		bad "$what: SIG$sig while writing: exit $rc, $(ls -d "$out"* 2>/dev/null)"
	fi
}
for sig in TERM HUP; do
	interrupt $sig run run big.ini
	interrupt $sig compare compare big.ini --policies static,paged
	interrupt $sig predict predict --trace "$tmp/big.csv" --predictor noisy,oracle
done

# -o names an existing directory: refused before the (missing) trace is read.
mkdir taken
"$bin" run big.ini --set workload.trace=/nonexistent.csv -o taken -q 2>err
expect "existing -o refused before loading the workload" \
	grep -qF "taken: output directory already exists" err
finish
