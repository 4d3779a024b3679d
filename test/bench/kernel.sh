#!/bin/bash
# kernel.sh: builds Linux 6.1 tinyconfig vmlinux in several modes, on one
# machine with one volunteer on loopback, and compares them. See README.
#
#   test/bench/kernel.sh [--quick] [--runs N] [--floor-builds N] [--jobs N] [--modes LIST]
#                        [--cold-once]
#
# Needs root (cgroups, distccd), Debian's distcc and distcc-pump packages,
# linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz) plus flex bison bc
# libelf-dev libssl-dev, and our programs built in bin/ (./configure && make).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

RUNS=3
JOBS=4
# The floor build is short (~15 s), so a burst of noise on the machine moves
# it by as much as the per-compile costs being measured: it is built this
# many times per run and its median used.
FLOOR_BUILDS=3
ALL_MODES="local floor stock-plain stock-pump ours-plain ours-pump-cold ours-pump-warm ours-pump-checkout2 ours-pump-nosandbox"
MODES=$ALL_MODES
COLD_ONCE=
BENCH_DIR=${DCC_BENCH_DIR:-/var/tmp/dcc-bench}
TARBALL=${DCC_BENCH_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
STOCK_PORT=${DCC_BENCH_STOCK_PORT:-37632}
OURS_PORT=${DCC_BENCH_OURS_PORT:-37642}
# The same compiler name everywhere: Debian's distcc rewrites "gcc" to
# x86_64-linux-gnu-gcc, which would change CONFIG_CC_VERSION_TEXT (and so
# the banner inside vmlinux) between modes.
COMPILER=${DCC_BENCH_COMPILER:-x86_64-linux-gnu-gcc}
TARGET=${DCC_BENCH_TARGET:-vmlinux}   # another target (e.g. init/) only for smoke tests

STOCK_DISTCC=/usr/bin/distcc
STOCK_DISTCCD=/usr/bin/distccd
STOCK_PUMP=/usr/bin/distcc-pump
[ -x "$STOCK_PUMP" ] || STOCK_PUMP=/usr/bin/pump
# Our programs are copied out of the build tree first (see stage_ours):
# a make in the tree while the benchmark runs would otherwise swap them.
OURS_DIR=${DCC_BENCH_DIR:-/var/tmp/dcc-bench}/ours
OURS_DISTCC=$OURS_DIR/bin/distcc
OURS_DISTCCD=$OURS_DIR/bin/distccd
OURS_PUMP=$OURS_DIR/bin/pump

usage () {
  cat <<EOT
Usage: $0 [--quick] [--runs N] [--floor-builds N] [--jobs N] [--modes "M1 M2 ..."] [--cold-once]
  --quick       one run of each mode (same as --runs 1)
  --runs N      runs per mode; the table shows medians (default $RUNS)
  --floor-builds N
                floor builds per run, whose median is that run's floor
                (default $FLOOR_BUILDS)
  --jobs N      make -jN, host slots /N and volunteer --jobs N (default $JOBS)
  --modes LIST  subset of: $ALL_MODES
                (ours-pump-warm and ours-pump-checkout2 need ours-pump-cold
                before them: the same volunteer, its result cache warm)
  --cold-once   ours-pump-cold in the first run only; later runs build
                ours-pump-warm and ours-pump-checkout2 on the volunteer it
                warmed (medians of the warm builds without paying for a
                cold build per run)
EOT
}

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) RUNS=1 ;;
    --runs) RUNS=$2; shift ;;
    --floor-builds) FLOOR_BUILDS=$2; shift ;;
    --jobs) JOBS=$2; shift ;;
    --modes) MODES=$2; shift ;;
    --cold-once) COLD_ONCE=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

die () { echo "kernel.sh: $*" >&2; exit 1; }
note () { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (cgroups, volunteer daemons)"
# stage_ours: bin/ and a masquerade directory (lib/distcc beside bin/, which
# distccd reads to know which compilers it may run) under $OURS_DIR.
stage_ours () {
  local p n
  rm -rf "$OURS_DIR"
  mkdir -p "$OURS_DIR/bin" "$OURS_DIR/lib/distcc"
  for p in distcc distccd pump include-server; do
    [ -x "$top/bin/$p" ] || die "missing $top/bin/$p: run ./configure && make first"
    cp "$top/bin/$p" "$OURS_DIR/bin/$p"
  done
  for n in "$COMPILER" gcc cc; do
    ln -s ../../bin/distcc "$OURS_DIR/lib/distcc/$n"
  done
  "$OURS_DIR/bin/distcc" --version >/dev/null 2>&1 || die "copied bin/distcc does not run"
  "$OURS_DIR/bin/distccd" --version >/dev/null 2>&1 || die "copied bin/distccd does not run"
}
stage_ours

# What the benchmark needs from Debian: the stock distcc to compare with,
# the kernel and its build tools, nftables to count bytes per port.
missing=
for p in distcc distcc-pump linux-source-6.1 flex bison bc libelf-dev libssl-dev nftables; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  note "installing$missing"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || die "cannot install$missing"
fi
for p in "$STOCK_DISTCC" "$STOCK_DISTCCD" "$STOCK_PUMP" "$OURS_DISTCC" "$OURS_DISTCCD" "$OURS_PUMP"; do
  [ -x "$p" ] || die "missing $p"
done
for m in $MODES; do
  case " $ALL_MODES " in *" $m "*) ;; *) die "unknown mode $m" ;; esac
done

cg="$here/cgroup-cpu.sh"
"$cg" create dccbench-client
"$cg" create dccbench-server
CG_ROOT=$("$cg" root)

# --- the kernel tree, unpacked once ---------------------------------------
SRC=$BENCH_DIR/linux-source-6.1
if [ ! -f "$SRC/Makefile" ]; then
  [ -f "$TARBALL" ] || die "no $TARBALL: apt-get install linux-source-6.1 flex bison bc libelf-dev libssl-dev"
  mkdir -p "$BENCH_DIR"
  note "unpacking $TARBALL into $BENCH_DIR"
  tar xJf "$TARBALL" -C "$BENCH_DIR"
fi
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=dccbench KBUILD_BUILD_HOST=dccbench KBUILD_BUILD_VERSION=1
export LC_ALL=C
note "make tinyconfig in $SRC"
make -C "$SRC" -s CC="$COMPILER" tinyconfig >/dev/null

# --- a second checkout of the same tree, in another directory ---------------
# ours-pump-checkout2 builds a copy of the tree at another path (another
# parent, another depth), as a second checkout of the same sources would be:
# copied once, untimed, and built locally there once (untimed) so that its
# builds are compared with a local build in that directory.
SRC2=$BENCH_DIR/checkout2/linux-source-6.1
if [[ " $MODES " == *" ours-pump-checkout2 "* ]]; then
  if [ ! -f "$BENCH_DIR/checkout2/vmlinux.local" ]; then
    rm -rf "$BENCH_DIR/checkout2"; mkdir -p "$BENCH_DIR/checkout2"
    note "copying the tree to $SRC2 (untimed)"
    make -C "$SRC" -s clean >/dev/null 2>&1
    cp -a "$SRC" "$SRC2"
    note "a local build in $SRC2 (untimed), the reference for ours-pump-checkout2"
    make -C "$SRC2" -s CC="$COMPILER" tinyconfig >/dev/null
    make -C "$SRC2" -s -j"$JOBS" CC="$COMPILER" "$TARGET" >/dev/null 2>&1 || die "local build in $SRC2 failed"
    [ "$TARGET" != vmlinux ] || cp "$SRC2/vmlinux" "$BENCH_DIR/checkout2/vmlinux.local"
    [ "$TARGET" = vmlinux ] || : > "$BENCH_DIR/checkout2/vmlinux.local"
  fi
  make -C "$SRC2" -s CC="$COMPILER" tinyconfig >/dev/null
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$here/results/$stamp
mkdir -p "$OUT"
CSV=$OUT/runs.csv
echo "run,mode,status,wall_s,client_cpu_s,server_cpu_s,total_cpu_s,remote,remote_pump,local,fallback,lo_rx_bytes,vmlinux_identical,vol_compiles,vol_hits" > "$CSV"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command: $0 --runs $RUNS --jobs $JOBS --modes \"$MODES\""
  echo "host: $(uname -sr), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "compiler: $($COMPILER --version | head -1)"
  echo "stock: $(dpkg-query -W -f '${Package} ${Version}\n' distcc distcc-pump 2>/dev/null | tr '\n' ' ')"
  echo "ours: $(cd "$top" && git describe --always --dirty 2>/dev/null || echo unknown)," \
       "bin/distcc sha256 $(sha256sum "$OURS_DISTCC" | cut -c1-16)," \
       "bin/distccd sha256 $(sha256sum "$OURS_DISTCCD" | cut -c1-16)"
  echo "cgroup v2 root: $CG_ROOT"
} > "$OUT/info.txt"

# --- the floor's stash -------------------------------------------------------
# One untimed build with floor-cc.sh recording every output and depfile,
# which the floor mode then copies into place instead of compiling.
STASH=$BENCH_DIR/floor-stash
IS_CACHE=$BENCH_DIR/include-server.cache
if [[ " $MODES " == *" floor "* ]]; then
  rm -rf "$STASH"; mkdir -p "$STASH"
  note "recording the floor's stash (untimed build)"
  make -C "$SRC" -s clean >/dev/null 2>&1
  make -C "$SRC" -s -j"$JOBS" CC="$here/floor-cc.sh record $STASH $COMPILER" "$TARGET" \
    > "$OUT/floor-record.make.log" 2>&1 || die "floor recording build failed: $OUT/floor-record.make.log"
  note "  $(find "$STASH" -name '*.out' | wc -l) outputs kept"
fi

# --- volunteers -------------------------------------------------------------
DAEMON_PID=
DAEMON_KIND=
DAEMON_LOG=

stop_daemon () {
  if [ -n "$DAEMON_PID" ]; then
    kill "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
  fi
  DAEMON_PID=
  DAEMON_KIND=
}
trap stop_daemon EXIT

wait_port () {
  local i=0
  while ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    i=$((i + 1))
    if [ $i -ge 300 ]; then
      tail -n 5 "$OUT"/*.distccd.log >&2 2>/dev/null
      die "volunteer on port $1 did not come up within 30 s"
    fi
    sleep 0.1
  done
}

# start_daemon KIND TAG: a fresh volunteer (and, for ours, an empty cache).
start_daemon () {
  stop_daemon
  local kind=$1 tag=$2
  case "$kind" in
    stock)
      # Debian's distccd refuses to keep root: it runs as nobody, who must
      # be able to write its log.
      local log=$OUT/$tag.distccd.log
      : > "$log"; chown nobody "$log"
      "$cg" exec dccbench-server "$STOCK_DISTCCD" --no-detach --daemon --listen 127.0.0.1 \
        --port "$STOCK_PORT" --allow 127.0.0.1 --user nobody --jobs "$JOBS" \
        --log-file "$log" </dev/null >/dev/null 2>&1 &
      DAEMON_PID=$!
      wait_port "$STOCK_PORT"
      ;;
    ours|ours-nosandbox)
      # ours-nosandbox: the same volunteer without its per-compile sandbox,
      # so that the sandbox's cost is a ratio measured in one run.
      local -a extra=()
      [ "$kind" = ours-nosandbox ] && extra=(--no-sandbox)
      local cache=$BENCH_DIR/ours-cache
      rm -rf "$cache"; mkdir -p "$cache"
      # info: one line per compile ("compiled ...") or result-cache hit,
      # counted per build (vol compiles, hits).
      DAEMON_LOG=$OUT/$tag.distccd.log
      "$cg" exec dccbench-server "$OURS_DISTCCD" --no-detach --daemon --listen 127.0.0.1 \
        --port "$OURS_PORT" --allow 127.0.0.1 --user root --jobs "$JOBS" \
        --cache-dir "$cache" "${extra[@]}" --log-file "$DAEMON_LOG" --log-level info </dev/null >/dev/null 2>&1 &
      DAEMON_PID=$!
      wait_port "$OURS_PORT"
      ;;
  esac
  DAEMON_KIND=$kind
}

lo_rx () { awk -F'[: ]+' '$2 == "lo" { print $3 }' /proc/net/dev; }

# Bytes to and from one TCP port on loopback, counted by nftables (packet
# bytes, headers included), so that other traffic on lo does not count.
# Falls back to the whole lo rx_bytes delta when nft is not there.
port_bytes_start () {
  PORT_BYTES_LO0=$(lo_rx)
  if command -v nft >/dev/null 2>&1; then
    nft delete table inet dccbench 2>/dev/null || true
    nft add table inet dccbench &&
      nft add chain inet dccbench in '{ type filter hook input priority 0; policy accept; }' &&
      nft add rule inet dccbench in tcp dport "$1" counter &&
      nft add rule inet dccbench in tcp sport "$1" counter && return 0
  fi
  return 0
}
port_bytes_read () {
  if command -v nft >/dev/null 2>&1 && nft list table inet dccbench >/dev/null 2>&1; then
    nft list chain inet dccbench in | awk '/counter/ { for (i = 1; i <= NF; i++) if ($i == "bytes") s += $(i + 1) } END { print s + 0 }'
    nft delete table inet dccbench || true
  else
    echo $(( $(lo_rx) - PORT_BYTES_LO0 ))
  fi
}

count () { grep -c -e "$1" "$2" 2>/dev/null || true; }

# build_one RUN MODE [REPEAT]: one clean build of $TARGET; appends a row to
# the CSV. REPEAT numbers the floor's builds within a run (logs apart).
build_one () {
  local run=$1 mode=$2 tag="$1-$2${3:+.$3}"
  local clog=$OUT/$tag.client.log mlog=$OUT/$tag.make.log ddir=$OUT/$tag.distcc-dir
  local -a cmd env
  mkdir -p "$ddir"
  env=(DISTCC_DIR="$ddir" DISTCC_LOG="$clog")
  case "$mode" in
    local)
      cmd=(make -j"$JOBS" CC="$COMPILER" "$TARGET") ; env=() ;;
    floor)
      cmd=(make -j"$JOBS" CC="$here/floor-cc.sh replay $STASH $COMPILER" "$TARGET") ; env=() ;;
    stock-plain)
      start_daemon stock "$tag"
      env+=(DISTCC_VERBOSE=1 DISTCC_HOSTS="127.0.0.1:$STOCK_PORT/$JOBS,lzo")
      cmd=(make -j"$JOBS" CC="$STOCK_DISTCC $COMPILER" "$TARGET") ;;
    stock-pump)
      start_daemon stock "$tag"
      env+=(DISTCC_VERBOSE=1 DISTCC_HOSTS="127.0.0.1:$STOCK_PORT/$JOBS,cpp,lzo")
      cmd=("$STOCK_PUMP" make -j"$JOBS" CC="$STOCK_DISTCC $COMPILER" "$TARGET") ;;
    ours-plain)
      start_daemon ours "$tag"
      env+=(DISTCC_HOSTS="127.0.0.1:$OURS_PORT/$JOBS,lzo")
      cmd=(make -j"$JOBS" CC="$OURS_DISTCC $COMPILER" "$TARGET") ;;
    ours-pump-cold|ours-pump-warm|ours-pump-checkout2|ours-pump-nosandbox)
      # Cold: a new volunteer with an empty store, and no include-server
      # cache. Warm: the same volunteer, and the cache the cold build's
      # include server saved (as a user's next build would find them).
      # Checkout2: the same volunteer, warm, building the second checkout
      # ($SRC2) with an include-server cache file of its own, none at first
      # (a first build in that directory).
      # Nosandbox: cold, on a volunteer started with --no-sandbox.
      local is_cache=$IS_CACHE
      if [ "$mode" = ours-pump-checkout2 ]; then
        is_cache=$BENCH_DIR/include-server-checkout2.cache
        rm -f "$is_cache"
      fi
      if [ "$mode" = ours-pump-nosandbox ]; then
        start_daemon ours-nosandbox "$tag"; DAEMON_KIND=ours-nosandbox
        rm -f "$IS_CACHE"
      elif [ "$mode" = ours-pump-cold ] || [ "$DAEMON_KIND" != ours-pump ]; then
        start_daemon ours "$tag"; DAEMON_KIND=ours-pump
        rm -f "$IS_CACHE"
      fi
      # The include server's log keeps its exit line (requests served, its CPU).
      env+=(DISTCC_HOSTS="127.0.0.1:$OURS_PORT/$JOBS,cpp,lzo" DISTCC_PUMP_CACHE="$is_cache"
            DISTCC_PUMP_LOG="$OUT/$tag.include-server.log")
      cmd=("$OURS_PUMP" make -j"$JOBS" CC="$OURS_DISTCC $COMPILER" "$TARGET") ;;
  esac

  local tree=$SRC
  [ "$mode" = ours-pump-checkout2 ] && tree=$SRC2
  make -C "$tree" -s clean >/dev/null 2>&1
  # Kconfig re-runs its compiler probes whenever CC differs from the last
  # build's; do that here, untimed and unlogged, so that no mode pays for
  # the mode before it. (The CC=... word of the build's command line.)
  local cc_arg=
  for a in "${cmd[@]}"; do case $a in CC=*) cc_arg=$a ;; esac; done
  (cd "$tree" && env "${env[@]}" DISTCC_LOG=/dev/null make -s "$cc_arg" syncconfig) >/dev/null 2>&1 \
    || die "make syncconfig failed for $mode"
  sync
  note "run $run: $mode"
  local c0 s0 l0 t0 t1 c1 s1 l1 status=ok
  local port=0
  case "$mode" in stock-*) port=$STOCK_PORT ;; ours-*) port=$OURS_PORT ;; esac
  port_bytes_start "$port"
  local vc0=0 vh0=0 vc=0 vh=0
  case "$mode" in ours-*) vc0=$(count 'compiled .* for ' "$DAEMON_LOG"); vh0=$(count 'result cache hit: ' "$DAEMON_LOG") ;; esac
  c0=$("$cg" usage dccbench-client); s0=$("$cg" usage dccbench-server)
  t0=$(date +%s.%N)
  (cd "$tree" && exec "$cg" exec dccbench-client env "${env[@]}" "${cmd[@]}") >"$mlog" 2>&1 || status=fail
  t1=$(date +%s.%N)
  c1=$("$cg" usage dccbench-client); s1=$("$cg" usage dccbench-server)
  local l0=0 l1
  l1=$(port_bytes_read)

  local remote=0 rpump=0 loc=0 fb=0 ident=no
  case "$mode" in
    local|floor)
      loc=$(grep -c '^  CC ' "$mlog" || true) ;;
    stock-*)
      # Debian's distcc, DISTCC_VERBOSE=1: one "compile FILE on HOST
      # completed ok" per object; fallbacks say "failed to distribute";
      # pump mode giving up says "failed to get includes".
      remote=$(count '] compile .* on 127\.0\.0\.1:.* completed ok' "$clog")
      loc=$(count '] compile .* on localhost completed ok' "$clog")
      fb=$(count 'failed to distribute, running locally instead' "$clog")
      loc=$((loc - fb))
      if [ "$mode" = stock-pump ]; then
        rpump=$((remote - $(count 'failed to get includes from include server' "$clog")))
      fi ;;
    ours-*)
      vc=$(( $(count 'compiled .* for ' "$DAEMON_LOG") - vc0 ))
      vh=$(( $(count 'result cache hit: ' "$DAEMON_LOG") - vh0 ))
      remote=$(count 'result: remote ' "$clog")
      rpump=$(count 'result: remote .*mode=pump' "$clog")
      loc=$(count 'result: local ' "$clog")
      fb=$(count 'result: fallback ' "$clog")
      grep -e 'result: remote .*mode=plain' -e 'result: fallback ' -e 'result: local ' "$clog" \
        > "$OUT/$tag.not-remote-pump.txt" 2>/dev/null || true ;;
  esac
  # The reference: the run's first local build, else its first floor
  # build (the floor copies what a local build of this tree made); the
  # second checkout's, the local build made there when it was copied.
  if [ "$TARGET" != vmlinux ]; then
    ident=n/a
  elif [ -f "$tree/vmlinux" ]; then
    if [ "$mode" = local ] || [ "$mode" = floor ] && [ ! -f "$OUT/vmlinux.reference" ]; then
      cp "$SRC/vmlinux" "$OUT/vmlinux.reference"
    fi
    local ref=$OUT/vmlinux.reference
    [ "$mode" = ours-pump-checkout2 ] && ref=$BENCH_DIR/checkout2/vmlinux.local
    if [ -f "$ref" ]; then
      cmp -s "$tree/vmlinux" "$ref" && ident=yes || ident=no
    else
      ident=n/a
    fi
  else
    status=fail
  fi
  local row
  row=$(awk -v r="$run" -v m="$mode" -v st="$status" -v t0="$t0" -v t1="$t1" \
        -v c0="$c0" -v c1="$c1" -v s0="$s0" -v s1="$s1" -v l0="$l0" -v l1="$l1" \
        -v re="$remote" -v rp="$rpump" -v lo="$loc" -v fb="$fb" -v id="$ident" -v vc="$vc" -v vh="$vh" 'BEGIN {
          c = (c1 - c0) / 1e6; s = (s1 - s0) / 1e6
          printf "%s,%s,%s,%.2f,%.2f,%.2f,%.2f,%d,%d,%d,%d,%d,%s,%d,%d\n",
                 r, m, st, t1 - t0, c, s, c + s, re, rp, lo, fb, l1 - l0, id, vc, vh }')
  echo "$row" >> "$CSV"
  note "  $row"
}

for run in $(seq 1 "$RUNS"); do
  for mode in $MODES; do
    if [ "$mode" = floor ]; then
      for rep in $(seq 1 "$FLOOR_BUILDS"); do build_one "$run" floor "$rep"; done
    elif [ -n "$COLD_ONCE" ] && [ "$run" -gt 1 ] && [ "$mode" = ours-pump-cold ]; then
      note "run $run: ours-pump-cold skipped (--cold-once): warm builds reuse run 1's volunteer"
    else
      build_one "$run" "$mode"
    fi
  done
  # --cold-once keeps the warm volunteer for the next run's warm builds.
  [ -n "$COLD_ONCE" ] && [ "$run" -lt "$RUNS" ] || stop_daemon
done

"$cg" remove dccbench-client
"$cg" remove dccbench-server

# --- medians and ratios -----------------------------------------------------
python3 - "$CSV" "$OUT/summary.csv" "$MODES" > "$OUT/table.txt" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
modes = sys.argv[3].split()
num = ["wall_s", "client_cpu_s", "server_cpu_s", "total_cpu_s", "remote",
       "remote_pump", "local", "fallback", "lo_rx_bytes", "vol_compiles", "vol_hits"]
med = {}
for m in modes:
    rs = [r for r in rows if r["mode"] == m]
    if not rs:
        continue
    d = {k: statistics.median(float(r[k]) for r in rs) for k in num}
    d["runs"] = len(rs)
    d["failed"] = sum(r["status"] != "ok" for r in rs)
    checked = [r for r in rs if r["vmlinux_identical"] in ("yes", "no")]
    d["identical"] = ("%d/%d" % (sum(r["vmlinux_identical"] == "yes" for r in checked), len(checked))
                      if checked else "n/a")
    med[m] = d

def excess(m):
    # client CPU above the floor's, per remote compile, in ms
    d = med[m]
    if "floor" not in med or not d["remote"]:
        return ""
    return "%.1f" % ((d["client_cpu_s"] - med["floor"]["client_cpu_s"]) / d["remote"] * 1000)

def ratio(m, base, k):
    if base not in med or not med[base][k]:
        return ""
    return "%.2f" % (med[m][k] / med[base][k])

with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["mode", "runs", "failed"] + num + ["vmlinux_identical",
                "wall_vs_stock_plain", "wall_vs_stock_pump", "total_cpu_vs_stock_plain",
                "total_cpu_vs_stock_pump", "lo_bytes_vs_stock_plain", "lo_bytes_vs_stock_pump",
                "client_ms_per_remote_compile_above_floor"])
    for m, d in med.items():
        w.writerow([m, d["runs"], d["failed"]] + ["%g" % d[k] for k in num] + [d["identical"],
                   ratio(m, "stock-plain", "wall_s"), ratio(m, "stock-pump", "wall_s"),
                   ratio(m, "stock-plain", "total_cpu_s"), ratio(m, "stock-pump", "total_cpu_s"),
                   ratio(m, "stock-plain", "lo_rx_bytes"), ratio(m, "stock-pump", "lo_rx_bytes"),
                   excess(m)])

hdr = ("mode", "wall s", "cli cpu", "vol cpu", "remote", "pump", "local", "fallbk",
       "wire MB", "same", "ms/cc", "wall/sp", "wall/su", "cpu/sp", "cpu/su", "MB/sp", "MB/su",
       "vol cc", "hits")
fmt = "%-15s" + " %8s" * (len(hdr) - 1)
print("medians of %s; ratios against stock-plain (sp) and stock-pump (su) of the same run" %
      ", ".join("%s: %d run(s)" % (m, d["runs"]) for m, d in list(med.items())[:1]))
print(fmt % hdr)
for m, d in med.items():
    print(fmt % (m, "%.1f" % d["wall_s"], "%.1f" % d["client_cpu_s"], "%.1f" % d["server_cpu_s"],
                 "%d" % d["remote"], "%d" % d["remote_pump"], "%d" % d["local"], "%d" % d["fallback"],
                 "%.1f" % (d["lo_rx_bytes"] / 1e6), d["identical"], excess(m),
                 ratio(m, "stock-plain", "wall_s"), ratio(m, "stock-pump", "wall_s"),
                 ratio(m, "stock-plain", "total_cpu_s"), ratio(m, "stock-pump", "total_cpu_s"),
                 ratio(m, "stock-plain", "lo_rx_bytes"), ratio(m, "stock-pump", "lo_rx_bytes"),
                 "%d" % d["vol_compiles"] if m.startswith("ours") else "",
                 "%d" % d["vol_hits"] if m.startswith("ours") else ""))
    if d["failed"]:
        print("  %s: %d failed build(s), see the make logs" % (m, d["failed"]))

# ms/cc again, each run against its own run's floor (the median of that
# run's floor builds): the floor drifts between runs by more than the
# differences being measured.
floor_builds = {}
for r in rows:
    if r["mode"] == "floor" and r["status"] == "ok":
        floor_builds.setdefault(r["run"], []).append(float(r["client_cpu_s"]))
floor = {run: statistics.median(v) for run, v in floor_builds.items()}
paired = []
for m in med:
    vals = [(float(r["client_cpu_s"]) - floor[r["run"]]) / float(r["remote"]) * 1000
            for r in rows if r["mode"] == m and r["status"] == "ok" and r["run"] in floor and float(r["remote"])]
    if vals:
        paired.append("%s %.1f (%s)" % (m, statistics.median(vals), " ".join("%.1f" % v for v in vals)))
if paired:
    print("ms/cc against each run's own floor, median (runs): " + "; ".join(paired))
if "floor" in med and med["floor"]["wall_s"]:
    print("wall against the floor's: " + "; ".join("%s %.2fx" % (m, d["wall_s"] / med["floor"]["wall_s"])
                                                   for m, d in med.items() if m != "floor"))
EOF
# The include server's own account of each pump build: requests served,
# from cached closures or walked, and its CPU (part of cli cpu).
for f in "$OUT"/*-ours-pump-*.include-server.log; do
  [ -f "$f" ] || continue
  line=$(grep -o 'served .*CPU' "$f" | tail -n1)
  echo "$(basename "$f" .include-server.log): include server ${line:-left no exit line}" >> "$OUT/table.txt"
done
# Which compiles of ours did not go remote in pump mode, apart from
# Kbuild's compiler probes (cc-option and friends compile /dev/null).
for f in "$OUT"/*-ours-pump-*.not-remote-pump.txt; do
  [ -f "$f" ] || continue
  n=$(grep -v -c 'file=/dev/null$' "$f" || true)
  echo "$(basename "$f" .not-remote-pump.txt): $n compiles not remote in pump mode besides /dev/null probes" >> "$OUT/table.txt"
  grep -v 'file=/dev/null$' "$f" | sed 's/^.*result: //' | sort | uniq -c | sort -rn | head -20 >> "$OUT/table.txt" || true
done
cat "$OUT/info.txt" "$OUT/table.txt"
echo "results: $OUT"
