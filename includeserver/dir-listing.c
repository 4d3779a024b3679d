/* Directory listings shared by the include server's walks; see dir-listing.h. */
#include "dir-listing.h"
#include "dcc-fd.h"
#include "dcc-hash.h"
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  dev_t dev;
  ino_t ino;
  mode_t mode;
  gint64 mtime_s, mtime_ns, ctime_s, ctime_ns;
} DirKey;

struct DccDirListing {
  gint refs;
  DirKey key;
  GHashTable *names;   /* name -> GINT_TO_POINTER (DccDirName); NULL: too big, not listed */
};

struct DccDirListings {
  guint settle_s;
  GMutex lock;
  GHashTable *dirs;    /* path -> DccDirListing* */
  guint names;         /* over all listings in dirs (replaced ones included until the next reset) */
};

static void
dir_key_from (DirKey *k, const struct stat *st)
{
  memset (k, 0, sizeof *k);
  k->dev = st->st_dev;
  k->ino = st->st_ino;
  k->mode = st->st_mode;
  k->mtime_s = st->st_mtim.tv_sec;
  k->mtime_ns = st->st_mtim.tv_nsec;
  k->ctime_s = st->st_ctim.tv_sec;
  k->ctime_ns = st->st_ctim.tv_nsec;
}

static gboolean
dir_key_equal (const DirKey *a, const DirKey *b)
{
  return a->dev == b->dev && a->ino == b->ino && a->mode == b->mode && a->mtime_s == b->mtime_s
         && a->mtime_ns == b->mtime_ns && a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns;
}

void
dcc_dir_listing_unref (DccDirListing *d)
{
  if (d && g_atomic_int_dec_and_test (&d->refs))
    {
      if (d->names)
        g_hash_table_unref (d->names);
      g_free (d);
    }
}

static DccDirListing *
listing_ref (DccDirListing *d)
{
  g_atomic_int_inc (&d->refs);
  return d;
}

DccDirListings *
dcc_dir_listings_new (guint settle_s)
{
  DccDirListings *c = g_new0 (DccDirListings, 1);
  c->settle_s = settle_s;
  g_mutex_init (&c->lock);
  c->dirs = g_hash_table_new_full (dcc_str_hash, g_str_equal, g_free, (GDestroyNotify) dcc_dir_listing_unref);
  return c;
}

void
dcc_dir_listings_free (DccDirListings *c)
{
  if (!c)
    return;
  g_hash_table_unref (c->dirs);
  g_mutex_clear (&c->lock);
  g_free (c);
}

static DccDirName
name_kind (unsigned char d_type)
{
  switch (d_type)
    {
    case DT_REG: return DCC_DIR_NAME_FILE;
    case DT_DIR: return DCC_DIR_NAME_DIR;
    default:     return DCC_DIR_NAME_UNKNOWN;   /* symlinks and the rest: stat */
    }
}

/* Reads dir; names stays NULL when the directory has too many. FALSE if it
 * cannot be read. */
static gboolean
read_names (const char *dir, GHashTable **names_out)
{
  dcc_autofd fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  if (!d)
    return FALSE;
  g_steal_fd (&fd);   /* closedir closes it */
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (g_hash_table_size (names) >= DCC_DIR_LISTING_MAX_NAMES)
        {
          g_clear_pointer (&names, g_hash_table_unref);
          break;
        }
      g_hash_table_insert (names, g_strdup (de->d_name), GINT_TO_POINTER (name_kind (de->d_type)));
    }
  closedir (d);
  *names_out = names;
  return TRUE;
}

DccDirListing *
dcc_dir_listings_get (DccDirListings *c, const char *dir, const struct stat *st)
{
  if (!S_ISDIR (st->st_mode))
    return NULL;
  DirKey key;
  dir_key_from (&key, st);
  g_mutex_lock (&c->lock);
  DccDirListing *hit = g_hash_table_lookup (c->dirs, dir);
  if (hit && dir_key_equal (&hit->key, &key))
    hit = listing_ref (hit);
  else
    hit = NULL;
  g_mutex_unlock (&c->lock);
  if (hit)
    return hit;

  gint64 settled = g_get_real_time () / G_USEC_PER_SEC - c->settle_s;
  if (c->settle_s > 0 && (key.mtime_s >= settled || key.ctime_s >= settled))
    return NULL;
  GHashTable *names = NULL;
  if (!read_names (dir, &names))
    return NULL;
  DccDirListing *d = g_new0 (DccDirListing, 1);
  d->refs = 1;
  d->key = key;
  d->names = names;
  guint n = names ? g_hash_table_size (names) : 0;
  g_mutex_lock (&c->lock);
  if (g_hash_table_size (c->dirs) >= DCC_DIR_LISTING_MAX || c->names + n > DCC_DIR_LISTING_MAX_TOTAL)
    {
      g_hash_table_remove_all (c->dirs);
      c->names = 0;
    }
  c->names += n;
  g_hash_table_replace (c->dirs, g_strdup (dir), listing_ref (d));
  g_mutex_unlock (&c->lock);
  return d;
}

DccDirName
dcc_dir_listing_lookup (const DccDirListing *d, const char *name)
{
  if (!d->names)
    return DCC_DIR_NAME_UNKNOWN;
  gpointer v;
  if (!g_hash_table_lookup_extended (d->names, name, NULL, &v))
    return DCC_DIR_NAME_ABSENT;
  return (DccDirName) GPOINTER_TO_INT (v);
}
