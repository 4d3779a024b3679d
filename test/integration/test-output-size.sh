#!/usr/bin/env bash
# A job's outputs are bounded (distccd --job-output-size, default 64 MiB):
# each output's size is taken with fstat of the file the volunteer opened,
# before it reads a byte, and added to the job's total. A real compile
# whose object is 70 MiB (a zero-filled array at -O0: small source, small
# assembler, a large .o) is refused with an error naming the output and
# the limit; the client compiles it locally (the same bytes as gcc alone)
# and says why once; the worker's peak memory (distccd's debug log, from
# wait4) stays far below the output's size. With --job-output-size 1, two
# outputs under 1 MiB each (pump mode, -save-temps: .s and .o of a 600 kB
# string) are refused for their sum.
source "$(dirname "$0")/lib.sh"

cd "$SCRATCH" || exit 1
start_distccd_stock || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts as a distribution starts it (root, no --user, no --cache-dir; default --job-output-size)"
mkdir -p src && cd src || exit 1
printf 'static char big[70 << 20] = {1};\nchar *p = big;\n' > big.c
gcc -O0 -c big.c -o ref.o
echo "# gcc alone: big.o of $(stat -c %s ref.o) bytes"
DISTCC_HOSTS="127.0.0.1:$PORT/1" DISTCC_LOG=$SCRATCH/big.log "$BIN/distcc" gcc -O0 -c big.c -o big.o 2> big.err
rc=$?
sed 's/^/# stderr: /' big.err
check "the build succeeds (exit $rc)" test "$rc" = 0
check "compiled locally (got $(result_of "$SCRATCH/big.log"))" test "$(result_of "$SCRATCH/big.log")" = local
check "big.o is the same bytes as gcc's alone" cmp -s big.o ref.o
check "stderr says why once, naming the output and the limit" \
  sh -c "[ \$(grep -c 'big.o' big.err) = 1 ] && grep -q '64 MiB' big.err && grep -qi 'output' big.err"
check "the volunteer's log names the output and the limit" grep -q 'big.o.*64 MiB' "$DLOG"
# Logged by the daemon's parent once the worker, having answered, exits.
wait_log "$DLOG" "worker [0-9]* for 127.0.0.1.*ended: peak memory"
peak=$(awk '/worker [0-9]+ for 127.0.0.1.*ended: peak memory/ { v = $(NF-1) } END { print v + 0 }' "$DLOG")
echo "# the worker's peak memory: $peak KiB"
check "the worker's peak memory stays below 32 MiB (got $peak KiB; the object is 70 MiB)" \
  sh -c "[ '$peak' -gt 0 ] && [ '$peak' -lt 32768 ]"
kill "$DPID"; wait "$DPID" 2>/dev/null

# The sum: each output under the bound, together over it.
start_distccd --job-output-size 1 || { not_ok "distccd --job-output-size 1 starts"; finish; exit 1; }
python3 -c '
import random
random.seed(7)
s = "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(600000))
print("const char text[] = \n" + "\n".join("\"%s\"" % s[i:i+100] for i in range(0, len(s), 100)) + ";")' > two.c
gcc -O0 -c two.c -o two-ref.o
gcc -O0 -S two.c -o two-ref.s
echo "# gcc alone: two.o $(stat -c %s two-ref.o) bytes, two.s $(stat -c %s two-ref.s) bytes"
check "each output under 1 MiB, together over it" \
  sh -c "[ $(stat -c %s two-ref.o) -lt 1048576 ] && [ $(stat -c %s two-ref.s) -lt 1048576 ] && [ $(( $(stat -c %s two-ref.o) + $(stat -c %s two-ref.s) )) -gt 1048576 ]"
# Pump mode: plain mode keeps -save-temps local.
DISTCC_HOSTS="127.0.0.1:$PORT/1,cpp,lzo" DISTCC_LOG=$SCRATCH/two.log "$BIN/pump" "$BIN/distcc" gcc -O0 -save-temps -c two.c -o two.o 2> two.err
rc=$?
sed "s/^/# stderr: /" two.err; grep -E "result:|local" "$SCRATCH/two.log" | tail -3 | sed "s/^/# two.log: /"
check "the build succeeds (exit $rc), compiled locally (got $(result_of "$SCRATCH/two.log"))" \
  sh -c "[ $rc = 0 ] && [ '$(result_of "$SCRATCH/two.log")' = local ]"
check "two.o is the same bytes as gcc's alone" cmp -s two.o two-ref.o
check "stderr says the job's outputs total more than 1 MiB" grep -q 'with the job.s other outputs, in total over this volunteer.s limit of 1 MiB' two.err
# Under the bound: a small compile still runs remotely.
printf 'int f (void) { return 1; }\n' > small.c
DISTCC_HOSTS="127.0.0.1:$PORT/1" DISTCC_LOG=$SCRATCH/small.log "$BIN/distcc" gcc -c small.c -o small.o 2> small.err
check "a small compile under --job-output-size 1 runs remotely" test "$(result_of "$SCRATCH/small.log")" = remote
finish
