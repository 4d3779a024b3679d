#!/usr/bin/env bash
# Load: 8 clients at once, each compiling its own stream of files against
# one volunteer (half in plain mode, half in pump mode), with a file store
# small enough to evict all the time. Every object is compared with a local
# build: none lost, none wrong. The daemon's open files, memory and store
# size stay bounded. (Bounded: 8 x LOAD_JOBS compiles, loopback only.)
source "$(dirname "$0")/lib.sh"
JOBS_PER_CLIENT=${LOAD_JOBS:-40}
CLIENTS=8

proj=$SCRATCH/load
mkdir -p "$proj/include"
printf '#pragma once\n#include <string.h>\n#define MIX(a, b) ((a) * 31 + (b))\n' > "$proj/include/mix.h"
for c in $(seq 1 $CLIENTS); do
  mkdir -p "$proj/c$c"
  for j in $(seq 1 "$JOBS_PER_CLIENT"); do
    printf '#include "mix.h"\nint f_%d_%d (const char *s) { return MIX ((int) strlen (s), %d); }\n' "$c" "$j" "$((c * 1000 + j))" > "$proj/c$c/u$j.c"
  done
done
cd "$proj"
# The reference objects, compiled here first.
for c in $(seq 1 $CLIENTS); do
  for j in $(seq 1 "$JOBS_PER_CLIENT"); do gcc -O2 -Iinclude -c "c$c/u$j.c" -o "c$c/u$j.ref"; done
done

start_distccd --jobs 4 --cache-size 1 || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts with a 1 MiB store"
eval "$(DISTCC_HOSTS="127.0.0.1:$PORT/4,cpp" "$BIN/pump" --startup)"

# Samples the daemon's tree while the clients run.
(
  while kill -0 "$DPID" 2>/dev/null; do
    kids=$(pgrep -P "$DPID" | wc -l)
    fds=$(ls /proc/"$DPID"/fd 2>/dev/null | wc -l)
    rss=$(awk '/VmRSS/ { print $2 }' /proc/"$DPID"/status 2>/dev/null)
    echo "$kids $fds $rss"
    sleep 0.2
  done > "$SCRATCH/samples"
) &
SAMPLER=$!

start=$(date +%s)
CLIENT_PIDS=()
for c in $(seq 1 $CLIENTS); do
  (
    if [ $((c % 2)) = 0 ]; then hosts="127.0.0.1:$PORT/4,cpp"; else hosts="127.0.0.1:$PORT/4"; unset INCLUDE_SERVER_PORT; fi
    for j in $(seq 1 "$JOBS_PER_CLIENT"); do
      DISTCC_HOSTS=$hosts DISTCC_LOG="$SCRATCH/c$c.log" DISTCC_BACKOFF_PERIOD=0 \
        "$BIN/distcc" gcc -O2 -Iinclude -c "c$c/u$j.c" -o "c$c/u$j.o"
    done
  ) &
  CLIENT_PIDS+=($!)
done
for p in "${CLIENT_PIDS[@]}"; do wait "$p"; done
elapsed=$(( $(date +%s) - start ))
total=$((CLIENTS * JOBS_PER_CLIENT))

wrong=0 missing=0
for c in $(seq 1 $CLIENTS); do
  for j in $(seq 1 "$JOBS_PER_CLIENT"); do
    if [ ! -f "c$c/u$j.o" ]; then missing=$((missing + 1));
    elif ! cmp -s "c$c/u$j.o" "c$c/u$j.ref"; then wrong=$((wrong + 1)); fi
  done
done
remote=$(cat "$SCRATCH"/c*.log | grep -c 'result: remote')
pumped=$(cat "$SCRATCH"/c*.log | grep -c 'result: remote.*mode=pump')
echo "# $total compiles in ${elapsed}s: $remote remote ($pumped in pump mode)"
check "load: no object lost ($missing missing of $total)" test "$missing" = 0
check "load: no object wrong ($wrong differ)" test "$wrong" = 0
check "load: at least 90% ran remotely ($remote of $total)" test "$remote" -ge $((total * 9 / 10))
check "load: pump-mode clients used pump mode ($pumped)" test "$pumped" -ge $((total * 4 / 10))

kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null
read -r maxkids maxfds maxrss < <(awk '{ if ($1 > k) k = $1; if ($2 > f) f = $2; if ($3 > r) r = $3 } END { print k + 0, f + 0, r + 0 }' "$SCRATCH/samples")
echo "# daemon: at most $maxkids children, $maxfds open files, ${maxrss} kB resident"
check "load: children bounded by 4 x jobs + 16 ($maxkids)" test "$maxkids" -le 32
check "load: daemon's open files bounded ($maxfds)" test "$maxfds" -le 64
check "load: daemon's memory bounded (${maxrss} kB)" test "$maxrss" -le 65536
# The bound is on the disk the store takes (--cache-size), as du counts it:
# each tiny object (the sources and the result cache's replies here) takes a
# whole block, and each objects/ab or results/ab directory another. The
# compiler identity cache beside them (compilers/, a block per compiler and
# language) is counted when the store opens and rescans, not when written.
store_kb=$(find "$SCRATCH/cache-$PORT/objects" -type f -printf '%s\n' | awk '{ s += $1 } END { print int (s / 1024) }')
disk_bytes=$(du --block-size=1 -s --exclude=compilers "$SCRATCH/cache-$PORT" | cut -f1)
check "load: store within its bound on disk after eviction (du ${disk_bytes} bytes for ${store_kb} kB of objects; bound 1048576)" test "$disk_bytes" -le 1048576
# The daemon's own directory is $TMPDIR/distccd-*; each job makes its
# directory inside it (distccd-*, with the pump job's tree job-* below).
# A job's directory goes after its reply reached the client: wait for it.
job_dirs () { find "$TMPDIR" -mindepth 2 -maxdepth 3 \( -name 'distccd-*' -o -name 'job-*' \); }
no_job_dirs () { [ -z "$(job_dirs)" ]; }
wait_until "the last jobs' directories to go" no_job_dirs
left=$(job_dirs | wc -l)
check "load: no job directories left ($left)" test "$left" = 0
"$BIN/pump" --shutdown
finish
