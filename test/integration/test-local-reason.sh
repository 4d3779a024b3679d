#!/usr/bin/env bash
# Why a compile ran here (issue 17): when the only volunteer is backed off
# after a real failure (a port where nothing listens), the compiles of a
# build run locally and the client says why, once per build, on stderr:
# "every volunteer is backed off after failures: HOST:PORT (until HH:MM:SS);
# compiling locally". The same reason is each compile's result reason
# (DISTCC_VERBOSE, DISTCC_LOG) and in `distcc --summary`, never "localhost
# chosen", which is kept for a localhost entry of the host list. (+zeroconf
# with no volunteer: test-zeroconf.sh.) A compile plain mode cannot
# reproduce (-pedantic) is said once per build too.
source "$(dirname "$0")/lib.sh"

proj=$SCRATCH/proj
mkdir -p "$proj"
for i in 1 2 3 4; do
  printf 'int f%d (int x) { return x * %d + 1; }\n' "$i" "$i" > "$proj/u$i.c"
  gcc -O2 -c "$proj/u$i.c" -o "$proj/u$i.ref"
done
printf 'all: u1.o u2.o u3.o u4.o\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\nclean:\n\trm -f *.o\n' > "$proj/Makefile"

DEAD=$(free_port)   # nothing listens there: connections are refused
export DISTCC_HOSTS="127.0.0.1:$DEAD/2"
reason_re="every volunteer is backed off after failures: 127\.0\.0\.1:$DEAD (until [0-9][0-9]:[0-9][0-9]:[0-9][0-9]); compiling locally"

# build N: a make -j2 of four files in a process group of its own (a build).
build () {
  (cd "$proj" && make -s clean && setsid make -s -j2 CC="$BIN/distcc gcc" > "$SCRATCH/build$1.out" 2> "$SCRATCH/build$1.err")
}
same_objects () { for i in 1 2 3 4; do cmp -s "$proj/u$i.o" "$proj/u$i.ref" || return 1; done; }

build 1
sed 's/^/# build 1: /' "$SCRATCH/build1.err"
check "build 1: every object identical to a local compile" same_objects
n=$(grep -c -- "$reason_re" "$SCRATCH/build1.err")
check "build 1: the reason said on stderr exactly once for 4 files ($n)" test "$n" = 1
n=$(grep -c "127.0.0.1:$DEAD failed and is not used for" "$SCRATCH/build1.err")
check "build 1: the host's failure said too, once for the backoff ($n; two compiles failing on it once said it twice)" test "$n" = 1

# The time named is when the backoff ends: its mark's mtime + the period.
mark=$DISTCC_DIR/lock/backoff_127.0.0.1_$DEAD
until=$(date -d "@$(( $(stat -c %Y "$mark") + 60 ))" +%H:%M:%S)
check "build 1: 'until' names the end of the backoff ($until)" grep -q "127.0.0.1:$DEAD (until $until)" "$SCRATCH/build1.err"

build 2
sed 's/^/# build 2: /' "$SCRATCH/build2.err"
check "build 2: every object identical to a local compile" same_objects
n=$(grep -c -- "$reason_re" "$SCRATCH/build2.err")
check "build 2 (another build, host still backed off): said again, once ($n)" test "$n" = 1
check "build 2: the failure itself is not said again" sh -c "! grep -q 'failed and is not used' '$SCRATCH/build2.err'"

# Two compiles of one build whose host failed a second apart name two
# different ends of the backoff (a make -j2 whose first two compiles both
# failed to connect): still one warning for the build.
mark_time=$(stat -c %Y "$mark")
(cd "$proj" && setsid sh -c '
  "$1" gcc -O2 -c u3.c -o w3.o
  touch -d "@$(( $(stat -c %Y "$2") + 1 ))" "$2"
  "$1" gcc -O2 -c u4.c -o w4.o' sh "$BIN/distcc" "$mark") 2> "$SCRATCH/build3.err"
touch -d "@$mark_time" "$mark"   # the end that $until names, for the checks below
sed 's/^/# build 3: /' "$SCRATCH/build3.err"
n=$(grep -c -- "$reason_re" "$SCRATCH/build3.err")
check "build 3: the backoff's end moved by a second within the build: said once ($n)" test "$n" = 1

# One compile with DISTCC_VERBOSE: its result line gives the same reason.
(cd "$proj" && DISTCC_VERBOSE=1 "$BIN/distcc" gcc -O2 -c u1.c -o v1.o) 2> "$SCRATCH/verbose.err"
check "DISTCC_VERBOSE: the result's reason is the backoff, with the host" \
  grep -q "result: local reason=\"every volunteer is backed off after failures: 127.0.0.1:$DEAD (until $until)\"" "$SCRATCH/verbose.err"
check "DISTCC_VERBOSE: object identical" cmp -s "$proj/v1.o" "$proj/u1.ref"

# The summary over DISTCC_DIR counts the local compiles under that reason.
"$BIN/distcc" --summary > "$SCRATCH/summary.out" 2>&1
sed 's/^/# summary: /' "$SCRATCH/summary.out"
check "distcc --summary: local compiles under 'every volunteer is backed off ... 127.0.0.1:$DEAD'" \
  grep -q "every volunteer is backed off after failures: 127.0.0.1:$DEAD" "$SCRATCH/summary.out"
check "nothing says 'localhost chosen' for them" \
  sh -c "! grep -q 'localhost chosen' '$SCRATCH/summary.out' '$SCRATCH/verbose.err' '$SCRATCH/build1.err'"

# A localhost entry chosen on purpose: its own reason, and no warning.
(cd "$proj" && DISTCC_HOSTS="localhost/2 127.0.0.1:$DEAD/2" DISTCC_VERBOSE=1 "$BIN/distcc" gcc -O2 -c u2.c -o v2.o) \
  2> "$SCRATCH/localhost.err"
check "a localhost entry first in the list: reason 'localhost chosen'" \
  grep -q 'result: local reason="localhost chosen (a localhost entry of the host list)"' "$SCRATCH/localhost.err"
check "a localhost entry: no 'compiling locally' warning" sh -c "! grep -q 'compiling locally' '$SCRATCH/localhost.err'"

# A compile that plain mode cannot reproduce (gcc -pedantic: the volunteer
# would compile text with line markers as source): a build meant to be
# distributed says so once, on stderr, and the compiles run here. Before,
# nothing was said outside DISTCC_LOG and the summary.
start_distccd || { not_ok "distccd starts"; finish; exit 1; }
export DISTCC_HOSTS="127.0.0.1:$PORT/2"
for i in 1 2 3 4; do gcc -O2 -pedantic -c "$proj/u$i.c" -o "$proj/u$i.ref"; done
(cd "$proj" && make -s clean && setsid make -s -j2 CC="$BIN/distcc gcc -pedantic" > "$SCRATCH/ped.out" 2> "$SCRATCH/ped.err")
check "plain mode -pedantic: the build succeeds, objects identical" same_objects
n=$(grep -c 'gcc -pedantic would warn about the line markers of the preprocessed text (use pump mode); compiling locally (said once per build)' "$SCRATCH/ped.err")
check "plain mode -pedantic: said once on stderr for 4 compiles ($n)" test "$n" = 1
check "plain mode -pedantic: nothing else on stderr" test "$(grep -c . "$SCRATCH/ped.err")" = 1
finish
