/* The include server's socket protocol (pump mode): a distcc client sends a
 * compile command, the include server answers with every file, directory and
 * symlink that compile reads. See doc/include-server.md.
 *
 * Self-contained (needs only GLib and the shared headers for framing and
 * hashing), so that it can move to shared/ for the client.
 *
 * Encoders and decoders are pure functions over memory; only dcc_is_query
 * touches a socket. */
#pragma once
#include <glib.h>
#include "dcc-entry.h"
#include "dcc-hash.h"
#include "dcc-wire.h"
#include "dcc-limits.h"

#define DCC_IS_PROTOCOL_VERSION  1u
#define DCC_IS_MAX_MESSAGE_LEN   4096u          /* EMSG payload */
/* A whole request: ARGV frames bound it far below this; checked before buffering. */
#define DCC_IS_MAX_REQUEST_SIZE  (8u * 1024 * 1024)
/* A whole reply: DCC_MAX_MANIFEST_ENTRIES entries of at most two paths each. */
#define DCC_IS_MAX_REPLY_SIZE    (64u * 1024 * 1024)
/* One frame of a request or reply: an ENTR holds two paths and 29 bytes. */
#define DCC_IS_MAX_ENTRY_FRAME   (2u * (DCC_MAX_PATH_LEN + 4) + 64)

#define DCC_IS_TAG_REQUEST DCC_TAG ('I', 'S', 'R', 'Q')
#define DCC_IS_TAG_CWD     DCC_TAG ('C', 'W', 'D', ' ')
#define DCC_IS_TAG_ARGC    DCC_TAG ('A', 'R', 'G', 'C')
#define DCC_IS_TAG_ARGV    DCC_TAG ('A', 'R', 'G', 'V')
#define DCC_IS_TAG_DONE    DCC_TAG ('D', 'O', 'N', 'E')
#define DCC_IS_TAG_STATUS  DCC_TAG ('I', 'S', 'S', 'T')
#define DCC_IS_TAG_MESSAGE DCC_TAG ('E', 'M', 'S', 'G')
#define DCC_IS_TAG_COUNT   DCC_TAG ('N', 'E', 'N', 'T')
#define DCC_IS_TAG_ENTRY   DCC_TAG ('E', 'N', 'T', 'R')

typedef enum {
  DCC_IS_STATUS_OK = 0,
  DCC_IS_STATUS_CANNOT_ANALYSE = 1,  /* not an error: the client compiles in plain mode */
  DCC_IS_STATUS_BAD_REQUEST = 2,
} DccIsStatus;

/* TRUE if path is absolute, normalized and within DCC_MAX_PATH_LEN/DEPTH/NAME_LEN. */
gboolean dcc_is_path_is_normalized (const char *path);
/* The same for path[0..len), which holds no NUL. */
gboolean dcc_is_path_is_normalized_len (const char *path, gsize len);

/* Appends a whole request (ISRQ, CWD, ARGC, ARGV..., DONE) to out. */
void dcc_is_request_encode (GByteArray *out, const char *cwd, const char *const *argv);

/* Decodes a request from buf[0..len). OK: *cwd and *argv are new and
 * *consumed covers the request through DONE. NEED_MORE: the buffer ends before
 * DONE. ERROR: malformed or over a limit (error set). Pure. */
DccWireResult dcc_is_request_decode (const guint8 *buf, gsize len,
                                     char **cwd, char ***argv, gsize *consumed,
                                     GError **error);

/* The same decoding for a reader that gets the request in pieces: each
 * call goes on from the frames already decoded, so the whole costs one
 * pass over the bytes however they are split. buf must hold the same bytes
 * as before plus any new ones. */
typedef struct {
  gsize      pos;     /* buf[0..pos) is decoded: whole frames */
  int        stage;   /* the frame expected next */
  guint32    argc;
  char      *cwd;
  GPtrArray *args;
} DccIsRequestDecoder;

void          dcc_is_request_decoder_init (DccIsRequestDecoder *d);
void          dcc_is_request_decoder_clear (DccIsRequestDecoder *d);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DccIsRequestDecoder, dcc_is_request_decoder_clear)
/* As dcc_is_request_decode; on OK the decoder is done (clear it after). */
DccWireResult dcc_is_request_decoder_feed (DccIsRequestDecoder *d, const guint8 *buf, gsize len,
                                           char **cwd, char ***argv, gsize *consumed,
                                           GError **error);

/* Appends a whole reply. For status OK, entries (DccEntry*) are listed and
 * message is ignored; otherwise message (may be NULL) goes into EMSG. */
void dcc_is_reply_encode (GByteArray *out, DccIsStatus status, const char *message,
                          GPtrArray *entries);

/* One entry as an ENTR frame carries it (for other containers, such as the
 * include server's cache file). */
void dcc_is_entry_encode (GByteArray *out, const DccEntry *entry);
/* Decodes one entry and checks its fields (kind, mode, path normalized,
 * size, hash and target consistent with the kind), not its place among
 * others. Pure. */
gboolean dcc_is_entry_decode (const guint8 *buf, gsize len, DccEntry **entry, GError **error);
/* Checks entries are in reply order: no path twice, each entry's parent "/"
 * or a directory listed earlier. Pure. */
gboolean dcc_is_entries_check_order (const GPtrArray *entries, GError **error);

/* Decodes a reply from buf[0..len). OK: *status set; *message (status != OK)
 * or *entries (status OK, a new GPtrArray of DccEntry* owning them) set.
 * Checks every entry: kind, mode, paths normalized, each entry's parent is
 * "/" or a directory listed earlier, no path twice, counts within
 * DCC_MAX_MANIFEST_ENTRIES. Pure. */
DccWireResult dcc_is_reply_decode (const guint8 *buf, gsize len,
                                   DccIsStatus *status, char **message,
                                   GPtrArray **entries, gsize *consumed,
                                   GError **error);

/* Client side: connects to the include server's Unix socket, sends the
 * request and reads the reply, waiting at most timeout_ms in all (<= 0: 30 s).
 * TRUE with *entries (DccEntry*) on status OK; otherwise FALSE with an error
 * (the server's message for statuses 1 and 2), and the caller compiles in
 * plain mode. */
gboolean dcc_is_query (const char *socket_path, const char *cwd, const char *const *argv,
                       int timeout_ms, GPtrArray **entries, GError **error);
/* dcc_is_query's exchange without the decoding: TRUE with *reply, the
 * reply's bytes from its first frame through DONE (not yet checked beyond
 * each frame's header: decode with dcc_is_reply_decode, or
 * dcc_is_packed_from_reply to forward the entries as a manifest). */
gboolean dcc_is_exchange (const char *socket_path, const char *cwd, const char *const *argv,
                          int timeout_ms, GByteArray **reply, GError **error);
