/* Things the client says once per build, not once per compile: a build is
 * the process group that the compile runs in (make and every compiler it
 * starts share one, unless something calls setsid), told apart from an
 * earlier group with the same id by its leader's start time. A marker file
 * in DISTCC_DIR/notes/ records that this build was told. */
#pragma once
#include <glib.h>

/* The build's key: "PGID.STARTTIME" (STARTTIME 0 when /proc does not say). */
char *dcc_build_key (void);

/* TRUE the first time it is called for (build, topic) across all the
 * build's processes, FALSE afterwards (and when DISTCC_DIR is unusable:
 * better silent than a line per file). Markers older than a week are
 * removed now and then. */
gboolean dcc_build_note_first (const char *distcc_dir, const char *topic);

/* Warns "WHY; compiling locally" (stderr, or DISTCC_LOG) once per build
 * and topic (NULL: WHY itself): a compile the user expected remote runs
 * here because no volunteer was usable (host-pick.h, dcc_slot_local_why
 * and its topic, which leaves out the times WHY names). */
void dcc_build_warn_local (const char *distcc_dir, const char *topic, const char *why);

/* Prints "distcc: warning: HOST refused this build's compiler: WHY;
 * compiling locally" on stderr, once per build and host and compiler. */
void dcc_build_warn_refusal (const char *distcc_dir, const char *host, const char *compiler,
                             const char *why);
