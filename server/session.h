/* One client connection in a forked child: read the request, run the job,
 * answer. Every failure is answered with EROR and logged; none kills the
 * daemon. */
#pragma once
#include <glib.h>
#include <sys/socket.h>
#include "compile-job.h"
#include "compiler-allow.h"
#include "file-store.h"

typedef struct {
  DccJobConfig      job;
  DccCompilerAllow *allow;
  const char       *slot_dir;
  int               jobs;
  int               io_timeout_s;    /* per read/write while talking */
  DccStore         *store;
  guint64           job_input_bytes; /* a job's files in total, decompressed (--job-input-size) */
  const char       *cache_dir;       /* also keeps compiler identities */           /* pump mode's content store, or NULL */
} DccSessionConfig;

/* Serves one connection; closes nothing (the caller owns fd). */
void dcc_session_serve (int fd, const char *peer, const DccSessionConfig *cfg);
