#!/usr/bin/env bash
# sandbox-cost.sh: what the per-compile sandbox costs a volunteer.
#
# Two volunteers from the build tree on loopback, one sandboxed (the
# default) and one with --no-sandbox, each in its own cgroup v2 group (true
# CPU of the daemon and every compiler it runs, see cgroup-cpu.sh). The same
# client compiles the same files through each in turn, RUNS times, in plain
# and pump mode; prints per-compile volunteer CPU and wall time for both,
# the difference and the ratio, medians over the runs.
#
#   test/bench/sandbox-cost.sh [--runs N] [--compiles N]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/bin
cg=$top/test/bench/cgroup-cpu.sh
runs=3 compiles=60
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --compiles) compiles=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--compiles N]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "sandbox-cost.sh: needs root (cgroups)" >&2; exit 2; }

work=$(mktemp -d /tmp/dcc-sbcost.XXXXXX)
cleanup () {
  for p in $(cat "$work/pids" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  for p in $(cat "$work/pids" 2>/dev/null); do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  for n in sb nosb; do "$cg" remove "dccsb-$n-$$" 2>/dev/null || true; done
  [ -n "${INCLUDE_SERVER_PID:-}" ] && kill "$INCLUDE_SERVER_PID" 2>/dev/null
  rm -rf "$work"
  return 0
}
trap cleanup EXIT
free_port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A small project: each unit includes a few system headers (a typical
# compile of a few tens of milliseconds).
proj=$work/proj
mkdir -p "$proj/inc"
printf '#pragma once\n#include <stdio.h>\n#include <string.h>\n#include <stdlib.h>\nstatic inline int twice (int x) { return 2 * x; }\n' > "$proj/inc/u.h"
for i in $(seq 1 "$compiles"); do
  printf '#include "u.h"\nint f%d (const char *s) { char b[64]; snprintf (b, sizeof b, "%%s%d", s); return twice ((int) strlen (b)); }\n' "$i" "$i" > "$proj/u$i.c"
done

start () { # NAME OPTIONS...
  local name=$1; shift
  local port; port=$(free_port)
  "$cg" create "dccsb-$name-$$"
  "$cg" exec "dccsb-$name-$$" "$bin/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$port" \
      --allow 127.0.0.1 --jobs 2 --log-file "$work/$name.log" --cache-dir "$work/cache-$name" --user root "$@" > "$work/$name.out" 2>&1 &
  echo $! >> "$work/pids"
  for _ in $(seq 600); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || { echo "distccd $name did not start" >&2; cat "$work/$name.log" >&2; exit 1; }
  echo "$port"
}
port_sb=$(start sb)
port_nosb=$(start nosb --no-sandbox)

export DISTCC_DIR=$work/distcc-dir
export DISTCC_HOSTS="127.0.0.1:$port_sb/2,cpp"
eval "$("$bin/pump" --startup)"

# one NAME PORT MODE: compiles every unit once; prints "cpu_ms wall_ms".
one () {
  local name=$1 port=$2 mode=$3 hosts
  [ "$mode" = pump ] && hosts="127.0.0.1:$port/2,cpp" || hosts="127.0.0.1:$port/2"
  local c0 t0 c1 t1
  c0=$("$cg" usage "dccsb-$name-$$"); t0=$(date +%s%N)
  for i in $(seq 1 "$compiles"); do
    (cd "$proj" && DISTCC_HOSTS=$hosts DISTCC_FALLBACK=0 "$bin/distcc" gcc -O2 -Iinc -c "u$i.c" -o "u$i.$name.o") \
      || { echo "compile failed on $name" >&2; exit 1; }
  done
  c1=$("$cg" usage "dccsb-$name-$$"); t1=$(date +%s%N)
  echo "$(( (c1 - c0) / 1000 )) $(( (t1 - t0) / 1000000 ))"
}
median () { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "sandbox-cost: $compiles compiles a run, $runs runs, medians; volunteer CPU from cgroup cpu.stat"
printf '%-6s %-12s %14s %14s %12s\n' mode volunteer "CPU ms/compile" "wall ms/compile" ""
for mode in plain pump; do
  one sb "$port_sb" "$mode" >/dev/null; one nosb "$port_nosb" "$mode" >/dev/null   # warm-up (store, caches)
  sb_cpu=() sb_wall=() no_cpu=() no_wall=()
  for _ in $(seq 1 "$runs"); do
    read -r c w < <(one sb "$port_sb" "$mode"); sb_cpu+=("$c"); sb_wall+=("$w")
    read -r c w < <(one nosb "$port_nosb" "$mode"); no_cpu+=("$c"); no_wall+=("$w")
  done
  sc=$(printf '%s\n' "${sb_cpu[@]}" | median); sw=$(printf '%s\n' "${sb_wall[@]}" | median)
  nc=$(printf '%s\n' "${no_cpu[@]}" | median); nw=$(printf '%s\n' "${no_wall[@]}" | median)
  awk -v m="$mode" -v sc="$sc" -v sw="$sw" -v nc="$nc" -v nw="$nw" -v n="$compiles" 'BEGIN {
    printf "%-6s %-12s %14.2f %14.2f\n", m, "no sandbox", nc / n, nw / n
    printf "%-6s %-12s %14.2f %14.2f\n", m, "sandbox", sc / n, sw / n
    printf "%-6s %-12s %14.2f %14.2f   ratio CPU %.3f, wall %.3f\n", m, "difference", (sc - nc) / n, (sw - nw) / n, sc / nc, sw / nw
  }'
  echo "       runs (ms CPU per run): sandbox ${sb_cpu[*]}; no sandbox ${no_cpu[*]}"
done
for i in $(seq 1 "$compiles"); do
  cmp -s "$proj/u$i.sb.o" "$proj/u$i.nosb.o" || { echo "objects differ for u$i.c" >&2; exit 1; }
done
echo "objects: identical between the two volunteers"
"$bin/pump" --shutdown >/dev/null 2>&1 || true
