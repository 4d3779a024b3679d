#!/usr/bin/env bash
# The volunteer's result cache (doc/result-cache.md) against a real distccd
# and include server on loopback, every object compared byte for byte with
# a local compile: the same request twice is a hit (no compiler runs on the
# volunteer, no file is uploaded, the client logs cache=hit and counts it);
# a one-byte edit deep in the closure, an option, the compiler behind the
# same name, SOURCE_DATE_EPOCH and the working directory are each a miss
# with the right object; __DATE__ without SOURCE_DATE_EPOCH and a failed
# compile are never kept; a client cannot send a result; plain mode hits
# too; --no-result-cache turns it off.
source "$(dirname "$0")/lib.sh"

proj=$SCRATCH/proj
mkdir -p "$proj/src" "$proj/include/l1/l2/l3"
cat > "$proj/include/top.h" <<'H'
#pragma once
#include "l1/mid.h"
int top (int);
H
cat > "$proj/include/l1/mid.h" <<'H'
#pragma once
#include "l2/low.h"
#define MID (LOW + 1)
H
cat > "$proj/include/l1/l2/low.h" <<'H'
#pragma once
#include "l3/deep.h"
#define LOW (DEEP * 2)
H
cat > "$proj/include/l1/l2/l3/deep.h" <<'H'
#pragma once
#define DEEP 3
H
cat > "$proj/src/main.c" <<'C'
#include <stdio.h>
#include "top.h"
int top (int v) { return v * MID; }
int main (void) { printf ("%s %d\n", __FILE__, top (2)); return 0; }
C
cat > "$proj/src/date.c" <<'C'
const char *built = __DATE__ " " __TIME__;
C
cat > "$proj/src/bad.c" <<'C'
#include "top.h"
int f (void) { return undeclared + MID; }
C

# A compiler of our own under one name on both sides ($TC/bin/rcgcc, listed
# in DISTCC_CMDLIST), to be swapped for another later. Not under /tmp: the
# sandbox shows each job its own /tmp, and the compiler's prefix beside it.
TC=$(mktemp -d /var/tmp/dcc-rc-tc.XXXXXX)
chmod 755 "$TC"
trap 'rm -rf "$TC"; cleanup' EXIT
mkdir -p "$TC/bin"
printf '#!/bin/sh\nexec /usr/bin/gcc "$@"\n' > "$TC/bin/rcgcc"
chmod 755 "$TC/bin/rcgcc"
echo "$TC/bin/rcgcc" > "$SCRATCH/cmdlist"
export PATH="$TC/bin:$PATH"

DISTCC_CMDLIST=$SCRATCH/cmdlist start_distccd || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts on 127.0.0.1:$PORT"
STORE_DIR=$SCRATCH/cache-$PORT
check "distccd: result cache on by default" grep -q 'result cache on' "$DLOG"
cd "$proj"
export DISTCC_HOSTS="127.0.0.1:$PORT/2,cpp,lzo"
eval "$("$BIN/pump" --startup 2> "$SCRATCH/startup.err")"
[ -n "${INCLUDE_SERVER_PID:-}" ] && DAEMON_PIDS+=("$INCLUDE_SERVER_PID")
check "the include server runs" test -S "${INCLUDE_SERVER_PORT:-/nonexistent}"

compiled () { grep -c 'compiled .* for ' "$DLOG"; }
hits () { grep -c 'result cache hit: ' "$DLOG"; }
n=0
# rc NAME [VAR=VALUE...] -- CC ARGS...: compiles locally into local/NAME.o
# and through distcc into remote/NAME.o (same environment, same directory);
# sets HIT (yes/no), RAN (compilers the volunteer ran), RES (result word).
rc () {
  local name=$1; shift
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  mkdir -p local remote
  rm -f "local/$name.o" "remote/$name.o" "local/$name.d" "remote/$name.d" out.o out.d
  # The same output path every time, as a rebuild has: it is part of the
  # command line, and so of the key. With -MD, out.d is kept too.
  env "${envs[@]}" "$@" -o out.o 2> "local/$name.err"
  mv out.o "local/$name.o" 2>/dev/null
  mv out.d "local/$name.d" 2>/dev/null
  local before_c before_h
  before_c=$(compiled); before_h=$(hits)
  n=$((n + 1)); LOGF=$SCRATCH/c$n.log
  env "${envs[@]}" DISTCC_VERBOSE=1 DISTCC_LOG="$LOGF" "$BIN/distcc" "$@" -o out.o 2> "remote/$name.err"
  mv out.o "remote/$name.o" 2>/dev/null
  mv out.d "remote/$name.d" 2>/dev/null
  RES=$(result_of "$LOGF")
  if grep -q 'result: remote .*cache=hit' "$LOGF"; then HIT=yes; else HIT=no; fi
  RAN=$(( $(compiled) - before_c ))
  DHITS=$(( $(hits) - before_h ))
}
same () { cmp -s "local/$1.o" "remote/$1.o" && { [ ! -e "local/$1.d" ] || cmp -s "local/$1.d" "remote/$1.d"; }; }
differ () { ! cmp -s "$1" "$2"; }
# expect NAME DESCRIPTION yes|no: remote, hit or miss as said, identical.
expect () {
  local name=$1 what=$2 want=$3
  local ran_want=1 dhits_want=0
  [ "$want" = yes ] && { ran_want=0; dhits_want=1; }
  if [ "$RES" = remote ] && [ "$HIT" = "$want" ] && [ "$RAN" = "$ran_want" ] && [ "$DHITS" = "$dhits_want" ]; then
    ok "$what: $([ "$want" = yes ] && echo hit, no compiler run || echo miss, compiled) on the volunteer"
  else
    not_ok "$what: expected cache=$want (got result=$RES hit=$HIT, volunteer compiled $RAN, hits $DHITS)"
    sed 's/^/#   /' "$LOGF" | tail -5
  fi
  local dep=""
  [ -e "local/$name.d" ] && dep=" (and its .d file)"
  if same "$name"; then ok "$what: object identical to local$dep"; else not_ok "$what: object identical to local$dep"; fi
}

G="-c -g -O2 -Iinclude src/main.c"
# 1. The same request twice.
rc first -- rcgcc $G
expect first "first compile" no
check "first compile: in pump mode" grep -q 'mode=pump' "$LOGF"
rc again -- rcgcc $G
expect again "the same request again" yes
check "the hit: nothing uploaded (no NEED, answered from the result cache)" \
    grep -q 'answered from the volunteer.s result cache' "$LOGF"
check "the hit: pump mode, logged cache=hit" grep -q 'result: remote .*mode=pump cache=hit' "$LOGF"
check "the hit: counted in DISTCC_DIR/result-cache-hits" test "$(cat "$DISTCC_DIR/result-cache-hits" 2>/dev/null)" = 1
check "the hit: same object as the first compile" cmp -s remote/first.o remote/again.o
sent_miss=$(grep -o 'traffic: sent [0-9]*' "$SCRATCH/c1.log" | grep -o '[0-9]*$')
sent_hit=$(grep -o 'traffic: sent [0-9]*' "$LOGF" | grep -o '[0-9]*$')
check "the hit sent less than the cold miss ($sent_hit < $sent_miss bytes)" test "$sent_hit" -lt "$sent_miss"

# 2. One byte changed in a header four levels deep: a miss, the new object;
# changed back: the first result again.
sed -i 's/DEEP 3/DEEP 4/' include/l1/l2/l3/deep.h
rc deep -- rcgcc $G
expect deep "one byte changed in a header four includes deep" no
check "the deep edit changed the object" differ local/deep.o local/first.o
sed -i 's/DEEP 4/DEEP 3/' include/l1/l2/l3/deep.h
rc deepback -- rcgcc $G
expect deepback "the header changed back" yes

# 3. An option changed.
rc opt -- rcgcc -c -g -O1 -Iinclude src/main.c
expect opt "-O1 instead of -O2" no
rc def -- rcgcc $G -DUNUSED=1
expect def "an extra -D" no

# 4. SOURCE_DATE_EPOCH: __DATE__ and __TIME__ are cached with it, per value;
# never without it.
rc date1 SOURCE_DATE_EPOCH=1700000000 -- rcgcc -c src/date.c
expect date1 "__DATE__ with SOURCE_DATE_EPOCH=1700000000" no
rc date2 SOURCE_DATE_EPOCH=1700000000 -- rcgcc -c src/date.c
expect date2 "__DATE__ with the same SOURCE_DATE_EPOCH again" yes
rc date3 SOURCE_DATE_EPOCH=1800000000 -- rcgcc -c src/date.c
expect date3 "__DATE__ with SOURCE_DATE_EPOCH=1800000000" no
check "SOURCE_DATE_EPOCH changed the object" differ local/date1.o local/date3.o
rc nodate1 -- rcgcc -c src/date.c
rc nodate2 -- rcgcc -c src/date.c
check "__DATE__ without SOURCE_DATE_EPOCH: compiled again, never a hit (hit=$HIT, compiled $RAN)" \
    test "$HIT" = no -a "$RAN" = 1
check "__DATE__ without SOURCE_DATE_EPOCH: logged as not cacheable" \
    grep -q 'not stored: an input uses __DATE__ or __TIME__' "$DLOG"

# 4b. __TIME__ in a header four levels deep, shared by three sources: the
# volunteer scans each content once and remembers the verdict by its digest
# (server/scan-memo.c); the 2nd and 3rd source using that header, and the
# same source again, must still be compiled each time and never stored,
# also from a restarted volunteer that must read the header back from its
# store.
cat > include/l1/l2/l3/clock.h <<'H'
#pragma once
#define STAMP __TIME__
H
for t in t1 t2 t3; do
  printf '#include "l1/l2/l3/clock.h"\nconst char *%s_at = STAMP;\n' "$t" > "src/$t.c"
done
memo_reads () { grep -c 'inputs read from the store and scanned' "$DLOG"; }
unstored () { grep -c 'not stored: an input uses __DATE__ or __TIME__' "$DLOG"; }
u0=$(unstored); m0=$(memo_reads)
for t in t1 t2 t3 t3 t2; do
  rc "time-$t" -- rcgcc -c -Iinclude "src/$t.c"
  check "__TIME__ in a deep header, src/$t.c: compiled on the volunteer, not a hit (hit=$HIT, compiled $RAN)" \
      test "$HIT" = no -a "$RAN" = 1 -a "$RES" = remote
done
check "__TIME__ in a deep header: none of the 5 results stored ($(( $(unstored) - u0 )) logged not stored)" \
    test "$(( $(unstored) - u0 ))" = 5
check "__TIME__ in a deep header: each verdict from the scan memo, no input read back ($(( $(memo_reads) - m0 )) reads)" \
    test "$(( $(memo_reads) - m0 ))" = 0
# A new volunteer on the same store: the header is there, its verdict not.
old_store=$SCRATCH/cache-$PORT
old_pid=$DPID
kill "$old_pid"; wait_gone "$old_pid"
DISTCC_CMDLIST=$SCRATCH/cmdlist start_distccd --cache-dir "$old_store" || not_ok "distccd restarts on the same store"
STORE_DIR=$old_store
export DISTCC_HOSTS="127.0.0.1:$PORT/2,cpp,lzo"
rc time-restart -- rcgcc -c -Iinclude src/t2.c
check "after a restart: src/t2.c compiled, not a hit (hit=$HIT, compiled $RAN, $RES)" test "$HIT" = no -a "$RAN" = 1 -a "$RES" = remote
# Those unknown to the memo are read back after the reply went out.
check "after a restart: the inputs read back from the store and scanned, after the reply" \
    wait_log "$DLOG" 'inputs read from the store and scanned (not in the scan memo), after the reply'
check "after a restart: not stored, __TIME__" wait_log "$DLOG" 'not stored: an input uses __DATE__ or __TIME__'
rc time-restart1 -- rcgcc -c -Iinclude src/t1.c
check "after a restart, src/t1.c: compiled, not a hit (hit=$HIT, compiled $RAN)" test "$HIT" = no -a "$RAN" = 1
rc time-restart2 -- rcgcc -c -Iinclude src/t2.c
check "after a restart, again: compiled, not a hit (hit=$HIT, compiled $RAN)" test "$HIT" = no -a "$RAN" = 1
rc again-restart -- rcgcc $G
expect again-restart "the first request on the restarted volunteer (its store kept the result)" yes

# 5. Two clients in different directories, -g: the same sources at another
# path (a second checkout), and the same absolute command line run from
# another working directory (DW_AT_comp_dir differs): each a miss, each right.
cp -a "$proj" "$SCRATCH/proj2"
cd "$SCRATCH/proj2"
rc co2 -- rcgcc $G
expect co2 "a second checkout in another directory, -g" no
cd "$proj"
# Both directories are include directories too, so that the manifests
# (which list the working directory) are the same: only the key's working
# directory tells the two apart.
mkdir -p "$SCRATCH/elsewhere"
A="-c -g -O2 -I$proj/include -I$SCRATCH/elsewhere -I$proj $proj/src/main.c"
rc absA -- rcgcc $A
expect absA "absolute paths, run from the project" no
cd "$SCRATCH/elsewhere"
rc absB -- rcgcc $A
expect absB "the same command line from another directory" no
check "-g: the other working directory is in the object" differ local/absB.o "$proj/local/absA.o"
cd "$proj"
rc absA2 -- rcgcc $A
expect absA2 "absolute paths from the project again (a second client there)" yes

# 5b. A second checkout of the same tree in another directory (another
# name, another depth): the working directory is left out of the key where
# it cannot reach the output (doc/result-cache.md, "The working
# directory"). Each case compiles in checkout A (a miss) and then in
# checkout B, every object (and .d file) compared with a local compile in
# that directory.
cat > include/l1/where.h <<'H'
#pragma once
static const char *where_h = __FILE__;
H
cat > src/where.c <<'C'
#include "where.h"
#include "../include/top.h"
const char *where (void) { return where_h; }
C
CO_A=$SCRATCH/checkouts/a/proj
CO_B=$SCRATCH/elsewhere/b/c/proj-two
mkdir -p "$(dirname "$CO_A")" "$(dirname "$CO_B")"
cp -a "$proj" "$CO_A"
cp -a "$proj" "$CO_B"
# Beside B, a directory named as A, for the -I that climbs out and back in.
cp -a "$proj" "$(dirname "$CO_B")/$(basename "$CO_A")"
rm -rf "$CO_A/local" "$CO_A/remote" "$CO_B/local" "$CO_B/remote"
# checkouts NAME WANT-IN-B WHAT ARGS...: @PWD@ in ARGS is each checkout's directory.
checkouts () {
  local name=$1 want=$2 what=$3; shift 3
  cd "$CO_A"
  rc "$name" -- rcgcc $(sed "s|@PWD@|$PWD|g" <<< "$*")
  expect "$name" "checkout A, $what" no
  cd "$CO_B"
  rc "$name" -- rcgcc $(sed "s|@PWD@|$PWD|g" <<< "$*")
  expect "$name" "checkout B, $what" "$want"
  cd "$proj"
}
checkouts nog yes "no -g, -MD" -c -O2 -Iinclude -MD src/main.c
check "no -g: stored without the working directory in the key" \
    grep -q 'stored src/main.c without its working directory in the key' "$DLOG"
checkouts g no "-g without a prefix map" -c -g -O1 -Iinclude -MD src/main.c
check "-g without a prefix map: the checkouts' objects differ (DW_AT_comp_dir)" \
    differ "$CO_A/local/g.o" "$CO_B/local/g.o"
checkouts gmap yes "-g -fdebug-prefix-map=\$PWD=." -c -g -O2 -Iinclude -fdebug-prefix-map=@PWD@=. -MD src/main.c
checkouts gfmap yes "-g -ffile-prefix-map=\$PWD=." -c -g -Iinclude -ffile-prefix-map=@PWD@=. src/main.c
checkouts gsplit yes "-gsplit-dwarf -fdebug-prefix-map=\$PWD=." -c -gsplit-dwarf -Iinclude -fdebug-prefix-map=@PWD@=. src/main.c
checkouts fileRel yes "__FILE__ in a header through a relative -I (and #include \"../\")" -c -O2 -Iinclude/l1 -MD src/where.c
checkouts fileAbs no "__FILE__ in a header through an absolute -I" -c -O2 -I@PWD@/include/l1 -MD src/where.c
check "__FILE__ through an absolute -I: the checkouts' objects differ" \
    differ "$CO_A/local/fileAbs.o" "$CO_B/local/fileAbs.o"
checkouts fileDD no "an -I that climbs out of the checkout and back in" -c -O2 -I../$(basename "$CO_A")/include/l1 -MD src/where.c

# 6. A failed compile is not kept.
rc bad1 -- rcgcc -c -Iinclude src/bad.c
rc bad2 -- rcgcc -c -Iinclude src/bad.c
check "a failed compile is compiled each time (hit=$HIT)" test "$HIT" = no
check "a failed compile: logged as not stored" grep -q 'not stored: the compile failed' "$DLOG"

# 7. The compiler behind the same name swapped for one that makes other
# objects (-fno-ident: no .comment section): a miss and the new object.
printf '#!/bin/sh\nexec /usr/bin/gcc -fno-ident "$@"\n' > "$TC/rcgcc.new"
chmod 755 "$TC/rcgcc.new"
mv "$TC/rcgcc.new" "$TC/bin/rcgcc"
rc swap -- rcgcc $G
expect swap "another compiler under the same name" no
check "the swapped compiler makes another object" differ local/swap.o local/first.o
rc swap2 -- rcgcc $G
expect swap2 "the swapped compiler again" yes

# 8. Plain mode (a host without ,cpp): the same request twice hits too.
DISTCC_HOSTS="127.0.0.1:$PORT/2" rc plain1 -- rcgcc $G
check "plain mode: first compile remote in plain mode" grep -q 'mode=plain' "$LOGF"
DISTCC_HOSTS="127.0.0.1:$PORT/2" rc plain2 -- rcgcc $G
expect plain2 "plain mode: the same request again" yes
check "plain mode: logged mode=plain cache=hit" grep -q 'mode=plain cache=hit' "$LOGF"
sed -i 's/DEEP 3/DEEP 5/' include/l1/l2/l3/deep.h
DISTCC_HOSTS="127.0.0.1:$PORT/2" rc plain3 -- rcgcc $G
expect plain3 "plain mode: one byte changed in the deep header" no
sed -i 's/DEEP 5/DEEP 3/' include/l1/l2/l3/deep.h

# 9. A client cannot send a result: a request carrying reply frames (CHIT,
# STAT, OUTF) is refused, and the store holds no more results than before.
results () { find "$STORE_DIR/results" -type l | wc -l; }
before=$(results)
out=$(python3 - "$PORT" "$TOP/test/integration" <<'PY'
import socket, struct, sys
sys.path.insert(0, sys.argv[2])
from hostile import plain, frame, lz4_stored, string
port = int(sys.argv[1])
answers = []
for extra in (frame(b"CHIT"), frame(b"STAT", struct.pack(">I", 0)),
              frame(b"OUTF", string("/w/a.o") + lz4_stored(b"poison"))):
    req = plain(["gcc", "-c", "a.c", "-o", "a.o"]) + extra
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(req)
    data = b""
    while True:
        try:
            b = s.recv(65536)
        except OSError:
            break
        if not b:
            break
        data += b
    answers.append(data[:4].decode("ascii", "replace") or "CLOSED")
print(" ".join(answers))
PY
)
check "requests carrying CHIT, STAT or OUTF are refused (answers: $out)" \
    bash -c "! grep -q -E 'CHIT|STAT' <<< '$out'"
check "no result was named by them ($(results) names, $before before)" test "$(results)" = "$before"
kill -0 "$DPID" && ok "distccd survives them" || not_ok "distccd survives them"

# 10. --no-result-cache: nothing kept, nothing served.
DISTCC_CMDLIST=$SCRATCH/cmdlist start_distccd --no-result-cache || not_ok "distccd --no-result-cache starts"
check "--no-result-cache: logged" grep -q 'result cache off (--no-result-cache)' "$DLOG"
export DISTCC_HOSTS="127.0.0.1:$PORT/2,cpp,lzo"
rc off1 -- rcgcc $G
rc off2 -- rcgcc $G
check "--no-result-cache: the same request twice compiles twice (hit=$HIT, compiled $RAN)" test "$HIT" = no -a "$RAN" = 1
check "--no-result-cache: object identical to local" same off2

"$BIN/pump" --shutdown > /dev/null 2>&1
finish
