#!/usr/bin/env bash
# A volunteer whose disk is full: the build still succeeds, each object the
# same as a local compile's, and the user is told why once. The volunteer
# runs as a distribution starts it (root, no --user, no --cache-dir) in a
# mount namespace of its own where /var/cache (its store's disk) and its
# TMPDIR (its job directories' disk) are 1 MiB tmpfs. A pump job whose
# header does not fit in the store is answered EROR "volunteer trouble: no
# space left on its disk" (the file it was writing named only in its log),
# and the client backs the host off as for a broken connection; a plain job
# whose preprocessed text does not fit is closed (the stock protocol has no
# EROR) and compiled here. Small jobs still compile remotely afterwards, and
# the store keeps no partial file.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { skip "needs root (tmpfs mounts in a mount namespace)"; finish; exit 0; }
unshare -m true 2>/dev/null || { skip "no mount namespaces here"; finish; exit 0; }

proj=$SCRATCH/proj; mkdir -p "$proj" && cd "$proj" || exit 1
# A 2.3 MB header (more than either tmpfs holds) and a small one.
python3 - <<'PY'
with open("big.h", "w") as f:
    for i in range(40000):
        f.write("static const int big_%d = %d; /* padding padding */\n" % (i, i))
PY
printf '#include "big.h"\nint a (void) { return big_7; }\n' > a.c
printf '#define SMALL 2\n' > small.h
printf '#include "small.h"\nint b (void) { return SMALL; }\n' > b.c
gcc -c -O2 a.c -o a.local.o && gcc -c -O2 b.c -o b.local.o

PORT=$(free_port)
DLOG=$SCRATCH/distccd-$PORT.log
jobs_fs=$SCRATCH/jobs; mkdir -p "$jobs_fs"
unshare -m --propagation private sh -c '
  mount -t tmpfs -o size=1m tmpfs /var/cache && mount -t tmpfs -o size=1m,mode=1777 tmpfs "$1" || exit 1
  TMPDIR=$1; export TMPDIR; shift; exec "$@"' sh "$jobs_fs" \
  "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 \
  --log-file "$DLOG" --log-level debug &
DPID=$!
DAEMON_PIDS+=("$DPID")
wait_port "$PORT" "$DPID" && wait_ready_log "$DLOG" "$DPID" \
  || { not_ok "distccd starts with a 1 MiB /var/cache"; sed 's/^/#   /' "$DLOG"; finish; exit 1; }
ok "distccd starts as a distribution starts it, its store's disk a 1 MiB tmpfs"
check "its store is /var/cache/distccd" grep -q 'file store /var/cache/distccd' "$DLOG"

# 1. Pump mode: the header cannot be stored.
DISTCC_HOSTS="127.0.0.1:$PORT/2,cpp" DISTCC_LOG= "$BIN/pump" "$BIN/distcc" gcc -c -O2 a.c -o a.o 2> pump.err
rc=$?
sed 's/^/# pump: /' pump.err | grep -v '^# pump:  ' | head -4
check "pump, store's disk full: the compile succeeds (rc $rc)" test "$rc" = 0
check "pump, store's disk full: object identical to local" cmp -s a.o a.local.o
check "pump, store's disk full: stderr names the volunteer's trouble once" \
  test "$(grep -c 'failed to distribute a.c .*(volunteer trouble: no space left on its disk' pump.err)" = 1
# The next compile of the build skips the host, and says so once.
DISTCC_HOSTS="127.0.0.1:$PORT/2,cpp" DISTCC_LOG=$SCRATCH/next.log "$BIN/pump" "$BIN/distcc" gcc -c -O2 b.c -o b.o 2> next.err
check "pump, the next compile: local, the host backed off (got $(result_of "$SCRATCH/next.log"))" \
  test "$(result_of "$SCRATCH/next.log")" = local
check "pump, the next compile: stderr says the host is not used for a while" \
  grep -q "127.0.0.1:$PORT failed and is not used for" next.err
check "pump, the next compile: object identical" cmp -s b.o b.local.o
check "pump, store's disk full: the client is not told the volunteer's paths" \
  sh -c "! grep -q '/var/cache' pump.err"
check "the daemon's log names the file and the error" \
  grep -q 'failed: writing /var/cache/distccd/tmp/.*: No space left on device' "$DLOG"

# 2. Plain mode: the preprocessed text (2.3 MB) cannot be written.
mkdir -p "$SCRATCH/dir2"
DISTCC_DIR=$SCRATCH/dir2 DISTCC_HOSTS="127.0.0.1:$PORT/2" DISTCC_LOG= "$BIN/distcc" gcc -c -O2 a.c -o a2.o 2> plain.err
rc=$?
sed 's/^/# plain: /' plain.err | head -2
check "plain, job directory's disk full: the compile succeeds (rc $rc)" test "$rc" = 0
check "plain, job directory's disk full: object identical to local" cmp -s a2.o a.local.o
check "plain, job directory's disk full: stderr says it ran here" grep -q 'running locally instead' plain.err
check "the daemon's log names the write that failed" \
  test "$(grep -c 'job from 127.0.0.1:.* failed: .*: No space left on device' "$DLOG")" = 2

# 3. Afterwards small jobs compile remotely, in both modes, and the store
# holds no partial file.
for mode in pump plain; do
  mkdir -p "$SCRATCH/dir-$mode"
  hosts="127.0.0.1:$PORT/2"; run=
  [ "$mode" = pump ] && { hosts="$hosts,cpp"; run=$BIN/pump; }
  DISTCC_DIR=$SCRATCH/dir-$mode DISTCC_HOSTS=$hosts DISTCC_LOG=$SCRATCH/$mode-small.log \
    $run "$BIN/distcc" gcc -c -O2 b.c -o "b-$mode.o" 2>/dev/null
  check "$mode, a small job afterwards: remote (got $(result_of "$SCRATCH/$mode-small.log"))" \
    test "$(result_of "$SCRATCH/$mode-small.log")" = remote
  check "$mode, a small job afterwards: object identical" cmp -s "b-$mode.o" b.local.o
done
left=$(nsenter -t "$DPID" -m find /var/cache/distccd/tmp -type f 2>/dev/null | wc -l)
check "the store's tmp/ holds no partial file ($left)" test "$left" = 0
check "daemon still alive" kill -0 "$DPID"
"$BIN/pump" --shutdown > /dev/null 2>&1
finish
