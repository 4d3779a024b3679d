/* Tests for reused job trees (dcc_job_tree_reuse, prune, sweep) and their
 * state files (server/tree-state.c): after each job's layout the tree must
 * hold exactly what a fresh tree would, whatever the last job left. */
#include "file-store.h"
#include "job-tree.h"
#include "tree-state.h"
#include "dcc-error.h"
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  char *dir;
  char *slots;     /* dir/slots: where the reused tree lives */
  DccStore *store;
} Fixture;

static int
rm_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return flag == FTW_DP ? rmdir (path) : unlink (path);
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  f->dir = g_dir_make_tmp ("dcc-tree-XXXXXX", &error);
  g_assert_no_error (error);
  f->slots = g_build_filename (f->dir, "slots", NULL);
  g_autofree char *store_dir = g_build_filename (f->dir, "store", NULL);
  f->store = dcc_store_open (store_dir, 1 << 20, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  dcc_store_free (f->store);
  g_assert_cmpint (nftw (f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), ==, 0);
  g_free (f->slots);
  g_free (f->dir);
}

/* Puts text in the store; its hash in *h. */
static void
put (Fixture *f, const char *text, DccHash *h)
{
  g_autoptr(GError) error = NULL;
  dcc_hash_bytes (text, strlen (text), h);
  g_autoptr(GBytes) b = g_bytes_new (text, strlen (text));
  g_assert_true (dcc_store_put (f->store, h, b, &error));
  g_assert_no_error (error);
}

/* One job's layout, as a list of "F path text", "L path target", "D path". */
static DccJobTree *
lay_out (Fixture *f, const char *const *entries)
{
  g_autoptr(GError) error = NULL;
  DccJobTree *t = dcc_job_tree_reuse (f->slots, "tree-0", &error);
  g_assert_no_error (error);
  for (const char *const *e = entries; *e; e++)
    {
      g_auto(GStrv) w = g_strsplit (*e, " ", 3);
      gboolean ok;
      if (w[0][0] == 'F')
        {
          DccHash h;
          put (f, w[2], &h);
          ok = dcc_job_tree_add_file (t, w[1], f->store, &h, FALSE, &error);
        }
      else if (w[0][0] == 'L')
        ok = dcc_job_tree_add_symlink (t, w[1], w[2], &error);
      else
        ok = dcc_job_tree_add_dir (t, w[1], &error);
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  g_assert_true (dcc_job_tree_prune (t, &error));
  g_assert_no_error (error);
  return t;
}

/* The tree as sorted "F path text" / "L path target" / "D path" lines. */
static void
list_into (const char *dir, const char *rel, GPtrArray *out)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  const char *n;
  while ((n = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, n, NULL);
      g_autofree char *r = g_strconcat (rel, "/", n, NULL);
      struct stat st;
      g_assert_cmpint (lstat (p, &st), ==, 0);
      if (S_ISDIR (st.st_mode))
        {
          g_ptr_array_add (out, g_strconcat ("D ", r, NULL));
          list_into (p, r, out);
        }
      else if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_file_read_link (p, NULL);
          g_ptr_array_add (out, g_strconcat ("L ", r, " ", target, NULL));
        }
      else
        {
          g_autofree char *text = NULL;
          g_assert_true (g_file_get_contents (p, &text, NULL, NULL));
          g_ptr_array_add (out, g_strconcat ("F ", r, " ", text, NULL));
        }
    }
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char **) a, *(char **) b);
}

static char *
listing (DccJobTree *t)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  list_into (dcc_job_tree_root (t), "", lines);
  g_ptr_array_sort (lines, cmp_str);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

static ino_t
inode_of (DccJobTree *t, const char *rel)
{
  g_autofree char *p = g_build_filename (dcc_job_tree_root (t), rel, NULL);
  struct stat st;
  g_assert_cmpint (lstat (p, &st), ==, 0);
  return st.st_ino;
}

static void
finish (DccJobTree *t)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (dcc_job_tree_sweep (t, &error));
  g_assert_no_error (error);
  dcc_job_tree_free (t);
}

static void
test_second_job_sees_only_its_own (Fixture *f, gconstpointer data)
{
  static const char *const job1[] = {
    "F /usr/include/a.h one", "F /usr/include/sys/b.h two", "L /usr/include/l.h a.h",
    "D /src/empty/dir", "F /src/x.c main", NULL
  };
  static const char *const job2[] = {
    "F /usr/include/a.h one", "F /usr/include/sys/b.h TWO", "F /usr/include/c.h three",
    "D /src", "F /src/y.c other", NULL
  };
  DccJobTree *t = lay_out (f, job1);
  ino_t a_ino = inode_of (t, "usr/include/a.h");
  /* A compile's output, and a file the compile put over an input. */
  g_autofree char *out = g_build_filename (dcc_job_tree_root (t), "src/x.o", NULL);
  g_assert_true (g_file_set_contents (out, "object", -1, NULL));
  finish (t);

  t = lay_out (f, job2);
  g_autofree char *got = listing (t);
  g_assert_cmpstr (got, ==,
                   "D /src\n"
                   "D /usr\n"
                   "D /usr/include\n"
                   "D /usr/include/sys\n"
                   "F /src/y.c other\n"
                   "F /usr/include/a.h one\n"
                   "F /usr/include/c.h three\n"
                   "F /usr/include/sys/b.h TWO");
  /* the unchanged header was kept, not linked again */
  g_assert_cmpuint (inode_of (t, "usr/include/a.h"), ==, a_ino);
  finish (t);
}

static void
test_replaced_input_is_not_kept (Fixture *f, gconstpointer data)
{
  static const char *const job[] = { "F /inc/a.h original", NULL };
  DccJobTree *t = lay_out (f, job);
  /* Something in the compile swaps the file for another with new text. */
  g_autofree char *p = g_build_filename (dcc_job_tree_root (t), "inc/a.h", NULL);
  g_autofree char *tmp = g_strconcat (p, ".tmp", NULL);
  g_assert_true (g_file_set_contents (tmp, "tampered", -1, NULL));
  g_assert_cmpint (rename (tmp, p), ==, 0);
  finish (t);

  t = lay_out (f, job);
  g_autofree char *got = listing (t);
  g_assert_cmpstr (got, ==, "D /inc\nF /inc/a.h original");
  finish (t);
}

static void
test_kind_changes (Fixture *f, gconstpointer data)
{
  static const char *const job1[] = { "F /a/b file", "D /c/d/e", "L /f dir", NULL };
  static const char *const job2[] = { "F /a/b/x.h under", "F /c/d new", "D /f/g", NULL };
  DccJobTree *t = lay_out (f, job1);
  finish (t);
  t = lay_out (f, job2);
  g_autofree char *got = listing (t);
  g_assert_cmpstr (got, ==,
                   "D /a\nD /a/b\nD /c\nD /f\nD /f/g\nF /a/b/x.h under\nF /c/d new");
  finish (t);
  t = lay_out (f, job1);
  g_autofree char *again = listing (t);
  g_assert_cmpstr (again, ==, "D /a\nD /c\nD /c/d\nD /c/d/e\nF /a/b file\nL /f dir");
  finish (t);
}

/* What the last job left below a directory the next one does not lay out
 * goes with that directory, siblings sorting between a directory and its
 * contents ("a.c", "a-z" beside "a/") are judged each on its own, and a
 * chain of 200 directories is pruned in one removal. */
static void
test_prune_subtrees (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) deep = g_string_new ("D /deep");
  for (int i = 0; i < 200; i++)
    g_string_append (deep, "/x");
  const char *const job1[] = {
    "D /a/b/c", "F /a/b/c/d.h z", "F /a/b.h x", "F /a/b.i v", "F /a.c y", "D /a-z/q", "F /a/b/e.h w", deep->str, NULL
  };
  static const char *const job2[] = { "F /a.c y", "F /a/b.h x", "D /a-z", NULL };
  DccJobTree *t = lay_out (f, job1);
  finish (t);
  t = lay_out (f, job2);
  g_autofree char *got = listing (t);
  g_assert_cmpstr (got, ==, "D /a\nD /a-z\nF /a.c y\nF /a/b.h x");
  finish (t);
}

static void
test_no_or_bad_state_wipes (Fixture *f, gconstpointer data)
{
  static const char *const job1[] = { "F /a/one.h 1", NULL };
  static const char *const job2[] = { "F /b/two.h 2", NULL };
  g_autofree char *state = g_build_filename (f->slots, "tree-0.state", NULL);

  /* A job that dies before its sweep leaves no state. */
  DccJobTree *t = lay_out (f, job1);
  dcc_job_tree_free (t);
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));
  t = lay_out (f, job2);
  g_autofree char *got = listing (t);
  g_assert_cmpstr (got, ==, "D /b\nF /b/two.h 2");
  finish (t);
  g_assert_true (g_file_test (state, G_FILE_TEST_IS_REGULAR));

  /* A damaged state: the tree starts afresh, with a warning. */
  g_assert_true (g_file_set_contents (state, "DCCTREE1garbage", -1, NULL));
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*starting a fresh tree*");
  t = lay_out (f, job1);
  g_test_assert_expected_messages ();
  g_autofree char *got2 = listing (t);
  g_assert_cmpstr (got2, ==, "D /a\nF /a/one.h 1");
  finish (t);
}

static void
test_listed_twice (Fixture *f, gconstpointer data)
{
  static const char *const job[] = { "F /a/x.h 1", NULL };
  finish (lay_out (f, job));
  g_autoptr(GError) error = NULL;
  DccJobTree *t = dcc_job_tree_reuse (f->slots, "tree-0", &error);
  g_assert_no_error (error);
  DccHash h;
  put (f, "1", &h);
  g_assert_true (dcc_job_tree_add_file (t, "/a/x.h", f->store, &h, FALSE, &error));
  g_assert_false (dcc_job_tree_add_file (t, "/a/x.h", f->store, &h, FALSE, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "twice"));
  dcc_job_tree_free (t);
}

/* ---- state file decoding ---- */

static void
test_state_round_trip (void)
{
  g_autoptr(GHashTable) s = dcc_tree_state_new ();
  DccTreeEntry d = { .kind = DCC_ENTRY_DIR };
  DccTreeEntry fe = { .kind = DCC_ENTRY_FILE, .ino = 77, .executable = TRUE };
  dcc_hash_bytes ("x", 1, &fe.hash);
  DccTreeEntry l = { .kind = DCC_ENTRY_SYMLINK, .ino = 5, .target = (char *) "../t" };
  g_hash_table_insert (s, g_strdup ("usr"), dcc_tree_entry_copy (&d));
  g_hash_table_insert (s, g_strdup ("usr/x"), dcc_tree_entry_copy (&fe));
  g_hash_table_insert (s, g_strdup ("usr/l"), dcc_tree_entry_copy (&l));
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  dcc_tree_state_encode (s, buf);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) back = dcc_tree_state_decode (buf->data, buf->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (back), ==, 3);
  DccTreeEntry *bx = g_hash_table_lookup (back, "usr/x");
  g_assert_true (dcc_tree_entry_same (bx, &fe));
  g_assert_cmpuint (bx->ino, ==, 77);
  g_assert_true (dcc_tree_entry_same (g_hash_table_lookup (back, "usr/l"), &l));

  /* Every truncation fails cleanly. */
  for (guint n = 0; n < buf->len; n++)
    {
      g_autoptr(GError) e = NULL;
      g_assert_null (dcc_tree_state_decode (buf->data, n, &e));
      g_assert_nonnull (e);
    }
}

static void
test_state_bad_paths (void)
{
  static const char *const bad[] = { "", "/abs", "a//b", "a/../b", "a/./b", "a/", "..", "a\nb", NULL };
  for (const char *const *p = bad; *p; p++)
    {
      g_autoptr(GHashTable) s = dcc_tree_state_new ();
      DccTreeEntry d = { .kind = DCC_ENTRY_DIR };
      g_hash_table_insert (s, g_strdup (*p), dcc_tree_entry_copy (&d));
      g_autoptr(GByteArray) buf = g_byte_array_new ();
      dcc_tree_state_encode (s, buf);
      g_autoptr(GError) error = NULL;
      g_assert_null (dcc_tree_state_decode (buf->data, buf->len, &error));
      g_assert_error (error, DCC_ERROR, DCC_ERROR_PROTOCOL);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/tree-reuse/second-job-sees-only-its-own", Fixture, NULL, setup,
              test_second_job_sees_only_its_own, teardown);
  g_test_add ("/tree-reuse/replaced-input-is-not-kept", Fixture, NULL, setup,
              test_replaced_input_is_not_kept, teardown);
  g_test_add ("/tree-reuse/kind-changes", Fixture, NULL, setup, test_kind_changes, teardown);
  g_test_add ("/tree-reuse/no-or-bad-state-wipes", Fixture, NULL, setup,
              test_no_or_bad_state_wipes, teardown);
  g_test_add ("/tree-reuse/prune-subtrees", Fixture, NULL, setup, test_prune_subtrees, teardown);
  g_test_add ("/tree-reuse/listed-twice", Fixture, NULL, setup, test_listed_twice, teardown);
  g_test_add_func ("/tree-state/round-trip", test_state_round_trip);
  g_test_add_func ("/tree-state/bad-paths", test_state_bad_paths);
  return g_test_run ();
}
