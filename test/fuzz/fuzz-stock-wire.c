/* libFuzzer: the input as a stock distcc byte stream, fed header by header
 * to the volunteer's request decoder and to the client's reply decoder
 * (protocol 2, whose bodies are LZO-decompressed). */
#include "dcc-stock-wire.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
feed_request (const uint8_t *data, size_t size)
{
  DccStockRequest *r = dcc_stock_request_new ();
  size_t off = 0;
  while (!r->complete && size - off >= DCC_STOCK_HEADER_LEN)
    {
      guint32 tok, val, body;
      if (!dcc_stock_header_parse (data + off, &tok, &val, NULL)
          || !dcc_stock_request_feed_header (r, tok, val, &body, NULL))
        break;
      off += DCC_STOCK_HEADER_LEN;
      if (body == 0)
        continue;
      if (size - off < body || !dcc_stock_request_feed_body (r, data + off, body, NULL))
        break;
      off += body;
    }
  dcc_stock_request_free (r);
}

static void
feed_reply (const uint8_t *data, size_t size, guint32 protover)
{
  DccStockReply r;
  dcc_stock_reply_init (&r, protover);
  size_t off = 0;
  while (!r.complete && size - off >= DCC_STOCK_HEADER_LEN)
    {
      guint32 tok, val, body;
      if (!dcc_stock_header_parse (data + off, &tok, &val, NULL)
          || !dcc_stock_reply_feed_header (&r, tok, val, &body, NULL))
        break;
      off += DCC_STOCK_HEADER_LEN;
      if (body == 0)
        continue;
      if (size - off < body || !dcc_stock_reply_feed_body (&r, data + off, body, NULL))
        break;
      off += body;
    }
  dcc_stock_reply_clear (&r);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  feed_request (data, size);
  feed_reply (data, size, 1);
  feed_reply (data, size, 2);
  return 0;
}
