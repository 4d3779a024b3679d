#include "outputs.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-io.h"
#include "dcc-log.h"
#include "dcc-path.h"
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

GPtrArray *
dcc_outputs_expected (const DccCompileArgs *a, const char *cwd, gboolean dep_file_remote)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (out, dcc_path_normalize (cwd, a->output));
  if (dep_file_remote && a->dep_file)
    g_ptr_array_add (out, dcc_path_normalize (cwd, a->dep_file));
  for (guint i = 0; a->side_outputs && i < a->side_outputs->len; i++)
    g_ptr_array_add (out, dcc_path_normalize (cwd, a->side_outputs->pdata[i]));
  return out;
}

gboolean
dcc_outputs_check (GPtrArray *expected, const DccReply *reply, GError **error)
{
  /* path -> TRUE once returned */
  g_autoptr(GHashTable) named = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < expected->len; i++)
    g_hash_table_insert (named, expected->pdata[i], GINT_TO_POINTER (FALSE));
  for (guint i = 0; i < reply->files->len; i++)
    {
      const DccOutputFile *f = reply->files->pdata[i];
      gpointer seen;
      if (!g_hash_table_lookup_extended (named, f->path, NULL, &seen))
        {
          g_autofree char *p = dcc_escape_for_log (f->path, 200);
          return dcc_fail (error, DCC_ERROR_PROTOCOL,
                           "volunteer returned a file the command line does not name: %s", p);
        }
      if (GPOINTER_TO_INT (seen))
        {
          g_autofree char *p = dcc_escape_for_log (f->path, 200);
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "volunteer returned %s twice", p);
        }
      g_hash_table_insert (named, f->path, GINT_TO_POINTER (TRUE));
    }
  if (reply->status != 0)
    return TRUE;
  for (guint i = 0; i < expected->len; i++)
    if (!GPOINTER_TO_INT (g_hash_table_lookup (named, expected->pdata[i])))
      {
        g_autofree char *p = dcc_escape_for_log (expected->pdata[i], 200);
        return dcc_fail (error, DCC_ERROR_PROTOCOL,
                         "volunteer reported success without the output %s", p);
      }
  return TRUE;
}

gboolean
dcc_outputs_write (const DccCompileArgs *a, const char *cwd, gboolean dep_file_remote,
                   DccReply *reply, GError **error)
{
  g_autoptr(GPtrArray) expected = dcc_outputs_expected (a, cwd, dep_file_remote);
  if (!dcc_outputs_check (expected, reply, error))
    return FALSE;
  /* expected->pdata[0] is the output -o names. */
  const char *object = a->assemble_only ? NULL : expected->pdata[0];
  for (guint i = 0; i < reply->files->len; i++)
    {
      DccOutputFile *f = reply->files->pdata[i];
      gsize len;
      const void *data = g_bytes_get_data (f->data, &len);
      struct stat st;
      gboolean replace_link = object && strcmp (f->path, object) == 0;
      if (lstat (f->path, &st) == 0 && !S_ISREG (st.st_mode) && !(S_ISLNK (st.st_mode) && replace_link))
        {
          /* -o /dev/null and the like: write into it as the compiler
           * would; never rename over it. A symlink is written through
           * (made when dangling), as cc1 writes a .d, .su or .s; but an
           * object replaces the link itself, as clang does and as(1) for
           * a link to an existing file. */
          dcc_autofd fd = open (f->path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0666);
          if (fd < 0)
            return dcc_fail_errno (error, "open %s", f->path);
          if (!dcc_io_write_all (fd, data, len, 0, error))
            return FALSE;
          continue;
        }
      if (!dcc_io_write_file_atomic (f->path, data, len, 0666, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
returned (const DccReply *reply, const char *path)
{
  for (guint i = 0; i < reply->files->len; i++)
    if (strcmp (((const DccOutputFile *) reply->files->pdata[i])->path, path) == 0)
      return TRUE;
  return FALSE;
}

static void
remove_regular (const char *path)
{
  struct stat st;
  if (lstat (path, &st) == 0 && S_ISREG (st.st_mode))
    unlink (path);
}

void
dcc_outputs_after_failure (const DccCompileArgs *a, const char *cwd, gboolean dep_file_remote,
                           const DccReply *reply)
{
  /* gcc leaves what it did not write; clang's driver removes the object
   * of a failed compile, and its dependency file unless it wrote one. */
  if (!a->is_clang)
    return;
  g_autofree char *out = dcc_path_normalize (cwd, a->output);
  if (!returned (reply, out))
    remove_regular (out);
  if (dep_file_remote && a->dep_file)
    {
      g_autofree char *dep = dcc_path_normalize (cwd, a->dep_file);
      if (!returned (reply, dep))
        remove_regular (dep);
    }
}
