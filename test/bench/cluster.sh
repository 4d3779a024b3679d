#!/bin/bash
# cluster.sh: a simulated cluster on loopback. How many volunteer slots can
# one client keep busy? See README, "Simulated cluster".
#
#   test/bench/cluster.sh [--quick] [--ns "1 2 4 ..."] [--modes LIST] [--tus N]
#
# Volunteers are N distccd daemons on 127.0.0.1 (ports BASE+i, --jobs 4
# each). Their compiler is a stand-in (sim-gcc, installed as
# x86_64-linux-gnu-gcc first on PATH on the client AND on the volunteers):
# for a compile (-c) of a known kernel translation unit it sleeps for that
# unit's measured real compile time and copies the object the real gcc
# made, using no CPU; everything else (-E, -dumpfullversion,
# -print-prog-name=..., -v) it hands to the real gcc. Client and
# volunteers see the same binary, so our compiler identity (digests of
# driver, cc1 and as) matches on both sides.
#
# Needs root (cgroups, distccd), Debian's distcc, our bin/ (./configure &&
# make) and a built Linux 6.1 tree with .cmd files (kernel.sh makes one at
# /var/tmp/dcc-bench/linux-source-6.1; it is hard-linked, not modified).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

SRC=${DCC_BENCH_DIR:-/var/tmp/dcc-bench}/linux-source-6.1
W=${DCC_CLUSTER_DIR:-/var/tmp/dcc-cluster}
# Below the ephemeral range (32768-60999): with many connections on
# loopback, a port up there may be some connection's local port.
STOCK_BASE=${DCC_CLUSTER_STOCK_PORT:-24000}
OURS_BASE=${DCC_CLUSTER_OURS_PORT:-24200}
SLOTS=4
REAL_CC=/usr/bin/x86_64-linux-gnu-gcc
COMPILER=x86_64-linux-gnu-gcc
ALL_MODES="stock-plain ours-plain ours-pump"
MODES=$ALL_MODES
NS="1 2 4 8 16 32 64"
TUS=0           # 0: all C translation units of the tree
QUICK=0

# make_table CSV SUM_DELAY: the curve, speedup against the smallest N of
# each mode, and where it flattens out.
make_table () {
  python3 - "$1" "$2" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ideal_total = float(sys.argv[2])
modes = []
for r in rows:
    if r["mode"] not in modes:
        modes.append(r["mode"])
print("sum of the units' real compile times: %.1f s (the ideal wall time is that / slots)" % ideal_total)
print("%-12s %4s %5s %8s %8s %8s %8s %9s %7s %6s %5s %5s %s" % ("mode", "N", "slots", "wall s", "ideal s",
      "speedup", "eff %", "cli cpu", "ms/unit", "remote", "pump", "fb", "status"))
for m in modes:
    rs = sorted((r for r in rows if r["mode"] == m), key=lambda r: int(r["n"]))
    base = float(rs[0]["wall_s"])
    flat = None
    prev = None
    for r in rs:
        n, w = int(r["n"]), float(r["wall_s"])
        ideal = ideal_total / int(r["slots"])
        sp = base / w
        print("%-12s %4d %5s %8.1f %8.1f %8.2f %8.0f %9.1f %7s %6s %5s %5s %s" % (m, n, r["slots"], w, ideal,
              sp, 100 * ideal / w, float(r["client_cpu_s"]), r["client_cpu_per_unit_ms"], r["remote"],
              r["pump"], r["fallback"], r["status"]))
        # Flattened: doubling N gained less than 10 per cent.
        if prev and flat is None and prev[1] / w < 1.10:
            flat = prev[0]
        prev = (n, w)
    print("%-12s flattens out at N=%s (the first N whose doubling gains < 10%% wall time)" %
          (m, flat if flat else ">" + rs[-1]["n"]))
EOF
}

usage () {
  cat <<EOT
Usage: $0 [--quick] [--ns "1 2 4 ..."] [--modes LIST] [--tus N]
  --quick       N = 1 2 4 8 16 and 160 translation units (default: N up to
                64, all C translation units of the tree)
  --ns LIST     the numbers of simulated volunteers
  --modes LIST  subset of: $ALL_MODES
  --tus N       the first N translation units only
EOT
}

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; NS="1 2 4 8 16"; TUS=160 ;;
    --ns) NS=$2; shift ;;
    --modes) MODES=$2; shift ;;
    --tus) TUS=$2; shift ;;
    --table) # --table DIR: print the table of DIR/cluster.csv again
      make_table "$2/cluster.csv" "$(sed -n 's/.*sum of real compile times \([0-9.]*\) s.*/\1/p' "$2/info.txt")"
      exit 0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

die () { echo "cluster.sh: $*" >&2; exit 1; }
note () { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (cgroups, volunteer daemons)"
[ -x /usr/bin/distcc ] && [ -x /usr/bin/distccd ] || die "apt-get install distcc"
[ -x "$REAL_CC" ] || die "no $REAL_CC"
[ -f "$W/tree/init/.main.o.cmd" ] || ls "$SRC"/init/.main.o.cmd >/dev/null 2>&1 ||
  die "no built kernel tree at $SRC: run kernel.sh first"

export LC_ALL=C
mkdir -p "$W"

# --- a private hard-linked copy of the tree (sources and headers) ----------
if [ ! -f "$W/tree/Makefile" ]; then
  note "hard-linking $SRC to $W/tree"
  rm -rf "$W/tree"
  cp -al "$SRC" "$W/tree"
fi
TREE=$W/tree
SIM=$W/sim
mkdir -p "$SIM/bin" "$SIM/obj" "$SIM/delay"

# --- the translation units: exact compile commands of the .cmd files -------
# One line per unit: "<source>\t<arguments after the compiler name>", with
# -Wp,-MMD,... dropped and -o left for the Makefile to set.
if [ ! -s "$SIM/units.tsv" ]; then
  note "extracting compile commands"
  (cd "$TREE" && find . -name '.*.o.cmd' -not -path './scripts/*' -not -path './tools/*' -print0 |
     sort -z | xargs -0 -n50 head -qn1) |
  sed -n "s/^cmd_[^ ]* := .*$COMPILER //p" |
  awk '{ sub(/[ \t]+$/, "") } $NF ~ /\.c$/ && / -c / {
         src = $NF; line = $0
         gsub(/-Wp,-MMD,[^ ]* /, "", line)
         sub(/ -o [^ ]+ /, " ", line); sub(/ [^ ]+$/, "", line)
         printf "%s\t%s\n", src, line }' > "$SIM/units.tsv"
fi
total_units=$(wc -l < "$SIM/units.tsv")
[ "$total_units" -gt 0 ] || die "no compile commands found"

key () { local p=${1#./}; echo "${p//\//__}"; }

# --- reference compiles: the object and the real compile time --------------
missing=0
while IFS=$'\t' read -r src args; do
  [ -s "$SIM/delay/$(key "$src")" ] || missing=$((missing + 1))
done < "$SIM/units.tsv"
if [ "$missing" -gt 0 ]; then
  note "reference compiles with the real gcc: $missing units (2 at a time)"
  cat > "$SIM/ref.sh" <<'EOT'
#!/bin/bash
# ref.sh LINE: the real compile of line LINE of units.tsv, timed.
IFS=$'\t' read -r src args < <(sed -n "${1}p" "$SIM/units.tsv")
p=${src#./}; k=${p//\//__}
[ -s "$SIM/delay/$k" ] && exit 0
cd "$TREE" || exit 1
t0=$(date +%s.%N)
eval "\"$REAL_CC\" $args -o \"$SIM/obj/$k.o\" \"$src\"" || { echo "reference compile of $src failed" >&2; exit 1; }
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' > "$SIM/delay/$k"
EOT
  chmod +x "$SIM/ref.sh"
  TREE=$TREE SIM=$SIM REAL_CC=$REAL_CC seq 1 "$total_units" | \
    TREE=$TREE SIM=$SIM REAL_CC=$REAL_CC xargs -P2 -n1 "$SIM/ref.sh"
fi

# --- the stand-in compiler ----------------------------------------------------
cat > "$SIM/bin/$COMPILER" <<EOF
#!/bin/bash
# sim-gcc: compiles (-c) of known units sleep, then copy the real object.
SIM=$SIM
REAL=$REAL_CC
EOF
cat >> "$SIM/bin/$COMPILER" <<'EOF'
c=0 pre=0 out= src= prev=
for a; do
  [ "$prev" = -o ] && out=$a
  case $a in
    -c) c=1 ;;
    -E|-M|-MM|-S) pre=1 ;;
    -*) ;;
    *.c|*.i) [ "$prev" = -o ] || src=$a ;;
  esac
  prev=$a
done
if [ $c = 1 ] && [ $pre = 0 ] && [ -n "$out" ] && [ -n "$src" ]; then
  name=$src
  # Preprocessed input (plain mode): the first line marker names the unit.
  case $src in *.i) read -r line < "$src"; name=${line#* \"}; name=${name%%\"*} ;; esac
  p=${name#/}
  while :; do
    k=${p//\//__}
    if [ -f "$SIM/delay/$k" ]; then
      read -r d < "$SIM/delay/$k"
      sleep "$d"
      exec cp "$SIM/obj/$k.o" "$out"
    fi
    case $p in */*) p=${p#*/} ;; *) break ;; esac
  done
  echo "sim-gcc: unknown unit $name, real compile" >> "$SIM/misses.log"
fi
exec "$REAL" "$@"
EOF
chmod 755 "$SIM/bin/$COMPILER" "$SIM" "$W"
chmod -R a+rX "$SIM"

# --- the units to build, as a Makefile ------------------------------------------
mkunits () {
  if [ "$TUS" -gt 0 ]; then head -n "$TUS" "$SIM/units.tsv"; else cat "$SIM/units.tsv"; fi
}
NUNITS=$(mkunits | wc -l)
{
  echo "all:"
  i=0
  while IFS=$'\t' read -r src args; do
    i=$((i + 1))
    echo "all: \$(OUT)/$i.o"
    echo "\$(OUT)/$i.o:"
    printf '\t$(CC) %s -o $@ %s\n' "${args//\$/\$\$}" "$src"
  done < <(mkunits)
} > "$SIM/units.mk"

# --- our programs, copied (a make in the tree must not swap them) -----------
OURS=$W/ours
rm -rf "$OURS"; mkdir -p "$OURS/bin" "$OURS/lib/distcc"
for p in distcc distccd pump include-server; do
  [ -x "$top/bin/$p" ] || die "missing $top/bin/$p: ./configure && make"
  cp "$top/bin/$p" "$OURS/bin/"
done
ln -s ../../bin/distcc "$OURS/lib/distcc/$COMPILER"

cg="$here/cgroup-cpu.sh"
"$cg" create dccbench-cl-client
"$cg" create dccbench-cl-server

stamp=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$here/results/cluster-$stamp
mkdir -p "$OUT"
CSV=$OUT/cluster.csv
echo "mode,n,slots,units,status,wall_s,client_cpu_s,client_cpu_per_unit_ms,server_cpu_s,remote,pump,local,fallback,misses" > "$CSV"
sum_delay=$(mkunits | while IFS=$'\t' read -r src args; do cat "$SIM/delay/$(key "$src")"; done |
            awk '{ s += $1 } END { printf "%.1f", s }')
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command: $0 --ns \"$NS\" --modes \"$MODES\" --tus $TUS"
  echo "host: $(uname -sr), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "compiler: $($REAL_CC --version | head -1)"
  echo "stock: $(dpkg-query -W -f '${Package} ${Version}\n' distcc 2>/dev/null)"
  echo "ours: $(cd "$top" && git describe --always --dirty 2>/dev/null || echo unknown)"
  echo "units: $NUNITS C translation units of Linux 6.1 tinyconfig; sum of real compile times $sum_delay s"
} > "$OUT/info.txt"
cat "$OUT/info.txt" >&2

# --- volunteers ---------------------------------------------------------------
PIDS=()
PORTS=()
stop_all () {
  local p i
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  # Stock distccd's preforked children may hold the listening socket a
  # little longer than their parent: wait until every port is free.
  for p in "${PORTS[@]}"; do
    i=0
    while [ -n "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; do
      i=$((i + 1)); [ $i -lt 100 ] || die "port $p still in use"; sleep 0.1
    done
  done
  PIDS=()
  PORTS=()
}
cleanup () { stop_all; "$cg" remove dccbench-cl-client 2>/dev/null || true; "$cg" remove dccbench-cl-server 2>/dev/null || true; }
trap cleanup EXIT

wait_port () {
  local i=0
  while ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || die "volunteer on port $1 did not come up"; sleep 0.1
  done
}

# start_volunteers KIND N TAG: prints DISTCC_HOSTS.
HOSTS=
start_volunteers () {
  local kind=$1 n=$2 tag=$3 i port log
  stop_all
  HOSTS=
  mkdir -p "$OUT/$tag.vol"
  chmod 777 "$OUT/$tag.vol"
  for i in $(seq 0 $((n - 1))); do
    log=$OUT/$tag.vol/$i.log
    case $kind in
      stock)
        port=$((STOCK_BASE + i)); : > "$log"; chown nobody "$log"
        PATH=$SIM/bin:$PATH "$cg" exec dccbench-cl-server /usr/bin/distccd --no-detach --daemon \
          --listen 127.0.0.1 --port "$port" --allow 127.0.0.1 --user nobody --jobs "$SLOTS" \
          --log-file "$log" </dev/null >/dev/null 2>&1 &
        ;;
      ours)
        port=$((OURS_BASE + i)); rm -rf "$W/cache.$i"; mkdir -p "$W/cache.$i"
        PATH=$SIM/bin:$PATH "$cg" exec dccbench-cl-server "$OURS/bin/distccd" --no-detach --daemon \
          --listen 127.0.0.1 --port "$port" --allow 127.0.0.1 --user root --jobs "$SLOTS" \
          --cache-dir "$W/cache.$i" --log-file "$log" </dev/null >/dev/null 2>&1 &
        ;;
    esac
    PIDS+=($!)
    PORTS+=("$port")
    HOSTS="$HOSTS 127.0.0.1:$port/$SLOTS"
  done
  for i in $(seq 0 $((n - 1))); do
    case $kind in stock) wait_port $((STOCK_BASE + i)) ;; ours) wait_port $((OURS_BASE + i)) ;; esac
  done
}

count () { grep -c -e "$1" "$2" 2>/dev/null || true; }

run_one () {
  local mode=$1 n=$2 tag="$1-n$2" opts=lzo
  local clog=$OUT/$tag.client.log mlog=$OUT/$tag.make.log obj=$W/out
  local -a cmd
  case $mode in
    stock-plain) start_volunteers stock "$n" "$tag" ;;
    ours-plain) start_volunteers ours "$n" "$tag" ;;
    ours-pump) start_volunteers ours "$n" "$tag"; opts=cpp,lzo ;;
  esac
  local hosts="" h
  for h in $HOSTS; do hosts="$hosts $h,$opts"; done
  local jobs=$((SLOTS * n))
  case $mode in
    stock-plain) cmd=(make -f "$SIM/units.mk" -j"$jobs" OUT="$obj" CC="/usr/bin/distcc $COMPILER") ;;
    ours-plain) cmd=(make -f "$SIM/units.mk" -j"$jobs" OUT="$obj" CC="$OURS/bin/distcc $COMPILER") ;;
    ours-pump) cmd=("$OURS/bin/pump" make -f "$SIM/units.mk" -j"$jobs" OUT="$obj" CC="$OURS/bin/distcc $COMPILER") ;;
  esac
  rm -rf "$obj"; mkdir -p "$obj" "$OUT/$tag.distcc-dir"
  : > "$SIM/misses.log"
  note "$mode N=$n (-j$jobs)"
  local c0 s0 t0 t1 c1 s1 status=ok
  c0=$("$cg" usage dccbench-cl-client); s0=$("$cg" usage dccbench-cl-server)
  t0=$(date +%s.%N)
  (cd "$TREE" && exec "$cg" exec dccbench-cl-client env PATH="$SIM/bin:$PATH" \
     DISTCC_DIR="$OUT/$tag.distcc-dir" DISTCC_LOG="$clog" DISTCC_VERBOSE=1 \
     DISTCC_HOSTS="${hosts# }" "${cmd[@]}") > "$mlog" 2>&1 || status=fail
  t1=$(date +%s.%N)
  c1=$("$cg" usage dccbench-cl-client); s1=$("$cg" usage dccbench-cl-server)
  stop_all
  local built remote=0 rpump=0 loc=0 fb=0 misses
  built=$(find "$obj" -name '*.o' | wc -l)
  [ "$built" = "$NUNITS" ] || status=fail
  misses=$(wc -l < "$SIM/misses.log")
  case $mode in
    stock-*)
      remote=$(count '] compile .* on 127\.0\.0\.1:.* completed ok' "$clog")
      loc=$(count '] compile .* on localhost completed ok' "$clog")
      fb=$(count 'failed to distribute, running locally instead' "$clog")
      loc=$((loc - fb)) ;;
    ours-*)
      remote=$(count 'result: remote ' "$clog")
      rpump=$(count 'result: remote .*mode=pump' "$clog")
      loc=$(count 'result: local ' "$clog")
      fb=$(count 'result: fallback ' "$clog") ;;
  esac
  rm -f "$clog.gz"; gzip -f "$clog" 2>/dev/null || true
  local row
  row=$(awk -v m="$mode" -v n="$n" -v sl="$SLOTS" -v u="$NUNITS" -v st="$status" -v t0="$t0" -v t1="$t1" \
        -v c0="$c0" -v c1="$c1" -v s0="$s0" -v s1="$s1" -v re="$remote" -v rp="$rpump" \
        -v lo="$loc" -v fb="$fb" -v mi="$misses" 'BEGIN {
          c = (c1 - c0) / 1e6; s = (s1 - s0) / 1e6
          printf "%s,%d,%d,%d,%s,%.2f,%.2f,%.1f,%.2f,%d,%d,%d,%d,%d\n",
                 m, n, n * sl, u, st, t1 - t0, c, 1000 * c / u, s, re, rp, lo, fb, mi }')
  echo "$row" >> "$CSV"
  note "  $row"
}

for n in $NS; do
  for mode in $MODES; do
    case " $ALL_MODES " in *" $mode "*) ;; *) die "unknown mode $mode" ;; esac
    run_one "$mode" "$n"
  done
done

make_table "$CSV" "$sum_delay" > "$OUT/table.txt"
cat "$OUT/table.txt"
echo "results: $OUT"
