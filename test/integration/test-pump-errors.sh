#!/usr/bin/env bash
# Genuine compile errors in pump mode (issue 16, item 1): the closure is
# exact, so the volunteer's failure is the answer. Each failing compile
# (syntax error, -Werror, missing header, computed #include of a missing
# name, __has_include miss + #error) runs once on the volunteer and nowhere
# else, and the client's stderr and exit status are the local compiler's,
# byte for byte, with DISTCC_LOG unset (as a developer runs it: anything
# distcc says goes to stderr). When the closure is not provably complete (a
# precompiled header beside a header) or the volunteer's own trouble made
# the compile fail, the compile is redone locally, silently: counted in
# DISTCC_DIR/pump-retries, never printed.
source "$(dirname "$0")/lib.sh"

proj=$SCRATCH/proj
mkdir -p "$proj/src" "$proj/inc"
cd "$proj" || exit 1
printf 'struct s { int a; };\n' > inc/decl.h
printf '#include "decl.h"\nint f (struct s *p) { return p->nope + undeclared; }\n' > src/syntax.c
printf 'int f (void) { int unused; return 0; }\n' > src/werror.c
printf '#include "decl.h"\n#include "not_there.h"\nint x;\n' > src/missing.c
printf '#define STR_(x) #x\n#define STR(x) STR_(x)\n#include STR(VARIANT.h)\nint x;\n' > src/computed.c
cat > src/hasinc.c <<'C'
#include "decl.h"
#warning "checking the configuration"
#if __has_include("config.h")
# include "config.h"
#else
# error "config.h is missing"
#endif
C
printf '#include "pch.h"\nint f (void) { return undeclared_too; }\n' > src/withpch.c
printf 'int from_pch_header;\n' > inc/pch.h

start_distccd || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts on 127.0.0.1:$PORT"
export DISTCC_HOSTS="127.0.0.1:$PORT/4,cpp,lzo"
startup_out=$("$BIN/pump" --startup 2> "$SCRATCH/startup.err")
check "pump --startup succeeds" test $? = 0
eval "$startup_out"
[ -n "${INCLUDE_SERVER_PID:-}" ] && DAEMON_PIDS+=("$INCLUDE_SERVER_PID")
check "the include server's socket exists" test -S "${INCLUDE_SERVER_PORT:-/nonexistent}"

# jobs_for FILE: how many compiles of FILE the volunteer logged.
jobs_for () { grep -c "compiled \([^ ]*/\)\?$1 for " "$DLOG"; }
retries () { [ -f "$DISTCC_DIR/pump-retries" ] && wc -l < "$DISTCC_DIR/pump-retries" || echo 0; }

# fails_alike NAME CC ARGS...: local, then distcc with DISTCC_LOG unset.
fails_alike () {
  local name=$1 cc=$2; shift 2
  local src=${*: -1}
  local base; base=$(basename "$src")
  rm -rf "l-$name" "r-$name"; mkdir -p "l-$name" "r-$name"
  "$cc" "$@" -o "l-$name/a.o" > "l-$name/out" 2> "l-$name/err"; echo $? > "l-$name/rc"
  local before_jobs before_retries
  before_jobs=$(jobs_for "$base"); before_retries=$(retries)
  "$BIN/distcc" "$cc" "$@" -o "r-$name/a.o" > "r-$name/out" 2> "r-$name/err"; echo $? > "r-$name/rc"
  # the volunteer logs the job before it sends the reply
  JOBS=$(( $(jobs_for "$base") - before_jobs ))
  RETRIED=$(( $(retries) - before_retries ))
  check "$name: the local compile fails (status $(cat "l-$name/rc"))" test "$(cat "l-$name/rc")" != 0
  check "$name: exit status as local" cmp -s "l-$name/rc" "r-$name/rc"
  if cmp -s "l-$name/err" "r-$name/err"; then ok "$name: stderr byte-identical to the local compiler's"
  else not_ok "$name: stderr differs:"; diff "l-$name/err" "r-$name/err" | head -n 8 | sed 's/^/#   /'; fi
  check "$name: no object left" test ! -e "r-$name/a.o"
  # Once more with DISTCC_LOG, for the client's result line: where it ran.
  rm -f "$SCRATCH/r.log"
  DISTCC_LOG=$SCRATCH/r.log "$BIN/distcc" "$cc" "$@" -o "r-$name/a.o" > /dev/null 2>&1
  RESULT=$(result_of "$SCRATCH/r.log")
}

for cc in gcc clang; do
  fails_alike "$cc syntax error" "$cc" -c -Iinc src/syntax.c
  check "$cc syntax error: the result is the remote compile's (result: $RESULT)" test "$RESULT" = remote
  check "$cc syntax error: one remote compile ($JOBS), no local retry ($RETRIED)" test "$JOBS" = 1 -a "$RETRIED" = 0
  fails_alike "$cc -Werror" "$cc" -c -Wall -Werror src/werror.c
  check "$cc -Werror: the result is the remote compile's (result: $RESULT)" test "$RESULT" = remote
  check "$cc -Werror: one remote compile ($JOBS), no local retry ($RETRIED)" test "$JOBS" = 1 -a "$RETRIED" = 0
  fails_alike "$cc missing header" "$cc" -c -Iinc src/missing.c
  check "$cc missing header: the result is the remote compile's (result: $RESULT)" test "$RESULT" = remote
  check "$cc missing header: one remote compile ($JOBS), no local retry ($RETRIED)" test "$JOBS" = 1 -a "$RETRIED" = 0
  fails_alike "$cc computed include of a missing name" "$cc" -c -Iinc -DVARIANT=beta src/computed.c
  check "$cc computed include: the result is the remote compile's (result: $RESULT)" test "$RESULT" = remote
  check "$cc computed include: one remote compile ($JOBS), no local retry ($RETRIED)" test "$JOBS" = 1 -a "$RETRIED" = 0
  fails_alike "$cc __has_include miss and #error" "$cc" -c -Iinc src/hasinc.c
  check "$cc __has_include miss: the result is the remote compile's (result: $RESULT)" test "$RESULT" = remote
  check "$cc __has_include miss: one remote compile ($JOBS), no local retry ($RETRIED)" test "$JOBS" = 1 -a "$RETRIED" = 0
done

# Not provably complete: a precompiled header beside a header (the local
# compiler may use it, the volunteer gets the header). The remote failure
# is then checked locally: still only the compiler's own stderr.
gcc -x c-header inc/pch.h -o inc/pch.h.gch
fails_alike "gcc beside a .gch" gcc -c -Iinc src/withpch.c
check "beside a .gch: retried locally after one remote compile ($JOBS), counted ($RETRIED), result: $RESULT" test "$JOBS" = 1 -a "$RETRIED" = 1 -a "$RESULT" = fallback
check "beside a .gch: DISTCC_DIR/pump-retries names the file and the reason" \
  grep -q 'src/withpch.c status=1 .*pch.h.gch exists' "$DISTCC_DIR/pump-retries"
rm -f inc/pch.h.gch

# The volunteer's own trouble: a volunteer whose compiles get 40 MiB of
# address space (--job-memory 40) fails every compile (cc1 cannot even
# load: "error while loading shared libraries", status 1); the client
# redoes it locally, silently.
start_distccd --job-memory 40 || { not_ok "second distccd starts"; finish; exit 1; }
DISTCC_HOSTS="127.0.0.1:$PORT/4,cpp,lzo" fails_alike "gcc on a volunteer short of memory" gcc -c -Iinc src/syntax.c
check "volunteer short of memory: one remote compile ($JOBS), retried locally ($RETRIED)" test "$JOBS" = 1 -a "$RETRIED" = 1
check "volunteer short of memory: the reason is counted" grep -q 'error while loading shared libraries' "$DISTCC_DIR/pump-retries"

"$BIN/pump" --shutdown >/dev/null 2>&1
finish
