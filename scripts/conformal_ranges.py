#!/usr/bin/env python3
"""How far from q a measured split-conformal coverage may fall by chance, per trace.
Reads the sample sizes from the generated held-out predictor tables of docs/STUDY.md
(n_train, n_test of odma at q = 0.9) and the calibration share m = calib_pct % of the
training rows (an approximation: the slice is chosen by id hash). Normal approximation of
Beta(k, m+1-k) for the slice plus binomial(n, q)/n for the test rows; 95% = 1.96 sigma.
usage: conformal_ranges.py STUDY.md CALIB_PCT"""
import math
import re
import sys

Q = 0.9


def sizes(path):
    text = open(path, encoding="utf-8").read()
    block = text.split("<!-- gen:predictors begin -->")[1].split("<!-- gen:predictors end -->")[0]
    out, title = [], None
    for ln in block.splitlines():
        if ln and not ln.startswith(" "):
            title = ln.split(",")[0]
        m = re.match(r"\s+odma\s+logridge q=0\.9\s+(\d+)\s+(\d+)\s", ln)
        if m and title and title not in [t for t, _, _ in out]:
            out.append((title, int(m.group(1)), int(m.group(2))))
    return out


def main():
    pct = float(sys.argv[2])
    print("95%% range of a measured coverage at q = %.1f, in points (m: calibration rows, "
          "about %g%% of n_train; n: test rows):" % (Q, pct))
    print()
    print("| trace | m | n | slice and test | test alone |")
    print("|---|---:|---:|---:|---:|")
    for title, ntrain, ntest in sizes(sys.argv[1])[:4]:
        m = round(ntrain * pct / 100)
        v = Q * (1 - Q)
        both = 1.96 * math.sqrt(v / (m + 2) + v / ntest) * 100
        test = 1.96 * math.sqrt(v / ntest) * 100
        print("| %s | %d | %d | ±%.1f | ±%.1f |" % (title, m, ntest, both, test))


main()
