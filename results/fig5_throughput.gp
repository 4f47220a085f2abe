# Figure 5: RPS and generated TPS per policy, normalised to static, paper setup.
# Input: data/fig5_throughput.csv (policy, <ds>_rps_vs_static, <ds>_tps_vs_static).
load 'results/common.gp'
set title 'Throughput vs static (4 x MLU370-X4)' font 'sans,7'
set ylabel 'throughput / static (ratio)'
set yrange [0:*]
set xrange [-0.6:4.6]
set style fill solid 0.85 noborder
set key outside bottom center horizontal font 'sans,6' samplen 1.5
set grid noxtics ytics
# room above the tallest bar for the value labels, drawn upright over each pair
set offsets 0, 0, graph 0.2, 0
w = 0.2
do for [fmt in fmts] {
	eval term(fmt, 2.8)
	set output out.'.'.fmt
	f = data.'/fig5_throughput.csv'
	plot f using ($0-1.5*w):(column('alpaca_rps_vs_static')):(w) with boxes lc rgb '#1b6ca8' title 'Alpaca RPS', \
	     f using ($0-0.5*w):(column('alpaca_tps_vs_static')):(w) with boxes lc rgb '#7fb3d5' title 'Alpaca TPS (generated)', \
	     f using ($0+0.5*w):(column('nq_rps_vs_static')):(w) with boxes lc rgb '#d1495b' title 'NQ RPS', \
	     f using ($0+1.5*w):(column('nq_tps_vs_static')):(w) with boxes lc rgb '#eba0aa' title 'NQ TPS (generated)', \
	     f using ($0-w):(column('alpaca_rps_vs_static')+0.08):(sprintf('%.2f', column('alpaca_rps_vs_static'))) with labels rotate by 90 left font 'sans,6' notitle, \
	     f using ($0+w):(column('nq_rps_vs_static')+0.08):(sprintf('%.2f', column('nq_rps_vs_static'))) with labels rotate by 90 left font 'sans,6' notitle, \
	     f using 0:(NaN):xtic(strcol('policy')) notitle
}
