# Figure 9: the drift run (Alpaca -> NQ -> Alpaca, one MLU370-X4, 8 req/s,
# predictors trained on Alpaca only) over time: reserved KV per policy, the
# cumulative overflows of s3 and odma, and odma's class boundaries. The NQ
# phase (arrivals of its requests) is shaded.
# Inputs in `data`: fig9_util_{paged,s3,odma,oracle}.csv (t_s,reserved_pct,
# live_pct,overflows), fig9_bounds.csv (t_s,c1..cK), fig9_phases.csv
# (phase,start_s,end_s).
load 'results/common.gp'
set xlabel 'simulated time (s)'
set lmargin 12
set rmargin 4
set key top left font 'sans,7' width 1
stats data.'/fig9_phases.csv' using (column('start_s')) every ::1::1 nooutput
nq0 = STATS_max
stats data.'/fig9_phases.csv' using (column('end_s')) every ::1::1 nooutput
nq1 = STATS_max
stats data.'/fig9_util_odma.csv' using (column('t_s')) nooutput
tmax = STATS_max
set xrange [0:tmax]
set object 1 rect from nq0, graph 0 to nq1, graph 1 behind fc rgb '#fdf1d6' fs solid noborder
set label 1 'NQ arrivals' at (nq0+nq1)/2, graph 0.95 center font 'sans,7'
pols = 'paged s3 odma oracle'
nb = words(system("head -1 '".data."/fig9_bounds.csv' | tr ',' ' '"))  # t_s + K classes
do for [fmt in fmts] {
	eval term(fmt, 5.2)
	set output out.'.'.fmt
	set multiplot layout 3,1
	set title 'KV memory reserved (5-s windows)'
	set ylabel 'reserved (% of pool)'
	plot for [i=1:4] data.'/fig9_util_'.word(pols, i).'.csv' using (column('t_s')):(column('reserved_pct')) with lines ls i title word(pols, i)
	set title 'overflows (s3: requeue and recompute; odma: relocation)'
	set ylabel 'cumulative overflows'
	plot data.'/fig9_util_s3.csv' using (column('t_s')):(column('overflows')) with lines ls 2 title 's3', \
	     data.'/fig9_util_odma.csv' using (column('t_s')):(column('overflows')) with lines ls 3 title 'odma'
	set title 'odma class boundaries (re-learned every 200 completions)'
	set ylabel 'class capacity (output tokens)'
	set logscale y 2
	plot for [k=2:nb] data.'/fig9_bounds.csv' using (column('t_s')):(column('c'.(k-1))) with steps lw 2 title 'c_'.(k-1)
	unset logscale y
	unset multiplot
}
