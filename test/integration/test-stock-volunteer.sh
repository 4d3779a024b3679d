#!/usr/bin/env bash
# Our client against Debian's stock distccd (distcc 3.4): the client notices
# that the volunteer speaks the stock protocol (it closes the connection on
# our first frame), compiles in protocol 1 (plain) or 2 (",lzo"), and
# remembers it in DISTCC_DIR. Objects identical to a local build. Also one
# make -j over hosts of both kinds: every compile remote.
source "$(dirname "$0")/lib.sh"

STOCKD=/usr/bin/distccd
if [ ! -x $STOCKD ]; then
  skip "Debian's distcc is not installed (apt-get install distcc)"; finish; exit 0
fi

proj=$SCRATCH/proj
stock_project "$proj"

# build_with DIR CC... [DBG=...]: the project built with the command CC...
# (DBG: extra compiler options); see build_project (lib.sh).
build_with () {
  local dir=$1; shift
  local dbg=
  case "${*: -1}" in DBG=*) dbg=${*: -1}; set -- "${@:1:$#-1}";; esac
  build_project "$proj" "$dir" "$*" g++ $dbg
}
same_objects () {
  for n in 1 2 3 4 5 6; do
    cmp -s "$1/s$n.o" "$2/s$n.o" && cmp -s "$1/s$n.d" "$2/s$n.d" || return 1
  done
}
count_results () { grep -c "result: $2 " "$1" 2>/dev/null || true; }

build_with "$SCRATCH/local" gcc
start_debian_distccd || { not_ok "stock distccd starts"; finish; exit 1; }
STOCKD_PID=${DAEMON_PIDS[${#DAEMON_PIDS[@]}-1]}
ok "stock distccd starts on 127.0.0.1:$SPORT"

for variant in ",lzo:2" ":1"; do
  opt=${variant%%:*}; proto=${variant#*:}
  rm -rf "$DISTCC_DIR/hosts.d" "$SCRATCH/c.log"
  DISTCC_HOSTS="127.0.0.1:$SPORT/4$opt" DISTCC_LOG="$SCRATCH/c.log" build_with "$SCRATCH/p$proto" "$BIN/distcc" gcc
  check "protocol $proto: all 6 compiles remote in the stock protocol (got $(grep -c 'result: remote.*mode=stock' "$SCRATCH/c.log"))" \
    test "$(grep -c 'result: remote.*mode=stock' "$SCRATCH/c.log")" = 6
  check "protocol $proto: objects and .d files identical to a local build" same_objects "$SCRATCH/p$proto" "$SCRATCH/local"
  check "protocol $proto: nothing on stderr" test ! -s "$SCRATCH/p$proto/stderr"
  check "protocol $proto: the host is remembered as stock" grep -q '^stock' "$DISTCC_DIR/hosts.d/127.0.0.1_$SPORT"
done

# -g: the columns it records are shifted by the client's full
# preprocessing, so -g compiles stay local against a stock volunteer.
build_with "$SCRATCH/local-g" gcc DBG=-g
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$SPORT/4,lzo" DISTCC_LOG="$SCRATCH/c.log" build_with "$SCRATCH/g" "$BIN/distcc" gcc DBG=-g
check "-g against a stock volunteer: local (got $(count_results "$SCRATCH/c.log" local))" \
  test "$(count_results "$SCRATCH/c.log" local)" = 6
check "-g against a stock volunteer: the reason says why" grep -q 'reason="-g records columns' "$SCRATCH/c.log"
check "-g against a stock volunteer: identical" same_objects "$SCRATCH/g" "$SCRATCH/local-g"
check "-g against a stock volunteer: said once on stderr for the 6 compiles ($(grep -c 'said once per build' "$SCRATCH/g/stderr"))" \
  test "$(grep -c -- '-g records columns that full preprocessing shifts; a stock volunteer cannot keep them (ours can); compiling locally (said once per build)' "$SCRATCH/g/stderr")" = 1
# -pedantic: plain mode keeps it local (the volunteer would compile text
# with line markers as source), but a stock volunteer compiles a .i file,
# which gcc -pedantic takes as it is: remote, same objects, same warnings.
build_with "$SCRATCH/local-ped" gcc DBG=-pedantic
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$SPORT/4,lzo" DISTCC_LOG="$SCRATCH/c.log" build_with "$SCRATCH/ped" "$BIN/distcc" gcc DBG=-pedantic
check "-pedantic against a stock volunteer: remote (got $(count_results "$SCRATCH/c.log" remote))" \
  test "$(count_results "$SCRATCH/c.log" remote)" = 6
check "-pedantic against a stock volunteer: identical" same_objects "$SCRATCH/ped" "$SCRATCH/local-ped"
check "-pedantic against a stock volunteer: the same stderr as the local build" \
  cmp -s "$SCRATCH/ped/stderr" "$SCRATCH/local-ped/stderr"
check "stock distccd ran the jobs" grep -q 'job complete' "$SLOG"
check "stock distccd was asked for x86_64-linux-gnu-gcc" grep -q 'x86_64-linux-gnu-gcc' "$SLOG"

# Remembered: a second build makes no failed attempt in our protocol.
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$SPORT/4,lzo" DISTCC_LOG="$SCRATCH/c.log" DISTCC_VERBOSE=1 \
  build_with "$SCRATCH/again" "$BIN/distcc" gcc
check "second build: all remote" test "$(grep -c 'result: remote.*mode=stock' "$SCRATCH/c.log")" = 6
check "second build: no attempt in our protocol" sh -c "! grep -q 'trying the stock distcc protocol' '$SCRATCH/c.log'"
check "second build: identical" same_objects "$SCRATCH/again" "$SCRATCH/local"

# One make -j over a DISTCC_HOSTS mixing our distccd and the stock one.
start_distccd || not_ok "our distccd starts"
rm -rf "$DISTCC_DIR/hosts.d" "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$PORT/2 127.0.0.1:$SPORT/2,lzo" DISTCC_LOG="$SCRATCH/c.log" \
  build_with "$SCRATCH/mixed" "$BIN/distcc" gcc
check "mixed hosts: all 6 compiles remote (got $(count_results "$SCRATCH/c.log" remote))" \
  test "$(count_results "$SCRATCH/c.log" remote)" = 6
check "mixed hosts: our volunteer used in our protocol" grep -q "result: remote host=127.0.0.1:$PORT mode=plain" "$SCRATCH/c.log"
check "mixed hosts: the stock volunteer used in the stock protocol" grep -q "result: remote host=127.0.0.1:$SPORT mode=stock" "$SCRATCH/c.log"
check "mixed hosts: identical" same_objects "$SCRATCH/mixed" "$SCRATCH/local"
# -g over the same hosts: a compile a stock volunteer cannot take waits for
# a slot of ours instead of taking the stock host's and running here (about
# half ran here before).
rm -f "$SCRATCH/c.log"
DISTCC_HOSTS="127.0.0.1:$PORT/2 127.0.0.1:$SPORT/2,lzo" DISTCC_LOG="$SCRATCH/c.log" \
  build_with "$SCRATCH/mixed-g" "$BIN/distcc" gcc DBG=-g
check "mixed hosts, -g: all 6 compiles remote on ours (got $(grep -c "result: remote host=127.0.0.1:$PORT " "$SCRATCH/c.log"))" \
  test "$(grep -c "result: remote host=127.0.0.1:$PORT " "$SCRATCH/c.log")" = 6
check "mixed hosts, -g: identical" same_objects "$SCRATCH/mixed-g" "$SCRATCH/local-g"
check "mixed hosts, -g: nothing said on stderr" test ! -s "$SCRATCH/mixed-g/stderr"

DISTCC_HOSTS="127.0.0.1:$PORT/2 127.0.0.1:$SPORT/4,lzo" DISTCC_VERBOSE=1 "$BIN/distcc" --show-hosts> "$SCRATCH/show.out" 2>&1
check "--show-hosts (verbose) says ours and the identity agreed" \
  grep -q "127.0.0.1:$PORT/2 protocol=ours identity=\"gcc " "$SCRATCH/show.out"
check "--show-hosts (verbose) says stock and what was sent" \
  grep -q "127.0.0.1:$SPORT/4,lzo protocol=stock identity=not-checked.*x86_64-linux-gnu-gcc" "$SCRATCH/show.out"
sed "s/^/# /" "$SCRATCH/show.out"

# The stock record is renewed only when ours is asked again, never by use:
# a record 4 minutes old (within its 5) is used and stays 4 minutes old.
rec=$DISTCC_DIR/hosts.d/127.0.0.1_$SPORT
touch -d '-4 min' "$rec"
DISTCC_HOSTS="127.0.0.1:$SPORT/4,lzo" DISTCC_LOG="$SCRATCH/use.log" build_with "$SCRATCH/use" "$BIN/distcc" gcc
check "a stock record in use: the compiles go to it in the stock protocol" \
  test "$(grep -c 'result: remote.*mode=stock' "$SCRATCH/use.log")" = 6
age=$(( $(date +%s) - $(stat -c %Y "$rec") ))
check "a stock record in use is not renewed (${age} s old)" test "$age" -ge 230
# Our distccd replaces the stock one on the same port: once the record is
# past its 5 minutes, the next compile asks in our protocol and uses it.
kill "$STOCKD_PID"; wait_gone "$STOCKD_PID"
start_distccd_on "$SPORT" || not_ok "our distccd starts on the stock one's port"
touch -d '-6 min' "$rec"
DISTCC_HOSTS="127.0.0.1:$SPORT/4,lzo" DISTCC_LOG="$SCRATCH/up.log" build_with "$SCRATCH/up" "$BIN/distcc" gcc DBG=-g
check "a volunteer upgraded in place: -g compiles go to it in our protocol (got $(grep -c 'result: remote.*mode=plain' "$SCRATCH/up.log"))" \
  test "$(grep -c 'result: remote.*mode=plain' "$SCRATCH/up.log")" = 6
check "a volunteer upgraded in place: identical" same_objects "$SCRATCH/up" "$SCRATCH/local-g"
check "a volunteer upgraded in place: remembered as ours" grep -q '^ours' "$rec"

finish
