#!/bin/bash
# cluster.sh: a simulated cluster behind real network limits. How much of
# the speed-up that the client's floor allows does each mode reach? See
# README, "Simulated cluster".
#
#   test/bench/cluster.sh [--quick] [--ns "1 2 4 ..."] [--links "1gbit 100mbit"]
#                         [--modes LIST] [--tus N] [--runs R]
#
# Network: every volunteer daemon runs in a network namespace of its own,
# the client (make, distcc, pump and its include server) in another, and a
# third holds a bridge (the switch) with one veth pair to each of them.
# Both ends of every veth carry a tc tbf qdisc at the link rate, so each
# host has a full-duplex link of that rate to the switch: all N volunteers
# share the client's one link, as on a switched LAN (one veth per
# volunteer straight to the client would give the client N links).
# tbf shapes egress only, hence both ends. No added latency (no netem).
#
# Volunteers: N distccd daemons (--jobs 4 each). Their compiler is a
# stand-in (sim-gcc, installed as x86_64-linux-gnu-gcc first on PATH on
# the client AND on the volunteers): for a compile (-c) of a known kernel
# translation unit it sleeps for that unit's measured real compile time
# and copies the object the real gcc made, using no CPU; everything else
# (-E, -dumpfullversion, -print-prog-name=..., -v) it hands to the real
# gcc. Client and volunteers see the same binary, so our compiler identity
# (digests of driver, cc1 and as) matches on both sides.
#
# Needs root (namespaces, tc, cgroups, distccd), Debian's distcc, our bin/
# (./configure && make) and a built Linux 6.1 tree with .cmd files
# (kernel.sh makes one at /var/tmp/dcc-bench/linux-source-6.1; it is
# hard-linked, not modified).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

SRC=${DCC_BENCH_DIR:-/var/tmp/dcc-bench}/linux-source-6.1
W=${DCC_CLUSTER_DIR:-/var/tmp/dcc-cluster}
STOCK_PORT=3632
OURS_PORT=3633
SLOTS=4
REAL_CC=/usr/bin/x86_64-linux-gnu-gcc
COMPILER=x86_64-linux-gnu-gcc
ALL_MODES="stock-plain ours-plain ours-pump ours-pump-warm"
MODES=$ALL_MODES
NS="1 2 4 8 16"
LINKS="1gbit 100mbit"
TUS=0           # 0: all C translation units of the tree
RUNS=1

usage () {
  cat <<EOT
Usage: $0 [--quick] [--ns "1 2 4 ..."] [--links LIST] [--modes LIST] [--tus N] [--runs R]
  --quick       the first 160 translation units (default: all C units)
  --ns LIST     the numbers of simulated volunteers (default: $NS)
  --links LIST  tc tbf rates of every link, e.g. "1gbit 100mbit" (default);
                "none": the same veths without a rate limit
  --modes LIST  subset of: $ALL_MODES
                (ours-pump-warm: a second pump build, right after ours-pump
                at the same N, with the file stores and the include
                server's cache file that build left; no result cache)
  --tus N       the first N translation units only
  --runs R      R runs of everything, the table gives medians (default 1)
  --table DIR   print the table of DIR/cluster.csv again
EOT
}

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) TUS=160 ;;
    --ns) NS=$2; shift ;;
    --links) LINKS=$2; shift ;;
    --modes) MODES=$2; shift ;;
    --tus) TUS=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --table) /usr/bin/python3 "$here/cluster-table.py" "$2"; exit 0 ;;
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
[ -x /usr/bin/time ] || die "apt-get install time"
command -v nsenter >/dev/null && command -v tc >/dev/null || die "needs nsenter (util-linux) and tc (iproute2)"
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
# The CPU time (user + system) of the whole gcc -c, not its wall time:
# the machine is shared, and contention stretches wall time far more.
eval "/usr/bin/time -f '%U %S' -o \"$SIM/obj/$k.time\" \"$REAL_CC\" $args -o \"$SIM/obj/$k.o\" \"$src\"" ||
  { echo "reference compile of $src failed" >&2; exit 1; }
awk '{ printf "%.3f\n", $1 + $2 }' "$SIM/obj/$k.time" > "$SIM/delay/$k"
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
      # The floor builds: make, fork and exec, cp; no compile, no sleep.
      [ -n "${DCC_SIM_NOSLEEP:-}" ] || sleep "$d"
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

nmax=0
for n in $NS; do [ "$n" -le 200 ] || die "N=$n: at most 200 volunteers"; [ "$n" -gt "$nmax" ] && nmax=$n; done
prev=
for mode in $MODES; do
  case " $ALL_MODES " in *" $mode "*) ;; *) die "unknown mode $mode" ;; esac
  [ "$mode" != ours-pump-warm ] || [ "$prev" = ours-pump ] || die "ours-pump-warm must follow ours-pump in --modes"
  prev=$mode
done

stamp=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$here/results/cluster-$stamp
mkdir -p "$OUT"
CSV=$OUT/cluster.csv
echo "run,link,mode,n,slots,units,status,wall_s,client_cpu_s,client_cpu_per_unit_ms,server_cpu_s,remote,pump,local,fallback,misses,up_mb,down_mb,load1" > "$CSV"
read -r sum_delay longest < <(mkunits | while IFS=$'\t' read -r src args; do cat "$SIM/delay/$(key "$src")"; done |
            awk '{ s += $1; if ($1 > m) m = $1 } END { printf "%.1f %.2f\n", s, m }')
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command: $0 --ns \"$NS\" --links \"$LINKS\" --modes \"$MODES\" --tus $TUS --runs $RUNS"
  echo "host: $(uname -sr), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "compiler: $($REAL_CC --version | head -1)"
  echo "stock: $(dpkg-query -W -f '${Package} ${Version}\n' distcc 2>/dev/null)"
  echo "ours: $(cd "$top" && git describe --always --dirty 2>/dev/null || echo unknown)"
  echo "units: $NUNITS C translation units of Linux 6.1 tinyconfig; sum of real compile times $sum_delay s, longest $longest s"
} > "$OUT/info.txt"
cat "$OUT/info.txt" >&2

# --- the network: a switch namespace, the client's and one per volunteer -----
P=dcccl$$
SW=${P}sw
CL=${P}c
NETNS=()
SHAPED=()       # "NAMESPACE DEVICE" of every veth end
vol_ns () { echo "${P}v$1"; }
vol_ip () { echo "10.77.$(($1 / 200)).$(($1 % 200 + 11))"; }
CL_IP=10.77.0.1

ns_add () { ip netns add "$1"; NETNS+=("$1"); ip -n "$1" link set lo up; }
# host_link NS PORT IP: a veth from NS (eth0, address IP) to the switch (PORT).
host_link () {
  ns_add "$1"
  ip link add name "$2" netns "$SW" type veth peer name eth0 netns "$1"
  ip -n "$SW" link set "$2" master br0 up
  ip -n "$1" addr add "$3/16" dev eth0
  ip -n "$1" link set eth0 up
  SHAPED+=("$1 eth0" "$SW $2")
}
net_up () {
  local i
  note "network: switch, client and $nmax volunteer namespaces ($P*)"
  ns_add "$SW"
  ip -n "$SW" link add br0 type bridge
  ip -n "$SW" link set br0 up
  host_link "$CL" c "$CL_IP"
  for i in $(seq 0 $((nmax - 1))); do host_link "$(vol_ns "$i")" "v$i" "$(vol_ip "$i")"; done
}
# set_rate RATE: tbf at RATE on both ends of every veth; "none" removes it.
# The bucket holds 4 ms at the rate (at least 64 KB: a GSO packet), the
# queue 20 ms.
set_rate () {
  local r=$1 x bits burst
  if [ "$r" != none ]; then
    bits=$(echo "$r" | awk '{ v = $1 + 0; u = tolower($1); sub(/^[0-9.]+/, "", u)
      m = (u == "gbit") ? 1e9 : (u == "mbit") ? 1e6 : (u == "kbit") ? 1e3 : (u == "bit") ? 1 : -1
      if (m < 0 || v <= 0) exit 1; printf "%d\n", v * m }') || die "bad rate $r (e.g. 1gbit, 100mbit)"
    burst=$((bits / 8 / 250)); [ "$burst" -ge 65536 ] || burst=65536
  fi
  for x in "${SHAPED[@]}"; do
    set -- $x
    if [ "$r" = none ]; then
      tc -n "$1" qdisc del dev "$2" root 2>/dev/null || true
    else
      tc -n "$1" qdisc replace dev "$2" root tbf rate "$r" burst "$burst" latency 20ms
    fi
  done
}
# link_bytes: "TX RX" bytes of the client's link.
link_bytes () {
  ip -n "$CL" -s link show dev eth0 | awk '/RX:/ { getline; rx = $1 } /TX:/ { getline; tx = $1 } END { print tx, rx }'
}

# --- volunteers ---------------------------------------------------------------
PIDS=()
USED_NS=()
# stop_all: our daemons, then whatever they left in their namespaces (stock
# distccd's preforked children), each namespace being ours alone.
stop_all () {
  local p ns i
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for ns in "${USED_NS[@]}"; do
    i=0
    while p=$(ip netns pids "$ns" 2>/dev/null) && [ -n "$p" ]; do
      [ $i -lt 5 ] && kill $p 2>/dev/null || kill -9 $p 2>/dev/null || true
      i=$((i + 1)); [ $i -lt 100 ] || die "processes left in namespace $ns: $p"; sleep 0.1
    done
  done
  PIDS=()
  USED_NS=()
}
cleanup () {
  local ns
  stop_all
  for ns in "${NETNS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  "$cg" remove dccbench-cl-client 2>/dev/null || true
  "$cg" remove dccbench-cl-server 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# in_client CMD...: run CMD in the client's network namespace.
in_client () { nsenter --net="/run/netns/$CL" "$@"; }

wait_port () {
  local i=0
  while ! in_client bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 200 ] || die "volunteer $1:$2 did not come up"; sleep 0.1
  done
}

# start_volunteers KIND N TAG: sets HOSTS.
HOSTS=
start_volunteers () {
  local kind=$1 n=$2 tag=$3 i port log ns ip extra
  stop_all
  HOSTS=
  mkdir -p "$OUT/$tag.vol"
  chmod 777 "$OUT/$tag.vol"
  for i in $(seq 0 $((n - 1))); do
    log=$OUT/$tag.vol/$i.log
    ns=$(vol_ns "$i"); ip=$(vol_ip "$i")
    USED_NS+=("$ns")
    case $kind in
      stock)
        port=$STOCK_PORT; : > "$log"; chown nobody "$log"
        PATH=$SIM/bin:$PATH "$cg" exec dccbench-cl-server nsenter --net="/run/netns/$ns" \
          /usr/bin/distccd --no-detach --daemon \
          --listen "$ip" --port "$port" --allow 10.77.0.0/16 --user nobody --jobs "$SLOTS" \
          --log-file "$log" </dev/null >/dev/null 2>&1 &
        ;;
      ours|ours-warm)
        # ours-warm: the file store the previous build left (a cold
        # ours-pump build at the same N), and no result cache, so that
        # every unit is compiled again.
        port=$OURS_PORT
        [ "$kind" = ours-warm ] && extra=--no-result-cache || { extra=; rm -rf "$W/cache.$i"; }
        mkdir -p "$W/cache.$i"
        PATH=$SIM/bin:$PATH "$cg" exec dccbench-cl-server nsenter --net="/run/netns/$ns" \
          "$OURS/bin/distccd" --no-detach --daemon \
          --listen "$ip" --port "$port" --allow 10.77.0.0/16 --user root --jobs "$SLOTS" \
          --cache-dir "$W/cache.$i" $extra --log-file "$log" </dev/null >/dev/null 2>&1 &
        ;;
    esac
    PIDS+=($!)
    HOSTS="$HOSTS $ip:$port/$SLOTS"
  done
  for i in $(seq 0 $((n - 1))); do wait_port "$(vol_ip "$i")" "$port"; done
}

count () { grep -c -e "$1" "$2" 2>/dev/null || true; }

# run_one RUN LINK MODE N: one build; appends its row to the CSV.
# MODE local: make -j2 with the stand-in on the client (each compile costs
# its recorded time, two at a time: the client's 2 cores, undisturbed);
# floor: make -j(4N) with the stand-in, no sleep (make, fork and exec, cp);
# the others through distcc and the volunteers.
run_one () {
  local run=$1 link=$2 mode=$3 n=$4 opts=lzo tag
  tag="r$1-$2-$3-n$4"
  local clog=$OUT/$tag.client.log mlog=$OUT/$tag.make.log obj=$W/out
  local jobs=$((SLOTS * n)) slots=$((SLOTS * n))
  local -a cmd
  case $mode in
    local) stop_all; jobs=2; slots=2; cmd=(make -f "$SIM/units.mk" -j2 OUT="$obj" CC="$SIM/bin/$COMPILER") ;;
    floor) stop_all; cmd=(env DCC_SIM_NOSLEEP=1 make -f "$SIM/units.mk" -j"$jobs" OUT="$obj" CC="$SIM/bin/$COMPILER") ;;
    stock-plain) start_volunteers stock "$n" "$tag" ;;
    ours-plain) start_volunteers ours "$n" "$tag" ;;
    ours-pump) start_volunteers ours "$n" "$tag"; opts=cpp,lzo; rm -f "$W/is.cache" ;;
    ours-pump-warm) start_volunteers ours-warm "$n" "$tag"; opts=cpp,lzo ;;
  esac
  local hosts="" h
  for h in $HOSTS; do hosts="$hosts $h,$opts"; done
  case $mode in
    stock-plain) cmd=(make -f "$SIM/units.mk" -j"$jobs" OUT="$obj" CC="/usr/bin/distcc $COMPILER") ;;
    ours-plain) cmd=(make -f "$SIM/units.mk" -j"$jobs" OUT="$obj" CC="$OURS/bin/distcc $COMPILER") ;;
    ours-pump*) cmd=(env DISTCC_PUMP_CACHE="$W/is.cache" "$OURS/bin/pump"
                     make -f "$SIM/units.mk" -j"$jobs" OUT="$obj" CC="$OURS/bin/distcc $COMPILER") ;;
  esac
  rm -rf "$obj"; mkdir -p "$obj" "$OUT/$tag.distcc-dir"
  : > "$SIM/misses.log"
  note "run $run, link $link: $mode N=$n (-j$jobs), load $(cut -d' ' -f1 /proc/loadavg)"
  local c0 s0 t0 t1 c1 s1 b0 b1 status=ok load
  c0=$("$cg" usage dccbench-cl-client); s0=$("$cg" usage dccbench-cl-server)
  b0=$(link_bytes)
  t0=$(date +%s.%N)
  (cd "$TREE" && exec "$cg" exec dccbench-cl-client nsenter --net="/run/netns/$CL" env PATH="$SIM/bin:$PATH" \
     DISTCC_DIR="$OUT/$tag.distcc-dir" DISTCC_LOG="$clog" DISTCC_VERBOSE=1 \
     DISTCC_HOSTS="${hosts# }" "${cmd[@]}") > "$mlog" 2>&1 || status=fail
  t1=$(date +%s.%N)
  b1=$(link_bytes)
  c1=$("$cg" usage dccbench-cl-client); s1=$("$cg" usage dccbench-cl-server)
  load=$(cut -d' ' -f1 /proc/loadavg)
  stop_all
  local built remote=0 rpump=0 loc=0 fb=0 misses
  built=$(find "$obj" -name '*.o' | wc -l)
  [ "$built" = "$NUNITS" ] || status=fail
  misses=$(wc -l < "$SIM/misses.log")
  case $mode in
    local|floor) loc=$NUNITS ;;
    stock-*)
      remote=$(count '] compile .* on 10\.77\..* completed ok' "$clog")
      loc=$(count '] compile .* on localhost completed ok' "$clog")
      fb=$(count 'failed to distribute, running locally instead' "$clog")
      loc=$((loc - fb)) ;;
    ours-*)
      remote=$(count 'result: remote ' "$clog")
      rpump=$(count 'result: remote .*mode=pump' "$clog")
      loc=$(count 'result: local ' "$clog")
      fb=$(count 'result: fallback ' "$clog") ;;
  esac
  [ -f "$clog" ] && { rm -f "$clog.gz"; gzip -f "$clog" 2>/dev/null || true; }
  rm -rf "$OUT/$tag.distcc-dir"
  local row
  row=$(awk -v r="$run" -v l="$link" -v m="$mode" -v n="$n" -v sl="$slots" -v u="$NUNITS" -v st="$status" \
        -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v s0="$s0" -v s1="$s1" -v re="$remote" -v rp="$rpump" \
        -v lo="$loc" -v fb="$fb" -v mi="$misses" -v b0="$b0" -v b1="$b1" -v ld="$load" 'BEGIN {
          c = (c1 - c0) / 1e6; s = (s1 - s0) / 1e6
          split(b0, x, " "); split(b1, y, " ")
          printf "%d,%s,%s,%d,%d,%d,%s,%.2f,%.2f,%.1f,%.2f,%d,%d,%d,%d,%d,%.2f,%.2f,%s\n",
                 r, l, m, n, sl, u, st, t1 - t0, c, 1000 * c / u, s, re, rp, lo, fb, mi,
                 (y[1] - x[1]) / 1e6, (y[2] - x[2]) / 1e6, ld }')
  echo "$row" >> "$CSV"
  note "  $row"
}

net_up
for run in $(seq 1 "$RUNS"); do
  run_one "$run" - local 1
  for n in $NS; do run_one "$run" - floor "$n"; done
  for link in $LINKS; do
    set_rate "$link"
    for n in $NS; do
      for mode in $MODES; do run_one "$run" "$link" "$mode" "$n"; done
    done
  done
done
echo "end: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/info.txt"

/usr/bin/python3 "$here/cluster-table.py" "$OUT" > "$OUT/table.txt"
cat "$OUT/table.txt"
echo "results: $OUT"
