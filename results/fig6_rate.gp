# Figure 6: throughput vs latency over arrival rates (8 ... 256 req/s offered to
# 4 cards), one line per policy; the oracle's points are labelled with the
# offered rate (req/s).
# Input: data/fig6_{alpaca,nq}.csv (rate_rps, then <policy>_tps,
# <policy>_e2e_p50_s, <policy>_ttft_p99_s for static paged s3 odma oracle).
load 'results/common.gp'
set xlabel 'generated throughput (tokens/s)'
set ylabel 'median end-to-end latency (s)'
set logscale y
set key top left
pols = 'static paged s3 odma oracle'
do for [fmt in 'png svg'] {
	if (fmt eq 'png') { set terminal pngcairo size 1100,520 font 'sans,11' } else { set terminal svg size 1100,520 font 'sans,11' }
	set output out.'.'.fmt
	set multiplot layout 1,2 title 'Throughput vs latency as the arrival rate grows (4 x MLU370-X4)'
	do for [ds in 'alpaca nq'] {
		set title (ds eq 'alpaca' ? 'Alpaca (held-out 10,463 requests)' : 'NQ (5,000 draws from the 539 held-out requests)')
		plot for [i=1:5] data.'/fig6_'.ds.'.csv' using (column(word(pols, i).'_tps')):(column(word(pols, i).'_e2e_p50_s')) with linespoints ls i title word(pols, i), \
		     data.'/fig6_'.ds.'.csv' using (column('oracle_tps')):(column('oracle_e2e_p50_s')):(sprintf('%g', column('rate_rps'))) with labels offset 0,0.8 font 'sans,8' tc rgb '#6a4c93' notitle
	}
	unset multiplot
}
