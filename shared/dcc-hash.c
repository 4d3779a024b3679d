#include "dcc-hash.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-io.h"
#include <xxhash.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void
dcc_hash_bytes (const void *data, gsize len, DccHash *out)
{
  XXH128_hash_t h = XXH3_128bits (data, len);
  XXH128_canonical_t c;
  XXH128_canonicalFromHash (&c, h);
  memcpy (out->bytes, c.digest, DCC_HASH_LEN);
}

gboolean
dcc_hash_file (const char *path, DccHash *out, guint64 *size_out, GError **error)
{
  struct stat st;
  dcc_autofd fd = dcc_io_open_stat (path, &st, error);
  if (fd < 0)
    return FALSE;
  if (!S_ISREG (st.st_mode))
    return dcc_fail (error, DCC_ERROR_IO, "%s: not a regular file", path);
  gsize len = (gsize) st.st_size;
  if (len == 0)
    {
      dcc_hash_bytes ("", 0, out);
    }
  else
    {
      void *map = mmap (NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
      if (map == MAP_FAILED)
        return dcc_fail_errno (error, "mmap %s", path);
      dcc_hash_bytes (map, len, out);
      munmap (map, len);
    }
  if (size_out)
    *size_out = len;
  return TRUE;
}

void
dcc_hash_to_hex (const DccHash *hash, char hex[DCC_HASH_HEX_LEN + 1])
{
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < DCC_HASH_LEN; i++)
    {
      hex[2 * i] = digits[hash->bytes[i] >> 4];
      hex[2 * i + 1] = digits[hash->bytes[i] & 15];
    }
  hex[DCC_HASH_HEX_LEN] = '\0';
}

gboolean
dcc_hash_from_hex (const char *hex, DccHash *out)
{
  DccHash h;
  for (int i = 0; i < DCC_HASH_LEN; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      if (hi < 0)
        return FALSE;
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);
      if (lo < 0)
        return FALSE;
      h.bytes[i] = (guint8) (hi << 4 | lo);
    }
  if (hex[DCC_HASH_HEX_LEN] != '\0')
    return FALSE;
  *out = h;
  return TRUE;
}

gboolean
dcc_hash_equal (const DccHash *a, const DccHash *b)
{
  return memcmp (a->bytes, b->bytes, DCC_HASH_LEN) == 0;
}

guint
dcc_hash_hash (gconstpointer hash)
{
  guint v;
  memcpy (&v, ((const DccHash *) hash)->bytes, sizeof v);
  return v;
}

gboolean
dcc_hash_equal_func (gconstpointer a, gconstpointer b)
{
  return dcc_hash_equal (a, b);
}

guint
dcc_str_hash (gconstpointer s)
{
  return (guint) XXH3_64bits (s, strlen (s));
}
