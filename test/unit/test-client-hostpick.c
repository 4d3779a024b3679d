/* Tests for slot locks and backoff (client/host-pick.c) and state files
 * (shared/dcc-state.c), each in a fresh temporary DISTCC_DIR. */
#include "host-pick.h"
#include "dcc-state.h"
#include "dcc-error.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  char *tmp;   /* the temporary parent */
  char *dir;   /* DISTCC_DIR inside it (not yet created) */
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  f->tmp = g_dir_make_tmp ("test-hostpick-XXXXXX", &error);
  g_assert_no_error (error);
  f->dir = g_build_filename (f->tmp, "distcc", NULL);
  g_setenv ("DISTCC_DIR", f->dir, TRUE);
  g_unsetenv ("DISTCC_BACKOFF_PERIOD");
  g_autofree char *d = dcc_distcc_dir ();
  g_assert_cmpstr (d, ==, f->dir);
}

static void
rm_rf (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  if (d != NULL)
    {
      const char *n;
      while ((n = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *p = g_build_filename (path, n, NULL);
          rm_rf (p);
        }
      g_dir_close (d);
      rmdir (path);
    }
  else
    unlink (path);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->dir);
  g_unsetenv ("DISTCC_DIR");
}

static DccHostList *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  DccHostList *l = dcc_hosts_parse (text, &error);
  g_assert_no_error (error);
  return l;
}

static DccSlot *
pick (const DccHostList *l, const char *dir, gboolean want_cpp)
{
  g_autoptr(GError) error = NULL;
  DccSlot *s = dcc_host_pick_for (l, dir, want_cpp, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}

static void
assert_slot (DccSlot *s, const char *hostname, int port, int index)
{
  const DccHost *h = dcc_slot_host (s);
  g_assert_cmpstr (h->hostname, ==, hostname);
  g_assert_cmpint (h->port, ==, port);
  g_assert_cmpint (dcc_slot_index (s), ==, index);
}

static void
test_distcc_dir (Fixture *f, gconstpointer data)
{
  struct stat st;
  g_autofree char *lock = g_build_filename (f->dir, "lock", NULL);
  g_autofree char *state = g_build_filename (f->dir, "state", NULL);
  g_assert_cmpint (stat (f->dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (stat (lock, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpint (stat (state, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));

  /* without DISTCC_DIR: ~/.distcc */
  g_unsetenv ("DISTCC_DIR");
  g_autofree char *home = dcc_distcc_dir ();
  g_autofree char *want = g_build_filename (g_get_home_dir (), ".distcc", NULL);
  g_assert_cmpstr (home, ==, want);
}

static void
test_two_slots (Fixture *f, gconstpointer data)
{
  g_autoptr(DccHostList) l = parse ("red/2 green/2");
  DccSlot *a = pick (l, f->dir, FALSE);
  DccSlot *b = pick (l, f->dir, FALSE);
  DccSlot *c = pick (l, f->dir, FALSE);
  assert_slot (a, "red", 3632, 0);
  assert_slot (b, "red", 3632, 1);
  assert_slot (c, "green", 3632, 0);
  g_assert_true (dcc_slot_host (a)->kind == DCC_HOST_TCP);

  /* the lock files have the documented names */
  g_autofree char *p = g_build_filename (f->dir, "lock", "cpu_red_3632_1", NULL);
  g_assert_true (g_file_test (p, G_FILE_TEST_EXISTS));

  /* a freed slot is reused first */
  dcc_slot_release (a);
  DccSlot *d = pick (l, f->dir, FALSE);
  assert_slot (d, "red", 3632, 0);
  dcc_slot_release (b);
  dcc_slot_release (c);
  dcc_slot_release (d);
  dcc_slot_release (NULL);
}

static void
test_ports_are_separate (Fixture *f, gconstpointer data)
{
  g_autoptr(DccHostList) l = parse ("red:4000/1 red:4001/1");
  g_autoptr(DccSlot) a = pick (l, f->dir, FALSE);
  g_autoptr(DccSlot) b = pick (l, f->dir, FALSE);
  assert_slot (a, "red", 4000, 0);
  assert_slot (b, "red", 4001, 0);
}

static void
test_backoff (Fixture *f, gconstpointer data)
{
  g_autoptr(DccHostList) l = parse ("red/2 green/2");
  const DccHost *red = l->hosts->pdata[0];
  const DccHost *green = l->hosts->pdata[1];

  g_assert_false (dcc_host_in_backoff (red, f->dir, 60));
  dcc_host_mark_failed (red, f->dir);
  g_assert_true (dcc_host_in_backoff (red, f->dir, 60));
  g_assert_false (dcc_host_in_backoff (red, f->dir, 0));
  g_assert_false (dcc_host_in_backoff (green, f->dir, 60));

  {
    g_autoptr(DccSlot) s = pick (l, f->dir, FALSE);
    assert_slot (s, "green", 3632, 0);
  }

  /* DISTCC_BACKOFF_PERIOD=0 disables backoff */
  g_setenv ("DISTCC_BACKOFF_PERIOD", "0", TRUE);
  {
    g_autoptr(DccSlot) s = pick (l, f->dir, FALSE);
    assert_slot (s, "red", 3632, 0);
  }
  g_unsetenv ("DISTCC_BACKOFF_PERIOD");

  /* an old mark has expired */
  g_autofree char *p = g_build_filename (f->dir, "lock", "backoff_red_3632", NULL);
  g_assert_true (g_file_test (p, G_FILE_TEST_EXISTS));
  struct timeval tv[2] = { { time (NULL) - 120, 0 }, { time (NULL) - 120, 0 } };
  g_assert_cmpint (utimes (p, tv), ==, 0);
  g_assert_false (dcc_host_in_backoff (red, f->dir, 60));
  g_assert_true (dcc_host_in_backoff (red, f->dir, 300));
  {
    g_autoptr(DccSlot) s = pick (l, f->dir, FALSE);
    assert_slot (s, "red", 3632, 0);
  }
}

static void
test_backoff_period_env (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (dcc_backoff_period (), ==, 60);
  g_setenv ("DISTCC_BACKOFF_PERIOD", "0", TRUE);
  g_assert_cmpint (dcc_backoff_period (), ==, 0);
  g_setenv ("DISTCC_BACKOFF_PERIOD", "15", TRUE);
  g_assert_cmpint (dcc_backoff_period (), ==, 15);
  g_setenv ("DISTCC_BACKOFF_PERIOD", "soon", TRUE);
  g_assert_cmpint (dcc_backoff_period (), ==, 60);
  g_setenv ("DISTCC_BACKOFF_PERIOD", "-5", TRUE);
  g_assert_cmpint (dcc_backoff_period (), ==, 60);
  g_unsetenv ("DISTCC_BACKOFF_PERIOD");
}

/* "HH:MM:SS" local time at which the backoff marked by lock/NAME ends. */
static char *
backoff_end (const char *dir, const char *name)
{
  g_autofree char *mark = g_build_filename (dir, "lock", name, NULL);
  struct stat st;
  g_assert_cmpint (stat (mark, &st), ==, 0);
  g_autoptr(GDateTime) until = g_date_time_new_from_unix_local (st.st_mtime + 60);
  return g_date_time_format (until, "%H:%M:%S");
}

static void
test_fallback_local (Fixture *f, gconstpointer data)
{
  /* an empty list: local slots, bounded by localslots */
  {
    g_autoptr(DccHostList) l = parse ("--localslots=3");
    g_autoptr(DccSlot) s = pick (l, f->dir, FALSE);
    g_assert_true (dcc_slot_host (s)->kind == DCC_HOST_LOCAL);
    assert_slot (s, "localhost", 0, 0);
    g_assert_cmpint (dcc_slot_host (s)->limit, ==, 3);
    g_assert_cmpstr (dcc_slot_local_why (s), ==, "the host list names no volunteer");
  }
  /* +zeroconf found none: its reason */
  {
    g_autoptr(DccHostList) l = parse ("+zeroconf");
    l->zeroconf_none = g_strdup ("host entry \"+zeroconf\" found no volunteer: none");
    g_autoptr(DccSlot) s = pick (l, f->dir, FALSE);
    g_assert_cmpstr (dcc_slot_local_why (s), ==, "host entry \"+zeroconf\" found no volunteer: none");
  }
  /* every remote host in backoff */
  {
    g_autoptr(DccHostList) l = parse ("red blue:4000");
    dcc_host_mark_failed (l->hosts->pdata[0], f->dir);
    dcc_host_mark_failed (l->hosts->pdata[1], f->dir);
    g_autoptr(DccSlot) s = pick (l, f->dir, FALSE);
    g_assert_true (dcc_slot_host (s)->kind == DCC_HOST_LOCAL);
    /* why: each host, and when its backoff ends (its mark's mtime + 60 s) */
    g_autofree char *red_until = backoff_end (f->dir, "backoff_red_3632");
    g_autofree char *blue_until = backoff_end (f->dir, "backoff_blue_4000");
    g_autofree char *want = g_strdup_printf ("every volunteer is backed off after failures: red:3632 (until %s), "
                                             "blue:4000 (until %s)", red_until, blue_until);
    g_assert_cmpstr (dcc_slot_local_why (s), ==, want);
  }
  /* a localhost entry chosen: no why (it was not a fallback) */
  {
    g_autoptr(DccHostList) l = parse ("localhost/1");
    g_autoptr(DccSlot) s = pick (l, f->dir, FALSE);
    g_assert_null (dcc_slot_local_why (s));
  }
  /* pump mode, no ,cpp host */
  {
    g_autoptr(DccHostList) l = parse ("green/1,lzo blue,cpp,lzo");
    g_autoptr(DccSlot) s = pick (l, f->dir, TRUE);
    assert_slot (s, "blue", 3632, 0);
    g_autoptr(DccHostList) l2 = parse ("green/1,lzo");
    g_autoptr(DccSlot) s2 = pick (l2, f->dir, TRUE);
    g_assert_true (dcc_slot_host (s2)->kind == DCC_HOST_LOCAL);
    g_assert_cmpstr (dcc_slot_local_why (s2), ==, "no volunteer in the host list is marked ,cpp");
    g_autoptr(DccSlot) s3 = pick (l2, f->dir, FALSE);
    assert_slot (s3, "green", 3632, 0);
  }
}

static void
test_localhost_in_list (Fixture *f, gconstpointer data)
{
  g_autoptr(DccHostList) l = parse ("localhost/1 red/1");
  g_autoptr(DccSlot) a = pick (l, f->dir, FALSE);
  g_autoptr(DccSlot) b = pick (l, f->dir, FALSE);
  g_assert_true (dcc_slot_host (a)->kind == DCC_HOST_LOCAL);
  assert_slot (a, "localhost", 0, 0);
  assert_slot (b, "red", 3632, 0);
}

static void
test_local_slots_shared (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccSlot) a = dcc_host_pick_local (f->dir, 2, &error);
  g_assert_no_error (error);
  g_autoptr(DccSlot) b = dcc_host_pick_local (f->dir, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dcc_slot_index (a), ==, 0);
  g_assert_cmpint (dcc_slot_index (b), ==, 1);
  g_assert_true (dcc_slot_host (a)->kind == DCC_HOST_LOCAL);

  /* the same slots as a localhost entry in the list */
  g_autoptr(DccHostList) l = parse ("localhost/2 red");
  g_autoptr(DccSlot) c = pick (l, f->dir, FALSE);
  assert_slot (c, "red", 3632, 0);

  /* preprocessing slots are separate */
  g_autoptr(DccSlot) d = dcc_host_pick_local_cpp (f->dir, 8, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dcc_slot_index (d), ==, 0);
}

static void
test_randomize (Fixture *f, gconstpointer data)
{
  g_autoptr(DccHostList) l = parse ("--randomize a/1 b/1 c/1 d/1 e/1 f/1");
  /* the order is fixed within a process */
  g_autofree char *first = NULL;
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(DccSlot) s = pick (l, f->dir, FALSE);
      if (first == NULL)
        first = g_strdup (dcc_slot_host (s)->hostname);
      g_assert_cmpstr (dcc_slot_host (s)->hostname, ==, first);
    }
  /* and covers every host */
  DccSlot *held[6];
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (int i = 0; i < 6; i++)
    {
      held[i] = pick (l, f->dir, FALSE);
      g_hash_table_add (seen, (gpointer) dcc_slot_host (held[i])->hostname);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 6);
  g_hash_table_unref (seen);
  for (int i = 0; i < 6; i++)
    dcc_slot_release (held[i]);

  /* Different processes start at different hosts: the first pick of 12
   * child processes, one after another with every slot free. Without
   * randomisation all 12 take "a"; with it, all 12 alike has odds 6^-11. */
  g_autoptr(GHashTable) firsts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; i < 12; i++)
    {
      int fds[2];
      g_assert_cmpint (pipe (fds), ==, 0);
      pid_t pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          DccSlot *s = dcc_host_pick_for (l, f->dir, FALSE, NULL);
          const char *name = s ? dcc_slot_host (s)->hostname : "?";
          _exit (write (fds[1], name, 1) == 1 ? 0 : 1);
        }
      close (fds[1]);
      char c[2] = { 0, 0 };
      g_assert_cmpint (read (fds[0], c, 1), ==, 1);
      close (fds[0]);
      int status;
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
      g_hash_table_add (firsts, g_strdup (c));
    }
  g_assert_cmpuint (g_hash_table_size (firsts), >, 1);
}

static void
test_waits_for_slot (Fixture *f, gconstpointer data)
{
  g_autoptr(DccHostList) l = parse ("red/1");
  int fds[2];
  g_assert_cmpint (pipe (fds), ==, 0);
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (fds[0]);
      DccSlot *s = dcc_host_pick_for (l, f->dir, FALSE, NULL);
      if (s == NULL || write (fds[1], "x", 1) != 1)
        _exit (1);
      g_usleep (200 * 1000);
      _exit (0);   /* the lock goes with the process */
    }
  close (fds[1]);
  char c;
  g_assert_cmpint (read (fds[0], &c, 1), ==, 1);
  close (fds[0]);

  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(DccSlot) s = pick (l, f->dir, FALSE);
  gint64 waited_ms = (g_get_monotonic_time () - t0) / 1000;
  assert_slot (s, "red", 3632, 0);
  g_assert_cmpint (waited_ms, >=, 100);
  g_assert_cmpint (waited_ms, <, 5000);

  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

static void
test_file_key (void)
{
  g_autofree char *a = dcc_host_file_key ("red.example.org");
  g_assert_cmpstr (a, ==, "red.example.org");
  g_autofree char *b = dcc_host_file_key ("::1");
  g_assert_cmpstr (b, ==, "%3a%3a1");
  g_autofree char *c = dcc_host_file_key ("a/../b");
  g_assert_null (strchr (c, '/'));
  g_autofree char *d = dcc_host_file_key ("a_b");
  g_autofree char *e = dcc_host_file_key ("a:b");
  g_assert_cmpstr (d, !=, e);
  g_autofree char *longname = g_strnfill (255, 'x');
  g_autofree char *k = dcc_host_file_key (longname);
  g_assert_cmpuint (strlen (k), <, 100);
  g_assert_null (strchr (k, '/'));
  g_autofree char *dot = dcc_host_file_key ("..");
  g_assert_cmpstr (dot, !=, "..");
}

/* ---- state files ---- */

static void
test_state_roundtrip (void)
{
  DccStateEntry e = { 4242, DCC_PHASE_COMPILE, 3, 1700000000123456, (char *) "red", (char *) "src/foo bar.c" };
  g_autofree char *text = dcc_state_format (&e);
  g_autoptr(GError) error = NULL;
  g_autoptr(DccStateEntry) p = dcc_state_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpint (p->pid, ==, 4242);
  g_assert_cmpint (p->phase, ==, DCC_PHASE_COMPILE);
  g_assert_cmpint (p->slot, ==, 3);
  g_assert_cmpint (p->time_us, ==, 1700000000123456);
  g_assert_cmpstr (p->host, ==, "red");
  g_assert_cmpstr (p->file, ==, "src/foo bar.c");

  /* control characters cannot break the format; empty values are fine */
  DccStateEntry e2 = { 7, DCC_PHASE_STARTUP, 0, 0, NULL, (char *) "evil\nphase done" };
  g_autofree char *t2 = dcc_state_format (&e2);
  g_autoptr(DccStateEntry) p2 = dcc_state_parse (t2, strlen (t2), &error);
  g_assert_no_error (error);
  g_assert_cmpint (p2->phase, ==, DCC_PHASE_STARTUP);
  g_assert_cmpstr (p2->host, ==, "");
  g_assert_cmpstr (p2->file, ==, "evil?phase done");

  g_assert_cmpstr (dcc_phase_name (DCC_PHASE_STARTUP), ==, "Startup");
  g_assert_cmpstr (dcc_phase_name (DCC_PHASE_PREPROCESS), ==, "Preprocess");
  g_assert_cmpstr (dcc_phase_name (DCC_PHASE_DONE), ==, "Done");
}

static void
test_state_parse_errors (void)
{
  static const char *bad[] = {
    "",
    "garbage\n",
    "distcc-state 2\npid 1\nphase send\nslot 0\ntime 0\nhost h\nfile f\n",
    "distcc-state 1\npid 1\nphase nap\nslot 0\ntime 0\nhost h\nfile f\n",
    "distcc-state 1\npid x\nphase send\nslot 0\ntime 0\nhost h\nfile f\n",
    "distcc-state 1\npid 0\nphase send\nslot 0\ntime 0\nhost h\nfile f\n",
    "distcc-state 1\npid 1\nphase send\nslot -1\ntime 0\nhost h\nfile f\n",
    "distcc-state 1\npid 1\nphase send\nslot 0\ntime 0\nhost h\n",
    "distcc-state 1\npid 1\nphase send\nslot 0\ntime 0\nfile f\nhost h\n",
    "distcc-state 1\npid 1\nphase send\nslot 0\ntime 0\nhost h\nfile f",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DccStateEntry) e = dcc_state_parse (bad[i], strlen (bad[i]), &error);
      g_test_message ("bad state %" G_GSIZE_FORMAT, i);
      g_assert_null (e);
      g_assert_error (error, DCC_ERROR, DCC_ERROR_PROTOCOL);
    }
  /* embedded NUL, and oversize */
  {
    const char buf[] = "distcc-state 1\npid 1\0phase send\n";
    g_autoptr(GError) error = NULL;
    g_assert_null (dcc_state_parse (buf, sizeof buf - 1, &error));
    g_assert_nonnull (error);
  }
  {
    g_autofree char *big = g_strnfill (DCC_STATE_MAX_FILE + 1, 'a');
    g_autoptr(GError) error = NULL;
    g_assert_null (dcc_state_parse (big, strlen (big), &error));
    g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  }
}

static void
test_state_files (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mine = g_strdup_printf ("%s/state/binstate_%d", f->dir, (int) getpid ());

  dcc_state_set (f->dir, DCC_PHASE_STARTUP, NULL, NULL, 0);
  g_assert_true (g_file_test (mine, G_FILE_TEST_IS_REGULAR));
  dcc_state_set (f->dir, DCC_PHASE_COMPILE, "foo.c", "red", 1);

  /* a dead process's file is removed by the reader */
  pid_t dead = fork ();
  if (dead == 0)
    _exit (0);
  g_assert_cmpint (waitpid (dead, NULL, 0), ==, dead);
  DccStateEntry de = { dead, DCC_PHASE_SEND, 0, 0, (char *) "blue", (char *) "dead.c" };
  g_autofree char *dtext = dcc_state_format (&de);
  g_autofree char *dpath = g_strdup_printf ("%s/state/binstate_%d", f->dir, (int) dead);
  g_assert_true (g_file_set_contents (dpath, dtext, -1, NULL));
  /* junk is skipped (and left alone if not a binstate file) */
  g_autofree char *junk = g_strdup_printf ("%s/state/binstate_%d", f->dir, 1);
  g_assert_true (g_file_set_contents (junk, "not a state", -1, NULL));
  g_autofree char *other = g_build_filename (f->dir, "state", "README", NULL);
  g_assert_true (g_file_set_contents (other, "hello", -1, NULL));

  g_autoptr(GPtrArray) all = dcc_state_read_all (f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 1);
  DccStateEntry *e = all->pdata[0];
  g_assert_cmpint (e->pid, ==, getpid ());
  g_assert_cmpint (e->phase, ==, DCC_PHASE_COMPILE);
  g_assert_cmpstr (e->file, ==, "foo.c");
  g_assert_cmpstr (e->host, ==, "red");
  g_assert_cmpint (e->slot, ==, 1);
  gint64 age = g_get_real_time () - e->time_us;
  g_assert_cmpint (age, >=, 0);
  g_assert_cmpint (age, <, 60 * G_USEC_PER_SEC);
  g_assert_false (g_file_test (dpath, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));

  dcc_state_remove (f->dir);
  g_assert_false (g_file_test (mine, G_FILE_TEST_EXISTS));
  unlink (junk);
  g_autoptr(GPtrArray) none = dcc_state_read_all (f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  /* no state directory at all */
  g_autofree char *nowhere = g_build_filename (f->tmp, "nonexistent", NULL);
  g_autoptr(GPtrArray) empty = dcc_state_read_all (nowhere, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (empty->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, fn) g_test_add (name, Fixture, NULL, setup, fn, teardown)
  ADD ("/hostpick/distcc-dir", test_distcc_dir);
  ADD ("/hostpick/two-slots", test_two_slots);
  ADD ("/hostpick/ports-are-separate", test_ports_are_separate);
  ADD ("/hostpick/backoff", test_backoff);
  ADD ("/hostpick/backoff-period-env", test_backoff_period_env);
  ADD ("/hostpick/fallback-local", test_fallback_local);
  ADD ("/hostpick/localhost-in-list", test_localhost_in_list);
  ADD ("/hostpick/local-slots-shared", test_local_slots_shared);
  ADD ("/hostpick/randomize", test_randomize);
  ADD ("/hostpick/waits-for-slot", test_waits_for_slot);
  ADD ("/state/files", test_state_files);
  g_test_add_func ("/hostpick/file-key", test_file_key);
  g_test_add_func ("/state/roundtrip", test_state_roundtrip);
  g_test_add_func ("/state/parse-errors", test_state_parse_errors);
  return g_test_run ();
}
