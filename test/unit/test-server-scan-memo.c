/* Tests for the result cache's scan memo (server/scan-memo.c): flags come
 * back for the digest they were put under and no other, a full bucket
 * drops entries without ever answering wrong, and a forked process's puts
 * are seen by its parent (distccd's workers share it). */
#include "scan-memo.h"
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static DccHash
digest_of (const char *s)
{
  DccHash h;
  dcc_hash_bytes (s, strlen (s), &h);
  return h;
}

static void
test_get_put (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccScanMemo) m = dcc_scan_memo_new (1024, &error);
  g_assert_no_error (error);
  DccHash a = digest_of ("int a;"), b = digest_of ("int b;");
  guint f = 99;
  g_assert_false (dcc_scan_memo_get (m, &a, &f));
  g_assert_cmpuint (f, ==, 99);
  dcc_scan_memo_put (m, &a, 5);
  dcc_scan_memo_put (m, &b, 0);
  g_assert_true (dcc_scan_memo_get (m, &a, &f));
  g_assert_cmpuint (f, ==, 5);
  g_assert_true (dcc_scan_memo_get (m, &b, &f));
  g_assert_cmpuint (f, ==, 0);
  /* Put again (another process scanned it too): still one answer. */
  dcc_scan_memo_put (m, &a, 5);
  g_assert_true (dcc_scan_memo_get (m, &a, &f));
  g_assert_cmpuint (f, ==, 5);
  /* NULL is "nothing kept". */
  g_assert_false (dcc_scan_memo_get (NULL, &a, &f));
  dcc_scan_memo_put (NULL, &a, 1);
}

/* One bucket of four: the fifth digest drops one, and every digest is
 * either known with its own flags or unknown. */
static void
test_full_bucket (void)
{
  g_autoptr(DccScanMemo) m = dcc_scan_memo_new (4, NULL);
  g_assert_nonnull (m);
  DccHash h[40];
  for (guint i = 0; i < G_N_ELEMENTS (h); i++)
    {
      g_autofree char *s = g_strdup_printf ("content %u", i);
      h[i] = digest_of (s);
      dcc_scan_memo_put (m, &h[i], i);
      guint f;
      g_assert_true (dcc_scan_memo_get (m, &h[i], &f));
      g_assert_cmpuint (f, ==, i);
    }
  guint known = 0;
  for (guint i = 0; i < G_N_ELEMENTS (h); i++)
    {
      guint f;
      if (dcc_scan_memo_get (m, &h[i], &f))
        {
          g_assert_cmpuint (f, ==, i);
          known++;
        }
    }
  g_assert_cmpuint (known, <=, 4);
  g_assert_cmpuint (known, >=, 1);
}

static void
test_shared_with_fork (void)
{
  g_autoptr(DccScanMemo) m = dcc_scan_memo_new (DCC_SCAN_MEMO_SLOTS, NULL);
  g_assert_nonnull (m);
  DccHash a = digest_of ("from the child");
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      dcc_scan_memo_put (m, &a, 3);
      _exit (0);
    }
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  guint f;
  g_assert_true (dcc_scan_memo_get (m, &a, &f));
  g_assert_cmpuint (f, ==, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scan-memo/get-put", test_get_put);
  g_test_add_func ("/scan-memo/full-bucket", test_full_bucket);
  g_test_add_func ("/scan-memo/shared-with-fork", test_shared_with_fork);
  return g_test_run ();
}
