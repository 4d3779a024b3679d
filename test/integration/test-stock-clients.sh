#!/usr/bin/env bash
# Debian's stock distcc client (/usr/bin/distcc, distcc 3.4) against our
# distccd, which detects the stock protocol from the first bytes (DIST):
# protocol 1 (plain) and 2 (",lzo"), gcc and clang, C and C++, a make -j of
# a multi-file project. Every compile must run on our volunteer (its log and
# stock's DISTCC_VERBOSE say so, and nothing fell back) and every object
# must be identical to a local build. Then stock's pump mode (",cpp,lzo")
# as Debian ships it, and one make -j whose DISTCC_HOSTS mixes our distccd
# and Debian's distccd.
source "$(dirname "$0")/lib.sh"

STOCK=/usr/bin/distcc
STOCKD=/usr/bin/distccd
if [ ! -x $STOCK ]; then
  skip "Debian's distcc is not installed (apt-get install distcc)"; finish; exit 0
fi

proj=$SCRATCH/proj
stock_project "$proj" c++

# build_with DIR CC CXX [VAR=VALUE...]: see build_project (lib.sh).
build_with () { build_project "$proj" "$@"; }
same_objects () {
  for n in $OBJS; do cmp -s "$1/$n.o" "$2/$n.o" || { echo "# $n.o differs"; return 1; }; done
}
same_deps () {
  for n in $OBJS; do cmp -s "$1/$n.d" "$2/$n.d" || { echo "# $n.d differs"; return 1; }; done
}
# a compile, or an answer from the volunteer's result cache (the same
# request again, as the second protocol's build is): both ran on our volunteer
ours_compiled () { grep -Ec "(compiled|result cache hit:) .* \(stock protocol $1" "$DLOG" || true; }
# stock's DISTCC_VERBOSE: "compile s1.c on 127.0.0.1:PORT/4 completed ok"
# for a remote compile ("cpp s1.c on localhost ..." for its preprocessing)
stock_ok () { grep -c "\] compile .* on 127\.0\.0\.1:[0-9]*/.* completed ok" "$1/stderr" || true; }

# A DISTCC_DIR per build, so that one section's backoff cannot turn the
# next one's compiles local (stock distcc does not create its DISTCC_DIR).
stock_dir () { mkdir -p "$SCRATCH/stock-dir-$1" && echo "$SCRATCH/stock-dir-$1"; }
start_distccd || { not_ok "our distccd starts"; finish; exit 1; }
ok "our distccd on 127.0.0.1:$PORT"

for family in gcc clang; do
  if [ $family = gcc ]; then cc=gcc cxx=g++; else cc=clang cxx=clang++; fi
  command -v $cc > /dev/null || { skip "$cc is not installed"; continue; }
  build_with "$SCRATCH/local-$family" $cc $cxx
  for variant in "1:" "2:,lzo"; do
    proto=${variant%%:*}; opt=${variant#*:}
    name="stock distcc $family, protocol $proto (DISTCC_HOSTS=127.0.0.1:PORT/4$opt)"
    before=$(ours_compiled "$proto")
    build_with "$SCRATCH/$family-$proto" "$STOCK $cc" "$STOCK $cxx" \
      DISTCC_HOSTS="127.0.0.1:$PORT/4$opt" DISTCC_VERBOSE=1 DISTCC_DIR="$(stock_dir $family-$proto)"
    out=$SCRATCH/$family-$proto
    check "$name: stock says all 8 compiles completed ok on our volunteer (got $(stock_ok "$out"))" \
      test "$(grep -c "\] compile .* on 127.0.0.1:$PORT/4$opt completed ok" "$out/stderr")" = 8
    check "$name: none fell back to a local compile" sh -c "! grep -q 'running locally\|failed to distribute' '$out/stderr'"
    check "$name: nothing on stderr but stock's own log lines (as locally: nothing)" \
      sh -c "! grep -v '^distcc\[[0-9]*\] ' '$out/stderr' | grep -q ."
    check "$name: our daemon logged 8 compiles in stock protocol $proto (got $(($(ours_compiled "$proto") - before)))" \
      test "$(($(ours_compiled "$proto") - before))" = 8
    check "$name: objects identical to a local build" same_objects "$out" "$SCRATCH/local-$family"
    check "$name: .d files identical to a local build" same_deps "$out" "$SCRATCH/local-$family"
  done
done
sed -n 's/^.*\(compiled .* (stock protocol [12].*\)$/# our log: \1/p' "$DLOG" | tail -2

# A compile that fails on the volunteer: the stock client gets the
# compiler's status and message, as from stock distccd (and retries locally,
# as stock does).
mkdir -p "$SCRATCH/bad" && echo 'int broken (void) { return undeclared_thing; }' > "$SCRATCH/bad/bad.c"
before=$(grep -c "compiled bad.i" "$DLOG" || true)
(cd "$SCRATCH/bad" && DISTCC_HOSTS="127.0.0.1:$PORT/4,lzo" DISTCC_VERBOSE=1 DISTCC_DIR="$(stock_dir bad)" \
   $STOCK gcc -c bad.c -o bad.o > out 2> err); rc=$?
check "a failing compile: exit status 1 (got $rc)" test $rc = 1
check "a failing compile ran on our volunteer" test "$(grep -c "compiled bad.i" "$DLOG")" -gt "$before"
check "a failing compile: stock reports it failed there" grep -q "compile bad.c on 127.0.0.1:$PORT/4,lzo failed" "$SCRATCH/bad/err"
check "a failing compile: the compiler's message reaches the user" grep -q "bad.c:1:.*undeclared_thing" "$SCRATCH/bad/err"

# A volunteer that insists on identical compiler binaries
# (DISTCC_COMPILER_MATCH=strict) cannot check a stock client's, whose
# protocol carries no identity: refused, logged, and the client compiles
# locally.
OUR_PORT=$PORT OUR_DLOG=$DLOG OUR_DPID=$DPID
if DISTCC_COMPILER_MATCH=strict start_distccd; then
  (cd "$SCRATCH/bad" && echo 'int fine (void) { return 2; }' > fine.c && gcc -O2 -c fine.c -o fine-local.o &&
   DISTCC_HOSTS="127.0.0.1:$PORT/4,lzo" DISTCC_VERBOSE=1 DISTCC_DIR="$(stock_dir strict)" \
     $STOCK gcc -O2 -c fine.c -o fine.o > out 2> err-strict)
  check "strict volunteer: a stock client is refused, with the reason in its log" \
    grep -q "compiler identity cannot be checked for a stock distcc client.*DISTCC_COMPILER_MATCH=strict" "$DLOG"
  check "strict volunteer: the stock client compiled locally" grep -q "failed to distribute" "$SCRATCH/bad/err-strict"
  check "strict volunteer: the object is the local compiler's" cmp -s "$SCRATCH/bad/fine.o" "$SCRATCH/bad/fine-local.o"
else
  not_ok "a distccd with DISTCC_COMPILER_MATCH=strict starts"
fi
PORT=$OUR_PORT DLOG=$OUR_DLOG DPID=$OUR_DPID

# Stock's pump mode (",cpp,lzo") as Debian 12 ships it: the Python include
# server of distcc-pump 3.4 does not work under Python 3.11, and stock falls
# back to plain mode (protocol 2).
if [ -x /usr/bin/distcc-pump ]; then
  before1=$(ours_compiled 2)
  MAKE_WRAP=/usr/bin/distcc-pump build_with "$SCRATCH/pump" "$STOCK gcc" "$STOCK g++" \
    DISTCC_HOSTS="127.0.0.1:$PORT/4,cpp,lzo" DISTCC_VERBOSE=1 DISTCC_DIR="$(stock_dir pump)"
  got=$(($(ours_compiled 2) - before1))
  why=$(grep -m1 -io 'include server.*\|could not.*\|error.*python.*' "$SCRATCH/pump/stderr" | head -c 150)
  echo "# distcc-pump: $(stock_ok "$SCRATCH/pump") remote compiles completed ok, our daemon: $got compiles in stock protocol 2, $(grep -c 'protocol 3' "$DLOG") protocol 3 requests; stderr says: ${why:-nothing about the include server}"
  check "distcc-pump ,cpp,lzo: every compile still ran on our volunteer, in protocol 2 (got $got)" test "$got" = 8
  check "distcc-pump ,cpp,lzo: objects identical to a local build" same_objects "$SCRATCH/pump" "$SCRATCH/local-gcc"
else
  skip "distcc-pump is not installed"
fi

# One make -j, stock's client, DISTCC_HOSTS mixing our distccd and Debian's.
if [ -x $STOCKD ]; then
  start_debian_distccd || not_ok "Debian's distccd starts"
  ours_before=$(ours_compiled 2)
  build_with "$SCRATCH/mixed" "$STOCK gcc" "$STOCK g++" \
    DISTCC_HOSTS="127.0.0.1:$PORT/1,lzo 127.0.0.1:$SPORT/1,lzo" DISTCC_VERBOSE=1 DISTCC_DIR="$(stock_dir mixed)"
  ours=$(($(ours_compiled 2) - ours_before))
  theirs=$(grep -c 'job complete' "$SLOG" || true)
  check "stock client, mixed DISTCC_HOSTS: all 8 compiles completed ok remotely (got $(stock_ok "$SCRATCH/mixed"): $ours on ours, $theirs on Debian's distccd)" \
    test "$(stock_ok "$SCRATCH/mixed")" = 8 -a $((ours + theirs)) = 8
  check "stock client, mixed DISTCC_HOSTS: none fell back" sh -c "! grep -q 'running locally\|failed to distribute' '$SCRATCH/mixed/stderr'"
  check "stock client, mixed DISTCC_HOSTS: both volunteers compiled" test "$ours" -gt 0 -a "$theirs" -gt 0
  check "stock client, mixed DISTCC_HOSTS: objects identical to a local build" same_objects "$SCRATCH/mixed" "$SCRATCH/local-gcc"
else
  skip "Debian's distccd is not installed"
fi

check "our daemon is still serving" kill -0 "$DPID"
finish
