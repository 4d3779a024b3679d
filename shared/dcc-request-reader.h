/* Reading one compile request off a connection, whatever number of bytes
 * arrived at a time, without touching a socket: the caller reads what is
 * there and feeds it; the reader answers NEED_MORE, COMPLETE (a decoded
 * request to steal) or ERROR. Pure and bounded: it holds at most one partial
 * frame, grown as its bytes arrive (never sized from the length the peer
 * declares), and says how many bytes it holds (dcc_request_reader_held) so
 * that distccd can bound all its connections together. The fuzz harness
 * test/fuzz/fuzz-request-reader.c feeds it arbitrary pieces.
 *
 * Protocol detection comes first: the first DCC_PROTOCOL_MAGIC_LEN bytes of
 * a connection name its protocol. The table `protocols[]` in
 * dcc-request-reader.c maps each magic to a DccProtocol and a feed function;
 * it has two rows: "DCC1" (doc/protocol.md, whose first frame's tag is the
 * magic) and "DIST", a stock distcc 3.x client (protocol 1 and 2: the
 * headers and bodies of shared/dcc-stock-wire.h; its request is handed on
 * as a DccRequest with stock_protover set). To add another:
 *   1. add a DccProtocol value (DCC_PROTOCOL_DIST);
 *   2. write its pure incremental decoder, with its state and its decoded
 *      request as new fields of DccRequestReader, and a feed function of
 *      type ProtocolFeedFunc that consumes bytes into it, sets *consumed and
 *      returns NEED_MORE / COMPLETE / ERROR, keeping r->held up to date;
 *   3. add its row {"DIST", DCC_PROTOCOL_DIST, dist_feed} to protocols[],
 *      and a getter that steals its decoded request;
 *   4. in distccd's worker (server/conn-loop.c hands over the reader's
 *      result; server/session.c serves it), switch on
 *      dcc_request_reader_protocol ().
 * Detection consumes nothing: the chosen feed function is given the stream
 * from its first byte. */
#pragma once
#include <glib.h>
#include "dcc-request.h"

#define DCC_PROTOCOL_MAGIC_LEN 4

typedef enum {
  DCC_PROTOCOL_UNKNOWN = 0,   /* fewer than DCC_PROTOCOL_MAGIC_LEN bytes seen */
  DCC_PROTOCOL_DCC1,          /* ours: doc/protocol.md */
  DCC_PROTOCOL_DIST,          /* stock distcc 3.x, protocol 1 or 2 (3, pump mode, is refused) */
} DccProtocol;

typedef enum {
  DCC_READER_NEED_MORE,   /* every byte given was consumed; feed more */
  DCC_READER_COMPLETE,    /* a whole request; *consumed may be < len */
  DCC_READER_ERROR        /* malformed, unknown protocol or over a limit */
} DccReaderResult;

typedef struct _DccRequestReader DccRequestReader;

/* max_frame bounds each frame's payload (DCC_MAX_FRAME). */
DccRequestReader *dcc_request_reader_new (guint32 max_frame);
void dcc_request_reader_free (DccRequestReader *r);
/* The decoded request's input_limit (--job-input-size); 0 keeps the default. */
void dcc_request_reader_set_input_limit (DccRequestReader *r, guint64 limit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccRequestReader, dcc_request_reader_free)

/* Consumes bytes of buf[0..len) into the request; *consumed says how many.
 * After COMPLETE or ERROR, further feeding is an error. */
DccReaderResult dcc_request_reader_feed (DccRequestReader *r, const guint8 *buf, gsize len,
                                         gsize *consumed, GError **error);
DccProtocol dcc_request_reader_protocol (const DccRequestReader *r);
/* Bytes the reader holds: the partial frame, plus the payloads of the
 * frames decoded so far and a decompressed source (about what the decoded
 * request occupies). */
guint64 dcc_request_reader_held (const DccRequestReader *r);
/* Bytes consumed so far. */
guint64 dcc_request_reader_total (const DccRequestReader *r);
/* The decoded request once COMPLETE (else NULL); the caller owns it. A
 * stock client's (DIST) is a plain-mode DccRequest with stock_protover set,
 * its argv as sent and DOTI in source_text; no cwd or source_name. */
DccRequest *dcc_request_reader_steal_request (DccRequestReader *r);
