#!/usr/bin/env bash
# reply-check.sh: how long the volunteer takes from "reply ready" (a miss
# compiled, its outputs collected) to "reply sent", which is where the
# result cache checks a finished compile's inputs (doc/result-cache.md,
# "What is never cached") and stores its result. See README.
#
#   test/bench/reply-check.sh [--files N] [--no-kernel]
#
# Two closures, each compiled three times as misses with the same inputs:
#   large   N small distinct headers (default 60000, as test-hostile's
#           attack), sent by hand-made requests (reply-check.py);
#   kernel  the closure of kernel/fork.c from the Linux tree kernel.sh
#           builds ($DCC_BENCH_DIR/linux-source-6.1, tinyconfig, built
#           once), through bin/pump and bin/distcc, -o in a scratch dir.
# Cases: cold (every input uploaded), warm (the same inputs, all in the
# store, another source or -D so that the key differs), restart (warm, but
# a new distccd on the same store: its scan table is empty, so the check
# runs after the reply). The figure is the volunteer's debug line "reply
# ready to sent X ms".
# The timing line of a miss whose check runs after the reply comes late
# on a loaded machine: wait for it up to 10 minutes.
WAIT_SECONDS=${WAIT_SECONDS:-600}
source "$(dirname "$0")/../integration/lib.sh"

FILES=60000
KERNEL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --files) FILES=$2; shift ;;
    --no-kernel) KERNEL=0 ;;
    *) echo "usage: $0 [--files N] [--no-kernel]" >&2; exit 2 ;;
  esac
  shift
done
KTREE=${DCC_BENCH_DIR:-/var/tmp/dcc-bench}/linux-source-6.1
STORE=$SCRATCH/store

# daemon: a new distccd on a free port over $STORE; sets PORT, DPID, DLOG.
daemon () {
  [ -n "${DPID:-}" ] && { kill "$DPID"; wait_gone "$DPID"; }
  start_distccd --jobs 1 --io-timeout 600 --request-timeout 600 --job-input-size 1024 --cache-dir "$STORE" \
    || { echo "distccd does not start" >&2; exit 1; }
}
# last_reply: the latest "reply ready to sent" of $DLOG, in ms, once there
# are more than $before (the worker logs it after the client has its reply).
replies () { grep -c 'reply ready to sent' "$DLOG"; }
more_replies () { [ "$(replies)" -gt "$before" ]; }
last_reply () {
  wait_until "the timing line in $DLOG" more_replies >&2
  grep -o 'reply ready to sent [0-9.]*' "$DLOG" | tail -n1 | awk '{ print $5 }'
}
row () { printf '%-8s %-8s %10s ms   %s\n' "$1" "$2" "$3" "$4"; }

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $(cd "$TOP" && git describe --always --dirty)"
row closure case "ready->sent" "answer"
daemon
for tag in cold warm; do
  before=$(replies)
  a=$(python3 "$TOP/test/bench/reply-check.py" 127.0.0.1 "$PORT" "$FILES" "$tag")
  row "large" "$tag" "$(last_reply)" "$a"
done
daemon
before=$(replies)
a=$(python3 "$TOP/test/bench/reply-check.py" 127.0.0.1 "$PORT" "$FILES" restart)
row "large" restart "$(last_reply)" "$a"

if [ "$KERNEL" = 1 ]; then
  cmdfile=$KTREE/kernel/.fork.o.cmd
  if [ ! -f "$cmdfile" ] || [ ! -d "$KTREE/include/generated" ]; then
    echo "# kernel: no built tree at $KTREE (run kernel.sh once): skipped"
  else
    # The compile command, from the compiler on, without its -o.
    read -r -a kargs <<< "$(sed -n 's/^cmd_kernel\/fork.o := .*\(x86_64-linux-gnu-gcc\|gcc\) /\1 /p' "$cmdfile" \
                            | sed "s/'//g; s/ -o kernel\/fork.o / /")"
    export DISTCC_HOSTS="127.0.0.1:$PORT/1,cpp,lzo"
    cd "$KTREE"
    eval "$("$BIN/pump" --startup 2> "$SCRATCH/pump.err")"
    [ -n "${INCLUDE_SERVER_PID:-}" ] && DAEMON_PIDS+=("$INCLUDE_SERVER_PID")
    n=0
    for tag in cold warm restart; do
      n=$((n + 1))
      if [ "$tag" = restart ]; then daemon; export DISTCC_HOSTS="127.0.0.1:$PORT/1,cpp,lzo"; fi
      before=$(replies)
      DISTCC_LOG=$SCRATCH/k$n.log DISTCC_VERBOSE=1 "$BIN/distcc" "${kargs[@]}" -DDCC_REPLY_CHECK=$n \
        -o "$SCRATCH/fork$n.o" 2> "$SCRATCH/k$n.err"
      files=$(grep -o 'closure: [0-9]* files' "$SCRATCH/k$n.log" | head -n1 | awk '{ print $2 }')
      row kernel "$tag" "$(last_reply)" "$(grep -o 'result: [a-z]* .*mode=[a-z]*' "$SCRATCH/k$n.log" | head -n1), $files entries"
    done
    "$BIN/pump" --shutdown > /dev/null 2>&1
  fi
fi
