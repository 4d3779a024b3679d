/* A stock distcc 3.x client served by this volunteer (protocol 1 and 2,
 * doc/protocol.md "Stock clients"): the request the reader decoded
 * (DccRequest.stock_protover set) is turned into one of ours, run as any
 * plain-mode job (sandboxed, limited, the compiler allowed by the same
 * rules), and our reply is turned into stock's DONE, STAT, SERR, SOUT,
 * DOTO. Both are pure functions over data, for the unit tests. */
#pragma once
#include <glib.h>
#include "dcc-request.h"

/* The working directory a stock client's compile runs in (in its job tree):
 * the protocol does not say the client's. */
#define DCC_STOCK_JOB_CWD "/distccd"

/* Rewrites req (a stock one) in place into a plain-mode request: the
 * source is written as DCC_STOCK_JOB_CWD/STEM.i (.ii, .mi, .mii, .s: the
 * suffix stock distccd gives the preprocessed text, so that the compiler
 * does not preprocess it again), the output is STEM.o (STEM.s with -S),
 * link options dropped. Refuses (DCC_ERROR_REFUSED), as stock distccd would
 * by closing the connection, a command line that must not run remotely, and
 * one that writes files the stock reply cannot carry (a dependency file,
 * .dwo, .su, ...). */
gboolean dcc_stock_session_adapt (DccRequest *req, GError **error);

/* Encodes the stock reply (protocol protover) from our reply's bytes (STAT,
 * SOUT, SERR, OUTF..., DONE, as dcc_compile_job_run made them) for the
 * adapted req: the object is the OUTF of req's output, required when the
 * status is 0; other outputs are dropped. Our status (exit code, or 256 +
 * signal) becomes a wait status. FALSE + error on an EROR or malformed
 * reply, or a missing object. */
gboolean dcc_stock_session_reply (const DccRequest *req, const guint8 *ours, gsize len, GByteArray *out,
                                  GError **error);
