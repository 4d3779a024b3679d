/* See inetd-relay.h. */
#include "inetd-relay.h"
#include "dcc-error.h"
#include "dcc-io.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define RELAY_BUF 65536

/* Copies what is readable on from to to; FALSE at EOF or error. */
static gboolean
copy_some (int from, int to, char *buf)
{
  ssize_t n = read (from, buf, RELAY_BUF);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return TRUE;
  if (n <= 0)
    return FALSE;
  for (ssize_t off = 0; off < n;)
    {
      ssize_t w = write (to, buf + off, (size_t) (n - off));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return FALSE;
      off += w;
    }
  return TRUE;
}

static void G_GNUC_NORETURN
relay (int sock)
{
  static char buf[RELAY_BUF];
  gboolean in_open = TRUE;
  for (;;)
    {
      struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = in_open ? 0 : -1, .events = POLLIN } };
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          _exit (1);
        }
      if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
        if (!copy_some (sock, 1, buf))
          _exit (0);   /* the session is over: stdout closes with us */
      if (in_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
        if (!copy_some (0, sock, buf))
          {
            in_open = FALSE;
            shutdown (sock, SHUT_WR);
          }
    }
}

int
dcc_inetd_session_fd (GError **error)
{
  struct stat st;
  if (fstat (0, &st) == 0 && S_ISSOCK (st.st_mode))
    return 0;
  int sock;
  pid_t pid = dcc_io_fork_socketpair (&sock, error);
  if (pid < 0)
    return -1;
  if (pid == 0)
    relay (sock);
  int devnull = open ("/dev/null", O_RDWR);
  if (devnull >= 0)
    {
      dup2 (devnull, 0);
      dup2 (devnull, 1);
      if (devnull > 1)
        close (devnull);
    }
  return sock;
}
