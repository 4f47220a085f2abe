# Figure 3: predictor accuracy on held-out requests, s3 vs odma, per dataset,
# both definitions: bucket-hit (same 10 x 204.8-token grid) and coverage
# (true length <= reserved). Reference points: the majority-bucket baseline
# (bucket-hit rows, dashed across both bars) and odma's coverage counting
# flagged requests as covered (coverage rows, solid over odma's bar).
# Input: data/fig3_accuracy.csv (metric,s3_pct,odma_pct,reference_pct).
load 'results/common.gp'
set title 'Output-length predictors on held-out requests'
set xlabel 'Alpaca: 10,463 held-out; NQ: 539 (10 buckets of 204.8 tokens)'
set ylabel 'share of held-out requests (%)'
set yrange [0:135]
set ytics 0,20,100
set xrange [-0.6:3.6]
set style fill solid 0.85 noborder
set key top center vertical maxrows 2 font 'sans,6' samplen 2
set grid noxtics ytics
w = 0.36
do for [fmt in fmts] {
	eval term(fmt, 2.8)
	set output out.'.'.fmt
	f = data.'/fig3_accuracy.csv'
	plot f using ($0-w/2):(column('s3_pct')):(w) with boxes lc rgb '#d1495b' title 's3 predictor', \
	     f using ($0+w/2):(column('odma_pct')):(w) with boxes lc rgb '#1b6ca8' title 'odma predictor (q = 0.9)', \
	     f using ($0-w):(int($0)%2 == 0 ? column('reference_pct') : NaN):(2*w):(0) with vectors nohead lw 3 dt 2 lc rgb '#222222' title 'majority-bucket baseline', \
	     f using 0:(int($0)%2 == 1 ? column('reference_pct') : NaN):(w):(0) with vectors nohead lw 3 lc rgb '#222222' title 'odma, flagged counted covered', \
	     f using ($0-w/2):(column('s3_pct')-4):(sprintf('%.1f', column('s3_pct'))) with labels tc rgb 'white' font 'sans,6' notitle, \
	     f using ($0+w/2):(column('odma_pct')-4):(sprintf('%.1f', column('odma_pct'))) with labels tc rgb 'white' font 'sans,6' notitle, \
	     f using 0:(NaN):xtic(strcol('metric')) notitle
}
