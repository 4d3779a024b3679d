/* Tests for the volunteer's file store (server/file-store.c) and job trees
 * (server/job-tree.c), in temporary directories. The job-tree tests keep a
 * sentinel directory beside the trees and check it is never touched. */
#include "file-store.h"
#include "job-tree.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ---- */

static int
rm_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  if (flag == FTW_DP)
    return rmdir (path) < 0 ? -1 : 0;
  return unlink (path) < 0 ? -1 : 0;
}

static int
chmod_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  if (flag == FTW_D)
    chmod (path, 0700);
  return 0;
}

static void
rm_rf (const char *dir)
{
  nftw (dir, chmod_one, 16, FTW_PHYS);
  g_assert_cmpint (nftw (dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), ==, 0);
}

typedef struct {
  char *dir;       /* the test's temporary directory */
  char *store_dir; /* dir/store */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  f->dir = g_dir_make_tmp ("dcc-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->store_dir = g_build_filename (f->dir, "store", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->store_dir);
}

static DccHash
hash_of (const char *s)
{
  DccHash h;
  dcc_hash_bytes (s, strlen (s), &h);
  return h;
}

static DccHash
put_str (DccStore *s, const char *text)
{
  g_autoptr(GError) error = NULL;
  DccHash h = hash_of (text);
  g_autoptr(GBytes) b = g_bytes_new (text, strlen (text));
  g_assert_true (dcc_store_put (s, &h, b, &error));
  g_assert_no_error (error);
  return h;
}

static char *
object_path (const char *store_dir, const DccHash *h)
{
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_to_hex (h, hex);
  g_autofree char *sub = g_strndup (hex, 2);
  return g_build_filename (store_dir, "objects", sub, hex + 2, NULL);
}

static gboolean
object_on_disk (const char *store_dir, const DccHash *h)
{
  g_autofree char *p = object_path (store_dir, h);
  struct stat st;
  return lstat (p, &st) == 0 && S_ISREG (st.st_mode);
}

/* What `du --block-size=1 -s dir` says: the blocks of every file,
 * directory and symlink under dir, dir included, each inode once (an object
 * and the tmp name it was linked from are one file). */
static guint64 du_total;
static GHashTable *du_seen;

static int
du_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  gint64 ino = (gint64) st->st_ino;
  if (!g_hash_table_contains (du_seen, &ino))
    {
      g_hash_table_add (du_seen, g_memdup2 (&ino, sizeof ino));
      du_total += (guint64) st->st_blocks * 512;
    }
  return 0;
}

static guint64
disk_bytes (const char *dir)
{
  du_total = 0;
  du_seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_assert_cmpint (nftw (dir, du_one, 16, FTW_PHYS), ==, 0);
  g_clear_pointer (&du_seen, g_hash_table_unref);
  return du_total;
}

/* The file system's block, as the store rounds sizes to it. */
static guint64
block_size (const char *dir)
{
  struct statvfs vfs;
  g_assert_cmpint (statvfs (dir, &vfs), ==, 0);
  return vfs.f_frsize;
}

/* What a new, nearly empty directory takes on this file system (a block
 * on ext4, nothing on tmpfs). */
static guint64
dir_bytes (const char *parent)
{
  g_autofree char *d = g_build_filename (parent, "probe-dir", NULL);
  g_assert_cmpint (mkdir (d, 0755), ==, 0);
  struct stat st;
  g_assert_cmpint (stat (d, &st), ==, 0);
  g_assert_cmpint (rmdir (d), ==, 0);
  return (guint64) st.st_blocks * 512;
}

/* The disk bytes of a new, empty store (its directories and usage file). */
static guint64
empty_store_bytes (const char *parent)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *d = g_build_filename (parent, "probe-store", NULL);
  guint64 n;
  {
    g_autoptr(DccStore) s = dcc_store_open (d, 1 << 20, &error);
    g_assert_no_error (error);
    n = dcc_store_total_bytes (s);
  }
  rm_rf (d);
  return n;
}

/* A budget for the eviction tests, whose objects share one objects/ab
 * directory (text30): the empty store, that directory and room for
 * half_blocks / 2 blocks of objects. A put reserves two blocks (the
 * object's and one for its directory's growth). */
static guint64
budget_for (Fixture *f, guint half_blocks)
{
  return empty_store_bytes (f->dir) + dir_bytes (f->dir) + half_blocks * block_size (f->dir) / 2;
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  guint n = 0;
  while (g_dir_read_name (d))
    n++;
  return n;
}

static char *
read_text (const char *path)
{
  char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

static void
write_text (const char *path, const char *text)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static void
set_mtime_ago (const char *path, int seconds)
{
  struct timespec ts[2];
  clock_gettime (CLOCK_REALTIME, &ts[0]);
  ts[0].tv_sec -= seconds;
  ts[1] = ts[0];
  g_assert_cmpint (utimensat (AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), ==, 0);
}

static int
cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* A recursive description of a directory (names, types, modes, sizes,
 * mtimes, link targets, contents), to show that it was not touched. */
static void
snapshot_into (GString *out, const char *dir, const char *rel)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *n;
  while ((n = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (n));
  g_ptr_array_sort (names, cmp_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_autofree char *r = g_build_filename (rel, name, NULL);
      struct stat st;
      g_assert_cmpint (lstat (p, &st), ==, 0);
      g_string_append_printf (out, "%s mode=%o size=%jd mtime=%jd.%09ld", r, st.st_mode,
                              (intmax_t) st.st_size, (intmax_t) st.st_mtim.tv_sec,
                              st.st_mtim.tv_nsec);
      if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_file_read_link (p, NULL);
          g_string_append_printf (out, " -> %s", target);
        }
      else if (S_ISREG (st.st_mode))
        {
          g_autofree char *text = read_text (p);
          g_string_append_printf (out, " [%s]", text);
        }
      g_string_append_c (out, '\n');
      if (S_ISDIR (st.st_mode))
        snapshot_into (out, p, r);
    }
}

static char *
snapshot (const char *dir)
{
  GString *out = g_string_new (NULL);
  snapshot_into (out, dir, ".");
  return g_string_free (out, FALSE);
}

/* ---- the store ---- */

static void
test_store_open_layout (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  g_autofree char *objects = g_build_filename (f->store_dir, "objects", NULL);
  g_autofree char *tmp = g_build_filename (f->store_dir, "tmp", NULL);
  g_assert_true (g_file_test (objects, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (tmp, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (dcc_store_count (s), ==, 0);
  /* Its directories and usage file, as du counts them. */
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, disk_bytes (f->store_dir));
}

static void
test_store_put_has (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);
  guint64 empty_bytes = dcc_store_total_bytes (s);

  DccHash h = put_str (s, "hello");
  g_assert_true (dcc_store_has (s, &h));
  g_assert_cmpuint (dcc_store_count (s), ==, 1);
  /* Five bytes take a block, and their objects/ab directory another. */
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, empty_bytes + block_size (f->dir) + dir_bytes (f->dir));
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, disk_bytes (f->store_dir));

  g_autofree char *p = object_path (f->store_dir, &h);
  struct stat st;
  g_assert_cmpint (lstat (p, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0444);
  g_autofree char *text = read_text (p);
  g_assert_cmpstr (text, ==, "hello");

  DccHash other = hash_of ("other");
  g_assert_false (dcc_store_has (s, &other));

  /* The empty file is an object like any other. */
  DccHash empty = put_str (s, "");
  g_assert_true (dcc_store_has (s, &empty));
  g_assert_cmpuint (dcc_store_count (s), ==, 2);
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, disk_bytes (f->store_dir));

  g_autofree char *tmp = g_build_filename (f->store_dir, "tmp", NULL);
  g_assert_cmpuint (count_entries (tmp), ==, 0);
}

static void
test_store_put_mismatch (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);

  DccHash h = hash_of ("what was announced");
  const char *sent = "what was sent";
  g_autoptr(GBytes) sent_bytes = g_bytes_new (sent, strlen (sent));
  g_assert_false (dcc_store_put (s, &h, sent_bytes, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_MISMATCH);
  g_assert_false (dcc_store_has (s, &h));
  g_assert_false (object_on_disk (f->store_dir, &h));
  g_assert_cmpuint (dcc_store_count (s), ==, 0);
  g_autofree char *objects = g_build_filename (f->store_dir, "objects", NULL);
  g_autofree char *tmp = g_build_filename (f->store_dir, "tmp", NULL);
  g_assert_cmpuint (count_entries (objects), ==, 0);
  g_assert_cmpuint (count_entries (tmp), ==, 0);
}

static void
test_store_put_existing (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s1 = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);
  g_autoptr(DccStore) s2 = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);

  DccHash h = put_str (s1, "twice");
  put_str (s1, "twice");
  g_assert_cmpuint (dcc_store_count (s1), ==, 1);
  g_assert_cmpuint (dcc_store_total_bytes (s1), ==, disk_bytes (f->store_dir));

  /* Another process stored it meanwhile: success, one object. */
  put_str (s2, "twice");
  g_assert_cmpuint (dcc_store_count (s2), ==, 1);
  g_assert_true (dcc_store_has (s2, &h));
  g_assert_cmpuint (dcc_store_total_bytes (s2), ==, disk_bytes (f->store_dir));
}

static void
test_store_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  DccHash a, b, c;
  {
    g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
    g_assert_no_error (error);
    a = put_str (s, "alpha");
    b = put_str (s, "beta");
    c = put_str (s, "gamma!");
  }
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dcc_store_count (s), ==, 3);
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, disk_bytes (f->store_dir));
  g_assert_true (dcc_store_has (s, &a));
  g_assert_true (dcc_store_has (s, &b));
  g_assert_true (dcc_store_has (s, &c));
}

static void
test_store_open_cleanup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  {
    g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
    g_assert_no_error (error);
    put_str (s, "kept");
    put_str (s, "");
  }
  /* Leftovers: an old tmp file (a crashed write) and a fresh one (another
   * process's write in progress). */
  g_autofree char *old_tmp = g_build_filename (f->store_dir, "tmp", "old.1.2", NULL);
  g_autofree char *new_tmp = g_build_filename (f->store_dir, "tmp", "new.1.2", NULL);
  write_text (old_tmp, "partial");
  write_text (new_tmp, "partial");
  set_mtime_ago (old_tmp, DCC_STORE_TMP_MAX_AGE + 60);
  /* An object truncated to nothing by a power cut. */
  DccHash trunc = hash_of ("truncated");
  g_autofree char *trunc_path = object_path (f->store_dir, &trunc);
  g_autofree char *trunc_dir = g_path_get_dirname (trunc_path);
  g_assert_cmpint (g_mkdir_with_parents (trunc_dir, 0755), ==, 0);
  write_text (trunc_path, "");
  /* Strays that are not objects: left alone, not indexed. */
  g_autofree char *stray1 = g_build_filename (f->store_dir, "objects", "README", NULL);
  g_autofree char *stray2 = g_build_filename (trunc_dir, "not-a-hash", NULL);
  write_text (stray1, "x");
  write_text (stray2, "x");

  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (old_tmp, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (new_tmp, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (trunc_path, G_FILE_TEST_EXISTS));
  g_assert_false (dcc_store_has (s, &trunc));
  g_assert_true (g_file_test (stray1, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (stray2, G_FILE_TEST_EXISTS));
  DccHash empty = hash_of ("");
  g_assert_true (dcc_store_has (s, &empty));
  g_assert_cmpuint (dcc_store_count (s), ==, 2);
  /* The usage counts the fresh tmp file (a reservation in progress) and
   * everything else du sees but the strays. */
  struct stat st1, st2;
  g_assert_cmpint (lstat (stray1, &st1), ==, 0);
  g_assert_cmpint (lstat (stray2, &st2), ==, 0);
  g_assert_cmpuint (dcc_store_total_bytes (s) + (guint64) (st1.st_blocks + st2.st_blocks) * 512, ==,
                    disk_bytes (f->store_dir));
}

/* A 30-byte content for letter c, distinct by it, whose digest starts
 * with 00: all of them live in objects/00, so that the eviction tests
 * count one directory (an emptied one is removed with its block). */
static char *
text30 (char c)
{
  for (guint n = 0;; n++)
    {
      char *text = g_strdup_printf ("%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%c%04x",
                                    c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c,
                                    c, c, c, c, n);
      DccHash h = hash_of (text);
      char hex[DCC_HASH_HEX_LEN + 1];
      dcc_hash_to_hex (&h, hex);
      if (hex[0] == '0' && hex[1] == '0')
        return text;
      g_free (text);
    }
}

static DccHash
put30 (DccStore *s, char c)
{
  g_autofree char *text = text30 (c);
  return put_str (s, text);
}

static void
test_store_evict_lru (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  /* Room for 4.5 blocks of objects: three fit (the third's put reserves
   * its block and one for the directory: 2 + 2 <= 4.5). */
  guint64 B = block_size (f->dir);
  guint64 budget = budget_for (f, 9);
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, budget, &error);
  g_assert_no_error (error);
  dcc_store_set_grace (s, 0);

  DccHash a = put30 (s, 'a');
  DccHash b = put30 (s, 'b');
  DccHash c = put30 (s, 'c');
  guint64 three = dcc_store_total_bytes (s);
  g_assert_cmpuint (three, ==, budget - 3 * B / 2);
  g_assert_cmpuint (three, ==, disk_bytes (f->store_dir));
  g_assert_true (dcc_store_has (s, &a));   /* a is now the most recent */
  /* 3 + 2 > 4.5 blocks: evict down to 90% of 4.5 less the 2 reserved */
  DccHash d = put30 (s, 'd');
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, three);
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, disk_bytes (f->store_dir));
  g_assert_cmpuint (dcc_store_count (s), ==, 3);
  g_assert_false (object_on_disk (f->store_dir, &b));
  g_assert_false (dcc_store_has (s, &b));
  g_assert_true (object_on_disk (f->store_dir, &a));
  g_assert_true (object_on_disk (f->store_dir, &c));
  g_assert_true (object_on_disk (f->store_dir, &d));
}

static void
test_store_evict_pinned (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, budget_for (f, 9), &error);
  g_assert_no_error (error);
  dcc_store_set_grace (s, 0);

  DccHash a = put30 (s, 'a');
  DccHash b = put30 (s, 'b');
  DccHash c = put30 (s, 'c');
  dcc_store_pin (s, &a);
  dcc_store_pin (s, &a);          /* pins nest */
  put30 (s, 'b');                 /* existing: b is now more recent than c */
  DccHash d = put30 (s, 'd');     /* a is pinned: the LRU victim is c */
  g_assert_true (object_on_disk (f->store_dir, &a));
  g_assert_true (object_on_disk (f->store_dir, &b));
  g_assert_false (object_on_disk (f->store_dir, &c));
  dcc_store_unpin (s, &a);
  put30 (s, 'e');                 /* still pinned once: victim is b */
  g_assert_true (object_on_disk (f->store_dir, &a));
  g_assert_false (object_on_disk (f->store_dir, &b));
  dcc_store_unpin (s, &a);
  put30 (s, 'f');                 /* a is the LRU now */
  g_assert_false (object_on_disk (f->store_dir, &a));
  g_assert_true (object_on_disk (f->store_dir, &d));

  /* Pinning something not stored is allowed and protects it once stored. */
  g_autofree char *g_text = text30 ('g');
  DccHash g = hash_of (g_text);
  dcc_store_pin (s, &g);
  put30 (s, 'g');
  put30 (s, 'h');
  put30 (s, 'i');
  put30 (s, 'j');
  g_assert_true (object_on_disk (f->store_dir, &g));
  dcc_store_unpin (s, &g);
}

static void
test_store_evict_grace (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  guint64 three = budget_for (f, 6);   /* the store with three objects */
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, budget_for (f, 9), &error);
  g_assert_no_error (error);
  /* Default grace: everything was just used, so nothing may go yet; the
   * store stays within its budget and the last two are kept privately. */
  DccHash hs[5];
  for (int i = 0; i < 5; i++)
    hs[i] = put30 (s, (char) ('a' + i));
  g_assert_cmpuint (dcc_store_count (s), ==, 3);
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, three);
  g_assert_cmpuint (dcc_store_private_count (s), ==, 2);
  for (int i = 0; i < 5; i++)
    {
      g_assert_cmpint (object_on_disk (f->store_dir, &hs[i]), ==, i < 3);
      g_assert_true (dcc_store_has (s, &hs[i]));
    }

  /* Once the uses are old enough (here: made old on disk), a put evicts
   * the least recently used down to the low-water mark. */
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *p = object_path (f->store_dir, &hs[i]);
      set_mtime_ago (p, DCC_STORE_GRACE_SECONDS + 100 - i);
    }
  g_assert_true (dcc_store_rescan (s, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, three);
  DccHash f6 = put30 (s, 'f');   /* 3 + 2 > 4.5 blocks: the oldest goes */
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, three);
  g_assert_false (object_on_disk (f->store_dir, &hs[0]));
  g_assert_true (object_on_disk (f->store_dir, &hs[1]));
  g_assert_true (object_on_disk (f->store_dir, &hs[2]));
  g_assert_true (object_on_disk (f->store_dir, &f6));
}

/* Seconds since the object's mtime. */
static double
mtime_age (const char *store_dir, const DccHash *h)
{
  g_autofree char *p = object_path (store_dir, h);
  struct stat st;
  g_assert_cmpint (lstat (p, &st), ==, 0);
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  return (double) (now.tv_sec - st.st_mtim.tv_sec) + (now.tv_nsec - st.st_mtim.tv_nsec) / 1e9;
}

/* A use is written to the disk (the object's mtime) unless the mtime shows
 * one from less than a quarter of the grace period ago (store_touch). A
 * second store handle looks, as another process would: its index knows
 * only what the disk said when it opened. */
static void
test_store_touch_coarse (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, budget_for (f, 9), &error);
  g_assert_no_error (error);
  DccHash a = put30 (s, 'a'), b = put30 (s, 'b');
  g_autofree char *pa = object_path (f->store_dir, &a);
  g_autofree char *pb = object_path (f->store_dir, &b);
  set_mtime_ago (pa, DCC_STORE_GRACE_SECONDS / 4 - 5);   /* recent enough */
  set_mtime_ago (pb, DCC_STORE_GRACE_SECONDS / 4 + 5);   /* to be written again */
  g_autoptr(DccStore) other = dcc_store_open (f->store_dir, budget_for (f, 9), &error);
  g_assert_no_error (error);
  g_assert_true (dcc_store_has (other, &a));
  g_assert_true (dcc_store_has (other, &b));
  g_assert_cmpfloat (mtime_age (f->store_dir, &a), >=, DCC_STORE_GRACE_SECONDS / 4 - 5);
  g_assert_cmpfloat (mtime_age (f->store_dir, &b), <, 5);
  /* With grace 0 every use is written. */
  dcc_store_set_grace (other, 0);
  set_mtime_ago (pa, 2);
  g_assert_true (dcc_store_has (other, &a));
  g_assert_cmpfloat (mtime_age (f->store_dir, &a), <, 1);
}

static void
test_store_evict_big (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, budget_for (f, 5), &error);
  g_assert_no_error (error);
  dcc_store_set_grace (s, 0);

  DccHash a = put30 (s, 'a');
  guint64 one = dcc_store_total_bytes (s);
  /* Two blocks and the directory's: 3 > 2.5 blocks alone: kept
   * privately, a stays. */
  g_autofree char *big = g_strnfill (2 * block_size (f->dir), 'B');
  DccHash b = put_str (s, big);
  g_assert_true (object_on_disk (f->store_dir, &a));
  g_assert_false (object_on_disk (f->store_dir, &b));
  g_assert_true (dcc_store_has (s, &b));
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, one);

  /* A private content is written into a job tree as a copy. */
  int dfd = open (f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_true (dcc_store_link_into (s, &b, dfd, "big.h", FALSE, &error));
  g_assert_no_error (error);
  close (dfd);
  g_autofree char *copy = g_build_filename (f->dir, "big.h", NULL);
  g_autofree char *text = read_text (copy);
  g_assert_cmpstr (text, ==, big);
  struct stat st;
  g_assert_cmpint (lstat (copy, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0444);
}

static void
test_store_limit (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);
  DccHash h = hash_of ("x");
  /* The size is refused before the data is read (it is not there). */
  g_autoptr(GBytes) huge = g_bytes_new_static ("x", (gsize) DCC_MAX_FILE_SIZE + 1);
  g_assert_false (dcc_store_put (s, &h, huge, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
}

static void
test_store_link_into (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);
  DccHash h = put_str (s, "#define X 1\n");

  g_autofree char *dest = g_build_filename (f->dir, "dest", NULL);
  g_assert_cmpint (mkdir (dest, 0755), ==, 0);
  int dfd = open (dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (dfd, >=, 0);

  g_assert_true (dcc_store_link_into (s, &h, dfd, "x.h", FALSE, &error));
  g_assert_no_error (error);
  g_autofree char *linked = g_build_filename (dest, "x.h", NULL);
  g_autofree char *obj = object_path (f->store_dir, &h);
  struct stat st_l, st_o;
  g_assert_cmpint (lstat (linked, &st_l), ==, 0);
  g_assert_cmpint (lstat (obj, &st_o), ==, 0);
  g_assert_cmpuint (st_l.st_ino, ==, st_o.st_ino);
  g_assert_cmpuint (st_l.st_nlink, ==, 2);
  g_assert_cmpint (st_l.st_mode & 07777, ==, 0444);
  if (geteuid () != 0)
    g_assert_cmpint (access (linked, W_OK), !=, 0);

  /* An existing entry is an error, and is left as it was. */
  g_assert_false (dcc_store_link_into (s, &h, dfd, "x.h", FALSE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);

  /* A symlink at the name is neither followed nor replaced. */
  g_autofree char *sentinel = g_build_filename (f->dir, "sentinel-file", NULL);
  write_text (sentinel, "untouched");
  g_autofree char *lnk = g_build_filename (dest, "evil.h", NULL);
  g_assert_cmpint (symlink (sentinel, lnk), ==, 0);
  g_assert_false (dcc_store_link_into (s, &h, dfd, "evil.h", FALSE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_store_link_into (s, &h, dfd, "evil.h", TRUE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_autofree char *sentinel_text = read_text (sentinel);
  g_assert_cmpstr (sentinel_text, ==, "untouched");
  g_autofree char *lnk_target = g_file_read_link (lnk, NULL);
  g_assert_cmpstr (lnk_target, ==, sentinel);

  /* Names must be one component. */
  const char *bad[] = { "", ".", "..", "a/b", "/abs" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (dcc_store_link_into (s, &h, dfd, bad[i], FALSE, &error));
      g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
      g_clear_error (&error);
    }

  /* A missing object. */
  DccHash missing = hash_of ("never stored");
  g_assert_false (dcc_store_link_into (s, &missing, dfd, "m.h", FALSE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "not in the store"));
  g_clear_error (&error);
  g_assert_false (dcc_store_link_into (s, &missing, dfd, "m.h", TRUE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_autofree char *m = g_build_filename (dest, "m.h", NULL);
  g_assert_false (g_file_test (m, G_FILE_TEST_EXISTS));

  /* Executable: a private 0555 copy (a shared inode cannot be 0444 too). */
  g_assert_true (dcc_store_link_into (s, &h, dfd, "run", TRUE, &error));
  g_assert_no_error (error);
  g_autofree char *run = g_build_filename (dest, "run", NULL);
  struct stat st_r;
  g_assert_cmpint (lstat (run, &st_r), ==, 0);
  g_assert_cmpuint (st_r.st_ino, !=, st_o.st_ino);
  g_assert_cmpint (st_r.st_mode & 07777, ==, 0555);
  g_autofree char *run_text = read_text (run);
  g_assert_cmpstr (run_text, ==, "#define X 1\n");
  close (dfd);
}

/* A job's link keeps the bytes even after the store evicts the object. */
static void
test_store_linked_survives_eviction (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, budget_for (f, 7), &error);
  g_assert_no_error (error);
  dcc_store_set_grace (s, 0);
  DccHash a = put30 (s, 'a');
  g_autofree char *a_text = text30 ('a');
  int dfd = open (f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_true (dcc_store_link_into (s, &a, dfd, "a.h", FALSE, &error));
  g_assert_no_error (error);
  close (dfd);
  put30 (s, 'b');
  put30 (s, 'c');   /* 2 + 2 > 3.5 blocks: a goes */
  g_assert_false (object_on_disk (f->store_dir, &a));
  g_autofree char *linked = g_build_filename (f->dir, "a.h", NULL);
  g_autofree char *text = read_text (linked);
  g_assert_cmpstr (text, ==, a_text);
}

/* Two stores on one directory behave like two processes. */
static void
test_store_two_processes (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  guint64 three = budget_for (f, 6);
  g_autoptr(DccStore) s1 = dcc_store_open (f->store_dir, budget_for (f, 9), &error);
  g_assert_no_error (error);
  g_autoptr(DccStore) s2 = dcc_store_open (f->store_dir, budget_for (f, 9), &error);
  g_assert_no_error (error);
  dcc_store_set_grace (s1, 0);

  DccHash a = put30 (s1, 'a');
  DccHash b = put30 (s2, 'b');
  DccHash c = put30 (s2, 'c');
  /* s1's estimate lags; the disk is the truth for has(). */
  g_assert_cmpuint (dcc_store_count (s1), ==, 1);
  g_assert_true (dcc_store_has (s1, &b));
  g_assert_cmpuint (dcc_store_count (s1), ==, 2);
  g_assert_true (dcc_store_rescan (s1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dcc_store_count (s1), ==, 3);
  g_assert_cmpuint (dcc_store_total_bytes (s1), ==, three);

  /* s1 evicts: a is the least recently used anywhere. */
  put30 (s1, 'd');
  g_assert_false (object_on_disk (f->store_dir, &a));
  /* s2 learns of the eviction from the disk. */
  g_assert_false (dcc_store_has (s2, &a));
  g_assert_true (dcc_store_has (s2, &c));
  g_assert_true (dcc_store_rescan (s2, &error));
  g_assert_cmpuint (dcc_store_count (s2), ==, 3);
}

/* The upload lock excludes another process (a forked child opens its own
 * lock, as a worker does) until it closes it or dies, and a wait for it
 * ends at its deadline. */
static void
test_store_upload_lock (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, budget_for (f, 9), &error);
  g_assert_no_error (error);
  int taken[2], release[2];
  g_assert_cmpint (pipe (taken), ==, 0);
  g_assert_cmpint (pipe (release), ==, 0);
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      gboolean waited;
      int fd = dcc_store_upload_lock (s, g_get_monotonic_time () + 10 * G_USEC_PER_SEC, &waited);
      char c = fd >= 0 && !waited ? 'y' : 'n';
      if (write (taken[1], &c, 1) != 1 || read (release[0], &c, 1) != 1)
        _exit (1);
      _exit (0);   /* the lock goes with the process */
    }
  char c = 0;
  g_assert_cmpint (read (taken[0], &c, 1), ==, 1);
  g_assert_cmpint (c, ==, 'y');
  gboolean waited = FALSE;
  g_assert_cmpint (dcc_store_upload_lock (s, 0, &waited), ==, -1);   /* one try */
  g_assert_true (waited);
  waited = FALSE;
  gint64 t0 = g_get_monotonic_time ();
  g_assert_cmpint (dcc_store_upload_lock (s, t0 + 100 * 1000, &waited), ==, -1);
  g_assert_true (waited);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 100 * 1000);
  g_assert_cmpint (write (release[1], "x", 1), ==, 1);
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  int fd = dcc_store_upload_lock (s, g_get_monotonic_time () + 10 * G_USEC_PER_SEC, &waited);
  g_assert_cmpint (fd, >=, 0);
  g_assert_false (waited);
  close (fd);
  for (guint i = 0; i < 2; i++)
    {
      close (taken[i]);
      close (release[i]);
    }
}

/* Forked children putting the same objects at once: every put succeeds and
 * every object ends up complete, with nothing left in tmp/. */
#define FORK_CHILDREN 4
#define FORK_OBJECTS 64
static void
test_store_fork_concurrent (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);

  pid_t pids[FORK_CHILDREN];
  for (int c = 0; c < FORK_CHILDREN; c++)
    {
      pids[c] = fork ();
      g_assert_cmpint (pids[c], >=, 0);
      if (pids[c] == 0)
        {
          int bad = 0;
          for (int i = 0; i < FORK_OBJECTS; i++)
            {
              g_autofree char *z = g_strnfill (i * 100, 'z');
              g_autofree char *text = g_strdup_printf ("object %d %s", i, z);
              DccHash h = hash_of (text);
              g_autoptr(GBytes) b = g_bytes_new (text, strlen (text));
              if (!dcc_store_put (s, &h, b, NULL))
                bad++;
            }
          _exit (bad ? 1 : 0);
        }
    }
  for (int c = 0; c < FORK_CHILDREN; c++)
    {
      int status;
      g_assert_cmpint (waitpid (pids[c], &status, 0), ==, pids[c]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  g_assert_true (dcc_store_rescan (s, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dcc_store_count (s), ==, FORK_OBJECTS);
  for (int i = 0; i < FORK_OBJECTS; i++)
    {
      g_autofree char *z = g_strnfill (i * 100, 'z');
      g_autofree char *text = g_strdup_printf ("object %d %s", i, z);
      DccHash h = hash_of (text);
      g_autofree char *p = object_path (f->store_dir, &h);
      g_autofree char *got = read_text (p);
      g_assert_cmpstr (got, ==, text);
    }
  g_autofree char *tmp = g_build_filename (f->store_dir, "tmp", NULL);
  g_assert_cmpuint (count_entries (tmp), ==, 0);
  /* Puts that lost the race gave their reservation back. */
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, disk_bytes (f->store_dir));
}

/* Forked children, each putting distinct contents into one store at once
 * with the default grace period (nothing evictable): the files under the
 * store never total more than the budget, at any moment a parent sampling
 * the disk sees, and every put succeeds (the rest are kept privately). */
#define BUDGET_CHILDREN 4
#define BUDGET_OBJECTS 40
#define BUDGET_BYTES (64 * 1024)
static void
test_store_budget_across_processes (Fixture *f, gconstpointer data)
{
  for (int grace = 0; grace < 2; grace++)
    {
      g_autoptr(GError) error = NULL;
      if (g_file_test (f->store_dir, G_FILE_TEST_EXISTS))
        rm_rf (f->store_dir);
      g_autoptr(DccStore) s = dcc_store_open (f->store_dir, BUDGET_BYTES, &error);
      g_assert_no_error (error);
      if (grace == 0)
        dcc_store_set_grace (s, 0);
      pid_t pids[BUDGET_CHILDREN];
      for (int c = 0; c < BUDGET_CHILDREN; c++)
        {
          pids[c] = fork ();
          g_assert_cmpint (pids[c], >=, 0);
          if (pids[c] == 0)
            {
              int bad = 0;
              for (int i = 0; i < BUDGET_OBJECTS; i++)
                {
                  /* 1 to 8 KiB each, distinct across children */
                  gsize n = 1024 * (gsize) (1 + (i * 7 + c) % 8);
                  g_autofree char *text = g_strnfill (n, 'a');
                  int k = g_snprintf (text, n, "child %d object %d ", c, i);
                  text[k] = 'a';
                  DccHash h = hash_of (text);
                  g_autoptr(GBytes) b = g_bytes_new (text, strlen (text));
                  if (!dcc_store_put (s, &h, b, NULL) || !dcc_store_has (s, &h))
                    bad++;
                }
              _exit (bad ? 1 : 0);
            }
        }
      guint64 most = 0;
      guint samples = 0;
      /* Sampled under the store's lock, so that no put or eviction runs
       * during a walk: the bound is exact, not "plus what moved meanwhile". */
      g_autofree char *usage = g_build_filename (f->store_dir, "usage", NULL);
      int lock_fd = open (usage, O_RDWR | O_CLOEXEC);
      g_assert_cmpint (lock_fd, >=, 0);
      for (int done = 0; done < BUDGET_CHILDREN;)
        {
          g_assert_cmpint (flock (lock_fd, LOCK_EX), ==, 0);
          most = MAX (most, disk_bytes (f->store_dir));
          flock (lock_fd, LOCK_UN);
          samples++;
          int status;
          pid_t p = waitpid (-1, &status, WNOHANG);
          if (p > 0)
            {
              g_assert_true (WIFEXITED (status));
              g_assert_cmpint (WEXITSTATUS (status), ==, 0);
              done++;
            }
        }
      close (lock_fd);
      most = MAX (most, disk_bytes (f->store_dir));
      g_test_message ("grace %d: %u samples, most %" G_GUINT64_FORMAT " bytes of %u", grace, samples,
                      most, BUDGET_BYTES);
      g_assert_cmpuint (most, <=, BUDGET_BYTES);
      g_assert_true (dcc_store_rescan (s, &error));
      g_assert_cmpuint (dcc_store_total_bytes (s), ==, disk_bytes (f->store_dir));
    }
}

/* Thousands of small headers: each takes a whole block on disk, and each
 * objects/ab directory a block more. The budget holds for what `du` sees,
 * at every step, and the usage is exactly what `du` says. */
#define DU_OBJECTS 300
static void
test_store_du_within_budget (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  guint64 budget = 128 * block_size (f->dir);
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, budget, &error);
  g_assert_no_error (error);
  dcc_store_set_grace (s, 0);
  guint64 most = 0;
  for (int i = 0; i < DU_OBJECTS; i++)
    {
      g_autofree char *text = g_strdup_printf ("#define HEADER_%d %-80d\n", i, i);
      DccHash h = put_str (s, text);
      /* Result names too (results/ab directories). */
      g_autofree char *key_text = g_strdup_printf ("key %d", i);
      DccHash key = hash_of (key_text);
      g_autoptr(GError) name_error = NULL;
      if (i % 3 == 0 && !dcc_store_is_private (s, &h)
          && !dcc_store_result_set (s, &key, &h, &name_error))
        g_assert_error (name_error, DCC_ERROR, DCC_ERROR_LIMIT);
      most = MAX (most, disk_bytes (f->store_dir));
    }
  guint64 du = disk_bytes (f->store_dir);
  g_test_message ("%d objects of about 100 bytes: %u kept, du %" G_GUINT64_FORMAT
                  " bytes at the end, %" G_GUINT64_FORMAT " at most; budget %" G_GUINT64_FORMAT,
                  DU_OBJECTS, dcc_store_count (s), du, most, budget);
  g_assert_cmpuint (most, <=, budget);
  g_assert_cmpuint (dcc_store_count (s), >, 0);
  g_assert_cmpuint (dcc_store_count (s), <, DU_OBJECTS);
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, du);
  g_assert_true (dcc_store_rescan (s, &error));   /* sweeps stale names, empties results/ab */
  g_assert_no_error (error);
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, disk_bytes (f->store_dir));
  /* Reopened: the recount from the disk agrees. */
  g_autoptr(DccStore) again = dcc_store_open (f->store_dir, budget, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dcc_store_total_bytes (again), ==, disk_bytes (f->store_dir));
}

/* A usage file that lost track (a process killed mid-put, or garbage) is
 * recounted from the disk when the store is opened. */
static void
test_store_usage_recount (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  {
    g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
    g_assert_no_error (error);
    put_str (s, "abcde");
  }
  g_autofree char *usage = g_build_filename (f->store_dir, "usage", NULL);
  g_assert_true (g_file_set_contents (usage, "garbage garbage garbage!", 24, NULL));
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dcc_store_total_bytes (s), ==, disk_bytes (f->store_dir));
}

/* Linking across file systems falls back to a copy. */
static void
test_store_link_exdev (Fixture *f, gconstpointer data)
{
  const char *other = "/dev/shm";
  struct stat st_a, st_b;
  if (stat (other, &st_b) < 0 || stat (f->dir, &st_a) < 0 || st_a.st_dev == st_b.st_dev
      || access (other, W_OK) < 0)
    {
      g_test_skip ("no second writable file system at /dev/shm");
      return;
    }
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);
  DccHash h = put_str (s, "across");
  g_autofree char *dir = g_build_filename (other, "dcc-store-test-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (dir));
  int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gboolean ok = dcc_store_link_into (s, &h, dfd, "x", FALSE, &error);
  close (dfd);
  g_autofree char *x = g_build_filename (dir, "x", NULL);
  g_autofree char *text = ok ? read_text (x) : NULL;
  struct stat st_x;
  gboolean have = lstat (x, &st_x) == 0;
  rm_rf (dir);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (have);
  g_assert_cmpstr (text, ==, "across");
  g_assert_cmpint (st_x.st_mode & 07777, ==, 0444);
}

/* ---- job trees ---- */

typedef struct {
  Fixture f;
  char *base;       /* dir/jobs: where trees are made */
  char *sentinel;   /* dir/jobs/sentinel: beside the trees, must stay as it is */
  char *before;     /* snapshot of the sentinel */
  DccStore *store;
  DccJobTree *tree;
  const char *root;
} TreeFixture;

static void
tree_setup (TreeFixture *t, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  fixture_setup (&t->f, data);
  t->base = g_build_filename (t->f.dir, "jobs", NULL);
  t->sentinel = g_build_filename (t->base, "sentinel", NULL);
  g_assert_cmpint (g_mkdir_with_parents (t->sentinel, 0755), ==, 0);
  g_autofree char *secret = g_build_filename (t->sentinel, "secret", NULL);
  g_autofree char *sub = g_build_filename (t->sentinel, "sub", NULL);
  g_autofree char *passwd = g_build_filename (sub, "passwd", NULL);
  write_text (secret, "do not touch");
  g_assert_cmpint (mkdir (sub, 0755), ==, 0);
  write_text (passwd, "root:x:0:0");
  set_mtime_ago (secret, 1000);
  set_mtime_ago (passwd, 1000);
  set_mtime_ago (sub, 1000);
  t->before = snapshot (t->sentinel);

  t->store = dcc_store_open (t->f.store_dir, 1 << 20, &error);
  g_assert_no_error (error);
  t->tree = dcc_job_tree_new (t->base, &error);
  g_assert_no_error (error);
  t->root = dcc_job_tree_root (t->tree);
}

static void
assert_sentinel_untouched (TreeFixture *t)
{
  g_autofree char *after = snapshot (t->sentinel);
  g_assert_cmpstr (after, ==, t->before);
  /* Nothing new beside the trees either: base holds the sentinel and jobs. */
  g_autoptr(GDir) d = g_dir_open (t->base, 0, NULL);
  const char *n;
  while ((n = g_dir_read_name (d)))
    g_assert_true (strcmp (n, "sentinel") == 0 || g_str_has_prefix (n, "job-"));
  /* and nothing beside the base */
  g_autoptr(GDir) top = g_dir_open (t->f.dir, 0, NULL);
  while ((n = g_dir_read_name (top)))
    g_assert_true (strcmp (n, "jobs") == 0 || strcmp (n, "store") == 0);
}

static void
tree_teardown (TreeFixture *t, gconstpointer data)
{
  g_clear_pointer (&t->tree, dcc_job_tree_free);
  assert_sentinel_untouched (t);
  g_clear_pointer (&t->store, dcc_store_free);
  g_free (t->base);
  g_free (t->sentinel);
  g_free (t->before);
  fixture_teardown (&t->f, data);
}

static char *
in_root (TreeFixture *t, const char *rel)
{
  return g_build_filename (t->root, rel, NULL);
}

static void
test_tree_new_free (TreeFixture *t, gconstpointer data)
{
  g_autofree char *base_name = g_path_get_dirname (t->root);
  g_assert_cmpstr (base_name, ==, t->base);
  g_autofree char *name = g_path_get_basename (t->root);
  g_assert_true (g_str_has_prefix (name, "job-"));
  struct stat st;
  g_assert_cmpint (lstat (t->root, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0700);
  g_assert_cmpint (dcc_job_tree_root_fd (t->tree), >=, 0);

  g_autofree char *root = g_strdup (t->root);
  g_autoptr(GError) error = NULL;
  g_assert_true (dcc_job_tree_add_dir (t->tree, "/a/b", &error));
  g_clear_pointer (&t->tree, dcc_job_tree_free);
  g_assert_false (g_file_test (root, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (t->base, G_FILE_TEST_IS_DIR));
}

static void
test_tree_add (TreeFixture *t, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (dcc_job_tree_add_dir (t->tree, "/usr/include/sys", &error));
  g_assert_no_error (error);
  g_assert_true (dcc_job_tree_add_dir (t->tree, "//usr/include/sys/", &error));
  g_assert_no_error (error);
  g_assert_true (dcc_job_tree_add_dir (t->tree, "/", &error));
  g_assert_no_error (error);
  g_autofree char *sys = in_root (t, "usr/include/sys");
  g_assert_true (g_file_test (sys, G_FILE_TEST_IS_DIR));

  DccHash h = put_str (t->store, "int printf (const char *, ...);\n");
  g_assert_true (dcc_job_tree_add_file (t->tree, "/usr/include/stdio.h", t->store, &h, FALSE,
                                        &error));
  g_assert_no_error (error);
  g_assert_true (dcc_job_tree_add_file (t->tree, "/home/u/src/deep/x.h", t->store, &h, FALSE,
                                        &error));
  g_assert_no_error (error);
  g_autofree char *stdio = in_root (t, "usr/include/stdio.h");
  g_autofree char *xh = in_root (t, "home/u/src/deep/x.h");
  g_autofree char *obj = object_path (t->f.store_dir, &h);
  struct stat a, b, o;
  g_assert_cmpint (lstat (stdio, &a), ==, 0);
  g_assert_cmpint (lstat (xh, &b), ==, 0);
  g_assert_cmpint (lstat (obj, &o), ==, 0);
  g_assert_cmpuint (a.st_ino, ==, o.st_ino);
  g_assert_cmpuint (b.st_ino, ==, o.st_ino);
  g_assert_cmpuint (o.st_nlink, ==, 3);

  /* Already there: an error, not a replacement. */
  DccHash h2 = put_str (t->store, "other");
  g_assert_false (dcc_job_tree_add_file (t->tree, "/usr/include/stdio.h", t->store, &h2, FALSE,
                                         &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_cmpint (lstat (stdio, &a), ==, 0);
  g_assert_cmpuint (a.st_ino, ==, o.st_ino);

  /* A file where a directory is wanted, and vice versa. */
  g_assert_false (dcc_job_tree_add_dir (t->tree, "/usr/include/stdio.h/x", &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_file (t->tree, "/usr/include", t->store, &h, FALSE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_file (t->tree, "/", t->store, &h, FALSE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
  g_clear_error (&error);

  /* Executable files are private copies. */
  g_assert_true (dcc_job_tree_add_file (t->tree, "/bin/tool", t->store, &h, TRUE, &error));
  g_assert_no_error (error);
  g_autofree char *tool = in_root (t, "bin/tool");
  g_assert_true (g_file_test (tool, G_FILE_TEST_IS_EXECUTABLE));

  /* map */
  g_autofree char *m1 = dcc_job_tree_map (t->tree, "/usr/include/stdio.h");
  g_assert_cmpstr (m1, ==, stdio);
  g_autofree char *m2 = dcc_job_tree_map (t->tree, "/");
  g_assert_cmpstr (m2, ==, t->root);
  g_autofree char *m3 = dcc_job_tree_map (t->tree, "//usr//include/");
  g_autofree char *inc = in_root (t, "usr/include");
  g_assert_cmpstr (m3, ==, inc);
  g_assert_null (dcc_job_tree_map (t->tree, "/../etc/passwd"));
  g_assert_null (dcc_job_tree_map (t->tree, "relative"));
}

static const char *const refused_paths[] = {
  "/../etc/passwd",
  "/a/../../x",
  "/../jobs/sentinel/secret",
  "/..",
  "/a/./b",
  "relative/x",
  "../sentinel",
  "",
  "/a\nb",
  "/a\x01",
};

static void
test_tree_refused_paths (TreeFixture *t, gconstpointer data)
{
  DccHash h = put_str (t->store, "payload");
  for (gsize i = 0; i < G_N_ELEMENTS (refused_paths); i++)
    {
      const char *p = refused_paths[i];
      g_autoptr(GError) error = NULL;
      g_assert_false (dcc_job_tree_add_dir (t->tree, p, &error));
      g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
      g_clear_error (&error);
      g_assert_false (dcc_job_tree_add_file (t->tree, p, t->store, &h, FALSE, &error));
      g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
      g_clear_error (&error);
      g_assert_false (dcc_job_tree_add_symlink (t->tree, p, "x", &error));
      g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
      g_clear_error (&error);
      g_assert_null (dcc_job_tree_map (t->tree, p));
    }
  g_assert_cmpuint (count_entries (t->root), ==, 0);
  assert_sentinel_untouched (t);
}

static void
test_tree_symlink_component (TreeFixture *t, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  DccHash h = put_str (t->store, "payload");
  g_assert_true (dcc_job_tree_add_symlink (t->tree, "/a/l", "/", &error));
  g_assert_no_error (error);
  g_autofree char *l = in_root (t, "a/l");
  g_autofree char *target = g_file_read_link (l, NULL);
  g_assert_cmpstr (target, ==, t->root);

  /* Through the symlink: refused at the symlink component. */
  g_assert_false (dcc_job_tree_add_file (t->tree, "/a/l/x", t->store, &h, FALSE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "is a symlink"));
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_dir (t->tree, "/a/l/y/z", &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_symlink (t->tree, "/a/l/s", "x", &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  /* At the symlink: not replaced. */
  g_assert_false (dcc_job_tree_add_file (t->tree, "/a/l", t->store, &h, FALSE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_symlink (t->tree, "/a/l", "/etc", &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);

  /* The tree holds exactly a/ and a/l. */
  g_assert_cmpuint (count_entries (t->root), ==, 1);
  g_autofree char *a = in_root (t, "a");
  g_assert_cmpuint (count_entries (a), ==, 1);
  g_autofree char *target2 = g_file_read_link (l, NULL);
  g_assert_cmpstr (target2, ==, t->root);
  assert_sentinel_untouched (t);
}

static const struct {
  const char *link, *target;
  const char *written;   /* relative to the root when starting with "@", NULL: refused */
} symlink_rows[] = {
  { "/a/b/abs", "/etc/x", "@/etc/x" },
  { "/a/b/abs2", "//etc/../usr/./lib/", "@/usr/lib" },
  { "/a/b/root", "/", "@" },
  { "/a/b/rel", "c/../../x", "../x" },
  { "/a/b/dot", ".", "." },
  { "/a/b/up", "../..", "../.." },
  { "/usr/include/x86_64-linux-gnu/asm", "../asm-generic", "../asm-generic" },
  { "/a/l2", "../../../../etc", NULL },
  { "/a/b/esc", "../../..", NULL },
  { "/a/b/esc2", "/../jobs/sentinel", NULL },
  { "/a/b/esc3", "x/../../../../sentinel", NULL },
  { "/a/b/empty", "", NULL },
};

static void
test_tree_symlink_targets (TreeFixture *t, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (symlink_rows); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = dcc_job_tree_add_symlink (t->tree, symlink_rows[i].link,
                                              symlink_rows[i].target, &error);
      g_autofree char *p = in_root (t, symlink_rows[i].link);
      if (symlink_rows[i].written == NULL)
        {
          g_assert_false (ok);
          g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
          g_assert_false (g_file_test (p, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK));
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      g_autofree char *want = symlink_rows[i].written[0] == '@'
        ? g_strconcat (t->root, symlink_rows[i].written + 1, NULL)
        : g_strdup (symlink_rows[i].written);
      g_autofree char *got = g_file_read_link (p, NULL);
      g_assert_cmpstr (got, ==, want);
    }
  /* An existing name. */
  g_autoptr(GError) error = NULL;
  g_assert_false (dcc_job_tree_add_symlink (t->tree, "/a/b/dot", "x", &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  assert_sentinel_untouched (t);
}

/* A chain of symlinks each fine on its own cannot climb out either: "t"
 * would escape through "s" if written as sent, but is written lexically. */
static void
test_tree_symlink_chain (TreeFixture *t, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (dcc_job_tree_add_symlink (t->tree, "/a/b/c/s", "/", &error));
  g_assert_no_error (error);
  g_assert_true (dcc_job_tree_add_symlink (t->tree, "/a/b/c/t", "s/../../..", &error));
  g_assert_no_error (error);
  g_autofree char *tp = in_root (t, "a/b/c/t");
  g_autofree char *got = g_file_read_link (tp, NULL);
  g_assert_cmpstr (got, ==, "../..");
  g_autofree char *real_t = realpath (tp, NULL);
  g_autofree char *real_root = realpath (t->root, NULL);
  g_autofree char *want = g_build_filename (real_root, "a", NULL);
  g_assert_cmpstr (real_t, ==, want);

  /* Adding through the chain is refused too. */
  DccHash h = put_str (t->store, "payload");
  g_assert_false (dcc_job_tree_add_file (t->tree, "/a/b/c/t/x", t->store, &h, FALSE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  assert_sentinel_untouched (t);
}

/* Symlinks planted by a compile (not through this API) are not followed
 * either, and freeing the tree removes them without touching their targets. */
static void
test_tree_planted (TreeFixture *t, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  DccHash h = put_str (t->store, "payload");
  g_autofree char *p = in_root (t, "p");
  g_autofree char *q = in_root (t, "q");
  g_autofree char *secret = g_build_filename (t->sentinel, "secret", NULL);
  g_assert_cmpint (symlink (t->sentinel, p), ==, 0);   /* a directory outside */
  g_assert_cmpint (symlink (secret, q), ==, 0);        /* a file outside */
  g_autofree char *dangling = in_root (t, "dangling");
  g_autofree char *nowhere = g_build_filename (t->sentinel, "new-file", NULL);
  g_assert_cmpint (symlink (nowhere, dangling), ==, 0);

  g_assert_false (dcc_job_tree_add_file (t->tree, "/p/secret", t->store, &h, FALSE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_file (t->tree, "/p/new", t->store, &h, FALSE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_dir (t->tree, "/p/sub/more", &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_dir (t->tree, "/p", &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_file (t->tree, "/q", t->store, &h, FALSE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_file (t->tree, "/q", t->store, &h, TRUE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_file (t->tree, "/dangling", t->store, &h, TRUE, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (dcc_job_tree_add_symlink (t->tree, "/p/l", "x", &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_IO);
  g_clear_error (&error);
  assert_sentinel_untouched (t);

  /* A read-only directory and read-only files: the tree still goes away. */
  g_assert_true (dcc_job_tree_add_file (t->tree, "/ro/x/f.h", t->store, &h, FALSE, &error));
  g_assert_no_error (error);
  g_autofree char *ro = in_root (t, "ro");
  g_autofree char *rox = in_root (t, "ro/x");
  g_assert_cmpint (chmod (rox, 0500), ==, 0);
  g_assert_cmpint (chmod (ro, 0), ==, 0);

  g_autofree char *root = g_strdup (t->root);
  g_clear_pointer (&t->tree, dcc_job_tree_free);
  g_assert_false (g_file_test (root, G_FILE_TEST_EXISTS));
  assert_sentinel_untouched (t);
  /* The store's object is intact. */
  g_assert_true (dcc_store_has (t->store, &h));
}

/* Who may write a store's directories: a pure table, then a real store
 * whose objects/ another could write. */
static void
test_store_stat_problem (void)
{
  static const struct { guint uid; guint mode; gboolean top; gboolean ok; } cases[] = {
    { 1000, 040700, TRUE, TRUE },   { 1000, 040755, TRUE, TRUE },   { 0, 040755, TRUE, TRUE },
    { 0, 041777, TRUE, TRUE },      { 1000, 041777, TRUE, TRUE },   { 1000, 040777, TRUE, FALSE },
    { 1000, 040770, TRUE, FALSE },  { 1000, 040757, TRUE, FALSE },  { 1001, 040700, TRUE, FALSE },
    { 0, 040777, TRUE, FALSE },     { 1000, 040755, FALSE, TRUE },  { 0, 040755, FALSE, FALSE },
    { 1001, 040755, FALSE, FALSE }, { 1000, 041777, FALSE, FALSE }, { 1000, 040775, FALSE, FALSE },
    { 1000, 0100600, FALSE, TRUE }, { 1000, 0100666, FALSE, FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      struct stat st = { .st_uid = cases[i].uid, .st_mode = cases[i].mode };
      const char *why = dcc_store_stat_problem (&st, 1000, cases[i].top);
      if ((why == NULL) != cases[i].ok)
        g_error ("uid %u mode %o top %d: expected %s, got %s", cases[i].uid, cases[i].mode, cases[i].top,
                 cases[i].ok ? "trusted" : "refused", why ? why : "trusted");
    }
}

static void
test_store_open_refuses_writable (Fixture *f, gconstpointer data)
{
  g_autofree char *objects = g_build_filename (f->store_dir, "objects", NULL);
  g_assert_cmpint (g_mkdir_with_parents (objects, 0700), ==, 0);
  g_assert_cmpint (chmod (objects, 0777), ==, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStore) s = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_null (s);
  g_assert_nonnull (strstr (error->message, "objects is writable by other users"));
  g_assert_cmpint (chmod (objects, 0755), ==, 0);
  g_clear_error (&error);
  g_autoptr(DccStore) again = dcc_store_open (f->store_dir, 1 << 20, &error);
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define STORE_TEST(name, fn) \
  g_test_add ("/store/" name, Fixture, NULL, fixture_setup, fn, fixture_teardown)
#define TREE_TEST(name, fn) \
  g_test_add ("/job-tree/" name, TreeFixture, NULL, tree_setup, fn, tree_teardown)
  STORE_TEST ("open-layout", test_store_open_layout);
  STORE_TEST ("put-has", test_store_put_has);
  STORE_TEST ("put-mismatch", test_store_put_mismatch);
  STORE_TEST ("put-existing", test_store_put_existing);
  STORE_TEST ("reopen", test_store_reopen);
  STORE_TEST ("open-cleanup", test_store_open_cleanup);
  STORE_TEST ("evict-lru", test_store_evict_lru);
  STORE_TEST ("evict-pinned", test_store_evict_pinned);
  STORE_TEST ("evict-grace", test_store_evict_grace);
  STORE_TEST ("evict-big", test_store_evict_big);
  STORE_TEST ("budget-across-processes", test_store_budget_across_processes);
  STORE_TEST ("du-within-budget", test_store_du_within_budget);
  STORE_TEST ("usage-recount", test_store_usage_recount);
  STORE_TEST ("limit", test_store_limit);
  STORE_TEST ("link-into", test_store_link_into);
  STORE_TEST ("linked-survives-eviction", test_store_linked_survives_eviction);
  STORE_TEST ("two-processes", test_store_two_processes);
  STORE_TEST ("upload-lock", test_store_upload_lock);
  STORE_TEST ("touch-coarse", test_store_touch_coarse);
  STORE_TEST ("fork-concurrent", test_store_fork_concurrent);
  STORE_TEST ("link-exdev", test_store_link_exdev);
  STORE_TEST ("open-refuses-writable", test_store_open_refuses_writable);
  g_test_add_func ("/store/stat-problem", test_store_stat_problem);
  TREE_TEST ("new-free", test_tree_new_free);
  TREE_TEST ("add", test_tree_add);
  TREE_TEST ("refused-paths", test_tree_refused_paths);
  TREE_TEST ("symlink-component", test_tree_symlink_component);
  TREE_TEST ("symlink-targets", test_tree_symlink_targets);
  TREE_TEST ("symlink-chain", test_tree_symlink_chain);
  TREE_TEST ("planted", test_tree_planted);
  return g_test_run ();
}
