#!/usr/bin/env bash
# make install as a distribution packages it: DESTDIR with prefix= on the
# make line, programs, man pages, the masquerade directory with links for
# the compilers present (update-distcc-symlinks, again after a compiler
# appears), lib/distcc/bin, the systemd units (systemd-analyze verify, and
# their ExecStart run as written, with the environment their
# EnvironmentFile= lines give), /etc/default/distcc, /etc/distcc/hosts.
source "$(dirname "$0")/lib.sh"

root=$SCRATCH/root
make -s -C "$TOP" install DESTDIR="$root" prefix=/usr sysconfdir=/etc > "$SCRATCH/install.out" 2>&1
rc=$?
check "make install DESTDIR=... prefix=/usr: exit 0 (got $rc)" test $rc = 0
[ $rc = 0 ] || sed 's/^/# /' "$SCRATCH/install.out" | tail -20
for f in usr/bin/distcc usr/bin/distccd usr/bin/distccmon-text usr/bin/pump usr/bin/include-server \
         usr/sbin/update-distcc-symlinks usr/libexec/distcc/distccd-service; do
  check "installed: /$f (executable)" test -x "$root/$f"
done
for m in distcc distccd pump distccmon-text; do check "man page: $m.1" test -f "$root/usr/share/man/man1/$m.1"; done
check "man page: update-distcc-symlinks.8" test -f "$root/usr/share/man/man8/update-distcc-symlinks.8"
check "nothing installed under /usr/local (prefix= on the make line wins)" test ! -e "$root/usr/local"
check "/etc/distcc/hosts: installed, comments only" sh -c "test -f '$root/etc/distcc/hosts' && ! grep -v '^#' '$root/etc/distcc/hosts' | grep -q ."
check "/etc/default/distcc: installed, Debian's variables" grep -q '^ALLOWEDNETS=' "$root/etc/default/distcc"
check "units installed" test -f "$root/usr/lib/systemd/system/distccd.service" -a -f "$root/usr/lib/systemd/system/distccd@.service"

# PREFIX= (upper case) works too, into another tree.
make -s -C "$TOP" install DESTDIR="$SCRATCH/root2" PREFIX=/opt/dcc > /dev/null 2>&1
check "make install PREFIX=/opt/dcc: programs in /opt/dcc/bin" test -x "$SCRATCH/root2/opt/dcc/bin/distcc"
check "PREFIX=/opt/dcc: the unit runs /opt/dcc's distccd-service" grep -q '^ExecStart=/opt/dcc/libexec/distcc/distccd-service' "$SCRATCH/root2/opt/dcc/lib/systemd/system/distccd.service"

# Masquerade links: the compilers present, not a fixed list.
masq=$root/usr/lib/distcc
for c in gcc cc g++; do
  if [ -x "/usr/bin/$c" ]; then check "masquerade: $c -> distcc" test "$(readlink "$masq/$c")" = ../../bin/distcc; fi
done
check "masquerade: every link names an installed compiler" sh -c "for l in '$masq'/*; do [ -L \"\$l\" ] || continue; [ -x \"/usr/bin/\${l##*/}\" ] || [ -x \"/usr/local/bin/\${l##*/}\" ] || exit 1; done"
check "masquerade: no gcc-ar or clang-format" test ! -e "$masq/gcc-ar" -a ! -e "$masq/clang-format"
check "lib/distcc/bin/gcc -> distcc (makepkg, ArchWiki)" test "$(readlink -f "$masq/bin/gcc")" = "$root/usr/bin/distcc"
# A compiler that appears later: update-distcc-symlinks adds it, and removes it when gone.
mkdir -p "$SCRATCH/cc"; printf '#!/bin/sh\nexec gcc "$@"\n' > "$SCRATCH/cc/x86_64-test-linux-gcc"; chmod +x "$SCRATCH/cc/x86_64-test-linux-gcc"
sed "s|^search=.*|search=\"/usr/bin $SCRATCH/cc\"|" "$root/usr/sbin/update-distcc-symlinks" > "$SCRATCH/uds"
DESTDIR=$root sh "$SCRATCH/uds" -v > "$SCRATCH/uds.out"
check "update-distcc-symlinks: adds a new compiler" test -L "$masq/x86_64-test-linux-gcc" -a -L "$masq/bin/x86_64-test-linux-gcc"
rm "$SCRATCH/cc/x86_64-test-linux-gcc"
DESTDIR=$root sh "$SCRATCH/uds" > /dev/null
check "update-distcc-symlinks: removes it when gone" test ! -e "$masq/x86_64-test-linux-gcc" -a ! -L "$masq/bin/x86_64-test-linux-gcc"

# The units: systemd-analyze verify, on copies whose paths point into the
# tree (verify checks that ExecStart's program exists).
if command -v systemd-analyze > /dev/null; then
  mkdir -p "$SCRATCH/verify"
  for u in distccd.service distccd@3636.service; do
    sed -e "s|=/usr/|=$root/usr/|g" -e "s|=-/etc/|=-$root/etc/|g" \
        "$root/usr/lib/systemd/system/${u/@3636/@}" > "$SCRATCH/verify/$u"
    out=$(systemd-analyze verify "$SCRATCH/verify/$u" 2>&1)
    check "systemd-analyze verify $u: no complaint" test -z "$out"
    [ -z "$out" ] || echo "$out" | sed 's/^/# /'
  done
  # and it does complain about a unit that is wrong
  sed 's/^ExecStart=.*/ExecStart=relative-path/' "$SCRATCH/verify/distccd.service" > "$SCRATCH/verify/broken.service"
  check "systemd-analyze verify: does flag a broken unit (the check can fail)" \
      sh -c "systemd-analyze verify '$SCRATCH/verify/broken.service' 2>&1 | grep -q ."
else
  skip "systemd-analyze not installed"
fi

# ExecStart as written, with the environment systemd would give it: the
# EnvironmentFile= lines (read as systemd reads them) and INVOCATION_ID.
# The paths in the unit are /usr/...: run them inside the tree by mapping
# / to $root for /usr and /etc only.
run_unit () { # UNIT INSTANCE: starts its ExecStart in the background, sets UPID
  local unit=$1 inst=$2 envfiles exec
  exec=$(sed -n 's/^ExecStart=//p' "$unit")
  envfiles=$(sed -n 's/^EnvironmentFile=-//p' "$unit" | sed "s/%i/$inst/g")
  (
    export INVOCATION_ID=test DISTCCD_INSTANCE=$inst
    for f in $envfiles; do
      [ -r "$root$f" ] || continue
      while IFS= read -r line; do
        case "$line" in ''|'#'*) continue ;; esac
        k=${line%%=*}; v=${line#*=}; v=${v#\"}; v=${v%\"}
        export "$k=$v"
      done < "$root$f"
    done
    exec "$root$exec"
  ) > "$SCRATCH/unit-$inst.out" 2>&1 &
  UPID=$!; DAEMON_PIDS+=("$UPID")
}
# The installed sed-substituted script points at /usr/bin/distccd: point it
# at the tree's (the same build) for this run.
sed -i "s|\"/usr/bin/distccd\"|\"$root/usr/bin/distccd\"|; s|\"/etc/|\"$root/etc/|g" "$root/usr/libexec/distcc/distccd-service"
P1=$(free_port)
sed -i -e "s|^PORT=.*|PORT=\"$P1\"|" -e "s|^DISTCC_ARGS=.*|DISTCC_ARGS=\"--log-file $SCRATCH/unit.log --log-level info\"|" "$root/etc/default/distcc"
run_unit "$root/usr/lib/systemd/system/distccd.service" ""
if wait_port "$P1" "$UPID"; then ok "distccd.service ExecStart: listens on the PORT of /etc/default/distcc"; else not_ok "distccd.service ExecStart: listens"; sed 's/^/# /' "$SCRATCH/unit-.out"; fi
# The port accepts before distccd nices itself: wait until it serves.
wait_ready_log "$SCRATCH/unit.log" "$UPID"
niced_10 () { [ "$(ps -o ni= -p "$UPID" | tr -d ' ')" = "$(niceness_after 10)" ]; }
check "distccd.service: --nice 10 from /etc/default/distcc (got $(ps -o ni= -p "$UPID" | tr -d ' '))" wait_until "distccd niced" niced_10
check "distccd.service: started as root, runs as distcc/nobody" test "$(ps -o user= -p "$UPID")" != root
printf 'int main (void) { return 0; }\n' > "$SCRATCH/m.c"
(cd "$SCRATCH" && DISTCC_HOSTS="127.0.0.1:$P1/2" DISTCC_LOG="$SCRATCH/u1.log" "$root/usr/bin/distcc" gcc -c m.c -o m1.o)
check "distccd.service: serves a compile from the installed client" test "$(result_of "$SCRATCH/u1.log")" = remote
kill "$UPID"; wait "$UPID" 2>/dev/null
# The template: per-instance file with its own port.
P2=$(free_port)
printf 'PORT="%s"\nDISTCCD_PATH="/usr/bin:/bin"\n' "$P2" > "$root/etc/default/distcc-armv7h"
run_unit "$root/usr/lib/systemd/system/distccd@.service" armv7h
if wait_port "$P2" "$UPID"; then ok "distccd@armv7h.service: listens on /etc/default/distcc-armv7h's PORT"; else not_ok "distccd@armv7h.service: listens"; sed 's/^/# /' "$SCRATCH/unit-armv7h.out"; fi
(cd "$SCRATCH" && DISTCC_HOSTS="127.0.0.1:$P2/2" DISTCC_LOG="$SCRATCH/u2.log" "$root/usr/bin/distcc" gcc -c m.c -o m2.o)
check "distccd@armv7h.service: serves a compile" test "$(result_of "$SCRATCH/u2.log")" = remote
kill "$UPID"; wait "$UPID" 2>/dev/null
P3=$(free_port)
sed -i "s/^PORT=.*/PORT=\"\"/" "$root/etc/default/distcc"
run_unit "$root/usr/lib/systemd/system/distccd@.service" "$P3"
if wait_port "$P3" "$UPID"; then ok "distccd@$P3.service: a numeric instance is the port"; else not_ok "distccd@NUMBER.service: listens on that port"; sed 's/^/# /' "$SCRATCH/unit-$P3.out"; fi
kill "$UPID"; wait "$UPID" 2>/dev/null

# The installed masquerade directory on PATH (ArchWiki: lib/distcc/bin).
(cd "$SCRATCH" && PATH="$masq/bin:$PATH" DISTCC_HOSTS=localhost DISTCC_LOG="$SCRATCH/u3.log" gcc -c m.c -o m3.o)
check "PATH=lib/distcc/bin: gcc runs through distcc" grep -q 'result: ' "$SCRATCH/u3.log"

finish
