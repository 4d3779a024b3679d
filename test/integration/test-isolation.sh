#!/usr/bin/env bash
# Isolation of a shared volunteer (doc/security.md, "Isolation"): a hostile
# client, speaking doc/protocol.md by hand (isolation.py), asks in plain and
# pump mode, with gcc and clang, for compiles that write outside their job
# (-o, -MF, -save-temps, -time=, -fproc-stat-report= climbing out, -MF over
# a store object), read outside it (#include, -include, -I, -iprefix and
# .incbin of a secret file by absolute and climbing paths, /etc/passwd,
# another slot's tree), or exhaust it (/dev/zero, /dev/urandom). For each:
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
