/* A small C preprocessor macro expander for computed includes
 * (`#include MACRO(...)`, `__has_include(MACRO)`). It works on the token
 * text the scanner records (clang-scan.h) and knows object-like and
 * function-like macros, argument pre-expansion, `#` stringizing, `##`
 * pasting (with GNU `, ## __VA_ARGS__`), variadic macros, and rescanning
 * with hide sets (so self-reference stops as in a real preprocessor).
 *
 * It does not know which definition of a macro is active at the directive,
 * so it tries every combination: for each macro name met, each definition
 * seen and "not defined" (one choice per name per combination, as at one
 * point in a real compile). The union of the header names produced is an
 * over-approximation of what the compiler includes; combinations that do not
 * produce a header name cannot be what a successful compile did and are
 * dropped. Everything is bounded by the limits below; past them the caller
 * must fall back to an exact method. Pure: no files, no environment. */
#pragma once
#include <glib.h>
#include "clang-scan.h"

#define DCC_MACRO_MAX_RUNS     4096u   /* combinations of definitions tried for one directive */
#define DCC_MACRO_MAX_TOKENS   4096u   /* tokens pending during one combination */
#define DCC_MACRO_MAX_STEPS    65536u  /* tokens processed during one combination */
#define DCC_MACRO_MAX_DEPTH    64u     /* nested argument pre-expansions */
#define DCC_MACRO_MAX_NAMES    64u     /* distinct macros expanded in one directive */
#define DCC_MACRO_MAX_RESULTS  256u    /* distinct header names from one directive */
#define DCC_MACRO_MAX_DEFINES  65536u  /* #define lines read by dcc_macro_parse_defines */

/* Expands the tokens of a computed include (`HDR`, `"a.h"`, `<a/b.h>`,
 * `TRACE_INCLUDE(TRACE_INCLUDE_FILE)`) with macros (name -> GPtrArray of
 * DccScanMacro*, every definition seen; may be NULL). Appends each possible
 * header name, as "\"name" or "<name", to out (g_free'd strings, no
 * duplicates, in the order found; names with spaces also appear without
 * them). FALSE if no combination gives a header name or a limit was hit:
 * then out is left as it was. */
gboolean dcc_macro_expand_include (const char *tokens, GHashTable *macros, GPtrArray *out);

/* The same, with the definitions of a name given by lookup (a GPtrArray of
 * DccScanMacro* that stays valid during the call, or NULL if none). */
typedef GPtrArray *(*DccMacroLookup) (const char *name, gpointer data);
gboolean dcc_macro_expand_include_with (const char *tokens, DccMacroLookup lookup, gpointer data,
                                        GPtrArray *out);

/* Parses `#define NAME[(PARAMS)] BODY` lines (as `gcc -dM -E` prints them;
 * other lines are skipped) into a new array of DccScanMacro* that owns
 * them. */
GPtrArray *dcc_macro_parse_defines (const char *text);

/* A command-line definition, "NAME", "NAME=VALUE" or "NAME(ARGS)=VALUE"
 * (what follows -D), as a macro; NULL if NAME is not an identifier. */
DccScanMacro *dcc_macro_from_cmdline (const char *define);
