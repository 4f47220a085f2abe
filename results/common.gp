# Shared style for odmasim figures. Each figure script is called as
#   gnuplot -e "out='DIR/name'; files='a.csv b.csv'" results/fig1_*.gp
#   gnuplot -e "out='DIR/name'; data='DATADIR'" results/figN_*.gp   (N >= 2)
# and writes DIR/name.pdf, DIR/name.png and DIR/name.svg. CSVs have a header row, and the
# scripts read columns by header name (column('name')), so a missing column
# is a gnuplot warning that tests/e2e/figures_test.sh turns into a failure.
set datafile separator ','
# the first row of every CSV is its header, never data (gnuplot >= 5.4)
set datafile columnheaders
set key top left box opaque
set grid lc rgb '#dddddd'
set border lw 1.2
set style line 1 lc rgb '#1b6ca8' lw 2 pt 7 ps 0.8
set style line 2 lc rgb '#d1495b' lw 2 pt 5 ps 0.8
set style line 3 lc rgb '#2e933c' lw 2 pt 9 ps 0.9
set style line 4 lc rgb '#edae49' lw 2 pt 11 ps 0.9
set style line 5 lc rgb '#6a4c93' lw 2 pt 13 ps 0.9
set style line 6 lc rgb '#444444' lw 2 pt 3 ps 0.9
set style increment user
# Print sizes: every figure is one journal column wide (3.5 in) with 8-pt text at
# that width, so it is used unscaled. PDF at true size; SVG in 1/72-in units (the
# same proportions); PNG at 200 dpi (fonts and lines scaled to match). Each script
# loops `do for [fmt in fmts] { eval term(fmt, HEIGHT_IN) ... }`.
fmts = 'pdf png svg'
colw = 3.5
term(fmt, h) = fmt eq 'pdf' ? sprintf("set terminal pdfcairo size %gin,%gin font 'sans,8' linewidth 1", colw, h) : \
	fmt eq 'svg' ? sprintf("set terminal svg size %d,%d font 'sans,8' linewidth 1", int(colw*72), int(h*72)) : \
	sprintf("set terminal pngcairo size %d,%d font 'sans,8' fontscale %g linewidth %g", int(colw*200), int(h*200), 200.0/72, 200.0/72)
