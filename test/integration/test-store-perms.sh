#!/usr/bin/env bash
# A store another user can write is refused. The store's objects, its
# result names (doc/result-cache.md) and its cached compiler identities are
# trusted by every client of the volunteer: a local user who can write any
# of them can hand every client an object of their choosing. --cache-dir DIR
# was taken as it was (only the default stores were checked); now DIR must
# be the daemon's user's or root's and writable by no one else unless
# sticky (as /tmp, or test/bench/hit-cost.sh's mkdir -m 1777), and its
# objects/, tmp/, results/, compilers/ and usage file the user's own and
# writable by no one else.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { skip "needs root (directories owned by another user)"; finish; exit 0; }
other=daemon   # any user but root

# try_store NAME DIR: starts distccd (as root) on DIR; "started" or "refused"
# in $SCRATCH/NAME.res, its stderr in $SCRATCH/NAME.err.
try_store () {
  local name=$1 dir=$2 port pid
  port=$(free_port)
  "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$port" --allow 127.0.0.1 --log-stderr \
      --log-level info --user root --cache-dir "$dir" --lifetime 120 2> "$SCRATCH/$name.err" &
  pid=$!
  DAEMON_PIDS+=("$pid")
  wait_until "distccd on $dir to serve or exit" _ready_or_gone "$SCRATCH/$name.err" "$pid"
  if kill -0 "$pid" 2>/dev/null; then
    echo started > "$SCRATCH/$name.res"
    PORT=$port
  else
    echo refused > "$SCRATCH/$name.res"
  fi
}
_ready_or_gone () { log_has "$1" "listening on port" || ! kill -0 "$2" 2>/dev/null; }
refused () { [ "$(cat "$SCRATCH/$1.res")" = refused ] && grep -q "$2" "$SCRATCH/$1.err"; }
started () { [ "$(cat "$SCRATCH/$1.res")" = started ]; }

mkdir -m 0777 "$SCRATCH/s-777" && chmod 0777 "$SCRATCH/s-777"
try_store s-777 "$SCRATCH/s-777"
check "--cache-dir mode 0777: refused, and why" \
    refused s-777 "s-777 is writable by other users and not sticky (mode 0777, owner uid 0)"

mkdir -m 0770 "$SCRATCH/s-770" && chmod 0770 "$SCRATCH/s-770"
try_store s-770 "$SCRATCH/s-770"
check "--cache-dir mode 0770 (group-writable): refused" refused s-770 "s-770 is writable by other users"

mkdir -m 0755 "$SCRATCH/s-other" && chown "$other" "$SCRATCH/s-other"
try_store s-other "$SCRATCH/s-other"
check "--cache-dir owned by user $other: refused" refused s-other "s-other belongs to another user"

mkdir -m 0700 "$SCRATCH/s-obj" && mkdir -m 0777 "$SCRATCH/s-obj/objects" && chmod 0777 "$SCRATCH/s-obj/objects"
try_store s-obj "$SCRATCH/s-obj"
check "objects/ mode 0777 in a private --cache-dir: refused" refused s-obj "s-obj/objects is writable by other users"

mkdir -m 0700 "$SCRATCH/s-res" && mkdir -m 0755 "$SCRATCH/s-res/results" && chown "$other" "$SCRATCH/s-res/results"
try_store s-res "$SCRATCH/s-res"
check "results/ owned by user $other: refused" refused s-res "s-res/results belongs to another user"

mkdir -m 0700 "$SCRATCH/s-cid" && mkdir -m 0755 "$SCRATCH/s-cid/compilers" && chown "$other" "$SCRATCH/s-cid/compilers"
try_store s-cid "$SCRATCH/s-cid"
check "compilers/ (cached compiler identities) owned by user $other: refused" \
    refused s-cid "s-cid/compilers belongs to another user"

mkdir -m 0700 "$SCRATCH/s-usage" && install -m 0666 /dev/null "$SCRATCH/s-usage/usage"
try_store s-usage "$SCRATCH/s-usage"
check "a usage file of mode 0666: refused" refused s-usage "s-usage/usage is writable by other users"

# What is still served: a sticky world-writable directory (as /tmp), and a
# private one; each compiles a pump request.
mkdir -m 1777 "$SCRATCH/s-sticky" && chmod 1777 "$SCRATCH/s-sticky"
try_store s-sticky "$SCRATCH/s-sticky"
check "--cache-dir mode 1777 owned by root (sticky): served" started s-sticky
started s-sticky && check "... and a pump request is compiled" \
    sh -c "python3 '$TOP/test/integration/hostile.py' good-pump 127.0.0.1 '$PORT' | grep -q '^DONE 0'"
mkdir -m 0755 "$SCRATCH/s-ok"
try_store s-ok "$SCRATCH/s-ok"
check "--cache-dir mode 0755 of this user: served" started s-ok
finish
