#!/usr/bin/env bash
# The client against a volunteer that lies (issue 13, item 6): a fake
# volunteer (fake-volunteer.py, doc/protocol.md by hand) replies status 0
# without the object, with an extra output named like the user's header,
# with a path through "..", or without a side output the command line asks
# for. Each time bin/distcc must compile locally with one warning on
# stderr, leave the user's other files untouched, and produce what a local
# build produces.
source "$(dirname "$0")/lib.sh"

FAKE=$TOP/test/integration/fake-volunteer.py
P=$SCRATCH/proj
REF=$SCRATCH/ref
mkdir -p "$P/sub" "$REF"
cat > "$P/x.c" <<'EOF'
#include "x.h"
int twice (int v) { int a[8] = { v }; return X * a[0]; }
EOF
echo '#define X 2' > "$P/x.h"
cp "$P/x.h" "$REF/x.h.orig"
echo 'int unrelated;' > "$P/sub/y.h"
cp "$P/sub/y.h" "$REF/y.h.orig"
echo 'not an object' > "$REF/bogus.o"

# The local builds every case must match, made in place with the same
# command lines (the .dwo name and the .su lines depend on them).
(cd "$P" && gcc -c x.c -o x.o && mv x.o "$REF/x.o" \
   && gcc -c x.c -o su.o -fstack-usage && mv su.o su.su "$REF/" \
   && gcc -c x.c -o dw.o -g -gsplit-dwarf && mv dw.o dw.dwo "$REF/") \
  || { not_ok "local reference build"; finish; exit 1; }

FAKE_PIDS=()
# fake STATUS OUTPUTS...: starts a fake volunteer, sets FPORT.
fake () {
  local pf=$SCRATCH/fake.$RANDOM.port
  python3 "$FAKE" "$pf" "$@" &
  FAKE_PIDS+=($!); DAEMON_PIDS+=($!)
  for _ in $(seq 200); do [ -s "$pf" ] && break; sleep 0.05; done
  FPORT=$(cat "$pf" 2>/dev/null)
  FREQ=$pf.requests
  [ -n "$FPORT" ]
}

# client NAME ARGS...: runs bin/distcc gcc ARGS in $P against the fake with
# a fresh DISTCC_DIR; sets RC, ERR (stderr), RESULT (from a second log).
client () {
  local name=$1; shift
  export DISTCC_DIR=$SCRATCH/dd-$name
  mkdir -p "$DISTCC_DIR"
  (cd "$P" && DISTCC_HOSTS="127.0.0.1:$FPORT/1" "$BIN/distcc" gcc "$@") 2> "$SCRATCH/$name.err"
  RC=$?
  ERR=$(cat "$SCRATCH/$name.err")
  RESULT=$(grep -o 'result: [a-z-]*' "$DISTCC_DIR"/*.log 2>/dev/null | tail -1)
}

untouched () { cmp -s "$P/x.h" "$REF/x.h.orig" && cmp -s "$P/sub/y.h" "$REF/y.h.orig" \
               && [ ! -e "$SCRATCH/x.h" ] && [ ! -e "$P/sub/x.h" ]; }
one_warning () { [ "$(printf '%s\n' "$ERR" | grep -c .)" = 1 ] && [[ $ERR == *"$1"* ]]; }

# case NAME WARNING-TEXT CHECKS...: one TAP line per case.
verdict () {
  local name=$1 why=$2
  if [ -z "$why" ]; then ok "$name"; else
    not_ok "$name (failed:$why; rc $RC; stderr: $(printf '%s' "$ERR" | head -c 300 | tr '\n' '|'))"
  fi
}

# --- Sanity: the fake volunteer is believed when it returns what the
# command line names (so the cases below fail for the right reason). ---
fake 0 "$P/x.o=$REF/x.o" || { not_ok "fake volunteer starts"; finish; exit 1; }
rm -f "$P/x.o"
client good -c x.c -o x.o
why=""; [ "$RC" = 0 ] || why="$why exit"; [ -z "$ERR" ] || why="$why stderr"
cmp -s "$P/x.o" "$REF/x.o" || why="$why object"
grep -q -- "-c x.c -o x.o" "$FREQ" 2>/dev/null || why="$why fake-not-asked"
verdict "sanity: a truthful reply is used as is (remote, no warning)" "$why"

# --- Status 0 without the object, over a stale object: compiled locally. ---
fake 0
cp "$REF/bogus.o" "$P/x.o"
client noobj -c x.c -o x.o
why=""; [ "$RC" = 0 ] || why="$why exit"
one_warning "without the output $P/x.o" || why="$why warning"
cmp -s "$P/x.o" "$REF/x.o" || why="$why object-differs-from-local"
grep -q . "$FREQ" 2>/dev/null || why="$why fake-not-asked"
untouched || why="$why user-files"
verdict "status 0 without the object: compiled locally, one warning, object = local build" "$why"

# --- An extra output named like the user's header (x.h beside x.c). ---
fake 0 "$P/x.o=$REF/bogus.o" "$P/x.h:#error planted by the volunteer"
rm -f "$P/x.o"
client extra -c x.c -o x.o
why=""; [ "$RC" = 0 ] || why="$why exit"
one_warning "does not name: $P/x.h" || why="$why warning"
cmp -s "$P/x.o" "$REF/x.o" || why="$why object-differs-from-local"
untouched || why="$why user-header-overwritten"
verdict "extra output x.h beside the source: refused, x.h untouched, compiled locally" "$why"

# --- An output path climbing with "..": sub/../x.h, and ../x.h. ---
for bad in "$P/sub/../x.h" "$P/../x.h" "$P/sub/../x.o"; do
  fake 0 "$P/x.o=$REF/bogus.o" "$bad:int planted;"
  rm -f "$P/x.o"
  client dotdot -c x.c -o x.o
  why=""; [ "$RC" = 0 ] || why="$why exit"
  one_warning "does not name: $bad" || why="$why warning"
  cmp -s "$P/x.o" "$REF/x.o" || why="$why object-differs-from-local"
  untouched || why="$why user-files"
  verdict "output path $bad: refused, nothing written, compiled locally" "$why"
done

# --- A side output the command line asks for is missing: -fstack-usage
# (.su), -gsplit-dwarf (.dwo). ---
fake 0 "$P/su.o=$REF/su.o"
rm -f "$P/su.o" "$P/su.su"
client nosu -c x.c -o su.o -fstack-usage
why=""; [ "$RC" = 0 ] || why="$why exit"
one_warning "without the output $P/su.su" || why="$why warning"
cmp -s "$P/su.o" "$REF/su.o" || why="$why object"
cmp -s "$P/su.su" "$REF/su.su" || why="$why su-differs-from-local"
verdict "-fstack-usage reply without the .su: compiled locally, .su = local build" "$why"

fake 0 "$P/dw.o=$REF/dw.o"
rm -f "$P/dw.o" "$P/dw.dwo"
client nodwo -c x.c -o dw.o -g -gsplit-dwarf
why=""; [ "$RC" = 0 ] || why="$why exit"
one_warning "without the output $P/dw.dwo" || why="$why warning"
cmp -s "$P/dw.o" "$REF/dw.o" || why="$why object"
cmp -s "$P/dw.dwo" "$REF/dw.dwo" || why="$why dwo-differs-from-local"
verdict "-gsplit-dwarf reply without the .dwo: compiled locally, .dwo = local build" "$why"

# --- Plain mode: the client's preprocessing writes the .d, so a reply with
# only the object is complete, and one that brings a .d is refused. ---
fake 0 "$P/x.o=$REF/x.o"
rm -f "$P/x.o" "$P/x.d"
client plaind -c x.c -o x.o -MD
why=""; [ "$RC" = 0 ] || why="$why exit"; [ -z "$ERR" ] || why="$why stderr"
cmp -s "$P/x.o" "$REF/x.o" || why="$why object"
grep -q 'x.h' "$P/x.d" 2>/dev/null || why="$why no-local-depfile"
verdict "plain mode -MD: the object alone is a complete reply; .d made by the client" "$why"

fake 0 "$P/x.o=$REF/x.o" "$P/x.d:x.o: /etc/planted"
rm -f "$P/x.o" "$P/x.d"
client plaind2 -c x.c -o x.o -MD
why=""; [ "$RC" = 0 ] || why="$why exit"
one_warning "does not name: $P/x.d" || why="$why warning"
grep -q planted "$P/x.d" 2>/dev/null && why="$why depfile-from-volunteer"
grep -q 'x.h' "$P/x.d" 2>/dev/null || why="$why no-local-depfile"
verdict "plain mode -MD: a .d from the volunteer is refused, the local one kept" "$why"

# --- Pump mode: a NEED that lists the source's content 2000 times. Each
# repeat was read, hashed and compressed again (a volunteer could make the
# client allocate gigabytes); now refused at once. ---
FAKE_NEED_REPEAT=2000 fake 0 "$P/x.o=$REF/bogus.o"
export DISTCC_DIR=$SCRATCH/dd-needdup; mkdir -p "$DISTCC_DIR"
rm -f "$P/x.o"
(cd "$P" && DISTCC_HOSTS="127.0.0.1:$FPORT/1,cpp" "$BIN/pump" "$BIN/distcc" gcc -c x.c -o x.o) 2> "$SCRATCH/needdup.err"
RC=$?; ERR=$(grep -v '^ \|build summary' "$SCRATCH/needdup.err")
why=""; [ "$RC" = 0 ] || why="$why exit"
one_warning "volunteer asked for a hash not in the manifest, or twice" || why="$why warning"
cmp -s "$P/x.o" "$REF/x.o" || why="$why object-differs-from-local"
verdict "pump: NEED listing one content 2000 times: refused, compiled locally, one warning" "$why"

# --- With DISTCC_LOG the same refusal is logged as a fallback, and
# DISTCC_FALLBACK=0 turns it into a failure rather than a wrong file. ---
fake 0 "$P/x.o=$REF/bogus.o" "$P/x.h:#error planted"
export DISTCC_DIR=$SCRATCH/dd-log; mkdir -p "$DISTCC_DIR"
(cd "$P" && DISTCC_HOSTS="127.0.0.1:$FPORT/1" DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc -c x.c -o x.o)
check "DISTCC_LOG: the refusal is logged as 'result: fallback'" test "$(result_of "$SCRATCH/c.log")" = fallback
export DISTCC_DIR=$SCRATCH/dd-nofb; mkdir -p "$DISTCC_DIR"
rm -f "$P/x.o"
(cd "$P" && DISTCC_HOSTS="127.0.0.1:$FPORT/1" DISTCC_FALLBACK=0 "$BIN/distcc" gcc -c x.c -o x.o 2>/dev/null)
rc=$?
check "DISTCC_FALLBACK=0: the refusal fails the compile (rc $rc) and writes nothing" \
  eval '[ "$rc" != 0 ] && [ ! -e "$P/x.o" ] && untouched'

finish
