#include "text-digest.h"
#include <string.h>

#define MD5_LEN 16

typedef struct {
  guint8 from[MD5_LEN], to[MD5_LEN];
  char   from_hex[2 * MD5_LEN + 1], to_hex[2 * MD5_LEN + 1];
} Pair;

struct DccTextDigests {
  GArray *pairs; /* of Pair */
};

DccTextDigests *
dcc_text_digests_new (void)
{
  DccTextDigests *d = g_new0 (DccTextDigests, 1);
  d->pairs = g_array_new (FALSE, TRUE, sizeof (Pair));
  return d;
}

void
dcc_text_digests_free (DccTextDigests *d)
{
  if (!d)
    return;
  g_array_unref (d->pairs);
  g_free (d);
}

static void
md5 (const guint8 *data, gsize len, guint8 out[MD5_LEN], char hex[2 * MD5_LEN + 1])
{
  g_autoptr(GChecksum) c = g_checksum_new (G_CHECKSUM_MD5);
  g_checksum_update (c, data, (gssize) len);
  gsize n = MD5_LEN;
  g_checksum_get_digest (c, out, &n);
  g_strlcpy (hex, g_checksum_get_string (c), 2 * MD5_LEN + 1);
}

void
dcc_text_digests_add (DccTextDigests *d, const guint8 *compiled, gsize compiled_len,
                      const guint8 *returned, gsize returned_len)
{
  if (compiled_len == returned_len && memcmp (compiled, returned, compiled_len) == 0)
    return;
  Pair p;
  md5 (compiled, compiled_len, p.from, p.from_hex);
  md5 (returned, returned_len, p.to, p.to_hex);
  g_array_append_val (d->pairs, p);
}

gboolean
dcc_text_digests_empty (const DccTextDigests *d)
{
  return d->pairs->len == 0;
}

/* Replaces each occurrence of from (n bytes) by to (same length) in buf;
 * TRUE if any. */
static gboolean
replace_all (guint8 *buf, gsize len, const void *from, const void *to, gsize n)
{
  gboolean any = FALSE;
  gsize i = 0;
  while (len - i >= n)
    {
      guint8 *hit = memmem (buf + i, len - i, from, n);
      if (!hit)
        break;
      memcpy (hit, to, n);
      any = TRUE;
      i = (gsize) (hit - buf) + n;
    }
  return any;
}

GBytes *
dcc_text_digests_apply (const DccTextDigests *d, const guint8 *data, gsize len)
{
  if (d->pairs->len == 0 || len < MD5_LEN)
    return NULL;
  guint8 *copy = g_memdup2 (data, len);
  gboolean any = FALSE;
  for (guint i = 0; i < d->pairs->len; i++)
    {
      const Pair *p = &g_array_index (d->pairs, Pair, i);
      any |= replace_all (copy, len, p->from_hex, p->to_hex, 2 * MD5_LEN);
      any |= replace_all (copy, len, p->from, p->to, MD5_LEN);
    }
  if (!any)
    {
      g_free (copy);
      return NULL;
    }
  return g_bytes_new_take (copy, len);
}
