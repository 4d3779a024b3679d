/* How a client's compile is mapped into a job's tree and back, as pure
 * functions of their arguments: the command line (absolute paths under the
 * tree's root, prefix maps that turn the root back into "/", pump mode's
 * builtin include dirs each with its kind), the client variables the
 * compiler gets, and the compiler's text with the root taken out again. */
#pragma once
#include <glib.h>

/* The client's NAME=VALUE variables that the compiler gets, in the
 * client's order: the one filter for the job's environment and the result
 * cache's key (server/result-cache.h). */
GStrv dcc_job_forwarded_env (GPtrArray *client_env);

/* Replaces every occurrence of root in text by nothing (root/x becomes /x). Pure. */
GBytes *dcc_job_unmap_text (const char *root, const guint8 *text, gsize len);
/* TRUE for the builtin include dirs clang marks as implicitly extern "C"
 * system dirs (/usr/include, /usr/include/<multiarch>, /include). Pure. */
gboolean dcc_job_clang_externc_dir (const char *dir);
/* TRUE for the builtin include dirs gcc marks "C++ aware" (system, not
 * implicitly extern "C": "1 3" in a -save-temps .i, not "1 3 4"): its C++
 * library dirs and /usr/local/include[/<multiarch>]. Pure. */
gboolean dcc_job_gcc_cxx_aware_dir (const char *dir);
/* gcc (not clang): the ':'-separated ROOT + dir of the C++-aware builtin
 * dirs that dcc_job_map_argv leaves to C_INCLUDE_PATH,
 * CPLUS_INCLUDE_PATH (...), or NULL. Caller frees. Pure. */
char *dcc_job_gcc_env_dirs (const char *root, const char *compiler, const char *const *sysdirs, guint n);
/* Builds the command line to run: compiler, the debug and macro prefix
 * maps ROOT=, the
 * client's arguments with source/output paths mapped, then each user
 * prefix map duplicated for ROOT/OLD (gcc tries the last given first),
 * then pump mode's builtin dirs (sysdirs) under ROOT after -nostdinc. */
GStrv dcc_job_map_argv (const char *root, const char *compiler, const char *const *argv,
                        int source_index, int output_index,
                        const char *const *sysdirs, guint n_sysdirs,
                        const char *const *preincludes, guint n_preincludes);
/* Plain mode: the line markers of text that name source (absolute, as the
 * client's command line names it) name root + source instead. Pure. */
GBytes *dcc_job_root_markers (const guint8 *text, gsize len, const char *source, const char *root);
