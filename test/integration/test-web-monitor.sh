#!/usr/bin/env bash
# The live web monitor (distccd --stats: GET /monitor, polling /json and
# /jobs), loaded in a real browser (headless Chromium) while a compile is
# running on the volunteer: the DOM must list the host, the running job
# (file, client, phase) and the recent results, with counts equal to
# /json's. The running compile is held by a wrapper compiler on the
# volunteer that waits for a file to appear, so the test never depends on
# how long a compile takes. A screenshot is left in test/results/.
source "$(dirname "$0")/lib.sh"

need_chromium

held_compiler mygcc
mkdir -p "$SCRATCH/proj"

SPORT=$(free_port)
# --no-sandbox: the wrapper lives in a scratch directory, which the sandbox does not show.
DISTCC_CMDLIST=$SCRATCH/cmdlist start_distccd --no-sandbox --stats --stats-port "$SPORT" \
  || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts with --stats on $SPORT"
wait_port "$SPORT"
get () { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' "http://127.0.0.1:$SPORT$1"; }

cd "$SCRATCH/proj"
export DISTCC_HOSTS="127.0.0.1:$PORT/2"
for f in one two; do
  printf 'int %s (int x) { return x + 1; }\n' "$f" > "$f.c"
  DISTCC_LOG=$SCRATCH/$f.log "$BIN/distcc" mygcc -c "$f.c" -o "$f.o"
  check "$f.c compiled remotely" test "$(result_of "$SCRATCH/$f.log")" = remote
done
# A job moves to the recent list when its worker is done with it, after
# the reply reached the client.
recent_is () { get /jobs | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if not d["jobs"] and [x["file"] for x in d["recent"]] == sys.argv[1:] else 1)' "$@"; }
wait_until "one.c and two.c among the recent jobs" recent_is two.c one.c

printf 'int slow (int x) { return x * 3; }\n' > slow.c
DISTCC_LOG=$SCRATCH/slow.log "$BIN/distcc" mygcc -c slow.c -o slow.o &
SLOW=$!
slow_compiling () { get /jobs | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if any(j["file"].endswith("slow.c") and j["phase"] == "compile" for j in d["jobs"]) else 1)'; }
check "/jobs shows slow.c compiling" wait_until "slow.c in /jobs" slow_compiling
get /jobs > "$SCRATCH/jobs.json"; get /json > "$SCRATCH/stats.json"
check "/jobs is JSON with the recent results, newest first" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = d["recent"]
assert [x["file"] for x in r] == ["two.c", "one.c"], r
assert all(x["result"] == "ok" and x["status"] == 0 and x["mode"] == "plain" for x in r), r
assert d["jobs"][0]["client"].startswith("127.0.0.1"), d["jobs"]' "$SCRATCH/jobs.json"

mkdir -p "$TOP/test/results"
shot=$TOP/test/results/web-monitor.png
chrome "http://127.0.0.1:$SPORT/monitor" --dump-dom > "$SCRATCH/dom.html"
check "Chromium loads /monitor and runs its script" grep -q 'data-polls="[1-9]' "$SCRATCH/dom.html"
check "the DOM matches /json and /jobs: host, running job, recent results, counts" python3 - "$SCRATCH/dom.html" "$SCRATCH/stats.json" "$(hostname)" "$TOP/test/integration" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[-1])
from dom import Dom

d = Dom(); d.feed(open(sys.argv[1]).read())
stats = json.load(open(sys.argv[2]))
def want(cond, what):
    if not cond:
        print("# DOM check failed: " + what); sys.exit(1)
want(d.text.get("host") == sys.argv[3], "host %r, not %r" % (d.text.get("host"), sys.argv[3]))
want(d.text.get("compile-ok") == str(stats["compile_ok"]) == "2", "compiled %r, /json %r" % (d.text.get("compile-ok"), stats["compile_ok"]))
want(d.text.get("max") == str(stats["max_kids"]), "slots %r, /json max_kids %r" % (d.text.get("max"), stats["max_kids"]))
want(d.text.get("busy") == "1" and d.text.get("running-count") == "1", "busy %r" % d.text.get("busy"))
run = d.rows.get("running", [])
want(len(run) == 1 and run[0][0].endswith("slow.c") and run[0][1].startswith("127.0.0.1")
     and run[0][2] == "mygcc" and run[0][4].startswith("compile "), "running rows %r" % run)
rec = d.rows.get("recent", [])
want([r[0] for r in rec] == ["two.c", "one.c"] and all(r[2] == "ok" for r in rec), "recent rows %r" % rec)
mib = lambda v: "%.1f MiB" % (v / 1048576)
want(stats["store_max_bytes"] > 0 and d.text.get("store") == mib(stats["store_bytes"]) + " of " + mib(stats["store_max_bytes"]),
     "store %r, /json %r of %r" % (d.text.get("store"), stats["store_bytes"], stats["store_max_bytes"]))
answered = stats["result_cache_hit"] + stats["compile_ok"] + stats["compile_error"]
want(d.text.get("hit-rate") == "%d of %d (%d%%)" % (stats["result_cache_hit"], answered, round(100 * stats["result_cache_hit"] / answered)),
     "hit rate %r, /json %r hits of %r" % (d.text.get("hit-rate"), stats["result_cache_hit"], answered))
print("# DOM: store %s, result cache hits %s" % (d.text["store"], d.text["hit-rate"]))
print("# DOM: host %s, running %r, recent %r" % (d.text["host"], run[0], [r[0] for r in rec]))
PY
rm -f "$shot"
chrome "http://127.0.0.1:$SPORT/monitor" --screenshot="$shot" > /dev/null
check "a screenshot of the page is taken ($shot)" test -s "$shot"

touch "$SCRATCH/release"
wait "$SLOW"
check "the held compile completes remotely once released" test "$(result_of "$SCRATCH/slow.log")" = remote
slow_done () { get /jobs | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if not d["jobs"] and d["recent"][0]["file"].endswith("slow.c") else 1)'; }
check "/jobs: nothing running, slow.c first among the recent" wait_until "slow.c among the recent" slow_done
finish
