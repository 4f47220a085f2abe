#!/bin/bash
# The predictor model-selection table of docs/MODEL.md: every candidate model
# trained on the train part minus the validation slice and evaluated on that
# slice (`odmasim predict --validate`), never on the test part. Markdown on
# stdout; scripts/update_docs.sh validation puts it in docs/MODEL.md.
# usage: scripts/validation_table.sh [ODMASIM]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/odmasim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
val() { # trace label args...
	local tr=$1 label=$2
	shift 2
	n=$((n + 1))
	"$bin" predict --trace "$tr" --validate -q -o "$tmp/$n" "$@" >/dev/null
	sed 1d "$tmp/$n/metrics.csv" | sed "s|^|$tr,$label,|" >>"$tmp/all.csv"
}
for tr in alpaca.csv nq.csv; do
	for m in softmax ridge; do
		val $tr "2048/10" --predictor s3 --set predictor.s3_model=$m
	done
	val $tr "2048/10 BFGS fit" --predictor s3 --set predictor.s3_fit=bfgs
	for m in softmax ridge; do
		val $tr "512/10" --predictor s3 --bucket-max 512 --set predictor.s3_model=$m
	done
done
for tr in alpaca.csv nq.csv; do
	for q in 0.9 0.5; do
		for m in logridge ridge gbdt; do
			val $tr "q = $q" --predictor odma --set predictor.quantile=$q --set predictor.odma_model=$m
		done
	done
done
python3 - "$tmp/all.csv" <<'PY'
import csv, sys
names = {"alpaca.csv": "Alpaca", "nq.csv": "NQ"}
kept = {"s3": "softmax", "odma": "logridge"}  # the defaults (predictor.s3_model, predictor.odma_model)
print("| trace | predictor | grid / q | model | rows | bucket-hit | majority | coverage | over mean | MAE |")
print("|---|---|---|---|---:|---:|---:|---:|---:|---:|")
pct = lambda v: "%.2f %%" % (100 * float(v))
for r in csv.reader(open(sys.argv[1])):
    tr, label, pred, model = r[0], r[1], r[2], r[3]
    d = dict(zip(["n_train", "n_test", "bucket_hit", "majority_bucket_hit", "bucket_within_one",
                  "coverage", "coverage_or_flagged", "over_mean", "over_p99", "under_mean", "mae",
                  "flagged"], r[8:]))
    bold = kept.get(pred) == model.split()[0] and "BFGS" not in label  # the default fit only
    m = "**%s**" % model if bold else model.split()[0]
    print("| %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %.1f |" % (
        names.get(tr, tr), pred, label, m, d["n_test"], pct(d["bucket_hit"]),
        pct(d["majority_bucket_hit"]), pct(d["coverage"]), float(d["over_mean"]), float(d["mae"])))
PY
