#!/usr/bin/env bash
# The ssh transport: DISTCC_HOSTS entries @HOST and USER@HOST[/LIMIT][:COMMAND]
# [,cpp][,lzo] run "COMMAND --inetd" on the far side through DISTCC_SSH,
# against a real OpenSSH server on loopback that this test starts (its own
# host key, an authorized key in the scratch directory, a free port).
# Plain and pump compiles go remote and equal local ones.
source "$(dirname "$0")/lib.sh"
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
if [ ! -x "$SSHD" ] || ! command -v ssh > /dev/null || [ "$(id -u)" != 0 ]; then
  skip "openssh-server/openssh-client not installed, or not root (apt-get install openssh-server)"; finish; exit 0
fi
k=$SCRATCH/ssh; mkdir -p "$k" /run/sshd; chmod 700 "$k"
ssh-keygen -q -t ed25519 -N '' -f "$k/host_key" && ssh-keygen -q -t ed25519 -N '' -f "$k/client_key"
cp "$k/client_key.pub" "$k/authorized_keys"
SPORT=$(free_port)
cat > "$k/sshd_config" <<CFG
Port $SPORT
ListenAddress 127.0.0.1
HostKey $k/host_key
AuthorizedKeysFile $k/authorized_keys
PidFile $k/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
CFG
"$SSHD" -D -e -f "$k/sshd_config" 2> "$k/sshd.log" &
SSHD_PID=$!; DAEMON_PIDS+=("$SSHD_PID")
if ! wait_port "$SPORT" "$SSHD_PID"; then not_ok "sshd starts on 127.0.0.1:$SPORT"; sed 's/^/# /' "$k/sshd.log"; finish; exit 1; fi
ok "sshd starts on 127.0.0.1:$SPORT"
# DISTCC_SSH with its own options, as a user's ~/.ssh/config would give them.
export DISTCC_SSH="ssh -p $SPORT -i $k/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
check "ssh to the test sshd works" sh -c "$DISTCC_SSH 127.0.0.1 true"

proj=$SCRATCH/proj; mkdir -p "$proj/include"
printf '#pragma once\n#define TWICE(x) ((x) * 2)\n' > "$proj/include/util.h"
printf '#include "util.h"\nint f (int x) { return TWICE (x); }\n' > "$proj/a.c"
cd "$proj" || exit 1
gcc -c -O2 -g -Iinclude a.c -o local.o
gcc -c -O2 -Iinclude a.c -o local-nog.o

G=-g
compile () { # NAME HOSTS [pump]: sets RES and MODE (compiles with $G)
  rm -f "$SCRATCH/$1.log"
  if [ "${3:-}" = pump ]; then
    DISTCC_HOSTS="$2" DISTCC_LOG="$SCRATCH/$1.log" "$BIN/pump" "$BIN/distcc" gcc -c -O2 $G -Iinclude a.c -o "$1.o" 2> "$SCRATCH/$1.err"
  else
    DISTCC_HOSTS="$2" DISTCC_LOG="$SCRATCH/$1.log" "$BIN/distcc" gcc -c -O2 $G -Iinclude a.c -o "$1.o" 2> "$SCRATCH/$1.err"
  fi
  RES=$(result_of "$SCRATCH/$1.log"); MODE=$(grep -o 'mode=[a-z]*' "$SCRATCH/$1.log" | tail -1 | cut -d= -f2)
}
compile at "@127.0.0.1/2:$BIN/distccd"
check "@HOST:COMMAND: remote (got $RES)" test "$RES" = remote
check "@HOST:COMMAND: object identical" cmp -s at.o local.o
check "@HOST: nothing from distccd on the client's stderr" test ! -s "$SCRATCH/at.err"
sed 's/^/# /' "$SCRATCH/at.err" | head -5
compile user "root@127.0.0.1/2:$BIN/distccd,lzo"
check "USER@HOST:COMMAND,lzo: remote (got $RES)" test "$RES" = remote
check "USER@HOST: object identical" cmp -s user.o local.o
compile pump "root@127.0.0.1/2:$BIN/distccd,cpp,lzo" pump
check "pump mode over ssh: remote in pump mode (got $RES $MODE)" test "$RES:$MODE" = remote:pump
check "pump mode over ssh: object identical" cmp -s pump.o local.o
check "--show-hosts prints an ssh entry that reads back" \
    test "$(DISTCC_HOSTS="$(DISTCC_HOSTS="root@127.0.0.1/2:$BIN/distccd,cpp" "$BIN/distcc" --show-hosts)" "$BIN/distcc" --show-hosts)" = "root@127.0.0.1/2:$BIN/distccd,cpp"
# A stock distccd over there (Debian's, run by ssh in inetd mode): the
# client finds it speaks the stock protocol, compiles in it, and remembers
# that for this user, host and command only: our distccd on the same
# machine keeps our protocol.
# (Without -g: the stock protocol sends preprocessed text, whose columns
# differ, so this client compiles -g locally rather than on a stock one.)
G=
if [ -x /usr/bin/distccd ]; then
  rm -rf "$DISTCC_DIR/hosts.d"
  compile stock "@127.0.0.1/2:/usr/bin/distccd"
  check "ssh to a stock distccd: remote in the stock protocol (got $RES $MODE)" test "$RES:$MODE" = remote:stock
  check "ssh to a stock distccd: object identical" cmp -s stock.o local-nog.o
  check "ssh to a stock distccd: nothing on the client's stderr" test ! -s "$SCRATCH/stock.err"
  [ "$RES:$MODE" = remote:stock ] || sed 's/^/# /' "$SCRATCH/stock.err" "$SCRATCH/stock.log" | head -20
  compile stock2 "@127.0.0.1/2:/usr/bin/distccd"
  check "ssh to a stock distccd again: straight in the stock protocol (got $RES $MODE)" \
      sh -c "test '$RES:$MODE' = remote:stock && ! grep -q 'trying the stock distcc protocol' '$SCRATCH/stock2.log'"
  compile ours2 "@127.0.0.1/2:$BIN/distccd"
  check "ssh to our distccd on the same machine: still our protocol (got $RES $MODE)" test "$RES:$MODE" = remote:plain
  check "ssh to our distccd on the same machine: object identical" cmp -s ours2.o local-nog.o
else
  skip "Debian's distccd not installed (apt-get install distcc)"
fi
# A command that does not exist over there: the compile falls back here
# (after asking in our protocol and, as the peer said nothing, in stock's).
compile bad "@127.0.0.1/2:/nonexistent/distccd"
check "ssh host whose distccd is missing: falls back locally (got $RES)" test "$RES" = fallback
check "ssh host whose distccd is missing: object identical" cmp -s bad.o local-nog.o
finish
