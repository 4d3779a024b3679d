/* LZO1X, as stock distcc's protocol 2 and 3 compress bulk data ("lzo" in
 * DISTCC_HOSTS). The format carries no length: decompression is bounded by
 * the caller's limit and grows its buffer up to it. */
#pragma once
#include <glib.h>

/* Compresses (lzo1x_1). Empty input gives empty output, as stock sends it. */
GBytes *dcc_lzo_compress (const void *data, gsize len);
/* Decompresses into at most max bytes; FALSE + DCC_ERROR_LIMIT when the
 * result would be larger, DCC_ERROR_PROTOCOL when the data is corrupt.
 * Empty input gives empty output. */
gboolean dcc_lzo_decompress (const void *data, gsize len, gsize max, GBytes **out, GError **error);
