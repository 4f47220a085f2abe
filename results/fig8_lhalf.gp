# Figure 8: paged vs odma as the device's access granularity L_half grows, at a
# saturating load (paper setup, 256 req/s Alpaca, 128 req/s NQ): generated TPS
# (solid, left axis) and median TPOT (dashed, right axis, log scale).
# Input: data/fig8_lhalf.csv (l_half_bytes, then <ds>_<policy>_tps and
# <ds>_<policy>_tpot_p50_ms for ds in alpaca nq, policy in paged odma).
load 'results/common.gp'
set xlabel 'L_{half}: run length read at half the streaming bandwidth (bytes)'
set ylabel 'generated throughput (tokens/s)'
set y2label 'median TPOT (ms, log scale)'
set logscale x 2
set xtics font 'sans,9' ('256 B' 256, '1 KiB' 1024, '4 KiB' 4096, '16 KiB' 16384, '64 KiB' 65536, '256 KiB' 262144, '1 MiB' 1048576, '4 MiB' 4194304)
set yrange [0:*]
set logscale y2 10
set y2range [10:10000]
set ytics nomirror
set y2tics
set key center left font 'sans,9'
do for [fmt in 'png svg'] {
	if (fmt eq 'png') { set terminal pngcairo size 1100,520 font 'sans,11' } else { set terminal svg size 1100,520 font 'sans,11' }
	set output out.'.'.fmt
	set multiplot layout 1,2 title 'Where contiguity pays: paged vs odma over L_{half} (MLU370-X4 otherwise)'
	do for [i=0:1] {
		set title (i == 0 ? 'Alpaca, 256 req/s offered' : 'NQ, 128 req/s offered')
		ds = word('alpaca nq', i+1)
		plot data.'/fig8_lhalf.csv' using (column('l_half_bytes')):(column(ds.'_paged_tps')) with linespoints ls 2 title 'paged TPS', \
		     '' using (column('l_half_bytes')):(column(ds.'_odma_tps')) with linespoints ls 1 title 'odma TPS', \
		     '' using (column('l_half_bytes')):(column(ds.'_paged_tpot_p50_ms')) axes x1y2 with linespoints ls 2 dt 2 title 'paged TPOT', \
		     '' using (column('l_half_bytes')):(column(ds.'_odma_tpot_p50_ms')) axes x1y2 with linespoints ls 1 dt 2 title 'odma TPOT'
	}
	unset multiplot
}
