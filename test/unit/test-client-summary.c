/* Per-compile records (shared/dcc-build-record.c) and the summary and
 * timeline made from them (client/build-summary.c, build-timeline.c). */
#include "build-summary.h"
#include "dcc-build-record.h"
#include "dcc-error.h"
#include <string.h>

static DccBuildRecord *
make (const char *kind, const char *mode, const char *host, const char *tried, const char *reason,
      const char *file, gint64 start, gint64 slot_at, gint64 end, guint64 sent, guint64 recv)
{
  DccBuildRecord *r = g_new0 (DccBuildRecord, 1);
  r->kind = g_strdup (kind);
  r->mode = g_strdup (mode);
  r->host = g_strdup (host);
  r->tried = g_strdup (tried);
  r->reason = g_strdup (reason);
  r->file = g_strdup (file);
  r->start_us = start;
  r->slot_at_us = slot_at;
  r->end_us = end;
  r->pid = 42;
  r->sent = sent;
  r->received = recv;
  r->phases[0] = (DccRecordPhase) { DCC_PHASE_STARTUP, 0 };
  r->phases[1] = (DccRecordPhase) { DCC_PHASE_BLOCKED, 10 };
  r->phases[2] = (DccRecordPhase) { DCC_PHASE_COMPILE, slot_at - start };
  r->n_phases = 3;
  return r;
}

static void
test_round_trip (void)
{
  g_autoptr(DccBuildRecord) r = make ("remote", "pump", "red:3632", "", "", "src/a b.c", 1000, 1500, 9000, 77, 88);
  r->phases[3] = (DccRecordPhase) { DCC_PHASE_DONE, 7900 };
  r->n_phases = 4;
  r->slot = 3;
  r->status = 1;
  g_autofree char *line = dcc_build_record_format (r);
  g_assert_true (g_str_has_suffix (line, "\n"));
  g_autoptr(GError) error = NULL;
  g_autoptr(DccBuildRecord) p = dcc_build_record_parse (line, strlen (line) - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->kind, ==, "remote");
  g_assert_cmpstr (p->mode, ==, "pump");
  g_assert_cmpstr (p->host, ==, "red:3632");
  g_assert_cmpstr (p->file, ==, "src/a b.c");
  g_assert_cmpint (p->start_us, ==, 1000);
  g_assert_cmpint (p->end_us, ==, 9000);
  g_assert_cmpint (p->slot, ==, 3);
  g_assert_cmpint (p->status, ==, 1);
  g_assert_cmpuint (p->sent, ==, 77);
  g_assert_cmpuint (p->received, ==, 88);
  g_assert_cmpuint (p->n_phases, ==, 4);
  g_assert_cmpint (p->phases[3].phase, ==, DCC_PHASE_DONE);
  g_assert_cmpint (dcc_build_record_slot_end (p), ==, 8900);
  g_autofree char *again = dcc_build_record_format (p);
  g_assert_cmpstr (again, ==, line);
}

static void
test_hostile_strings (void)
{
  /* Tabs and newlines in a file name or reason cannot split the record. */
  g_autofree char *long_reason = g_strnfill (5000, 'x');
  g_autoptr(DccBuildRecord) r = make ("fallback", "", "localhost", "h:1", long_reason, "a\tb\nc.c", 1, 2, 3, 0, 0);
  g_autofree char *line = dcc_build_record_format (r);
  g_assert_cmpuint (strlen (line), <=, DCC_RECORD_MAX_LINE);
  g_assert_true (strchr (line, '\n') == line + strlen (line) - 1);
  g_autoptr(DccBuildRecord) p = dcc_build_record_parse (line, strlen (line) - 1, NULL);
  g_assert_nonnull (p);
  g_assert_cmpstr (p->file, ==, "a?b?c.c");
  g_assert_cmpuint (strlen (p->reason), ==, DCC_RECORD_MAX_STRING);
}

static void
test_malformed (void)
{
  static const char *const bad[] = {
    "",
    "dccrec2\tstart=1\tend=2\tkind=remote",
    "dccrec1\tstart=1\tend=2",                         /* no kind */
    "dccrec1\tstart=1\tkind=remote",                   /* no end */
    "dccrec1\tstart=3\tend=2\tkind=remote",            /* ends before it starts */
    "dccrec1\tstart=1\tend=2\tkind=Remote",            /* not a word */
    "dccrec1\tstart=1\tend=2\tkind=",
    "dccrec1\tstart=-1\tend=2\tkind=remote",
    "dccrec1\tstart=1\tend=2\tkind=remote\tkind=local",
    "dccrec1\tstart=1\tend=99999999999999999999\tkind=remote",
    "dccrec1\tstart=1\tend=2\tkind=remote\tphases=compile:1,",
    "dccrec1\tstart=1\tend=2\tkind=remote\tphases=bake:1",
    "dccrec1\tstart=1\tend=2\tkind=remote\tphases=compile",
    "dccrec1\tstart=1\tend=2\tkind=remote\tslot=9999999",
    "dccrec1\tstart=1\tend=2\tkind=remote\tnoequals",
    "dccrec1xstart=1\tend=2\tkind=remote",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DccBuildRecord) r = dcc_build_record_parse (bad[i], strlen (bad[i]), &error);
      if (r)
        g_error ("accepted: %s", bad[i]);
      g_assert_error (error, DCC_ERROR, DCC_ERROR_PROTOCOL);
    }
  /* Unknown fields (a newer writer's) are ignored. */
  const char *ok = "dccrec1\tstart=1\tend=2\tkind=cache-hit\tfuture=whatever";
  g_autoptr(DccBuildRecord) r = dcc_build_record_parse (ok, strlen (ok), NULL);
  g_assert_nonnull (r);
  g_assert_cmpstr (r->kind, ==, "cache-hit");
  g_assert_cmpstr (r->host, ==, "");
}

static void
test_records_file (void)
{
  const char *text = "dccrec1\tstart=1\tend=2\tkind=remote\n"
                     "garbage\n"
                     "dccrec1\tstart=1\tend=3\tkind=local\n"
                     "dccrec1\tstart=5\tend=";  /* torn */
  guint skipped = 0;
  g_autoptr(GPtrArray) a = dcc_build_records_parse (text, strlen (text), &skipped);
  g_assert_cmpuint (a->len, ==, 2);
  g_assert_cmpuint (skipped, ==, 2);
}

static void
test_is_stats (void)
{
  DccIsStats s = { 10, 4, 5, 1, 123456 }, p = { 0 };
  g_autofree char *text = dcc_is_stats_format (&s);
  g_assert_true (dcc_is_stats_parse (text, strlen (text), &p, NULL));
  g_assert_cmpmem (&s, sizeof s, &p, sizeof p);
  static const char *const bad[] = {
    "", "include-server-stats 2\n", "include-server-stats 1\nrequests 1\n",
    "include-server-stats 1\nrequests 1\ncached 1\nwalked 1\nfailed 1\ncpu_us x\n",
    "include-server-stats 1\nrequests 1\ncached 1\nwalked 1\nfailed 1\ncpu_us 1",
    "include-server-stats 1\nrequests 1\nrequests 1\ncached 1\nwalked 1\nfailed 1\ncpu_us 1\n",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (dcc_is_stats_parse (bad[i], strlen (bad[i]), &p, NULL));
}

static void
test_summary (void)
{
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_build_record_free);
  for (int i = 0; i < 3; i++)
    g_ptr_array_add (a, make ("remote", "pump", "red:3632", "", "", "a.c", 0, 100, 1100, 1000, 10));
  g_ptr_array_add (a, make ("remote", "plain", "blue:3632", "", "", "b.c", 0, 100, 2100, 500, 5));
  g_ptr_array_add (a, make ("cache-hit", "pump", "red:3632", "", "", "c.c", 0, 100, 200, 0, 0));
  for (guint i = 0; i < a->len; i++)  /* milliseconds */
    {
      DccBuildRecord *r = a->pdata[i];
      r->slot_at_us *= 1000;
      r->end_us *= 1000;
      r->phases[2].at_us *= 1000;
    }
  g_ptr_array_add (a, make ("local", "", "localhost", "", "preprocess only (-E)", "d.c", 0, 100, 200, 0, 0));
  g_ptr_array_add (a, make ("fallback", "", "localhost", "blue:3632", "connect: Connection refused", "e.c",
                            0, 100, 200, 0, 0));
  DccIsStats is = { 9, 6, 3, 0, 2500000 };
  g_autofree char *s = dcc_build_summary_render (a, &is, 5 * G_USEC_PER_SEC, 0);
  g_test_message ("%s", s);
  g_assert_nonnull (strstr (s, "distcc build summary: 7 compiles, wall 5.0 s\n"));
  g_assert_nonnull (strstr (s, "  remote         4  (pump 3, plain 1)\n"));
  g_assert_nonnull (strstr (s, "  cache hits     1\n"));
  g_assert_nonnull (strstr (s, "  local          1\n          1  preprocess only (-E)\n"));
  g_assert_nonnull (strstr (s, "  fallback       1\n          1  blue:3632: connect: Connection refused\n"));
  g_assert_nonnull (strstr (s, "  sent 3.5\xc2\xa0kB, received 35 bytes\n"));
  g_assert_true (g_regex_match_simple ("\n    red:3632 +4 +57% +775 ms\n", s, 0, 0));
  g_assert_nonnull (strstr (s, "  include server: 9 requests, 6 closures reused, 3 walked, 0 not analysed, 2.50 s CPU\n"));

  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autofree char *e = dcc_build_summary_render (none, NULL, -1, 2);
  g_assert_nonnull (strstr (e, "no compile went through distcc"));
  g_assert_nonnull (strstr (e, "2 malformed"));
}

static void
test_results (void)
{
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_build_record_free);
  for (int i = 0; i < 12; i++)
    g_ptr_array_add (a, make ("remote", "pump", "red:3632", "", "", "a.c", 0, 100, 200000, 0, 0));
  g_ptr_array_add (a, make ("fallback", "", "localhost", "blue:3632", "connect: refused", "e.c", 0, 100, 200, 0, 0));
  ((DccBuildRecord *) a->pdata[a->len - 1])->status = 1;
  g_autofree char *s = dcc_build_results_render (a, 10);
  g_auto(GStrv) lines = g_strsplit (s, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 11);   /* 10 and the empty tail */
  g_assert_true (g_regex_match_simple ("^..:..:..  remote    pump +red:3632\\[0\\] +200 ms  a\\.c$", lines[0], 0, 0));
  g_assert_true (g_str_has_suffix (lines[9], "e.c  (blue:3632: connect: refused)  exit 1"));
}

static void
test_timeline (void)
{
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_build_record_free);
  /* Two compiles on the same slot of one host, overlapping: two tracks. */
  g_ptr_array_add (a, make ("remote", "pump", "red:3632", "", "", "a\"q.c", 0, 100, 1100, 0, 0));
  g_ptr_array_add (a, make ("remote", "pump", "red:3632", "", "", "b.c", 50, 500, 1500, 0, 0));
  g_autofree char *j = dcc_build_timeline_render (a);
  g_assert_nonnull (strstr (j, "\"file\": \"a\\\"q.c\""));
  g_assert_nonnull (strstr (j, "\"name\": \"slot 0\""));
  g_assert_nonnull (strstr (j, "\"name\": \"overlapping 0\""));
  g_assert_nonnull (strstr (j, "\"name\": \"wait for slot\""));
  g_assert_true (g_str_has_prefix (j, "{\"displayTimeUnit\": \"ms\", \"traceEvents\": ["));
  g_assert_true (g_str_has_suffix (j, "]}\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/build-record/round-trip", test_round_trip);
  g_test_add_func ("/build-record/hostile-strings", test_hostile_strings);
  g_test_add_func ("/build-record/malformed", test_malformed);
  g_test_add_func ("/build-record/records-file", test_records_file);
  g_test_add_func ("/build-record/is-stats", test_is_stats);
  g_test_add_func ("/build-summary/render", test_summary);
  g_test_add_func ("/build-summary/results", test_results);
  g_test_add_func ("/build-summary/timeline", test_timeline);
  return g_test_run ();
}
