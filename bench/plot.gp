# SPDX-License-Identifier: GPL-2.0
# The benchmark's chart: median ns per read for every workload and path, log
# scale, from summary.csv.  gnuplot -e "dir='OUT'" bench/plot.gp
if (!exists("dir")) dir = "bench-out"
set terminal pngcairo size 1200,650 font ",10" noenhanced
set output dir."/chart.png"
set datafile separator ","
set title "Reading another process's memory: median time per read (log scale; lower is better)"
set ylabel "ns per read"
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key outside right top
set grid ytics
set xtics nomirror
set yrange [*:*]
file = dir."/matrix.csv"
ncols = int(system("head -n1 '".file."' | tr ',' '\\n' | wc -l"))
set key autotitle columnhead
plot for [i=2:ncols] file using i:xtic(1)
