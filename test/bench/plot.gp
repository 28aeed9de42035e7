# SPDX-License-Identifier: GPL-2.0
# tcpopt bench: throughput and CPU per configuration, one row per topology.
# gnuplot -e "dat='bench.dat'; out='bench.png'; subtitle='...'; ntopo=2" plot.gp
# bench.dat: one block per topology (two blank lines between), each line
# "topology config" then median, min and max of: Gbit/s, sender CPU %,
# receiver CPU %; NaN where not measured.  Error bars span min to max.

if (!exists("ntopo")) ntopo = 2
if (!exists("subtitle")) subtitle = ""

set terminal pngcairo size 1200, 420 * ntopo font "sans,10"
set output out
set multiplot layout ntopo, 2 title "tcpopt overhead (medians, bars from min to max)\n".subtitle
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set yrange [0:*]
set xtics rotate by -20 noenhanced
set key top right noenhanced

do for [i = 0:ntopo - 1] {
	set title sprintf("%s: throughput (Gbit/s)", word(topos, i + 1)) noenhanced
	set ylabel "Gbit/s"
	plot dat index i using 3:4:5:xtic(2) notitle lc rgb "#4477aa"
	set title sprintf("%s: CPU (%% of one core, iperf3)", word(topos, i + 1)) noenhanced
	set ylabel "%"
	plot dat index i using 6:7:8:xtic(2) title "sender" lc rgb "#ee6677", \
	     '' index i using 9:10:11 title "receiver" lc rgb "#228833"
}
unset multiplot
