/* distccd's parent: one event loop (epoll, non-blocking sockets) that
 * accepts connections, checks --allow, and reads each request with the
 * incremental reader (shared/dcc-request-reader.h) until it has fully
 * arrived. Only then is a worker forked for it, which does the rest: pump
 * mode's NEED/BLOB exchange before the same deadline, a compile slot, the
 * compile, the reply. A connection that has not sent its whole request
 * costs a file descriptor and the bytes it sent: no process, no compile
 * slot. Bounds (distccd options, defaults below):
 *   - incomplete connections in all (--max-connections) and from one
 *     address (--max-connections-per-peer; an IPv6 peer is its /64);
 *   - the bytes incomplete requests hold together (--max-request-memory);
 *   - a whole-request deadline from accept to the request's last byte, BLOB
 *     upload included (--request-timeout), and silence (--io-timeout);
 *   - forked workers at once (4 x jobs + 16), and serving one address (half
 *     of them: a worker can be held by its client, which never sends the
 *     BLOBs it was asked for or never reads its reply); complete requests
 *     beyond that wait in the parent, first come first served among the
 *     peers under their bound, and while they hold more than
 *     --max-request-memory no new connection is accepted.
 * When a bound on incomplete connections is hit, the oldest incomplete one
 * (of that peer, for the per-peer bound) is dropped with a log line; a
 * complete request is never dropped. A real client's request arrives in
 * milliseconds, so the oldest is the one least likely to be a real client. */
#pragma once
#include <glib.h>
#include <signal.h>
#include "dcc-request.h"

#define DCC_DEFAULT_MAX_CONNECTIONS          1024u
#define DCC_DEFAULT_MAX_CONNECTIONS_PER_PEER 64u
#define DCC_DEFAULT_MAX_REQUEST_MEMORY_MB    256u
#define DCC_DEFAULT_REQUEST_TIMEOUT          30      /* seconds */
/* File descriptors kept for everything but client connections (the log,
 * the store, the listening socket, workers' pipes). */
#define DCC_CONN_FD_RESERVE                  64u

typedef struct {
  guint   max_connections;     /* incomplete connections, all peers */
  guint   max_per_peer;        /* incomplete connections from one address */
  guint64 max_buffered;        /* bytes held by incomplete requests together */
  int     request_timeout_s;   /* accept to the request's last byte */
  int     io_timeout_s;        /* silence while a request is read */
  guint   max_workers;         /* forked workers at once */
  guint   max_workers_per_peer; /* of those, serving one address (0: all) */
  guint64 job_input_bytes;     /* each request's input_limit (0: default) */
  gboolean serve_in_parent;    /* --no-fork (for gdb): serve each complete
                                * request in the loop's own process */
} DccConnLimits;

/* Runs in the forked worker with the connection's fd (non-blocking), the
 * peer's name, the decoded request and the request's deadline (monotonic
 * microseconds; the time the request waited for a worker is not counted).
 * The worker exits when it returns. */
typedef void (*DccConnServeFunc) (int fd, const char *peer, DccRequest *req, gint64 deadline_us,
                                  gpointer data);
/* Called about once a second and after every wake-up, in the parent. */
typedef void (*DccConnTickFunc) (gpointer data);

/* Serves listen_fd until *stop becomes non-zero, then stops the workers
 * (SIGTERM, then SIGKILL after 5 s) and closes every connection. Raises the
 * soft RLIMIT_NOFILE for max_connections (lowering max_connections, with a
 * warning, where the hard limit is too low); workers get the old limit back. */
void dcc_conn_loop_run (int listen_fd, GArray *allow /* DccCidr */, const DccConnLimits *limits,
                        DccConnServeFunc serve, DccConnTickFunc tick, gpointer data,
                        volatile sig_atomic_t *stop);
