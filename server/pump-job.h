/* Pump mode on the volunteer: after the manifest, ask for the contents the
 * store lacks, receive and verify them into the store. The compile job then
 * lays out its tree from the store (dcc_compile_job_lay_out: hard links,
 * never a copy per job). */
#pragma once
#include <glib.h>
#include "dcc-request.h"
#include "file-store.h"
#include "scan-memo.h"

/* A job lacking this many files takes the store's upload lock, waiting at
 * most DCC_PUMP_UPLOAD_LOCK_WAIT_MS for it (see dcc_pump_job_receive). */
#define DCC_PUMP_UPLOAD_LOCK_MIN_FILES 32u
#define DCC_PUMP_UPLOAD_LOCK_WAIT_MS   5000

/* Checks the manifest's paths, sends NEED, receives and stores the BLOBs,
 * the last of them before deadline_us (monotonic; 0 = none): the request's
 * deadline, first byte to last, covers the upload too. With a memo, each
 * content received is scanned for the result cache while it is in memory
 * (dcc_result_scan_text) and its flags remembered. */
gboolean dcc_pump_job_receive (DccRequest *req, int fd, DccStore *store, DccScanMemo *memo, int timeout_s,
                               gint64 deadline_us, GError **error);
