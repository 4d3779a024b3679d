#!/usr/bin/env bash
# The result cache never keeps a result whose input uses __DATE__, __TIME__
# or __TIMESTAMP__ (without SOURCE_DATE_EPOCH) or includes an absolute
# path, also when the name or the directive is split across lines with a
# backslash-newline, which the compiler joins before it reads a token
# (translation phase 2). Before, "__DA\<newline>TE__" was cached: the
# second compile got the first one's date (plain mode through bin/distcc,
# and pump mode by hand), and "#inc\<newline>lude "/usr/include/..."" was
# kept though it reads a volunteer file no key covers.
source "$(dirname "$0")/lib.sh"
start_distccd || { not_ok "distccd starts"; finish; exit 1; }
ok "distccd starts"
unstored () { grep -c "not stored: $1" "$DLOG"; }

# Plain mode, the real client: gcc -fdirectives-only keeps the splice.
mkdir -p "$SCRATCH/p" && cd "$SCRATCH/p" || exit 1
printf 'const char *d = __DA\\\nTE__ " " __TI\\\nME__;\n' > d.c
before=$(unstored "an input uses __DATE__ or __TIME__")
for i in 1 2; do
  rm -f d.o "$SCRATCH/c$i.log"
  DISTCC_HOSTS="127.0.0.1:$PORT" DISTCC_LOG="$SCRATCH/c$i.log" DISTCC_FALLBACK=0 "$BIN/distcc" gcc -c d.c -o d.o
done
check "plain mode: the first compile ran remotely" grep -q 'result: remote .*mode=plain' "$SCRATCH/c1.log"
check "plain mode: __DA\\<newline>TE__ is not kept (the second compile is no hit)" \
    sh -c "grep -q 'result: remote' '$SCRATCH/c2.log' && ! grep -q 'cache=hit' '$SCRATCH/c2.log'"
check "plain mode: the volunteer says why" test "$(unstored "an input uses __DATE__ or __TIME__")" -ge $((before + 2))

# Pump mode, by hand.
for c in time date-crlf include control; do
  python3 "$TOP/test/integration/splice.py" "$PORT" "$c" > "$SCRATCH/$c.out" 2>&1
  sed "s/^/# $c: /" "$SCRATCH/$c.out"
done
check "pump mode: __TI\\<newline>ME__ is not kept (miss, miss)" \
    test "$(tr '\n' ' ' < "$SCRATCH/time.out")" = "miss 0 miss 0 "
check "pump mode: __DA\\<blank><CR LF>TE__ is not kept (miss, miss)" \
    test "$(tr '\n' ' ' < "$SCRATCH/date-crlf.out")" = "miss 0 miss 0 "
check "pump mode: #inc\\<newline>lude \"/usr/include/limits.h\" is not kept (miss, miss)" \
    test "$(tr '\n' ' ' < "$SCRATCH/include.out")" = "miss 0 miss 0 "
check "the volunteer says why (an absolute path)" test "$(unstored "an input includes an absolute path")" -ge 2
check "a continued macro alone is kept as before (miss, hit)" \
    test "$(tr '\n' ' ' < "$SCRATCH/control.out")" = "miss 0 hit 0 "
finish
