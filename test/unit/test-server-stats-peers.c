/* --stats shows a peer only its own jobs: dcc_peer_host (the address in a
 * peer name), the job board's /jobs and the longest job of stock's page
 * and /json, rendered for two client addresses. */
#include "job-board.h"
#include "listener.h"
#include "stats.h"
#include <string.h>

static void
test_peer_host (void)
{
  static const struct { const char *in, *want; } cases[] = {
    { "127.0.0.1:3632", "127.0.0.1" },
    { "192.0.2.10:1", "192.0.2.10" },
    { "[::1]:40000", "::1" },
    { "[::ffff:127.0.0.2]:5", "127.0.0.2" },
    { "[2001:db8::1]:65535", "2001:db8::1" },
    { "127.0.0.1", NULL },
    { "127.0.0.1:", NULL },
    { "127.0.0.1:12x", NULL },
    { "::1:5", NULL },
    { "[::1]5", NULL },
    { "[::1", NULL },
    { "(unknown peer)", NULL },
    { "", NULL },
    { "host.example:80", NULL },
    { "127.0.0.1:1234567", NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = dcc_peer_host (cases[i].in);
      g_assert_cmpstr (got, ==, cases[i].want);
    }
  g_assert_null (dcc_peer_host (NULL));
}

static void
test_board_own_jobs (void)
{
  g_assert_true (dcc_stats_init (4, "/tmp", NULL));
  int a = dcc_job_board_begin ("127.0.0.1:1000", "alpha.c", "gcc", "plain");
  int b = dcc_job_board_begin ("127.0.0.2:2000", "beta.c", "gcc", "pump");
  int a2 = dcc_job_board_begin ("[::ffff:127.0.0.1]:1001", "alpha2.c", "gcc", "plain");
  g_assert_cmpint (a, >=, 0);
  g_assert_cmpint (b, >=, 0);
  dcc_job_board_end (a2);   /* recent */
  g_autofree char *one = dcc_job_board_render_json ("vm", "127.0.0.1:5555");
  g_autofree char *two = dcc_job_board_render_json ("vm", "127.0.0.2:6666");
  g_autofree char *three = dcc_job_board_render_json ("vm", "127.0.0.3:7777");
  g_autofree char *none = dcc_job_board_render_json ("vm", NULL);
  g_assert_nonnull (strstr (one, "alpha.c"));
  g_assert_nonnull (strstr (one, "alpha2.c"));
  g_assert_null (strstr (one, "beta.c"));
  g_assert_null (strstr (one, "127.0.0.2"));
  g_assert_nonnull (strstr (two, "beta.c"));
  g_assert_null (strstr (two, "alpha"));
  g_assert_null (strstr (two, "127.0.0.1"));
  /* Both render the same board; only now_ms may differ (the clock can tick
   * between the two renders). */
  g_assert_nonnull (strstr (three, "\"jobs\""));
  g_assert_cmpstr (strstr (three, "\"jobs\""), ==, strstr (none, "\"jobs\""));
  g_assert_null (strstr (three, ".c\""));
  g_assert_nonnull (strstr (three, "\"jobs\": [], \"recent\": []"));

  dcc_stats_compiled ("127.0.0.1:1000", "alpha.c", "gcc", 500, 0);
  dcc_stats_compiled ("127.0.0.2:2000", "beta.c", "clang", 100, 0);
  dcc_stats_compiled ("127.0.0.2:2001", "gamma.c", "clang", 50, 1);
  g_autofree char *t1 = dcc_stats_render_text ("127.0.0.1:9");
  g_autofree char *t2 = dcc_stats_render_text ("127.0.0.2:9");
  g_autofree char *t3 = dcc_stats_render_text ("127.0.0.3:9");
  g_autofree char *j2 = dcc_stats_render_json ("[::ffff:127.0.0.2]:9");
  g_assert_nonnull (strstr (t1, "dcc_longest_job alpha.c\ndcc_longest_job_compiler gcc\ndcc_longest_job_time_msecs 500\n"));
  g_assert_nonnull (strstr (t2, "dcc_longest_job beta.c\ndcc_longest_job_compiler clang\ndcc_longest_job_time_msecs 100\n"));
  g_assert_nonnull (strstr (t3, "dcc_longest_job \ndcc_longest_job_compiler \ndcc_longest_job_time_msecs 0\n"));
  g_assert_nonnull (strstr (j2, "\"longest_job\": \"beta.c\""));
  g_assert_null (strstr (j2, "alpha"));
  /* Totals are every peer's. */
  g_assert_nonnull (strstr (t3, "dcc_compile_ok 2\ndcc_compile_error 1\n"));
  g_assert_nonnull (strstr (t1, "dcc_max_RSS_name \n"));
  dcc_job_board_end (a);
  dcc_job_board_end (b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/peer-host", test_peer_host);
  g_test_add_func ("/stats/own-jobs", test_board_own_jobs);
  return g_test_run ();
}
