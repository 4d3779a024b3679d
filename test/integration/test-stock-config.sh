#!/usr/bin/env bash
# A volunteer configured as a stock installation configures it: Debian's
# /etc/default/distcc expanded by Debian's own init script (run with
# start-stop-daemon --chuid distccd, as installed), and an Arch-style
# DISTCC_ARGS line carrying every other stock distccd option. Each stock
# option is accepted (implemented, or ignored/refused with a reason that
# names the alternative); no --allow serves private networks with a
# warning, as stock does.
source "$(dirname "$0")/lib.sh"

src=$SCRATCH/src; mkdir -p "$src"
printf 'int main (void) { return 0; }\n' > "$src/m.c"
gcc -c -O2 "$src/m.c" -o "$SCRATCH/m-local.o"
# compiled_remotely PORT NAME: one plain-mode compile against PORT.
compiled_remotely () {
  rm -f "$SCRATCH/$2.log"
  (cd "$src" && DISTCC_HOSTS="127.0.0.1:$1/2" DISTCC_LOG="$SCRATCH/$2.log" "$BIN/distcc" gcc -c -O2 m.c -o "$SCRATCH/$2.o")
  [ "$(result_of "$SCRATCH/$2.log")" = remote ] && cmp -s "$SCRATCH/m-local.o" "$SCRATCH/$2.o"
}

# 1. Debian's init script and /etc/default/distcc, paths moved to scratch.
if [ -r /etc/init.d/distcc ] && [ -r /etc/default/distcc ] && id distccd > /dev/null 2>&1 && [ "$(id -u)" = 0 ] \
   && tree_unreachable_by distccd; then
  skip "Debian's init script starts distccd as user distccd, who cannot read the build tree"
elif [ -r /etc/init.d/distcc ] && [ -r /etc/default/distcc ] && id distccd > /dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  PORT=$(free_port)
  etc=$SCRATCH/etc; run=$SCRATCH/run; mkdir -p "$etc" "$run"; chown distccd "$run"
  sed -e 's/^STARTDISTCC=.*/STARTDISTCC="true"/' -e 's/^JOBS=.*/JOBS="2"/' -e 's/^ZEROCONF=.*/ZEROCONF="true"/' \
      /etc/default/distcc > "$etc/default-distcc"
  # The listening port is not a variable of Debian's file: the unit adds it.
  sed -e "s|^DAEMON=.*|DAEMON=$BIN/distccd|" \
      -e "s|/etc/default/distcc|$etc/default-distcc|g" \
      -e "s|/var/run/|$run/|g" -e "s|/var/log/|$run/|g" \
      -e "s|^DAEMON_ARGS=\"\\(.*\\)\"|DAEMON_ARGS=\"\\1 --port $PORT\"|" \
      /etc/init.d/distcc > "$etc/init-distcc"
  grep -q "DAEMON_ARGS=.*--port $PORT" "$etc/init-distcc" || echo "# could not add --port to the init script"
  sh "$etc/init-distcc" start > "$SCRATCH/init.out" 2>&1
  rc=$?
  check "Debian init script start: exit 0 (got $rc)" test $rc = 0
  if wait_port "$PORT" && wait_ready_log "$run/distccd.log"; then ok "Debian init script: distccd listens on 127.0.0.1:$PORT"; else not_ok "Debian init script: distccd listens"; sed 's/^/# /' "$SCRATCH/init.out" "$run/distccd.log"; fi
  dpid=$(cat "$run/distccd.pid" 2>/dev/null); [ -n "$dpid" ] && DAEMON_PIDS+=("$dpid")
  check "Debian init script: runs as distccd (got $(ps -o user= -p "${dpid:-0}"))" test "$(ps -o user= -p "${dpid:-0}")" = distccd
  check "Debian init script: compile served remotely, object identical" compiled_remotely "$PORT" debian
  # (test-zeroconf.sh checks the publishing itself, with its own avahi-daemon.)
  check "Debian init script: --zeroconf accepted; the publisher says what it did" \
      wait_until "a zeroconf line in distccd.log" grep -qE 'zeroconf: (published|avahi-daemon is not running|cannot use Avahi)' "$run/distccd.log"
  niced_10 () { [ "$(ps -o ni= -p "${dpid:-0}" | tr -d ' ')" = "$(niceness_after 10)" ]; }
  check "Debian init script: --nice 10 applied to the daemon" wait_until "distccd niced" niced_10
  sed 's/^/# /' "$run/distccd.log" | head -8
  sh "$etc/init-distcc" stop > /dev/null 2>&1
  check "Debian init script stop: distccd gone" wait_gone "${dpid:-0}"
else
  skip "Debian's distcc package (init script, /etc/default/distcc, user distccd) not installed, or not root"
fi

# 2. Every other stock option on one line, as /etc/conf.d/distccd's
#    DISTCC_ARGS would carry it.
PORT=$(free_port); SPORT=$(free_port)
echo "someone@EXAMPLE.ORG" > "$SCRATCH/principals"
DISTCC_ARGS="--allow 127.0.0.1 --allow-private --listen 127.0.0.1 --port $PORT --jobs 2 --nice 5 --user nobody \
 --pid-file $SCRATCH/d2.pid --log-file $SCRATCH/d2.log --log-level info --verbose --daemon --no-detach \
 --job-lifetime 600 --lifetime 600 --no-fifo --stats --stats-port $SPORT --zeroconf --blacklist=$SCRATCH/principals \
 --make-me-a-botnet --enable-tcp-insecure --no-fork"
# shellcheck disable=SC2086
"$BIN/distccd" $DISTCC_ARGS > "$SCRATCH/d2.out" 2>&1 &
DPID=$!; DAEMON_PIDS+=("$DPID")
if wait_port "$PORT" "$DPID"; then ok "every stock option on one line: distccd starts"; else not_ok "every stock option on one line: distccd starts"; sed 's/^/# /' "$SCRATCH/d2.out" "$SCRATCH/d2.log"; fi
check "every stock option: compile served remotely" compiled_remotely "$PORT" allopts
check "--blacklist: ignored with a reason naming --allow" grep -q 'blacklist ignored.*--allow' "$SCRATCH/d2.log"
check "--make-me-a-botnet: ignored with a reason naming DISTCC_CMDLIST" grep -q 'botnet ignored.*DISTCC_CMDLIST' "$SCRATCH/d2.log"
kill "$DPID"; wait "$DPID" 2>/dev/null

# 3. No --allow at all: stock serves private networks, with a warning.
PORT=$(free_port)
"$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" --log-file "$SCRATCH/d3.log" --user nobody &
DPID=$!; DAEMON_PIDS+=("$DPID")
wait_port "$PORT" "$DPID" && wait_ready_log "$SCRATCH/d3.log" "$DPID"
check "no --allow: warns that it defaults to --allow-private" grep -q 'no --allow option specified: defaulting to --allow-private' "$SCRATCH/d3.log"
check "no --allow: serves 127.0.0.1 (a private network)" compiled_remotely "$PORT" noallow
kill "$DPID"; wait "$DPID" 2>/dev/null

# 4. --wizard: foreground, no fork: the compile is served by the daemon's own pid.
PORT=$(free_port)
"$BIN/distccd" --wizard --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 --user nobody 2> "$SCRATCH/d4.err" &
DPID=$!; DAEMON_PIDS+=("$DPID")
wait_port "$PORT" "$DPID"
check "--wizard: compile served" compiled_remotely "$PORT" wizard
check "--wizard: logged to stderr at debug level, by the daemon's own process" grep -q "^distccd\[$DPID\] .*result\|^distccd\[$DPID\] .*compil" "$SCRATCH/d4.err"
kill "$DPID"; wait "$DPID" 2>/dev/null

# 5. --lifetime: the daemon stops by itself.
PORT=$(free_port)
"$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 --user nobody --lifetime 1 --log-file "$SCRATCH/d5.log" &
DPID=$!; DAEMON_PIDS+=("$DPID")
check "--lifetime 1: the daemon exits by itself" wait_gone "$DPID"

# 6. GSS-API cannot apply: refused with the alternative.
for opt in --auth --show-principal; do
  DISTCCD_PRINCIPAL=distccd@EXAMPLE "$BIN/distccd" --no-detach --daemon --allow 127.0.0.1 $opt > "$SCRATCH/auth.out" 2>&1
  rc=$?
  check "$opt: refused (exit $rc)" test $rc != 0
  check "$opt: the reason names --allow and ssh" grep -q 'not supported.*--allow.*ssh' "$SCRATCH/auth.out"
done

finish
