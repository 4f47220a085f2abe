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
do for [fmt in 'png svg'] {
	if (fmt eq 'png') { set terminal pngcairo size 1000,760 font 'sans,11' } else { set terminal svg size 1000,760 font 'sans,11' }
	set output out.'.'.fmt
	f = data.'/fig3_accuracy.csv'
	set multiplot layout 2,2 title 'Output-length predictors on held-out requests: coverage vs over-reservation'
	set yrange [40:102]
	set grid
	set key bottom right font 'sans,9'
	set xlabel 'mean over-reservation (tokens)'
	set ylabel 'coverage (%)'
	do for [i=1:4] {
		d = word(ds, i)
		set title word(names, i)
		plot f using (column(d.'_s3_over_tokens')):(column(d.'_s3_cov_pct')) with linespoints lw 2 pt 7 lc rgb '#d1495b' title 's3', \
		     f using (column(d.'_odma_over_tokens')):(column(d.'_odma_cov_pct')) with linespoints lw 2 pt 5 lc rgb '#1b6ca8' title 'odma', \
		     f using (column(d.'_odma_over_tokens')):(column('q_pct')) with points pt 6 ps 1.2 lc rgb '#222222' title 'nominal q (at odma)'
	}
	unset multiplot
}
