#!/bin/bash
# `odmasim capacity`: the reported capacity must meet the SLO when run on its
# own, the reported miss must miss it, and the bracket must be as narrow as
# asked. Usage: capacity_test.sh PATH/TO/odmasim
. "$(dirname "$0")/lib.sh"
cd "$tmp"
cat >exp.ini <<'EOF2'
[workload]
trace =
arrival = poisson
rate = 1
num_requests = 400
seed = 3
[scheduler]
max_num_seqs = 32
[policy]
name = static
EOF2
# s3 and odma need a trained predictor, which a synthetic workload (no prompt
# texts) cannot provide: they are left out here
"$bin" capacity exp.ini --slo ttft_p99=0.5,tpot_p99=100ms --tol 0.05 --policies static,paged,oracle \
	-o cap.csv >cap.txt 2>cap.err
expect "capacity exits 0" test $? -eq 0
expect "table printed with a static row" grep -q '^static ' cap.txt
IFS=, read -r pol cap miss why rest < <(sed -n 2p cap.csv)
expect "CSV row for static" test "$pol" = static
expect "capacity found (not at a search limit)" test -n "$cap" -a -n "$miss"
expect "bracket within tolerance" \
	awk -v c="$cap" -v m="$miss" 'BEGIN { exit !(m > c && (m - c) <= 0.05 * c + 1e-9) }'
metric() { # metric DIR COLUMN
	awk -F, -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) k = i }
			     NR == 2 { print $k }' "$1/summary.csv"
}
"$bin" run exp.ini --set workload.rate="$cap" -q -o at_cap
"$bin" run exp.ini --set workload.rate="$miss" -q -o at_miss
expect "a run at the capacity meets the SLO" awk -v t="$(metric at_cap ttft_p99_s)" \
	-v p="$(metric at_cap tpot_p99_s)" 'BEGIN { exit !(t <= 0.5 && p <= 0.1) }'
expect "a run at the reported miss misses it" awk -v t="$(metric at_miss ttft_p99_s)" \
	-v p="$(metric at_miss tpot_p99_s)" 'BEGIN { exit !(t > 0.5 || p > 0.1) }'
expect "the binding metric is named" test -n "$why"
"$bin" capacity exp.ini --slo ttft_p99=1e-9 --min 0.5 >low.txt 2>/dev/null
expect "an unreachable SLO says so" grep -q 'misses the SLO even at --min' low.txt
"$bin" capacity exp.ini --slo bogus=1 >/dev/null 2>bad.err
expect "unknown SLO metric is a usage error" test $? -eq 2
"$bin" capacity exp.ini --slo ttft_p99=1 --policies nosuch >/dev/null 2>bad2.err
expect "unknown policy is a usage error" grep -q "unknown policy 'nosuch'" bad2.err
[ $fail -eq 0 ] || { cat cap.txt cap.err; exit 1; }
echo "all capacity checks passed"
