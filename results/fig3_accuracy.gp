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
# Shared scales: coverage 40-102 % and over-reservation on one log axis (the
# traces' over-reservations span three decades), so panels compare directly.
set yrange [40:102]
set logscale x
set xrange [5:20000]
set xtics ('10' 10, '100' 100, '1000' 1000, '10^4' 10000)
set tics font 'sans,6'
set grid
unset key
L = 0.14; R = 0.97; B = 0.14; T = 0.9; sx = 0.06; sy = 0.12
do for [fmt in fmts] {
	eval term(fmt, 3.6)
	set output out.'.'.fmt
	f = data.'/fig3_accuracy.csv'
	set multiplot layout 2,2 margins L,R,B,T spacing sx,sy
	do for [i=1:4] {
		d = word(ds, i)
		set title word(names, i) font 'sans,7' offset 0,-0.6
		# axis labels once (the scales are shared): coverage beside each row,
		# over-reservation centred under the bottom row
		if (i % 2 == 1) { set ylabel 'coverage (%)' font 'sans,7' offset 1.5,0 } else { unset ylabel }
		if (i == 1) { set label 1 'mean over-reservation (tokens)' at screen 0.55, screen 0.03 center font 'sans,7' } else { unset label 1 }
		if (i % 2 == 0) { set format y '' } else { set format y '%g' }
		# the legend as marked labels in one line above the panels (a key
		# would not fit one panel's width)
		if (i == 1) {
			set label 2 's3' at screen 0.16, screen 0.965 left point pt 7 ps 0.9 lc rgb '#d1495b' offset 0.8,0 tc rgb '#d1495b' font 'sans,7'
			set label 3 'odma' at screen 0.32, screen 0.965 left point pt 5 ps 0.9 lc rgb '#1b6ca8' offset 0.8,0 tc rgb '#1b6ca8' font 'sans,7'
			set label 4 'nominal q (at odma)' at screen 0.52, screen 0.965 left point pt 6 ps 0.9 lc rgb '#222222' offset 0.8,0 font 'sans,7'
		} else { unset label 2; unset label 3; unset label 4 }
		plot f using (column(d.'_s3_over_tokens')):(column(d.'_s3_cov_pct')) with linespoints lw 1 pt 7 ps 0.5 lc rgb '#d1495b' title 's3', \
		     f using (column(d.'_odma_over_tokens')):(column(d.'_odma_cov_pct')) with linespoints lw 1 pt 5 ps 0.5 lc rgb '#1b6ca8' title 'odma', \
		     f using (column(d.'_odma_over_tokens')):(column('q_pct')) with points pt 6 ps 0.6 lc rgb '#222222' title 'nominal q (at odma)'
	}
	unset multiplot
}
