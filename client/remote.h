/* Talking to a volunteer: connect with a deadline, send a request, read the
 * reply. Any failure here is the volunteer's or the network's, never the
 * compile's: callers back the host off and compile locally. */
#pragma once
#include <glib.h>
#include "dcc-hosts.h"
#include "dcc-request.h"

/* Connects to host:port (IPv4/IPv6/name) within timeout_s seconds. Returns an fd or -1. */
int dcc_remote_connect (const DccHost *host, int timeout_s, GError **error);
/* Reads reply frames until DONE or EROR. peer: as in dcc_client_exchange. */
gboolean dcc_remote_read_reply (int fd, const char *peer, int timeout_s, DccReply **reply, GError **error);
/* Reads the rest of a reply whose first frames were fed to reply already
 * (pump mode's CHIT in place of NEED). */
gboolean dcc_remote_read_reply_rest (int fd, int timeout_s, DccReply *reply, GError **error);
/* Whether this process's compile was answered from a volunteer's result
 * cache (set by dcc_client_finish). */
void dcc_remote_note_cache_hit (void);
gboolean dcc_remote_cache_hit (void);
/* Bytes this process sent to and received from volunteers, for the
 * "traffic:" log line that benchmarks add up. */
void dcc_remote_count (guint64 sent, guint64 received);
void dcc_remote_traffic (guint64 *sent, guint64 *received);
/* DISTCC_IO_TIMEOUT, default DCC_DEFAULT_IO_TIMEOUT. */
int dcc_remote_io_timeout (void);
