#include "response-file.h"
#include "dcc-error.h"
#include "dcc-io.h"
#include "dcc-limits.h"

GStrv
dcc_response_file_split (const char *text, gsize len)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(GString) cur = g_string_new (NULL);
  gboolean in_word = FALSE;
  char quote = 0;
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (c == '\\' && i + 1 < len)
        {
          g_string_append_c (cur, text[++i]);
          in_word = TRUE;
        }
      else if (quote)
        {
          if (c == quote)
            quote = 0;
          else
            g_string_append_c (cur, c);
        }
      else if (c == '\'' || c == '"')
        {
          quote = c;
          in_word = TRUE;
        }
      else if (g_ascii_isspace (c))
        {
          if (in_word)
            g_strv_builder_add (b, cur->str);
          g_string_truncate (cur, 0);
          in_word = FALSE;
        }
      else
        {
          g_string_append_c (cur, c);
          in_word = TRUE;
        }
    }
  if (in_word)
    g_strv_builder_add (b, cur->str);
  return g_strv_builder_end (b);
}

static gboolean
expand_into (GStrvBuilder *b, const char *const *argv, int depth, guint *count, GError **error)
{
  for (; *argv; argv++)
    {
      const char *arg = *argv;
      g_autofree guint8 *data = NULL;
      gsize len;
      if (arg[0] != '@' || arg[1] == '\0'
          || !dcc_io_read_file (arg + 1, DCC_MAX_FRAME, &data, &len, NULL))
        {
          if (++*count > DCC_MAX_ARGS)
            return dcc_fail (error, DCC_ERROR_LIMIT, "more than %u arguments", DCC_MAX_ARGS);
          g_strv_builder_add (b, arg);
          continue;
        }
      if (depth >= 8)
        return dcc_fail (error, DCC_ERROR_LIMIT, "response files nested too deeply at %s", arg);
      g_auto(GStrv) words = dcc_response_file_split ((const char *) data, len);
      if (!expand_into (b, (const char *const *) words, depth + 1, count, error))
        return FALSE;
    }
  return TRUE;
}

GStrv
dcc_response_files_expand (const char *const *argv, GError **error)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  guint count = 0;
  if (!expand_into (b, argv, 0, &count, error))
    return NULL;
  return g_strv_builder_end (b);
}
