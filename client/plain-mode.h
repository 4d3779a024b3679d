/* Plain mode: the client preprocesses, keeping macros unexpanded (gcc
 * -fdirectives-only, clang -frewrite-includes), and the volunteer compiles
 * that text under the source's own name. See doc/protocol.md. These are
 * pure functions over arguments and text; running them is the caller's. */
#pragma once
#include <glib.h>
#include "dcc-args.h"

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
