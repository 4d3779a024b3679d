/* The file store's disk budget: DIR/usage and its lock, the in-memory index
 * and LRU, eviction, full rescans and the sweeps of results/ and tmp/ (see
 * "Budget" in file-store.h). */
#include "file-store-private.h"

static guint64
round_to_block (DccStore *s, guint64 n)
{
  return (n + s->block - 1) / s->block * s->block;
}

/* The disk bytes a file takes, as du counts them: its blocks, and at least
 * its size rounded up to the block (a reservation's tmp/ file is sparse
 * until it is written). */
guint64
store_disk_cost (DccStore *s, const struct stat *st)
{
  guint64 blocks = (guint64) st->st_blocks * 512;
  if (!S_ISREG (st->st_mode))
    return blocks;
  return MAX (blocks, round_to_block (s, (guint64) st->st_size));
}

void
store_usage_add (DccStore *s, guint64 n)
{
  s->usage->bytes += n;
}

void
store_usage_sub (DccStore *s, guint64 n)
{
  s->usage->bytes -= MIN (s->usage->bytes, n);
}

static guint
hex_pair_value (const char sub[2])
{
  return (guint) (g_ascii_xdigit_value (sub[0]) << 4 | g_ascii_xdigit_value (sub[1]));
}

/* Counts DIR/objects/SUB or DIR/results/SUB as it is on disk now, under
 * the lock: a directory grows by a block when its entries fill one (and
 * comes into being on the first); the change is added to the usage. */
void
store_count_subdir_locked (DccStore *s, int kind, const char sub[3])
{
  int parent = kind == SUB_OBJECTS ? s->objects_fd : s->results_fd;
  guint i = hex_pair_value (sub);
  struct stat st;
  guint64 now = 0;
  if (fstatat (parent, sub, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode))
    now = MIN ((guint64) st.st_blocks, G_MAXUINT32) * 512;
  guint64 before = (guint64) s->usage->dir_sectors[kind][i] * 512;
  s->usage->dir_sectors[kind][i] = (guint32) (now / 512);
  store_usage_sub (s, before);
  store_usage_add (s, now);
  s->usage->fixed = s->usage->fixed - MIN (s->usage->fixed, before) + now;
}

/* Records (or refreshes) an object in the index. */
static Entry *
index_note (DccStore *s, const DccHash *h, guint64 size, gint64 used)
{
  Entry *e = g_hash_table_lookup (s->index, h);
  if (e == NULL)
    {
      e = g_new0 (Entry, 1);
      e->hash = *h;
      g_hash_table_insert (s->index, &e->hash, e);
    }
  else
    {
      s->total -= e->size;
    }
  e->size = size;
  e->used = MAX (e->used, used);
  s->total += size;
  return e;
}

void
store_index_drop (DccStore *s, const DccHash *h)
{
  Entry *e = g_hash_table_lookup (s->index, h);
  if (e == NULL)
    return;
  s->total -= e->size;
  g_hash_table_remove (s->index, h);
}

/* Marks the object used now, on disk (its mtime) and in the index. FALSE
 * (errno set) if it is not on disk as a regular file. */
gboolean
store_touch (DccStore *s, const DccHash *h)
{
  /* Touched by this process within the last second: it is on disk (no
   * process evicts an object used within the grace period) and its mtime
   * is fresh, so a pump job's has/link pair costs the syscalls once. */
  Entry *known = g_hash_table_lookup (s->index, h);
  if (known && s->grace_s > 0 && store_now_ns () - known->used < NS_PER_S)
    {
      known->seq = ++s->seq;
      return TRUE;
    }
  char path[OBJ_PATH_LEN];
  store_obj_path (h, path);
  struct stat st;
  if (fstatat (s->objects_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        store_index_drop (s, h);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      errno = EINVAL;
      return FALSE;
    }
  gint64 now = store_now_ns ();
  /* A use the disk shows from less than a quarter of the grace period ago
   * is not written again: a pump job checks every file of its manifest
   * (~700 for a kernel unit), and each utimensat dirties an inode. Another
   * process then sees the object as used at most that much earlier, so
   * it stays safe from eviction for three quarters of the grace period
   * after its last use, and the LRU order is that coarse. With grace 0
   * every use is written. */
  gint64 shown = store_mtime_ns (&st);
  if (shown > now || now - shown >= (gint64) s->grace_s * NS_PER_S / 4)
    {
      /* Explicit nanosecond times (we own the objects), so the LRU order
       * is finer than the kernel's coarse clock; atime is left alone. */
      struct timespec times[2] = {
        { .tv_sec = 0, .tv_nsec = UTIME_OMIT },
        { .tv_sec = now / NS_PER_S, .tv_nsec = now % NS_PER_S },
      };
      if (utimensat (s->objects_fd, path, times, AT_SYMLINK_NOFOLLOW) < 0)
        g_debug ("store: utimensat %s: %s", path, g_strerror (errno));
    }
  Entry *e = index_note (s, h, store_disk_cost (s, &st), now);
  e->seq = ++s->seq;
  return TRUE;
}

static int
cmp_lru (gconstpointer a, gconstpointer b)
{
  const Entry *x = *(const Entry * const *) a;
  const Entry *y = *(const Entry * const *) b;
  if (x->used != y->used)
    return x->used < y->used ? -1 : 1;
  if (x->seq != y->seq)
    return x->seq < y->seq ? -1 : 1;
  return 0;
}

gboolean
store_lock_usage (DccStore *s)
{
  pid_t pid = getpid ();
  if (s->lock_pid != pid)
    {
      dcc_close_fdp (&s->lock_fd);
      s->lock_depth = 0;
      s->lock_fd = openat (s->dir_fd, "usage", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
      if (s->lock_fd < 0)
        {
          g_warning ("store: cannot open %s/usage: %s", s->dir, g_strerror (errno));
          return FALSE;
        }
      s->lock_pid = pid;
    }
  if (s->lock_depth > 0)
    {
      s->lock_depth++;
      return TRUE;
    }
  while (flock (s->lock_fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        g_warning ("store: cannot lock %s/usage: %s", s->dir, g_strerror (errno));
        return FALSE;
      }
  s->lock_depth = 1;
  return TRUE;
}

void
store_unlock_usage (DccStore *s)
{
  g_return_if_fail (s->lock_depth > 0);
  if (--s->lock_depth == 0)
    flock (s->lock_fd, LOCK_UN);
}

/* Shared usage after adding extra bytes would exceed the budget, or this
 * process's index holds too many objects. Under the lock. */
static gboolean
over_budget (DccStore *s, guint64 extra)
{
  return s->usage->bytes + extra > s->max_bytes
         || g_hash_table_size (s->index) > DCC_STORE_MAX_OBJECTS;
}

/* Unlinks least recently used objects until the shared usage plus extra is
 * under the low water mark, skipping pinned ones, keep (may be NULL), and
 * any used within the grace period according to the disk. Every object
 * this process unlinks is subtracted from the shared usage, so the caller
 * holds the lock. */
static void
evict_locked (DccStore *s, const DccHash *keep, guint64 extra)
{
  if (!over_budget (s, extra))
    return;

  /* The low-water mark is a share of what objects may take: the store's
   * directories cannot be evicted. */
  guint64 fixed = MIN (s->usage->fixed, s->max_bytes);
  guint64 room = s->max_bytes - fixed;
  guint64 target_bytes = fixed + room / 100 * DCC_STORE_LOW_WATER_PERCENT
                         + room % 100 * DCC_STORE_LOW_WATER_PERCENT / 100;
  target_bytes = target_bytes > extra ? target_bytes - extra : 0;
  guint target_count = DCC_STORE_MAX_OBJECTS / 100 * DCC_STORE_LOW_WATER_PERCENT;
  gint64 cutoff = store_now_ns () - (gint64) s->grace_s * NS_PER_S;

  g_autoptr(GPtrArray) cand = g_ptr_array_sized_new (g_hash_table_size (s->index));
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init (&it, s->index);
  while (g_hash_table_iter_next (&it, NULL, &v))
    g_ptr_array_add (cand, v);
  g_ptr_array_sort (cand, cmp_lru);

  for (guint i = 0; i < cand->len; i++)
    {
      if (s->usage->bytes <= target_bytes && g_hash_table_size (s->index) <= target_count)
        break;
      Entry *e = cand->pdata[i];
      if ((keep && dcc_hash_equal (&e->hash, keep)) || store_is_pinned (s, &e->hash))
        continue;
      if (e->used > cutoff)
        continue;
      char path[OBJ_PATH_LEN];
      store_obj_path (&e->hash, path);
      struct stat st;
      if (fstatat (s->objects_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno == ENOENT)          /* another process evicted it */
            store_index_drop (s, &e->hash);
          continue;
        }
      if (store_mtime_ns (&st) > cutoff)      /* another process used it lately */
        {
          e->used = store_mtime_ns (&st);
          continue;
        }
      if (unlinkat (s->objects_fd, path, 0) < 0)
        {
          if (errno == ENOENT)
            store_index_drop (s, &e->hash);
          else
            g_debug ("store: evicting %s: %s", path, g_strerror (errno));
          continue;
        }
      g_debug ("store: evicted %s (%" G_GUINT64_FORMAT " bytes on disk)", path, store_disk_cost (s, &st));
      store_usage_sub (s, store_disk_cost (s, &st));
      store_index_drop (s, &e->hash);   /* frees e */
      /* An emptied objects/ab goes too, its block with it; a put that
       * wanted it makes it again (see store_link_object). */
      char sub[3] = { path[0], path[1], '\0' };
      if (unlinkat (s->objects_fd, sub, AT_REMOVEDIR) == 0)
        store_count_subdir_locked (s, SUB_OBJECTS, sub);
    }
}

/* Scans one objects/ab/ directory into the index. */
static gboolean
scan_subdir (DccStore *s, const char *sub, GError **error)
{
  g_autoptr(GError) open_error = NULL;
  g_autoptr(DIR) d = store_open_dir_at (s->objects_fd, sub, &open_error);
  if (d == NULL && errno == ENOENT)
    return TRUE;   /* emptied and removed by an eviction meanwhile */
  if (d == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&open_error));
      return FALSE;
    }
  int dfd = dirfd (d);
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (!store_is_lower_hex (de->d_name, DCC_HASH_HEX_LEN - 2))
        continue;   /* not ours: ".", "..", strays; left alone */
      char hex[DCC_HASH_HEX_LEN + 1];
      memcpy (hex, sub, 2);
      memcpy (hex + 2, de->d_name, DCC_HASH_HEX_LEN - 2);
      hex[DCC_HASH_HEX_LEN] = '\0';
      DccHash h;
      if (!dcc_hash_from_hex (hex, &h))
        continue;
      struct stat st;
      if (fstatat (dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG (st.st_mode))
        continue;
      if (st.st_size == 0)
        {
          DccHash empty;
          dcc_hash_bytes ("", 0, &empty);
          if (!dcc_hash_equal (&h, &empty))
            {
              /* Written but never flushed before a crash. */
              g_debug ("store: removing truncated object %s", hex);
              unlinkat (dfd, de->d_name, 0);
              continue;
            }
        }
      index_note (s, &h, store_disk_cost (s, &st), store_mtime_ns (&st));
      /* Bound memory while scanning a store bigger than the index allows. */
      if (g_hash_table_size (s->index) > 2 * DCC_STORE_MAX_OBJECTS && store_lock_usage (s))
        {
          evict_locked (s, NULL, 0);
          store_unlock_usage (s);
        }
    }
  if (errno != 0)
    return dcc_fail_errno (error, "reading %s/objects/%s", s->dir, sub);
  return TRUE;
}

/* Disk bytes of the files in tmp/: puts in progress, sized when reserved. */
static gboolean
tmp_bytes (DccStore *s, guint64 *out, GError **error)
{
  g_autoptr(DIR) d = store_open_dir_at (s->dir_fd, "tmp", error);
  if (d == NULL)
    return FALSE;
  guint64 total = 0;
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      struct stat st;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode))
        total += store_disk_cost (s, &st);
    }
  if (errno != 0)
    return dcc_fail_errno (error, "reading %s/tmp", s->dir);
  *out = total;
  return TRUE;
}

/* Re-reads objects/ into the index (s->total: their disk bytes). Needs no lock:
 * puts and evictions meanwhile may or may not be seen, and eviction checks
 * the disk again anyway. */
static gboolean
walk_objects (DccStore *s, GError **error)
{
  /* Objects no longer on disk must leave the index: keep the old entries
   * only for their in-process use order. */
  g_autoptr(GHashTable) old = g_steal_pointer (&s->index);
  s->index = g_hash_table_new_full (dcc_hash_hash, dcc_hash_equal_func, NULL, g_free);
  s->total = 0;

  g_autoptr(DIR) d = store_open_dir_at (s->dir_fd, "objects", error);
  if (d == NULL)
    return FALSE;
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (!store_is_lower_hex (de->d_name, 2))
        continue;
      if (!scan_subdir (s, de->d_name, error))
        return FALSE;
    }
  if (errno != 0)
    return dcc_fail_errno (error, "reading %s/objects", s->dir);

  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init (&it, s->index);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      Entry *e = v;
      const Entry *o = g_hash_table_lookup (old, &e->hash);
      if (o != NULL)
        e->seq = o->seq;
    }
  return TRUE;
}

/* A sweep of the store's directory `name` (results/ or tmp/) that removes
 * what is older than max_age_s (*cutoff, in ns); NULL when the directory
 * cannot be opened (logged: a sweep that cannot run is not an error). */
static DIR *
open_for_sweep (DccStore *s, const char *name, guint64 max_age_s, gint64 *cutoff)
{
  g_autoptr(GError) error = NULL;
  DIR *d = store_open_dir_at (s->dir_fd, name, &error);
  if (d == NULL)
    g_debug ("store: %s", error->message);
  *cutoff = store_now_ns () - (gint64) max_age_s * NS_PER_S;
  return d;
}

static gboolean
is_dot (const char *name)
{
  return strcmp (name, ".") == 0 || strcmp (name, "..") == 0;
}

/* Removes result names whose object is not in the index (just rebuilt by
 * walk_objects) and that are older than the grace period (a name is made
 * after its object, but a walk may have missed an object put meanwhile),
 * and anything in results/ that is not a name of ours. */
static void
sweep_results (DccStore *s)
{
  gint64 cutoff;
  g_autoptr(DIR) top = open_for_sweep (s, "results", s->grace_s, &cutoff);
  if (top == NULL)
    return;
  struct dirent *de;
  while ((de = readdir (top)) != NULL)
    {
      if (!store_is_lower_hex (de->d_name, 2))
        continue;
      g_autoptr(GError) sub_error = NULL;
      g_autoptr(DIR) d = store_open_dir_at (dirfd (top), de->d_name, &sub_error);
      if (d == NULL)
        continue;
      struct dirent *ne;
      while ((ne = readdir (d)) != NULL)
        {
          if (is_dot (ne->d_name))
            continue;
          struct stat st;
          if (fstatat (dirfd (d), ne->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || store_mtime_ns (&st) > cutoff)
            continue;
          char target[DCC_HASH_HEX_LEN + 2];
          ssize_t n = S_ISLNK (st.st_mode) ? readlinkat (dirfd (d), ne->d_name, target, sizeof target) : -1;
          DccHash value;
          if (n == DCC_HASH_HEX_LEN)
            {
              target[n] = '\0';
              if (store_is_lower_hex (ne->d_name, DCC_HASH_HEX_LEN - 2) && dcc_hash_from_hex (target, &value)
                  && g_hash_table_contains (s->index, &value))
                continue;
            }
          g_debug ("store: removing result name %s/%s", de->d_name, ne->d_name);
          unlinkat (dirfd (d), ne->d_name, 0);
        }
      /* An emptied results/ab goes, its block with it. */
      if (unlinkat (dirfd (top), de->d_name, AT_REMOVEDIR) == 0 && store_lock_usage (s))
        {
          store_count_subdir_locked (s, SUB_RESULTS, de->d_name);
          store_unlock_usage (s);
        }
    }
}

/* At open, under the lock (no put or eviction changes the disk meanwhile):
 * rebuilds the index and sets the shared usage from the disk, objects plus
 * reservations, then evicts if over budget. */
/* Blocks of what else lives in DIR (distccd's compilers/ identity cache:
 * a small file per compiler and language), one level deep; other than
 * objects/, tmp/, results/ and usage. */
static guint64
others_bytes (DccStore *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DIR) top = store_open_dir_at (s->dir_fd, ".", &error);
  if (top == NULL)
    return 0;
  guint64 total = 0;
  struct dirent *de;
  while ((de = readdir (top)) != NULL)
    {
      const char *n = de->d_name;
      if (!strcmp (n, ".") || !strcmp (n, "..") || !strcmp (n, "objects") || !strcmp (n, "tmp")
          || !strcmp (n, "results") || !strcmp (n, "usage"))
        continue;
      struct stat st;
      if (fstatat (dirfd (top), n, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      total += (guint64) st.st_blocks * 512;
      g_autoptr(GError) sub_error = NULL;
      g_autoptr(DIR) d = S_ISDIR (st.st_mode) ? store_open_dir_at (dirfd (top), n, &sub_error) : NULL;
      struct dirent *ne;
      while (d && (ne = readdir (d)) != NULL)
        if (strcmp (ne->d_name, ".") && strcmp (ne->d_name, "..")
            && fstatat (dirfd (d), ne->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
          total += (guint64) st.st_blocks * 512;
    }
  return total;
}

/* Recounts the other entries of DIR into the usage, under the lock: at
 * open and at each rescan (they are written without the store). */
static void
count_others_locked (DccStore *s)
{
  guint64 now = others_bytes (s);
  guint64 before = s->usage->others;
  store_usage_sub (s, before);
  store_usage_add (s, now);
  s->usage->fixed = s->usage->fixed - MIN (s->usage->fixed, before) + now;
  s->usage->others = now;
}

/* The store's own directories and DIR/usage, under the lock. */
static gboolean
count_fixed_locked (DccStore *s, GError **error)
{
  s->usage->fixed = 0;
  s->usage->others = 0;
  memset (s->usage->dir_sectors, 0, sizeof s->usage->dir_sectors);
  const int fds[] = { s->dir_fd, s->objects_fd, s->tmp_fd, s->results_fd, s->usage_fd };
  for (gsize k = 0; k < G_N_ELEMENTS (fds); k++)
    {
      struct stat st;
      if (fstat (fds[k], &st) < 0)
        return dcc_fail_errno (error, "stat in %s", s->dir);
      s->usage->fixed += (guint64) st.st_blocks * 512;
    }
  s->usage->bytes = s->usage->fixed;
  for (int kind = 0; kind < SUB_KINDS; kind++)
    for (guint i = 0; i < SUBDIRS; i++)
      {
        char sub[3];
        g_snprintf (sub, sizeof sub, "%02x", i);
        store_count_subdir_locked (s, kind, sub);
      }
  count_others_locked (s);
  return TRUE;
}

gboolean
store_recount_locked (DccStore *s, GError **error)
{
  guint64 reserved = 0;
  if (!walk_objects (s, error) || !tmp_bytes (s, &reserved, error)
      || !count_fixed_locked (s, error))
    return FALSE;
  store_usage_add (s, s->total + reserved);
  s->usage->scanned_us = g_get_monotonic_time ();
  evict_locked (s, NULL, 0);
  sweep_results (s);
  return TRUE;
}

gboolean
dcc_store_rescan (DccStore *s, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  /* The walk (about 15 ms per 1000 objects) runs without the lock, so that
   * puts go on meanwhile; only eviction takes it. */
  if (!walk_objects (s, error))
    return FALSE;
  if (!store_lock_usage (s))
    return dcc_fail_errno (error, "locking %s/usage", s->dir);
  s->usage->scanned_us = g_get_monotonic_time ();
  count_others_locked (s);
  evict_locked (s, NULL, 0);
  store_unlock_usage (s);
  sweep_results (s);
  return TRUE;
}

/* Removes tmp/ files old enough that no live write can own them. */
void
store_clean_tmp (DccStore *s)
{
  gint64 cutoff;
  g_autoptr(DIR) d = open_for_sweep (s, "tmp", DCC_STORE_TMP_MAX_AGE, &cutoff);
  if (d == NULL)
    return;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (is_dot (de->d_name))
        continue;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR (st.st_mode))
        continue;
      if (store_mtime_ns (&st) > cutoff)
        continue;
      g_debug ("store: removing leftover tmp/%s", de->d_name);
      unlinkat (dirfd (d), de->d_name, 0);
    }
}

/* Makes room for extra more disk bytes and adds them to the shared usage,
 * under the lock (taken by the caller). FALSE when the budget cannot hold
 * them (every older object is pinned or within its grace period). */
gboolean
store_reserve_locked (DccStore *s, const DccHash *keep, guint64 extra)
{
  /* More than the budget holds beside the store's directories: evicting
   * everything would not help. */
  if (MIN (s->usage->fixed, s->max_bytes) + extra > s->max_bytes)
    return FALSE;
  evict_locked (s, keep, extra);
  if (over_budget (s, extra)
      && g_get_monotonic_time () - s->usage->scanned_us >= RESCAN_MIN_INTERVAL_S * G_USEC_PER_SEC)
    {
      /* Other processes' objects are not in this index: look again (at
       * most every RESCAN_MIN_INTERVAL_S for all processes together), with
       * the lock released during the walk. */
      s->usage->scanned_us = g_get_monotonic_time ();
      store_unlock_usage (s);
      g_autoptr(GError) scan_error = NULL;
      if (!walk_objects (s, &scan_error))
        g_debug ("store: rescan: %s", scan_error->message);
      if (!store_lock_usage (s))
        return FALSE;
      evict_locked (s, keep, extra);
    }
  if (s->usage->bytes + extra > s->max_bytes)
    return FALSE;
  store_usage_add (s, extra);
  return TRUE;
}

/* What a put reserves for len bytes: the object's blocks, and one block
 * more for its objects/ab directory, which the new entry may create or
 * grow by a block. */
guint64
store_put_reservation (DccStore *s, gsize len)
{
  return round_to_block (s, len) + s->block;
}
