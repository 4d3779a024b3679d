/* What the client learnt about each volunteer, kept in DISTCC_DIR/hosts.d/
 * (one small file per host:port): which protocol it speaks (ours, or stock
 * distcc's) and the compiler identity last agreed with it. A stock distccd
 * closes the connection without a byte when it reads our first frame; the
 * client then retries that compile in the stock protocol and, when that
 * works, remembers "stock" for five minutes, after which it asks again
 * (one wasted connection each time: a volunteer upgraded from stock to
 * ours in place is noticed within five minutes, not an hour).
 * See doc/protocol.md, "Mixed clusters". */
#pragma once
#include <glib.h>
#include "dcc-hosts.h"

#define DCC_HOST_PROTOCOL_STOCK_TTL_S 300

typedef enum {
  DCC_HOST_PROTO_UNKNOWN,   /* never compiled there */
  DCC_HOST_PROTO_OURS,
  DCC_HOST_PROTO_STOCK,
} DccHostProto;

/* What is remembered for host (STOCK only while fresh). *identity (may be
 * NULL) receives the identity summary last agreed, or NULL. */
DccHostProto dcc_host_protocol_get (const char *distcc_dir, const DccHost *host, char **identity);
/* Records a successful remote compile; writes only when something changed
 * (or a stock entry is half its TTL old). */
void dcc_host_protocol_remember (const char *distcc_dir, const DccHost *host, DccHostProto proto,
                                 const char *identity);
/* One line for --show-hosts: "protocol=ours identity=gcc 12.2.0 x86_64-linux-gnu". */
char *dcc_host_protocol_describe (const char *distcc_dir, const DccHost *host);
