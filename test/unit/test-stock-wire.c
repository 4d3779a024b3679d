/* The stock distcc protocol codecs: round trips of requests (protocol 1, 2
 * and 3) and replies through the decoders, and the decoders' refusals. */
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-lzo.h"
#include "dcc-stock-wire.h"
#include <string.h>

/* Feeds buf header by header to the request decoder (req) or the reply
 * decoder (rep); TRUE when complete (for a request, with no bytes left
 * over), else FALSE + error. */
static gboolean
decode (const guint8 *buf, gsize len, DccStockRequest *req, DccStockReply *rep, GError **error)
{
  gsize off = 0;
  while (!(req ? req->complete : rep->complete))
    {
      guint32 tok, val, body;
      if (len - off < DCC_STOCK_HEADER_LEN)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "truncated");
      if (!dcc_stock_header_parse (buf + off, &tok, &val, error)
          || !(req ? dcc_stock_request_feed_header (req, tok, val, &body, error)
                   : dcc_stock_reply_feed_header (rep, tok, val, &body, error)))
        return FALSE;
      off += DCC_STOCK_HEADER_LEN;
      if (!body)
        continue;
      if (len - off < body)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "truncated body");
      if (!(req ? dcc_stock_request_feed_body (req, buf + off, body, error)
                : dcc_stock_reply_feed_body (rep, buf + off, body, error)))
        return FALSE;
      off += body;
    }
  return !req || off == len || dcc_fail (error, DCC_ERROR_PROTOCOL, "trailing bytes");
}

static gboolean
decode_request (const guint8 *buf, gsize len, DccStockRequest *r, GError **error)
{
  return decode (buf, len, r, NULL, error);
}

static gboolean
decode_reply (const guint8 *buf, gsize len, DccStockReply *r, GError **error)
{
  return decode (buf, len, NULL, r, error);
}

static void
test_request_round_trip (void)
{
  const char *argv[] = { "x86_64-linux-gnu-gcc", "-O2", "-c", "a.c", "-o", "a.o", NULL };
  const char *text = "int x;\nint y = 42;\n";
  for (guint32 v = 1; v <= 2; v++)
    {
      g_autoptr(GByteArray) b = g_byte_array_new ();
      dcc_stock_request_encode (b, v, argv, text, strlen (text));
      g_assert_true (memcmp (b->data, "DIST0000000", 11) == 0);
      g_autoptr(DccStockRequest) r = dcc_stock_request_new ();
      g_autoptr(GError) error = NULL;
      g_assert_true (decode_request (b->data, b->len, r, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (r->protover, ==, v);
      g_assert_cmpuint (r->argv->len, ==, 7);
      g_assert_cmpstr (r->argv->pdata[3], ==, "a.c");
      g_assert_null (r->argv->pdata[6]);
      /* Protocol 2's DOTI stays compressed: the worker inflates it. */
      g_assert_cmpint (r->doti_lzo, ==, v == 2);
      g_autoptr(GBytes) doti = NULL;
      if (v == 2)
        g_assert_true (dcc_lzo_decompress (g_bytes_get_data (r->doti, NULL), g_bytes_get_size (r->doti),
                                           1 << 20, &doti, NULL));
      else
        doti = g_bytes_ref (r->doti);
      g_assert_cmpmem (g_bytes_get_data (doti, NULL), g_bytes_get_size (doti), text, strlen (text));
    }
}

static void
test_protocol3_request (void)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_stock_put (b, "DIST", 3);
  dcc_stock_put_body (b, "CDIR", "/home/u", 7);
  dcc_stock_put (b, "ARGC", 2);
  dcc_stock_put_body (b, "ARGV", "gcc", 3);
  dcc_stock_put_body (b, "ARGV", "-c", 2);
  dcc_stock_put (b, "NFIL", 2);
  dcc_stock_put_body (b, "NAME", "/home/u/a.c", 11);
  dcc_stock_put_bulk (b, "FILE", "int a;\n", 7, TRUE);
  dcc_stock_put_body (b, "NAME", "/home/u/l.h", 11);
  dcc_stock_put_body (b, "LINK", "a.h", 3);
  g_autoptr(DccStockRequest) r = dcc_stock_request_new ();
  g_autoptr(GError) error = NULL;
  g_assert_true (decode_request (b->data, b->len, r, &error));
  g_assert_cmpstr (r->cwd, ==, "/home/u");
  g_assert_cmpuint (r->files->len, ==, 2);
  DccStockFile *f0 = r->files->pdata[0], *f1 = r->files->pdata[1];
  g_assert_cmpstr (f0->name, ==, "/home/u/a.c");
  g_assert_cmpmem (g_bytes_get_data (f0->data, NULL), g_bytes_get_size (f0->data), "int a;\n", 7);
  g_assert_cmpstr (f1->target, ==, "a.h");
}

static void
test_reply_round_trip (void)
{
  for (guint32 v = 1; v <= 2; v++)
    {
      g_autoptr(GByteArray) b = g_byte_array_new ();
      dcc_stock_reply_encode (b, v, 0, "warn\n", 5, "", 0, "\x7f" "ELF....", 8, NULL, 0);
      g_auto(DccStockReply) r;
      dcc_stock_reply_init (&r, v);
      g_autoptr(GError) error = NULL;
      g_assert_true (decode_reply (b->data, b->len, &r, &error));
      g_assert_no_error (error);
      g_assert_cmpint (r.wait_status, ==, 0);
      g_assert_cmpuint (g_bytes_get_size (r.err), ==, 5);
      g_assert_cmpuint (g_bytes_get_size (r.out), ==, 0);
      g_assert_cmpuint (g_bytes_get_size (r.obj), ==, 8);
    }
  /* a failed compile: DOTO 0 and no body */
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_stock_reply_encode (b, 2, 1 << 8, "error\n", 6, "", 0, NULL, 0, NULL, 0);
  g_auto(DccStockReply) r;
  dcc_stock_reply_init (&r, 2);
  g_assert_true (decode_reply (b->data, b->len, &r, NULL));
  g_assert_cmpint (r.wait_status, ==, 256);
  g_assert_null (r.obj);
}

static void
test_refusals (void)
{
  static const struct { const char *bytes; const char *why; } cases[] = {
    { "DIST0000000g", "hex" },
    { "DIST00000004", "version" },
    { "DIST00000001ARGC00000000", "ARGC" },
    { "DIST00000001ARGCffffffff", "ARGC" },
    { "DIST00000001ARGC00000001ARGVffffffff", "limit" },
    { "DIST00000001ARGC00000001XXXX00000000", "expected ARGV" },
    { "DIST00000003ARGC00000001", "expected CDIR" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DccStockRequest) r = dcc_stock_request_new ();
      g_autoptr(GError) error = NULL;
      g_assert_false (decode_request ((const guint8 *) cases[i].bytes, strlen (cases[i].bytes), r, &error));
      if (!strstr (error->message, cases[i].why))
        g_error ("case %zu: \"%s\" lacks \"%s\"", i, error->message, cases[i].why);
    }
  /* NUL inside an argument */
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_stock_put (b, "DIST", 1);
  dcc_stock_put (b, "ARGC", 1);
  dcc_stock_put_body (b, "ARGV", "a\0b", 3);
  g_autoptr(DccStockRequest) r = dcc_stock_request_new ();
  g_autoptr(GError) error = NULL;
  g_assert_false (decode_request (b->data, b->len, r, &error));
  g_assert_nonnull (strstr (error->message, "NUL"));
  /* reply: wrong version, corrupt LZO */
  g_auto(DccStockReply) rr;
  dcc_stock_reply_init (&rr, 2);
  g_assert_false (decode_reply ((const guint8 *) "DONE00000001", 12, &rr, NULL));
  g_auto(DccStockReply) rz;
  dcc_stock_reply_init (&rz, 2);
  const char *corrupt = "DONE00000002STAT00000000SERR00000004\xff\xff\xff\xff";
  g_autoptr(GError) e2 = NULL;
  g_assert_false (decode_reply ((const guint8 *) corrupt, 40, &rz, &e2));
}

static void
test_lzo_bounds (void)
{
  g_autofree char *big = g_malloc0 (1 << 20);
  g_autoptr(GBytes) z = dcc_lzo_compress (big, 1 << 20);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_false (dcc_lzo_decompress (g_bytes_get_data (z, NULL), g_bytes_get_size (z), 1000, &out, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  g_assert_true (dcc_lzo_decompress (g_bytes_get_data (z, NULL), g_bytes_get_size (z), 1 << 20, &out, NULL));
  g_assert_cmpuint (g_bytes_get_size (out), ==, 1 << 20);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stock-wire/request", test_request_round_trip);
  g_test_add_func ("/stock-wire/protocol3", test_protocol3_request);
  g_test_add_func ("/stock-wire/reply", test_reply_round_trip);
  g_test_add_func ("/stock-wire/refusals", test_refusals);
  g_test_add_func ("/stock-wire/lzo-bounds", test_lzo_bounds);
  return g_test_run ();
}
