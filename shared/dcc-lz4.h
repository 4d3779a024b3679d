/* lz4 block compression with the raw size carried beside the block.
 * Decompression requires the exact declared size, already limit-checked. */
#pragma once
#include <glib.h>

/* Appends [u32 BE raw_len][lz4 block] to out. */
void     dcc_lz4_compress_append (GByteArray *out, const void *data, gsize len);
/* Parses [u32 BE raw_len][lz4 block] from buf; raw_len must be <= max_raw.
 * Returns a new GBytes of exactly raw_len bytes, or NULL + error. */
GBytes  *dcc_lz4_decompress (const guint8 *buf, gsize len, gsize max_raw, GError **error);
