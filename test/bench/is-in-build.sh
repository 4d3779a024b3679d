#!/bin/bash
# is-in-build.sh: the include server's CPU inside real pump builds (issue
# 20, item 3), for one or more builds of our programs side by side, taking
# turns. Per round and build: a first build without a cache file (the
# kernel from a fresh copy of its tree; git after make clean), then make
# clean and a second build from the cache file the first one saved. The
# figures are the server's own exit line (CPU from its start, the cache
# file's load and save included); medians over the rounds, in ms a compile.
#
#   test/bench/is-in-build.sh [--project kernel|git] [--rounds N] BINDIR...
#
# BINDIR holds distcc, pump and include-server (a copy of a build's bin/,
# so that a make in the tree cannot swap them mid-run). One volunteer, this
# tree's distccd, with a result cache of its own that stays warm across
# rounds: the compiles are hits, so that no compiler runs beside the
# server but in the first round. Needs root, the kernel tree kernel.sh unpacks (and
# linux-source-6.1), or git's Debian source in $DCC_BENCH_DIR/src (see
# include-analysis.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
B=${DCC_BENCH_DIR:-/var/tmp/dcc-bench}
PORT=${DCC_BENCH_IS_PORT:-37650}
PROJECT=kernel
ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --project) PROJECT=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--project kernel|git] [--rounds N] BINDIR..." >&2; exit 2; }
for d in "$@"; do
  for p in distcc pump include-server; do [ -x "$d/$p" ] || { echo "missing $d/$p" >&2; exit 1; }; done
done
export LC_ALL=C
case $PROJECT in
  kernel)
    SRC=$B/linux-source-6.1; PRISTINE=$B/is-in-build-pristine/linux-source-6.1
    CC_NAME=x86_64-linux-gnu-gcc; TARGET=vmlinux; FLAGS=
    export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026' KBUILD_BUILD_USER=dccbench \
           KBUILD_BUILD_HOST=dccbench KBUILD_BUILD_VERSION=1
    if [ ! -f "$PRISTINE/.config" ]; then
      mkdir -p "$(dirname "$PRISTINE")"
      tar xJf /usr/src/linux-source-6.1.tar.xz -C "$(dirname "$PRISTINE")"
      make -C "$PRISTINE" -s CC=$CC_NAME tinyconfig >/dev/null
    fi ;;
  git)
    SRC=$B/src/git-2.39.5; PRISTINE=; CC_NAME=gcc; TARGET=all
    FLAGS="NO_CURL=1 NO_EXPAT=1 NO_GETTEXT=1 NO_TCLTK=1 NO_PERL=1 NO_PYTHON=1 NO_OPENSSL=1"
    [ -f "$SRC/Makefile" ] || { echo "no $SRC (apt-get source git in $B/src)" >&2; exit 1; } ;;
  *) echo "unknown project $PROJECT" >&2; exit 2 ;;
esac

# The volunteer: ours, its store under $B, kept warm between rounds.
VOL=$B/is-in-build-volunteer
rm -rf "$VOL/bin" "$VOL/lib"; mkdir -p "$VOL/bin" "$VOL/lib/distcc" "$VOL/store"
cp "$top/bin/distccd" "$top/bin/distcc" "$VOL/bin/"
for n in "$CC_NAME" gcc cc; do ln -sf ../../bin/distcc "$VOL/lib/distcc/$n"; done
"$VOL/bin/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 --user root \
  --jobs 4 --cache-dir "$VOL/store" --log-file "$VOL/distccd.log" </dev/null >/dev/null 2>&1 &
VPID=$!
trap 'kill $VPID 2>/dev/null; wait $VPID 2>/dev/null' EXIT
for i in $(seq 300); do grep -q "listening on port" "$VOL/distccd.log" 2>/dev/null && break; sleep 0.1; done

OUT=$B/is-in-build-$PROJECT-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
# build BINDIR TAG CACHE: one pump build; prints "cpu_s reused walked".
build () {
  local bin=$1 tag=$2 cache=$3 log=$OUT/$2.log
  make -C "$SRC" -s clean $FLAGS >/dev/null 2>&1
  if [ "$PROJECT" = kernel ]; then
    (cd "$SRC" && make -s CC="$bin/distcc $CC_NAME" syncconfig) >/dev/null 2>&1
  fi
  (cd "$SRC" && DISTCC_INCLUDE_SERVER=$bin/include-server DISTCC_HOSTS="127.0.0.1:$PORT/4,cpp,lzo" \
    DISTCC_PUMP_CACHE="$cache" DISTCC_PUMP_LOG="$log" "$bin/pump" make -s -j4 CC="$bin/distcc $CC_NAME" $FLAGS $TARGET) \
    > "$OUT/$tag.make" 2>&1 || { echo "build $tag failed: $OUT/$tag.make" >&2; exit 1; }
  sed -n 's/.*served \([0-9]*\) requests (\([0-9]*\) from cached closures, \([0-9]*\) walked.* in \([0-9.]*\) s CPU/\4 \1 \2 \3/p' "$log"
}
echo "# $PROJECT, $ROUNDS rounds, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%F %T UTC')" | tee "$OUT/summary.txt"
for r in $(seq "$ROUNDS"); do
  for bin in "$@"; do
    name=$(basename "$bin")
    [ -z "$PRISTINE" ] || { rm -rf "$SRC"; cp -a "$PRISTINE" "$SRC"; }
    rm -f "$OUT/$name-$r.cache"
    read -r c1 n1 _ w1 < <(build "$bin" "first-$name-$r" "$OUT/$name-$r.cache")
    read -r c2 n2 u2 w2 < <(build "$bin" "second-$name-$r" "$OUT/$name-$r.cache")
    echo "$name $r $c1 $n1 $w1 $c2 $n2 $u2 $w2" >> "$OUT/rounds.txt"
    printf '%-12s round %d: first build %.2f s (%d walked), second %.2f s (%d reused, %d walked)\n' \
      "$name" "$r" "$c1" "$w1" "$c2" "$u2" "$w2" | tee -a "$OUT/summary.txt"
  done
done
echo "median ms of include-server CPU a compile (first build without a cache file / second from it):" | tee -a "$OUT/summary.txt"
for bin in "$@"; do
  name=$(basename "$bin")
  awk -v n="$name" '$1 == n { f[++k] = 1000 * $3 / $4; s[k] = 1000 * $6 / $7 }
    function med(a, m,   i, j, t) { for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
    END { printf "  %-12s %6.2f / %5.2f\n", n, med(f, k), med(s, k) }' "$OUT/rounds.txt" | tee -a "$OUT/summary.txt"
done
echo "results: $OUT"
