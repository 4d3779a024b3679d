#include "dcc-cidr.h"
#include "dcc-error.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

gboolean
dcc_cidr_parse (const char *text, DccCidr *out, GError **error)
{
  DccCidr c = { 0 };
  g_autofree char *addr = g_strdup (text);
  char *slash = strchr (addr, '/');
  long prefix = -1;
  if (slash)
    {
      char *end;
      *slash = '\0';
      if (!g_ascii_isdigit (slash[1]))
        return dcc_fail (error, DCC_ERROR_INVALID, "bad network '%s': no prefix length after '/'", text);
      prefix = strtol (slash + 1, &end, 10);
      if (*end != '\0')
        return dcc_fail (error, DCC_ERROR_INVALID, "bad network '%s': prefix length is not a number", text);
    }
  if (inet_pton (AF_INET, addr, c.addr) == 1)
    {
      c.family = AF_INET;
      if (prefix > 32)
        return dcc_fail (error, DCC_ERROR_INVALID, "bad network '%s': IPv4 prefix over 32", text);
      c.prefix_len = prefix < 0 ? 32 : (guint) prefix;
    }
  else if (inet_pton (AF_INET6, addr, c.addr) == 1)
    {
      c.family = AF_INET6;
      if (prefix > 128)
        return dcc_fail (error, DCC_ERROR_INVALID, "bad network '%s': IPv6 prefix over 128", text);
      c.prefix_len = prefix < 0 ? 128 : (guint) prefix;
    }
  else
    return dcc_fail (error, DCC_ERROR_INVALID, "bad network '%s': not an IPv4 or IPv6 address", text);
  *out = c;
  return TRUE;
}

static gboolean
prefix_equal (const guint8 *a, const guint8 *b, guint bits)
{
  guint bytes = bits / 8, rest = bits % 8;
  if (memcmp (a, b, bytes) != 0)
    return FALSE;
  if (rest == 0)
    return TRUE;
  guint8 mask = (guint8) (0xff << (8 - rest));
  return (a[bytes] & mask) == (b[bytes] & mask);
}

gboolean
dcc_cidr_match (const DccCidr *net, const struct sockaddr *sa, socklen_t len)
{
  if (sa->sa_family == AF_INET && len >= sizeof (struct sockaddr_in))
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
      return net->family == AF_INET && prefix_equal (net->addr, (const guint8 *) &in->sin_addr, net->prefix_len);
    }
  if (sa->sa_family == AF_INET6 && len >= sizeof (struct sockaddr_in6))
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
      const guint8 *a = (const guint8 *) &in6->sin6_addr;
      if (net->family == AF_INET6)
        return prefix_equal (net->addr, a, net->prefix_len);
      if (IN6_IS_ADDR_V4MAPPED (&in6->sin6_addr))
        return prefix_equal (net->addr, a + 12, net->prefix_len);
    }
  return FALSE;
}

GArray *
dcc_cidr_private_networks (void)
{
  static const char *const nets[] = {
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
    "::1/128", "fc00::/7", "fe80::/10",
  };
  GArray *a = g_array_new (FALSE, FALSE, sizeof (DccCidr));
  for (gsize i = 0; i < G_N_ELEMENTS (nets); i++)
    {
      DccCidr c;
      if (dcc_cidr_parse (nets[i], &c, NULL))
        g_array_append_val (a, c);
    }
  return a;
}
