/* What a build did, from its per-compile records (shared/dcc-build-record.h):
 * `distcc --summary`, `distcc --timeline FILE`, and pump's summary at the
 * end of a build (pump runs `distcc --summary --build-dir DIR`). */
#pragma once
#include "dcc-build-record.h"
#include <glib.h>

#define DCC_SUMMARY_TOP_REASONS  3   /* reasons listed per kind; the rest counted */
#define DCC_SUMMARY_TOP_HOSTS    8

/* Pure: the one-screen summary of RECORDS (DccBuildRecord*). is may be NULL
 * (no include server); wall_us < 0: the span of the records; skipped: the
 * malformed lines left out, said when not 0. */
char *dcc_build_summary_render (const GPtrArray *records, const DccIsStats *is, gint64 wall_us, guint skipped);

/* Pure: the records as Chrome trace-event JSON (see build-timeline.c). */
char *dcc_build_timeline_render (const GPtrArray *records);

/* Pure: the last N of RECORDS, one line each, newest last, for
 * distccmon-text --results: end time, kind, mode, host[slot], time, file,
 * and the reason (or failed volunteer) in parentheses. */
char *dcc_build_results_render (const GPtrArray *records, guint n);
/* The records among the last max_bytes of $distcc_dir/records (a line cut
 * by the start of the window is dropped). Missing file: empty. */
GPtrArray *dcc_build_records_read_tail (const char *distcc_dir, gsize max_bytes);

/* `distcc --summary ...` and `distcc --timeline FILE ...`: argv[0] is the
 * option. Returns the exit status. */
int dcc_build_summary_main (int argc, char **argv);
