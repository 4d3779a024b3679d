#!/bin/bash
# kernel-views.sh: one pump-mode build of Linux 6.1 tinyconfig vmlinux on a
# volunteer on loopback, watched the way a user would watch it: the
# volunteer's web monitor (distccd --stats, /monitor) and the client's
# (distccmon-web) are screenshot by headless Chromium when half the
# compiles are done, and the build's timeline (DISTCC_TIMELINE) is checked
# (trace-event JSON that covers every recorded compile) and drawn. See
# README, "Watching a build".
#
#   test/bench/kernel-views.sh [--jobs N]
#
# Needs root, chromium, linux-source-6.1 (plus flex bison bc libelf-dev
# libssl-dev) and our programs built in bin/. Output in
# test/bench/results/views-<stamp>/: monitor.png, distccmon-web.png,
# timeline.json, timeline.svg, timeline.png, summary.txt.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
JOBS=4
[ "${1:-}" = --jobs ] && JOBS=$2
BENCH_DIR=${DCC_BENCH_DIR:-/var/tmp/dcc-bench}
TARBALL=${DCC_BENCH_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
COMPILER=x86_64-linux-gnu-gcc
CHROMIUM=$(command -v chromium || command -v chromium-browser) || { echo "kernel-views: apt-get install chromium" >&2; exit 1; }
note () { echo "== $*" >&2; }

SRC=$BENCH_DIR/linux-source-6.1
if [ ! -f "$SRC/Makefile" ]; then
  [ -f "$TARBALL" ] || { echo "no $TARBALL: apt-get install linux-source-6.1 flex bison bc libelf-dev libssl-dev" >&2; exit 1; }
  mkdir -p "$BENCH_DIR" && tar xJf "$TARBALL" -C "$BENCH_DIR"
fi
export LC_ALL=C
make -C "$SRC" -s CC="$COMPILER" tinyconfig > /dev/null

OUT=$here/results/views-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
work=$(mktemp -d /tmp/dcc-views.XXXXXX); chmod 755 "$work"
pids=()
mkdir -p "$work/store"; chown nobody "$work/store"   # distccd, started as root, drops to nobody
cleanup () { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port () { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port () { for _ in $(seq 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

PORT=$(free_port); SPORT=$(free_port); WPORT=$(free_port)
"$top/bin/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 --jobs "$JOBS" \
    --stats --stats-port "$SPORT" --log-file "$OUT/distccd.log" --cache-dir "$work/store" &
pids+=($!)
wait_port "$PORT" && wait_port "$SPORT" || { echo "distccd did not start" >&2; exit 1; }
export DISTCC_DIR=$work/distcc-dir; mkdir -p "$DISTCC_DIR"
export DISTCC_HOSTS="127.0.0.1:$PORT/$JOBS,cpp,lzo"
"$top/bin/distccmon-web" --port "$WPORT" > /dev/null &
pids+=($!)
wait_port "$WPORT"

make -C "$SRC" -s clean
# tinyconfig's vmlinux is about 440 compiles: the screenshots are taken
# when this many have ended.
half=${DCC_VIEWS_AT:-220}
note "building vmlinux in pump mode; screenshots after $half compiles"
(cd "$SRC" && DISTCC_TIMELINE="$OUT/timeline.json" "$top/bin/pump" make -j"$JOBS" CC="$top/bin/distcc $COMPILER" vmlinux) \
    > "$OUT/make.log" 2>&1 &
build=$!
shot () { timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
            --user-data-dir="$work/chrome" --virtual-time-budget=3000 --hide-scrollbars --window-size="${4:-1200}","$3" --screenshot="$2" "$1" \
            > /dev/null 2>&1; }
while kill -0 "$build" 2>/dev/null; do
  done_n=$(grep -c '^dccrec1' "$DISTCC_DIR/records" 2>/dev/null || true)
  if [ "${done_n:-0}" -ge "$half" ]; then
    note "$done_n compiles done: screenshots"
    shot "http://127.0.0.1:$SPORT/monitor" "$OUT/monitor.png" 900
    shot "http://127.0.0.1:$WPORT/" "$OUT/distccmon-web.png" 1100
    break
  fi
  sleep 1
done
wait "$build" || { echo "the build failed: $OUT/make.log" >&2; tail "$OUT/make.log" >&2; exit 1; }
sed -n '/distcc build summary/,$p' "$OUT/make.log" > "$OUT/summary.txt"
cp "$DISTCC_DIR/records" "$OUT/records"
python3 "$here/timeline-svg.py" "$OUT/timeline.json" "$OUT/timeline.svg" --records "$DISTCC_DIR/records" | tee -a "$OUT/summary.txt"
shot "file://$OUT/timeline.svg" "$OUT/timeline.png" \
    "$(python3 -c 'import re, sys; print(re.search(r"height=\"(\d+)\"", open(sys.argv[1]).read()).group(1))' "$OUT/timeline.svg")" 1400
cat "$OUT/summary.txt"
ls -la "$OUT"
