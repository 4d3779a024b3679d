#!/bin/bash
# floor-cc.sh: the stand-in compiler of the benchmark's "floor" mode.
#
#   floor-cc.sh record STASH CC ARGS...   run CC ARGS, then keep copies of
#                                          its output (-o) and depfile
#                                          (-Wp,-MMD,F or -Wp,-MD,F)
#   floor-cc.sh replay STASH CC ARGS...   copy the kept output and depfile
#                                          into place; run CC ARGS only when
#                                          nothing was kept for this output
#
# A replayed build does everything a build does except compile: make, the
# kernel's own scripts, fixdep and the linker still run. Its client-side CPU
# is the floor that no distributed compiler can go below; what a mode spends
# above it, per remote compile, is that mode's own cost. Compiler probes
# (outputs under random temporary names) are never kept, so they run the
# real compiler in every mode alike.
set -u
mode=$1 stash=$2 cc=$3
shift 3

out= dep= prev=
for a in "$@"; do
  [ "$prev" = -o ] && out=$a
  case $a in
    -Wp,-MMD,*) dep=${a#-Wp,-MMD,} ;;
    -Wp,-MD,*) dep=${a#-Wp,-MD,} ;;
  esac
  prev=$a
done
key=
if [ -n "$out" ]; then
  case $out in /*) key=$out ;; *) key=$PWD/$out ;; esac
  key=${key//\//%}
fi

case $mode in
  record)
    "$cc" "$@" || exit
    case $out in *.tmp*|*/tmp*|/dev/*|'') exit 0 ;; esac
    [ -f "$out" ] || exit 0
    cp "$out" "$stash/$key.out"
    if [ -n "$dep" ] && [ -f "$dep" ]; then cp "$dep" "$stash/$key.dep"; else rm -f "$stash/$key.dep"; fi
    ;;
  replay)
    if [ -n "$key" ] && [ -f "$stash/$key.out" ]; then
      cp "$stash/$key.out" "$out"
      [ -n "$dep" ] && [ -f "$stash/$key.dep" ] && cp "$stash/$key.dep" "$dep"
      exit 0
    fi
    exec "$cc" "$@"
    ;;
  *) echo "floor-cc.sh: unknown mode $mode" >&2; exit 2 ;;
esac
