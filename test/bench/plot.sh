#!/bin/bash
# plot.sh: PNG charts of benchmark results with gnuplot (apt-get install -y
# gnuplot-nox). See README, "Charts".
#
#   test/bench/plot.sh [DIR...]
#
# Each DIR is a results directory: cluster-<stamp>/ (cluster.sh) gets
# cluster-wall.png (wall time against N, with the ideal: the sum of the real
# compile times over the slots) and cluster-cpu.png (client CPU per
# compile); <stamp>/ with a summary.csv (kernel.sh) gets kernel.png (wall
# and CPU per mode) and kernel-net.png (loopback bytes per mode). Without
# arguments: the newest results of each kind.

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
  local d=$1 csv=$1/cluster.csv tmp m ideal units files=() titles=()
  tmp=$(mktemp -d)
  ideal=$(sed -n 's/.*sum of real compile times \([0-9.]*\) s.*/\1/p' "$d/info.txt")
  units=$(sed -n 's/^units: \([0-9]*\) .*/\1/p' "$d/info.txt")
  for m in $(awk -F, 'NR > 1 && !seen[$1]++ { print $1 }' "$csv"); do
    awk -F, -v m="$m" 'NR > 1 && $1 == m && $5 == "ok" { print $2, $6, $8, $9 }' "$csv" | sort -n > "$tmp/$m.dat"
    files+=("$tmp/$m.dat"); titles+=("$m")
  done
  local plot_wall="" plot_cpu="" i
  for i in "${!files[@]}"; do
    plot_wall+="'${files[$i]}' using 1:2 with linespoints lw 2 title '${titles[$i]}', "
    plot_cpu+="'${files[$i]}' using 1:3 with linespoints lw 2 title '${titles[$i]}', "
  done
  gnuplot <<EOF
set terminal pngcairo size 900,560 font ",11"
set output '$d/cluster-wall.png'
set title "Simulated cluster: $units kernel units, N volunteers x 4 slots, stand-in compiler (sleeps the real compile time)"
set xlabel "volunteers N (4 slots each; make -j4N)"
set ylabel "wall time, s"
set logscale xy 2
set grid
set key bottom left
plot ${plot_wall} ($ideal / (4 * x)) with lines dt 2 lc rgb "gray" title 'ideal: sum of compile times / slots'
EOF
  gnuplot <<EOF
set terminal pngcairo size 900,560 font ",11"
set output '$d/cluster-cpu.png'
set title "Simulated cluster: client CPU per compile (cgroup v2 usage of make + distcc + preprocessors)"
set xlabel "volunteers N (4 slots each)"
set ylabel "client CPU per unit, ms"
set logscale x 2
set yrange [0:*]
set grid
set key top right
plot ${plot_cpu%, }
EOF
  rm -rf "$tmp"
  echo "$d/cluster-wall.png $d/cluster-cpu.png"
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
  if [ -f "$d/cluster.csv" ]; then plot_cluster "$d"
  elif [ -f "$d/summary.csv" ]; then plot_kernel "$d"
  else echo "plot.sh: $d: no cluster.csv or summary.csv" >&2
  fi
done
