# Figure 2: output-length histograms of Alpaca and NQ (share of requests per
# 16-token bin, every row of each trace) with the S3 bucket edges (k*2048/10)
# and the ODMA class boundaries learned in the paper-setup run.
# Inputs in `data`: fig2_hist.csv (len_lo_tokens,alpaca_pct,nq_pct),
# fig2_s3_edges.csv (k,tokens), fig2_odma_{alpaca,nq}.csv (k,tokens).
load 'results/common.gp'
set xlabel 'output length (tokens)'
set ylabel 'requests per 16-token bin (%)'
set xrange [0:1280]
set logscale y
set yrange [0.001:100]
set style fill solid 0.6 noborder
set key top right
do for [fmt in fmts] {
	eval term(fmt, 4.2)
	set output out.'.'.fmt
	set multiplot layout 2,1
	do for [i=1:2] {
		ds = word('alpaca nq', i)
		set title (i == 1 ? 'Alpaca (all 52,002 rows)' : 'NQ (all 2,655 rows; one answer, 2,210 tokens, lies off the axis)')
		plot data.'/fig2_hist.csv' using (column('len_lo_tokens')+8):(column(ds.'_pct') > 0 ? column(ds.'_pct') : NaN):(16) with boxes lc rgb '#9aa5b1' title 'requests', \
		     data.'/fig2_s3_edges.csv' using (column('tokens')):(0.001):(0):(100) with vectors nohead dt 2 lw 2 lc rgb '#d1495b' title 'S3 bucket edges (204.8-token buckets)', \
		     data.'/fig2_odma_'.ds.'.csv' using (column('tokens')):(0.001):(0):(100) with vectors nohead lw 2.5 lc rgb '#1b6ca8' title 'ODMA class boundaries c_1..c_K (learned)'
	}
	unset multiplot
}
