#!/usr/bin/env bash
# A real distccd from the build tree on loopback under attack: bad lengths,
# truncated frames, garbage, lz4 bombs, huge manifests, idle and many
# connections, pump-mode paths that try to leave the job tree, options that
# read or write outside it or run other programs, hostile environment.
# For each attack (one TAP line): the reply is a clear EROR (or, for
# transport-level garbage, the connection closes), the daemon keeps serving,
# no job directory is left behind once the connection is over, and nothing
# appears outside the job tree. The outcomes are recorded in doc/security.md.
source "$(dirname "$0")/lib.sh"

HOSTILE=$TOP/test/integration/hostile.py
OUT=$SCRATCH/outside            # stands for "/" outside the job tree: must stay empty
EVIL=$SCRATCH/evil              # programs a hostile request would like to run
mkdir -p "$OUT" "$EVIL" "$SCRATCH/proj"
printf '#!/bin/sh\ntouch %s/pwned\nexit 1\n' "$OUT" > "$EVIL/cc1"
chmod +x "$EVIL/cc1"; cp "$EVIL/cc1" "$EVIL/as"; cp "$EVIL/cc1" "$EVIL/gcc"
echo 'int twice (int x) { return 2 * x; }' > "$SCRATCH/proj/n.c"
PROBE=/etc/dcc-hostile-probe-$$  # must never exist

# --max-connections-per-peer 256: "200 simultaneous requests" below connects 200
# sockets from 127.0.0.1 before any sends, which the default per-peer bound
# (64 incomplete connections) would treat as a flood (test-connections.sh).
# --request-timeout 300: the 60000-file manifest below takes more than the
# default 30 s to upload on a loaded machine (test-connections tests the
# timeout itself).
start_distccd --jobs 1 --io-timeout 3 --max-connections-per-peer 256 --request-timeout 300 || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts with --jobs 1 --io-timeout 3 on 127.0.0.1:$PORT"
STORE=$SCRATCH/cache-$PORT

hostile () { timeout 200 python3 "$HOSTILE" "$1" 127.0.0.1 "$PORT" "${@:2}" 2>&1; }

# Job directories live in $TMPDIR/distccd-XXXXXX/ beside the daemon's slots/ and its owner file.
nothing_left () {
  [ -z "$(find "$TMPDIR" -mindepth 2 -maxdepth 2 ! -name slots ! -name owner)" ] && [ -z "$(ls -A "$STORE/tmp" 2>/dev/null)" ]
}
no_leftovers () { wait_until "job directories and store temporaries to go" nothing_left; }
nothing_outside () { [ -z "$(ls -A "$OUT")" ] && [ ! -e "$PROBE" ] && [ ! -e "$PROBE-2" ]; }
alive () { [ "$(hostile good)" = "DONE 0 /w/a.o" ]; }

# attack NAME EXPECTED-REGEX KIND ARGS...: one TAP line.
attack () {
  local name=$1 want=$2; shift 2
  local got why=""
  got=$(hostile "$@" | head -c 160 | tr -d '#')
  [[ $got =~ $want ]] || why="$why reply"
  no_leftovers || why="$why leftover-job-dir"
  nothing_outside || why="$why wrote-outside"
  alive || why="$why daemon-not-serving"
  if [ -z "$why" ]; then ok "$name -> $got"; else
    not_ok "$name -> $got (wanted /$want/; failed:$why)"
    find "$TMPDIR" "$OUT" -mindepth 1 -maxdepth 3 | sed 's/^/#   /'
    tail -5 "$DLOG" | sed 's/^/#   daemon: /'
    rm -rf "${OUT:?}"/* "$PROBE" "$PROBE-2"
  fi
}

# A normal compile through bin/distcc must still run remotely.
normal_compile () {
  rm -f "$SCRATCH/c.log" "$SCRATCH/proj/n.o"
  (cd "$SCRATCH/proj" && DISTCC_HOSTS="127.0.0.1:$PORT/4" DISTCC_LOG="$SCRATCH/c.log" "$BIN/distcc" gcc -c n.c -o n.o) \
    && [ -s "$SCRATCH/proj/n.o" ] && [ "$(result_of "$SCRATCH/c.log")" = remote ]
}

EROR='^EROR '
EROR_OR_CLOSED='^(EROR |CLOSED$)'

# --- Transport: lengths, truncation, garbage ---
attack "frame length 64 MiB + 1 refused before allocating" "$EROR.*limit" len-over-limit
attack "frame length 0xFFFFFFFF (negative) refused" "$EROR.*limit" len-negative
attack "ARGV frame of length 0xFFFFFFFF after a valid start" "$EROR.*limit" len-negative-later
attack "truncated header, then EOF" "$EROR_OR_CLOSED" truncated-header
attack "truncated payload, then EOF" "$EROR_OR_CLOSED" truncated-payload
attack "request cut inside DOTI, then EOF" "$EROR_OR_CLOSED" truncated-request
attack "4 KiB of random bytes after DCC1" "$EROR_OR_CLOSED" garbage-after-hello
attack "non-ASCII frame tag" "$EROR.*not ASCII" binary-tag
attack "unsupported protocol version" "$EROR.*version" bad-version
attack "ARGC 0xFFFFFFFF" "$EROR.*ARGC" argc-huge
check "after transport attacks: a normal compile through bin/distcc runs remotely" normal_compile

# --- A stock distcc client's protocol (DIST), malformed ---
# The stock protocol has no error reply: the connection is dropped, as stock
# distccd does, with one log line that says why; the daemon serves on, in
# both protocols.
stock_alive () { [[ $(hostile stock-good) =~ ^STOCK-DONE\ 0\ [1-9] ]]; }
log_since () { tail -n +"$(($1 + 1))" "$DLOG" | grep -q -- "$2"; }
# stock_attack NAME LOG-REGEX KIND ARGS...: one TAP line.
stock_attack () {
  local name=$1 want=$2; shift 2
  local got why="" before
  before=$(wc -l < "$DLOG")
  got=$(hostile "$@" | head -c 160 | tr -d '#')
  [ "$got" = CLOSED ] || why="$why reply"
  wait_until "'$want' in the log" log_since "$before" "$want" || why="$why no-log-line"
  no_leftovers || why="$why leftover-job-dir"
  nothing_outside || why="$why wrote-outside"
  alive || why="$why daemon-not-serving"
  stock_alive || why="$why not-serving-stock-clients"
  if [ -z "$why" ]; then
    ok "stock client: $name -> $got, logged"
  else
    not_ok "stock client: $name -> $got (failed:$why)"
    tail -n +"$((before + 1))" "$DLOG" | tail -5 | sed 's/^/#   /'
  fi
}
check "a stock client's protocol 1 request is compiled ($(hostile stock-good | head -c 60))" stock_alive
DROPPED='request from 127.0.0.1:[0-9]* refused (stock distcc client, connection dropped): '
stock_attack "ARGV of 0xFFFFFFFF bytes" "${DROPPED}stock protocol: ARGV of 4294967295 bytes is over the limit" stock-argv-huge
stock_attack "ARGC 0xFFFFFFFF" "${DROPPED}stock protocol: ARGC 4294967295 out of range" stock-argc-huge
stock_attack "DOTI claiming 4 GiB" "${DROPPED}stock protocol: DOTI of 4294967295 bytes is more than the job input limit" stock-doti-huge
# LZO declares no size: the parent keeps the body as sent, and a worker
# inflates it, up to --job-input-size. (Before, the parent inflated it in
# its reading loop: 0.6 s of every client's time per 0.9 MB request.)
stock_attack "protocol 2 DOTI of 0.9 MB inflating to 200 MiB: refused by a worker, not the reading loop" \
  "job from .* failed: stock protocol: the job's input is more than the limit of 134217728 bytes" stock-lzo-bomb 200
stock_attack "parameter not 8 hex digits" "${DROPPED}stock protocol: parameter is not 8 hex digits" stock-bad-hex
stock_attack "token out of order" "${DROPPED}stock protocol: expected ARGV, got EVIL" stock-bad-token
stock_attack "non-printable token" "${DROPPED}stock protocol: token is not printable" stock-binary-token
stock_attack "protocol version 9" "${DROPPED}stock protocol: version 9 is not 1, 2 or 3" stock-version-9
stock_attack "protocol 3 (stock pump mode)" "${DROPPED}stock protocol 3 (pump mode) is not served" stock-protocol-3
stock_attack "NUL inside an argument" "${DROPPED}stock protocol: ARGV holds a NUL byte" stock-nul-in-argv
stock_attack "truncated header, then EOF" "closed the connection before its request was complete" stock-truncated-header
stock_attack "request cut inside DOTI, then EOF" "closed the connection before its request was complete" stock-truncated-doti
stock_attack "compiler 'sh' refused" "job from .* failed: compiler .*sh.* (stock distcc client: connection closed without a reply)" stock-compiler sh
stock_attack "compiler $EVIL/gcc refused" "job from .* failed: compiler .* (stock distcc client: connection closed without a reply)" stock-compiler "$EVIL/gcc"
stock_attack "-fplugin= refused" "job from .* failed: .*-fplugin.* (stock distcc client: connection closed without a reply)" stock-good gcc "-fplugin=$EVIL/p.so" -c a.c -o a.o
# An empty argument once made the reader fail without an error, which the
# daemon's event loop dereferenced: the daemon died.
got=$(hostile stock-good gcc '' -c a.c -o a.o | head -c 80)
empty_arg_ok () { [[ $got =~ ^(STOCK-DONE|CLOSED) ]] && kill -0 "$DPID" && stock_alive; }
check "stock client: an empty argument is answered (${got//[^[:print:]]/}), the daemon serves on" empty_arg_ok
stock_attack "-E (preprocess only) refused" "job from .* failed: this compile cannot run remotely" stock-good gcc -E a.c
check "after stock-protocol attacks: a normal compile through bin/distcc runs remotely" normal_compile

# --- Compressed payloads ---
attack "DOTI lz4 claiming 4 GiB" "$EROR.*limit" lz4-claims-4g
attack "DOTI lz4 claiming 255 MiB with 7 bytes of data" "$EROR.*more than lz4 can expand" lz4-claims-255m
attack "DOTI corrupt lz4 block" "$EROR.*corrupt" lz4-corrupt
attack "BLOB lz4 claiming 255 MiB" "$EROR.*more than lz4 can expand" blob-claims-huge
attack "BLOB whose content does not match its hash" "$EROR.*does not match" blob-wrong-hash
attack "BLOB for a hash that was not asked for" "$EROR.*not asked" blob-unasked
check "after lz4 attacks: a normal compile through bin/distcc runs remotely" normal_compile

# --- Manifests ---
attack "manifest with 100000 entries (limit 65536)" "$EROR.*limit 65536" manifest-100000
attack "manifest count 100000 with 2 entries present" "$EROR.*limit" manifest-count-lies
attack "manifest with 60000 small distinct files is served" '^DONE 0 /w/a\.o$' manifest-60000
attack "pump path with .. climbing out" "$EROR.*\.\." manifest "0:/w/../../../$OUT/dotdot"
attack "pump path /../ absolute escape" "$EROR.*\.\." manifest "0:/../$OUT/abs"
attack "pump path not absolute" "$EROR.*not absolute" manifest 0:w/rel
attack "pump path with . component" "$EROR" manifest 0:/w/./dot
attack "pump path //outside stays inside the job tree" '^DONE 0' manifest "0://$OUT/dslash"
attack "pump file name with newline" "$EROR.*control character" manifest '0:/w/new\nline.h'
attack "pump directory name with newline" "$EROR.*control character" manifest '1:/w/new\nline'
attack "symlink /a/l -> /etc alone is mapped into the job tree" '^DONE 0' manifest 2:/a/l:/etc
attack "symlink /a/l -> /etc then file /a/l/probe refused" "$EROR" manifest 2:/a/l:/etc "0:/a/l/${PROBE##*/}"
attack "symlink /a/l -> OUTSIDE then file /a/l/passwd refused" "$EROR" manifest "2:/a/l:$OUT" 0:/a/l/passwd
attack "symlink /a/l -> OUTSIDE then directory /a/l/sub refused" "$EROR" manifest "2:/a/l:$OUT" 1:/a/l/sub
attack "symlink /a/l -> /etc then symlink /a/l/x refused" "$EROR" manifest 2:/a/l:/etc 2:/a/l/x:/y
attack "symlink target ../../../../etc refused" "$EROR.*climbs" manifest 2:/a/l:../../../../etc "0:/a/l/${PROBE##*/}-2"
attack "symlink target ../../../../OUTSIDE then /a/l/passwd refused" "$EROR.*climbs" manifest "2:/a/l:../../../../$OUT" 0:/a/l/passwd
attack "symlink over the source file /w/a.c -> /etc/passwd refused" "$EROR" manifest 2:/w/a.c:/etc/passwd
attack "symlink over the directory /w -> /etc refused" "$EROR" manifest 2:/w:/etc
attack "same file twice in the manifest refused" "$EROR" manifest 0:/w/a.c
attack "symlink pointing at itself: compile still served" '^DONE 0' manifest 2:/w/l:/w/l
check "after manifest attacks: a normal compile through bin/distcc runs remotely" normal_compile

# An output named like a manifest file must not write through the hard link
# into the content store that all clients share.
for o in "v.o -o v.o" "v.d -o a.o -MD -MF v.d" "a.d -o a.o -MD" "a.s -S -o a.s" "a.su -o a.o -fstack-usage"; do
  # shellcheck disable=SC2086
  got=$(hostile pump-output-over-input $o)
  store=$(hostile store-check "$STORE")
  if [ "$store" = OK ] && no_leftovers && nothing_outside; then
    ok "output over a manifest file ($o) leaves the shared store intact -> ${got%% victim=*}"
  else
    not_ok "output over a manifest file ($o) leaves the shared store intact -> ${got%% victim=*}; store: $store"
  fi
done

# --- Options that read or write outside the job tree or run programs ---
attack "-o /abs is mapped into the job tree" '^(EROR |DONE 0 )' options -o "$OUT/x.o"
attack "-o ../../../../abs stays in the job tree" '^(EROR |DONE )' options -o "../../../../$OUT/y.o"
attack "-MF /abs is mapped into the job tree" '^(EROR |DONE 0 )' options -MD -MF "$OUT/x.d"
attack "-Wp,-MD,/abs is mapped into the job tree" '^(EROR |DONE 0 )' options "-Wp,-MD,$OUT/wp.d"
attack "-fprofile-generate=/abs refused" "$EROR" options "-fprofile-generate=$OUT/p"
attack "-save-temps=/abs refused" "$EROR" options "-save-temps=$OUT/st"
attack "-specs=x refused" "$EROR" options "-specs=$EVIL/specs"
attack "--specs=x refused" "$EROR" options "--specs=$EVIL/specs"
attack "-B/x refused" "$EROR" options "-B$EVIL/"
attack "-fplugin=x refused" "$EROR" options "-fplugin=$EVIL/plugin.so"
attack "-iplugindir=x refused" "$EROR" options "-iplugindir=$EVIL"
attack "-wrapper x refused" "$EROR" options -wrapper "$EVIL/gcc"
attack "-Xclang -load refused" "$EROR" options -Xclang -load -Xclang "$EVIL/p.so"
attack "@/etc/passwd refused" "$EROR.*response file" options @/etc/passwd
attack "-fdump-tree-all=/abs refused" "$EROR" options "-fdump-tree-all=$OUT/dump"
attack "-fdump-rtl-all refused" "$EROR" options -fdump-rtl-all
attack "-aux-info /abs refused" "$EROR" options -aux-info "$OUT/aux"
attack "-dumpdir /abs refused" "$EROR" options -dumpdir "$OUT/"
attack "--output=/abs refused" "$EROR" options "--output=$OUT/long.o"
attack "-Wa,-adhln=/abs refused" "$EROR" options "-Wa,-adhln=$OUT/asm.lst"
attack "-Wl,-rpath with -c: refused or dropped" '^(EROR |DONE 0 )' options "-Wl,-rpath,$OUT"
attack "-include /etc/passwd reads the job tree, not the host" '^(EROR |DONE [1-9])' options -include /etc/passwd
attack "CWD with .. refused" "$EROR.*\.\." options-cwd /../../etc -o x.o
attack "relative CWD refused" "$EROR.*not absolute" options-cwd w
# The result cache answers before the compile's checks; its key without the
# working directory must not let a refused directory through.
attack "a compile in /w, kept by the result cache" '^DONE 0 /w/a\.o$' options-cwd /w -o a.o
attack "CWD with a newline refused, even with that compile in the result cache" "$EROR.*control character" \
  options-cwd $'/w\nx' -o a.o
attack "compiler 'sh' refused" "$EROR.*not allowed" argv sh -c "touch $OUT/pwned" a.c
attack "compiler by absolute path $EVIL/gcc refused" "$EROR.*not allowed" argv "$EVIL/gcc" -c a.c
attack "compiler ../../bin/sh refused" "$EROR.*not allowed" argv ../../bin/sh -c a.c
for e in "COMPILER_PATH=$EVIL" "GCC_EXEC_PREFIX=$EVIL/" "PATH=$EVIL" "LD_PRELOAD=$EVIL/x.so" "TMPDIR=$OUT" \
         "DEPENDENCIES_OUTPUT=$OUT/deps.d" "SUNPRO_DEPENDENCIES=$OUT/sun.d"; do
  attack "environment ${e%%=*} from the client is ignored" '^(EROR |DONE 0 )' env "$e"
done
check "after option attacks: a normal compile through bin/distcc runs remotely" normal_compile

# --- Idle and many connections ---
# The same compile alone first: the one beside idle connections is measured
# against it, since waiting for even one of them costs the --io-timeout (3 s),
# while a loaded machine (or a sanitized build) makes any compile slow.
t0=$(date +%s.%N); normal_compile; t1=$(date +%s.%N)
alone=$(echo "$t1 - $t0" | bc)
idle_pids=()
for i in 1 2 3 4 5; do hostile idle 10 "$SCRATCH/idle.$i.connected" > "$SCRATCH/idle.$i" & idle_pids+=($!); done
all_idle_connected () { for i in 1 2 3 4 5; do [ -e "$SCRATCH/idle.$i.connected" ] || return 1; done; }
wait_until "5 idle connections" all_idle_connected || not_ok "5 idle connections are made"
t0=$(date +%s.%N)
check "5 idle connections open: a normal compile still runs remotely" normal_compile
t1=$(date +%s.%N)
check "5 idle connections open: that compile did not wait for them ($(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s < $(printf '%.1f' "$alone") s alone + 3 s)" \
  test "$(echo "$t1 - $t0 < $alone + 3" | bc)" = 1
for p in "${idle_pids[@]}"; do wait "$p"; done
check "idle connections closed by the daemon after --io-timeout" \
  test "$(cat "$SCRATCH"/idle.[0-9] | sort -u)" = CLOSED
check "idle connections left nothing behind" no_leftovers

got=$(hostile parallel 200)
check "200 simultaneous requests all compiled ($got)" test "$got" = "DONE 0=200"
[ "$got" = "DONE 0=200" ] || grep -E 'failed:|refused' "$DLOG" | tail -5 | sed 's/^/# distccd: /'
check "200 simultaneous requests left nothing behind" no_leftovers

# More idle connections than the daemon has children (--jobs 1: 4*1+16):
# the next client waits in the listen backlog until --io-timeout frees one.
got=$(hostile idle-then-good 25)
check "25 idle connections (more than 20 children): a request still completes ($got)" \
  test "${got% after *}" = "DONE 0 /w/a.o"
check "after idle connections: no leftovers" no_leftovers

check "daemon process still alive at the end" kill -0 "$DPID"
check "nothing was created outside the job tree" nothing_outside
check "the shared store holds only objects matching their hashes" test "$(hostile store-check "$STORE")" = OK

finish
