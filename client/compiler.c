#include "compiler.h"
#include "dcc-error.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

gboolean
dcc_compiler_is_self (const char *path)
{
  static struct stat self;
  static gboolean have_self;
  struct stat st;
  if (!have_self)
    {
      if (stat ("/proc/self/exe", &self) < 0)
        return FALSE;
      have_self = TRUE;
    }
  return stat (path, &st) == 0 && st.st_dev == self.st_dev && st.st_ino == self.st_ino;
}

static gboolean
is_executable_file (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && access (path, X_OK) == 0;
}

char *
dcc_compiler_find (const char *name, GError **error)
{
  if (strchr (name, '/'))
    {
      if (!is_executable_file (name))
        return dcc_fail (error, DCC_ERROR_INVALID, "compiler %s is not an executable file", name), NULL;
      if (dcc_compiler_is_self (name))
        return dcc_fail (error, DCC_ERROR_INVALID, "compiler %s is distcc itself", name), NULL;
      return g_strdup (name);
    }
  const char *path = g_getenv ("PATH");
  g_auto(GStrv) dirs = g_strsplit (path ? path : "/usr/local/bin:/usr/bin:/bin", ":", -1);
  gboolean only_self = FALSE;
  for (char **d = dirs; *d; d++)
    {
      g_autofree char *candidate = g_build_filename (**d ? *d : ".", name, NULL);
      if (!is_executable_file (candidate))
        continue;
      if (!dcc_compiler_is_self (candidate))
        return g_steal_pointer (&candidate);
      only_self = TRUE;
    }
  if (only_self)
    return dcc_fail (error, DCC_ERROR_INVALID,
                     "cannot find the real compiler '%s' on PATH (only distcc itself)", name), NULL;
  return dcc_fail (error, DCC_ERROR_INVALID, "no compiler '%s' on PATH", name), NULL;
}

char *
dcc_compiler_child_path (void)
{
  const char *path = g_getenv ("PATH");
  if (!path)
    return NULL;
  g_auto(GStrv) dirs = g_strsplit (path, ":", -1);
  int last_masq = -1;
  for (int i = 0; dirs[i]; i++)
    {
      g_autofree char *probe = g_build_filename (dirs[i], "gcc", NULL);
      g_autofree char *probe2 = g_build_filename (dirs[i], "cc", NULL);
      if (dcc_compiler_is_self (probe) || dcc_compiler_is_self (probe2))
        last_masq = i;
    }
  if (last_masq < 0)
    return g_strdup (path);
  return g_strjoinv (":", dirs + last_masq + 1);
}

gboolean
dcc_compiler_is_clang (const char *path)
{
  /* Asked more than once per compile; realpath walks every link. */
  static char *last_path;
  static gboolean last_answer;
  if (g_strcmp0 (last_path, path) == 0)
    return last_answer;
  g_autofree char *real = realpath (path, NULL);
  g_autofree char *base = g_path_get_basename (real ? real : path);
  g_free (last_path);
  last_path = g_strdup (path);
  last_answer = strstr (base, "clang") != NULL;
  return last_answer;
}
