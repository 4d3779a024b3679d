#!/bin/sh
# cgroup-cpu.sh: CPU accounting for the benchmark through cgroup v2.
#
#   cgroup-cpu.sh root             print the cgroup v2 mount point in use
#   cgroup-cpu.sh create NAME      create NAME (e.g. dccbench-client) below it
#   cgroup-cpu.sh usage NAME       print cpu.stat usage_usec of NAME
#   cgroup-cpu.sh exec NAME CMD..  move this shell into NAME, then exec CMD
#   cgroup-cpu.sh remove NAME      remove NAME (it must have no processes)
#
# cpu.stat's usage_usec needs no controller to be enabled: the kernel keeps
# it for every cgroup v2 group. On a pure v2 host the hierarchy is at
# /sys/fs/cgroup; on a hybrid host (v1 controllers plus a v2 tree, as on the
# machine these figures come from) it is at /sys/fs/cgroup/unified.
# DCC_BENCH_CGROUP_ROOT overrides the search.

set -eu

die () { echo "cgroup-cpu.sh: $*" >&2; exit 1; }

cg_root () {
  if [ -n "${DCC_BENCH_CGROUP_ROOT:-}" ]; then
    echo "$DCC_BENCH_CGROUP_ROOT"; return
  fi
  for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
    if [ -f "$d/cgroup.procs" ] && [ -f "$d/cgroup.subtree_control" ]; then
      echo "$d"; return
    fi
  done
  die "no cgroup v2 hierarchy found (looked at /sys/fs/cgroup and /sys/fs/cgroup/unified)"
}

[ $# -ge 1 ] || die "usage: cgroup-cpu.sh root|create|usage|exec|remove [NAME [CMD...]]"
cmd=$1; shift
case "$cmd" in
  root) cg_root ;;
  create)
    d=$(cg_root)/$1
    [ -d "$d" ] || mkdir "$d" || die "cannot create $d (is cgroup v2 writable here?)"
    [ -f "$d/cpu.stat" ] || die "$d has no cpu.stat"
    ;;
  usage)
    d=$(cg_root)/$1
    awk '$1 == "usage_usec" { print $2; found = 1 } END { if (!found) exit 1 }' "$d/cpu.stat" \
      || die "no usage_usec in $d/cpu.stat"
    ;;
  exec)
    d=$(cg_root)/$1; shift
    echo $$ > "$d/cgroup.procs" || die "cannot join $d"
    exec "$@"
    ;;
  remove)
    d=$(cg_root)/$1
    [ -d "$d" ] && rmdir "$d" || true
    ;;
  *) die "unknown command $cmd" ;;
esac
