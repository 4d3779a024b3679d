/* The build summary: counts per result kind, the top reasons for local
 * compiles and fallbacks, bytes, per-host share and mean time, the include
 * server's counters, wall time. Rendering is pure; the command below reads
 * the files. */
#include "build-summary.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-io.h"
#include "host-pick.h"
#include "tally.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REASON_WIDTH 72

/* "reason: N; reason: N; +K more (M)" on one line, each reason cut. */
static void
append_reasons (GString *out, GHashTable *h)
{
  g_autoptr(GPtrArray) a = dcc_tally_sorted (h);
  guint rest = 0, rest_n = 0;
  for (guint i = 0; i < a->len; i++)
    {
      const DccTally *t = a->pdata[i];
      if (i >= DCC_SUMMARY_TOP_REASONS)
        {
          rest++;
          rest_n += t->count;
          continue;
        }
      g_string_append (out, "\n      ");
      g_string_append_printf (out, "%5u  ", t->count);
      if (g_utf8_strlen (t->key, -1) > REASON_WIDTH)
        {
          g_autofree char *cut = g_utf8_substring (t->key, 0, REASON_WIDTH - 3);
          g_string_append_printf (out, "%s...", cut);
        }
      else
        g_string_append (out, *t->key ? t->key : "(no reason given)");
    }
  if (rest)
    g_string_append_printf (out, "\n      %5u  (%u other reasons)", rest_n, rest);
}

static char *
format_duration (gint64 us)
{
  if (us < 0)
    us = 0;
  if (us < G_USEC_PER_SEC)
    return g_strdup_printf ("%.0f ms", us / 1000.0);
  if (us < 600 * (gint64) G_USEC_PER_SEC)
    return g_strdup_printf ("%.1f s", us / 1e6);
  return g_strdup_printf ("%" G_GINT64_FORMAT " min %02" G_GINT64_FORMAT " s", us / 60000000, (us / 1000000) % 60);
}

char *
dcc_build_summary_render (const GPtrArray *records, const DccIsStats *is, gint64 wall_us, guint skipped)
{
  guint n = records->len, n_remote = 0, n_cache = 0, n_local = 0, n_fallback = 0, n_failed = 0;
  guint64 sent = 0, received = 0;
  gint64 first = G_MAXINT64, last = 0;
  g_autoptr(GHashTable) modes = dcc_tally_table ();
  g_autoptr(GHashTable) local_why = dcc_tally_table ();
  g_autoptr(GHashTable) fallback_why = dcc_tally_table ();
  g_autoptr(GHashTable) other_kinds = dcc_tally_table ();
  g_autoptr(GHashTable) hosts = dcc_tally_table ();

  for (guint i = 0; i < n; i++)
    {
      const DccBuildRecord *r = records->pdata[i];
      first = MIN (first, r->start_us);
      last = MAX (last, r->end_us);
      sent += r->sent;
      received += r->received;
      if (r->status != 0)
        n_failed++;
      if (strcmp (r->kind, "remote") == 0)
        {
          n_remote++;
          dcc_tally_add (modes, *r->mode ? r->mode : "?");
        }
      else if (g_str_has_prefix (r->kind, "cache"))
        n_cache++;
      else if (strcmp (r->kind, "local") == 0)
        {
          n_local++;
          dcc_tally_add (local_why, r->reason);
        }
      else if (strcmp (r->kind, "fallback") == 0)
        {
          n_fallback++;
          /* "HOST:PORT: reason", unless the reason names the host first */
          g_autofree char *key = *r->tried && !g_str_has_prefix (r->reason, r->tried)
                                 ? g_strdup_printf ("%s: %s", r->tried, r->reason) : g_strdup (r->reason);
          dcc_tally_add (fallback_why, key);
        }
      else
        dcc_tally_add (other_kinds, r->kind);
      DccTally *h = dcc_tally_add (hosts, *r->host ? r->host : "?");
      gint64 slot_end = dcc_build_record_slot_end (r);
      if (r->slot_at_us > 0 && slot_end >= r->slot_at_us)
        {
          h->busy_us += slot_end - r->slot_at_us;
          h->timed++;
        }
    }

  GString *out = g_string_new (NULL);
  if (n == 0)
    {
      g_string_append (out, "distcc build summary: no compile went through distcc\n");
      if (skipped)
        g_string_append_printf (out, "  (%u malformed record lines skipped)\n", skipped);
      return g_string_free (out, FALSE);
    }
  g_autofree char *wall = format_duration (wall_us >= 0 ? wall_us : last - first);
  g_string_append_printf (out, "distcc build summary: %u compile%s, wall %s\n", n, n == 1 ? "" : "s", wall);

  g_string_append_printf (out, "  remote     %5u", n_remote);
  if (n_remote)
    {
      g_autoptr(GPtrArray) m = dcc_tally_sorted (modes);
      g_string_append (out, "  (");
      for (guint i = 0; i < m->len; i++)
        g_string_append_printf (out, "%s%s %u", i ? ", " : "", ((DccTally *) m->pdata[i])->key,
                                ((DccTally *) m->pdata[i])->count);
      g_string_append (out, ")");
    }
  g_string_append_printf (out, "\n  cache hits %5u\n", n_cache);
  g_string_append_printf (out, "  local      %5u", n_local);
  append_reasons (out, local_why);
  g_string_append_printf (out, "\n  fallback   %5u", n_fallback);
  append_reasons (out, fallback_why);
  g_string_append_c (out, '\n');
  if (g_hash_table_size (other_kinds))
    {
      g_autoptr(GPtrArray) o = dcc_tally_sorted (other_kinds);
      for (guint i = 0; i < o->len; i++)
        g_string_append_printf (out, "  %-10s %5u\n", ((DccTally *) o->pdata[i])->key, ((DccTally *) o->pdata[i])->count);
    }
  if (n_failed)
    g_string_append_printf (out, "  (%u of them exited non-zero: compile errors)\n", n_failed);

  g_autofree char *s_sent = g_format_size (sent);
  g_autofree char *s_recv = g_format_size (received);
  g_string_append_printf (out, "  sent %s, received %s\n", s_sent, s_recv);

  g_autoptr(GPtrArray) h = dcc_tally_sorted (hosts);
  g_string_append (out, "  host                               compiles  share  mean time\n");
  for (guint i = 0; i < h->len; i++)
    {
      const DccTally *t = h->pdata[i];
      if (i >= DCC_SUMMARY_TOP_HOSTS)
        {
          g_string_append_printf (out, "    (%u more hosts)\n", h->len - i);
          break;
        }
      g_autofree char *mean = t->timed ? format_duration (t->busy_us / t->timed) : g_strdup ("-");
      g_string_append_printf (out, "    %-32.32s %8u  %4.0f%%  %9s\n", t->key, t->count, 100.0 * t->count / n, mean);
    }
  if (is)
    g_string_append_printf (out, "  include server: %" G_GUINT64_FORMAT " requests, %" G_GUINT64_FORMAT
                            " closures reused, %" G_GUINT64_FORMAT " walked, %" G_GUINT64_FORMAT
                            " not analysed, %.2f s CPU\n", is->requests, is->cached, is->walked, is->failed,
                            is->cpu_us / 1e6);
  if (skipped)
    g_string_append_printf (out, "  (%u malformed record lines skipped)\n", skipped);
  return g_string_free (out, FALSE);
}

char *
dcc_build_results_render (const GPtrArray *records, guint n)
{
  GString *out = g_string_new (NULL);
  guint from = records->len > n ? records->len - n : 0;
  for (guint i = from; i < records->len; i++)
    {
      const DccBuildRecord *r = records->pdata[i];
      g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (r->end_us / G_USEC_PER_SEC);
      g_autofree char *hms = t ? g_date_time_format (t, "%H:%M:%S") : g_strdup ("--:--:--");
      g_autofree char *took = format_duration (r->end_us - r->start_us);
      g_autofree char *where = g_strdup_printf ("%s[%d]", *r->host ? r->host : "?", r->slot);
      g_string_append_printf (out, "%s  %-9.9s %-5.5s %24.24s %9s  %s", hms, r->kind, r->mode, where, took, r->file);
      if (*r->tried && !g_str_has_prefix (r->reason, r->tried))
        g_string_append_printf (out, "  (%s%s%s)", r->tried, *r->reason ? ": " : "", r->reason);
      else if (*r->reason)
        g_string_append_printf (out, "  (%s)", r->reason);
      if (r->status != 0)
        g_string_append_printf (out, "  exit %d", r->status);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

GPtrArray *
dcc_build_records_read_tail (const char *distcc_dir, gsize max_bytes)
{
  g_autofree char *path = g_build_filename (distcc_dir, "records", NULL);
  g_autofree char *buf = g_malloc (max_bytes + 1);
  gsize got = 0;
  gboolean cut = FALSE;
  dcc_autofd fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
  if (fd >= 0)
    {
      off_t size = lseek (fd, 0, SEEK_END);
      cut = size > (off_t) max_bytes;
      if (lseek (fd, cut ? size - (off_t) max_bytes : 0, SEEK_SET) >= 0)
        while (got < max_bytes)
          {
            ssize_t n = read (fd, buf + got, max_bytes - got);
            if (n <= 0)
              break;
            got += (gsize) n;
          }
    }
  const char *p = buf, *end = buf + got;
  if (cut)
    {
      const char *nl = memchr (p, '\n', got);
      p = nl ? nl + 1 : end;
    }
  return dcc_build_records_parse (p, (gsize) (end - p), NULL);
}

/* ---- the command ---- */

/* WHEN: "N" plus s, m, h or d (that long ago), an ISO 8601 time, or seconds
 * since the epoch. Returns microseconds since the epoch, or -1. */
static gint64
parse_when (const char *when, gint64 now_us)
{
  gsize len = strlen (when);
  guint64 v;
  if (len >= 2 && strchr ("smhd", when[len - 1]))
    {
      g_autofree char *num = g_strndup (when, len - 1);
      static const gint64 unit[] = { ['s' - 'a'] = 1, ['m' - 'a'] = 60, ['h' - 'a'] = 3600, ['d' - 'a'] = 86400 };
      if (g_ascii_string_to_unsigned (num, 10, 0, G_GUINT64_CONSTANT (100) * 365 * 86400, &v, NULL))
        return now_us - (gint64) v * unit[when[len - 1] - 'a'] * G_USEC_PER_SEC;
    }
  if (g_ascii_string_to_unsigned (when, 10, 0, G_MAXINT64 / G_USEC_PER_SEC, &v, NULL))
    return (gint64) v * G_USEC_PER_SEC;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (when, tz);
  if (dt)
    return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return -1;
}

/* Appends the records of PATH to ALL; a missing file adds none. */
static gboolean
read_records (const char *path, gboolean must_exist, GPtrArray *all, guint *skipped, GError **error)
{
  g_autofree guint8 *buf = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  if (!dcc_io_read_file (path, DCC_RECORDS_MAX_FILE + DCC_RECORD_MAX_LINE * 64, &buf, &len, &local))
    {
      if (!must_exist && !g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  guint bad = 0;
  g_autoptr(GPtrArray) some = dcc_build_records_parse ((const char *) buf, len, &bad);
  *skipped += bad;
  for (guint i = 0; i < some->len; i++)
    g_ptr_array_add (all, g_steal_pointer (&some->pdata[i]));
  return TRUE;
}

/* The build's start, as pump writes it into its directory: seconds since
 * the epoch, with a fraction. */
static gint64
read_started (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "started", NULL);
  g_autofree guint8 *buf = NULL;
  gsize len = 0;
  if (!dcc_io_read_file (path, 64, &buf, &len, NULL))
    return -1;
  g_autofree char *text = g_strstrip (g_strndup ((const char *) buf, len));
  char *end = NULL;
  double s = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !(s > 0 && s < 1e11))
    return -1;
  return (gint64) (s * 1e6);
}

static gint
by_start (gconstpointer a, gconstpointer b)
{
  const DccBuildRecord *x = *(DccBuildRecord *const *) a, *y = *(DccBuildRecord *const *) b;
  return x->start_us < y->start_us ? -1 : x->start_us > y->start_us;
}

int
dcc_build_summary_main (int argc, char **argv)
{
  gboolean timeline = strcmp (argv[0], "--timeline") == 0;
  g_autofree char *build_dir = NULL, *records_file = NULL, *since = NULL;
  GOptionEntry entries[] = {
    { "build-dir", 0, 0, G_OPTION_ARG_FILENAME, &build_dir,
      "A build's directory (pump's; DISTCC_BUILD_DIR): its records, include server counters and start time", "DIR" },
    { "records", 0, 0, G_OPTION_ARG_FILENAME, &records_file, "Read this records file", "FILE" },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      "Only compiles that ended since WHEN: 30m, 2h, 1d, an ISO 8601 time, or epoch seconds", "WHEN" },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new (timeline ? "FILE" : "");
  g_option_context_set_summary (ctx, timeline
      ? "Writes the compiles of a build as Chrome trace-event JSON to FILE (- for stdout)."
      : "Prints what the compiles of a build did. Without --build-dir or --records: $DISTCC_DIR/records.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *prog = g_strdup_printf ("distcc %s", argv[0]);
  argv[0] = prog;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s: %s\n", prog, error->message);
      return 2;
    }
  if (timeline ? argc != 2 : argc != 1)
    {
      fprintf (stderr, "%s: %s (see %s --help)\n", prog,
               timeline ? "needs one FILE to write (- for stdout)" : "takes no arguments", prog);
      return 2;
    }
  gint64 now = g_get_real_time ();
  gint64 since_us = 0;
  if (since && (since_us = parse_when (since, now)) < 0)
    {
      fprintf (stderr, "%s: --since %s: not a time (30m, 2h, 1d, 2026-12-06T17:00:00, epoch seconds)\n", prog, since);
      return 2;
    }

  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_build_record_free);
  guint skipped = 0;
  gboolean ok;
  if (records_file)
    ok = read_records (records_file, TRUE, records, &skipped, &error);
  else if (build_dir)
    {
      g_autofree char *path = g_build_filename (build_dir, "records", NULL);
      ok = read_records (path, FALSE, records, &skipped, &error);
    }
  else
    {
      g_autofree char *dir = dcc_distcc_dir ();
      g_autofree char *old = g_build_filename (dir, "records.1", NULL);
      g_autofree char *cur = g_build_filename (dir, "records", NULL);
      ok = read_records (old, FALSE, records, &skipped, &error)
           && read_records (cur, FALSE, records, &skipped, &error);
    }
  if (!ok)
    {
      fprintf (stderr, "%s: %s\n", prog, error->message);
      return 1;
    }
  if (since)
    for (guint i = records->len; i-- > 0;)
      if (((DccBuildRecord *) records->pdata[i])->end_us < since_us)
        g_ptr_array_remove_index (records, i);
  g_ptr_array_sort (records, by_start);

  if (timeline)
    {
      g_autofree char *json = dcc_build_timeline_render (records);
      if (strcmp (argv[1], "-") == 0)
        {
          fputs (json, stdout);
          return fflush (stdout) == 0 ? 0 : 1;
        }
      if (!dcc_io_write_file_atomic (argv[1], json, strlen (json), 0644, &error))
        {
          fprintf (stderr, "%s: %s\n", prog, error->message);
          return 1;
        }
      return 0;
    }

  DccIsStats is_stats;
  gboolean have_is = FALSE;
  gint64 wall = -1;
  if (build_dir)
    {
      g_autofree char *path = g_build_filename (build_dir, "include-server.stats", NULL);
      g_autofree guint8 *buf = NULL;
      gsize len = 0;
      g_autoptr(GError) is_error = NULL;
      if (dcc_io_read_file (path, DCC_IS_STATS_MAX_FILE, &buf, &len, NULL))
        {
          have_is = dcc_is_stats_parse ((const char *) buf, len, &is_stats, &is_error);
          if (!have_is)
            fprintf (stderr, "%s: %s: %s\n", prog, path, is_error->message);
        }
      gint64 started = read_started (build_dir);
      if (started > 0 && started <= now)
        wall = now - started;
    }
  g_autofree char *text = dcc_build_summary_render (records, have_is ? &is_stats : NULL, wall, skipped);
  fputs (text, stdout);
  return fflush (stdout) == 0 ? 0 : 1;
}
