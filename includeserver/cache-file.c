/* The include server's cache file; see cache-file.h.
 *
 * Format (integers big-endian, strings [u32 len][bytes]):
 *   "DCCISC04", string tag,
 *   u32 n, n x { u64 dev, ino, size, mtime_s, mtime_ns, ctime_s, ctime_ns;
 *                u32 mode; 16-byte hash },
 *   u32 n, n x { 16-byte hash, u8 cplusplus,
 *                u32 n, n x { u8 kind, u8 form, string name, u32 line },
 *                u32 n, n x { string name, string body, u8 function_like,
 *                             u8 has_params, [string params] } },
 *   u32 n, n x entry (u32 len, an include-server ENTR payload,
 *                     dcc-is-protocol.h, checked by its decoder),
 *   u32 n, n x check { string path, u8 exists, u8 follow, u8 identity,
 *                      file key as above, string absent names },
 *   u32 n, n x { string key, u32 n, n x u32 entry index,
 *                u32 n, n x u32 check index }
 * Each table item appears once, in the order closures first use it; each
 * closure's entries are in reply order (dcc_is_entries_check_order). */
#include "cache-file.h"
#include "dcc-error.h"
#include "dcc-hash.h"
#include "dcc-is-protocol.h"
#include "dcc-wire.h"
#include <string.h>

#define MAGIC "DCCISC04"

void
dcc_cached_scan_free (DccCachedScan *c)
{
  if (!c)
    return;
  g_clear_pointer (&c->scan, dcc_scan_result_unref);
  g_free (c);
}

DccCachedCheck *
dcc_cached_check_ref (DccCachedCheck *c)
{
  g_atomic_int_inc (&c->extra_refs);
  return c;
}

void
dcc_cached_check_free (DccCachedCheck *c)
{
  if (!c || g_atomic_int_add (&c->extra_refs, -1) > 0)
    return;
  g_free (c->path);
  g_free (c->absent);
  g_free (c);
}

void
dcc_cached_closure_free (DccCachedClosure *c)
{
  if (!c)
    return;
  g_free (c->key);
  g_clear_pointer (&c->entries, g_ptr_array_unref);
  g_clear_pointer (&c->checks, g_ptr_array_unref);
  g_free (c);
}

static void
put_key (GByteArray *out, const DccFileKey *k)
{
  dcc_put_u64 (out, k->dev);
  dcc_put_u64 (out, k->ino);
  dcc_put_u64 (out, k->size);
  dcc_put_u64 (out, (guint64) k->mtime_s);
  dcc_put_u64 (out, (guint64) k->mtime_ns);
  dcc_put_u64 (out, (guint64) k->ctime_s);
  dcc_put_u64 (out, (guint64) k->ctime_ns);
  dcc_put_u32 (out, k->mode);
}

/* g_bytes_hash goes a byte at a time; the tables hold megabytes. */
static guint
bytes_hash (gconstpointer b)
{
  gsize len;
  const guint8 *p = g_bytes_get_data ((GBytes *) b, &len);
  DccHash h;
  dcc_hash_bytes (p, len, &h);
  return dcc_hash_hash (&h);
}

/* Tables of distinct entries and checks: the closures of one project share
 * most of theirs, so each is written once and referred to by index. */
typedef struct {
  GByteArray *bytes;   /* the items, encoded, in order of first use */
  GHashTable *index;   /* GBytes of one item -> index + 1 */
  GHashTable *seen;    /* item pointer -> index + 1 */
  guint n;
} Table;

static void
table_init (Table *t)
{
  t->bytes = g_byte_array_new ();
  t->index = g_hash_table_new_full (bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
  t->seen = g_hash_table_new (NULL, NULL);
  t->n = 0;
}

static void
table_clear (Table *t)
{
  g_byte_array_unref (t->bytes);
  g_hash_table_unref (t->index);
  g_hash_table_unref (t->seen);
}

/* The index of the item at ptr, which put encodes; items are immutable and
 * the engine keeps one copy of each (closure-engine.c), so a pointer seen
 * before is found without encoding it again. Equal contents at two
 * addresses still share one index. */
static guint32
table_add (Table *t, gconstpointer ptr, GByteArray *scratch, void (*put) (GByteArray *, gconstpointer))
{
  guint idx = GPOINTER_TO_UINT (g_hash_table_lookup (t->seen, ptr));
  if (idx)
    return idx - 1;
  g_byte_array_set_size (scratch, 0);
  put (scratch, ptr);
  g_autoptr(GBytes) key = g_bytes_new (scratch->data, scratch->len);
  idx = GPOINTER_TO_UINT (g_hash_table_lookup (t->index, key));
  if (!idx)
    {
      g_byte_array_append (t->bytes, scratch->data, scratch->len);
      g_hash_table_insert (t->index, g_steal_pointer (&key), GUINT_TO_POINTER (++t->n));
      idx = t->n;
    }
  g_hash_table_insert (t->seen, (gpointer) ptr, GUINT_TO_POINTER (idx));
  return idx - 1;
}

static void
put_check (GByteArray *out, gconstpointer p)
{
  const DccCachedCheck *ck = p;
  dcc_put_string (out, ck->path);
  dcc_put_u8 (out, ck->exists ? 1 : 0);
  dcc_put_u8 (out, ck->follow ? 1 : 0);
  dcc_put_u8 (out, ck->identity ? 1 : 0);
  put_key (out, &ck->key);
  /* Without its names a directory check is only stricter. */
  gboolean names = ck->absent && strlen (ck->absent) <= DCC_IS_CACHE_MAX_STRING;
  dcc_put_string (out, names ? ck->absent : "");
}

/* An entry as the table holds it: its length, then its payload. */
static void
put_entry (GByteArray *out, gconstpointer e)
{
  dcc_put_u32 (out, 0);   /* its length, set below */
  dcc_is_entry_encode (out, e);
  dcc_patch_u32 (out, 0, out->len - 4);
}

/* Appends the tables and the closures that fit the decoder's limits. */
static void
put_closures (GByteArray *out, const GPtrArray *closures)
{
  Table entries, checks;
  table_init (&entries);
  table_init (&checks);
  /* Sized once: grown by doubling, a kernel's 4 MB of records cost more in
   * copies and first-touch page faults than in encoding. */
  gsize records_size = 0;
  for (guint i = 0; i < closures->len; i++)
    {
      const DccCachedClosure *c = closures->pdata[i];
      records_size += 12 + strlen (c->key) + 4 * (gsize) (c->entries->len + c->checks->len);
    }
  g_autoptr(GByteArray) records = g_byte_array_sized_new ((guint) MIN (records_size, G_MAXUINT));
  g_autoptr(GByteArray) item = g_byte_array_new ();
  guint n = 0, total = 0;
  for (guint i = 0; i < closures->len && n < DCC_IS_CACHE_MAX_CLOSURES; i++)
    {
      const DccCachedClosure *c = closures->pdata[i];
      if (strlen (c->key) > DCC_IS_CACHE_MAX_STRING || c->checks->len > DCC_IS_CACHE_MAX_CHECKS
          || c->entries->len > DCC_MAX_MANIFEST_ENTRIES
          || c->entries->len > DCC_IS_CACHE_MAX_CLOSURE_ENTRIES - total
          || entries.n + c->entries->len > DCC_IS_CACHE_MAX_TABLE
          || checks.n + c->checks->len > DCC_IS_CACHE_MAX_TABLE)
        continue;
      n++;
      total += c->entries->len;
      dcc_put_string (records, c->key);
      dcc_put_u32 (records, c->entries->len);
      for (guint k = 0; k < c->entries->len; k++)
        dcc_put_u32 (records, table_add (&entries, c->entries->pdata[k], item, put_entry));
      dcc_put_u32 (records, c->checks->len);
      for (guint k = 0; k < c->checks->len; k++)
        dcc_put_u32 (records, table_add (&checks, c->checks->pdata[k], item, put_check));
    }
  dcc_reserve (out, 12 + (gsize) entries.bytes->len + checks.bytes->len + records->len);
  dcc_put_u32 (out, entries.n);
  g_byte_array_append (out, entries.bytes->data, entries.bytes->len);
  dcc_put_u32 (out, checks.n);
  g_byte_array_append (out, checks.bytes->data, checks.bytes->len);
  dcc_put_u32 (out, n);
  g_byte_array_append (out, records->data, records->len);
  table_clear (&entries);
  table_clear (&checks);
}

static void
put_hash (GByteArray *out, const DccHash *h)
{
  g_byte_array_append (out, h->bytes, DCC_HASH_LEN);
}

void
dcc_is_cache_encode (GByteArray *out, const char *tag, const GArray *hashes, const GPtrArray *scans,
                     const GPtrArray *closures)
{
  g_byte_array_append (out, (const guint8 *) MAGIC, strlen (MAGIC));
  dcc_put_string (out, tag);
  guint n_hashes = MIN (hashes->len, DCC_IS_CACHE_MAX_HASHES);
  dcc_put_u32 (out, n_hashes);
  for (guint i = 0; i < n_hashes; i++)
    {
      const DccCachedHash *c = &g_array_index (hashes, DccCachedHash, i);
      put_key (out, &c->key);
      put_hash (out, &c->hash);
    }
  /* Scans too large for the decoder's limits are left out, not truncated. */
  guint count_at = out->len;
  guint n_scans = 0;
  dcc_put_u32 (out, 0);
  for (guint i = 0; i < scans->len && n_scans < DCC_IS_CACHE_MAX_SCANS; i++)
    {
      const DccCachedScan *c = scans->pdata[i];
      const DccScanResult *r = c->scan;
      gboolean fits = r->includes->len <= DCC_IS_CACHE_MAX_ITEMS && r->macros->len <= DCC_IS_CACHE_MAX_ITEMS;
      for (guint k = 0; fits && k < r->includes->len; k++)
        fits = strlen (((DccScanInclude *) r->includes->pdata[k])->name) <= DCC_IS_CACHE_MAX_STRING;
      for (guint k = 0; fits && k < r->macros->len; k++)
        {
          const DccScanMacro *m = r->macros->pdata[k];
          fits = strlen (m->name) <= DCC_IS_CACHE_MAX_STRING && strlen (m->body) <= DCC_IS_CACHE_MAX_STRING
                 && (!m->params || strlen (m->params) <= DCC_IS_CACHE_MAX_STRING);
        }
      if (!fits)
        continue;
      n_scans++;
      put_hash (out, &c->hash);
      dcc_put_u8 (out, c->cplusplus ? 1 : 0);
      dcc_put_u32 (out, r->includes->len);
      for (guint k = 0; k < r->includes->len; k++)
        {
          const DccScanInclude *inc = r->includes->pdata[k];
          dcc_put_u8 (out, (guint8) inc->kind);
          dcc_put_u8 (out, (guint8) inc->form);
          dcc_put_string (out, inc->name);
          dcc_put_u32 (out, inc->line);
        }
      dcc_put_u32 (out, r->macros->len);
      for (guint k = 0; k < r->macros->len; k++)
        {
          const DccScanMacro *m = r->macros->pdata[k];
          dcc_put_string (out, m->name);
          dcc_put_string (out, m->body);
          dcc_put_u8 (out, m->function_like ? 1 : 0);
          dcc_put_u8 (out, m->params ? 1 : 0);
          if (m->params)
            dcc_put_string (out, m->params);
        }
    }
  dcc_patch_u32 (out, count_at, n_scans);
  put_closures (out, closures);
}

static gboolean
get_hash (DccReader *r, DccHash *h)
{
  const guint8 *p;
  if (!dcc_reader_bytes (r, DCC_HASH_LEN, &p))
    return FALSE;
  memcpy (h->bytes, p, DCC_HASH_LEN);
  return TRUE;
}

static gboolean
get_i64 (DccReader *r, gint64 *v)
{
  guint64 u;
  if (!dcc_reader_u64 (r, &u))
    return FALSE;
  *v = (gint64) u;
  return TRUE;
}

static gboolean
get_key (DccReader *r, DccFileKey *k)
{
  memset (k, 0, sizeof *k);   /* keys are compared with memcmp */
  return dcc_reader_u64 (r, &k->dev) && dcc_reader_u64 (r, &k->ino) && dcc_reader_u64 (r, &k->size)
         && get_i64 (r, &k->mtime_s) && get_i64 (r, &k->mtime_ns) && get_i64 (r, &k->ctime_s)
         && get_i64 (r, &k->ctime_ns) && dcc_reader_u32 (r, &k->mode);
}

static DccScanInclude *
get_include (DccReader *r)
{
  guint8 kind, form;
  g_autoptr(DccScanInclude) inc = g_new0 (DccScanInclude, 1);
  if (!dcc_reader_u8 (r, &kind) || !dcc_reader_u8 (r, &form)
      || !dcc_reader_string (r, DCC_IS_CACHE_MAX_STRING, &inc->name) || !dcc_reader_u32 (r, &inc->line))
    return NULL;
  if (kind > DCC_SCAN_INCBIN
      || (form != DCC_SCAN_QUOTED && form != DCC_SCAN_ANGLED && form != DCC_SCAN_COMPUTED))
    return NULL;
  inc->kind = kind;
  inc->form = form;
  return g_steal_pointer (&inc);
}

static DccScanMacro *
get_macro (DccReader *r)
{
  guint8 function_like, has_params;
  g_autoptr(DccScanMacro) m = g_new0 (DccScanMacro, 1);
  if (!dcc_reader_string (r, DCC_IS_CACHE_MAX_STRING, &m->name)
      || !dcc_reader_string (r, DCC_IS_CACHE_MAX_STRING, &m->body)
      || !dcc_reader_u8 (r, &function_like) || !dcc_reader_u8 (r, &has_params)
      || function_like > 1 || has_params > 1
      || (has_params && !dcc_reader_string (r, DCC_IS_CACHE_MAX_STRING, &m->params)))
    return NULL;
  if (m->name[0] == '\0')
    return NULL;
  m->function_like = function_like;
  return g_steal_pointer (&m);
}

static DccCachedScan *
get_scan (DccReader *r)
{
  guint8 cplusplus;
  guint32 n;
  DccHash hash;
  if (!get_hash (r, &hash) || !dcc_reader_u8 (r, &cplusplus) || cplusplus > 1
      || !dcc_reader_u32 (r, &n) || n > DCC_IS_CACHE_MAX_ITEMS)
    return NULL;
  g_autoptr(GPtrArray) includes = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_include_free);
  for (guint32 i = 0; i < n; i++)
    {
      DccScanInclude *inc = get_include (r);
      if (!inc)
        return NULL;
      g_ptr_array_add (includes, inc);
    }
  if (!dcc_reader_u32 (r, &n) || n > DCC_IS_CACHE_MAX_ITEMS)
    return NULL;
  g_autoptr(GPtrArray) macros = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_macro_free);
  for (guint32 i = 0; i < n; i++)
    {
      DccScanMacro *m = get_macro (r);
      if (!m)
        return NULL;
      g_ptr_array_add (macros, m);
    }
  DccCachedScan *c = g_new0 (DccCachedScan, 1);
  c->hash = hash;
  c->cplusplus = cplusplus;
  c->scan = dcc_scan_result_new (includes, macros);
  return c;
}

static DccCachedCheck *
get_check (DccReader *r)
{
  guint8 exists, follow, identity;
  g_autoptr(DccCachedCheck) ck = g_new0 (DccCachedCheck, 1);
  if (!dcc_reader_string (r, DCC_IS_CACHE_MAX_STRING, &ck->path) || !dcc_reader_u8 (r, &exists)
      || !dcc_reader_u8 (r, &follow) || !dcc_reader_u8 (r, &identity) || !get_key (r, &ck->key)
      || !dcc_reader_string (r, DCC_IS_CACHE_MAX_STRING, &ck->absent)
      || exists > 1 || follow > 1 || identity > 1 || ck->path[0] != '/')
    return NULL;
  ck->exists = exists;
  ck->follow = follow;
  ck->identity = identity;
  if (ck->absent[0] == '\0')
    g_clear_pointer (&ck->absent, g_free);
  return g_steal_pointer (&ck);
}

/* An index into a table whose items must be used in order of first use
 * (*next_new: the first not used yet), as the encoder writes them: so that
 * what decodes encodes back to the same bytes. */
static gboolean
get_index (DccReader *r, guint *next_new, guint32 *idx)
{
  if (!dcc_reader_u32 (r, idx) || *idx > *next_new)
    return FALSE;
  if (*idx == *next_new)
    ++*next_new;
  return TRUE;
}

/* The order check of each closure's entries (dcc_is_entries_check_order's,
 * answer for answer) over the entry table's paths numbered once: a path's
 * parent is looked up per table entry, not per use in every closure (the
 * kernel's 422 closures use ~240,000 entries of ~10,000). */
#define PARENT_ROOT    G_MAXUINT32          /* the parent is "/" */
#define PARENT_MISSING (G_MAXUINT32 - 1)    /* no table entry has the parent's path */

typedef struct {
  GPtrArray *entries;   /* DccEntry* */
  GPtrArray *checks;    /* DccCachedCheck* */
  guint next_entry, next_check;
  guint total;          /* entries over all closures */
  guint32 *path_of;     /* per table entry: its path's number */
  guint32 *parent_of;   /* per table entry: its parent's path number, or PARENT_* */
  guint32 *stamp;       /* per path: the closure that listed it last (1-based) */
  guint8  *kind_at;     /* per path: the kind it was listed with there */
  guint32  closure_no;
} Tables;

static void
tables_clear (Tables *t)
{
  g_free (t->path_of);
  g_free (t->parent_of);
  g_free (t->stamp);
  g_free (t->kind_at);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Tables, tables_clear)

/* Numbers the table entries' paths and finds each one's parent. */
static void
number_paths (Tables *t)
{
  guint n = t->entries->len;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);   /* keys: the entries' */
  t->path_of = g_new (guint32, n);
  t->parent_of = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    {
      const char *path = ((DccEntry *) t->entries->pdata[i])->path;
      gpointer id;
      if (!g_hash_table_lookup_extended (ids, path, NULL, &id))
        {
          id = GUINT_TO_POINTER (g_hash_table_size (ids));
          g_hash_table_insert (ids, (gpointer) path, id);
        }
      t->path_of[i] = GPOINTER_TO_UINT (id);
    }
  for (guint i = 0; i < n; i++)
    {
      const char *path = ((DccEntry *) t->entries->pdata[i])->path;
      const char *slash = strrchr (path, '/');
      if (slash == path)
        {
          t->parent_of[i] = PARENT_ROOT;
          continue;
        }
      g_autofree char *parent = g_strndup (path, (gsize) (slash - path));
      gpointer id;
      t->parent_of[i] = g_hash_table_lookup_extended (ids, parent, NULL, &id) ? GPOINTER_TO_UINT (id)
                                                                             : PARENT_MISSING;
    }
  t->stamp = g_new0 (guint32, g_hash_table_size (ids));
  t->kind_at = g_new0 (guint8, g_hash_table_size (ids));
}

/* No path twice, each entry's parent "/" or a directory listed earlier. */
static gboolean
closure_in_order (Tables *t, const guint32 *idx, guint32 n)
{
  guint32 me = ++t->closure_no;
  for (guint32 i = 0; i < n; i++)
    {
      guint32 path = t->path_of[idx[i]], parent = t->parent_of[idx[i]];
      if (t->stamp[path] == me)
        return FALSE;
      if (parent != PARENT_ROOT
          && (parent == PARENT_MISSING || t->stamp[parent] != me || t->kind_at[parent] != DCC_ENTRY_DIR))
        return FALSE;
      t->stamp[path] = me;
      t->kind_at[path] = ((DccEntry *) t->entries->pdata[idx[i]])->kind;
    }
  return TRUE;
}

/* One closure, or NULL. Its entries and checks are the tables', shared:
 * a project's closures hold mostly the same ones. */
static DccCachedClosure *
get_closure (DccReader *r, Tables *t)
{
  g_autoptr(DccCachedClosure) c = g_new0 (DccCachedClosure, 1);
  guint32 n, idx;
  if (!dcc_reader_string (r, DCC_IS_CACHE_MAX_STRING, &c->key) || !dcc_reader_u32 (r, &n)
      || n > DCC_MAX_MANIFEST_ENTRIES || n > DCC_IS_CACHE_MAX_CLOSURE_ENTRIES - t->total)
    return NULL;
  t->total += n;
  c->entries = g_ptr_array_new_full (n, (GDestroyNotify) dcc_entry_free);
  g_autofree guint32 *indices = g_new (guint32, n);
  for (guint32 i = 0; i < n; i++)
    {
      if (!get_index (r, &t->next_entry, &idx) || idx >= t->entries->len)
        return NULL;
      indices[i] = idx;
      g_ptr_array_add (c->entries, dcc_entry_ref (t->entries->pdata[idx]));
    }
  if (!closure_in_order (t, indices, n))
    return NULL;
  if (!dcc_reader_u32 (r, &n) || n > DCC_IS_CACHE_MAX_CHECKS)
    return NULL;
  c->checks = g_ptr_array_new_full (n, (GDestroyNotify) dcc_cached_check_free);
  for (guint32 i = 0; i < n; i++)
    {
      if (!get_index (r, &t->next_check, &idx) || idx >= t->checks->len)
        return NULL;
      g_ptr_array_add (c->checks, dcc_cached_check_ref (t->checks->pdata[idx]));
    }
  return g_steal_pointer (&c);
}

/* The entry and check tables; FALSE if malformed, too large, or holding an
 * item twice. */
static gboolean
get_tables (DccReader *r, Tables *t, GError **error)
{
  guint32 n;
  if (!dcc_reader_u32 (r, &n) || n > DCC_IS_CACHE_MAX_TABLE)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file: entry table truncated or too large");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
  for (guint32 i = 0; i < n; i++)
    {
      guint32 len;
      const guint8 *bytes;
      DccEntry *e = NULL;
      if (!dcc_reader_u32 (r, &len) || !dcc_reader_bytes (r, len, &bytes)
          || !dcc_is_entry_decode (bytes, len, &e, NULL))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file: table entry %u malformed", i);
      g_ptr_array_add (t->entries, e);
      if (!g_hash_table_add (seen, g_bytes_new (bytes, len)))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file: table entry %u repeated", i);
    }
  if (!dcc_reader_u32 (r, &n) || n > DCC_IS_CACHE_MAX_TABLE)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file: check table truncated or too large");
  g_hash_table_remove_all (seen);
  for (guint32 i = 0; i < n; i++)
    {
      const guint8 *start = r->p;
      DccCachedCheck *c = get_check (r);
      if (!c)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file: table check %u malformed", i);
      g_ptr_array_add (t->checks, c);
      if (!g_hash_table_add (seen, g_bytes_new (start, (gsize) (r->p - start))))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file: table check %u repeated", i);
    }
  return TRUE;
}

gboolean
dcc_is_cache_decode (const guint8 *buf, gsize len, const char *tag, GArray **hashes_out,
                     GPtrArray **scans_out, GPtrArray **closures_out, gsize *consumed, GError **error)
{
  DccReader r;
  const guint8 *magic;
  g_autofree char *file_tag = NULL;
  guint32 n;
  dcc_reader_init (&r, buf, len);
  if (!dcc_reader_bytes (&r, strlen (MAGIC), &magic) || memcmp (magic, MAGIC, strlen (MAGIC)) != 0)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "not an include-server cache file");
  if (!dcc_reader_string (&r, DCC_IS_CACHE_MAX_STRING, &file_tag))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file truncated in its header");
  if (strcmp (file_tag, tag) != 0)
    return dcc_fail (error, DCC_ERROR_MISMATCH, "cache file made by another scanner");

  if (!dcc_reader_u32 (&r, &n))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file truncated");
  if (n > DCC_IS_CACHE_MAX_HASHES)
    return dcc_fail (error, DCC_ERROR_LIMIT, "cache file lists %u hashes, limit %u", n, DCC_IS_CACHE_MAX_HASHES);
  g_autoptr(GArray) hashes = g_array_new (FALSE, TRUE, sizeof (DccCachedHash));
  for (guint32 i = 0; i < n; i++)
    {
      DccCachedHash c;
      if (!get_key (&r, &c.key) || !get_hash (&r, &c.hash))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file: hash %u truncated", i);
      g_array_append_val (hashes, c);
    }

  if (!dcc_reader_u32 (&r, &n))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file truncated");
  if (n > DCC_IS_CACHE_MAX_SCANS)
    return dcc_fail (error, DCC_ERROR_LIMIT, "cache file lists %u scans, limit %u", n, DCC_IS_CACHE_MAX_SCANS);
  g_autoptr(GPtrArray) scans = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_scan_free);
  for (guint32 i = 0; i < n; i++)
    {
      DccCachedScan *c = get_scan (&r);
      if (!c)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file: scan %u malformed", i);
      g_ptr_array_add (scans, c);
    }
  g_autoptr(GPtrArray) table_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
  g_autoptr(GPtrArray) table_checks = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_check_free);
  g_auto(Tables) t = { .entries = table_entries, .checks = table_checks };
  if (!get_tables (&r, &t, error))
    return FALSE;
  number_paths (&t);
  if (!dcc_reader_u32 (&r, &n))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file truncated");
  if (n > DCC_IS_CACHE_MAX_CLOSURES)
    return dcc_fail (error, DCC_ERROR_LIMIT, "cache file lists %u closures, limit %u", n, DCC_IS_CACHE_MAX_CLOSURES);
  g_autoptr(GPtrArray) closures = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_closure_free);
  for (guint32 i = 0; i < n; i++)
    {
      DccCachedClosure *c = get_closure (&r, &t);
      if (!c)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file: closure %u malformed", i);
      g_ptr_array_add (closures, c);
    }
  if (t.next_entry != table_entries->len || t.next_check != table_checks->len)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file: table items no closure uses");
  if (r.left != 0 && !consumed)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "cache file: %zu bytes after the end", r.left);
  if (consumed)
    *consumed = len - r.left;
  *hashes_out = g_steal_pointer (&hashes);
  *scans_out = g_steal_pointer (&scans);
  *closures_out = g_steal_pointer (&closures);
  return TRUE;
}
