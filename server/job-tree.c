/* One job's private file tree; see job-tree.h. */
#include "dcc-fd.h"
#include "job-tree.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-path.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MSG_MAX 200   /* bytes of a client path quoted in a message */

struct DccJobTree {
  char *base;      /* absolute */
  char *name;      /* job-XXXXXX */
  char *root;      /* base/name */
  int base_fd;
  int root_fd;     /* O_PATH | O_DIRECTORY */
  /* Directories already opened, by their path below the root ("a/b"), so
   * that laying out hundreds of headers does not re-walk every parent for
   * every file. Only this module creates entries in the tree before the
   * compile runs, so a cached directory stays the one it was. */
  GHashTable *dir_fds;   /* char* -> fd + 1 */
};

#define DIR_FD_CACHE_MAX 512u


G_DEFINE_AUTOPTR_CLEANUP_FUNC (DIR, closedir)

DccJobTree *
dcc_job_tree_new (const char *base_dir, GError **error)
{
  g_return_val_if_fail (base_dir != NULL, NULL);

  g_autoptr(DccJobTree) t = g_new0 (DccJobTree, 1);
  t->base_fd = t->root_fd = -1;
  t->base = g_canonicalize_filename (base_dir, NULL);
  if (g_mkdir_with_parents (t->base, 0700) < 0)
    {
      dcc_fail_errno (error, "creating %s", t->base);
      return NULL;
    }
  t->base_fd = open (t->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (t->base_fd < 0)
    {
      dcc_fail_errno (error, "opening %s", t->base);
      return NULL;
    }
  g_autofree char *tmpl = g_build_filename (t->base, "job-XXXXXX", NULL);
  if (g_mkdtemp_full (tmpl, 0700) == NULL)
    {
      dcc_fail_errno (error, "creating a job directory in %s", t->base);
      return NULL;
    }
  t->name = g_path_get_basename (tmpl);
  t->root = g_steal_pointer (&tmpl);
  t->root_fd = openat (t->base_fd, t->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (t->root_fd < 0)
    {
      dcc_fail_errno (error, "opening %s", t->root);
      return NULL;   /* the free function removes the directory */
    }
  return g_steal_pointer (&t);
}

/* Removes parent/name recursively without following symlinks. Carries on
 * after an error and reports the first one. */
static gboolean
remove_at (int parent, const char *name, const char *shown, guint depth, GError **error)
{
  struct stat st;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return dcc_fail_errno (error, "stat %s", shown);
    }
  if (!S_ISDIR (st.st_mode))
    {
      if (unlinkat (parent, name, 0) < 0 && errno != ENOENT)
        return dcc_fail_errno (error, "removing %s", shown);
      return TRUE;
    }

  if (depth >= DCC_JOB_TREE_MAX_REMOVE_DEPTH)
    return dcc_fail (error, DCC_ERROR_LIMIT, "%s: more than %u levels deep", shown,
                     DCC_JOB_TREE_MAX_REMOVE_DEPTH);
  /* A compile may have left a directory read-only; NOFOLLOW makes this
   * fail rather than chmod a symlink's target. */
  if ((st.st_mode & 0700) != 0700)
    (void) fchmodat (parent, name, 0700, AT_SYMLINK_NOFOLLOW);

  gboolean ok = TRUE;
  int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return dcc_fail_errno (error, "opening %s", shown);
  g_autoptr(DIR) d = fdopendir (fd);
  if (d == NULL)
    {
      dcc_fail_errno (error, "fdopendir %s", shown);
      close (fd);
      return FALSE;
    }
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      /* Files and links (the bulk of a job tree) go without a stat. */
      if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN
          && (unlinkat (dirfd (d), de->d_name, 0) == 0 || errno == ENOENT))
        continue;
      if (!remove_at (dirfd (d), de->d_name, shown, depth + 1, ok ? error : NULL))
        ok = FALSE;
    }
  if (errno != 0 && ok)
    ok = dcc_fail_errno (error, "reading %s", shown);
  g_clear_pointer (&d, closedir);
  if (unlinkat (parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT && ok)
    ok = dcc_fail_errno (error, "removing %s", shown);
  return ok;
}

void
dcc_job_tree_free (DccJobTree *t)
{
  if (t == NULL)
    return;
  if (t->dir_fds)
    {
      GHashTableIter it;
      gpointer v;
      g_hash_table_iter_init (&it, t->dir_fds);
      while (g_hash_table_iter_next (&it, NULL, &v))
        close (GPOINTER_TO_INT (v) - 1);
      g_hash_table_unref (t->dir_fds);
    }
  dcc_close_fdp (&t->root_fd);
  if (t->base_fd >= 0 && t->name != NULL)
    {
      g_autoptr(GError) error = NULL;
      if (!remove_at (t->base_fd, t->name, t->root, 0, &error))
        g_warning ("removing job tree: %s", error->message);
    }
  dcc_close_fdp (&t->base_fd);
  g_free (t->base);
  g_free (t->name);
  g_free (t->root);
  g_free (t);
}

const char *
dcc_job_tree_root (DccJobTree *t)
{
  g_return_val_if_fail (t != NULL, NULL);
  return t->root;
}

int
dcc_job_tree_root_fd (DccJobTree *t)
{
  g_return_val_if_fail (t != NULL, -1);
  return t->root_fd;
}

/* The first n components joined with '/'. */
static char *
join_components (char **comps, guint n)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      if (i)
        g_string_append_c (s, '/');
      g_string_append (s, comps[i]);
    }
  return g_string_free (s, FALSE);
}

/* Checks client_path and splits it; *n_out components. */
static GStrv
checked_components (const char *client_path, guint *n_out, GError **error)
{
  if (!dcc_path_check_client (client_path, strlen (client_path), error))
    return NULL;
  GStrv comps = dcc_path_split (client_path);
  *n_out = g_strv_length (comps);
  return comps;
}

/* Opens (creating when create is TRUE) the directory made of the first n
 * components under the root, one component at a time, never following a
 * symlink. Returns a new O_PATH fd, or -1 with error set. */
static int
open_dirs (DccJobTree *t, char **comps, guint n, gboolean create, const char *shown,
           GError **error)
{
  if (t->dir_fds == NULL)
    t->dir_fds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Start from the deepest directory already open. */
  int cur = t->root_fd;
  guint start = 0;
  g_autoptr(GString) key = g_string_new (NULL);
  for (guint i = n; i > 0; i--)
    {
      g_autofree char *prefix = join_components (comps, i);
      gpointer v = g_hash_table_lookup (t->dir_fds, prefix);
      if (v)
        {
          cur = GPOINTER_TO_INT (v) - 1;
          start = i;
          g_string_assign (key, prefix);
          break;
        }
    }
  dcc_autofd owned = -1;   /* an fd of ours not (yet) in the cache */
  for (guint i = start; i < n; i++)
    {
      if (create && mkdirat (cur, comps[i], 0755) < 0 && errno != EEXIST)
        {
          dcc_fail_errno (error, "%s: creating component %u “%s”", shown, i + 1, comps[i]);
          return -1;
        }
      int next = openat (cur, comps[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        {
          struct stat st;
          if ((errno == ENOTDIR || errno == ELOOP)
              && fstatat (cur, comps[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
            dcc_fail (error, DCC_ERROR_IO, "%s: component %u “%s” is a symlink", shown, i + 1,
                      comps[i]);
          else
            dcc_fail_errno (error, "%s: opening component %u “%s”", shown, i + 1, comps[i]);
          return -1;
        }
      if (key->len)
        g_string_append_c (key, '/');
      g_string_append (key, comps[i]);
      dcc_close_fdp (&owned);
      owned = -1;
      if (g_hash_table_size (t->dir_fds) < DIR_FD_CACHE_MAX)
        g_hash_table_insert (t->dir_fds, g_strdup (key->str), GINT_TO_POINTER (next + 1));
      else
        owned = next;
      cur = next;
    }
  /* The caller owns what we return. */
  int ret = fcntl (cur, F_DUPFD_CLOEXEC, 3);
  if (ret < 0)
    dcc_fail_errno (error, "dup");
  return ret;
}

gboolean
dcc_job_tree_add_dir (DccJobTree *t, const char *client_path, GError **error)
{
  g_return_val_if_fail (t != NULL && client_path != NULL, FALSE);

  guint n = 0;
  g_auto(GStrv) comps = checked_components (client_path, &n, error);
  if (comps == NULL)
    return FALSE;
  g_autofree char *shown = dcc_escape_for_log (client_path, MSG_MAX);
  dcc_autofd fd = open_dirs (t, comps, n, TRUE, shown, error);
  return fd >= 0;
}

gboolean
dcc_job_tree_add_file (DccJobTree *t, const char *client_path, DccStore *store,
                       const DccHash *h, gboolean executable, GError **error)
{
  g_return_val_if_fail (t != NULL && client_path != NULL && store != NULL && h != NULL, FALSE);

  guint n = 0;
  g_auto(GStrv) comps = checked_components (client_path, &n, error);
  if (comps == NULL)
    return FALSE;
  g_autofree char *shown = dcc_escape_for_log (client_path, MSG_MAX);
  if (n == 0)
    return dcc_fail (error, DCC_ERROR_REFUSED, "“/” cannot be a file");
  dcc_autofd parent = open_dirs (t, comps, n - 1, TRUE, shown, error);
  if (parent < 0)
    return FALSE;
  if (!dcc_store_link_into (store, h, parent, comps[n - 1], executable, error))
    {
      g_prefix_error (error, "%s: ", shown);
      return FALSE;
    }
  return TRUE;
}

gboolean
dcc_job_tree_add_symlink (DccJobTree *t, const char *client_path, const char *target,
                          GError **error)
{
  g_return_val_if_fail (t != NULL && client_path != NULL && target != NULL, FALSE);

  g_autofree char *resolved = NULL;
  if (!dcc_path_check_symlink (client_path, target, &resolved, error))
    return FALSE;
  guint n = 0;
  g_auto(GStrv) comps = checked_components (client_path, &n, error);
  if (comps == NULL)
    return FALSE;
  g_assert (n > 0);   /* dcc_path_check_symlink refuses "/" */
  g_autofree char *shown = dcc_escape_for_log (client_path, MSG_MAX);

  /* The lexical form: root + target, or the normalised relative path. */
  g_autofree char *written = NULL;
  if (target[0] == '/')
    written = g_strconcat (t->root, strcmp (resolved, "/") == 0 ? "" : resolved, NULL);
  else
    {
      g_autofree char *dir = dcc_path_normalize (client_path, "..");
      written = dcc_path_relative (dir, resolved);
    }

  dcc_autofd parent = open_dirs (t, comps, n - 1, TRUE, shown, error);
  if (parent < 0)
    return FALSE;
  if (symlinkat (written, parent, comps[n - 1]) < 0)
    return dcc_fail_errno (error, "%s: creating symlink", shown);
  return TRUE;
}

char *
dcc_job_tree_map (DccJobTree *t, const char *client_path)
{
  g_return_val_if_fail (t != NULL && client_path != NULL, NULL);

  if (!dcc_path_check_client (client_path, strlen (client_path), NULL))
    return NULL;
  g_autofree char *norm = dcc_path_normalize ("/", client_path);
  return g_strconcat (t->root, strcmp (norm, "/") == 0 ? "" : norm, NULL);
}
