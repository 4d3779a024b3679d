#include "dcc-http.h"
#include <poll.h>
#include <string.h>
#include <unistd.h>

void
dcc_http_read_head (int fd, char buf[DCC_HTTP_MAX_REQUEST + 1])
{
  gsize got = 0;
  gint64 deadline = g_get_monotonic_time () + DCC_HTTP_TIMEOUT_MS * 1000;
  buf[0] = '\0';
  while (got < DCC_HTTP_MAX_REQUEST)
    {
      int left = (int) ((deadline - g_get_monotonic_time ()) / 1000);
      struct pollfd p = { .fd = fd, .events = POLLIN };
      if (left <= 0 || poll (&p, 1, left) <= 0)
        break;
      ssize_t n = read (fd, buf + got, DCC_HTTP_MAX_REQUEST - got);
      if (n <= 0)
        break;
      got += (gsize) n;
      buf[got] = '\0';
      if (memchr (buf, '\n', got))
        break;
    }
  buf[got] = '\0';
}

int
dcc_http_route (const char *head, const char *const *paths)
{
  if (!g_str_has_prefix (head, "GET "))
    return -1;
  const char *path = head + 4;
  gsize len = strcspn (path, " ?\r\n");
  for (int i = 0; paths[i]; i++)
    if (strlen (paths[i]) == len && strncmp (path, paths[i], len) == 0)
      return i;
  return -1;
}

static void
write_all (int fd, const char *s)
{
  gsize len = strlen (s);
  while (len > 0)
    {
      ssize_t n = write (fd, s, len);
      if (n <= 0)
        return;
      s += n;
      len -= (gsize) n;
    }
}

void
dcc_http_respond (int fd, const char *content_type, const char *body)
{
  g_autofree char *head = g_strdup_printf ("HTTP/1.0 200 OK\nContent-Type: %s\nCache-Control: no-store\n"
                                           "Connection: close\n\n", content_type);
  write_all (fd, head);
  write_all (fd, body);
}
