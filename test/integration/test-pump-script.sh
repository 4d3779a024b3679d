#!/usr/bin/env bash
# scripts/pump finds the include server where it is run from (the source
# tree's scripts/, the build tree's bin/, an installed bin/ or libexec/),
# `eval "$(pump --startup)"` fails visibly when it cannot start one, and a
# pump killed during its command leaves no include server behind.
source "$(dirname "$0")/lib.sh"
export DISTCC_HOSTS="127.0.0.1:1/2,cpp"
export DISTCC_PUMP_CACHE=

# starts_from PUMP: pump --startup from there starts an include server
# that answers on its socket, and --shutdown stops it.
starts_from () {
  local pump=$1 out rc
  out=$("$pump" --startup 2>"$SCRATCH/err"); rc=$?
  [ $rc = 0 ] || { sed 's/^/#   /' "$SCRATCH/err"; return 1; }
  eval "$out" || return 1
  DAEMON_PIDS+=("$INCLUDE_SERVER_PID")
  [ -S "$INCLUDE_SERVER_PORT" ] && kill -0 "$INCLUDE_SERVER_PID" || return 1
  "$pump" --shutdown
  wait_gone "$INCLUDE_SERVER_PID"
}
check "scripts/pump (source tree) starts bin/include-server" starts_from "$TOP/scripts/pump"
check "bin/pump (build tree) starts the include server beside it" starts_from "$BIN/pump"

# make install into a DESTDIR (-o all: the tree under test is not rebuilt).
dest=$SCRATCH/dest
make -s -C "$TOP" -o all install DESTDIR="$dest" > "$SCRATCH/install.log" 2>&1 || sed 's/^/#   /' "$SCRATCH/install.log"
ipump=$(find "$dest" -path '*/bin/pump' | head -1)
check "make install's pump (${ipump#$dest}) starts the installed include-server" starts_from "${ipump:-$dest/none}"
mkdir -p "$SCRATCH/lx/bin" "$SCRATCH/lx/libexec/distcc"
cp "$TOP/scripts/pump" "$BIN/distcc" "$SCRATCH/lx/bin/"
cp "$BIN/include-server" "$SCRATCH/lx/libexec/distcc/"
check "installed with the include server in libexec/distcc: found" starts_from "$SCRATCH/lx/bin/pump"

# Failures: non-zero exit, a message, and an eval that fails.
mkdir -p "$SCRATCH/alone"
cp "$TOP/scripts/pump" "$BIN/distcc" "$SCRATCH/alone/"
out=$("$SCRATCH/alone/pump" --startup 2>"$SCRATCH/err"); rc=$?
check "no include server anywhere: pump --startup exits 1 ($rc)" test "$rc" = 1
check "no include server anywhere: it says where it looked" grep -q "include server not found (looked for include-server in $SCRATCH" "$SCRATCH/err"
eval "$out"; rc=$?
check "no include server anywhere: eval \"\$(pump --startup)\" fails ($rc)" test "$rc" != 0
check "no include server anywhere: a set -e script stops" \
  test "$(bash -c 'set -e; eval "$("$1" --startup 2>/dev/null)"; echo went-on' _ "$SCRATCH/alone/pump")" = ""
out=$(DISTCC_INCLUDE_SERVER=/bin/false "$BIN/pump" --startup 2>"$SCRATCH/err"); rc=$?
check "an include server that exits at once: pump --startup exits 1 ($rc)" test "$rc" = 1
check "an include server that exits at once: it says so" grep -q "failed to start" "$SCRATCH/err"
eval "$out"; rc=$?
check "an include server that exits at once: the eval fails ($rc)" test "$rc" != 0
out=$(DISTCC_HOSTS=127.0.0.1:1/2 "$BIN/pump" --startup 2>"$SCRATCH/err"); rc=$?
check "no ,cpp host: pump --startup exits 1 and the eval fails" sh -c "[ $rc = 1 ] && ! eval '$out'"

# pump COMMAND killed while the command runs (kill, timeout): the include
# server and the build's directory go with it, not when the command ends.
# (Before, both stayed: sh runs no EXIT trap on a signal.)
"$BIN/pump" sh -c 'echo "$INCLUDE_SERVER_PID $INCLUDE_SERVER_DIR $$" > "$1"; exec sleep 60' _ "$SCRATCH/pumped" &
PUMP=$!
wait_until "pump's command to start" test -s "$SCRATCH/pumped"
read -r is_pid is_dir cmd_pid < "$SCRATCH/pumped"
DAEMON_PIDS+=("$is_pid" "$cmd_pid")
check "pump COMMAND: the include server runs ($is_pid)" kill -0 "$is_pid"
kill "$PUMP"
check "pump killed: its include server stops" wait_gone "$is_pid"
check "pump killed: the build's directory is removed ($is_dir)" wait_until "$is_dir to go" test ! -e "$is_dir"
kill "$cmd_pid" 2>/dev/null
finish
