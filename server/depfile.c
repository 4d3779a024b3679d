#include "depfile.h"
#include "job-mapping.h"
#include <string.h>


/* Splits the first rule into words: whitespace separates, "\\\n" is a
 * continuation, "\\ " an escaped space inside a word. *rest is the offset
 * just after the rule's final newline. */
static GPtrArray *
rule_words (const char *t, gsize len, gsize *rest)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  GString *w = g_string_new (NULL);
  gsize i = 0;
  for (; i < len; i++)
    {
      char c = t[i];
      if (c == '\\' && i + 1 < len && t[i + 1] == '\n')
        {
          i++;
          c = ' ';
        }
      else if (c == '\\' && i + 1 < len)
        {
          g_string_append_c (w, c);
          g_string_append_c (w, t[++i]);
          continue;
        }
      if (c == '\n' || c == ' ' || c == '\t')
        {
          if (w->len)
            g_ptr_array_add (words, g_strdup (w->str));
          g_string_truncate (w, 0);
          if (c == '\n')
            {
              i++;
              break;
            }
          continue;
        }
      g_string_append_c (w, c);
    }
  if (w->len)
    g_ptr_array_add (words, g_strdup (w->str));
  g_string_free (w, TRUE);
  *rest = i;
  return words;
}

static void
gcc_write_name (GString *out, const char *name, guint *col)
{
  gsize size = strlen (name);
  if (*col)
    {
      if (*col + size > 72)
        {
          g_string_append (out, " \\\n");
          *col = 0;
        }
      (*col)++;
      g_string_append_c (out, ' ');
    }
  *col += (guint) size;
  g_string_append (out, name);
}

/* The dependencies words[from..] after the ':', wrapped as the compiler
 * wraps them (clang counting a name's width with clang_width). */
static void
write_deps (GString *out, GPtrArray *words, guint from, gboolean clang, gsize (*clang_width) (const char *),
            guint *col)
{
  for (guint i = from; i < words->len; i++)
    {
      const char *d = words->pdata[i];
      if (!clang)
        gcc_write_name (out, d, col);
      else
        {
          gsize n = clang_width (d);
          if (*col + (n + 1) + 2 > 75)
            {
              g_string_append (out, " \\\n ");
              *col = 2;
            }
          g_string_append_c (out, ' ');
          g_string_append (out, d);
          *col += (guint) n + 1;
        }
    }
}

GBytes *
dcc_depfile_rewrap (const guint8 *text, gsize len, gboolean clang)
{
  gsize rest;
  g_autoptr(GPtrArray) words = rule_words ((const char *) text, len, &rest);
  /* The targets end with the word that ends in ':'. */
  guint colon = words->len;
  for (guint i = 0; i < words->len; i++)
    if (g_str_has_suffix (words->pdata[i], ":"))
      {
        colon = i;
        break;
      }
  if (colon == words->len)
    return g_bytes_new (text, len);   /* not a rule we understand: leave it */
  GString *out = g_string_new (NULL);
  guint col = 0;
  for (guint i = 0; i <= colon; i++)
    {
      g_autofree char *t = g_strdup (words->pdata[i]);
      if (i == colon)
        t[strlen (t) - 1] = '\0';
      if (!*t)
        continue;
      if (!clang)
        gcc_write_name (out, t, &col);
      else
        {
          gsize n = strlen (t);
          if (col == 0)
            col += (guint) n;
          else if (col + n + 2 > 75)
            {
              col = (guint) n + 2;
              g_string_append (out, " \\\n  ");
            }
          else
            {
              col += (guint) n + 1;
              g_string_append_c (out, ' ');
            }
          g_string_append (out, t);
        }
    }
  g_string_append_c (out, ':');
  col++;
  write_deps (out, words, colon + 1, clang, strlen, &col);
  g_string_append_c (out, '\n');
  g_string_append_len (out, (const char *) text + rest, (gssize) (len - rest));
  return g_string_free_to_bytes (out);
}

/* root removed from every place it occurs, as a GString to build on. */
static GString *
remove_root (const char *root, const char *t, gsize len)
{
  g_autoptr(GBytes) b = dcc_job_unmap_text (root, (const guint8 *) t, len);
  gsize n;
  const char *d = g_bytes_get_data (b, &n);
  return g_string_new_len (d, (gssize) n);
}

/* clang counts a dependency's width unescaped ("\ " and "\#" are one
 * character, "$$" is one). */
static gsize
clang_name_width (const char *w)
{
  gsize n = 0;
  for (const char *p = w; *p; p++, n++)
    if ((p[0] == '\\' && (p[1] == ' ' || p[1] == '#')) || (p[0] == '$' && p[1] == '$'))
      p++;
  return n;
}

GBytes *
dcc_depfile_unmap (const char *root, const guint8 *data, gsize len, gboolean clang)
{
  const char *t = (const char *) data;
  /* The first rule ends at the first newline that no backslash continues. */
  gsize end = 0;
  while (end < len && !(t[end] == '\n' && !(end > 0 && t[end - 1] == '\\')))
    end++;
  /* The targets end at the first ':' followed by white space or the end of
   * the rule (a target may hold ':' and, from -MT, spaces). */
  gsize colon = end;
  for (gsize i = 0; i < end; i++)
    if (t[i] == ':' && (i + 1 == end || t[i + 1] == ' ' || t[i + 1] == '\t' || t[i + 1] == '\n'
                        || (t[i + 1] == '\\' && i + 2 < len && t[i + 2] == '\n')))
      {
        colon = i;
        break;
      }
  if (colon == end)
    {
      g_autoptr(GString) all = remove_root (root, t, len);
      return dcc_depfile_rewrap ((const guint8 *) all->str, all->len, clang);
    }
  GString *out = g_string_new (NULL);
  guint col;
  g_autoptr(GString) targets = remove_root (root, t, colon);
  if (targets->len == colon)
    {
      /* The targets as the compiler wrapped them (their names are the
       * client's): the width so far is that of their last line. */
      g_string_append_len (out, t, (gssize) colon);
      const char *nl = memrchr (t, '\n', colon);
      col = (guint) (nl ? colon - (gsize) (nl + 1 - t) : colon);
    }
  else
    {
      /* A target named a job path: re-wrap the targets as words. */
      g_string_append (targets, ":\n");
      g_autoptr(GBytes) w = dcc_depfile_rewrap ((const guint8 *) targets->str, targets->len, clang);
      gsize wl;
      const char *ws = g_bytes_get_data (w, &wl);
      /* drop the ":\n" the re-wrap ends with */
      g_string_append_len (out, ws, (gssize) (wl >= 2 ? wl - 2 : 0));
      const char *nl = wl >= 2 ? memrchr (ws, '\n', wl - 2) : NULL;
      col = (guint) (nl ? wl - 2 - (gsize) (nl + 1 - ws) : (wl >= 2 ? wl - 2 : 0));
    }
  g_string_append_c (out, ':');
  col++;
  g_autoptr(GString) deps = remove_root (root, t + colon + 1, end - colon - 1);
  g_string_append_c (deps, '\n');
  gsize unused;
  g_autoptr(GPtrArray) words = rule_words (deps->str, deps->len, &unused);
  write_deps (out, words, 0, clang, clang_name_width, &col);
  g_string_append_c (out, '\n');
  if (end < len)
    {
      g_autoptr(GString) rest = remove_root (root, t + end + 1, len - end - 1);
      g_string_append_len (out, rest->str, (gssize) rest->len);
    }
  return g_string_free_to_bytes (out);
}
