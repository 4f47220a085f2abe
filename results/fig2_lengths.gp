# Figure 2: output-length histograms of Alpaca and NQ (share of requests per
# 16-token bin, every row of each trace) with the S3 bucket edges (k*2048/10)
# and the ODMA class boundaries learned in the paper-setup run.
# Inputs in `data`: fig2_hist.csv (len_lo_tokens,alpaca_pct,nq_pct),
# fig2_s3_edges.csv (k,tokens), fig2_odma_{alpaca,nq}.csv (k,tokens).
load 'results/common.gp'
set xlabel 'output length (tokens)'
# one y label for both panels (same axis), placed on the canvas
set label 9 'requests per bin (%)' at screen 0.035, screen 0.6 rotate by 90 center font 'sans,7'
set xrange [0:1280]
set logscale y
set yrange [0.001:100]
set style fill solid 0.6 noborder
set tics font 'sans,6'
set xtics 0,200
set format y '10^{%T}'
# the key below both panels (it does not fit inside one); same axes in both
set key at screen 0.5, screen 0.005 center bottom vertical font 'sans,6' samplen 2 spacing 0.9 nobox noopaque
do for [fmt in fmts] {
	eval term(fmt, 4.2)
	set output out.'.'.fmt
	set multiplot layout 2,1 margins 0.17,0.97,0.24,0.93 spacing 0,0.12
	do for [i=1:2] {
		ds = word('alpaca nq', i)
		set title (i == 1 ? 'Alpaca (all 52,002 rows)' : 'NQ (all 2,655 rows; 1 off the axis, at 2,210)') font 'sans,7'
		if (i == 1) { set key; unset xlabel } else { unset key; set xlabel 'output length (tokens; 16-token bins)' font 'sans,7' }
		plot data.'/fig2_hist.csv' using (column('len_lo_tokens')+8):(column(ds.'_pct') > 0 ? column(ds.'_pct') : NaN):(16) with boxes lc rgb '#9aa5b1' title 'requests', \
		     data.'/fig2_s3_edges.csv' using (column('tokens')):(0.001):(0):(100) with vectors nohead dt 2 lw 2 lc rgb '#d1495b' title 'S3 bucket edges (204.8-token buckets)', \
		     data.'/fig2_odma_'.ds.'.csv' using (column('tokens')):(0.001):(0):(100) with vectors nohead lw 2.5 lc rgb '#1b6ca8' title 'ODMA class boundaries c_1..c_K (learned)'
	}
	unset multiplot
}
