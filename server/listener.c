#include "listener.h"
#include "dcc-cidr.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

int
dcc_listen_tcp (const char *addr, int port, GError **error)
{
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICHOST,
                            .ai_family = AF_UNSPEC };
  struct addrinfo *res = NULL;
  char portstr[16];
  g_snprintf (portstr, sizeof portstr, "%d", port);
  if (addr && strcmp (addr, "0.0.0.0") == 0)
    hints.ai_family = AF_INET;
  int rc = getaddrinfo (addr && *addr ? addr : "0.0.0.0", portstr, &hints, &res);
  if (rc != 0)
    return dcc_fail (error, DCC_ERROR_INVALID, "bad --listen address '%s': %s", addr, gai_strerror (rc)), -1;
  dcc_autofd fd = socket (res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      freeaddrinfo (res);
      return dcc_fail_errno (error, "socket"), -1;
    }
  int one = 1;
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, res->ai_addr, res->ai_addrlen) < 0 || listen (fd, 256) < 0)
    {
      dcc_fail_errno (error, "cannot listen on %s port %d", addr ? addr : "0.0.0.0", port);
      freeaddrinfo (res);
      return -1;
    }
  freeaddrinfo (res);
  return g_steal_fd (&fd);
}

gboolean
dcc_peer_allowed (GArray *allow, const struct sockaddr *sa, socklen_t len)
{
  for (guint i = 0; i < allow->len; i++)
    if (dcc_cidr_match (&g_array_index (allow, DccCidr, i), sa, len))
      return TRUE;
  return FALSE;
}

char *
dcc_peer_name (const struct sockaddr *sa, socklen_t len)
{
  char host[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
      inet_ntop (AF_INET, &in->sin_addr, host, sizeof host);
      return g_strdup_printf ("%s:%d", host, ntohs (in->sin_port));
    }
  if (sa->sa_family == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
      inet_ntop (AF_INET6, &in6->sin6_addr, host, sizeof host);
      return g_strdup_printf ("[%s]:%d", host, ntohs (in6->sin6_port));
    }
  return g_strdup ("(unknown peer)");
}

char *
dcc_peer_host (const char *peer)
{
  if (!peer)
    return NULL;
  g_autofree char *host = NULL;
  const char *port;
  if (peer[0] == '[')
    {
      const char *end = strchr (peer, ']');
      if (!end || end[1] != ':')
        return NULL;
      host = g_strndup (peer + 1, (gsize) (end - peer - 1));
      port = end + 2;
    }
  else
    {
      const char *colon = strrchr (peer, ':');
      if (!colon || memchr (peer, ':', (gsize) (colon - peer)))
        return NULL;
      host = g_strndup (peer, (gsize) (colon - peer));
      port = colon + 1;
    }
  if (!*port || strspn (port, "0123456789") != strlen (port) || strlen (port) > 5)
    return NULL;
  guint8 addr[sizeof (struct in6_addr)];
  char text[INET6_ADDRSTRLEN];
  if (peer[0] != '[')
    return inet_pton (AF_INET, host, addr) == 1 ? g_steal_pointer (&host) : NULL;
  if (inet_pton (AF_INET6, host, addr) != 1)
    return NULL;
  if (IN6_IS_ADDR_V4MAPPED ((struct in6_addr *) addr))
    return g_strdup (inet_ntop (AF_INET, addr + 12, text, sizeof text));
  return g_strdup (inet_ntop (AF_INET6, addr, text, sizeof text));
}

char *
dcc_peer_key (const struct sockaddr *sa, socklen_t len)
{
  char host[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET && len >= sizeof (struct sockaddr_in))
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
      inet_ntop (AF_INET, &in->sin_addr, host, sizeof host);
      return g_strdup (host);
    }
  if (sa->sa_family == AF_INET6 && len >= sizeof (struct sockaddr_in6))
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
      if (IN6_IS_ADDR_V4MAPPED (&in6->sin6_addr))
        {
          inet_ntop (AF_INET, in6->sin6_addr.s6_addr + 12, host, sizeof host);
          return g_strdup (host);
        }
      struct in6_addr net = in6->sin6_addr;
      memset (net.s6_addr + 8, 0, 8);
      inet_ntop (AF_INET6, &net, host, sizeof host);
      return g_strdup_printf ("%s/64", host);
    }
  return g_strdup ("(unknown)");
}
