#include "outputs.h"
#include "dcc-error.h"
#include "dcc-io.h"
#include "dcc-path.h"
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
stem_of (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');
  if (dot && dot != base)
    *dot = '\0';
  return g_steal_pointer (&base);
}

gboolean
dcc_outputs_path_allowed (const DccCompileArgs *a, const char *cwd, const char *path)
{
  if (path[0] != '/' || strstr (path, "/../") || g_str_has_suffix (path, "/..") || strstr (path, "/./"))
    return FALSE;
  g_autofree char *object = dcc_path_normalize (cwd, a->output);
  if (strcmp (path, object) == 0)
    return TRUE;
  if (a->dep_file)
    {
      g_autofree char *dep = dcc_path_normalize (cwd, a->dep_file);
      if (strcmp (path, dep) == 0)
        return TRUE;
    }
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *object_dir = g_path_get_dirname (object);
  if (strcmp (dir, object_dir) != 0 && strcmp (dir, cwd) != 0)
    return FALSE;
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *source = dcc_path_normalize (cwd, a->argv[a->source_index]);
  if (strcmp (path, source) == 0)
    return FALSE;
  g_autofree char *obj_stem = stem_of (object);
  g_autofree char *src_stem = stem_of (source);
  return (g_str_has_prefix (base, obj_stem) && base[strlen (obj_stem)] == '.')
      || (g_str_has_prefix (base, src_stem) && base[strlen (src_stem)] == '.');
}

gboolean
dcc_outputs_write (const DccCompileArgs *a, const char *cwd, DccReply *reply, GError **error)
{
  for (guint i = 0; i < reply->files->len; i++)
    {
      DccOutputFile *f = reply->files->pdata[i];
      if (!dcc_outputs_path_allowed (a, cwd, f->path))
        {
          g_autofree char *p = dcc_escape_for_log (f->path, 200);
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "volunteer returned an unexpected file %s", p);
        }
    }
  for (guint i = 0; i < reply->files->len; i++)
    {
      DccOutputFile *f = reply->files->pdata[i];
      gsize len;
      const void *data = g_bytes_get_data (f->data, &len);
      struct stat st;
      if (lstat (f->path, &st) == 0 && !S_ISREG (st.st_mode))
        {
          /* -o /dev/null and the like: write into it as the compiler
           * would; never rename over it. */
          int fd = open (f->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
          if (fd < 0)
            return dcc_fail_errno (error, "open %s", f->path);
          gboolean ok = dcc_io_write_all (fd, data, len, 0, error);
          close (fd);
          if (!ok)
            return FALSE;
          continue;
        }
      if (!dcc_io_write_file_atomic (f->path, data, len, 0666, error))
        return FALSE;
    }
  return TRUE;
}
