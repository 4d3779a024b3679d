#!/bin/bash
# plot.sh: PNG charts of benchmark results with gnuplot (apt-get install -y
# gnuplot-nox). See README, "Charts".
#
#   test/bench/plot.sh [DIR...]
#
# Each DIR is a results directory: cluster-<stamp>/ (cluster.sh) gets
# cluster-speedup.png (speed-up against N, one panel per link speed, with
# the floor-limited speed-up of cluster-table.py); <stamp>/ with a
# summary.csv (kernel.sh) gets kernel.png (wall and CPU per mode) and
# kernel-net.png (loopback bytes per mode). Without arguments: the newest
# results of each kind.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v gnuplot >/dev/null || { echo "plot.sh: apt-get install -y gnuplot-nox" >&2; exit 1; }

if [ $# -eq 0 ]; then
  set --
  c=$(ls -d "$here"/results/cluster-*/ 2>/dev/null | sort | tail -1 || true)
  k=$(ls -d "$here"/results/2*/ 2>/dev/null | sort | while read -r d; do [ -f "$d/summary.csv" ] && echo "$d"; done | tail -1 || true)
  [ -n "$c" ] && set -- "$@" "${c%/}"
  [ -n "$k" ] && set -- "$@" "${k%/}"
  [ $# -gt 0 ] || { echo "plot.sh: no results under $here/results" >&2; exit 1; }
fi

plot_cluster () {
  local d=$1 csv=$1/speedup.csv tmp m l units links=() plots="" i=0
  [ -f "$csv" ] || /usr/bin/python3 "$here/cluster-table.py" "$d" > /dev/null
  tmp=$(mktemp -d)
  units=$(sed -n 's/^units: \([0-9]*\) .*/\1/p' "$d/info.txt")
  for l in $(awk -F, 'NR > 1 && !seen[$1]++ { print $1 }' "$csv"); do links+=("$l"); done
  gnuplot_in=$tmp/plot.gp
  {
    echo "set terminal pngcairo size $((560 * ${#links[@]})),560 font \",11\""
    echo "set output '$d/cluster-speedup.png'"
    echo "set multiplot layout 1,${#links[@]} title \"Simulated cluster: $units kernel units, N volunteers x 4 slots behind tc tbf links; speed-up against make -j2 on the client (medians)\""
    echo "set xlabel 'volunteers N (4 slots each; make -j4N)'"
    echo "set ylabel 'speed-up against the local build'"
    echo "set logscale x 2"
    echo "set yrange [0:*]"
    echo "set grid"
    echo "set key top left"
    for l in "${links[@]}"; do
      plots=""
      awk -F, -v l="$l" 'NR > 1 && $1 == l && !seen[$3]++ { print $3, $7 }' "$csv" | sort -n > "$tmp/$l.floor.dat"
      for m in $(awk -F, -v l="$l" 'NR > 1 && $1 == l && !seen[$2]++ { print $2 }' "$csv"); do
        awk -F, -v l="$l" -v m="$m" 'NR > 1 && $1 == l && $2 == m { print $3, $6 }' "$csv" | sort -n > "$tmp/$l.$m.dat"
        plots+="'$tmp/$l.$m.dat' using 1:2 with linespoints lw 2 title '$m', "
      done
      echo "set title 'links at $l'"
      echo "plot ${plots} '$tmp/$l.floor.dat' using 1:2 with lines dt 2 lw 2 lc rgb 'gray40' title 'floor-limited speed-up'"
    done
    echo "unset multiplot"
  } > "$gnuplot_in"
  gnuplot "$gnuplot_in"
  rm -rf "$tmp"
  echo "$d/cluster-speedup.png"
}

plot_kernel () {
  local d=$1 tmp
  tmp=$(mktemp -d)
  # mode, wall, client cpu, volunteer cpu, lo MB
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
           { printf "%s %s %s %s %.1f\n", $c["mode"], $c["wall_s"], $c["client_cpu_s"], $c["server_cpu_s"], $c["lo_rx_bytes"] / 1e6 }' \
      "$d/summary.csv" > "$tmp/k.dat"
  gnuplot <<EOF
set terminal pngcairo size 900,560 font ",11"
set output '$d/kernel.png'
set title "Linux 6.1 tinyconfig vmlinux, one volunteer on loopback (medians, $(basename "$d"))"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "seconds"
set xtics rotate by -25
set grid ytics
set yrange [0:*]
plot '$tmp/k.dat' using 2:xtic(1) title 'wall s', '' using 3 title 'client CPU s', '' using 4 title 'volunteer CPU s'
EOF
  gnuplot <<EOF
set terminal pngcairo size 900,480 font ",11"
set output '$d/kernel-net.png'
set title "Linux 6.1 tinyconfig: loopback traffic per build (MB, both ways)"
set style data histograms
set style fill solid 0.8 border -1
set ylabel "MB"
set xtics rotate by -25
set grid ytics
set yrange [0:*]
plot '$tmp/k.dat' using 5:xtic(1) title 'lo MB'
EOF
  rm -rf "$tmp"
  echo "$d/kernel.png $d/kernel-net.png"
}

for d in "$@"; do
  d=${d%/}
  if [ -f "$d/cluster.csv" ] || [ -f "$d/speedup.csv" ]; then plot_cluster "$d"
  elif [ -f "$d/summary.csv" ]; then plot_kernel "$d"
  else echo "plot.sh: $d: no cluster.csv or summary.csv" >&2
  fi
done
