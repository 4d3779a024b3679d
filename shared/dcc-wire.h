/* Frames: [4-byte ASCII tag][u32 BE payload length][payload].
 * The decoder is pure: it looks at bytes in memory and never reads a socket,
 * so that it can be unit-tested and fuzzed. See doc/protocol.md. */
#pragma once
#include <glib.h>

#define DCC_FRAME_HEADER_LEN 8

#define DCC_TAG(a,b,c,d) ((guint32)(a) << 24 | (guint32)(b) << 16 | (guint32)(c) << 8 | (guint32)(d))

typedef enum {
  DCC_WIRE_OK,          /* a whole frame is available */
  DCC_WIRE_NEED_MORE,   /* not enough bytes yet */
  DCC_WIRE_ERROR        /* malformed: bad tag or length over the limit */
} DccWireResult;

typedef struct {
  guint32       tag;
  guint32       len;
  const guint8 *payload;   /* points into the caller's buffer */
} DccFrame;

/* Decodes one frame at buf[0..avail). On OK, *frame points into buf and
 * *consumed is header+payload. max_len bounds the payload. */
DccWireResult dcc_wire_decode (const guint8 *buf, gsize avail, guint32 max_len,
                               DccFrame *frame, gsize *consumed, GError **error);
/* Checks a frame header alone: tag printable ASCII, len <= max_len. */
DccWireResult dcc_wire_decode_header (const guint8 *buf, gsize avail, guint32 max_len,
                                      guint32 *tag, guint32 *len, GError **error);

/* The same for the frame at buf[pos..len), for a caller walking a buffer
 * that may still be empty (an empty GByteArray's data is NULL): the offset
 * is applied to buf only once a header's bytes are there. pos <= len. */
DccWireResult dcc_wire_decode_at (const guint8 *buf, gsize len, gsize pos, guint32 max_len,
                                  DccFrame *frame, gsize *consumed, GError **error);
DccWireResult dcc_wire_decode_header_at (const guint8 *buf, gsize len, gsize pos, guint32 max_len,
                                         guint32 *tag, guint32 *frame_len, GError **error);

void dcc_wire_put_frame (GByteArray *out, guint32 tag, const void *payload, gsize len);
void dcc_wire_put_u32_frame (GByteArray *out, guint32 tag, guint32 value);
void dcc_wire_put_str_frame (GByteArray *out, guint32 tag, const char *str);
/* "ABCD" for logs; buf must hold 5 bytes. Non-printable bytes become '?'. */
const char *dcc_wire_tag_name (guint32 tag, char buf[5]);

/* A bounded reader over one payload (OpenSSH sshbuf style). Every getter
 * returns FALSE when the bytes are not there; nothing reads past end. */
typedef struct {
  const guint8 *p;
  gsize         left;
} DccReader;

static inline void dcc_reader_init (DccReader *r, const guint8 *p, gsize len) { r->p = p; r->left = len; }
gboolean dcc_reader_u8  (DccReader *r, guint8 *v);
gboolean dcc_reader_u32 (DccReader *r, guint32 *v);
gboolean dcc_reader_u64 (DccReader *r, guint64 *v);
gboolean dcc_reader_bytes (DccReader *r, gsize n, const guint8 **out);
/* [u32 len][bytes]; len <= max_len and no NUL inside; returns a new NUL-terminated copy. */
gboolean dcc_reader_string (DccReader *r, guint32 max_len, char **out);

/* Room for `more` bytes after out's end, its length unchanged: one
 * allocation for what many appends will write. */
void dcc_reserve (GByteArray *out, gsize more);
void dcc_put_u8  (GByteArray *out, guint8 v);
void dcc_put_u32 (GByteArray *out, guint32 v);
/* Overwrites out[at..at+4) with v: for a count or length known only later. */
void dcc_patch_u32 (GByteArray *out, guint at, guint32 v);
void dcc_put_u64 (GByteArray *out, guint64 v);
void dcc_put_string (GByteArray *out, const char *s);   /* [u32 len][bytes] */
