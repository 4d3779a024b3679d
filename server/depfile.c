#include "depfile.h"
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
  for (guint i = colon + 1; i < words->len; i++)
    {
      const char *d = words->pdata[i];
      if (!clang)
        gcc_write_name (out, d, &col);
      else
        {
          gsize n = strlen (d);
          if (col + (n + 1) + 2 > 75)
            {
              g_string_append (out, " \\\n ");
              col = 2;
            }
          g_string_append_c (out, ' ');
          g_string_append (out, d);
          col += (guint) n + 1;
        }
    }
  g_string_append_c (out, '\n');
  g_string_append_len (out, (const char *) text + rest, (gssize) (len - rest));
  return g_string_free_to_bytes (out);
}
