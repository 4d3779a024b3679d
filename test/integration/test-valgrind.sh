#!/usr/bin/env bash
# distccd under valgrind: plain and pump compiles, a refused request and
# garbage, with every forked child traced. No invalid access, no use of
# uninitialised memory, no definite leak.
source "$(dirname "$0")/lib.sh"
if ! command -v valgrind >/dev/null; then skip "valgrind not installed"; finish; exit 0; fi
# An AddressSanitizer build cannot run under valgrind (CI checks it separately).
if ldd "$BIN/distccd" | grep -q libasan || nm "$BIN/distccd" 2>/dev/null | grep -q __asan_init; then
  skip "distccd is built with sanitizers"; finish; exit 0
fi

PORT=$(free_port)
vlog=$SCRATCH/valgrind.%p.log
valgrind --quiet --trace-children=no --child-silent-after-fork=no --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite --log-file="$vlog" \
    "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 \
    --log-file "$SCRATCH/d.log" --cache-dir "$SCRATCH/cache" --user root --jobs 2 &
VPID=$!
DAEMON_PIDS+=("$VPID")
WAIT_SECONDS=120 wait_port "$PORT" "$VPID" || not_ok "distccd under valgrind listens"

mkdir -p "$SCRATCH/p/inc" && cd "$SCRATCH/p"
printf '#include <stdio.h>\n#include "h.h"\nint main (void) { printf ("%%d\\n", H); return 0; }\n' > a.c
echo '#define H 7' > inc/h.h
export DISTCC_IO_TIMEOUT=120
DISTCC_HOSTS="127.0.0.1:$PORT/2" DISTCC_LOG=$SCRATCH/c.log "$BIN/distcc" gcc -c -g -Iinc a.c -o plain.o
check "plain compile under valgrind ran remotely" grep -q 'result: remote.*mode=plain' "$SCRATCH/c.log"
export DISTCC_HOSTS="127.0.0.1:$PORT/2,cpp"
eval "$("$BIN/pump" --startup)"
DISTCC_LOG=$SCRATCH/c.log "$BIN/distcc" gcc -c -g -Iinc a.c -o pump.o
DISTCC_LOG=$SCRATCH/c.log "$BIN/distcc" gcc -c -g -Iinc a.c -o pump2.o
check "pump compiles under valgrind ran remotely" test "$(grep -c 'mode=pump' "$SCRATCH/c.log")" = 2
"$BIN/pump" --shutdown
python3 "$TOP/test/integration/wire.py" request 127.0.0.1 "$PORT" sh > /dev/null
python3 "$TOP/test/integration/wire.py" garbage 127.0.0.1 "$PORT" > /dev/null
python3 "$TOP/test/integration/wire.py" huge 127.0.0.1 "$PORT" > /dev/null
kill "$VPID"; wait "$VPID" 2>/dev/null
# Only distccd and its forked children are traced (compilers are exec'd
# without valgrind), one log per process.
errs=0
for f in "$SCRATCH"/valgrind.*.log; do
  if grep -qE 'Invalid (read|write|free)|uninitialised|definitely lost|Mismatched' "$f"; then
    errs=$((errs + 1)); sed 's/^/# /' "$f" | head -40
  fi
done
check "valgrind: no memory errors or definite leaks in distccd" test "$errs" = 0
finish
