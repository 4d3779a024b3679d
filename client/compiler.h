/* Finding the real compiler behind a name, without ever finding ourselves. */
#pragma once
#include <glib.h>

/* TRUE when path is this distcc binary (same device and inode as /proc/self/exe). */
gboolean dcc_compiler_is_self (const char *path);
/* Resolves `name` to an executable: a name with '/' is taken as is; otherwise
 * the first PATH entry that holds an executable `name` that is not distcc
 * itself (so a masquerade directory earlier on PATH is skipped). */
char *dcc_compiler_find (const char *name, GError **error);
/* PATH with every directory up to and including the last masquerade
 * directory removed, so that a compiler that runs "gcc" (ccache, a wrapper)
 * cannot recurse into distcc. */
char *dcc_compiler_child_path (void);
/* TRUE for clang: the resolved binary's real name contains "clang". */
gboolean dcc_compiler_is_clang (const char *path);
