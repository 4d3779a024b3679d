#!/usr/bin/env bash
# The build summary: a multi-file make -j through pump and a real distccd on
# loopback, with one compile that is local by design (-E) and one whose only
# host refuses connections (a fallback). pump's summary on stderr must count
# them as the volunteer's log, the client's DISTCC_LOG and the include
# server's exit line do; `distcc --summary` says the same from DISTCC_DIR;
# DISTCC_PUMP_SUMMARY=0 silences it. DISTCC_TIMELINE writes the build's
# timeline, which must be trace-event JSON covering every compile.
source "$(dirname "$0")/lib.sh"

start_distccd || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts on 127.0.0.1:$PORT"
DEAD=$(free_port)   # nothing listens there: connections are refused

proj=$SCRATCH/proj
mkdir -p "$proj"
cd "$proj"
for n in a b c d e f; do
  printf '#include "common.h"\nint %s_fn (int x) { return TWICE (x) + %d; }\n' "$n" "${#n}" > "$n.c"
done
printf '#include "common.h"\nint fb_fn (int x) { return TWICE (x); }\n' > fb.c
printf '#pragma once\n#include <stdio.h>\n#define TWICE(x) ((x) * 2)\n' > common.h
cat > Makefile <<'M'
OBJS = a.o b.o c.o d.o e.o f.o
all: $(OBJS) pp.i fb.o
%.o: %.c common.h
	$(CC) -c $< -o $@
pp.i: a.c
	$(CC) -E a.c -o pp.i
fb.o: fb.c
	DISTCC_HOSTS='127.0.0.1:$(DEAD)/1,cpp,lzo' $(CC) -c fb.c -o fb.o
clean:
	rm -f *.o *.i
M

export DISTCC_HOSTS="127.0.0.1:$PORT/4,cpp,lzo"
export DISTCC_LOG=$SCRATCH/client.log
export DISTCC_PUMP_LOG=$SCRATCH/is.log
export DISTCC_TIMELINE=$SCRATCH/timeline.json
export DISTCC_BACKOFF_PERIOD=0   # the refusing host is tried in every build

# field SUMMARY LABEL: the count on the summary's line for LABEL.
field () { sed -n "s/^  $2 *\([0-9][0-9]*\).*/\1/p" "$1" | head -1; }
count () { grep -c -- "$2" "$1" 2>/dev/null || true; }
sum_traffic () { awk -v w="$2" '/traffic: sent/ { s += (w == "sent" ? $(NF-3) : $(NF-1)) } END { print s + 0 }' "$1"; }
# is_counter LOG N: the Nth number of the include server's exit line
# ("served R requests (C from cached closures, W walked, F not analysed)").
is_counter () { grep -o 'served [0-9]* requests ([0-9]* from' "$1" | tail -1 | grep -o '[0-9][0-9]*' | sed -n "$2p"; }

"$BIN/pump" make -j3 CC="$BIN/distcc gcc" DEAD="$DEAD" > "$SCRATCH/build1.out" 2> "$SCRATCH/build1.err"
rc=$?
check "pump make -j3 succeeds ($rc)" test "$rc" = 0
S=$SCRATCH/build1.err
sed 's/^/#   /' "$S"
check "pump prints the build summary on stderr" grep -q '^distcc build summary: 8 compiles, wall ' "$S"
vol=$(count "$DLOG" 'compiled .* (pump mode)')
check "remote: 6, as the volunteer compiled ($vol) and the client logged" \
  test "$(field "$S" remote)" = 6 -a "$vol" = 6 -a "$(count "$DISTCC_LOG" 'result: remote')" = 6
check "remote compiles are all in pump mode" grep -q '^  remote  *6  (pump 6)' "$S"
check "cache hits: 0" test "$(field "$S" 'cache hits')" = 0
check "local: 1 (the -E), as the client logged" \
  test "$(field "$S" local)" = 1 -a "$(count "$DISTCC_LOG" 'result: local')" = 1
reason=$(grep -o 'result: local reason="[^"]*"' "$DISTCC_LOG" | sed 's/.*reason="\(.*\)"/\1/')
check "the local compile's reason is listed: '$reason'" grep -qF -- "      1  $reason" "$S"
check "fallback: 1 (the host that refuses), as the client logged" \
  test "$(field "$S" fallback)" = 1 -a "$(count "$DISTCC_LOG" 'result: fallback')" = 1
check "the fallback names the refusing host and why" grep -q "      1  127.0.0.1:$DEAD: .*refused" "$S"
sent=$(sum_traffic "$DISTCC_LOG" sent); recv=$(sum_traffic "$DISTCC_LOG" received)
want=$(python3 -c "
import ctypes, sys
g = ctypes.CDLL('libglib-2.0.so.0'); g.g_format_size.restype = ctypes.c_char_p
g.g_format_size.argtypes = [ctypes.c_uint64]
print('  sent %s, received %s' % (g.g_format_size($sent).decode(), g.g_format_size($recv).decode()))")
check "bytes as the client's traffic lines add up ($want)" grep -qxF -- "$want" "$S"
check "host 127.0.0.1:$PORT: 6 compiles, 75%" grep -Eq "^    127\.0\.0\.1:$PORT +6 +75% +[0-9.]+ m?s\$" "$S"
check "localhost: 2 compiles, 25%" grep -Eq "^    localhost +2 +25% +[0-9.]+ m?s\$" "$S"
req=$(is_counter "$DISTCC_PUMP_LOG" 1); cached=$(is_counter "$DISTCC_PUMP_LOG" 2)
check "include server: $req requests, $cached reused, as its exit line says" \
  grep -q "^  include server: $req requests, $cached closures reused, " "$S"
check "include server: one request per pump compile (7: remote and fallback)" test "$req" = 7

# The timeline of the same build.
check "DISTCC_TIMELINE: the timeline is written" test -s "$DISTCC_TIMELINE"
check "the timeline is trace-event JSON covering every compile and phase" \
  python3 "$TOP/test/integration/check-trace.py" "$DISTCC_TIMELINE" a.c b.c c.c d.c e.c f.c fb.c

# A second build after make clean: the include server reuses its closures
# (kept in DISTCC_DIR's cache file), and the summary says so.
make -s clean
unset DISTCC_TIMELINE
: > "$DISTCC_PUMP_LOG"
"$BIN/pump" make -j3 CC="$BIN/distcc gcc" DEAD="$DEAD" > /dev/null 2> "$SCRATCH/build2.err"
S2=$SCRATCH/build2.err
req2=$(is_counter "$DISTCC_PUMP_LOG" 1); cached2=$(is_counter "$DISTCC_PUMP_LOG" 2)
check "second build: closures reused ($cached2 of $req2) as the include server's exit line says" \
  sh -c "[ '${cached2:-0}' -gt 0 ] && grep -q '^  include server: $req2 requests, $cached2 closures reused, ' '$S2'"
# The volunteer's result cache answers the same six compiles: cache hits.
check "second build: its own counts only (8 compiles, 6 cache hits as the client logged, 0 remote)" \
  sh -c "grep -q '^distcc build summary: 8 compiles' '$S2' && [ '$(field "$S2" 'cache hits')' = 6 ] \
         && [ '$(field "$S2" remote)' = 0 ] && [ '$(count "$DISTCC_LOG" 'cache=hit')' = 6 ]"

# distcc --summary over DISTCC_DIR: both builds.
"$BIN/distcc" --summary > "$SCRATCH/all.out" 2>&1
sed 's/^/#   /' "$SCRATCH/all.out"
check "distcc --summary (DISTCC_DIR): 16 compiles, 6 remote, 6 cache hits, 2 local, 2 fallbacks" \
  sh -c "grep -q '^distcc build summary: 16 compiles' '$SCRATCH/all.out' && [ '$(field "$SCRATCH/all.out" remote)' = 6 ] \
         && [ '$(field "$SCRATCH/all.out" 'cache hits')' = 6 ] \
         && [ '$(field "$SCRATCH/all.out" local)' = 2 ] && [ '$(field "$SCRATCH/all.out" fallback)' = 2 ]"
check "distcc --summary --since 1h: the same 16" grep -q '^distcc build summary: 16 compiles' \
  <("$BIN/distcc" --summary --since 1h)
check "distcc --summary --since a future time: none" grep -q 'no compile went through distcc' \
  <("$BIN/distcc" --summary --since "$(( $(date +%s) + 3600 ))")
check "distcc --summary --since nonsense: refused (exit 2)" sh -c "'$BIN/distcc' --summary --since soon 2>/dev/null; [ \$? = 2 ]"

# distccmon-text --results: the last compiles with their results and reasons.
"$BIN/distccmon-text" --results > "$SCRATCH/mon.out" 2>&1
sed 's/^/#   /' "$SCRATCH/mon.out"
check "distccmon-text --results: the last 10 compiles" test "$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]  ' "$SCRATCH/mon.out")" = 10
# The second build's compiles are cache hits; whether the first build's
# remote ones are still among the last 10 depends on the order they ended.
check "distccmon-text --results: a remote or cache-hit pump compile on the volunteer" \
  grep -Eq "^[0-9:]{8}  (remote|cache-hit) +pump +127\.0\.0\.1:$PORT\[[0-9]+\] .* [a-f]\.c\$" "$SCRATCH/mon.out"
check "distccmon-text --results: the fallback names the refusing host and why" \
  grep -Eq "fallback .*localhost\[[0-9]+\] .* fb\.c  \(127\.0\.0\.1:$DEAD: connect: Connection refused\)" "$SCRATCH/mon.out"
check "distccmon-text --results: the local compile says why" grep -Fq "a.c  ($reason)" "$SCRATCH/mon.out"

# A torn line (a writer killed mid-record) is skipped and said.
printf 'dccrec1\tstart=12\tend=' >> "$DISTCC_DIR/records"
check "a torn record is skipped and counted" grep -q '1 malformed record lines skipped' <("$BIN/distcc" --summary)

# DISTCC_PUMP_SUMMARY=0: nothing on stderr.
make -s clean
DISTCC_PUMP_SUMMARY=0 "$BIN/pump" make -j3 CC="$BIN/distcc gcc" DEAD="$DEAD" > /dev/null 2> "$SCRATCH/build3.err"
check "DISTCC_PUMP_SUMMARY=0: no summary" sh -c "! grep -q 'build summary' '$SCRATCH/build3.err'"
finish
