/* Tests for the include server's shared directory listings
 * (includeserver/dir-listing.c): what they say of a name, and that a
 * changed or too recent directory is never answered from an old listing. */
#include "dir-listing.h"
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("dcc-dirlisting-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
touch (const char *dir, const char *name)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (p, "x", 1, NULL));
}

/* Gives dir a modification time that no earlier listing can have. */
static void
set_mtime (const char *dir, time_t when)
{
  struct timespec ts[2] = { { when, 0 }, { when, 0 } };
  g_assert_cmpint (utimensat (AT_FDCWD, dir, ts, 0), ==, 0);
}

static DccDirListing *
get (DccDirListings *cache, const char *dir)
{
  struct stat st;
  g_assert_cmpint (stat (dir, &st), ==, 0);
  return dcc_dir_listings_get (cache, dir, &st);
}

static void
remove_tree (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (cmd), ==, 0);
}

static void
test_kinds (void)
{
  g_autofree char *dir = make_dir ();
  touch (dir, "a.h");
  g_autofree char *sub = g_build_filename (dir, "sys", NULL);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_autofree char *link = g_build_filename (dir, "l.h", NULL);
  g_assert_cmpint (symlink ("a.h", link), ==, 0);
  DccDirListings *cache = dcc_dir_listings_new (0);
  DccDirListing *l = get (cache, dir);
  g_assert_nonnull (l);
  g_assert_cmpint (dcc_dir_listing_lookup (l, "a.h"), ==, DCC_DIR_NAME_FILE);
  g_assert_cmpint (dcc_dir_listing_lookup (l, "sys"), ==, DCC_DIR_NAME_DIR);
  g_assert_cmpint (dcc_dir_listing_lookup (l, "l.h"), ==, DCC_DIR_NAME_UNKNOWN);
  g_assert_cmpint (dcc_dir_listing_lookup (l, "b.h"), ==, DCC_DIR_NAME_ABSENT);
  dcc_dir_listing_unref (l);
  dcc_dir_listings_free (cache);
  remove_tree (dir);
}

static void
test_change_is_seen (void)
{
  g_autofree char *dir = make_dir ();
  set_mtime (dir, 1000000000);
  DccDirListings *cache = dcc_dir_listings_new (0);
  DccDirListing *before = get (cache, dir);
  g_assert_cmpint (dcc_dir_listing_lookup (before, "new.h"), ==, DCC_DIR_NAME_ABSENT);
  DccDirListing *again = get (cache, dir);
  g_assert_true (again == before);   /* unchanged directory: the same listing */
  touch (dir, "new.h");
  set_mtime (dir, 1000000001);
  DccDirListing *after = get (cache, dir);
  g_assert_true (after != before);
  g_assert_cmpint (dcc_dir_listing_lookup (after, "new.h"), ==, DCC_DIR_NAME_FILE);
  g_assert_cmpint (dcc_dir_listing_lookup (before, "new.h"), ==, DCC_DIR_NAME_ABSENT);  /* refs stay valid */
  dcc_dir_listing_unref (before);
  dcc_dir_listing_unref (again);
  dcc_dir_listing_unref (after);
  dcc_dir_listings_free (cache);
  remove_tree (dir);
}

static void
test_recent_not_trusted (void)
{
  g_autofree char *dir = make_dir ();
  DccDirListings *cache = dcc_dir_listings_new (DCC_DIR_LISTING_SETTLE_S);
  g_assert_null (get (cache, dir));   /* just made: its ctime is now */
  g_autofree char *file = g_build_filename (dir, "f", NULL);
  touch (dir, "f");
  struct stat st;
  g_assert_cmpint (stat (file, &st), ==, 0);
  g_assert_null (dcc_dir_listings_get (cache, file, &st));   /* not a directory */
  dcc_dir_listings_free (cache);
  remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dir-listing/kinds", test_kinds);
  g_test_add_func ("/dir-listing/change-is-seen", test_change_is_seen);
  g_test_add_func ("/dir-listing/recent-not-trusted", test_recent_not_trusted);
  return g_test_run ();
}
