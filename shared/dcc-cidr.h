/* --allow lists: IPv4 and IPv6 networks in CIDR form. Pure parsing and
 * matching; IPv4-mapped IPv6 peers match IPv4 networks. */
#pragma once
#include <glib.h>
#include <sys/socket.h>

typedef struct {
  int     family;        /* AF_INET or AF_INET6 */
  guint8  addr[16];
  guint   prefix_len;
} DccCidr;

/* "10.0.0.0/8", "192.168.1.7", "::1", "fd00::/8". FALSE + DCC_ERROR_INVALID otherwise. */
gboolean dcc_cidr_parse (const char *text, DccCidr *out, GError **error);
gboolean dcc_cidr_match (const DccCidr *net, const struct sockaddr *sa, socklen_t len);
/* The networks --allow-private stands for. */
GArray *dcc_cidr_private_networks (void);
