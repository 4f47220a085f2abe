# Figure 1: effective bandwidth vs contiguous run length, one line per
# device / memory model (and the Ramulator 2 measured points of the DRAM
# layer). Input: files with header run_bytes,<series title>.
load 'results/common.gp'
set title 'Effective bandwidth of one contiguous read' font 'sans,7'
set xlabel 'contiguous run length (bytes)'
set ylabel 'effective bandwidth (GB/s)'
set logscale xy 2
set xtics ('32 B' 32, '512 B' 512, '8 KiB' 8192, '128 KiB' 131072) font 'sans,6'
set ytics font 'sans,6'
set key bottom right font 'sans,6' samplen 1.5 spacing 0.9
do for [fmt in fmts] {
	eval term(fmt, 2.6)
	set output out.'.'.fmt
	plot for [f in files] f using (column('run_bytes')):2 with linespoints title columnheader(2)
}
