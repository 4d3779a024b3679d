#include "dcc-search-path.h"
#include "dcc-error.h"
#include <string.h>

static void
search_path_free (DccSearchPath *sp)
{
  g_strfreev (sp->quote_dirs);
  g_strfreev (sp->angled_dirs);
  g_strfreev (sp->implicit_includes);
  g_free (sp->key);
}

DccSearchPath *
dcc_search_path_ref (DccSearchPath *sp)
{
  return g_atomic_rc_box_acquire (sp);
}

void
dcc_search_path_unref (DccSearchPath *sp)
{
  g_atomic_rc_box_release_full (sp, (GDestroyNotify) search_path_free);
}

char *
dcc_search_path_absolute (const char *dir, const char *cwd)
{
  if (dir[0] == '/')
    return g_strdup (dir);
  if (g_str_equal (dir, "."))
    return g_strdup (cwd);
  return g_build_filename (cwd, dir, NULL);
}

/* Line markers `# 1 "PATH" 1 ...` in the -E output name the files the
 * compiler includes on its own (gcc's stdc-predef.h). */
static GPtrArray *
parse_implicit_includes (const char *preprocessed, const char *cwd)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (preprocessed ? preprocessed : "", "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *l = lines[i];
      if (l[0] != '#' || l[1] != ' ' || !g_ascii_isdigit (l[2]))
        continue;
      const char *q = strchr (l, '"');
      const char *e = q ? strchr (q + 1, '"') : NULL;
      if (!e || !g_str_has_prefix (e, "\" 1"))
        continue;
      g_autofree char *path = g_strndup (q + 1, (gsize) (e - q - 1));
      if (path[0] == '<' || g_str_equal (path, "/dev/null") || strchr (path, '\\'))
        continue;
      g_ptr_array_add (files, dcc_search_path_absolute (path, cwd));
    }
  return files;
}

gboolean
dcc_search_path_parse (const char *output, const char *preprocessed, const char *cwd,
                       DccSearchPath **out, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  g_autoptr(GPtrArray) quote = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) angled = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *current = NULL;
  gboolean seen_quote = FALSE, seen_angled = FALSE, seen_end = FALSE;

  for (guint i = 0; lines[i] && !seen_end; i++)
    {
      const char *line = lines[i];
      if (g_str_has_prefix (line, "#include \"...\" search starts here"))
        current = quote, seen_quote = TRUE;
      else if (g_str_has_prefix (line, "#include <...> search starts here"))
        current = angled, seen_angled = TRUE;
      else if (g_str_has_prefix (line, "End of search list"))
        seen_end = TRUE;
      else if (current && line[0] == ' ')
        {
          g_autofree char *dir = g_strstrip (g_strdup (line));
          /* clang on macOS marks framework dirs; they hold no plain headers. */
          if (g_str_has_suffix (dir, " (framework directory)"))
            continue;
          gsize n = strlen (dir);
          while (n > 1 && dir[n - 1] == '/')
            dir[--n] = '\0';
          if (n)
            g_ptr_array_add (current, dcc_search_path_absolute (dir, cwd));
        }
    }
  if (!seen_quote || !seen_angled || !seen_end)
    return dcc_fail (error, DCC_ERROR_FAILED, "compiler did not print its include search list");

  DccSearchPath *sp = g_atomic_rc_box_new0 (DccSearchPath);
  sp->n_quote = quote->len;
  sp->n_angled = angled->len;
  g_ptr_array_add (quote, NULL);
  g_ptr_array_add (angled, NULL);
  sp->quote_dirs = (char **) g_ptr_array_free (g_steal_pointer (&quote), FALSE);
  GPtrArray *implicit = parse_implicit_includes (preprocessed, cwd);
  g_ptr_array_add (implicit, NULL);
  sp->implicit_includes = (char **) g_ptr_array_free (implicit, FALSE);
  sp->angled_dirs = (char **) g_ptr_array_free (g_steal_pointer (&angled), FALSE);
  g_autoptr(GString) key = g_string_new (NULL);
  for (guint i = 0; i < sp->n_quote; i++)
    g_string_append_printf (key, "q%s\n", sp->quote_dirs[i]);
  for (guint i = 0; i < sp->n_angled; i++)
    g_string_append_printf (key, "a%s\n", sp->angled_dirs[i]);
  sp->key = g_string_free (g_steal_pointer (&key), FALSE);
  *out = sp;
  return TRUE;
}

