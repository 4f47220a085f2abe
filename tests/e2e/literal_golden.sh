#!/bin/bash
# policy.odma_variant = literal (and paged with policy.paged_block_layout =
# per_head) reproduce the results of the odmasim before issue 13 byte for
# byte: each case of golden/literal_cases.txt must give the digests in
# golden/literal.sha256, which that binary wrote (paged writes no
# boundaries.csv; odma cases use the noisy predictor, see the cases file).
# Skips (passes) when the
# shared traces are absent.
# Usage: literal_golden.sh PATH/TO/odmasim (run from the source root)
#   ODMASIM_GOLDEN_WRITE=1 literal_golden.sh OLD/odmasim  rewrites literal.sha256
#   from an old binary (run without the new keys, which it does not know).
. "$(dirname "$0")/lib.sh"
traces=${ODMASIM_TRACES:-../shared/traces}
golden=tests/e2e/golden
files=(requests.csv boundaries.csv util.csv)
for t in nq.csv alpaca.csv simpleqa_r1.csv; do
	[ -f "$traces/$t" ] || { echo "skip: $traces/$t absent"; finish; exit; }
done
# the keys that select the old behaviour in this binary
now=(--set policy.odma_variant=literal --set policy.paged_block_layout=per_head)
[ -n "${ODMASIM_GOLDEN_WRITE:-}" ] && now=()
while read -r name cfg args; do
	case $name in '#'* | '') continue ;; esac
	# shellcheck disable=SC2086 # args are --set pairs without spaces
	if "$bin" run "$cfg" -q -o "$tmp/$name" $args "${now[@]}" 2>"$tmp/err"; then ok; else
		bad "$name: run failed: $(head -c 300 "$tmp/err")"
	fi
done <"$golden/literal_cases.txt"
# requests.csv keeps only the old binary's columns, in its order, with its
# -1 for absent times read as today's empty field (docs/OUTPUTS.md)
cols=$golden/literal_requests_columns.txt
if [ -n "${ODMASIM_GOLDEN_WRITE:-}" ]; then
	first=$(grep -v '^#' "$golden/literal_cases.txt" | head -1 | cut -d' ' -f1)
	head -1 "$tmp/$first/requests.csv" >"$cols"
fi
for d in "$tmp"/*/; do
	[ -f "$d/requests.csv" ] || continue
	python3 - "$cols" "$d/requests.csv" <<'PY'
import csv, sys
want = open(sys.argv[1]).read().strip().split(",")
rows = list(csv.reader(open(sys.argv[2], newline="")))
idx = [rows[0].index(c) for c in want]
with open(sys.argv[2], "w", newline="") as f:
    for r in rows:
        # the old binary wrote -1 for a time that never happened; now it is empty
        f.write(",".join("" if r[i] == "-1" else r[i] for i in idx) + "\n")
PY
done
sums=$(cd "$tmp" && for n in $(grep -v '^#' "$OLDPWD/$golden/literal_cases.txt" | cut -d' ' -f1); do
	for f in "${files[@]}"; do [ ! -f "$n/$f" ] || sha256sum "$n/$f"; done
done)
if [ -n "${ODMASIM_GOLDEN_WRITE:-}" ]; then
	echo "$sums" >"$golden/literal.sha256"
	echo "wrote $golden/literal.sha256"
else
	while read -r want path; do
		got=$(grep "  $path\$" <<<"$sums" | cut -d' ' -f1)
		[ "$got" = "$want" ] && ok || bad "$path differs from the pre-issue-13 binary's"
	done <"$golden/literal.sha256"
fi
finish
