/* An include server's reply kept as the pump request's manifest encodes it
 * (dcc-request.h): [u32 count] then each entry exactly as its ENTR frame
 * carried it, which is the manifest's entry encoding byte for byte. The
 * client forwards these bytes to the volunteer without making a DccEntry of
 * each of the ~700 entries and encoding them again (issue 20: the cost of a
 * result-cache hit); entries are decoded only when a compile needs them (a
 * volunteer asking for contents, a failed compile).
 *
 * The checks are dcc_is_reply_decode's, entry for entry (the fuzz harness
 * test/fuzz/fuzz-is.c holds them to the same answers). Pure: no I/O. */
#pragma once
#include <glib.h>
#include "dcc-entry.h"
#include "dcc-is-protocol.h"

typedef struct DccIsPacked DccIsPacked;

/* Takes a whole reply (ISST .. DONE, nothing after) and checks it as
 * dcc_is_reply_decode does. Status OK: *packed is new and owns reply's
 * buffer, rewritten in place into [u32 count][entry]... (reply is consumed
 * either way). Other statuses: *message is new, *packed NULL. FALSE +
 * error (DCC_ERROR_PROTOCOL or DCC_ERROR_LIMIT) when the reply is
 * malformed, incomplete or over a limit. */
gboolean dcc_is_packed_from_reply (GByteArray *reply, DccIsStatus *status, char **message,
                                   DccIsPacked **packed, GError **error);

void dcc_is_packed_free (DccIsPacked *packed);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccIsPacked, dcc_is_packed_free)

guint32 dcc_is_packed_count (const DccIsPacked *packed);
/* TRUE if an entry has exactly this path. */
gboolean dcc_is_packed_contains (const DccIsPacked *packed, const char *path);
/* Appends an entry the caller built (its path not yet listed). */
void dcc_is_packed_add (DccIsPacked *packed, const DccEntry *entry);
/* The manifest's bytes: [u32 count][entry]... */
const guint8 *dcc_is_packed_bytes (const DccIsPacked *packed, gsize *len);
/* Every entry as a DccEntry, in order (a new array that owns them). */
GPtrArray *dcc_is_packed_entries (const DccIsPacked *packed);
