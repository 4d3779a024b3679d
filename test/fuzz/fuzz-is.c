/* libFuzzer: the input as an include-server request and as a reply
 * (dcc_is_request_decode, dcc_is_reply_decode). */
#include "dcc-is-protocol.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *cwd = NULL, *message = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  DccIsStatus status;
  gsize used;
  dcc_is_request_decode (data, size, &cwd, &argv, &used, NULL);
  dcc_is_reply_decode (data, size, &status, &message, &entries, &used, NULL);
  return 0;
}
