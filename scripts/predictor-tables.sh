#!/bin/sh
# Regenerates the held-out predictor results (docs/STUDY.md formats them with
# scripts/predictor_readme.py; scripts/update_docs.sh predictors does both).
# usage: scripts/predictor-tables.sh OUTDIR   (OUTDIR must not exist)
set -eu
out=${1:?usage: $0 OUTDIR}
bin=${ODMASIM:-./build/odmasim}
mkdir -p "$out"
for tr in alpaca nq simpleqa_r1 frames_r1; do
	"$bin" predict --trace $tr.csv --predictor oracle,s3,odma,gbdt -o "$out/$tr"
	"$bin" predict --trace $tr.csv --predictor odma --set predictor.quantile=0.5 -o "$out/$tr-q05"
done
for tr in alpaca nq; do
	"$bin" predict --trace $tr.csv --predictor s3,odma --bucket-max 512 -o "$out/$tr-512"
done
# drift: trained on Alpaca's train part, tested on every NQ row
"$bin" predict --trace alpaca.csv --test-trace nq.csv --predictor s3,odma -o "$out/drift"
"$bin" predict --trace alpaca.csv --test-trace nq.csv --predictor odma --set predictor.quantile=0.5 -o "$out/drift-q05"
