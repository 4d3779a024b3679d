/* libFuzzer: [u32 raw_len][lz4 block] through dcc_lz4_decompress; an
 * accepted block must decompress to exactly raw_len bytes. */
#include "dcc-lz4.h"
#include <stdint.h>

#define FUZZ_MAX_RAW (1024 * 1024)

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) raw = dcc_lz4_decompress (data, size, FUZZ_MAX_RAW, NULL);
  if (raw && (size < 4 || g_bytes_get_size (raw) != GUINT32_FROM_BE (*(const guint32 *) (const void *) data)))
    __builtin_trap ();
  return 0;
}
