# Figure 4: KV memory utilization per policy and dataset, all three
# definitions (time-weighted, % of the KV pool; packing = live / reserved).
# Input: data/fig4_util.csv (policy, then reserved/live/packing per dataset).
load 'results/common.gp'
set ylabel 'utilization (%)'
set yrange [0:100]
set xrange [-0.6:4.6]
set style fill solid 0.85 noborder
set key outside bottom center horizontal
set grid noxtics ytics
w = 0.27
do for [fmt in 'png svg'] {
	if (fmt eq 'png') { set terminal pngcairo size 1100,520 font 'sans,11' } else { set terminal svg size 1100,520 font 'sans,11' }
	set output out.'.'.fmt
	set multiplot layout 1,2 title 'KV memory utilization, paper setup (4 x MLU370-X4, DeepSeek-R1-Distill-Qwen-7B)'
	f = data.'/fig4_util.csv'
	do for [i=0:1] {
		ds = word('alpaca nq', i+1)
		set title (i == 0 ? 'Alpaca (128 req/s)' : 'NQ (64 req/s)')
		plot f using ($0-w):(column(ds.'_reserved_pct')):(w) with boxes lc rgb '#8d99a6' title 'reserved', \
		     f using 0:(column(ds.'_live_pct')):(w) with boxes lc rgb '#2e933c' title 'live', \
		     f using ($0+w):(column(ds.'_packing_pct')):(w) with boxes lc rgb '#1b6ca8' title 'packing = live / reserved', \
		     f using ($0-w):(column(ds.'_reserved_pct')+3):(sprintf('%.0f', column(ds.'_reserved_pct'))) with labels font 'sans,9' notitle, \
		     f using 0:(column(ds.'_live_pct')+3):(sprintf('%.1f', column(ds.'_live_pct'))) with labels font 'sans,9' notitle, \
		     f using ($0+w):(column(ds.'_packing_pct')+3):(sprintf('%.0f', column(ds.'_packing_pct'))) with labels font 'sans,9' notitle, \
		     f using 0:(NaN):xtic(strcol('policy')) notitle
	}
	unset multiplot
}
