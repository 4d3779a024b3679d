/* What a build leaves behind for `distcc --summary`, `--timeline` and
 * pump's end-of-build summary: one record per compile, and the include
 * server's counters.
 *
 * Records. Every distcc client process appends exactly one line to
 * $DISTCC_DIR/records (and, when DISTCC_BUILD_DIR is set, as pump sets it
 * for its build, to $DISTCC_BUILD_DIR/records) when it ends, with one
 * write(2) on an O_APPEND descriptor, so that concurrent compiles never
 * interleave. A file past DCC_RECORDS_MAX_FILE bytes is renamed to
 * "records.1" (replacing the older one) before the next append. A line is at
 * most DCC_RECORD_MAX_LINE bytes: "dccrec1", then TAB-separated KEY=VALUE
 * fields, in any order, unknown keys ignored (newer writers may add some):
 *
 *   start=US end=US      g_get_real_time() microseconds: the process's life
 *   pid=N
 *   kind=WORD            remote, local, fallback, cache-hit, ...: [a-z-]
 *   mode=WORD            pump, plain, stock ("" when local)
 *   host=HOST:PORT       where it ran ("localhost" for a local compile)
 *   tried=HOST:PORT      the volunteer that failed, for a fallback
 *   slot=N slot_at=US    the slot held there, and since when
 *   status=N             the exit status distcc returned
 *   sent=N recv=N        bytes on the wire, both directions
 *   phases=P:US,...      phase changes (startup blocked connect preprocess
 *                        send compile receive done), microseconds after start
 *   reason=TEXT          why it ran locally (fallback or local)
 *   file=TEXT            the source file
 *
 * TEXT values have control characters (TAB and newline included) replaced
 * by '?' and are cut at DCC_RECORD_MAX_STRING bytes.
 *
 * Include server counters: the include server writes a small text file on
 * exit (--stats-file), "include-server-stats 1" then "KEY N" lines:
 * requests, cached (answered from a closure it had already computed),
 * walked, failed, cpu_us.
 */
#pragma once
#include "dcc-state.h"
#include <glib.h>

#define DCC_RECORD_MAX_LINE      4096u
#define DCC_RECORD_MAX_STRING    512u
#define DCC_RECORD_MAX_WORD      32u
#define DCC_RECORD_MAX_PHASES    24u
#define DCC_RECORDS_MAX_FILE     (8u * 1024 * 1024)
#define DCC_RECORDS_MAX_READ     (2u * DCC_RECORDS_MAX_FILE)  /* records + records.1 */
#define DCC_IS_STATS_MAX_FILE    1024u

typedef struct {
  DccPhase phase;
  gint64   at_us;   /* after start */
} DccRecordPhase;

typedef struct {
  gint64  start_us, end_us, pid;
  char   *kind, *mode, *host, *tried, *reason, *file;  /* never NULL once parsed */
  int     slot;
  gint64  slot_at_us;      /* 0: no slot */
  int     status;
  guint64 sent, received;
  guint   n_phases;
  DccRecordPhase phases[DCC_RECORD_MAX_PHASES];
} DccBuildRecord;

void dcc_build_record_free (DccBuildRecord *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccBuildRecord, dcc_build_record_free)

/* Pure: when the record's slot was given back: its "done" phase when that
 * comes after the slot was taken, else its end. */
gint64 dcc_build_record_slot_end (const DccBuildRecord *r);

/* Lower-case keyword of a phase as records spell it ("compile"). */
const char *dcc_build_record_phase_keyword (DccPhase phase);

/* Pure: one record as a line (with its '\n', at most DCC_RECORD_MAX_LINE
 * bytes: phases beyond the limit are dropped, strings cut). */
char *dcc_build_record_format (const DccBuildRecord *r);
/* Pure: parses one line (without its '\n'); NULL and error when it is not
 * a record this version reads. */
DccBuildRecord *dcc_build_record_parse (const char *line, gsize len, GError **error);
/* Pure: every well-formed line of a records file's contents, in order, as a
 * GPtrArray of DccBuildRecord*; malformed lines (a torn write, a future
 * format) are counted in *skipped and left out. */
GPtrArray *dcc_build_records_parse (const char *buf, gsize len, guint *skipped);

/* The include server's counters. */
typedef struct {
  guint64 requests, cached, walked, failed, cpu_us;
} DccIsStats;
char *dcc_is_stats_format (const DccIsStats *s);
gboolean dcc_is_stats_parse (const char *buf, gsize len, DccIsStats *out, GError **error);

/* ---- the client's own record, kept while it runs (not thread-safe: one
 * compile a process) ---- */

/* Called by dcc_state_set on every phase change. */
void dcc_build_record_phase (DccPhase phase);
/* A slot was taken on HOST:PORT (host NULL: localhost). */
void dcc_build_record_host (const char *host, int port, int slot);
/* How the compile ended: kind as above; mode, reason and file may be NULL.
 * For a local or fallback compile, a volunteer noted before becomes
 * "tried" and the host localhost. */
void dcc_build_record_result (const char *kind, const char *mode, const char *reason, const char *file);
/* Appends the record to $distcc_dir/records and $DISTCC_BUILD_DIR/records.
 * Best effort: errors are logged (debug), never fail the compile. */
void dcc_build_record_write (const char *distcc_dir, int status, guint64 sent, guint64 received);
