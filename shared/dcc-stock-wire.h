/* The stock distcc 3.x wire protocol (doc/protocol-1.txt .. -3.txt of
 * distcc; summary in our doc/protocol.md, "Stock distcc"). Every item is a
 * 12-byte header, a 4-letter token and 8 hex digits, sometimes followed by
 * a body whose length is the value. Which tokens come, and which carry a
 * body, follows from the protocol version and what came before.
 *
 * Pure codecs: the decoders are fed one header at a time and say how many
 * body bytes the caller must read next; they never touch a socket, so the
 * fuzzer and the unit tests call them directly. Bodies arrive as they are
 * on the wire (LZO-compressed for protocol 2 and 3); decompression is the
 * decoder's, bounded by the limits of dcc-limits.h. */
#pragma once
#include <glib.h>
#include "dcc-wire.h"

#define DCC_STOCK_HEADER_LEN 12
#define DCC_STOCK_MAGIC      "DIST"   /* the first four bytes a stock client sends */

/* Parses a header: 4 printable ASCII bytes and exactly 8 hex digits. */
gboolean dcc_stock_header_parse (const guint8 *p, guint32 *token, guint32 *value, GError **error);
void dcc_stock_put (GByteArray *out, const char *token, guint32 value);
void dcc_stock_put_body (GByteArray *out, const char *token, const void *body, gsize len);
/* A bulk body: LZO-compressed when compress (protocol 2 and 3), except an
 * empty one, which is sent as it is. */
void dcc_stock_put_bulk (GByteArray *out, const char *token, const void *body, gsize len, gboolean compress);

/* ---- client side: our client talking to a stock distccd ---- */

/* A protocol 1 (plain) or 2 (plain, LZO) request: DIST, ARGC, ARGV..., DOTI. */
void dcc_stock_request_encode (GByteArray *out, guint32 protover, const char *const *argv,
                               const void *doti, gsize doti_len);

typedef struct {
  guint32  protover;      /* expected in DONE */
  int      state;
  guint32  pending;       /* the token whose body is awaited */
  int      wait_status;   /* STAT: a Unix wait status */
  GBytes  *err, *out, *obj;
  gboolean complete;
} DccStockReply;

void dcc_stock_reply_init (DccStockReply *r, guint32 protover);
void dcc_stock_reply_clear (DccStockReply *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DccStockReply, dcc_stock_reply_clear)
/* Feeds one header; *body_len is what must be read and fed next (0 = none). */
gboolean dcc_stock_reply_feed_header (DccStockReply *r, guint32 token, guint32 value, guint32 *body_len,
                                      GError **error);
gboolean dcc_stock_reply_feed_body (DccStockReply *r, const guint8 *body, gsize len, GError **error);

/* ---- volunteer side: a stock client talking to our distccd ---- */

typedef struct {
  char   *name;      /* the client's absolute path */
  GBytes *data;      /* file content (decompressed); NULL for a link */
  char   *target;    /* link target, or NULL */
} DccStockFile;

typedef struct {
  guint32    protover;   /* 1, 2 or 3 */
  char      *cwd;        /* protocol 3: CDIR */
  GPtrArray *argv;       /* char*, NULL-terminated once complete */
  GBytes    *doti;       /* protocol 1 and 2: the preprocessed source, as
                          * sent: LZO1X in protocol 2 (doti_lzo), which the
                          * decoder does not inflate (see DccRequest.source_lzo) */
  gboolean   doti_lzo;
  GPtrArray *files;      /* DccStockFile*, protocol 3 */
  /* decoder limit, set before feeding: DOTI (or protocol 3's FILEs in
   * total), decompressed; default DCC_DEFAULT_JOB_INPUT_SIZE (distccd
   * --job-input-size). A body that cannot fit is refused before it is read. */
  gsize      input_limit;
  gsize      input_bytes;  /* decompressed DOTI/FILE bytes so far */
  /* decoder state */
  int        state;
  guint32    pending;
  guint32    count;      /* ARGC or NFIL still expected */
  gsize      total;      /* bytes of bodies so far */
  gboolean   complete;
} DccStockRequest;

DccStockRequest *dcc_stock_request_new (void);
void dcc_stock_request_free (DccStockRequest *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccStockRequest, dcc_stock_request_free)
gboolean dcc_stock_request_feed_header (DccStockRequest *r, guint32 token, guint32 value, guint32 *body_len,
                                        GError **error);
gboolean dcc_stock_request_feed_body (DccStockRequest *r, const guint8 *body, gsize len, GError **error);

/* The reply: DONE, STAT (a wait status), SERR, SOUT, DOTO, and for
 * protocol 3 DOTD after a successful DOTO. obj and dotd are sent only when
 * wait_status is 0 (stock sends DOTO 0 otherwise). */
void dcc_stock_reply_encode (GByteArray *out, guint32 protover, int wait_status, const void *err, gsize err_len,
                             const void *out_data, gsize out_len, const void *obj, gsize obj_len,
                             const void *dotd, gsize dotd_len);
