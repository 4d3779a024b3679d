#!/bin/bash
# hit-cost.sh: the CPU one pump-mode compile costs each party when the
# volunteer answers it from its result cache (issue 20: "client CPU above
# the floor per compile"). One volunteer on loopback, started as root with
# no options but --allow and --port (the defaults a user gets), our pump
# around the compiles, and kernel translation units with their exact
# commands. See README, "Cost of one hit".
#
#   test/bench/hit-cost.sh [--units N] [--passes P] [--par J] [--no-result-cache]
#
# Every unit is compiled once to warm the stores and the result cache, then
# P more passes are measured. CPU comes from cgroup v2 cpu.stat (the
# client's distcc processes, the include server, the volunteer with its
# workers), divided by the compiles measured. The floor beside it: the
# same number of execs of cp copying each object into place, which is the
# least a build step that produces an object costs the client.
#
# Needs root, our bin/ (./configure && make) and the cluster benchmark's
# unit list (cluster.sh makes it: /var/tmp/dcc-cluster/sim/units.tsv, the
# tree at /var/tmp/dcc-cluster/tree).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CG=$here/cgroup-cpu.sh
W=${DCC_CLUSTER_DIR:-/var/tmp/dcc-cluster}
UNITS=40
PASSES=3
PAR=1
DOPTS=
COMPILER=x86_64-linux-gnu-gcc

while [ $# -gt 0 ]; do
  case "$1" in
    --units) UNITS=$2; shift ;;
    --passes) PASSES=$2; shift ;;
    --par) PAR=$2; shift ;;
    --no-result-cache) DOPTS=--no-result-cache ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "hit-cost.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

die () { echo "hit-cost.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (cgroups, a volunteer as distributions start it)"
[ -s "$W/sim/units.tsv" ] && [ -d "$W/tree" ] || die "no unit list: run cluster.sh --quick once"
[ -x "$top/bin/distccd" ] || die "build first: ./configure && make"

S=$(mktemp -d /tmp/dcc-hit-cost.XXXXXX)
groups="dcchit-cli dcchit-is dcchit-srv"
cleanup () {
  [ -s "$S/d.pid" ] && kill "$(cat "$S/d.pid")" 2>/dev/null || true
  DISTCC_DIR=$S/dd "$top/bin/pump" --shutdown >/dev/null 2>&1 || true
  for g in $groups; do "$CG" remove "$g" 2>/dev/null || true; done
  rm -rf "$S"
}
trap cleanup EXIT
for g in $groups; do "$CG" remove "$g" 2>/dev/null || true; "$CG" create "$g"; done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086
"$CG" exec dcchit-srv "$top/bin/distccd" --no-detach --daemon --port "$port" --allow 127.0.0.1 \
  --log-file "$S/d.log" --pid-file "$S/d.pid" $DOPTS </dev/null >/dev/null 2>&1 &
for _ in $(seq 300); do
  [ -s "$S/d.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "the volunteer did not start: $(cat "$S/d.log")"

export DISTCC_HOSTS="127.0.0.1:$port/$((4 * PAR)),cpp,lzo" DISTCC_DIR=$S/dd DISTCC_LOG=$S/c.log
eval "$("$CG" exec dcchit-is "$top/bin/pump" --startup </dev/null 2>/dev/null)"
[ -n "${INCLUDE_SERVER_PORT:-}" ] || die "pump --startup failed"

head -n "$UNITS" "$W/sim/units.tsv" > "$S/units.tsv"
mkdir -p "$S/out"
cd "$W/tree"

# pass WHAT J: every unit once, through distcc (WHAT=distcc) or as a cp of
# the object the warm-up made (WHAT=floor); J names the output directory.
pass () {
  local what=$1 j=$2 src args k
  mkdir -p "$S/out/$j"
  while IFS=$'\t' read -r src args; do
    k=${src//\//_}
    if [ "$what" = floor ]; then
      "$CG" exec dcchit-cli cp "$S/out/0/$k.o" "$S/out/$j/$k.o"
    else
      # The arguments carry the kernel's own shell quoting (-DKBUILD_...='"x"').
      eval "\"$CG\" exec dcchit-cli \"$top/bin/distcc\" $COMPILER $args -c $src -o \"$S/out/$j/$k.o\"" </dev/null
    fi
  done < "$S/units.tsv"
}

pass distcc 0
for j in $(seq "$PAR"); do pass distcc "w$j"; done   # every output name seen once
usage () { "$CG" usage "$1"; }
measure () {
  local what=$1 c0 i0 s0
  c0=$(usage dcchit-cli); i0=$(usage dcchit-is); s0=$(usage dcchit-srv)
  local pids=""
  for j in $(seq "$PAR"); do
    (for p in $(seq "$PASSES"); do pass "$what" "w$j"; done) & pids="$pids $!"
  done
  # shellcheck disable=SC2086
  wait $pids
  local n=$((UNITS * PASSES * PAR))
  awk -v n="$n" -v c="$(( $(usage dcchit-cli) - c0 ))" -v i="$(( $(usage dcchit-is) - i0 ))" \
      -v s="$(( $(usage dcchit-srv) - s0 ))" -v w="$what" \
      'BEGIN { printf "%-7s %5d compiles  client %6.2f ms  include server %5.2f ms  volunteer %6.2f ms  per compile\n",
               w, n, c / n / 1000, i / n / 1000, s / n / 1000 }'
}
echo "ours: $(git -C "$top" rev-parse --short HEAD), $UNITS units x $PASSES passes x $PAR in parallel, volunteer options: ${DOPTS:-none}, load $(cut -d' ' -f1 /proc/loadavg)"
measure floor
measure distcc
measure floor
echo "remote results in the client log: $(grep -c 'result: remote' "$S/c.log"), of them result-cache hits: $(grep -c 'cache=hit' "$S/c.log"); load $(cut -d' ' -f1 /proc/loadavg)"
