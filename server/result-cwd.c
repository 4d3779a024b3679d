/* Where the working directory can reach a compile's output; see
 * result-cwd.h and doc/result-cache.md, "The working directory". */
#include "result-cwd.h"
#include "result-cache.h"
#include "dcc-args.h"
#include "dcc-path.h"
#include <string.h>

/* ---- paths, lexically ---- */

static guint
depth_abs (const char *p)
{
  guint n = 0;
  for (const char *c = p; *c; c++)
    if (*c == '/' && c[1] != '\0' && c[1] != '/')
      n++;
  return n;
}

/* p is cwd or below it. */
static gboolean
under (const char *p, const char *cwd)
{
  gsize n = strlen (cwd);
  return strncmp (p, cwd, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/* p is "/" or a directory above cwd. */
static gboolean
above (const char *p, const char *cwd)
{
  gsize n = strlen (p);
  if (strcmp (p, "/") == 0)
    return TRUE;
  return strncmp (cwd, p, n) == 0 && cwd[n] == '/';
}

static gboolean
related (const char *p, const char *cwd)
{
  return under (p, cwd) || above (p, cwd);
}

/* Components a and b (absolute, lexically normal) share from the root. */
static guint
common_depth (const char *a, const char *b)
{
  guint n = 0;
  gsize i = 0;
  for (;;)
    {
      /* at a '/' in both */
      if (a[i] != '/' || b[i] != '/')
        return n;
      gsize j = i + 1;
      while (a[j] && a[j] != '/' && a[j] == b[j])
        j++;
      gboolean a_end = a[j] == '\0' || a[j] == '/';
      gboolean b_end = b[j] == '\0' || b[j] == '/';
      if (j == i + 1 || !a_end || !b_end)
        return n;
      n++;
      if (a[j] == '\0' || b[j] == '\0')
        return n;
      i = j;
    }
}

/* A path made lexically normal: "." and empty components dropped, ".."
 * taking the one before it away (at the root, nothing). Absolute paths
 * stay absolute; a relative one keeps its leading ".." (counted in
 * *climb) and *depth is the number of components after them. */
static char *
lexical (const char *path, guint *climb, guint *depth)
{
  gboolean absolute = path[0] == '/';
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_auto(GStrv) comps = g_strsplit (path, "/", -1);
  guint up = 0;
  for (char **c = comps; *c; c++)
    {
      if (**c == '\0' || strcmp (*c, ".") == 0)
        continue;
      if (strcmp (*c, "..") == 0)
        {
          if (parts->len > 0)
            g_ptr_array_remove_index (parts, parts->len - 1);
          else if (!absolute)
            up++;
          continue;
        }
      g_ptr_array_add (parts, *c);
    }
  if (climb)
    *climb = up;
  if (depth)
    *depth = parts->len;
  GString *s = g_string_new (absolute ? "/" : "");
  for (guint i = 0; i < up; i++)
    g_string_append (s, i ? "/.." : "..");
  for (guint i = 0; i < parts->len; i++)
    {
      if (s->len > 0 && s->str[s->len - 1] != '/')
        g_string_append_c (s, '/');
      g_string_append (s, parts->pdata[i]);
    }
  return g_string_free (s, FALSE);
}

static gboolean
has_dotdot_component (const char *p)
{
  for (const char *c = p; (c = strstr (c, "..")); c += 2)
    if ((c == p || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
      return TRUE;
  return FALSE;
}

/* "../" sequences in one argument (a bound on how far any path in it can
 * climb, lexically). */
static guint
climb_in (const char *s)
{
  guint n = 0;
  for (const char *c = s; (c = strstr (c, "..")); c += 2)
    if (c[2] == '/' || c[2] == '\0')
      n++;
  return n;
}

/* ---- the command line ---- */

typedef enum { OPT_DIR, OPT_SYSDIR, OPT_FILE } PathKind;

typedef struct {
  const char *name;
  PathKind    kind;
} PathOption;

/* Options whose value is a path: search directories (their depth bounds
 * how far an #include "../x" from them may climb), and files. */
static const PathOption path_options[] = {
  { "-I", OPT_DIR }, { "-iquote", OPT_DIR }, { "-isystem", OPT_SYSDIR }, { "-idirafter", OPT_SYSDIR },
  { "-include", OPT_FILE }, { "-imacros", OPT_FILE }, { "-o", OPT_FILE }, { "-MF", OPT_FILE },
  { NULL, 0 }
};

/* Anything else that takes a directory or prefix and could put the
 * working directory (or paths relative to it) into the output, or search
 * paths this file does not follow: never relative-keyed. */
static const char *const cwd_options[] = {
  "-isysroot", "--sysroot", "-iprefix", "-iwithprefix", "-imultilib", "-iframework", "-cxx-isystem",
  "--include", "-I-", "-F", "-B", "-fplugin", "-specs", "--specs", "-fprofile", "-fcoverage", "--coverage",
  "-ftest-coverage", "-fcondition-coverage", "-fpath-coverage", "-flto", "-fdiagnostics-format",
  "-fdebug-compilation-dir", "-ffile-compilation-dir", "-fcoverage-compilation-dir", "-fembed-bitcode",
  "-Xpreprocessor", "-Xclang", "-fmodules", "-fmodule", "-save-temps", "--save-temps", "-dumpdir",
  "-dumpbase", "-aux-info", "--param=profile", NULL
};

char *
dcc_result_cwd_arg_form (const char *arg, const char *cwd)
{
  const char *m = dcc_args_prefix_map (arg);
  if (!m || !cwd)
    return NULL;
  const char *old = arg + strlen (m);
  const char *eq = strchr (old, '=');
  gsize n = strlen (cwd);
  if (!eq || (gsize) (eq - old) != n || strncmp (old, cwd, n) != 0)
    return NULL;
  return g_strconcat (m, eq, NULL);
}

/* What the command line says: why the directory reaches the output (or
 * NULL), and for the texts' verdict, the search directories. */
typedef struct {
  guint      rel_dir_min;    /* shallowest relative search directory (G_MAXUINT: none) */
  GPtrArray *abs_dirs;       /* absolute search directories (char *, lexically normal) */
  guint      argv_climb;     /* most "../" in one argument */
  gboolean   assembler;      /* the assembler searches the working directory itself */
} ArgvFacts;

static void
argv_facts_clear (ArgvFacts *f)
{
  g_clear_pointer (&f->abs_dirs, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ArgvFacts, argv_facts_clear)

static const char *
path_value (ArgvFacts *f, PathKind kind, const char *v, const char *cwd)
{
  if (*v == '\0')
    return "an empty path option";
  if (v[0] == '/')
    {
      g_autofree char *n = lexical (v, NULL, NULL);
      if (related (n, cwd))
        return "an absolute path on the command line names the working directory or one above it";
      if (kind != OPT_FILE)
        g_ptr_array_add (f->abs_dirs, g_steal_pointer (&n));
      return NULL;
    }
  guint climb, depth;
  g_autofree char *n = lexical (v, &climb, &depth);
  if (climb > 0)
    return "a relative path on the command line climbs out of the working directory";
  /* gcc shortens a system header's path with realpath, which is absolute. */
  if (kind == OPT_SYSDIR)
    return "a relative system include directory (gcc may name its headers by absolute path)";
  if (kind == OPT_DIR)
    f->rel_dir_min = MIN (f->rel_dir_min, depth);
  return NULL;
}

/* -Wa,/-Xassembler options that make the assembler record or search paths. */
static gboolean
assembler_option_reaches (const char *o)
{
  return g_str_has_prefix (o, "-g") || g_str_has_prefix (o, "--g") || g_str_has_prefix (o, "-a")
         || g_str_has_prefix (o, "--debug") || g_str_has_prefix (o, "-I") || g_str_has_prefix (o, "--MD")
         || g_str_has_prefix (o, "-MD") || g_str_has_prefix (o, "@");
}

static const char *
scan_argv (const DccRequest *req, ArgvFacts *f)
{
  const char *cwd = req->cwd;
  const char *const *argv = (const char *const *) req->argv->pdata;
  g_autoptr(DccCompileArgs) a = NULL;
  if (!dcc_args_scan (argv, &a, NULL))
    return "the command line is refused";
  f->rel_dir_min = G_MAXUINT;
  f->abs_dirs = g_ptr_array_new_with_free_func (g_free);
  f->assembler = a->lang == DCC_LANG_ASM || a->lang == DCC_LANG_ASM_CPP;
  gboolean debug = FALSE, covered = FALSE, mapped = FALSE, recorded = FALSE, other_map = FALSE;
  for (int i = 1; argv[i]; i++)
    {
      const char *arg = argv[i];
      g_autofree char *form = dcc_result_cwd_arg_form (arg, cwd);
      if (form)
        {
          mapped = TRUE;
          const char *m = dcc_args_prefix_map (arg);
          if (strcmp (m, "-fdebug-prefix-map=") == 0 || strcmp (m, "-ffile-prefix-map=") == 0)
            covered = TRUE;
          continue;
        }
      f->argv_climb = MAX (f->argv_climb, climb_in (arg));
      if (strstr (arg, cwd))
        return "the command line names the working directory";
      const char *m = dcc_args_prefix_map (arg);
      if (m)
        {
          /* Another map whose old prefix is above the directory may be
           * tried first and leave part of the directory's path in. */
          const char *old = arg + strlen (m);
          const char *eq = strchr (old, '=');
          g_autofree char *o = eq ? g_strndup (old, (gsize) (eq - old)) : g_strdup (old);
          if (g_str_has_prefix (cwd, o))
            other_map = TRUE;
          continue;
        }
      if (i == a->source_index)
        {
          const char *why = path_value (f, OPT_FILE, arg, cwd);
          if (why)
            return why;
          continue;
        }
      if (strcmp (arg, "-g0") == 0)
        continue;
      if (g_str_has_prefix (arg, "-g") || g_str_has_prefix (arg, "--debug"))
        {
          if (strstr (arg, "record"))
            recorded = TRUE;
          debug = TRUE;
          continue;
        }
      if (strstr (arg, "record-gcc-switches") || strstr (arg, "record-command-line"))
        {
          recorded = TRUE;
          continue;
        }
      if (strstr (arg, "working-directory") && !strstr (arg, "-fno-working-directory"))
        return "-fworking-directory records the working directory";
      for (const char *const *o = cwd_options; *o; o++)
        if (g_str_has_prefix (arg, *o))
          return "an option that records, or searches relative to, the working directory";
      if (g_str_has_prefix (arg, "-Wa,") || strcmp (arg, "-Xassembler") == 0)
        {
          g_auto(GStrv) opts = g_str_has_prefix (arg, "-Wa,") ? g_strsplit (arg + 4, ",", -1)
                                                              : g_strdupv ((char *[]) { (char *) (argv[i + 1] ? argv[i + 1] : ""), NULL });
          for (char **o = opts; *o; o++)
            if (assembler_option_reaches (*o))
              return "an assembler option that records or searches paths";
          if (!g_str_has_prefix (arg, "-Wa,"))
            i++;
          continue;
        }
      if (g_str_has_prefix (arg, "-Wp,"))
        {
          /* Only the dependency file's options (its path checked). */
          if (g_str_has_prefix (arg, "-Wp,-MD,") || g_str_has_prefix (arg, "-Wp,-MMD,"))
            {
              const char *why = path_value (f, OPT_FILE, strchr (arg + 4, ',') + 1, cwd);
              if (why)
                return why;
              continue;
            }
          return "a preprocessor option passed with -Wp,";
        }
      for (const PathOption *p = path_options; p->name; p++)
        {
          gsize n = strlen (p->name);
          if (strncmp (arg, p->name, n) != 0)
            continue;
          /* the longest option first: -isystem is not -I with "system" */
          gboolean longer = FALSE;
          for (const PathOption *q = path_options; q->name; q++)
            if (strlen (q->name) > n && g_str_has_prefix (arg, q->name))
              longer = TRUE;
          if (longer)
            continue;
          const char *v = arg[n] ? arg + n : argv[i + 1];
          if (!v)
            return "an option without its path";
          if (!arg[n])
            {
              i++;
              f->argv_climb = MAX (f->argv_climb, climb_in (v));
              if (strstr (v, cwd))
                return "the command line names the working directory";
            }
          const char *why = path_value (f, p->kind, v, cwd);
          if (why)
            return why;
          break;
        }
    }
  /* gcc hands the map to the assembler for its own debug info only in
   * some versions: an assembler source with -g keeps the directory. */
  if (debug && f->assembler)
    return "debug information of an assembler source records the working directory";
  if (debug && (!covered || other_map))
    return "debug information records the working directory (no -fdebug-prefix-map or -ffile-prefix-map "
           "maps exactly it)";
  if (mapped && recorded)
    return "the command line (with a prefix map naming the working directory) is recorded in the output";
  for (guint i = 0; req->sysdirs && i < req->sysdirs->len; i++)
    {
      const char *d = req->sysdirs->pdata[i];
      if (d[0] != '/')
        return "a relative builtin include directory";
      g_autofree char *n = lexical (d, NULL, NULL);
      if (related (n, cwd))
        return "a builtin include directory is the working directory or one above it";
      g_ptr_array_add (f->abs_dirs, g_steal_pointer (&n));
    }
  for (guint i = 0; req->preincludes && i < req->preincludes->len; i++)
    {
      /* Names relative to a builtin dir ("stdc-predef.h"), which gcc
       * looks for in the working directory first: never climbing. */
      const char *p = req->preincludes->pdata[i];
      if (has_dotdot_component (p) || (p[0] == '/' && related (p, cwd)))
        return "a builtin pre-include climbs with \"..\" or names the working directory";
    }
  return NULL;
}

/* ---- the manifest's shape ---- */

static const char *
scan_manifest (const DccRequest *req)
{
  const char *cwd = req->cwd;
  if (!req->manifest)
    return NULL;
  g_autoptr(GHashTable) symlinks = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < req->manifest->len; i++)
    {
      const DccEntry *e = req->manifest->pdata[i];
      if (e->kind == DCC_ENTRY_SYMLINK)
        g_hash_table_add (symlinks, e->path);
    }
  for (guint i = 0; i < req->manifest->len; i++)
    {
      const DccEntry *e = req->manifest->pdata[i];
      if (!e->path || e->path[0] != '/')
        return "a manifest path is not absolute";
      if ((strcmp (e->path, cwd) == 0 || above (e->path, cwd)) && e->kind != DCC_ENTRY_DIR)
        return "the working directory or one above it is not a plain directory";
      if (e->kind != DCC_ENTRY_SYMLINK)
        continue;
      const char *t = e->target ? e->target : "";
      if (under (e->path, cwd))
        {
          if (t[0] == '/' || has_dotdot_component (t))
            return "a symlink in the working directory points by absolute path or with \"..\"";
          continue;
        }
      /* Outside: where it lands, lexically, must be neither in the
       * directory nor above it; with "..", no directory above the link may
       * be a symlink (the kernel resolves ".." where that one points). */
      g_autofree char *dir = g_path_get_dirname (e->path);
      g_autofree char *joined = t[0] == '/' ? g_strdup (t) : g_strconcat (dir, "/", t, NULL);
      g_autofree char *land = lexical (joined, NULL, NULL);
      if (related (land, cwd))
        return "a symlink outside the working directory points into it or above it";
      if (t[0] != '/' && has_dotdot_component (t))
        for (g_autofree char *p = g_strdup (dir); strcmp (p, "/") != 0; )
          {
            if (g_hash_table_contains (symlinks, p))
              return "a symlink with \"..\" below another symlink";
            char *up = g_path_get_dirname (p);
            g_free (p);
            p = up;
          }
    }
  return NULL;
}

const char *
dcc_result_cwd_reaches (const DccRequest *req)
{
  if (!dcc_path_is_canonical_dir (req->cwd))
    return "the working directory is / or not in canonical form";
  g_auto(ArgvFacts) f = { 0 };
  const char *why = scan_argv (req, &f);
  if (!why && req->mode == DCC_MODE_PUMP)
    why = scan_manifest (req);
  return why;
}

const char *
dcc_result_cwd_texts_verdict (const DccRequest *req, const guint *flags)
{
  const char *cwd = req->cwd;
  g_auto(ArgvFacts) f = { 0 };
  const char *why = scan_argv (req, &f);
  if (why)
    return why;
  if (req->mode == DCC_MODE_PLAIN)
    {
      /* The client preprocessed: nothing is looked up on the volunteer. */
      return NULL;
    }
  guint climb = f.argv_climb;
  for (guint i = 0; i < req->manifest->len; i++)
    {
      const DccEntry *e = req->manifest->pdata[i];
      if (e->kind != DCC_ENTRY_FILE)
        continue;
      if (flags[i] & DCC_RESULT_TEXT_SYSTEM_HEADER)
        return "an input has a system_header pragma (gcc may name headers by absolute path)";
      climb = MAX (climb, DCC_RESULT_TEXT_CLIMB (flags[i]));
    }
  /* An #include "../x" is looked up from the includer's directory and
   * from every search directory; the assembler also looks in the
   * working directory itself. */
  if (climb > 0 && (f.assembler || climb > f.rel_dir_min))
    return "an input's \"../\" may climb out of the working directory from a search directory";
  for (guint i = 0; i < f.abs_dirs->len; i++)
    {
      const char *d = f.abs_dirs->pdata[i];
      if (depth_abs (d) <= climb + common_depth (d, cwd))
        return "an input's \"../\" may climb from a search directory to one above the working directory";
    }
  for (guint i = 0; i < req->manifest->len; i++)
    {
      const DccEntry *e = req->manifest->pdata[i];
      if (e->kind != DCC_ENTRY_FILE)
        continue;
      guint k = MAX (DCC_RESULT_TEXT_CLIMB (flags[i]), f.argv_climb);
      g_autofree char *dir = g_path_get_dirname (e->path);
      if (under (dir, cwd))
        {
          if (k > depth_abs (dir) - depth_abs (cwd))
            return "an input's \"../\" may climb out of the working directory";
        }
      else if (depth_abs (dir) <= k + common_depth (dir, cwd))
        return "an input outside the working directory may reach into it";
    }
  return NULL;
}
