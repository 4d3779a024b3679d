#include "job-mapping.h"
#include "dcc-args.h"
#include "dcc-strv.h"
#include <string.h>

static const char *
compiler_basename (const char *compiler)
{
  const char *slash = strrchr (compiler, '/');
  return slash ? slash + 1 : compiler;
}

gboolean
dcc_job_clang_externc_dir (const char *dir)
{
  /* What clang's Linux toolchain adds with addExternCSystemInclude:
   * /usr/include/<multiarch>, /include and /usr/include (its C++ library
   * dirs, resource dir and /usr/local/include are plain system dirs). */
  if (strcmp (dir, "/usr/include") == 0 || strcmp (dir, "/include") == 0)
    return TRUE;
  if (!g_str_has_prefix (dir, "/usr/include/"))
    return FALSE;
  const char *rest = dir + strlen ("/usr/include/");
  return rest[0] != '\0' && strchr (rest, '/') == NULL && strchr (rest, '-') != NULL;
}

gboolean
dcc_job_gcc_cxx_aware_dir (const char *dir)
{
  /* gcc's include defaults (cppdefault.cc) mark the C++ library dirs and
   * /usr/local/include[/<multiarch>] "C++ aware"; its own include dir,
   * include-fixed and /usr/include[/<multiarch>] are not. */
  if (strcmp (dir, "/usr/local/include") == 0)
    return TRUE;
  if (g_str_has_prefix (dir, "/usr/local/include/"))
    return strchr (dir + strlen ("/usr/local/include/"), '/') == NULL;
  return strstr (dir, "/c++/") != NULL || g_str_has_suffix (dir, "/c++");
}

/* gcc marks a system dir "C++ aware" ("# 1 FILE 1 3" in a -save-temps .i)
 * or not ("1 3 4") by how it was given: -isystem and -idirafter dirs never
 * are, the standard dirs as its table says, and the dirs of C_INCLUDE_PATH,
 * CPLUS_INCLUDE_PATH (...) always, searched after every -isystem dir and
 * before the -idirafter ones. So the builtin dirs are given as three runs:
 * the leading ones that are not aware as -isystem, the aware ones that
 * follow in the environment, the rest as -idirafter (an aware dir among
 * these, which gcc's own order never makes but /usr/local/include in C++,
 * keeps its place and loses its kind). */
static void
gcc_sysdir_runs (const char *const *sysdirs, guint n, guint *env_start, guint *after_start)
{
  guint i = 0;
  while (i < n && !dcc_job_gcc_cxx_aware_dir (sysdirs[i]))
    i++;
  *env_start = i;
  while (i < n && dcc_job_gcc_cxx_aware_dir (sysdirs[i]) && !strchr (sysdirs[i], ':'))
    i++;
  *after_start = i;
}

char *
dcc_job_gcc_env_dirs (const char *root, const char *compiler, const char *const *sysdirs, guint n)
{
  if (strstr (compiler_basename (compiler), "clang") || strchr (root, ':'))
    return NULL;
  guint env_start, after_start;
  gcc_sysdir_runs (sysdirs, n, &env_start, &after_start);
  if (env_start == after_start)
    return NULL;
  GString *v = g_string_new (NULL);
  for (guint i = env_start; i < after_start; i++)
    g_string_append_printf (v, "%s%s%s", i > env_start ? ":" : "", root, sysdirs[i]);
  return g_string_free (v, FALSE);
}

/* Options that add to gcc's "after" chain, which the builtin dirs given
 * with -idirafter must precede. */
static gboolean
after_chain_option (const char *arg)
{
  static const char *const longs[] = { "--include-directory-after", "--include-with-prefix",
                                       "--include-with-prefix-after", NULL };
  for (const char *const *l = longs; *l; l++)
    if (g_str_has_prefix (arg, *l) && (arg[strlen (*l)] == '\0' || arg[strlen (*l)] == '='))
      return TRUE;
  if (!g_str_has_prefix (arg, "-idirafter") && !g_str_has_prefix (arg, "-iwithprefix"))
    return FALSE;
  return !g_str_has_prefix (arg, "-iwithprefixbefore");
}

GStrv
dcc_job_map_argv (const char *root, const char *compiler, const char *const *argv,
                  int source_index, int output_index,
                  const char *const *sysdirs, guint n_sysdirs,
                  const char *const *preincludes, guint n_preincludes)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) extra = g_strv_builder_new ();
  g_strv_builder_add (b, compiler);
  /* Two maps, not -ffile-prefix-map: gcc files -fmacro-prefix-map in
   * command-line order with the C options, -ffile-prefix-map later with the
   * common ones, and the map added last is tried first. Given first, ours
   * are tried last, after the user's maps duplicated below. */
  dcc_strv_builder_take (b, g_strdup_printf ("-fdebug-prefix-map=%s=", root));
  dcc_strv_builder_take (b, g_strdup_printf ("-fmacro-prefix-map=%s=", root));
  /* -nostdinc below stops the compiler's own implicit include; say it
   * explicitly, first, as the compiler would have done it. */
  for (guint i = 0; i < n_preincludes; i++)
    g_strv_builder_add_many (b, "-include", preincludes[i], NULL);
  /* gcc: the builtin dirs in three runs (gcc_sysdir_runs), the last
   * before the user's first "after" option; clang: all at the end (it
   * takes its -internal-* dirs after every -isystem). */
  gboolean clang = strstr (compiler_basename (compiler), "clang") != NULL;
  guint env_start = n_sysdirs, after_start = n_sysdirs;
  if (!clang && n_sysdirs > 0)
    {
      gcc_sysdir_runs (sysdirs, n_sysdirs, &env_start, &after_start);
      if (strchr (root, ':'))
        after_start = env_start;
    }
  gboolean after_added = FALSE;
  /* Absolute paths move into the tree: the source, the output, and the
   * values, joined or separate, of the option table's DCC_OPT_PATH options.
   * Values of other options (-MT targets, -D values) are text: never mapped. */
  for (int i = 1; argv[i]; i++)
    {
      const char *arg = argv[i];
      gsize off;
      if (!after_added && !clang && after_chain_option (arg))
        {
          for (guint j = after_start; j < n_sysdirs; j++)
            dcc_strv_builder_take (b, g_strconcat ("-idirafter", root, sysdirs[j], NULL));
          after_added = TRUE;
        }
      if (arg[0] == '/' && (i == source_index || i == output_index
                            || (i > 1 && dcc_args_path_option_alone (argv[i - 1]))))
        {
          dcc_strv_builder_take (b, g_strconcat (root, arg, NULL));
          continue;
        }
      if ((off = dcc_args_path_joined_offset (arg)) > 0)
        {
          g_autofree char *opt = g_strndup (arg, off);
          dcc_strv_builder_take (b, g_strconcat (opt, root, arg + off, NULL));
          continue;
        }
      g_strv_builder_add (b, arg);
      const char *map = dcc_args_prefix_map (arg);
      if (map && arg[strlen (map)] == '/')
        dcc_strv_builder_take (extra, g_strconcat (map, root, arg + strlen (map), NULL));
    }
  g_auto(GStrv) extras = g_strv_builder_end (extra);
  g_strv_builder_addv (b, (const char **) extras);
  /* Pump mode: the client's builtin include dirs, from its copies, in the
   * compiler's order; user -isystem dirs come first, -idirafter after.
   * Each keeps its kind (the "4" of "1 3 4" in a -save-temps .i): clang's
   * extern-C system dirs as clang's driver gives them (clang lists them
   * after its other builtin dirs, and takes its -internal-* dirs after
   * every -isystem, so the order holds); gcc's in three runs, above. */
  if (n_sysdirs > 0)
    g_strv_builder_add (b, "-nostdinc");
  for (guint i = 0; i < n_sysdirs; i++)
    if (clang && dcc_job_clang_externc_dir (sysdirs[i]))
      {
        g_strv_builder_add_many (b, "-Xclang", "-internal-externc-isystem", "-Xclang", NULL);
        dcc_strv_builder_take (b, g_strconcat (root, sysdirs[i], NULL));
      }
    else if (clang || i < env_start)
      dcc_strv_builder_take (b, g_strconcat ("-isystem", root, sysdirs[i], NULL));
    else if (i >= after_start && !after_added)
      dcc_strv_builder_take (b, g_strconcat ("-idirafter", root, sysdirs[i], NULL));
  /* (env_start .. after_start: dcc_job_gcc_env_dirs) */
  return g_strv_builder_end (b);
}

GStrv
dcc_job_forwarded_env (GPtrArray *client_env)
{
  static const char *const allowed[] = {
    "SOURCE_DATE_EPOCH", "LANG", "LC_ALL", "LC_MESSAGES", "LC_CTYPE", "LANGUAGE", "GCC_COLORS",
    "GCC_URLS", "TERM_URLS", "GCC_EXTRA_DIAGNOSTIC_OUTPUT", "TZ", NULL
  };
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  for (guint i = 0; client_env && i < client_env->len; i++)
    {
      const char *kv = client_env->pdata[i];
      for (const char *const *a = allowed; *a; a++)
        if (g_str_has_prefix (kv, *a) && kv[strlen (*a)] == '=')
          g_strv_builder_add (b, kv);
    }
  return g_strv_builder_end (b);
}
GBytes *
dcc_job_unmap_text (const char *root, const guint8 *text, gsize len)
{
  gsize rlen = strlen (root);
  GByteArray *out = g_byte_array_sized_new ((guint) len);
  gsize i = 0;
  while (i < len)
    {
      const guint8 *hit = rlen && len - i >= rlen ? memmem (text + i, len - i, root, rlen) : NULL;
      if (!hit)
        {
          g_byte_array_append (out, text + i, (guint) (len - i));
          break;
        }
      g_byte_array_append (out, text + i, (guint) (hit - (text + i)));
      i = (gsize) (hit - text) + rlen;
    }
  return g_byte_array_free_to_bytes (out);
}

GBytes *
dcc_job_root_markers (const guint8 *text, gsize len, const char *source, const char *root)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", source);
  gsize qlen = strlen (quoted);
  GByteArray *out = g_byte_array_sized_new ((guint) len + 64);
  const char *p = (const char *) text, *end = p + len;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      gsize line_len = nl ? (gsize) (nl - p) + 1 : (gsize) (end - p);
      /* # DIGITS "SOURCE"[ flags] */
      gsize i = 2;
      if (line_len > 3 && p[0] == '#' && p[1] == ' ' && g_ascii_isdigit (p[2]))
        {
          while (i < line_len && g_ascii_isdigit (p[i]))
            i++;
          if (i + 1 + qlen <= line_len && p[i] == ' ' && memcmp (p + i + 1, quoted, qlen) == 0
              && (i + 1 + qlen == line_len || p[i + 1 + qlen] == ' ' || p[i + 1 + qlen] == '\n'))
            {
              g_byte_array_append (out, (const guint8 *) p, (guint) (i + 2));
              g_byte_array_append (out, (const guint8 *) root, (guint) strlen (root));
              g_byte_array_append (out, (const guint8 *) p + i + 2, (guint) (line_len - i - 2));
              p += line_len;
              continue;
            }
        }
      g_byte_array_append (out, (const guint8 *) p, (guint) line_len);
      p += line_len;
    }
  return g_byte_array_free_to_bytes (out);
}
