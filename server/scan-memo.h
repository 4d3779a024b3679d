/* What the result cache's text scan (dcc_result_scan_text) found in a
 * content, remembered per content digest and shared by distccd's
 * processes (doc/result-cache.md, "What is never cached").
 *
 * A store object is named by the digest of its bytes and never changes, so
 * the scan of a digest's content gives the same flags forever: the
 * volunteer scans each content once (when it arrives in a BLOB, or the
 * first time a finished compile's check meets it) instead of reading and
 * scanning every input of every miss before its reply.
 *
 * The table is a shared anonymous mapping made by the daemon before it
 * forks workers, bounded (DCC_SCAN_MEMO_SLOTS entries of 32 bytes, 4 ways
 * per bucket; a full bucket drops an older entry, which is only scanned
 * again). Nothing is on disk: a new distccd starts empty. Writers do not
 * lock: each entry carries a check (XXH3-64 of the digest and the flags,
 * seeded with a secret chosen at creation), so an entry torn by two
 * writers, or by a writer killed mid-way, reads as absent, never as
 * another content's flags. Only distccd's processes map it (the mapping
 * does not survive exec, so compilers never see it). */
#pragma once
#include <glib.h>
#include "dcc-hash.h"

#define DCC_SCAN_MEMO_SLOTS (1u << 18)   /* as many as the store's index holds (DCC_STORE_MAX_OBJECTS) */

typedef struct DccScanMemo DccScanMemo;

/* A new empty table for slots entries (rounded down to a multiple of the
 * bucket size, at least one bucket), shared with processes forked later.
 * NULL + error when it cannot be mapped. */
DccScanMemo *dcc_scan_memo_new (guint slots, GError **error);
void dcc_scan_memo_free (DccScanMemo *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccScanMemo, dcc_scan_memo_free)

/* TRUE with *flags when the flags of h's content are known. m may be NULL
 * (nothing known). */
gboolean dcc_scan_memo_get (DccScanMemo *m, const DccHash *h, guint *flags);
/* Remembers the flags of h's content (from dcc_result_scan_text of those
 * exact bytes). m may be NULL (nothing kept). */
void dcc_scan_memo_put (DccScanMemo *m, const DccHash *h, guint flags);
