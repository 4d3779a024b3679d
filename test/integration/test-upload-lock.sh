#!/usr/bin/env bash
# A build's first pump jobs reach a cold volunteer together, each lacking
# the same headers: one uploads them while the others wait for it (the
# store's upload lock, server/pump-job.c), and a waiting job is then asked
# only for what is still missing. A client that stalls with the lock
# delays the others by the lock's bound (DCC_PUMP_UPLOAD_LOCK_WAIT_MS,
# 5 s), never fails them. The volunteer runs with a stock installation's
# defaults (no --cache-dir, no --user).
source "$(dirname "$0")/lib.sh"

ATTACK=$TOP/test/integration/store-attack.py

start_distccd_stock || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts with default options on 127.0.0.1:$PORT"

# The holder has its NEED for 61 contents (60 headers and the source, all
# new); the follower, with the same files, connects, and once the daemon's
# log says that it waits for the lock the holder sends everything.
got=$(timeout 120 python3 "$ATTACK" shared-upload 127.0.0.1 "$PORT" "$DLOG" upload 60 2>&1)
check "a second job with the same 60 new headers, arriving while the first holds the upload lock, is asked for none of them ($got)" \
  grep -qE '^holder NEED 61 DONE 0 /w/a\.o; follower NEED 0 after' <<<"$got"
check "... and compiles" grep -qE 'follower NEED 0 after [0-9.]+ s DONE 0 /w/a\.o$' <<<"$got"
check "the daemon logged the follower's wait for the lock, and nothing missing after it" \
  grep -q "pump job: 61 files missing; took the upload lock after waiting, 0 missing then" "$DLOG"

# The holder takes the lock and sends nothing until the follower is done:
# the follower waits out the bound, is then asked for everything and
# compiles while the holder still holds the lock.
got=$(timeout 120 python3 "$ATTACK" shared-upload 127.0.0.1 "$PORT" "$DLOG" stall 60 2>&1)
wait_s=$(sed -nE 's/.*follower NEED [0-9]+ after ([0-9.]+) s.*/\1/p' <<<"$got")
check "a holder stalling with the lock: the follower is asked for all 61 contents and compiles ($got)" \
  grep -qE '^holder NEED 61 stalled; follower NEED 61 after [0-9.]+ s DONE 0 /w/a\.o$' <<<"$got"
check "... after waiting out the lock's 5 s bound (${wait_s:-none} s)" \
  awk -v w="${wait_s:--1}" 'BEGIN { exit !(w >= 4.9) }'
check "the daemon logged going on without the lock" \
  grep -q "went on without the upload lock after waiting, 61 missing then" "$DLOG"
check "daemon process still alive at the end" kill -0 "$DPID"
[ "$tap_failed" -eq 0 ] || grep "pump job" "$DLOG" | sed 's/^/# /'

finish
