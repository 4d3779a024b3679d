/* Accepting the files a volunteer returns. The volunteer is trusted to
 * compile, not to write where it likes: the client writes only the outputs
 * its own command line names, and a successful reply must carry each. */
#pragma once
#include <glib.h>
#include "dcc-args.h"
#include "dcc-request.h"

/* The outputs this compile's command line names, as normalized absolute
 * client paths (char*, caller frees): the object, each side output
 * (a->side_outputs: .su, .dwo, .gcno, -save-temps files, ...), and the
 * dependency file when dep_file_remote (pump mode; in plain mode the
 * client's own preprocessing writes it). Pure. */
GPtrArray *dcc_outputs_expected (const DccCompileArgs *a, const char *cwd, gboolean dep_file_remote);
/* Checks a reply's files against expected: each must be one of them, and
 * only once; when the reply's status is 0, each expected output must be
 * there. FALSE + DCC_ERROR_PROTOCOL naming the first offending path. Pure. */
gboolean dcc_outputs_check (GPtrArray *expected, const DccReply *reply, GError **error);
/* dcc_outputs_check, then writes each file atomically (into it, for a
 * non-regular file such as /dev/null). Nothing is written unless the whole
 * reply passes. */
gboolean dcc_outputs_write (const DccCompileArgs *a, const char *cwd, gboolean dep_file_remote,
                            DccReply *reply, GError **error);
/* After a failed remote compile whose result is the answer: leaves the
 * expected outputs it did not return as the local compiler would (clang
 * removes its object, and its dependency file unless written). */
void dcc_outputs_after_failure (const DccCompileArgs *a, const char *cwd, gboolean dep_file_remote,
                                const DccReply *reply);
