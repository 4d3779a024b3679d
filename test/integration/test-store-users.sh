#!/usr/bin/env bash
# Pump mode's default store when distccd runs as different users on one
# host, every daemon with default flags (no --cache-dir): the service
# started as root (it drops to distcc or nobody), another started as root
# with --user daemon, one with --user root, and people running
# `distccd --daemon --allow 127.0.0.1` as themselves (a service user whose
# HOME is unusable, a user with a HOME). All run at once; each keeps a
# store of its own user, none hands another's store to itself (before: each
# root-started daemon chowned /var/cache/distccd to its user, and the
# daemon already running there failed: "file store rescan failed: opening
# directory objects: Permission denied", "locking usage"), and the first
# still compiles remotely after the others started. A store another user
# owns is never taken: distccd says whose it is and what to do.
#
# /var/cache and /var/tmp are private tmpfs mounts (the test runs in a
# mount namespace of its own), so the host's /var/cache/distccd, which
# other tests' daemons use, is never touched.
if [ "$(id -u)" != 0 ]; then echo "ok 1 - daemons as different users # SKIP needs root"; echo "1..1"; exit 0; fi
if [ -z "${DCC_STORE_USERS_NS:-}" ]; then
  if ! unshare --mount --propagation private true 2>/dev/null; then
    echo "ok 1 - daemons as different users # SKIP unshare --mount is not available"; echo "1..1"; exit 0
  fi
  exec env DCC_STORE_USERS_NS=1 unshare --mount --propagation private bash "$0" "$@"
fi
mount -t tmpfs -o mode=0755 dcc-var-cache /var/cache && mount -t tmpfs -o mode=1777 dcc-var-tmp /var/tmp \
  || { echo "not ok 1 - private /var/cache and /var/tmp"; echo "1..1"; exit 1; }
source "$(dirname "$0")/lib.sh"

for u in nobody daemon; do
  if tree_unreachable_by "$u"; then skip "daemons as different users: $u cannot read the build tree"; finish; exit 0; fi
done

proj=$SCRATCH/proj
util_project "$proj" "$SCRATCH/local"

# pump_build NAME PORT: a pump-mode make in a fresh copy of the project
# whose header has a comment of its own (so that the volunteer stores a new
# file and a new result: a hit would need no write to the store); true when
# all 3 compiles ran remotely in pump mode with objects identical to local
# ones (says what it got otherwise).
pump_build () {
  local name=$1 port=$2 remote same=0
  rm -rf "${SCRATCH:?}/$name"; cp -r "$proj" "$SCRATCH/$name"
  echo "/* $name $$ $RANDOM */" >> "$SCRATCH/$name/include/util.h"
  (cd "$SCRATCH/$name" && DISTCC_HOSTS="127.0.0.1:$port/2,cpp,lzo" DISTCC_LOG="$SCRATCH/$name.log" \
     "$BIN/pump" make -s -j2 CC="$BIN/distcc gcc" > "$SCRATCH/$name.out" 2>&1)
  remote=$(grep -c 'result: remote .*mode=pump' "$SCRATCH/$name.log" 2>/dev/null)
  for i in 1 2 3; do cmp -s "$SCRATCH/local-f$i.o" "$SCRATCH/$name/f$i.o" && same=$((same + 1)); done
  [ "$remote" = 3 ] && [ "$same" = 3 ] && return 0
  echo "# $name: $remote of 3 remote in pump mode, $same of 3 identical"
  grep -h 'warning\|fallback\|locally' "$SCRATCH/$name.log" "$SCRATCH/$name.out" 2>/dev/null | head -3 | sed 's/^/#   /'
  return 1
}
# store_of LOG: the store a daemon's log says it opened.
store_of () { sed -n 's/.*file store \([^ ]*\) (.*/\1/p' "$1" | head -1; }
# start_as_user USER HOME NAME: distccd --daemon --allow 127.0.0.1 run by
# USER itself (as a person would), HOME as given; sets PORT DPID DLOG.
start_as_user () {
  local user=$1 home=$2 name=$3 dir=$SCRATCH/$3
  mkdir -p "$dir"; chown "$user:" "$dir"
  PORT=$(free_port) DLOG=$dir/log
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" TMPDIR="$TMPDIR" \
    setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
    "$BIN/distccd" --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 \
      --log-file "$DLOG" --log-level debug --pid-file "$dir/pid"
  wait_until "the pid file $dir/pid" test -s "$dir/pid" || return 1
  DPID=$(cat "$dir/pid"); DAEMON_PIDS+=("$DPID")
  wait_port "$PORT" "$DPID" && wait_ready_log "$DLOG" "$DPID"
}

# A: the service, as distros start it (root, no --user): drops to distcc
# or nobody, store /var/cache/distccd.
start_distccd_stock || { not_ok "A (root, defaults): distccd starts"; finish; exit 1; }
A_PORT=$PORT A_LOG=$DLOG A_USER=$(ps -o user= -p "$DPID")
check "A (root, defaults) runs as distcc or nobody ($A_USER), store $(store_of "$A_LOG")" \
  test "$(store_of "$A_LOG")" = /var/cache/distccd -a "$(stat -c %U /var/cache/distccd)" = "$A_USER"
check "A: a pump build runs remotely" pump_build a1 "$A_PORT"

# B: a second service on the same host, root-started with --user daemon.
if start_distccd_stock --user daemon; then
  B_PORT=$PORT B_LOG=$DLOG
  B_STORE=$(store_of "$B_LOG")
  check "B (root, --user daemon) keeps a store of its own ($B_STORE, owned by $(stat -c %U "$B_STORE" 2>/dev/null))" \
    test "$B_STORE" != /var/cache/distccd -a "$(stat -c %U "$B_STORE" 2>/dev/null)" = daemon
  check "B: a pump build runs remotely" pump_build b "$B_PORT"
else
  not_ok "B (root, --user daemon): distccd starts"
fi

# C: root-started with --user root (as the test suites run it).
if start_distccd_stock --user root; then
  C_STORE=$(store_of "$DLOG")
  check "C (root, --user root) keeps a store of its own ($C_STORE)" \
    test "$C_STORE" != /var/cache/distccd -a "$(stat -c %U "$C_STORE" 2>/dev/null)" = root
  check "C: a pump build runs remotely" pump_build c "$PORT"
else
  not_ok "C (root, --user root): distccd starts"
fi

# D and E: people running it as themselves: daemon with a HOME of its own,
# nobody with HOME=/nonexistent (a service user's).
mkdir -p "$SCRATCH/home-daemon"; chown daemon: "$SCRATCH/home-daemon"
if start_as_user daemon "$SCRATCH/home-daemon" d; then
  check "D (daemon by hand, with a HOME): its store is \$HOME/.cache/distccd ($(store_of "$DLOG"))" \
    test "$(store_of "$DLOG")" = "$SCRATCH/home-daemon/.cache/distccd"
  check "D: a pump build runs remotely" pump_build d "$PORT"
else
  not_ok "D (daemon by hand): distccd starts"; sed 's/^/#   /' "$DLOG" 2>/dev/null
fi
if start_as_user nobody /nonexistent e; then
  E_STORE=$(store_of "$DLOG")
  check "E (nobody by hand, HOME=/nonexistent): a store nobody owns ($E_STORE)" \
    test "$(stat -c %U "$E_STORE" 2>/dev/null)" = nobody
  check "E: a pump build runs remotely" pump_build e "$PORT"
else
  not_ok "E (nobody by hand): distccd starts"; sed 's/^/#   /' "$DLOG" 2>/dev/null
fi

# A, running all along, still serves from its store.
check "A, after B..E started: a pump build runs remotely" pump_build a2 "$A_PORT"
check "A's store is still its user's ($(stat -c '%U %a' /var/cache/distccd))" \
  test "$(stat -c '%U %a' /var/cache/distccd)" = "$A_USER 700"
if grep -q 'Permission denied\|rescan failed\|locking usage' "$A_LOG"; then
  not_ok "A's log has no store error"; grep 'Permission denied\|rescan failed\|locking usage' "$A_LOG" | head -3 | sed 's/^/#   /'
else
  ok "A's log has no store error"
fi
given=$(cat "$SCRATCH"/distccd-*.log "$SCRATCH"/d/log "$SCRATCH"/e/log 2>/dev/null | grep 'gave .* to user')
twice=$(echo "$given" | sed -n 's/.*gave \([^ ]*\) to user.*/\1/p' | sort | uniq -d)
check "no store was handed over twice, from one daemon's user to another's ($(echo $given))" test -z "$twice"

# A store directory another user owns is never taken: root-started with
# --user bin, whose default store someone else (nobody) holds.
mkdir -m 700 /var/cache/distccd-bin && chown nobody: /var/cache/distccd-bin
p=$(free_port)
timeout 60 "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$p" --allow 127.0.0.1 --log-stderr \
  --user bin > /dev/null 2> "$SCRATCH/taken.err"
rc=$?
sed 's/^/# /' "$SCRATCH/taken.err"
check "a store another user owns: distccd exits non-zero (got $rc)" test "$rc" != 0 -a "$rc" != 124
check "a store another user owns: it says whose it is and names --cache-dir" \
  grep -q "/var/cache/distccd-bin belongs to user nobody.*--cache-dir" "$SCRATCH/taken.err"
check "a store another user owns: still that user's" test "$(stat -c %U /var/cache/distccd-bin)" = nobody
finish
