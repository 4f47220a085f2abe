# Figure 7: odma's sensitivity to K (classes), T (re-learn every T completions;
# 0 = never), sigma (safety pool share) and tau (uncertainty threshold), one at a
# time, paper setup. Left axis: reserved KV (% of pool, solid) and external
# fragmentation (% of the free general pool, dotted); right axis: overflows per
# 100 requests (dashed).
# Input: data/fig7_{K,T,sigma,tau}.csv (value, then <ds>_reserved_pct,
# <ds>_overflow_pct, <ds>_e2e_p99_s, <ds>_frag_external_pct for alpaca and nq).
load 'results/common.gp'
set ylabel 'reserved KV, external fragmentation (%)'
set y2label 'overflows per 100 requests'
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics
set key top right vertical maxrows 3 font 'sans,5' samplen 1.5 spacing 0.9
names = 'K T sigma tau'
titles = "'K = odma\\_classes' 'T = odma\\_relearn\\_every (completions)' 'σ = odma\\_safety (share of pool)' 'τ = uncertainty\\_threshold'"
do for [fmt in fmts] {
	eval term(fmt, 4.8)
	set output out.'.'.fmt
	set multiplot layout 2,2
	do for [i=1:4] {
		f = data.'/fig7_'.word(names, i).'.csv'
		set xlabel word(titles, i)
		if (i == 1) { set key } else { unset key }
		plot f using 0:(column('alpaca_reserved_pct')):xtic(strcol('value')) with linespoints ls 1 title 'Alpaca reserved', \
		     f using 0:(column('nq_reserved_pct')) with linespoints ls 2 title 'NQ reserved', \
		     f using 0:(column('alpaca_frag_external_pct')) with linespoints ls 1 dt 3 lw 1.5 title 'Alpaca ext. frag.', \
		     f using 0:(column('nq_frag_external_pct')) with linespoints ls 2 dt 3 lw 1.5 title 'NQ ext. frag.', \
		     f using 0:(column('alpaca_overflow_pct')) axes x1y2 with linespoints ls 1 dt 2 title 'Alpaca overflows', \
		     f using 0:(column('nq_overflow_pct')) axes x1y2 with linespoints ls 2 dt 2 title 'NQ overflows'
	}
	unset multiplot
}
