#!/usr/bin/env bash
# Plain mode against a real distccd on loopback: remote equals local, the
# usual ways of calling distcc, and every way a volunteer can fail.
source "$(dirname "$0")/lib.sh"

proj=$SCRATCH/proj
mkdir -p "$proj/src" "$proj/include"
cat > "$proj/include/util.h" <<'H'
#pragma once
#define SQUARE(x) ((x) * (x))
int util (int);
H
cat > "$proj/src/a.c" <<'C'
#include <stdio.h>
#include "util.h"
int util (int v) { return SQUARE (v) + __LINE__; }
int main (void) { printf ("%s %d\n", __FILE__, util (3)); return 0; }
C
cat > "$proj/src/warn.c" <<'C'
#include "util.h"
int f (int x) { int unused; return SQUARE (x); }
C
cat > "$proj/src/bad.c" <<'C'
int f (void) { return undeclared_thing; }
C

start_distccd_stock || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts on 127.0.0.1:$PORT"
# Started as root with stock defaults: it runs as distcc/nobody, with
# pump mode's store in the system-wide directory.
check "distccd dropped root (runs as $(ps -o user= -p "$DPID"))" test "$(ps -o user= -p "$DPID")" != root
check "distccd uses the system-wide store /var/cache/distccd" grep -q 'file store /var/cache/distccd' "$DLOG"
cd "$proj"

# compile_both NAME ARGS...: local then remote into local/ and remote/;
# sets RES to the client's result word.
compile_both () {
  local name=$1; shift
  mkdir -p "local/$name" "remote/$name"
  gcc "$@" -o "local/$name/out.o" > "local/$name/stdout" 2> "local/$name/stderr"
  echo $? > "local/$name/status"
  rm -f "$SCRATCH/c.log"
  DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc "$@" -o "remote/$name/out.o" \
      > "remote/$name/stdout" 2> "remote/$name/stderr"
  echo $? > "remote/$name/status"
  RES=$(result_of "$SCRATCH/c.log")
}
same_outputs () {
  local name=$1
  { cmp -s "local/$name/out.o" "remote/$name/out.o" || { [ ! -e "local/$name/out.o" ] && [ ! -e "remote/$name/out.o" ]; }; } && cmp -s "local/$name/status" "remote/$name/status" \
    && cmp -s "local/$name/stdout" "remote/$name/stdout" \
    && diff <(sed "s|local/$name|X|g" "local/$name/stderr") <(sed "s|remote/$name|X|g" "remote/$name/stderr")
}

compile_both plain -c -O2 -Iinclude src/a.c
check "plain -O2 compile ran remotely (got: $RES)" test "$RES" = remote
check "plain -O2 object identical to local" same_outputs plain

compile_both debug -c -g -O2 -Iinclude src/a.c
check "-g compile ran remotely (got: $RES)" test "$RES" = remote
check "-g object identical to local" same_outputs debug

compile_both absolute -c -g -I"$proj/include" "$proj/src/a.c"
check "absolute paths ran remotely (got: $RES)" test "$RES" = remote
check "absolute paths: object identical" same_outputs absolute

# Plain mode cannot show source excerpts from files the volunteer does not
# have, so a compile that prints diagnostics is redone here for exact text.
compile_both warn -c -Wall -Wextra -Iinclude src/warn.c
check "warnings: compiled again locally for exact diagnostics (got: $RES)" test "$RES" = fallback
check "warnings: same object, stderr and status" same_outputs warn
check "warnings: stderr not empty" test -s remote/warn/stderr

compile_both bad -c src/bad.c
check "failing compile: retried locally (got: $RES)" test "$RES" = fallback
check "failing compile: same status and stderr" same_outputs bad
check "failing compile: status is non-zero" test "$(cat remote/bad/status)" != 0
DISTCC_SKIP_LOCAL_RETRY=1 compile_both bad2 -c src/bad.c
check "DISTCC_SKIP_LOCAL_RETRY=1: remote failure kept (got: $RES)" test "$RES" = remote
check "DISTCC_SKIP_LOCAL_RETRY=1: same status" cmp local/bad2/status remote/bad2/status

# Dependency files: driver form and the kernel's -Wp form.
mkdir -p deps/l deps/r
gcc -c -MD -Iinclude src/a.c -o deps/l/a.o
DISTCC_HOSTS="127.0.0.1:$PORT/4" "$BIN/distcc" gcc -c -MD -Iinclude src/a.c -o deps/r/a.o
check "-MD: .d file matches" diff <(sed 's|deps/l|X|' deps/l/a.d) <(sed 's|deps/r|X|' deps/r/a.d)
gcc -c -Wp,-MMD,deps/l/.a.o.d -Iinclude src/a.c -o deps/l/a2.o
DISTCC_HOSTS="127.0.0.1:$PORT/4" "$BIN/distcc" gcc -c -Wp,-MMD,deps/r/.a.o.d -Iinclude src/a.c -o deps/r/a2.o
check "-Wp,-MMD: .d file matches" cmp deps/l/.a.o.d deps/r/.a.o.d

# Masquerade: a directory of links named like compilers, first on PATH.
rm -f "$SCRATCH/c.log"
PATH="$TOP/lib/distcc:$PATH" DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/c.log" \
    gcc -c -Iinclude src/a.c -o masq.o
check "masquerade: gcc on PATH goes through distcc" test "$(result_of "$SCRATCH/c.log")" = remote
gcc -c -Iinclude src/a.c -o masq-local.o
check "masquerade: identical object" cmp masq.o masq-local.o

# Implicit compiler: "distcc -c a.c" means cc.
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" -c -Iinclude src/a.c -o implicit.o
check "implicit compiler cc ran remotely" test "$(result_of "$SCRATCH/c.log")" = remote

# Local-only forms.
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc -Iinclude src/a.c -o prog
check "linking runs locally" test "$(result_of "$SCRATCH/c.log")" = local
check "linked program works" test "$(./prog)" = "src/a.c 12"
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc -E -Iinclude src/a.c -o a.i
check "-E runs locally" test "$(result_of "$SCRATCH/c.log")" = local

# A make -j build through the volunteer.
mkdir -p mk && for i in $(seq 1 12); do printf '#include "util.h"\nint f%d (int x) { return SQUARE (x) + %d; }\n' $i $i > mk/f$i.c; done
printf 'OBJS=%s\nall: $(OBJS)\n%%.o: %%.c\n\t$(CC) -c -O2 -I../include $< -o $@\n' "$(cd mk && ls *.c | sed 's/\.c$/.o/' | tr '\n' ' ')" > mk/Makefile
rm -f "$SCRATCH/c.log"
(cd mk && DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/c.log" make -s -j6 CC="$BIN/distcc gcc")
check "make -j6: 12 compiles, all remote" test "$(grep -c 'result: remote' "$SCRATCH/c.log")" = 12

# distccmon-text lists state (nothing running now: must succeed quietly).
check "distccmon-text runs" "$BIN/distccmon-text"

# Nothing listening: local, one warning, success.
dead=$(free_port)
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$dead/4" DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc -c -Iinclude src/a.c -o dead.o 2> dead.err
rc=$?
check "unreachable host: compile still succeeds" test $rc = 0
check "unreachable host: fell back locally" test "$(result_of "$SCRATCH/c.log")" = fallback
check "unreachable host: one warning" test "$(grep -c 'failed to distribute' "$SCRATCH/c.log")" = 1
check "unreachable host: object identical" cmp dead.o masq-local.o
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$dead/4" DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc -c -Iinclude src/a.c -o dead2.o 2>/dev/null
check "backed-off host is not tried again" sh -c "! grep -q 'failed to distribute' '$SCRATCH/c.log'"
DISTCC_BACKOFF_PERIOD=0 DISTCC_FALLBACK=0 DISTCC_HOSTS="127.0.0.1:$dead/4" "$BIN/distcc" gcc -c -Iinclude src/a.c -o dead3.o 2>/dev/null
check "DISTCC_FALLBACK=0: unreachable host fails the compile" test $? -ne 0

# Disallowed compiler: refused and logged, nothing executed.
python3 "$TOP/test/integration/wire.py" request 127.0.0.1 "$PORT" sh -c "touch $SCRATCH/pwned" > refused.out
check "disallowed compiler: EROR reply" grep -q 'not allowed' refused.out
check "disallowed compiler: nothing executed" test ! -e "$SCRATCH/pwned"
check "disallowed compiler: logged" grep -q "compiler 'sh' is not allowed" "$DLOG"

# Hostile bytes: the daemon answers or closes, and keeps serving.
python3 "$TOP/test/integration/wire.py" garbage 127.0.0.1 "$PORT" > /dev/null
python3 "$TOP/test/integration/wire.py" huge 127.0.0.1 "$PORT" > huge.out
check "oversized frame length refused" grep -q 'limit' huge.out
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc -c -Iinclude src/a.c -o after.o
check "daemon still serves after hostile input" test "$(result_of "$SCRATCH/c.log")" = remote

# --allow: a daemon that does not allow loopback refuses before reading.
PORT2=$(free_port)
"$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT2" --allow 10.0.0.0/8 \
    --log-file "$SCRATCH/deny.log" --user root & DAEMON_PIDS+=($!)
wait_port "$PORT2" "$!" || not_ok "a daemon allowing 10.0.0.0/8 starts"
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$PORT2/4" DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc -c -Iinclude src/a.c -o denied.o 2>/dev/null
check "connection from outside --allow: refused and logged" grep -q 'refused connection from 127.0.0.1' "$SCRATCH/deny.log"
check "connection from outside --allow: compile fell back" test "$(result_of "$SCRATCH/c.log")" = fallback

# A volunteer whose gcc is not the client's (other defaults): refused,
# compiled here. test-mixed.sh has more of these.
mkdir -p "$SCRATCH/otherbin"
printf '#!/bin/sh\nexec /usr/bin/gcc -funsigned-char "$@"\n' > "$SCRATCH/otherbin/gcc"
chmod +x "$SCRATCH/otherbin/gcc"
ln -s gcc "$SCRATCH/otherbin/x86_64-linux-gnu-gcc"
PATH="$SCRATCH/otherbin:$PATH" start_distccd
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc -c -Iinclude src/a.c -o other.o
check "different compiler on the volunteer: compiled locally" test "$(result_of "$SCRATCH/c.log")" = local
check "different compiler on the volunteer: reason says so" grep -q 'compiler differs' "$SCRATCH/c.log"
check "different compiler on the volunteer: object identical" cmp other.o masq-local.o

# SIGTERM: clean exit, no job directories left.
for p in "${DAEMON_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
check "SIGTERM leaves no temporary files" sh -c "! ls '$TMPDIR' | grep -q distccd"

# Unknown option: clear error.
"$BIN/distccd" --no-such-option > opt.out 2>&1
rc=$?
check "distccd: unknown option is an error" test $rc -ne 0
check "distccd: error names the option" grep -q 'no-such-option' opt.out
# Without --allow, distccd serves private networks with a warning, as
# stock does: see test-stock-config.sh.

finish
