/* Include server protocol: pure encode/decode, and dcc_is_query against a
 * canned server thread. */
#include "dcc-is-protocol.h"
#include "dcc-is-packed.h"
#include "dcc-request.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void
test_path_normalized (void)
{
  static const struct { const char *path; gboolean ok; } cases[] = {
    { "/a", TRUE }, { "/a/b.h", TRUE }, { "/a/.hidden", TRUE }, { "/a/...", TRUE },
    { "/", FALSE }, { "", FALSE }, { "a/b", FALSE }, { "/a/", FALSE }, { "/a//b", FALSE },
    { "/a/./b", FALSE }, { "/a/../b", FALSE }, { "/..", FALSE }, { "/.", FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpint (dcc_is_path_is_normalized (cases[i].path), ==, cases[i].ok);
      /* The same answer for a path that is not NUL-terminated. */
      g_autofree char *padded = g_strconcat (cases[i].path, "/x", NULL);
      g_assert_cmpint (dcc_is_path_is_normalized_len (padded, strlen (cases[i].path)), ==, cases[i].ok);
    }
  g_autofree char *deep = g_strnfill (DCC_MAX_PATH_LEN + 1, 'a');
  deep[0] = '/';
  g_assert_false (dcc_is_path_is_normalized (deep));
}

static void
test_request_roundtrip (void)
{
  const char *argv[] = { "gcc", "-c", "-DX=\"a b\"", "x.c", NULL };
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  dcc_is_request_encode (buf, "/work/p", argv);
  char *cwd = NULL, **out = NULL;
  gsize used = 0;
  g_autoptr(GError) error = NULL;
  g_assert_cmpint (dcc_is_request_decode (buf->data, buf->len, &cwd, &out, &used, &error), ==, DCC_WIRE_OK);
  g_assert_no_error (error);
  g_assert_cmpuint (used, ==, buf->len);
  g_assert_cmpstr (cwd, ==, "/work/p");
  g_assert_true (g_strv_equal ((const char *const *) out, argv));
  g_free (cwd);
  g_strfreev (out);
  /* Every proper prefix needs more bytes, never errors or reads past. */
  for (gsize n = 0; n < buf->len; n++)
    {
      g_autofree guint8 *copy = g_memdup2 (buf->data, n);
      g_assert_cmpint (dcc_is_request_decode (copy, n, &cwd, &out, &used, NULL), ==, DCC_WIRE_NEED_MORE);
    }
}

/* The incremental decoder, fed one more byte each call (as a slow client
 * would send), decodes what the whole-buffer decoder does, going on from
 * where it stopped: it never goes back over a frame it has decoded. */
static void
test_request_decoder_pieces (void)
{
  const char *argv[] = { "gcc", "-c", "-I", "inc dir", "x.c", "-o", "x.o", NULL };
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  dcc_is_request_encode (buf, "/work/p", argv);
  DccIsRequestDecoder d;
  dcc_is_request_decoder_init (&d);
  char *cwd = NULL, **out = NULL;
  gsize used = 0, last_pos = 0;
  for (gsize n = 0; n < buf->len; n++)
    {
      g_assert_cmpint (dcc_is_request_decoder_feed (&d, buf->data, n, &cwd, &out, &used, NULL), ==,
                       DCC_WIRE_NEED_MORE);
      g_assert_cmpuint (d.pos, >=, last_pos);
      g_assert_cmpuint (d.pos, <=, n);
      last_pos = d.pos;
    }
  g_assert_cmpuint (last_pos, >, 0);
  g_assert_cmpint (dcc_is_request_decoder_feed (&d, buf->data, buf->len, &cwd, &out, &used, NULL), ==,
                   DCC_WIRE_OK);
  dcc_is_request_decoder_clear (&d);
  g_assert_cmpuint (used, ==, buf->len);
  g_assert_cmpstr (cwd, ==, "/work/p");
  g_assert_true (g_strv_equal ((const char *const *) out, argv));
  g_free (cwd);
  g_strfreev (out);

  /* A wrong frame is refused once its header is in, mid-request too. */
  g_autoptr(GByteArray) bad = g_byte_array_new ();
  dcc_is_request_encode (bad, "/work/p", argv);
  g_byte_array_set_size (bad, 30);   /* past ISRQ and into CWD */
  dcc_is_request_decoder_init (&d);
  g_assert_cmpint (dcc_is_request_decoder_feed (&d, bad->data, bad->len, &cwd, &out, &used, NULL), ==,
                   DCC_WIRE_NEED_MORE);
  g_autoptr(GByteArray) rest = g_byte_array_new ();
  g_byte_array_append (rest, bad->data, (guint) d.pos);
  dcc_wire_put_frame (rest, DCC_TAG ('E', 'V', 'I', 'L'), "x", 1);
  g_autoptr(GError) error = NULL;
  g_assert_cmpint (dcc_is_request_decoder_feed (&d, rest->data, d.pos + DCC_FRAME_HEADER_LEN, &cwd, &out,
                                                &used, &error), ==, DCC_WIRE_ERROR);
  g_assert_error (error, DCC_ERROR, DCC_ERROR_PROTOCOL);
  dcc_is_request_decoder_clear (&d);
}

static void
put_u32_frame (GByteArray *b, const char *tag, guint32 v)
{
  dcc_wire_put_u32_frame (b, DCC_TAG (tag[0], tag[1], tag[2], tag[3]), v);
}

static void
put_str_frame (GByteArray *b, const char *tag, const char *s, gsize len)
{
  dcc_wire_put_frame (b, DCC_TAG (tag[0], tag[1], tag[2], tag[3]), s, len);
}

static void
test_request_malformed (void)
{
  enum { BAD_VERSION, ZERO_ARGC, HUGE_ARGC, ORDER, NUL_ARG, REL_CWD, SHORT_U32, LONG_ARG };
  for (int c = BAD_VERSION; c <= LONG_ARG; c++)
    {
      g_autoptr(GByteArray) b = g_byte_array_new ();
      put_u32_frame (b, "ISRQ", c == BAD_VERSION ? 2 : 1);
      if (c == ORDER)
        put_u32_frame (b, "ARGC", 1);
      put_str_frame (b, "CWD ", c == REL_CWD ? "rel" : "/w", c == REL_CWD ? 3 : 2);
      if (c == SHORT_U32)
        put_str_frame (b, "ARGC", "ab", 2);
      else
        put_u32_frame (b, "ARGC", c == ZERO_ARGC ? 0 : c == HUGE_ARGC ? DCC_MAX_ARGS + 1 : 1);
      if (c == NUL_ARG)
        put_str_frame (b, "ARGV", "g\0cc", 4);
      else if (c == LONG_ARG)
        {
          g_autofree char *big = g_strnfill (DCC_MAX_ARG_LEN + 1, 'x');
          put_str_frame (b, "ARGV", big, DCC_MAX_ARG_LEN + 1);
        }
      else
        put_str_frame (b, "ARGV", "gcc", 3);
      put_str_frame (b, "DONE", "", 0);
      char *cwd = NULL, **argv = NULL;
      gsize used;
      g_autoptr(GError) error = NULL;
      g_assert_cmpint (dcc_is_request_decode (b->data, b->len, &cwd, &argv, &used, &error), ==, DCC_WIRE_ERROR);
      g_assert_nonnull (error);
      g_assert_null (cwd);
      g_assert_null (argv);
    }
}

static GPtrArray *
sample_entries (void)
{
  GPtrArray *e = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
  DccHash h;
  dcc_hash_bytes ("x", 1, &h);
  g_ptr_array_add (e, dcc_entry_new (DCC_ENTRY_DIR, 0755, 0, NULL, "/usr", NULL));
  g_ptr_array_add (e, dcc_entry_new (DCC_ENTRY_DIR, 0755, 0, NULL, "/usr/include", NULL));
  g_ptr_array_add (e, dcc_entry_new (DCC_ENTRY_FILE, 0644, 1, &h, "/usr/include/a.h", NULL));
  g_ptr_array_add (e, dcc_entry_new (DCC_ENTRY_SYMLINK, 0777, 0, NULL, "/usr/include/l", "../x"));
  return e;
}

static void
test_reply_roundtrip (void)
{
  g_autoptr(GPtrArray) entries = sample_entries ();
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  dcc_is_reply_encode (buf, DCC_IS_STATUS_OK, NULL, entries);
  DccIsStatus status;
  char *msg = NULL;
  g_autoptr(GPtrArray) out = NULL;
  gsize used;
  g_autoptr(GError) error = NULL;
  g_assert_cmpint (dcc_is_reply_decode (buf->data, buf->len, &status, &msg, &out, &used, &error), ==, DCC_WIRE_OK);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, DCC_IS_STATUS_OK);
  g_assert_null (msg);
  g_assert_cmpuint (out->len, ==, entries->len);
  for (guint i = 0; i < out->len; i++)
    {
      DccEntry *a = entries->pdata[i], *b = out->pdata[i];
      g_assert_cmpuint (a->kind, ==, b->kind);
      g_assert_cmpuint (a->mode, ==, b->mode);
      g_assert_cmpuint (a->size, ==, b->size);
      g_assert_true (dcc_hash_equal (&a->hash, &b->hash));
      g_assert_cmpstr (a->path, ==, b->path);
      g_assert_cmpstr (a->target, ==, b->target);
    }
  for (gsize n = 0; n < buf->len; n++)
    {
      g_autoptr(GPtrArray) none = NULL;
      g_assert_cmpint (dcc_is_reply_decode (buf->data, n, &status, &msg, &none, &used, NULL), ==, DCC_WIRE_NEED_MORE);
      g_assert_null (none);
    }

  g_byte_array_set_size (buf, 0);
  dcc_is_reply_encode (buf, DCC_IS_STATUS_CANNOT_ANALYSE, "computed include", NULL);
  g_assert_cmpint (dcc_is_reply_decode (buf->data, buf->len, &status, &msg, &out, &used, &error), ==, DCC_WIRE_OK);
  g_assert_cmpint (status, ==, DCC_IS_STATUS_CANNOT_ANALYSE);
  g_assert_cmpstr (msg, ==, "computed include");
  g_free (msg);
}

/* dcc_is_packed_from_reply on a copy of buf[0..len). */
static gboolean
pack (const guint8 *buf, gsize len, DccIsStatus *status, char **msg, DccIsPacked **packed, GError **error)
{
  GByteArray *copy = g_byte_array_new ();
  g_byte_array_append (copy, buf, (guint) len);
  return dcc_is_packed_from_reply (copy, status, msg, packed, error);
}

/* The packed reply: the same entries as dcc_is_reply_decode gives, and the
 * same request bytes as a manifest of those entries encodes. */
static void
test_reply_packed (void)
{
  g_autoptr(GPtrArray) entries = sample_entries ();
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  dcc_is_reply_encode (buf, DCC_IS_STATUS_OK, NULL, entries);
  DccIsStatus status;
  g_autofree char *msg = NULL;
  g_autoptr(DccIsPacked) packed = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true (pack (buf->data, buf->len, &status, &msg, &packed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, DCC_IS_STATUS_OK);
  g_assert_null (msg);
  g_assert_cmpuint (dcc_is_packed_count (packed), ==, entries->len);
  for (guint i = 0; i < entries->len; i++)
    g_assert_true (dcc_is_packed_contains (packed, ((DccEntry *) entries->pdata[i])->path));
  g_assert_false (dcc_is_packed_contains (packed, "/usr/inc"));
  g_assert_false (dcc_is_packed_contains (packed, "/usr/include/a.h/"));
  g_assert_false (dcc_is_packed_contains (packed, "/"));

  /* An entry the client adds, then the manifest as the request carries it. */
  g_ptr_array_add (entries, dcc_entry_new (DCC_ENTRY_DIR, 0700, 0, NULL, "/w", NULL));
  dcc_is_packed_add (packed, entries->pdata[entries->len - 1]);
  g_assert_true (dcc_is_packed_contains (packed, "/w"));
  g_autoptr(GPtrArray) back = dcc_is_packed_entries (packed);
  g_assert_cmpuint (back->len, ==, entries->len);
  for (guint i = 0; i < back->len; i++)
    {
      DccEntry *a = entries->pdata[i], *b = back->pdata[i];
      g_assert_cmpuint (a->kind, ==, b->kind);
      g_assert_cmpuint (a->mode, ==, b->mode);
      g_assert_cmpuint (a->size, ==, b->size);
      g_assert_true (dcc_hash_equal (&a->hash, &b->hash));
      g_assert_cmpstr (a->path, ==, b->path);
      g_assert_cmpstr (a->target, ==, b->target);
    }
  const char *argv[] = { "gcc", "-c", "a.c", NULL };
  g_autoptr(GByteArray) want = g_byte_array_new ();
  g_autoptr(GByteArray) got = g_byte_array_new ();
  dcc_request_encode (want, &(DccRequestSpec) { .mode = DCC_MODE_PUMP, .argv = argv, .cwd = "/w",
                                                .manifest = entries });
  gsize len;
  const guint8 *bytes = dcc_is_packed_bytes (packed, &len);
  dcc_request_encode (got, &(DccRequestSpec) { .mode = DCC_MODE_PUMP, .argv = argv, .cwd = "/w",
                                               .manifest_bytes = bytes, .manifest_len = len });
  g_assert_cmpmem (want->data, want->len, got->data, got->len);

  /* Every truncation is refused; so are bytes after DONE. */
  for (gsize n = 0; n < buf->len; n++)
    {
      g_autoptr(DccIsPacked) none = NULL;
      g_autoptr(GError) e2 = NULL;
      g_assert_false (pack (buf->data, n, &status, &msg, &none, &e2));
      g_assert_nonnull (e2);
      g_assert_null (none);
    }
  g_byte_array_append (buf, (const guint8 *) "x", 1);
  {
    g_autoptr(DccIsPacked) none = NULL;
    g_autoptr(GError) e2 = NULL;
    g_assert_false (pack (buf->data, buf->len, &status, &msg, &none, &e2));
  }

  /* Another status: its message. */
  g_byte_array_set_size (buf, 0);
  dcc_is_reply_encode (buf, DCC_IS_STATUS_CANNOT_ANALYSE, "computed include", NULL);
  g_autoptr(DccIsPacked) none = NULL;
  g_assert_true (pack (buf->data, buf->len, &status, &msg, &none, &error));
  g_assert_cmpint (status, ==, DCC_IS_STATUS_CANNOT_ANALYSE);
  g_assert_cmpstr (msg, ==, "computed include");
  g_assert_null (none);
}

/* Many entries: the packed table grows past its first size. */
static void
test_reply_packed_many (void)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
  g_ptr_array_add (entries, dcc_entry_new (DCC_ENTRY_DIR, 0755, 0, NULL, "/d", NULL));
  DccHash h;
  dcc_hash_bytes ("x", 1, &h);
  for (guint i = 0; i < 5000; i++)
    {
      g_autofree char *path = g_strdup_printf ("/d/f%u.h", i);
      g_ptr_array_add (entries, dcc_entry_new (DCC_ENTRY_FILE, 0644, 1, &h, path, NULL));
    }
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  dcc_is_reply_encode (buf, DCC_IS_STATUS_OK, NULL, entries);
  DccIsStatus status;
  g_autofree char *msg = NULL;
  g_autoptr(DccIsPacked) packed = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true (pack (buf->data, buf->len, &status, &msg, &packed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dcc_is_packed_count (packed), ==, 5001);
  for (guint i = 0; i < entries->len; i++)
    g_assert_true (dcc_is_packed_contains (packed, ((DccEntry *) entries->pdata[i])->path));
  g_assert_false (dcc_is_packed_contains (packed, "/d/f5000.h"));
  /* The last entry again: listed twice. */
  g_ptr_array_add (entries, dcc_entry_new (DCC_ENTRY_FILE, 0644, 1, &h, "/d/f4999.h", NULL));
  g_byte_array_set_size (buf, 0);
  dcc_is_reply_encode (buf, DCC_IS_STATUS_OK, NULL, entries);
  g_autoptr(DccIsPacked) none = NULL;
  g_autoptr(GError) e2 = NULL;
  g_assert_false (pack (buf->data, buf->len, &status, &msg, &none, &e2));
  g_assert_error (e2, DCC_ERROR, DCC_ERROR_PROTOCOL);
}

/* Each case breaks one entry of the sample; the decoder must refuse it. */
static void
test_reply_invalid_entries (void)
{
  static const struct { const char *name; guint index; int kind; guint32 mode; guint64 size;
                        const char *path; const char *target; } cases[] = {
    { "relative path", 2, 0, 0644, 1, "usr/include/a.h", "" },
    { "dot-dot", 2, 0, 0644, 1, "/usr/include/../a.h", "" },
    { "parent missing", 2, 0, 0644, 1, "/opt/a.h", "" },
    { "parent is a file", 3, 2, 0777, 0, "/usr/include/a.h/x", "t" },
    { "duplicate", 1, 1, 0755, 0, "/usr", "" },
    { "bad kind", 2, 7, 0644, 1, "/usr/include/a.h", "" },
    { "type bits in mode", 2, 0, 0100644, 1, "/usr/include/a.h", "" },
    { "dir with size", 1, 1, 0755, 9, "/usr/include", "" },
    { "link without target", 3, 2, 0777, 0, "/usr/include/l", "" },
    { "file with target", 2, 0, 0644, 1, "/usr/include/a.h", "x" },
    { "file too big", 2, 0, 0644, (guint64) DCC_MAX_FILE_SIZE + 1, "/usr/include/a.h", "" },
  };
  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GPtrArray) entries = sample_entries ();
      DccEntry *e = entries->pdata[cases[c].index];
      e->kind = (guint8) cases[c].kind;
      e->mode = cases[c].mode;
      e->size = cases[c].size;
      g_free (e->path);
      e->path = g_strdup (cases[c].path);
      g_free (e->target);
      e->target = g_strdup (cases[c].target);
      if (e->kind != DCC_ENTRY_FILE && cases[c].kind != 7)
        memset (&e->hash, 0, sizeof e->hash);
      g_autoptr(GByteArray) buf = g_byte_array_new ();
      dcc_is_reply_encode (buf, DCC_IS_STATUS_OK, NULL, entries);
      DccIsStatus status;
      char *msg = NULL;
      GPtrArray *out = NULL;
      gsize used;
      g_autoptr(GError) error = NULL;
      if (dcc_is_reply_decode (buf->data, buf->len, &status, &msg, &out, &used, &error) != DCC_WIRE_ERROR)
        g_error ("case '%s' was accepted", cases[c].name);
      g_assert_nonnull (error);
      g_assert_null (out);
      g_autoptr(DccIsPacked) packed = NULL;
      g_autoptr(GError) e2 = NULL;
      if (pack (buf->data, buf->len, &status, &msg, &packed, &e2))
        g_error ("case '%s' was accepted when packed", cases[c].name);
      g_assert_cmpuint (e2->code, ==, error->code);
      g_assert_null (packed);
    }
}

/* ---- dcc_is_query against a canned server ---- */

typedef struct {
  int listen_fd;
  DccIsStatus status;
} Canned;

static gpointer
canned_server (gpointer data)
{
  Canned *c = data;
  int fd = accept (c->listen_fd, NULL, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_autoptr(GByteArray) in = g_byte_array_new ();
  char *cwd = NULL, **argv = NULL;
  gsize used;
  for (;;)
    {
      guint8 chunk[256];
      ssize_t n = read (fd, chunk, sizeof chunk);
      g_assert_cmpint (n, >, 0);
      g_byte_array_append (in, chunk, (guint) n);
      DccWireResult r = dcc_is_request_decode (in->data, in->len, &cwd, &argv, &used, NULL);
      g_assert_cmpint (r, !=, DCC_WIRE_ERROR);
      if (r == DCC_WIRE_OK)
        break;
    }
  g_assert_cmpstr (cwd, ==, "/w");
  g_assert_cmpstr (argv[0], ==, "cc");
  g_autoptr(GPtrArray) entries = sample_entries ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  dcc_is_reply_encode (out, c->status, "no", entries);
  g_assert_cmpint (write (fd, out->data, out->len), ==, (gssize) out->len);
  close (fd);
  g_free (cwd);
  g_strfreev (argv);
  return NULL;
}

static void
test_query (void)
{
  g_autofree char *dir = g_dir_make_tmp ("dcc-is-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sock", NULL);
  const char *argv[] = { "cc", "-c", "x.c", NULL };
  for (int round = 0; round < 2; round++)
    {
      Canned c = { .status = round == 0 ? DCC_IS_STATUS_OK : DCC_IS_STATUS_CANNOT_ANALYSE };
      struct sockaddr_un addr = { .sun_family = AF_UNIX };
      strcpy (addr.sun_path, path);
      unlink (path);
      c.listen_fd = socket (AF_UNIX, SOCK_STREAM, 0);
      g_assert_cmpint (bind (c.listen_fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
      g_assert_cmpint (listen (c.listen_fd, 1), ==, 0);
      GThread *t = g_thread_new ("canned", canned_server, &c);
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok = dcc_is_query (path, "/w", argv, 5000, &entries, &error);
      g_thread_join (t);
      close (c.listen_fd);
      if (round == 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpuint (entries->len, ==, 4);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, DCC_ERROR, DCC_ERROR_FAILED);
          g_assert_null (entries);
        }
    }
  /* Nobody listening: a clean error. */
  unlink (path);
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_false (dcc_is_query (path, "/w", argv, 1000, &none, &error));
  g_assert_nonnull (error);
  rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/is-request/path-normalized", test_path_normalized);
  g_test_add_func ("/is-request/request-roundtrip", test_request_roundtrip);
  g_test_add_func ("/is-request/request-malformed", test_request_malformed);
  g_test_add_func ("/is-request/decoder-pieces", test_request_decoder_pieces);
  g_test_add_func ("/is-request/reply-roundtrip", test_reply_roundtrip);
  g_test_add_func ("/is-request/reply-invalid-entries", test_reply_invalid_entries);
  g_test_add_func ("/is-request/reply-packed", test_reply_packed);
  g_test_add_func ("/is-request/reply-packed-many", test_reply_packed_many);
  g_test_add_func ("/is-request/query", test_query);
  return g_test_run ();
}
