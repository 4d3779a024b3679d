/* Which compilers a volunteer runs: a name with a link in the masquerade
 * directory ($prefix/lib/distcc, or lib/distcc beside bin/ in the build
 * tree), or a line of the file named by DISTCC_CMDLIST. Anything else is
 * refused. The real binary is then looked up on distccd's PATH. */
#pragma once
#include <glib.h>

typedef struct DccCompilerAllow DccCompilerAllow;

/* masq_dir may be NULL (then only DISTCC_CMDLIST counts). */
DccCompilerAllow *dcc_compiler_allow_new (const char *masq_dir, const char *cmdlist_file, GError **error);
/* The same, with stock's DISTCC_CMDLIST_NUMWORDS (1..16): an absolute line
 * of the list also allows a client's compiler whose last numwords path
 * components equal the line's, and runs the listed path (so a stock
 * commands.allow of "/usr/bin/gcc" lines allows "gcc"). */
DccCompilerAllow *dcc_compiler_allow_new_full (const char *masq_dir, const char *cmdlist_file, int numwords,
                                               GError **error);
void dcc_compiler_allow_free (DccCompilerAllow *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccCompilerAllow, dcc_compiler_allow_free)
/* Resolves a client's compiler name to the binary to run, or NULL +
 * DCC_ERROR_REFUSED. Names with '/' are accepted only if listed verbatim in
 * DISTCC_CMDLIST, or matched by their last numwords components. */
char *dcc_compiler_allow_resolve (DccCompilerAllow *a, const char *name, GError **error);
/* 0, or why the masquerade directory could not be opened (an errno). */
int dcc_compiler_allow_masq_errno (const DccCompilerAllow *a);
/* The masquerade directory for this distccd binary: <bindir>/../lib/distcc. */
char *dcc_compiler_allow_default_masq_dir (void);
