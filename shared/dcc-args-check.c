/* The server's check of a received command line, and the client's
 * stripping and rewriting of one; see dcc-args.h. */
#include "dcc-args-private.h"

#include <string.h>

#include "dcc-error.h"
#include "dcc-limits.h"

/* ------------------------------------------------------------------------ */
/* Server check */

static gboolean
refuse (GError **error, const char *arg, const char *why)
{
  g_autofree char *shown = dcc_args_show (arg);
  return dcc_fail (error, DCC_ERROR_REFUSED, "refused argument '%s': %s", shown, why);
}

static gboolean
check_output_value (const char *arg, const char *value, GError **error)
{
  if (value == NULL)
    return TRUE;   /* the compiler itself will complain */
  if (!dcc_args_output_path_confined (value))
    {
      g_autofree char *shown = dcc_args_show (value);
      g_autofree char *why = g_strdup_printf ("output path '%s' outside the job directory", shown);
      return refuse (error, arg, why);
    }
  return TRUE;
}

/* Output options: name, and whether a joined value follows the name directly
 * (-oFILE) or after '=' (part of the name here). */
static const char *const output_opts[] = {
  "-o", "-MF", "-MJ", "-aux-info", "-dumpdir", "-dumpbase", "-serialize-diagnostics",
  "-ftime-trace=", "-foptimization-record-file=", "-fcrash-diagnostics-dir=",
  "-fmodules-cache-path=", "-fmodule-output=", "-fdeps-file=",
};

/* Checks one option (already translated from a long form). next is the
 * following argv element, the possible separate value. */
static gboolean
check_one (const char *arg, const char *o, const char *sep_value, GError **error)
{
  if (o[0] == '@')
    return refuse (error, arg, "response file");
  if (o[0] != '-')
    return TRUE;

  for (gsize k = 0; k < G_N_ELEMENTS (output_opts); k++)
    {
      const char *name = output_opts[k];
      gsize len = strlen (name);
      if (strncmp (o, name, len) != 0)
        continue;
      if (name[len - 1] == '=')
        return check_output_value (arg, o + len, error);
      if (o[len] == '\0')
        return check_output_value (arg, sep_value, error);
      if (o[len] == '=')
        return check_output_value (arg, o + len + 1, error);
      /* Joined value: only for the short ones (-oFILE, -MFFILE, -MJFILE). */
      if (strcmp (name, "-o") == 0 || strcmp (name, "-MF") == 0 || strcmp (name, "-MJ") == 0)
        return check_output_value (arg, o + len, error);
    }

  if (dcc_args_is_foreign_code_option (o))
    return refuse (error, arg, "loads or runs other programs");
  if (dcc_args_is_link_option (o))
    return refuse (error, arg, "linking option");
  if (g_str_has_prefix (o, "-fdump-"))
    return refuse (error, arg, "compiler dump files");
  if (g_str_has_prefix (o, "-fopt-info") && strchr (o, '=') != NULL)
    return refuse (error, arg, "optimization report to a file");
  if ((g_str_has_prefix (o, "-save-temps=") || g_str_has_prefix (o, "-save-stats=")) &&
      !g_str_has_suffix (o, "=cwd") && !g_str_has_suffix (o, "=obj"))
    return refuse (error, arg, "only =cwd and =obj are allowed");
  if (((g_str_has_prefix (o, "-fprofile-") && !dcc_args_is_harmless_profile_value_option (o)) ||
       g_str_has_prefix (o, "-fauto-profile") || g_str_has_prefix (o, "-fcs-profile-generate")) &&
      strchr (o, '=') != NULL)
    return refuse (error, arg, "profile data at a chosen path");
  if (strcmp (o, "-mllvm") == 0 && sep_value != NULL && dcc_args_mllvm_value_names_file (sep_value))
    return refuse (error, sep_value, "-mllvm option naming a file");
  return TRUE;
}

/* Items the driver hands to the preprocessor (-Wp, and -Xpreprocessor, in
 * order) are checked as one list, since -MD FILE can span two of them. */
static gboolean
check_cpp_items (GPtrArray *items, GError **error)
{
  for (guint j = 0; j < items->len; j++)
    {
      const char *it = items->pdata[j];
      const char *next = j + 1 < items->len ? items->pdata[j + 1] : NULL;

      if (strcmp (it, "-MD") == 0 || strcmp (it, "-MMD") == 0 || strcmp (it, "-MF") == 0)
        {
          if (!check_output_value (it, next, error))
            return FALSE;
        }
      else if (g_str_has_prefix (it, "-o"))
        return refuse (error, it, "preprocessor output override");
      else if (!check_one (it, it, next, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_asm_items (GPtrArray *items, GError **error)
{
  for (guint j = 0; j < items->len; j++)
    {
      const char *it = items->pdata[j];
      const char *problem = dcc_args_asm_item_problem (it, TRUE);
      if (problem != NULL)
        return refuse (error, it, problem);
    }
  return TRUE;
}

/* The comma-separated items of a -Wp, or -Wa, argument (list, after the
 * comma) appended to items; owned keeps their storage. */
static void
add_items (GPtrArray *owned, GPtrArray *items, const char *list)
{
  char **split = g_strsplit (list, ",", -1);
  g_ptr_array_add (owned, split);
  for (char **it = split; *it; it++)
    g_ptr_array_add (items, *it);
}

gboolean
dcc_args_check_server_safe (const char *const *argv, GError **error)
{
  g_autoptr (GPtrArray) cpp_items = g_ptr_array_new ();
  g_autoptr (GPtrArray) asm_items = g_ptr_array_new ();
  g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  gboolean xclang_expect_value = FALSE;
  guint argc = 0;

  g_return_val_if_fail (argv != NULL, FALSE);

  for (argc = 0; argv[argc]; argc++)
    {
      if (argc >= DCC_MAX_ARGS)
        return dcc_fail (error, DCC_ERROR_LIMIT, "more than %u arguments", DCC_MAX_ARGS);
      if (strnlen (argv[argc], DCC_MAX_ARG_LEN + 1) > DCC_MAX_ARG_LEN)
        return dcc_fail (error, DCC_ERROR_LIMIT, "argument %u longer than %u bytes",
                         argc, DCC_MAX_ARG_LEN);
    }

  for (guint i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      const char *next = argv[i + 1];

      if (a[0] == '@')
        return refuse (error, a, "response file");
      if (a[0] != '-')
        continue;

      if (g_str_has_prefix (a, "--") && a[2] != '\0')
        {
          /* Check the translation the driver would make; for names that
           * are not known aliases, the "-fname" and "-name" spellings. */
          ArgView v;
          gboolean ok;

          dcc_args_view_init (argv, (int) i, &v);
          ok = check_one (a, v.opt, v.value ? v.value : next, error);
          if (ok && v.owned != NULL)
            {
              /* Not a known alias: v.opt is "-fname"; also try "-name". */
              ok = check_one (a, a + 1, next, error);
            }
          if (ok && strcmp (v.opt, "-Xassembler") == 0 && v.value)
            g_ptr_array_add (asm_items, (gpointer) v.value);
          dcc_args_view_clear (&v);
          if (!ok)
            return FALSE;
          continue;
        }

      if (g_str_has_prefix (a, "-Wp,"))
        {
          add_items (owned, cpp_items, a + 4);
          continue;
        }
      if (strcmp (a, "-Xpreprocessor") == 0)
        {
          if (next != NULL)
            g_ptr_array_add (cpp_items, (gpointer) next);
          continue;
        }
      if (g_str_has_prefix (a, "-Wa,"))
        {
          add_items (owned, asm_items, a + 4);
          continue;
        }
      if (strcmp (a, "-Xassembler") == 0)
        {
          if (next != NULL)
            g_ptr_array_add (asm_items, (gpointer) next);
          continue;
        }
      if (strcmp (a, "-Xclang") == 0)
        {
          if (next == NULL || !dcc_args_xclang_value_allowed (next, &xclang_expect_value))
            return refuse (error, next ? next : a, "-Xclang option not known to be safe");
          continue;
        }
      if (!check_one (a, a, next, error))
        return FALSE;
    }

  return check_cpp_items (cpp_items, error) && check_asm_items (asm_items, error);
}

/* ------------------------------------------------------------------------ */

GStrv
dcc_args_strip_link_options (const char *const *argv)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  g_return_val_if_fail (argv != NULL, NULL);
  for (int i = 0; argv[i]; i++)
    {
      const char *a = argv[i];
      if (i > 0 && dcc_args_is_link_option (a))
        {
          /* Separate values: -Xlinker X, -l X, -L X, -T X, -z X. */
          if ((strcmp (a, "-Xlinker") == 0 || strcmp (a, "-l") == 0 || strcmp (a, "-L") == 0 ||
               strcmp (a, "-T") == 0 || strcmp (a, "-z") == 0) && argv[i + 1] != NULL)
            i++;
          continue;
        }
      if (i > 0 && dcc_args_takes_separate_value (a) && argv[i + 1] != NULL)
        {
          g_strv_builder_add (b, a);
          g_strv_builder_add (b, argv[++i]);
          continue;
        }
      g_strv_builder_add (b, a);
    }
  return g_strv_builder_end (b);
}

/* "-Wp,a,b,c" with the item after -MD/-MMD/-MF replaced by dep_file. */
static char *
rewrite_wp (const char *arg, const char *dep_file)
{
  g_auto (GStrv) items = g_strsplit (arg + 4, ",", -1);
  g_autofree char *joined = NULL;

  for (int j = 0; items[j]; j++)
    if ((strcmp (items[j], "-MD") == 0 || strcmp (items[j], "-MMD") == 0 ||
         strcmp (items[j], "-MF") == 0) && items[j + 1] != NULL)
      {
        g_free (items[j + 1]);
        items[j + 1] = g_strdup (dep_file);
        j++;
      }
  joined = g_strjoinv (",", items);
  return g_strconcat ("-Wp,", joined, NULL);
}

/* The element at index, holding value either alone or joined behind a
 * prefix ("-oFILE", "-MFFILE", "-Wp,...,FILE"), with the value replaced. */
static char *
rewrite_value (const char *elem, const char *old_value, const char *prefix, const char *new_value)
{
  if (strcmp (elem, old_value) == 0)
    return g_strdup (new_value);
  if (g_str_has_prefix (elem, "-Wp,"))
    return rewrite_wp (elem, new_value);
  return g_strconcat (prefix, new_value, NULL);
}

GStrv
dcc_args_rewrite (const DccCompileArgs *a, const char *source, const char *output,
                  const char *dep_file)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_auto (GStrv) replaced = NULL;

  g_return_val_if_fail (a != NULL, NULL);
  for (int i = 0; a->argv[i]; i++)
    {
      g_autofree char *changed = NULL;

      if (i == a->source_index && source != NULL)
        changed = g_strdup (source);
      else if (i == a->output_index && output != NULL)
        changed = rewrite_value (a->argv[i], a->output, "-o", output);
      else if (i == a->dep_file_index && dep_file != NULL)
        changed = rewrite_value (a->argv[i], a->dep_file, "-MF", dep_file);
      g_strv_builder_add (b, changed ? changed : a->argv[i]);
    }
  if (a->output_index < 0 && output != NULL)
    {
      g_strv_builder_add (b, "-o");
      g_strv_builder_add (b, output);
    }
  replaced = g_strv_builder_end (b);
  return dcc_args_strip_link_options ((const char *const *) replaced);
}
