#!/usr/bin/env bash
# The newcomer's path: the README's commands, exactly as the README writes
# them (each is checked to be a line of README), run in order in one shell
# on a fresh clone of this checkout: build and demo, the PATH line, then the
# by-hand session with bare distccd, distcc and pump (a daemon on the
# default port 3632, so in a private network namespace when we may make
# one). Checks that every compile of the demo and the hand-run compile ran
# remotely in pump mode, with this tree's programs, not /usr/bin's. TAP.
source "$(dirname "$0")/integration/lib.sh"

# The README's lines, in the order it gives them.
QUICK='scripts/install-deps && ./configure && make && test/demo'
CHECK='make check'
PATHLINE='export PATH="$PWD/bin:$PWD/lib/distcc:$PATH"'
BYHAND=(
  'distccd --daemon --listen 127.0.0.1 --allow 127.0.0.1 --log-file "$PWD/distccd.log" --log-level info --pid-file "$PWD/distccd.pid"'
  "export DISTCC_HOSTS='127.0.0.1/4,cpp,lzo'"
  'eval "$(scripts/pump --startup)"'
  "printf '#include <stdio.h>\\nint main (void) { puts (\"hi\"); return 0; }\\n' > hello.c"
  'DISTCC_VERBOSE=1 distcc gcc -c hello.c -o hello.o'
  'pump --shutdown'
  'kill "$(cat distccd.pid)"'
)
missing=0
for line in "$QUICK" "$CHECK" "$PATHLINE" "${BYHAND[@]}"; do
  if ! grep -qxF "    $line" "$TOP/README"; then echo "# README has no line: $line"; missing=$((missing + 1)); fi
done
check "README has every command this test runs, as written ($missing missing)" test "$missing" = 0

# Every program says its version, and every man page's footer names it.
version=$("$BIN/distcc" --version | awk '{ print $2; exit }')
for p in distccd include-server distccmon-text; do
  check "$p --version says $version" sh -c "'$BIN/$p' --version | head -1 | grep -qF '$p $version'"
done
for m in "$TOP"/doc/*.1; do
  check "${m##*/}: footer names distcc $version" sh -c "head -1 '$m' | grep -qF '\"distcc $version\"'"
done

clone=$SCRATCH/clone
if ! git clone -q "$TOP" "$clone" 2>"$SCRATCH/clone.err"; then
  not_ok "git clone of the checkout"; sed 's/^/#   /' "$SCRATCH/clone.err"; finish; exit 1
fi
# The work tree's tracked files as they are (uncommitted edits included),
# so that the test checks what is being changed, not only the last commit.
(cd "$TOP" && git diff --binary HEAD) | (cd "$clone" && git apply --allow-empty 2>/dev/null || true)
ok "fresh clone of the checkout in $clone"

# The session: one bash, in the clone, with the README's lines in order.
# Markers between the steps let the checks below find each step's output.
session=$SCRATCH/session.sh
{
  echo 'cd "$1" || exit 1'
  echo 'echo "## quick"'
  echo "$QUICK"
  echo 'echo "## quick-status $?"'
  echo "$PATHLINE"
  echo 'echo "## which distcc=$(command -v distcc) pump=$(command -v pump) distccd=$(command -v distccd)"'
  echo 'echo "## byhand"'
  for line in "${BYHAND[@]}"; do
    echo "$line"
    echo "echo \"## status \$? of: \$(cat <<'L'"; echo "$line"; echo 'L'; echo ')"'
    # the daemon listens before the client starts (its --pid-file is written once it does)
    case $line in distccd*) echo 'for _ in $(seq 1200); do (exec 3<>/dev/tcp/127.0.0.1/3632) 2>/dev/null && break; sleep 0.05; done' ;; esac
  done
} > "$session"

export WAIT_SECONDS
out=$SCRATCH/session.out
if [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null && command -v ip >/dev/null; then
  echo "# in a private network namespace (port 3632 is ours)"
  unshare --net bash -c 'ip link set lo up && exec bash "$@"' _ "$session" "$clone" > "$out" 2>&1
elif ! port_open 3632; then
  bash "$session" "$clone" > "$out" 2>&1
else
  skip "port 3632 is in use and no private network namespace can be made"; finish; exit 0
fi
sed 's/^/#   /' "$out" | grep -v '^#   make\[' | tail -60

check "the first command (install-deps, configure, make, demo) succeeds" grep -q '^## quick-status 0$' "$out"
pumpline=$(grep -E '^pump +[0-9]+ of +[0-9]+ compiles' "$out")
read -r _ remote _ total _ <<< "$pumpline"
pumped=$(sed -nE 's/.*\( *([0-9]+) in pump mode\).*/\1/p' <<< "$pumpline")
check "demo: every compile of the pump build ran remotely ($remote of $total)" \
  test -n "$total" -a "${remote:-x}" = "$total"
check "demo: all in pump mode ($pumped of $total)" test -n "$total" -a "${pumped:-x}" = "$total"
check "demo: every object identical to the local build" grep -qE '^pump .* ([0-9]+) of \1 objects identical' "$out"
check "demo: prints the PATH line for the clone" grep -qxF "    export PATH=\"$clone/bin:$clone/lib/distcc:\$PATH\"" "$out"
check "after the PATH line, bare distcc, pump and distccd are the clone's" \
  grep -qxF "## which distcc=$clone/bin/distcc pump=$clone/bin/pump distccd=$clone/bin/distccd" "$out"
bad=$(grep -c '^## status [1-9]' "$out")
check "every by-hand command succeeds ($bad failed)" test "$bad" = 0
grep '^## status [1-9]' "$out" | sed 's/^/#   /'
check "by hand: eval \"\$(scripts/pump --startup)\" started the include server" \
  grep -q '^## status 0 of: eval "$(scripts/pump --startup)"' "$out"
check "by hand: the compile ran remotely in pump mode" \
  grep -q 'result: remote host=127.0.0.1:3632 mode=pump file=hello.c' "$out"
check "by hand: DISTCC_VERBOSE traced the steps (host, closure, remote)" \
  sh -c "grep -q '\] host: 127.0.0.1:3632' '$out' && grep -q '\] closure: ' '$out' && grep -q '\] remote: 127.0.0.1:3632 compiled hello.c' '$out'"
check "by hand: hello.o was written" test -s "$clone/hello.o"
check "by hand: the daemon's log names the file it compiled" grep -q 'compiled hello.c .*pump mode' "$clone/distccd.log"
# A daemon the session left running (its kill failed) goes: the pid in its
# pid file, if that process is still this clone's distccd.
if [ -f "$clone/distccd.pid" ]; then
  p=$(cat "$clone/distccd.pid")
  if [ -n "$p" ] && tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -qF "$clone/bin/distccd"; then
    not_ok "the session's distccd was still running"; kill "$p"
  fi
fi
finish
