# Figure 6: throughput vs latency over arrival rates (8 ... 256 req/s offered to
# 4 cards), one line per policy; the oracle's points are labelled with the
# offered rate (req/s). Both panels share one x and one y scale.
# Input: data/fig6_{alpaca,nq}.csv (rate_rps, then <policy>_tps,
# <policy>_e2e_p50_s, <policy>_ttft_p99_s for static paged s3 odma oracle).
load 'results/common.gp'
set xlabel 'generated throughput (10^3 tokens/s)'
set ylabel 'median e2e latency (s)'
set logscale y
set key top left font 'sans,6' samplen 1.5 spacing 0.85 nobox noopaque
set xtics font 'sans,6'
set lmargin 9
pols = 'static paged s3 odma oracle'
# one scale for both panels: 0 to the largest throughput, and the latency range
# over both datasets and every policy (whole decades, log axis)
xmax = 0; ymin = 1e30; ymax = 0
do for [ds in 'alpaca nq'] {
	do for [i=1:5] {
		stats data.'/fig6_'.ds.'.csv' using (column(word(pols, i).'_tps')) nooutput
		if (STATS_max / 1000 > xmax) { xmax = STATS_max / 1000 }
		stats data.'/fig6_'.ds.'.csv' using (column(word(pols, i).'_e2e_p50_s')) nooutput
		if (STATS_max > ymax) { ymax = STATS_max }
		if (STATS_min < ymin) { ymin = STATS_min }
	}
}
set xrange [0:(xmax > 0 ? xmax * 1.05 : 1)]
set yrange [10**floor(log10(ymin)):10**ceil(log10(ymax))]
do for [fmt in fmts] {
	eval term(fmt, 4.6)
	set output out.'.'.fmt
	set multiplot layout 2,1
	do for [ds in 'alpaca nq'] {
		if (ds eq 'alpaca') { set key } else { unset key }
		set title (ds eq 'alpaca' ? 'Alpaca (10,463 held-out requests)' : 'NQ (5,000 draws of 539 held-out)')
		plot for [i=1:5] data.'/fig6_'.ds.'.csv' using (column(word(pols, i).'_tps') / 1000):(column(word(pols, i).'_e2e_p50_s')) with linespoints ls i title word(pols, i), \
		     data.'/fig6_'.ds.'.csv' using (column('oracle_tps') / 1000):(column('oracle_e2e_p50_s')):(int($0) % 2 == 0 ? sprintf('%g/s', column('rate_rps')) : '') with labels offset 0,0.8 font 'sans,6' tc rgb '#6a4c93' title 'offered rate (req/s)'
	}
	unset multiplot
}
