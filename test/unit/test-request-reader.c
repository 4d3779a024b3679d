/* The incremental request reader (dcc-request-reader.h): a request fed in
 * any pieces decodes as the whole does; unknown protocols, bytes after the
 * end and oversized frames are refused; a frame declared large but sent in
 * part holds only the bytes sent. */
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-request-reader.h"
#include <string.h>

static GByteArray *
plain_request (void)
{
  const char *argv[] = { "gcc", "-c", "a.c", "-o", "a.o", NULL };
  GByteArray *b = g_byte_array_new ();
  dcc_request_encode (b, DCC_MODE_PLAIN, argv, "/home/u", NULL, "gcc 12", "a.c", "int x;\n", 7,
                      NULL, NULL, NULL);
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

static void
test_pieces (void)
{
  g_autoptr(GByteArray) b = plain_request ();
  gsize pieces[] = { 1, 2, 3, 7, 8, 9, 13, 64, 100000 };
  for (gsize i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      g_autoptr(DccRequestReader) r = dcc_request_reader_new (DCC_MAX_FRAME);
      g_autoptr(GError) error = NULL;
      gsize fed;
      g_assert_cmpint (feed_in_pieces (r, b, pieces[i], &fed, &error), ==, DCC_READER_COMPLETE);
      g_assert_no_error (error);
      g_assert_cmpuint (fed, ==, b->len);
      g_assert_cmpint (dcc_request_reader_protocol (r), ==, DCC_PROTOCOL_DCC1);
      g_autoptr(DccRequest) req = dcc_request_reader_steal_request (r);
      g_assert_nonnull (req);
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
  const char *starts[] = { "GET / HTTP/1.0\r\n", "DIST00000001", "\x00\x01\x02\x03" "abcd" };
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/request-reader/pieces", test_pieces);
  g_test_add_func ("/request-reader/extra-bytes", test_extra_bytes);
  g_test_add_func ("/request-reader/unknown-protocol", test_unknown_protocol);
  g_test_add_func ("/request-reader/declared-large", test_declared_large);
  return g_test_run ();
}
