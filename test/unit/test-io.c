/* shared/dcc-io.c: writing to a socket whose peer has gone fails with
 * EPIPE and does not kill the writer with SIGPIPE (the distcc client runs
 * with SIGPIPE at its default, so that the compilers it runs do too);
 * writing to a file still works. */
#include "dcc-io.h"
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
test_peer_gone (void)
{
  int sv[2];
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
  close (sv[1]);
  g_assert_true (signal (SIGPIPE, SIG_DFL) != SIG_ERR);
  char buf[4096];
  memset (buf, 'x', sizeof buf);
  g_autoptr(GError) error = NULL;
  /* Before the fix the process died here of SIGPIPE. */
  g_assert_false (dcc_io_write_all (sv[0], buf, sizeof buf, 5, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "write"));
  close (sv[0]);
}

static void
test_file (void)
{
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("test-io-XXXXXX", &path, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_assert_true (dcc_io_write_all (fd, "hello\n", 6, 5, NULL));
  close (fd);
  g_autofree char *text = NULL;
  gsize n = 0;
  g_assert_true (g_file_get_contents (path, &text, &n, NULL));
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpmem (text, 5, "hello", 5);
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/io/peer-gone", test_peer_gone);
  g_test_add_func ("/io/file", test_file);
  return g_test_run ();
}
