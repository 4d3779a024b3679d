/* Compiler command-line scanning; see dcc-args.h. */
#include "dcc-args.h"

#include <string.h>

#include "dcc-error.h"
#include "dcc-limits.h"

/* ------------------------------------------------------------------------ */
/* Languages */

static const struct {
  const char *suffix;
  DccLang     lang;
} suffix_table[] = {
  { "c",   DCC_LANG_C },
  { "i",   DCC_LANG_C_PREPROCESSED },
  { "ii",  DCC_LANG_CXX_PREPROCESSED },
  { "cc",  DCC_LANG_CXX },
  { "cp",  DCC_LANG_CXX },
  { "cxx", DCC_LANG_CXX },
  { "cpp", DCC_LANG_CXX },
  { "CPP", DCC_LANG_CXX },
  { "c++", DCC_LANG_CXX },
  { "C",   DCC_LANG_CXX },
  { "m",   DCC_LANG_OBJC },
  { "mi",  DCC_LANG_OBJC_PREPROCESSED },
  { "mm",  DCC_LANG_OBJCXX },
  { "M",   DCC_LANG_OBJCXX },
  { "mii", DCC_LANG_OBJCXX_PREPROCESSED },
  { "s",   DCC_LANG_ASM },
  { "S",   DCC_LANG_ASM_CPP },
  { "sx",  DCC_LANG_ASM_CPP },
};

/* -x names we can reproduce remotely. Header languages (precompiled
 * headers), Fortran, CUDA and the rest are deliberately absent: local. */
static const struct {
  const char *name;
  DccLang     lang;
} x_table[] = {
  { "c",                         DCC_LANG_C },
  { "c++",                       DCC_LANG_CXX },
  { "objective-c",               DCC_LANG_OBJC },
  { "objective-c++",             DCC_LANG_OBJCXX },
  { "assembler-with-cpp",        DCC_LANG_ASM_CPP },
  { "assembler",                 DCC_LANG_ASM },
  { "cpp-output",                DCC_LANG_C_PREPROCESSED },
  { "c++-cpp-output",            DCC_LANG_CXX_PREPROCESSED },
  { "objective-c-cpp-output",    DCC_LANG_OBJC_PREPROCESSED },
  { "objc-cpp-output",           DCC_LANG_OBJC_PREPROCESSED },
  { "objective-c++-cpp-output",  DCC_LANG_OBJCXX_PREPROCESSED },
  { "objc++-cpp-output",         DCC_LANG_OBJCXX_PREPROCESSED },
};

static const char *
find_basename (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash ? slash + 1 : path;
}

/* The suffix after the last '.' of the basename, or NULL. A leading dot
 * (".bashrc") is not a suffix. */
static const char *
find_suffix (const char *path)
{
  const char *base = find_basename (path);
  const char *dot = strrchr (base, '.');
  if (dot == NULL || dot == base)
    return NULL;
  return dot + 1;
}

DccLang
dcc_args_lang_from_suffix (const char *path)
{
  const char *suffix;

  g_return_val_if_fail (path != NULL, DCC_LANG_NONE);
  suffix = find_suffix (path);
  if (suffix == NULL)
    return DCC_LANG_NONE;
  for (gsize i = 0; i < G_N_ELEMENTS (suffix_table); i++)
    if (strcmp (suffix, suffix_table[i].suffix) == 0)
      return suffix_table[i].lang;
  return DCC_LANG_NONE;
}

gboolean
dcc_args_is_source_suffix (const char *path)
{
  return dcc_args_lang_from_suffix (path) != DCC_LANG_NONE;
}

const char *
dcc_args_lang_name (DccLang lang)
{
  switch (lang)
    {
    case DCC_LANG_NONE: return "none";
    case DCC_LANG_C: return "c";
    case DCC_LANG_CXX: return "c++";
    case DCC_LANG_OBJC: return "objective-c";
    case DCC_LANG_OBJCXX: return "objective-c++";
    case DCC_LANG_ASM_CPP: return "assembler-with-cpp";
    case DCC_LANG_ASM: return "assembler";
    case DCC_LANG_C_PREPROCESSED: return "cpp-output";
    case DCC_LANG_CXX_PREPROCESSED: return "c++-cpp-output";
    case DCC_LANG_OBJC_PREPROCESSED: return "objective-c-cpp-output";
    case DCC_LANG_OBJCXX_PREPROCESSED: return "objective-c++-cpp-output";
    }
  return "none";
}

/* ------------------------------------------------------------------------ */
/* Option tables shared by the client scan and the server check */

/* The option table (see dcc-args.h). SEPARATE marks the driver options
 * whose value may be the next argv element when the option stands alone
 * (gcc "Separate"/"JoinedOrSeparate", clang likewise): the scan skips that
 * element, and an option not marked so makes its value look like an input,
 * which can only turn a compile local. JOINED is left off where other
 * options start with the name: -u (-undef), -e (-emit-llvm), -cxx-isystem. */
#define S  DCC_OPT_SEPARATE
#define J  DCC_OPT_JOINED
#define P  DCC_OPT_PREFIX
#define C  DCC_OPT_BY_CPP
#define DIR DCC_OPT_DIR
static const DccOption option_table[] = {
  { "-o",                    DCC_OPT_OUTPUT,       S | J },
  { "-x",                    DCC_OPT_LANG,         S | J },
  { "-I",                    DCC_OPT_SEARCH_PATH,  S | J | C | DIR },
  { "-D",                    DCC_OPT_DEFINE,       S | J | C },
  { "-U",                    DCC_OPT_DEFINE,       S | J | C },
  { "-A",                    DCC_OPT_OTHER,        S | J },
  { "-L",                    DCC_OPT_LINK,         S | J },
  { "-l",                    DCC_OPT_LINK,         S | J },
  { "-B",                    DCC_OPT_TARGET,       S | J },
  { "-T",                    DCC_OPT_LINK,         S | J },
  { "-u",                    DCC_OPT_LINK,         S },
  { "-z",                    DCC_OPT_LINK,         S | J },
  { "-F",                    DCC_OPT_SEARCH_PATH,  S | J },
  { "-G",                    DCC_OPT_OTHER,        S },
  { "-e",                    DCC_OPT_LINK,         S },
  { "-include",              DCC_OPT_INCLUDE,      S | J | C },
  { "-imacros",              DCC_OPT_INCLUDE,      S | J | C },
  { "-idirafter",            DCC_OPT_SEARCH_PATH,  S | J | C | DIR },
  { "-iprefix",              DCC_OPT_SEARCH_PATH,  S | J | C },
  { "-iwithprefix",          DCC_OPT_SEARCH_PATH,  S | J | C },
  { "-iwithprefixbefore",    DCC_OPT_SEARCH_PATH,  S | J | C },
  { "-isystem",              DCC_OPT_SEARCH_PATH,  S | J | C | DIR },
  { "-isysroot",             DCC_OPT_SEARCH_PATH,  S | J | C },
  { "-iquote",               DCC_OPT_SEARCH_PATH,  S | J | C | DIR },
  { "-imultilib",            DCC_OPT_SEARCH_PATH,  S | J | C },
  { "-imultiarch",           DCC_OPT_SEARCH_PATH,  S | J },
  { "-iframework",           DCC_OPT_SEARCH_PATH,  S | J },
  { "-iwithsysroot",         DCC_OPT_SEARCH_PATH,  S | J },
  { "-isystem-after",        DCC_OPT_SEARCH_PATH,  S | J },
  { "-cxx-isystem",          DCC_OPT_SEARCH_PATH,  S },
  { "-ivfsoverlay",          DCC_OPT_UNSEEN_INPUT, S | J },
  { "-include-pch",          DCC_OPT_UNSEEN_INPUT, S | J },
  { "-MF",                   DCC_OPT_DEPENDENCY,   S | J | C },
  { "-MT",                   DCC_OPT_DEPENDENCY,   S | J | C },
  { "-MQ",                   DCC_OPT_DEPENDENCY,   S | J | C },
  { "-MJ",                   DCC_OPT_OUTPUT,       S | J },
  { "-Xpreprocessor",        DCC_OPT_PREPROCESSOR, S },
  { "-Xassembler",           DCC_OPT_ASSEMBLER,    S },
  { "-Xlinker",              DCC_OPT_LINK,         S },
  { "-Xclang",               DCC_OPT_BACKEND,      S },
  { "-Xanalyzer",            DCC_OPT_OTHER,        S },
  { "-Xopenmp-target",       DCC_OPT_OTHER,        S },
  { "-mllvm",                DCC_OPT_BACKEND,      S },
  { "-aux-info",             DCC_OPT_OUTPUT,       S },
  { "-dumpbase",             DCC_OPT_OUTPUT,       S },
  { "-dumpbase-ext",         DCC_OPT_OUTPUT,       S },
  { "-dumpdir",              DCC_OPT_OUTPUT,       S },
  { "-wrapper",              DCC_OPT_OTHER,        S },
  { "-arch",                 DCC_OPT_TARGET,       S },
  { "-target",               DCC_OPT_TARGET,       S },
  { "-gcc-toolchain",        DCC_OPT_TARGET,       S },
  { "-serialize-diagnostics",DCC_OPT_OUTPUT,       S },
  { "-working-directory",    DCC_OPT_OTHER,        S },
  { "-resource-dir",         DCC_OPT_OTHER,        S },
  { "-specs",                DCC_OPT_UNSEEN_INPUT, S | J },
  { "--param",               DCC_OPT_BACKEND,      S | J },
  { "--sysroot",             DCC_OPT_SEARCH_PATH,  S | J | C },
  /* Long spellings the include server meets before any translation (the
   * scan below translates them through long_opts). */
  { "--gcc-toolchain",       DCC_OPT_TARGET,       S | J },
  { "--serialize-diagnostics", DCC_OPT_OUTPUT,     S | J },
  { "--specs",               DCC_OPT_UNSEEN_INPUT, S | J },
  /* Without a value. */
  { "-nostdinc",             DCC_OPT_SEARCH_PATH,  C },
  { "-nostdinc++",           DCC_OPT_SEARCH_PATH,  C },
  { "-M",                    DCC_OPT_DEPENDENCY,   C },
  { "-MM",                   DCC_OPT_DEPENDENCY,   C },
  { "-MD",                   DCC_OPT_DEPENDENCY,   C },
  { "-MMD",                  DCC_OPT_DEPENDENCY,   C },
  { "-MP",                   DCC_OPT_DEPENDENCY,   C },
  { "-MG",                   DCC_OPT_DEPENDENCY,   C },
  { "-Wp,-MD,",              DCC_OPT_DEPENDENCY,   P | C },
  { "-Wp,-MMD,",             DCC_OPT_DEPENDENCY,   P | C },
  { "-fmodules",             DCC_OPT_UNSEEN_INPUT, P },
  { "-fcxx-modules",         DCC_OPT_UNSEEN_INPUT, P },
  { "-fmodule-map-file",     DCC_OPT_UNSEEN_INPUT, P },
  { "-fmodule-file",         DCC_OPT_UNSEEN_INPUT, P },
  { "-fprebuilt-module-path",DCC_OPT_UNSEEN_INPUT, P },
  { "-fplugin",              DCC_OPT_UNSEEN_INPUT, P },
  { "-flto",                 DCC_OPT_LTO,          0 },
  { "-flto=",                DCC_OPT_LTO,          P },
  { "-pedantic",             DCC_OPT_PEDANTIC,     P },
  { "-Wpedantic",            DCC_OPT_PEDANTIC,     P },
};
#undef S
#undef J
#undef P
#undef C
#undef DIR

const DccOption *
dcc_args_option_find (const char *arg, const char **joined)
{
  const DccOption *best = NULL;
  gsize best_len = 0;
  const char *value = NULL;

  g_return_val_if_fail (arg != NULL, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (option_table); i++)
    {
      const DccOption *o = &option_table[i];
      gsize n = strlen (o->name);
      if (strncmp (arg, o->name, n) != 0)
        continue;
      if (arg[n] == '\0')
        {
          best = o;
          value = NULL;
          break;
        }
      if (n <= best_len)
        continue;
      if (o->flags & DCC_OPT_PREFIX)
        {
          best = o;
          best_len = n;
          value = NULL;
        }
      else if (o->flags & DCC_OPT_JOINED)
        {
          gboolean is_long = o->name[1] == '-';
          if (is_long && arg[n] != '=')
            continue;
          best = o;
          best_len = n;
          value = arg + n + (is_long ? 1 : 0);
        }
    }
  if (joined)
    *joined = value;
  return best;
}

DccOptClass
dcc_args_option_class (const char *arg)
{
  const DccOption *o = dcc_args_option_find (arg, NULL);
  return o ? o->cls : DCC_OPT_OTHER;
}

static gboolean
takes_separate_value (const char *opt)
{
  for (gsize i = 0; i < G_N_ELEMENTS (option_table); i++)
    if ((option_table[i].flags & DCC_OPT_SEPARATE) && strcmp (opt, option_table[i].name) == 0)
      return TRUE;
  return FALSE;
}

/* gcc driver long options ("--name", "--name=VALUE" or "--name VALUE") and
 * the short option each one is an alias of. takes_value: the alias takes a
 * value (from "=" or the next argv element). Long options not listed are
 * translated by gcc to "-fname"; both scans treat them that way too. */
static const struct {
  const char *name;
  const char *alias;
  gboolean    takes_value;
} long_opts[] = {
  { "--output",                       "-o",             TRUE },
  { "--language",                     "-x",             TRUE },
  { "--compile",                      "-c",             FALSE },
  { "--assemble",                     "-S",             FALSE },
  { "--preprocess",                   "-E",             FALSE },
  { "--dependencies",                 "-M",             FALSE },
  { "--user-dependencies",            "-MM",            FALSE },
  { "--write-dependencies",           "-MD",            FALSE },
  { "--write-user-dependencies",      "-MMD",           FALSE },
  { "--print-missing-file-dependencies", "-MG",         FALSE },
  { "--save-temps",                   "-save-temps",    FALSE },
  { "--specs",                        "-specs",         TRUE },
  { "--prefix",                       "-B",             TRUE },
  { "--for-linker",                   "-Xlinker",       TRUE },
  { "--for-assembler",                "-Xassembler",    TRUE },
  { "--library-directory",            "-L",             TRUE },
  { "--force-link",                   "-u",             TRUE },
  { "--include-directory",            "-I",             TRUE },
  { "--include-directory-after",      "-idirafter",     TRUE },
  { "--include-prefix",               "-iprefix",       TRUE },
  { "--include-with-prefix",          "-iwithprefix",   TRUE },
  { "--include-with-prefix-after",    "-iwithprefix",   TRUE },
  { "--include-with-prefix-before",   "-iwithprefixbefore", TRUE },
  { "--include",                      "-include",       TRUE },
  { "--imacros",                      "-imacros",       TRUE },
  { "--define-macro",                 "-D",             TRUE },
  { "--undefine-macro",               "-U",             TRUE },
  { "--assert",                       "-A",             TRUE },
  { "--dumpbase",                     "-dumpbase",      TRUE },
  { "--dumpdir",                      "-dumpdir",       TRUE },
  { "--serialize-diagnostics",        "-serialize-diagnostics", TRUE },
  { "--gcc-toolchain",                "-gcc-toolchain", TRUE },
  { "--config",                       "--config",       TRUE },
  { "--param",                        "--param",        TRUE },
  { "--sysroot",                      "--sysroot",      TRUE },
  { "--target",                       "-target",        TRUE },
  { "--coverage",                     "--coverage",     FALSE },
  { "--debug",                        "-g",             FALSE },
  { "--verbose",                      "-v",             FALSE },
  { "--pipe",                         "-pipe",          FALSE },
  { "--help",                         "--help",         FALSE },
  { "--target-help",                  "--help",         FALSE },
  { "--version",                      "--version",      FALSE },
};

/* One argument after long-option translation. opt is the option text as the
 * short-form rules below see it: a joined value stays part of it ("-ofoo.o",
 * "-specs=x"); value is a value that came separately (next argv element, or
 * "=VALUE" of a long option), with value_index its argv index (-1 for "="). */
typedef struct {
  const char *opt;
  const char *value;
  int         value_index;
  char       *owned;      /* storage behind opt when translated */
} ArgView;

static void
arg_view_clear (ArgView *v)
{
  g_clear_pointer (&v->owned, g_free);
}

/* Translates argv[i] into *v. Returns how many extra argv elements it used
 * (0 or 1), or -1 when a required value is missing. */
static int
arg_view_init (const char *const *argv, int i, ArgView *v)
{
  const char *a = argv[i];

  memset (v, 0, sizeof *v);
  v->value_index = -1;
  v->opt = a;

  if (g_str_has_prefix (a, "--") && a[2] != '\0')
    {
      const char *eq = strchr (a, '=');
      gsize name_len = eq ? (gsize) (eq - a) : strlen (a);

      for (gsize k = 0; k < G_N_ELEMENTS (long_opts); k++)
        {
          if (strlen (long_opts[k].name) != name_len ||
              strncmp (a, long_opts[k].name, name_len) != 0)
            continue;
          v->opt = long_opts[k].alias;
          if (!long_opts[k].takes_value)
            return eq ? -1 : 0;
          if (eq)
            {
              v->value = eq + 1;
              return 0;
            }
          if (argv[i + 1] == NULL)
            return -1;
          v->value = argv[i + 1];
          v->value_index = i + 1;
          return 1;
        }
      /* gcc: "--foo[=x]" means "-ffoo[=x]". */
      v->owned = g_strconcat ("-f", a + 2, NULL);
      v->opt = v->owned;
      return 0;
    }

  if (a[0] == '-' && takes_separate_value (a))
    {
      if (argv[i + 1] == NULL)
        return -1;
      v->value = argv[i + 1];
      v->value_index = i + 1;
      return 1;
    }
  return 0;
}

/* The value of an option that may be joined ("-ofoo") or separate. */
static const char *
view_value (const ArgView *v, const char *prefix)
{
  if (v->value != NULL)
    return v->value;
  return v->opt + strlen (prefix);
}

/* Options that make the compiler load or run other code, or take its
 * configuration (and so its programs) from somewhere else. Client: local;
 * server: refused. */
static gboolean
is_foreign_code_option (const char *o)
{
  return g_str_has_prefix (o, "-B") ||
         g_str_has_prefix (o, "-specs") ||
         g_str_has_prefix (o, "-fplugin") ||
         g_str_has_prefix (o, "-fpass-plugin") ||
         g_str_has_prefix (o, "-iplugindir") ||
         g_str_has_prefix (o, "-fmodule-mapper") ||
         g_str_has_prefix (o, "-ccc-") ||
         g_str_has_prefix (o, "--config") ||
         g_str_has_prefix (o, "-fconfig") ||         /* "--config" translated */
         g_str_has_prefix (o, "-gcc-toolchain") ||
         g_str_has_prefix (o, "-fgcc-toolchain") ||  /* "--gcc-toolchain=" translated */
         g_str_has_prefix (o, "-Xarch_") ||
         g_str_has_prefix (o, "-Xcuda-") ||
         g_str_has_prefix (o, "-Xopenmp-target") ||
         strcmp (o, "-Xanalyzer") == 0 ||
         strcmp (o, "-wrapper") == 0 ||
         strcmp (o, "-working-directory") == 0 ||
         (g_str_has_prefix (o, "-fcompare-debug=") && o[strlen ("-fcompare-debug=")] != '\0');
}

/* Linking options: ignored by a compile, refused by the server. */
static gboolean
is_link_option (const char *o)
{
  return g_str_has_prefix (o, "-Wl,") || strcmp (o, "-Xlinker") == 0 ||
         g_str_has_prefix (o, "-l") || g_str_has_prefix (o, "-L") ||
         g_str_has_prefix (o, "-T") || g_str_has_prefix (o, "-z") ||
         g_str_has_prefix (o, "-fuse-ld=");
}

/* -Xclang values known to be harmless; any other -Xclang is local on the
 * client and refused by the server (cc1 options can load plugins and name
 * output files). An entry ending in '=' matches as a prefix; takes_value
 * entries allow the next -Xclang value to be their (free-form) argument. */
static const struct {
  const char *opt;
  gboolean    takes_value;
} xclang_allowed[] = {
  { "-fno-pch-timestamp", FALSE },
  { "-fcolor-diagnostics", FALSE },
  { "-fno-color-diagnostics", FALSE },
  { "-disable-llvm-passes", FALSE },
  { "-disable-llvm-optzns", FALSE },
  { "-disable-O0-optnone", FALSE },
  { "-fno-validate-pch", FALSE },
  { "-fuse-ctor-homing", FALSE },
  { "-fdiagnostics-show-note-include-stack", FALSE },
  { "-debug-info-kind=", FALSE },
  { "-fdebug-compilation-dir=", FALSE },
  { "-fcoverage-compilation-dir=", FALSE },
  { "-fdebug-compilation-dir", TRUE },
  { "-fcoverage-compilation-dir", TRUE },
};

/* Checks one -Xclang value; *expect_value carries "the previous value takes
 * an argument" from one -Xclang to the next. */
static gboolean
xclang_value_allowed (const char *v, gboolean *expect_value)
{
  if (*expect_value)
    {
      *expect_value = FALSE;
      return TRUE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (xclang_allowed); i++)
    {
      const char *opt = xclang_allowed[i].opt;
      gsize len = strlen (opt);
      if (opt[len - 1] == '=' ? strncmp (v, opt, len) == 0 : strcmp (v, opt) == 0)
        {
          *expect_value = xclang_allowed[i].takes_value;
          return TRUE;
        }
    }
  return FALSE;
}

/* -mllvm passes a raw LLVM option; refuse those whose name says it names a
 * file or directory, or loads code. */
static gboolean
mllvm_value_names_file (const char *v)
{
  g_autofree char *name = g_ascii_strdown (v, -1);
  char *eq = strchr (name, '=');

  if (eq != NULL)
    *eq = '\0';
  return strstr (name, "file") != NULL || strstr (name, "output") != NULL ||
         g_str_has_suffix (name, "dir") || g_str_has_suffix (name, "directory") ||
         g_str_has_suffix (name, "path") || strstr (name, "load") != NULL ||
         strstr (name, "plugin") != NULL;
}

/* -fprofile-*=VALUE whose value is not a path. */
static gboolean
is_harmless_profile_value_option (const char *o)
{
  return g_str_has_prefix (o, "-fprofile-update=") ||
         g_str_has_prefix (o, "-fprofile-reproducible=") ||
         g_str_has_prefix (o, "-fprofile-exclude-files=") ||
         g_str_has_prefix (o, "-fprofile-filter-files=");
}

/* Assembler pass-through items that write files: listings (-a*), dependency
 * files (--MD), another object (-o), or read options from a file (@). */
static const char *
asm_item_problem (const char *item, gboolean server)
{
  if (g_str_has_prefix (item, "-a"))
    {
      if (!server)
        return "assembler listing";
      if (strchr (item, '=') != NULL)
        return "assembler listing to a file";
    }
  if (g_str_has_prefix (item, "--MD"))
    return "assembler dependency file";
  if (g_str_has_prefix (item, "-o"))
    return "assembler output override";
  if (item[0] == '@')
    return "assembler response file";
  return NULL;
}

/* An output path that stays inside the job directory: relative, non-empty,
 * no ".." component. */
static gboolean
output_path_confined (const char *p)
{
  g_auto (GStrv) parts = NULL;

  if (p == NULL || p[0] == '\0' || p[0] == '/')
    return FALSE;
  parts = g_strsplit (p, "/", -1);
  for (char **c = parts; *c; c++)
    if (strcmp (*c, "..") == 0)
      return FALSE;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Client scan */

typedef enum { SAVE_TEMPS_NONE, SAVE_TEMPS_CWD, SAVE_TEMPS_OBJ, SAVE_TEMPS_DEFAULT } SaveTemps;

typedef struct {
  const char *const *argv;
  char *reason;             /* first reason to stay local */

  gboolean seen_c, seen_S;
  DccLang  x_lang;          /* -x in effect, NONE after -x none */
  int      n_sources;
  int      source_index;
  DccLang  source_lang;
  gboolean source_lang_from_x;
  const char *non_source;   /* first operand that is not a source */

  int      n_outputs;
  const char *output;
  int      output_index;

  gboolean want_deps, deps_via_wp, has_dep_target;
  const char *mf;
  char *wp_dep_file;        /* owned: -Wp items are split into a temporary */
  int mf_index, wp_index;   /* argv elements holding them */
  int cur_index;            /* argv index of the option being scanned */

  gboolean debug_info, split_dwarf, color_always, has_link_options;
  gboolean xclang_expect_value;
  gboolean stack_usage, test_coverage, callgraph_info;
  gboolean lto, no_integrated_as;   /* -flto[=...] / -fno-lto, -fno-integrated-as (last wins) */
  SaveTemps save_temps;
} Scan;

static void
go_local (Scan *s, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
go_local (Scan *s, const char *fmt, ...)
{
  va_list ap;

  if (s->reason != NULL)
    return;
  va_start (ap, fmt);
  s->reason = g_strdup_vprintf (fmt, ap);
  va_end (ap);
}

/* Log-safe, short rendering of an argument for a reason string. */
static char *
show (const char *a)
{
  GString *out = g_string_new (NULL);
  for (const char *p = a; *p && out->len < 80; p++)
    {
      if (g_ascii_isprint (*p))
        g_string_append_c (out, *p);
      else
        g_string_append_printf (out, "\\x%02x", (guchar) *p);
    }
  if (strlen (a) > 80)
    g_string_append (out, "...");
  return g_string_free (out, FALSE);
}

/* Debug-info levels: "-g", "-gN", "-ggdbN", "-gdwarf[-N]", ... A trailing
 * "0" turns debug info off. Options such as -gsplit-dwarf, -gz, -gcolumn-info,
 * -gno-* only modify and leave the level alone. */
static void
scan_debug_option (Scan *s, const char *o)
{
  static const char *const families[] = {
    "-ggdb", "-gstabs+", "-gstabs", "-gxcoff+", "-gxcoff", "-gvms", "-glldb", "-gsce", "-gdbx",
  };
  static const char *const enabling[] = {
    "-gdwarf", "-gline-tables-only", "-gline-directives-only", "-gbtf", "-gctf",
    "-gctf1", "-gctf2", "-gfull", "-gused", "-gmodules",
  };

  if (strcmp (o, "-gsplit-dwarf") == 0 || g_str_has_prefix (o, "-gsplit-dwarf="))
    {
      /* clang's -gsplit-dwarf=single keeps the DWARF in the object. */
      s->split_dwarf = strcmp (o, "-gsplit-dwarf=single") != 0;
      return;
    }
  if (strcmp (o, "-gno-split-dwarf") == 0)
    {
      s->split_dwarf = FALSE;
      return;
    }
  if (strcmp (o, "-g") == 0)
    {
      s->debug_info = TRUE;
      return;
    }
  if (g_ascii_isdigit (o[2]))
    {
      s->debug_info = strcmp (o + 2, "0") != 0;
      return;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (families); i++)
    if (g_str_has_prefix (o, families[i]))
      {
        const char *level = o + strlen (families[i]);
        if (level[0] == '\0')
          s->debug_info = TRUE;
        else if (g_ascii_isdigit (level[0]))
          s->debug_info = strcmp (level, "0") != 0;
        return;
      }
  for (gsize i = 0; i < G_N_ELEMENTS (enabling); i++)
    if (strcmp (o, enabling[i]) == 0)
      {
        s->debug_info = TRUE;
        return;
      }
  /* -gdwarf-N; not -gdwarf32/-gdwarf64 (format only) or -gdwarf-aranges. */
  if (g_str_has_prefix (o, "-gdwarf-") && g_ascii_isdigit (o[strlen ("-gdwarf-")]))
    s->debug_info = TRUE;
}

/* One item of -Wp,a,b,c (and -Xpreprocessor); returns how many of the
 * following items it used. */
static int
scan_cpp_items (Scan *s, char **items, const char *whole)
{
  g_autofree char *shown = show (whole);

  for (int j = 0; items[j]; j++)
    {
      const char *it = items[j];

      if (strcmp (it, "-MD") == 0 || strcmp (it, "-MMD") == 0)
        {
          if (items[j + 1] == NULL)
            {
              go_local (s, "%s without a file name", shown);
              return 0;
            }
          s->deps_via_wp = TRUE;
          g_free (s->wp_dep_file);
          s->wp_dep_file = g_strdup (items[++j]);
          s->wp_index = s->cur_index;
        }
      else if (strcmp (it, "-MF") == 0)
        {
          if (items[j + 1] == NULL)
            {
              go_local (s, "%s without a file name", shown);
              return 0;
            }
          g_free (s->wp_dep_file);
          s->wp_dep_file = g_strdup (items[++j]);
          s->wp_index = s->cur_index;
        }
      else if (strcmp (it, "-MT") == 0 || strcmp (it, "-MQ") == 0)
        {
          s->has_dep_target = TRUE;
          j += items[j + 1] != NULL;
        }
      else if (g_str_has_prefix (it, "-MT") || g_str_has_prefix (it, "-MQ"))
        s->has_dep_target = TRUE;
      else if (strcmp (it, "-MP") == 0 || strcmp (it, "-MG") == 0)
        ;
      else if (g_str_has_prefix (it, "-M"))
        go_local (s, "dependency output only (%s)", shown);
      else if (g_str_has_prefix (it, "-o") || strcmp (it, "-E") == 0)
        go_local (s, "preprocessor output option (%s)", shown);
      else if (is_foreign_code_option (it) || g_str_has_prefix (it, "-fdump-") || it[0] == '@')
        go_local (s, "preprocessor option %s", shown);
    }
  return 0;
}

/* What is compiled, how far, and where its output goes: -c, -S, -E,
 * -fsyntax-only, options naming local compiler setup, -o, -x. FALSE if o is none of them. */
static gboolean
scan_mode_option (Scan *s, const ArgView *v, const char *o, const char *shown)
{
  if (strcmp (o, "-c") == 0)
    s->seen_c = TRUE;
  else if (strcmp (o, "-S") == 0)
    s->seen_S = TRUE;
  else if (strcmp (o, "-E") == 0)
    go_local (s, "preprocess only (-E)");
  else if (strcmp (o, "-fsyntax-only") == 0)
    go_local (s, "no output (-fsyntax-only)");
  /* Code and configuration from elsewhere (before -g: -gcc-toolchain). */
  else if (is_foreign_code_option (o))
    go_local (s, "uses local compiler setup (%s)", shown);
  else if (g_str_has_prefix (o, "-o"))
    {
      if (v->value == NULL && o[2] == '\0')
        go_local (s, "-o without a file name");
      else if (v->value != NULL && v->value_index < 0)
        go_local (s, "long-form --output");
      s->n_outputs++;
      s->output = view_value (v, "-o");
      s->output_index = v->value_index >= 0 ? v->value_index : -2; /* fixed up by caller */
    }
  else if (g_str_has_prefix (o, "-x"))
    {
      const char *name = view_value (v, "-x");
      if (strcmp (name, "none") == 0)
        s->x_lang = DCC_LANG_NONE;
      else
        {
          gsize k;
          for (k = 0; k < G_N_ELEMENTS (x_table); k++)
            if (strcmp (name, x_table[k].name) == 0)
              break;
          if (k == G_N_ELEMENTS (x_table))
            {
              g_autofree char *n = show (name);
              go_local (s, "language not distributed (-x %s)", n);
            }
          else
            s->x_lang = x_table[k].lang;
        }
    }
  else
    return FALSE;
  return TRUE;
}

/* Dependency output (-M*) and options handed to the preprocessor
 * (-Wp, -Xpreprocessor). FALSE if o is none of them. */
static gboolean
scan_preprocessor_option (Scan *s, const ArgView *v, const char *o, const char *shown)
{
  /* Dependencies */
  if (strcmp (o, "-MD") == 0 || strcmp (o, "-MMD") == 0)
    s->want_deps = TRUE;
  else if (strcmp (o, "-MG") == 0 || strcmp (o, "-MP") == 0 || strcmp (o, "-MV") == 0)
    ;
  else if (g_str_has_prefix (o, "-MF"))
    {
      s->mf = view_value (v, "-MF");
      s->mf_index = v->value_index >= 0 ? v->value_index : s->cur_index;
      if (strcmp (s->mf, "-") == 0 || s->mf[0] == '\0')
        go_local (s, "dependencies to stdout (-MF -)");
    }
  else if (g_str_has_prefix (o, "-MT") || g_str_has_prefix (o, "-MQ"))
    s->has_dep_target = TRUE;
  else if (g_str_has_prefix (o, "-MJ"))
    go_local (s, "compilation database output (-MJ)");
  else if (g_str_has_prefix (o, "-M"))
    go_local (s, "dependency output only (%s)", shown);
  else if (g_str_has_prefix (o, "-Wp,"))
    {
      g_auto (GStrv) items = g_strsplit (o + 4, ",", -1);
      scan_cpp_items (s, items, o);
    }
  else if (strcmp (o, "-Xpreprocessor") == 0)
    {
      if (g_str_has_prefix (v->value, "-M") || g_str_has_prefix (v->value, "-o") ||
          v->value[0] == '@' || is_foreign_code_option (v->value))
        {
          g_autofree char *val = show (v->value);
          go_local (s, "-Xpreprocessor %s", val);
        }
    }
  else
    return FALSE;
  return TRUE;
}

/* Options for the assembler (-Wa, -Xassembler) and the linker, and code
 * for the machine we run on (-march=native and co.). FALSE if o is none of them. */
static gboolean
scan_assembler_link_option (Scan *s, const ArgView *v, const char *o, const char *shown)
{
  /* Assembler */
  if (g_str_has_prefix (o, "-Wa,") || strcmp (o, "-Xassembler") == 0)
    {
      g_auto (GStrv) items = NULL;
      if (g_str_has_prefix (o, "-Wa,"))
        items = g_strsplit (o + 4, ",", -1);
      else
        items = g_strsplit (v->value, ",", 1);   /* -Xassembler passes one argument */
      for (char **it = items; *it; it++)
        {
          const char *problem = asm_item_problem (*it, FALSE);
          if (problem != NULL)
            {
              go_local (s, "%s (%s)", problem, shown);
              break;
            }
        }
    }
  /* Linking: harmless with -c; the client strips them before sending. */
  else if (is_link_option (o))
    s->has_link_options = TRUE;
  /* The machine we run on */
  else if (strcmp (o, "-march=native") == 0 || strcmp (o, "-mtune=native") == 0 ||
           strcmp (o, "-mcpu=native") == 0)
    go_local (s, "code for this machine (%s)", shown);
  else
    return FALSE;
  return TRUE;
}

/* Debug information, colour, and the side outputs the client knows how
 * to bring back (-save-temps, -fstack-usage, -ftest-coverage, ...). FALSE if o is none of them. */
static gboolean
scan_side_output_option (Scan *s, const ArgView *v, const char *o, const char *shown)
{
  /* Debug info and colour */
  if (g_str_has_prefix (o, "-g"))
    scan_debug_option (s, o);
  else if (strcmp (o, "-fcolor-diagnostics") == 0 || strcmp (o, "-fdiagnostics-color") == 0 ||
           strcmp (o, "-fdiagnostics-color=always") == 0)
    s->color_always = TRUE;
  else if (strcmp (o, "-fno-color-diagnostics") == 0 || strcmp (o, "-fno-diagnostics-color") == 0 ||
           g_str_has_prefix (o, "-fdiagnostics-color="))
    s->color_always = FALSE;
  /* Side outputs we know how to bring back */
  else if (strcmp (o, "-save-temps") == 0)
    s->save_temps = SAVE_TEMPS_DEFAULT;
  else if (strcmp (o, "-save-temps=cwd") == 0)
    s->save_temps = SAVE_TEMPS_CWD;
  else if (strcmp (o, "-save-temps=obj") == 0)
    s->save_temps = SAVE_TEMPS_OBJ;
  else if (g_str_has_prefix (o, "-save-temps") || g_str_has_prefix (o, "-save-stats"))
    go_local (s, "writes extra files (%s)", shown);
  else if (strcmp (o, "-fstack-usage") == 0)
    s->stack_usage = TRUE;
  else if (strcmp (o, "-fno-stack-usage") == 0)
    s->stack_usage = FALSE;
  else if (strcmp (o, "-ftest-coverage") == 0)
    s->test_coverage = TRUE;
  else if (strcmp (o, "-fno-test-coverage") == 0)
    s->test_coverage = FALSE;
  else if (strcmp (o, "-fcallgraph-info") == 0 || g_str_has_prefix (o, "-fcallgraph-info="))
    s->callgraph_info = TRUE;
  /* Which steps run, and so which side outputs appear (add_side_outputs) */
  else if (dcc_args_option_class (o) == DCC_OPT_LTO)
    s->lto = TRUE;
  else if (strcmp (o, "-fno-lto") == 0)
    s->lto = FALSE;
  else if (strcmp (o, "-fno-integrated-as") == 0 || strcmp (o, "-no-integrated-as") == 0)
    s->no_integrated_as = TRUE;
  else if (strcmp (o, "-fintegrated-as") == 0 || strcmp (o, "-integrated-as") == 0)
    s->no_integrated_as = FALSE;
  else
    return FALSE;
  return TRUE;
}

/* Options that read or write files the volunteer does not have or keep
 * (profiles, dumps, sanitizer lists, modules) and queries: all local. FALSE if o is none of them. */
static gboolean
scan_local_file_option (Scan *s, const ArgView *v, const char *o, const char *shown)
{
  /* Profiles live next to the sources and objects, by absolute path */
  if (strcmp (o, "--coverage") == 0 || strcmp (o, "-coverage") == 0 ||
           strcmp (o, "-fprofile-arcs") == 0 ||
           strcmp (o, "-fbranch-probabilities") == 0 ||
           g_str_has_prefix (o, "-fauto-profile") || g_str_has_prefix (o, "-fcs-profile-generate") ||
           (g_str_has_prefix (o, "-fprofile-") && !is_harmless_profile_value_option (o) &&
            strcmp (o, "-fprofile-reorder-functions") != 0))
    go_local (s, "profile data (%s)", shown);
  /* Other files written or read by the compiler proper */
  else if (g_str_has_prefix (o, "-fdump-") || strcmp (o, "-frepo") == 0 ||
           strcmp (o, "-aux-info") == 0 || g_str_has_prefix (o, "-dumpbase") ||
           strcmp (o, "-dumpdir") == 0 ||
           (g_str_has_prefix (o, "-fopt-info") && strchr (o, '=') != NULL) ||
           g_str_has_prefix (o, "-fsave-optimization-record") ||
           g_str_has_prefix (o, "-foptimization-record-file") ||
           g_str_has_prefix (o, "-ftime-trace") ||
           g_str_has_prefix (o, "-fcrash-diagnostics-dir") ||
           (g_str_has_prefix (o, "-fcompare-debug") && strcmp (o, "-fcompare-debug-second") != 0) ||
           g_str_has_prefix (o, "-fdeps-file") ||
           strcmp (o, "-serialize-diagnostics") == 0)
    go_local (s, "writes extra files (%s)", shown);
  else if (g_str_has_prefix (o, "-fsanitize-blacklist=") ||
           g_str_has_prefix (o, "-fsanitize-ignorelist=") ||
           g_str_has_prefix (o, "-fsanitize-coverage-allowlist=") ||
           g_str_has_prefix (o, "-fsanitize-coverage-ignorelist=") ||
           g_str_has_prefix (o, "-fsanitize-coverage-whitelist=") ||
           g_str_has_prefix (o, "-fsanitize-coverage-blacklist=") ||
           g_str_has_prefix (o, "-fxray-attr-list=") ||
           g_str_has_prefix (o, "-fxray-always-instrument=") ||
           g_str_has_prefix (o, "-fxray-never-instrument=") ||
           strcmp (o, "-include-pch") == 0 || strcmp (o, "-ivfsoverlay") == 0)
    go_local (s, "compiler reads an extra file (%s)", shown);
  else if (g_str_has_prefix (o, "-fmodules") || g_str_has_prefix (o, "-fmodule-") ||
           strcmp (o, "-fcxx-modules") == 0 || g_str_has_prefix (o, "-fprebuilt-module-path"))
    go_local (s, "modules (%s)", shown);
  /* RTL dumps: -d letters other than the preprocessor's D I M N U and the
   * assembler annotations A p P. */
  else if (o[1] == 'd' && g_ascii_isalpha (o[2]) && strspn (o + 2, "ADIMNUpP") != strlen (o + 2) &&
           strspn (o + 2, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen (o + 2) &&
           !g_str_has_prefix (o, "-dump"))
    go_local (s, "compiler dumps (%s)", shown);
  else if (g_str_has_prefix (o, "-dump") || g_str_has_prefix (o, "-print-") ||
           g_str_has_prefix (o, "-fprint-") || strcmp (o, "-###") == 0 ||
           strcmp (o, "--help") == 0 || strcmp (o, "--version") == 0)
    go_local (s, "query option (%s)", shown);
  else
    return FALSE;
  return TRUE;
}

/* Values passed to the compiler proper (-Xclang, -mllvm) that name files
 * or change the output. FALSE if o is none of them. */
static gboolean
scan_backend_option (Scan *s, const ArgView *v, const char *o, const char *shown)
{
  if (strcmp (o, "-Xclang") == 0)
    {
      if (!xclang_value_allowed (v->value, &s->xclang_expect_value))
        {
          g_autofree char *val = show (v->value);
          go_local (s, "-Xclang %s", val);
        }
    }
  else if (strcmp (o, "-mllvm") == 0)
    {
      if (mllvm_value_names_file (v->value))
        {
          g_autofree char *val = show (v->value);
          go_local (s, "-mllvm %s", val);
        }
    }
  else
    return FALSE;
  return TRUE;
}

static void
scan_option (Scan *s, const ArgView *v)
{
  const char *o = v->opt;
  g_autofree char *shown = show (o);

  /* The first piece that knows o handles it; everything else is passed
   * through unchanged. */
  (void) (scan_mode_option (s, v, o, shown) || scan_preprocessor_option (s, v, o, shown)
          || scan_assembler_link_option (s, v, o, shown) || scan_side_output_option (s, v, o, shown)
          || scan_local_file_option (s, v, o, shown) || scan_backend_option (s, v, o, shown));
}

static void
scan_operand (Scan *s, int i)
{
  const char *a = s->argv[i];
  DccLang lang;

  if (strcmp (a, "-") == 0)
    {
      go_local (s, "source from stdin (-)");
      return;
    }
  if (a[0] == '@')
    {
      go_local (s, "unexpanded response file");
      return;
    }
  lang = s->x_lang != DCC_LANG_NONE ? s->x_lang : dcc_args_lang_from_suffix (a);
  if (lang == DCC_LANG_NONE)
    {
      if (s->non_source == NULL)
        s->non_source = a;
      return;
    }
  s->n_sources++;
  s->source_index = i;
  s->source_lang = lang;
  s->source_lang_from_x = s->x_lang != DCC_LANG_NONE;
}

/* path without its last suffix ("out/foo.c.o" -> "out/foo.c", "foo" -> "foo"). */
static char *
strip_suffix (const char *path)
{
  const char *suffix = find_suffix (path);
  if (suffix == NULL)
    return g_strdup (path);
  return g_strndup (path, suffix - 1 - path);
}

static gboolean
lang_is_preprocessed (DccLang l)
{
  return l == DCC_LANG_C_PREPROCESSED || l == DCC_LANG_CXX_PREPROCESSED ||
         l == DCC_LANG_OBJC_PREPROCESSED || l == DCC_LANG_OBJCXX_PREPROCESSED;
}

static gboolean
lang_is_asm (DccLang l)
{
  return l == DCC_LANG_ASM || l == DCC_LANG_ASM_CPP;
}

/* Whether clang 14's code generator stops at bitcode: -flto on a C-family
 * source (the object, or -S's text, is LLVM IR; no .s, no .dwo). */
static gboolean
clang_emits_bitcode (const Scan *s, const DccCompileArgs *a)
{
  return a->is_clang && s->lto && !lang_is_asm (a->lang);
}

static void
add_save_temps (Scan *s, DccCompileArgs *a)
{
  g_autofree char *base = NULL;
  const char *pre = NULL;
  gboolean clang = a->is_clang;

  if (s->save_temps == SAVE_TEMPS_NONE)
    return;
  if (clang)
    {
      /* clang names them after the source: in the current directory, or with
       * =obj in the output's directory. */
      g_autofree char *src = strip_suffix (find_basename (a->argv[a->source_index]));
      if (s->save_temps == SAVE_TEMPS_OBJ)
        {
          g_autofree char *dir = g_path_get_dirname (a->output);
          base = strcmp (dir, ".") == 0 ? g_strdup (src) : g_build_filename (dir, src, NULL);
        }
      else
        base = g_steal_pointer (&src);
    }
  else
    {
      /* gcc names them after the output: beside it, or with =cwd its
       * basename in the current directory. */
      base = strip_suffix (s->save_temps == SAVE_TEMPS_CWD ? find_basename (a->output) : a->output);
    }

  switch (a->lang)
    {
    case DCC_LANG_C: pre = ".i"; break;
    case DCC_LANG_CXX: pre = ".ii"; break;
    case DCC_LANG_OBJC: pre = ".mi"; break;
    case DCC_LANG_OBJCXX: pre = ".mii"; break;
    default: pre = NULL; break;
    }
  if (pre != NULL)
    g_ptr_array_add (a->side_outputs, g_strconcat (base, pre, NULL));
  /* clang's bitcode step exists only for a source it preprocesses itself. */
  if (clang && pre != NULL)
    g_ptr_array_add (a->side_outputs, g_strconcat (base, ".bc", NULL));
  if (!a->assemble_only && !clang_emits_bitcode (s, a))
    g_ptr_array_add (a->side_outputs, g_strconcat (base, ".s", NULL));
}

/* Whether -gsplit-dwarf writes a .dwo. gcc 12: whenever it assembles (its
 * assembler splits the object, even without -g, even with -flto). clang 14:
 * never from bitcode output (-flto); an assembler step always does (cc1as
 * on an assembler source or under -save-temps, as and objcopy with
 * -fno-integrated-as); its code generator does with debug info, or under
 * -save-temps, whose separate back end reads bitcode and does not look at
 * -g (a preprocessed source has no such back end). */
static gboolean
writes_dwo (const Scan *s, const DccCompileArgs *a)
{
  gboolean save_temps = s->save_temps != SAVE_TEMPS_NONE;

  if (!s->split_dwarf)
    return FALSE;
  if (!a->is_clang || lang_is_asm (a->lang))
    return !a->assemble_only;
  if (clang_emits_bitcode (s, a))
    return FALSE;
  if (!a->assemble_only && (save_temps || s->no_integrated_as))
    return TRUE;
  return s->debug_info || (save_temps && !lang_is_preprocessed (a->lang));
}

static void
add_side_outputs (Scan *s, DccCompileArgs *a)
{
  g_autofree char *aux = NULL;
  g_autofree char *dwo = NULL;

  /* gcc puts every auxiliary file in the current directory under -save-temps=cwd. */
  if (!a->is_clang && s->save_temps == SAVE_TEMPS_CWD)
    aux = strip_suffix (find_basename (a->output));
  else
    aux = strip_suffix (a->output);
  /* clang derives the .dwo from -o only with -c; else from the source, in
   * the current directory. */
  if (a->is_clang && !s->seen_c)
    dwo = strip_suffix (find_basename (a->argv[a->source_index]));
  else
    dwo = g_strdup (aux);

  if (s->stack_usage)
    g_ptr_array_add (a->side_outputs, g_strconcat (aux, ".su", NULL));
  if (s->test_coverage)
    g_ptr_array_add (a->side_outputs, g_strconcat (aux, ".gcno", NULL));
  if (s->callgraph_info && !a->is_clang)
    g_ptr_array_add (a->side_outputs, g_strconcat (aux, ".ci", NULL));
  if (writes_dwo (s, a))
    g_ptr_array_add (a->side_outputs, g_strconcat (dwo, ".dwo", NULL));
  add_save_temps (s, a);
}

gboolean
dcc_args_scan (const char *const *argv, DccCompileArgs **out, char **local_reason)
{
  Scan s = { 0 };
  g_autoptr (DccCompileArgs) a = NULL;
  int argc;

  g_return_val_if_fail (argv != NULL, FALSE);

  s.argv = argv;
  s.source_index = -1;
  s.output_index = -1;

  for (argc = 0; argv[argc]; argc++)
    ;
  if (argc == 0)
    go_local (&s, "empty command line");
  else if (argc > (int) DCC_MAX_ARGS)
    go_local (&s, "more than %u arguments", DCC_MAX_ARGS);

  for (int i = 1; i < argc && s.reason == NULL; i++)
    {
      const char *arg = argv[i];
      ArgView v;
      int used;

      if (arg[0] != '-' || arg[1] == '\0')
        {
          scan_operand (&s, i);
          continue;
        }
      used = arg_view_init (argv, i, &v);
      if (used < 0)
        {
          g_autofree char *shown = show (arg);
          go_local (&s, "%s without its value", shown);
          arg_view_clear (&v);
          break;
        }
      s.cur_index = i;
      scan_option (&s, &v);
      if (s.output_index == -2)   /* joined -oFILE */
        s.output_index = i;
      arg_view_clear (&v);
      i += used;
    }

  if (s.reason == NULL)
    {
      if (!s.seen_c && !s.seen_S)
        go_local (&s, "not a compile (no -c or -S)");
      else if (s.n_sources == 0 && s.non_source == NULL)
        go_local (&s, "no source file");
      else if (s.non_source != NULL)
        {
          g_autofree char *shown = show (s.non_source);
          go_local (&s, "input is not a source file (%s)", shown);
        }
      else if (s.n_sources > 1)
        go_local (&s, "more than one source file");
      else if (s.n_outputs > 1)
        go_local (&s, "more than one -o");
      else if (s.output != NULL && strcmp (s.output, "-") == 0)
        go_local (&s, "output to stdout (-o -)");
      else if (s.output != NULL && s.output[0] == '\0')
        go_local (&s, "empty output name");
      else if (s.source_lang == DCC_LANG_ASM)
        go_local (&s, "plain assembler (.s)");
      else if (g_str_has_prefix (find_basename (argv[s.source_index]), "conftest."))
        go_local (&s, "autoconf probe (conftest)");
      else if (strcmp (argv[s.source_index], "/dev/null") == 0)
        go_local (&s, "compiler probe (/dev/null source)");
    }

  if (s.reason != NULL)
    {
      g_free (s.wp_dep_file);
      if (local_reason)
        *local_reason = g_steal_pointer (&s.reason);
      g_free (s.reason);
      return FALSE;
    }

  a = g_new0 (DccCompileArgs, 1);
  a->argv = g_strdupv ((char **) argv);
  a->source_index = s.source_index;
  a->lang = s.source_lang;
  a->lang_from_x = s.source_lang_from_x;
  a->assemble_only = s.seen_S;
  a->is_clang = strstr (find_basename (argv[0]), "clang") != NULL;
  a->lto = s.lto;
  if (s.output != NULL)
    {
      a->output = g_strdup (s.output);
      a->output_index = s.output_index;
    }
  else
    {
      g_autofree char *stem = strip_suffix (find_basename (argv[s.source_index]));
      a->output = g_strconcat (stem, s.seen_S ? ".s" : ".o", NULL);
      a->output_index = -1;
    }
  a->dep_file_index = -1;
  a->want_deps = s.want_deps;
  a->deps_via_wp = s.deps_via_wp;
  a->has_dep_target = s.has_dep_target;
  if (s.want_deps || s.deps_via_wp)
    {
      if (s.mf != NULL)
        {
          a->dep_file = g_strdup (s.mf);
          a->dep_file_index = s.mf_index;
        }
      else if (s.wp_dep_file != NULL)
        {
          a->dep_file = g_strdup (s.wp_dep_file);
          a->dep_file_index = s.wp_index;
        }
      else
        {
          g_autofree char *stem = strip_suffix (a->output);
          a->dep_file = g_strconcat (stem, ".d", NULL);
        }
    }
  a->debug_info = s.debug_info;
  a->split_dwarf = s.split_dwarf;
  a->color_always = s.color_always;
  a->has_link_options = s.has_link_options;
  a->side_outputs = g_ptr_array_new_with_free_func (g_free);
  add_side_outputs (&s, a);
  g_free (s.wp_dep_file);

  if (out)
    *out = g_steal_pointer (&a);
  return TRUE;
}

void
dcc_compile_args_free (DccCompileArgs *a)
{
  if (a == NULL)
    return;
  g_strfreev (a->argv);
  g_free (a->output);
  g_free (a->dep_file);
  if (a->side_outputs)
    g_ptr_array_unref (a->side_outputs);
  g_free (a);
}

/* ------------------------------------------------------------------------ */
/* Server check */

static gboolean
refuse (GError **error, const char *arg, const char *why)
{
  g_autofree char *shown = show (arg);
  return dcc_fail (error, DCC_ERROR_REFUSED, "refused argument '%s': %s", shown, why);
}

static gboolean
check_output_value (const char *arg, const char *value, GError **error)
{
  if (value == NULL)
    return TRUE;   /* the compiler itself will complain */
  if (!output_path_confined (value))
    {
      g_autofree char *shown = show (value);
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

  if (is_foreign_code_option (o))
    return refuse (error, arg, "loads or runs other programs");
  if (is_link_option (o))
    return refuse (error, arg, "linking option");
  if (g_str_has_prefix (o, "-fdump-"))
    return refuse (error, arg, "compiler dump files");
  if (g_str_has_prefix (o, "-fopt-info") && strchr (o, '=') != NULL)
    return refuse (error, arg, "optimization report to a file");
  if ((g_str_has_prefix (o, "-save-temps=") || g_str_has_prefix (o, "-save-stats=")) &&
      !g_str_has_suffix (o, "=cwd") && !g_str_has_suffix (o, "=obj"))
    return refuse (error, arg, "only =cwd and =obj are allowed");
  if (((g_str_has_prefix (o, "-fprofile-") && !is_harmless_profile_value_option (o)) ||
       g_str_has_prefix (o, "-fauto-profile") || g_str_has_prefix (o, "-fcs-profile-generate")) &&
      strchr (o, '=') != NULL)
    return refuse (error, arg, "profile data at a chosen path");
  if (strcmp (o, "-mllvm") == 0 && sep_value != NULL && mllvm_value_names_file (sep_value))
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
      const char *problem = asm_item_problem (it, TRUE);
      if (problem != NULL)
        return refuse (error, it, problem);
    }
  return TRUE;
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

          arg_view_init (argv, (int) i, &v);
          ok = check_one (a, v.opt, v.value ? v.value : next, error);
          if (ok && v.owned != NULL)
            {
              /* Not a known alias: v.opt is "-fname"; also try "-name". */
              ok = check_one (a, a + 1, next, error);
            }
          if (ok && strcmp (v.opt, "-Xassembler") == 0 && v.value)
            g_ptr_array_add (asm_items, (gpointer) v.value);
          arg_view_clear (&v);
          if (!ok)
            return FALSE;
          continue;
        }

      if (g_str_has_prefix (a, "-Wp,"))
        {
          char **items = g_strsplit (a + 4, ",", -1);
          g_ptr_array_add (owned, items);
          for (char **it = items; *it; it++)
            g_ptr_array_add (cpp_items, *it);
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
          char **items = g_strsplit (a + 4, ",", -1);
          g_ptr_array_add (owned, items);
          for (char **it = items; *it; it++)
            g_ptr_array_add (asm_items, *it);
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
          if (next == NULL || !xclang_value_allowed (next, &xclang_expect_value))
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
      if (i > 0 && is_link_option (a))
        {
          /* Separate values: -Xlinker X, -l X, -L X, -T X, -z X. */
          if ((strcmp (a, "-Xlinker") == 0 || strcmp (a, "-l") == 0 || strcmp (a, "-L") == 0 ||
               strcmp (a, "-T") == 0 || strcmp (a, "-z") == 0) && argv[i + 1] != NULL)
            i++;
          continue;
        }
      if (i > 0 && takes_separate_value (a) && argv[i + 1] != NULL)
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
