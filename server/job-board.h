/* The volunteer's job board, for the live web monitor (--stats): the jobs
 * running now (client, file, compiler, mode, phase, since when) and the
 * last DCC_BOARD_RECENT that ended (result, exit status, time).
 *
 * Like the --stats counters it lives in one anonymous shared mapping made
 * before the first fork: every job process writes its own entry, the page
 * process reads them all. Strings are cut to their fields' sizes; a spin
 * lock makes each update and each read whole. */
#pragma once
#include <glib.h>

#define DCC_BOARD_JOBS    128   /* running jobs shown; more run unshown */
#define DCC_BOARD_RECENT  32

/* Makes the mapping; call once in the parent before forking. */
gboolean dcc_job_board_init (GError **error);

/* A job starts (phase "receive"); returns its entry, or -1 (no board, or
 * full: the job runs all the same). Strings may be NULL. */
int dcc_job_board_begin (const char *client, const char *file, const char *compiler, const char *mode);
/* Its phase now: receive, queue (waiting for a slot), layout, compile, reply. */
void dcc_job_board_phase (int id, const char *phase);
/* The compiler ran: result "ok" or "error", with its exit status. */
void dcc_job_board_result (int id, const char *result, int status);
/* It ended: it moves to the recent list ("failed" without a result). */
void dcc_job_board_end (int id);
typedef int DccBoardJob;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (DccBoardJob, dcc_job_board_end, -1)

/* GET /jobs: {"host", "now_ms", "jobs": [{client, file, compiler, mode,
 * phase, elapsed_ms, phase_ms}], "recent": [{client, file, compiler,
 * mode, result, status, ms, ago_ms}]} (newest first), of the jobs whose
 * client has the address of viewer (the requester, as dcc_peer_name
 * gives it) only: a client never sees another's jobs. NULL viewer: none. */
char *dcc_job_board_render_json (const char *host, const char *viewer);

/* GET /monitor: the page (HTML, CSS and JavaScript, no external assets),
 * which polls /json and /jobs every second. */
const char *dcc_web_monitor_page (void);
