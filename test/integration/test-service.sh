#!/usr/bin/env bash
# distccd as a service starts it: as root with no --cache-dir and no --user
# (it drops to distcc/nobody and keeps pump mode's store in the system-wide
# directory, handed to that user first), and as an ordinary user whose HOME
# is /nonexistent. Pump mode is on in both, or distccd refuses to start and
# says why; it never serves with pump mode silently off.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then skip "needs root (to start distccd as a service would)"; finish; exit 0; fi

proj=$SCRATCH/proj
util_project "$proj" "$SCRATCH/local"

# pump_build NAME PORT: a pump-mode make in a copy of the project against
# 127.0.0.1:PORT; sets REMOTE (compiles remote in pump mode) and SAME
# (objects identical to local ones).
pump_build () {
  local name=$1 port=$2
  cp -r "$proj" "$SCRATCH/$name"
  (cd "$SCRATCH/$name" && DISTCC_HOSTS="127.0.0.1:$port/2,cpp,lzo" DISTCC_LOG="$SCRATCH/$name.log" \
     "$BIN/pump" make -s -j2 CC="$BIN/distcc gcc" > "$SCRATCH/$name.out" 2>&1)
  REMOTE=$(grep -c 'result: remote .*mode=pump' "$SCRATCH/$name.log" 2>/dev/null)
  SAME=0
  for i in 1 2 3; do cmp -s "$SCRATCH/local-f$i.o" "$SCRATCH/$name/f$i.o" && SAME=$((SAME + 1)); done
}

# 1. Root, stock defaults.
start_distccd_stock || { not_ok "root, no --cache-dir/--user: distccd starts"; finish; exit 1; }
user=$(ps -o user= -p "$DPID")
ok "root, no --cache-dir/--user: distccd starts"
check "root: it dropped to distcc or nobody (runs as $user)" test "$user" = distcc -o "$user" = nobody
check "root: the store is /var/cache/distccd" grep -q 'file store /var/cache/distccd (the system-wide store), running as '"$user" "$DLOG"
check "root: /var/cache/distccd is owned by $user, mode 700" \
    test "$(stat -c '%U %a' /var/cache/distccd)" = "$user 700"
check "root: no 'pump mode disabled' in the log" sh -c "! grep -qi 'disabled' '$DLOG'"
pump_build root "$PORT"
check "root: 3 compiles remote in pump mode (got $REMOTE)" test "$REMOTE" = 3
check "root: 3 objects identical to local (got $SAME)" test "$SAME" = 3
kill "$DPID"; wait "$DPID" 2>/dev/null

# 2. Root, TMPDIR private to root (as a root login's can be): job
#    directories go where the dropped user can write, with a warning.
mkdir -m 700 "$SCRATCH/root-only"
TMPDIR=$SCRATCH/root-only start_distccd_stock || not_ok "root, TMPDIR root's own: distccd starts"
check "root, TMPDIR root's own: warns and uses another directory" grep -q "job directories go to" "$DLOG"
pump_build roottmp "$PORT"
check "root, TMPDIR root's own: 3 compiles remote in pump mode (got $REMOTE)" test "$REMOTE" = 3
kill "$DPID"; wait "$DPID" 2>/dev/null

# 3. An ordinary user with HOME=/nonexistent (a service user): nobody, and
#    a uid with no passwd entry, whose store falls back to /var/tmp.
run_as_user () { # UID GID LOGDIR CMD...: execs CMD as UID with HOME=/nonexistent
  local uid=$1 gid=$2; shift 2
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent TMPDIR="$TMPDIR" \
      setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"
}
for who in nobody 54321; do
  uid=$(id -u "$who" 2>/dev/null || echo "$who"); gid=$(id -g "$who" 2>/dev/null || echo "$who")
  if tree_unreachable_by "$who"; then skip "$who, HOME=/nonexistent: cannot read the build tree"; continue; fi
  ulog=$SCRATCH/user-$who; mkdir -p "$ulog"; chown "$uid:$gid" "$ulog"
  PORT=$(free_port)
  run_as_user "$uid" "$gid" "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" \
      --allow 127.0.0.1 --log-file "$ulog/log" --log-level debug --pid-file "$ulog/pid" &
  DPID=$!; DAEMON_PIDS+=("$DPID")
  if wait_port "$PORT" "$DPID" && wait_ready_log "$ulog/log" "$DPID"; then ok "$who, HOME=/nonexistent: distccd starts"; else not_ok "$who, HOME=/nonexistent: distccd starts"; sed 's/^/# /' "$ulog/log"; continue; fi
  DPID=$(cat "$ulog/pid"); DAEMON_PIDS+=("$DPID")
  check "$who: runs as uid $uid" test "$(ps -o uid= -p "$DPID" | tr -d ' ')" = "$uid"
  grep -o 'file store .*' "$ulog/log" | sed 's/^/# /'
  if [ "$who" = nobody ]; then
    check "nobody: uses the system-wide store it owns" grep -q 'file store /var/cache/distccd (the system-wide store, owned by this user)' "$ulog/log"
  else
    check "uid $who: store falls back to /var/tmp/distccd-$who" grep -q "file store /var/tmp/distccd-$who (a private fallback: HOME has no usable cache directory)" "$ulog/log"
    check "uid $who: fallback is private (700, its own)" test "$(stat -c '%u %a' /var/tmp/distccd-$who)" = "$who 700"
  fi
  pump_build "user-$who-build" "$PORT"
  check "$who: 3 compiles remote in pump mode (got $REMOTE)" test "$REMOTE" = 3
  check "$who: 3 objects identical to local (got $SAME)" test "$SAME" = 3
  kill "$DPID"; wait "$DPID" 2>/dev/null
done
rm -rf /var/tmp/distccd-54321

# 5. The build tree in a private directory (Debian 12 makes home
#    directories 0700), started as root: distccd drops to distcc/nobody,
#    who cannot reach the tree; it opened its masquerade directory before
#    that, so the compilers linked there stay allowed.
priv=$SCRATCH/home-0700
mkdir -m 700 "$priv"; mkdir -p "$priv/tree/lib"
cp -a "$TOP/bin" "$priv/tree/bin"; cp -a "$TOP/lib/distcc" "$priv/tree/lib/distcc"
saved_bin=$BIN; BIN=$priv/tree/bin
start_distccd_stock || not_ok "tree in a 0700 directory, root: distccd starts"
BIN=$saved_bin
pump_build private "$PORT"
check "tree in a 0700 directory, root: 3 compiles remote in pump mode (got $REMOTE)" test "$REMOTE" = 3
check "tree in a 0700 directory, root: 3 objects identical to local (got $SAME)" test "$SAME" = 3
[ "$REMOTE" = 3 ] || grep -i "refused\|not allowed" "$DLOG" | head -3 | sed 's/^/# /'
kill "$DPID"; wait "$DPID" 2>/dev/null
# Started as nobody instead, it can never open that directory: it says so at
# start, and a refusal names the unreadable directory, not another one.
PORT=$(free_port)
chmod 777 "$SCRATCH"; touch "$SCRATCH/user-nobody-0700.log"; chmod 666 "$SCRATCH/user-nobody-0700.log"
run_as_user 65534 65534 "$priv/tree/bin/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" \
    --allow 127.0.0.1 --log-file "$SCRATCH/user-nobody-0700.log" --pid-file "$SCRATCH/user-nobody-0700.pid" &
DPID=$!; DAEMON_PIDS+=("$DPID")   # the subshell running run_as_user: the daemon's pid is in its pid file
if wait_port "$PORT" "$DPID" && wait_ready_log "$SCRATCH/user-nobody-0700.log" "$DPID"; then
  DPID=$(cat "$SCRATCH/user-nobody-0700.pid"); DAEMON_PIDS+=("$DPID")
  check "tree in a 0700 directory, started as nobody: warns that it cannot open its masquerade directory" \
      grep -q "cannot open the masquerade directory $priv/tree/bin/../lib/distcc (Permission denied)" "$SCRATCH/user-nobody-0700.log"
  rm -f "$SCRATCH/nobody-0700.log"
  (cd "$proj" && DISTCC_HOSTS="127.0.0.1:$PORT/2" DISTCC_LOG="$SCRATCH/nobody-0700.log" "$BIN/distcc" gcc -c -O2 -Iinclude f1.c -o "$SCRATCH/n.o" 2> /dev/null)
  check "tree in a 0700 directory, started as nobody: the refusal names the unreadable directory" \
      grep -q "masquerade directory $priv/tree/bin/../lib/distcc cannot be read (Permission denied)" "$SCRATCH/nobody-0700.log"
else
  not_ok "tree in a 0700 directory, started as nobody: distccd starts"; sed 's/^/# /' "$SCRATCH/user-nobody-0700.log"
fi
chmod 755 "$SCRATCH"
kill "$DPID"; wait "$DPID" 2>/dev/null

# 4. A store that cannot be opened stops distccd at start, with the reason.
PORT=$(free_port)
run_as_user 65534 65534 "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" \
    --allow 127.0.0.1 --log-stderr --cache-dir "$SCRATCH/root-only/store" > /dev/null 2> "$SCRATCH/refuse.err"
rc=$?
check "unusable --cache-dir: distccd exits non-zero (got $rc)" test "$rc" != 0
check "unusable --cache-dir: says it cannot open the file store, and why" \
    grep -q "cannot open the file store $SCRATCH/root-only/store (--cache-dir) as user nobody: .*Permission denied" "$SCRATCH/refuse.err"
sed 's/^/# /' "$SCRATCH/refuse.err"
"$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 --log-stderr \
    --cache-dir "$SCRATCH/root-only/x" --user nobody > /dev/null 2> "$SCRATCH/refuse2.err"
rc=$?
check "root, --user nobody, root-only --cache-dir: exits non-zero (got $rc)" test "$rc" != 0
check "root, --user nobody, root-only --cache-dir: says why" grep -q "cannot open the file store" "$SCRATCH/refuse2.err"

finish
