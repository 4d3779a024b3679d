/* Accepting the files a volunteer returns. The volunteer is trusted to
 * compile, not to write where it likes: each path must be one this compile
 * could have produced. */
#pragma once
#include <glib.h>
#include "dcc-args.h"
#include "dcc-request.h"

/* TRUE when path (absolute, client's) is an output this compile may write:
 * the object, or a file named after the object's or the source's stem in
 * the object's directory or the working directory. Pure. */
gboolean dcc_outputs_path_allowed (const DccCompileArgs *a, const char *cwd, const char *path);
/* Checks every returned file, then writes each atomically. */
gboolean dcc_outputs_write (const DccCompileArgs *a, const char *cwd, DccReply *reply, GError **error);
