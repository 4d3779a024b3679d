#!/usr/bin/env bash
# pump makepkg, as the ArchWiki writes it: BUILDENV=(distcc ...) and
# DISTCC_HOSTS="HOST,cpp,lzo" in makepkg.conf, makepkg putting
# /usr/lib/distcc/bin first on PATH, run under pump. With Debian's makepkg
# (pacman-package-manager, makepkg, libarchive-tools) on a small PKGBUILD of
# a multi-file C project: every compile runs remotely in pump mode. The
# installed tree (make install) is mounted over /usr/lib/distcc and
# /usr/bin/distcc in a private mount namespace, so the system's own
# distcc is untouched.
source "$(dirname "$0")/lib.sh"
if ! command -v makepkg > /dev/null || ! command -v bsdtar > /dev/null || ! command -v unshare > /dev/null \
   || [ "$(id -u)" != 0 ]; then
  skip "needs root, unshare and Debian's makepkg (apt-get install pacman-package-manager makepkg libarchive-tools)"
  finish; exit 0
fi
if tree_unreachable_by nobody; then skip "makepkg runs as nobody, who cannot read the build tree"; finish; exit 0; fi
root=$SCRATCH/root
make -s -C "$TOP" install DESTDIR="$root" prefix=/usr > "$SCRATCH/install.out" 2>&1 || { not_ok "make install"; finish; exit 1; }
start_distccd_stock --jobs 4 || { not_ok "distccd starts"; finish; exit 1; }

b=$SCRATCH/build; mkdir -p "$b/proj" "$SCRATCH/home" "$SCRATCH/dd"
for i in 1 2 3 4 5; do printf '#include "common.h"\nint f%d (int x) { return TWICE (x) + %d; }\n' $i $i > "$b/proj/f$i.c"; done
printf '#pragma once\n#define TWICE(x) ((x) * 2)\nint f1 (int);\n' > "$b/proj/common.h"
printf '#include "common.h"\nint main (void) { return f1 (0); }\n' > "$b/proj/main.c"
cat > "$b/proj/Makefile" <<'MK'
OBJS := main.o f1.o f2.o f3.o f4.o f5.o
prog: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS)
%.o: %.c common.h
	$(CC) $(CFLAGS) -c $< -o $@
MK
cat > "$b/PKGBUILD" <<'PKG'
pkgname=dcc-makepkg-test
pkgver=1
pkgrel=1
pkgdesc="distcc makepkg test"
arch=(x86_64)
license=(GPL)
build() {
  cp -r "$startdir/proj" "$srcdir/proj"
  make -C "$srcdir/proj"
}
package() {
  install -Dm755 "$srcdir/proj/prog" "$pkgdir/usr/bin/dcc-makepkg-test"
}
PKG
hosts="127.0.0.1:$PORT/4,cpp,lzo"
sed -e 's/^BUILDENV=.*/BUILDENV=(distcc !color !ccache !check !sign)/' \
    -e "s|^#*DISTCC_HOSTS=.*|DISTCC_HOSTS=\"$hosts\"|" \
    -e 's/^#*MAKEFLAGS=.*/MAKEFLAGS="-j4"/' -e "s/^PKGEXT=.*/PKGEXT='.pkg.tar'/" \
    -e 's/^OPTIONS=.*/OPTIONS=(!strip !docs !libtool !staticlibs !emptydirs !zipman !purge !debug !lto)/' \
    /etc/makepkg.conf > "$SCRATCH/makepkg.conf"
chown -R nobody "$b" "$SCRATCH/home" "$SCRATCH/dd"
chmod 755 "$SCRATCH"
cat > "$SCRATCH/run.sh" <<SH
set -e
mount --bind "$root/usr/lib/distcc" /usr/lib/distcc
mount --bind "$BIN/distcc" /usr/bin/distcc
cd "$b"
exec setpriv --reuid=nobody --regid=nogroup --clear-groups env -i PATH=/usr/local/bin:/usr/bin:/bin \
  HOME="$SCRATCH/home" TMPDIR="$TMPDIR" DISTCC_DIR="$SCRATCH/dd" DISTCC_LOG="$SCRATCH/dd/c.log" \
  DISTCC_HOSTS="$hosts" "$BIN/pump" makepkg --config "$SCRATCH/makepkg.conf" -d --skipinteg --noconfirm
SH
timeout 600 unshare -m --propagation private bash "$SCRATCH/run.sh" > "$SCRATCH/makepkg.out" 2>&1
rc=$?
check "pump makepkg: exit 0 (got $rc)" test $rc = 0
[ $rc = 0 ] || tail -15 "$SCRATCH/makepkg.out" | sed 's/^/# /'
check "pump makepkg: the package is built" test -f "$b/dcc-makepkg-test-1-1-x86_64.pkg.tar"
n=$(grep -c 'result: ' "$SCRATCH/dd/c.log" 2>/dev/null); r=$(grep -c 'result: remote .*mode=pump' "$SCRATCH/dd/c.log" 2>/dev/null)
check "pump makepkg: 7 runs through distcc: 6 compiles and the link (got $n)" test "$n" = 7
check "pump makepkg: the link ran locally" grep -q "result: local reason=\"not a compile" "$SCRATCH/dd/c.log"
check "pump makepkg: all 6 remote in pump mode (got $r)" test "$r" = 6
check "pump makepkg: compiles went through /usr/lib/distcc/bin (the Makefile runs plain cc; only makepkg's PATH routes it to distcc)" \
    grep -q 'result: remote .*mode=pump' "$SCRATCH/dd/c.log"
grep "result: local" "$SCRATCH/dd/c.log" | sed "s/^/# /"
finish
