#include "remote.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static guint64 traffic_sent, traffic_received;
static gboolean cache_hit;

void
dcc_remote_note_cache_hit (void)
{
  cache_hit = TRUE;
}

gboolean
dcc_remote_cache_hit (void)
{
  return cache_hit;
}

void
dcc_remote_count (guint64 sent, guint64 received)
{
  traffic_sent += sent;
  traffic_received += received;
}

void
dcc_remote_traffic (guint64 *sent, guint64 *received)
{
  *sent = traffic_sent;
  *received = traffic_received;
}

int
dcc_remote_io_timeout (void)
{
  const char *t = g_getenv ("DISTCC_IO_TIMEOUT");
  if (t && *t)
    {
      char *end;
      long v = strtol (t, &end, 10);
      if (*end == '\0' && v > 0 && v < 100000)
        return (int) v;
    }
  return DCC_DEFAULT_IO_TIMEOUT;
}

static int
connect_one (const struct addrinfo *ai, int timeout_s, GError **error)
{
  dcc_autofd fd = socket (ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
  if (fd < 0)
    return dcc_fail_errno (error, "socket"), -1;
  if (connect (fd, ai->ai_addr, ai->ai_addrlen) < 0)
    {
      if (errno != EINPROGRESS)
        return dcc_fail_errno (error, "connect"), -1;
      struct pollfd pfd = { .fd = fd, .events = POLLOUT };
      int n;
      do
        n = poll (&pfd, 1, timeout_s * 1000);
      while (n < 0 && errno == EINTR);
      int soerr = 0;
      socklen_t sl = sizeof soerr;
      if (n == 0)
        return dcc_fail (error, DCC_ERROR_TIMEOUT, "connect timed out after %d s", timeout_s), -1;
      if (n < 0 || getsockopt (fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0)
        {
          errno = soerr ? soerr : errno;
          return dcc_fail_errno (error, "connect"), -1;
        }
    }
  int one = 1;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return g_steal_fd (&fd);
}

/* An ssh host: DISTCC_SSH (default "ssh", split as a shell would) runs
 * "[-l USER] HOST COMMAND --inetd" with its stdin and stdout on one end of
 * a socket pair; the other end is the connection. The ssh process exits
 * when we close our end (EOF) and is reaped by whoever outlives us. */
static int
ssh_connect (const DccHost *host, GError **error)
{
  const char *ssh = g_getenv ("DISTCC_SSH");
  g_auto(GStrv) ssh_argv = NULL;
  if (!g_shell_parse_argv (ssh && *ssh ? ssh : "ssh", NULL, &ssh_argv, error))
    return g_prefix_error (error, "DISTCC_SSH: "), -1;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_strv_builder_addv (b, (const char **) ssh_argv);
  if (host->user)
    {
      g_strv_builder_add (b, "-l");
      g_strv_builder_add (b, host->user);
    }
  g_strv_builder_add (b, host->hostname);
  g_strv_builder_add (b, host->command ? host->command : "distccd");
  g_strv_builder_add (b, "--inetd");
  g_auto(GStrv) argv = g_strv_builder_end (b);
  int fd;
  pid_t pid = dcc_io_fork_socketpair (&fd, error);
  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      /* Child: async-signal-safe calls only. */
      dup2 (fd, 0);
      dup2 (fd, 1);
      execvp (argv[0], argv);
      _exit (127);
    }
  return fd;
}

int
dcc_remote_connect (const DccHost *host, int timeout_s, GError **error)
{
  if (host->kind == DCC_HOST_SSH)
    return ssh_connect (host, error);
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC };
  struct addrinfo *res = NULL;
  char port[16];
  g_snprintf (port, sizeof port, "%d", host->port);
  int rc = getaddrinfo (host->hostname, port, &hints, &res);
  if (rc != 0)
    return dcc_fail (error, DCC_ERROR_IO, "cannot resolve %s: %s", host->hostname, gai_strerror (rc)), -1;
  int fd = -1;
  g_autoptr(GError) last = NULL;
  for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next)
    {
      g_clear_error (&last);
      fd = connect_one (ai, timeout_s, &last);
    }
  freeaddrinfo (res);
  if (fd < 0)
    {
      g_autofree char *shown = dcc_host_port_name (host);
      g_propagate_prefixed_error (error, g_steal_pointer (&last), "%s: ", shown);
      return -1;
    }
  return fd;
}

/* Reads frames into reply until it is complete; the first through
 * dcc_io_read_first_frame when first_peer names the peer (its first answer
 * tells an old or foreign volunteer apart). */
static gboolean
read_reply_frames (int fd, const char *first_peer, int timeout_s, DccReply *reply, GError **error)
{
  for (gboolean first = TRUE; !reply->complete; first = FALSE)
    {
      guint32 tag, len;
      g_autofree guint8 *payload = NULL;
      if (first && first_peer
          ? !dcc_io_read_first_frame (fd, first_peer, DCC_MAX_FRAME, timeout_s, &tag, &payload, &len, error)
          : !dcc_io_read_frame (fd, DCC_MAX_FRAME, timeout_s, &tag, &payload, &len, error))
        return FALSE;
      dcc_remote_count (0, DCC_FRAME_HEADER_LEN + (guint64) len);
      DccFrame frame = { .tag = tag, .len = len, .payload = payload };
      if (!dcc_reply_feed (reply, &frame, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
dcc_remote_read_reply (int fd, const char *peer, int timeout_s, DccReply **reply_out, GError **error)
{
  g_autoptr(DccReply) reply = dcc_reply_new ();
  if (!read_reply_frames (fd, peer, timeout_s, reply, error))
    return FALSE;
  *reply_out = g_steal_pointer (&reply);
  return TRUE;
}

gboolean
dcc_remote_read_reply_rest (int fd, int timeout_s, DccReply *reply, GError **error)
{
  return read_reply_frames (fd, NULL, timeout_s, reply, error);
}
