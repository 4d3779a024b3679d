/* Validation and lexical normalisation of client paths.
 *
 * Pure: these functions never touch the file system, the environment or a
 * socket; callers hand in strings, so unit tests and fuzzers call them
 * directly. Bounds are in dcc-limits.h (DCC_MAX_PATH_LEN, DCC_MAX_NAME_LEN,
 * DCC_MAX_PATH_DEPTH).
 *
 * A checked client path is absolute; runs of '/' (and a trailing '/') are
 * separators only, so "//usr///include/" names the same place as
 * "/usr/include". "/" itself is valid and has no components.
 */
#pragma once
#include <glib.h>

/* Checks a path a client sent, given as len bytes (path need not be
 * NUL-terminated; an embedded NUL is refused). Refuses, with
 * DCC_ERROR_REFUSED naming the problem: an empty or relative path, more
 * than DCC_MAX_PATH_LEN bytes, a component longer than DCC_MAX_NAME_LEN,
 * more than DCC_MAX_PATH_DEPTH components, "." or ".." components, and any
 * control character (bytes 0x01-0x1f, 0x7f, and NUL). Other bytes, UTF-8
 * or not, are allowed: Linux file names are bytes. */
gboolean dcc_path_check_client (const char *path, gsize len, GError **error);

/* TRUE when path is a directory other than "/" in canonical form: absolute,
 * no empty ("//"), "." or ".." component, no trailing '/' ("/a/b"). Pure,
 * so lexical comparisons with it are comparisons of places. */
gboolean dcc_path_is_canonical_dir (const char *path);

/* Checks a builtin include directory a pump client sent (SYSD), which the
 * volunteer searches at its place in the job's tree: absolute, not "/",
 * bytes and lengths as for dcc_path_check_client, no empty ("//"), "."
 * or trailing "/" component. ".." is allowed (clang++ names its C++ dirs
 * "/usr/bin/../lib/gcc/T/12/../../../../include/c++/12", recorded so in
 * -g objects) but never above "/", and never to step back out of one of
 * symlinks (normalised absolute paths of the manifest's symlink entries;
 * may be NULL before the manifest is known): the kernel would leave the
 * tree where the string does not. Fails with DCC_ERROR_REFUSED. */
gboolean dcc_path_check_sysdir (const char *dir, GHashTable *symlinks, GError **error);

/* Checks the path a pump request's command-line option names for the
 * compiler to search or read (-I, -iquote, -isystem, -idirafter,
 * -include, ...; option names it in messages) by the rule of
 * dcc_path_check_sysdir: joined to cwd when relative, with empty and "."
 * components left out, its ".." never climbs above "/" nor steps back out
 * of one of symlinks (may be NULL): the volunteer runs the compile in the
 * job's tree, where either would leave the tree. Pure. Fails with
 * DCC_ERROR_REFUSED. */
gboolean dcc_path_check_option_path (const char *option, const char *cwd, const char *path,
                                     GHashTable *symlinks, GError **error);

/* Checks a name a pump client sent for a file its compiler includes by
 * itself (PREI), searched for in the builtin dirs: relative, not starting
 * with '-', components neither empty, "." nor "..", no trailing '/',
 * bytes and lengths as for dcc_path_check_client. Fails with
 * DCC_ERROR_REFUSED. */
gboolean dcc_path_check_implicit_include (const char *name, GError **error);

/* Checks a symlink a client sent: link_path must pass
 * dcc_path_check_client; target must be non-empty, at most
 * DCC_MAX_PATH_LEN bytes, free of control characters, with components at
 * most DCC_MAX_NAME_LEN ("." and ".." are allowed in a target). The target
 * is resolved lexically against dirname(link_path) (or "/" when absolute);
 * a ".." that would climb above "/" is refused, as is a result that is not
 * itself a valid client path. On success *resolved (if not NULL) is the
 * normalised absolute target, e.g. "/a/b/l" -> "../c" gives "/a/c".
 * Fails with DCC_ERROR_REFUSED. */
gboolean dcc_path_check_symlink (const char *link_path, const char *target,
                                 char **resolved, GError **error);

/* Joins cwd and path (when path is relative) and normalises lexically:
 * drops empty and "." components, and lets ".." remove the previous
 * component (".." at "/" stays at "/", as the kernel does). Never touches
 * the file system, so the result can differ from the kernel's when a
 * component is a symlink. A NULL or relative cwd is taken relative to "/".
 * Returns a new absolute path without a trailing '/' (except "/"). */
char *dcc_path_normalize (const char *cwd, const char *path);

/* Splits a path that passed dcc_path_check_client into its components
 * (no empty ones; "/" gives an empty vector). Free with g_strfreev. */
GStrv dcc_path_split (const char *path);

/* The relative symlink target that leads from directory dir to path, both
 * normalised absolute paths (e.g. from "/a/b" to "/a/c/d" is "../c/d", to
 * "/a/b" is "."). Used to write symlinks in their checked, lexical form. */
char *dcc_path_relative (const char *dir, const char *path);
