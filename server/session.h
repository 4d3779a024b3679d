/* One client connection in a forked worker: (read the request,) run the
 * job, answer. Every failure is answered with EROR and logged; none kills
 * the daemon. In daemon mode the request was read by the parent's event
 * loop (server/conn-loop.c); in inetd mode dcc_session_serve reads it. */
#pragma once
#include <glib.h>
#include <sys/socket.h>
#include "compile-job.h"
#include "compiler-allow.h"
#include "file-store.h"
#include "scan-memo.h"
#include "dcc-request.h"

typedef struct {
  DccJobConfig      job;
  DccCompilerAllow *allow;
  const char       *slot_dir;
  int               jobs;
  int               io_timeout_s;    /* per read/write while talking */
  int               request_timeout_s; /* first byte to last of a request, BLOBs included */
  DccStore         *store;
  guint64           job_input_bytes; /* a job's files in total, decompressed (--job-input-size) */
  const char       *cache_dir;       /* pump mode's content store (or NULL); also keeps compiler identities */
  gboolean          result_cache;    /* keep and serve results in store (--no-result-cache: FALSE) */
  DccScanMemo      *scan_memo;       /* the result cache's scans by content digest (NULL: none kept) */
} DccSessionConfig;

/* Bytes read from a client at a time. */
#define DCC_SESSION_READ_CHUNK (256u * 1024)

/* Reads a request from fd (within cfg->request_timeout_s) and serves it;
 * closes nothing (the caller owns fd). inetd mode. */
void dcc_session_serve (int fd, const char *peer, const DccSessionConfig *cfg);
/* Serves a request already read: pump mode's BLOBs must all arrive before
 * deadline_us (monotonic), then a compile slot, the compile, the reply.
 * req stays the caller's; closes nothing. */
void dcc_session_serve_request (int fd, const char *peer, DccRequest *req, gint64 deadline_us,
                                const DccSessionConfig *cfg);
