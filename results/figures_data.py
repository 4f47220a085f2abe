#!/usr/bin/env python3
"""Writes the CSV behind each figure (DIR/data/figN_*.csv) from the merged
sweep tables and run directories that results/figures.sh produced in DIR.
Each CSV is wide (one column per series) so that a gnuplot script reads it
with plain `using` columns; the header names every column. Values are
written with fixed precision so reruns give identical bytes.
usage: results/figures_data.py DIR
       results/figures_data.py --tiny DATADIR   (made-up rows, for tests)"""
import csv
import os
import sys

POLICIES = ["static", "paged", "s3", "odma", "oracle"]
DATASETS = [("alpaca", "Alpaca"), ("nq", "NQ")]
SENS = [("K", "policy.odma_classes"), ("T", "policy.odma_relearn_every"),
        ("sigma", "policy.odma_safety"), ("tau", "predictor.uncertainty_threshold")]
DRIFT_POLICIES = ["paged", "s3", "odma", "oracle"]
# fig 3: the predictors on every trace with prompt texts, the reasoning ones included
PRED_DATASETS = [("alpaca", "Alpaca"), ("nq", "NQ"), ("simpleqa_r1", "SimpleQA-R1"),
                 ("frames_r1", "FRAMES-R1")]
PRED_Q = ["50", "90", "95", "99"]  # the quantile columns of `odmasim predict`'s metrics.csv
S3_K, S3_MAX = 10, 2048  # the s3 predictor's default grid (predictor.buckets, bucket_max)
# fig 10: the Azure traces (experiments/azure_sweep.ini) at the paper's max_model_len
AZURE = [("conv", "AzureLLMInferenceTrace_conv.csv"), ("code", "AzureLLMInferenceTrace_code.csv")]
AZURE_LEN = "4096"


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def ds_of(row):
    return os.path.basename(row["workload.trace"]).replace(".csv", "")


def headers(k=4):
    """Every figure CSV and its header: the one schema the gnuplot scripts
    read (tests/e2e/figures_test.sh plots tiny files written from it)."""
    h = {
        "fig2_hist.csv": ["len_lo_tokens"] + ["%s_pct" % d for d, _ in DATASETS],
        "fig2_s3_edges.csv": ["k", "tokens"],
        "fig3_accuracy.csv": ["q_pct"] + ["%s_%s_%s" % (d, p, m) for d, _ in PRED_DATASETS
                                          for p in ("s3", "odma")
                                          for m in ("cov_pct", "over_tokens")],
        "fig4_util.csv": ["policy"] + ["%s_%s_pct" % (d, m) for d, _ in DATASETS
                                       for m in ("reserved", "live", "packing")],
        "fig5_throughput.csv": ["policy"] + ["%s_%s_vs_static" % (d, m) for d, _ in DATASETS
                                             for m in ("rps", "tps")],
        "fig8_lhalf.csv": ["l_half_bytes"] + ["%s_%s_%s" % (d, p, m) for d, _ in DATASETS
                                              for p in ("paged", "odma")
                                              for m in ("tps", "tpot_p50_ms")],
        "fig9_bounds.csv": ["t_s"] + ["c%d" % (i + 1) for i in range(k)],
        "fig9_phases.csv": ["phase", "start_s", "end_s"],
        "fig10_azure.csv": ["policy"] + ["%s_chunked_%s_ttft_p50_s" % (t, c) for t, _ in AZURE
                                         for c in ("off", "on")],
    }
    for d, _ in DATASETS:
        h["fig2_odma_%s.csv" % d] = ["k", "tokens"]
        h["fig6_%s.csv" % d] = ["rate_rps"] + ["%s_%s" % (p, m) for p in POLICIES
                                               for m in ("tps", "e2e_p50_s", "ttft_p99_s")]
    for name, _ in SENS:
        h["fig7_%s.csv" % name] = ["value"] + ["%s_%s" % (d, m) for d, _ in DATASETS
                                              for m in ("reserved_pct", "overflow_pct",
                                                        "e2e_p99_s", "frag_external_pct")]
    for p in DRIFT_POLICIES:
        h["fig9_util_%s.csv" % p] = ["t_s", "reserved_pct", "live_pct", "overflows"]
    return h


def write(data, name, table):
    header = headers(len(table[0]) - 1 if name == "fig9_bounds.csv" else 4)[name]
    for r in table:
        if len(r) != len(header):
            sys.exit("figures_data: %s: a row has %d fields, the header %d" % (name, len(r), len(header)))
    with open(os.path.join(data, name), "w") as f:
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
    write(data, "fig2_hist.csv",
          [[float(i * bins), hist["alpaca"][i], hist["nq"][i]] for i in range(top // bins)])
    write(data, "fig2_s3_edges.csv",
          [["%d" % k, k * S3_MAX / S3_K] for k in range(1, S3_K)])
    paper = rows(os.path.join(data, "paper.csv"))
    for ds, _ in DATASETS:
        b = rows(os.path.join(run_dir(out, "paper", pick(paper, **{"policy.name": "odma"},
                                                          **{"workload.trace": ds + ".csv"})),
                              "boundaries.csv"))
        last = b[-1]
        cs = classes(last)
        write(data, "fig2_odma_%s.csv" % ds,
              [[c[1:], float(last[c])] for c in cs])


def fig3(data):
    """Coverage against mean over-reservation at the predictors' q-quantiles."""
    m = {}
    for ds, _ in PRED_DATASETS:
        m[ds] = {r["predictor"]: r for r in rows(os.path.join(data, "pred_" + ds, "metrics.csv"))}
    table = []
    for q in PRED_Q:
        row = [float(q)]
        for ds, _ in PRED_DATASETS:
            for p in ("s3", "odma"):
                row += [100.0 * float(m[ds][p]["coverage_q" + q]),
                        float(m[ds][p]["over_mean_q" + q])]
        table.append(row)
    write(data, "fig3_accuracy.csv", table)


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
    write(data, "fig4_util.csv", util)
    write(data, "fig5_throughput.csv", thr)


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
        write(data, "fig6_%s.csv" % ds, table)


def fig7(data):
    for name, key in SENS:
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
        write(data, "fig7_%s.csv" % name, table)


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
    write(data, "fig8_lhalf.csv", table)


def fig9(out, data):
    t = rows(os.path.join(data, "drift.csv"))
    for p in DRIFT_POLICIES:
        d = run_dir(out, "drift", pick(t, **{"policy.name": p}))
        u = rows(os.path.join(d, "util.csv"))
        write(data, "fig9_util_%s.csv" % p,
              [[float(r["t_s"]), 100 * float(r["util_reserved"]), 100 * float(r["util_live"]),
                "%d" % int(r["overflows"])] for r in u])
        if p == "odma":
            b = rows(os.path.join(d, "boundaries.csv"))
            cs = classes(b[0])
            write(data, "fig9_bounds.csv",
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
            write(data, "fig9_phases.csv",
                  [[names[i], starts[i], ends[i]] for i in range(len(names))])


def fig10(data):
    t = rows(os.path.join(data, "azure.csv"))
    table = []
    for p in POLICIES:
        line = [p]
        for _, trace in AZURE:
            for c in ("false", "true"):
                r = pick(t, **{"policy.name": p, "workload.trace": trace,
                               "policy.max_model_len": AZURE_LEN,
                               "scheduler.chunked_prefill": c})
                line.append(float(r["ttft_p50_s"]))
        table.append(line)
    write(data, "fig10_azure.csv", table)


def tiny(data):
    """A few rows of made-up numbers in every figure CSV, for testing the
    plot scripts without running the study."""
    os.makedirs(data, exist_ok=True)
    for name, h in sorted(headers().items()):
        n = len(h) - 1
        if name == "fig9_phases.csv":
            table = [["alpaca", 0.0, 10.0], ["nq", 10.0, 20.0], ["alpaca", 20.0, 30.0]]
        elif h[0] in ("policy", "metric"):
            labels = POLICIES if h[0] == "policy" else ["a", "b", "c", "d"]
            table = [[x] + [1.0 + i + j for j in range(n)] for i, x in enumerate(labels)]
        else:
            table = [[float(2 ** (i + 1))] + [1.0 + i + j for j in range(n)] for i in range(4)]
        write(data, name, table)


def main():
    if sys.argv[1] == "--tiny":
        tiny(sys.argv[2])
        return
    out = sys.argv[1]
    data = os.path.join(out, "data")
    fig2(out, data)
    fig3(data)
    fig45(data)
    fig6(data)
    fig7(data)
    fig8(data)
    fig9(out, data)
    fig10(data)


if __name__ == "__main__":
    main()
