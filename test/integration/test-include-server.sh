#!/usr/bin/env bash
# The pump-mode include server: closures checked against gcc -M (verify mode)
# over a generated project with the tricky cases, the socket protocol
# (good, malformed, unanalysable and concurrent requests), and optionally a
# few Linux kernel files if a built tree is unpacked under /tmp.
. "$(dirname "$0")/lib.sh"
IS=$BIN/include-server

P=$SCRATCH/proj
mkdir -p "$P"/a "$P"/b "$P"/real/inc "$P"/deep/er "$P"/sub "$P"/q
cd "$P" || exit 1
ln -s real/inc linkdir            # a symlinked include dir
ln -s deep/er sublink             # "sublink/../x" is deep/x, not ./x

cat > main.c <<'EOF'
#include "local.h"
#include <wrap.h>
#define CFG "cfg.h"
#include CFG
#define STR(x) #x
#define XSTR(x) STR(x)
#include XSTR(fn.h)
#ifndef FEATURE
#define FEATURE 0
#endif
#if FEATURE
#include "feature_on.h"
#endif
#if __has_include(<opt.h>)
#include <opt.h>
#endif
#if __has_include("probe_only.h")
#endif
#include "linkdir/once.h"
#include "real/inc/once.h"
#include "sublink/../up.h"
#include "qonly.h"
int main (void) { return 0; }
EOF
echo '#include "sub/inner.h"' > local.h
echo '#pragma once' > sub/inner.h
echo '#include_next <wrap.h>' > a/wrap.h
echo '#define WRAPPED 1' > b/wrap.h
echo '#define CFG_OK 1' > cfg.h
echo '#define FN_OK 1' > fn.h
echo '#define ON 1' > feature_on.h
echo '#define OPT 1' > b/opt.h
echo '#define PROBED 1' > probe_only.h
echo '#pragma once' > real/inc/once.h
echo '#define UP 1' > deep/up.h
echo '#define WRONG 1' > up.h
echo '#define Q 1' > q/qonly.h
echo '#define FORCED 1' > forced.h
# Two units through one header, whose <shared.h> is found in b/ before c/.
mkdir -p c
echo '#include <shared.h>' > sub/uses.h
echo '#define SHARED_B 1' > b/shared.h
echo '#define SHARED_C 1' > c/shared.h
for u in u1 u2 u3 v1 v2; do echo '#include "sub/uses.h"' > $u.c; done
cat > asm.S <<'EOF'
#include "local.h"
.globl x
x: .long 1
EOF
cat > app.cc <<'EOF'
#include <vector>
#include "local.h"
int main () { std::vector<int> v; return (int) v.size (); }
EOF

# Directories changed in the last 2 s are probed with stat, older ones
# through the server's shared listings: wait until every directory of the
# tree is older than that, so that the checks below (new headers appearing,
# moving) go through the listings.
settled () { [ -z "$(find "$P" -type d -newerct "@$(( $(date +%s) - 3 ))" | head -1)" ]; }
wait_until "the project's directories to be 3 s old" settled || not_ok "the tree settles"
FLAGS=(-Ia -Ib -iquote q -DFEATURE=1 -include forced.h)
out=$SCRATCH/verify.out
if "$IS" --verify --verbose -- gcc "${FLAGS[@]}" -O2 -c main.c -o main.o >"$out" 2>&1; then
  ok "verify: closure of main.c covers gcc -M"
else
  not_ok "verify: closure of main.c covers gcc -M"; sed 's/^/#   /' "$out" | grep -v '^#     ' | head -20
fi
has () { grep -qE -- "$1" "$out"; }
check "feature_on.h found although clang could decide #if FEATURE alone" has "file $P/feature_on.h\$"
check "__has_include target listed (opt.h)" has "file $P/b/opt.h\$"
check "__has_include probe listed (probe_only.h)" has "file $P/probe_only.h\$"
check "include_next reached b/wrap.h" has "file $P/b/wrap.h\$"
check "symlinked dir sent as a symlink" has "link $P/linkdir -> real/inc\$"
check "sublink/../up.h resolved physically (deep/up.h)" has "file $P/deep/up.h\$"
check "function-like computed include (fn.h)" has "file $P/fn.h\$"
check "stdc-predef.h included" has "file /usr/include/stdc-predef.h\$"
check "working directory listed" has "dir  $P\$"
check "no stray up.h" bash -c "! grep -q 'file $P/up.h\$' '$out'"

for src in asm.S app.cc; do
  comp=gcc; [ "$src" = app.cc ] && comp=g++
  if "$IS" --verify -- $comp -Ia -Ib -c "$src" >"$out" 2>&1; then ok "verify: $src"
  else not_ok "verify: $src"; sed 's/^/#   /' "$out" | head; fi
done
# `#include X` under `#ifdef X`, X defined nowhere (git's sha1dc/sha1.h):
# a dead branch, followed without the full parse; defined by a header, it
# is followed.
printf '#ifdef NOWHERE_DEFINED_H\n#include NOWHERE_DEFINED_H\n#endif\n#include "late.h"\n#ifdef LATE_H\n#include LATE_H\n#endif\nint x;\n' > dead.c
echo '#define LATE_H "fn.h"' > late.h
if "$IS" --verify --verbose -- gcc -c dead.c >"$out" 2>&1 && ! grep -q "full parse" "$out" && grep -q "file $P/fn.h\$" "$out"; then
  ok "verify: a computed include of a macro defined nowhere is dead, no full parse"
else
  not_ok "verify: a computed include of a macro defined nowhere is dead, no full parse"; sed 's/^/#   /' "$out" | grep -v '^#     ' | head -20
fi
if "$IS" --verify -- gcc -ffreestanding -c main.c -Ia -Ib -iquote q >"$out" 2>&1 && ! grep -q stdc-predef "$out"; then
  ok "verify: -ffreestanding"
else
  not_ok "verify: -ffreestanding"
fi

# A stale cache must never be served: change a header's include and re-verify.
SOCK=$SCRATCH/is.sock
"$IS" --socket "$SOCK" --pid-file "$SCRATCH/is.pid" --log-file "$SCRATCH/is.log" --verbose \
    --cache-file "$SCRATCH/is.cache" &
IS_PID=$!
DAEMON_PIDS+=($IS_PID)
wait_socket "$SOCK" || not_ok "include server makes its socket $SOCK"
# Its heap in transparent huge pages where the kernel gives them on request:
# the server runs itself again with glibc's tunable (same process id).
if grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null ||
   ! [ -r /sys/kernel/mm/transparent_hugepage/enabled ]; then
  ok "server: malloc asks for huge pages # SKIP no transparent huge pages on this kernel"
else
  case "$(tr '\0' '\n' < /proc/$IS_PID/environ | grep '^GLIBC_TUNABLES=')" in
    *glibc.malloc.hugetlb=1*) ok "server: malloc asks for huge pages (GLIBC_TUNABLES in its environment)";;
    *) not_ok "server: malloc asks for huge pages (GLIBC_TUNABLES in its environment)";; esac
fi

query () { # query STATUS-EXPECTED ARGS... : prints "status count"
  python3 - "$SOCK" "$P" "$@" <<'EOF'
import os, socket, struct, sys
sock, cwd, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
def frame(tag, payload=b""):
    return tag + struct.pack(">I", len(payload)) + payload
slow = argv[:1] == ["SLOW"]   # the request in 7-byte pieces
if slow:
    argv = argv[1:]
if argv == ["GARBAGE"]:
    req = b"ISRQ\xff\xff\xff\xff"
elif argv == ["BADTAG"]:
    req = frame(b"ISRQ", struct.pack(">I", 1)) + frame(b"XXXX")
elif argv == ["BADTAG-LONG"]:   # a wrong frame whose payload never comes
    req = frame(b"ISRQ", struct.pack(">I", 1)) + b"XXXX" + struct.pack(">I", 1000)
else:
    req = frame(b"ISRQ", struct.pack(">I", 1)) + frame(b"CWD ", cwd.encode())
    req += frame(b"ARGC", struct.pack(">I", len(argv)))
    for a in argv:
        req += frame(b"ARGV", a.encode())
    req += frame(b"DONE")
s = socket.socket(socket.AF_UNIX)
# A wrong frame must be refused at once, not after the server's 30 s wait
# for the rest of the request: timed here, from the connection on, so that
# a slow start of python under load does not count.
bad = argv[:1] in (["BADTAG"], ["BADTAG-LONG"])
s.settimeout(20 if bad else 60)
s.connect(sock)
if slow:
    import time
    for i in range(0, len(req), 7):
        s.sendall(req[i:i+7])
        time.sleep(0.002)
else:
    s.sendall(req)
data = b""
while True:
    try:
        c = s.recv(65536)
    except socket.timeout:
        print("timeout")
        sys.exit(0)
    if not c:
        break
    data += c
pos, status, count, paths = 0, None, 0, []
while pos < len(data):
    tag = data[pos:pos+4]; n = struct.unpack(">I", data[pos+4:pos+8])[0]
    payload = data[pos+8:pos+8+n]; pos += 8 + n
    if tag == b"ISST": status = struct.unpack(">I", payload)[0]
    if tag == b"NENT": count = struct.unpack(">I", payload)[0]
    if tag == b"ENTR":
        plen = struct.unpack(">I", payload[29:33])[0]
        path = payload[33:33+plen].decode()
        if path == os.environ.get("HASH_OF"):   # that entry's content hash too
            path += "@" + payload[13:29].hex()
        paths.append(path)
print(status, count, " ".join(paths))
EOF
}
r=$(query gcc "${FLAGS[@]}" -c main.c)
case "$r" in "0 "*" $P/b/opt.h "*) ok "socket: closure served";; *) not_ok "socket: closure served ($r)";; esac
r2=$(query gcc "${FLAGS[@]}" -c main.c)
check "socket: second request same answer (cached)" [ "$r" = "$r2" ]
echo '#define NEW 1' > sub/new.h
echo '#include "new.h"' >> sub/inner.h
r3=$(query gcc "${FLAGS[@]}" -c main.c)
case "$r3" in *"$P/sub/new.h"*) ok "socket: edited header invalidates the cached closure";;
  *) not_ok "socket: edited header invalidates the cached closure";; esac
echo '#define SHADOW 1' > a/cfg.h   # not on cfg.h's quote path: main.c's dir wins
echo '#define SHADOW 1' > q/local.h # still shadowed by main.c's own dir
r4=$(query gcc "${FLAGS[@]}" -c main.c)
check "socket: new files elsewhere don't change the answer" [ "$r3" = "$r4" ]
last_served () { grep ' entries for ' "$SCRATCH/is.log" | tail -1; }
case "$(last_served)" in *"(cached,"*) ok "socket: new files in searched dirs keep the cached closure";;
  *) not_ok "socket: new files in searched dirs keep the cached closure ($(last_served))";; esac
: > main.o; : > sub/inner.o   # a build writing objects beside its sources
r4b=$(query gcc "${FLAGS[@]}" -c main.c)
case "$r4b $(last_served)" in "$r4 "*"(cached,"*) ok "socket: objects written beside the sources keep the cached closure";;
  *) not_ok "socket: objects written beside the sources keep the cached closure ($(last_served))";; esac
rm -f main.o sub/inner.o
# make regenerates some headers (autoconf.h, ...) with the same bytes on
# every run: a new inode and new times, the same closure.
export HASH_OF=$P/b/opt.h
r4c=$(query gcc "${FLAGS[@]}" -c main.c)
cp b/opt.h b/opt.h.new && mv b/opt.h.new b/opt.h
r4d=$(query gcc "${FLAGS[@]}" -c main.c)
case "$r4d $(last_served)" in "$r4c "*"(cached,"*) ok "socket: a header rewritten with the same bytes keeps the cached closure";;
  *) not_ok "socket: a header rewritten with the same bytes keeps the cached closure ($(last_served))";; esac
r4e=$(query gcc "${FLAGS[@]}" -c main.c)
case "$r4e $(last_served)" in "$r4c "*"(cached, 0 scanned, 0 hashed"*) ok "socket: ... and is not hashed again on the next request";;
  *) not_ok "socket: ... and is not hashed again on the next request ($(last_served))";; esac
tr 1 2 < b/opt.h > b/opt.h.new && mv b/opt.h.new b/opt.h   # same size, other bytes
r4f=$(query gcc "${FLAGS[@]}" -c main.c)
case "$r4f" in *"$P/b/opt.h@"*) [ "$r4f" != "$r4c" ] && ok "socket: a header rewritten with other bytes of the same size is sent anew" ||
    not_ok "socket: a header rewritten with other bytes of the same size is sent anew (same answer)";;
  *) not_ok "socket: a header rewritten with other bytes of the same size is sent anew ($r4f)";; esac
unset HASH_OF
rm q/qonly.h; echo '#define Q2 1' > a/qonly.h
r5=$(query gcc "${FLAGS[@]}" -c main.c)
case "$r5" in *"$P/a/qonly.h"*) ok "socket: a header moving between search dirs is noticed";;
  *) not_ok "socket: a header moving between search dirs is noticed";; esac
r=$(query gcc -c main.c other.c)
check "socket: two inputs -> status 1" [ "${r%% *}" = 1 ]
r=$(query GARBAGE)
check "socket: malformed request -> status 2" [ "${r%% *}" = 2 ]
r=$(timeout 60 bash -c "$(declare -f query); SOCK='$SOCK' P='$P' query BADTAG")
check "socket: unknown frame refused at once -> status 2" [ "${r%% *}" = 2 ]
r=$(timeout 60 bash -c "$(declare -f query); SOCK='$SOCK' P='$P' query BADTAG-LONG")
check "socket: unknown frame refused before its payload -> status 2" [ "${r%% *}" = 2 ]
r=$(query SLOW gcc "${FLAGS[@]}" -c main.c)
check "socket: a request sent in small pieces gets the same answer" [ "$r" = "$r5" ]
pids=()
for i in $(seq 8); do query gcc "${FLAGS[@]}" -c main.c > "$SCRATCH/c$i.out" & pids+=($!); done
wait "${pids[@]}"
same=yes; for i in $(seq 8); do [ "$(cat "$SCRATCH/c$i.out")" = "$r5" ] || same=no; done
check "socket: 8 concurrent clients get the same answer" [ $same = yes ]
# A header created at a path searched without success (a/ before b/ for
# <opt.h>): the cached closure must not be served; removed again, the old
# answer comes back.
echo '#define OPT 2' > a/opt.h
r6=$(query gcc "${FLAGS[@]}" -c main.c)
case "$r6 $(last_served)" in *" $P/a/opt.h "*"(walked,"*) ok "socket: a header created at a path probed before is in the next closure";;
  *) not_ok "socket: a header created at a path probed before is in the next closure ($(last_served))";; esac
rm a/opt.h
r7=$(query gcc "${FLAGS[@]}" -c main.c)
check "socket: ... and gone again once deleted" [ "$r7" = "$r5" ]
# One header's walk is shared by the units that include it (sub/uses.h's
# <shared.h> found in b/): a unit walked after b/shared.h is deleted finds
# c/shared.h, as the compiler would; one walked after a/shared.h appears
# finds that.
r1=$(query gcc -Ia -Ib -Ic -c u1.c)
case "$r1" in *" $P/b/shared.h"*) ok "socket: a header's include found in b/ (first unit)";;
  *) not_ok "socket: a header's include found in b/ (first unit) ($r1)";; esac
rm b/shared.h
r2=$(query gcc -Ia -Ib -Ic -c u2.c)
case "$r2" in *" $P/b/shared.h"*) not_ok "socket: deleted there, the next unit finds it in c/ ($r2)";;
  *" $P/c/shared.h"*) ok "socket: deleted there, the next unit finds it in c/";;
  *) not_ok "socket: deleted there, the next unit finds it in c/ ($r2)";; esac
echo '#define SHARED_A 1' > a/shared.h
r3=$(query gcc -Ia -Ib -Ic -c u3.c)
case "$r3" in *" $P/c/shared.h"*) not_ok "socket: created in a/, the next unit finds it there ($r3)";;
  *" $P/a/shared.h"*) ok "socket: created in a/, the next unit finds it there";;
  *) not_ok "socket: created in a/, the next unit finds it there ($r3)";; esac
rm a/shared.h
# An object written into a directory searched without success (a/, for
# <shared.h>) leaves the names looked for there absent: the next unit
# walks only its own source and takes sub/uses.h's and c/shared.h's walks
# as they were.
r1=$(query gcc -Ia -Ib -Ic -c v1.c)
: > a/v1.o
r2=$(query gcc -Ia -Ib -Ic -c v2.c)
case "$r2 $(last_served)" in *" $P/c/shared.h "*"(walked, "*", 1 headers walked)"*)
    ok "socket: an object written into a searched directory keeps the headers' walks";;
  *) not_ok "socket: an object written into a searched directory keeps the headers' walks ($(last_served))";; esac
rm a/v1.o
# A header written in place through another hard link (a `cp -al` tree):
# the include server's cached stat of b/opt.h must not hide it.
mkdir -p "$SCRATCH/elsewhere"
ln b/opt.h "$SCRATCH/elsewhere/opt.h"
export HASH_OF=$P/b/opt.h
r8=$(query gcc "${FLAGS[@]}" -c main.c)
echo '#define OPT_MORE 1' >> "$SCRATCH/elsewhere/opt.h"
r9=$(query gcc "${FLAGS[@]}" -c main.c)
case "$r9" in
  *"$P/b/opt.h@"*) [ "$r9" != "$r8" ] && ok "socket: a header written through another hard link is sent anew" ||
      not_ok "socket: a header written through another hard link is sent anew (same answer)";;
  *) not_ok "socket: a header written through another hard link is sent anew ($r9)";; esac
unset HASH_OF
check "socket: server still alive" kill -0 "$(cat "$SCRATCH/is.pid")"
kill "$(cat "$SCRATCH/is.pid")"
check "socket: SIGTERM removes the socket" wait_until "$SOCK to go" test ! -e "$SOCK"
wait "$IS_PID"
rc=$?
# Closures above were replaced (edited headers) before the server saved them.
check "socket: the server exits 0 after SIGTERM (got $rc)" [ $rc = 0 ]
check "socket: ... having saved its cache" grep -q "cache saved to" "$SCRATCH/is.log"

# After `make clean` (objects written and deleted in the searched
# directories): a new server started from the cache file reuses the saved
# closure, and still sees a header created at a path probed before.
# start_from_cache LOG: a server from the cache file; sets IS_PID.
start_from_cache () {
  "$IS" --socket "$SOCK" --pid-file "$SCRATCH/is.pid" --log-file "$1" --verbose \
      --cache-file "$SCRATCH/is.cache" &
  IS_PID=$!
  DAEMON_PIDS+=($IS_PID)
  wait_socket "$SOCK" || not_ok "include server makes its socket $SOCK from the cache file ($1)"
}
start_from_cache "$SCRATCH/is2.log"
# Executing itself again for huge pages costs a second start: not done by a
# server that starts from a cache file (a rebuild).
case "$(tr '\0' '\n' < /proc/$IS_PID/environ | grep '^GLIBC_TUNABLES=')" in
  *glibc.malloc.hugetlb*) not_ok "cache file: a server started from it does not execute itself again";;
  *) ok "cache file: a server started from it does not execute itself again";; esac
: > main.o; : > a/x.o; : > b/.x.o.cmd; rm -f main.o a/x.o b/.x.o.cmd
last_served () { grep ' entries for ' "$SCRATCH/is2.log" | tail -1; }
r10=$(query gcc "${FLAGS[@]}" -c main.c)
case "$(last_served)" in *"(cached,"*) ok "cache file: after make clean the saved closure is reused";;
  *) not_ok "cache file: after make clean the saved closure is reused ($(last_served))";; esac
echo '#define OPT 3' > a/opt.h
r11=$(query gcc "${FLAGS[@]}" -c main.c)
case "$r11 $(last_served)" in *" $P/a/opt.h "*"(walked,"*) ok "cache file: a header created at a path probed before invalidates it";;
  *) not_ok "cache file: a header created at a path probed before invalidates it ($(last_served))";; esac
rm a/opt.h
kill "$(cat "$SCRATCH/is.pid")"
wait "$IS_PID"
# What that server learnt (the closure with a/opt.h) is appended to the
# file, not written with all the rest again; a third server reads both
# segments, and the later closure replaces the first one: with a/opt.h
# back (same bytes, new inode) it is reused, which only the appended
# closure allows.
check "cache file: what a later server learnt is appended" grep -q "cache saved to .*(what was learnt appended)" "$SCRATCH/is2.log"
start_from_cache "$SCRATCH/is2b.log"
last_served () { grep ' entries for ' "$SCRATCH/is2b.log" | tail -1; }
echo '#define OPT 3' > a/opt.h
r12=$(query gcc "${FLAGS[@]}" -c main.c)
case "$r12 $(last_served)" in *" $P/a/opt.h "*"(cached,"*) ok "cache file: the appended segment's closure is reused";;
  *) not_ok "cache file: the appended segment's closure is reused ($(last_served))";; esac
rm a/opt.h
kill "$(cat "$SCRATCH/is.pid")"
wait "$IS_PID"

# The compiler is looked up in the server's PATH for every request (the closure
# cache is keyed by the compiler found): a compiler installed earlier in PATH
# is used by the next request, and removing it goes back to the old one.
mkdir -p "$SCRATCH/pathbin"
REAL_GCC=$(command -v gcc)
PATH="$SCRATCH/pathbin:$PATH" "$IS" --socket "$SOCK" --pid-file "$SCRATCH/is.pid" --log-file "$SCRATCH/is3.log" --verbose &
IS_PID=$!
DAEMON_PIDS+=($IS_PID)
wait_socket "$SOCK" || not_ok "include server makes its socket $SOCK a third time"
last_served () { grep ' entries for ' "$SCRATCH/is3.log" | tail -1; }
query gcc "${FLAGS[@]}" -c main.c > /dev/null
query gcc "${FLAGS[@]}" -c main.c > /dev/null
case "$(last_served)" in *"(cached,"*) ok "compiler in PATH: the same compiler, the cached closure";;
  *) not_ok "compiler in PATH: the same compiler, the cached closure ($(last_served))";; esac
printf '#!/bin/sh\ntouch "%s"\nexec "%s" "$@"\n' "$SCRATCH/new-gcc-ran" "$REAL_GCC" > "$SCRATCH/pathbin/gcc"
chmod +x "$SCRATCH/pathbin/gcc"
query gcc "${FLAGS[@]}" -c main.c > /dev/null
case "$(last_served)" in *"(walked,"*) [ -e "$SCRATCH/new-gcc-ran" ] && ok "compiler in PATH: a gcc installed earlier in PATH is used" ||
    not_ok "compiler in PATH: a gcc installed earlier in PATH is used (not run)";;
  *) not_ok "compiler in PATH: a gcc installed earlier in PATH is used ($(last_served))";; esac
rm "$SCRATCH/pathbin/gcc"
query gcc "${FLAGS[@]}" -c main.c > /dev/null
case "$(last_served)" in *"(cached,"*) ok "compiler in PATH: removed, the old compiler and its closure again";;
  *) not_ok "compiler in PATH: removed, the old compiler and its closure again ($(last_served))";; esac
kill "$(cat "$SCRATCH/is.pid")"
wait "$IS_PID"

# Optional: a few files of a built kernel tree (make tinyconfig && make).
K=$(ls -d /tmp/linux*/linux-source-6.1 /tmp/linux 2>/dev/null | while read -r d; do [ -f "$d/init/.main.o.cmd" ] && echo "$d"; done | head -1)
if [ -n "$K" ]; then
  for f in init/.main.o.cmd kernel/sched/.core.o.cmd mm/.memory.o.cmd fs/.namei.o.cmd; do
    [ -f "$K/$f" ] || continue
    cmd=$(grep -m1 '^cmd_' "$K/$f" | sed 's/^cmd_[^ ]* := //; s/;.*//')
    if (cd "$K" && eval "set -- $cmd" && "$IS" --verify -- "$@") >"$out" 2>&1; then
      ok "kernel: $f ($(grep -o 'cold [0-9.]* ms' "$out"))"
    else
      not_ok "kernel: $f"; sed 's/^/#   /' "$out" | head
    fi
  done
else
  skip "kernel files (no built tree under /tmp)"
fi
finish
