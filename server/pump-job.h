/* Pump mode on the volunteer: after the manifest, ask for the contents the
 * store lacks, receive and verify them, and lay out the job tree from the
 * store (hard links, never a copy per job). */
#pragma once
#include <glib.h>
#include "compile-job.h"
#include "dcc-request.h"
#include "file-store.h"

gboolean dcc_pump_job_receive (DccCompileJob *job, DccRequest *req, int fd, DccStore *store,
                               int timeout_s, GError **error);
