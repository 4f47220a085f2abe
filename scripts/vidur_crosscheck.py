#!/usr/bin/python3
"""Helpers for scripts/vidur_crosscheck.sh (odmasim vs Vidur on one replay).

  traces OUT N SEED            Poisson replays in Vidur's trace format (arrived_at,
                               num_prefill_tokens, num_decode_tokens) from Alpaca and an
                               Azure conversation slice, at a light and a saturating rate
  attention OUT DEVICE_INI MODEL_INI
                               SUBSTITUTE for Vidur's missing A100 Llama-2-7B attention
                               profile: per-layer times from a roofline (see the doc)
  shims DIR                    stand-ins for wandb, plotly_express and ddsketch (not in
                               Debian); ddsketch's quantiles are exact here
  vidur-row RUN_DIR            Vidur's request_metrics.csv and batch sizes -> a table row
  odm-row SUMMARY_JSON         odmasim's summary.json -> the same columns
No Vidur code is copied here: the shell script runs Vidur from the checkout given to it."""
import configparser
import csv
import glob
import json
import os
import sys

import numpy as np

CASES = {  # name: (source, rate light, rate saturating) -- rates in requests/s
    "alpaca": ("alpaca.csv", 2.0, 150.0),
    "azure_conv": ("azure/AzureLLMInferenceTrace_conv.csv", 1.0, 15.0),
}
MAX_TOKENS = 4096  # both sides: max_model_len; rows with prompt + output above it are dropped


def read_lengths(path):
    with open(path, newline="") as f:
        rd = csv.DictReader(f)
        for row in rd:
            if "prompt_tokens" in row:
                p, o = int(row["prompt_tokens"]), int(row["output_tokens"])
            else:
                p, o = int(row["ContextTokens"]), int(row["GeneratedTokens"])
            yield p, max(o, 1)


def traces(out, n, seed, trace_dir):
    os.makedirs(out, exist_ok=True)
    for name, (src, light, sat) in CASES.items():
        rows = [(p, o) for p, o in read_lengths(os.path.join(trace_dir, src)) if p + o < MAX_TOKENS]
        rows = rows[:n]  # the head of the trace: a slice, not a sample
        for tag, rate in (("light", light), ("sat", sat)):
            rng = np.random.default_rng(seed)
            t = np.cumsum(rng.exponential(1.0 / rate, len(rows)))
            t -= t[0]
            with open(os.path.join(out, f"{name}_{tag}.csv"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["arrived_at", "num_prefill_tokens", "num_decode_tokens"])
                for (p, o), a in zip(rows, t):
                    w.writerow([f"{a:.6f}", p, o])
            print(f"{name}_{tag} {rate:g} {len(rows)}")


def attention(out, device_ini, model_ini):
    d = configparser.ConfigParser()
    d.read([device_ini, model_ini])
    bw = float(d["device"]["peak_bw_gbps"]) * 1e9 * float(d["device"]["eta_seq"])
    flops = float(d["device"]["peak_tflops"]) * 1e12 * float(d["device"]["compute_eff"])
    m = d["model"]
    heads, kvh, hd = int(m["heads"]), int(m["kv_heads"]), int(m["head_dim"])
    bpe = int(m["bytes_per_elem"])
    kv_tok = 2 * kvh * hd * bpe  # bytes of K and V per token per layer
    cols = ["n_embd", "n_q_head", "n_kv_head", "block_size", "num_tensor_parallel_workers",
            "batch_size", "prefill_chunk_size", "kv_cache_size", "is_prefill",
            "time_stats.attn_prefill.median", "time_stats.attn_decode.median",
            "time_stats.attn_kv_cache_save.median"]
    base = [heads * hd, heads, kvh, 16, 1]
    ms = 1e3
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for b in [1, 2, 4, 8, 16, 32, 48, 64, 96, 128, 192, 256]:
            for k in range(16, MAX_TOKENS + 1, 128):
                t = b * k * kv_tok / bw  # decode attention reads every request's KV
                w.writerow(base + [b, 0, k, False, 0, t * ms, b * kv_tok / bw * ms])
        for c in [16, 32, 64, 128, 256, 512, 1024, 2048, 3072, 4096]:
            for k in range(0, MAX_TOKENS - c + 1, 256):
                # causal QK^T and PV over c queries and k + c keys: 4 c (k + c/2) d flops
                t = max(4.0 * c * (k + c / 2.0) * heads * hd / flops, (k + c) * kv_tok / bw)
                w.writerow(base + [1, c, k, True, t * ms, 0, c * kv_tok / bw * ms])


def shims(d):
    os.makedirs(os.path.join(d, "ddsketch"), exist_ok=True)
    with open(os.path.join(d, "wandb.py"), "w") as f:
        f.write("run = None\n\ndef log(*a, **k):\n    pass\n\ndef init(*a, **k):\n    pass\n")
    with open(os.path.join(d, "plotly_express.py"), "w") as f:
        f.write("from plotly.express import *  # noqa\n")
    open(os.path.join(d, "ddsketch", "__init__.py"), "w").close()
    with open(os.path.join(d, "ddsketch", "ddsketch.py"), "w") as f:
        f.write('''class DDSketch:
    """exact quantiles (a stand-in: the real sketch is approximate)"""
    def __init__(self, relative_accuracy=0.01):
        self._v, self._min, self._max, self.sum = [], float("inf"), float("-inf"), 0.0
    _count = property(lambda s: len(s._v))
    count = property(lambda s: len(s._v))
    avg = property(lambda s: s.sum / len(s._v) if s._v else 0.0)
    def add(self, x):
        self._v.append(x)
        self.sum += x
        self._min, self._max = min(self._min, x), max(self._max, x)
    def get_quantile_value(self, q):
        if not self._v:
            return None
        s = sorted(self._v)
        return s[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))]
''')


COLS = ("ttft_p50_s", "ttft_p90_s", "tpot_p50_s", "batch_mean", "preemptions")


def row(s, pool):
    return " | ".join(f"{s[k]:.4g}" for k in COLS) + f" | {pool}"


def vidur_pool():
    """Vidur's KV capacity (MemoryPlanner): whole max-length requests in 90% of 80 GiB
    less 2-byte weights; Llama-2-7B's 6.738e9 parameters assumed (the preset's value)."""
    per_req = 2 * 2 * 128 * 32 * 32 * MAX_TOKENS
    n = int((80 * 1024**3 * 0.9 - 2 * 6.738e9) // per_req)
    return n * MAX_TOKENS


def odm_row(path):
    s = json.load(open(path))
    print(row(s, s["kv_pool_tokens"]))


def vidur_summary(run_dir):
    req = glob.glob(os.path.join(run_dir, "**", "request_metrics.csv"), recursive=True)
    if not req:
        sys.exit(f"{run_dir}: no request_metrics.csv")
    rows = list(csv.DictReader(open(req[0])))
    ttft = np.array([float(r["prefill_e2e_time"]) for r in rows])
    dec = np.array([float(r["decode_time_execution_plus_preemption_normalized"]) for r in rows])
    e2e = np.array([float(r["request_e2e_time"]) for r in rows])
    out = {"requests": len(rows), "ttft_p50_s": float(np.median(ttft)),
           "ttft_p90_s": float(np.percentile(ttft, 90)), "tpot_p50_s": float(np.median(dec)),
           "e2e_p50_s": float(np.median(e2e)),
           "preemptions": int(sum(float(r.get("request_num_restarts", 0) or 0) for r in rows))}
    bs = glob.glob(os.path.join(run_dir, "**", "batch_size.csv"), recursive=True)
    if bs:
        v = [float(r[list(r)[-1]]) for r in csv.DictReader(open(bs[0]))]
        out["batch_mean"] = float(np.mean(v)) if v else 0.0
    print(row(out, f"{vidur_pool()} (formula)"))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "traces":
        traces(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif cmd == "attention":
        attention(*sys.argv[2:5])
    elif cmd == "shims":
        shims(sys.argv[2])
    elif cmd == "vidur-row":
        vidur_summary(sys.argv[2])
    elif cmd == "odm-row":
        odm_row(sys.argv[2])
    else:
        sys.exit(__doc__)
