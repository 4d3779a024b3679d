/* A stock distcc client's request on our volunteer (server/stock-session.c):
 * the command line it sent becomes a plain-mode job's (the text as STEM.i,
 * as stock distccd names it), what the stock reply cannot carry is refused,
 * and our reply becomes stock's DONE/STAT/SERR/SOUT/DOTO, bytes for bytes. */
#include "dcc-error.h"
#include "dcc-lzo.h"
#include "dcc-request.h"
#include "dcc-stock-wire.h"
#include "stock-session.h"
#include <string.h>

static DccRequest *
stock_req (guint32 protover, const char *cmd)
{
  DccRequest *r = dcc_request_new ();
  r->stock_protover = protover;
  r->mode = DCC_MODE_PLAIN;
  g_auto(GStrv) argv = g_strsplit (cmd, " ", -1);
  for (char **p = argv; *p; p++)
    g_ptr_array_add (r->argv, g_strdup (*p));
  g_ptr_array_add (r->argv, NULL);
  r->source_text = g_bytes_new_static ("int x;\n", 7);
  r->complete = TRUE;
  return r;
}

static void
test_adapt (void)
{
  static const struct { const char *in, *want, *source; } rows[] = {
    { "x86_64-linux-gnu-gcc -O2 -c s1.c -o s1.o", "x86_64-linux-gnu-gcc -O2 -c s1.i -o s1.o", "s1.i" },
    { "gcc -c ../src/deep/a.c -o /abs/obj/a.o", "gcc -c a.i -o a.o", "a.i" },
    { "g++ -std=c++17 -c w.cc -o w.o", "g++ -std=c++17 -c w.ii -o w.o", "w.ii" },
    { "clang -c m.m -o m.o -target x86_64-linux-gnu", "clang -c m.mi -o m.o -target x86_64-linux-gnu", "m.mi" },
    { "gcc -c x.S -o x.o", "gcc -c x.s -o x.o", "x.s" },
    { "gcc -c already.i -o already.o", "gcc -c already.i -o already.o", "already.i" },
    { "gcc -S t.c -o t.s", "gcc -S t.i -o t.s", "t.i" },
    { "gcc -c noout.c", "gcc -c noout.i -o noout.o", "noout.i" },
    { "gcc -c j.c -ojoined.o", "gcc -c j.i -oj.o", "j.i" },
    { "gcc -c k.c -o k.o -Wl,-rpath,/x", "gcc -c k.i -o k.o", "k.i" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(DccRequest) r = stock_req (2, rows[i].in);
      g_autoptr(GError) error = NULL;
      if (!dcc_stock_session_adapt (r, &error))
        g_error ("row %zu: %s", i, error->message);
      g_ptr_array_set_size (r->argv, r->argv->len - 1);
      g_ptr_array_add (r->argv, NULL);
      g_autofree char *got = g_strjoinv (" ", (char **) r->argv->pdata);
      g_assert_cmpstr (got, ==, rows[i].want);
      g_assert_cmpstr (r->cwd, ==, DCC_STOCK_JOB_CWD);
      g_assert_cmpstr (r->source_name, ==, rows[i].source);
    }
}

static void
test_adapt_refusals (void)
{
  static const struct { const char *in, *why; } rows[] = {
    { "gcc -E a.c", "cannot run remotely" },
    { "gcc -c a.c b.c", "cannot run remotely" },
    { "gcc -c a.c -o a.o -MD -MF a.d", "dependency file" },
    { "gcc -c a.c -o a.o -fstack-usage", "only the object" },
    { "gcc -c a.c -o a.o -gsplit-dwarf -g", "only the object" },
    { "gcc a.c -o a", "cannot run remotely" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(DccRequest) r = stock_req (1, rows[i].in);
      g_autoptr(GError) error = NULL;
      g_assert_false (dcc_stock_session_adapt (r, &error));
      g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
      if (!strstr (error->message, rows[i].why))
        g_error ("row %zu: \"%s\" lacks \"%s\"", i, error->message, rows[i].why);
    }
}

static gboolean
decode (const GByteArray *b, guint32 v, DccStockReply *r)
{
  dcc_stock_reply_init (r, v);
  gsize off = 0;
  while (!r->complete)
    {
      guint32 tok, val, body;
      if (b->len - off < DCC_STOCK_HEADER_LEN
          || !dcc_stock_header_parse (b->data + off, &tok, &val, NULL)
          || !dcc_stock_reply_feed_header (r, tok, val, &body, NULL))
        return FALSE;
      off += DCC_STOCK_HEADER_LEN;
      if (body == 0)
        continue;
      if (b->len - off < body || !dcc_stock_reply_feed_body (r, b->data + off, body, NULL))
        return FALSE;
      off += body;
    }
  return off == b->len;
}

static void
test_reply (void)
{
  const char obj[] = "\x7f" "ELF object bytes";
  for (guint32 v = 1; v <= 2; v++)
    {
      g_autoptr(DccRequest) r = stock_req (v, "gcc -O2 -c s1.c -o s1.o");
      g_assert_true (dcc_stock_session_adapt (r, NULL));
      g_autoptr(GByteArray) ours = g_byte_array_new ();
      dcc_reply_encode_status (ours, 0, "out\n", 4, "warning: w\n", 11);
      dcc_reply_encode_file (ours, DCC_STOCK_JOB_CWD "/other.txt", "zzz", 3);
      dcc_reply_encode_file (ours, DCC_STOCK_JOB_CWD "/s1.o", obj, sizeof obj);
      dcc_reply_encode_done (ours);
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      g_assert_true (dcc_stock_session_reply (r, ours->data, ours->len, out, &error));
      g_assert_no_error (error);
      g_assert_true (memcmp (out->data, v == 1 ? "DONE00000001STAT00000000" : "DONE00000002STAT00000000", 24) == 0);
      g_auto(DccStockReply) sr;
      g_assert_true (decode (out, v, &sr));
      g_assert_cmpint (sr.wait_status, ==, 0);
      g_assert_cmpmem (g_bytes_get_data (sr.err, NULL), g_bytes_get_size (sr.err), "warning: w\n", 11);
      g_assert_cmpmem (g_bytes_get_data (sr.out, NULL), g_bytes_get_size (sr.out), "out\n", 4);
      g_assert_cmpmem (g_bytes_get_data (sr.obj, NULL), g_bytes_get_size (sr.obj), obj, sizeof obj);
    }
  /* exit 1: wait status 1 << 8 and DOTO 0; signal 9: wait status 9 */
  static const struct { int ours, wait; } st[] = { { 1, 256 }, { 4, 1024 }, { 256 + 9, 9 } };
  for (gsize i = 0; i < G_N_ELEMENTS (st); i++)
    {
      g_autoptr(DccRequest) r = stock_req (2, "gcc -c s1.c -o s1.o");
      g_assert_true (dcc_stock_session_adapt (r, NULL));
      g_autoptr(GByteArray) ours = g_byte_array_new ();
      dcc_reply_encode_status (ours, st[i].ours, "", 0, "s1.c:1: error\n", 14);
      dcc_reply_encode_done (ours);
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_assert_true (dcc_stock_session_reply (r, ours->data, ours->len, out, NULL));
      g_auto(DccStockReply) sr;
      g_assert_true (decode (out, 2, &sr));
      g_assert_cmpint (sr.wait_status, ==, st[i].wait);
      g_assert_null (sr.obj);
      g_assert_true (memcmp (out->data + out->len - 12, "DOTO00000000", 12) == 0);
    }
}

static void
test_reply_refusals (void)
{
  g_autoptr(DccRequest) r = stock_req (2, "gcc -c s1.c -o s1.o");
  g_assert_true (dcc_stock_session_adapt (r, NULL));
  /* success without the object: never an empty DOTO */
  g_autoptr(GByteArray) ours = g_byte_array_new ();
  dcc_reply_encode_status (ours, 0, "", 0, "", 0);
  dcc_reply_encode_file (ours, DCC_STOCK_JOB_CWD "/s1.o.other", "x", 1);
  dcc_reply_encode_done (ours);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_assert_false (dcc_stock_session_reply (r, ours->data, ours->len, out, &error));
  g_assert_nonnull (strstr (error->message, "without writing " DCC_STOCK_JOB_CWD "/s1.o"));
  /* EROR, and a reply cut short */
  g_autoptr(GByteArray) eror = g_byte_array_new ();
  dcc_reply_encode_error (eror, "compiler differs");
  g_clear_error (&error);
  g_assert_false (dcc_stock_session_reply (r, eror->data, eror->len, out, &error));
  g_assert_nonnull (strstr (error->message, "compiler differs"));
  g_clear_error (&error);
  g_assert_false (dcc_stock_session_reply (r, ours->data, ours->len - 3, out, &error));
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server-stock/adapt", test_adapt);
  g_test_add_func ("/server-stock/adapt-refusals", test_adapt_refusals);
  g_test_add_func ("/server-stock/reply", test_reply);
  g_test_add_func ("/server-stock/reply-refusals", test_reply_refusals);
  return g_test_run ();
}
