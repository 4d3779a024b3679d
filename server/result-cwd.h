/* Where the client's working directory can reach a compile's output, for
 * the result cache's key (doc/result-cache.md, "The working directory").
 *
 * A second checkout of the same tree in another directory sends the same
 * command line and the same closure, only under another absolute path. Its
 * objects are the same unless the compiler learns that path: from getcwd
 * (debug info's DW_AT_comp_dir, coverage and profile paths, -flto, ...),
 * from an absolute path on the command line or in SYSD/PREI that names the
 * directory or one above it, from a path that climbs out of it ("..", on
 * the command line, in an #include, in a symlink) or descends into it from
 * above, or from gcc's canonical system-header paths (realpath). When none
 * of these can happen, the key may name every closure path under the
 * working directory relative to it and leave the directory itself out
 * (dcc_result_key with relative = TRUE); otherwise the directory is in the
 * key as before.
 *
 * Two steps: dcc_result_cwd_reaches judges what is known before the
 * compile (the command line, the directory, SYSD/PREI, the manifest's
 * shape); dcc_result_cwd_texts_verdict judges the inputs' texts after it
 * (from each content's scan flags: the longest "../" climb and
 * "system_header"), before a result is stored under the relative key.
 * Since the key holds every input's digest, a result stored under a
 * relative key passed both for every request that can find it.
 *
 * Pure functions over the request. */
#pragma once
#include <glib.h>
#include "dcc-request.h"

/* NULL when the working directory can be left out of the key as far as
 * the command line, the directory, SYSD/PREI and the manifest's entries
 * (kinds, paths, symlink targets) show; else why not (a static string). */
const char *dcc_result_cwd_reaches (const DccRequest *req);

/* For a request dcc_result_cwd_reaches accepted, with the scan flags of
 * each manifest entry (flags[i] for req->manifest->pdata[i], 0 for a
 * directory or symlink; plain mode: flags[0] for the source text): NULL
 * when no input's text can take a path out of the working directory or
 * into it from above, else why not (a static string). */
const char *dcc_result_cwd_texts_verdict (const DccRequest *req, const guint *flags);

/* How argv[i] enters a relative key: NULL when as it is, else a new string
 * for a prefix map whose old prefix is exactly the working directory
 * ("-fdebug-prefix-map=" + "=" + NEW: the directory itself left out). */
char *dcc_result_cwd_arg_form (const char *arg, const char *cwd);
