#!/bin/bash
# hit-cost.sh: the CPU one pump-mode compile costs each party when the
# volunteer answers it from its result cache (issue 20: "client CPU above
# the floor per compile"). One volunteer on loopback, started as root with
# no options but --allow and --port (the defaults a user gets), our pump
# around the compiles, and kernel translation units with their exact
# commands. See README, "Cost of one hit".
#
#   test/bench/hit-cost.sh [--units N] [--passes P] [--par J] [--no-result-cache]
#                          [--before TREE] [--rounds R]
#
# Every unit is compiled once to warm the stores and the result cache, then
# P more passes are measured. CPU comes from cgroup v2 cpu.stat (the
# client's distcc processes, the include server, the volunteer with its
# workers), divided by the compiles measured. The floor beside it: the
# same number of execs of cp copying each object into place, which is the
# least a build step that produces an object costs the client.
#
# --before TREE measures another built checkout (e.g. a worktree of the
# previous commit) in the same run: its distcc against its own distccd
# (cgroups dcchit-cli-b, dcchit-srv-b; the include server is this tree's),
# each volunteer then with a store of its own in the scratch directory. The
# passes take turns (floor, this tree, TREE) for R rounds (default 1), and
# the last lines give each party's median over the rounds.
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
BEFORE=
ROUNDS=1
COMPILER=x86_64-linux-gnu-gcc

while [ $# -gt 0 ]; do
  case "$1" in
    --units) UNITS=$2; shift ;;
    --passes) PASSES=$2; shift ;;
    --par) PAR=$2; shift ;;
    --no-result-cache) DOPTS=--no-result-cache ;;
    --before) BEFORE=$(cd "$2" && pwd); shift ;;
    --rounds) ROUNDS=$2; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "hit-cost.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

die () { echo "hit-cost.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (cgroups, a volunteer as distributions start it)"
[ -s "$W/sim/units.tsv" ] && [ -d "$W/tree" ] || die "no unit list: run cluster.sh --quick once"
[ -x "$top/bin/distccd" ] || die "build first: ./configure && make"
[ -z "$BEFORE" ] || [ -x "$BEFORE/bin/distccd" ] || die "--before $BEFORE: no bin/distccd there (build it first)"

S=$(mktemp -d /tmp/dcc-hit-cost.XXXXXX)
groups="dcchit-cli dcchit-is dcchit-srv"
[ -z "$BEFORE" ] || groups="$groups dcchit-cli-b dcchit-srv-b"
cleanup () {
  for p in "$S/d.pid" "$S/d-b.pid"; do [ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
  sleep 0.5
  DISTCC_DIR=$S/dd "$top/bin/pump" --shutdown >/dev/null 2>&1 || true
  for g in $groups; do "$CG" remove "$g" 2>/dev/null || true; done
  rm -rf "$S"
}
trap cleanup EXIT
for g in $groups; do "$CG" remove "$g" 2>/dev/null || true; "$CG" create "$g"; done

# start_volunteer TREE CGROUP SUFFIX: prints its port
start_volunteer () {
  local p store=
  p=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if [ -n "$BEFORE" ]; then mkdir -m 1777 "$S/store$3"; store="--cache-dir $S/store$3"; fi
  # shellcheck disable=SC2086
  "$CG" exec "$2" "$1/bin/distccd" --no-detach --daemon --port "$p" --allow 127.0.0.1 \
    --log-file "$S/d$3.log" --pid-file "$S/d$3.pid" $store $DOPTS </dev/null >/dev/null 2>&1 &
  for _ in $(seq 300); do
    [ -s "$S/d$3.pid" ] && (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || die "the volunteer of $1 did not start: $(cat "$S/d$3.log")"
  echo "$p"
}
chmod 755 "$S"
port=$(start_volunteer "$top" dcchit-srv "")
[ -z "$BEFORE" ] || port_b=$(start_volunteer "$BEFORE" dcchit-srv-b -b)

export DISTCC_HOSTS="127.0.0.1:$port/$((4 * PAR)),cpp,lzo" DISTCC_DIR=$S/dd DISTCC_LOG=$S/c.log
eval "$("$CG" exec dcchit-is "$top/bin/pump" --startup </dev/null 2>/dev/null)"
[ -n "${INCLUDE_SERVER_PORT:-}" ] || die "pump --startup failed"

head -n "$UNITS" "$W/sim/units.tsv" > "$S/units.tsv"
mkdir -p "$S/out"
cd "$W/tree"

# pass WHAT J: every unit once, through distcc (WHAT=distcc; WHAT=before:
# --before's distcc and volunteer) or as a cp of the object the warm-up made
# (WHAT=floor); J names the output directory.
pass () {
  local what=$1 j=$2 src args k
  mkdir -p "$S/out/$j"
  while IFS=$'\t' read -r src args; do
    k=${src//\//_}
    if [ "$what" = floor ]; then
      "$CG" exec dcchit-cli cp "$S/out/0/$k.o" "$S/out/$j/$k.o"
    elif [ "$what" = before ]; then
      eval "DISTCC_HOSTS=\"127.0.0.1:$port_b/$((4 * PAR)),cpp,lzo\" \"$CG\" exec dcchit-cli-b \"$BEFORE/bin/distcc\" $COMPILER $args -c $src -o \"$S/out/$j/$k.o\"" </dev/null
    else
      # The arguments carry the kernel's own shell quoting (-DKBUILD_...='"x"').
      eval "\"$CG\" exec dcchit-cli \"$top/bin/distcc\" $COMPILER $args -c $src -o \"$S/out/$j/$k.o\"" </dev/null
    fi
  done < "$S/units.tsv"
}

pass distcc 0
for j in $(seq "$PAR"); do pass distcc "w$j"; done   # every output name seen once
if [ -n "$BEFORE" ]; then
  pass before b0
  for j in $(seq "$PAR"); do pass before "w$j"; done
fi
usage () { "$CG" usage "$1"; }
measure () {
  local what=$1 c0 i0 s0 cli=dcchit-cli srv=dcchit-srv
  if [ "$what" = before ]; then cli=dcchit-cli-b; srv=dcchit-srv-b; fi
  c0=$(usage $cli); i0=$(usage dcchit-is); s0=$(usage $srv)
  local pids=""
  for j in $(seq "$PAR"); do
    (for p in $(seq "$PASSES"); do pass "$what" "w$j"; done) & pids="$pids $!"
  done
  # shellcheck disable=SC2086
  wait $pids
  local n=$((UNITS * PASSES * PAR))
  awk -v n="$n" -v c="$(( $(usage $cli) - c0 ))" -v i="$(( $(usage dcchit-is) - i0 ))" \
      -v s="$(( $(usage $srv) - s0 ))" -v w="$what" \
      'BEGIN { printf "%-7s %5d compiles  client %6.2f ms  include server %5.2f ms  volunteer %6.2f ms  per compile\n",
               w, n, c / n / 1000, i / n / 1000, s / n / 1000 }'
}
echo "ours: $(git -C "$top" rev-parse --short HEAD)${BEFORE:+, before: $BEFORE at $(git -C "$BEFORE" rev-parse --short HEAD)}, $UNITS units x $PASSES passes x $PAR in parallel x $ROUNDS rounds, volunteer options: ${DOPTS:-none}, load $(cut -d' ' -f1 /proc/loadavg)"
for _ in $(seq "$ROUNDS"); do
  measure floor
  measure distcc
  [ -z "$BEFORE" ] || measure before
done | tee "$S/rounds"
measure floor
if [ "$ROUNDS" -gt 1 ]; then
  # medians over the rounds: client, include server, volunteer
  for w in floor distcc before; do
    grep "^$w " "$S/rounds" | awk -v w="$w" '{ c[NR] = $5; i[NR] = $9; v[NR] = $12 }
      function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
      END { if (NR) printf "median  %-7s client %6.2f ms  include server %5.2f ms  volunteer %6.2f ms  (%d rounds)\n", w, med(c, NR), med(i, NR), med(v, NR), NR }'
  done
fi
echo "remote results in the client log: $(grep -c 'result: remote' "$S/c.log"), of them result-cache hits: $(grep -c 'cache=hit' "$S/c.log"); load $(cut -d' ' -f1 /proc/loadavg)"
