/* libFuzzer: the input as the payload of a NEED frame (dcc_need_decode)
 * and of a BLOB frame (dcc_blob_decode, which decompresses and rehashes). */
#include "dcc-request.h"
#include "dcc-limits.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  DccFrame f = { DCC_TAG_NEED, (guint32) size, data };
  GArray *hashes = NULL;
  if (dcc_need_decode (&f, DCC_MAX_MANIFEST_ENTRIES, &hashes, NULL))
    g_array_unref (hashes);
  f.tag = DCC_TAG_BLOB;
  DccHash hash;
  GBytes *blob = NULL;
  guint32 declared;
  if (dcc_blob_peek (&f, &hash, &declared, NULL) && dcc_blob_decode (&f, declared, &hash, &blob, NULL))
    g_bytes_unref (blob);
  return 0;
}
