/* --stats: counters shared by distccd's processes, and the HTTP page that
 * shows them.
 *
 * The counters live in one anonymous shared mapping made before the first
 * fork, so that every child can count its job without talking to the
 * parent. The page is served by a process of its own on --stats-port
 * (default 3633), outside the accept loop: any request gets stock
 * distccd's text page ("<distccstats>" ... "</distccstats>", the same
 * lines in the same order); "GET /json" gets the same figures as JSON,
 * "GET /jobs" the job board (job-board.h) as JSON and "GET /monitor" the
 * live web monitor's page, which polls those two.
 * Requests are read with a bound and a deadline (dcc-http.h). */
#pragma once
#include <glib.h>

#define DCC_STATS_DEFAULT_PORT   3633

typedef enum {
  DCC_STATS_ACCEPT,          /* a connection was accepted */
  DCC_STATS_REJ_BAD_REQ,     /* refused: malformed, not allowed */
  DCC_STATS_REJ_OVERLOAD,
  DCC_STATS_COMPILE_OK,      /* the compiler ran and exited 0 */
  DCC_STATS_COMPILE_ERROR,   /* the compiler ran and failed */
  DCC_STATS_COMPILE_TIMEOUT,
  DCC_STATS_CLI_DISCONNECT,  /* the client went away (I/O error) */
  DCC_STATS_OTHER,
  DCC_STATS_RESULT_HIT,      /* answered from the result cache, no compiler run */
  DCC_STATS_RESULT_STORED,   /* a compile's result entered the result cache */
  DCC_STATS_N_COUNTERS
} DccStatsCounter;

/* Makes the shared counters; call once in the parent before forking. A
 * no-op returning FALSE (with error) if the mapping fails. */
gboolean dcc_stats_init (int max_kids, const char *free_space_dir, GError **error);
/* The file store whose size /json reports (store_bytes, store_max_bytes);
 * call before dcc_stats_spawn_server. Without it both are 0. */
typedef struct DccStore DccStore;
void dcc_stats_set_store (DccStore *store, guint64 max_bytes);
/* Counting, from any process; no-ops before dcc_stats_init. */
void dcc_stats_count (DccStatsCounter c);
/* A finished compile for client (dcc_peer_name): counts OK or ERROR and
 * keeps the longest one of each client address (of the last 64 seen). */
void dcc_stats_compiled (const char *client, const char *source, const char *compiler, gint64 msecs,
                         int status);
/* Busy jobs now (+1 when a job starts, -1 when it ends). */
void dcc_stats_busy (int delta);

/* Renders the page for viewer (the requester, as dcc_peer_name gives
 * it): stock's text, or JSON. Totals name nothing and are the same for
 * every peer; the longest job is the viewer's own (empty, 0 ms, if it has
 * none), and dcc_max_RSS_name is always empty (it would name a program
 * running on the volunteer). Pure over a snapshot. */
char *dcc_stats_render_text (const char *viewer);
char *dcc_stats_render_json (const char *viewer);

/* Forks the process that serves the page on listen_fd (already bound) to
 * peers in allow (DccCidr, as for compiles); the child closes other_fd
 * (the daemon's own socket, or -1). It exits on SIGTERM or when the
 * daemon is gone. Returns its pid, or -1 with error. */
int dcc_stats_spawn_server (int listen_fd, int other_fd, GArray *allow, GError **error);
