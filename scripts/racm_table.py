#!/usr/bin/env python3
"""Markdown tables from a RACM sweep (scripts/racm_sweep.sh): paged vs static
at every (device, memory model, L_half, rate) point.

usage: racm_table.py sweep.csv > table.md

For each device, memory model and paged block layout, matrices over rate (rows) x L_half
(columns) of paged/static ratios:
  e2e p50   the verdict: < 0.99 paged wins (bold), > 1.01 static wins
            (italic), otherwise a tie
  TPOT p50  the per-token price of paging: its slower KV reads
  rps       completed requests per second
then one detail table per device with the raw numbers."""
import csv
import sys


def num(row, key):
    return float(row[key])


def lh_label(v):
    v = int(float(v))
    if v == 0:
        return "-"
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if v >= size and v % size == 0:
            return f"{v // size} {unit}"
    return f"{v} B"


def cell(ratio, verdict):
    text = f"{ratio:.3g}"
    if not verdict:
        return text
    if ratio < 0.99:
        return f"**{text}**"
    if ratio > 1.01:
        return f"_{text}_"
    return text


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: racm_table.py sweep.csv")
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.DictReader(f))
    pts = {}
    for r in rows:
        # static ignores the paged block layout: its runs serve every layout
        key = (r["device_preset"], r["mem_model"], float(r["l_half_bytes"]), float(r["rate"]))
        pol = r["policy"] if r["policy"] == "static" else f'paged, {r["block_layout"]}'
        pts.setdefault(key, {})[pol] = r
    groups = {}
    for (dev, mm, lh, rate), pol in pts.items():
        for name in sorted(pol):
            if name != "static" and "static" in pol:
                groups.setdefault((dev, f"{mm}, {name}"), {})[(lh, rate)] = {
                    "static": pol["static"], "paged": pol[name]}
    out = sys.stdout
    out.write("# RACM sweep: paged vs static\n\n")
    out.write("Cells are paged/static ratios. e2e p50: **bold** = paged wins (< 0.99), "
              "_italic_ = static wins (> 1.01).\n")
    for (dev, mm), g in sorted(groups.items()):
        lhs = sorted({k[0] for k in g})
        rates = sorted({k[1] for k in g})
        for title, metric, verdict in (("e2e p50 latency", "e2e_p50_s", True),
                                       ("TPOT p50", "tpot_p50_s", False),
                                       ("throughput (req/s)", "rps", False)):
            out.write(f"\n## {dev}, {mm}: {title}, paged/static\n\n")
            out.write("| rate \\ L_half | " + " | ".join(lh_label(v) for v in lhs) + " |\n")
            out.write("|---" * (len(lhs) + 1) + "|\n")
            for rate in rates:
                cells = []
                for lh in lhs:
                    pol = g.get((lh, rate))
                    if not pol:
                        cells.append("")
                        continue
                    s, p = num(pol["static"], metric), num(pol["paged"], metric)
                    cells.append(cell(p / s, verdict) if s > 0 else "n/a")
                out.write(f"| {rate:g} | " + " | ".join(cells) + " |\n")
    for (dev, mm), g in sorted(groups.items()):
        out.write(f"\n## {dev}, {mm}: detail (static / paged)\n\n")
        out.write("| L_half | rate | rps | e2e p50 s | TPOT p50 ms | running mean | "
                  "KV GB/s | KV ms/iter | preemptions |\n")
        out.write("|---|---|---|---|---|---|---|---|---|\n")
        for (lh, rate) in sorted(g):
            s, p = g[(lh, rate)]["static"], g[(lh, rate)]["paged"]

            def pair(key, fmt, scale=1.0):
                return f"{num(s, key) * scale:{fmt}} / {num(p, key) * scale:{fmt}}"

            out.write(f"| {lh_label(lh)} | {rate:g} | {pair('rps', '.2f')} | "
                      f"{pair('e2e_p50_s', '.3g')} | {pair('tpot_p50_s', '.2f', 1e3)} | "
                      f"{pair('running_mean', '.1f')} | {pair('kv_gbps', '.0f')} | "
                      f"{pair('kv_ms_per_iter', '.2f')} | "
                      f"{s['preemptions']} / {p['preemptions']} |\n")


if __name__ == "__main__":
    main()
