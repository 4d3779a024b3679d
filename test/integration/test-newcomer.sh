#!/usr/bin/env bash
# The rough edges a newcomer meets, each answered: DISTCC_VERBOSE traces
# every step; a port where something else answers is named "not a distcc";
# a backed-off host is announced on stderr once; the "no hosts" message
# names DISTCC_DIR's file; distccd started as root writes its --pid-file in
# a root-only directory; pump-mode log lines name the file.
source "$(dirname "$0")/lib.sh"
mkdir -p "$SCRATCH/p" && cd "$SCRATCH/p" || exit 1
printf '#include <stdio.h>\nint main (void) { puts ("x"); return 0; }\n' > a.c
gcc -c a.c -o ref.o

# 1. A port where an HTTP server answers.
HPORT=$(free_port)
python3 - "$HPORT" > "$SCRATCH/http.out" 2>&1 <<'EOF' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept()
    c.recv(65536)
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    c.close()
EOF
HTTP_PID=$!
DAEMON_PIDS+=("$HTTP_PID")
wait_port "$HPORT" "$HTTP_PID" || not_ok "the HTTP server listens"
DISTCC_HOSTS="127.0.0.1:$HPORT/2" "$BIN/distcc" gcc -c a.c -o http.o 2> "$SCRATCH/http.err"
rc=$?
sed 's/^/#   /' "$SCRATCH/http.err"
check "HTTP server on the port: the compile succeeds here ($rc)" sh -c "[ $rc = 0 ] && cmp -s http.o ref.o"
# (Since the stock protocol is tried too, the client may say so instead.)
check "HTTP server on the port: named as not a distcc (or not the stock protocol)" \
  grep -qE "127.0.0.1:$HPORT is not a distcc speaking this protocol: it sent \"HTTP/1.1\"|127.0.0.1:$HPORT \(stock protocol" "$SCRATCH/http.err"

# 2. That host is now backed off: the next compiles say so, once.
for i in 1 2 3; do
  DISTCC_HOSTS="127.0.0.1:$HPORT/2" "$BIN/distcc" gcc -c a.c -o b$i.o 2>> "$SCRATCH/backoff.err"
done
sed 's/^/#   /' "$SCRATCH/backoff.err"
n=$(grep -c "127.0.0.1:$HPORT failed and is not used for 60 s" "$SCRATCH/backoff.err")
check "backed-off host: said on stderr exactly once in 3 compiles ($n)" test "$n" = 1
check "backed-off host: the compiles still succeed" sh -c 'cmp -s b1.o ref.o && cmp -s b3.o ref.o'
kill "$HTTP_PID" 2>/dev/null

# 3. No hosts: the message names DISTCC_DIR's hosts file.
# (Only where no system hosts file exists: Debian's distcc package writes
# /etc/distcc/hosts, which distcc then reads.)
(unset DISTCC_HOSTS; HOME=$SCRATCH/home "$BIN/distcc" gcc -c a.c -o nh.o) 2> "$SCRATCH/nohosts.err"
sed 's/^/#   /' "$SCRATCH/nohosts.err"
if grep -q "no hosts" "$SCRATCH/nohosts.err" || ! "$BIN/distcc" --show-hosts >/dev/null 2>&1; then
  check "no hosts: the message names \$DISTCC_DIR/hosts" grep -qF "write $DISTCC_DIR/hosts" "$SCRATCH/nohosts.err"
else
  skip "no hosts: this machine has a system hosts file ($("$BIN/distcc" --show-hosts 2>/dev/null | head -1))"
fi

# 4. distccd as root, running as nobody: --pid-file in a directory only root
# may write.
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$SCRATCH/run" "$SCRATCH/nstore" && chmod 755 "$SCRATCH/run" && chown nobody "$SCRATCH/nstore"
  PORT=$(free_port)
  "$BIN/distccd" --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 --user nobody \
      --cache-dir "$SCRATCH/nstore" --log-file "$SCRATCH/nobody.log" --log-level info --pid-file "$SCRATCH/run/distccd.pid" 2> "$SCRATCH/nobody.err"
  rc=$?
  check "distccd --daemon --user nobody --pid-file in a root-only directory: starts ($rc)" test "$rc" = 0
  wait_until "the pid file" test -s "$SCRATCH/run/distccd.pid"
  NPID=$(cat "$SCRATCH/run/distccd.pid" 2>/dev/null)
  [ -n "$NPID" ] && DAEMON_PIDS+=("$NPID")
  check "the pid file names the running daemon, which runs as nobody" \
    sh -c "[ -n '$NPID' ] && [ \"\$(ps -o user= -p '$NPID')\" = nobody ]"
  wait_port "$PORT" "$NPID"
  export DISTCC_HOSTS="127.0.0.1:$PORT/2,cpp"
  eval "$("$BIN/pump" --startup)"
  DAEMON_PIDS+=("$INCLUDE_SERVER_PID")
  DISTCC_VERBOSE=1 "$BIN/distcc" gcc -c a.c -o pump.o 2> "$SCRATCH/verbose.err"
  sed 's/^/#   /' "$SCRATCH/verbose.err"
  check "as nobody: the compile runs remotely in pump mode" \
    grep -q "result: remote host=127.0.0.1:$PORT mode=pump file=a.c" "$SCRATCH/verbose.err"
  check "pump-mode object identical to local" cmp -s pump.o ref.o
  for step in 'compile: a.c with ' 'hosts: 1 from DISTCC_HOSTS, pump mode' 'closure: [0-9]+ files and directories for a.c' \
              "host: 127.0.0.1:$PORT slot 0, pump mode" 'pump: [0-9]+ files in the manifest' \
              "remote: 127.0.0.1:$PORT compiled a.c in [0-9]+ ms, status 0, sent [0-9]+ bytes"; do
    check "DISTCC_VERBOSE traces: $step" grep -qE "\] $step" "$SCRATCH/verbose.err"
  done
  n=$(grep -c . "$SCRATCH/verbose.err")
  check "DISTCC_VERBOSE: one line per step ($n lines, at most 10)" test "$n" -le 10
  check "the daemon's log names the file compiled in pump mode" grep -q 'compiled a.c for .*(pump mode)' "$SCRATCH/nobody.log"
  "$BIN/pump" --shutdown
  kill "$NPID"; wait_gone "$NPID"
else
  skip "distccd's privilege drop (not root)"
fi
finish
