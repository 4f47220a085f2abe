# Figure 3: the predictors on held-out requests as a reservation trade-off:
# coverage (true length <= reserved) against the mean over-reservation
# (tokens reserved beyond the true length), at the predictor's calibrated
# q = 0.5, 0.9, 0.95, 0.99 quantiles (odma: split-conformal; s3: the smallest
# bucket whose cumulative class probability reaches q). One panel per trace;
# open circles mark the nominal q a calibrated predictor should reach.
# Input: data/fig3_accuracy.csv (q_pct, then <ds>_<s3|odma>_{cov_pct,over_tokens}).
load 'results/common.gp'
ds = 'alpaca nq simpleqa_r1 frames_r1'
names = 'Alpaca NQ SimpleQA-R1 FRAMES-R1'
do for [fmt in fmts] {
	eval term(fmt, 3.6)
	set output out.'.'.fmt
	f = data.'/fig3_accuracy.csv'
	set multiplot layout 2,2 title 'Predictors on held-out requests'
	set yrange [40:102]
	set grid
	set key bottom right font 'sans,6'
	set xlabel 'mean over-reservation (tokens)' font 'sans,7'
	set ylabel 'coverage (%)' font 'sans,7'
	do for [i=1:4] {
		d = word(ds, i)
		set title word(names, i)
		plot f using (column(d.'_s3_over_tokens')):(column(d.'_s3_cov_pct')) with linespoints lw 1 pt 7 ps 0.5 lc rgb '#d1495b' title 's3', \
		     f using (column(d.'_odma_over_tokens')):(column(d.'_odma_cov_pct')) with linespoints lw 1 pt 5 ps 0.5 lc rgb '#1b6ca8' title 'odma', \
		     f using (column(d.'_odma_over_tokens')):(column('q_pct')) with points pt 6 ps 0.6 lc rgb '#222222' title 'nominal q (at odma)'
	}
	unset multiplot
}
