#!/usr/bin/env bash
# Isolation of a shared volunteer (doc/security.md, "Isolation"): a hostile
# client, speaking doc/protocol.md by hand (isolation.py), asks in plain and
# pump mode, with gcc and clang, for compiles that write outside their job
# (-o, -MF, -save-temps, -time=, -fproc-stat-report= climbing out, -MF over
# a store object), read outside it (#include, -include, -I, -iprefix and
# .incbin of a secret file by absolute and climbing paths, /etc/passwd,
# another slot's tree, pump mode's builtin dirs and implicit includes that
# climb out), or exhaust it (/dev/zero, /dev/urandom). For each:
# no byte of the secret comes back, nothing appears outside, the store is
# intact, and the daemon serves on. Then an innocent client's pump build is
# identical to a local one.
source "$(dirname "$0")/lib.sh"

DRIVER=$TOP/test/integration/isolation.py
OUT=$SCRATCH/outside                  # stands for the volunteer's own files: must stay empty
SECRETS=$SCRATCH/secrets              # readable by anyone on the host, never by a job
MARKER=SECRET_MARKER_$$_$RANDOM
mkdir -p "$OUT" "$SECRETS"
chmod 755 "$OUT" "$SECRETS"
printf '%s\n' "$MARKER" > "$SECRETS/secret.h"
chmod 644 "$SECRETS/secret.h"

start_distccd --jobs 2 --io-timeout 5 || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts on 127.0.0.1:$PORT (sandboxed by default)"
STORE=$SCRATCH/cache-$PORT
H () { timeout 300 python3 "$TOP/test/integration/hostile.py" "$@" 127.0.0.1 "$PORT"; }
alive () { [ "$(timeout 60 python3 "$TOP/test/integration/hostile.py" good 127.0.0.1 "$PORT")" = "DONE 0 /w/a.o" ]; }
store_ok () { [ "$(timeout 60 python3 "$TOP/test/integration/hostile.py" store-check 127.0.0.1 "$PORT" "$STORE")" = OK ]; }

check "the daemon's log says compiles are sandboxed" grep -q "sandbox" "$DLOG"
# Fill the store with one object so that it can be attacked by path.
check "a pump compile stores its files" test "$(H good-pump)" = "DONE 0 /w/a.o"

run_attacks () {
  local cc=$1 line name reply leak secs
  while IFS=$'\t' read -r name reply leak secs; do
    local why=""
    [ "$leak" = clean ] || why="$why secret-came-back"
    [ -z "$(ls -A "$OUT")" ] || why="$why wrote-outside($(ls -A "$OUT" | tr '\n' ' '))"
    case $reply in DONE*|EROR*) ;; *) why="$why no-reply" ;; esac
    if [ -z "$why" ]; then ok "$cc $name -> $reply"; else
      not_ok "$cc $name -> $reply ($why)"; rm -rf "${OUT:?}"/*
    fi
  done < <(timeout 600 python3 "$DRIVER" 127.0.0.1 "$PORT" "$cc" "$SECRETS/secret.h" "$MARKER" "$OUT" "$STORE")
}
run_attacks gcc
run_attacks clang
check "the store is intact (every object hashes to its name)" store_ok
check "the daemon still serves" alive

# The client's working directory (doc/security.md, "Isolation"): the
# sandbox shows it at its own path, a symlink made while the sandbox is
# built. Hostile directories (the sandbox's own mounts, /proc/1/root and
# /dev/fd/N behind a doubled '/', the slot trees, overlong paths) must
# neither put that symlink nor any directory outside the job: OUTSIDE is
# writable by anyone (the daemon's user too), the store holds only what the
# store makes. Run against this daemon (--user root: the sandbox's root is
# the host's), one started as root with no --user (it drops to nobody), and
# one started by an ordinary user.
cwd_attacks () {   # WHO PORT OUTSIDE STORE [SLOTS]
  local who=$1 port=$2 out=$3 store=$4 slots=${5:-} name reply leak secs n=0 bad=0 shape
  while IFS=$'\t' read -r name reply leak secs; do
    n=$((n + 1))
    local why=""
    [ -z "$(ls -A "$out")" ] || why="$why wrote-outside($(ls -A "$out" | tr '\n' ' '))"
    case $reply in DONE*|EROR*) ;; *) why="$why no-reply" ;; esac
    shape=$(python3 "$TOP/test/integration/hostile.py" store-shape - - "$store" remove)
    [ "$shape" = OK ] || why="$why store:$shape"
    if [ -n "$why" ]; then
      bad=$((bad + 1)); echo "# $who: $name -> ${reply:0:100} ($why)"
      rm -rf "${out:?}"/* 2>/dev/null
    fi
  done < <(timeout 900 python3 "$DRIVER" cwd 127.0.0.1 "$port" "$out" $slots)
  [ "$n" -ge 60 ] && [ "$bad" = 0 ] && ok "$who: $n hostile working directories, none put anything outside the job or in the store" \
    || not_ok "$who: $bad of $n hostile working directories put something outside the job or in the store"
}
CWD_OUT=$SCRATCH/cwd-outside
mkdir -p "$CWD_OUT"; chmod 1777 "$CWD_OUT"
cwd_attacks "as root (--user root)" "$PORT" "$CWD_OUT" "$STORE" "$(find "$TMPDIR" -maxdepth 2 -name slots -type d | head -1)"
check "the daemon still serves after the hostile working directories" alive

# Pump mode's builtin include dirs (SYSD) and implicit includes (PREI):
# the volunteer searches each SYSD at its place in the job's tree, so it
# must stay there, as a string and for the kernel: no climbing above "/"
# (before: /../../usr/include searched the volunteer's own headers), no
# ".." stepping back out of one of the manifest's symlinks (/l -> . made
# /l/l/l/../../.. climb out while the string stays inside), canonical
# otherwise; PREI a relative canonical name. A source includes <stdio.h>
# with no header in the manifest; each hostile frame must get EROR. Then
# the form clang++ sends (/usr/bin/../lib/gcc/T/12/../../../../include)
# compiles with the job's own stdio.h.
n=0; bad=0
while IFS=$'\t' read -r name reply expect secs; do
  n=$((n + 1))
  [[ $reply == "$expect"* ]] || { bad=$((bad + 1)); echo "# SYSD/PREI: $name -> $reply (wanted $expect)"; }
done < <(timeout 300 python3 "$DRIVER" sysd 127.0.0.1 "$PORT")
[ "$n" -ge 18 ] && [ "$bad" = 0 ] && ok "pump SYSD and PREI frames: $n requests, every hostile one refused, clang++'s form served" \
  || not_ok "pump SYSD and PREI frames: $bad of $n requests not answered as wanted"
check "the daemon still serves after the SYSD and PREI frames" alive

# The same rule for the paths of -I, -isystem, -idirafter, -iquote and
# -include (joined, separate, relative, long, inside -Wp and after
# -Xpreprocessor): before, each searched the volunteer's /usr/include.
n=0; bad=0
while IFS=$'\t' read -r name reply expect secs; do
  n=$((n + 1))
  [[ $reply == "$expect"* ]] || { bad=$((bad + 1)); echo "# path option: $name -> $reply (wanted $expect)"; }
done < <(timeout 300 python3 "$DRIVER" argpaths 127.0.0.1 "$PORT")
[ "$n" -ge 11 ] && [ "$bad" = 0 ] && ok "pump path options: $n requests, every one climbing out of the job refused, -I../inc served" \
  || not_ok "pump path options: $bad of $n requests not answered as wanted"
check "the daemon still serves after the path options" alive

# Bombs: an endless input is cut by a limit, not by the clock, and the
# daemon serves on. /dev/zero is not in the sandbox at all; /dev/urandom is
# (gcc seeds from it) and is bounded by --job-memory, here a second daemon
# with 256 MiB so that the test does not wait for the default 4 GiB.
bomb () {
  local name=$1 port=$2 file=$3 want=$4 got
  got=$(timeout 600 python3 - "$port" "$file" <<'PY'
import os, sys; sys.path.insert(0, os.environ["TOP"] + "/test/integration")
from isolation import send
r, seen, s = send("127.0.0.1", sys.argv[1], "pump", ["gcc", "-c", "a.c", "-o", "a.o"],
                  ('#include "%s"\n' % sys.argv[2]).encode())
err = b" ".join(seen).decode("utf-8", "replace").replace("\n", " ")
print("%s after %.0f s: %s" % (r, s, err[:200]))
PY
)
  if [[ $got == "DONE 1 "* && $got =~ $want ]] && alive; then ok "$name: $got; daemon serves on"
  else not_ok "$name: '$got' (wanted status 1 and /$want/)"; fi
}
export TOP
bomb "#include \"/dev/zero\" (not in the sandbox)" "$PORT" /dev/zero "No such file"
MAIN_PORT=$PORT MAIN_DPID=$DPID MAIN_DLOG=$DLOG
if start_distccd --jobs 1 --job-memory 256; then
  bomb "#include \"/dev/urandom\" (bounded by --job-memory 256)" "$PORT" /dev/urandom "memory"
else
  not_ok "a second distccd with --job-memory 256 starts"
fi
PORT=$MAIN_PORT DPID=$MAIN_DPID DLOG=$MAIN_DLOG

# Residue: a job never sees another slot's tree. Client A lays out a
# secret header in pump mode; B then asks for it by the host path of every
# slot tree (absolute and climbing).
SLOTS=$(find "$TMPDIR" -maxdepth 2 -name slots -type d | head -1)
residue=$(timeout 120 python3 - "$PORT" "$SLOTS" "$MARKER" <<'PY'
import os, sys
sys.path.insert(0, os.environ["TOP"] + "/test/integration")
from isolation import send, CLIMB
port, slots, marker = sys.argv[1], sys.argv[2], sys.argv[3].encode()
secret = b"int " + marker + b"_residue;\n"
r, _, _ = send("127.0.0.1", port, "pump", ["gcc", "-c", "a.c", "-o", "a.o"],
               b'#include "s2.h"\n', [("/w/s2.h", secret)])
leaks = []
for i in range(2):
    for p in (slots + "/tree-%d/w/s2.h" % i, CLIMB + slots.lstrip("/") + "/tree-%d/w/s2.h" % i,
              "../../tree-%d/w/s2.h" % i):
        for mode in ("pump", "plain"):
            r2, seen, _ = send("127.0.0.1", port, mode, ["gcc", "-c", "a.c", "-o", "a.o"],
                               ('#include "%s"\nint y;\n' % p).encode())
            if any(marker in x for x in seen):
                leaks.append(mode + ":" + p)
print("A=%s leaks=%s" % (r, " ".join(leaks) or "none"))
PY
)
[[ $residue == "A=DONE 0 /w/a.o leaks=none" ]] && ok "another client's tree is out of reach ($residue)" \
  || not_ok "another client's tree: $residue"

# The job's own host paths (doc/security.md, "What remains"): the compilers
# read /proc files as empty, so #include or .incbin of the sandbox's
# mountinfo, cmdline or environ brings back no byte naming the daemon's
# job directory (distccd-XXXXXX).
JOBDIR_NAME=$(basename "$(dirname "$SLOTS")")
procs=$(timeout 300 python3 - "$PORT" "$JOBDIR_NAME" <<'PY'
import os, sys
sys.path.insert(0, os.environ["TOP"] + "/test/integration")
from isolation import send
port, name = sys.argv[1], sys.argv[2].encode()
leaks, n = [], 0
for cc in ("gcc", "clang"):
    for f in ("/proc/self/mountinfo", "/proc/self/cmdline", "/proc/self/environ", "/proc/1/mountinfo"):
        for mode in ("pump", "plain"):
            for text in ('#include "%s"\nint y;\n' % f,
                         '__asm__(".section .rodata\\n.incbin \\"%s\\"\\n.text");\nint y;\n' % f):
                r, seen, _ = send("127.0.0.1", port, mode, [cc, "-c", "a.c", "-o", "a.o"], text.encode())
                n += 1
                if any(name in x for x in seen):
                    leaks.append("%s %s %s" % (cc, mode, f))
print("%d requests, leaks=%s" % (n, ", ".join(leaks) or "none"))
PY
)
[[ $JOBDIR_NAME == distccd-* && $procs == *" requests, leaks=none" ]] \
  && ok "/proc/self/mountinfo, cmdline, environ: nothing names the job directory $JOBDIR_NAME ($procs)" \
  || not_ok "/proc files name the job directory $JOBDIR_NAME: $procs"

# The result cache's key without the working directory, against the link
# that shows the directory: a text that computes an absolute path into its
# own checkout (__has_include of a macro, which the cache's text scan does
# not see) must not make the result depend on which checkout compiled
# first. A compiles in /a/src, then B in /b/src with the same files: B gets
# what B's own local build makes (here no /a/src exists).
GAP_SRC='#define P "/a/src/y.h"
#if __has_include(P)
int v_has = 1;
#else
int v_has = 0;
#endif'
if [ -e /a/src/y.h ]; then
  skip "result cache and the directory's link: /a/src/y.h exists on this machine"
else
  mkdir -p "$SCRATCH/b/src" && printf '%s\n' "$GAP_SRC" > "$SCRATCH/b/src/a.c" && : > "$SCRATCH/b/src/y.h"
  (cd "$SCRATCH/b/src" && gcc -c a.c -o local.o)
  gap=$(timeout 120 python3 - "$PORT" "$SCRATCH/b/src/a.c" "$SCRATCH/b/src/remote.o" <<'PY'
import os, sys; sys.path.insert(0, os.environ["TOP"] + "/test/integration")
from hostile import pump
from isolation import converse_raw
port, src, out = sys.argv[1], open(sys.argv[2], "rb").read(), sys.argv[3]
for cwd in ("/a/src", "/b/src"):
    top = "/" + cwd.split("/")[1]
    d, b = pump(["gcc", "-c", "a.c", "-o", "a.o"],
                [(1, top, None), (1, cwd, None), (0, cwd + "/a.c", src), (0, cwd + "/y.h", b"")], cwd=cwd)
    r, seen, _ = converse_raw("127.0.0.1", port, d, b)
    print(cwd, r)
open(out, "wb").write(seen[-1])
PY
)
  check "result cache: B in /b/src gets its own build's object, whoever compiled first ($(echo $gap))" \
    cmp -s "$SCRATCH/b/src/local.o" "$SCRATCH/b/src/remote.o"
fi

# A hit from another checkout names nothing of it: B compiles in a
# directory with a private name (a warning from a header, a dependency
# file), then A sends the same files from /a/src and gets B's result:
# its output names, messages and dependency file name A's directory only.
hits_before=$(grep -c "result cache hit" "$DLOG")
names=$(timeout 120 python3 - "$PORT" <<'PY'
import os, sys; sys.path.insert(0, os.environ["TOP"] + "/test/integration")
from hostile import pump
from isolation import converse_raw
port = sys.argv[1]
files = [("a.c", b'#include "inc/w.h"\nint a_names;\n'), ("inc/w.h", b'#warning from a header\nint w_names;\n')]
out = []
for cwd in ("/home/PRIVATE_NAME_B/src", "/a/src"):
    ents = [(1, cwd, None), (1, cwd + "/inc", None)] + [(0, cwd + "/" + n, t) for n, t in files]
    d, b = pump(["gcc", "-MD", "-c", "a.c", "-o", "a.o"], ents, cwd=cwd)
    r, seen, _ = converse_raw("127.0.0.1", port, d, b)
    out.append(r)
hit_bytes = b"".join(seen)
print("B: %s; A: %s; private name in A's reply: %s; warning in A's reply: %s"
      % (out[0], out[1], b"PRIVATE_NAME_B" in hit_bytes or "PRIVATE" in out[1], b"from a header" in hit_bytes))
PY
)
[[ $names == *"A: DONE 0 /a/src/a.d,/a/src/a.o; private name in A's reply: False; warning in A's reply: True"* ||
   $names == *"A: DONE 0 /a/src/a.o,/a/src/a.d; private name in A's reply: False; warning in A's reply: True"* ]] &&
  [ "$(grep -c "result cache hit" "$DLOG")" -gt "$hits_before" ] \
  && ok "result cache: a hit names nothing of the checkout that compiled it ($names)" \
  || not_ok "result cache: a hit from another checkout (a hit expected): $names"

# Two jobs in the same working directory at once: A's compile holds (a
# compiler wrapper, allowed through DISTCC_CMDLIST, waits for a release file
# in its own prefix, which the sandbox shows read-only) with a secret header
# in its tree, while B, in the same directory /w, asks for it by A's path
# (through its own /w link), by name, by every slot tree's host path and by
# climbing to it; then A is released and finishes with its own header.
# (The wrapper's prefix is outside /tmp: the sandbox's own /tmp would hide it.)
HELD=$(mktemp -d /var/tmp/dcc-held.XXXXXX)
trap 'cleanup; rm -rf "$HELD"' EXIT
mkdir -p "$HELD/bin"; chmod 755 "$HELD" "$HELD/bin"
cat > "$HELD/bin/heldgcc" <<WRAPPER
#!/bin/sh
for a in "\$@"; do
  case \$a in *slow.c) while [ ! -e "$HELD/release" ]; do sleep 0.05; done ;; esac
done
exec "$(readlink -f "$(command -v gcc)")" "\$@"
WRAPPER
chmod 755 "$HELD/bin/heldgcc"
echo "$HELD/bin/heldgcc" > "$SCRATCH/cmdlist"
if DISTCC_CMDLIST=$SCRATCH/cmdlist start_distccd --jobs 2; then
  timeout 300 python3 - "$PORT" "$MARKER" > "$SCRATCH/held-a" <<'PY' &
import os, sys; sys.path.insert(0, os.environ["TOP"] + "/test/integration")
from hostile import pump
from isolation import converse_raw
d, b = pump(["heldgcc", "-c", "slow.c", "-o", "slow.o"],
            [(1, "/w", None), (0, "/w/slow.c", b'#include "secret.h"\nint *p = &' + sys.argv[2].encode() + b'_a;\n'),
             (0, "/w/secret.h", b"int " + sys.argv[2].encode() + b"_a;\n")])
print(converse_raw("127.0.0.1", sys.argv[1], d, b, timeout=300)[0])
PY
  apid=$!
  if wait_log "$DLOG" "running in .*slow\.c"; then
    SLOTS2=$(sed -n 's|.*running in \(.*/slots\)/tree-[0-9]*/w: .*slow\.c.*|\1|p' "$DLOG" | head -1)
    concurrent=$(timeout 300 python3 - "$PORT" "$SLOTS2" "$MARKER" <<'PY'
import os, sys
sys.path.insert(0, os.environ["TOP"] + "/test/integration")
from isolation import send, CLIMB
port, slots, marker = sys.argv[1], sys.argv[2], sys.argv[3].encode()
paths = ["/w/secret.h", "secret.h"]
for i in range(2):
    paths += [slots + "/tree-%d/w/secret.h" % i, CLIMB + slots.lstrip("/") + "/tree-%d/w/secret.h" % i,
              "../../tree-%d/w/secret.h" % i]
leaks, n = [], 0
for p in paths:
    for mode in ("pump", "plain"):
        for text in ('#include "%s"\nint y;\n' % p,
                     '__asm__(".section .rodata\\n.incbin \\"%s\\"\\n.text");\nint y;\n' % p):
            r, seen, _ = send("127.0.0.1", port, mode, ["gcc", "-c", "a.c", "-o", "a.o"], text.encode())
            n += 1
            if any(marker in x for x in seen):
                leaks.append(mode + ":" + p)
print("%d requests, leaks=%s" % (n, " ".join(leaks) or "none"))
PY
)
    still_held () { ! [ -s "$SCRATCH/held-a" ]; }
    check "B's requests ran while A's compile was held" still_held
    [[ $concurrent == *" requests, leaks=none" ]] && ok "same working directory at once: B does not see A's tree ($concurrent)" \
      || not_ok "same working directory at once: $concurrent"
  else
    not_ok "A's compile started (held)"
  fi
  touch "$HELD/release"
  wait "$apid"
  check "A, released, compiled with its own header ($(cat "$SCRATCH/held-a"))" grep -q "^DONE 0 /w/slow.o$" "$SCRATCH/held-a"
else
  not_ok "a distccd with DISTCC_CMDLIST starts"
fi
PORT=$MAIN_PORT DPID=$MAIN_DPID DLOG=$MAIN_DLOG

# An innocent client after all of the above: pump build identical to local.
proj=$SCRATCH/proj
mkdir -p "$proj/inc"
printf '#define VALUE 41\n' > "$proj/inc/v.h"
printf '#include "v.h"\nint value (void) { return VALUE + 1; }\n' > "$proj/m.c"
(
  cd "$proj" || exit 1
  gcc -g -Iinc -c m.c -o local.o || exit 1
  export DISTCC_HOSTS="127.0.0.1:$PORT/2,cpp" DISTCC_LOG=$SCRATCH/victim.log
  "$BIN/pump" "$BIN/distcc" gcc -g -Iinc -c m.c -o remote.o 2> "$SCRATCH/victim.err" || exit 1
)
check "victim's pump compile ran remotely" grep -q "result: remote" "$SCRATCH/victim.log"
check "victim's object is identical to a local build" cmp -s "$proj/local.o" "$proj/remote.o"

# The same working directories against volunteers started as users start
# them: as root with no --user (it drops to nobody), and by an ordinary
# user (nobody here). Each has a store of its own, owned by that user.
for who in root-drops nobody; do
  st=$SCRATCH/store-$who
  mkdir -p "$st" && chown nobody: "$st"
  if [ "$(id -u)" != 0 ]; then skip "$who: needs root to start it"; continue; fi
  if [ $who = nobody ]; then
    if tree_unreachable_by nobody; then skip "as an ordinary user: the build tree is not readable by nobody"; continue; fi
    PORT=$(free_port) DLOG=$SCRATCH/distccd-nobody.log
    : > "$DLOG"; chown nobody: "$DLOG"
    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups env HOME=/nonexistent \
      "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$PORT" --allow 127.0.0.1 \
      --log-file "$DLOG" --log-level debug --cache-dir "$st" &
    DPID=$!; DAEMON_PIDS+=("$DPID")
    wait_port "$PORT" "$DPID" && wait_ready_log "$DLOG" "$DPID" || { not_ok "distccd as nobody starts"; continue; }
  else
    start_distccd_stock --cache-dir "$st" || { not_ok "distccd as root without --user starts"; continue; }
    check "as root without --user, it runs as nobody" grep -q "running as nobody" "$DLOG"
  fi
  cwd_attacks "$who" "$PORT" "$CWD_OUT" "$st"
  check "$who: the daemon still serves" test "$(timeout 60 python3 "$TOP/test/integration/hostile.py" good 127.0.0.1 "$PORT")" = "DONE 0 /w/a.o"
done
PORT=$MAIN_PORT DPID=$MAIN_DPID DLOG=$MAIN_DLOG

# Without namespaces distccd refuses to start, and says why and what to do.
if command -v unshare >/dev/null && [ "$(id -u)" = 0 ]; then
  p=$(free_port)
  # A user namespace whose max_user_namespaces is 0 inside: no sandbox.
  err=$(timeout 30 unshare -U --map-root-user sh -c 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"' sh \
          "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$p" --allow 127.0.0.1 \
          --log-stderr --user root --cache-dir "$SCRATCH/c-nons" 2>&1)
  if [[ $err == *"cannot isolate compiles"*"--no-sandbox"* ]]; then ok "without namespaces: refuses to start, names --no-sandbox"
  else skip "without namespaces: could not take namespaces away here ($err)"; fi
else
  skip "without namespaces: needs root and unshare"
fi
finish
