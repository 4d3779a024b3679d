/* Tests for the include server's stat cache (includeserver/stat-cache.c):
 * after every kind of change a build or a person makes (a write in place,
 * through another hard link, a new file where one was missed, a deleted or
 * renamed directory, a directory swapped for a symlink, chmod, touch), its
 * answer after dcc_stat_cache_sync() is the system call's; and unrelated
 * files written beside cached ones leave the cached answers in place. */
#include "stat-cache.h"
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static char *top;

static char *
P (const char *rel)
{
  return g_build_filename (top, rel, NULL);
}

static void
write_file (const char *rel, const char *text)
{
  g_autofree char *p = P (rel);
  g_assert_true (g_file_set_contents (p, text, -1, NULL));
}

/* Appends in place (same inode), as `echo >>` does. */
static void
append (const char *path, const char *text)
{
  FILE *f = fopen (path, "a");
  g_assert_nonnull (f);
  fputs (text, f);
  fclose (f);
}

/* The cache's answer for rel equals the system call's. */
static void
assert_same (DccStatCache *c, const char *rel, gboolean follow)
{
  g_autofree char *p = rel[0] == '/' ? g_strdup (rel) : P (rel);
  struct stat want, got;
  memset (&want, 0, sizeof want);
  memset (&got, 0, sizeof got);
  int rw = follow ? stat (p, &want) : lstat (p, &want);
  int ew = errno;
  int rg = dcc_stat_cache_stat (c, p, follow, &got);
  int eg = errno;
  if (rw != rg || (rw != 0 && ew != eg))
    g_error ("%s (follow %d): system %d/%d, cache %d/%d", p, follow, rw, ew, rg, eg);
  if (rw == 0)
    {
      g_assert_cmpuint (want.st_ino, ==, got.st_ino);
      g_assert_cmpuint (want.st_dev, ==, got.st_dev);
      g_assert_cmpint (want.st_size, ==, got.st_size);
      g_assert_cmpuint (want.st_mode, ==, got.st_mode);
      g_assert_cmpint (want.st_mtim.tv_sec, ==, got.st_mtim.tv_sec);
      g_assert_cmpint (want.st_mtim.tv_nsec, ==, got.st_mtim.tv_nsec);
      g_assert_cmpint (want.st_ctim.tv_nsec, ==, got.st_ctim.tv_nsec);
    }
}

static const char *paths[] = {
  "inc/a.h", "inc/b.h", "inc/missing.h", "inc/sub/c.h", "inc/sub", "inc", "other/link.h",
  "inc/nodir/x.h", "inc/a.h/x", "inc/./a.h", "inc/sub/../b.h", "swap/d.h", "swap", "new/e.h",
  "inc/./sub/c.h", "inc/sub/.", "./inc/./nodir/x.h", "swap/./d.h", "new/.",
};

/* The last answer for each path and way, with its memo: while the cache
 * says a memo's answer is unchanged, the system must still answer the
 * same (the closure engine skips such facts without a look). */
typedef struct {
  DccStatMemo memo;
  int rc, err;
  struct stat st;
} Remembered;
static Remembered remembered[G_N_ELEMENTS (paths)][2];
static guint memos_unchanged;

static void
assert_memo (DccStatCache *c, guint i, gboolean follow)
{
  Remembered *r = &remembered[i][follow];
  dcc_stat_cache_lock (c);
  gboolean unchanged = dcc_stat_cache_unchanged_locked (c, &r->memo);
  dcc_stat_cache_unlock (c);
  g_autofree char *p = P (paths[i]);
  struct stat now;
  memset (&now, 0, sizeof now);
  if (unchanged)
    {
      memos_unchanged++;
      int rc = follow ? stat (p, &now) : lstat (p, &now);
      int err = rc == 0 ? 0 : errno;
      if (rc != r->rc || err != r->err
          || (rc == 0 && (now.st_ino != r->st.st_ino || now.st_size != r->st.st_size
                          || now.st_mode != r->st.st_mode || now.st_mtim.tv_nsec != r->st.st_mtim.tv_nsec
                          || now.st_ctim.tv_nsec != r->st.st_ctim.tv_nsec)))
        g_error ("%s (follow %d): the memo says unchanged, the system answers otherwise", p, follow);
    }
  memset (&r->st, 0, sizeof r->st);
  r->rc = dcc_stat_cache_stat_memo (c, p, follow, &r->st, &r->memo);
  r->err = r->rc == 0 ? 0 : errno;
}

/* Every path above, both ways, after a sync; each memo checked first. */
static void
assert_all (DccStatCache *c)
{
  dcc_stat_cache_sync (c);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      assert_memo (c, i, FALSE);
      assert_memo (c, i, TRUE);
      assert_same (c, paths[i], FALSE);
      assert_same (c, paths[i], TRUE);
    }
}

static void
assert_three (DccStatCache *c)
{
  dcc_stat_cache_sync (c);
  assert_same (c, "inc/b.h", FALSE);
  assert_same (c, "inc/missing.h", FALSE);
  assert_same (c, "inc/sub/c.h", FALSE);
}

/* How many answers ask() needed from the system, at best of 5 tries: the
 * scratch directory's ancestors (/, /tmp) are watched too, and any other
 * program creating a file in /tmp makes /tmp's own answer stale, which is
 * right, but not what these checks are about. A cache that does not cache
 * misses every time. */
static guint64
asked_of_system (DccStatCache *c, void (*ask) (DccStatCache *), DccStatCacheCounters *before,
                 DccStatCacheCounters *after)
{
  guint64 best = G_MAXUINT64;
  for (int i = 0; i < 5 && best > 0; i++)
    {
      dcc_stat_cache_sync (c);
      dcc_stat_cache_counters (c, before);
      ask (c);
      dcc_stat_cache_counters (c, after);
      best = MIN (best, after->misses - before->misses);
    }
  return best;
}

static gboolean
have_inotify (void)
{
  int fd = inotify_init1 (IN_CLOEXEC);
  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

static void
test_changes (void)
{
  if (!have_inotify ())
    {
      g_test_skip ("no inotify here: the cache asks the system every time");
      return;
    }
  g_autoptr(DccStatCache) c = dcc_stat_cache_new (TRUE);
  g_autofree char *inc = P ("inc"), *sub = P ("inc/sub"), *other = P ("other"), *swap = P ("swap");
  g_assert_cmpint (g_mkdir (inc, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (other, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (swap, 0755), ==, 0);
  write_file ("inc/a.h", "a\n");
  write_file ("inc/b.h", "b\n");
  write_file ("inc/sub/c.h", "c\n");
  write_file ("swap/d.h", "d\n");
  g_autofree char *a = P ("inc/a.h"), *hard = P ("other/link.h");
  g_assert_cmpint (link (a, hard), ==, 0);   /* a hard link, as in a cp -al tree */
  assert_all (c);

  /* Asked again with nothing changed: answered from the cache. */
  DccStatCacheCounters before, after;
  g_assert_cmpuint (asked_of_system (c, assert_all, &before, &after), ==, 0);
  g_assert_cmpuint (after.hits, >, before.hits);
  g_assert_cmpuint (after.watches, >, 0);

  /* Unrelated files written into a searched directory (objects beside
   * their sources): the other names stay cached. */
  write_file ("inc/a.o", "obj");
  write_file ("inc/.a.o.cmd", "cmd");
  g_autofree char *tmp = P ("inc/.tmp_a.o"), *tmp2 = P ("inc/a.o.new");
  write_file ("inc/.tmp_a.o", "x");
  g_assert_cmpint (rename (tmp, tmp2), ==, 0);
  g_assert_cmpint (unlink (tmp2), ==, 0);
  /* Nothing is asked of the system again. */
  g_assert_cmpuint (asked_of_system (c, assert_three, &before, &after), ==, 0);
  /* ... and the memos of the files beside them still hold: the closure
   * engine need not look them up again. */
  memos_unchanged = 0;
  assert_all (c);
  g_assert_cmpuint (memos_unchanged, >=, 8);

  /* A write in place, then one through the other hard link. */
  append (a, "more\n");
  assert_all (c);
  append (hard, "and more through the other link\n");
  assert_all (c);
  /* A header created where one was missed, and one deleted. */
  write_file ("inc/missing.h", "now here\n");
  assert_all (c);
  g_autofree char *b = P ("inc/b.h");
  g_assert_cmpint (unlink (b), ==, 0);
  assert_all (c);
  /* chmod and touch. */
  g_assert_cmpint (chmod (a, 0600), ==, 0);
  assert_all (c);
  struct timespec ts[2] = { { 1000000, 5 }, { 1000000, 5 } };
  g_assert_cmpint (utimensat (AT_FDCWD, a, ts, 0), ==, 0);
  assert_all (c);
  /* A directory renamed away and another made in its place. */
  g_autofree char *sub_old = P ("inc/sub.old");
  g_assert_cmpint (rename (sub, sub_old), ==, 0);
  assert_all (c);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  write_file ("inc/sub/c.h", "another c\n");
  assert_all (c);
  /* A directory swapped for a symlink to another one. */
  g_autofree char *swap_old = P ("swap.old"), *elsewhere = P ("elsewhere");
  g_assert_cmpint (g_mkdir (elsewhere, 0755), ==, 0);
  write_file ("elsewhere/d.h", "elsewhere's d\n");
  g_assert_cmpint (rename (swap, swap_old), ==, 0);
  g_assert_cmpint (symlink ("elsewhere", swap), ==, 0);
  assert_all (c);
  /* A whole directory created where a path was missed. */
  g_autofree char *newdir = P ("new");
  assert_all (c);
  g_assert_cmpint (g_mkdir (newdir, 0755), ==, 0);
  write_file ("new/e.h", "e\n");
  assert_all (c);
  /* A file replaced by rename (as editors and make do). */
  write_file ("inc/sub/c.h.tmp", "replaced\n");
  g_autofree char *ctmp = P ("inc/sub/c.h.tmp"), *cpath = P ("inc/sub/c.h");
  g_assert_cmpint (rename (ctmp, cpath), ==, 0);
  assert_all (c);
  /* A parent directory deleted with everything in it. */
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", inc);
  g_assert_cmpint (system (cmd), ==, 0);
  assert_all (c);
}

/* A path through ".." is answered by the node it ends at, but its answer
 * also rests on the directory it climbed out of: with that directory gone
 * the system says ENOENT, so no memo may say "unchanged". */
static void
test_memo_dotdot (void)
{
  if (!have_inotify ())
    {
      g_test_skip ("no inotify here");
      return;
    }
  g_autoptr(DccStatCache) c = dcc_stat_cache_new (TRUE);
  g_autofree char *d = P ("dd"), *sub = P ("dd/sub"), *via = P ("dd/sub/../f.h"), *f = P ("dd/f.h");
  g_autofree char *up = P ("dd/sub/.."), *dot = P ("dd/sub/.");
  g_assert_cmpint (g_mkdir (d, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  write_file ("dd/f.h", "f\n");
  struct stat st;
  DccStatMemo memo, direct, up_memo, dot_memo;
  dcc_stat_cache_sync (c);
  g_assert_cmpint (dcc_stat_cache_stat_memo (c, via, FALSE, &st, &memo), ==, 0);
  g_assert_cmpint (dcc_stat_cache_stat_memo (c, up, FALSE, &st, &up_memo), ==, 0);
  g_assert_cmpint (dcc_stat_cache_stat_memo (c, dot, FALSE, &st, &dot_memo), ==, 0);
  g_assert_cmpint (dcc_stat_cache_stat_memo (c, f, FALSE, &st, &direct), ==, 0);
  g_assert_cmpint (rmdir (sub), ==, 0);
  g_assert_cmpint (lstat (via, &st), ==, -1);
  dcc_stat_cache_sync (c);
  dcc_stat_cache_lock (c);
  gboolean via_unchanged = dcc_stat_cache_unchanged_locked (c, &memo);
  gboolean direct_unchanged = dcc_stat_cache_unchanged_locked (c, &direct);
  gboolean up_unchanged = dcc_stat_cache_unchanged_locked (c, &up_memo);
  gboolean dot_unchanged = dcc_stat_cache_unchanged_locked (c, &dot_memo);
  dcc_stat_cache_unlock (c);
  g_assert_false (via_unchanged);
  g_assert_false (up_unchanged);   /* "dd/sub/..": answered by dd, rests on sub */
  g_assert_false (dot_unchanged);
  /* The plain path's answer did not change, and its memo says so. */
  g_assert_true (direct_unchanged);
  g_assert_cmpint (dcc_stat_cache_stat (c, via, FALSE, &st), ==, -1);
}

static void
test_disabled (void)
{
  g_autoptr(DccStatCache) c = dcc_stat_cache_new (FALSE);
  write_file ("plain.h", "x\n");
  dcc_stat_cache_sync (c);
  assert_same (c, "plain.h", FALSE);
  assert_same (c, "nothing.h", TRUE);
  DccStatCacheCounters n;
  dcc_stat_cache_counters (c, &n);
  g_assert_cmpuint (n.hits + n.misses + n.watches, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr(GError) error = NULL;
  top = g_dir_make_tmp ("dcc-statcache-XXXXXX", &error);
  g_assert_no_error (error);
  g_test_add_func ("/stat-cache/changes", test_changes);
  g_test_add_func ("/stat-cache/memo-dotdot", test_memo_dotdot);
  g_test_add_func ("/stat-cache/disabled", test_disabled);
  int rc = g_test_run ();
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", top);
  if (system (cmd) != 0)
    rc = 1;
  g_free (top);
  return rc;
}
