/* Host choice: slot locks shared by every distcc process of a build, and
 * backoff after failures. All files live under $DISTCC_DIR/lock and are
 * opened relative to that directory with O_NOFOLLOW. */
#include "host-pick.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-limits.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HOST_KEY_MAX       64    /* longer escaped names become a digest */
#define MAX_BACKOFF_PERIOD (365 * 24 * 3600)
#define LOCAL_KEY          "localhost"
#define LOCAL_CPP_KEY      "localhost-cpp"

struct DccSlot {
  int fd;          /* holds the flock */
  int index;
  DccHost *host;   /* our own copy */
  char *local_why; /* the fallback local slot: why no volunteer was usable */
  char *local_topic; /* the same without the times it names (dcc_slot_local_topic) */
};

const DccHost *
dcc_slot_host (DccSlot *s)
{
  return s->host;
}

int
dcc_slot_index (DccSlot *s)
{
  return s->index;
}

void
dcc_slot_release (DccSlot *s)
{
  if (s == NULL)
    return;
  dcc_fd_clear (&s->fd);   /* closing the only descriptor drops the flock */
  dcc_host_free (s->host);
  g_free (s->local_why);
  g_free (s->local_topic);
  g_free (s);
}

char *
dcc_host_file_key (const char *hostname)
{
  GString *k = g_string_new (NULL);
  for (const char *p = hostname; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      gboolean plain = g_ascii_isalnum (c) || c == '-' || c == '_' || (c == '.' && p != hostname);
      if (plain)
        g_string_append_c (k, (char) c);
      else
        g_string_append_printf (k, "%%%02x", c);
    }
  if (k->len == 0 || k->len > HOST_KEY_MAX)
    {
      g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, hostname, -1);
      g_string_free (k, TRUE);
      return g_strdup_printf ("h-%.32s", sum);
    }
  return g_string_free (k, FALSE);
}

char *
dcc_distcc_dir (void)
{
  const char *env = g_getenv ("DISTCC_DIR");
  char *dir = (env != NULL && env[0] != '\0')
    ? g_strdup (env)
    : g_build_filename (g_get_home_dir (), ".distcc", NULL);
  g_autofree char *lock = g_build_filename (dir, "lock", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  if (g_mkdir_with_parents (lock, 0755) != 0 || g_mkdir_with_parents (state, 0755) != 0)
    g_debug ("cannot create %s: %s", dir, g_strerror (errno));
  return dir;
}

int
dcc_backoff_period (void)
{
  const char *s = g_getenv ("DISTCC_BACKOFF_PERIOD");
  gint64 v;
  if (s == NULL)
    return DCC_DEFAULT_BACKOFF;
  if (!g_ascii_string_to_signed (s, 10, 0, MAX_BACKOFF_PERIOD, &v, NULL))
    {
      g_debug ("ignoring DISTCC_BACKOFF_PERIOD=%s: not a number of seconds", s);
      return DCC_DEFAULT_BACKOFF;
    }
  return (int) v;
}

/* Stock's DISTCC_PAUSE_TIME_MSEC: the pause between rounds while every
 * slot is busy (1..10000 ms; default DCC_HOST_PICK_POLL_MS, shorter than
 * stock's 1000 because a round here costs only a few flock calls). */
static int
pause_ms (void)
{
  const char *s = g_getenv ("DISTCC_PAUSE_TIME_MSEC");
  gint64 v;
  if (s && g_ascii_string_to_signed (s, 10, 1, 10000, &v, NULL))
    return (int) v;
  return DCC_HOST_PICK_POLL_MS;
}

/* Opens (creating if need be) $distcc_dir/lock as a directory fd. */
static int
open_lock_dir (const char *distcc_dir, GError **error)
{
  g_autofree char *path = g_build_filename (distcc_dir, "lock", NULL);
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    {
      if (g_mkdir_with_parents (path, 0755) != 0)
        return dcc_fail_errno (error, "cannot create lock directory %s", path), -1;
      fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
  if (fd < 0)
    return dcc_fail_errno (error, "cannot open lock directory %s", path), -1;
  return fd;
}

static char *
backoff_name (const DccHost *h)
{
  g_autofree char *key = dcc_host_file_key (h->hostname);
  return g_strdup_printf ("backoff_%s_%d", key, h->port);
}

static gboolean backoff_until_at (int dfd, const DccHost *h, int backoff_seconds, gint64 *until);

void
dcc_host_mark_failed (const DccHost *h, const char *distcc_dir)
{
  if (h->kind == DCC_HOST_LOCAL)
    return;
  dcc_autofd dfd = open_lock_dir (distcc_dir, NULL);
  if (dfd < 0)
    return;
  g_autofree char *name = backoff_name (h);
  g_autofree char *told = g_strconcat (name, "_told", NULL);
  /* A new backoff is announced again; one that another compile's failure
   * started meanwhile was (two compiles failing on one host said it twice). */
  if (!backoff_until_at (dfd, h, dcc_backoff_period (), NULL))
    unlinkat (dfd, told, 0);
  dcc_autofd fd = openat (dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
  if (fd < 0)
    g_debug ("cannot create %s: %s", name, g_strerror (errno));
  else if (futimens (fd, NULL) != 0)
    g_debug ("cannot touch %s: %s", name, g_strerror (errno));
}

/* TRUE when h is in backoff, with *until (may be NULL) the time it ends. */
static gboolean
backoff_until_at (int dfd, const DccHost *h, int backoff_seconds, gint64 *until)
{
  struct stat st;
  if (backoff_seconds <= 0 || h->kind == DCC_HOST_LOCAL)
    return FALSE;
  g_autofree char *name = backoff_name (h);
  if (fstatat (dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return FALSE;
  gint64 age = (gint64) time (NULL) - (gint64) st.st_mtime;
  if (until)
    *until = (gint64) st.st_mtime + backoff_seconds;
  /* a mark from the future (clock step) counts only within one period */
  return age < backoff_seconds && age > -(gint64) backoff_seconds;
}

static gboolean
in_backoff_at (int dfd, const DccHost *h, int backoff_seconds)
{
  return backoff_until_at (dfd, h, backoff_seconds, NULL);
}

/* Says once on stderr (the first process to skip the host, by creating
 * backoff_..._told exclusively) that a host is backed off: otherwise the
 * builds that follow a failure fall back locally without a word. */
static void
announce_backoff (int dfd, const DccHost *h, int backoff_seconds)
{
  g_autofree char *name = backoff_name (h);
  g_autofree char *told = g_strconcat (name, "_told", NULL);
  dcc_autofd fd = openat (dfd, told, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
  if (fd < 0)
    return;
  g_autofree char *shown = dcc_host_port_name (h);
  fprintf (stderr, "distcc: %s failed and is not used for %d s (DISTCC_BACKOFF_PERIOD); "
           "compiles go to other hosts or run here meanwhile\n", shown, backoff_seconds);
}

gboolean
dcc_host_in_backoff (const DccHost *h, const char *distcc_dir, int backoff_seconds)
{
  if (backoff_seconds <= 0)
    return FALSE;
  dcc_autofd dfd = open_lock_dir (distcc_dir, NULL);
  if (dfd < 0)
    return FALSE;
  return in_backoff_at (dfd, h, backoff_seconds);
}

/* Tries slot `index` of the host with file key `key`. Returns a locked fd,
 * -1 if the slot is busy, or -2 with *error set. */
static int
try_lock (int dfd, const char *key, int port, int index, GError **error)
{
  g_autofree char *name = g_strdup_printf ("cpu_%s_%d_%d", key, port, index);
  dcc_autofd fd = openat (dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
  if (fd < 0)
    return dcc_fail_errno (error, "cannot open lock file %s", name), -2;
  if (flock (fd, LOCK_EX | LOCK_NB) == 0)
    return g_steal_fd (&fd);
  if (errno == EWOULDBLOCK || errno == EINTR)
    return -1;
  return dcc_fail_errno (error, "cannot lock %s", name), -2;
}

/* Tries every slot of one host; a new DccSlot, NULL if all are busy, or
 * NULL with *error set. */
static DccSlot *
try_host (int dfd, const DccHost *h, const char *key, GError **error)
{
  for (int i = 0; i < h->limit; i++)
    {
      int fd = try_lock (dfd, key, h->port, i, error);
      if (fd == -2)
        return NULL;
      if (fd >= 0)
        {
          DccSlot *s = g_new0 (DccSlot, 1);
          s->fd = fd;
          s->index = i;
          s->host = dcc_host_copy (h);
          return s;
        }
    }
  return NULL;
}

static DccHost *
local_host (int limit, const char *spec)
{
  DccHost *h = g_new0 (DccHost, 1);
  h->kind = DCC_HOST_LOCAL;
  h->hostname = g_strdup ("localhost");
  h->port = 0;
  h->limit = MAX (limit, 1);
  h->spec = g_strdup (spec);
  return h;
}

/* Waits for a slot of one local pseudo-host. */
static DccSlot *
pick_local_key (const char *distcc_dir, const char *key, int limit, GError **error)
{
  g_autoptr(DccHost) h = local_host (limit, key);
  dcc_autofd dfd = open_lock_dir (distcc_dir, error);
  if (dfd < 0)
    return NULL;
  for (;;)
    {
      GError *local_error = NULL;
      DccSlot *s = try_host (dfd, h, key, &local_error);
      if (s != NULL || local_error != NULL)
        {
          if (local_error != NULL)
            g_propagate_error (error, local_error);
          return s;
        }
      g_usleep ((gulong) pause_ms () * 1000);
    }
}

DccSlot *
dcc_host_pick_local (const char *distcc_dir, int localslots, GError **error)
{
  return pick_local_key (distcc_dir, LOCAL_KEY, localslots, error);
}

DccSlot *
dcc_host_pick_local_cpp (const char *distcc_dir, int localslots_cpp, GError **error)
{
  return pick_local_key (distcc_dir, LOCAL_CPP_KEY, localslots_cpp, error);
}

/* The order in which to try the list: as written, or a permutation that
 * depends only on the process id, so one process always tries hosts in the
 * same order while different processes spread out. */
static guint *
host_order (const DccHostList *hosts)
{
  guint n = hosts->hosts->len;
  guint *order = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    order[i] = i;
  if (hosts->randomize && n > 1)
    {
      GRand *r = g_rand_new_with_seed ((guint32) getpid () * 2654435761u);
      for (guint i = n - 1; i > 0; i--)
        {
          guint j = (guint) g_rand_int_range (r, 0, (gint32) i + 1);
          guint t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
      g_rand_free (r);
    }
  return order;
}

/* Why no listed host could take a compile, for the fallback local slot:
 * what +zeroconf found, the hosts in backoff, or that none is marked ,cpp
 * or listed at all. The reason gives each backoff's end; the topic (the
 * build's once-only warning's key) is the same text without the times. */
static char *
join_why (const DccHostList *hosts, guint not_cpp, const GString *backed)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  if (hosts->zeroconf_none)
    g_ptr_array_add (parts, g_strdup (hosts->zeroconf_none));
  if (backed->len)
    g_ptr_array_add (parts, g_strdup_printf ("every %svolunteer is backed off after failures: %s",
                                             hosts->zeroconf_none ? "other " : "", backed->str));
  if (not_cpp && !backed->len)
    g_ptr_array_add (parts, g_strdup ("no volunteer in the host list is marked ,cpp"));
  if (parts->len == 0)
    g_ptr_array_add (parts, g_strdup ("the host list names no volunteer"));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv ("; ", (char **) parts->pdata);
}

static char *
no_volunteer_why (const DccHostList *hosts, int dfd, gboolean want_cpp, int backoff, char **topic)
{
  g_autoptr(GString) backed = g_string_new (NULL);
  g_autoptr(GString) backed_timed = g_string_new (NULL);
  guint not_cpp = 0;
  for (guint i = 0; i < hosts->hosts->len; i++)
    {
      const DccHost *h = hosts->hosts->pdata[i];
      gint64 until = 0;
      if (h->kind == DCC_HOST_LOCAL)
        continue;
      if (want_cpp && !h->cpp)
        not_cpp++;
      else if (backoff_until_at (dfd, h, backoff, &until))
        {
          g_autoptr(GDateTime) t = g_date_time_new_from_unix_local (until);
          g_autofree char *hms = t ? g_date_time_format (t, "%H:%M:%S") : g_strdup ("?");
          const char *sep = backed->len ? ", " : "";
          g_autofree char *shown = dcc_host_port_name (h);
          g_string_append_printf (backed, "%s%s", sep, shown);
          g_string_append_printf (backed_timed, "%s%s (until %s)", sep, shown, hms);
        }
    }
  *topic = join_why (hosts, not_cpp, backed);
  return join_why (hosts, not_cpp, backed_timed);
}

const char *
dcc_slot_local_why (DccSlot *s)
{
  return s->local_why;
}

const char *
dcc_slot_local_topic (DccSlot *s)
{
  return s->local_topic;
}

DccSlot *
dcc_host_pick_for (const DccHostList *hosts, const char *distcc_dir,
                   gboolean want_cpp, GError **error)
{
  g_autofree guint *order = host_order (hosts);
  guint n = hosts->hosts->len;
  g_auto(GStrv) keys = g_new0 (char *, n + 1);
  g_autoptr(DccHost) fallback = local_host (hosts->localslots, "--localslots");
  int backoff = dcc_backoff_period ();
  dcc_autofd dfd = open_lock_dir (distcc_dir, error);
  DccSlot *found = NULL;
  GError *local_error = NULL;

  if (dfd < 0)
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      const DccHost *h = hosts->hosts->pdata[i];
      keys[i] = h->kind == DCC_HOST_LOCAL ? g_strdup (LOCAL_KEY) : dcc_host_file_key (h->hostname);
    }

  while (found == NULL && local_error == NULL)
    {
      /* Which hosts may be used is decided afresh each round: another
       * process may have put one into backoff meanwhile. */
      guint usable = 0;
      for (guint k = 0; k < n && found == NULL && local_error == NULL; k++)
        {
          const DccHost *h = hosts->hosts->pdata[order[k]];
          if (h->kind != DCC_HOST_LOCAL && want_cpp && !h->cpp)
            continue;
          if (h->kind != DCC_HOST_LOCAL && in_backoff_at (dfd, h, backoff))
            {
              announce_backoff (dfd, h, backoff);
              continue;
            }
          usable++;
          found = try_host (dfd, h, keys[order[k]], &local_error);
        }
      if (found == NULL && local_error == NULL && usable == 0)
        {
          found = try_host (dfd, fallback, LOCAL_KEY, &local_error);
          if (found)
            {
              found->local_why = no_volunteer_why (hosts, dfd, want_cpp, backoff, &found->local_topic);
            }
        }
      if (found == NULL && local_error == NULL)
        g_usleep ((gulong) pause_ms () * 1000);
    }

  if (local_error != NULL)
    g_propagate_prefixed_error (error, local_error, "choosing a host: ");
  return found;
}

DccSlot *
dcc_host_pick (const DccHostList *hosts, const char *distcc_dir, GError **error)
{
  return dcc_host_pick_for (hosts, distcc_dir, FALSE, error);
}
