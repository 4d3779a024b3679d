/* distccmon-web's JSON and page (see client-monitor.h). */
#include "client-monitor.h"
#include "dcc-build-record.h"
#include "dcc-json.h"
#include "dcc-state.h"
#include "tally.h"
#include <stdio.h>
#include <string.h>

#define TOP_REASONS 8

/* One row of the hosts table. */
typedef struct {
  char    *name;        /* as shown: the entry as written, or HOST:PORT */
  char    *hostname;    /* what state files name (no port) */
  char    *record_host; /* what records name: HOST:PORT, "localhost" */
  int      limit;       /* 0: not configured here */
  gboolean backed_off;
  guint    busy, compiles;
  gint64   compile_us;
} HostRow;

static void
host_row_free (HostRow *h)
{
  g_free (h->name);
  g_free (h->hostname);
  g_free (h->record_host);
  g_free (h);
}

static HostRow *
host_row_add (GPtrArray *rows, const char *name, const char *hostname, const char *record_host)
{
  HostRow *h = g_new0 (HostRow, 1);
  h->name = g_strdup (name);
  h->hostname = g_strdup (hostname);
  h->record_host = g_strdup (record_host);
  g_ptr_array_add (rows, h);
  return h;
}

/* The row a running job counts on. State files name the host without its
 * port (as stock's do), so among hosts of that name prefer one that is not
 * backed off and has a slot left; a job holds a slot there. */
static HostRow *
row_for_job (GPtrArray *rows, const char *hostname)
{
  HostRow *first = NULL;
  for (guint i = 0; i < rows->len; i++)
    {
      HostRow *h = rows->pdata[i];
      if (strcmp (h->hostname, hostname) != 0)
        continue;
      if (!h->backed_off && (h->limit == 0 || h->busy < (guint) h->limit))
        return h;
      if (!first)
        first = h;
    }
  return first;
}

static HostRow *
row_by_record_host (GPtrArray *rows, const char *record_host)
{
  for (guint i = 0; i < rows->len; i++)
    if (strcmp (((HostRow *) rows->pdata[i])->record_host, record_host) == 0)
      return rows->pdata[i];
  return NULL;
}

/* "HOST:PORT" of a record without its port ("[v6]:PORT" without both). */
static char *
record_hostname (const char *record_host)
{
  const char *colon = strrchr (record_host, ':');
  if (!colon || strchr (record_host, ':') != colon)
    return g_strdup (record_host);
  return g_strndup (record_host, (gsize) (colon - record_host));
}

static GPtrArray *
host_rows (const DccClientView *v)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) host_row_free);
  for (guint i = 0; v->hosts && i < v->hosts->hosts->len; i++)
    {
      const DccHost *h = v->hosts->hosts->pdata[i];
      g_autofree char *rec = h->kind == DCC_HOST_LOCAL ? g_strdup ("localhost")
                             : h->kind == DCC_HOST_TCP ? g_strdup_printf ("%s:%d", h->hostname, h->port)
                             : g_strdup (h->hostname);
      HostRow *row = host_row_add (rows, h->spec, h->hostname, rec);
      row->limit = h->limit;
      row->backed_off = v->backed_off && v->backed_off[i];
    }
  for (guint i = 0; v->jobs && i < v->jobs->len; i++)
    {
      const DccStateEntry *e = v->jobs->pdata[i];
      if (e->phase == DCC_PHASE_DONE || !*e->host)
        continue;
      HostRow *row = row_for_job (rows, e->host);
      if (!row)
        row = host_row_add (rows, e->host, e->host, e->host);
      row->busy++;
    }
  for (guint i = 0; v->records && i < v->records->len; i++)
    {
      const DccBuildRecord *r = v->records->pdata[i];
      if (!*r->host)
        continue;
      HostRow *row = row_by_record_host (rows, r->host);
      if (!row)
        {
          g_autofree char *hn = record_hostname (r->host);
          row = host_row_add (rows, r->host, hn, r->host);
        }
      row->compiles++;
      row->compile_us += MAX (0, r->end_us - r->start_us);
    }
  return rows;
}

static void
append_hosts (GString *o, const DccClientView *v)
{
  g_autoptr(GPtrArray) rows = host_rows (v);
  g_string_append (o, "\"hosts\": [");
  for (guint i = 0; i < rows->len; i++)
    {
      const HostRow *h = rows->pdata[i];
      g_string_append (o, i ? ", {" : "{");
      dcc_json_append_member (o, "host", h->name);
      g_string_append_printf (o, "\"limit\": %d, \"busy\": %u, \"backed_off\": %s, \"compiles\": %u, \"mean_ms\": %" G_GINT64_FORMAT "}",
                              h->limit, h->busy, h->backed_off ? "true" : "false", h->compiles,
                              h->compiles ? h->compile_us / h->compiles / 1000 : 0);
    }
  g_string_append (o, "], ");
}

static void
append_jobs (GString *o, const DccClientView *v)
{
  g_string_append (o, "\"jobs\": [");
  gboolean first = TRUE;
  for (guint i = 0; v->jobs && i < v->jobs->len; i++)
    {
      const DccStateEntry *e = v->jobs->pdata[i];
      if (e->phase == DCC_PHASE_DONE)
        continue;
      g_string_append (o, first ? "{" : ", {");
      first = FALSE;
      dcc_json_append_member (o, "file", e->file);
      dcc_json_append_member (o, "host", *e->host ? e->host : "(choosing)");
      dcc_json_append_member (o, "phase", dcc_phase_name (e->phase));
      g_string_append_printf (o, "\"pid\": %" G_GINT64_FORMAT ", \"slot\": %d, \"phase_ms\": %" G_GINT64_FORMAT "}",
                              e->pid, e->slot, e->time_us ? MAX (0, v->now_us - e->time_us) / 1000 : 0);
    }
  g_string_append (o, "], ");
}

static void
append_recent (GString *o, const DccClientView *v)
{
  g_string_append (o, "\"recent\": [");
  guint n = v->records ? v->records->len : 0;
  for (guint k = 0; k < MIN (n, DCC_CLIENT_MONITOR_RECENT); k++)
    {
      const DccBuildRecord *r = v->records->pdata[n - 1 - k];
      g_string_append (o, k ? ", {" : "{");
      dcc_json_append_member (o, "file", r->file);
      dcc_json_append_member (o, "kind", r->kind);
      dcc_json_append_member (o, "mode", r->mode);
      dcc_json_append_member (o, "host", r->host);
      dcc_json_append_member (o, "tried", r->tried);
      dcc_json_append_member (o, "reason", r->reason);
      g_string_append_printf (o, "\"status\": %d, \"ms\": %" G_GINT64_FORMAT ", \"ago_ms\": %" G_GINT64_FORMAT
                              ", \"sent\": %" G_GUINT64_FORMAT ", \"received\": %" G_GUINT64_FORMAT "}",
                              r->status, MAX (0, r->end_us - r->start_us) / 1000, MAX (0, v->now_us - r->end_us) / 1000,
                              r->sent, r->received);
    }
  g_string_append (o, "], ");
}

/* Counts per kind, bytes, and the top reasons for running locally. */
static void
append_counts (GString *o, const DccClientView *v)
{
  g_autoptr(GHashTable) kinds = dcc_tally_table ();
  g_autoptr(GHashTable) reasons = dcc_tally_table ();
  guint64 sent = 0, received = 0;
  guint n = v->records ? v->records->len : 0;
  for (guint i = 0; i < n; i++)
    {
      const DccBuildRecord *r = v->records->pdata[i];
      dcc_tally_add (kinds, r->kind);
      if (*r->reason)
        dcc_tally_add (reasons, r->reason);
      sent += r->sent;
      received += r->received;
    }
  g_string_append_printf (o, "\"records\": %u, \"sent\": %" G_GUINT64_FORMAT ", \"received\": %" G_GUINT64_FORMAT ", \"counts\": {",
                          n, sent, received);
  g_autoptr(GPtrArray) ks = dcc_tally_sorted (kinds);
  for (guint i = 0; i < ks->len; i++)
    {
      const DccTally *t = ks->pdata[i];
      if (i)
        g_string_append (o, ", ");
      dcc_json_append_string (o, t->key);
      g_string_append_printf (o, ": %u", t->count);
    }
  g_string_append (o, "}, \"reasons\": [");
  g_autoptr(GPtrArray) rs = dcc_tally_sorted (reasons);
  for (guint i = 0; i < MIN (rs->len, TOP_REASONS); i++)
    {
      const DccTally *t = rs->pdata[i];
      g_string_append (o, i ? ", {" : "{");
      dcc_json_append_member (o, "reason", t->key);
      g_string_append_printf (o, "\"count\": %u}", t->count);
    }
  g_string_append (o, "]");
}

char *
dcc_client_monitor_render_json (const DccClientView *v)
{
  GString *o = g_string_new ("{");
  dcc_json_append_member (o, "host", g_get_host_name ());
  append_hosts (o, v);
  append_jobs (o, v);
  append_recent (o, v);
  append_counts (o, v);
  g_string_append (o, "}\n");
  return g_string_free (o, FALSE);
}

int
dcc_client_monitor_bad_usage (const char *prog, const char *fmt, ...)
{
  va_list ap;
  fprintf (stderr, "%s: ", prog);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fprintf (stderr, "\nTry '%s --help' for more information.\n", prog);
  return 1;
}
