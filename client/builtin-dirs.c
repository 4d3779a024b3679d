#include "builtin-dirs.h"
#include "dcc-error.h"
#include "dcc-hash.h"
#include "dcc-io.h"
#include "run-local.h"
#include <string.h>
#include <sys/stat.h>

GStrv
dcc_builtin_dirs_parse (const char *text, gsize len, GError **error)
{
  g_autofree char *copy = g_strndup (text, len);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  gboolean in_list = FALSE, seen_start = FALSE, seen_end = FALSE;
  for (char **l = lines; *l; l++)
    {
      if (g_str_has_prefix (*l, "#include <...> search starts here:"))
        {
          in_list = seen_start = TRUE;
          continue;
        }
      if (g_str_has_prefix (*l, "End of search list."))
        {
          seen_end = in_list;
          in_list = FALSE;
          continue;
        }
      if (in_list && (*l)[0] == ' ')
        {
          const char *dir = g_strstrip (*l);
          /* clang marks framework dirs; they do not occur on Linux. */
          if (g_str_has_suffix (dir, " (framework directory)"))
            continue;
          g_strv_builder_add (b, dir);
        }
    }
  if (!seen_start || !seen_end)
    return dcc_fail (error, DCC_ERROR_FAILED, "no search list in the compiler's -v output"), NULL;
  return g_strv_builder_end (b);
}

GStrv
dcc_builtin_dirs_preincludes (const char *text, gsize len, char **dirs)
{
  g_autofree char *copy = g_strndup (text, len);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  for (char **l = lines; *l; l++)
    {
      /* # 1 "/usr/include/stdc-predef.h" 1 3 4 */
      const char *q1 = strchr (*l, '"');
      const char *q2 = q1 ? strrchr (*l, '"') : NULL;
      if ((*l)[0] != '#' || !q1 || q2 == q1 || !g_str_has_prefix (q2, "\" 1"))
        continue;
      g_autofree char *file = g_strndup (q1 + 1, (gsize) (q2 - q1 - 1));
      if (file[0] != '/' || strcmp (file, "/dev/null") == 0)
        continue;
      for (char **d = dirs; d && *d; d++)
        {
          gsize n = strlen (*d);
          if (strncmp (file, *d, n) == 0 && file[n] == '/')
            {
              g_strv_builder_add (b, file + n + 1);
              break;
            }
        }
    }
  return g_strv_builder_end (b);
}

GStrv
dcc_builtin_dirs_flags (const DccCompileArgs *a)
{
  static const char *const exact[] = { "-m32", "-m64", "-mx32", "-m16", "-nostdinc", "-nostdinc++",
                                       "-ffreestanding", "-fno-hosted", NULL };
  static const char *const prefixes[] = { "--target=", "-target=", "--sysroot=", "-stdlib=",
                                          "--gcc-toolchain=", "-isysroot", NULL };
  static const char *const with_value[] = { "-target", "--sysroot", "-isysroot", NULL };
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  for (int i = 1; a->argv[i]; i++)
    {
      const char *arg = a->argv[i];
      gboolean take = FALSE;
      for (const char *const *e = with_value; *e && !take; e++)
        if (strcmp (arg, *e) == 0 && a->argv[i + 1])
          {
            g_strv_builder_add_many (b, arg, a->argv[i + 1], NULL);
            i++;
            take = TRUE;
          }
      if (take)
        continue;
      for (const char *const *e = exact; *e && !take; e++)
        take = strcmp (arg, *e) == 0;
      for (const char *const *p = prefixes; *p && !take; p++)
        take = g_str_has_prefix (arg, *p);
      if (take)
        g_strv_builder_add (b, arg);
    }
  return g_strv_builder_end (b);
}

/* The cache file: the dirs, a line "--", the preincludes. */
static GStrv
split_cached (const char *text, GStrv *preincludes)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GStrvBuilder) dirs = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) pre = g_strv_builder_new ();
  gboolean after = FALSE;
  for (char **l = lines; *l; l++)
    {
      if (strcmp (*l, "--") == 0)
        after = TRUE;
      else if (**l)
        g_strv_builder_add (after ? pre : dirs, *l);
    }
  *preincludes = g_strv_builder_end (pre);
  return g_strv_builder_end (dirs);
}

GStrv
dcc_builtin_dirs_get (const char *distcc_dir, const char *compiler_path, const DccCompileArgs *a,
                      GStrv *preincludes, GError **error)
{
  struct stat st;
  if (stat (compiler_path, &st) < 0)
    return dcc_fail_errno (error, "stat %s", compiler_path), NULL;
  g_auto(GStrv) flags = dcc_builtin_dirs_flags (a);
  const char *lang = dcc_args_lang_name (a->lang);
  /* The key names everything the answer depends on. */
  g_autoptr(GString) key = g_string_new (NULL);
  g_string_append_printf (key, "v2\n%s\n%lld.%09ld\n%lld\n%lld\n%s\n", compiler_path,
                          (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                          (long long) st.st_size, (long long) st.st_ino, lang);
  for (char **f = flags; *f; f++)
    g_string_append_printf (key, "%s\n", *f);
  DccHash h;
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_bytes (key->str, key->len, &h);
  dcc_hash_to_hex (&h, hex);
  g_autofree char *dir = g_build_filename (distcc_dir, "compilers", NULL);
  g_autofree char *path = g_build_filename (dir, hex, NULL);
  g_autofree guint8 *cached = NULL;
  gsize len;
  if (dcc_io_read_file (path, 1024 * 1024, &cached, &len, NULL))
    return split_cached ((const char *) cached, preincludes);

  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_strv_builder_add (b, compiler_path);
  g_strv_builder_addv (b, (const char **) flags);
  g_strv_builder_add_many (b, "-E", "-v", "-x", lang, "/dev/null", NULL);
  g_auto(GStrv) probe = g_strv_builder_end (b);
  g_autoptr(GBytes) out = NULL, err = NULL;
  int status;
  /* The markers we look for are translated in other locales. */
  static const char *const c_locale[] = { "LC_ALL=C", NULL };
  if (!dcc_run_capture (compiler_path, probe, c_locale, &out, &err, &status, error))
    return NULL;
  if (status != 0)
    return dcc_fail (error, DCC_ERROR_FAILED, "%s -E -v failed with status %d", compiler_path, status), NULL;
  g_auto(GStrv) dirs = dcc_builtin_dirs_parse (g_bytes_get_data (err, NULL), g_bytes_get_size (err), error);
  if (!dirs)
    return NULL;
  g_auto(GStrv) pre = dcc_builtin_dirs_preincludes (g_bytes_get_data (out, NULL), g_bytes_get_size (out), dirs);
  g_autofree char *joined_dirs = g_strjoinv ("\n", dirs);
  g_autofree char *joined_pre = g_strjoinv ("\n", pre);
  g_autofree char *joined = g_strdup_printf ("%s\n--\n%s\n", joined_dirs, joined_pre);
  g_mkdir_with_parents (dir, 0755);
  dcc_io_write_file_atomic (path, joined, strlen (joined), 0644, NULL);
  *preincludes = g_steal_pointer (&pre);
  return g_steal_pointer (&dirs);
}
