#!/usr/bin/env bash
# distccd --stats shows a peer only its own jobs: two clients inside
# --allow, 127.0.0.1 and 127.0.0.2 (a loopback alias; the second's
# requests come from a socket bound to it). While 127.0.0.1's slow.c is
# compiling and after its one.c ended, 127.0.0.2 reads /jobs, /json and
# stock's page: no job, no file name, no client address of 127.0.0.1's,
# and no process name of the volunteer's (dcc_max_RSS_name); 127.0.0.1
# still sees its own running and recent jobs and its longest job. Totals
# (counters, load, free space) are the same for both. Then the same for a
# finished job on a volunteer started with a distribution's defaults.
source "$(dirname "$0")/lib.sh"

held_compiler mygcc
mkdir -p "$SCRATCH/proj"
SPORT=$(free_port)
DISTCC_CMDLIST=$SCRATCH/cmdlist start_distccd --no-sandbox --allow 127.0.0.2 --stats --stats-port "$SPORT" \
  || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd --stats starts, allowing 127.0.0.1 and 127.0.0.2"
wait_port "$SPORT"
# get FROM PATH: the body of GET PATH sent from the address FROM.
get () { python3 - "$1" "$SPORT" "$2" <<'PY'
import socket, sys
s = socket.socket(); s.bind((sys.argv[1], 0)); s.settimeout(10)
s.connect(("127.0.0.1", int(sys.argv[2])))
s.sendall(("GET %s HTTP/1.0\r\nHost: x\r\n\r\n" % sys.argv[3]).encode())
out = b""
while True:
    b = s.recv(65536)
    if not b: break
    out += b
sys.stdout.write(out.decode("utf-8", "replace").split("\r\n\r\n", 1)[-1].split("\n\n", 1)[-1])
PY
}

cd "$SCRATCH/proj"
export DISTCC_HOSTS="127.0.0.1:$PORT/2"
printf 'int one (int x) { return x + 1; }\n' > one.c
DISTCC_LOG=$SCRATCH/one.log "$BIN/distcc" mygcc -c one.c -o one.o
check "one.c compiled remotely" test "$(result_of "$SCRATCH/one.log")" = remote
# A job moves to the recent list when its worker is done with it, after
# the reply reached the client.
recent_is () { get 127.0.0.1 /jobs | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if not d["jobs"] and [x["file"] for x in d["recent"]] == sys.argv[1:] else 1)' "$@"; }
wait_until "one.c among the recent jobs" recent_is one.c
printf 'int slow (int x) { return x * 3; }\n' > slow.c
DISTCC_LOG=$SCRATCH/slow.log "$BIN/distcc" mygcc -c slow.c -o slow.o &
SLOW=$!
slow_compiling () { get 127.0.0.1 /jobs | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if any(j["file"].endswith("slow.c") and j["phase"] == "compile" for j in d["jobs"]) else 1)'; }
check "127.0.0.1 sees its slow.c compiling in /jobs" wait_until "slow.c in /jobs" slow_compiling

for p in /jobs /json /; do
  get 127.0.0.1 "$p" > "$SCRATCH/own${p//\//_}.txt"
  get 127.0.0.2 "$p" > "$SCRATCH/other${p//\//_}.txt"
done
sed 's/^/# 127.0.0.2 \/jobs: /' "$SCRATCH/other_jobs.txt"
check "127.0.0.1's /jobs: its running slow.c and its recent one.c, with its address" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [j["file"] for j in d["jobs"]] == ["slow.c"], d
assert [j["file"] for j in d["recent"]] == ["one.c"], d
assert all(j["client"].startswith("127.0.0.1:") for j in d["jobs"] + d["recent"]), d' "$SCRATCH/own_jobs.txt"
check "127.0.0.2's /jobs: no running job and no recent job of 127.0.0.1's" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["jobs"] == [] and d["recent"] == [], d' "$SCRATCH/other_jobs.txt"
check "nothing 127.0.0.2 reads names 127.0.0.1's files or address" \
  sh -c "! grep -E 'one\\.c|slow\\.c|127\\.0\\.0\\.1' '$SCRATCH/other_jobs.txt' '$SCRATCH/other_json.txt' '$SCRATCH/other_.txt'"
val () { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1"; }
check "127.0.0.1's page: dcc_longest_job one.c (got '$(val "$SCRATCH/own_.txt" dcc_longest_job)')" \
  test "$(val "$SCRATCH/own_.txt" dcc_longest_job)" = one.c
check "127.0.0.2's page: dcc_longest_job empty, time 0 (got '$(val "$SCRATCH/other_.txt" dcc_longest_job)', '$(val "$SCRATCH/other_.txt" dcc_longest_job_time_msecs)')" \
  sh -c "[ -z '$(val "$SCRATCH/other_.txt" dcc_longest_job)' ] && [ '$(val "$SCRATCH/other_.txt" dcc_longest_job_time_msecs)' = 0 ]"
check "dcc_max_RSS_name names no process of the volunteer's, for either peer" \
  sh -c "[ -z '$(val "$SCRATCH/other_.txt" dcc_max_RSS_name)' ] && [ -z '$(val "$SCRATCH/own_.txt" dcc_max_RSS_name)' ]"
check "totals are the same for both: dcc_compile_ok, dcc_max_kids" \
  sh -c "[ '$(val "$SCRATCH/own_.txt" dcc_compile_ok)' = '$(val "$SCRATCH/other_.txt" dcc_compile_ok)' ] && [ '$(val "$SCRATCH/own_.txt" dcc_max_kids)' = '$(val "$SCRATCH/other_.txt" dcc_max_kids)' ]"
check "/json: 127.0.0.2's longest_job and max_RSS_name empty, compile_ok as 127.0.0.1's" python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["longest_job"] == "one.c" and b["longest_job"] == "" and b["longest_job_compiler"] == "", (a, b)
assert b["longest_job_time_msecs"] == 0 and b["max_RSS_name"] == "" and a["compile_ok"] == b["compile_ok"] == 1, (a, b)' \
  "$SCRATCH/own_json.txt" "$SCRATCH/other_json.txt"
touch "$SCRATCH/release"
wait "$SLOW"
check "slow.c compiled remotely once released" test "$(result_of "$SCRATCH/slow.log")" = remote

# The same as a distribution starts the volunteer (root, no --user, no
# --cache-dir, sandboxed: start_distccd_stock), where a held compiler in
# this scratch directory cannot run: a finished job is in its own client's
# recent list and on its page, in nobody else's.
SPORT=$(free_port)
start_distccd_stock --allow 127.0.0.2 --stats --stats-port "$SPORT" \
  || { not_ok "distccd --stats starts with a distribution's defaults"; finish; exit 1; }
wait_port "$SPORT"
printf 'int two (int x) { return x + 2; }\n' > two.c
DISTCC_HOSTS="127.0.0.1:$PORT/2" DISTCC_LOG=$SCRATCH/two.log "$BIN/distcc" gcc -c two.c -o two.o
check "defaults: two.c compiled remotely" test "$(result_of "$SCRATCH/two.log")" = remote
wait_until "two.c among the recent jobs" recent_is two.c
for p in /jobs /json /; do
  get 127.0.0.1 "$p" > "$SCRATCH/own2${p//\//_}.txt"
  get 127.0.0.2 "$p" > "$SCRATCH/other2${p//\//_}.txt"
done
check "defaults: 127.0.0.1's /jobs lists its recent two.c" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [j["file"] for j in d["recent"]] == ["two.c"], d' "$SCRATCH/own2_jobs.txt"
check "defaults: 127.0.0.1's page: dcc_longest_job two.c" test "$(val "$SCRATCH/own2_.txt" dcc_longest_job)" = two.c
check "defaults: nothing 127.0.0.2 reads names two.c or 127.0.0.1" \
  sh -c "! grep -E 'two\\.c|127\\.0\\.0\\.1' '$SCRATCH/other2_jobs.txt' '$SCRATCH/other2_json.txt' '$SCRATCH/other2_.txt'"
finish
