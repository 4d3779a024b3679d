/* libFuzzer: frames (dcc_wire_decode) fed to the reply decoder
 * (dcc_reply_feed) until an error, the end of the input or DONE/EROR. */
#include "dcc-request.h"
#include "dcc-limits.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(DccReply) reply = dcc_reply_new ();
  DccFrame f;
  gsize used;
  while (dcc_wire_decode (data, size, DCC_MAX_FRAME, &f, &used, NULL) == DCC_WIRE_OK)
    {
      if (!dcc_reply_feed (reply, &f, NULL) || reply->complete)
        break;
      data += used, size -= used;
    }
  return 0;
}
