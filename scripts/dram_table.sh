#!/bin/bash
# The gen:dram block of docs/MODEL.md: the LPDDR5 layer measured on Ramulator 2
# (device_models/calib/lpddr5-6400-x24-ramulator.csv, results/dram/kv-ramulator.csv,
# both written by scripts/dram-calibrate.sh) against the halfsat and lpddr5
# models, the lpddr5 model's DRAM parameters fitted to it, and the study's
# paged-vs-odma comparison as the DMA issue cost grows
# (experiments/dram_dma_sweep.ini). Needs no Ramulator. ~30 s.
# usage: scripts/dram_table.sh [ODMASIM]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/odmasim}
tab=device_models/calib/lpddr5-6400-x24-ramulator.csv
kv=results/dram/kv-ramulator.csv
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fit=$(python3 scripts/dram/fit_lpddr5.py "$tab")
sets=$(head -1 <<<"$fit")
bw() { "$bin" bandwidth --set device.preset=mlu370-x4 "$@" | awk -F, 'NR > 1 {print $3 "," $5}'; }
bw --set device.mem_model=halfsat >"$tmp/halfsat"
bw --set device.mem_model=lpddr5 >"$tmp/lpddr5"
bw --set device.mem_model=lpddr5 --set device.lpddr_dma_bytes=0 >"$tmp/lpddr5dram"
# shellcheck disable=SC2086 # $sets is a list of --set arguments
bw --set device.mem_model=lpddr5 --set device.lpddr_dma_bytes=0 $sets >"$tmp/fit"
"$bin" sweep experiments/dram_dma_sweep.ini -o "$tmp/sweep" -q >/dev/null 2>&1
"$bin" merge "$tmp/sweep" -o "$tmp/sweep.csv" 2>/dev/null
for ds in alpaca:256 nq:128; do
	"$bin" compare experiments/paper_alpaca.ini --policies paged,odma -q \
		--set workload.trace="${ds%:*}.csv" --set workload.rate="${ds#*:}" -o "$tmp/ref-${ds%:*}" >/dev/null
done
"$bin" merge "$tmp/ref-alpaca" "$tmp/ref-nq" -o "$tmp/ref.csv" 2>/dev/null
python3 - "$tab" "$kv" "$tmp" "$fit" <<'PY'
import csv, sys
tab, kv, tmp, fit = sys.argv[1:]

def rows(path):
    return list(csv.DictReader(l for l in open(path) if not l.startswith("#")))

def two(name):
    return {int(a): float(b) for a, b in (l.strip().split(",") for l in open("%s/%s" % (tmp, name)))}

def size(b):
    b = int(b)
    for u, s in ((1 << 20, "MiB"), (1 << 10, "KiB")):
        if b >= u and b % u == 0:
            return "%d %s" % (b // u, s)
    return "%d B" % b

meas = rows(tab)
hs, lp, lpd, ft = two("halfsat"), two("lpddr5"), two("lpddr5dram"), two("fit")
print("Efficiency (achieved / peak bandwidth) of one read of L contiguous bytes on the MLU370-X4.")
print("Ramulator: measured (`efficiency`, bank groups interleaved every 128 B; RoBaRaCoCh: whole")
print("rows per bank, a sensitivity). halfsat and lpddr5: the mlu370-x4 preset; lpddr5 DRAM: the")
print("same with L_dma = 0; lpddr5 fit: L_dma = 0 and the fitted DRAM parameters below.")
print()
print("| L | Ramulator | RoBaRaCoCh | halfsat | lpddr5 | lpddr5 DRAM | lpddr5 fit | fit − measured |")
print("|---|---|---|---|---|---|---|---|")
for r in meas:
    L = int(r["run_bytes"])
    y = float(r["efficiency"])
    f = "%.3f | %+.3f" % (ft[L], ft[L] - y) if L in ft else "– | –"
    print("| %s | %.3f | %.3f | %s | %s | %s | %s |" % (
        size(L), y, float(r["efficiency_robaracoch"]),
        "%.3f" % hs[L] if L in hs else "–", "%.3f" % lp[L] if L in lp else "–",
        "%.3f" % lpd[L] if L in lpd else "–", f))
sets, rms = fit.splitlines()
print()
print("Fit (scripts/dram/fit_lpddr5.py, least squares over the runs up to 1 MiB): `%s`; %s." % (
    sets.replace("--set device.", "").replace(" --set", ","), rms.replace("rms", "RMS residual")))
print()
print("KV reads of DeepSeek-R1-Distill-Qwen-7B on the DRAM alone (results/dram/kv-ramulator.csv): a decode")
print("batch of 4 requests, layer after layer, paged 16-token blocks scattered over the pool")
print("(per_layer: one 16 KiB run per block, layer and K/V; per_head: one 4 KiB run per KV head)")
print("against the same bytes read from contiguous regions: efficiency, and paged time /")
print("contiguous time, with the table's mapping (MOP4CLXOR) and with RoBaRaCoCh.")
print()
print("| context (tokens) | contiguous | paged per_layer | ratio | paged per_head | ratio | RoBaRaCoCh ratio per_layer | per_head |")
print("|---|---|---|---|---|---|---|---|")
k = rows(kv)
for c in sorted({int(r["context"]) for r in k}):
    d = {r["pattern"]: r for r in k if int(r["context"]) == c}
    pl, ph = d["paged_per_layer"], d["paged_per_head"]
    print("| %d | %s | %s | %s | %s | %s | %s | %s |" % (
        c, d["contiguous"]["efficiency"], pl["efficiency"], pl["ratio"], ph["efficiency"], ph["ratio"],
        pl["ratio_robaracoch"], ph["ratio_robaracoch"]))
print()
sw = rows("%s/sweep.csv" % tmp)
ref = rows("%s/ref.csv" % tmp)
tps = {}
for r in sw:
    tps[(r["workload.trace"].split(".")[0], r["policy.name"], int(r["device.mem_calib_dma_bytes"]))] = float(r["tps_generated"])
print("Generated tokens/s of paged and odma on the paper setup at a saturating load")
print("(experiments/dram_dma_sweep.ini: Alpaca 256 req/s, NQ 128 req/s), on mlu370-x4-dram with")
print("the DMA issue cost L_dma (`device.mem_calib_dma_bytes`) added per run; first row: the")
print("mlu370-x4 preset (halfsat, L_half = 4 KiB) for reference.")
print()
print("| device, L_dma | Alpaca paged | Alpaca odma | odma / paged | NQ paged | NQ odma | odma / paged |")
print("|---|---|---|---|---|---|---|")
rt = {}
for r in ref:
    ds = "alpaca" if "alpaca" in r["workload"] else "nq"
    rt[(ds, r["policy"])] = float(r["tps_generated"])
print("| mlu370-x4 (halfsat) | %.0f | %.0f | %.3f | %.0f | %.0f | %.3f |" % (
    rt[("alpaca", "paged")], rt[("alpaca", "odma")], rt[("alpaca", "odma")] / rt[("alpaca", "paged")],
    rt[("nq", "paged")], rt[("nq", "odma")], rt[("nq", "odma")] / rt[("nq", "paged")]))
dmas = sorted({k[2] for k in tps})
first = {}
for d in dmas:
    cells = []
    for ds in ("alpaca", "nq"):
        p, o = tps[(ds, "paged", d)], tps[(ds, "odma", d)]
        cells += ["%.0f" % p, "%.0f" % o, "%.3f" % (o / p)]
        if o / p >= 1.02 and ds not in first:
            first[ds] = d
    print("| mlu370-x4-dram, %s | %s |" % (size(d) if d else "0", " | ".join(cells)))
print()
print("odma first beats paged by 2%% or more at L_dma = %s on Alpaca and %s on NQ." % (
    size(first["alpaca"]) if "alpaca" in first else "none of these",
    size(first["nq"]) if "nq" in first else "none of these"))
PY
