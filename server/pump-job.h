/* Pump mode on the volunteer: after the manifest, ask for the contents the
 * store lacks, receive them, and lay out the job tree from the store. */
#pragma once
#include <glib.h>
#include "compile-job.h"
#include "dcc-request.h"

gboolean dcc_pump_job_receive (DccCompileJob *job, DccRequest *req, int fd, const char *cache_dir,
                               guint64 cache_bytes, int timeout_s, GError **error);
