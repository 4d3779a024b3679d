#pragma once
#include <glib.h>

/* clang -g -save-temps hashes the preprocessed text it compiles (the main
 * file's MD5 in DWARF 5 line tables): the .bc and .s (and an -flto object)
 * carry md5(the .i as written). The volunteer's .i names job paths and is
 * returned with them taken out, so the digest it compiled is not the one a
 * local compile computes from the client's .i. A DccTextDigests pairs
 * md5(text as compiled) with md5(text as returned), and rewrites the first
 * into the second, in the 32-digit lowercase hex form (.bc metadata, .s
 * directives) and the 16 raw bytes (a DWARF line table). */
typedef struct DccTextDigests DccTextDigests;

DccTextDigests *dcc_text_digests_new (void);
void dcc_text_digests_free (DccTextDigests *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccTextDigests, dcc_text_digests_free)

/* Records the pair when the two texts differ. Pure. */
void dcc_text_digests_add (DccTextDigests *d, const guint8 *compiled, gsize compiled_len,
                           const guint8 *returned, gsize returned_len);
/* TRUE when no pair was recorded (nothing to rewrite). */
gboolean dcc_text_digests_empty (const DccTextDigests *d);
/* data with every recorded digest (hex or raw) replaced by its pair; a new
 * reference, or NULL when data holds none. Pure. */
GBytes *dcc_text_digests_apply (const DccTextDigests *d, const guint8 *data, gsize len);
