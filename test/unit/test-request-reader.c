/* The incremental request reader (dcc-request-reader.h): a request fed in
 * any pieces decodes as the whole does; unknown protocols, bytes after the
 * end and oversized frames are refused; a frame declared large but sent in
 * part holds only the bytes sent. The same for a stock distcc client's
 * request (DIST, protocol 1 and 2). */
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-lzo.h"
#include "dcc-request-reader.h"
#include "dcc-stock-wire.h"
#include <string.h>

static GByteArray *
plain_request (void)
{
  const char *argv[] = { "gcc", "-c", "a.c", "-o", "a.o", NULL };
  GByteArray *b = g_byte_array_new ();
  dcc_request_encode (b, &(DccRequestSpec) { .mode = DCC_MODE_PLAIN, .argv = argv, .cwd = "/home/u",
                                              .compiler_id = "gcc 12", .source_name = "a.c",
                                              .source = "int x;\n", .source_len = 7 });
  return b;
}

/* Feeds b in pieces of `piece` bytes; returns the last result. */
static DccReaderResult
feed_in_pieces (DccRequestReader *r, GByteArray *b, gsize piece, gsize *fed, GError **error)
{
  DccReaderResult res = DCC_READER_NEED_MORE;
  gsize off = 0;
  while (off < b->len && res == DCC_READER_NEED_MORE)
    {
      gsize used, n = MIN (piece, b->len - off);
      res = dcc_request_reader_feed (r, b->data + off, n, &used, error);
      off += used;
    }
  *fed = off;
  return res;
}

/* Feeds all of b in pieces of `piece` bytes to a new reader, asserting
 * that it completes on the last byte in `protocol`; returns the request. */
static DccRequest *
read_whole (GByteArray *b, gsize piece, DccProtocol protocol)
{
  g_autoptr(DccRequestReader) r = dcc_request_reader_new (DCC_MAX_FRAME);
  g_autoptr(GError) error = NULL;
  gsize fed;
  g_assert_cmpint (feed_in_pieces (r, b, piece, &fed, &error), ==, DCC_READER_COMPLETE);
  g_assert_no_error (error);
  g_assert_cmpuint (fed, ==, b->len);
  g_assert_cmpint (dcc_request_reader_protocol (r), ==, protocol);
  DccRequest *req = dcc_request_reader_steal_request (r);
  g_assert_nonnull (req);
  return req;
}

static void
test_pieces (void)
{
  g_autoptr(GByteArray) b = plain_request ();
  gsize pieces[] = { 1, 2, 3, 7, 8, 9, 13, 64, 100000 };
  for (gsize i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      g_autoptr(DccRequest) req = read_whole (b, pieces[i], DCC_PROTOCOL_DCC1);
      g_assert_cmpstr (req->argv->pdata[0], ==, "gcc");
      g_assert_cmpstr (req->cwd, ==, "/home/u");
      g_assert_cmpstr (req->source_name, ==, "a.c");
      g_assert_cmpuint (g_bytes_get_size (req->source_text), ==, 7);
    }
}

static void
test_extra_bytes (void)
{
  g_autoptr(GByteArray) b = plain_request ();
  gsize whole = b->len;
  g_byte_array_append (b, (const guint8 *) "XXXX", 4);
  g_autoptr(DccRequestReader) r = dcc_request_reader_new (DCC_MAX_FRAME);
  gsize used;
  g_assert_cmpint (dcc_request_reader_feed (r, b->data, b->len, &used, NULL), ==, DCC_READER_COMPLETE);
  g_assert_cmpuint (used, ==, whole);   /* the caller sees what is left over */
  g_autoptr(GError) error = NULL;
  g_assert_cmpint (dcc_request_reader_feed (r, b->data + used, 4, &used, &error), ==, DCC_READER_ERROR);
  g_assert_error (error, DCC_ERROR, DCC_ERROR_PROTOCOL);
}

static void
test_unknown_protocol (void)
{
  const char *starts[] = { "GET / HTTP/1.0\r\n", "DISX00000001", "\x00\x01\x02\x03" "abcd" };
  for (gsize i = 0; i < G_N_ELEMENTS (starts); i++)
    {
      g_autoptr(DccRequestReader) r = dcc_request_reader_new (DCC_MAX_FRAME);
      g_autoptr(GError) error = NULL;
      gsize used, n = i == 2 ? 8 : strlen (starts[i]);
      DccReaderResult res = DCC_READER_NEED_MORE;
      /* byte by byte: nothing is decided before the fourth */
      for (gsize k = 0; k < n && res == DCC_READER_NEED_MORE; k++)
        {
          res = dcc_request_reader_feed (r, (const guint8 *) starts[i] + k, 1, &used, &error);
          if (k < 3)
            g_assert_cmpint (res, ==, DCC_READER_NEED_MORE);
        }
      g_assert_cmpint (res, ==, DCC_READER_ERROR);
      g_assert_error (error, DCC_ERROR, DCC_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "unknown protocol"));
    }
}

static void
test_declared_large (void)
{
  /* DCC1, then an ARGV header declaring 60 KiB with 10 bytes sent: the
   * reader holds what arrived, not what was declared. */
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_wire_put_frame (b, DCC_TAG ('D','C','C','1'), "\0\0\0\1\0\0\0\1", 8);
  dcc_wire_put_u32_frame (b, DCC_TAG ('A','R','G','C'), 1);
  dcc_put_u32 (b, DCC_TAG ('A','R','G','V'));
  dcc_put_u32 (b, 60 * 1024);
  g_byte_array_append (b, (const guint8 *) "0123456789", 10);
  g_autoptr(DccRequestReader) r = dcc_request_reader_new (DCC_MAX_FRAME);
  gsize used;
  g_assert_cmpint (dcc_request_reader_feed (r, b->data, b->len, &used, NULL), ==, DCC_READER_NEED_MORE);
  g_assert_cmpuint (used, ==, b->len);
  g_assert_cmpuint (dcc_request_reader_held (r), <=, 64);

  /* Over the frame limit: refused on the header, before any payload. */
  g_autoptr(GByteArray) big = g_byte_array_new ();
  dcc_wire_put_frame (big, DCC_TAG ('D','C','C','1'), "\0\0\0\1\0\0\0\1", 8);
  dcc_put_u32 (big, DCC_TAG ('A','R','G','C'));
  dcc_put_u32 (big, 1024);
  g_autoptr(DccRequestReader) r2 = dcc_request_reader_new (512);
  g_autoptr(GError) error = NULL;
  g_assert_cmpint (dcc_request_reader_feed (r2, big->data, big->len, &used, &error), ==, DCC_READER_ERROR);
  g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
}

static GByteArray *
stock_request (guint32 protover, const char *text)
{
  const char *argv[] = { "x86_64-linux-gnu-gcc", "-O2", "-c", "s1.c", "-o", "s1.o", NULL };
  GByteArray *b = g_byte_array_new ();
  dcc_stock_request_encode (b, protover, argv, text, strlen (text));
  return b;
}

static void
test_dist_pieces (void)
{
  const char *text = "# 0 \"s1.c\"\nint s1 (void) { return 1; }\n";
  gsize pieces[] = { 1, 2, 3, 4, 5, 11, 12, 13, 100000 };
  for (guint32 v = 1; v <= 2; v++)
    for (gsize i = 0; i < G_N_ELEMENTS (pieces); i++)
      {
        g_autoptr(GByteArray) b = stock_request (v, text);
        g_autoptr(DccRequest) req = read_whole (b, pieces[i], DCC_PROTOCOL_DIST);
        g_assert_cmpuint (req->stock_protover, ==, v);
        g_assert_cmpint (req->mode, ==, DCC_MODE_PLAIN);
        g_assert_cmpuint (req->argv->len, ==, 7);
        g_assert_cmpstr (req->argv->pdata[0], ==, "x86_64-linux-gnu-gcc");
        g_assert_cmpstr (req->argv->pdata[5], ==, "s1.o");
        g_assert_null (req->argv->pdata[6]);
        g_assert_null (req->cwd);
        /* protocol 2's text is inflated by the worker, not the reader */
        g_assert_true ((req->source_lzo != NULL) == (v == 2));
        g_assert_true (dcc_request_inflate_source (req, NULL));
        g_assert_cmpmem (g_bytes_get_data (req->source_text, NULL), g_bytes_get_size (req->source_text),
                         text, strlen (text));
      }
}

/* An empty argument (a stock client passes "" on as it is) is an argument,
 * not a failure: it once left the reader failing without an error, which
 * the daemon's event loop then dereferenced. */
static void
test_dist_empty_argument (void)
{
  const char *argv[] = { "gcc", "", "-c", "a.c", "-o", "a.o", NULL };
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_stock_request_encode (b, 1, argv, "int x;\n", 7);
  g_autoptr(DccRequestReader) r = dcc_request_reader_new (DCC_MAX_FRAME);
  g_autoptr(GError) error = NULL;
  gsize used;
  g_assert_cmpint (dcc_request_reader_feed (r, b->data, b->len, &used, &error), ==, DCC_READER_COMPLETE);
  g_assert_no_error (error);
  g_autoptr(DccRequest) req = dcc_request_reader_steal_request (r);
  g_assert_cmpstr (req->argv->pdata[1], ==, "");
  /* an empty DOTI too */
  g_autoptr(GByteArray) e = g_byte_array_new ();
  dcc_stock_request_encode (e, 2, argv, "", 0);
  g_autoptr(DccRequestReader) r2 = dcc_request_reader_new (DCC_MAX_FRAME);
  g_assert_cmpint (dcc_request_reader_feed (r2, e->data, e->len, &used, &error), ==, DCC_READER_COMPLETE);
  g_assert_no_error (error);
}

/* A malformed stock request is refused on the header that shows it, before
 * its body is read or anything is allocated for it. */
static void
test_dist_refusals (void)
{
  static const struct { const char *bytes; const char *why; int code; } cases[] = {
    { "DIST00000001ARGC00000001ARGVffffffff", "ARGV of 4294967295 bytes is over the limit", DCC_ERROR_LIMIT },
    { "DIST00000001ARGC00000001ARGV00000001xDOTIffffffff", "DOTI of 4294967295 bytes", DCC_ERROR_LIMIT },
    { "DIST00000001ARGCffffffff", "ARGC 4294967295 out of range", DCC_ERROR_LIMIT },
    { "DIST0000000zARGC00000001", "not 8 hex digits", DCC_ERROR_PROTOCOL },
    { "DIST00000009", "version 9", DCC_ERROR_PROTOCOL },
    { "DIST00000003CDIR00000001/", "protocol 3 (pump mode) is not served", DCC_ERROR_REFUSED },
    { "DIST00000001ARGV00000001x", "expected ARGC, got ARGV", DCC_ERROR_PROTOCOL },
    { "DIST00000001ARGC00000001ARGV00000001xARGV00000001y", "expected DOTI, got ARGV", DCC_ERROR_PROTOCOL },
    { "DIST00000001ARGC00000001\x01RGV00000001x", "not printable", DCC_ERROR_PROTOCOL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (gsize piece = 1; piece <= 64; piece *= 4)
      {
        g_autoptr(GByteArray) b = g_byte_array_new ();
        g_byte_array_append (b, (const guint8 *) cases[i].bytes, strlen (cases[i].bytes));
        g_autoptr(DccRequestReader) r = dcc_request_reader_new (DCC_MAX_FRAME);
        g_autoptr(GError) error = NULL;
        gsize fed;
        g_assert_cmpint (feed_in_pieces (r, b, piece, &fed, &error), ==, DCC_READER_ERROR);
        if (!strstr (error->message, cases[i].why) || !g_error_matches (error, DCC_ERROR, cases[i].code))
          g_error ("case %zu: \"%s\" (code %d) lacks \"%s\"", i, error->message, error->code, cases[i].why);
        g_assert_cmpuint (dcc_request_reader_held (r), <=, 128);
        g_assert_cmpint (dcc_request_reader_protocol (r), ==, DCC_PROTOCOL_DIST);
      }
  /* Truncated: a header cut short, a body cut short: not complete, and only
   * what arrived is held. */
  const char *cuts[] = { "DIST0000", "DIST00000001ARGC00000001ARGV00000400abc" };
  for (gsize i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autoptr(DccRequestReader) r = dcc_request_reader_new (DCC_MAX_FRAME);
      gsize used;
      g_assert_cmpint (dcc_request_reader_feed (r, (const guint8 *) cuts[i], strlen (cuts[i]), &used, NULL),
                       ==, DCC_READER_NEED_MORE);
      g_assert_cmpuint (dcc_request_reader_held (r), <=, 64);
    }
  /* A body over the frame limit (here 512 bytes) is refused on its header. */
  g_autoptr(DccRequestReader) r = dcc_request_reader_new (512);
  g_autoptr(GError) error = NULL;
  const char *big = "DIST00000001ARGC00000001ARGV00000400";
  gsize used;
  g_assert_cmpint (dcc_request_reader_feed (r, (const guint8 *) big, strlen (big), &used, &error), ==,
                   DCC_READER_ERROR);
  g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  g_assert_nonnull (strstr (error->message, "ARGV claims 1024 bytes, limit is 512"));
}

/* --job-input-size applies: a DOTI declared over it is refused on its
 * header; an LZO body that expands over it is refused while decompressing. */
static void
test_dist_input_limit (void)
{
  g_autofree char *text = g_strnfill (4000, 'x');
  for (guint32 v = 1; v <= 2; v++)
    {
      g_autoptr(GByteArray) b = stock_request (v, text);
      g_autoptr(DccRequestReader) r = dcc_request_reader_new (DCC_MAX_FRAME);
      dcc_request_reader_set_input_limit (r, 1000);
      g_autoptr(GError) error = NULL;
      gsize used;
      if (v == 1)
        g_assert_cmpint (dcc_request_reader_feed (r, b->data, b->len, &used, &error), ==, DCC_READER_ERROR);
      else
        {
          /* LZO declares no size: the reader keeps the body as sent (its
           * length bounded by the limit), and inflating it in the worker
           * stops at the limit. */
          g_assert_cmpint (dcc_request_reader_feed (r, b->data, b->len, &used, &error), ==, DCC_READER_COMPLETE);
          g_autoptr(DccRequest) req = dcc_request_reader_steal_request (r);
          g_assert_false (dcc_request_inflate_source (req, &error));
        }
      g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
      g_assert_nonnull (strstr (error->message, v == 1 ? "more than the job input limit of 1000 bytes allows"
                                                       : "the job's input is more than the limit of 1000 bytes"));
      g_autoptr(DccRequestReader) ok = dcc_request_reader_new (DCC_MAX_FRAME);
      dcc_request_reader_set_input_limit (ok, 4000);
      g_assert_cmpint (dcc_request_reader_feed (ok, b->data, b->len, &used, NULL), ==, DCC_READER_COMPLETE);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/request-reader/pieces", test_pieces);
  g_test_add_func ("/request-reader/extra-bytes", test_extra_bytes);
  g_test_add_func ("/request-reader/unknown-protocol", test_unknown_protocol);
  g_test_add_func ("/request-reader/declared-large", test_declared_large);
  g_test_add_func ("/request-reader/dist-pieces", test_dist_pieces);
  g_test_add_func ("/request-reader/dist-refusals", test_dist_refusals);
  g_test_add_func ("/request-reader/dist-empty-argument", test_dist_empty_argument);
  g_test_add_func ("/request-reader/dist-input-limit", test_dist_input_limit);
  return g_test_run ();
}
