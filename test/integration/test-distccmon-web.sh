#!/usr/bin/env bash
# distccmon-web, the client's own live view, loaded in a real browser
# (headless Chromium) while a compile is held running on a volunteer: the
# page lists the configured hosts with their slots busy and the one that is
# backed off, the running job, the recent results with the reasons they
# ran locally, and counts equal to what the clients logged. A file name with
# markup in it stays text. A screenshot is left in test/results/.
source "$(dirname "$0")/lib.sh"

need_chromium

held_compiler mygcc
mkdir -p "$SCRATCH/proj"
# --no-sandbox: the wrapper lives in a scratch directory, which the sandbox does not show.
DISTCC_CMDLIST=$SCRATCH/cmdlist start_distccd --no-sandbox || { not_ok "distccd starts"; finish; exit 1; }
DEAD=$(free_port)   # nothing listens there
# The page is read a minute or more after the down host failed when the
# machine is loaded: the default backoff (60 s) would have ended by then.
export DISTCC_BACKOFF_PERIOD=3600

cd "$SCRATCH/proj" || exit 1
LOGS=$SCRATCH/logs; mkdir -p "$LOGS"
n=0
run () { n=$((n + 1)); DISTCC_LOG=$LOGS/$n.log "$BIN/distcc" "$@" 2> /dev/null; }
printf 'int one (int x) { return x + 1; }\n' > one.c
printf 'int two (int x) { return x + 2; }\n' > two.c
printf 'int mark (void) { return 3; }\n' > 'm<i>x.c'
printf 'int main (void) { return 0; }\n' > main.c
DISTCC_HOSTS="127.0.0.1:$PORT/2" run mygcc -c one.c -o one.o
DISTCC_HOSTS="127.0.0.1:$PORT/2" run mygcc -c two.c -o two.o
DISTCC_HOSTS="127.0.0.1:$PORT/2" run mygcc -c 'm<i>x.c' -o mix.o
DISTCC_HOSTS="127.0.0.1:$PORT/2" run mygcc main.c one.o two.o -o prog          # a link: local
DISTCC_HOSTS="127.0.0.1:$DEAD/3" run mygcc -c -O2 one.c -o one-dead.o          # the volunteer is down
export DISTCC_HOSTS="127.0.0.1:$DEAD/3 127.0.0.1:$PORT/2"
check "setup: 3 compiles remote, the link and the down host's compile not (logged)" \
    test "$(cat "$LOGS"/*.log | grep -c 'result: remote')" = 3 -a "$(cat "$LOGS"/*.log | grep -c 'result: ')" = 5

printf 'int slow (int x) { return x * 3; }\n' > slow.c
DISTCC_LOG=$SCRATCH/slow.log "$BIN/distcc" mygcc -c slow.c -o slow.o &
SLOW=$!

WPORT=$(free_port)
"$BIN/distccmon-web" --port "$WPORT" > "$SCRATCH/web.out" 2>&1 &
WPID=$!; DAEMON_PIDS+=("$WPID")
check "distccmon-web listens on 127.0.0.1:$WPORT" wait_port "$WPORT" "$WPID"
check "it says where, and which DISTCC_DIR" wait_log "$SCRATCH/web.out" "http://127.0.0.1:$WPORT/ shows the jobs in $DISTCC_DIR"
get () { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' "http://127.0.0.1:$WPORT$1"; }
slow_running () { get /json | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if any(j["file"] == "slow.c" and j["phase"] == "Compile" for j in d["jobs"]) else 1)'; }
check "/json shows slow.c compiling" wait_until "slow.c in /json" slow_running
get /json > "$SCRATCH/view.json"
check "/json: hosts (the down one backed off, the other with 1 of 2 slots busy), counts and reasons as logged" \
    python3 - "$SCRATCH/view.json" "$DEAD" "$PORT" "$LOGS" <<'PY'
import glob, json, re, sys
d = json.load(open(sys.argv[1])); dead, port, logs = sys.argv[2:5]
def want(cond, what):
    if not cond:
        print("# /json check failed: " + what); print("# " + json.dumps(d)[:1500]); sys.exit(1)
h = {x["host"]: x for x in d["hosts"]}
down = h.get("127.0.0.1:%s/3" % dead, {})
want(down.get("backed_off") and down.get("busy") == 0, "down host %r" % h)
up = h.get("127.0.0.1:%s/2" % port, {})
want(up.get("limit") == 2 and up.get("busy") == 1 and not up.get("backed_off") and up.get("compiles") == 3, "up host %r" % up)
kinds = {}
for f in glob.glob(logs + "/*.log"):
    for m in re.finditer(r"result: ([a-z-]+)", open(f).read()):
        kinds[m.group(1)] = kinds.get(m.group(1), 0) + 1
want(d["counts"] == kinds, "counts %r, logged %r" % (d["counts"], kinds))
want(d["records"] == 5, "records %r" % d["records"])
reasons = " | ".join(r["reason"] for r in d["reasons"])
want("not a compile" in reasons and len(d["reasons"]) == 2, "reasons %r" % reasons)
want(d["recent"][0]["file"] == "one.c" and d["recent"][0]["kind"] != "remote" and d["recent"][0]["reason"], "recent %r" % d["recent"][:2])
print("# hosts %s; counts %r; reasons: %s" % ([(x["host"], x["busy"], x["backed_off"]) for x in d["hosts"]], d["counts"], reasons))
PY

mkdir -p "$TOP/test/results"
shot=$TOP/test/results/distccmon-web.png
chrome "http://127.0.0.1:$WPORT/" --dump-dom > "$SCRATCH/dom.html"
check "Chromium loads the page and runs its script" grep -q 'data-polls="[1-9]' "$SCRATCH/dom.html"
check "the DOM matches /json: hosts, the running job, counts, reasons, recent; markup in a file name stays text" \
    python3 - "$SCRATCH/dom.html" "$SCRATCH/view.json" "$DEAD" "$TOP/test/integration" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[-1])
from dom import Dom

d = Dom(); d.feed(open(sys.argv[1]).read())
v = json.load(open(sys.argv[2])); dead = sys.argv[3]
def want(cond, what):
    if not cond:
        print("# DOM check failed: " + what); sys.exit(1)
hosts = d.rows.get("hosts", [])
want([r[0] for r in hosts] == [x["host"] for x in v["hosts"]], "hosts %r" % hosts)
want(any(r[0] == "127.0.0.1:%s/3" % dead and r[3] == "backed off" for r in hosts), "backed off row %r" % hosts)
want(any(r[2] == "1" for r in hosts), "a host with 1 busy %r" % hosts)
run = d.rows.get("running", [])
want(len(run) == 1 and run[0][0] == "slow.c" and run[0][1] == "127.0.0.1" and run[0][3] == "Compile", "running %r" % run)
for k in ("remote", "local", "fallback"):
    want(d.text.get("n-" + k) == str(v["counts"].get(k, 0)), "%s %r vs %r" % (k, d.text.get("n-" + k), v["counts"]))
rec = d.rows.get("recent", [])
want(len(rec) == 5 and "m<i>x.c" in [r[0] for r in rec], "recent %r" % rec)
want("i" not in d.tags_in_rows, "a file name became markup: tags %r" % d.tags_in_rows)
want(any("not a compile" in r[1] for r in d.rows.get("reasons", [])), "reasons %r" % d.rows.get("reasons"))
print("# DOM: hosts %r; running %r" % ([(r[0], r[2], r[3]) for r in hosts], run[0][:4]))
PY
rm -f "$shot"
chrome "http://127.0.0.1:$WPORT/" --screenshot="$shot" > /dev/null
check "a screenshot of the page is taken ($shot)" test -s "$shot"

# A hostile request: long, no newline; the monitor keeps serving.
python3 -c "
import socket; s = socket.create_connection(('127.0.0.1', $WPORT)); s.sendall(b'G' * 100000)
try:
    s.recv(100)
except Exception: pass" 2>/dev/null
serves_json () { get /json | grep -q '"hosts"'; }
check "after a 100 kB request without a newline: still serves /json" serves_json

touch "$SCRATCH/release"
wait "$SLOW"
check "the held compile completes remotely once released" test "$(result_of "$SCRATCH/slow.log")" = remote
"$BIN/distccmon-web" --bogus > /dev/null 2> "$SCRATCH/bogus.err"; rc=$?
check "unknown option: exit 1 (got $rc), names it" sh -c "[ $rc = 1 ] && grep -q \"unknown option '--bogus'\" '$SCRATCH/bogus.err'"
"$BIN/distccmon-web" --port "$WPORT" > /dev/null 2> "$SCRATCH/busy.err"; rc=$?
check "port in use: exit 1 (got $rc), says why" sh -c "[ $rc = 1 ] && grep -q 'cannot listen on 127.0.0.1 port $WPORT: Address already in use' '$SCRATCH/busy.err'"
finish
