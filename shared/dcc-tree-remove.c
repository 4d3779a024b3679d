#include "dcc-fd.h"
#include "dcc-tree-remove.h"
#include "dcc-error.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DIR, closedir)

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

  if (depth >= DCC_REMOVE_MAX_DEPTH)
    return dcc_fail (error, DCC_ERROR_LIMIT, "%s: more than %u levels deep", shown,
                     DCC_REMOVE_MAX_DEPTH);
  /* A compile may have left a directory read-only; NOFOLLOW makes this
   * fail rather than chmod a symlink's target. */
  if ((st.st_mode & 0700) != 0700)
    (void) fchmodat (parent, name, 0700, AT_SYMLINK_NOFOLLOW);

  gboolean ok = TRUE;
  dcc_autofd fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return dcc_fail_errno (error, "opening %s", shown);
  g_autoptr(DIR) d = fdopendir (fd);
  if (d == NULL)
    return dcc_fail_errno (error, "fdopendir %s", shown);
  g_steal_fd (&fd);   /* closedir closes it */
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

gboolean
dcc_remove_tree_at (int parent, const char *name, const char *shown, GError **error)
{
  return remove_at (parent, name, shown, 0, error);
}

gboolean
dcc_remove_tree (const char *path, GError **error)
{
  return remove_at (AT_FDCWD, path, path, 0, error);
}
