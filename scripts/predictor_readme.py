#!/usr/bin/env python3
"""Formats the held-out predictor tables of docs/STUDY.md from the metrics.csv files
that scripts/predictor-tables.sh OUTDIR writes (nothing typed by hand).
usage: predictor_readme.py OUTDIR"""
import csv
import os
import sys

HEAD = ("pred    model           n_train n_test   b_hit   b_maj  b_near   cover  cov+fl "
        "over_avg over_p99    under     MAE flagged    rho")
QS = ["50", "90", "95", "99"]


def rows(d, *subdirs):
    out = []
    for sd in subdirs:
        with open(os.path.join(d, sd, "metrics.csv"), newline="") as f:
            out += list(csv.DictReader(f))
    return out


def line(r, prefix=""):
    pct = lambda k: "%6.2f%%" % (100 * float(r[k]))
    return "    %s%-7s %-15s %7s %6s %s %s %s %s %s %8.1f %8.0f %8.1f %7.1f %s %6.3f" % (
        prefix, r["predictor"], r["model"], r["n_train"], r["n_test"], pct("bucket_hit"),
        pct("majority_bucket_hit"), pct("bucket_within_one"), pct("coverage"),
        pct("coverage_or_flagged"), float(r["over_mean"]), float(r["over_p99"]),
        float(r["under_mean"]), float(r["mae"]), pct("flagged"), float(r["spearman"]))


def curve(title, rs):
    """Coverage / mean over-reservation at the predictor's q-quantiles."""
    print(title)
    print()
    print("    %-7s" % "pred" + "".join("       q=0.%-4s" % q for q in QS))
    for r in rs:
        print("    %-7s" % r["predictor"] + "".join(
            " %6.2f%% %6.1f" % (100 * float(r["coverage_q" + q]), float(r["over_mean_q" + q]))
            for q in QS))
    print()


def block(title, rs, prefix=lambda r: ""):
    print(title)
    print()
    print("    " + ("        " if prefix(rs[0]) else "") + HEAD)
    for r in rs:
        print(line(r, prefix(r)))
    print()


d = sys.argv[1]
n = lambda r, k: int(r[k])
held = lambda r: "%s of %s rows" % (format(n(r, "n_test"), ","), format(n(r, "n_train") + n(r, "n_test"), ","))
a, q = rows(d, "alpaca", "alpaca-q05"), rows(d, "nq", "nq-q05")
dr = rows(d, "drift", "drift-q05")
block("Alpaca, held out (%s):" % held(a[-1]), a)
block("NQ (long answers), held out (%s):" % held(q[-1]), q)
sq, fr = rows(d, "simpleqa_r1", "simpleqa_r1-q05"), rows(d, "frames_r1", "frames_r1-q05")
block("SimpleQA, real R1-Distill-Qwen-7B output lengths, held out (%s):" % held(sq[-1]), sq)
block("FRAMES multi-hop, real R1-Distill-Qwen-7B output lengths, held out (%s):" % held(fr[-1]), fr)
for name, sd in (("Alpaca", "alpaca"), ("NQ", "nq"), ("SimpleQA-R1", "simpleqa_r1"),
                 ("FRAMES-R1", "frames_r1")):
    curve("%s: coverage / mean over-reservation (tokens) at the q-quantile:" % name,
          [r for r in rows(d, sd) if r["predictor"] != "oracle"])
block("Drift: trained on Alpaca's train part, tested on all %s NQ rows:" % format(n(dr[0], "n_test"), ","), dr)
fine = [dict(r, ds="Alpaca") for r in rows(d, "alpaca-512")] + [dict(r, ds="NQ") for r in rows(d, "nq-512")]
w = float(fine[0]["bucket_max"]) / float(fine[0]["buckets"])
block("Finer grid, bucket_max = %s (%g-token buckets), held out:" % (fine[0]["bucket_max"], w), fine, lambda r: "%-8s" % r["ds"])
