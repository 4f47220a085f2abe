# Figure 9: the drift run (Alpaca -> NQ -> Alpaca, one MLU370-X4, 8 req/s,
# predictors trained on Alpaca only) over time: reserved KV per policy, the
# cumulative overflows of s3 and odma, and odma's class boundaries. The NQ
# phase (arrivals of its requests) is shaded.
# Inputs in `data`: fig9_util_{paged,s3,odma,oracle}.csv (t_s,reserved_pct,
# live_pct,overflows), fig9_bounds.csv (t_s,c1..cK), fig9_phases.csv
# (phase,start_s,end_s).
load 'results/common.gp'
set tics font 'sans,6'
# keys in one row inside each panel, above the data (each panel keeps its
# top band free)
set key top right horizontal font 'sans,6' samplen 1.5 width 0.5 box opaque
stats data.'/fig9_phases.csv' using (column('start_s')) every ::1::1 nooutput
nq0 = STATS_max
stats data.'/fig9_phases.csv' using (column('end_s')) every ::1::1 nooutput
nq1 = STATS_max
stats data.'/fig9_util_odma.csv' using (column('t_s')) nooutput
tmax = STATS_max
set xrange [0:tmax]
set object 1 rect from nq0, graph 0 to nq1, graph 1 behind fc rgb '#fdf1d6' fs solid noborder
pols = 'paged s3 odma oracle'
nb = words(system("head -1 '".data."/fig9_bounds.csv' | tr ',' ' '"))  # t_s + K classes
do for [fmt in fmts] {
	eval term(fmt, 5.2)
	set output out.'.'.fmt
	set label 1 'NQ arrivals' at nq0, graph 0.92 right offset -0.5,0 font 'sans,6'
	set multiplot layout 3,1 margins 0.2,0.97,0.1,0.95 spacing 0,0.1
	set title 'KV memory reserved (5-s windows)' font 'sans,7' offset 0,-0.4
	set ylabel 'reserved (% of pool)' font 'sans,7'
	unset xlabel
	set yrange [*:*] # (stats only counts points inside the current ranges)
	stats data.'/fig9_util_paged.csv' using (column('reserved_pct')) nooutput
	r = STATS_max
	do for [i=2:4] {
		stats data.'/fig9_util_'.word(pols, i).'.csv' using (column('reserved_pct')) nooutput
		r = STATS_max > r ? STATS_max : r
	}
	set yrange [0:r * 1.5]
	plot for [i=1:4] data.'/fig9_util_'.word(pols, i).'.csv' using (column('t_s')):(column('reserved_pct')) with lines ls i title word(pols, i)
	set title 'overflows (s3: requeue; odma: relocation)' font 'sans,7' offset 0,-0.4
	set ylabel 'cumulative (count)' font 'sans,7' offset 1,0
	unset label 1 # the shading is explained once, in the top panel
	set yrange [*:*]
	stats data.'/fig9_util_odma.csv' using (column('overflows')) nooutput
	r = STATS_max
	stats data.'/fig9_util_s3.csv' using (column('overflows')) nooutput
	r = STATS_max > r ? STATS_max : r
	set yrange [0:(r > 0 ? r * 1.4 : 1)]
	plot data.'/fig9_util_s3.csv' using (column('t_s')):(column('overflows')) with lines ls 2 title 's3', \
	     data.'/fig9_util_odma.csv' using (column('t_s')):(column('overflows')) with lines ls 3 title 'odma'
	set title 'odma class boundaries (re-learned, T = 200)' font 'sans,7' offset 0,-0.4
	set ylabel 'capacity (tokens)' font 'sans,7' offset 2,0
	set xlabel 'simulated time (s)' font 'sans,7'
	set logscale y 2
	set yrange [32:16384]
	set ytics (64, 256, 1024, 4096)
	plot for [k=2:nb] data.'/fig9_bounds.csv' using (column('t_s')):(column('c'.(k-1))) with steps lw 2 title 'c_'.(k-1)
	unset logscale y
	set yrange [*:*]
	set ytics autofreq
	unset multiplot
}
