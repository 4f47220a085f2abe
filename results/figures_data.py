#!/usr/bin/env python3
"""Writes the CSV behind each figure (DIR/data/figN_*.csv) from the merged
sweep tables and run directories that results/figures.sh produced in DIR.
Each CSV is wide (one column per series) so that a gnuplot script reads it
with plain `using` columns; the header names every column. Values are
written with fixed precision so reruns give identical bytes.
usage: results/figures_data.py DIR"""
import csv
import os
import sys

POLICIES = ["static", "paged", "s3", "odma", "oracle"]
DATASETS = [("alpaca", "Alpaca"), ("nq", "NQ")]
S3_K, S3_MAX = 10, 2048  # the s3 predictor's default grid (predictor.buckets, bucket_max)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def ds_of(row):
    return os.path.basename(row["workload.trace"]).replace(".csv", "")


def write(path, header, table):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in table:
            f.write(",".join(x if isinstance(x, str) else "%.6g" % x for x in r) + "\n")


def classes(row):
    """c1..cK of a boundaries.csv row, in order."""
    return sorted((k for k in row if k[0] == "c" and k[1:].isdigit()), key=lambda c: int(c[1:]))


def run_dir(out, sweep, row):
    return os.path.join(out, "runs", sweep, "runs", row["run"])


def pick(table, **kv):
    got = [r for r in table if all(r[k] == v for k, v in kv.items())]
    if len(got) != 1:
        sys.exit("figures_data: %d rows match %s" % (len(got), kv))
    return got[0]


def fig2(out, data):
    bins = 16
    top = 2048
    hist = {}
    for ds, _ in DATASETS:
        lens = [int(r["generated_tokens"]) for r in
                rows(os.path.join(out, "runs", "lengths_" + ds, "requests.csv"))]
        counts = [0] * (top // bins)
        for n in lens:
            counts[min(n, top - 1) // bins] += 1
        hist[ds] = [100.0 * c / len(lens) for c in counts]
    write(os.path.join(data, "fig2_hist.csv"), ["len_lo_tokens", "alpaca_pct", "nq_pct"],
          [[float(i * bins), hist["alpaca"][i], hist["nq"][i]] for i in range(top // bins)])
    write(os.path.join(data, "fig2_s3_edges.csv"), ["k", "tokens"],
          [["%d" % k, k * S3_MAX / S3_K] for k in range(1, S3_K)])
    paper = rows(os.path.join(data, "paper.csv"))
    for ds, _ in DATASETS:
        b = rows(os.path.join(run_dir(out, "paper", pick(paper, **{"policy.name": "odma"},
                                                          **{"workload.trace": ds + ".csv"})),
                              "boundaries.csv"))
        last = b[-1]
        cs = classes(last)
        write(os.path.join(data, "fig2_odma_%s.csv" % ds), ["k", "tokens"],
              [[c[1:], float(last[c])] for c in cs])


def fig3(data):
    table = []
    for ds, name in DATASETS:
        m = {r["predictor"]: r for r in rows(os.path.join(data, "pred_" + ds, "metrics.csv"))}
        pct = lambda p, k: 100.0 * float(m[p][k])
        table.append([name + " bucket-hit", pct("s3", "bucket_hit"), pct("odma", "bucket_hit"),
                      pct("s3", "majority_bucket_hit")])
        table.append([name + " coverage", pct("s3", "coverage"), pct("odma", "coverage"),
                      pct("odma", "coverage_or_flagged")])
    write(os.path.join(data, "fig3_accuracy.csv"),
          ["metric", "s3_pct", "odma_pct", "reference_pct"], table)


def fig45(data):
    paper = rows(os.path.join(data, "paper.csv"))
    util, thr = [], []
    for p in POLICIES:
        u, t = [p], [p]
        for ds, _ in DATASETS:
            r = pick(paper, **{"policy.name": p, "workload.trace": ds + ".csv"})
            s = pick(paper, **{"policy.name": "static", "workload.trace": ds + ".csv"})
            u += [100 * float(r[k]) for k in ("util_reserved", "util_live", "util_packing")]
            t += [float(r[k]) / float(s[k]) for k in ("rps", "tps_generated")]
        util.append(u)
        thr.append(t)
    write(os.path.join(data, "fig4_util.csv"),
          ["policy"] + ["%s_%s_pct" % (d, k) for d, _ in DATASETS
                        for k in ("reserved", "live", "packing")], util)
    write(os.path.join(data, "fig5_throughput.csv"),
          ["policy"] + ["%s_%s_vs_static" % (d, k) for d, _ in DATASETS for k in ("rps", "tps")],
          thr)


def fig6(data):
    rates = rows(os.path.join(data, "rates.csv"))
    for ds, _ in DATASETS:
        rs = sorted({float(r["workload.rate"]) for r in rates})
        table = []
        for rate in rs:
            line = [rate]
            for p in POLICIES:
                r = [x for x in rates if x["policy.name"] == p and ds_of(x) == ds
                     and float(x["workload.rate"]) == rate][0]
                line += [float(r["tps_generated"]), float(r["e2e_p50_s"]), float(r["ttft_p99_s"])]
            table.append(line)
        write(os.path.join(data, "fig6_%s.csv" % ds),
              ["rate_rps"] + ["%s_%s" % (p, k) for p in POLICIES
                              for k in ("tps", "e2e_p50_s", "ttft_p99_s")], table)


def fig7(data):
    for name, key in [("K", "policy.odma_classes"), ("T", "policy.odma_relearn_every"),
                      ("sigma", "policy.odma_safety"), ("tau", "predictor.uncertainty_threshold")]:
        t = rows(os.path.join(data, "sens_%s.csv" % name))
        vals = sorted({r[key] for r in t}, key=float)
        table = []
        for v in vals:
            line = [v]
            for ds, _ in DATASETS:
                r = [x for x in t if x[key] == v and ds_of(x) == ds][0]
                n = float(r["requests_completed"])
                line += [100 * float(r["util_reserved"]), 100 * float(r["overflows"]) / n,
                         float(r["e2e_p99_s"]), 100 * float(r["frag_external"])]
            table.append(line)
        write(os.path.join(data, "fig7_%s.csv" % name),
              ["value"] + ["%s_%s" % (d, k) for d, _ in DATASETS
                           for k in ("reserved_pct", "overflow_pct", "e2e_p99_s",
                                     "frag_external_pct")], table)


def fig8(data):
    t = rows(os.path.join(data, "lhalf.csv"))
    vals = sorted({float(r["device.l_half_bytes"]) for r in t})
    table = []
    for v in vals:
        line = [v]
        for ds, _ in DATASETS:
            for p in ("paged", "odma"):
                r = [x for x in t if x["policy.name"] == p and ds_of(x) == ds
                     and float(x["device.l_half_bytes"]) == v][0]
                line += [float(r["tps_generated"]), 1000 * float(r["tpot_p50_s"])]
        table.append(line)
    write(os.path.join(data, "fig8_lhalf.csv"),
          ["l_half_bytes"] + ["%s_%s_%s" % (d, p, k) for d, _ in DATASETS for p in ("paged", "odma")
                              for k in ("tps", "tpot_p50_ms")], table)


def fig9(out, data):
    t = rows(os.path.join(data, "drift.csv"))
    for p in ("paged", "s3", "odma", "oracle"):
        d = run_dir(out, "drift", pick(t, **{"policy.name": p}))
        u = rows(os.path.join(d, "util.csv"))
        write(os.path.join(data, "fig9_util_%s.csv" % p),
              ["t_s", "reserved_pct", "live_pct", "overflows"],
              [[float(r["t_s"]), 100 * float(r["util_reserved"]), 100 * float(r["util_live"]),
                "%d" % int(r["overflows"])] for r in u])
        if p == "odma":
            b = rows(os.path.join(d, "boundaries.csv"))
            cs = classes(b[0])
            write(os.path.join(data, "fig9_bounds.csv"), ["t_s"] + cs,
                  [[float(r["t_s"])] + [float(r[c]) for c in cs] for r in b])
            req = rows(os.path.join(d, "requests.csv"))
            cfg = open(os.path.join(d, "config.ini")).read()
            counts = [l.split("=", 1)[1].strip() for l in cfg.splitlines()
                      if l.startswith("phase_requests")][0].split(",")
            arr = sorted(float(r["arrival_s"]) for r in req)
            edges, n = [], 0
            for c in counts[:-1]:
                n += int(c)
                edges.append(arr[n])
            names = [os.path.basename(x.strip()).replace(".csv", "") for x in
                     [l.split("=", 1)[1] for l in cfg.splitlines() if l.startswith("trace ")][0]
                     .split(",")]
            starts = [0.0] + edges
            ends = edges + [arr[-1]]
            write(os.path.join(data, "fig9_phases.csv"), ["phase", "start_s", "end_s"],
                  [[names[i], starts[i], ends[i]] for i in range(len(names))])


def main():
    out = sys.argv[1]
    data = os.path.join(out, "data")
    fig2(out, data)
    fig3(data)
    fig45(data)
    fig6(data)
    fig7(data)
    fig8(data)
    fig9(out, data)


if __name__ == "__main__":
    main()
