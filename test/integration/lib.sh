# Shared by the integration scripts: TAP output, a scratch directory, and a
# distccd from the build tree on a free loopback port, all cleaned up by trap.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$TOP/bin
SCRATCH=$(mktemp -d /tmp/dcc-test.XXXXXX)
chmod 755 "$SCRATCH"
export DISTCC_DIR=$SCRATCH/distcc-dir
export TMPDIR=$SCRATCH/tmp
mkdir -p "$DISTCC_DIR" "$TMPDIR"
chmod 1777 "$TMPDIR"
unset DISTCC_HOSTS DISTCC_LOG DISTCC_VERBOSE DISTCC_FALLBACK INCLUDE_SERVER_PORT
tap_n=0
tap_failed=0
DAEMON_PIDS=()

cleanup () {
  for p in "${DAEMON_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${DAEMON_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

ok ()     { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok () { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
skip ()   { tap_n=$((tap_n + 1)); echo "ok $tap_n - $* # SKIP"; }
# check NAME COMMAND...: one TAP line from a command's exit status.
check () { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
finish () { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }

# Waiting: every wait is for a sign of readiness (a port that accepts, a
# socket that exists, a line in a log, a process gone), polled every 50 ms
# up to a deadline, and says what it waited for when the deadline passes.
# WAIT_SECONDS (default 60) is the deadline: generous, since a loaded
# machine is slow, and costless when things are ready at once.
WAIT_SECONDS=${WAIT_SECONDS:-60}
# wait_until WHAT COMMAND...: true as soon as COMMAND succeeds.
wait_until () {
  local what=$1; shift
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "# timed out after ${WAIT_SECONDS} s waiting for $what"
      return 1
    fi
    sleep 0.05
  done
}
# tree_unreachable_by USER: true, and says why, when USER cannot read this
# build tree (a checkout under a 0700 directory, as a Debian home is), so
# a test that runs its programs as a service user cannot.
tree_unreachable_by () {
  setpriv --reuid="$1" --regid="$(id -g "$1" 2>/dev/null || echo "$1")" --clear-groups \
      test -r "$BIN/pump" -a -r "$TOP/lib/distcc" 2>/dev/null && return 1
  echo "# user $1 cannot read the build tree $TOP (a parent directory is not searchable): chmod o+x its parents to run this"
}
# niceness_after N: the niceness nice(N) gives a process started from this
# shell (relative to ours, as stock's --nice: a suite run under nice sees more).
niceness_after () { local n=$(( $(nice) + $1 )); [ $n -gt 19 ] && n=19; echo $n; }
port_open () { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
log_has () { grep -q -- "$2" "$1" 2>/dev/null; }
gone () { ! kill -0 "$1" 2>/dev/null; }
# wait_port PORT [PID]: a listener on 127.0.0.1:PORT (and PID still alive).
wait_port () {
  local port=$1 pid=${2:-}
  wait_until "a listener on 127.0.0.1:$port" _port_or_dead "$port" "$pid" || return 1
  [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || { echo "# process $pid exited before listening on $port"; return 1; }
}
_port_or_dead () { port_open "$1" || { [ -n "$2" ] && ! kill -0 "$2" 2>/dev/null; }; }
wait_socket () { wait_until "the socket $1" test -S "$1"; }
wait_log () { wait_until "'$2' in $1" log_has "$1" "$2"; }
wait_gone () { wait_until "process $1 to exit" gone "$1"; }

free_port () {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_distccd [extra options...]: sets PORT, DPID, DLOG.
start_distccd () {
  PORT=$(free_port)
  DLOG=$SCRATCH/distccd-$PORT.log
  "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 \
      --log-file "$DLOG" --log-level debug --cache-dir "$SCRATCH/cache-$PORT" --user root "$@" &
  DPID=$!
  DAEMON_PIDS+=("$DPID")
  wait_port "$PORT" "$DPID" && wait_ready_log "$DLOG" "$DPID" && return 0
  echo "# distccd did not start; log:"; sed 's/^/#   /' "$DLOG" 2>/dev/null
  return 1
}

# start_distccd_stock [extra options...]: like start_distccd, but with the
# defaults of a stock installation: no --cache-dir and no --user, so that a
# root test run drops to distcc/nobody and uses the system-wide store
# (/var/cache/distccd). Sets PORT, DPID, DLOG.
start_distccd_stock () {
  PORT=$(free_port)
  DLOG=$SCRATCH/distccd-$PORT.log
  "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 \
      --log-file "$DLOG" --log-level debug "$@" &
  DPID=$!
  DAEMON_PIDS+=("$DPID")
  wait_port "$PORT" "$DPID" && wait_ready_log "$DLOG" "$DPID" && return 0
  echo "# distccd did not start; log:"; sed 's/^/#   /' "$DLOG" 2>/dev/null
  return 1
}

# wait_ready_log LOG [PID]: until distccd has logged that it serves (its
# socket accepts earlier, while it still probes its sandbox and opens its
# store); WAIT_SECONDS at most, gives up early if PID exits.
wait_ready_log () {
  local log=$1 pid=${2:-}
  wait_until "'listening on port' in $log" _log_or_dead "$log" "$pid" || return 1
  [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || { echo "# process $pid exited before logging 'listening on port'"; return 1; }
}
_log_or_dead () { log_has "$1" "listening on port" || { [ -n "$2" ] && ! kill -0 "$2" 2>/dev/null; }; }

# start_distccd_on PORT: a new daemon on a given port (a restart).
start_distccd_on () {
  local port=$1
  "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$port" --allow 127.0.0.1 \
      --log-file "$SCRATCH/distccd-$port.log" --log-level debug --cache-dir "$SCRATCH/cache-$port" --user root &
  DPID=$!
  DAEMON_PIDS+=("$DPID")
  wait_port "$port" "$DPID"
}

# result_of LOGFILE: the "result:" word of the last compile logged there.
result_of () { grep -o 'result: [a-z-]*' "$1" | tail -1 | cut -d' ' -f2; }

# held_compiler NAME: the compiler NAME for the web monitor tests: gcc on
# the client ($SCRATCH/cli/bin, put first on PATH); on the volunteer a
# wrapper that holds any compile of slow.c until $SCRATCH/release exists,
# allowed through $SCRATCH/cmdlist (start distccd with
# DISTCC_CMDLIST=$SCRATCH/cmdlist and --no-sandbox: the sandbox does not
# show scratch directories). A test never depends on how long a compile takes.
held_compiler () {
  local gcc_path; gcc_path=$(readlink -f "$(command -v gcc)")
  mkdir -p "$SCRATCH/cli/bin" "$SCRATCH/srv/bin"
  ln -sf "$gcc_path" "$SCRATCH/cli/bin/$1"
  cat > "$SCRATCH/srv/bin/$1" <<WRAPPER
#!/bin/sh
for a in "\$@"; do
  case \$a in *slow.c) while [ ! -e "$SCRATCH/release" ]; do sleep 0.05; done ;; esac
done
exec "$gcc_path" "\$@"
WRAPPER
  chmod +x "$SCRATCH/srv/bin/$1"
  echo "$SCRATCH/srv/bin/$1" > "$SCRATCH/cmdlist"
  export PATH=$SCRATCH/cli/bin:$PATH
}

# need_chromium: sets CHROMIUM, or skips the whole test (with the reason).
need_chromium () {
  CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
  [ -n "$CHROMIUM" ] && return 0
  skip "headless Chromium not installed (Debian package chromium; .ci/run installs it)"
  finish; exit 0
}

# chrome URL ARGS...: headless Chromium (CHROMIUM) on URL with ARGS
# (--dump-dom, --screenshot=FILE), scripts given 3 s of virtual time.
chrome () {
  local url=$1; shift
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$SCRATCH/chrome" --virtual-time-budget=3000 --window-size=1100,800 "$@" \
    "$url" 2>> "$SCRATCH/chrome.err"
}

# stock_project DIR [c++]: the project of the stock-protocol tests in DIR:
# s1.c..s6.c (and, with "c++", w1.cc and w2.cc) including inc/defs.h, and a
# Makefile that builds them -O2 $(DBG) -Iinc -DUNUSED=1 -MD. Sets OBJS (the
# objects' base names).
stock_project () {
  local dir=$1 cxx=${2:-} n
  OBJS="s1 s2 s3 s4 s5 s6"
  mkdir -p "$dir/inc"
  for n in 1 2 3 4 5 6; do
    cat > "$dir/s$n.c" <<C
#include <string.h>
#include "defs.h"
static const char tag[] = __FILE__;
int s$n (const char *p) { return (int) strlen (p) * SCALE + $n + (int) sizeof tag + UNUSED; }
C
  done
  if [ -n "$cxx" ]; then
    OBJS="$OBJS w1 w2"
    for n in 1 2; do
      cat > "$dir/w$n.cc" <<C
#include <string>
#include <vector>
#include "defs.h"
int w$n (const std::vector<std::string> &v) { int t = 0; for (auto &s : v) t += (int) s.size () * SCALE; return t + $n; }
C
    done
  fi
  echo '#define SCALE 3' > "$dir/inc/defs.h"
  cat > "$dir/Makefile" <<M
OBJS = $(for n in $OBJS; do printf '%s.o ' "$n"; done)
all: \$(OBJS)
%.o: %.c inc/defs.h
	\$(CC) -O2 \$(DBG) -Iinc -DUNUSED=1 -MD -c \$< -o \$@
%.o: %.cc inc/defs.h
	\$(CXX) -O2 \$(DBG) -Iinc -DUNUSED=1 -MD -c \$< -o \$@
M
}

# util_project DIR LOCAL: the small project of the service tests in DIR:
# f1.c..f3.c including include/util.h, a Makefile that builds them -O2
# -Iinclude with $(CC); and each object compiled locally as LOCAL-fN.o.
util_project () {
  local dir=$1 local=$2 i
  mkdir -p "$dir/include"
  printf '#pragma once\n#define TWICE(x) ((x) * 2)\n' > "$dir/include/util.h"
  for i in 1 2 3; do printf '#include "util.h"\nint f%d (int x) { return TWICE (x) + %d; }\n' $i $i > "$dir/f$i.c"; done
  printf 'all: f1.o f2.o f3.o\n%%.o: %%.c\n\t$(CC) -c -O2 -Iinclude $< -o $@\n' > "$dir/Makefile"
  for i in 1 2 3; do gcc -c -O2 -I"$dir/include" "$dir/f$i.c" -o "$local-f$i.o"; done
}

# build_project PROJ DIR CC CXX [VAR=VALUE...]: make -s -j4 (run by
# $MAKE_WRAP, if set) with the variables in its environment, in a copy of
# PROJ at one fixed path (a build records it); the tree, with its stdout and
# stderr, is left in DIR.
build_project () {
  local proj=$1 dir=$2 cc=$3 cxx=$4; shift 4
  local w=$SCRATCH/w
  rm -rf "$w" "$dir" && mkdir -p "$w" && cp -r "$proj"/* "$w"/
  (cd "$w" && env "$@" setsid ${MAKE_WRAP:-} make -s -j4 CC="$cc" CXX="$cxx" > stdout 2> stderr)
  mv "$w" "$dir"
}

# start_debian_distccd: Debian's stock distccd (/usr/bin/distccd) on a
# free loopback port, 4 jobs; sets SPORT, SLOG.
start_debian_distccd () {
  SPORT=$(free_port)
  SLOG=$SCRATCH/stock-$SPORT.log
  : > "$SLOG"; chmod 666 "$SLOG"   # it runs as the user distccd
  /usr/bin/distccd --no-detach --daemon --listen 127.0.0.1 --port "$SPORT" --allow 127.0.0.1 \
      --log-file "$SLOG" --log-level info --jobs 4 &
  DAEMON_PIDS+=($!)
  wait_port "$SPORT" $!
}
