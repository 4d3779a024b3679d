/* is-client: sends compile commands to a running include server through
 * its socket protocol (shared/dcc-is-protocol.h), as the distcc client does,
 * and reports closures per second. Built and run by include-analysis.sh.
 *
 *   is-client SOCKET COMMANDS [PASSES [THREADS]]
 *
 * COMMANDS has one request a line: "CWD<TAB>COMMAND", COMMAND in shell
 * syntax (parsed with g_shell_parse_argv). Each pass sends every line once;
 * THREADS clients send at the same time (default 1). Prints one line per
 * pass: requests, failures, wall seconds, closures per second, mean and p95
 * latency, mean files per closure. IS_CLIENT_DIGESTS=FILE writes a digest
 * of each closure (every entry's kind, mode, size, hash, path, target) to
 * FILE, to compare two servers' answers. */
#include "dcc-is-protocol.h"
#include "dcc-hash.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IS_CLIENT_TIMEOUT_MS 60000
#define IS_CLIENT_MAX_THREADS 64

typedef struct {
  char  *cwd;
  char **argv;
} Request;

typedef struct {
  const char *socket_path;
  GPtrArray  *requests;     /* Request* */
  gint        next;         /* atomic */
  gint64     *latency_us;   /* one per request */
  guint      *files;        /* one per request */
  char      **digests;      /* one per request: the closure's XXH3-128 in hex, or NULL */
  gint        failed;       /* atomic */
  GMutex      lock;
  GString    *errors;
} Pass;

static gpointer
worker (gpointer data)
{
  Pass *p = data;
  for (;;)
    {
      gint i = g_atomic_int_add (&p->next, 1);
      if ((guint) i >= p->requests->len)
        return NULL;
      const Request *r = p->requests->pdata[i];
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GError) error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      gboolean ok = dcc_is_query (p->socket_path, r->cwd, (const char *const *) r->argv,
                                  IS_CLIENT_TIMEOUT_MS, &entries, &error);
      p->latency_us[i] = g_get_monotonic_time () - t0;
      if (!ok)
        {
          g_atomic_int_inc (&p->failed);
          g_mutex_lock (&p->lock);
          if (p->errors->len < 4096)
            g_string_append_printf (p->errors, "  %s: %s\n", r->argv[g_strv_length (r->argv) - 1],
                                    error->message);
          g_mutex_unlock (&p->lock);
          continue;
        }
      guint n = 0;
      for (guint k = 0; k < entries->len; k++)
        if (((DccEntry *) entries->pdata[k])->kind == DCC_ENTRY_FILE)
          n++;
      p->files[i] = n;
      /* Everything the client would send, for comparing two servers. */
      g_autoptr(GString) all = g_string_new (NULL);
      for (guint k = 0; k < entries->len; k++)
        {
          const DccEntry *e = entries->pdata[k];
          char hex[DCC_HASH_HEX_LEN + 1];
          dcc_hash_to_hex (&e->hash, hex);
          g_string_append_printf (all, "%u %o %" G_GUINT64_FORMAT " %s %s\t%s\n", e->kind, e->mode, e->size, hex,
                                  e->path, e->target ? e->target : "");
        }
      DccHash digest;
      char hex[DCC_HASH_HEX_LEN + 1];
      dcc_hash_bytes (all->str, all->len, &digest);
      dcc_hash_to_hex (&digest, hex);
      p->digests[i] = g_strdup (hex);
    }
}

static int
cmp_i64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  if (argc < 3)
    {
      fprintf (stderr, "usage: is-client SOCKET COMMANDS [PASSES [THREADS]]\n");
      return 2;
    }
  int passes = argc > 3 ? atoi (argv[3]) : 1;
  int threads = argc > 4 ? atoi (argv[4]) : 1;
  threads = CLAMP (threads, 1, IS_CLIENT_MAX_THREADS);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  if (!g_file_get_contents (argv[2], &text, NULL, &error))
    {
      fprintf (stderr, "is-client: %s\n", error->message);
      return 2;
    }
  g_autoptr(GPtrArray) requests = g_ptr_array_new ();
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *tab = strchr (lines[i], '\t');
      if (!tab)
        continue;
      *tab = '\0';
      Request *r = g_new0 (Request, 1);
      r->cwd = g_strdup (lines[i]);
      if (!g_shell_parse_argv (tab + 1, NULL, &r->argv, &error))
        {
          fprintf (stderr, "is-client: line %u: %s\n", i + 1, error->message);
          return 2;
        }
      g_ptr_array_add (requests, r);
    }
  guint n = requests->len;
  for (int pass = 1; pass <= passes; pass++)
    {
      Pass p = { .socket_path = argv[1], .requests = requests, .next = 0 };
      p.latency_us = g_new0 (gint64, n);
      p.files = g_new0 (guint, n);
      p.digests = g_new0 (char *, n);
      p.errors = g_string_new (NULL);
      g_mutex_init (&p.lock);
      gint64 t0 = g_get_monotonic_time ();
      GThread *th[IS_CLIENT_MAX_THREADS];
      for (int t = 0; t < threads; t++)
        th[t] = g_thread_new ("is-client", worker, &p);
      for (int t = 0; t < threads; t++)
        g_thread_join (th[t]);
      double wall = (g_get_monotonic_time () - t0) / 1e6;
      guint64 files = 0;
      for (guint i = 0; i < n; i++)
        files += p.files[i];
      guint ok = n - (guint) p.failed;
      qsort (p.latency_us, n, sizeof (gint64), cmp_i64);
      double mean = 0;
      for (guint i = 0; i < n; i++)
        mean += p.latency_us[i];
      mean = n ? mean / n / 1000.0 : 0;
      printf ("pass %d: %u requests, %d failed, %.2f s, %.1f closures/s, mean %.1f ms, p50 %.1f ms, "
              "p95 %.1f ms, %.0f files/closure, threads %d\n",
              pass, n, p.failed, wall, wall > 0 ? ok / wall : 0.0, mean,
              n ? p.latency_us[n / 2] / 1000.0 : 0.0, n ? p.latency_us[(n * 95) / 100] / 1000.0 : 0.0,
              ok ? (double) files / ok : 0.0, threads);
      if (p.errors->len)
        printf ("failures:\n%s", p.errors->str);
      fflush (stdout);
      g_string_free (p.errors, TRUE);
      g_mutex_clear (&p.lock);
      g_free (p.latency_us);
      g_free (p.files);
      /* IS_CLIENT_DIGESTS=FILE: each request's closure digest ("-" if it
       * failed), one line per request in order, from the last pass. */
      const char *dfile = g_getenv ("IS_CLIENT_DIGESTS");
      if (dfile)
        {
          g_autoptr(GString) out = g_string_new (NULL);
          for (guint i = 0; i < n; i++)
            g_string_append_printf (out, "%s %s\n", p.digests[i] ? p.digests[i] : "-",
                                    ((Request *) requests->pdata[i])->argv[g_strv_length (((Request *) requests->pdata[i])->argv) - 1]);
          if (!g_file_set_contents (dfile, out->str, (gssize) out->len, &error))
            fprintf (stderr, "is-client: %s\n", error->message);
        }
      for (guint i = 0; i < n; i++)
        g_free (p.digests[i]);
      g_free (p.digests);
    }
  return 0;
}
