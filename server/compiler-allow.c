#include "compiler-allow.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-io.h"
#include "dcc-masquerade.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct DccCompilerAllow {
  char       *masq_dir;
  /* Opened when distccd starts, before it drops root: a build tree under a
   * 0700 home directory stays readable to the unprivileged user through
   * this descriptor (lookups below it need only the directory's own x bit). */
  int         masq_fd;
  int         masq_open_errno;
  GHashTable *cmdlist;   /* names and paths from DISTCC_CMDLIST */
  GHashTable *by_tail;   /* last numwords components of each absolute line -> the line */
  int         numwords;
};

/* The last n '/'-separated components of path ("usr/bin/gcc", n=2: "bin/gcc"). */
static const char *
path_tail (const char *path, int n)
{
  const char *p = path + strlen (path);
  while (p > path)
    {
      if (p[-1] == '/' && --n == 0)
        return p;
      p--;
    }
  return path;
}

DccCompilerAllow *
dcc_compiler_allow_new (const char *masq_dir, const char *cmdlist_file, GError **error)
{
  return dcc_compiler_allow_new_full (masq_dir, cmdlist_file, 1, error);
}

DccCompilerAllow *
dcc_compiler_allow_new_full (const char *masq_dir, const char *cmdlist_file, int numwords, GError **error)
{
  g_autoptr(DccCompilerAllow) a = g_new0 (DccCompilerAllow, 1);
  a->masq_dir = g_strdup (masq_dir);
  a->masq_fd = masq_dir ? open (masq_dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  a->masq_open_errno = a->masq_fd < 0 ? errno : 0;
  a->cmdlist = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  a->by_tail = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  a->numwords = CLAMP (numwords, 1, 16);
  if (cmdlist_file && *cmdlist_file)
    {
      g_autofree guint8 *text = NULL;
      gsize len;
      if (!dcc_io_read_file (cmdlist_file, 1024 * 1024, &text, &len, error))
        {
          g_prefix_error (error, "DISTCC_CMDLIST: ");
          return NULL;
        }
      g_auto(GStrv) lines = g_strsplit ((const char *) text, "\n", -1);
      for (char **l = lines; *l; l++)
        {
          g_strstrip (*l);
          if (**l && **l != '#')
            g_hash_table_add (a->cmdlist, g_strdup (*l));
          if (**l == '/' && !g_hash_table_contains (a->by_tail, path_tail (*l, a->numwords)))
            g_hash_table_insert (a->by_tail, g_strdup (path_tail (*l, a->numwords)), g_strdup (*l));
        }
    }
  return g_steal_pointer (&a);
}

void
dcc_compiler_allow_free (DccCompilerAllow *a)
{
  if (!a)
    return;
  g_free (a->masq_dir);
  dcc_fd_clear (&a->masq_fd);
  g_hash_table_unref (a->cmdlist);
  g_hash_table_unref (a->by_tail);
  g_free (a);
}

char *
dcc_compiler_allow_default_masq_dir (void)
{
  g_autofree char *self = realpath ("/proc/self/exe", NULL);
  /* A user that cannot search the build tree's parents (a 0700 home) cannot
   * resolve it, but the link still names the binary: keep that directory,
   * so the refusal says it cannot be read rather than naming another one. */
  if (!self)
    self = g_file_read_link ("/proc/self/exe", NULL);
  if (!self)
    return g_strdup (DCC_PREFIX "/lib/distcc");
  g_autofree char *bindir = g_path_get_dirname (self);
  return g_build_filename (bindir, "..", "lib", "distcc", NULL);
}

int
dcc_compiler_allow_masq_errno (const DccCompilerAllow *a)
{
  return a->masq_dir ? a->masq_open_errno : 0;
}

static char *
find_on_path (const char *name)
{
  const char *path = g_getenv ("PATH");
  g_auto(GStrv) dirs = g_strsplit (path ? path : "/usr/local/bin:/usr/bin:/bin", ":", -1);
  for (char **d = dirs; *d; d++)
    {
      if (!**d)
        continue;
      g_autofree char *candidate = g_build_filename (*d, name, NULL);
      struct stat st;
      if (stat (candidate, &st) == 0 && S_ISREG (st.st_mode) && access (candidate, X_OK) == 0
          && !dcc_masquerade_is_distcc (candidate))
        return g_steal_pointer (&candidate);
    }
  return NULL;
}

char *
dcc_compiler_allow_resolve (DccCompilerAllow *a, const char *name, GError **error)
{
  g_autofree char *shown = dcc_escape_for_log (name, 200);
  if (*name == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return dcc_fail (error, DCC_ERROR_REFUSED, "compiler name '%s' is not allowed", shown), NULL;
  /* Stock DISTCC_CMDLIST matching: the name's last numwords components. */
  const char *mapped = g_hash_table_lookup (a->by_tail, path_tail (name, a->numwords));
  if (mapped)
    {
      if (access (mapped, X_OK) == 0 && !dcc_masquerade_is_distcc (mapped))
        return g_strdup (mapped);
      return dcc_fail (error, DCC_ERROR_REFUSED, "compiler '%s' is listed in DISTCC_CMDLIST as %s, which is not installed",
                       shown, mapped), NULL;
    }
  if (strchr (name, '/'))
    {
      if (g_hash_table_contains (a->cmdlist, name) && access (name, X_OK) == 0 && !dcc_masquerade_is_distcc (name))
        return g_strdup (name);
      return dcc_fail (error, DCC_ERROR_REFUSED,
                       "compiler %s is not allowed: paths must be listed in DISTCC_CMDLIST", shown), NULL;
    }
  gboolean allowed = g_hash_table_contains (a->cmdlist, name);
  int lookup_errno = a->masq_open_errno;
  if (!allowed && a->masq_fd >= 0)
    {
      struct stat st;
      allowed = fstatat (a->masq_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
      lookup_errno = allowed ? 0 : errno;
    }
  if (!allowed && a->masq_dir && lookup_errno != ENOENT)
    return dcc_fail (error, DCC_ERROR_REFUSED,
                     "compiler '%s' is not allowed on this volunteer: its masquerade directory %s cannot be read (%s)",
                     shown, a->masq_dir, g_strerror (lookup_errno)), NULL;
  if (!allowed)
    return dcc_fail (error, DCC_ERROR_REFUSED,
                     "compiler '%s' is not allowed on this volunteer (no link in %s, not in DISTCC_CMDLIST)",
                     shown, a->masq_dir ? a->masq_dir : "the masquerade directory"), NULL;
  char *found = find_on_path (name);
  if (!found)
    return dcc_fail (error, DCC_ERROR_REFUSED, "compiler '%s' is allowed but not installed here", shown), NULL;
  return found;
}
