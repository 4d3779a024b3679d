/* Listening sockets and the --allow check, which happens before any byte
 * of a request is read. */
#pragma once
#include <glib.h>
#include <sys/socket.h>

/* Binds addr (NULL or "0.0.0.0" = all IPv4, "::" = all IPv6) on port. */
int dcc_listen_tcp (const char *addr, int port, GError **error);
/* TRUE if the peer is inside one of the networks (DccCidr). */
gboolean dcc_peer_allowed (GArray *allow, const struct sockaddr *sa, socklen_t len);
/* "192.0.2.1:1234" or "[::1]:1234" */
char *dcc_peer_name (const struct sockaddr *sa, socklen_t len);
/* The address in a dcc_peer_name string, without the port: "192.0.2.1",
 * "::1"; an IPv4-mapped IPv6 address as its IPv4 address. NULL when peer
 * is not of that form. Pure; what --stats compares to show a peer only
 * its own jobs. */
char *dcc_peer_host (const char *peer);
/* The address the per-peer connection bound counts: the IPv4 address (also
 * for IPv4-mapped IPv6 peers), or an IPv6 address's /64 network, since one
 * host is usually given a whole /64. */
char *dcc_peer_key (const struct sockaddr *sa, socklen_t len);
