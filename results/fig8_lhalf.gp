# Figure 8: paged vs odma as the device's access granularity L_half grows, at a
# saturating load (paper setup, 256 req/s Alpaca, 128 req/s NQ): generated TPS
# (solid, left axis) and median TPOT (dashed, right axis, log scale).
# Input: data/fig8_lhalf.csv (l_half_bytes, then <ds>_<policy>_tps and
# <ds>_<policy>_tpot_p50_ms for ds in alpaca nq, policy in paged odma).
load 'results/common.gp'
# One quantity per axis and the same scale in every panel of a row: generated
# throughput (linear) on top, median TPOT (log) below; Alpaca left, NQ right.
set logscale x 2
set xtics ('256' 256, '4K' 4096, '64K' 65536, '1M' 1048576) font 'sans,6'
set key top left font 'sans,6' samplen 1.5
f = data.'/fig8_lhalf.csv'
stats f using (column('alpaca_paged_tps')) nooutput
tmax = STATS_max
stats f using (column('alpaca_odma_tps')) nooutput
tmax = STATS_max > tmax ? STATS_max : tmax
stats f using (column('nq_paged_tps')) nooutput
tmax = STATS_max > tmax ? STATS_max : tmax
stats f using (column('nq_odma_tps')) nooutput
tmax = STATS_max > tmax ? STATS_max : tmax
do for [fmt in fmts] {
	eval term(fmt, 4.4)
	set output out.'.'.fmt
	set multiplot layout 2,2 margins 0.19,0.97,0.13,0.9 spacing 0.05,0.11
	do for [i=0:1] {
		ds = word('alpaca nq', i+1)
		set title (i == 0 ? 'Alpaca, 256 req/s' : 'NQ, 128 req/s')
		set xlabel ''
		set ylabel (i == 0 ? 'generated TPS (10^3 tokens/s)' : '')
		if (i == 0) { set key } else { unset key }
		unset logscale y
		set format y (i == 0 ? '%g' : '')
		set yrange [0:tmax*1.05/1000]
		plot f using (column('l_half_bytes')):(column(ds.'_paged_tps') / 1000) with linespoints ls 2 title 'paged', \
		     '' using (column('l_half_bytes')):(column(ds.'_odma_tps') / 1000) with linespoints ls 1 title 'odma'
	}
	do for [i=0:1] {
		ds = word('alpaca nq', i+1)
		unset title
		set xlabel 'L_{half} (bytes)'
		set ylabel (i == 0 ? 'median TPOT (ms, log)' : '')
		unset key
		set logscale y 10
		set format y (i == 0 ? '10^{%T}' : '')
		set yrange [10:10000]
		plot f using (column('l_half_bytes')):(column(ds.'_paged_tpot_p50_ms')) with linespoints ls 2 title 'paged', \
		     '' using (column('l_half_bytes')):(column(ds.'_odma_tpot_p50_ms')) with linespoints ls 1 title 'odma'
	}
	unset multiplot
}
