#!/usr/bin/env bash
# doc/stock-compat.md against the programs: every distccd, distcc and pump
# option in the table is accepted by the binary (a "refused" one exits 1
# with a reason that says "not supported"), every variable marked
# implemented is read by the code, and every test the table names exists
# and mentions the option or variable.
source "$(dirname "$0")/lib.sh"
table=$TOP/doc/stock-compat.md

# rows SECTION: "name<TAB>status<TAB>test" for each row of that section.
rows () {
  awk -v sec="$1" '
    /^## / { insec = (index($0, sec) == 4) ; next }
    insec && /^\| `/ {
      n = split($0, f, "|")
      name = f[2]; gsub(/^ *`|` *$/, "", name)
      st = f[3]; gsub(/^ *| *$/, "", st)
      t = f[5]; gsub(/^ *| *$/, "", t)
      print name "\t" st "\t" t
    }' "$table"
}

# the test named in a row exists and mentions the name (without its argument)
test_mentions () { # NAME TEST
  local word=${1%% *}; word=${word%%=*}
  local f
  f=$(ls "$TOP"/test/integration/"$2" "$TOP"/test/unit/"$2" 2>/dev/null | head -1)
  [ -n "$f" ] && grep -qF -- "$word" "$f"
}

arg_for () { # PLACEHOLDER
  case "$1" in
    N) echo 2 ;; SECONDS) echo 600 ;; PORT) free_port ;; FILE) echo "$SCRATCH/file" ;;
    LEVEL) echo info ;; USER) echo nobody ;; ADDRESS) echo 127.0.0.1 ;; 'IP[/BITS]') echo 127.0.0.1 ;;
    *) echo "$1" ;;
  esac
}
: > "$SCRATCH/file"

n=0
while IFS=$'\t' read -r name status tst; do
  n=$((n + 1))
  opt=${name%% *}; ph=${name#"$opt"}; ph=${ph# }
  args=("$opt")
  case "$opt" in *=*) args=("${opt%%=*}=$(arg_for "${opt#*=}")"); opt=${opt%%=*} ;; esac
  if [ "$opt" = --lifetime ]; then args+=(1); elif [ -n "$ph" ]; then args+=("$(arg_for "$ph")"); fi
  P=$(free_port)
  out=$SCRATCH/out.$n
  case "$opt" in
    --help|--version|--show-principal|--auth) timeout 20 "$BIN/distccd" "${args[@]}" > "$out" 2>&1 < /dev/null ;;
    --inetd) timeout 20 "$BIN/distccd" --user nobody "${args[@]}" > "$out" 2>&1 < /dev/null ;;
    *) timeout 20 "$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$P" --allow 127.0.0.1 --user nobody \
         --log-stderr --lifetime 1 "${args[@]}" > "$out" 2>&1 < /dev/null ;;
  esac
  rc=$?
  if [ "$status" = refused ]; then
    check "distccd $name: refused, exit 1, says why (got $rc)" sh -c "test $rc = 1 && grep -q 'not supported' '$out'"
  else
    check "distccd $name: accepted (exit $rc)" sh -c "test $rc = 0 && ! grep -qiE 'unknown option|unexpected argument' '$out'"
  fi
  [ $rc = 0 ] || [ "$status" = refused ] || sed 's/^/# /' "$out" | head -3
  check "distccd $name: test $tst exists and mentions it" test_mentions "$name" "$tst"
done < <(rows "distccd options")

while IFS=$'\t' read -r name status tst; do
  n=$((n + 1)); out=$SCRATCH/out.$n
  case "$name" in
    --scan-includes) DISTCC_HOSTS="127.0.0.1:1/1,cpp" "$BIN/distcc" --scan-includes gcc -c "$SCRATCH/x.c" > "$out" 2>&1
                     rc=$?; check "distcc $name: understood (says pump mode does not apply)" grep -q 'pump' "$out" ;;
    *) DISTCC_HOSTS="localhost/2" "$BIN/distcc" "$name" > "$out" 2>&1; rc=$?
       if [ "$status" = refused ]; then
         check "distcc $name: refused, exit 1, says why (got $rc)" sh -c "test $rc = 1 && grep -q 'not supported' '$out'"
       else
         check "distcc $name: accepted (exit $rc)" test $rc = 0
       fi ;;
  esac
  check "distcc $name: test $tst exists and mentions it" test_mentions "$name" "$tst"
done < <(rows "distcc options")

while IFS=$'\t' read -r name status tst; do
  n=$((n + 1)); out=$SCRATCH/out.$n
  DISTCC_HOSTS="127.0.0.1:1/1" INCLUDE_SERVER_PID= "$BIN/pump" "$name" > "$out" 2>&1
  rc=$?
  if [ "$name" = --help ]; then check "pump --help: exit 0" test $rc = 0
  else check "pump $name: understood (no usage error)" sh -c "! grep -qi 'usage' '$out'"; fi
  check "pump $name: test $tst exists and mentions it" test_mentions "$name" "$tst"
done < <(rows "pump options")

while IFS=$'\t' read -r name status tst; do
  check "include server $name ($status): test $tst exists" test -n "$(ls "$TOP"/test/integration/"$tst" 2>/dev/null)"
done < <(rows "include server options")

while IFS=$'\t' read -r name status tst; do
  if [ "$status" = implemented ]; then
    check "$name: read by the code" grep -rqw -- "$name" "$TOP/client" "$TOP/server" "$TOP/shared" "$TOP/includeserver" "$TOP/scripts"
    check "$name: documented in a man page" grep -qw -- "$name" "$TOP"/doc/*.1
  fi
  check "$name: test $tst exists and mentions it" test_mentions "$name" "$tst"
done < <(rows "Variables")

while IFS=$'\t' read -r name status tst; do
  check "host entry $name ($status): test $tst exists and mentions it" test_mentions "$name" "$tst"
done < <(rows "Host list entries")

# Variables that have no effect here or belong to stock programs with no
# counterpart: a compile with each of them set still runs remotely, and
# distcc -j still counts the slots.
start_distccd || not_ok "distccd starts"
printf 'int main (void) { return 0; }\n' > "$SCRATCH/v.c"
for v in DISTCC_PAUSE_TIME_MSEC=5 DISTCC_MMAP=0 DISTCC_TCP_CORK=0 DISTCC_ENABLE_DISCREPANCY_EMAIL=1 \
         DCC_EMAILLOG_WHOM_TO_BLAME=nobody@example.org DISTCC_MAX_DISCREPANCY=1 DISTCC_NO_CROSS_REWRITE=1 \
         INCLUDE_SERVER_ARGS=--statistics DISTCC_POTENTIAL_HOSTS=127.0.0.1 DISTCC_LOCATION=/usr/bin \
         DISTCC_CLIENT_TMP=/tmp DISTCC_CMDLIST_MATCHWORDS=1; do
  rm -f "$SCRATCH/v.log"
  (cd "$SCRATCH" && env "$v" DISTCC_HOSTS="127.0.0.1:$PORT/2" DISTCC_LOG="$SCRATCH/v.log" "$BIN/distcc" gcc -c v.c -o v.o)
  check "with $v: the compile still runs remotely" test "$(result_of "$SCRATCH/v.log")" = remote
done
kill "$DPID"; wait "$DPID" 2>/dev/null
DISTCC_TCP_DEFER_ACCEPT=1 start_distccd
rm -f "$SCRATCH/v.log"
(cd "$SCRATCH" && DISTCC_HOSTS="127.0.0.1:$PORT/2" DISTCC_LOG="$SCRATCH/v.log" "$BIN/distcc" gcc -c v.c -o v.o)
check "distccd with DISTCC_TCP_DEFER_ACCEPT=1: serves" test "$(result_of "$SCRATCH/v.log")" = remote
check "distcc -j: the sum of the limits" test "$(DISTCC_HOSTS='localhost/2 127.0.0.1/3' "$BIN/distcc" -j)" = 5
"$BIN/distccd" --no-detach --daemon --listen 127.0.0.1 --port "$(free_port)" --allow 127.0.0.1 --user nobody \
    --log-stderr --lifetime 1 --whitelist="$SCRATCH/file" > "$SCRATCH/wl.out" 2>&1
check "distccd --whitelist=FILE: ignored with a reason naming --allow" grep -q 'whitelist ignored.*--allow' "$SCRATCH/wl.out"

# The table is complete: every option in Debian's distccd --help is a row.
if [ -x /usr/bin/distccd ]; then
  missing=$(/usr/bin/distccd --help 2>&1 | grep -oE -- '--[a-z][a-z-]+' | sort -u | while read -r o; do
              rows "distccd options" | cut -f1 | grep -qE -- "^$o( |=|\$)" || echo "$o"; done)
  check "every option of Debian's distccd --help is in the table (missing: ${missing:-none})" test -z "$missing"
fi
finish
