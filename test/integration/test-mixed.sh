#!/usr/bin/env bash
# Mixed clusters: a volunteer whose compiler is another binary of the same
# compiler (a one-byte-patched copy of gcc) compiles; one whose compiler is
# not the client's (gcc named clang, gcc with other defaults) is refused
# with one warning line per host and build.
source "$(dirname "$0")/lib.sh"

# A small multi-file project built with make -j.
proj=$SCRATCH/proj
mkdir -p "$proj"
for n in 1 2 3 4 5 6; do
  cat > "$proj/f$n.c" <<C
#include <stdio.h>
#include "common.h"
int f$n (int x) { return TWICE (x) + $n + (int) sizeof (struct thing); }
C
done
cat > "$proj/common.h" <<'H'
#pragma once
#define TWICE(x) ((x) * 2)
struct thing { char c; long l; };
H
cat > "$proj/Makefile" <<'M'
OBJS = f1.o f2.o f3.o f4.o f5.o f6.o
all: $(OBJS)
%.o: %.c common.h
	$(CC) $(CFLAGS) -c $< -o $@
clean:
	rm -f $(OBJS)
M
cd "$proj"

# build_with DIR CC...: make -j4 into DIR (a copy of the sources), in a new
# session (so a new build: its own process group), stderr to DIR/stderr.
build_with () {
  local dir=$1; shift
  local w=$SCRATCH/w   # one directory for every build: -g records it
  rm -rf "$w" "$dir" && mkdir -p "$w" && cp "$proj"/*.c "$proj"/*.h "$proj"/Makefile "$w"/
  (cd "$w" && setsid make -s -j4 CC="$*" CFLAGS="${BUILD_CFLAGS:--O2 -g}" > stdout 2> stderr)
  mv "$w" "$dir"
}
same_objects () {
  local a=$1 b=$2
  for n in 1 2 3 4 5 6; do cmp -s "$a/f$n.o" "$b/f$n.o" || return 1; done
}
count_results () { grep -c "result: $2 " "$1" 2>/dev/null || true; }

build_with "$SCRATCH/local-gcc" gcc
BUILD_CFLAGS=-O2 build_with "$SCRATCH/local-clang" clang   # plain mode keeps clang -g local

# (a) The volunteer's gcc is a copy of gcc with one byte of a message
# changed: another binary, the same output.
pg=$SCRATCH/patched
mkdir -p "$pg/bin" && ln -s /usr/lib "$pg/lib"   # gcc finds cc1 relative to itself
real_gcc=$(readlink -f /usr/bin/gcc)
python3 - "$real_gcc" "$pg/bin/gcc" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
i = data.find(b'Display this information')
assert i >= 0
data[i] = ord('d')
open(sys.argv[2], 'wb').write(data)
PY
chmod 755 "$pg/bin/gcc"
for n in x86_64-linux-gnu-gcc cc; do ln -s gcc "$pg/bin/$n"; done
check "patched copy differs from gcc by one byte" test "$(cmp -l "$real_gcc" "$pg/bin/gcc" | wc -l)" -eq 1

# --no-sandbox: the sandbox shows the system toolchain only, not a compiler in a scratch dir
PATH="$pg/bin:$PATH" start_distccd --no-sandbox || { not_ok "distccd with the patched gcc starts"; finish; exit 1; }
PATCHED_PORT=$PORT
rm -f "$SCRATCH/a.log"
DISTCC_HOSTS="127.0.0.1:$PATCHED_PORT/4" DISTCC_LOG="$SCRATCH/a.log" build_with "$SCRATCH/a" "$BIN/distcc" gcc
check "patched gcc on the volunteer: all 6 compiles remote (got $(count_results "$SCRATCH/a.log" remote))" \
  test "$(count_results "$SCRATCH/a.log" remote)" = 6
check "patched gcc on the volunteer: objects identical to a local build" same_objects "$SCRATCH/a" "$SCRATCH/local-gcc"
check "patched gcc on the volunteer: nothing on stderr" test ! -s "$SCRATCH/a/stderr"

# Strict mode: the binaries differ, so refused; one warning names the host
# and the reason.
rm -f "$SCRATCH/s.log"
DISTCC_COMPILER_MATCH=strict DISTCC_HOSTS="127.0.0.1:$PATCHED_PORT/4" DISTCC_LOG="$SCRATCH/s.log" \
  build_with "$SCRATCH/s" "$BIN/distcc" gcc
check "strict: all 6 compiles local" test "$(count_results "$SCRATCH/s.log" local)" = 6
check "strict: objects identical to a local build" same_objects "$SCRATCH/s" "$SCRATCH/local-gcc"
check "strict: exactly one warning line" test "$(wc -l < "$SCRATCH/s/stderr")" = 1
check "strict: the warning names host and reason" \
  grep -q "127.0.0.1:$PATCHED_PORT refused gcc.*driver binary" "$SCRATCH/s/stderr"

# (c) clang 14 client; the volunteer's "clang" is gcc under that name.
fake=$SCRATCH/fakeclang
mkdir -p "$fake/bin" && ln -s /usr/lib "$fake/lib"
cp "$real_gcc" "$fake/bin/clang"
PATH="$fake/bin:$PATH" start_distccd || { not_ok "distccd with a fake clang starts"; finish; exit 1; }
FAKE_PORT=$PORT
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$FAKE_PORT/4" DISTCC_LOG="$SCRATCH/c.log" BUILD_CFLAGS=-O2 build_with "$SCRATCH/c" "$BIN/distcc" clang
check "gcc named clang on the volunteer: all 6 compiles local" test "$(count_results "$SCRATCH/c.log" local)" = 6
check "gcc named clang: objects identical to a local clang build" same_objects "$SCRATCH/c" "$SCRATCH/local-clang"
check "gcc named clang: exactly one warning line for the build" test "$(wc -l < "$SCRATCH/c/stderr")" = 1
check "gcc named clang: warning names host, compiler and reason" \
  grep -q "distcc: warning: 127.0.0.1:$FAKE_PORT refused clang.*compiler differs in kind, version" "$SCRATCH/c/stderr"
sed "s/^/# /" "$SCRATCH/c/stderr"; grep -m3 "result:" "$SCRATCH/c.log" | sed "s/^/# /"
# Another build warns again, once.
DISTCC_HOSTS="127.0.0.1:$FAKE_PORT/4" BUILD_CFLAGS=-O2 build_with "$SCRATCH/c2" "$BIN/distcc" clang
check "the next build warns once again" test "$(wc -l < "$SCRATCH/c2/stderr")" = 1

# A volunteer gcc whose defaults differ (a wrapper adding -funsigned-char):
# same binary, different objects: refused.
uc=$SCRATCH/unsignedchar
mkdir -p "$uc"
printf '#!/bin/sh\nexec %s -funsigned-char "$@"\n' "$real_gcc" > "$uc/gcc"
chmod 755 "$uc/gcc"; ln -s gcc "$uc/x86_64-linux-gnu-gcc"
PATH="$uc:$PATH" start_distccd || { not_ok "distccd with -funsigned-char gcc starts"; finish; exit 1; }
rm -f "$SCRATCH/u.log"
DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/u.log" build_with "$SCRATCH/u" "$BIN/distcc" gcc
check "gcc with other defaults: all local" test "$(count_results "$SCRATCH/u.log" local)" = 6
check "gcc with other defaults: reason names the predefined macros" grep -q "refused gcc.*predefined macros" "$SCRATCH/u/stderr"
check "gcc with other defaults: objects identical to local" same_objects "$SCRATCH/u" "$SCRATCH/local-gcc"

# Cost of the identity: computed once per compiler and language, then read
# from DISTCC_DIR/compilers.
check "identity cached in DISTCC_DIR" sh -c "ls '$DISTCC_DIR/compilers/' | grep -q '\\.id\$'"

finish
