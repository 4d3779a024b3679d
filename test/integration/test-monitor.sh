#!/usr/bin/env bash
# State files in stock's binary format: Debian's distccmon-text shows this
# client's jobs, and this distccmon-text shows stock distcc's. Each client
# is held mid-compile by a volunteer that accepts and never answers.
source "$(dirname "$0")/lib.sh"
SILENT=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $SILENT)); s.listen(16); held = []
while True:
    c, _ = s.accept(); held.append(c)
" &
DAEMON_PIDS+=($!)
wait_port "$SILENT" || { not_ok "silent volunteer listens"; finish; exit 1; }
src=$SCRATCH/src; mkdir -p "$src"; printf 'int monitored_fn (void) { return 1; }\n' > "$src/watched.c"

# wait_monitor MONITOR PATTERN: until MONITOR's output matches (20 s at most)
wait_monitor () {
  for _ in $(seq 200); do
    "$1" > "$SCRATCH/mon.out" 2>&1
    grep -qE "$2" "$SCRATCH/mon.out" && return 0
    sleep 0.1
  done
  sed 's/^/# /' "$SCRATCH/mon.out"; return 1
}

# Our client, seen by stock's monitor.
(cd "$src" && DISTCC_HOSTS="127.0.0.1:$SILENT/1" DISTCC_IO_TIMEOUT=60 DISTCC_FALLBACK=0 \
   exec "$BIN/distcc" gcc -c watched.c -o ours.o) > /dev/null 2>&1 &
OURS=$!
if [ -x /usr/bin/distccmon-text ]; then
  check "stock distccmon-text shows our client's job (pid, file, host)" \
      wait_monitor /usr/bin/distccmon-text "^ *$OURS +[A-Z][a-z]+ +watched.c +127.0.0.1\[0\]"
else
  skip "Debian's distccmon-text not installed"
fi
check "our distccmon-text shows it too" wait_monitor "$BIN/distccmon-text" "^ *$OURS +[A-Z][a-z]+ +watched.c +127.0.0.1\[0\]"
kill "$OURS"; wait "$OURS" 2>/dev/null

# Stock's client, seen by our monitor.
if [ -x /usr/bin/distcc ]; then
  (cd "$src" && DISTCC_HOSTS="127.0.0.1:$SILENT/1" DISTCC_IO_TIMEOUT=60 DISTCC_FALLBACK=0 \
     exec /usr/bin/distcc gcc -c watched.c -o stock.o) > /dev/null 2>&1 &
  STOCK=$!
  check "our distccmon-text shows stock distcc's job" wait_monitor "$BIN/distccmon-text" "^ *$STOCK +[A-Z][a-z]+ +watched.c +127.0.0.1\[0\]"
  kill "$STOCK"; wait "$STOCK" 2>/dev/null
else
  skip "Debian's distcc not installed"
fi
finish
