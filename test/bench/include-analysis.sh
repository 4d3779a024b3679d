#!/bin/bash
# include-analysis.sh: pump mode's include analysis over the translation
# units of a project, with their exact compile commands: Linux 6.1
# tinyconfig (the .cmd files of a built tree; the default), this
# repository's own sources (make -Bn in a snapshot of HEAD), googletest
# with its tests (C++, CMake: Debian's /usr/src/googletest, configured with
# CMAKE_EXPORT_COMPILE_COMMANDS), git (C: Debian 12's source package, its
# objects as `make -n all` lists them), leveldb (C++, CMake: Debian 12's
# source package, with its tests) or any compile_commands.json. See README,
# "Include analysis".
#
#   test/bench/include-analysis.sh [--project kernel|ours|googletest|git|leveldb]
#                                  [--compdb FILE] [--tus N] [--passes N]
#                                  [--cost-runs N] [--only-cost] [--no-stock]
#                                  [--no-verify] [--drop-caches]
#
#  1. completeness: bin/include-server --verify -- gcc ARGS for every unit
#     (its closure against gcc -M: files missing must be 0; files in excess
#     are counted), with the per-unit cold time it prints;
#  2. throughput: one include server on a socket, is-client (is-client.c,
#     built here against build/libshared.a) sends every unit as the distcc
#     client does: pass 1 cold (fresh server), later passes warm; then the
#     same with 2 client threads on a fresh server;
#  3. Debian 12's stock include server (distcc-pump) on a few units: it
#     fails under Python 3.11; its error is recorded, not patched.
#  4. cost per compile (issue 20), --cost-runs times on fresh servers: the
#     include server's CPU (all threads, from its start) for a first build
#     without a cache file, for a second pass with its memory warm, and for
#     a first build of a fresh server started from the cache file the first
#     one saved on exit; medians, in ms per unit.
#
# Needs our build (./configure && make), for the kernel a built kernel tree
# (kernel.sh makes /var/tmp/dcc-bench/linux-source-6.1; it is hard-linked,
# not modified), for googletest the googletest package and cmake, for git
# and leveldb their Debian sources in $DCC_BENCH_DIR/src (see usage), and,
# for step 3, the distcc-pump package.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

BENCH=${DCC_BENCH_DIR:-/var/tmp/dcc-bench}
SRC=$BENCH/linux-source-6.1
# Debian 12's sources (deb-src for bookworm, dpkg-dev; apt-get source git leveldb).
GIT_SRC=$BENCH/src/git-2.39.5
LEVELDB_SRC=$BENCH/src/leveldb-1.23
W=${DCC_CLUSTER_DIR:-/var/tmp/dcc-cluster}
COMPILER=x86_64-linux-gnu-gcc
TUS=0
PASSES=3
VERIFY=1
DROP=0
STOCK_TUS=10
PROJECT=kernel
COMPDB=
COST_RUNS=3
ONLY_COST=0
STOCK=1

usage () {
  cat <<EOT
Usage: $0 [--project kernel|ours|googletest|git|leveldb] [--compdb FILE] [--tus N]
          [--passes N] [--cost-runs N] [--only-cost] [--no-verify] [--drop-caches]
  --project P    kernel (default), ours (this repository's sources at HEAD),
                 googletest (Debian's /usr/src/googletest with its tests),
                 git (C, Debian 12's source in $GIT_SRC: its objects as
                 make -n all lists them, after generating its headers) or
                 leveldb (C++, CMake: Debian 12's source in $LEVELDB_SRC,
                 with its tests). For those two, as root:
                   echo 'deb-src http://deb.debian.org/debian bookworm main' >
                     /etc/apt/sources.list.d/deb-src.list   (one line)
                   apt-get update && apt-get install -y dpkg-dev
                   mkdir -p $BENCH/src && cd $BENCH/src && apt-get source git leveldb
  --compdb FILE  the units of a compile_commands.json instead
  --tus N        the first N translation units only (default: all)
  --passes N     passes over the units per include server (default $PASSES:
                 one cold, the rest warm)
  --cost-runs N  runs of step 4, cost per compile (default $COST_RUNS; 0 skips it)
  --only-cost    step 4 only (and step 3, the stock include server)
  --no-stock     skip step 3 (stock's remote compiles of big C++ units are slow)
  --no-verify    skip the --verify pass (completeness against gcc -M)
  --drop-caches  drop the kernel's page cache before each cold pass (as
                 root; slows everything else on the machine)
EOT
}

while [ $# -gt 0 ]; do
  case "$1" in
    --tus) TUS=$2; shift ;;
    --project) PROJECT=$2; shift ;;
    --compdb) COMPDB=$(realpath "$2"); PROJECT=compdb; shift ;;
    --cost-runs) COST_RUNS=$2; shift ;;
    --only-cost) ONLY_COST=1; VERIFY=0 ;;
    --no-stock) STOCK=0 ;;
    --passes) PASSES=$2; shift ;;
    --no-verify) VERIFY=0 ;;
    --drop-caches) DROP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

die () { echo "include-analysis.sh: $*" >&2; exit 1; }
note () { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

export LC_ALL=C
[ -x "$top/bin/include-server" ] && [ -f "$top/build/libshared.a" ] || die "./configure && make first"
case "$PROJECT" in
  kernel)
    [ -f "$W/tree/init/.main.o.cmd" ] || ls "$SRC"/init/.main.o.cmd >/dev/null 2>&1 ||
      die "no built kernel tree at $SRC: run kernel.sh first" ;;
  googletest)
    [ -f /usr/src/googletest/CMakeLists.txt ] || die "no /usr/src/googletest (apt-get install googletest)"
    command -v cmake > /dev/null || die "no cmake (apt-get install cmake)" ;;
  git)
    [ -f "$GIT_SRC/Makefile" ] || die "no git source at $GIT_SRC (--help says how)" ;;
  leveldb)
    [ -f "$LEVELDB_SRC/CMakeLists.txt" ] || die "no leveldb source at $LEVELDB_SRC (--help says how)"
    command -v cmake > /dev/null || die "no cmake (apt-get install cmake)" ;;
  ours|compdb) ;;
  *) usage >&2; exit 2 ;;
esac

stamp=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$here/results/include-$PROJECT-$stamp
mkdir -p "$OUT"
# Private copies: a make in the tree during the run must not swap them.
# DCC_IA_INCLUDE_SERVER: another build's include server (before/after figures).
cp "${DCC_IA_INCLUDE_SERVER:-$top/bin/include-server}" "$OUT/include-server"
cp "$top/build/libshared.a" "$OUT/"
IS=$OUT/include-server

# compdb_commands FILE: "CWD<TAB>COMMAND" from a compile_commands.json
# ("command" as is, "arguments" quoted for the shell).
compdb_commands () {
  python3 -c '
import json, shlex, sys
for e in json.load(open(sys.argv[1])):
    cmd = e.get("command") or shlex.join(e["arguments"])
    print("%s\t%s" % (e["directory"], cmd))' "$1"
}

# The requests: "CWD<TAB>COMMAND" as the distcc client would send them.
case "$PROJECT" in
  kernel)
    mkdir -p "$W"
    if [ ! -f "$W/tree/Makefile" ]; then
      note "hard-linking $SRC to $W/tree"
      rm -rf "$W/tree"; cp -al "$SRC" "$W/tree"
    fi
    TREE=$W/tree
    # (-Wp,-MMD,... dropped: the depfile is not the include server's business.)
    (cd "$TREE" && find . -name '.*.o.cmd' -not -path './scripts/*' -not -path './tools/*' -print0 |
       sort -z | xargs -0 -n50 head -qn1) |
    sed -n "s/^cmd_[^ ]* := .*$COMPILER //p" |
    awk -v cwd="$TREE" -v cc="$COMPILER" '{ sub(/[ \t]+$/, "") } $NF ~ /\.c$/ && / -c / {
           line = $0; gsub(/-Wp,-MMD,[^ ]* /, "", line)
           printf "%s\t%s %s\n", cwd, cc, line }' > "$OUT/commands.all"
    UNITS_WHAT="C translation units of Linux 6.1 tinyconfig" ;;
  ours)
    # A snapshot of HEAD with this build's config.mak: every compile make
    # would run from scratch (make -Bn), in the snapshot's top directory.
    TREE=$W/ours-src
    rm -rf "$TREE"; mkdir -p "$TREE"
    (cd "$top" && git archive HEAD) | tar -x -C "$TREE"
    cp "$top/config.mak" "$TREE/"; cp "$TREE/Makefile.in" "$TREE/Makefile"   # as ./configure does
    (cd "$TREE" && make -Bn 2>/dev/null) | grep -E '^(cc|gcc|clang) .* -c ' |
      awk -v cwd="$TREE" '{ printf "%s\t%s\n", cwd, $0 }' > "$OUT/commands.all"
    UNITS_WHAT="C translation units of this repository at $(cd "$top" && git rev-parse --short HEAD) (make -Bn)" ;;
  googletest)
    TREE=$W/googletest-build
    rm -rf "$TREE"
    cmake -S /usr/src/googletest -B "$TREE" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
      -Dgtest_build_tests=ON -Dgmock_build_tests=ON > "$OUT/cmake.log" 2>&1 || die "cmake failed: $OUT/cmake.log"
    compdb_commands "$TREE/compile_commands.json" > "$OUT/commands.all"
    UNITS_WHAT="C++ translation units of googletest $(dpkg-query -W -f '${Version}' googletest 2>/dev/null) with its tests (CMake)" ;;
  git)
    # In place: the headers make generates first (command-list.h, ...), then
    # every object compile of `make -n all` (the dependency-file options
    # dropped, as for the kernel).
    TREE=$GIT_SRC
    (cd "$TREE" && make command-list.h config-list.h hook-list.h GIT-CFLAGS GIT-PREFIX) > "$OUT/git-gen.log" 2>&1 ||
      die "git's generated headers: $OUT/git-gen.log"
    (cd "$TREE" && make -n all 2>/dev/null) | tr ';' '\n' | grep -E '^cc -o [^ ]*\.o -c ' |
      sed -E 's/ -MF [^ ]+ -MQ [^ ]+ -MMD -MP / /' |
      awk -v cwd="$TREE" '{ printf "%s\t%s\n", cwd, $0 }' > "$OUT/commands.all"
    UNITS_WHAT="C translation units of git $(dpkg-parsechangelog -l "$TREE/debian/changelog" -S Version 2>/dev/null) (Debian 12's source, make -n all)" ;;
  leveldb)
    TREE=$W/leveldb-build
    rm -rf "$TREE"
    cmake -S "$LEVELDB_SRC" -B "$TREE" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DLEVELDB_BUILD_BENCHMARKS=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$OUT/cmake.log" 2>&1 || die "cmake failed: $OUT/cmake.log"
    compdb_commands "$TREE/compile_commands.json" > "$OUT/commands.all"
    UNITS_WHAT="C++ translation units of leveldb 1.23 with its tests (Debian 12's source, CMake)" ;;
  compdb)
    compdb_commands "$COMPDB" > "$OUT/commands.all"
    UNITS_WHAT="translation units of $COMPDB" ;;
esac
if [ "$TUS" -gt 0 ]; then head -n "$TUS" "$OUT/commands.all"; else cat "$OUT/commands.all"; fi > "$OUT/commands.txt"
rm -f "$OUT/commands.all"
N=$(wc -l < "$OUT/commands.txt")
[ "$N" -gt 0 ] || die "no compile commands found"

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command: $0 --project $PROJECT --tus $TUS --passes $PASSES --cost-runs $COST_RUNS$([ "$ONLY_COST" = 1 ] && echo ' --only-cost')"
  echo "host: $(uname -sr), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "ours: $(cd "$top" && git describe --always --dirty 2>/dev/null || echo unknown)," \
       "bin/include-server sha256 $(sha256sum "$IS" | cut -c1-16)"
  echo "units: $N $UNITS_WHAT"
  echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (nice $(nice); the machine may be shared)"
} > "$OUT/info.txt"
cat "$OUT/info.txt" >&2

drop_caches () {
  if [ "$DROP" = 1 ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi
}

# --- 1. completeness against gcc -M --------------------------------------------
if [ "$VERIFY" = 1 ]; then
  note "verify: $N units, one include-server --verify process each"
  drop_caches
  : > "$OUT/verify.txt"
  i=0
  t0=$(date +%s.%N)
  while IFS=$'\t' read -r cwd cmd; do
    i=$((i + 1))
    src=${cmd##* }
    {
      echo "== $src"
      (cd "$cwd" && eval "\"$IS\" --verify -- $cmd" 2>&1) || echo "status $?"
    } >> "$OUT/verify.txt"
  done < "$OUT/commands.txt"
  t1=$(date +%s.%N)
  awk -v wall="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" '
    /^== / { n++ }
    /^closure: / { split($0, f, /[ ;(,]+/)
                   files += $2; cold[++c] = $0; sub(/.*cold /, "", cold[c]); sub(/ ms.*/, "", cold[c])
                   cpu = $0; sub(/.*cpu /, "", cpu); sub(/ ms.*/, "", cpu); cpus[c] = cpu
                   cached = $0; sub(/.*cached /, "", cached); sub(/ ms.*/, "", cached); cach[c] = cached }
    /^compiler lists / { m = $0; sub(/.*missing /, "", m); sub(/,.*/, "", m); miss += m
                         x = $0; sub(/.*extra /, "", x); extra += x; gl = $3; gccfiles += gl
                         if (m > 0) bad++ }
    /^status / { failed++ }
    function median(a, k,   i, j, t) {
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return k ? (k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2) : 0 }
    END {
      printf "verify: %d units, %d analysed, %d with missing files (%d files missing in all), %d non-zero exits\n",
             n, c, bad + 0, miss + 0, failed + 0
      printf "verify: gcc -M lists %.0f files per unit on average; our closures %.0f (%.0f in excess per unit, %.1f%%)\n",
             gccfiles / (c ? c : 1), files / (c ? c : 1), extra / (c ? c : 1), 100 * extra / (gccfiles ? gccfiles : 1)
      mc = median(cold, c); mu = median(cpus, c); mh = median(cach, c)
      printf "verify: per unit in a fresh process: median cold %.1f ms wall, %.1f ms CPU; median repeat (cached) %.2f ms\n", mc, mu, mh
      printf "verify: whole pass %.1f s (includes gcc -M and process start per unit)\n", wall
    }' "$OUT/verify.txt" | tee "$OUT/verify-summary.txt"
fi

# --- 2. throughput through the socket protocol ---------------------------------
note "building is-client"
IS_CLIENT=$OUT/is-client
# shellcheck disable=SC2046
cc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
   $(pkg-config --cflags glib-2.0) -I"$top/shared" -o "$IS_CLIENT" "$here/is-client.c" \
   "$OUT/libshared.a" $(pkg-config --libs gio-2.0 glib-2.0) -llz4 -lxxhash -pthread

SERVER_PID=
stop_server () {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=
}
trap stop_server EXIT

# run_server THREADS TAG: a fresh include server, PASSES passes.
run_server () {
  local threads=$1 tag=$2 sock=$OUT/$2.sock i=0
  stop_server
  rm -f "$sock"
  drop_caches
  "$IS" --socket "$sock" --log-file "$OUT/$tag.include-server.log" </dev/null >/dev/null 2>&1 &
  SERVER_PID=$!
  while [ ! -S "$sock" ]; do
    i=$((i + 1)); [ $i -lt 200 ] || die "include server did not start"; sleep 0.05
  done
  local c0 c1
  c0=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
  "$IS_CLIENT" "$sock" "$OUT/commands.txt" "$PASSES" "$threads" | sed "s/^/$tag /" | tee -a "$OUT/throughput.txt"
  c1=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
  local rss
  rss=$(awk '/VmHWM/ { print $2 / 1024 }' "/proc/$SERVER_PID/status")
  echo "$tag include server: $(awk -v a="$c0" -v b="$c1" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / t }') s CPU over $PASSES passes, peak RSS ${rss} MiB" \
    | tee -a "$OUT/throughput.txt"
  stop_server
}
: > "$OUT/throughput.txt"
if [ "$ONLY_COST" = 0 ]; then
  note "throughput: $N units, $PASSES passes (pass 1 cold), 1 client thread"
  run_server 1 serial
  note "throughput: 2 client threads"
  run_server 2 threads2
fi

# --- 3. Debian's stock include server ---------------------------------------------
if [ "$STOCK" = 0 ]; then
  echo "stock: skipped (--no-stock)" | tee "$OUT/stock-summary.txt"
elif [ -x /usr/bin/distcc-pump ]; then
  note "stock include server (distcc-pump) on up to $STOCK_TUS units"
  # A stock volunteer on loopback (as nobody, as Debian's distccd insists).
  STOCK_PORT=${DCC_IA_STOCK_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  : > "$OUT/stock.distccd.log"; chown nobody "$OUT/stock.distccd.log"
  /usr/bin/distccd --no-detach --daemon --listen 127.0.0.1 --port "$STOCK_PORT" --allow 127.0.0.1 \
    --user nobody --jobs 2 --log-file "$OUT/stock.distccd.log" </dev/null >/dev/null 2>&1 &
  STOCK_PID=$!
  i=0
  while ! (exec 3<>"/dev/tcp/127.0.0.1/$STOCK_PORT") 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || die "stock distccd did not come up"; sleep 0.1
  done
  (
    export DISTCC_HOSTS="127.0.0.1:$STOCK_PORT/2,cpp,lzo" DISTCC_DIR=$OUT/stock-distcc-dir DISTCC_LOG=$OUT/stock.client.log DISTCC_VERBOSE=1
    mkdir -p "$DISTCC_DIR"
    eval "$(/usr/bin/distcc-pump --startup 2>"$OUT/stock.startup.txt")"
    t0=$(date +%s.%N)
    head -n "$STOCK_TUS" "$OUT/commands.txt" | while IFS=$'\t' read -r cwd cmd; do
      # Our own output file: the tree's objects are hard links.
      cmd=$(printf '%s\n' "$cmd" | sed "s| -o [^ ]* | -o $OUT/stock-tmp.o |")
      (cd "$cwd" && eval "/usr/bin/distcc $cmd") >/dev/null 2>&1 || true
    done
    t1=$(date +%s.%N)
    /usr/bin/distcc-pump --shutdown > "$OUT/stock.include-server.txt" 2>&1 || true
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' > "$OUT/stock.wall"
  )
  kill "$STOCK_PID" 2>/dev/null || true; wait "$STOCK_PID" 2>/dev/null || true
  errs=$(grep -c 'Include server internal error' "$OUT/stock.include-server.txt" || true)
  fails=$(grep -c 'failed to get includes from include server' "$OUT/stock.client.log" || true)
  first=$(grep -m1 -o "Include server internal error: .*for translation unit" "$OUT/stock.include-server.txt" || true)
  remote=$(grep -c '] compile .* on 127\.0\.0\.1:.* completed ok' "$OUT/stock.client.log" || true)
  {
    echo "stock: $(head -n "$STOCK_TUS" "$OUT/commands.txt" | wc -l) units through distcc-pump: $fails 'failed to get includes from include server' in the client log, $errs include server internal errors; $remote compiled on the volunteer after local preprocessing (plain mode)"
    echo "stock: ${first:-no error text found}"
  } | tee "$OUT/stock-summary.txt"
  rm -f "$OUT/stock-tmp.o"
else
  echo "stock: distcc-pump not installed, skipped" | tee "$OUT/stock-summary.txt"
fi

# --- 4. cost per compile: first build, warm, from the cache file --------------------
# ticks PID: the process's CPU (all its threads, user + system) since it started.
ticks () { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# start_cost_server TAG CACHE: a fresh include server saving to CACHE.
start_cost_server () {
  local sock=$OUT/$1.sock i=0
  rm -f "$sock"
  "$IS" --socket "$sock" --cache-file "$2" --log-file "$OUT/$1.include-server.log" </dev/null >/dev/null 2>&1 &
  SERVER_PID=$!
  while [ ! -S "$sock" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || die "include server did not start"; sleep 0.05
  done
  START_TICKS=$(ticks "$SERVER_PID")   # its start: libclang, the cache file
}
# one_pass SERVER-TAG LABEL: every unit once through that server's socket.
one_pass () {
  "$IS_CLIENT" "$OUT/$1.sock" "$OUT/commands.txt" 1 1 > "$OUT/$2.pass.txt"
  sed "s/^/$2 /" "$OUT/$2.pass.txt" >> "$OUT/cost-passes.txt"
}
if [ "$COST_RUNS" -gt 0 ]; then
  note "cost: $COST_RUNS runs of first build / warm / from the cache file, $N units"
  : > "$OUT/cost-runs.txt"; : > "$OUT/cost-passes.txt"
  hz=$(getconf CLK_TCK)
  for r in $(seq 1 "$COST_RUNS"); do
    cache=$OUT/cost-$r.cache
    rm -f "$cache"
    drop_caches
    start_cost_server "cost$r-first" "$cache"
    one_pass "cost$r-first" "cost$r-first"
    first=$(ticks "$SERVER_PID"); start1=$START_TICKS
    one_pass "cost$r-first" "cost$r-warm"
    warm=$(( $(ticks "$SERVER_PID") - first ))
    stop_server   # saves the cache file on exit
    [ -s "$cache" ] || die "the include server saved no cache file ($cache)"
    start_cost_server "cost$r-cached" "$cache"
    one_pass "cost$r-cached" "cost$r-cached"
    cached=$(ticks "$SERVER_PID"); start3=$START_TICKS
    stop_server
    echo "$r $first $warm $cached $start1 $start3" >> "$OUT/cost-runs.txt"
    tail -n1 "$OUT/cost$r-cached.include-server.log" | sed "s/^/cost run $r, from the cache file: exit line: /" >> "$OUT/cost-exit-lines.txt"
  done
  awk -v hz="$hz" -v n="$N" '
    function median(a, k,   i, j, t) {
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
    { f[NR] = $2; w[NR] = $3; c[NR] = $4; fx[NR] = $2 - $5; cx[NR] = $4 - $6; s1[NR] = $5; s3[NR] = $6
      all = all sprintf(" %.2f/%.2f/%.2f", 1000 * $2 / hz / n, 1000 * $3 / hz / n, 1000 * $4 / hz / n) }
    END {
      mf = median(f, NR); mw = median(w, NR); mc = median(c, NR); mfx = median(fx, NR); mcx = median(cx, NR)
      printf "cost: %d units, median of %d runs, include server CPU per compile (all threads; %d Hz ticks):\n", n, NR, hz
      printf "cost:   first build, no cache file   %6.2f ms with its start, %6.2f ms without (%.2f s in all; start %.2f s)\n",
             1000 * mf / hz / n, 1000 * mfx / hz / n, mf / hz, median(s1, NR) / hz
      printf "cost:   second pass, memory warm     %6.2f ms  (%.2f s)\n", 1000 * mw / hz / n, mw / hz
      printf "cost:   fresh server, cache file     %6.2f ms with its start, %6.2f ms without (%.2f s in all; start, loading it, %.2f s)\n",
             1000 * mc / hz / n, 1000 * mcx / hz / n, mc / hz, median(s3, NR) / hz
      printf "cost:   each run first/warm/cached ms with the start:%s\n", all
    }' "$OUT/cost-runs.txt" | tee "$OUT/cost-summary.txt"
  grep -hE " [1-9][0-9]* failed" "$OUT/cost-passes.txt" | sed 's/^/cost: a pass with failures: /' | tee -a "$OUT/cost-summary.txt" || true
  sed -n 1p "$OUT/cost-exit-lines.txt" | tee -a "$OUT/cost-summary.txt"
  # The ratio to stock's include server, where it can be measured.
  if grep -q "[1-9][0-9]* 'failed to get includes" "$OUT/stock-summary.txt" 2>/dev/null; then
    echo "cost: stock (distcc-pump): no figure: its include server fails on these units (see stock:), and distcc falls back to plain mode" |
      tee -a "$OUT/cost-summary.txt"
  elif [ "$STOCK" = 0 ] || ! [ -x /usr/bin/distcc-pump ]; then
    echo "cost: stock (distcc-pump): not run or not installed, no figure" | tee -a "$OUT/cost-summary.txt"
  else
    echo "cost: stock (distcc-pump) served the units: its CPU is not measured by this script yet" | tee -a "$OUT/cost-summary.txt"
  fi
fi

cat "$OUT"/verify-summary.txt "$OUT/throughput.txt" "$OUT/stock-summary.txt" "$OUT/cost-summary.txt" 2>/dev/null > "$OUT/table.txt" || true
echo "results: $OUT"
