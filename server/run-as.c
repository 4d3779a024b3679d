/* See run-as.h. */
#include "run-as.h"
#include "dcc-error.h"
#include "dcc-log.h"
#include "dcc-proc.h"
#include "dcc-tree-remove.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

gboolean
dcc_run_as_lookup (const char *user, DccRunAs *out, GError **error)
{
  struct passwd *pw;
  if (geteuid () != 0)
    {
      pw = getpwuid (geteuid ());
      out->switch_user = FALSE;
      out->uid = geteuid ();
      out->gid = getegid ();
      out->name = pw ? g_strdup (pw->pw_name) : g_strdup_printf ("uid %u", (unsigned) geteuid ());
      out->home = g_strdup (pw ? pw->pw_dir : "/");
      return TRUE;
    }
  pw = getpwnam (user ? user : "distcc");
  if (!pw && !user)
    pw = getpwnam ("nobody");
  if (!pw)
    return dcc_fail (error, DCC_ERROR_INVALID, "--user %s: no such user", user ? user : "nobody");
  out->switch_user = pw->pw_uid != 0;
  out->uid = pw->pw_uid;
  out->gid = pw->pw_gid;
  out->name = g_strdup (pw->pw_name);
  out->home = g_strdup (pw->pw_dir);
  return TRUE;
}

void
dcc_run_as_clear (DccRunAs *r)
{
  g_clear_pointer (&r->name, g_free);
  g_clear_pointer (&r->home, g_free);
}

gboolean
dcc_run_as_drop (const DccRunAs *r, GError **error)
{
  if (!r->switch_user)
    return TRUE;
  if (setgroups (0, NULL) < 0 || setgid (r->gid) < 0 || setuid (r->uid) < 0)
    return dcc_fail_errno (error, "cannot become user %s", r->name);
  g_setenv ("HOME", r->home, TRUE);
  return TRUE;
}

static char *
user_name (uid_t uid)
{
  struct passwd *pw = getpwuid (uid);
  return pw ? g_strdup (pw->pw_name) : g_strdup_printf ("uid %u", (unsigned) uid);
}

static uid_t chown_uid;
static gid_t chown_gid;

static int
chown_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  if (lchown (path, chown_uid, chown_gid) < 0)
    return errno;
  return 0;
}

gboolean
dcc_run_as_prepare_dir (const DccRunAs *r, const char *dir, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  if (g_mkdir_with_parents (parent, 0755) < 0)
    return dcc_fail_errno (error, "cannot create %s", parent);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return dcc_fail_errno (error, "cannot create %s", dir);
  struct stat st;
  if (lstat (dir, &st) < 0)
    return dcc_fail_errno (error, "%s", dir);
  if (!S_ISDIR (st.st_mode))
    return dcc_fail (error, DCC_ERROR_REFUSED, "%s is not a directory (a symlink is refused)", dir);
  /* Another user's store may be in use by another distccd: taking it
   * would make that one fail (its files no longer its own). */
  if (st.st_uid != r->uid && st.st_uid != 0)
    {
      g_autofree char *owner = user_name (st.st_uid);
      return dcc_fail (error, DCC_ERROR_REFUSED, "%s belongs to user %s, not %s (another distccd's store?); "
                       "distccd never takes another user's store", dir, owner, r->name);
    }
  if (st.st_uid != r->uid || st.st_gid != r->gid)
    {
      chown_uid = r->uid;
      chown_gid = r->gid;
      int rc = nftw (dir, chown_one, 16, FTW_PHYS | FTW_MOUNT);
      if (rc != 0)
        {
          errno = rc > 0 ? rc : errno;
          return dcc_fail_errno (error, "cannot hand %s to user %s", dir, r->name);
        }
      dcc_notice ("gave %s to user %s", dir, r->name);
    }
  if (chmod (dir, 0700) < 0)
    return dcc_fail_errno (error, "cannot chmod %s", dir);
  return TRUE;
}

char *
dcc_run_as_system_store (const DccRunAs *r, gboolean default_user, const char **why, GError **error)
{
  g_autofree char *own = g_strdup_printf ("%s-%s", DCC_SYSTEM_STORE_DIR, r->name);
  const char *candidates[2];
  guint n = 0;
  if (default_user)
    candidates[n++] = DCC_SYSTEM_STORE_DIR;
  if (strchr (r->name, '/') == NULL)
    candidates[n++] = own;
  g_autoptr(GString) taken = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      struct stat st;
      if (lstat (candidates[i], &st) == 0 && st.st_uid != r->uid && st.st_uid != 0)
        {
          g_autofree char *owner = user_name (st.st_uid);
          g_string_append_printf (taken, "%s%s belongs to user %s", taken->len ? ", " : "", candidates[i], owner);
          continue;
        }
      if (!dcc_run_as_prepare_dir (r, candidates[i], error))
        return NULL;
      if (taken->len)
        dcc_warning ("%s (another distccd's store?), not %s: the store is %s", taken->str, r->name, candidates[i]);
      *why = candidates[i] == own ? "the system-wide store of its user" : "the system-wide store";
      return g_strdup (candidates[i]);
    }
  return dcc_fail (error, DCC_ERROR_REFUSED, "%s, not %s (another distccd's store?); distccd never takes "
                   "another user's store: give this one --cache-dir DIR, or remove that directory if no "
                   "distccd uses it", taken->str, r->name), NULL;
}

/* TRUE if dir exists as a real directory owned by us, not writable by
 * others, creating it 0700 first if create. */
static gboolean
private_dir_ok (const char *dir, gboolean create)
{
  if (create && g_mkdir_with_parents (dir, 0700) < 0)
    return FALSE;
  struct stat st;
  if (lstat (dir, &st) < 0 || !S_ISDIR (st.st_mode) || st.st_uid != geteuid ())
    return FALSE;
  if ((st.st_mode & 022) != 0)
    return FALSE;
  return access (dir, W_OK | X_OK) == 0;
}

char *
dcc_run_as_user_store_dir (const char **why, GError **error)
{
  const char *xdg = g_getenv ("XDG_CACHE_HOME");
  const char *home = g_getenv ("HOME");
  g_autofree char *candidate = NULL;
  if (xdg && g_path_is_absolute (xdg))
    candidate = g_build_filename (xdg, "distccd", NULL);
  else if (home && g_path_is_absolute (home))
    candidate = g_build_filename (home, ".cache", "distccd", NULL);
  if (candidate && private_dir_ok (candidate, TRUE))
    {
      *why = "the user's cache directory";
      return g_steal_pointer (&candidate);
    }
  if (private_dir_ok (DCC_SYSTEM_STORE_DIR, FALSE))
    {
      *why = "the system-wide store, owned by this user";
      return g_strdup (DCC_SYSTEM_STORE_DIR);
    }
  g_autofree char *fallback = g_strdup_printf ("/var/tmp/distccd-%u", (unsigned) geteuid ());
  if (mkdir (fallback, 0700) < 0 && errno != EEXIST)
    return dcc_fail_errno (error, "no usable store directory (%s, %s, %s)",
                           candidate ? candidate : "no HOME", DCC_SYSTEM_STORE_DIR, fallback), NULL;
  if (!private_dir_ok (fallback, FALSE))
    return dcc_fail (error, DCC_ERROR_REFUSED,
                     "no usable store directory: %s is not a private directory of this user (and %s, %s are not usable)",
                     fallback, candidate ? candidate : "no HOME", DCC_SYSTEM_STORE_DIR), NULL;
  *why = "a private fallback: HOME has no usable cache directory";
  return g_steal_pointer (&fallback);
}

#define TMP_OWNER_FILE "owner"

/* This process's PID namespace ("pid:[4026531836]"): a PID means
 * something only there. */
static char *
pid_namespace (void)
{
  g_autofree char *ns = g_file_read_link ("/proc/self/ns/pid", NULL);
  return g_strdup (ns ? ns : "?");
}

/* Whether the "owner" file in dir names a process that is gone: a daemon
 * killed with SIGKILL leaves its directory (slot trees, job directories).
 * Only a process of this PID namespace can be known gone (a daemon in a
 * container sharing the directory has PIDs of its own). */
static gboolean
owner_gone (int dirfd)
{
  char buf[128] = { 0 }, ns[64] = { 0 };
  int fd = openat (dirfd, TMP_OWNER_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return FALSE;   /* none (an older daemon, or one starting): not known gone */
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  long long pid = 0;
  unsigned long long started = 0;
  if (n <= 0 || sscanf (buf, "%lld %llu %63s", &pid, &started, ns) != 3 || pid <= 0 || pid > G_MAXINT)
    return FALSE;
  g_autofree char *ours = pid_namespace ();
  return strcmp (ns, ours) == 0 && dcc_proc_start_time ((pid_t) pid) != (guint64) started;
}

/* Removes the distccd-XXXXXX directories in root that are this user's and
 * whose daemon is gone. */
static void
remove_stale_tmp (const char *root)
{
  DIR *d = opendir (root);
  struct dirent *de;
  while (d && (de = readdir (d)))
    {
      struct stat st;
      if (!g_str_has_prefix (de->d_name, "distccd-") || strlen (de->d_name) != 14
          || fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode)
          || st.st_uid != geteuid ())
        continue;
      int fd = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      gboolean gone = fd >= 0 && owner_gone (fd);
      if (fd >= 0)
        close (fd);
      if (!gone)
        continue;
      g_autofree char *path = g_build_filename (root, de->d_name, NULL);
      g_autoptr(GError) error = NULL;
      if (dcc_remove_tree (path, &error))
        dcc_notice ("removed %s, which a distccd that is gone left behind", path);
      else
        dcc_warning ("cannot remove %s, left by a distccd that is gone: %s", path, error->message);
    }
  if (d)
    closedir (d);
}

/* Names this process in dir/owner, for remove_stale_tmp. */
static void
write_owner (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, TMP_OWNER_FILE, NULL);
  g_autofree char *ns = pid_namespace ();
  g_autofree char *text = g_strdup_printf ("%d %" G_GUINT64_FORMAT " %s\n", (int) getpid (),
                                           dcc_proc_start_time (getpid ()), ns);
  if (!g_file_set_contents (path, text, -1, NULL))
    dcc_warning ("cannot write %s: a distccd killed with SIGKILL would leave %s behind", path, dir);
}

char *
dcc_run_as_make_tmp (const char *root, gboolean may_fall_back, GError **error)
{
  const char *roots[] = { root, "/var/tmp", "/tmp" };
  int saved = 0;
  for (guint i = 0; i < (may_fall_back ? G_N_ELEMENTS (roots) : 1); i++)
    {
      remove_stale_tmp (roots[i]);
      g_autofree char *base = g_build_filename (roots[i], "distccd-XXXXXX", NULL);
      if (g_mkdtemp (base))
        {
          if (i > 0)
            dcc_warning ("cannot create a directory in %s (%s); job directories go to %s",
                         root, g_strerror (saved), roots[i]);
          write_owner (base);
          return g_steal_pointer (&base);
        }
      if (i == 0)
        saved = errno;
    }
  errno = saved;
  return dcc_fail_errno (error, "cannot create a directory in %s", root), NULL;
}
