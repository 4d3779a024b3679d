#!/usr/bin/env bash
# Declared sizes and the shared file store under attack (issue 13, item 4):
# lz4 bombs in DOTI and BLOB, sizes lz4 cannot produce, a manifest whose
# files total more than --job-input-size, a manifest of deep directories
# (each counts 4 KiB against it), BLOBs lying about their size, and
# a flood of distinct contents from several connections at once against a
# small --cache-size. For each: the expected refusal (or the bound held),
# and the daemon still serving. The outcomes are in doc/security.md.
source "$(dirname "$0")/lib.sh"

ATTACK=$TOP/test/integration/store-attack.py
HOSTILE=$TOP/test/integration/hostile.py
sa () { timeout 300 python3 "$ATTACK" "$@" 2>&1; }

start_distccd --jobs 2 --io-timeout 10 --cache-size 1 || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts with --cache-size 1 (MiB) on 127.0.0.1:$PORT"
STORE=$SCRATCH/cache-$PORT
alive () { [ "$(timeout 60 python3 "$HOSTILE" good 127.0.0.1 "$PORT")" = "DONE 0 /w/a.o" ]; }

# expect NAME REGEX COMMAND...: the command's output matches, the daemon serves on.
expect () {
  local name=$1 want=$2 got why=""; shift 2
  got=$("$@" | head -c 400)
  [[ $got =~ $want ]] || why=" (wanted /$want/)"
  alive || why="$why (daemon not serving)"
  if [ -z "$why" ]; then ok "$name -> $got"; else not_ok "$name -> $got$why"; fi
}

MiB=1048576
# --- lz4 bombs, in a worker limited to 200 MiB of address space: refused
# from the declared size, before any buffer is allocated (before this check
# the worker died in g_malloc of 255 MiB under the same limit) ---
for mode in plain pump; do
  expect "$mode: real lz4 bomb (1 MiB expanding to 255 MiB) refused before allocating, worker peak RSS < 64 MiB" \
    '^EROR .*(source claims 267386880 bytes|manifest.s files total).*job input limit.*exit 0, peak RSS ([0-9]{1,5}) KiB' \
    sa inetd-bomb "$BIN/distccd" "$mode" $((255 * MiB)) 200
  expect "$mode: lz4 claiming 255 MiB from 100 KB (more than lz4 can expand) refused" \
    '^EROR .*more than lz4 can expand' sa ratio 127.0.0.1 "$PORT" "$mode"
done
# The BLOB's bomb itself, with the manifest's total within the limit: the
# manifest declares 255 MiB, --job-input-size 512 lets it through, and the
# BLOB must then be exactly what the manifest said.
expect "pump: BLOB declaring another size than the manifest refused before decompressing" \
  '^EROR .*BLOB claims 23 bytes, the manifest said 22' sa blob-size-lie 127.0.0.1 "$PORT"
expect "pump: manifest declaring 200 files of 1 MiB (over --job-input-size 128) refused before NEED" \
  '^EROR .*job input limit of 134217728' sa manifest-too-big 127.0.0.1 "$PORT" 200
expect "pump: manifest declaring 100 files of 1 MiB (within the limit) gets its NEED" \
  '^NEED 100$' sa manifest-too-big 127.0.0.1 "$PORT" 100
# Directories cost no file bytes, yet each is an inode and a block that a
# slot's tree keeps after the job: 200 entries 256 levels deep (51,200
# directories, 200 MiB on disk before each counted 4 KiB) are refused;
# 8 of them (2,048) within the limit are laid out and compiled.
expect "pump: manifest of 200 directory entries 256 deep (51,200 directories) refused before NEED" \
  '^EROR .*directories \(4096 bytes each\) total more than the job input limit of 134217728' \
  sa dir-bomb 127.0.0.1 "$PORT" 200
expect "pump: 8 directory entries 256 deep (2,048 directories) compiled" \
  '^DONE 0 /w/a.o' sa dir-bomb 127.0.0.1 "$PORT" 8
expect "--job-input-size 8: a 9 MiB source refused" \
  '^EROR .*job input limit of 8388608' sa inetd-bomb "$BIN/distccd" plain $((9 * MiB)) 200 --job-input-size 8

# --- A flood of distinct contents: 4 connections at once, each 40 files of
# 64 KiB (10 MiB in all) into a 1 MiB store. Sampled on disk during and after
# the attack, the store (as du counts it: every block of its files and
# directories, each inode once) stays within 1 MiB + one blob (a sample
# taken while files move); every compile is still served. ---
got=$(sa flood 127.0.0.1 "$PORT" "$STORE" 4 40 65536)
peak=$(echo "$got" | sed -nE 's/.*peak ([0-9]+) .*/\1/p')
after=$(echo "$got" | sed -nE 's/.* ([0-9]+)$/\1/p')
check "flood of 160 distinct 64 KiB files from 4 connections: all served ($got)" \
  test "${got%%;*}" = "DONE 0 /w/a.o=4"
check "flood: store on disk never over 1 MiB + one blob while sampled (peak $peak bytes)" \
  test "${peak:-999999999}" -le $((MiB + 65536))
check "flood: store on disk within 1 MiB + one blob afterwards ($after bytes)" \
  test "${after:-999999999}" -le $((MiB + 65536))
check "flood: every stored object matches its hash" \
  test "$(timeout 60 python3 "$HOSTILE" store-check 127.0.0.1 "$PORT" "$STORE")" = OK
check "flood: the daemon logged that the store was full and kept contents per job" \
  grep -q "store: full, keeping" "$DLOG"
check "daemon process still alive at the end" kill -0 "$DPID"

finish
