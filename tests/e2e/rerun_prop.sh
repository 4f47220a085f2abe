#!/bin/bash
# Property: for random --set values (odd strings included), a run's config.ini
# reruns the same experiment: rerunning it gives a byte-identical config.ini
# and summary.json. A value that config.ini cannot hold is refused with one
# line and no results. Seeded, so a failure reproduces.
# usage: tests/e2e/rerun_prop.sh ODMASIM [CASES]
. "$(dirname "$0")/lib.sh"
cases=${2:-60}
cd "$tmp" || exit 1
printf 'id,prompt_tokens,output_tokens\n0,10,5\n1,20,7\n2,30,9\n' >t.csv
printf '[workload]\ntrace = %s/t.csv\narrival = offline\n' "$tmp" >base.ini
RANDOM=16
# Pieces odd values are made of: spaces and tabs (leading, inner, trailing),
# INI punctuation, quotes, backslashes, a line break, UTF-8 and a stray byte.
pieces=(a Z 7 ' ' '  ' $'\t' ';' ' ;' '#' ' #' '=' '[' ']' '"' "'" '\' ',' '.' '-'
	$'\n' 'é' '名' $'\xff' '%s' '$x' '*')
odd() {
	local v="" n=$((RANDOM % 6 + 1))
	for ((k = 0; k < n; k++)); do v+=${pieces[RANDOM % ${#pieces[@]}]}; done
	printf '%s' "$v"
}
# Valid numbers written oddly.
num() {
	local forms=(' 2' '2 ' '+2' '2.0' '2e0' '0.5' '1E1' $'\t3' '003')
	printf '%s' "${forms[RANDOM % ${#forms[@]}]}"
}
refused=0 reran=0
for ((i = 0; i < cases; i++)); do
	sets=(--set "device.name=$(odd)" --set "model.name=$(odd)" --set "workload.rate=$(num)"
		--set "workload.arrival=poisson" --set "workload.seed=$((RANDOM % 100))")
	"$bin" run base.ini "${sets[@]}" -q -o "r$i" 2>err
	rc=$?
	if [ $rc -ne 0 ]; then
		if [ "$(wc -l <err)" -eq 1 ] && grep -q '^odmasim: error: --set: ' err && [ ! -e "r$i" ]; then
			refused=$((refused + 1))
		else
			bad "case $i (${sets[*]@Q}): failed without one --set line: $(cat err)"
		fi
		continue
	fi
	if ! "$bin" run "r$i/config.ini" -q -o "s$i" 2>err; then
		bad "case $i (${sets[*]@Q}): config.ini does not rerun: $(cat err)"
		continue
	fi
	if cmp -s "r$i/config.ini" "s$i/config.ini" && cmp -s "r$i/summary.json" "s$i/summary.json"; then
		reran=$((reran + 1))
	else
		bad "case $i (${sets[*]@Q}): rerun differs: $(diff "r$i/config.ini" "s$i/config.ini" | head -5)"
	fi
done
echo "rerun property: $reran reran identically, $refused refused at --set"
[ $reran -gt 0 ] && [ $refused -gt 0 ] && ok || bad "both kinds of case must occur"
pass=$((pass + reran + refused))
finish
