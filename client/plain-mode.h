/* Plain mode: the client preprocesses, keeping macros unexpanded (gcc
 * -fdirectives-only, clang -frewrite-includes), and the volunteer compiles
 * that text under the source's own name. See doc/protocol.md. These are
 * pure functions over arguments and text; running them is the caller's. */
#pragma once
#include <glib.h>
#include "dcc-args.h"

/* -save-temps (or a side output named like an intermediate file): the
 * volunteer's intermediate files would be saved instead of these; the
 * reason, or NULL. */
const char *dcc_client_cpp_saves_temps (const DccCompileArgs *a);
/* Why plain mode cannot reproduce this compile exactly, or NULL when it can. */
const char *dcc_plain_local_reason (const DccCompileArgs *a, gboolean is_clang);
/* The client's preprocessing command: output to stdout, dependency file
 * written where the real compile would write it. */
GStrv dcc_plain_cpp_argv (const DccCompileArgs *a, gboolean is_clang);
/* The same, preprocessing fully (macros expanded), as stock distcc does:
 * what a stock volunteer compiles. */
GStrv dcc_plain_cpp_argv_full (const DccCompileArgs *a, gboolean is_clang);
/* What the volunteer runs: the original command without include and
 * dependency options, plus -nostdinc (everything is already inlined). */
GStrv dcc_plain_remote_argv (const DccCompileArgs *a);
/* The remote compile of the client's preprocessed text leaves arg out:
 * the option table's DCC_OPT_BY_CPP options, and with macros_expanded (full
 * preprocessing, the stock protocol) -D and -U too. *with_value: arg's value
 * is the next argv element. Pure. */
gboolean dcc_plain_leaves_out (const char *arg, gboolean macros_expanded, gboolean *with_value);
/* Drops the compiler's predefined and command-line #define/#undef lines
 * from gcc -fdirectives-only output: the volunteer's compiler defines them
 * again from the same arguments. */
GBytes *dcc_plain_strip_predefined (const guint8 *text, gsize len);
/* The local reason for a compile whose preprocessor directives expand
 * __COUNTER__ (#if __COUNTER__ ...): gcc -fdirectives-only refuses it, and
 * clang -frewrite-includes evaluates the #if here, so that the volunteer's
 * count would start lower. Said once per build (the user expected remote). */
#define DCC_PLAIN_COUNTER_REASON \
  "__COUNTER__ in a preprocessor directive: plain mode's preprocessing cannot keep its count (use pump mode)"
/* gcc -fdirectives-only's message for it, on the preprocessor's stderr. */
#define DCC_PLAIN_GCC_COUNTER_ERROR "__COUNTER__ expanded inside directive with -fdirectives-only"
/* TRUE when a preprocessor directive line of text (other than #define and
 * #undef, continuation lines included) names __COUNTER__: clang
 * -frewrite-includes keeps each original #if line inside an "#if 0" block
 * it marks "disabled by -frewrite-includes". Pure, bounded by len. */
gboolean dcc_plain_counter_in_directive (const guint8 *text, gsize len);
