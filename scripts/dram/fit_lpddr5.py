#!/usr/bin/env python3
"""Least-squares fit of the lpddr5 memory model's DRAM parameters to a
measured table (device_models/calib/*.csv, columns run_bytes, efficiency).

usage: fit_lpddr5.py TABLE.csv [MAX_RUN_BYTES]
Prints `--set` arguments for odmasim (eta_seq, lpddr_trrd_ns with
lpddr_tfaw_ns = 4 x tRRD, lpddr_row_bytes) and the RMS residual.
The model (device_models/mm_lpddr5.c) with L_dma = 0 and the card's fixed
layout (24 channels of 12.8 GB/s, 256 B interleave: the same assumptions the
table was measured under):
  r = min(row, max(min(L, 256), L / 24)),  L_act = 12.8 GB/s x tRRD
  eff = eta_seq * [r / (r + L_act)] / [row / (row + L_act)]
Grid search over L_act (1 B steps, 0..1024 B) and row (2^(k/8) B, 512 B to
1 MiB); eta_seq in closed form for each pair. Rows above MAX_RUN_BYTES
(default 1 MiB, the longest run `odmasim bandwidth` prints) are left out.
"""
import sys

CH, IL, CH_GBPS = 24, 256.0, 12.8


def shape(L, l_act, row):
    r = min(row, max(min(L, IL), L / CH))
    return (r / (r + l_act)) / (row / (row + l_act))


def main():
    lim = float(sys.argv[2]) if len(sys.argv) > 2 else 1048576
    pts = []
    head = None
    for line in open(sys.argv[1]):
        if line.startswith("#") or not line.strip():
            continue
        f = line.strip().split(",")
        if head is None:
            head = f
            continue
        L, y = float(f[head.index("run_bytes")]), float(f[head.index("efficiency")])
        if L <= lim:
            pts.append((L, y))
    best = None
    for k in range(72, 161):  # 2^9 .. 2^20
        row = 2 ** (k / 8)
        for l_act in range(0, 1025):
            g = [shape(L, l_act, row) for L, _ in pts]
            eta = sum(gi * y for gi, (_, y) in zip(g, pts)) / sum(gi * gi for gi in g)
            if eta > 1:
                continue
            sse = sum((eta * gi - y) ** 2 for gi, (_, y) in zip(g, pts))
            if best is None or sse < best[0]:
                best = (sse, eta, l_act, row)
    sse, eta, l_act, row = best
    trrd = l_act / CH_GBPS
    print("--set device.eta_seq=%.4f --set device.lpddr_trrd_ns=%.4f --set device.lpddr_tfaw_ns=%.4f "
          "--set device.lpddr_row_bytes=%.0f" % (eta, trrd, 4 * trrd, row))
    print("rms %.4f over %d points" % ((sse / len(pts)) ** 0.5, len(pts)))


if __name__ == "__main__":
    main()
