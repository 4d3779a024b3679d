#include "builtin-dirs.h"
#include "dcc-error.h"
#include "dcc-hash.h"
#include "dcc-io.h"
#include "dcc-search-path.h"
#include "run-local.h"
#include <string.h>
#include <sys/stat.h>

/* Files the compiler includes by itself, as names relative to the builtin
 * dir that holds them ("stdc-predef.h"): the volunteer finds them in its
 * copy of that dir. */
static GStrv
relative_preincludes (const DccSearchPath *sp)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  for (char **f = sp->implicit_includes; f && *f; f++)
    for (char **d = sp->angled_dirs; d && *d; d++)
      {
        gsize n = strlen (*d);
        if (strncmp (*f, *d, n) == 0 && (*f)[n] == '/')
          {
            g_strv_builder_add (b, *f + n + 1);
            break;
          }
      }
  return g_strv_builder_end (b);
}

GStrv
dcc_builtin_dirs_flags (const DccCompileArgs *a)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  for (int i = 1; a->argv[i]; i++)
    {
      const char *arg = a->argv[i];
      const char *joined = NULL;
      const DccOption *o = dcc_args_option_find (arg, &joined);
      if (o == NULL || !(o->flags & DCC_OPT_BUILTIN))
        continue;
      g_strv_builder_add (b, arg);
      /* Its value, given separately. */
      if ((o->flags & DCC_OPT_SEPARATE) && joined == NULL && strcmp (arg, o->name) == 0
          && a->argv[i + 1])
        g_strv_builder_add (b, a->argv[++i]);
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
  g_autofree char *err_text = g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err));
  g_autofree char *out_text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_autoptr(DccSearchPath) sp = NULL;
  if (!dcc_search_path_parse (err_text, out_text, "/", &sp, error))
    return NULL;
  g_auto(GStrv) dirs = g_strdupv (sp->angled_dirs);
  g_auto(GStrv) pre = relative_preincludes (sp);
  g_autofree char *joined_dirs = g_strjoinv ("\n", dirs);
  g_autofree char *joined_pre = g_strjoinv ("\n", pre);
  g_autofree char *joined = g_strdup_printf ("%s\n--\n%s\n", joined_dirs, joined_pre);
  g_mkdir_with_parents (dir, 0755);
  dcc_io_write_file_atomic (path, joined, strlen (joined), 0644, NULL);
  *preincludes = g_steal_pointer (&pre);
  return g_steal_pointer (&dirs);
}
