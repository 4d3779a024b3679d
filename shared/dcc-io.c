#include "dcc-io.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-wire.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Waits until fd is ready for `events`: at most timeout_s seconds (<= 0:
 * no bound) and not past deadline_us (monotonic; 0: none). */
static gboolean
wait_ready (int fd, short events, int timeout_s, gint64 deadline_us, GError **error)
{
  struct pollfd pfd = { .fd = fd, .events = events };
  for (;;)
    {
      int ms = timeout_s > 0 ? timeout_s * 1000 : -1;
      gboolean by_deadline = FALSE;
      if (deadline_us > 0)
        {
          gint64 left = (deadline_us - g_get_monotonic_time () + 999) / 1000;
          if (left <= 0)
            return dcc_fail (error, DCC_ERROR_TIMEOUT, "the request's deadline has passed");
          if (ms < 0 || left < ms)
            ms = (int) MIN (left, G_MAXINT), by_deadline = TRUE;
        }
      int n = poll (&pfd, 1, ms);
      if (n > 0)
        return TRUE;
      if (n == 0 && by_deadline)
        return dcc_fail (error, DCC_ERROR_TIMEOUT, "the request's deadline has passed");
      if (n == 0)
        return dcc_fail (error, DCC_ERROR_TIMEOUT, "no progress for %d seconds", timeout_s);
      if (errno != EINTR)
        return dcc_fail_errno (error, "poll");
    }
}

gboolean
dcc_io_write_all (int fd, const void *buf, gsize len, int timeout_s, GError **error)
{
  return dcc_io_write_all_until (fd, buf, len, timeout_s, 0, error);
}

/* write(), but a socket whose peer has gone answers EPIPE instead of
 * killing the process with SIGPIPE: a distcc client whose volunteer drops
 * the connection (its deadline passed, it restarted) must fall back to a
 * local compile, not die, and it cannot ignore SIGPIPE for good because
 * the compilers it runs inherit that. */
static ssize_t
write_nosignal (int fd, const void *p, gsize len)
{
  ssize_t n = send (fd, p, len, MSG_NOSIGNAL);
  if (n < 0 && errno == ENOTSOCK)
    return write (fd, p, len);
  return n;
}

gboolean
dcc_io_write_all_until (int fd, const void *buf, gsize len, int timeout_s, gint64 deadline_us,
                        GError **error)
{
  const guint8 *p = buf;
  while (len > 0)
    {
      ssize_t n = write_nosignal (fd, p, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            {
              if (!wait_ready (fd, POLLOUT, timeout_s, deadline_us, error))
                return FALSE;
              continue;
            }
          return dcc_fail_errno (error, "write");
        }
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gboolean
dcc_io_read_some (int fd, void *buf, gsize max, int timeout_s, gsize *got, GError **error)
{
  return dcc_io_read_some_until (fd, buf, max, timeout_s, 0, got, error);
}

gboolean
dcc_io_read_some_until (int fd, void *buf, gsize max, int timeout_s, gint64 deadline_us, gsize *got,
                        GError **error)
{
  for (;;)
    {
      if (!wait_ready (fd, POLLIN, timeout_s, deadline_us, error))
        return FALSE;
      ssize_t n = read (fd, buf, max);
      if (n < 0)
        {
          if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            continue;
          return dcc_fail_errno (error, "read");
        }
      *got = (gsize) n;
      return TRUE;
    }
}

static gboolean
read_exact_until (int fd, void *buf, gsize len, int timeout_s, gint64 deadline_us, GError **error)
{
  guint8 *p = buf;
  while (len > 0)
    {
      gsize got;
      if (!dcc_io_read_some_until (fd, p, len, timeout_s, deadline_us, &got, error))
        return FALSE;
      if (got == 0)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "connection closed by peer");
      p += got;
      len -= got;
    }
  return TRUE;
}

gboolean
dcc_io_read_exact (int fd, void *buf, gsize len, int timeout_s, GError **error)
{
  return read_exact_until (fd, buf, len, timeout_s, 0, error);
}

/* A payload's buffer grows as its bytes arrive, a chunk at a time, so that a
 * peer declaring a large frame and sending little costs little. */
#define READ_CHUNK (256u * 1024)

/* Reads one frame. With a peer name, a first header that is not one of
 * this protocol is described as such (see dcc_io_read_first_frame). */
static gboolean
read_frame (int fd, const char *peer, guint32 max_len, int timeout_s, gint64 deadline_us,
            guint32 *tag, guint8 **payload, guint32 *len, GError **error)
{
  guint8 header[DCC_FRAME_HEADER_LEN];
  guint32 t, l;
  if (!read_exact_until (fd, header, sizeof header, timeout_s, deadline_us, error))
    return FALSE;
  if (dcc_wire_decode_header (header, sizeof header, max_len, &t, &l, peer ? NULL : error) != DCC_WIRE_OK)
    {
      if (!peer)
        return FALSE;
      /* Shown as text, other bytes as '.'. Stock distcc 3.x frames are a
       * tag and 8 hex digits ("DONE00000002", "DIST00000001"). */
      char shown[DCC_FRAME_HEADER_LEN + 1];
      gboolean stock = TRUE;
      for (gsize i = 0; i < sizeof header; i++)
        {
          shown[i] = header[i] >= 0x20 && header[i] < 0x7f && header[i] != '"' ? (char) header[i] : '.';
          if (i >= 4 && !g_ascii_isxdigit (header[i]))
            stock = FALSE;
        }
      shown[sizeof header] = '\0';
      return dcc_fail (error, DCC_ERROR_PROTOCOL, "%s is not a distcc speaking this protocol: it sent \"%s\"%s",
                       peer, shown, stock ? " (the stock distcc 3.x protocol?)" : "");
    }
  g_autoptr(GByteArray) buf = g_byte_array_sized_new (MIN (l, READ_CHUNK) + 1);
  while (buf->len < l)
    {
      guint at = buf->len, chunk = MIN (l - at, READ_CHUNK);
      g_byte_array_set_size (buf, at + chunk);
      if (!read_exact_until (fd, buf->data + at, chunk, timeout_s, deadline_us, error))
        return FALSE;
    }
  dcc_put_u8 (buf, 0);
  *tag = t;
  *len = l;
  *payload = g_byte_array_free (g_steal_pointer (&buf), FALSE);
  return TRUE;
}

gboolean
dcc_io_read_frame (int fd, guint32 max_len, int timeout_s,
                   guint32 *tag, guint8 **payload, guint32 *len, GError **error)
{
  return read_frame (fd, NULL, max_len, timeout_s, 0, tag, payload, len, error);
}

gboolean
dcc_io_read_frame_until (int fd, guint32 max_len, int timeout_s, gint64 deadline_us,
                         guint32 *tag, guint8 **payload, guint32 *len, GError **error)
{
  return read_frame (fd, NULL, max_len, timeout_s, deadline_us, tag, payload, len, error);
}

gboolean
dcc_io_read_first_frame (int fd, const char *peer, guint32 max_len, int timeout_s,
                         guint32 *tag, guint8 **payload, guint32 *len, GError **error)
{
  g_return_val_if_fail (peer != NULL, FALSE);
  return read_frame (fd, peer, max_len, timeout_s, 0, tag, payload, len, error);
}

gboolean
dcc_io_expect_frame_until (int fd, guint32 expect, guint32 max_len, int timeout_s, gint64 deadline_us,
                           guint8 **payload, guint32 *len, GError **error)
{
  guint32 tag;
  if (!dcc_io_read_frame_until (fd, max_len, timeout_s, deadline_us, &tag, payload, len, error))
    return FALSE;
  if (tag != expect)
    {
      char got[5], want[5];
      g_clear_pointer (payload, g_free);
      return dcc_fail (error, DCC_ERROR_PROTOCOL, "expected frame %s, got %s",
                       dcc_wire_tag_name (expect, want), dcc_wire_tag_name (tag, got));
    }
  return TRUE;
}

gboolean
dcc_io_expect_frame (int fd, guint32 expect, guint32 max_len, int timeout_s,
                     guint8 **payload, guint32 *len, GError **error)
{
  return dcc_io_expect_frame_until (fd, expect, max_len, timeout_s, 0, payload, len, error);
}

int
dcc_io_open_stat (const char *path, struct stat *st, GError **error)
{
  dcc_autofd fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      dcc_fail_errno (error, "open %s", path);
      return -1;
    }
  if (fstat (fd, st) < 0)
    {
      dcc_fail_errno (error, "stat %s", path);
      return -1;
    }
  return g_steal_fd (&fd);
}

gboolean
dcc_io_read_file (const char *path, gsize max, guint8 **data, gsize *len, GError **error)
{
  struct stat st;
  dcc_autofd fd = dcc_io_open_stat (path, &st, error);
  if (fd < 0)
    return FALSE;
  if ((guint64) st.st_size > max)
    return dcc_fail (error, DCC_ERROR_LIMIT, "%s is %lld bytes, limit %zu", path,
                     (long long) st.st_size, max);
  if (!dcc_io_read_fd (fd, (gsize) st.st_size, path, data, error))
    return FALSE;
  *len = (gsize) st.st_size;
  return TRUE;
}

gboolean
dcc_io_read_fd (int fd, gsize size, const char *what, guint8 **data, GError **error)
{
  guint8 *buf = g_malloc (size + 1);
  gsize got = 0;
  while (got < size)
    {
      ssize_t n = read (fd, buf + got, size - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n < 0)
            dcc_fail_errno (error, "read %s", what);
          else
            dcc_fail (error, DCC_ERROR_IO, "%s shrank while being read", what);
          g_free (buf);
          return FALSE;
        }
      got += (gsize) n;
    }
  buf[size] = '\0';
  *data = buf;
  return TRUE;
}

gboolean
dcc_io_write_file_atomic (const char *path, const void *data, gsize len, int mode, GError **error)
{
  /* A name nobody can have made beforehand (O_EXCL, random): in a
   * directory others can write, a planted file must not become path. */
  g_autofree char *tmp = g_strdup_printf ("%s.dcc-tmp-XXXXXX", path);
  dcc_autofd fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0)
    return dcc_fail_errno (error, "create %s", tmp);
  if (!dcc_io_write_all (fd, data, len, 0, error))
    {
      g_prefix_error (error, "%s: ", tmp);
      unlink (tmp);
      return FALSE;
    }
  if (close (g_steal_fd (&fd)) < 0)
    {
      dcc_fail_errno (error, "close %s", tmp);
      unlink (tmp);
      return FALSE;
    }
  if (rename (tmp, path) < 0)
    {
      dcc_fail_errno (error, "rename %s to %s", tmp, path);
      unlink (tmp);
      return FALSE;
    }
  return TRUE;
}

pid_t
dcc_io_fork_socketpair (int *fd, GError **error)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return dcc_fail_errno (error, "socketpair"), -1;
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (sv[0]);
      close (sv[1]);
      return dcc_fail_errno (error, "fork"), -1;
    }
  close (sv[pid == 0 ? 0 : 1]);
  *fd = sv[pid == 0 ? 1 : 0];
  return pid;
}
