/* The volunteer's content-addressed file store; see file-store.h. */
#include "dcc-fd.h"
#include "file-store.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* A put triggered rescan happens at most this often, across all processes
 * (Usage.scanned_us); in between, eviction works from the index alone. */
#define RESCAN_MIN_INTERVAL_S  10
#define COPY_BUF_SIZE          (64 * 1024)
#define TMP_NAME_TRIES         16
#define SUBDIR_TRIES           4     /* an emptied subdirectory removed under a put */
#define NS_PER_S               G_GINT64_CONSTANT (1000000000)

#define FALLBACK_BLOCK         4096
#define SUBDIRS                256   /* objects/ab and results/ab: ab in 00..ff */

/* "ab/<30 hex>" plus NUL */
#define OBJ_PATH_LEN (DCC_HASH_HEX_LEN + 2)

typedef struct {
  DccHash hash;       /* the key */
  guint64 size;       /* disk bytes (disk_cost) */
  gint64 used;        /* mtime, ns since the epoch: the LRU clock */
  guint64 seq;        /* this process's use order; breaks mtime ties */
} Entry;

/* The two kinds of subdirectory, DIR/objects/ab and DIR/results/ab. */
enum { SUB_OBJECTS, SUB_RESULTS, SUB_KINDS };

/* DIR/usage, shared by every process using the store, changed only under
 * flock (LOCK_EX) of that file: the disk bytes of the store as du counts
 * them (see "Budget" in file-store.h), reservations of puts in progress
 * included. Smaller than a page, so that writing it never allocates. */
#define USAGE_MAGIC "DCCSTOR2"
typedef struct {
  char    magic[8];
  guint64 bytes;
  guint64 fixed;       /* of bytes: the store's directories and DIR/usage, never evicted */
  guint64 others;      /* of fixed: other entries of DIR (compilers/: see count_others_locked) */
  gint64  scanned_us;  /* monotonic time of the last full rescan by any process */
  guint32 dir_sectors[SUB_KINDS][SUBDIRS];  /* each subdirectory's blocks as counted */
} Usage;
G_STATIC_ASSERT (sizeof (Usage) <= 4096);

struct DccStore {
  char *dir;
  int dir_fd;
  int objects_fd;
  int tmp_fd;
  int results_fd;     /* DIR/results: result names (see file-store.h) */
  int usage_fd;
  Usage *usage;       /* mmap of DIR/usage */
  int lock_fd;        /* DIR/usage opened by this process: flock belongs to the open
                       * file, which a forked child would share with its parent */
  pid_t lock_pid;     /* the process that opened lock_fd */
  guint lock_depth;   /* lock_usage nests: only the outermost flocks */
  GHashTable *private_objects; /* DccHash* (owned) -> GBytes*: contents this process
                                * received but could not store within the budget */
  guint64 max_bytes;
  guint64 block;      /* the file system's block: sizes are rounded up to it */
  guint grace_s;
  GHashTable *index;  /* DccHash* (inside the Entry) -> Entry*, owns the entries */
  GHashTable *pins;   /* DccHash* (owned) -> GUINT_TO_POINTER (count) */
  guint64 total;
  guint64 seq;
};


G_DEFINE_AUTOPTR_CLEANUP_FUNC (DIR, closedir)

static void
obj_path (const DccHash *h, char out[OBJ_PATH_LEN])
{
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_to_hex (h, hex);
  out[0] = hex[0];
  out[1] = hex[1];
  out[2] = '/';
  memcpy (out + 3, hex + 2, DCC_HASH_HEX_LEN - 2);
  out[OBJ_PATH_LEN - 1] = '\0';
}

static gint64
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (gint64) ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static gint64
mtime_ns (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * NS_PER_S + st->st_mtim.tv_nsec;
}

static guint64
round_to_block (DccStore *s, guint64 n)
{
  return (n + s->block - 1) / s->block * s->block;
}

/* The disk bytes a file takes, as du counts them: its blocks, and at least
 * its size rounded up to the block (a reservation's tmp/ file is sparse
 * until it is written). */
static guint64
disk_cost (DccStore *s, const struct stat *st)
{
  guint64 blocks = (guint64) st->st_blocks * 512;
  if (!S_ISREG (st->st_mode))
    return blocks;
  return MAX (blocks, round_to_block (s, (guint64) st->st_size));
}

static void
usage_add (DccStore *s, guint64 n)
{
  s->usage->bytes += n;
}

static void
usage_sub (DccStore *s, guint64 n)
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
static void
count_subdir_locked (DccStore *s, int kind, const char sub[3])
{
  int parent = kind == SUB_OBJECTS ? s->objects_fd : s->results_fd;
  guint i = hex_pair_value (sub);
  struct stat st;
  guint64 now = 0;
  if (fstatat (parent, sub, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode))
    now = MIN ((guint64) st.st_blocks, G_MAXUINT32) * 512;
  guint64 before = (guint64) s->usage->dir_sectors[kind][i] * 512;
  s->usage->dir_sectors[kind][i] = (guint32) (now / 512);
  usage_sub (s, before);
  usage_add (s, now);
  s->usage->fixed = s->usage->fixed - MIN (s->usage->fixed, before) + now;
}

static gboolean
is_lower_hex (const char *s, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return s[n] == '\0';
}

/* Opens parent/name as a directory stream without following a symlink. */
static DIR *
open_dir_at (int parent, const char *name, GError **error)
{
  int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      dcc_fail_errno (error, "opening directory %s", name);
      return NULL;
    }
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      dcc_fail_errno (error, "fdopendir %s", name);
      close (fd);
      return NULL;
    }
  return d;
}

static gboolean
is_pinned (DccStore *s, const DccHash *h)
{
  return g_hash_table_contains (s->pins, h);
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

static void
index_drop (DccStore *s, const DccHash *h)
{
  Entry *e = g_hash_table_lookup (s->index, h);
  if (e == NULL)
    return;
  s->total -= e->size;
  g_hash_table_remove (s->index, h);
}

/* Marks the object used now, on disk (its mtime) and in the index. FALSE
 * (errno set) if it is not on disk as a regular file. */
static gboolean
touch (DccStore *s, const DccHash *h)
{
  /* Touched by this process within the last second: it is on disk (no
   * process evicts an object used within the grace period) and its mtime
   * is fresh, so a pump job's has/link pair costs the syscalls once. */
  Entry *known = g_hash_table_lookup (s->index, h);
  if (known && s->grace_s > 0 && now_ns () - known->used < NS_PER_S)
    {
      known->seq = ++s->seq;
      return TRUE;
    }
  char path[OBJ_PATH_LEN];
  obj_path (h, path);
  struct stat st;
  if (fstatat (s->objects_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        index_drop (s, h);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      errno = EINVAL;
      return FALSE;
    }
  gint64 now = now_ns ();
  /* Explicit nanosecond times (we own the objects), so the LRU order is
   * finer than the kernel's coarse clock; atime is left alone. */
  struct timespec times[2] = {
    { .tv_sec = 0, .tv_nsec = UTIME_OMIT },
    { .tv_sec = now / NS_PER_S, .tv_nsec = now % NS_PER_S },
  };
  if (utimensat (s->objects_fd, path, times, AT_SYMLINK_NOFOLLOW) < 0)
    g_debug ("store: utimensat %s: %s", path, g_strerror (errno));
  Entry *e = index_note (s, h, disk_cost (s, &st), now);
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

static gboolean
lock_usage (DccStore *s)
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

static void
unlock_usage (DccStore *s)
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
  gint64 cutoff = now_ns () - (gint64) s->grace_s * NS_PER_S;

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
      if ((keep && dcc_hash_equal (&e->hash, keep)) || is_pinned (s, &e->hash))
        continue;
      if (e->used > cutoff)
        continue;
      char path[OBJ_PATH_LEN];
      obj_path (&e->hash, path);
      struct stat st;
      if (fstatat (s->objects_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno == ENOENT)          /* another process evicted it */
            index_drop (s, &e->hash);
          continue;
        }
      if (mtime_ns (&st) > cutoff)      /* another process used it lately */
        {
          e->used = mtime_ns (&st);
          continue;
        }
      if (unlinkat (s->objects_fd, path, 0) < 0)
        {
          if (errno == ENOENT)
            index_drop (s, &e->hash);
          else
            g_debug ("store: evicting %s: %s", path, g_strerror (errno));
          continue;
        }
      g_debug ("store: evicted %s (%" G_GUINT64_FORMAT " bytes on disk)", path, disk_cost (s, &st));
      usage_sub (s, disk_cost (s, &st));
      index_drop (s, &e->hash);   /* frees e */
      /* An emptied objects/ab goes too, its block with it; a put that
       * wanted it makes it again (see link_object). */
      char sub[3] = { path[0], path[1], '\0' };
      if (unlinkat (s->objects_fd, sub, AT_REMOVEDIR) == 0)
        count_subdir_locked (s, SUB_OBJECTS, sub);
    }
}

/* Scans one objects/ab/ directory into the index. */
static gboolean
scan_subdir (DccStore *s, const char *sub, GError **error)
{
  g_autoptr(GError) open_error = NULL;
  g_autoptr(DIR) d = open_dir_at (s->objects_fd, sub, &open_error);
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
      if (!is_lower_hex (de->d_name, DCC_HASH_HEX_LEN - 2))
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
      index_note (s, &h, disk_cost (s, &st), mtime_ns (&st));
      /* Bound memory while scanning a store bigger than the index allows. */
      if (g_hash_table_size (s->index) > 2 * DCC_STORE_MAX_OBJECTS && lock_usage (s))
        {
          evict_locked (s, NULL, 0);
          unlock_usage (s);
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
  g_autoptr(DIR) d = open_dir_at (s->dir_fd, "tmp", error);
  if (d == NULL)
    return FALSE;
  guint64 total = 0;
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      struct stat st;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode))
        total += disk_cost (s, &st);
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

  g_autoptr(DIR) d = open_dir_at (s->dir_fd, "objects", error);
  if (d == NULL)
    return FALSE;
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (!is_lower_hex (de->d_name, 2))
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
  DIR *d = open_dir_at (s->dir_fd, name, &error);
  if (d == NULL)
    g_debug ("store: %s", error->message);
  *cutoff = now_ns () - (gint64) max_age_s * NS_PER_S;
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
      if (!is_lower_hex (de->d_name, 2))
        continue;
      g_autoptr(GError) sub_error = NULL;
      g_autoptr(DIR) d = open_dir_at (dirfd (top), de->d_name, &sub_error);
      if (d == NULL)
        continue;
      struct dirent *ne;
      while ((ne = readdir (d)) != NULL)
        {
          if (is_dot (ne->d_name))
            continue;
          struct stat st;
          if (fstatat (dirfd (d), ne->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || mtime_ns (&st) > cutoff)
            continue;
          char target[DCC_HASH_HEX_LEN + 2];
          ssize_t n = S_ISLNK (st.st_mode) ? readlinkat (dirfd (d), ne->d_name, target, sizeof target) : -1;
          DccHash value;
          if (n == DCC_HASH_HEX_LEN)
            {
              target[n] = '\0';
              if (is_lower_hex (ne->d_name, DCC_HASH_HEX_LEN - 2) && dcc_hash_from_hex (target, &value)
                  && g_hash_table_contains (s->index, &value))
                continue;
            }
          g_debug ("store: removing result name %s/%s", de->d_name, ne->d_name);
          unlinkat (dirfd (d), ne->d_name, 0);
        }
      /* An emptied results/ab goes, its block with it. */
      if (unlinkat (dirfd (top), de->d_name, AT_REMOVEDIR) == 0 && lock_usage (s))
        {
          count_subdir_locked (s, SUB_RESULTS, de->d_name);
          unlock_usage (s);
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
  g_autoptr(DIR) top = open_dir_at (s->dir_fd, ".", &error);
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
      g_autoptr(DIR) d = S_ISDIR (st.st_mode) ? open_dir_at (dirfd (top), n, &sub_error) : NULL;
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
  usage_sub (s, before);
  usage_add (s, now);
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
        count_subdir_locked (s, kind, sub);
      }
  count_others_locked (s);
  return TRUE;
}

static gboolean
recount_locked (DccStore *s, GError **error)
{
  guint64 reserved = 0;
  if (!walk_objects (s, error) || !tmp_bytes (s, &reserved, error)
      || !count_fixed_locked (s, error))
    return FALSE;
  usage_add (s, s->total + reserved);
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
  if (!lock_usage (s))
    return dcc_fail_errno (error, "locking %s/usage", s->dir);
  s->usage->scanned_us = g_get_monotonic_time ();
  count_others_locked (s);
  evict_locked (s, NULL, 0);
  unlock_usage (s);
  sweep_results (s);
  return TRUE;
}

/* Removes tmp/ files old enough that no live write can own them. */
static void
clean_tmp (DccStore *s)
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
      if (mtime_ns (&st) > cutoff)
        continue;
      g_debug ("store: removing leftover tmp/%s", de->d_name);
      unlinkat (dirfd (d), de->d_name, 0);
    }
}

static gboolean
mkdir_open_at (int parent, const char *name, const char *what, int *out, GError **error)
{
  if (mkdirat (parent, name, 0755) < 0 && errno != EEXIST)
    return dcc_fail_errno (error, "creating %s", what);
  int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return dcc_fail_errno (error, "opening %s", what);
  *out = fd;
  return TRUE;
}

/* Opens (creating) DIR/usage and maps it. A new or unrecognised file is
 * (re)initialised; the caller recounts it under the lock. */
static gboolean
open_usage (DccStore *s, GError **error)
{
  s->usage_fd = openat (s->dir_fd, "usage", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (s->usage_fd < 0)
    return dcc_fail_errno (error, "opening %s/usage", s->dir);
  struct stat st;
  if (fstat (s->usage_fd, &st) < 0)
    return dcc_fail_errno (error, "stat %s/usage", s->dir);
  if (!S_ISREG (st.st_mode))
    return dcc_fail (error, DCC_ERROR_IO, "%s/usage is not a regular file", s->dir);
  if ((gsize) st.st_size < sizeof (Usage) && ftruncate (s->usage_fd, sizeof (Usage)) < 0)
    return dcc_fail_errno (error, "sizing %s/usage", s->dir);
  void *m = mmap (NULL, sizeof (Usage), PROT_READ | PROT_WRITE, MAP_SHARED, s->usage_fd, 0);
  if (m == MAP_FAILED)
    return dcc_fail_errno (error, "mapping %s/usage", s->dir);
  s->usage = m;
  return TRUE;
}

DccStore *
dcc_store_open (const char *dir, guint64 max_bytes, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);

  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      dcc_fail_errno (error, "creating store %s", dir);
      return NULL;
    }
  g_autoptr(DccStore) s = g_new0 (DccStore, 1);
  s->dir_fd = s->objects_fd = s->tmp_fd = s->results_fd = s->usage_fd = s->lock_fd = -1;
  s->dir = g_strdup (dir);
  s->max_bytes = max_bytes;
  s->grace_s = DCC_STORE_GRACE_SECONDS;
  s->index = g_hash_table_new_full (dcc_hash_hash, dcc_hash_equal_func, NULL, g_free);
  s->pins = g_hash_table_new_full (dcc_hash_hash, dcc_hash_equal_func, g_free, NULL);
  s->private_objects = g_hash_table_new_full (dcc_hash_hash, dcc_hash_equal_func, g_free,
                                              (GDestroyNotify) g_bytes_unref);

  s->dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->dir_fd < 0)
    {
      dcc_fail_errno (error, "opening store %s", dir);
      return NULL;
    }
  g_autofree char *objects = g_build_filename (dir, "objects", NULL);
  g_autofree char *tmp = g_build_filename (dir, "tmp", NULL);
  g_autofree char *results = g_build_filename (dir, "results", NULL);
  if (!mkdir_open_at (s->dir_fd, "objects", objects, &s->objects_fd, error)
      || !mkdir_open_at (s->dir_fd, "tmp", tmp, &s->tmp_fd, error)
      || !mkdir_open_at (s->dir_fd, "results", results, &s->results_fd, error)
      || !open_usage (s, error))
    return NULL;
  struct statvfs vfs;
  s->block = fstatvfs (s->objects_fd, &vfs) == 0 && vfs.f_frsize >= 512 && vfs.f_frsize <= 1024 * 1024
             ? vfs.f_frsize : FALLBACK_BLOCK;

  if (!lock_usage (s))
    {
      dcc_fail_errno (error, "locking %s/usage", dir);
      return NULL;
    }
  memcpy (s->usage->magic, USAGE_MAGIC, sizeof s->usage->magic);
  clean_tmp (s);
  gboolean ok = recount_locked (s, error);
  unlock_usage (s);
  if (!ok)
    {
      g_prefix_error (error, "store %s: ", dir);
      return NULL;
    }
  return g_steal_pointer (&s);
}

void
dcc_store_free (DccStore *s)
{
  if (s == NULL)
    return;
  if (s->usage)
    munmap (s->usage, sizeof (Usage));
  dcc_close_fdp (&s->usage_fd);
  dcc_close_fdp (&s->lock_fd);
  dcc_close_fdp (&s->dir_fd);
  dcc_close_fdp (&s->objects_fd);
  dcc_close_fdp (&s->tmp_fd);
  dcc_close_fdp (&s->results_fd);
  g_clear_pointer (&s->index, g_hash_table_unref);
  g_clear_pointer (&s->pins, g_hash_table_unref);
  g_clear_pointer (&s->private_objects, g_hash_table_unref);
  g_free (s->dir);
  g_free (s);
}

void
dcc_store_set_grace (DccStore *s, guint seconds)
{
  g_return_if_fail (s != NULL);
  s->grace_s = seconds;
}

gboolean
dcc_store_has (DccStore *s, const DccHash *h)
{
  g_return_val_if_fail (s != NULL && h != NULL, FALSE);
  return g_hash_table_contains (s->private_objects, h) || touch (s, h);
}

static gboolean
write_all (int fd, const guint8 *p, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, p, MIN (len, (gsize) G_MAXSSIZE));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Makes room for extra more disk bytes and adds them to the shared usage,
 * under the lock (taken by the caller). FALSE when the budget cannot hold
 * them (every older object is pinned or within its grace period). */
static gboolean
reserve_locked (DccStore *s, const DccHash *keep, guint64 extra)
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
      unlock_usage (s);
      g_autoptr(GError) scan_error = NULL;
      if (!walk_objects (s, &scan_error))
        g_debug ("store: rescan: %s", scan_error->message);
      if (!lock_usage (s))
        return FALSE;
      evict_locked (s, keep, extra);
    }
  if (s->usage->bytes + extra > s->max_bytes)
    return FALSE;
  usage_add (s, extra);
  return TRUE;
}

/* What a put reserves for len bytes: the object's blocks, and one block
 * more for its objects/ab directory, which the new entry may create or
 * grow by a block. */
static guint64
put_reservation (DccStore *s, gsize len)
{
  return round_to_block (s, len) + s->block;
}

/* Makes room for the object and reserves it (put_reservation): creates the
 * tmp/ file, sized len (sparse until written), under the lock. FALSE with
 * *full when the budget cannot hold it, else FALSE + error on I/O failure.
 * On success *fd_out and *name_out hold the reserved tmp file. */
static gboolean
reserve (DccStore *s, const DccHash *h, const char *hex, gsize len, gboolean *full, int *fd_out,
         char **name_out, GError **error)
{
  *full = FALSE;
  if (!lock_usage (s))
    return dcc_fail_errno (error, "locking %s/usage", s->dir);
  guint64 need = put_reservation (s, len);
  if (!reserve_locked (s, h, need))
    {
      if (s->lock_depth > 0)
        unlock_usage (s);
      *full = TRUE;
      return FALSE;
    }
  g_autofree char *tmp_name = NULL;
  dcc_autofd fd = -1;
  for (int i = 0; i < TMP_NAME_TRIES && fd < 0; i++)
    {
      g_free (tmp_name);
      tmp_name = g_strdup_printf ("%s.%d.%08x", hex, (int) getpid (), g_random_int ());
      fd = openat (s->tmp_fd, tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
      if (fd < 0 && errno != EEXIST)
        break;
    }
  gboolean ok = fd >= 0 && ftruncate (fd, (off_t) len) == 0;
  if (!ok)
    {
      dcc_fail_errno (error, "creating a temporary file in %s/tmp", s->dir);
      if (fd >= 0)
        unlinkat (s->tmp_fd, tmp_name, 0);
      usage_sub (s, need);
    }
  unlock_usage (s);
  if (!ok)
    return FALSE;
  *fd_out = g_steal_fd (&fd);
  *name_out = g_steal_pointer (&tmp_name);
  return TRUE;
}

/* Links tmp/TMP_NAME into place as objects/PATH, making objects/ab first
 * (within the put's reservation): an eviction that empties a subdirectory
 * removes it, so it may vanish in between and is made again. -1 + errno
 * on failure (EEXIST: the object is there already). */
static int
link_object (DccStore *s, const char *tmp_name, const char *path)
{
  char sub[3] = { path[0], path[1], '\0' };
  for (int i = 0; i < SUBDIR_TRIES; i++)
    {
      if (mkdirat (s->objects_fd, sub, 0755) < 0 && errno != EEXIST)
        return -1;
      if (linkat (s->tmp_fd, tmp_name, s->objects_fd, path, 0) == 0)
        return 0;
      if (errno != ENOENT)
        return -1;
    }
  return -1;
}

/* Ends a put's reservation, under the lock: removes the tmp/ name and
 * gives back what was reserved, counts the object's own blocks (stored:
 * 0 when it was not linked into place) and what objects/SUB became. */
static void
settle_put (DccStore *s, const char *tmp_name, gsize len, guint64 stored, const char sub[3])
{
  if (!lock_usage (s))
    {
      unlinkat (s->tmp_fd, tmp_name, 0);
      return;
    }
  /* Gone already: a recount at open removed it (over an hour old) and
   * counted what was on disk then. */
  if (unlinkat (s->tmp_fd, tmp_name, 0) == 0)
    {
      usage_sub (s, put_reservation (s, len));
      usage_add (s, stored);
    }
  count_subdir_locked (s, SUB_OBJECTS, sub);
  unlock_usage (s);
}

gboolean
dcc_store_put (DccStore *s, const DccHash *h, GBytes *bytes, GError **error)
{
  g_return_val_if_fail (s != NULL && h != NULL && bytes != NULL, FALSE);

  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_to_hex (h, hex);
  if (len > DCC_MAX_FILE_SIZE)
    return dcc_fail (error, DCC_ERROR_LIMIT, "object %s is %" G_GSIZE_FORMAT
                     " bytes, more than %u", hex, len, DCC_MAX_FILE_SIZE);
  DccHash got;
  dcc_hash_bytes (data != NULL ? data : (const guint8 *) "", len, &got);
  if (!dcc_hash_equal (&got, h))
    {
      char got_hex[DCC_HASH_HEX_LEN + 1];
      dcc_hash_to_hex (&got, got_hex);
      return dcc_fail (error, DCC_ERROR_MISMATCH, "content announced as %s hashes to %s",
                       hex, got_hex);
    }

  if (g_hash_table_contains (s->private_objects, h) || touch (s, h))
    return TRUE;

  char path[OBJ_PATH_LEN];
  obj_path (h, path);
  char sub[3] = { path[0], path[1], '\0' };

  g_autofree char *tmp_name = NULL;
  dcc_autofd fd = -1;
  gboolean full = FALSE;
  if (len > s->max_bytes || !reserve (s, h, hex, len, &full, &fd, &tmp_name, error))
    {
      if (len <= s->max_bytes && !full)
        return FALSE;
      /* The budget cannot take it now: this job keeps its own copy, and
       * the store stays within its bound. */
      g_debug ("store: full, keeping %s (%" G_GSIZE_FORMAT " bytes) for this job only", hex, len);
      g_hash_table_insert (s->private_objects, g_memdup2 (h, sizeof *h), g_bytes_ref (bytes));
      return TRUE;
    }

  struct stat st;
  gboolean ok = write_all (fd, data, len) && fchmod (fd, 0444) == 0 && fstat (fd, &st) == 0;
  int rc = close (g_steal_fd (&fd));
  if (!ok || rc < 0)
    {
      int err = errno;
      settle_put (s, tmp_name, len, 0, sub);
      errno = err;
      return dcc_fail_errno (error, "writing %s/tmp/%s", s->dir, tmp_name);
    }
  /* The moment the object appears under its name it is complete. */
  if (link_object (s, tmp_name, path) < 0)
    {
      int err = errno;
      settle_put (s, tmp_name, len, 0, sub);   /* stored meanwhile by another process, or failed */
      if (err != EEXIST)
        {
          errno = err;
          return dcc_fail_errno (error, "linking %s/objects/%s", s->dir, path);
        }
    }
  else
    settle_put (s, tmp_name, len, disk_cost (s, &st), sub);   /* the object now holds its blocks */

  if (!touch (s, h))
    return dcc_fail_errno (error, "object %s vanished after it was stored", hex);
  return TRUE;
}

/* Creates name in dirfd to write a copy into. O_EXCL: never opens (or
 * follows) anything already at name. Returns the fd (caller owns it), or -1
 * with error set. */
static int
create_new (int dirfd, const char *name, GError **error)
{
  int fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    dcc_fail_errno (error, "creating %s", name);
  return fd;
}

/* Ends a copy made with create_new: takes dst, sets mode (when the writes
 * went well: ok) and closes it. On any failure removes name and fails with
 * "DOING HEX to NAME" and errno. */
static gboolean
finish_new (int dst, gboolean ok, mode_t mode, int dirfd, const char *name, const char *doing,
            const char *hex, GError **error)
{
  ok = ok && fchmod (dst, mode) == 0;
  int rc = close (dst);
  if (!ok || rc < 0)
    {
      dcc_fail_errno (error, "%s %s to %s", doing, hex, name);
      unlinkat (dirfd, name, 0);
      return FALSE;
    }
  return TRUE;
}

static gboolean
copy_object (DccStore *s, const char *path, const char *hex, int dirfd, const char *name,
             mode_t mode, GError **error)
{
  dcc_autofd src = openat (s->objects_fd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (src < 0)
    {
      if (errno == ENOENT)
        return dcc_fail (error, DCC_ERROR_IO, "object %s is not in the store", hex);
      return dcc_fail_errno (error, "opening object %s", hex);
    }
  dcc_autofd dst = create_new (dirfd, name, error);
  if (dst < 0)
    return FALSE;

  g_autofree guint8 *buf = g_malloc (COPY_BUF_SIZE);
  gboolean ok = TRUE;
  for (;;)
    {
      ssize_t n = read (src, buf, COPY_BUF_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          ok = FALSE;
          break;
        }
      if (n == 0)
        break;
      if (!write_all (dst, buf, (gsize) n))
        {
          ok = FALSE;
          break;
        }
    }
  return finish_new (g_steal_fd (&dst), ok, mode, dirfd, name, "copying object", hex, error);
}

/* Writes a content this process keeps for itself (see dcc_store_put). */
static gboolean
write_private (GBytes *own, const char *hex, int dirfd, const char *name, mode_t mode,
               GError **error)
{
  dcc_autofd dst = create_new (dirfd, name, error);
  if (dst < 0)
    return FALSE;
  gsize len;
  const guint8 *data = g_bytes_get_data (own, &len);
  gboolean ok = write_all (dst, data, len);
  return finish_new (g_steal_fd (&dst), ok, mode, dirfd, name, "writing", hex, error);
}

gboolean
dcc_store_link_into (DccStore *s, const DccHash *h, int dirfd, const char *name,
                     gboolean executable, GError **error)
{
  g_return_val_if_fail (s != NULL && h != NULL && name != NULL, FALSE);

  gsize name_len = strlen (name);
  if (name_len == 0 || name_len > DCC_MAX_NAME_LEN || strchr (name, '/') != NULL
      || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      g_autofree char *m = dcc_escape_for_log (name, 200);
      return dcc_fail (error, DCC_ERROR_REFUSED, "“%s” is not a single file name", m);
    }

  char hex[DCC_HASH_HEX_LEN + 1];
  char path[OBJ_PATH_LEN];
  dcc_hash_to_hex (h, hex);
  obj_path (h, path);

  GBytes *own = g_hash_table_lookup (s->private_objects, h);
  if (own)
    return write_private (own, hex, dirfd, name, executable ? 0555 : 0444, error);

  gboolean copy = executable;
  if (!copy)
    {
      /* flags 0: linkat follows neither the object nor an entry at name. */
      if (linkat (s->objects_fd, path, dirfd, name, 0) < 0)
        {
          int err = errno;
          struct stat st;
          if (err == ENOENT && fstatat (s->objects_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
            {
              index_drop (s, h);
              return dcc_fail (error, DCC_ERROR_IO, "object %s is not in the store", hex);
            }
          if (err != EXDEV && err != EMLINK && err != EPERM && err != ENOTSUP
              && err != EOPNOTSUPP)
            {
              errno = err;
              return dcc_fail_errno (error, "linking object %s to %s", hex, name);
            }
          copy = TRUE;
        }
    }
  if (copy && !copy_object (s, path, hex, dirfd, name, executable ? 0555 : 0444, error))
    return FALSE;
  touch (s, h);
  return TRUE;
}

void
dcc_store_pin (DccStore *s, const DccHash *h)
{
  g_return_if_fail (s != NULL && h != NULL);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (s->pins, h));
  /* On an existing key, insert keeps the old key and frees the new one. */
  g_hash_table_insert (s->pins, g_memdup2 (h, sizeof *h), GUINT_TO_POINTER (n + 1));
  touch (s, h);
}

void
dcc_store_unpin (DccStore *s, const DccHash *h)
{
  g_return_if_fail (s != NULL && h != NULL);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (s->pins, h));
  g_return_if_fail (n > 0);
  if (n == 1)
    g_hash_table_remove (s->pins, h);
  else
    g_hash_table_insert (s->pins, g_memdup2 (h, sizeof *h), GUINT_TO_POINTER (n - 1));
}

guint64
dcc_store_total_bytes (DccStore *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->usage->bytes;
}

guint
dcc_store_private_count (DccStore *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return g_hash_table_size (s->private_objects);
}

guint
dcc_store_count (DccStore *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return g_hash_table_size (s->index);
}

gboolean
dcc_store_is_private (DccStore *s, const DccHash *h)
{
  g_return_val_if_fail (s != NULL && h != NULL, FALSE);
  return g_hash_table_contains (s->private_objects, h);
}

GBytes *
dcc_store_read (DccStore *s, const DccHash *h, GError **error)
{
  g_return_val_if_fail (s != NULL && h != NULL, NULL);
  char hex[DCC_HASH_HEX_LEN + 1];
  char path[OBJ_PATH_LEN];
  dcc_hash_to_hex (h, hex);
  obj_path (h, path);
  GBytes *own = g_hash_table_lookup (s->private_objects, h);
  if (own)
    return g_bytes_ref (own);
  dcc_autofd fd = openat (s->objects_fd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        {
          index_drop (s, h);
          return dcc_fail (error, DCC_ERROR_IO, "object %s is not in the store", hex), NULL;
        }
      return dcc_fail_errno (error, "opening object %s", hex), NULL;
    }
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return dcc_fail (error, DCC_ERROR_IO, "object %s is not a regular file", hex), NULL;
  if ((guint64) st.st_size > DCC_MAX_FILE_SIZE)
    return dcc_fail (error, DCC_ERROR_LIMIT, "object %s is larger than %u bytes", hex, DCC_MAX_FILE_SIZE), NULL;
  g_autoptr(GBytes) bytes = NULL;
  if (st.st_size == 0)
    bytes = g_bytes_new (NULL, 0);
  else
    {
      g_autoptr(GMappedFile) m = g_mapped_file_new_from_fd (fd, FALSE, error);
      if (!m)
        return NULL;
      bytes = g_mapped_file_get_bytes (m);
    }
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);
  DccHash got;
  dcc_hash_bytes (data != NULL ? data : (const void *) "", len, &got);
  if (!dcc_hash_equal (&got, h))
    return dcc_fail (error, DCC_ERROR_MISMATCH, "object %s does not hash to its name", hex), NULL;
  touch (s, h);
  return g_steal_pointer (&bytes);
}

/* "ab" and the other 30 hex digits of a result key. */
static void
result_name (const DccHash *key, char sub[3], char name[DCC_HASH_HEX_LEN - 1])
{
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_to_hex (key, hex);
  sub[0] = hex[0];
  sub[1] = hex[1];
  sub[2] = '\0';
  memcpy (name, hex + 2, DCC_HASH_HEX_LEN - 2);
  name[DCC_HASH_HEX_LEN - 2] = '\0';
}

gboolean
dcc_store_result_get (DccStore *s, const DccHash *key, DccHash *value)
{
  g_return_val_if_fail (s != NULL && key != NULL && value != NULL, FALSE);
  char sub[3], name[DCC_HASH_HEX_LEN - 1];
  result_name (key, sub, name);
  dcc_autofd dfd = openat (s->results_fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return FALSE;
  char target[DCC_HASH_HEX_LEN + 2];
  ssize_t n = readlinkat (dfd, name, target, sizeof target);
  if (n < 0)
    return FALSE;
  DccHash v;
  if (n == DCC_HASH_HEX_LEN)
    target[n] = '\0';
  if (n != DCC_HASH_HEX_LEN || !is_lower_hex (target, DCC_HASH_HEX_LEN) || !dcc_hash_from_hex (target, &v)
      || !(g_hash_table_contains (s->private_objects, &v) || touch (s, &v)))
    {
      unlinkat (dfd, name, 0);   /* stale or not ours */
      return FALSE;
    }
  /* The name's own mtime keeps the sweep away from it. */
  struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_NOW } };
  utimensat (dfd, name, times, AT_SYMLINK_NOFOLLOW);
  *value = v;
  return TRUE;
}

/* Makes results/SUB/NAME a symlink to value's digest, atomically. */
static gboolean
name_result (DccStore *s, const char *sub, const char *name, const DccHash *value, GError **error)
{
  char target[DCC_HASH_HEX_LEN + 1];
  dcc_hash_to_hex (value, target);
  g_autofree char *tmp_name = g_strdup_printf (".%s.%d.%08x", name, (int) getpid (), g_random_int ());
  dcc_autofd dfd = -1;
  /* The sweep removes an emptied results/ab: it may vanish in between. */
  for (int i = 0; i < SUBDIR_TRIES; i++)
    {
      dcc_close_fdp (&dfd);
      if (mkdirat (s->results_fd, sub, 0755) < 0 && errno != EEXIST)
        return dcc_fail_errno (error, "creating %s/results/%s", s->dir, sub);
      dfd = openat (s->results_fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (dfd < 0 && errno != ENOENT)
        return dcc_fail_errno (error, "opening %s/results/%s", s->dir, sub);
      if (dfd >= 0 && symlinkat (target, dfd, tmp_name) == 0)
        break;
      if (dfd >= 0 && errno != ENOENT)
        return dcc_fail_errno (error, "creating a result name in %s/results/%s", s->dir, sub);
      if (i == SUBDIR_TRIES - 1)
        return dcc_fail_errno (error, "creating a result name in %s/results/%s", s->dir, sub);
    }
  if (renameat (dfd, tmp_name, dfd, name) < 0)
    {
      int err = errno;
      unlinkat (dfd, tmp_name, 0);
      errno = err;
      return dcc_fail_errno (error, "naming a result in %s/results/%s", s->dir, sub);
    }
  return TRUE;
}

gboolean
dcc_store_result_set (DccStore *s, const DccHash *key, const DccHash *value, GError **error)
{
  g_return_val_if_fail (s != NULL && key != NULL && value != NULL, FALSE);
  char sub[3], name[DCC_HASH_HEX_LEN - 1];
  result_name (key, sub, name);
  /* The new entry may create results/ab or grow it by a block: reserved
   * first, counted as it is once named. */
  if (!lock_usage (s))
    return dcc_fail_errno (error, "locking %s/usage", s->dir);
  if (!reserve_locked (s, value, s->block))
    {
      if (s->lock_depth > 0)
        unlock_usage (s);
      return dcc_fail (error, DCC_ERROR_LIMIT, "the store is full: no room for a result name");
    }
  unlock_usage (s);
  gboolean ok = name_result (s, sub, name, value, error);
  if (lock_usage (s))
    {
      usage_sub (s, s->block);
      count_subdir_locked (s, SUB_RESULTS, sub);
      unlock_usage (s);
    }
  return ok;
}

guint
dcc_store_result_count (DccStore *s)
{
  g_return_val_if_fail (s != NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(DIR) top = open_dir_at (s->dir_fd, "results", &error);
  if (top == NULL)
    return 0;
  guint count = 0;
  struct dirent *de;
  while ((de = readdir (top)) != NULL)
    {
      if (!is_lower_hex (de->d_name, 2))
        continue;
      g_autoptr(DIR) d = open_dir_at (dirfd (top), de->d_name, &error);
      g_clear_error (&error);
      struct dirent *ne;
      while (d && (ne = readdir (d)) != NULL)
        if (is_lower_hex (ne->d_name, DCC_HASH_HEX_LEN - 2))
          count++;
    }
  return count;
}
