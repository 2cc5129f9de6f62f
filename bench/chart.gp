# bench/chart.gp -- every front as a ratio to mod_jk per case, from
# bench/report.py's chart.dat: a header line of titles, then per case its
# label, nf columns of req/s ratios (one per front) and nf columns of
# CPU-per-request ratios of the same fronts ("-" where a front does not run
# the case).  mod_jk is the dashed line at 1.0: ratios, not absolute rates,
# because the cases differ by two orders of magnitude and the question is
# how each front compares with mod_jk (the tables keep the absolute
# figures).  The second panel is CPU per request rather than p99: with the
# front pinned to one saturated CPU, p99 is queueing and follows the req/s
# ratio.
# Run: gnuplot -e "dat='chart.dat'; png='out.png'; title='...'; nf=4; colors='#1b9e77 ...'" chart.gp
set terminal pngcairo size 1600,1000 font "DejaVu Sans,10" noenhanced
set output png
set datafile missing "-"
set key autotitle columnheader
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set yrange [0:*]
set ytics format "×%.1f"
set xtics nomirror rotate by 30 right
# parity with mod_jk
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lw 2 dt 2 lc rgb "#d95f02" front
set multiplot layout 2,1 title "Ratio to mod_jk in the same round (medians; dashed line = mod_jk) - ".title
unset key
set ylabel "req/s ÷ mod_jk's"
set title "Throughput (higher is better)"
plot for [i=1:nf] dat using (column(1 + i)):xtic(1) lc rgb word(colors, i)
# one legend, under the second panel, serves both
set key outside bottom center horizontal
set ylabel "CPU per request ÷ mod_jk's"
set title "httpd/nginx CPU per request (lower is better)"
plot for [i=1:nf] dat using (column(1 + nf + i)):xtic(1) title columnheader(1 + nf + i) lc rgb word(colors, i), \
     1/0 with lines lw 2 dt 2 lc rgb "#d95f02" title "mod_jk (= ×1.0)"
unset multiplot
