#include "dcc-compiler-id.h"
#include "dcc-error.h"
#include "dcc-hash.h"
#include "dcc-io.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Runs compiler with arguments; stdout and stderr captured, locale C. */
static gboolean
run (const char *compiler, const char *const *args, char **out, char **err, GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) compiler);
  for (const char *const *a = args; *a; a++)
    g_ptr_array_add (argv, (char *) *a);
  g_ptr_array_add (argv, NULL);
  g_autofree char *path_env = g_strconcat ("PATH=", g_getenv ("PATH") ? g_getenv ("PATH") : "/usr/bin:/bin", NULL);
  const char *envp[] = { "LC_ALL=C", path_env, NULL };
  int status;
  if (!g_spawn_sync (NULL, (char **) argv->pdata, (char **) envp, G_SPAWN_DEFAULT,
                     NULL, NULL, out, err, &status, error))
    return FALSE;
  return g_spawn_check_wait_status (status, error);
}

static char *
first_line (const char *s)
{
  const char *nl = strchr (s, '\n');
  return nl ? g_strndup (s, nl - s) : g_strdup (s);
}

static void
add_hash (GString *id, const char *key, const char *text)
{
  DccHash h;
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_bytes (text, strlen (text), &h);
  dcc_hash_to_hex (&h, hex);
  g_string_append_printf (id, " %s=%s", key, hex);
}

/* key=<hash of the file> for a program the driver runs; "-" when there is none. */
static void
add_program_hash (GString *id, const char *key, const char *path)
{
  g_autofree char *found = NULL;
  if (path && path[0] != '/')
    found = g_find_program_in_path (path);
  const char *p = found ? found : path;
  DccHash h;
  char hex[DCC_HASH_HEX_LEN + 1];
  if (p && p[0] == '/' && dcc_hash_file (p, &h, NULL, NULL))
    {
      dcc_hash_to_hex (&h, hex);
      g_string_append_printf (id, " %s=%s", key, hex);
    }
  else
    g_string_append_printf (id, " %s=-", key);
}

/* configure options that change what the compiler emits by default. Paths,
 * program names, languages, the build and host systems and checking do
 * not: a cross compiler built elsewhere for the same target matches. */
static gboolean
codegen_configure_option (const char *opt)
{
  static const char *const prefixes[] = {
    "--with-arch", "--with-tune", "--with-cpu", "--with-abi", "--with-float", "--with-fpu", "--with-mode",
    "--with-fp-", "--with-long-double", "--with-multilib-list", "--enable-multilib", "--disable-multilib",
    "--enable-default-", "--disable-default-", "--enable-cet", "--disable-cet", "--with-default-libstdcxx-abi",
    "--enable-fix-", "--disable-fix-", "--enable-gnu-unique-object", "--disable-gnu-unique-object",
    "--enable-threads", "--disable-threads", "--enable-standard-branch-protection", "--with-specs",
    "--enable-frame-pointer", "--disable-frame-pointer", "--enable-tls", "--disable-tls",
    "--enable-initfini-array", "--disable-initfini-array", "--enable-__cxa_atexit", "--disable-__cxa_atexit",
    "--with-dwarf2", "--enable-clocale", "--with-endian", "--with-stack-clash-protection",
    "--with-build-time-tools", NULL,
  };
  for (const char *const *p = prefixes; *p; p++)
    if (g_str_has_prefix (opt, *p))
      return TRUE;
  return FALSE;
}

/* The lines of -v that say what the compiler makes: version (with the
 * distribution's suffix), target, thread model, configure's code-generating
 * options. Paths (COLLECT_GCC, InstalledDir, found installations) left out.
 * *version_line receives the version line. */
static char *
v_configuration (const char *v, char **version_line)
{
  GString *s = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (v, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      char *line = g_strstrip (*l);
      if (g_str_has_prefix (line, "Configured with:"))
        {
          g_auto(GStrv) opts = g_strsplit (line + strlen ("Configured with:"), " ", -1);
          g_string_append (s, "configure:");
          for (char **o = opts; *o; o++)
            if (codegen_configure_option (*o))
              g_string_append_printf (s, " %s", *o);
          g_string_append_c (s, '\n');
        }
      else if (g_str_has_prefix (line, "Target:") || g_str_has_prefix (line, "Thread model:")
               || g_str_has_prefix (line, "Selected multilib:"))
        g_string_append_printf (s, "%s\n", line);
      else if (strstr (line, "gcc version ") == line || strstr (line, "clang version ") != NULL)
        {
          g_string_append_printf (s, "%s\n", line);
          if (!*version_line)
            *version_line = g_strdup (line);
        }
    }
  return g_string_free (s, FALSE);
}

/* Spec sections that are about linking do not change an object. */
static char *
compile_specs (const char *specs)
{
  static const char *const link_prefixes[] = {
    "link", "lib", "startfile", "endfile", "post_link", "linker", "md_exec_prefix", "md_startfile_prefix",
    "sysroot_", "multilib", "dynamic_linker", "esp_link", "fuse_linker_plugin", NULL,
  };
  GString *s = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (specs, "\n", -1);
  gboolean keep = FALSE;
  for (char **l = lines; *l; l++)
    {
      if ((*l)[0] == '*')
        {
          keep = TRUE;
          for (const char *const *p = link_prefixes; *p; p++)
            if (g_str_has_prefix (*l + 1, *p))
              keep = FALSE;
        }
      if (keep && **l)
        g_string_append_printf (s, "%s\n", *l);
    }
  return g_string_free (s, FALSE);
}

/* gcc -Q --help=...: one line per option with its default; lines naming
 * files (the temporary output's name) left out. */
static char *
option_defaults_gcc (const char *text)
{
  GString *s = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    if (!strchr (*l, '/'))
      g_string_append_printf (s, "%s\n", *l);
  return g_string_free (s, FALSE);
}

/* clang -###: the cc1 command line without paths (and without the input's
 * name), which holds its target CPU, features and code-generation defaults. */
static char *
option_defaults_clang (const char *text)
{
  GString *s = g_string_new (NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      if (!strstr (*l, "\"-cc1\""))
        continue;
      g_auto(GStrv) args = NULL;
      if (!g_shell_parse_argv (*l, NULL, &args, NULL))
        continue;
      for (int i = 0; args[i]; i++)
        {
          if (strchr (args[i], '/'))
            continue;
          if (strcmp (args[i], "-main-file-name") == 0 && args[i + 1])
            {
              i++;
              continue;
            }
          g_string_append_printf (s, "%s\n", args[i]);
        }
    }
  return g_string_free (s, FALSE);
}

static const char *
gcc_help_lang (const char *lang)
{
  if (strcmp (lang, "c") == 0)
    return "--help=c";
  if (strcmp (lang, "c++") == 0)
    return "--help=c++";
  if (strcmp (lang, "objective-c") == 0)
    return "--help=objc";
  if (strcmp (lang, "objective-c++") == 0)
    return "--help=objc++";
  return NULL;
}

static char *
compute (const char *compiler, const char *lang, gboolean strict, GError **error)
{
  g_autofree char *v_out = NULL, *v_err = NULL;
  const char *v_args[] = { "-v", NULL };
  if (!run (compiler, v_args, &v_out, &v_err, error))
    return NULL;
  gboolean is_clang = strstr (v_err, "clang version ") != NULL;
  gboolean is_gcc = !is_clang && strstr (v_err, "gcc version ") != NULL;
  g_autofree char *version_line = NULL;
  g_autofree char *cfg = v_configuration (v_err, &version_line);

  g_autofree char *version = NULL, *machine = NULL, *ignored = NULL;
  const char *ver_args[] = { is_clang ? "-dumpversion" : "-dumpfullversion", NULL };
  const char *mach_args[] = { "-dumpmachine", NULL };
  if (!run (compiler, ver_args, &version, &ignored, error))
    return NULL;
  g_clear_pointer (&ignored, g_free);
  if (!run (compiler, mach_args, &machine, &ignored, error))
    return NULL;
  g_clear_pointer (&ignored, g_free);
  g_strstrip (version);
  g_strstrip (machine);

  GString *id = g_string_new (NULL);
  g_string_append_printf (id, "%s %s %s", is_clang ? "clang" : is_gcc ? "gcc" : "cc",
                          *version ? version : "-", *machine ? machine : "-");
  add_hash (id, "ver", version_line ? version_line : "");
  add_hash (id, "cfg", cfg);

  /* Predefined macros for the language: -march, -fPIE, char signedness,
   * _FORTIFY_SOURCE, __CET__ and the like all show here. */
  g_autofree char *macros = NULL;
  const char *mac_args[] = { "-x", lang, "-dM", "-E", "/dev/null", NULL };
  if (!run (compiler, mac_args, &macros, &ignored, NULL))
    g_clear_pointer (&macros, g_free);
  g_clear_pointer (&ignored, g_free);
  add_hash (id, "mac", macros ? macros : "");

  g_autofree char *opts = NULL, *opts_err = NULL;
  if (is_clang)
    {
      const char *args[] = { "-###", "-x", lang, "-c", "/dev/null", "-o", "/dev/null", NULL };
      if (run (compiler, args, &opts, &opts_err, NULL))
        {
          g_autofree char *d = option_defaults_clang (opts_err);
          add_hash (id, "opt", d);
        }
      else
        add_hash (id, "opt", "");
    }
  else
    {
      const char *help_lang = gcc_help_lang (lang);
      const char *args[] = { "-Q", "--help=target", "--help=common", "--help=optimizers",
                             help_lang ? help_lang : NULL, NULL };
      if (run (compiler, args, &opts, &opts_err, NULL))
        {
          g_autofree char *d = option_defaults_gcc (opts);
          add_hash (id, "opt", d);
        }
      else
        add_hash (id, "opt", "");
      g_autofree char *specs = NULL;
      const char *spec_args[] = { "-dumpspecs", NULL };
      if (run (compiler, spec_args, &specs, &ignored, NULL))
        {
          g_autofree char *c = compile_specs (specs);
          add_hash (id, "spec", c);
        }
      else
        add_hash (id, "spec", "");
      g_clear_pointer (&ignored, g_free);
      /* The assembler writes the object: its version matters too. */
      g_autofree char *as = NULL;
      const char *as_args[] = { "-print-prog-name=as", NULL };
      if (run (compiler, as_args, &as, &ignored, NULL))
        g_strstrip (as);
      g_clear_pointer (&ignored, g_free);
      g_autofree char *as_path = as && as[0] != '/' ? g_find_program_in_path (as) : g_strdup (as);
      g_autofree char *as_version = NULL;
      const char *asv_args[] = { "--version", NULL };
      if (as_path && run (as_path, asv_args, &as_version, &ignored, NULL))
        {
          g_autofree char *l = first_line (as_version);
          add_hash (id, "as", l);
        }
      else
        add_hash (id, "as", "");
    }

  if (strict)
    {
      g_autofree char *real = realpath (compiler, NULL);
      add_program_hash (id, "bin-driver", real ? real : compiler);
      if (is_gcc)
        {
          const char *backend = strcmp (lang, "c++") == 0 ? "cc1plus"
                              : strcmp (lang, "objective-c") == 0 ? "cc1obj"
                              : strcmp (lang, "objective-c++") == 0 ? "cc1objplus" : "cc1";
          g_autofree char *q = g_strconcat ("-print-prog-name=", backend, NULL);
          g_autofree char *cc1 = NULL, *e1 = NULL, *as = NULL, *e2 = NULL;
          const char *q_args[] = { q, NULL };
          const char *as_args[] = { "-print-prog-name=as", NULL };
          if (run (compiler, q_args, &cc1, &e1, NULL))
            g_strstrip (cc1);
          if (run (compiler, as_args, &as, &e2, NULL))
            g_strstrip (as);
          add_program_hash (id, "bin-backend", cc1);
          add_program_hash (id, "bin-as", as);
        }
    }
  if (version_line)
    {
      g_autofree char *shown = dcc_escape_for_log (version_line, 200);
      g_strdelimit (shown, "|", '/');
      g_string_append_printf (id, " | %s", shown);
    }
  if (id->len >= DCC_COMPILER_ID_MAX)
    g_string_truncate (id, DCC_COMPILER_ID_MAX - 1);
  return g_string_free (id, FALSE);
}

char *
dcc_compiler_id_get (const char *compiler_path, const char *lang, const char *cache_dir, gboolean strict,
                     GError **error)
{
  struct stat st;
  if (stat (compiler_path, &st) < 0)
    return dcc_fail_errno (error, "stat %s", compiler_path), NULL;
  g_autofree char *key = g_strdup_printf ("id2\n%s\n%lld.%09ld\n%lld\n%lld\n%s\n%d\n", compiler_path,
                                          (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                                          (long long) st.st_size, (long long) st.st_ino, lang, strict);
  /* A client asks twice per compile (the request, then the host's note
   * after a success): the second answer comes from memory. */
  static char *last_key, *last_id;
  if (g_strcmp0 (last_key, key) == 0)
    return g_strdup (last_id);
  DccHash h;
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_bytes (key, strlen (key), &h);
  dcc_hash_to_hex (&h, hex);
  g_autofree char *dir = cache_dir ? g_build_filename (cache_dir, "compilers", NULL) : NULL;
  g_autofree char *path = dir ? g_strconcat (dir, "/", hex, ".id", NULL) : NULL;
  g_autofree guint8 *cached = NULL;
  gsize len;
  char *id = NULL;
  if (path && dcc_io_read_file (path, DCC_COMPILER_ID_MAX, &cached, &len, NULL) && len > 0)
    id = g_strndup ((const char *) cached, len);
  else
    {
      id = compute (compiler_path, lang, strict, error);
      if (id && path)
        {
          g_mkdir_with_parents (dir, 0755);
          dcc_io_write_file_atomic (path, id, strlen (id), 0644, NULL);
        }
    }
  if (id)
    {
      g_free (last_key);
      g_free (last_id);
      last_key = g_strdup (key);
      last_id = g_strdup (id);
    }
  return id;
}

gboolean
dcc_compiler_match_strict_from_env (char **why)
{
  const char *v = g_getenv ("DISTCC_COMPILER_MATCH");
  if (!v || !*v || strcmp (v, "output") == 0)
    return FALSE;
  if (strcmp (v, "strict") == 0)
    return TRUE;
  if (why)
    *why = g_strdup_printf ("DISTCC_COMPILER_MATCH=%s is neither \"output\" nor \"strict\"; using \"output\"", v);
  return FALSE;
}

typedef struct {
  char       *words[3];   /* kind, version, target */
  GHashTable *fields;     /* key -> value */
  char       *note;       /* free text after " | " */
} ParsedId;

static void
parsed_id_clear (ParsedId *p)
{
  for (int i = 0; i < 3; i++)
    g_clear_pointer (&p->words[i], g_free);
  g_clear_pointer (&p->fields, g_hash_table_unref);
  g_clear_pointer (&p->note, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ParsedId, parsed_id_clear)

/* Splits the text form into its three words and key=value fields. FALSE
 * when malformed. */
static gboolean
parse (const char *id, ParsedId *p)
{
  p->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *bar = strstr (id, " | ");
  g_autofree char *head = bar ? g_strndup (id, bar - id) : g_strdup (id);
  p->note = g_strdup (bar ? bar + 3 : "");
  g_auto(GStrv) toks = g_strsplit (head, " ", -1);
  int n = 0;
  for (char **t = toks; *t; t++)
    {
      if (!**t)
        continue;
      char *eq = strchr (*t, '=');
      if (n < 3)
        {
          if (eq)
            return FALSE;
          p->words[n++] = g_strdup (*t);
        }
      else if (!eq || eq == *t)
        return FALSE;
      else
        g_hash_table_insert (p->fields, g_strndup (*t, eq - *t), g_strdup (eq + 1));
    }
  return n == 3;
}

static const char *
field_name (const char *key)
{
  static const struct { const char *key, *name; } names[] = {
    { "ver", "version string" },         { "cfg", "configuration (-v)" },
    { "mac", "predefined macros" },      { "opt", "option defaults" },
    { "spec", "specs" },                 { "as", "assembler version" },
    { "bin-driver", "driver binary" },   { "bin-backend", "back end binary" },
    { "bin-as", "assembler binary" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (names[i].key, key) == 0)
      return names[i].name;
  return key;
}

gboolean
dcc_compiler_id_is_strict (const char *id)
{
  return strstr (id, " bin-driver=") != NULL;
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char *
dcc_compiler_id_compare (const char *theirs, const char *ours)
{
  g_auto(ParsedId) t = { 0 };
  g_auto(ParsedId) o = { 0 };
  if (!parse (theirs, &t) || !parse (ours, &o))
    {
      g_autofree char *shown = dcc_escape_for_log (theirs, 200);
      return g_strdup_printf ("compiler differs: the client's identity \"%s\" is malformed", shown);
    }
  g_autoptr(GPtrArray) diffs = g_ptr_array_new_with_free_func (g_free);
  static const char *const word_names[] = { "kind", "version", "target" };
  for (int i = 0; i < 3; i++)
    if (strcmp (t.words[i], o.words[i]) != 0)
      g_ptr_array_add (diffs, g_strdup (word_names[i]));
  /* Another kind, version or target says it all; the digests differ then. */
  gboolean words_differ = diffs->len > 0;
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, o.fields);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_ptr_array_add (keys, k);
  g_hash_table_iter_init (&it, t.fields);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (!g_hash_table_contains (o.fields, k))
      g_ptr_array_add (keys, k);
  g_ptr_array_sort (keys, cmp_str);
  gboolean needs_strict = FALSE;
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = keys->pdata[i];
      const char *a = g_hash_table_lookup (t.fields, key), *b = g_hash_table_lookup (o.fields, key);
      if (!a && g_str_has_prefix (key, "bin-"))
        needs_strict = TRUE;
      else if (!words_differ && (!a || !b || strcmp (a, b) != 0))
        g_ptr_array_add (diffs, g_strdup (field_name (key)));
    }
  if (diffs->len == 0)
    return needs_strict ? g_strdup ("compiler differs: the volunteer requires DISTCC_COMPILER_MATCH=strict") : NULL;
  g_ptr_array_add (diffs, NULL);
  g_autofree char *what = g_strjoinv (", ", (char **) diffs->pdata);
  g_autofree char *tnote = dcc_escape_for_log (t.note, 120), *onote = dcc_escape_for_log (o.note, 120);
  g_autofree char *tw0 = dcc_escape_for_log (t.words[0], 40), *tw1 = dcc_escape_for_log (t.words[1], 40),
                  *tw2 = dcc_escape_for_log (t.words[2], 80);
  return g_strdup_printf ("compiler differs in %s: client has %s %s %s (%s), volunteer has %s %s %s (%s)",
                          what, tw0, tw1, tw2, tnote, o.words[0], o.words[1], o.words[2], onote);
}

char *
dcc_compiler_id_summary (const char *id)
{
  g_auto(GStrv) toks = g_strsplit (id, " ", 4);
  if (g_strv_length (toks) < 3)
    return dcc_escape_for_log (id, 80);
  g_autofree char *s = g_strdup_printf ("%s %s %s%s", toks[0], toks[1], toks[2],
                                        dcc_compiler_id_is_strict (id) ? " (strict)" : "");
  return dcc_escape_for_log (s, 200);
}

char *
dcc_compiler_id_target (const char *id)
{
  g_auto(GStrv) toks = g_strsplit (id, " ", 4);
  if (g_strv_length (toks) < 3 || strchr (toks[2], '='))
    return NULL;
  return g_strdup (toks[2]);
}
