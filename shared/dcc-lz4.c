#include "dcc-lz4.h"
#include "dcc-error.h"
#include "dcc-wire.h"
#include <lz4.h>

void
dcc_lz4_compress_append (GByteArray *out, const void *data, gsize len)
{
  g_return_if_fail (len <= LZ4_MAX_INPUT_SIZE);
  dcc_put_u32 (out, (guint32) len);
  int bound = LZ4_compressBound ((int) len);
  guint start = out->len;
  g_byte_array_set_size (out, start + (guint) bound);
  int n = LZ4_compress_default (data, (char *) out->data + start, (int) len, bound);
  g_byte_array_set_size (out, start + (guint) (n > 0 ? n : 0));
}

gsize
dcc_lz4_max_blob (gsize raw_len)
{
  return 4 + raw_len + raw_len / 255 + 16;   /* LZ4_COMPRESSBOUND */
}

gboolean
dcc_lz4_check_declared (const guint8 *buf, gsize len, gsize max_raw, guint32 *raw_len_out,
                        GError **error)
{
  DccReader r;
  guint32 raw_len;
  dcc_reader_init (&r, buf, len);
  if (!dcc_reader_u32 (&r, &raw_len))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "compressed block too short");
  if (raw_len > max_raw || raw_len > LZ4_MAX_INPUT_SIZE)
    return dcc_fail (error, DCC_ERROR_LIMIT, "compressed block claims %u bytes, limit %zu",
                     raw_len, MIN (max_raw, (gsize) LZ4_MAX_INPUT_SIZE));
  if (r.left > (gsize) G_MAXINT)
    return dcc_fail (error, DCC_ERROR_LIMIT, "compressed block too large");
  if ((guint64) raw_len > (guint64) r.left * DCC_LZ4_MAX_RATIO)
    return dcc_fail (error, DCC_ERROR_LIMIT,
                     "compressed block claims %u bytes from %zu, more than lz4 can expand (%u:1)",
                     raw_len, r.left, DCC_LZ4_MAX_RATIO);
  *raw_len_out = raw_len;
  return TRUE;
}

GBytes *
dcc_lz4_decompress (const guint8 *buf, gsize len, gsize max_raw, GError **error)
{
  guint32 raw_len;
  if (!dcc_lz4_check_declared (buf, len, max_raw, &raw_len, error))
    return NULL;
  const guint8 *block = buf + 4;
  gsize block_len = len - 4;
  guint8 *raw = g_malloc (raw_len ? raw_len : 1);
  int n = LZ4_decompress_safe ((const char *) block, (char *) raw, (int) block_len, (int) raw_len);
  if (n < 0 || (guint32) n != raw_len)
    {
      g_free (raw);
      return dcc_fail (error, DCC_ERROR_PROTOCOL,
                       "lz4 block is corrupt or not of its declared size %u", raw_len), NULL;
    }
  return g_bytes_new_take (raw, raw_len);
}
