#!/usr/bin/env bash
# One address cannot take every worker. A pump client that never sends the
# BLOBs it was asked for (or a client that never reads its reply) holds a
# worker until --io-timeout; 20 such requests from 127.0.0.2 took all 20
# workers of --jobs 1 (4 x jobs + 16), and every other client's request
# waited for them. Now one address is served by at most half the workers:
# an innocent request from 127.0.0.3 is compiled at once, and the held
# address's other requests get their workers as its first ones end.
source "$(dirname "$0")/lib.sh"
N=20
start_distccd --allow 127.0.0.0/8 --jobs 1 --io-timeout 120 --request-timeout 240 \
  || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts (--jobs 1: 20 workers; --io-timeout 120)"

timeout 300 python3 "$TOP/test/integration/worker-share.py" "$PORT" "$N" "$DLOG" > "$SCRATCH/share.out" 2>&1
sed 's/^/# /' "$SCRATCH/share.out"
need=$(sed -n 's/^HOSTILE-NEED \([0-9]*\)$/\1/p' "$SCRATCH/share.out")
check "20 held requests from 127.0.0.2 got at most 10 workers (${need:-?} NEEDs)" \
    test -n "$need" -a "${need:-99}" -le 10 -a "${need:-0}" -ge 1
check "an innocent request from 127.0.0.3 is compiled meanwhile (before: it waited for --io-timeout)" \
    grep -q '^INNOCENT DONE 0 /w/a.o ' "$SCRATCH/share.out"
check "the log says why the held address's other requests wait" \
    grep -q 'waits: 10 workers serve 127.0.0.2 already (at most 10 of the 20)' "$DLOG"
check "the held address is not starved: all its $N requests got a worker in turn" \
    grep -q "^HOSTILE-NEED-LATER $N\$" "$SCRATCH/share.out"
check "the daemon serves on" kill -0 "$DPID"
finish
