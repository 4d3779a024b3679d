#!/usr/bin/env bash
# gcc -flto on the volunteer (issue 16): gcc 12 streams the compile's
# working directory into the object's LTO sections, unmapped by any prefix
# map. The volunteer's sandbox shows the client's directory at its own path
# and names it in PWD, so a remote object is the local one. A multi-file
# project in redis's and makepkg's form (-O2 -flto=auto -ffat-lto-objects
# -g), built with make through distcc in plain mode and under pump, every
# compile remote, objects and the LTO-linked program identical to a local
# build; a volunteer that cannot show the directory (--no-sandbox) refuses
# with the reason, said once, and the build is local and identical; a
# stock volunteer is never given gcc -flto. Also against a volunteer
# started as root with the defaults (no --cache-dir, no --user).
source "$(dirname "$0")/lib.sh"

proj=$SCRATCH/proj
mkdir -p "$proj/include" "$proj/src"
cat > "$proj/include/mix.h" <<'H'
#pragma once
#include <stdint.h>
#define ROT(x, k) (((x) << (k)) | ((x) >> (64 - (k))))
static inline uint64_t mix (uint64_t x, int k) { return ROT (x * 0x9e3779b97f4a7c15ull, k); }
uint64_t part1 (uint64_t), part2 (uint64_t), part3 (uint64_t);
H
for n in 1 2 3; do
  cat > "$proj/src/p$n.c" <<C
#include "mix.h"
uint64_t part$n (uint64_t x) { return mix (x, $n + 7) ^ __LINE__; }
C
done
cat > "$proj/src/main.c" <<'C'
#include <stdio.h>
#include "mix.h"
int main (void) { printf ("%llu\n", (unsigned long long) (part1 (1) + part2 (2) + part3 (3))); return 0; }
C
cat > "$proj/Makefile" <<'M'
CFLAGS = -O2 -g -flto=auto -ffat-lto-objects -Iinclude
OBJS = src/p1.o src/p2.o src/p3.o src/main.o
prog: $(OBJS)
	gcc $(CFLAGS) $(OBJS) -o $@
src/%.o: src/%.c include/mix.h
	$(CC) $(CFLAGS) -frandom-seed=$@ -c $< -o $@
M
OBJS="src/p1.o src/p2.o src/p3.o src/main.o"

# build_in DIR CC...: make -j4 in one fixed directory (LTO and -g record
# it), a new session each (a new build), then moved to DIR.
build_in () {
  local dir=$1; shift
  local w=$SCRATCH/w
  rm -rf "$w" "$dir" && mkdir -p "$w" && cp -a "$proj"/. "$w"/
  (cd "$w" && setsid make -s -j4 CC="$*" > stdout 2> stderr; echo $? > status)
  mv "$w" "$dir"
}
same_build () {
  local f
  for f in $OBJS prog; do cmp -s "$SCRATCH/local/$f" "$1/$f" || { echo "# $f differs"; return 1; }; done
}
results () { grep -c "result: $2 " "$1" 2>/dev/null || true; }

build_in "$SCRATCH/local" gcc
check "local build succeeds and runs" sh -c "test \"\$(cat '$SCRATCH/local/status')\" = 0 && '$SCRATCH/local/prog' > /dev/null"
check "the objects carry LTO sections" sh -c "objdump -h '$SCRATCH/local/src/p1.o' | grep -q gnu.lto_"

start_distccd || { not_ok "distccd starts"; finish; exit 1; }

# Plain mode.
DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/plain.log" build_in "$SCRATCH/plain" "$BIN/distcc" gcc
check "plain: make succeeds" test "$(cat "$SCRATCH/plain/status")" = 0
check "plain: 4 of 4 compiles remote (got $(results "$SCRATCH/plain.log" remote))" \
  test "$(results "$SCRATCH/plain.log" remote)" = 4
check "plain: objects and the LTO-linked program identical to local" same_build "$SCRATCH/plain"
check "plain: stderr as local (empty)" test ! -s "$SCRATCH/plain/stderr"

# Pump mode.
export DISTCC_HOSTS="127.0.0.1:$PORT/4,cpp,lzo"
eval "$("$BIN/pump" --startup 2> "$SCRATCH/startup.err")"
[ -n "${INCLUDE_SERVER_PID:-}" ] && DAEMON_PIDS+=("$INCLUDE_SERVER_PID")
DISTCC_LOG="$SCRATCH/pump.log" build_in "$SCRATCH/pump" "$BIN/distcc" gcc
check "pump: make succeeds" test "$(cat "$SCRATCH/pump/status")" = 0
check "pump: 4 of 4 compiles remote in pump mode (got $(grep -c 'result: remote .*mode=pump' "$SCRATCH/pump.log"))" \
  test "$(grep -c 'result: remote .*mode=pump' "$SCRATCH/pump.log")" = 4
check "pump: objects and the LTO-linked program identical to local" same_build "$SCRATCH/pump"
"$BIN/pump" --shutdown > /dev/null 2>&1
unset INCLUDE_SERVER_PORT DISTCC_HOSTS

# As a distribution starts it: root, no --cache-dir or --user (it drops to
# distcc or nobody and builds the sandbox as that user).
if [ "$(id -u)" != 0 ]; then
  skip "defaults as root: not root"
elif tree_unreachable_by nobody; then
  skip "defaults as root: nobody cannot read the build tree"
else
  start_distccd_stock || not_ok "defaults: distccd starts"
  export DISTCC_HOSTS="127.0.0.1:$PORT/4,cpp,lzo"
  eval "$("$BIN/pump" --startup 2> "$SCRATCH/startup2.err")"
  [ -n "${INCLUDE_SERVER_PID:-}" ] && DAEMON_PIDS+=("$INCLUDE_SERVER_PID")
  DISTCC_LOG="$SCRATCH/defaults.log" build_in "$SCRATCH/defaults" "$BIN/distcc" gcc
  "$BIN/pump" --shutdown > /dev/null 2>&1
  unset INCLUDE_SERVER_PORT DISTCC_HOSTS
  check "defaults (runs as $(ps -o user= -p "$DPID")): 4 of 4 compiles remote in pump mode" \
    test "$(grep -c 'result: remote .*mode=pump' "$SCRATCH/defaults.log")" = 4
  check "defaults: objects and the LTO-linked program identical to local" same_build "$SCRATCH/defaults"
fi

# A volunteer without the sandbox cannot show the directory: refused, local, identical.
start_distccd --no-sandbox || not_ok "distccd --no-sandbox starts"
DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/nosb.log" build_in "$SCRATCH/nosb" "$BIN/distcc" gcc
check "--no-sandbox: make succeeds" test "$(cat "$SCRATCH/nosb/status")" = 0
check "--no-sandbox: no compile remote, 4 local" \
  test "$(results "$SCRATCH/nosb.log" remote):$(results "$SCRATCH/nosb.log" local)" = 0:4
check "--no-sandbox: the volunteer names the reason" grep -q 'gcc -flto records the working directory.*--no-sandbox' "$DLOG"
check "--no-sandbox: said once on stderr" \
  test "$(grep -c 'refused the compile: gcc -flto records the working directory' "$SCRATCH/nosb/stderr")" = 1
check "--no-sandbox: objects and program identical to local" same_build "$SCRATCH/nosb"

# clang -flto needs no directory: still remote on that volunteer.
cd "$proj" && DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/clang.log" \
  "$BIN/distcc" clang -O2 -flto -Iinclude -c src/p1.c -o "$SCRATCH/p1-clang.o" 2> /dev/null
check "--no-sandbox: clang -flto still remote" test "$(result_of "$SCRATCH/clang.log")" = remote
cd "$SCRATCH"

# A stock volunteer compiles in a directory of its own: never given gcc -flto.
if [ -x /usr/bin/distccd ]; then
  start_debian_distccd
  DISTCC_HOSTS="127.0.0.1:$SPORT/4" DISTCC_LOG="$SCRATCH/stock.log" build_in "$SCRATCH/stock" "$BIN/distcc" gcc
  check "stock volunteer: make succeeds" test "$(cat "$SCRATCH/stock/status")" = 0
  check "stock volunteer: no gcc -flto compile sent (remote $(results "$SCRATCH/stock.log" remote))" \
    test "$(results "$SCRATCH/stock.log" remote)" = 0
  check "stock volunteer: objects and program identical to local" same_build "$SCRATCH/stock"
else
  skip "Debian's distccd not installed (apt-get install distcc)"
fi

finish
