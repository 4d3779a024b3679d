/* The compile request and reply of doc/protocol.md, as data, with pure
 * encoders and frame-at-a-time decoders. Decoders never touch a socket:
 * the caller reads a frame (dcc_io_read_frame) and feeds it here. */
#pragma once
#include <glib.h>
#include "dcc-entry.h"
#include "dcc-hash.h"
#include "dcc-wire.h"

#define DCC_TAG_HELLO    DCC_TAG ('D','C','C','1')
#define DCC_TAG_ARGC     DCC_TAG ('A','R','G','C')
#define DCC_TAG_ARGV     DCC_TAG ('A','R','G','V')
#define DCC_TAG_CWD      DCC_TAG ('C','W','D',' ')
#define DCC_TAG_ENV      DCC_TAG ('E','N','V','V')
#define DCC_TAG_SRCNAME  DCC_TAG ('S','R','C','N')
#define DCC_TAG_SOURCE   DCC_TAG ('D','O','T','I')
#define DCC_TAG_MANIFEST DCC_TAG ('M','A','N','I')
#define DCC_TAG_SYSDIR   DCC_TAG ('S','Y','S','D')
#define DCC_TAG_PREINC   DCC_TAG ('P','R','E','I')
#define DCC_TAG_COMPID   DCC_TAG ('C','I','D','N')
#define DCC_TAG_NEED     DCC_TAG ('N','E','E','D')
#define DCC_TAG_BLOB     DCC_TAG ('B','L','O','B')
#define DCC_TAG_STATUS   DCC_TAG ('S','T','A','T')
#define DCC_TAG_STDOUT   DCC_TAG ('S','O','U','T')
#define DCC_TAG_STDERR   DCC_TAG ('S','E','R','R')
#define DCC_TAG_OUTFILE  DCC_TAG ('O','U','T','F')
#define DCC_TAG_DONE     DCC_TAG ('D','O','N','E')
#define DCC_TAG_ERROR    DCC_TAG ('E','R','O','R')
#define DCC_TAG_CACHE_HIT DCC_TAG ('C','H','I','T')  /* reply came from the result cache */

typedef enum { DCC_MODE_PLAIN = 1, DCC_MODE_PUMP = 2 } DccMode;

typedef struct {
  guint32    version;
  DccMode    mode;
  guint32    stock_protover; /* 0, or 1/2: a stock distcc 3.x client's request (DIST, ARGC/ARGV,
                              * DOTI in source_text, LZO in 2), read by dcc-request-reader; the
                              * volunteer answers in that protocol (server/stock-session.c) */
  GPtrArray *argv;          /* char*, NULL-terminated once complete */
  char      *cwd;
  char      *compiler_id;   /* the client compiler's identity, or NULL */
  GPtrArray *env;           /* char* "NAME=VALUE" */
  char      *source_name;   /* plain mode */
  GBytes    *source_text;   /* plain mode, decompressed */
  GBytes    *source_lzo;    /* a stock protocol 2 client's DOTI as sent (LZO1X),
                             * until dcc_request_inflate_source makes it
                             * source_text: a worker's work, not the reader's */
  GPtrArray *manifest;      /* DccEntry*, pump mode */
  GPtrArray *sysdirs;       /* char*, pump mode: the client compiler's builtin
                             * #include <...> dirs, in search order */
  GPtrArray *preincludes;   /* char*, pump mode: files the compiler includes by
                             * itself, relative to a builtin dir (stdc-predef.h) */
  /* decoder limit, set before feeding: the job's files in total, decompressed
   * (DOTI, or the manifest's distinct file contents); default
   * DCC_DEFAULT_JOB_INPUT_SIZE, distccd --job-input-size */
  guint64    input_limit;
  guint64    input_bytes;   /* what the request declared against it */
  /* decoder state */
  guint32    argc_expected;
  gboolean   complete;
} DccRequest;

DccRequest *dcc_request_new (void);
/* Inflates source_lzo into source_text within input_limit (refused with
 * DCC_ERROR_LIMIT beyond it); TRUE at once when there is none. */
gboolean dcc_request_inflate_source (DccRequest *r, GError **error);
void dcc_request_free (DccRequest *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccRequest, dcc_request_free)

/* Feeds one frame. Returns FALSE + error on anything out of order, over a
 * limit, or malformed. r->complete becomes TRUE after the last frame. */
gboolean dcc_request_feed (DccRequest *r, const DccFrame *frame, GError **error);

/* What a client sends: only the fields of its mode are read; a field left
 * out (NULL, 0) is not sent. Designated initializers name what is set. */
typedef struct {
  DccMode            mode;
  const char *const *argv;          /* NULL-terminated */
  const char        *cwd;
  const char *const *env;           /* NAME=VALUE, NULL-terminated; may be NULL */
  const char        *compiler_id;   /* may be NULL */
  /* plain mode: the preprocessed source */
  const char        *source_name;
  const void        *source;
  gsize              source_len;
  /* pump mode */
  const char *const *sysdirs;       /* may be NULL */
  const char *const *preincludes;   /* may be NULL */
  GPtrArray         *manifest;      /* DccEntry*; or, when manifest_bytes is set, unused: */
  const guint8      *manifest_bytes;  /* the manifest already encoded, [u32 count][entry]... */
  gsize              manifest_len;    /* (dcc-is-packed.h) */
} DccRequestSpec;

/* Client side: appends the frames of request r (everything but the payload
 * blobs of pump mode). */
void dcc_request_encode (GByteArray *out, const DccRequestSpec *r);


/* NEED frame payload: u32 n, n hashes. */
void dcc_need_encode (GByteArray *out, GPtrArray *hashes /* DccHash* */);
gboolean dcc_need_decode (const DccFrame *frame, guint32 max_count, GArray **hashes /* DccHash */, GError **error);
/* BLOB frame payload: hash + lz4 blob. */
void dcc_blob_encode (GByteArray *out, const DccHash *hash, const void *data, gsize len);
/* The hash and declared raw size of a BLOB, checked against DCC_MAX_FILE_SIZE
 * and lz4's ratio; allocates and decompresses nothing, so that the caller
 * can check both against what it asked for first. */
gboolean dcc_blob_peek (const DccFrame *frame, DccHash *hash, guint32 *raw_len, GError **error);
/* Decompresses (at most max_raw bytes, else DCC_ERROR_LIMIT before
 * allocating) and verifies the content hashes to the hash. */
gboolean dcc_blob_decode (const DccFrame *frame, gsize max_raw, DccHash *hash, GBytes **data,
                          GError **error);

typedef struct {
  char   *path;
  GBytes *data;
} DccOutputFile;

typedef struct {
  int        status;        /* exit code 0-255, or 256 + signal number */
  GBytes    *out;
  GBytes    *err;
  GPtrArray *files;         /* DccOutputFile* */
  guint64    files_bytes;   /* their sizes in total, at most DCC_MAX_REPLY_OUTPUTS */
  char      *error_message; /* set when the volunteer sent EROR */
  gboolean   complete;
  gboolean   have_status;
  gboolean   cache_hit;     /* CHIT came first: the volunteer's result cache
                             * answered, no compiler ran */
} DccReply;

DccReply *dcc_reply_new (void);
void dcc_reply_free (DccReply *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccReply, dcc_reply_free)
gboolean dcc_reply_feed (DccReply *r, const DccFrame *frame, GError **error);
void dcc_reply_encode_status (GByteArray *out, int status, const void *out_data, gsize out_len,
                              const void *err_data, gsize err_len);
void dcc_reply_encode_file (GByteArray *out, const char *path, const void *data, gsize len);
void dcc_reply_encode_done (GByteArray *out);
/* CHIT: empty, only as a reply's first frame (doc/protocol.md). */
void dcc_reply_encode_cache_hit (GByteArray *out);
void dcc_reply_encode_error (GByteArray *out, const char *message);
/* An EROR whose message starts with this reports the volunteer's own
 * trouble (its disk is full), not a refusal of the job: the client backs
 * the host off as for a broken connection (doc/protocol.md). */
#define DCC_VOLUNTEER_TROUBLE_PREFIX "volunteer trouble: "
