#!/usr/bin/env bash
# Cross compiling as the ArchWiki does it: the client sends the
# target-qualified compiler name; a volunteer on its own port whose command
# list (DISTCC_CMDLIST) offers the cross compiler compiles an aarch64
# build, identical to a local cross build; a volunteer without it refuses,
# with one warning line for the build.
source "$(dirname "$0")/lib.sh"

CROSS=aarch64-linux-gnu-gcc
if ! command -v $CROSS > /dev/null; then
  skip "$CROSS not installed (apt-get install gcc-aarch64-linux-gnu)"; finish; exit 0
fi
# gcc-aarch64-linux-gnu only recommends the target's C library headers:
# installed without recommends it cannot compile <stdint.h>.
if ! echo '#include <stdint.h>' | $CROSS -x c -c - -o /dev/null 2>/dev/null; then
  skip "$CROSS has no C library headers (apt-get install libc6-dev-arm64-cross)"; finish; exit 0
fi

proj=$SCRATCH/proj
mkdir -p "$proj"
for n in 1 2 3 4 5; do
  cat > "$proj/m$n.c" <<C
#include <stdint.h>
#include "m.h"
uint64_t m$n (uint64_t x) { return MIX (x, $n) ^ (uint64_t) sizeof (long double); }
C
done
cat > "$proj/m.h" <<'H'
#pragma once
#define MIX(x, k) (((x) << (k)) | ((x) >> (64 - (k))))
H
cat > "$proj/Makefile" <<'M'
OBJS = m1.o m2.o m3.o m4.o m5.o
all: $(OBJS)
%.o: %.c m.h
	$(CC) -O2 -g -c $< -o $@
M

# build_with DIR CC...: make -j4 in one fixed directory (-g records it), a
# new session each (a new build), then moved to DIR.
build_with () {
  local dir=$1; shift
  local w=$SCRATCH/w
  rm -rf "$w" "$dir" && mkdir -p "$w" && cp "$proj"/* "$w"/
  (cd "$w" && setsid make -s -j4 CC="$*" > stdout 2> stderr)
  mv "$w" "$dir"
}
same_objects () {
  for n in 1 2 3 4 5; do cmp -s "$1/m$n.o" "$2/m$n.o" || return 1; done
}
count_results () { grep -c "result: $2 " "$1" 2>/dev/null || true; }

build_with "$SCRATCH/local" $CROSS
check "local cross build makes aarch64 objects" sh -c "file '$SCRATCH/local/m1.o' | grep -q aarch64"

# The volunteers' PATH holds the native gcc only: the cross compiler is
# reachable only through the command list.
nocross=$SCRATCH/nocross
mkdir -p "$nocross"
for p in gcc x86_64-linux-gnu-gcc cc as ld; do ln -s "$(command -v $p)" "$nocross/$p"; done
echo "/usr/bin/$CROSS" > "$SCRATCH/cmdlist"

# start_with_path PATH [ENV=VALUE...]: a volunteer whose PATH is PATH; sets PORT, DLOG.
start_with_path () {
  local path=$1; shift
  PORT=$(free_port)
  DLOG=$SCRATCH/distccd-$PORT.log
  env PATH="$path" "$@" "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" \
      --allow 127.0.0.1 --log-file "$DLOG" --log-level debug --cache-dir "$SCRATCH/cache-$PORT" --user root \
      --no-sandbox &   # PATH holds scratch links, which the sandbox does not show
  DAEMON_PIDS+=($!)
  for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# The aarch64 volunteer, on its own port.
start_with_path "$nocross" DISTCC_CMDLIST="$SCRATCH/cmdlist" \
  || { not_ok "aarch64 volunteer starts"; finish; exit 1; }
ARM_PORT=$PORT ARM_LOG=$DLOG
rm -f "$SCRATCH/x.log"
DISTCC_HOSTS="127.0.0.1:$ARM_PORT/4" DISTCC_LOG="$SCRATCH/x.log" build_with "$SCRATCH/x" "$BIN/distcc" $CROSS
check "cross build through the volunteer's command list: all 5 remote (got $(count_results "$SCRATCH/x.log" remote))" \
  test "$(count_results "$SCRATCH/x.log" remote)" = 5
check "cross build: objects identical to a local cross build" same_objects "$SCRATCH/x" "$SCRATCH/local"
check "cross build: nothing on stderr" test ! -s "$SCRATCH/x/stderr"
check "volunteer ran $CROSS" grep -q "with $CROSS" "$ARM_LOG"

# The client names the native compiler "gcc": it is sent target-qualified.
build_with "$SCRATCH/native-local" gcc
DISTCC_HOSTS="127.0.0.1:$ARM_PORT/4" build_with "$SCRATCH/native" "$BIN/distcc" gcc
check "gcc is sent as x86_64-linux-gnu-gcc" grep -q "with x86_64-linux-gnu-gcc in" "$ARM_LOG"
check "native build through it: identical" same_objects "$SCRATCH/native" "$SCRATCH/native-local"
: > "$ARM_LOG"
DISTCC_NO_REWRITE_CROSS=1 DISTCC_HOSTS="127.0.0.1:$ARM_PORT/4" build_with "$SCRATCH/norewrite" "$BIN/distcc" gcc
check "DISTCC_NO_REWRITE_CROSS=1 sends gcc as it is" sh -c "grep -q 'with gcc in' '$ARM_LOG' && ! grep -q 'with x86_64' '$ARM_LOG'"

# A volunteer without the cross compiler: refused, local, one warning.
start_with_path "$nocross" || { not_ok "volunteer without the cross compiler starts"; finish; exit 1; }
rm -f "$SCRATCH/n.log"
DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/n.log" build_with "$SCRATCH/n" "$BIN/distcc" $CROSS
check "volunteer without $CROSS: all 5 local" test "$(count_results "$SCRATCH/n.log" local)" = 5
check "volunteer without $CROSS: objects identical" same_objects "$SCRATCH/n" "$SCRATCH/local"
check "volunteer without $CROSS: exactly one warning line" test "$(wc -l < "$SCRATCH/n/stderr")" = 1
check "the warning names host, compiler and reason" \
  grep -q "127.0.0.1:$PORT refused $CROSS.*compiler '$CROSS' is" "$SCRATCH/n/stderr"
sed 's/^/# /' "$SCRATCH/n/stderr"

finish
