#include "plain-mode.h"
#include <string.h>

const char *
dcc_client_cpp_saves_temps (const DccCompileArgs *a)
{
  if (a->side_outputs)
    for (guint i = 0; i < a->side_outputs->len; i++)
      {
        const char *s = a->side_outputs->pdata[i];
        if (g_str_has_suffix (s, ".i") || g_str_has_suffix (s, ".ii") || g_str_has_suffix (s, ".s"))
          return "-save-temps would save the volunteer's intermediate files (use pump mode)";
      }
  for (int i = 1; a->argv[i]; i++)
    if (g_str_has_prefix (a->argv[i], "-save-temps"))
      return "-save-temps would save the volunteer's intermediate files (use pump mode)";
  return NULL;
}

const char *
dcc_plain_local_reason (const DccCompileArgs *a, gboolean is_clang)
{
  if (is_clang && a->debug_info)
    return "clang records source checksums in debug info; plain mode cannot keep them (use pump mode)";
  const char *r = dcc_client_cpp_saves_temps (a);
  if (r)
    return r;
  for (int i = 1; a->argv[i]; i++)
    /* The volunteer compiles the -fdirectives-only text as source, where
     * gcc warns about its line markers ("style of line directive is a GCC
     * extension"). (A .i file, as a stock volunteer compiles, has none.) */
    if (!is_clang && dcc_args_option_class (a->argv[i]) == DCC_OPT_PEDANTIC)
      return "gcc -pedantic would warn about the line markers of the preprocessed text (use pump mode)";
  return NULL;
}

gboolean
dcc_plain_leaves_out (const char *arg, gboolean macros_expanded, gboolean *with_value)
{
  const char *joined = NULL;
  const DccOption *o = dcc_args_option_find (arg, &joined);
  *with_value = FALSE;
  if (o == NULL || !(o->flags & DCC_OPT_BY_CPP) || (o->cls == DCC_OPT_DEFINE && !macros_expanded))
    return FALSE;
  *with_value = (o->flags & DCC_OPT_SEPARATE) && joined == NULL;
  return TRUE;
}

static GStrv
cpp_argv (const DccCompileArgs *a, gboolean is_clang, gboolean directives_only)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_strv_builder_add (b, a->argv[0]);
  for (int i = 1; a->argv[i]; i++)
    {
      const char *arg = a->argv[i];
      if (strcmp (arg, "-c") == 0 || strcmp (arg, "-S") == 0)
        continue;
      if (strcmp (arg, "-o") == 0)
        {
          i++;
          continue;
        }
      if (g_str_has_prefix (arg, "-o") || g_str_has_prefix (arg, "-save-temps"))
        continue;
      g_strv_builder_add (b, arg);
    }
  /* clang names -Wp,-MD's target after -o, which the preprocessing step
   * does not have (gcc names it after the source either way). */
  if (is_clang && a->deps_via_wp && !a->has_dep_target)
    g_strv_builder_add_many (b, "-MQ", a->output, NULL);
  g_strv_builder_add (b, "-E");
  if (directives_only)
    g_strv_builder_add (b, is_clang ? "-frewrite-includes" : "-fdirectives-only");
  /* The driver derives the dependency file and its target from -o, which
   * the preprocessing step does not have: say them explicitly. */
  if (a->want_deps)
    {
      gboolean has_mf = FALSE;
      for (int i = 1; a->argv[i]; i++)
        if (g_str_has_prefix (a->argv[i], "-MF"))
          has_mf = TRUE;
      if (!has_mf)
        g_strv_builder_add_many (b, "-MF", a->dep_file, NULL);
      if (!a->has_dep_target)
        g_strv_builder_add_many (b, "-MQ", a->output, NULL);
    }
  return g_strv_builder_end (b);
}

GStrv
dcc_plain_cpp_argv (const DccCompileArgs *a, gboolean is_clang)
{
  return cpp_argv (a, is_clang, TRUE);
}

GStrv
dcc_plain_cpp_argv_full (const DccCompileArgs *a, gboolean is_clang)
{
  return cpp_argv (a, is_clang, FALSE);
}

GStrv
dcc_plain_remote_argv (const DccCompileArgs *a)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_strv_builder_add (b, a->argv[0]);
  g_strv_builder_add (b, "-nostdinc");
  for (int i = 1; a->argv[i]; i++)
    {
      gboolean with_value;
      if (dcc_plain_leaves_out (a->argv[i], FALSE, &with_value))
        {
          if (with_value && a->argv[i + 1])
            i++;
          continue;
        }
      g_strv_builder_add (b, a->argv[i]);
    }
  return g_strv_builder_end (b);
}

static gboolean
is_pseudo_file (const char *line, gsize len)
{
  /* A line marker: # <digits> "<built-in>" or "<command-line>" ... */
  const char *q = memchr (line, '"', len);
  if (!q)
    return FALSE;
  gsize rest = len - (gsize) (q - line);
  return (rest >= 12 && memcmp (q, "\"<built-in>\"", 12) == 0)
      || (rest >= 16 && memcmp (q, "\"<command-line>\"", 16) == 0);
}

static gboolean
is_line_marker (const char *line, gsize len)
{
  return len >= 3 && line[0] == '#' && line[1] == ' ' && g_ascii_isdigit (line[2]);
}

GBytes *
dcc_plain_strip_predefined (const guint8 *text, gsize len)
{
  GByteArray *out = g_byte_array_sized_new ((guint) len);
  const char *p = (const char *) text, *end = p + len;
  gboolean in_pseudo = FALSE;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      gsize line_len = nl ? (gsize) (nl - p) + 1 : (gsize) (end - p);
      if (is_line_marker (p, line_len))
        in_pseudo = is_pseudo_file (p, line_len);
      else if (in_pseudo && line_len >= 7
               && (memcmp (p, "#define", 7) == 0 || memcmp (p, "#undef", 6) == 0))
        {
          p += line_len;
          continue;
        }
      g_byte_array_append (out, (const guint8 *) p, (guint) line_len);
      p += line_len;
    }
  return g_byte_array_free_to_bytes (out);
}

static gboolean
is_ident_char (guint8 c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* __COUNTER__ as a whole identifier in line[0..len). */
static gboolean
names_counter (const guint8 *line, gsize len)
{
  static const char word[] = "__COUNTER__";
  const gsize n = sizeof word - 1;
  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (line + i, word, n) == 0 && (i == 0 || !is_ident_char (line[i - 1]))
        && (i + n == len || !is_ident_char (line[i + n])))
      return TRUE;
  return FALSE;
}

gboolean
dcc_plain_counter_in_directive (const guint8 *text, gsize len)
{
  if (!memmem (text, len, "__COUNTER__", 11))
    return FALSE;
  gsize i = 0;
  while (i < len)
    {
      const guint8 *nl = memchr (text + i, '\n', len - i);
      gsize end = nl ? (gsize) (nl - text) : len;
      gsize p = i;
      while (p < end && (text[p] == ' ' || text[p] == '\t'))
        p++;
      if (p < end && text[p] == '#')
        {
          p++;
          while (p < end && (text[p] == ' ' || text[p] == '\t'))
            p++;
          gsize name = p;
          while (p < end && g_ascii_isalpha (text[p]))
            p++;
          gboolean definition = (p - name == 6 && memcmp (text + name, "define", 6) == 0)
                                || (p - name == 5 && memcmp (text + name, "undef", 5) == 0);
          /* the directive goes on over backslash-newlines */
          for (;;)
            {
              if (!definition && names_counter (text + i, end - i))
                return TRUE;
              gsize last = end;
              while (last > i && (text[last - 1] == '\r'))
                last--;
              if (end >= len || last == i || text[last - 1] != '\\')
                break;
              i = end + 1;
              nl = memchr (text + i, '\n', len - i);
              end = nl ? (gsize) (nl - text) : len;
            }
        }
      i = end + 1;
    }
  return FALSE;
}
