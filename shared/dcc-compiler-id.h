/* A compiler's identity: what must be equal on client and volunteer for the
 * volunteer's object to be the one a local compile would make.
 *
 * By default it is what the compiler produces, not which bytes it is made
 * of: kind, version and target, and digests of the version line (with the
 * distribution's build suffix), the code-generating part of its configure
 * line (-v), the macros it predefines for the language (-dM -E), its option
 * defaults (gcc -Q --help=..., clang's -### cc1 line without paths), the
 * compile part of its specs, and the assembler's version. A copied or
 * rebuilt compiler that produces the same bytes matches; one of another
 * version, target or default does not.
 *
 * Strict mode (DISTCC_COMPILER_MATCH=strict) adds digests of the driver,
 * back end and assembler binaries.
 *
 * Text form (the CIDN frame):
 *   KIND VERSION TARGET key=HEX ... [| free text: the version line]
 * Learnt by running the compiler (about ten processes), so cached on disk
 * keyed by the compiler's stat. */
#pragma once
#include <glib.h>

#define DCC_COMPILER_ID_MAX 1024   /* bytes of the text form, as the CIDN frame allows */

/* lang is the -x name ("c", "c++", "assembler-with-cpp", ...). cache_dir
 * may be NULL or unwritable: then nothing is cached. strict adds binary
 * digests. */
char *dcc_compiler_id_get (const char *compiler_path, const char *lang, const char *cache_dir,
                           gboolean strict, GError **error);

/* DISTCC_COMPILER_MATCH: "strict" → TRUE; unset, "" or "output" → FALSE;
 * anything else → FALSE with a warning through *why (may be NULL). */
gboolean dcc_compiler_match_strict_from_env (char **why);

/* TRUE when the identity carries binary digests (the client asked for strict). */
gboolean dcc_compiler_id_is_strict (const char *id);

/* Pure comparison of the client's identity with the volunteer's. Returns
 * NULL when they match, else a one-line reason naming what differs
 * ("target x86_64-linux-gnu, volunteer aarch64-linux-gnu",
 * "predefined macros"). Every output field of ours must be present and
 * equal in theirs; binary fields are compared when either side has them. */
char *dcc_compiler_id_compare (const char *theirs, const char *ours);

/* The identity's target word (-dumpmachine), or NULL when malformed. */
char *dcc_compiler_id_target (const char *id);

/* Pieces of the text form, for show-hosts and logs: "gcc 12.2.0 x86_64-linux-gnu". */
char *dcc_compiler_id_summary (const char *id);
