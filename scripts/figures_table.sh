#!/bin/bash
# The study's main results table, generated from the paper-setup runs that
# results/figures.sh made (DIR/data/paper.csv), as Markdown on stdout; with
# -u FILE it replaces the block between "<!-- gen:figures begin -->" and
# "<!-- gen:figures end -->" in FILE (scripts/update_docs.sh figures does the same
# for README.md, from $FIGURES_DIR, default docs/figures-build).
# usage: scripts/figures_table.sh [-u FILE] [DIR]   (DIR default results/out/figures)
set -euo pipefail
cd "$(dirname "$0")/.."
upd=""
while getopts "u:" o; do
	case $o in
	u) upd=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
dir=${1:-results/out/figures}
python3 - "$dir/data/paper.csv" "$upd" <<'PY'
import csv, os, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
names = {"alpaca": "Alpaca", "nq": "NQ"}
pct = lambda r, k: "%.1f%%" % (100 * float(r[k]))
out = ["| dataset | policy | rate req/s | RPS | gen TPS | × static | util reserved | util live | packing "
       "| TTFT p99 s | TPOT p50 ms | e2e p50 / p99 s | overflows | preemptions |",
       "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for r in rows:
    ds = os.path.basename(r["workload.trace"]).replace(".csv", "")
    st = [x for x in rows if x["workload.trace"] == r["workload.trace"] and x["policy"] == "static"][0]
    out.append("| %s | %s | %s | %.2f | %.0f | %.2f | %s | %s | %s | %.2f | %.1f | %.2f / %.2f | %s | %s |" % (
        names.get(ds, ds), r["policy"], r["workload.rate"], float(r["rps"]), float(r["tps_generated"]),
        float(r["tps_generated"]) / float(st["tps_generated"]), pct(r, "util_reserved"),
        pct(r, "util_live"), pct(r, "util_packing"), float(r["ttft_p99_s"]),
        1000 * float(r["tpot_p50_s"]), float(r["e2e_p50_s"]), float(r["e2e_p99_s"]),
        r["overflows"], r["preemptions"]))
table = "\n".join(out) + "\n"
if not sys.argv[2]:
    sys.stdout.write(table)
    sys.exit(0)
s = open(sys.argv[2]).read()
begin = "<!-- gen:figures begin -->\n"
a = s.index(begin) + len(begin)
b = s.index("<!-- gen:figures end -->")
open(sys.argv[2], "w").write(s[:a] + table + s[b:])
PY
