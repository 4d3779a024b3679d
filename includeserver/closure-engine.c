/* The closure engine: the caches every request shares, in memory (file
 * hashes by stat key, header scans by content hash, whole closures by
 * compile, each re-validated against the disk before use) and on disk
 * across server lifetimes. Split from the walk (closure.c) because the
 * caches outlive any one request and know nothing of include resolution. */
#include "closure-private.h"
#include "cache-file.h"
#include "dcc-error.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* ---- stat keys: what makes a cached fact about a path still true ---- */

void
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

/* A searched directory that changed: do the names looked for there still
 * find nothing (nothing, or a directory, as dcc_walk_probe() decides)? */
static gboolean
names_still_absent (DccClosureEngine *e, const Check *c)
{
  for (const char *name = c->absent; *name; )
    {
      gsize n = strcspn (name, "/");
      if (n > 0)
        {
          g_autofree char *p = g_strdup_printf ("%s/%.*s", c->path, (int) n, name);
          struct stat st;
          if (dcc_stat_cache_stat (e->stat_cache, p, TRUE, &st) == 0 && !S_ISDIR (st.st_mode))
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

/* *memo: the stat-cache answer the verdict rests on. When the fact holds
 * and that answer is still the cache's later, the fact still holds: an
 * event that could change the answer forgets it, and a name appearing in
 * a directory (names_still_absent) is such an event for the directory. */
static FactState
check_fact (DccClosureEngine *e, const Check *c, struct stat *st, DccStatMemo *memo)
{
  int rc = dcc_stat_cache_stat_memo (e->stat_cache, c->path, c->follow, st, memo);
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
    return names_still_absent (e, c) ? FACT_HOLDS : FACT_BROKEN;
  if (!c->follow && S_ISREG (st->st_mode) && k.mode == c->key.mode && k.size == c->key.size)
    return FACT_FILE_RESTAMPED;
  return FACT_BROKEN;
}

/* ---- the engine: caches shared by all requests ---- */

typedef struct {
  GPtrArray *entries;   /* DccEntry* */
  GPtrArray *checks;    /* Check* */
} CachedClosure;

static void
cached_closure_free (CachedClosure *c)
{
  g_ptr_array_unref (c->entries);
  g_ptr_array_unref (c->checks);
  g_free (c);
}

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

/* ---- one copy of each entry and check for all cached closures ---- */

/* The kernel's 422 units share most of their ~900 entries and checks:
 * kept once each, the closure cache of a first build takes a fraction of
 * the memory (and of the page faults that first touch it). */

static guint
entry_hash (gconstpointer p)
{
  const DccEntry *x = p;
  return dcc_str_hash (x->path) ^ dcc_hash_hash (&x->hash) ^ (guint) x->size ^ (x->mode << 3) ^ x->kind;
}

static gboolean
entry_equal (gconstpointer a, gconstpointer b)
{
  const DccEntry *x = a, *y = b;
  return x->kind == y->kind && x->mode == y->mode && x->size == y->size && dcc_hash_equal (&x->hash, &y->hash)
         && g_str_equal (x->path, y->path) && g_strcmp0 (x->target ? x->target : "", y->target ? y->target : "") == 0;
}

/* The names looked for in a searched directory are part of the hash: the
 * same directory is checked with other names by almost every unit, and
 * without them all those checks collided, each lookup comparing the long
 * name lists one after the other. */
static guint
check_hash (gconstpointer p)
{
  const Check *c = p;
  return dcc_str_hash (c->path) ^ (guint) c->key.ino ^ (guint) c->key.mtime_ns ^ ((guint) c->follow << 1)
         ^ ((guint) c->exists << 2) ^ (c->absent ? dcc_str_hash (c->absent) * 31u : 0u);
}

static gboolean
check_equal (gconstpointer a, gconstpointer b)
{
  const Check *x = a, *y = b;
  return x->exists == y->exists && x->follow == y->follow && x->identity == y->identity
         && memcmp (&x->key, &y->key, sizeof x->key) == 0 && g_str_equal (x->path, y->path)
         && g_strcmp0 (x->absent, y->absent) == 0;
}

/* Replaces each element of items (not yet shared with anyone) by the
 * table's equal one, adding those it lacks. */
static void
intern_all (GHashTable *table, GHashTable *own, GPtrArray *items, gpointer (*ref) (gpointer),
            GDestroyNotify unref)
{
  if (g_hash_table_size (table) >= DCC_CLOSURE_CACHE_MAX_ENTRIES)
    {
      g_hash_table_remove_all (own);
      g_hash_table_remove_all (table);
    }
  for (guint i = 0; i < items->len; i++)
    {
      /* The table's own copy already (the cache file's closures share
       * their items): found by address, without hashing its fields. */
      if (g_hash_table_contains (own, items->pdata[i]))
        continue;
      gpointer have = g_hash_table_lookup (table, items->pdata[i]);
      if (have == items->pdata[i])
        continue;
      if (have)
        {
          unref (items->pdata[i]);
          items->pdata[i] = ref (have);
        }
      else
        {
          g_hash_table_add (table, ref (items->pdata[i]));
          g_hash_table_add (own, items->pdata[i]);
        }
    }
}

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
  e->interned_entries = g_hash_table_new_full (entry_hash, entry_equal, (GDestroyNotify) dcc_entry_free, NULL);
  e->interned_checks = g_hash_table_new_full (check_hash, check_equal, (GDestroyNotify) dcc_cached_check_free, NULL);
  e->own_entries = g_hash_table_new (NULL, NULL);
  e->own_checks = g_hash_table_new (NULL, NULL);
  g_mutex_init (&e->header_lock);
  e->listings = dcc_dir_listings_new (DCC_DIR_LISTING_SETTLE_S);
  /* DCC_IS_NO_INOTIFY=1: every stat a system call (for comparisons). */
  e->stat_cache = dcc_stat_cache_new (g_getenv ("DCC_IS_NO_INOTIFY") == NULL);
  e->fresh_hashes = g_array_new (FALSE, FALSE, sizeof (StatKey));
  e->fresh_scans = g_array_new (FALSE, FALSE, sizeof (ScanKey));
  e->fresh_closures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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
  g_hash_table_unref (e->own_entries);
  g_hash_table_unref (e->own_checks);
  g_hash_table_unref (e->interned_entries);
  g_hash_table_unref (e->interned_checks);
  g_array_unref (e->fresh_hashes);
  g_array_unref (e->fresh_scans);
  g_hash_table_unref (e->fresh_closures);
  dcc_header_table_unref (e->headers);
  g_mutex_clear (&e->header_lock);
  dcc_dir_listings_free (e->listings);
  DccStatCacheCounters sc;
  dcc_stat_cache_counters (e->stat_cache, &sc);
  /* One line a session: how much the build's own writes cost the cache. */
  dcc_notice ("stat cache: %" G_GUINT64_FORMAT " hits, %" G_GUINT64_FORMAT " misses, %" G_GUINT64_FORMAT
             " not cachable, %" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT " resets, %u watches, %u paths",
             sc.hits, sc.misses, sc.uncached, sc.events, sc.resets, sc.watches, sc.nodes);
  dcc_stat_cache_free (e->stat_cache);
  g_mutex_clear (&e->hash_lock);
  g_mutex_clear (&e->scan_lock);
  g_mutex_clear (&e->closure_lock);
  g_free (e);
}

gboolean
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
    {
      g_hash_table_remove_all (e->hashes);
      e->fresh_lost = TRUE;
    }
  g_hash_table_replace (e->hashes, g_memdup2 (k, sizeof *k), g_memdup2 (h, sizeof *h));
  if (e->fresh_hashes->len < DCC_IS_CACHE_MAX_HASHES)
    g_array_append_val (e->fresh_hashes, *k);
  else
    e->fresh_lost = TRUE;
  g_mutex_unlock (&e->hash_lock);
  /* Not "learnt" by itself: a walk that hashes files also inserts its
   * scans and closure, and a restamp's hash is cheaper to make again in
   * the next session than the cache file is to rewrite (see below). */
}

DccScanResult *
dcc_closure_scan_lookup (DccClosureEngine *e, const ScanKey *k)
{
  g_mutex_lock (&e->scan_lock);
  DccScanResult *r = g_hash_table_lookup (e->scans, k);
  if (r)
    dcc_scan_result_ref (r);
  g_mutex_unlock (&e->scan_lock);
  return r;
}

void
dcc_closure_scan_insert (DccClosureEngine *e, const ScanKey *k, DccScanResult *r)
{
  g_mutex_lock (&e->scan_lock);
  if (g_hash_table_size (e->scans) >= DCC_CLOSURE_SCAN_CACHE_MAX)
    {
      g_hash_table_remove_all (e->scans);
      e->fresh_lost = TRUE;
    }
  g_hash_table_replace (e->scans, g_memdup2 (k, sizeof *k), dcc_scan_result_ref (r));
  if (e->fresh_scans->len < DCC_IS_CACHE_MAX_SCANS)
    g_array_append_val (e->fresh_scans, *k);
  else
    e->fresh_lost = TRUE;
  g_mutex_unlock (&e->scan_lock);
  g_atomic_int_set (&e->learnt, 1);
}

/* The entry for path in entries (sorted by path), or NULL. */
static const DccEntry *
find_entry (GPtrArray *entries, const char *path)
{
  guint lo = 0, hi = entries->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const DccEntry *x = entries->pdata[mid];
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
  const DccEntry *entry = find_entry (entries, c->path);
  if (!entry || entry->kind != DCC_ENTRY_FILE)
    return FALSE;
  DccHash hash;
  g_autofree guint8 *data = NULL;
  gsize len;
  return dcc_closure_hash_file (e, c->path, now, &hash, &data, &len, FALSE, n_hashed, NULL)
         && dcc_hash_equal (&hash, &entry->hash);
}

/* unchanged[i]: checks[i] held in this walk (if not 0) or against a
 * stat-cache answer nothing has forgotten since. Most facts are shared by
 * many closures (a project's headers) and were checked by one before: all
 * under one lock. */
static guint8 *
memos_unchanged (DccClosureEngine *e, GPtrArray *checks, guintptr walk)
{
  guint8 *unchanged = g_malloc (checks->len + 1);
  dcc_stat_cache_lock (e->stat_cache);
  for (guint i = 0; i < checks->len; i++)
    {
      Check *c = checks->pdata[i];
      unchanged[i] = (walk && g_atomic_pointer_get (&c->held_in) == walk)
                     || dcc_stat_cache_unchanged_locked (e->stat_cache, &c->held);
    }
  dcc_stat_cache_unlock (e->stat_cache);
  return unchanged;
}

/* A fact that holds remembers the answer it held against. */
static FactState
check_and_keep (DccClosureEngine *e, Check *check, struct stat *now)
{
  DccStatMemo memo;
  FactState state = check_fact (e, check, now, &memo);
  if (state == FACT_HOLDS && memo.node)
    dcc_stat_cache_keep_memo (e->stat_cache, &check->held, &memo);
  return state;
}

guintptr
dcc_closure_walk_id (DccClosureEngine *e)
{
  return (guintptr) g_atomic_pointer_add (&e->walks, 1) + 1;
}

gboolean
dcc_closure_checks_hold (DccClosureEngine *e, GPtrArray *checks, guintptr walk)
{
  g_autofree guint8 *unchanged = memos_unchanged (e, checks, walk);
  for (guint i = 0; i < checks->len; i++)
    {
      Check *c = checks->pdata[i];
      struct stat now;
      if (unchanged[i])
        {
          if (walk)
            g_atomic_pointer_set (&c->held_in, walk);
          continue;
        }
      if (check_and_keep (e, c, &now) != FACT_HOLDS)
        return FALSE;
      if (walk)
        g_atomic_pointer_set (&c->held_in, walk);
    }
  return TRUE;
}

void
dcc_closure_intern (DccClosureEngine *e, GPtrArray *entries, GPtrArray *checks)
{
  g_mutex_lock (&e->closure_lock);
  if (entries)
    intern_all (e->interned_entries, e->own_entries, entries, (gpointer (*) (gpointer)) dcc_entry_ref,
                (GDestroyNotify) dcc_entry_free);
  intern_all (e->interned_checks, e->own_checks, checks, (gpointer (*) (gpointer)) dcc_cached_check_ref,
              (GDestroyNotify) dcc_cached_check_free);
  g_mutex_unlock (&e->closure_lock);
}

/* Returns the cached closure's entries if every fact it rests on still holds.
 * The checks run outside the lock (they are syscalls); the cache holds a ref.
 * Files only restamped are recorded anew, so that the next lookup (and the
 * next session, through the cache file) need not hash them again. */
GPtrArray *
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
  g_autofree guint8 *unchanged = memos_unchanged (e, checks, 0);
  for (guint i = 0; i < checks->len; i++)
    {
      Check *check = checks->pdata[i];
      if (unchanged[i])
        continue;
      struct stat now;
      FactState state = check_and_keep (e, check, &now);
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
void
dcc_closure_cache_insert (DccClosureEngine *e, const char *key, GPtrArray *entries, GPtrArray *checks,
                          gboolean only_over_same)
{
  if (entries->len > DCC_CLOSURE_CACHE_MAX_ENTRIES / 4)
    return;
  g_mutex_lock (&e->closure_lock);
  /* Not on a restamp: those entries are shared already (a reply may be
   * reading them); fresh walks and the cache file's closures are not. */
  if (!only_over_same)
    {
      intern_all (e->interned_entries, e->own_entries, entries, (gpointer (*) (gpointer)) dcc_entry_ref,
                  (GDestroyNotify) dcc_entry_free);
      intern_all (e->interned_checks, e->own_checks, checks, (gpointer (*) (gpointer)) dcc_cached_check_ref,
                  (GDestroyNotify) dcc_cached_check_free);
    }
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
  /* Not restamps: a kernel's make clean restamps every closure (each
   * includes the regenerated autoconf.h), and the next session re-hashes
   * such a file once for all of them. */
  if (!only_over_same && g_hash_table_size (e->fresh_closures) < DCC_IS_CACHE_MAX_CLOSURES)
    g_hash_table_add (e->fresh_closures, g_strdup (key));
  else if (!only_over_same)
    e->fresh_lost = TRUE;
  while (e->closure_entries > DCC_CLOSURE_CACHE_MAX_ENTRIES && e->closure_order.length > 1)
    {
      char *victim = g_queue_pop_head (&e->closure_order);
      CachedClosure *v = g_hash_table_lookup (e->closures, victim);
      e->closure_entries -= v->entries->len;
      g_hash_table_remove (e->closures, victim);
    }
  g_mutex_unlock (&e->closure_lock);
  /* A restamp (files rewritten with the same bytes: a kernel's generated
   * headers after make clean) is kept in memory but does not make the
   * cache file worth rewriting: the next session hashes those few files
   * again (~20 us each), where the rewrite costs ~0.4 s of a 7 MB file. */
  if (!only_over_same)
    g_atomic_int_set (&e->learnt, 1);
}

/* ---- the caches on disk, across server lifetimes ---- */

static char *
cache_tag (void)
{
  g_autofree char *v = dcc_scanner_version ();
  return g_strdup_printf ("scan-format 4; %s", v);
}

static void
add_scan (GPtrArray *scans, const ScanKey *k, DccScanResult *r)
{
  DccCachedScan *c = g_new0 (DccCachedScan, 1);
  c->hash = k->hash;
  c->cplusplus = k->cplusplus;
  c->scan = dcc_scan_result_ref (r);
  g_ptr_array_add (scans, c);
}

/* Copies into hashes, scans and closures either everything the engine holds
 * (all) or only what was added since the file was read or written. */
static void
gather (DccClosureEngine *e, gboolean all, GArray *hashes, GPtrArray *scans, GPtrArray *closures)
{
  GHashTableIter it;
  gpointer k, v;
  g_mutex_lock (&e->hash_lock);
  if (all)
    {
      g_hash_table_iter_init (&it, e->hashes);
      while (g_hash_table_iter_next (&it, &k, &v))
        {
          DccCachedHash c = { .key = *(StatKey *) k, .hash = *(DccHash *) v };
          g_array_append_val (hashes, c);
        }
    }
  else
    {
      g_autoptr(GHashTable) seen = g_hash_table_new (stat_key_hash, stat_key_equal);
      for (guint i = 0; i < e->fresh_hashes->len; i++)
        {
          const StatKey *sk = &g_array_index (e->fresh_hashes, StatKey, i);
          const DccHash *h = g_hash_table_lookup (e->hashes, sk);
          if (!h || !g_hash_table_add (seen, (gpointer) sk))
            continue;
          DccCachedHash c = { .key = *sk, .hash = *h };
          g_array_append_val (hashes, c);
        }
    }
  g_mutex_unlock (&e->hash_lock);
  g_mutex_lock (&e->scan_lock);
  if (all)
    {
      g_hash_table_iter_init (&it, e->scans);
      while (g_hash_table_iter_next (&it, &k, &v))
        add_scan (scans, k, v);
    }
  else
    {
      g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < e->fresh_scans->len; i++)
        if (g_hash_table_lookup_extended (e->scans, &g_array_index (e->fresh_scans, ScanKey, i), &k, &v)
            && g_hash_table_add (seen, k))
          add_scan (scans, k, v);
    }
  g_mutex_unlock (&e->scan_lock);
  g_mutex_lock (&e->closure_lock);
  /* Oldest first, as they were inserted: the next server evicts in the
   * same order, and the same closures make the same file. */
  for (GList *l = e->closure_order.head; l; l = l->next)
    {
      if (!all && !g_hash_table_contains (e->fresh_closures, l->data))
        continue;
      const CachedClosure *cc = g_hash_table_lookup (e->closures, l->data);
      DccCachedClosure *c = g_new0 (DccCachedClosure, 1);
      c->key = g_strdup (l->data);
      c->entries = g_ptr_array_ref (cc->entries);
      c->checks = g_ptr_array_ref (cc->checks);
      g_ptr_array_add (closures, c);
    }
  g_mutex_unlock (&e->closure_lock);
}

/* The engine's caches (all) or what is fresh in them, encoded. */
static GByteArray *
encode_engine (DccClosureEngine *e, gboolean all, const char *tag)
{
  g_autoptr(GArray) hashes = g_array_new (FALSE, TRUE, sizeof (DccCachedHash));
  g_autoptr(GPtrArray) scans = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_scan_free);
  g_autoptr(GPtrArray) closures = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_cached_closure_free);
  gather (e, all, hashes, scans, closures);
  GByteArray *buf = g_byte_array_new ();
  dcc_is_cache_encode (buf, tag, hashes, scans, closures);
  return buf;
}

/* The file now holds everything the engine knows: nothing is fresh. */
static void
file_now (DccClosureEngine *e, const struct stat *st, goffset first, guint segments)
{
  e->file_known = TRUE;
  e->file_dev = st->st_dev;
  e->file_ino = st->st_ino;
  e->file_size = st->st_size;
  e->file_first = first;
  e->file_segments = segments;
  g_mutex_lock (&e->hash_lock);
  g_array_set_size (e->fresh_hashes, 0);
  g_mutex_unlock (&e->hash_lock);
  g_mutex_lock (&e->scan_lock);
  g_array_set_size (e->fresh_scans, 0);
  g_mutex_unlock (&e->scan_lock);
  g_mutex_lock (&e->closure_lock);
  g_hash_table_remove_all (e->fresh_closures);
  g_mutex_unlock (&e->closure_lock);
  e->fresh_lost = FALSE;
}

/* Appends one segment to path, if path is still the file this engine last
 * read or wrote (same inode, same size). On a failed write the file is cut
 * back to where it was, so that it still decodes. */
static gboolean
append_segment (DccClosureEngine *e, const char *path, const GByteArray *seg)
{
  int fd = open (path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return FALSE;
  struct stat st;
  gboolean ok = fstat (fd, &st) == 0 && st.st_dev == e->file_dev && st.st_ino == e->file_ino
                && st.st_size == e->file_size
                && dcc_io_write_all (fd, seg->data, seg->len, 30, NULL);
  if (!ok && fstat (fd, &st) == 0 && st.st_dev == e->file_dev && st.st_ino == e->file_ino
      && st.st_size > e->file_size)
    (void) !ftruncate (fd, e->file_size);
  if (close (fd) != 0)
    ok = FALSE;
  if (ok)
    {
      st.st_size = e->file_size + (goffset) seg->len;
      file_now (e, &st, e->file_first, e->file_segments + 1);
    }
  return ok;
}

gboolean
dcc_closure_engine_save (DccClosureEngine *e, const char *path, gboolean *appended, GError **error)
{
  g_autofree char *tag = cache_tag ();
  *appended = FALSE;
  /* What this session added, as a segment at the end of the file, while
   * the segments stay small beside the file's first one (half its size,
   * or 256 KiB for a small file): a build that walked
   * a few units again (a kernel's after make clean) then writes a few KB
   * instead of rewriting megabytes. Past that, or onto any other file, the
   * whole file is written again (which also drops what later segments
   * replaced). */
  if (e->file_known && !e->fresh_lost && e->file_segments < DCC_IS_CACHE_MAX_SEGMENTS)
    {
      g_autoptr(GByteArray) seg = encode_engine (e, FALSE, tag);
      goffset room = MAX (e->file_first / 2, DCC_IS_CACHE_APPEND_MIN);
      if ((e->file_size - e->file_first) + (goffset) seg->len <= room && append_segment (e, path, seg))
        {
          *appended = TRUE;
          return TRUE;
        }
    }
  g_autoptr(GByteArray) buf = encode_engine (e, TRUE, tag);
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    return dcc_fail_errno (error, "creating %s", dir);
  if (!dcc_io_write_file_atomic (path, buf->data, buf->len, 0600, error))
    return FALSE;
  struct stat st;
  if (lstat (path, &st) == 0 && st.st_size == (goffset) buf->len)
    file_now (e, &st, st.st_size, 1);
  else
    e->file_known = FALSE;
  return TRUE;
}

gboolean
dcc_closure_engine_load (DccClosureEngine *e, const char *path, GError **error)
{
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  if (!dcc_io_read_file (path, DCC_IS_CACHE_MAX_BYTES, &data, &len, error))
    return FALSE;
  struct stat st;
  gboolean known = lstat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size == (goffset) len;
  g_autofree char *tag = cache_tag ();
  gsize first = 0;
  guint segments = 0;
  for (gsize off = 0; off < len || segments == 0; segments++)
    {
      g_autoptr(GArray) hashes = NULL;
      g_autoptr(GPtrArray) scans = NULL;
      g_autoptr(GPtrArray) closures = NULL;
      gsize used = 0;
      if (segments >= DCC_IS_CACHE_MAX_SEGMENTS)
        return dcc_fail (error, DCC_ERROR_LIMIT, "cache file has more than %u segments",
                         DCC_IS_CACHE_MAX_SEGMENTS);
      if (!dcc_is_cache_decode (data + off, len - off, tag, &hashes, &scans, &closures, &used, error))
        {
          if (segments > 0)
            g_prefix_error (error, "segment %u: ", segments + 1);
          return FALSE;
        }
      if (segments == 0)
        first = used;
      off += used;
      /* Through the same inserts as a request's, so the same bounds hold;
       * a later segment's closure replaces an earlier one's. */
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
      dcc_debug ("cache file %s segment %u: %u hashes, %u scans, %u closures", path, segments + 1,
                 hashes->len, scans->len, closures->len);
    }
  if (known)
    file_now (e, &st, (goffset) first, segments);
  else
    e->file_known = FALSE;
  g_atomic_int_set (&e->learnt, 0);
  return TRUE;
}

gboolean
dcc_closure_engine_learnt (DccClosureEngine *e)
{
  return g_atomic_int_get (&e->learnt) != 0;
}

/* The content hash of regular file phys, whose lstat is st, through the
 * engine's cache. When the file is read (need_data, or not in the cache)
 * *data gets its bytes and *n_hashed is counted; else *data is NULL. */
gboolean
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
