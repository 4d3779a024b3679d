#!/usr/bin/env bash
# Connections never hold compile slots or workers (issue 13 item 3): while
# 1,000 idle connections and 50 slow senders (a byte every 2 s) are open,
# a real compile through bin/distcc is delayed by less than 1 s; the
# per-peer bound and the total bound each drop the oldest incomplete
# connections with a log line; slow senders are cut at --request-timeout
# with a log line; the daemon serves on. Hostile connections come from
# 127.0.0.2.. so that the per-peer bound does not refuse the real client.
source "$(dirname "$0")/lib.sh"
FLOOD=$TOP/test/integration/flood.py
REQ_TIMEOUT=12
mkdir -p "$SCRATCH/proj"
echo 'int twice (int x) { return 2 * x; }' > "$SCRATCH/proj/n.c"
(cd "$SCRATCH/proj" && gcc -c n.c -o n.ref)

# Bounds: 1,200 hostile connections in all > --max-connections 1100, and
# 150 of them from 127.0.0.12 > --max-connections-per-peer 120.
start_distccd --allow 127.0.0.0/8 --jobs 2 --io-timeout 60 --request-timeout "$REQ_TIMEOUT" \
    --max-connections 1100 --max-connections-per-peer 120 \
  || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts (--max-connections 1100 --max-connections-per-peer 120 --request-timeout $REQ_TIMEOUT)"

# compile_time: seconds one compile through bin/distcc takes; it must run
# remotely and give the local object.
compile_time () {
  rm -f "$SCRATCH/c.log" "$SCRATCH/proj/n.o"
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$SCRATCH/proj" && DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/c.log" DISTCC_FALLBACK=0 \
     "$BIN/distcc" gcc -c n.c -o n.o) || return 1
  t1=$(date +%s.%N)
  [ "$(result_of "$SCRATCH/c.log")" = remote ] && cmp -s "$SCRATCH/proj/n.o" "$SCRATCH/proj/n.ref" || return 1
  echo "$t1 - $t0" | bc
}
median3 () { printf '%s\n' "$@" | sort -n | sed -n 2p; }

compile_time > /dev/null   # the compiler identity cache, warm
base=()
for _ in 1 2 3; do base+=("$(compile_time)"); done
base_med=$(median3 "${base[@]}")
check "baseline: compiles run remotely, objects identical (${base[*]} s)" test -n "${base[2]}"

specs=()
for i in $(seq 2 11); do specs+=("idle:127.0.0.$i:100"); done      # 1,000 idle
specs+=("idle:127.0.0.12:150")                                      # one peer over its bound
for i in $(seq 13 17); do specs+=("slow:127.0.0.$i:10"); done      # 50 slow senders
FLOOD_INTERVAL=2 FLOOD_HOLD=$((REQ_TIMEOUT * 3)) timeout 200 python3 "$FLOOD" 127.0.0.1 "$PORT" "$SCRATCH/ready" \
    "${specs[@]}" > "$SCRATCH/flood.out" 2>&1 &
FPID=$!
for _ in $(seq 600); do [ -s "$SCRATCH/ready" ] && break; kill -0 $FPID 2>/dev/null || break; sleep 0.1; done
check "1,200 hostile connections made ($(cat "$SCRATCH/ready" 2>/dev/null))" grep -q 'READY 1200' "$SCRATCH/ready"

workers=$(pgrep -P "$DPID" | wc -l)
check "hostile connections hold no worker process ($workers children)" test "$workers" = 0
fds=$(ls /proc/"$DPID"/fd | wc -l)
check "the daemon holds at most --max-connections of them (+ a few): $fds fds" test "$fds" -le 1130

during=()
for _ in 1 2 3; do during+=("$(compile_time)"); done
during_med=$(median3 "${during[@]}")
delay=$(echo "$during_med - $base_med" | bc)
echo "# compile alone: ${base[*]} s (median $base_med); with 1,000 idle + 50 slow connections: ${during[*]} s (median $during_med); delay $delay s"
check "with the flood open, compiles run remotely with identical objects (${during[*]} s)" test -n "${during[2]}"
check "with the flood open, a compile is delayed by less than 1 s (delay $delay s)" test "$(echo "$delay < 1" | bc)" = 1

check "per-peer bound: oldest connections from 127.0.0.12 dropped, logged" \
  grep -q 'dropped connection from 127.0.0.12:.*120 incomplete connections from 127.0.0.12 (--max-connections-per-peer)' "$DLOG"
check "total bound: oldest incomplete connections dropped, logged" \
  grep -q 'dropped connection from .*1100 incomplete connections in all (--max-connections)' "$DLOG"
check "no connection from 127.0.0.1 was dropped" bash -c "! grep -q 'dropped connection from 127.0.0.1:' '$DLOG'"

wait $FPID
summary=$(cat "$SCRATCH/flood.out")
echo "# flood: $summary"
cut_min=$(sed -n 's/.*slow_cut_min=\([0-9.-]*\).*/\1/p' <<< "$summary")
cut_max=$(sed -n 's/.*slow_cut_max=\([0-9.-]*\).*/\1/p' <<< "$summary")
check "every slow sender was cut by the daemon" grep -q 'slow=50 slow_closed=50' <<< "$summary"
check "slow senders cut at the request deadline ($cut_min..$cut_max s, deadline $REQ_TIMEOUT s)" \
  test "$(echo "$cut_min >= $REQ_TIMEOUT - 1 && $cut_max < $REQ_TIMEOUT + 5" | bc)" = 1
check "the cut is logged" grep -q "dropped connection from 127.0.0.1[3-7]:.*request not complete after $REQ_TIMEOUT s (--request-timeout)" "$DLOG"
after=$(compile_time)
check "the daemon serves on after the flood ($after s)" test -n "$after"
check "daemon process still alive" kill -0 "$DPID"
finish
