#!/usr/bin/env bash
# Zeroconf with the real Avahi: distccd --zeroconf publishes "_distcc._tcp"
# (and stock's subtype), a client with DISTCC_HOSTS=+zeroconf finds it and
# compiles there, plain and pump, identically to a local compile; a stock
# distccd --zeroconf is found and used too, and Debian's stock client finds
# ours. With no volunteer published, or no avahi-daemon, it compiles
# locally after one warning.
#
# Everything runs in a network and mount namespace of its own: a private
# D-Bus system bus (DBUS_SYSTEM_BUS_ADDRESS) and an avahi-daemon with its
# own configuration on that namespace's loopback (multicast switched on),
# its runtime directory on a private tmpfs; nothing of the machine's
# network, bus or avahi-daemon is touched.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${DCC_ZEROCONF_NS:-}" ]; then
  why=
  if [ "$(id -u)" != 0 ]; then why="needs root (a network namespace of its own)"
  elif ! command -v avahi-daemon > /dev/null && [ ! -x /usr/sbin/avahi-daemon ]; then why="avahi-daemon not installed (apt-get install avahi-daemon)"
  elif ! command -v dbus-daemon > /dev/null; then why="dbus-daemon not installed (apt-get install dbus-daemon)"
  elif ! grep -q '^AVAHI = yes' "$TOP/config.mak" 2> /dev/null; then why="built without Avahi (apt-get install libavahi-client-dev, then ./configure)"
  elif ! command -v ip > /dev/null; then why="ip not installed (apt-get install iproute2)"
  elif ! unshare --net --mount true 2> /dev/null; then why="cannot make a network and mount namespace here (unshare --net --mount)"
  fi
  if [ -n "$why" ]; then echo "ok 1 - zeroconf # SKIP $why"; echo "1..1"; exit 0; fi
  DCC_ZEROCONF_NS=1 exec unshare --net --mount --propagation private bash "$0" "$@"
fi
source "$(dirname "$0")/lib.sh"
PATH=$PATH:/usr/sbin

# The namespace's loopback, with multicast, is the one interface avahi uses.
ip link set lo up && ip link set lo multicast on
mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon

# A private system bus.
bus=$SCRATCH/bus; mkdir -p "$bus"
cat > "$bus/system.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$bus/socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
dbus-daemon --config-file="$bus/system.conf" --nofork --nopidfile > "$bus/log" 2>&1 &
DAEMON_PIDS+=("$!")
if ! wait_socket "$bus/socket"; then not_ok "private D-Bus system bus starts"; sed 's/^/# /' "$bus/log"; finish; exit 1; fi
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$bus/socket

cat > "$SCRATCH/avahi.conf" <<EOF
[server]
host-name=dcc-zeroconf-test
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
enable-dbus=yes
ratelimit-interval-usec=0
[wide-area]
enable-wide-area=no
[publish]
publish-addresses=yes
publish-hinfo=no
publish-workstation=no
publish-aaaa-on-ipv4=no
[reflector]
enable-reflector=no
EOF

proj=$SCRATCH/proj; mkdir -p "$proj/include"
printf '#pragma once\n#define TWICE(x) ((x) * 2)\n' > "$proj/include/util.h"
printf '#include "util.h"\nint f (int x) { return TWICE (x); }\n' > "$proj/a.c"
cd "$proj" || exit 1
gcc -c -O2 -g -Iinclude a.c -o local.o
gcc -c -O2 -Iinclude a.c -o local-nog.o
G=-g

compile () { # NAME [pump]: with DISTCC_HOSTS=+zeroconf; sets RES, MODE
  rm -f "$SCRATCH/$1.log"
  if [ "${2:-}" = pump ]; then
    DISTCC_HOSTS=+zeroconf DISTCC_LOG="$SCRATCH/$1.log" "$BIN/pump" "$BIN/distcc" gcc -c -O2 $G -Iinclude a.c -o "$1.o" 2> "$SCRATCH/$1.err"
  else
    DISTCC_HOSTS=+zeroconf DISTCC_LOG="$SCRATCH/$1.log" "$BIN/distcc" gcc -c -O2 $G -Iinclude a.c -o "$1.o" 2> "$SCRATCH/$1.err"
  fi
  RES=$(result_of "$SCRATCH/$1.log"); MODE=$(grep -o 'mode=[a-z]*' "$SCRATCH/$1.log" | tail -1 | cut -d= -f2)
}

# one_warning LOG PATTERN: the compile logged one line besides its result
# line (at the default level: warnings only), and it matches.
one_warning () { [ "$(grep -vc ' result: ' "$1")" = 1 ] && grep -v ' result: ' "$1" | grep -q -- "$2"; }

# Avahi is loaded for +zeroconf only: linked, its nine libraries cost
# every compile's loader about 4 ms of CPU (issue 20).
check "distcc is not linked with Avahi (it loads it for +zeroconf)" sh -c "! ldd '$BIN/distcc' | grep -q libavahi"

# No avahi-daemon yet: the client says so once and compiles here.
compile noavahi
check "no avahi-daemon: compiled locally (got $RES)" test "$RES" = local
check "no avahi-daemon: one warning, naming +zeroconf and avahi-daemon (got: $(grep -v ' result: ' "$SCRATCH/noavahi.log" | head -c 300))" \
    one_warning "$SCRATCH/noavahi.log" '"+zeroconf" found no volunteer: .*avahi-daemon.*compiling locally'
check "no avahi-daemon: the result's reason says so, not 'localhost chosen'" \
    grep -q 'result: local reason="host entry "+zeroconf" found no volunteer: .*avahi-daemon' "$SCRATCH/noavahi.log"
check "no avahi-daemon: object identical" cmp -s noavahi.o local.o

# Our volunteer starts before avahi-daemon, as at boot: it publishes once
# avahi-daemon is there.
start_distccd --zeroconf --jobs 3 || { finish; exit 1; }
OURS=$PORT; OURS_LOG=$DLOG
check "distccd --zeroconf waits for avahi-daemon" wait_log "$OURS_LOG" "avahi-daemon is not running"
avahi-daemon -f "$SCRATCH/avahi.conf" --no-drop-root --no-chroot --no-rlimits --no-proc-title > "$SCRATCH/avahi.log" 2>&1 &
DAEMON_PIDS+=("$!")
if ! wait_log "$SCRATCH/avahi.log" "Server startup complete"; then not_ok "avahi-daemon starts"; sed 's/^/# /' "$SCRATCH/avahi.log"; finish; exit 1; fi
ok "avahi-daemon starts on the namespace's loopback"
check "distccd publishes once avahi-daemon is up" wait_log "$OURS_LOG" "zeroconf: published"
grep 'zeroconf' "$OURS_LOG" | sed 's/^/# /'
check "it publishes stock's subtype for its cc" grep -q "_sub._distcc._tcp" "$OURS_LOG"

compile plain
check "+zeroconf: compiled on the volunteer found (got $RES)" test "$RES" = remote
check "+zeroconf: on our volunteer's port" grep -q "host=127.0.0.1:$OURS " "$SCRATCH/plain.log"
check "+zeroconf: object identical to the local one" cmp -s plain.o local.o
check "+zeroconf: nothing on stderr" test ! -s "$SCRATCH/plain.err"
check "the browse is kept in DISTCC_DIR/zeroconf/volunteers, with the slots published and ,cpp" \
    grep -qx "127.0.0.1:$OURS/3,cpp" "$DISTCC_DIR/zeroconf/volunteers"
sed 's/^/# /' "$DISTCC_DIR/zeroconf/volunteers"
check "--show-hosts lists the volunteer found" sh -c "DISTCC_HOSTS='+zeroconf' '$BIN/distcc' --show-hosts | grep -qx '127.0.0.1:$OURS/3,cpp'"
compile pump pump
check "+zeroconf under pump: remote in pump mode (got $RES $MODE)" test "$RES:$MODE" = remote:pump
check "+zeroconf under pump: object identical" cmp -s pump.o local.o

# Stock's volunteer with --zeroconf: found, and used in its protocol. (Ours
# stops first: stock's distccd gives up publishing when its name, the same
# "distcc@HOST", is taken, where ours takes another.)
kill "$DPID"; wait_gone "$DPID"
if distccd --help 2>&1 | grep -q -- --zeroconf && id distccd > /dev/null 2>&1; then
  SPORT=$(free_port)
  slog=$SCRATCH/stock-log; mkdir -p "$slog"; chown distccd "$slog"   # it opens its log as distccd
  distccd --daemon --no-detach --zeroconf --listen 127.0.0.1 --port "$SPORT" --allow 127.0.0.1 --user distccd \
      --log-file "$slog/log" --log-level info &
  DAEMON_PIDS+=("$!"); STOCK_PID=$!
  wait_port "$SPORT" "$STOCK_PID" || sed 's/^/# /' "$slog/log"
  rm -rf "$DISTCC_DIR/zeroconf" "$DISTCC_DIR/hosts.d"
  wait_until "the stock volunteer in a browse" sh -c "rm -f '$DISTCC_DIR/zeroconf/volunteers'; DISTCC_HOSTS=+zeroconf '$BIN/distcc' --show-hosts | grep -q ':$SPORT/'"
  sed 's/^/# /' "$DISTCC_DIR/zeroconf/volunteers"
  check "stock distccd --zeroconf: found, a plain entry with its jobs" grep -qE "^127.0.0.1:$SPORT/[0-9]+\$" "$DISTCC_DIR/zeroconf/volunteers"
  grep -qE "^127.0.0.1:$SPORT/" "$DISTCC_DIR/zeroconf/volunteers" \
    || { sed 's/^/# stock: /' "$slog/log"; tail -20 "$SCRATCH/avahi.log" | sed 's/^/# avahi: /'; }
  rm -rf "$DISTCC_DIR/zeroconf"
  # (Without -g, which this client keeps off stock volunteers: see test-ssh.)
  G= compile stockvol
  check "+zeroconf with a stock volunteer: remote in the stock protocol (got $RES $MODE)" test "$RES:$MODE" = remote:stock
  check "+zeroconf with a stock volunteer: object identical" cmp -s stockvol.o local-nog.o
  kill "$STOCK_PID"; wait_gone "$STOCK_PID"
  # Debian's stock client browses stock's subtype for its cc: it finds ours.
  start_distccd --zeroconf --jobs 3 || { finish; exit 1; }
  OURS=$PORT
  wait_log "$DLOG" "zeroconf: published"
  sdir=$SCRATCH/stock-client; mkdir -p "$sdir"
  DISTCC_DIR=$sdir DISTCC_HOSTS=+zeroconf /usr/bin/distcc gcc -c -O2 -Iinclude a.c -o stockclient.o 2> /dev/null
  check "Debian's distcc +zeroconf finds our volunteer (stock's subtype and TXT)" \
      wait_until "our volunteer in the stock client's zeroconf/hosts" grep -q "127.0.0.1:$OURS/3" "$sdir/zeroconf/hosts"
  sed 's/^/# stock client: /' "$sdir/zeroconf/hosts"
  kill "$DPID"; wait_gone "$DPID"
else
  skip "stock distccd with --zeroconf and user distccd (apt-get install distcc)"
fi

# No volunteer published any more: local, after one warning. avahi-daemon
# may answer from its cache for a second after a goodbye: wait until a
# browse no longer finds one.
withdrawn () { rm -rf "$DISTCC_DIR/zeroconf"; ! DISTCC_HOSTS=+zeroconf "$BIN/distcc" --show-hosts 2>/dev/null | grep -q '^127\.0\.0\.1:'; }
wait_until "no volunteer in a browse" withdrawn
rm -rf "$DISTCC_DIR/zeroconf"
compile none
check "no volunteer published: compiled locally (got $RES)" test "$RES" = local
check "no volunteer published: one warning naming +zeroconf (got: $(grep -v ' result: ' "$SCRATCH/none.log" | head -c 300))" \
    one_warning "$SCRATCH/none.log" '"+zeroconf" found no volunteer: none (_distcc._tcp) is published on the network; compiling locally'
check "no volunteer published: the result's reason says so, not 'localhost chosen'" \
    grep -q 'result: local reason="host entry "+zeroconf" found no volunteer: none (_distcc._tcp)' "$SCRATCH/none.log"
check "no volunteer published: object identical" cmp -s none.o local.o

# A build of four files (make -j2 in a process group of its own) with no
# volunteer published: said once on stderr, not once per file (issue 17).
mkdir -p "$SCRATCH/mk"
for i in 1 2 3 4; do printf 'int g%d (void) { return %d; }\n' "$i" "$i" > "$SCRATCH/mk/m$i.c"; done
printf 'all: m1.o m2.o m3.o m4.o\n%%.o: %%.c\n\t$(CC) -c $< -o $@\n' > "$SCRATCH/mk/Makefile"
(cd "$SCRATCH/mk" && DISTCC_HOSTS=+zeroconf setsid make -s -j2 CC="$BIN/distcc gcc" 2> "$SCRATCH/mk.err")
sed 's/^/# make: /' "$SCRATCH/mk.err"
n=$(grep -c '"+zeroconf" found no volunteer: none (_distcc._tcp) is published on the network; compiling locally' "$SCRATCH/mk.err")
check "a make -j2 of 4 files with no volunteer published: said once on stderr ($n)" test "$n" = 1
check "... and nothing else on stderr" test "$(wc -l < "$SCRATCH/mk.err")" = 1
check "... all four built" sh -c "ls '$SCRATCH'/mk/m[1-4].o | wc -l | grep -qx 4"
finish
