#!/usr/bin/env bash
# __COUNTER__ in a preprocessor directive (issue 16; google benchmark's
# benchmark.h, met in leveldb's db_test.cc, says
# "#if defined(__COUNTER__) && (__COUNTER__ + 1 == __COUNTER__ + 0)").
# Plain mode preprocesses here with macros kept: gcc -fdirectives-only
# refuses the directive, and clang -frewrite-includes evaluates the #if
# here, so that the volunteer, compiling the rewritten text, counted from 0
# again: its object named another symbol (y0 for y2) and the client took it
# as a success. Plain mode now compiles such a file here, and says so once
# per build on stderr (the build expected remote); every object equals a
# local compile's, gcc and clang. Pump mode sends the real sources and
# compiles them remotely, identical.
source "$(dirname "$0")/lib.sh"

proj=$SCRATCH/proj
mkdir -p "$proj"
cat > "$proj/uniq.h" <<'H'
#pragma once
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2 (a, b)
#if defined(__COUNTER__) && (__COUNTER__ + 1 == __COUNTER__ + 0)
#define UNIQ(p) CAT (p, __COUNTER__)
#else
#define UNIQ(p) CAT (p, __LINE__)
#endif
H
for i in 1 2; do
  printf '#include "uniq.h"\nint UNIQ (y%d) = %d;\nint f%d (void) { return __COUNTER__; }\n' "$i" "$i" "$i" > "$proj/c$i.c"
done
printf 'int g (void) { return __COUNTER__; }\n' > "$proj/plain.c"
printf 'all: c1.o c2.o plain.o\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\nclean:\n\trm -f *.o\n' > "$proj/Makefile"

start_distccd || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts on 127.0.0.1:$PORT"
reason='__COUNTER__ in a preprocessor directive: plain mode'"'"'s preprocessing cannot keep its count (use pump mode)'

for cc in gcc clang; do
  command -v "$cc" > /dev/null || { skip "$cc not installed"; continue; }
  for f in c1 c2 plain; do (cd "$proj" && "$cc" -O2 -c $f.c -o $f.ref); done
  # A build: make -j2 in a process group of its own, plain mode.
  export DISTCC_HOSTS="127.0.0.1:$PORT/4"
  (cd "$proj" && make -s clean && setsid make -s -j2 CC="$BIN/distcc $cc" > "$SCRATCH/$cc.out" 2> "$SCRATCH/$cc.err")
  rc=$?
  sed "s/^/# $cc build: /" "$SCRATCH/$cc.err"
  check "$cc plain build succeeds" test $rc = 0
  for f in c1 c2 plain; do
    check "$cc plain: $f.o identical to a local compile" cmp -s "$proj/$f.o" "$proj/$f.ref"
  done
  n=$(grep -cF -- "$reason; compiling locally (said once per build)" "$SCRATCH/$cc.err")
  check "$cc plain: the reason said on stderr exactly once for 2 such files ($n)" test "$n" = 1
  check "$cc plain: stderr holds nothing else" test "$(wc -l < "$SCRATCH/$cc.err")" = 1

  # Each compile's result: the two with the directive local with the
  # reason, the one with __COUNTER__ only in code remote.
  for f in c1 plain; do
    rm -f "$SCRATCH/c.log"
    (cd "$proj" && DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" "$cc" -O2 -c $f.c -o $f.o 2> "$SCRATCH/one.err")
    if [ $f = c1 ]; then
      check "$cc plain: c1.c's result is local with the reason" grep -qF "result: local reason=\"$reason\"" "$SCRATCH/c.log"
    else
      check "$cc plain: plain.c (__COUNTER__ outside directives) ran remotely" test "$(result_of "$SCRATCH/c.log")" = remote
    fi
    check "$cc plain: $f.o identical" cmp -s "$proj/$f.o" "$proj/$f.ref"
  done
done

# Pump mode: the volunteer has the real sources.
export DISTCC_HOSTS="127.0.0.1:$PORT/4,cpp,lzo"
startup_out=$(cd "$proj" && "$BIN/pump" --startup 2> "$SCRATCH/startup.err")
check "pump --startup succeeds" test $? = 0
eval "$startup_out"
[ -n "${INCLUDE_SERVER_PID:-}" ] && DAEMON_PIDS+=("$INCLUDE_SERVER_PID")
for cc in gcc clang; do
  command -v "$cc" > /dev/null || continue
  for f in c1 c2; do
    rm -f "$SCRATCH/c.log"
    (cd "$proj" && "$cc" -O2 -c $f.c -o $f.ref && DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" "$cc" -O2 -c $f.c -o $f.o 2> "$SCRATCH/one.err")
    check "$cc pump: $f.c ran remotely in pump mode" grep -q 'result: remote .*mode=pump' "$SCRATCH/c.log"
    check "$cc pump: $f.o identical, nothing on stderr" sh -c "cmp -s '$proj/$f.o' '$proj/$f.ref' && ! test -s '$SCRATCH/one.err'"
  done
done
finish
