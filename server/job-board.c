/* See job-board.h. */
#include "job-board.h"
#include "dcc-error.h"
#include "dcc-json.h"
#include "listener.h"
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
  gint32 used;
  gint64 start_us, phase_us;   /* g_get_real_time () */
  gint32 status;
  char   phase[16];
  char   result[16];
  char   client[64];
  char   file[160];
  char   compiler[64];
  char   mode[8];
} Entry;

typedef struct {
  int     lock;
  Entry   jobs[DCC_BOARD_JOBS];
  guint32 recent_next;
  Entry   recent[DCC_BOARD_RECENT];   /* start_us .. phase_us = the job's life */
} Board;

static Board *board;

gboolean
dcc_job_board_init (GError **error)
{
  void *p = mmap (NULL, sizeof (Board), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return dcc_fail_errno (error, "cannot map the job board");
  board = p;
  return TRUE;
}

static void
lock (void)
{
  while (__atomic_test_and_set (&board->lock, __ATOMIC_ACQUIRE))
    ;
}

static void
unlock (void)
{
  __atomic_clear (&board->lock, __ATOMIC_RELEASE);
}

int
dcc_job_board_begin (const char *client, const char *file, const char *compiler, const char *mode)
{
  if (!board)
    return -1;
  int id = -1;
  gint64 now = g_get_real_time ();
  lock ();
  for (int i = 0; i < DCC_BOARD_JOBS && id < 0; i++)
    if (!board->jobs[i].used)
      {
        Entry *e = &board->jobs[i];
        memset (e, 0, sizeof *e);
        e->used = 1;
        e->start_us = e->phase_us = now;
        g_strlcpy (e->phase, "receive", sizeof e->phase);
        g_strlcpy (e->client, client ? client : "", sizeof e->client);
        g_strlcpy (e->file, file ? file : "", sizeof e->file);
        g_strlcpy (e->compiler, compiler ? compiler : "", sizeof e->compiler);
        g_strlcpy (e->mode, mode ? mode : "", sizeof e->mode);
        id = i;
      }
  unlock ();
  return id;
}

void
dcc_job_board_phase (int id, const char *phase)
{
  if (!board || id < 0 || id >= DCC_BOARD_JOBS)
    return;
  lock ();
  g_strlcpy (board->jobs[id].phase, phase, sizeof board->jobs[id].phase);
  board->jobs[id].phase_us = g_get_real_time ();
  unlock ();
}

void
dcc_job_board_result (int id, const char *result, int status)
{
  if (!board || id < 0 || id >= DCC_BOARD_JOBS)
    return;
  lock ();
  g_strlcpy (board->jobs[id].result, result, sizeof board->jobs[id].result);
  board->jobs[id].status = status;
  unlock ();
}

void
dcc_job_board_end (int id)
{
  if (!board || id < 0 || id >= DCC_BOARD_JOBS)
    return;
  lock ();
  Entry *r = &board->recent[board->recent_next++ % DCC_BOARD_RECENT];
  *r = board->jobs[id];
  if (!r->result[0])
    g_strlcpy (r->result, "failed", sizeof r->result);
  r->phase_us = g_get_real_time ();   /* its end */
  board->jobs[id].used = 0;
  unlock ();
}

/* Opens one entry's JSON object (after a ", " unless it is the first)
 * with the fields a running and a finished job share. */
static void
json_entry_start (GString *o, const Entry *e, gboolean *first)
{
  g_string_append (o, *first ? "{" : ", {");
  *first = FALSE;
  dcc_json_append_member (o, "client", e->client);
  dcc_json_append_member (o, "file", e->file);
  dcc_json_append_member (o, "compiler", e->compiler);
  dcc_json_append_member (o, "mode", e->mode);
}

/* TRUE when the entry's client has the viewer's address. */
static gboolean
seen_by (const Entry *e, const char *viewer_host)
{
  g_autofree char *h = dcc_peer_host (e->client);
  return viewer_host && h && strcmp (h, viewer_host) == 0;
}

char *
dcc_job_board_render_json (const char *host, const char *viewer)
{
  g_autofree char *viewer_host = dcc_peer_host (viewer);
  GString *o = g_string_new ("{");
  gint64 now = g_get_real_time ();
  dcc_json_append_member (o, "host", host ? host : "");
  g_string_append_printf (o, "\"now_ms\": %" G_GINT64_FORMAT ", \"jobs\": [", now / 1000);
  if (board)
    {
      /* Copy under the lock, render outside it. */
      g_autofree Entry *jobs = g_new (Entry, DCC_BOARD_JOBS);
      g_autofree Entry *recent = g_new (Entry, DCC_BOARD_RECENT);
      lock ();
      memcpy (jobs, board->jobs, sizeof (Entry) * DCC_BOARD_JOBS);
      memcpy (recent, board->recent, sizeof (Entry) * DCC_BOARD_RECENT);
      guint32 next = board->recent_next;
      unlock ();
      gboolean first = TRUE;
      for (int i = 0; i < DCC_BOARD_JOBS; i++)
        {
          const Entry *e = &jobs[i];
          if (!e->used || !seen_by (e, viewer_host))
            continue;
          json_entry_start (o, e, &first);
          dcc_json_append_member (o, "phase", e->phase);
          g_string_append_printf (o, "\"elapsed_ms\": %" G_GINT64_FORMAT ", \"phase_ms\": %" G_GINT64_FORMAT "}",
                                  MAX (now - e->start_us, 0) / 1000, MAX (now - e->phase_us, 0) / 1000);
        }
      g_string_append (o, "], \"recent\": [");
      first = TRUE;
      guint32 n = MIN (next, DCC_BOARD_RECENT);
      for (guint32 k = 0; k < n; k++)
        {
          const Entry *e = &recent[(next - 1 - k) % DCC_BOARD_RECENT];
          if (!seen_by (e, viewer_host))
            continue;
          json_entry_start (o, e, &first);
          dcc_json_append_member (o, "result", e->result);
          g_string_append_printf (o, "\"status\": %d, \"ms\": %" G_GINT64_FORMAT ", \"ago_ms\": %" G_GINT64_FORMAT "}",
                                  e->status, MAX (e->phase_us - e->start_us, 0) / 1000,
                                  MAX (now - e->phase_us, 0) / 1000);
        }
      g_string_append (o, "]}\n");
    }
  else
    g_string_append (o, "], \"recent\": []}\n");
  return g_string_free (o, FALSE);
}
