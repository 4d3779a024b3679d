#!/usr/bin/env bash
# Faults: builds must complete with output identical to a local build when
# the volunteer dies, freezes, restarts or loses its cache, and when the
# include server dies mid-build.
source "$(dirname "$0")/lib.sh"

proj=$SCRATCH/proj
mkdir -p "$proj/include"
printf '#pragma once\n#include <stdio.h>\n#define TWICE(x) ((x) + (x))\n' > "$proj/include/common.h"
n=40
for i in $(seq 1 $n); do
  # Enough code that each compile takes a moment, so faults land mid-build.
  { printf '#include "common.h"\n'
    for j in $(seq 1 60); do printf 'int f%d_%d (int x) { return TWICE (x) * %d + printf ("%%d", x); }\n' "$i" "$j" "$j"; done
  } > "$proj/f$i.c"
done
cat > "$proj/Makefile" <<'MK'
SRCS := $(wildcard *.c)
OBJS := $(SRCS:.c=.o)
all: $(OBJS)
%.o: %.c include/common.h
	$(CC) -O2 -g -Iinclude -c $< -o $@
clean:
	rm -f *.o
MK
cd "$proj"
make -s -j2 CC=gcc && mkdir -p ../ref && cp ./*.o ../ref/ && make -s clean

compiles_logged () { [ "$(grep -c 'result:' "$SCRATCH/c.log" 2>/dev/null)" -ge "$1" ]; }

identical () {
  local bad=0
  for o in ../ref/*.o; do cmp -s "$o" "$(basename "$o")" || bad=$((bad + 1)); done
  [ "$bad" -eq 0 ]
}

# build_with_fault NAME HOSTS ACTION: runs make -j8 in the background, does
# ACTION when some compiles have finished, waits for make.
build_with_fault () {
  local name=$1 hosts=$2 action=$3
  make -s clean
  rm -f "$SCRATCH/c.log"
  ( DISTCC_HOSTS="$hosts" DISTCC_LOG="$SCRATCH/c.log" DISTCC_IO_TIMEOUT=${IO_TIMEOUT:-60} \
      make -s -j8 CC="$BIN/distcc gcc" > "$SCRATCH/$name.out" 2>&1 ) &
  local mk=$!
  wait_until "8 compiles of $name to finish" compiles_logged 8 || echo "# $name: the fault lands late"
  eval "$action"
  wait $mk
  MAKE_STATUS=$?
}

start_distccd --jobs 4 || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts"

# 1. The volunteer is killed mid-build.
build_with_fault killed "127.0.0.1:$PORT/4" 'pkill -9 -P $DPID; kill -9 $DPID'
check "volunteer killed mid-build: make succeeds" test "$MAKE_STATUS" = 0
check "volunteer killed mid-build: all $n objects identical to local" identical
check "volunteer killed mid-build: some compiles were remote" grep -q 'result: remote' "$SCRATCH/c.log"
check "volunteer killed mid-build: the rest fell back locally" grep -q 'result: fallback' "$SCRATCH/c.log"

# 2. The volunteer freezes (SIGSTOP): clients time out and fall back.
rm -rf "$DISTCC_DIR"/lock
start_distccd --jobs 4
IO_TIMEOUT=3 build_with_fault frozen "127.0.0.1:$PORT/4" 'kill -STOP $DPID; pkill -STOP -P $DPID'
kill -CONT "$DPID"; pkill -CONT -P "$DPID"
check "volunteer frozen: make succeeds" test "$MAKE_STATUS" = 0
check "volunteer frozen: all objects identical" identical
check "volunteer frozen: timed-out compiles fell back" grep -q 'result: fallback' "$SCRATCH/c.log"

# 3. The volunteer is restarted mid-build on the same port; its cache survives.
rm -rf "$DISTCC_DIR"/lock
start_distccd --jobs 4
cache=$SCRATCH/cache-$PORT
OLDPORT=$PORT
build_with_fault restarted "127.0.0.1:$PORT/4" 'kill $DPID; wait $DPID 2>/dev/null; start_distccd_on $OLDPORT'
check "volunteer restarted: make succeeds" test "$MAKE_STATUS" = 0
check "volunteer restarted: all objects identical" identical

# 3b. A slow network (100 ms per chunk each way) and one in which every
# fourth connection is reset mid-request: this kernel has no netem, so a
# proxy on loopback plays the network.
rm -rf "$DISTCC_DIR"/lock
start_distccd --jobs 4
for spec in "slow:100:0" "resets:5:25"; do
  name=${spec%%:*}; rest=${spec#*:}; delay=${rest%%:*}; pct=${rest#*:}
  PPORT=$(free_port)
  python3 "$TOP/test/integration/flaky-proxy.py" "$PPORT" "$PORT" "$delay" "$pct" 300 &
  PROXY=$!
  wait_port "$PPORT" "$PROXY" || not_ok "$name network: the proxy listens on $PPORT"
  rm -rf "$DISTCC_DIR"/lock
  build_with_fault "$name" "127.0.0.1:$PPORT/4" ':'
  kill $PROXY 2>/dev/null; wait $PROXY 2>/dev/null
  check "$name network: make succeeds" test "$MAKE_STATUS" = 0
  check "$name network: all objects identical" identical
  check "$name network: compiles went remote" grep -q 'result: remote' "$SCRATCH/c.log"
done
check "reset connections were compiled locally" grep -qE 'result: (fallback|local)' "$SCRATCH/c.log"

# 4. Pump mode: the include server is killed mid-build.
rm -rf "$DISTCC_DIR"/lock
start_distccd --jobs 4
export DISTCC_HOSTS="127.0.0.1:$PORT/4,cpp,lzo"
eval "$("$BIN/pump" --startup)"
build_with_fault is-killed "127.0.0.1:$PORT/4,cpp,lzo" 'kill -9 $INCLUDE_SERVER_PID'
check "include server killed mid-build: make succeeds" test "$MAKE_STATUS" = 0
check "include server killed mid-build: all objects identical" identical
check "include server killed mid-build: pump compiles before it" grep -q 'mode=pump' "$SCRATCH/c.log"
check "include server killed mid-build: plain compiles after it" grep -q 'mode=plain' "$SCRATCH/c.log"
rm -rf "$INCLUDE_SERVER_DIR"
unset INCLUDE_SERVER_PORT INCLUDE_SERVER_PID INCLUDE_SERVER_DIR

# 5. The volunteer's cache directory is unwritable: distccd does not start
#    and says why (it never serves with pump mode silently off).
mkdir -p "$SCRATCH/ro-cache" && chmod 555 "$SCRATCH/ro-cache"
PORT=$(free_port)
"$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 \
    --log-file "$SCRATCH/ro.log" --cache-dir "$SCRATCH/ro-cache/store" --user nobody > "$SCRATCH/ro.err" 2>&1
rc=$?
check "unwritable cache: the daemon refuses to start (exit $rc)" test $rc != 0
check "unwritable cache: it says which store and why" grep -q "cannot open the file store $SCRATCH/ro-cache/store.*Permission denied" "$SCRATCH/ro.err"

finish
