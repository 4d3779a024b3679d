#include "closure.h"
#include "cache-file.h"
#include "compiler-info.h"
#include "dir-listing.h"
#include "macro-expand.h"
#include "dcc-is-protocol.h"
#include "dcc-error.h"
#include "dcc-hash.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- stat keys: what makes a cached fact about a path still true ---- */

typedef DccFileKey StatKey;   /* the cache file stores them (cache-file.h) */

static void
dcc_closure_stat_key_from (StatKey *k, const struct stat *st)
{
  memset (k, 0, sizeof *k);
  k->dev = st->st_dev;
  k->ino = st->st_ino;
  k->size = (guint64) st->st_size;
  k->mtime_s = st->st_mtim.tv_sec;
  k->mtime_ns = st->st_mtim.tv_nsec;
  k->ctime_s = st->st_ctim.tv_sec;
  k->ctime_ns = st->st_ctim.tv_nsec;
  k->mode = st->st_mode;
}

static guint
stat_key_hash (gconstpointer p)
{
  const StatKey *k = p;
  return (guint) (k->ino * 2654435761u) ^ (guint) k->dev ^ (guint) k->mtime_ns ^ (guint) k->size;
}

static gboolean
stat_key_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (StatKey)) == 0;
}

/* One fact a cached closure depends on. */
/* follow: stat (searched dirs, lexical) rather than lstat (entries);
 * identity: a directory passed through, only that it is the same one. */
typedef DccCachedCheck Check;

/* A searched directory that changed: do the names looked for there still
 * find nothing (nothing, or a directory, as dcc_walk_probe() decides)? */
static gboolean
names_still_absent (const Check *c)
{
  for (const char *name = c->absent; *name; )
    {
      gsize n = strcspn (name, "/");
      if (n > 0)
        {
          g_autofree char *p = g_strdup_printf ("%s/%.*s", c->path, (int) n, name);
          struct stat st;
          if (stat (p, &st) == 0 && !S_ISDIR (st.st_mode))
            return FALSE;
        }
      name += n + (name[n] == '/');
    }
  return TRUE;
}

/* What re-checking one fact found. */
typedef enum {
  FACT_HOLDS,
  FACT_BROKEN,
  /* A file entry whose stat changed but not its type, size or permissions:
   * the fact holds if its bytes did not change either (make regenerates
   * headers such as autoconf.h with the same text on every run). */
  FACT_FILE_RESTAMPED,
} FactState;

static FactState
check_fact (const Check *c, struct stat *st)
{
  int rc = c->follow ? stat (c->path, st) : lstat (c->path, st);
  if (rc != 0)
    return c->exists ? FACT_BROKEN : FACT_HOLDS;
  if (!c->exists)
    return FACT_BROKEN;
  StatKey k;
  dcc_closure_stat_key_from (&k, st);
  if (c->identity)
    return k.dev == c->key.dev && k.ino == c->key.ino && k.mode == c->key.mode ? FACT_HOLDS : FACT_BROKEN;
  if (stat_key_equal (&k, &c->key))
    return FACT_HOLDS;
  if (c->absent && S_ISDIR (st->st_mode) && S_ISDIR (c->key.mode))
    return names_still_absent (c) ? FACT_HOLDS : FACT_BROKEN;
  if (!c->follow && S_ISREG (st->st_mode) && k.mode == c->key.mode && k.size == c->key.size)
    return FACT_FILE_RESTAMPED;
  return FACT_BROKEN;
}

/* ---- the engine: caches shared by all requests ---- */

typedef struct {
  GPtrArray *entries;   /* DccIsEntry* */
  GPtrArray *checks;    /* Check* */
} CachedClosure;

static void
cached_closure_free (CachedClosure *c)
{
  g_ptr_array_unref (c->entries);
  g_ptr_array_unref (c->checks);
  g_free (c);
}

typedef struct {
  DccHash hash;
  gboolean cplusplus;
} ScanKey;

static guint
scan_key_hash (gconstpointer p)
{
  const ScanKey *k = p;
  return dcc_hash_hash (&k->hash) ^ (guint) k->cplusplus;
}

static gboolean
scan_key_equal (gconstpointer a, gconstpointer b)
{
  const ScanKey *x = a, *y = b;
  return x->cplusplus == y->cplusplus && dcc_hash_equal (&x->hash, &y->hash);
}

struct DccClosureEngine {
  GMutex      hash_lock;
  GHashTable *hashes;        /* StatKey* -> DccHash* */
  GMutex      scan_lock;
  GHashTable *scans;         /* ScanKey* -> DccScanResult* */
  GMutex      closure_lock;
  GHashTable *closures;      /* key -> CachedClosure* */
  GQueue      closure_order; /* keys, oldest first */
  guint       closure_entries;
  DccDirListings *listings;  /* for probes; has its own lock */
  gint        learnt;        /* anything inserted since creation or the last load */
};

DccClosureEngine *
dcc_closure_engine_new (void)
{
  DccClosureEngine *e = g_new0 (DccClosureEngine, 1);
  g_mutex_init (&e->hash_lock);
  g_mutex_init (&e->scan_lock);
  g_mutex_init (&e->closure_lock);
  e->hashes = g_hash_table_new_full (stat_key_hash, stat_key_equal, g_free, g_free);
  e->scans = g_hash_table_new_full (scan_key_hash, scan_key_equal, g_free,
                                    (GDestroyNotify) dcc_scan_result_unref);
  e->closures = g_hash_table_new_full (dcc_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) cached_closure_free);
  e->listings = dcc_dir_listings_new (DCC_DIR_LISTING_SETTLE_S);
  return e;
}

void
dcc_closure_engine_free (DccClosureEngine *e)
{
  if (!e)
    return;
  g_hash_table_unref (e->hashes);
  g_hash_table_unref (e->scans);
  g_hash_table_unref (e->closures);
  g_queue_clear (&e->closure_order);
  dcc_dir_listings_free (e->listings);
  g_mutex_clear (&e->hash_lock);
  g_mutex_clear (&e->scan_lock);
  g_mutex_clear (&e->closure_lock);
  g_free (e);
}

static gboolean
dcc_closure_hash_lookup (DccClosureEngine *e, const StatKey *k, DccHash *out)
{
  g_mutex_lock (&e->hash_lock);
  DccHash *h = g_hash_table_lookup (e->hashes, k);
  if (h)
    *out = *h;
  g_mutex_unlock (&e->hash_lock);
  return h != NULL;
}

static void
hash_cache_insert (DccClosureEngine *e, const StatKey *k, const DccHash *h)
{
  g_mutex_lock (&e->hash_lock);
  /* Bounded the simple way: forget everything when full. */
  if (g_hash_table_size (e->hashes) >= DCC_CLOSURE_HASH_CACHE_MAX)
    g_hash_table_remove_all (e->hashes);
  g_hash_table_replace (e->hashes, g_memdup2 (k, sizeof *k), g_memdup2 (h, sizeof *h));
  g_mutex_unlock (&e->hash_lock);
  g_atomic_int_set (&e->learnt, 1);
}

static DccScanResult *
dcc_closure_scan_lookup (DccClosureEngine *e, const ScanKey *k)
{
  g_mutex_lock (&e->scan_lock);
  DccScanResult *r = g_hash_table_lookup (e->scans, k);
  if (r)
    dcc_scan_result_ref (r);
  g_mutex_unlock (&e->scan_lock);
  return r;
}

static void
dcc_closure_scan_insert (DccClosureEngine *e, const ScanKey *k, DccScanResult *r)
{
  g_mutex_lock (&e->scan_lock);
  if (g_hash_table_size (e->scans) >= DCC_CLOSURE_SCAN_CACHE_MAX)
    g_hash_table_remove_all (e->scans);
  g_hash_table_replace (e->scans, g_memdup2 (k, sizeof *k), dcc_scan_result_ref (r));
  g_mutex_unlock (&e->scan_lock);
  g_atomic_int_set (&e->learnt, 1);
}

static void dcc_closure_cache_insert (DccClosureEngine *e, const char *key, GPtrArray *entries,
                                  GPtrArray *checks, gboolean only_over_same);
static gboolean dcc_closure_hash_file (DccClosureEngine *e, const char *phys, const struct stat *st,
                           DccHash *hash, guint8 **data, gsize *len, gboolean need_data,
                           guint *n_hashed, GError **error);

/* The entry for path in entries (sorted by path), or NULL. */
static const DccIsEntry *
find_entry (GPtrArray *entries, const char *path)
{
  guint lo = 0, hi = entries->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const DccIsEntry *x = entries->pdata[mid];
      int cmp = strcmp (path, x->path);
      if (cmp == 0)
        return x;
      if (cmp < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return NULL;
}

/* A restamped file (FACT_FILE_RESTAMPED) still has the bytes its entry
 * promises. */
static gboolean
same_content (DccClosureEngine *e, GPtrArray *entries, const Check *c, const struct stat *now,
              guint *n_hashed)
{
  const DccIsEntry *entry = find_entry (entries, c->path);
  if (!entry || entry->kind != DCC_IS_ENTRY_FILE)
    return FALSE;
  DccHash hash;
  g_autofree guint8 *data = NULL;
  gsize len;
  return dcc_closure_hash_file (e, c->path, now, &hash, &data, &len, FALSE, n_hashed, NULL)
         && dcc_hash_equal (&hash, &entry->hash);
}

/* Returns the cached closure's entries if every fact it rests on still holds.
 * The checks run outside the lock (they are syscalls); the cache holds a ref.
 * Files only restamped are recorded anew, so that the next lookup (and the
 * next session, through the cache file) need not hash them again. */
static GPtrArray *
dcc_closure_cache_lookup (DccClosureEngine *e, const char *key, guint *n_hashed)
{
  g_mutex_lock (&e->closure_lock);
  CachedClosure *c = g_hash_table_lookup (e->closures, key);
  g_autoptr(GPtrArray) entries = c ? g_ptr_array_ref (c->entries) : NULL;
  g_autoptr(GPtrArray) checks = c ? g_ptr_array_ref (c->checks) : NULL;
  g_mutex_unlock (&e->closure_lock);
  if (!c)
    return NULL;
  g_autoptr(GPtrArray) restamped = NULL;   /* checks, with restamped ones replaced */
  for (guint i = 0; i < checks->len; i++)
    {
      const Check *check = checks->pdata[i];
      struct stat now;
      FactState state = check_fact (check, &now);
      if (state == FACT_HOLDS)
        continue;
      if (state == FACT_FILE_RESTAMPED && same_content (e, entries, check, &now, n_hashed))
        {
          if (!restamped)
            {
              restamped = g_ptr_array_new_full (checks->len, (GDestroyNotify) dcc_cached_check_free);
              for (guint j = 0; j < checks->len; j++)
                g_ptr_array_add (restamped, dcc_cached_check_ref (checks->pdata[j]));
            }
          Check *fresh = g_new0 (Check, 1);
          fresh->path = g_strdup (check->path);
          fresh->exists = TRUE;
          dcc_closure_stat_key_from (&fresh->key, &now);
          dcc_cached_check_free (restamped->pdata[i]);
          restamped->pdata[i] = fresh;
          continue;
        }
      dcc_debug ("closure cache: %s changed", check->path);
      return NULL;
    }
  if (restamped)
    dcc_closure_cache_insert (e, key, entries, restamped, TRUE);
  return g_steal_pointer (&entries);
}

/* only_over_same: the checks were re-made for these very entries (a
 * restamp); store them only if the table still holds these entries, not a
 * closure another request walked meanwhile (or none, if it was evicted). */
static void
dcc_closure_cache_insert (DccClosureEngine *e, const char *key, GPtrArray *entries, GPtrArray *checks,
                      gboolean only_over_same)
{
  if (entries->len > DCC_CLOSURE_CACHE_MAX_ENTRIES / 4)
    return;
  g_mutex_lock (&e->closure_lock);
  CachedClosure *old = g_hash_table_lookup (e->closures, key);
  if (only_over_same && (!old || old->entries != entries))
    {
      g_mutex_unlock (&e->closure_lock);
      return;
    }
  CachedClosure *c = g_new0 (CachedClosure, 1);
  c->entries = g_ptr_array_ref (entries);
  c->checks = g_ptr_array_ref (checks);
  if (old)
    {
      e->closure_entries -= old->entries->len;
      /* insert, not replace: the table keeps its key, which closure_order
       * also holds (replace would free it under the queue). The key stays
       * where it was in the eviction order. */
      g_hash_table_insert (e->closures, g_strdup (key), c);
    }
  else
    {
      char *k = g_strdup (key);
      g_hash_table_insert (e->closures, k, c);
      g_queue_push_tail (&e->closure_order, k);
    }
  e->closure_entries += entries->len;
  while (e->closure_entries > DCC_CLOSURE_CACHE_MAX_ENTRIES && e->closure_order.length > 1)
    {
      char *victim = g_queue_pop_head (&e->closure_order);
      CachedClosure *v = g_hash_table_lookup (e->closures, victim);
      e->closure_entries -= v->entries->len;
      g_hash_table_remove (e->closures, victim);
    }
  g_mutex_unlock (&e->closure_lock);
  g_atomic_int_set (&e->learnt, 1);
}

/* ---- the caches on disk, across server lifetimes ---- */

static char *
cache_tag (void)
{
  g_autofree char *v = dcc_scanner_version ();
  return g_strdup_printf ("scan-format 3; %s", v);
}

gboolean
dcc_closure_engine_save (DccClosureEngine *e, const char *path, GError **error)
{
  g_autoptr(GArray) hashes = g_array_new (FALSE, TRUE, sizeof (DccCachedHash));
  g_autoptr(GPtrArray) scans = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_scan_free);
  GHashTableIter it;
  gpointer k, v;
  g_mutex_lock (&e->hash_lock);
  g_hash_table_iter_init (&it, e->hashes);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      DccCachedHash c = { .key = *(StatKey *) k, .hash = *(DccHash *) v };
      g_array_append_val (hashes, c);
    }
  g_mutex_unlock (&e->hash_lock);
  g_mutex_lock (&e->scan_lock);
  g_hash_table_iter_init (&it, e->scans);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      DccCachedScan *c = g_new0 (DccCachedScan, 1);
      c->hash = ((ScanKey *) k)->hash;
      c->cplusplus = ((ScanKey *) k)->cplusplus;
      c->scan = dcc_scan_result_ref (v);
      g_ptr_array_add (scans, c);
    }
  g_mutex_unlock (&e->scan_lock);
  g_autoptr(GPtrArray) closures = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_closure_free);
  g_mutex_lock (&e->closure_lock);
  /* Oldest first, as they were inserted: the next server evicts in the
   * same order, and the same closures make the same file. */
  for (GList *l = e->closure_order.head; l; l = l->next)
    {
      const CachedClosure *cc = g_hash_table_lookup (e->closures, l->data);
      DccCachedClosure *c = g_new0 (DccCachedClosure, 1);
      c->key = g_strdup (l->data);
      c->entries = g_ptr_array_ref (cc->entries);
      c->checks = g_ptr_array_ref (cc->checks);
      g_ptr_array_add (closures, c);
    }
  g_mutex_unlock (&e->closure_lock);
  g_autofree char *tag = cache_tag ();
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  dcc_is_cache_encode (buf, tag, hashes, scans, closures);
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    return dcc_fail_errno (error, "creating %s", dir);
  return dcc_io_write_file_atomic (path, buf->data, buf->len, 0600, error);
}

gboolean
dcc_closure_engine_load (DccClosureEngine *e, const char *path, GError **error)
{
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  if (!dcc_io_read_file (path, DCC_IS_CACHE_MAX_BYTES, &data, &len, error))
    return FALSE;
  g_autofree char *tag = cache_tag ();
  g_autoptr(GArray) hashes = NULL;
  g_autoptr(GPtrArray) scans = NULL;
  g_autoptr(GPtrArray) closures = NULL;
  if (!dcc_is_cache_decode (data, len, tag, &hashes, &scans, &closures, error))
    return FALSE;
  /* Through the same inserts as a request's, so the same bounds hold (the
   * encoder writes no more than they keep). */
  for (guint i = 0; i < hashes->len; i++)
    {
      const DccCachedHash *c = &g_array_index (hashes, DccCachedHash, i);
      hash_cache_insert (e, &c->key, &c->hash);
    }
  for (guint i = 0; i < scans->len; i++)
    {
      const DccCachedScan *c = scans->pdata[i];
      const ScanKey sk = { .hash = c->hash, .cplusplus = c->cplusplus };
      dcc_closure_scan_insert (e, &sk, c->scan);
    }
  /* Closures are checked against the disk on every use, as always. */
  for (guint i = 0; i < closures->len; i++)
    {
      const DccCachedClosure *c = closures->pdata[i];
      dcc_closure_cache_insert (e, c->key, c->entries, c->checks, FALSE);
    }
  dcc_debug ("cache file %s: %u hashes, %u scans, %u closures", path, hashes->len, scans->len,
             closures->len);
  g_atomic_int_set (&e->learnt, 0);
  return TRUE;
}

gboolean
dcc_closure_engine_learnt (DccClosureEngine *e)
{
  return g_atomic_int_get (&e->learnt) != 0;
}

/* ---- computed includes ---- */

gboolean
dcc_closure_expand_computed (const char *tokens, GHashTable *macros, GPtrArray *out)
{
  return dcc_macro_expand_include (tokens, macros, out);
}

/* ---- one request's walk ---- */

#define CHAIN_NONE  (-1)   /* found beside its includer or by absolute path */
#define CHAIN_MAIN  (-2)   /* the main file or a -include file */

typedef struct {
  DccClosureEngine *engine;
  DccScanner       *scanner;
  const char       *cwd;
  DccIsCompileArgs   *args;
  DccSearchPath    *sp;
  char            **chain;        /* quote dirs then angled dirs */
  guint             n_chain;

  GHashTable *entries;       /* physical path -> DccIsEntry* (owned) */
  GHashTable *checks;        /* dcc_walk_key (follow, path) -> Check* (owned) */
  GHashTable *dir_memo;      /* lexical dir -> physical dir, or "" if missing */
  GHashTable *resolve_memo;  /* dcc_walk_key (start, here, name) -> dcc_walk_key (chain, lexical path), or "" */
  GHashTable *visited;       /* dcc_walk_key (chain, lexical) */
  GHashTable *probed_dirs;   /* dir searched without success -> GString of names not found there */
  GHashTable *absent_paths;  /* paths probed and not found */
  GHashTable *dirs_seen;     /* dir -> DirSeen*: stat'ed once a walk */
  GQueue      work;          /* WorkItem* */
  GPtrArray  *scans;         /* DccScanResult* of every file walked (refs) */
  GPtrArray  *pending;       /* Pending*: computed includes */
  GHashTable *macros;        /* name -> GPtrArray of DccScanMacro*: -D and predefined (borrowed) */
  GPtrArray  *cmdline_macros;/* DccScanMacro* made from -D and predefined (owned) */
  GHashTable *macro_memo;    /* name -> GPtrArray of every DccScanMacro* seen (borrowed) */
  guint       memo_scans;    /* macro_memo covers scans[0..memo_scans) */
  gboolean    exact_done;    /* the full-parse fallback covered the TU */
  gboolean    predef_added;  /* the compiler's predefined macros are in macros */
  DccClosureStats *stats;
  GString    *key;           /* scratch for memo keys: built per lookup, copied only when inserted */
  GStringChunk *strings;     /* the walk's own strings (memo keys and values, work paths): freed at once */
} Walk;

/* A copy of s that lives as long as the walk. */
static char *
dcc_walk_str (Walk *w, const char *s)
{
  return g_string_chunk_insert (w->strings, s);
}

typedef struct {
  const char *lexical;   /* in Walk.strings */
  int   chain;
} WorkItem;

typedef struct {
  const DccScanInclude *inc;   /* borrowed from a scan in Walk.scans */
  const char *includer;        /* lexical path, in Walk.strings */
  int   includer_chain;
} Pending;

static void
work_item_free (WorkItem *w)
{
  g_free (w);
}

static void
pending_free (Pending *p)
{
  g_free (p);
}

/* "a//b/" -> "a/b": the kernel ignores repeated slashes; dots stay, they
 * are resolved physically by the walk. */
static char *
dcc_walk_collapse_slashes (const char *p)
{
  GString *s = g_string_sized_new (strlen (p));
  for (const char *c = p; *c; c++)
    if (!(*c == '/' && s->len && s->str[s->len - 1] == '/'))
      g_string_append_c (s, *c);
  if (s->len > 1 && s->str[s->len - 1] == '/')
    g_string_truncate (s, s->len - 1);
  return g_string_free (s, FALSE);
}

static char *
dcc_walk_make_absolute (const char *cwd, const char *p)
{
  g_autofree char *joined = p[0] == '/' ? g_strdup (p) : g_strconcat (cwd, "/", p, NULL);
  return dcc_walk_collapse_slashes (joined);
}

static char *
dcc_walk_join (const char *dir, const char *name)
{
  if (g_str_equal (dir, "/"))
    return g_strconcat ("/", name, NULL);
  return g_strconcat (dir, "/", name, NULL);
}

/* dir "/" name in buf when it fits (probes are many: no allocation), else
 * in *heap. */
static const char *
join_in (const char *dir, const char *name, char *buf, gsize size, char **heap)
{
  gsize d = g_str_equal (dir, "/") ? 0 : strlen (dir), n = strlen (name);
  if (d + 1 + n >= size)
    return *heap = dcc_walk_join (dir, name);
  memcpy (buf, dir, d);
  buf[d] = '/';
  memcpy (buf + d + 1, name, n + 1);
  return buf;
}

static void
append_number (GString *k, gsize u, gboolean negative)
{
  char digits[24];
  int i = (int) sizeof digits;
  do
    digits[--i] = (char) ('0' + u % 10);
  while ((u /= 10) && i > 1);
  if (negative)
    digits[--i] = '-';
  g_string_append_len (k, digits + i, (gssize) sizeof digits - i);
}

/* The walk's scratch key for a number and one or two strings, each string
 * after its length (paths may hold any byte but NUL, so no separator would
 * be safe). Valid until the next call. */
static const char *
dcc_walk_key (Walk *w, int number, const char *a, const char *b)
{
  GString *k = w->key;
  g_string_truncate (k, 0);
  append_number (k, number < 0 ? (gsize) -(gint64) number : (gsize) number, number < 0);
  for (const char *part = a; part; part = part == a ? b : NULL)
    {
      gsize n = strlen (part);
      g_string_append_c (k, ' ');
      append_number (k, n, FALSE);
      g_string_append_c (k, ':');
      g_string_append_len (k, part, (gssize) n);
    }
  return k->str;
}

static char *
parent_of (const char *phys)
{
  const char *slash = strrchr (phys, '/');
  if (!slash || slash == phys)
    return g_strdup ("/");
  return g_strndup (phys, (gsize) (slash - phys));
}

/* p's directory: in buf when it fits (probes are many: no allocation),
 * else in *heap. */
static const char *
dir_of (const char *p, char *buf, gsize size, char **heap)
{
  const char *slash = strrchr (p, '/');
  gsize n = (!slash || slash == p) ? 1 : (gsize) (slash - p);
  if (n >= size)
    return *heap = parent_of (p);
  memcpy (buf, (!slash || slash == p) ? "/" : p, n);
  buf[n] = '\0';
  return buf;
}

/* follow: stat, else lstat. A directory checked with lstat is one the walk
 * passed through; only its identity matters (a file appearing in it matters
 * only where the compiler searched, and those get a stat check). */
static void
dcc_walk_add_check (Walk *w, const char *path, gboolean follow, const struct stat *st)
{
  const char *key = dcc_walk_key (w, follow, path, NULL);
  if (g_hash_table_contains (w->checks, key))
    return;
  Check *c = g_new0 (Check, 1);
  c->path = g_strdup (path);
  c->follow = follow;
  c->exists = st != NULL;
  c->identity = !follow && st && S_ISDIR (st->st_mode);
  if (st)
    dcc_closure_stat_key_from (&c->key, st);
  g_hash_table_insert (w->checks, dcc_walk_str (w, key), c);
}

static void
add_entry (Walk *w, DccIsEntryKind kind, const struct stat *st, const DccHash *hash,
           const char *path, const char *target)
{
  if (g_hash_table_contains (w->entries, path))
    return;
  DccIsEntry *e = dcc_is_entry_new (kind, st->st_mode & 07777,
                                    kind == DCC_IS_ENTRY_FILE ? (guint64) st->st_size : 0,
                                    hash, path, target);
  g_hash_table_insert (w->entries, e->path, e);
}

static char *resolve_components (Walk *w, const char *start, const char *rel, guint *links,
                                 struct stat *st_out);

/* Steps from physical dir `dir` into `name` (not "." or ".."), recording
 * every symlink and directory passed. Returns the physical result and its
 * stat (followed), or NULL if it does not exist. */
static char *
step (Walk *w, const char *dir, const char *name, guint *links, struct stat *st_out)
{
  g_autofree char *cand = dcc_walk_join (dir, name);
  struct stat st;
  if (lstat (cand, &st) != 0)
    return NULL;
  if (S_ISLNK (st.st_mode))
    {
      if (++*links > DCC_CLOSURE_MAX_SYMLINKS)
        return NULL;
      char target[DCC_MAX_PATH_LEN + 1];
      ssize_t n = readlink (cand, target, DCC_MAX_PATH_LEN);
      if (n <= 0)
        return NULL;
      target[n] = '\0';
      add_entry (w, DCC_IS_ENTRY_SYMLINK, &st, NULL, cand, target);
      dcc_walk_add_check (w, cand, FALSE, &st);
      return resolve_components (w, target[0] == '/' ? "/" : dir, target, links, st_out);
    }
  if (S_ISDIR (st.st_mode))
    {
      add_entry (w, DCC_IS_ENTRY_DIR, &st, NULL, cand, NULL);
      dcc_walk_add_check (w, cand, FALSE, &st);
    }
  *st_out = st;
  return g_steal_pointer (&cand);
}

static char *
resolve_components (Walk *w, const char *start, const char *rel, guint *links, struct stat *st_out)
{
  g_autofree char *cur = g_strdup (start);
  g_auto(GStrv) comps = g_strsplit (rel, "/", -1);
  struct stat st;
  if (stat (cur, &st) != 0)
    return NULL;
  for (guint i = 0; comps[i]; i++)
    {
      const char *c = comps[i];
      if (!c[0] || g_str_equal (c, "."))
        continue;
      if (!S_ISDIR (st.st_mode))
        return NULL;
      if (g_str_equal (c, ".."))
        {
          char *up = parent_of (cur);
          g_free (cur);
          cur = up;
          if (stat (cur, &st) != 0)
            return NULL;
          continue;
        }
      char *next = step (w, cur, c, links, &st);
      if (!next)
        return NULL;
      g_free (cur);
      cur = next;
    }
  *st_out = st;
  return g_steal_pointer (&cur);
}

/* The physical directory for a lexical (absolute) directory, memoized. */
static const char *
dcc_walk_resolve_dir (Walk *w, const char *lexical)
{
  const char *hit = g_hash_table_lookup (w->dir_memo, lexical);
  if (hit)
    return hit[0] ? hit : NULL;
  char *result;
  if (g_str_equal (lexical, "/"))
    result = g_strdup ("/");
  else
    {
      g_autofree char *lparent = parent_of (lexical);
      const char *base = strrchr (lexical, '/') + 1;
      const char *pparent = dcc_walk_resolve_dir (w, lparent);
      struct stat st;
      guint links = 0;
      result = NULL;
      if (pparent)
        {
          if (g_str_equal (base, "."))
            result = g_strdup (pparent);
          else if (g_str_equal (base, ".."))
            result = parent_of (pparent);
          else
            {
              result = step (w, pparent, base, &links, &st);
              if (result && !S_ISDIR (st.st_mode))
                g_clear_pointer (&result, g_free);
            }
        }
    }
  const char *kept = dcc_walk_str (w, result ? result : "");
  g_free (result);
  g_hash_table_insert (w->dir_memo, dcc_walk_str (w, lexical), (gpointer) kept);
  return kept[0] ? kept : NULL;
}

/* Walks a lexical absolute path to the file it names, recording the
 * directories and symlinks on the way. Returns the physical path. */
static char *
dcc_walk_to_file (Walk *w, const char *lexical, struct stat *st)
{
  g_autofree char *dir = parent_of (lexical);
  const char *base = strrchr (lexical, '/') + 1;
  const char *pdir = dcc_walk_resolve_dir (w, dir);
  guint links = 0;
  if (!pdir || !base[0] || g_str_equal (base, ".") || g_str_equal (base, ".."))
    return NULL;
  return step (w, pdir, base, &links, st);
}

/* The content hash of regular file phys, whose lstat is st, through the
 * engine's cache. When the file is read (need_data, or not in the cache)
 * *data gets its bytes and *n_hashed is counted; else *data is NULL. */
static gboolean
dcc_closure_hash_file (DccClosureEngine *e, const char *phys, const struct stat *st, DccHash *hash,
           guint8 **data, gsize *len, gboolean need_data, guint *n_hashed, GError **error)
{
  StatKey k;
  dcc_closure_stat_key_from (&k, st);
  *data = NULL;
  if (!S_ISREG (st->st_mode))
    return dcc_fail (error, DCC_ERROR_FAILED, "%s is not a regular file", phys);
  if (!need_data && dcc_closure_hash_lookup (e, &k, hash))
    return TRUE;
  g_autofree guint8 *buf = NULL;
  gsize n;
  if (!dcc_io_read_file (phys, DCC_MAX_FILE_SIZE, &buf, &n, error))
    return FALSE;
  struct stat again;
  StatKey k2;
  if (lstat (phys, &again) != 0)
    return dcc_fail_errno (error, "%s", phys);
  dcc_closure_stat_key_from (&k2, &again);
  if (!stat_key_equal (&k, &k2) || n != (gsize) st->st_size)
    return dcc_fail (error, DCC_ERROR_FAILED, "%s changed while being read", phys);
  dcc_hash_bytes (buf, n, hash);
  hash_cache_insert (e, &k, hash);
  ++*n_hashed;
  *data = g_steal_pointer (&buf);
  *len = n;
  return TRUE;
}

/* Reads, hashes (through the cache) and records a regular file. Returns its
 * content hash; *data is set to the bytes when read (for scanning), else NULL. */
static gboolean
dcc_walk_add_file (Walk *w, const char *phys, const struct stat *st, DccHash *hash,
          guint8 **data, gsize *len, gboolean need_data, GError **error)
{
  if (!dcc_closure_hash_file (w->engine, phys, st, hash, data, len, need_data, &w->stats->files_hashed, error))
    return FALSE;
  add_entry (w, DCC_IS_ENTRY_FILE, st, hash, phys, NULL);
  dcc_walk_add_check (w, phys, FALSE, st);
  return TRUE;
}

/* A directory as this walk first saw it: the listing that answers probes
 * and the checks that record them rest on the same stat. */
typedef struct {
  gboolean exists;
  gboolean missing;         /* ENOENT or ENOTDIR: nothing under it exists */
  struct stat st;
  gboolean listing_tried;   /* listing asked for (only directories probed in) */
  DccDirListing *listing;   /* NULL: not listed, stat the names */
} DirSeen;

static void
dcc_walk_dir_seen_free (DirSeen *d)
{
  if (d->listing)
    dcc_dir_listing_unref (d->listing);
  g_free (d);
}

static DirSeen *
dir_seen (Walk *w, const char *dir)
{
  DirSeen *d = g_hash_table_lookup (w->dirs_seen, dir);
  if (d)
    return d;
  d = g_new0 (DirSeen, 1);
  d->exists = stat (dir, &d->st) == 0;
  d->missing = !d->exists && (errno == ENOENT || errno == ENOTDIR);
  g_hash_table_insert (w->dirs_seen, dcc_walk_str (w, dir), d);
  return d;
}

/* What p's directory listing says of p. */
static DccDirName
listed (Walk *w, const char *p)
{
  char buf[DCC_MAX_PATH_LEN + 1];
  g_autofree char *heap = NULL;
  DirSeen *d = dir_seen (w, dir_of (p, buf, sizeof buf, &heap));
  if (d->missing)
    return DCC_DIR_NAME_ABSENT;
  if (d->exists && !d->listing_tried)
    {
      d->listing_tried = TRUE;
      d->listing = dcc_dir_listings_get (w->engine->listings, heap ? heap : buf, &d->st);
    }
  return d->listing ? dcc_dir_listing_lookup (d->listing, strrchr (p, '/') + 1) : DCC_DIR_NAME_UNKNOWN;
}

/* Is there a non-directory at lexical path p (what the compiler would open)? */
static gboolean
dcc_walk_probe (Walk *w, const char *p)
{
  if (g_hash_table_contains (w->absent_paths, p))
    return FALSE;
  DccDirName kind = listed (w, p);
  struct stat st;
  if (kind == DCC_DIR_NAME_FILE)
    return TRUE;
  if (kind == DCC_DIR_NAME_UNKNOWN && stat (p, &st) == 0 && !S_ISDIR (st.st_mode))
    return TRUE;
  g_hash_table_add (w->absent_paths, dcc_walk_str (w, p));
  /* Remember where we looked and for what, so that a file appearing there
   * later invalidates the cached closure: each directory on the way up to
   * the first that exists gets a check and the name looked for in it. */
  g_autofree char *below = NULL;
  for (const char *cur = p;;)
    {
      char buf[DCC_MAX_PATH_LEN + 1];
      g_autofree char *heap = NULL;
      const char *dir = dir_of (cur, buf, sizeof buf, &heap);
      GString *names = g_hash_table_lookup (w->probed_dirs, dir);
      gboolean known = names != NULL;
      if (!known)
        {
          names = g_string_new (NULL);
          g_hash_table_insert (w->probed_dirs, dcc_walk_str (w, dir), names);
        }
      g_string_append (names, strrchr (cur, '/') + 1);
      g_string_append_c (names, '/');
      if (known)
        break;
      const DirSeen *d = dir_seen (w, dir);
      dcc_walk_add_check (w, dir, TRUE, d->exists ? &d->st : NULL);
      if (d->exists || g_str_equal (dir, "/"))
        break;
      g_free (below);
      cur = below = g_strdup (dir);
    }
  return FALSE;
}

/* Resolves one header name like the compiler. form: '"' or '<'. Returns the
 * lexical path (and its chain index) or NULL if not found. */
static const char *
dcc_walk_resolve (Walk *w, char form, gboolean next, const char *name, const char *includer,
         int includer_chain, gboolean from_cmdline, int *chain_out)
{
  if (!name[0])
    return NULL;
  int start;
  const char *here = NULL;
  char here_buf[DCC_MAX_PATH_LEN + 1];
  g_autofree char *here_heap = NULL;
  if (name[0] == '/')
    start = -1;
  else if (next && includer_chain >= 0)
    start = includer_chain + 1;
  else if (next && includer_chain == CHAIN_NONE)
    start = 0;
  else if (form == '<')
    start = (int) w->sp->n_quote;
  else
    {
      start = 0;
      here = from_cmdline ? w->cwd : dir_of (includer, here_buf, sizeof here_buf, &here_heap);
    }
  const char *key = dcc_walk_key (w, start, here ? here : "", name);
  gpointer hit;
  if (g_hash_table_lookup_extended (w->resolve_memo, key, NULL, &hit))
    {
      const char *h = hit;
      if (!h[0])
        return NULL;
      *chain_out = atoi (h);
      return strchr (h, ':') + 1;   /* "CHAIN LEN:PATH", as dcc_walk_key made it */
    }
  key = dcc_walk_str (w, key);   /* a miss is always memoized; probes reuse the scratch buffer */
  char *found = NULL;
  int found_chain = CHAIN_NONE;
  if (start < 0)
    {
      if (dcc_walk_probe (w, name))
        found = dcc_walk_collapse_slashes (name);
    }
  else
    {
      char buf[DCC_MAX_PATH_LEN + 1];
      if (here)
        {
          g_autofree char *heap = NULL;
          const char *p = join_in (here, name, buf, sizeof buf, &heap);
          if (dcc_walk_probe (w, p))
            found = dcc_walk_collapse_slashes (p);
        }
      for (guint i = (guint) start; !found && i < w->n_chain; i++)
        {
          g_autofree char *heap = NULL;
          const char *p = join_in (w->chain[i], name, buf, sizeof buf, &heap);
          if (dcc_walk_probe (w, p))
            {
              found = dcc_walk_collapse_slashes (p);
              found_chain = (int) i;
            }
        }
    }
  const char *val = dcc_walk_str (w, found ? dcc_walk_key (w, found_chain, found, NULL) : "");
  g_free (found);
  g_hash_table_insert (w->resolve_memo, (gpointer) key, (gpointer) val);
  if (!val[0])
    return NULL;
  *chain_out = found_chain;
  return strchr (val, ':') + 1;
}

static void
push_work (Walk *w, const char *lexical, int chain)
{
  const char *key = dcc_walk_key (w, chain, lexical, NULL);
  if (g_hash_table_contains (w->visited, key))
    return;
  g_hash_table_add (w->visited, dcc_walk_str (w, key));
  WorkItem *item = g_new0 (WorkItem, 1);
  item->lexical = dcc_walk_str (w, lexical);
  item->chain = chain;
  g_queue_push_tail (&w->work, item);
}

/* A file that __has_include finds is read by nobody but must exist remotely. */
static gboolean
add_probed_file (Walk *w, const char *lexical, GError **error)
{
  struct stat st;
  g_autofree char *phys = dcc_walk_to_file (w, lexical, &st);
  if (!phys || !S_ISREG (st.st_mode))
    return TRUE;
  DccHash hash;
  g_autofree guint8 *data = NULL;
  gsize len;
  return dcc_walk_add_file (w, phys, &st, &hash, &data, &len, FALSE, error);
}

/* Handles one resolved directive of a file. */
static gboolean
follow (Walk *w, DccScanKind kind, char form, const char *name, const char *includer,
        int includer_chain, gboolean from_cmdline, GError **error)
{
  if (kind == DCC_SCAN_INCBIN)
    {
      /* as opens it from its working directory (-Wa,-I dirs are not
       * followed: a file not found here fails remotely and is redone
       * locally). */
      g_autofree char *joined = name[0] == '/' ? g_strdup (name) : dcc_walk_join (w->cwd, name);
      g_autofree char *path = dcc_walk_collapse_slashes (joined);
      return !dcc_walk_probe (w, path) || add_probed_file (w, path, error);
    }
  gboolean next = kind == DCC_SCAN_INCLUDE_NEXT || kind == DCC_SCAN_HAS_INCLUDE_NEXT;
  int chain;
  const char *found = dcc_walk_resolve (w, form, next, name, includer, includer_chain, from_cmdline, &chain);
  if (!found)
    return TRUE;   /* the compiler won't find it either (or it is in a dead branch) */
  if (kind == DCC_SCAN_HAS_INCLUDE || kind == DCC_SCAN_HAS_INCLUDE_NEXT)
    return add_probed_file (w, found, error);
  push_work (w, found, chain);
  return TRUE;
}

static gboolean
process (Walk *w, const WorkItem *item, GError **error)
{
  struct stat st;
  g_autofree char *phys = dcc_walk_to_file (w, item->lexical, &st);
  if (!phys)
    return TRUE;
  DccHash hash;
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  StatKey k;
  dcc_closure_stat_key_from (&k, &st);
  gboolean known = dcc_closure_hash_lookup (w->engine, &k, &hash);
  ScanKey sk = { .cplusplus = w->args->cplusplus };
  DccScanResult *scan = NULL;
  if (known)
    {
      sk.hash = hash;
      scan = dcc_closure_scan_lookup (w->engine, &sk);
    }
  if (!dcc_walk_add_file (w, phys, &st, &hash, &data, &len, scan == NULL, error))
    {
      g_clear_pointer (&scan, dcc_scan_result_unref);
      return FALSE;
    }
  if (!scan)
    {
      sk.hash = hash;
      if (!dcc_scanner_scan (w->scanner, phys, data, len, w->args->cplusplus, &scan, error))
        return FALSE;
      w->stats->files_scanned++;
      dcc_closure_scan_insert (w->engine, &sk, scan);
    }
  g_ptr_array_add (w->scans, scan);   /* the walk owns this ref */
  for (guint i = 0; i < scan->includes->len; i++)
    {
      const DccScanInclude *inc = scan->includes->pdata[i];
      if (inc->form == DCC_SCAN_COMPUTED)
        {
          Pending *p = g_new0 (Pending, 1);
          p->inc = inc;
          p->includer = item->lexical;
          p->includer_chain = item->chain;
          g_ptr_array_add (w->pending, p);
          continue;
        }
      if (!follow (w, inc->kind, (char) inc->form, inc->name, item->lexical, item->chain, FALSE, error))
        return FALSE;
    }
  return TRUE;
}

/* Every definition of name: the command line's, the compiler's and those
 * of every file walked so far (found through each scan's index, so that only
 * the few names a computed include uses cost anything). */
static GPtrArray *
lookup_macro (const char *name, gpointer data)
{
  Walk *w = data;
  GPtrArray *defs = g_hash_table_lookup (w->macro_memo, name);
  if (defs)
    return defs;
  defs = g_ptr_array_new ();
  GPtrArray *fixed = g_hash_table_lookup (w->macros, name);
  if (fixed)
    g_ptr_array_extend (defs, fixed, NULL, NULL);
  for (guint i = 0; i < w->memo_scans; i++)
    {
      const DccScanResult *r = w->scans->pdata[i];
      GPtrArray *in_file = g_hash_table_lookup (r->macro_index, name);
      if (in_file)
        g_ptr_array_extend (defs, in_file, NULL, NULL);
    }
  g_hash_table_insert (w->macro_memo, g_strdup (name), defs);
  return defs;
}

static void
add_macro (Walk *w, DccScanMacro *m)
{
  g_ptr_array_add (w->cmdline_macros, m);
  GPtrArray *defs = g_hash_table_lookup (w->macros, m->name);
  if (!defs)
    {
      defs = g_ptr_array_new ();
      g_hash_table_insert (w->macros, m->name, defs);
    }
  g_ptr_array_add (defs, m);
}

/* -DNAME=VALUE becomes a definition like any #define (-U needs nothing: a
 * macro may always be undefined when expanding). */
static void
add_cmdline_macros (Walk *w)
{
  for (guint i = 0; i < w->args->defines->len; i++)
    {
      const char *d = w->args->defines->pdata[i];
      if (!g_str_has_prefix (d, "-D"))
        continue;
      DccScanMacro *m = dcc_macro_from_cmdline (d + 2);
      if (m)
        add_macro (w, m);
    }
}

/* The compiler's predefined macros (`linux`, `__x86_64__`...), once per
 * walk and only when a computed include needs expanding. The text is cached
 * by compiler-info.c; without it we just know less. */
static void
add_predefined_macros (Walk *w, const char *compiler_path)
{
  if (w->predef_added)
    return;
  w->predef_added = TRUE;
  g_autoptr(GError) local = NULL;
  g_autofree char *text = dcc_compiler_predefined_macros (compiler_path, w->args, w->cwd, &local);
  if (!text)
    {
      dcc_debug ("predefined macros unknown: %s", local->message);
      return;
    }
  g_autoptr(GPtrArray) defs = dcc_macro_parse_defines (text);
  for (guint i = 0; i < defs->len; i++)
    add_macro (w, g_steal_pointer (&defs->pdata[i]));
  g_ptr_array_set_free_func (defs, NULL);
}

/* The exact fallback: a full parse with the compiler's own macros. */
static gboolean
full_parse (Walk *w, const char *compiler_path, const char *source, GError **error)
{
  g_autofree char *predef = dcc_compiler_predefined_macros (compiler_path, w->args, w->cwd, error);
  if (!predef)
    return FALSE;
  g_autoptr(GString) header = g_string_new (predef);
  for (guint i = 0; i < w->args->defines->len; i++)
    {
      const char *d = w->args->defines->pdata[i];
      if (g_str_has_prefix (d, "-U"))
        g_string_append_printf (header, "#undef %s\n", d + 2);
      else
        {
          const char *eq = strchr (d + 2, '=');
          if (eq)
            g_string_append_printf (header, "#define %.*s %s\n", (int) (eq - d - 2), d + 2, eq + 1);
          else
            g_string_append_printf (header, "#define %s 1\n", d + 2);
        }
    }
  /* Handed to libclang as an unsaved file: nothing is written to disk. */
  const char *tmp = "/dcc-include-server/predefined-macros.h";
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (args, g_strdup ("-x"));
  g_ptr_array_add (args, g_strdup (w->args->lang));
  g_ptr_array_add (args, g_strdup ("-working-directory"));
  g_ptr_array_add (args, g_strdup (w->cwd));
  g_ptr_array_add (args, g_strdup ("-undef"));
  g_ptr_array_add (args, g_strdup ("-nostdinc"));
  g_ptr_array_add (args, g_strdup ("-w"));
  g_ptr_array_add (args, g_strdup ("-ferror-limit=0"));
  for (guint i = 0; i < w->args->predef_flags->len; i++)
    {
      const char *f = w->args->predef_flags->pdata[i];
      if (g_str_has_prefix (f, "-std=") || g_str_has_prefix (f, "-fms-extensions"))
        g_ptr_array_add (args, g_strdup (f));
    }
  g_ptr_array_add (args, g_strdup ("-include"));
  g_ptr_array_add (args, g_strdup (tmp));
  for (guint i = 0; i < w->args->forced_includes->len; i++)
    {
      g_ptr_array_add (args, g_strdup ("-include"));
      g_ptr_array_add (args, g_strdup (w->args->forced_includes->pdata[i]));
    }
  for (guint i = 0; i < w->sp->n_quote; i++)
    {
      g_ptr_array_add (args, g_strdup ("-iquote"));
      g_ptr_array_add (args, g_strdup (w->sp->quote_dirs[i]));
    }
  for (guint i = 0; i < w->sp->n_angled; i++)
    {
      g_ptr_array_add (args, g_strdup ("-I"));
      g_ptr_array_add (args, g_strdup (w->sp->angled_dirs[i]));
    }
  g_ptr_array_add (args, NULL);
  g_autoptr(GPtrArray) files = NULL;
  if (!dcc_scanner_inclusions (w->scanner, source, (const char *const *) args->pdata,
                               tmp, header->str, &files, error))
    return FALSE;
  w->stats->full_parse = TRUE;
  for (guint i = 0; i < files->len; i++)
    {
      const char *f = files->pdata[i];
      if (g_str_equal (f, tmp))
        continue;
      g_autofree char *abs = dcc_walk_make_absolute (w->cwd, f);
      push_work (w, abs, CHAIN_NONE);
    }
  return TRUE;
}

/* Resolves pending computed includes with every definition seen so far.
 * Sets *progress if that added work; FALSE + error if one cannot be followed
 * and the full parse is not possible. */
static gboolean
resolve_pending (Walk *w, const char *compiler_path, const char *source, gboolean *progress,
                 GError **error)
{
  if (w->memo_scans != w->scans->len)
    {
      g_hash_table_remove_all (w->macro_memo);
      w->memo_scans = w->scans->len;
    }
  add_predefined_macros (w, compiler_path);
  guint before = w->work.length;
  g_autofree char *unresolved = NULL;
  for (guint i = 0; i < w->pending->len; i++)
    {
      const Pending *p = w->pending->pdata[i];
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      if (!dcc_macro_expand_include_with (p->inc->name, lookup_macro, w, names))
        {
          if (!unresolved)
            unresolved = g_strdup_printf ("#include %s in %s:%u", p->inc->name, p->includer, p->inc->line);
          continue;
        }
      for (guint k = 0; k < names->len; k++)
        {
          const char *n = names->pdata[k];
          if (!follow (w, p->inc->kind, n[0], n + 1, p->includer, p->includer_chain, FALSE, error))
            return FALSE;
        }
    }
  *progress = w->work.length > before;
  if (unresolved && !*progress && !w->exact_done)
    {
      g_autoptr(GError) local = NULL;
      g_autofree char *safe = dcc_escape_for_log (unresolved, 300);
      dcc_debug ("computed include not resolvable (%s): full parse", safe);
      w->exact_done = TRUE;
      if (!full_parse (w, compiler_path, source, &local))
        return dcc_fail (error, DCC_ERROR_FAILED, "cannot follow %s (%s)", safe, local->message);
      *progress = TRUE;
    }
  return TRUE;
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  const DccIsEntry *x = *(DccIsEntry *const *) a, *y = *(DccIsEntry *const *) b;
  return strcmp (x->path, y->path);
}

static int
compare_checks (gconstpointer a, gconstpointer b)
{
  const Check *x = *(Check *const *) a, *y = *(Check *const *) b;
  int c = strcmp (x->path, y->path);
  return c ? c : (int) x->follow - (int) y->follow;
}

static void
free_gstring (gpointer s)
{
  g_string_free (s, TRUE);
}

static void
walk_clear (Walk *w)
{
  g_clear_pointer (&w->entries, g_hash_table_unref);
  g_clear_pointer (&w->checks, g_hash_table_unref);
  g_clear_pointer (&w->dir_memo, g_hash_table_unref);
  g_clear_pointer (&w->resolve_memo, g_hash_table_unref);
  g_clear_pointer (&w->visited, g_hash_table_unref);
  g_clear_pointer (&w->probed_dirs, g_hash_table_unref);
  g_clear_pointer (&w->absent_paths, g_hash_table_unref);
  g_clear_pointer (&w->dirs_seen, g_hash_table_unref);
  g_queue_clear_full (&w->work, (GDestroyNotify) work_item_free);
  g_clear_pointer (&w->pending, g_ptr_array_unref);
  g_clear_pointer (&w->macros, g_hash_table_unref);
  g_clear_pointer (&w->macro_memo, g_hash_table_unref);
  g_clear_pointer (&w->cmdline_macros, g_ptr_array_unref);
  g_clear_pointer (&w->scans, g_ptr_array_unref);
  g_clear_pointer (&w->chain, g_free);
  g_clear_pointer (&w->sp, dcc_search_path_unref);
  if (w->key)
    g_string_free (g_steal_pointer (&w->key), TRUE);
  g_clear_pointer (&w->strings, g_string_chunk_free);
}

static gboolean
walk_all (Walk *w, const char *compiler_path, const char *source_abs, GError **error)
{
  for (;;)
    {
      WorkItem *item;
      while ((item = g_queue_pop_head (&w->work)))
        {
          gboolean ok = process (w, item, error);
          work_item_free (item);
          if (!ok)
            return FALSE;
        }
      if (w->pending->len == 0)
        return TRUE;
      gboolean progress = FALSE;
      if (!resolve_pending (w, compiler_path, source_abs, &progress, error))
        return FALSE;
      if (!progress)
        return TRUE;
    }
}

gboolean
dcc_closure_compute (DccClosureEngine *engine, DccScanner *scanner, const char *cwd,
                     const char *const *argv, const char *path_env, GPtrArray **entries_out,
                     DccClosureStats *stats, GError **error)
{
  DccClosureStats local_stats = { 0 };
  if (!stats)
    stats = &local_stats;
  memset (stats, 0, sizeof *stats);
  if (cwd[0] != '/')
    return dcc_fail (error, DCC_ERROR_INVALID, "working directory is not absolute");

  g_autoptr(DccIsCompileArgs) args = NULL;
  if (!dcc_is_compile_args_scan (argv, &args, error))
    return FALSE;
  g_autofree char *compiler_path = dcc_is_compiler_find (args->compiler, cwd, path_env, error);
  if (!compiler_path)
    return FALSE;

  g_autoptr(GString) key = g_string_new (cwd);
  for (guint i = 0; argv[i]; i++)
    g_string_append_printf (key, "%c%s", 0x1f, argv[i]);
  g_string_append_printf (key, "%c%s", 0x1f, compiler_path);
  GPtrArray *cached = dcc_closure_cache_lookup (engine, key->str, &stats->files_hashed);
  if (cached)
    {
      stats->cache_hit = TRUE;
      *entries_out = cached;
      return TRUE;
    }

  Walk w = { .engine = engine, .scanner = scanner, .cwd = cwd, .args = args, .stats = stats };
  w.entries = g_hash_table_new_full (dcc_str_hash, g_str_equal, NULL, (GDestroyNotify) dcc_is_entry_free);
  /* Keys and memo values are in w.strings. */
  w.strings = g_string_chunk_new (16384);
  w.checks = g_hash_table_new_full (dcc_str_hash, g_str_equal, NULL, (GDestroyNotify) dcc_cached_check_free);
  w.dir_memo = g_hash_table_new (dcc_str_hash, g_str_equal);
  w.resolve_memo = g_hash_table_new (dcc_str_hash, g_str_equal);
  w.visited = g_hash_table_new (dcc_str_hash, g_str_equal);
  w.probed_dirs = g_hash_table_new_full (dcc_str_hash, g_str_equal, NULL, free_gstring);
  w.absent_paths = g_hash_table_new (dcc_str_hash, g_str_equal);
  w.dirs_seen = g_hash_table_new_full (dcc_str_hash, g_str_equal, NULL, (GDestroyNotify) dcc_walk_dir_seen_free);
  w.pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  w.macros = g_hash_table_new_full (dcc_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  w.cmdline_macros = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_macro_free);
  w.macro_memo = g_hash_table_new_full (dcc_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  w.scans = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_result_unref);
  w.key = g_string_sized_new (256);
  gboolean ok = FALSE;

  g_autofree char *source = dcc_walk_make_absolute (cwd, args->source);
  struct stat st;
  /* The compiler binary: a new one may search other dirs. */
  if (stat (compiler_path, &st) == 0)
    dcc_walk_add_check (&w, compiler_path, TRUE, &st);
  if (stat (source, &st) != 0 || !S_ISREG (st.st_mode))
    {
      dcc_fail (error, DCC_ERROR_FAILED, "source %s not found", args->source);
      goto out;
    }
  /* The compile runs in cwd: it must exist remotely. */
  if (!dcc_walk_resolve_dir (&w, cwd))
    {
      dcc_fail (error, DCC_ERROR_FAILED, "working directory not found");
      goto out;
    }
  if (args->preprocessed)
    {
      g_autofree char *phys = dcc_walk_to_file (&w, source, &st);
      DccHash hash;
      g_autofree guint8 *data = NULL;
      gsize len;
      if (!phys || !dcc_walk_add_file (&w, phys, &st, &hash, &data, &len, FALSE, error))
        goto out;
    }
  else
    {
      w.sp = dcc_compiler_search_path (compiler_path, args, cwd, error);
      if (!w.sp)
        goto out;
      w.n_chain = w.sp->n_quote + w.sp->n_angled;
      w.chain = g_new0 (char *, w.n_chain + 1);
      for (guint i = 0; i < w.sp->n_quote; i++)
        w.chain[i] = w.sp->quote_dirs[i];
      for (guint i = 0; i < w.sp->n_angled; i++)
        w.chain[w.sp->n_quote + i] = w.sp->angled_dirs[i];
      /* Every search dir that exists, exists remotely too, so the compiler
       * there prunes and de-duplicates its search list the same way. */
      for (guint i = 0; i < w.n_chain; i++)
        dcc_walk_resolve_dir (&w, w.chain[i]);
      add_cmdline_macros (&w);

      push_work (&w, source, CHAIN_MAIN);
      if (!args->no_std_predef)
        for (guint i = 0; w.sp->implicit_includes[i]; i++)
          push_work (&w, w.sp->implicit_includes[i], CHAIN_NONE);
      for (guint i = 0; i < args->forced_includes->len; i++)
        if (!follow (&w, DCC_SCAN_INCLUDE, '"', args->forced_includes->pdata[i], source,
                     CHAIN_MAIN, TRUE, error))
          goto out;
      if (!walk_all (&w, compiler_path, source, error))
        goto out;
    }

  {
    GPtrArray *entries = g_ptr_array_new_full (g_hash_table_size (w.entries),
                                               (GDestroyNotify) dcc_is_entry_free);
    g_autoptr(GPtrArray) checks = g_ptr_array_new_full (g_hash_table_size (w.checks),
                                                        (GDestroyNotify) dcc_cached_check_free);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init (&it, w.entries);
    while (g_hash_table_iter_next (&it, NULL, &v))
      {
        g_hash_table_iter_steal (&it);
        g_ptr_array_add (entries, v);
      }
    gpointer k;
    g_hash_table_iter_init (&it, w.checks);
    while (g_hash_table_iter_next (&it, &k, &v))
      {
        Check *c = v;
        GString *names = c->follow && c->exists ? g_hash_table_lookup (w.probed_dirs, c->path) : NULL;
        if (names && names->len > 0)
          c->absent = g_strdup (names->str);
        g_hash_table_iter_steal (&it);
        g_ptr_array_add (checks, v);
      }
    /* Sorted by path, a directory comes before everything inside it. */
    g_ptr_array_sort (entries, compare_entries);
    /* Checks in a fixed order too, so that the same closure is saved as the
     * same bytes. */
    g_ptr_array_sort (checks, compare_checks);
    if (entries->len > DCC_MAX_MANIFEST_ENTRIES)
      {
        g_ptr_array_unref (entries);
        dcc_fail (error, DCC_ERROR_LIMIT, "closure has more than %u entries", DCC_MAX_MANIFEST_ENTRIES);
        goto out;
      }
    dcc_closure_cache_insert (engine, key->str, entries, checks, FALSE);
    *entries_out = entries;
  }
  ok = TRUE;
out:
  walk_clear (&w);
  return ok;
}
