/* Tests for the include server's cache file (includeserver/cache-file.c):
 * what is saved comes back the same, and anything else is refused. */
#include "cache-file.h"
#include "dcc-error.h"
#include "dcc-is-protocol.h"
#include <string.h>

static DccScanResult *
make_scan (void)
{
  g_autoptr(GPtrArray) includes = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_include_free);
  g_autoptr(GPtrArray) macros = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_macro_free);
  DccScanInclude *a = g_new0 (DccScanInclude, 1);
  *a = (DccScanInclude) { DCC_SCAN_INCLUDE, DCC_SCAN_ANGLED, g_strdup ("stdio.h"), 3 };
  DccScanInclude *b = g_new0 (DccScanInclude, 1);
  *b = (DccScanInclude) { DCC_SCAN_INCLUDE_NEXT, DCC_SCAN_COMPUTED, g_strdup ("HDR(x)"), 9 };
  g_ptr_array_add (includes, a);
  g_ptr_array_add (includes, b);
  DccScanMacro *m1 = g_new0 (DccScanMacro, 1);
  *m1 = (DccScanMacro) { g_strdup ("HDR"), g_strdup ("<x/n.h>"), TRUE, g_strdup ("n") };
  DccScanMacro *m2 = g_new0 (DccScanMacro, 1);
  *m2 = (DccScanMacro) { g_strdup ("HDR"), g_strdup ("\"y.h\""), FALSE, NULL };
  g_ptr_array_add (macros, m1);
  g_ptr_array_add (macros, m2);
  return dcc_scan_result_new (includes, macros);
}

static GByteArray *
encode_sample (void)
{
  g_autoptr(GArray) hashes = g_array_new (FALSE, TRUE, sizeof (DccCachedHash));
  DccCachedHash h;
  memset (&h, 0, sizeof h);
  h.key = (DccFileKey) { .dev = 2049, .ino = 77, .size = 12, .mtime_s = 1700000000, .mtime_ns = 5,
                         .ctime_s = 1700000001, .ctime_ns = 6, .mode = 0100644 };
  dcc_hash_bytes ("hello", 5, &h.hash);
  g_array_append_val (hashes, h);
  g_autoptr(GPtrArray) scans = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_scan_free);
  DccCachedScan *s = g_new0 (DccCachedScan, 1);
  dcc_hash_bytes ("header", 6, &s->hash);
  s->cplusplus = TRUE;
  s->scan = make_scan ();
  g_ptr_array_add (scans, s);
  g_autoptr(GPtrArray) closures = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_closure_free);
  DccCachedClosure *c = g_new0 (DccCachedClosure, 1);
  c->key = g_strdup ("/src\037gcc\037-c\037a.c");
  c->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
  g_ptr_array_add (c->entries, dcc_entry_new (DCC_ENTRY_DIR, 0755, 0, NULL, "/src", NULL));
  g_ptr_array_add (c->entries, dcc_entry_new (DCC_ENTRY_FILE, 0644, 5, &h.hash, "/src/a.c", NULL));
  c->checks = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_check_free);
  DccCachedCheck *ck = g_new0 (DccCachedCheck, 1);
  ck->path = g_strdup ("/src/a.c");
  ck->exists = TRUE;
  ck->key = h.key;
  g_ptr_array_add (c->checks, ck);
  DccCachedCheck *gone = g_new0 (DccCachedCheck, 1);
  gone->path = g_strdup ("/usr/include");
  gone->follow = TRUE;
  g_ptr_array_add (c->checks, gone);
  DccCachedCheck *searched = g_new0 (DccCachedCheck, 1);
  searched->path = g_strdup ("/src");
  searched->exists = TRUE;
  searched->follow = TRUE;
  searched->key.mode = 040755;
  searched->absent = g_strdup ("cfg.h/sys/");
  g_ptr_array_add (c->checks, searched);
  g_ptr_array_add (closures, c);
  GByteArray *buf = g_byte_array_new ();
  dcc_is_cache_encode (buf, "tag 1", hashes, scans, closures);
  return buf;
}

static void
test_round_trip (void)
{
  g_autoptr(GByteArray) buf = encode_sample ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) hashes = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  g_autoptr(GPtrArray) closures = NULL;
  g_assert_true (dcc_is_cache_decode (buf->data, buf->len, "tag 1", &hashes, &scans, &closures, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hashes->len, ==, 1);
  const DccCachedHash *h = &g_array_index (hashes, DccCachedHash, 0);
  g_assert_cmpuint (h->key.ino, ==, 77);
  g_assert_cmpint (h->key.ctime_ns, ==, 6);
  g_assert_cmpuint (h->key.mode, ==, 0100644);
  DccHash want;
  dcc_hash_bytes ("hello", 5, &want);
  g_assert_true (dcc_hash_equal (&h->hash, &want));

  g_assert_cmpuint (scans->len, ==, 1);
  const DccCachedScan *s = scans->pdata[0];
  g_assert_true (s->cplusplus);
  g_assert_cmpuint (s->scan->includes->len, ==, 2);
  const DccScanInclude *b = s->scan->includes->pdata[1];
  g_assert_cmpint (b->kind, ==, DCC_SCAN_INCLUDE_NEXT);
  g_assert_cmpint (b->form, ==, DCC_SCAN_COMPUTED);
  g_assert_cmpstr (b->name, ==, "HDR(x)");
  g_assert_cmpuint (b->line, ==, 9);
  GPtrArray *defs = g_hash_table_lookup (s->scan->macro_index, "HDR");
  g_assert_nonnull (defs);
  g_assert_cmpuint (defs->len, ==, 2);
  const DccScanMacro *m1 = defs->pdata[0], *m2 = defs->pdata[1];
  g_assert_true (m1->function_like);
  g_assert_cmpstr (m1->params, ==, "n");
  g_assert_cmpstr (m1->body, ==, "<x/n.h>");
  g_assert_false (m2->function_like);
  g_assert_null (m2->params);

  g_assert_cmpuint (closures->len, ==, 1);
  const DccCachedClosure *c = closures->pdata[0];
  g_assert_cmpstr (c->key, ==, "/src\037gcc\037-c\037a.c");
  g_assert_cmpuint (c->entries->len, ==, 2);
  const DccEntry *e = c->entries->pdata[1];
  g_assert_cmpstr (e->path, ==, "/src/a.c");
  g_assert_true (dcc_hash_equal (&e->hash, &want));
  g_assert_cmpuint (c->checks->len, ==, 3);
  const DccCachedCheck *ck = c->checks->pdata[0], *gone = c->checks->pdata[1], *searched = c->checks->pdata[2];
  g_assert_true (ck->exists && !ck->follow && !ck->identity);
  g_assert_cmpuint (ck->key.ino, ==, 77);
  g_assert_true (!gone->exists && gone->follow);
  g_assert_cmpstr (gone->path, ==, "/usr/include");
  g_assert_null (ck->absent);
  g_assert_true (searched->exists && searched->follow);
  g_assert_cmpstr (searched->absent, ==, "cfg.h/sys/");
}

static void
test_refusals (void)
{
  g_autoptr(GByteArray) buf = encode_sample ();
  g_autoptr(GArray) hashes = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  g_autoptr(GPtrArray) closures = NULL;
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (dcc_is_cache_decode (buf->data, buf->len, "tag 2", &hashes, &scans, &closures, NULL, &error));
    g_assert_error (error, DCC_ERROR, DCC_ERROR_MISMATCH);
  }
  /* every truncation, and a byte too many */
  for (guint n = 0; n < buf->len; n++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_false (dcc_is_cache_decode (buf->data, n, "tag 1", &hashes, &scans, &closures, NULL, &error));
      g_assert_nonnull (error);
    }
  g_byte_array_append (buf, (const guint8 *) "x", 1);
  g_autoptr(GError) error = NULL;
  g_assert_false (dcc_is_cache_decode (buf->data, buf->len, "tag 1", &hashes, &scans, &closures, NULL, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_PROTOCOL);
  g_assert_null (hashes);
  g_assert_null (scans);
}

/* Two closures with the same entries and checks: each item is written once,
 * and both come back whole. */
static void
test_shared_items (void)
{
  g_autoptr(GByteArray) one = encode_sample ();
  g_autoptr(GArray) hashes = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  g_autoptr(GPtrArray) closures = NULL;
  g_assert_true (dcc_is_cache_decode (one->data, one->len, "tag 1", &hashes, &scans, &closures, NULL, NULL));
  DccCachedClosure *c = closures->pdata[0];
  DccCachedClosure *twin = g_new0 (DccCachedClosure, 1);
  twin->key = g_strdup ("/src\037gcc\037-c\037b.c");
  twin->entries = g_ptr_array_ref (c->entries);
  twin->checks = g_ptr_array_ref (c->checks);
  g_ptr_array_add (closures, twin);
  g_autoptr(GByteArray) two = g_byte_array_new ();
  dcc_is_cache_encode (two, "tag 1", hashes, scans, closures);
  /* the twin costs its key and its indices, nothing more */
  g_assert_cmpuint (two->len - one->len, ==, 4 + strlen (twin->key) + 4 + 4 * c->entries->len + 4 + 4 * c->checks->len);
  g_autoptr(GArray) h2 = NULL;
  g_autoptr(GPtrArray) s2 = NULL;
  g_autoptr(GPtrArray) c2 = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true (dcc_is_cache_decode (two->data, two->len, "tag 1", &h2, &s2, &c2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c2->len, ==, 2);
  const DccCachedClosure *back = c2->pdata[1];
  g_assert_cmpstr (back->key, ==, twin->key);
  g_assert_cmpuint (back->entries->len, ==, c->entries->len);
  g_assert_cmpstr (((DccEntry *) back->entries->pdata[1])->path, ==, "/src/a.c");
  g_assert_cmpuint (back->checks->len, ==, c->checks->len);
  g_assert_cmpstr (((DccCachedCheck *) back->checks->pdata[2])->absent, ==, "cfg.h/sys/");
}

/* A file of segments (a first encoding, then those appended later): each
 * decodes from where the last one ended; the whole, read as one encoding,
 * is refused; a cut inside the second segment is refused too. */
static void
test_segments (void)
{
  g_autoptr(GByteArray) first = encode_sample ();
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_byte_array_append (file, first->data, first->len);
  g_byte_array_append (file, first->data, first->len);
  g_autoptr(GArray) hashes = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  g_autoptr(GPtrArray) closures = NULL;
  g_autoptr(GError) error = NULL;
  gsize used = 0;
  g_assert_true (dcc_is_cache_decode (file->data, file->len, "tag 1", &hashes, &scans, &closures, &used, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (used, ==, first->len);
  g_assert_cmpuint (closures->len, ==, 1);
  g_autoptr(GArray) h2 = NULL;
  g_autoptr(GPtrArray) s2 = NULL;
  g_autoptr(GPtrArray) c2 = NULL;
  gsize used2 = 0;
  g_assert_true (dcc_is_cache_decode (file->data + used, file->len - used, "tag 1", &h2, &s2, &c2, &used2, &error));
  g_assert_cmpuint (used2, ==, first->len);
  g_autoptr(GArray) h3 = NULL;
  g_autoptr(GPtrArray) s3 = NULL;
  g_autoptr(GPtrArray) c3 = NULL;
  g_assert_false (dcc_is_cache_decode (file->data, file->len, "tag 1", &h3, &s3, &c3, NULL, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_false (dcc_is_cache_decode (file->data + used, file->len - used - 1, "tag 1", &h3, &s3, &c3, &used2, &error));
  g_assert_nonnull (error);
}

/* Each closure's entries must be in reply order (as the include server's
 * replies): no path twice, each parent "/" or a directory listed earlier
 * in the same closure. Closures are lists "k:path" (d dir, f file, size 1
 * unless "F": size 2), separated by '|'. */
static gboolean
decode_closures (const char *spec)
{
  g_autoptr(GArray) hashes = g_array_new (FALSE, TRUE, sizeof (DccCachedHash));
  g_autoptr(GPtrArray) scans = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_scan_free);
  g_autoptr(GPtrArray) closures = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_closure_free);
  g_auto(GStrv) lists = g_strsplit (spec, "|", -1);
  DccHash h;
  dcc_hash_bytes ("x", 1, &h);
  for (guint i = 0; lists[i]; i++)
    {
      DccCachedClosure *c = g_new0 (DccCachedClosure, 1);
      c->key = g_strdup_printf ("/src\037gcc\037-c\037%u.c", i);
      c->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
      c->checks = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_check_free);
      g_auto(GStrv) items = g_strsplit (lists[i], " ", -1);
      for (guint j = 0; items[j]; j++)
        {
          const char *path = items[j] + 2;
          if (items[j][0] == 'd')
            g_ptr_array_add (c->entries, dcc_entry_new (DCC_ENTRY_DIR, 0755, 0, NULL, path, NULL));
          else
            g_ptr_array_add (c->entries, dcc_entry_new (DCC_ENTRY_FILE, 0644, items[j][0] == 'F' ? 2 : 1, &h,
                                                        path, NULL));
        }
      g_ptr_array_add (closures, c);
    }
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  dcc_is_cache_encode (buf, "tag 1", hashes, scans, closures);
  g_autoptr(GArray) h2 = NULL;
  g_autoptr(GPtrArray) s2 = NULL;
  g_autoptr(GPtrArray) c2 = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = dcc_is_cache_decode (buf->data, buf->len, "tag 1", &h2, &s2, &c2, NULL, &error);
  g_assert_true (ok == (error == NULL));
  return ok;
}

static void
test_entry_order (void)
{
  g_assert_true (decode_closures ("d:/src f:/src/a.c"));
  g_assert_true (decode_closures ("d:/src f:/src/a.c|d:/opt d:/src d:/src/sub f:/src/sub/b.h F:/src/a.c"));
  g_assert_true (decode_closures ("f:/a.c|d:/a.c d:/a.c/x"));   /* a file in one closure, a directory in another */
  g_assert_false (decode_closures ("f:/src/a.c d:/src"));          /* child first */
  g_assert_false (decode_closures ("d:/src f:/src/a.c F:/src/a.c"));   /* a path twice */
  g_assert_false (decode_closures ("f:/src f:/src/a.c"));          /* parent a file */
  g_assert_false (decode_closures ("d:/src f:/src/x/a.c"));        /* parent nowhere */
  g_assert_false (decode_closures ("d:/src f:/src/a.c|f:/src/a.c"));   /* parent only in another closure */
  g_assert_false (decode_closures ("d:/src f:/src/a.c|f:/src d:/src f:/src/a.c"));   /* a file, then a dir */
  g_assert_false (decode_closures ("d:/a.c d:/a.c/x|f:/a.c d:/a.c/x"));   /* parent a file here */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/is-cache/round-trip", test_round_trip);
  g_test_add_func ("/is-cache/shared-items", test_shared_items);
  g_test_add_func ("/is-cache/refusals", test_refusals);
  g_test_add_func ("/is-cache/segments", test_segments);
  g_test_add_func ("/is-cache/entry-order", test_entry_order);
  return g_test_run ();
}
