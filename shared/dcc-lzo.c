#include "dcc-lzo.h"
#include "dcc-error.h"
#include <lzo/lzo1x.h>

static gboolean
lzo_ready (void)
{
  static gsize done;
  static gboolean ok;
  if (g_once_init_enter (&done))
    {
      ok = lzo_init () == LZO_E_OK;
      g_once_init_leave (&done, 1);
    }
  return ok;
}

GBytes *
dcc_lzo_compress (const void *data, gsize len)
{
  if (len == 0 || !lzo_ready ())
    return g_bytes_new (NULL, 0);
  gsize cap = len + len / 16 + 64 + 3;
  guint8 *out = g_malloc (cap);
  g_autofree guint8 *wrk = g_malloc (LZO1X_1_MEM_COMPRESS);
  lzo_uint out_len = cap;
  lzo1x_1_compress (data, len, out, &out_len, wrk);
  return g_bytes_new_take (g_realloc (out, out_len ? out_len : 1), out_len);
}

gboolean
dcc_lzo_decompress (const void *data, gsize len, gsize max, GBytes **out, GError **error)
{
  if (len == 0)
    {
      *out = g_bytes_new (NULL, 0);
      return TRUE;
    }
  if (!lzo_ready ())
    return dcc_fail (error, DCC_ERROR_FAILED, "lzo_init failed");
  /* LZO1X expands at most about 255x; start near the usual ratio. */
  gsize cap = MIN (max, MAX ((gsize) 64 * 1024, len * 4));
  for (;;)
    {
      g_autofree guint8 *buf = g_malloc (cap ? cap : 1);
      lzo_uint out_len = cap;
      int rc = lzo1x_decompress_safe (data, len, buf, &out_len, NULL);
      if (rc == LZO_E_OK)
        {
          *out = g_bytes_new_take (g_realloc (g_steal_pointer (&buf), out_len ? out_len : 1), out_len);
          return TRUE;
        }
      if (rc != LZO_E_OUTPUT_OVERRUN)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "corrupt LZO data (%d)", rc);
      if (cap >= max)
        return dcc_fail (error, DCC_ERROR_LIMIT, "LZO data decompresses to more than %" G_GSIZE_FORMAT " bytes", max);
      cap = cap > max / 2 ? max : cap * 2;
    }
}
