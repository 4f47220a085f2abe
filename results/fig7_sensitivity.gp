# Figure 7: odma's sensitivity to K (classes), T (re-learn every T completions;
# 0 = never), sigma (safety pool share) and tau (uncertainty threshold), one at a
# time, paper setup. One row per parameter, one column per quantity, one
# quantity per axis: reserved KV (% of the pool), external fragmentation (% of
# the free general pool) and overflows (per 100 requests); each column shares
# one y scale across its four panels.
# Input: data/fig7_{K,T,sigma,tau}.csv (value, then <ds>_reserved_pct,
# <ds>_overflow_pct, <ds>_e2e_p99_s, <ds>_frag_external_pct for alpaca and nq).
load 'results/common.gp'
names = 'K T sigma tau'
rowtitles = "'K = odma\\_classes' 'T = odma\\_relearn\\_every (completions)' 'σ = odma\\_safety (share of pool)' 'τ = uncertainty\\_threshold'"
qs = 'reserved_pct frag_external_pct overflow_pct'
# each column's quantity (with its unit) above it; every y axis names the unit
coltitles = "'reserved KV' 'ext. fragmentation' 'overflows'"
ylabels = "'% of KV pool' '% of free pool' 'per 100 requests'"
# one y scale per quantity: the largest value over the four sweeps and both datasets
array ymax[3]
do for [q=1:3] {
	ymax[q] = 0
	do for [i=1:4] {
		do for [ds in 'alpaca nq'] {
			stats data.'/fig7_'.word(names, i).'.csv' using (column(ds.'_'.word(qs, q))) nooutput
			if (STATS_max > ymax[q]) { ymax[q] = STATS_max }
		}
	}
	ymax[q] = ymax[q] > 0 ? ymax[q] * 1.1 : 1
}
# the grid, in screen fractions: panels between these margins, rows and
# columns this far apart
L = 0.13; R = 0.97; B = 0.115; T = 0.93; sx = 0.145; sy = 0.085
pw = (R - L - 2 * sx) / 3
ph = (T - B - 3 * sy) / 4
set tics font 'sans,6'
set xtics rotate by 90 right offset 0,0
set ytics nomirror
set ylabel font 'sans,6' offset 2.2,0
set key font 'sans,7' samplen 2 vertical nobox noopaque spacing 0.9
do for [fmt in fmts] {
	eval term(fmt, 6.6)
	set output out.'.'.fmt
	set multiplot layout 4,3 margins L,R,B,T spacing sx,sy
	do for [i=1:4] {
		f = data.'/fig7_'.word(names, i).'.csv'
		do for [q=1:3] {
			if (i == 1 && q == 1) {
				# drawn once: column headings, row titles and the key
				do for [c=1:3] {
					set label 10 + c word(coltitles, c) at screen L + (c - 0.5) * pw + (c - 1) * sx, screen 0.975 center font 'sans,7'
				}
				do for [r=1:4] {
					set label 20 + r word(rowtitles, r) at screen 0.5, screen T - (r - 1) * (ph + sy) + 0.017 center font 'sans,7'
				}
				set key at screen 0.55, screen 0.005 center bottom
			} else {
				unset label
				unset key
			}
			set ylabel word(ylabels, q)
			set yrange [0:ymax[q]]
			plot f using 0:(column('alpaca_'.word(qs, q))):xtic(strcol('value')) with linespoints ls 1 title 'Alpaca', \
			     f using 0:(column('nq_'.word(qs, q))) with linespoints ls 2 title 'NQ'
		}
	}
	unset multiplot
}
