/* libFuzzer: frames (dcc_wire_decode) fed to the request decoder
 * (dcc_request_feed) until an error, the end of the input or a complete
 * request. Built and run by test/fuzz/run. */
#include "dcc-request.h"
#include "dcc-limits.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(DccRequest) req = dcc_request_new ();
  DccFrame f;
  gsize used;
  while (dcc_wire_decode (data, size, DCC_MAX_FRAME, &f, &used, NULL) == DCC_WIRE_OK)
    {
      if (!dcc_request_feed (req, &f, NULL) || req->complete)
        break;
      data += used, size -= used;
    }
  return 0;
}
