/* libFuzzer: the input as the include server's cache file
 * (dcc_is_cache_decode); what decodes must encode back to itself. */
#include "cache-file.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GArray *hashes = NULL;
  GPtrArray *scans = NULL, *closures = NULL;
  /* A file of segments: the first one's end is where the next begins, and
   * that first one alone decodes as a whole. */
  gsize consumed = 0;
  if (dcc_is_cache_decode (data, size, "fuzz", &hashes, &scans, &closures, &consumed, NULL))
    {
      if (consumed == 0 || consumed > size)
        __builtin_trap ();
      g_array_unref (hashes);
      g_ptr_array_unref (scans);
      g_ptr_array_unref (closures);
      if (!dcc_is_cache_decode (data, consumed, "fuzz", &hashes, &scans, &closures, NULL, NULL))
        __builtin_trap ();
      g_array_unref (hashes);
      g_ptr_array_unref (scans);
      g_ptr_array_unref (closures);
    }
  if (!dcc_is_cache_decode (data, size, "fuzz", &hashes, &scans, &closures, NULL, NULL))
    return 0;
  GByteArray *again = g_byte_array_new ();
  dcc_is_cache_encode (again, "fuzz", hashes, scans, closures);
  if (again->len != size || memcmp (again->data, data, size) != 0)
    __builtin_trap ();
  g_byte_array_unref (again);
  g_array_unref (hashes);
  g_ptr_array_unref (scans);
  g_ptr_array_unref (closures);
  return 0;
}
