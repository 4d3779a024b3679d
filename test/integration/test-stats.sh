#!/usr/bin/env bash
# distccd --stats: the stock <distccstats> page (same lines in the same
# order as Debian's distccd --stats serves, compared in this run), its
# counters after real compiles, the JSON endpoint; and syslog (LOG_DAEMON)
# as the log of a detached daemon without --log-file.
source "$(dirname "$0")/lib.sh"

http_get () { # PORT PATH: the raw response
  python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(("GET %s HTTP/1.0\r\nHost: x\r\n\r\n" % sys.argv[2]).encode())
out = b""
while True:
    b = s.recv(65536)
    if not b: break
    out += b
sys.stdout.write(out.decode("utf-8", "replace"))
PY
}
keys () { sed -n '/<distccstats>/,/<\/distccstats>/p' | awk '{print $1}'; }

cd "$SCRATCH" || exit 1
SPORT=$(free_port)
start_distccd --stats --stats-port "$SPORT" || { not_ok "distccd --stats starts"; finish; exit 1; }
ok "distccd --stats starts"
wait_port "$SPORT" || not_ok "the statistics port accepts"
src=$SCRATCH/src; mkdir -p "$src"
printf 'int ok (void) { return 1; }\n' > "$src/good.c"
printf 'int bad (void) { return nosuch; }\n' > "$src/bad.c"
(cd "$src" && DISTCC_HOSTS="127.0.0.1:$PORT/2" DISTCC_SKIP_LOCAL_RETRY=1 "$BIN/distcc" gcc -c good.c -o good.o
 DISTCC_HOSTS="127.0.0.1:$PORT/2" DISTCC_SKIP_LOCAL_RETRY=1 "$BIN/distcc" gcc -c bad.c -o bad.o) > /dev/null 2>&1
http_get "$SPORT" / > page.txt
sed 's/^/# /' page.txt | head -40
check "page: HTTP/1.0 200 OK, text/plain" sh -c "head -1 page.txt | grep -q '^HTTP/1.0 200 OK' && grep -q '^Content-Type: text/plain' page.txt"
check "page: <distccstats> ... </distccstats>" sh -c "grep -qx '<distccstats>' page.txt && grep -qx '</distccstats>' page.txt"
val () { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' page.txt; }
check "dcc_compile_ok 1 (got $(val dcc_compile_ok))" test "$(val dcc_compile_ok)" = 1
check "dcc_compile_error 1 (got $(val dcc_compile_error))" test "$(val dcc_compile_error)" = 1
check "dcc_tcp_accept >= 2 (got $(val dcc_tcp_accept))" test "$(val dcc_tcp_accept)" -ge 2
check "dcc_longest_job names a source (got $(val dcc_longest_job))" sh -c "echo '$(val dcc_longest_job)' | grep -Eq '(good|bad)\.c'"
# The client sends gcc target-qualified, as stock distcc does (x86_64-linux-gnu-gcc).
check "dcc_longest_job_compiler is the target-qualified gcc (got $(val dcc_longest_job_compiler))" test "$(val dcc_longest_job_compiler)" = "$(gcc -dumpmachine)-gcc"
check "dcc_num_compiles1 2 (got $(val dcc_num_compiles1))" test "$(val dcc_num_compiles1)" = 2
check "dcc_free_space in MB" sh -c "echo '$(val dcc_free_space)' | grep -Eq '^[0-9]+ MB$'"

# Stock's page, from Debian's distccd in this run: the same keys in the same order.
if [ -x /usr/bin/distccd ] && [ "$(id -u)" = 0 ]; then
  P2=$(free_port); S2=$(free_port)
  /usr/bin/distccd --no-detach --daemon --listen 127.0.0.1 --port "$P2" --allow 127.0.0.1 --user nobody \
      --stats --stats-port "$S2" --log-stderr 2>/dev/null &
  SPID=$!; DAEMON_PIDS+=("$SPID")
  if wait_port "$S2" "$SPID"; then
    http_get "$S2" / > stock.txt
    check "same keys, same order as Debian's distccd --stats" diff <(keys < stock.txt) <(keys < page.txt)
    check "same first line before <distccstats> (argv /distccd)" test "$(sed -n '/^argv/p' stock.txt)" = "$(sed -n '/^argv/p' page.txt)"
  else
    not_ok "Debian's distccd --stats starts"
  fi
else
  skip "Debian's distccd not installed (or not root): no comparison with stock's page"
fi

# JSON.
http_get "$SPORT" /json > json.txt
check "/json: application/json" grep -q '^Content-Type: application/json' json.txt
# The last 15 minutes: on a loaded machine the stock comparison above can
# take more than the minute of num_compiles[0] (dcc_num_compiles1 is checked
# on the page read right after the compiles).
check "/json: parses, compile_ok 1, compile_error 1, compiles in the last 15 minutes 2" python3 -c '
import json, sys
body = open("json.txt").read().split("\n\n", 1)[1]
d = json.loads(body)
sys.exit(0 if d["compile_ok"] == 1 and d["compile_error"] == 1 and d["num_compiles"][2] == 2 and d["longest_job_compiler"].endswith("gcc") else 1)'
# The file store's size: a pump compile puts its sources there.
(cd "$src" && DISTCC_HOSTS="127.0.0.1:$PORT/2,cpp,lzo" DISTCC_LOG="$SCRATCH/pump.log" "$BIN/pump" "$BIN/distcc" gcc -c good.c -o good-pump.o) > /dev/null 2>&1
check "a pump compile ran remotely" grep -q 'result: remote .*mode=pump' "$SCRATCH/pump.log"
http_get "$SPORT" /json > json2.txt
check "/json: store_bytes grew with the pump compile, within store_max_bytes (the default 2048 MiB)" python3 -c '
import json, sys
d = json.loads(open("json.txt").read().split("\n\n", 1)[1]); e = json.loads(open("json2.txt").read().split("\n\n", 1)[1])
print("# store_bytes %d then %d, store_max_bytes %d" % (d["store_bytes"], e["store_bytes"], e["store_max_bytes"]))
sys.exit(0 if d["store_bytes"] < e["store_bytes"] <= e["store_max_bytes"] == 2048 << 20 else 1)'
# A hostile request: long, no newline; the page process survives it.
python3 -c "
import socket; s = socket.create_connection(('127.0.0.1', $SPORT)); s.sendall(b'G' * 100000)
try:
    s.recv(100)
except Exception: pass" 2>/dev/null
http_get "$SPORT" / > page2.txt
check "after a 100 kB request without a newline: still serves" grep -qx '</distccstats>' page2.txt
kill "$DPID"; wait "$DPID" 2>/dev/null
check "the statistics port is closed after the daemon stops" sh -c "! (exec 3<>/dev/tcp/127.0.0.1/$SPORT) 2>/dev/null"

# syslog: a detached distccd without --log-file logs to /dev/log (facility
# daemon). In a private mount namespace, /dev/log is our receiver.
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null; then
  PORT=$(free_port)
  cat > "$SCRATCH/syslog.sh" <<SH
set -e
mkdir -p "$SCRATCH/olddev"
mount --bind /dev "$SCRATCH/olddev"
mount -t tmpfs tmpfs /dev
for n in null zero urandom random; do touch /dev/\$n; mount --bind "$SCRATCH/olddev/\$n" /dev/\$n; done
python3 -c '
import socket, os, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/dev/log"); os.chmod("/dev/log", 0o666); open("$SCRATCH/syslog.ready", "w").close()
s.settimeout(20)
with open("$SCRATCH/syslog.txt", "ab") as f:
    while True:
        try: m = s.recv(65536)
        except Exception: break
        f.write(m + b"\n"); f.flush()
        if b"listening on port" in m: break
' &
while [ ! -e "$SCRATCH/syslog.ready" ]; do sleep 0.05; done
"$BIN/distccd" --daemon --listen 127.0.0.1 --port $PORT --allow 127.0.0.1 --pid-file "$SCRATCH/sl.pid"
wait
SH
  timeout 60 unshare -m --propagation private bash "$SCRATCH/syslog.sh" > "$SCRATCH/syslog.out" 2>&1
  [ -s "$SCRATCH/sl.pid" ] && DAEMON_PIDS+=("$(cat "$SCRATCH/sl.pid")")
  # <PRI>: facility daemon (3) * 8 + severity notice (5) = 29
  check "syslog: detached, no --log-file: 'listening on port' sent to /dev/log" grep -q 'listening on port' "$SCRATCH/syslog.txt"
  check "syslog: facility LOG_DAEMON, ident distccd[PID]" grep -Eq '^<29>.*distccd\[[0-9]+\]: listening on port' "$SCRATCH/syslog.txt"
  sed "s/^/# /" "$SCRATCH/syslog.txt" "$SCRATCH/syslog.out" | head -5
else
  skip "syslog: needs root and unshare"
fi

finish
