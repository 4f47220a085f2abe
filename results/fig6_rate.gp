# Figure 6: throughput vs latency over arrival rates (8 ... 256 req/s offered to
# 4 cards), one line per policy; the oracle's points are labelled with the
# offered rate (req/s).
# Input: data/fig6_{alpaca,nq}.csv (rate_rps, then <policy>_tps,
# <policy>_e2e_p50_s, <policy>_ttft_p99_s for static paged s3 odma oracle).
load 'results/common.gp'
set xlabel 'generated throughput (tokens/s)'
set ylabel 'median e2e latency (s)'
set logscale y
set key top left font 'sans,6' samplen 1.5 spacing 0.85 nobox noopaque
set xtics font 'sans,6'
set lmargin 8
pols = 'static paged s3 odma oracle'
do for [fmt in fmts] {
	eval term(fmt, 4.6)
	set output out.'.'.fmt
	set multiplot layout 2,1
	do for [ds in 'alpaca nq'] {
		if (ds eq 'alpaca') { set key } else { unset key }
		set title (ds eq 'alpaca' ? 'Alpaca (10,463 held-out requests)' : 'NQ (5,000 draws of 539 held-out)')
		plot for [i=1:5] data.'/fig6_'.ds.'.csv' using (column(word(pols, i).'_tps')):(column(word(pols, i).'_e2e_p50_s')) with linespoints ls i title word(pols, i), \
		     data.'/fig6_'.ds.'.csv' using (column('oracle_tps')):(column('oracle_e2e_p50_s')):(int($0) % 2 == 0 ? sprintf('%g/s', column('rate_rps')) : '') with labels offset 0,0.8 font 'sans,6' tc rgb '#6a4c93' title 'offered rate (req/s)'
	}
	unset multiplot
}
