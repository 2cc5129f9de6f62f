# bench/chart.gp -- throughput and p99 per front, from bench/report.py's
# chart.dat.  Run: gnuplot -e "dat='chart.dat'; png='out.png'; title='...'" chart.gp
set terminal pngcairo size 1400,1000 font "DejaVu Sans,10" noenhanced
set output png
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top right
set logscale y
set xtics nomirror norotate center
set multiplot layout 2,1 title "mod_ajplb vs mod_jk vs mod_proxy_ajp vs static file (medians) - ".title
set ylabel "requests/s (log scale)"
set title "Throughput (higher is better)"
plot dat using 2:xtic(stringcolumn(1)) title "mod_ajplb" lc rgb "#1b9e77", \
     '' using 3 title "mod_jk" lc rgb "#d95f02", \
     '' using 4 title "mod_proxy_ajp" lc rgb "#7570b3", \
     '' using 5 title "static file" lc rgb "#999999"
set ylabel "p99 latency, ms (log scale)"
set title "p99 latency (lower is better)"
plot dat using 6:xtic(stringcolumn(1)) title "mod_ajplb" lc rgb "#1b9e77", \
     '' using 7 title "mod_jk" lc rgb "#d95f02", \
     '' using 8 title "mod_proxy_ajp" lc rgb "#7570b3", \
     '' using 9 title "static file" lc rgb "#999999"
unset multiplot
