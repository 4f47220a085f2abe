# Figure 10: median TTFT per policy on the Azure traces replayed with their real
# arrival times (experiments/azure_sweep.ini: 4 x MLU370-X4, the paper's
# max_model_len 4096), chunked prefill off and on; one panel per trace.
# Input: data/fig10_azure.csv (policy, <trace>_chunked_<off|on>_ttft_p50_s).
load 'results/common.gp'
set logscale y
set format y '10^{%T}'
set yrange [0.1:1000]
set ylabel 'TTFT p50 (s)' offset 1.5,0
set xrange [-0.6:4.6]
set xtics font 'sans,7'
set style fill solid 0.85 noborder
set grid noxtics ytics
set lmargin at screen 0.19
set rmargin at screen 0.97
set key at screen 0.56, screen 0.995 center top horizontal maxrows 1 width -2 font 'sans,6' samplen 1.5
# panel t's vertical extent in screen units (two equal panels, the key above)
ptop(i) = i == 1 ? 0.86 : 0.41
pbot(i) = i == 1 ? 0.58 : 0.13
w = 0.35
do for [fmt in fmts] {
	eval term(fmt, 3.8)
	set output out.'.'.fmt
	f = data.'/fig10_azure.csv'
	set multiplot
	do for [i = 1:2] {
		t = word('conv code', i)
		set tmargin at screen ptop(i)
		set bmargin at screen pbot(i)
		set title sprintf('Azure %s trace', i == 1 ? 'conversation' : 'code') font 'sans,7' offset 0,-0.6
		plot f using ($0-0.5*w):(column(t.'_chunked_off_ttft_p50_s')):(w) with boxes lc rgb '#1b6ca8' title 'chunked prefill off', \
		     f using ($0+0.5*w):(column(t.'_chunked_on_ttft_p50_s')):(w) with boxes lc rgb '#d1495b' title 'chunked prefill on', \
		     f using 0:(NaN):xtic(strcol('policy')) notitle
	}
	unset multiplot
}
