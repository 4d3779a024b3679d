/* libFuzzer: the incremental request reader (dcc-request-reader.h), fed
 * the input in pieces whose sizes come from the input's first byte; a
 * request it completes must be the one the whole-buffer decoder sees. Both
 * protocols: ours (DCC1) and a stock client's (DIST); a stock request is
 * then adapted as the volunteer does (server/stock-session.c). Built and
 * run by test/fuzz/run. */
#include "dcc-request-reader.h"
#include "dcc-limits.h"
#include "stock-session.h"
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  gsize piece = (gsize) data[0] % 17 + 1;
  data++, size--;
  g_autoptr(DccRequestReader) pieces = dcc_request_reader_new (DCC_MAX_FRAME);
  g_autoptr(DccRequestReader) whole = dcc_request_reader_new (DCC_MAX_FRAME);
  gsize off = 0, used;
  DccReaderResult a = DCC_READER_NEED_MORE;
  while (off < size && a == DCC_READER_NEED_MORE)
    {
      a = dcc_request_reader_feed (pieces, data + off, MIN (piece, size - off), &used, NULL);
      off += used;
    }
  DccReaderResult b = dcc_request_reader_feed (whole, data, size, &used, NULL);
  if (a != b || (a == DCC_READER_COMPLETE && off != used))
    abort ();
  if (a == DCC_READER_COMPLETE)
    {
      g_autoptr(DccRequest) r1 = dcc_request_reader_steal_request (pieces);
      g_autoptr(DccRequest) r2 = dcc_request_reader_steal_request (whole);
      if (!r1 || !r2 || r1->argv->len != r2->argv->len || r1->stock_protover != r2->stock_protover)
        abort ();
      if (r1->stock_protover)
        {
          if (dcc_request_inflate_source (r1, NULL) != dcc_request_inflate_source (r2, NULL))
            abort ();
          if (r1->source_text && g_bytes_get_size (r1->source_text) != g_bytes_get_size (r2->source_text))
            abort ();
          if (dcc_stock_session_adapt (r1, NULL) && (!r1->cwd || !r1->source_name))
            abort ();
        }
    }
  return 0;
}
