/* lz4 block compression with the raw size carried beside the block.
 * Decompression requires the exact declared size, already limit-checked. */
#pragma once
#include <glib.h>

/* The most an lz4 block can expand: each byte of a match-length run adds
 * at most 255 output bytes, and a sequence's token and offset (3 bytes)
 * add at most 19, so raw <= 255 * compressed for every valid block. A
 * block declaring more is refused before anything is allocated. */
#define DCC_LZ4_MAX_RATIO 255u

/* The longest [u32 raw_len][lz4 block] that dcc_lz4_compress_append makes
 * of raw_len bytes: a bound on what an honest peer sends. */
gsize    dcc_lz4_max_blob (gsize raw_len);
/* Appends [u32 BE raw_len][lz4 block] to out. */
void     dcc_lz4_compress_append (GByteArray *out, const void *data, gsize len);
/* Reads the declared raw_len of [u32 BE raw_len][lz4 block] in buf and
 * checks it against max_raw and against what len - 4 compressed bytes can
 * possibly produce (DCC_LZ4_MAX_RATIO). Allocates nothing; FALSE + error
 * (DCC_ERROR_LIMIT, or DCC_ERROR_PROTOCOL when too short). Pure. */
gboolean dcc_lz4_check_declared (const guint8 *buf, gsize len, gsize max_raw, guint32 *raw_len,
                                 GError **error);
/* Parses [u32 BE raw_len][lz4 block] from buf after dcc_lz4_check_declared;
 * returns a new GBytes of exactly raw_len bytes, or NULL + error. The
 * output buffer is the declared size: lz4 never writes past it. */
GBytes  *dcc_lz4_decompress (const guint8 *buf, gsize len, gsize max_raw, GError **error);
