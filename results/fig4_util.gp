# Figure 4: KV memory utilization per policy and dataset, all three
# definitions (time-weighted, % of the KV pool; packing = live / reserved).
# Input: data/fig4_util.csv (policy, then reserved/live/packing per dataset).
load 'results/common.gp'
# One quantity per axis: reserved and live are shares of the KV pool (left axis,
# bars); packing is a ratio of the two (right axis, points).
set ylabel 'share of KV pool (%)'
set y2label 'live / reserved (%)'
set yrange [0:125]
set y2range [0:125]
set ytics 0,20,100 nomirror
set y2tics 0,20,100
set xtics font 'sans,6'
set xrange [-0.6:4.6]
set style fill solid 0.85 noborder
set key outside bottom center horizontal font 'sans,6' samplen 1.5
set grid noxtics ytics
w = 0.3
do for [fmt in fmts] {
	eval term(fmt, 4.6)
	set output out.'.'.fmt
	set multiplot layout 2,1
	f = data.'/fig4_util.csv'
	do for [i=0:1] {
		ds = word('alpaca nq', i+1)
		if (i == 1) { set key } else { unset key }
		set title (i == 0 ? 'Alpaca, 128 req/s (4 x MLU370-X4)' : 'NQ, 64 req/s (4 x MLU370-X4)')
		plot f using ($0-w/2):(column(ds.'_reserved_pct')):(w) with boxes lc rgb '#8d99a6' title 'reserved', \
		     f using ($0+w/2):(column(ds.'_live_pct')):(w) with boxes lc rgb '#2e933c' title 'live', \
		     f using 0:(column(ds.'_packing_pct')) axes x1y2 with points pt 7 ps 0.8 lc rgb '#1b6ca8' title 'packing (right axis)', \
		     f using ($0-w/2):(column(ds.'_reserved_pct')+4):(sprintf('%.0f', column(ds.'_reserved_pct'))) with labels font 'sans,6' notitle, \
		     f using 0:(NaN):xtic(strcol('policy')) notitle
	}
	unset multiplot
}
