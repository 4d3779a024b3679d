#!/usr/bin/env bash
# The client as a stock user's setup drives it: a host list with entries
# this distcc cannot use (each skipped with one warning, the rest kept),
# the hosts files (/etc/distcc/hosts as installed; pump agrees with distcc),
# --show-hosts that reads back, DISTCC_SAVE_TEMPS, UNCACHED_ERR_FD (ccache),
# --scan-includes; and distccd's DISTCC_CMDLIST_NUMWORDS and DISTCCD_PATH.
source "$(dirname "$0")/lib.sh"

proj=$SCRATCH/proj; mkdir -p "$proj/include"
printf '#pragma once\n#define TWICE(x) ((x) * 2)\n' > "$proj/include/util.h"
printf '#include "util.h"\nint f (int x) { int unused; return TWICE (x); }\n' > "$proj/a.c"
cd "$proj" || exit 1
gcc -c -O2 -Iinclude a.c -o local.o 2>/dev/null

start_distccd || { not_ok "distccd starts"; finish; exit 1; }
P=$PORT

# 1. Entries it cannot use are skipped, one warning each; the rest serve.
#    (ssh entries are used: test-ssh.sh.)
bad='@buildbox/4,auth m!e@sshhost 10.0.0.9,auth 127.0.0.1:99999 host:12/bad badhost,zzz'
# (DISTCC_SSH and DISTCC_PRINCIPAL are set as a stock user's may be: no effect.)
DISTCC_SSH=ssh DISTCC_PRINCIPAL=distccd@EXAMPLE DISTCC_HOSTS="127.0.0.1:$P/2 $bad" DISTCC_LOG= "$BIN/distcc" gcc -c -O2 -Iinclude a.c -o skip.o 2> skip.err
rc=$?
DISTCC_HOSTS="127.0.0.1:$P/2 $bad" DISTCC_LOG="$SCRATCH/skip.log" "$BIN/distcc" gcc -c -O2 -Iinclude a.c -o skip.o 2>/dev/null
check "bad entries: compile succeeds (rc $rc)" test $rc = 0
check "bad entries: the good host is still used (remote)" test "$(result_of "$SCRATCH/skip.log")" = remote
check "bad entries: object identical to local" cmp -s skip.o local.o
check "bad entries: one warning per bad entry (6, got $(grep -c 'skipping it' skip.err))" test "$(grep -c 'skipping it' skip.err)" = 6
check "bad entries: each warning names its entry" sh -c 'for e in @buildbox/4,auth m!e@sshhost 10.0.0.9,auth 127.0.0.1:99999 host:12/bad badhost,zzz; do grep -qF "\"$e\"" skip.err || exit 1; done'
check "bad entries: no 'compiling locally' for the whole list" sh -c "! grep -q 'compiling locally' skip.err"
sed 's/^/# /' skip.err | head -3
# Once per build, not once per compile: a make of 3 files in a process
# group of its own says each bad entry once (it said each 3 times).
mkdir -p "$SCRATCH/bld" && cp a.c "$SCRATCH/bld/b1.c" && cp a.c "$SCRATCH/bld/b2.c" && cp a.c "$SCRATCH/bld/b3.c"
printf 'all: b1.o b2.o b3.o\n%%.o: %%.c\n\t$(CC) -O2 -I%s/include -c $< -o $@\n' "$proj" > "$SCRATCH/bld/Makefile"
(cd "$SCRATCH/bld" && DISTCC_HOSTS="127.0.0.1:$P/2 $bad" setsid make -s -j3 CC="$BIN/distcc gcc" 2> make.err)
check "bad entries in a make of 3 files: each said once (6 lines, got $(grep -c 'skipping it' "$SCRATCH/bld/make.err"))" \
  test "$(grep -c 'skipping it' "$SCRATCH/bld/make.err")" = 6
# +zeroconf where no volunteer is published (or no avahi-daemon runs, as
# here unless the machine has one): one warning naming it, the rest used.
DISTCC_HOSTS="127.0.0.1:$P/2 +zeroconf" DISTCC_LOG= "$BIN/distcc" gcc -c -O2 -Iinclude a.c -o zc.o 2> zc.err
check "+zeroconf with nothing found: one warning naming it (got: $(head -c 200 zc.err))" \
    test "$(grep -c . zc.err)" = 1 -a "$(grep -c '"+zeroconf".*using the other hosts' zc.err)" = 1
check "+zeroconf with nothing found: object identical" cmp -s zc.o local.o

# 2. --show-hosts reads back (IPv6 in brackets).
list="127.0.0.1:$P/2,lzo [::1]:3999/3,cpp,lzo localhost/5 buildbox/6"
DISTCC_HOSTS="$list" "$BIN/distcc" --show-hosts > shown1
DISTCC_HOSTS="$(cat shown1)" "$BIN/distcc" --show-hosts > shown2 2> shown2.err
check "--show-hosts: IPv6 host in brackets" grep -qx '\[::1\]:3999/3,cpp,lzo' shown1
check "--show-hosts: its output parses back to the same list" cmp -s shown1 shown2
check "--show-hosts: no warning reading it back" test ! -s shown2.err
# Messages name an IPv6 host as the host list writes it, in brackets.
V6=$(free_port)
DISTCC_DIR=$SCRATCH/v6-dir DISTCC_HOSTS="[::1]:$V6/2" "$BIN/distcc" gcc -c -O2 -Iinclude a.c -o v6.o 2> v6.err
check "an IPv6 host in messages: [::1]:$V6 (got: $(head -c 160 v6.err))" grep -qF "to [::1]:$V6 (" v6.err

# 3. The hosts files: DISTCC_DIR/hosts, then SYSCONFDIR/distcc/hosts (/etc).
sysconf=$(sed -n 's/^SYSCONFDIR = //p' "$TOP/config.mak")
check "configure's default sysconfdir is /etc (got $sysconf)" test "$sysconf" = /etc
emptyhome=$SCRATCH/home; mkdir -p "$emptyhome"
if [ -r /etc/distcc/hosts ]; then
  expect=$(sed 's/#.*//' /etc/distcc/hosts | tr -s ' \t\n' '\n' | sed '/^$/d' | head -1)
  got=$(env -u DISTCC_HOSTS HOME=$emptyhome DISTCC_DIR=$SCRATCH/nodir "$BIN/distcc" --show-hosts | head -1)
  check "no DISTCC_HOSTS, no ~/.distcc/hosts: /etc/distcc/hosts is read ($expect -> $got)" test -n "$got" -a "${got%%[:/]*}" = "${expect%%[:/,]*}"
else
  skip "no /etc/distcc/hosts on this machine"
fi
mkdir -p "$SCRATCH/hd"; echo "127.0.0.1:$P/2,cpp,lzo   # pump host" > "$SCRATCH/hd/hosts"
check "DISTCC_DIR/hosts is read" sh -c "env -u DISTCC_HOSTS DISTCC_DIR=$SCRATCH/hd '$BIN/distcc' --show-hosts | grep -qx '127.0.0.1:$P/2,cpp,lzo'"
# pump reads the same list as distcc: a ,cpp host only in the hosts file.
(export DISTCC_DIR=$SCRATCH/hd; unset DISTCC_HOSTS
 DISTCC_LOG="$SCRATCH/hf.log" "$BIN/pump" "$BIN/distcc" gcc -c -O2 -Iinclude a.c -o hf.o) > hf.out 2>&1
check "pump with the hosts file's ,cpp host: compile remote in pump mode" grep -q 'result: remote .*mode=pump' "$SCRATCH/hf.log"
(export DISTCC_DIR=$SCRATCH/hd DISTCC_HOSTS="127.0.0.1:$P/2 10.0.0.9,auth,cpp"; "$BIN/pump" true) > nocpp.out 2>&1
check "pump: a ,cpp entry distcc skips does not count (pump refuses, naming ,cpp)" grep -q ',cpp' nocpp.out

# 4. DISTCC_SAVE_TEMPS=1: the client keeps the text it sent.
rm -f "$SCRATCH/st.log"
DISTCC_SAVE_TEMPS=1 DISTCC_VERBOSE=1 DISTCC_HOSTS="127.0.0.1:$P/2" DISTCC_LOG="$SCRATCH/st.log" "$BIN/distcc" gcc -c -O2 -Iinclude a.c -o st.o 2>/dev/null
kept=$(sed -n 's/.*DISTCC_SAVE_TEMPS: kept the preprocessed source of a.c in //p' "$SCRATCH/st.log")
check "DISTCC_SAVE_TEMPS=1: client names the kept file ($kept)" test -n "$kept"
check "DISTCC_SAVE_TEMPS=1: the kept file holds the source" grep -q 'int f (int x)' "${kept:-/nonexistent}"

# 5. UNCACHED_ERR_FD: distcc's own messages there, the compiler's on stderr.
DISTCC_DIR=$SCRATCH/errfd-dir DISTCC_HOSTS="127.0.0.1:$P/2 badhost,zzz" UNCACHED_ERR_FD=5 "$BIN/distcc" gcc -Wall -c -O2 -Iinclude a.c -o u.o 2> u.err 5> u.fd5
check "UNCACHED_ERR_FD: distcc's warning goes to that fd" grep -q 'skipping it' u.fd5
check "UNCACHED_ERR_FD: not to stderr" sh -c "! grep -q 'skipping it' u.err"
check "UNCACHED_ERR_FD: the compiler's own warning stays on stderr" grep -q 'unused' u.err

# 6. --scan-includes: the files pump mode would send.
DISTCC_HOSTS="127.0.0.1:$P/2,cpp" "$BIN/pump" "$BIN/distcc" --scan-includes gcc -c -O2 -Iinclude a.c > scan.out 2> scan.err
rc=$?
check "--scan-includes under pump: exit 0 (got $rc)" test $rc = 0
check "--scan-includes: lists the header as FILE" grep -qE "^FILE +$proj/include/util.h$" scan.out
check "--scan-includes: lists the source" grep -qE "^FILE +$proj/a.c$" scan.out
DISTCC_HOSTS="127.0.0.1:$P/2,cpp" "$BIN/distcc" --scan-includes gcc -c -O2 -Iinclude a.c > scan2.out 2> scan2.err
rc=$?
check "--scan-includes without pump: fails and says why (rc $rc)" sh -c "test $rc != 0 && grep -q 'pump' scan2.err"

# 7. DISTCC_CMDLIST with DISTCC_CMDLIST_NUMWORDS (stock matching by the last
#    words of a listed path), and DISTCCD_PATH.
mkdir -p "$SCRATCH/cli/bin" "$SCRATCH/srv/bin"
ln -s "$(readlink -f /usr/bin/gcc)" "$SCRATCH/cli/bin/mygcc"
ln -s "$(readlink -f /usr/bin/gcc)" "$SCRATCH/srv/bin/mygcc"
echo "$SCRATCH/srv/bin/mygcc" > "$SCRATCH/cmdlist"
mygcc_result () { # PORT: result word of a "mygcc" compile
  rm -f "$SCRATCH/my.log"
  PATH=$SCRATCH/cli/bin:$PATH DISTCC_HOSTS="127.0.0.1:$1/2" DISTCC_LOG="$SCRATCH/my.log" \
    "$BIN/distcc" mygcc -c -O2 -Iinclude a.c -o my.o 2>/dev/null
  result_of "$SCRATCH/my.log"
}
check "mygcc, not in the masquerade dir nor DISTCC_CMDLIST: local" test "$(mygcc_result "$P")" = local
DISTCC_CMDLIST=$SCRATCH/cmdlist start_distccd --no-sandbox   # mygcc is a link in a scratch dir, which the sandbox does not show
check "DISTCC_CMDLIST /path/mygcc (NUMWORDS 1 by default): 'mygcc' runs remotely" test "$(mygcc_result "$PORT")" = remote
check "DISTCC_CMDLIST: object identical" cmp -s my.o local.o
DISTCC_CMDLIST=$SCRATCH/cmdlist DISTCC_CMDLIST_NUMWORDS=2 start_distccd
check "DISTCC_CMDLIST_NUMWORDS=2: 'mygcc' (one word) no longer matches: local" test "$(mygcc_result "$PORT")" = local
mkdir -p "$SCRATCH/otherbin"
# a gcc with other defaults (compiler identity is by output), under both
# names the client may send (gcc is sent target-qualified)
printf '#!/bin/sh\nexec /usr/bin/gcc -funsigned-char "$@"\n' > "$SCRATCH/otherbin/gcc"; chmod +x "$SCRATCH/otherbin/gcc"
ln -s gcc "$SCRATCH/otherbin/x86_64-linux-gnu-gcc"
DISTCCD_PATH=$SCRATCH/otherbin:/usr/bin:/bin start_distccd
rm -f "$SCRATCH/dp.log"
DISTCC_HOSTS="127.0.0.1:$PORT/2" DISTCC_LOG="$SCRATCH/dp.log" "$BIN/distcc" gcc -c -O2 -Iinclude a.c -o dp.o 2>/dev/null
check "DISTCCD_PATH: the volunteer uses that PATH (its gcc differs: compiled locally)" grep -q 'compiler differs' "$SCRATCH/dp.log"

# 7b. A port where a web server answers: it closes on our protocol's
# request and answers the stock protocol's with HTTP. The compile runs
# here, and the message says what answered (it said "stock protocol:
# parameter is not 8 hex digits").
WEB=$(free_port)
python3 - "$WEB" "$SCRATCH/web.ready" <<'PY' &
import socket, sys
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1]))); srv.listen(8)
open(sys.argv[2], "w").close()
while True:
    c, _ = srv.accept()
    try:
        first = c.recv(4)
        if first == b"DIST":
            c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        pass
    c.close()
PY
DAEMON_PIDS+=($!)
wait_until "the web server" test -e "$SCRATCH/web.ready"
DISTCC_DIR=$SCRATCH/web-dir DISTCC_HOSTS="127.0.0.1:$WEB/2" "$BIN/distcc" gcc -c -O2 -Iinclude a.c -o web.o 2> web.err
rc=$?
sed 's/^/# web: /' web.err | head -3
check "a web server's port: the compile succeeds here (rc $rc)" test "$rc" = 0 -a -s web.o
check "a web server's port: object identical" cmp -s web.o local.o
check "a web server's port: the message says what answered" \
  grep -q "127.0.0.1:$WEB (stock protocol 1: not a distcc in this protocol either: it answered \"HTTP/1.1 400\")" web.err

# 8. distccd's DISTCC_SAVE_TEMPS=1 keeps the job directory.
DISTCC_SAVE_TEMPS=1 start_distccd
DISTCC_HOSTS="127.0.0.1:$PORT/2" "$BIN/distcc" gcc -c -O2 -Iinclude a.c -o sd.o 2>/dev/null
# The job is freed (and the line logged) after its reply reaches the client.
wait_log "$DLOG" "DISTCC_SAVE_TEMPS: kept"
jobdir=$(sed -n 's/.*DISTCC_SAVE_TEMPS: kept //p' "$DLOG" | head -1)
check "distccd DISTCC_SAVE_TEMPS=1: logs the kept job directory ($jobdir)" test -n "$jobdir" -a -d "${jobdir:-/nonexistent}"

finish
