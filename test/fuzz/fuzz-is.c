/* libFuzzer: the input as an include-server request and as a reply
 * (dcc_is_request_decode, dcc_is_reply_decode), and as a request arriving
 * in pieces (dcc_is_request_decoder_feed), which must decode exactly as the
 * whole-buffer decoder does. */
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
  DccWireResult whole = dcc_is_request_decode (data, size, &cwd, &argv, &used, NULL);
  dcc_is_reply_decode (data, size, &status, &message, &entries, &used, NULL);

  /* Pieces of 1 + (byte % 64) bytes, the sizes taken from the input. */
  g_auto(DccIsRequestDecoder) d;
  dcc_is_request_decoder_init (&d);
  g_autofree char *cwd2 = NULL;
  g_auto(GStrv) argv2 = NULL;
  gsize used2 = 0, n = 0;
  DccWireResult r = DCC_WIRE_NEED_MORE;
  while (r == DCC_WIRE_NEED_MORE && n < size)
    {
      n = MIN (size, n + 1 + data[n] % 64);
      r = dcc_is_request_decoder_feed (&d, data, n, &cwd2, &argv2, &used2, NULL);
    }
  if (r != whole
      || (r == DCC_WIRE_OK && (used2 != used || g_strcmp0 (cwd, cwd2) != 0
                               || !g_strv_equal ((const char *const *) argv, (const char *const *) argv2))))
    __builtin_trap ();
  return 0;
}
