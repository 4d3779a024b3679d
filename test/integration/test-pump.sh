#!/usr/bin/env bash
# Pump mode against a real distccd and a real include server on loopback:
# remote equals local (gcc and clang, -g), files are sent once, header
# changes are seen, diagnostics stay remote and exact, and the pump script
# starts, stops and refuses as documented.
source "$(dirname "$0")/lib.sh"

proj=$SCRATCH/proj
mkdir -p "$proj/src" "$proj/include/sub" "$proj/other"
cat > "$proj/include/util.h" <<'H'
#pragma once
#include "sub/inner.h"
#define SQUARE(x) ((x) * (x))
int util (int);
H
cat > "$proj/include/sub/inner.h" <<'H'
#pragma once
#define INNER 7
H
cat > "$proj/other/version.h" <<'H'
#define VERSION 1
H
cat > "$proj/src/a.c" <<'C'
#include <stdio.h>
#include "util.h"
#include <version.h>
int util (int v) { return SQUARE (v) + __LINE__ + INNER + VERSION; }
int main (void) { printf ("%s %d\n", __FILE__, util (3)); return 0; }
C
cat > "$proj/include/warn.h" <<'H'
static inline int warn_in_header (int x) { int unused; return x; }
H
cat > "$proj/src/warn.c" <<'C'
#include "warn.h"
int f (int x) { return warn_in_header (x); }
C
cat > "$proj/src/bad.c" <<'C'
#include "util.h"
int f (void) { return undeclared_thing + SQUARE (2); }
C

start_distccd_stock || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts on 127.0.0.1:$PORT"
# Started as root with stock defaults: it runs as distcc/nobody, with
# pump mode's store in the system-wide directory.
check "distccd dropped root (runs as $(ps -o user= -p "$DPID"))" test "$(ps -o user= -p "$DPID")" != root
check "distccd uses the system-wide store /var/cache/distccd" grep -q 'file store /var/cache/distccd' "$DLOG"
cd "$proj"

export DISTCC_HOSTS="127.0.0.1:$PORT/4,cpp,lzo"
startup_out=$("$BIN/pump" --startup 2> "$SCRATCH/startup.err")
rc=$?
check "pump --startup succeeds" test $rc = 0
eval "$startup_out"
check "pump --startup exports INCLUDE_SERVER_PORT, _PID and _DIR" \
    test -n "${INCLUDE_SERVER_PORT:-}" -a -n "${INCLUDE_SERVER_PID:-}" -a -n "${INCLUDE_SERVER_DIR:-}"
check "the include server's socket exists" test -S "${INCLUDE_SERVER_PORT:-/nonexistent}"
check "the include server is running" kill -0 "${INCLUDE_SERVER_PID:-0}"
IS_PID=${INCLUDE_SERVER_PID:-}
# Killed at exit even if a check below fails.
[ -n "$IS_PID" ] && DAEMON_PIDS+=("$IS_PID")

# compile_both NAME COMPILER ARGS...: local then through distcc into
# local/NAME and remote/NAME; sets RES (result word) and MODE (mode=...).
compile_both () {
  local name=$1 cc=$2; shift 2
  mkdir -p "local/$name" "remote/$name"
  "$cc" "$@" -o "local/$name/out.o" > "local/$name/stdout" 2> "local/$name/stderr"
  echo $? > "local/$name/status"
  rm -f "$SCRATCH/c.log"
  DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" "$cc" "$@" -o "remote/$name/out.o" \
      > "remote/$name/stdout" 2> "remote/$name/stderr"
  echo $? > "remote/$name/status"
  RES=$(result_of "$SCRATCH/c.log")
  MODE=$(grep -o 'mode=[a-z]*' "$SCRATCH/c.log" | tail -1 | cut -d= -f2)
}
same_outputs () {
  local name=$1
  { cmp -s "local/$name/out.o" "remote/$name/out.o" || { [ ! -e "local/$name/out.o" ] && [ ! -e "remote/$name/out.o" ]; }; } \
    && cmp -s "local/$name/status" "remote/$name/status" \
    && cmp -s "local/$name/stdout" "remote/$name/stdout" \
    && diff <(sed "s|local/$name|X|g" "local/$name/stderr") <(sed "s|remote/$name|X|g" "remote/$name/stderr")
}
show_diff () {
  local name=$1
  cmp "local/$name/out.o" "remote/$name/out.o" 2>&1 | sed 's/^/#   /'
  diff <(sed "s|local/$name|X|g" "local/$name/stderr") <(sed "s|remote/$name|X|g" "remote/$name/stderr") | head -20 | sed 's/^/#   /'
  sed 's/^/#   log: /' "$SCRATCH/c.log" 2>/dev/null | tail -5
}
# check_same NAME DESCRIPTION: same_outputs, with the differences on failure.
check_same () {
  if same_outputs "$1"; then ok "$2"; else not_ok "$2"; show_diff "$1"; fi
}

# gcc, -g -O2, headers found through -I, -iquote-style quotes and <> in -I.
compile_both gcc gcc -c -g -O2 -Iinclude -Iother src/a.c
check "gcc -g -O2: ran remotely (got: $RES)" test "$RES" = remote
check "gcc -g -O2: in pump mode (got: $MODE)" test "$MODE" = pump
check_same gcc "gcc -g -O2: object identical to local"

if command -v clang > /dev/null; then
  compile_both clang clang -c -g -O2 -Iinclude -Iother src/a.c
  check "clang -g -O2: ran remotely (got: $RES)" test "$RES" = remote
  check "clang -g -O2: in pump mode (got: $MODE)" test "$MODE" = pump
  check_same clang "clang -g -O2: object identical to local"
else
  skip "clang -g -O2 (clang not installed)"
fi

# A second compile of the same file: the volunteer already has every file.
mkdir -p again
rm -f "$SCRATCH/c.log"
DISTCC_VERBOSE=1 DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc -c -g -O2 -Iinclude -Iother src/a.c -o again/a.o
check "second compile: remote in pump mode" grep -q 'result: remote .*mode=pump' "$SCRATCH/c.log"
check "second compile: no file sent again" grep -Eq 'pump: [0-9]+ files in the manifest, volunteer needed 0 ' "$SCRATCH/c.log"
check "second compile: object identical to local" cmp again/a.o local/gcc/out.o

# A header changed between two compiles: the new object, identical to local.
cat > other/version.h <<'H'
#define VERSION 2
H
compile_both changed gcc -c -g -O2 -Iinclude -Iother src/a.c
check "changed header: remote in pump mode (got: $RES $MODE)" test "$RES:$MODE" = remote:pump
check "changed header: object differs from before" sh -c '! cmp -s local/changed/out.o local/gcc/out.o'
check_same changed "changed header: object identical to local after the change"

# -MD: the .d file is the one a local compile writes.
mkdir -p deps/l deps/r
gcc -c -MD -Iinclude -Iother src/a.c -o deps/l/a.o
rm -f "$SCRATCH/c.log"
DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc -c -MD -Iinclude -Iother src/a.c -o deps/r/a.o
check "-MD: remote in pump mode" grep -q 'result: remote .*mode=pump' "$SCRATCH/c.log"
check "-MD: .d file identical" diff <(sed 's|deps/l|X|' deps/l/a.d) <(sed 's|deps/r|X|' deps/r/a.d)
check "-MD: object identical" cmp deps/l/a.o deps/r/a.o

# gcc pre-includes <stdc-predef.h> (glibc's __STDC_IEC_559__, __STDC_ISO_10646__)
# even into a file that includes nothing: the volunteer must do the same.
cat > src/predef.c <<'C'
#ifdef __STDC_ISO_10646__
int iso10646 = __STDC_ISO_10646__;
#else
int iso10646 = 0;
#endif
C
compile_both predef gcc -c -O2 src/predef.c
check "no #include at all: remote in pump mode (got: $RES $MODE)" test "$RES:$MODE" = remote:pump
check_same predef "no #include at all: stdc-predef.h macros as in a local compile"

# Warnings from a header: pump mode has the real sources, so the compile
# stays remote and the text (with its source excerpt) is the local one.
compile_both warn gcc -c -Wall -Wextra -Iinclude src/warn.c
check "warning in a header: still remote in pump mode (got: $RES $MODE)" test "$RES:$MODE" = remote:pump
check_same warn "warning in a header: same object, stderr and status"
check "warning in a header: stderr not empty" test -s remote/warn/stderr

# A failing compile: same status and stderr.
compile_both bad gcc -c -Iinclude src/bad.c
check_same bad "failing compile: same status and stderr"
check "failing compile: status is non-zero" test "$(cat remote/bad/status)" != 0
DISTCC_SKIP_LOCAL_RETRY=1 compile_both bad2 gcc -c -Iinclude src/bad.c
check "DISTCC_SKIP_LOCAL_RETRY=1: remote failure kept, in pump mode (got: $RES $MODE)" test "$RES:$MODE" = remote:pump
check_same bad2 "DISTCC_SKIP_LOCAL_RETRY=1: same status and stderr"

# An include server that is gone: plain mode (or local), same object.
saved_port=$INCLUDE_SERVER_PORT
INCLUDE_SERVER_PORT=$SCRATCH/no-such-socket compile_both dead gcc -c -g -O2 -Iinclude -Iother src/a.c
check "dead include server: compile succeeds" test "$(cat remote/dead/status)" = 0
check "dead include server: not in pump mode (got: $RES ${MODE:-none})" test "${MODE:-}" != pump
check_same dead "dead include server: object identical to local"
INCLUDE_SERVER_PORT=$saved_port

# pump --shutdown stops the include server and removes its directory.
"$BIN/pump" --shutdown
rc=$?
check "pump --shutdown succeeds" test $rc = 0
check "pump --shutdown stops the include server" wait_gone "$IS_PID"
check "pump --shutdown removes INCLUDE_SERVER_DIR" test ! -e "$INCLUDE_SERVER_DIR"
# With the socket gone, distcc still compiles (plain mode) and identically.
compile_both after gcc -c -g -O2 -Iinclude -Iother src/a.c
check "after shutdown: compile succeeds, not in pump mode (got: $RES ${MODE:-none})" \
    test "$(cat remote/after/status):${MODE:-}" != 0:pump -a "$(cat remote/after/status)" = 0
check_same after "after shutdown: object identical to local"
unset INCLUDE_SERVER_PORT INCLUDE_SERVER_PID INCLUDE_SERVER_DIR

# What the server learnt survives it: the next session loads the cache file,
# and a header changed between sessions (now including a new one) is seen.
cache=$DISTCC_DIR/include-server.cache
check "shutdown saved the include server's cache ($cache)" test -s "$cache"
cat > other/version.h <<'H'
#include "extra.h"
#define VERSION (3 + EXTRA)
H
printf '#define EXTRA 4\n' > other/extra.h
# cache_session NAME LOG_PATTERN WHAT: a new pump session whose server log
# matches LOG_PATTERN, and a compile in it: remote, pump, same as local.
cache_session () {
  local name=$1 pattern=$2 what=$3
  eval "$("$BIN/pump" --startup)"
  [ -n "${INCLUDE_SERVER_PID:-}" ] && DAEMON_PIDS+=("$INCLUDE_SERVER_PID")
  check "$what: the server log says '$pattern'" wait_log "$INCLUDE_SERVER_DIR/include-server.log" "$pattern"
  compile_both "$name" gcc -c -g -O2 -Iinclude -Iother src/a.c
  check "$what: remote in pump mode (got: $RES $MODE)" test "$RES:$MODE" = remote:pump
  check_same "$name" "$what: object identical to local"
  "$BIN/pump" --shutdown
  unset INCLUDE_SERVER_PORT INCLUDE_SERVER_PID INCLUDE_SERVER_DIR
}
cache_session cached 'cache .* loaded' "second session (a header changed since the first)"
# A damaged cache costs a cold start, not a failed build.
printf 'DCCISC\377\377' > "$cache"
cache_session damaged 'not used, starting cold' "damaged cache"
check "damaged cache: replaced by a good one at shutdown" sh -c "head -c 6 '$cache' | grep -q DCCISC && test \$(stat -c %s '$cache') -gt 100"
# A session that learns nothing new (the same compile again) leaves the
# file as it was.
before=$(stat -c '%i %y' "$cache")
cache_session damaged 'cache .* loaded' "third session (nothing changed)"
check "third session: nothing new learnt, cache file not rewritten" test "$(stat -c '%i %y' "$cache")" = "$before"
# Headers rewritten with the same bytes (a kernel's generated headers after
# make clean) are seen as the same closure, and rehashing them next time is
# cheaper than rewriting the whole file: not rewritten either.
touch -d '+1 minute' other/version.h other/extra.h
cache_session damaged 'cache .* loaded' "fourth session (headers restamped, same bytes)"
check "fourth session: restamped headers alone do not rewrite the cache file" \
  test "$(stat -c '%i %y' "$cache")" = "$before"

# Without any ,cpp host, pump refuses with a clear message.
DISTCC_HOSTS="127.0.0.1:$PORT/4,lzo" "$BIN/pump" --startup > nocpp.out 2> nocpp.err
rc=$?
check "no ,cpp host: pump --startup fails" test $rc -ne 0
check "no ,cpp host: message names ,cpp" grep -q ',cpp' nocpp.err
check "no ,cpp host: stdout exports nothing and makes the eval fail" \
  sh -c '! grep -q export nocpp.out && ! eval "$(cat nocpp.out)"'
DISTCC_HOSTS="127.0.0.1:$PORT/4" "$BIN/pump" true > /dev/null 2> nocpp2.err
rc=$?
check "no ,cpp host: pump COMMAND fails too" test $rc -ne 0
check "no ,cpp host: pump COMMAND says why" grep -q ',cpp' nocpp2.err

# pump make: a build in pump mode, and make's exit status comes back.
mkdir -p mk && for i in $(seq 1 6); do printf '#include "util.h"\nint f%d (int x) { return SQUARE (x) + INNER + %d; }\n' "$i" "$i" > mk/f$i.c; done
printf 'OBJS=%s\nall: $(OBJS)\n%%.o: %%.c\n\t$(CC) -c -O2 -I../include $< -o $@\nfail:\n\texit 3\n' \
    "$(cd mk && ls ./*.c | sed 's|^\./||; s/\.c$/.o/' | tr '\n' ' ')" > mk/Makefile
rm -f "$SCRATCH/c.log"
(cd mk && DISTCC_LOG="$SCRATCH/c.log" DISTCC_PUMP_LOG="$SCRATCH/is.log" DISTCC_VERBOSE=1 \
   "$BIN/pump" make -s -j4 CC="$BIN/distcc gcc")
rc=$?
check "pump make: succeeds" test $rc = 0
check "pump make: 6 compiles, all remote in pump mode" test "$(grep -c 'result: remote .*mode=pump' "$SCRATCH/c.log")" = 6
# DISTCC_PUMP_LOG keeps the server's log; DISTCC_VERBOSE=1 logs each request.
check "DISTCC_PUMP_LOG: the log is kept after shutdown" test -s "$SCRATCH/is.log"
check "DISTCC_PUMP_LOG: its last line counts the 6 requests and the CPU" \
    grep -Eq 'served 6 requests \(0 from cached closures, 6 walked, 0 not analysed\) in [0-9.]+ s CPU' "$SCRATCH/is.log"
check "DISTCC_VERBOSE=1: one line per request, with its CPU" \
    test "$(grep -Ec 'entries for [.][.][.]f[1-6]\.c in [0-9.]+ ms, [0-9.]+ ms CPU' "$SCRATCH/is.log")" = 6
(cd mk && "$BIN/pump" make -s fail > /dev/null 2>&1)
rc=$?
check "pump make: returns make's exit status (got: $rc)" test $rc = 2
(cd mk && "$BIN/pump" sh -c 'exit 7')
rc=$?
check "pump COMMAND: returns COMMAND's exit status (got: $rc)" test $rc = 7
check "pump COMMAND: no include server left running" \
    sh -c "! ls '$TMPDIR' | grep -q distcc-pump"

finish
