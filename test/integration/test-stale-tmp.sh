#!/usr/bin/env bash
# A distccd killed with SIGKILL leaves its directory (slot trees, job
# directories) in TMPDIR; the next distccd of the same user removes it,
# and says so, while a live daemon's directory and another user's stay.
source "$(dirname "$0")/lib.sh"

proj=$SCRATCH/proj; mkdir -p "$proj"
# (A source of its own: a result-cache hit in the shared store would lay
# out no slot tree.)
printf '#include "h.h"\nint f_%s (void) { return H; }\n' "$$" > "$proj/a.c"
printf '#define H 3\n' > "$proj/h.h"

# distccd_dirs: this test's distccd-XXXXXX directories.
distccd_dirs () { find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'distccd-??????' | sort; }

start_distccd_stock --jobs 1 || { not_ok "distccd starts"; finish; exit 1; }
(cd "$proj" && DISTCC_HOSTS="127.0.0.1:$PORT/1,cpp" "$BIN/pump" "$BIN/distcc" gcc -c a.c -o a.o 2>/dev/null)
first=$(distccd_dirs)
check "the first daemon's directory exists (${first:-none})" test -n "$first" -a -d "$first"
check "it names its owner" test -s "$first/owner"
kill -9 "$DPID"; wait_gone "$DPID"
check "killed with SIGKILL, it leaves its directory" test -d "$first"

# A directory of a daemon that still runs, and one that is not ours.
start_distccd_stock --jobs 1 || { not_ok "a second distccd starts"; finish; exit 1; }
LIVE=$DPID
live=$(distccd_dirs | grep -vxF "$first")
# (As root without --user the daemons run as distcc or nobody: "daemon"
# is another user.)
if id daemon > /dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  other=$TMPDIR/distccd-zzzzzz; mkdir "$other"; echo "999999999 1" > "$other/owner"; chown -R daemon "$other"
fi
# One whose owner is in another PID namespace (a container sharing the
# directory): its PID means nothing here, so it is not known gone.
runs_as=$(sed -n 's/.*file store .*, running as \([^ ]*\)$/\1/p' "$DLOG" | head -1)
foreign=$TMPDIR/distccd-nsnsns; mkdir "$foreign"; echo "999999999 1 pid:[1]" > "$foreign/owner"
[ -n "$runs_as" ] && chown -R "$runs_as" "$foreign"
start_distccd_stock --jobs 1 || { not_ok "a third distccd starts"; finish; exit 1; }
check "the next daemon removed the dead one's directory" test ! -e "$first"
check "and said so" grep -q "removed $first, which a distccd that is gone left behind" "$SCRATCH"/distccd-*.log
check "a live daemon's directory stays ($live)" test -n "$live" -a -d "$live"
if [ -n "${other:-}" ]; then
  check "another user's directory stays" test -d "$other"
else
  skip "another user's directory (needs root)"
fi
check "a directory whose owner is in another PID namespace stays (user ${runs_as:-?})" test -d "$foreign"
check "the live daemon still serves" kill -0 "$LIVE"
finish
