/* Request and reply encoding round trips, and the decoder's refusals. */
#include "dcc-cidr.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-lz4.h"
#include "dcc-request.h"
#include "dcc-wire.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* Feeds every frame of buf to a fresh request; returns it or NULL + error. */
static DccRequest *
decode_all (const guint8 *buf, gsize len, GError **error)
{
  g_autoptr(DccRequest) r = dcc_request_new ();
  gsize off = 0;
  while (off < len)
    {
      DccFrame f;
      gsize used;
      DccWireResult wr = dcc_wire_decode (buf + off, len - off, DCC_MAX_FRAME, &f, &used, error);
      if (wr == DCC_WIRE_NEED_MORE)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "truncated"), NULL;
      if (wr == DCC_WIRE_ERROR || !dcc_request_feed (r, &f, error))
        return NULL;
      off += used;
    }
  return g_steal_pointer (&r);
}

static void
test_plain_round_trip (void)
{
  const char *argv[] = { "gcc", "-c", "a.c", "-o", "a.o", NULL };
  const char *env[] = { "LANG=C", NULL };
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_request_encode (b, &(DccRequestSpec) { .mode = DCC_MODE_PLAIN, .argv = argv, .cwd = "/home/u", .env = env,
                                              .compiler_id = "gcc 12", .source_name = "a.c",
                                              .source = "int x;\n", .source_len = 7 });
  g_autoptr(GError) error = NULL;
  g_autoptr(DccRequest) r = decode_all (b->data, b->len, &error);
  g_assert_no_error (error);
  g_assert_true (r->complete);
  g_assert_cmpuint (r->argv->len, ==, 6); /* plus the NULL */
  g_assert_cmpstr (r->argv->pdata[2], ==, "a.c");
  g_assert_cmpstr (r->cwd, ==, "/home/u");
  g_assert_cmpstr (r->compiler_id, ==, "gcc 12");
  g_assert_cmpstr (r->env->pdata[0], ==, "LANG=C");
  g_assert_cmpuint (g_bytes_get_size (r->source_text), ==, 7);
  g_assert_cmpmem (g_bytes_get_data (r->source_text, NULL), 7, "int x;\n", 7);
}

static void
test_pump_round_trip (void)
{
  const char *argv[] = { "gcc", "-c", "a.c", NULL };
  const char *sysdirs[] = { "/usr/include", NULL };
  g_autoptr(GPtrArray) m = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
  DccEntry *e = g_new0 (DccEntry, 1);
  e->kind = DCC_ENTRY_SYMLINK;
  e->mode = 0777;
  e->path = g_strdup ("/home/u/inc");
  e->target = g_strdup ("real");
  g_ptr_array_add (m, e);
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_request_encode (b, &(DccRequestSpec) { .mode = DCC_MODE_PUMP, .argv = argv, .cwd = "/home/u",
                                              .sysdirs = sysdirs, .manifest = m });
  g_autoptr(GError) error = NULL;
  g_autoptr(DccRequest) r = decode_all (b->data, b->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->manifest->len, ==, 1);
  DccEntry *d = r->manifest->pdata[0];
  g_assert_cmpint (d->kind, ==, DCC_ENTRY_SYMLINK);
  g_assert_cmpstr (d->target, ==, "real");
  g_assert_cmpstr (r->sysdirs->pdata[0], ==, "/usr/include");
}

typedef struct { const char *name; const char *hex; DccErrorCode code; } BadCase;

static void
put_frame_hex (GByteArray *b, const char *hex)
{
  for (const char *p = hex; p[0] && p[1]; p += 2)
    {
      guint8 v = (guint8) (g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
      g_byte_array_append (b, &v, 1);
    }
}

static void
test_refusals (void)
{
  static const BadCase cases[] = {
    { "not starting with DCC1", "41524743" "00000004" "00000001", DCC_ERROR_PROTOCOL },
    { "unknown version",        "44434331" "00000008" "00000009" "00000001", DCC_ERROR_PROTOCOL },
    { "unknown mode",           "44434331" "00000008" "00000001" "00000007", DCC_ERROR_PROTOCOL },
    { "ARGC over the limit",    "44434331" "00000008" "00000001" "00000001" "41524743" "00000004" "7fffffff", DCC_ERROR_LIMIT },
    { "ARGC zero",              "44434331" "00000008" "00000001" "00000001" "41524743" "00000004" "00000000", DCC_ERROR_LIMIT },
    { "ARGV before ARGC",       "44434331" "00000008" "00000001" "00000001" "41524756" "00000001" "78", DCC_ERROR_PROTOCOL },
    { "relative CWD",           "44434331" "00000008" "00000001" "00000001" "43574420" "00000001" "78", DCC_ERROR_PROTOCOL },
    { "NUL inside CWD",         "44434331" "00000008" "00000001" "00000001" "43574420" "00000003" "2f0078", DCC_ERROR_PROTOCOL },
    { "unknown frame",          "44434331" "00000008" "00000001" "00000001" "5a5a5a5a" "00000000", DCC_ERROR_PROTOCOL },
    { "DOTI before ARGV",       "44434331" "00000008" "00000001" "00000001" "444f5449" "00000004" "00000000", DCC_ERROR_PROTOCOL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) b = g_byte_array_new ();
      put_frame_hex (b, cases[i].hex);
      g_autoptr(GError) error = NULL;
      g_autoptr(DccRequest) r = decode_all (b->data, b->len, &error);
      g_assert_null (r);
      if (!g_error_matches (error, DCC_ERROR, cases[i].code))
        g_error ("%s: got %s", cases[i].name, error ? error->message : "no error");
    }
}

static void
test_frame_limits (void)
{
  guint8 hdr[8] = { 'D', 'C', 'C', '1', 0xff, 0xff, 0xff, 0xff };
  DccFrame f;
  gsize used;
  g_autoptr(GError) error = NULL;
  g_assert_cmpint (dcc_wire_decode (hdr, 8, DCC_MAX_FRAME, &f, &used, &error), ==, DCC_WIRE_ERROR);
  g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  g_assert_cmpint (dcc_wire_decode (hdr, 5, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_NEED_MORE);
  guint8 bad_tag[8] = { 0, 'C', 'C', '1', 0, 0, 0, 0 };
  g_assert_cmpint (dcc_wire_decode (bad_tag, 8, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_ERROR);
}

/* Walking a buffer by offset: an empty one (NULL, as an empty GByteArray's
 * data is) and the end of a full one need more bytes, and no offset is
 * applied to NULL (the sanitized build aborts on that). */
static void
test_frame_at (void)
{
  DccFrame f;
  gsize used;
  guint32 tag, len;
  g_assert_cmpint (dcc_wire_decode_at (NULL, 0, 0, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_NEED_MORE);
  g_assert_cmpint (dcc_wire_decode_header_at (NULL, 0, 0, DCC_MAX_FRAME, &tag, &len, NULL), ==, DCC_WIRE_NEED_MORE);
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_wire_put_u32_frame (b, DCC_TAG ('A', 'R', 'G', 'C'), 7);
  g_assert_cmpint (dcc_wire_decode_at (b->data, b->len, 0, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_OK);
  g_assert_cmpuint (used, ==, b->len);
  g_assert_cmpint (dcc_wire_decode_at (b->data, b->len, used, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_NEED_MORE);
  g_assert_cmpint (dcc_wire_decode_header_at (b->data, b->len, b->len - 4, DCC_MAX_FRAME, &tag, &len, NULL), ==, DCC_WIRE_NEED_MORE);
}

static void
test_reply_round_trip (void)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_reply_encode_status (b, 1, "out", 3, "warning: x\n", 11);
  dcc_reply_encode_file (b, "/home/u/a.o", "\x7f" "ELF", 4);
  dcc_reply_encode_done (b);
  g_autoptr(DccReply) r = dcc_reply_new ();
  gsize off = 0;
  while (off < b->len)
    {
      DccFrame f;
      gsize used;
      g_assert_cmpint (dcc_wire_decode (b->data + off, b->len - off, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_OK);
      g_autoptr(GError) error = NULL;
      g_assert_true (dcc_reply_feed (r, &f, &error));
      off += used;
    }
  g_assert_true (r->complete);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_cmpuint (r->files->len, ==, 1);
  g_assert_cmpuint (g_bytes_get_size (r->err), ==, 11);
}

/* A reply's outputs together are at most DCC_MAX_REPLY_OUTPUTS,
 * checked from the declared sizes before anything is allocated: 64
 * outputs of DCC_MAX_FILE_SIZE each would be 16 GiB in the client. */
static void
test_reply_outputs_total (void)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_reply_encode_status (b, 0, "", 0, "", 0);
  dcc_reply_encode_file (b, "/home/u/a.o", "\x7f" "ELF", 4);
  /* A second OUTF whose block declares the whole bound, with enough bytes
   * behind it for lz4's ratio: refused for the sum, not for itself. */
  gsize body = DCC_MAX_REPLY_OUTPUTS / 255 + 64;
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  const char *path = "/home/u/a.d";
  guint32 be = GUINT32_TO_BE ((guint32) strlen (path));
  g_byte_array_append (payload, (const guint8 *) &be, 4);
  g_byte_array_append (payload, (const guint8 *) path, strlen (path));
  be = GUINT32_TO_BE (DCC_MAX_REPLY_OUTPUTS);
  g_byte_array_append (payload, (const guint8 *) &be, 4);
  g_byte_array_set_size (payload, payload->len + body);
  dcc_wire_put_frame (b, DCC_TAG_OUTFILE, payload->data, payload->len);
  g_autoptr(DccReply) r = dcc_reply_new ();
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;
  for (gsize off = 0, used; ok && off < b->len; off += used)
    {
      DccFrame f;
      g_assert_cmpint (dcc_wire_decode (b->data + off, b->len - off, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_OK);
      ok = dcc_reply_feed (r, &f, &error);
    }
  g_assert_false (ok);
  g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  g_assert_nonnull (strstr (error->message, "output files total more than"));
  g_assert_cmpuint (r->files->len, ==, 1);
  g_assert_cmpuint (r->files_bytes, ==, 4);
}

static void
test_blob_hash_mismatch (void)
{
  DccHash h;
  dcc_hash_bytes ("other", 5, &h);
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_blob_encode (b, &h, "content", 7);
  DccFrame f;
  gsize used;
  g_assert_cmpint (dcc_wire_decode (b->data, b->len, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_OK);
  DccHash got;
  GBytes *data = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_false (dcc_blob_decode (&f, DCC_MAX_FILE_SIZE, &got, &data, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_MISMATCH);
}

/* Declared sizes are refused before allocating: over the limit, or more
 * than lz4 can expand the bytes that follow (DCC_LZ4_MAX_RATIO). */
static void
test_lz4_declared (void)
{
  /* 1 MiB of zeros compresses about 250:1; it must be accepted. */
  gsize raw = 1 << 20;
  g_autofree guint8 *zeros = g_malloc0 (raw);
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_lz4_compress_append (b, zeros, raw);
  g_assert_cmpuint (raw, <=, (gsize) (b->len - 4) * DCC_LZ4_MAX_RATIO);
  g_assert_cmpuint (raw, >, (gsize) (b->len - 4) * 200);
  guint32 declared = 0;
  g_assert_true (dcc_lz4_check_declared (b->data, b->len, raw, &declared, NULL));
  g_assert_cmpuint (declared, ==, raw);
  g_autoptr(GBytes) out = dcc_lz4_decompress (b->data, b->len, raw, NULL);
  g_assert_nonnull (out);
  g_assert_cmpuint (g_bytes_get_size (out), ==, raw);

  /* Limit: one byte less than declared. */
  g_autoptr(GError) e1 = NULL;
  g_assert_null (dcc_lz4_decompress (b->data, b->len, raw - 1, &e1));
  g_assert_error (e1, DCC_ERROR, DCC_ERROR_LIMIT);

  /* The same block claiming one byte more than 255 times its length. */
  guint32 claim = (guint32) ((b->len - 4) * DCC_LZ4_MAX_RATIO + 1);
  guint32 be = GUINT32_TO_BE (claim);
  memcpy (b->data, &be, 4);
  g_autoptr(GError) e2 = NULL;
  g_assert_false (dcc_lz4_check_declared (b->data, b->len, DCC_MAX_FILE_SIZE, &declared, &e2));
  g_assert_error (e2, DCC_ERROR, DCC_ERROR_LIMIT);
  g_assert_nonnull (strstr (e2->message, "more than lz4 can expand"));

  /* 255 MiB from 7 bytes (the old bomb): refused by ratio, not by lz4. */
  const guint8 bomb[] = { 0x0f, 0xf0, 0x00, 0x00, 0x70, 'i', 'n', 't', ' ', 'x', ';' };
  g_autoptr(GError) e3 = NULL;
  g_assert_null (dcc_lz4_decompress (bomb, sizeof bomb, DCC_MAX_FILE_SIZE, &e3));
  g_assert_error (e3, DCC_ERROR, DCC_ERROR_LIMIT);

  /* Empty content: one token byte, raw 0. */
  g_autoptr(GByteArray) empty = g_byte_array_new ();
  dcc_lz4_compress_append (empty, "", 0);
  g_autoptr(GBytes) none = dcc_lz4_decompress (empty->data, empty->len, 0, NULL);
  g_assert_nonnull (none);
  g_assert_cmpuint (g_bytes_get_size (none), ==, 0);
}

static DccEntry *
file_entry (const char *path, const char *content, guint64 size)
{
  DccEntry *e = g_new0 (DccEntry, 1);
  e->kind = DCC_ENTRY_FILE;
  e->mode = 0644;
  e->size = size;
  dcc_hash_bytes (content, strlen (content), &e->hash);
  e->path = g_strdup (path);
  e->target = g_strdup ("");
  return e;
}

/* A job's files in total are bounded by input_limit, in both modes. */
static void
test_job_input_limit (void)
{
  const char *argv[] = { "gcc", "-c", "a.c", NULL };
  g_autoptr(GByteArray) plain = g_byte_array_new ();
  g_autofree char *src = g_strnfill (1000, 'x');
  dcc_request_encode (plain, &(DccRequestSpec) { .mode = DCC_MODE_PLAIN, .argv = argv, .cwd = "/w",
                                                  .source_name = "a.c", .source = src, .source_len = 1000 });
  static const struct { guint64 limit; gboolean ok; } rows[] = { { 1000, TRUE }, { 999, FALSE } };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(DccRequest) r = dcc_request_new ();
      g_assert_cmpuint (r->input_limit, ==, DCC_DEFAULT_JOB_INPUT_SIZE);
      r->input_limit = rows[i].limit;
      g_autoptr(GError) error = NULL;
      gsize off = 0;
      gboolean ok = TRUE;
      while (ok && off < plain->len)
        {
          DccFrame f;
          gsize used;
          g_assert_cmpint (dcc_wire_decode (plain->data + off, plain->len - off, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_OK);
          ok = dcc_request_feed (r, &f, &error);
          off += used;
        }
      g_assert_cmpint (ok, ==, rows[i].ok);
      if (!ok)
        g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
    }

  /* Pump: distinct contents count once; a content listed twice with two
   * sizes is refused. */
  for (int variant = 0; variant < 3; variant++)
    {
      g_autoptr(GPtrArray) m = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
      g_ptr_array_add (m, file_entry ("/w/a.c", "aaaa", 600));
      g_ptr_array_add (m, file_entry ("/w/b.h", "bbbb", 400));
      g_ptr_array_add (m, file_entry ("/w/c.h", "aaaa", variant == 2 ? 601 : 600));
      g_autoptr(GByteArray) b = g_byte_array_new ();
      dcc_request_encode (b, &(DccRequestSpec) { .mode = DCC_MODE_PUMP, .argv = argv, .cwd = "/w", .manifest = m });
      g_autoptr(DccRequest) r = dcc_request_new ();
      r->input_limit = (variant == 1 ? 999 : 1000) + DCC_DIR_INPUT_COST;   /* and the directory /w */
      g_autoptr(GError) error = NULL;
      gsize off = 0;
      gboolean ok = TRUE;
      while (ok && off < b->len)
        {
          DccFrame f;
          gsize used;
          g_assert_cmpint (dcc_wire_decode (b->data + off, b->len - off, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_OK);
          ok = dcc_request_feed (r, &f, &error);
          off += used;
        }
      if (variant == 0)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (r->input_bytes, ==, 1000 + DCC_DIR_INPUT_COST);
        }
      else
        {
          gint want = variant == 1 ? DCC_ERROR_LIMIT : DCC_ERROR_PROTOCOL;
          g_assert_error (error, DCC_ERROR, want);
        }
    }
}

/* Feeds a pump request with manifest m under limit; the request, or NULL + error. */
static DccRequest *
decode_pump_manifest (GPtrArray *m, guint64 limit, GError **error)
{
  const char *argv[] = { "gcc", "-c", "a.c", NULL };
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_request_encode (b, &(DccRequestSpec) { .mode = DCC_MODE_PUMP, .argv = argv, .cwd = "/w", .manifest = m });
  g_autoptr(DccRequest) r = dcc_request_new ();
  r->input_limit = limit;
  for (gsize off = 0, used; off < b->len; off += used)
    {
      DccFrame f;
      g_assert_cmpint (dcc_wire_decode (b->data + off, b->len - off, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_OK);
      if (!dcc_request_feed (r, &f, error))
        return NULL;
    }
  return g_steal_pointer (&r);
}

/* Each directory the job's tree will hold counts DCC_DIR_INPUT_COST
 * against the limit, once however many entries lie in it: a manifest of
 * deep directories (empty ones cost no file bytes) cannot fill the
 * volunteer's disk with them. */
static void
test_job_input_dirs (void)
{
  g_autoptr(GPtrArray) m = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
  g_ptr_array_add (m, file_entry ("/w/a.c", "aaaa", 100));
  g_ptr_array_add (m, file_entry ("/w/sub/x.h", "xxxx", 50));
  g_ptr_array_add (m, file_entry ("/w/sub/y.h", "yyyy", 50));
  g_ptr_array_add (m, dcc_entry_new (DCC_ENTRY_DIR, 0755, 0, &(DccHash) { 0 }, "/w/sub", NULL));
  g_ptr_array_add (m, dcc_entry_new (DCC_ENTRY_DIR, 0755, 0, &(DccHash) { 0 }, "/w/e/", NULL));
  g_ptr_array_add (m, dcc_entry_new (DCC_ENTRY_SYMLINK, 0777, 0, &(DccHash) { 0 }, "/usr/l", "/w"));
  /* /w, /w/sub, /w/e and /usr: four directories. */
  guint64 need = 200 + 4 * DCC_DIR_INPUT_COST;
  g_autoptr(GError) error = NULL;
  g_autoptr(DccRequest) r = decode_pump_manifest (m, need, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->input_bytes, ==, need);
  g_clear_pointer (&r, dcc_request_free);
  r = decode_pump_manifest (m, need - 1, &error);
  g_assert_null (r);
  g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  g_assert_nonnull (strstr (error->message, "directories"));
  g_clear_error (&error);

  /* The attack: directory entries DCC_MAX_PATH_DEPTH deep on distinct
   * branches, no file at all. 200 of them under the default limit (128
   * MiB, 32768 directories) would be 51,200 directories: refused. */
  g_autoptr(GPtrArray) bomb = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
  for (int i = 0; i < 200; i++)
    {
      g_autoptr(GString) path = g_string_new (NULL);
      g_string_append_printf (path, "/d%d", i);
      for (guint depth = 1; depth < DCC_MAX_PATH_DEPTH; depth++)
        g_string_append (path, "/x");
      g_ptr_array_add (bomb, dcc_entry_new (DCC_ENTRY_DIR, 0755, 0, &(DccHash) { 0 }, path->str, NULL));
    }
  r = decode_pump_manifest (bomb, DCC_DEFAULT_JOB_INPUT_SIZE, &error);
  g_assert_null (r);
  g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  g_clear_error (&error);
  /* 128 of them (32768 directories) are the most the default allows. */
  g_ptr_array_set_size (bomb, 128);
  r = decode_pump_manifest (bomb, DCC_DEFAULT_JOB_INPUT_SIZE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->input_bytes, ==, (guint64) DCC_DEFAULT_JOB_INPUT_SIZE);
}

/* dcc_blob_peek gives the hash and declared size without decompressing;
 * dcc_blob_decode refuses a declared size over max_raw. */
static void
test_blob_peek (void)
{
  DccHash h;
  dcc_hash_bytes ("content", 7, &h);
  g_autoptr(GByteArray) b = g_byte_array_new ();
  dcc_blob_encode (b, &h, "content", 7);
  DccFrame f;
  gsize used;
  g_assert_cmpint (dcc_wire_decode (b->data, b->len, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_OK);
  DccHash got;
  guint32 raw_len = 0;
  g_assert_true (dcc_blob_peek (&f, &got, &raw_len, NULL));
  g_assert_true (dcc_hash_equal (&got, &h));
  g_assert_cmpuint (raw_len, ==, 7);
  GBytes *data = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_false (dcc_blob_decode (&f, 6, &got, &data, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  g_assert_true (dcc_blob_decode (&f, 7, &got, &data, NULL));
  g_bytes_unref (data);
}

static void
test_cidr (void)
{
  static const struct { const char *net, *addr; gboolean match; } rows[] = {
    { "127.0.0.1", "127.0.0.1", TRUE }, { "127.0.0.0/8", "127.1.2.3", TRUE },
    { "10.0.0.0/8", "127.0.0.1", FALSE }, { "192.168.1.0/24", "192.168.2.1", FALSE },
    { "0.0.0.0/0", "8.8.8.8", TRUE }, { "::1", "::1", TRUE }, { "fe80::/10", "fe80::1", TRUE },
    { "127.0.0.0/8", "::ffff:127.0.0.1", TRUE }, { "10.0.0.0/8", "::1", FALSE },
    { "172.16.0.0/12", "172.31.255.255", TRUE }, { "172.16.0.0/12", "172.32.0.0", FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      DccCidr c;
      g_assert_true (dcc_cidr_parse (rows[i].net, &c, NULL));
      struct sockaddr_storage ss = { 0 };
      socklen_t len;
      if (strchr (rows[i].addr, ':'))
        {
          struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;
          s6->sin6_family = AF_INET6;
          inet_pton (AF_INET6, rows[i].addr, &s6->sin6_addr);
          len = sizeof *s6;
        }
      else
        {
          struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;
          s4->sin_family = AF_INET;
          inet_pton (AF_INET, rows[i].addr, &s4->sin_addr);
          len = sizeof *s4;
        }
      if (dcc_cidr_match (&c, (struct sockaddr *) &ss, len) != rows[i].match)
        g_error ("%s vs %s", rows[i].net, rows[i].addr);
    }
  static const char *const bad[] = { "", "x", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8x", "1.2.3" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      DccCidr c;
      g_autoptr(GError) error = NULL;
      g_assert_false (dcc_cidr_parse (bad[i], &c, &error));
      g_assert_error (error, DCC_ERROR, DCC_ERROR_INVALID);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/request/plain-round-trip", test_plain_round_trip);
  g_test_add_func ("/request/pump-round-trip", test_pump_round_trip);
  g_test_add_func ("/request/refusals", test_refusals);
  g_test_add_func ("/wire/frame-limits", test_frame_limits);
  g_test_add_func ("/wire/frame-at", test_frame_at);
  g_test_add_func ("/reply/round-trip", test_reply_round_trip);
  g_test_add_func ("/reply/outputs-total", test_reply_outputs_total);
  g_test_add_func ("/blob/hash-mismatch", test_blob_hash_mismatch);
  g_test_add_func ("/blob/peek", test_blob_peek);
  g_test_add_func ("/lz4/declared-size", test_lz4_declared);
  g_test_add_func ("/request/job-input-limit", test_job_input_limit);
  g_test_add_func ("/request/job-input-dirs", test_job_input_dirs);
  g_test_add_func ("/cidr/match", test_cidr);
  return g_test_run ();
}
