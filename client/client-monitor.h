/* distccmon-web's view: this user's distcc jobs across every host, from
 * the files the clients already keep in $DISTCC_DIR (state files for the
 * jobs running now, records for the ones that ended, backoff files for the
 * hosts that failed). Rendering is pure over what was read. */
#pragma once
#include "dcc-hosts.h"
#include <glib.h>

#define DCC_CLIENT_MONITOR_RECENT      32u           /* results listed, newest first */
#define DCC_CLIENT_MONITOR_TAIL_BYTES  (256 * 1024)  /* of records, for the counts */

typedef struct {
  const GPtrArray   *jobs;       /* DccStateEntry*, as dcc_state_read_all gives them */
  const GPtrArray   *records;    /* DccBuildRecord*, oldest first */
  const DccHostList *hosts;      /* the configured hosts (DISTCC_HOSTS), or NULL */
  const gboolean    *backed_off; /* per configured host, or NULL */
  gint64             now_us;     /* g_get_real_time () */
} DccClientView;

/* Pure: the view as one JSON object (documented in distccmon-web(1)):
 * hosts (configured ones first, then any other a job or record names),
 * with slots busy now; the jobs running; the last results with reasons;
 * counts per result kind and the top reasons over the records read. */
char *dcc_client_monitor_render_json (const DccClientView *v);
/* The page, which polls /json every second. */
const char *dcc_client_monitor_page (void);

/* For the monitors' main() (distccmon-text, distccmon-web): prints
 * "PROG: MESSAGE" and the --help hint to stderr; returns 1, the exit status
 * of a bad command line. */
int dcc_client_monitor_bad_usage (const char *prog, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
