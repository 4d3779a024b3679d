/* Languages and the option table; see dcc-args.h. */
#include "dcc-args-private.h"

#include <string.h>

#include "dcc-error.h"
#include "dcc-limits.h"

/* ------------------------------------------------------------------------ */
/* Languages */

/* Suffixes (case matters). header: only dcc_args_lang_of_file answers with it. */
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
  { "h",   DCC_LANG_C_HEADER },
  { "hh",  DCC_LANG_CXX_HEADER },
  { "hpp", DCC_LANG_CXX_HEADER },
  { "hxx", DCC_LANG_CXX_HEADER },
  { "H",   DCC_LANG_CXX_HEADER },
};

const char *
dcc_args_find_basename (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash ? slash + 1 : path;
}

/* The suffix after the last '.' of the basename, or NULL. A leading dot
 * (".bashrc") is not a suffix. */
const char *
dcc_args_find_suffix (const char *path)
{
  const char *base = dcc_args_find_basename (path);
  const char *dot = strrchr (base, '.');
  if (dot == NULL || dot == base)
    return NULL;
  return dot + 1;
}

DccLang
dcc_args_lang_of_file (const char *path)
{
  const char *suffix;

  g_return_val_if_fail (path != NULL, DCC_LANG_NONE);
  suffix = dcc_args_find_suffix (path);
  if (suffix == NULL)
    return DCC_LANG_NONE;
  for (gsize i = 0; i < G_N_ELEMENTS (suffix_table); i++)
    if (strcmp (suffix, suffix_table[i].suffix) == 0)
      return suffix_table[i].lang;
  return DCC_LANG_NONE;
}

static gboolean
lang_is_header (DccLang lang)
{
  return lang == DCC_LANG_C_HEADER || lang == DCC_LANG_CXX_HEADER;
}

DccLang
dcc_args_lang_from_suffix (const char *path)
{
  DccLang lang = dcc_args_lang_of_file (path);
  return lang_is_header (lang) ? DCC_LANG_NONE : lang;
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
    case DCC_LANG_C_HEADER: return "c-header";
    case DCC_LANG_CXX_HEADER: return "c++-header";
    }
  return "none";
}

/* -x names the scan can reproduce remotely. Header languages (precompiled
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

DccLang
dcc_args_lang_from_name (const char *name)
{
  g_return_val_if_fail (name != NULL, DCC_LANG_NONE);
  for (gsize i = 0; i < G_N_ELEMENTS (x_table); i++)
    if (strcmp (name, x_table[i].name) == 0)
      return x_table[i].lang;
  return DCC_LANG_NONE;
}

gboolean
dcc_args_lang_reads_headers (DccLang lang)
{
  switch (lang)
    {
    case DCC_LANG_C_PREPROCESSED:
    case DCC_LANG_CXX_PREPROCESSED:
    case DCC_LANG_OBJC_PREPROCESSED:
    case DCC_LANG_OBJCXX_PREPROCESSED:
    case DCC_LANG_ASM:
      return FALSE;
    default:
      return TRUE;
    }
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
#define B  DCC_OPT_BUILTIN
#define PATH DCC_OPT_PATH
static const DccOption option_table[] = {
  { "-o",                    DCC_OPT_OUTPUT,       S | J | PATH },
  { "-x",                    DCC_OPT_LANG,         S | J },
  { "-I",                    DCC_OPT_SEARCH_PATH,  S | J | C | DIR | PATH },
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
  { "-include",              DCC_OPT_INCLUDE,      S | J | C | PATH },
  { "-imacros",              DCC_OPT_INCLUDE,      S | J | C | PATH },
  { "-idirafter",            DCC_OPT_SEARCH_PATH,  S | J | C | DIR | PATH },
  { "-iprefix",              DCC_OPT_SEARCH_PATH,  S | J | C | PATH },
  { "-iwithprefix",          DCC_OPT_SEARCH_PATH,  S | J | C | PATH },
  { "-iwithprefixbefore",    DCC_OPT_SEARCH_PATH,  S | J | C | PATH },
  { "-isystem",              DCC_OPT_SEARCH_PATH,  S | J | C | DIR | PATH },
  { "-isysroot",             DCC_OPT_SEARCH_PATH,  S | J | C | B | PATH },
  { "-iquote",               DCC_OPT_SEARCH_PATH,  S | J | C | DIR | PATH },
  { "-imultilib",            DCC_OPT_SEARCH_PATH,  S | J | C },
  { "-imultiarch",           DCC_OPT_SEARCH_PATH,  S | J },
  { "-iframework",           DCC_OPT_SEARCH_PATH,  S | J },
  { "-iwithsysroot",         DCC_OPT_SEARCH_PATH,  S | J },
  { "-isystem-after",        DCC_OPT_SEARCH_PATH,  S | J },
  { "-cxx-isystem",          DCC_OPT_SEARCH_PATH,  S },
  { "-ivfsoverlay",          DCC_OPT_UNSEEN_INPUT, S | J },
  { "-include-pch",          DCC_OPT_UNSEEN_INPUT, S | J },
  { "-MF",                   DCC_OPT_DEPENDENCY,   S | J | C | PATH },
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
  { "-target",               DCC_OPT_TARGET,       S | B },
  { "-gcc-toolchain",        DCC_OPT_TARGET,       S | B },
  { "-serialize-diagnostics",DCC_OPT_OUTPUT,       S },
  { "-working-directory",    DCC_OPT_OTHER,        S },
  { "-resource-dir",         DCC_OPT_OTHER,        S },
  { "-specs",                DCC_OPT_UNSEEN_INPUT, S | J },
  { "--param",               DCC_OPT_BACKEND,      S | J },
  { "--sysroot",             DCC_OPT_SEARCH_PATH,  S | J | C | B | PATH },
  /* Long spellings the include server meets before any translation (the
   * scan below translates them through long_opts). */
  { "--gcc-toolchain",       DCC_OPT_TARGET,       S | J | B },
  { "--target",              DCC_OPT_TARGET,       J | B },
  { "--serialize-diagnostics", DCC_OPT_OUTPUT,     S | J },
  { "--specs",               DCC_OPT_UNSEEN_INPUT, S | J },
  /* Without a value. */
  { "-nostdinc",             DCC_OPT_SEARCH_PATH,  C | B },
  { "-nostdinc++",           DCC_OPT_SEARCH_PATH,  C | B },
  { "-M",                    DCC_OPT_DEPENDENCY,   C },
  { "-MM",                   DCC_OPT_DEPENDENCY,   C },
  { "-MD",                   DCC_OPT_DEPENDENCY,   C },
  { "-MMD",                  DCC_OPT_DEPENDENCY,   C },
  { "-MP",                   DCC_OPT_DEPENDENCY,   C },
  { "-MG",                   DCC_OPT_DEPENDENCY,   C },
  { "-Wp,-MD,",              DCC_OPT_DEPENDENCY,   P | C | PATH },
  { "-Wp,-MMD,",             DCC_OPT_DEPENDENCY,   P | C | PATH },
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
  { "-nostdlibinc",          DCC_OPT_SEARCH_PATH,  0 },
  { "-nobuiltininc",         DCC_OPT_SEARCH_PATH,  0 },
  { "-m",                    DCC_OPT_TARGET,       P },
  { "-m32",                  DCC_OPT_TARGET,       B },
  { "-m64",                  DCC_OPT_TARGET,       B },
  { "-mx32",                 DCC_OPT_TARGET,       B },
  { "-m16",                  DCC_OPT_TARGET,       B },
  { "-no-canonical-prefixes",DCC_OPT_TARGET,       0 },
  { "-std=",                 DCC_OPT_DIALECT,      P },
  { "--std=",                DCC_OPT_DIALECT,      P },
  { "-ansi",                 DCC_OPT_DIALECT,      P },
  { "-pthread",              DCC_OPT_DIALECT,      0 },
  { "-ffreestanding",        DCC_OPT_DIALECT,      B },
  { "-fno-hosted",           DCC_OPT_DIALECT,      B },
  { "-stdlib=",              DCC_OPT_DIALECT,      P | B },
  { "-Wp,",                  DCC_OPT_PREPROCESSOR, P },
  /* The other -M and -Wp,-M options (after the exact -M above, which
   * this entry does not replace: the client's preprocessing does not do
   * what these do). */
  { "-M",                    DCC_OPT_DEPENDENCY,   P },
  { "-Wp,-M",                DCC_OPT_DEPENDENCY,   P },
  { "-Wa,",                  DCC_OPT_ASSEMBLER,    P },
  { "-Wl,",                  DCC_OPT_LINK,         P },
  { "-W",                    DCC_OPT_DIAGNOSTIC,   P },
  { "-w",                    DCC_OPT_DIAGNOSTIC,   0 },
  { "-fdiagnostics",         DCC_OPT_DIAGNOSTIC,   P },
  { "-fcolor-diagnostics",   DCC_OPT_DIAGNOSTIC,   P },
  { "-fmessage-length",      DCC_OPT_DIAGNOSTIC,   P },
  { "-g",                    DCC_OPT_DEBUG,        P },
  { "-c",                    DCC_OPT_DRIVER,       0 },
  { "-S",                    DCC_OPT_DRIVER,       0 },
  { "-E",                    DCC_OPT_DRIVER,       0 },
  { "-v",                    DCC_OPT_DRIVER,       0 },
  { "-pipe",                 DCC_OPT_DRIVER,       0 },
  { "-save-temps",           DCC_OPT_DUMP,         P },
  { "--save-temps",          DCC_OPT_DUMP,         P },
  { "-fdump-",               DCC_OPT_DUMP,         P },
  { "-fopt-info",            DCC_OPT_DUMP,         P },
  { "-fcompare-debug",       DCC_OPT_DUMP,         P },
  { "--coverage",            DCC_OPT_COVERAGE,     P },
  { "-fprofile-arcs",        DCC_OPT_COVERAGE,     P },
  { "-ftest-coverage",       DCC_OPT_COVERAGE,     P },
  { "-fprofile-generate",    DCC_OPT_COVERAGE,     P },
  { "-fprofile-instr-generate", DCC_OPT_COVERAGE,  P },
  { "-fcs-profile-generate", DCC_OPT_COVERAGE,     P },
  { "-fprofile-use",         DCC_OPT_PROFILE_USE,  P },
  { "-fauto-profile",        DCC_OPT_PROFILE_USE,  P },
  { "-fprofile-sample-use",  DCC_OPT_PROFILE_USE,  P },
  { "-fprofile-instr-use",   DCC_OPT_PROFILE_USE,  P },
  { "-fdebug-prefix-map=",   DCC_OPT_PREFIX_MAP,   P },
  { "-fmacro-prefix-map=",   DCC_OPT_PREFIX_MAP,   P },
  { "-ffile-prefix-map=",    DCC_OPT_PREFIX_MAP,   P },
  { "-fprofile-prefix-map=", DCC_OPT_PREFIX_MAP,   P },
};
#undef S
#undef J
#undef P
#undef C
#undef DIR
#undef B
#undef PATH

/* FALSE when arg cannot begin with name: most entries differ in their
 * first two bytes. */
static inline gboolean
may_begin_with (const char *arg, const char *name)
{
  return name[0] == '\0' || (name[0] == arg[0] && (name[1] == '\0' || name[1] == arg[1]));
}

/* For each second byte of an argument that begins with '-', the entries
 * that may begin it, in table order: the lookup runs for every argument of
 * every compile (~80 for a kernel unit, in the client and again in the
 * include server), and scanning all ~220 entries each time was a tenth of
 * the include server's CPU for a cached closure. Each bucket is built the
 * first time an argument needs it: a distcc process parses one command
 * line, whose arguments share a few second bytes. */
typedef struct {
  gsize   built;
  guint16 entries[G_N_ELEMENTS (option_table)];
  guint   n;
} OptionBucket;
static OptionBucket option_buckets[256];

static const OptionBucket *
option_bucket (guchar second)
{
  OptionBucket *b = &option_buckets[second];
  if (g_once_init_enter (&b->built))
    {
      const char arg[3] = { '-', (char) second, '\0' };
      for (gsize i = 0; i < G_N_ELEMENTS (option_table); i++)
        if (may_begin_with (arg, option_table[i].name))
          b->entries[b->n++] = (guint16) i;
      g_once_init_leave (&b->built, 1);
    }
  return b;
}

/* Weighs entry o for arg: TRUE when it is arg exactly (the search ends);
 * else takes it as *best if it is the longest prefix so far. */
static gboolean
weigh_option (const DccOption *o, const char *arg, const DccOption **best, gsize *best_len, const char **value)
{
  if (!may_begin_with (arg, o->name))
    return FALSE;
  gsize n = strlen (o->name);
  if (strncmp (arg, o->name, n) != 0)
    return FALSE;
  if (arg[n] == '\0')
    {
      *best = o;
      *value = NULL;
      return TRUE;
    }
  if (n <= *best_len)
    return FALSE;
  if (o->flags & DCC_OPT_PREFIX)
    {
      *best = o;
      *best_len = n;
      *value = NULL;
    }
  else if (o->flags & DCC_OPT_JOINED)
    {
      gboolean is_long = o->name[1] == '-';
      if (is_long && arg[n] != '=')
        return FALSE;
      *best = o;
      *best_len = n;
      *value = arg + n + (is_long ? 1 : 0);
    }
  return FALSE;
}

const DccOption *
dcc_args_option_find (const char *arg, const char **joined)
{
  const DccOption *best = NULL;
  gsize best_len = 0;
  const char *value = NULL;

  g_return_val_if_fail (arg != NULL, NULL);
  if (arg[0] == '-')
    {
      const OptionBucket *b = option_bucket ((guchar) arg[1]);
      for (guint i = 0; i < b->n; i++)
        if (weigh_option (&option_table[b->entries[i]], arg, &best, &best_len, &value))
          break;
    }
  else
    for (gsize i = 0; i < G_N_ELEMENTS (option_table); i++)
      if (weigh_option (&option_table[i], arg, &best, &best_len, &value))
        break;
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

const char *
dcc_args_prefix_map (const char *arg)
{
  const DccOption *o = dcc_args_option_find (arg, NULL);
  return o && o->cls == DCC_OPT_PREFIX_MAP ? o->name : NULL;
}

/* The spellings of a DCC_OPT_PATH entry: its name, and for a long joined
 * one ("--sysroot") also the name with its "=". */
static gboolean
path_spelling (const DccOption *o, guint k, char *buf, gsize size)
{
  gboolean long_joined = o->name[1] == '-' && (o->flags & DCC_OPT_JOINED);
  if (!(o->flags & DCC_OPT_PATH) || k > (long_joined ? 1u : 0u))
    return FALSE;
  g_snprintf (buf, size, "%s%s", o->name, k == 1 ? "=" : "");
  return TRUE;
}

gsize
dcc_args_path_joined_offset (const char *arg)
{
  gsize best = 0;
  char name[64];
  for (gsize i = 0; i < G_N_ELEMENTS (option_table); i++)
    for (guint k = 0; may_begin_with (arg, option_table[i].name)
                      && path_spelling (&option_table[i], k, name, sizeof name); k++)
      {
        gsize n = strlen (name);
        if (g_str_has_prefix (arg, name) && arg[n] == '/' && n > best)
          best = n;
      }
  return best;
}

gboolean
dcc_args_path_option_alone (const char *arg)
{
  char name[64];
  for (gsize i = 0; i < G_N_ELEMENTS (option_table); i++)
    for (guint k = 0; may_begin_with (arg, option_table[i].name)
                      && path_spelling (&option_table[i], k, name, sizeof name); k++)
      if (strcmp (arg, name) == 0)
        return TRUE;
  return FALSE;
}

gboolean
dcc_args_takes_separate_value (const char *opt)
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

void
dcc_args_view_clear (ArgView *v)
{
  g_clear_pointer (&v->owned, g_free);
}

/* Translates argv[i] into *v. Returns how many extra argv elements it used
 * (0 or 1), or -1 when a required value is missing. */
int
dcc_args_view_init (const char *const *argv, int i, ArgView *v)
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

  if (a[0] == '-' && dcc_args_takes_separate_value (a))
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
const char *
dcc_args_view_value (const ArgView *v, const char *prefix)
{
  if (v->value != NULL)
    return v->value;
  return v->opt + strlen (prefix);
}

/* Options that make the compiler load or run other code, or take its
 * configuration (and so its programs) from somewhere else. Client: local;
 * server: refused. */
gboolean
dcc_args_is_foreign_code_option (const char *o)
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
gboolean
dcc_args_is_link_option (const char *o)
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
gboolean
dcc_args_xclang_value_allowed (const char *v, gboolean *expect_value)
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
gboolean
dcc_args_mllvm_value_names_file (const char *v)
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
gboolean
dcc_args_is_harmless_profile_value_option (const char *o)
{
  return g_str_has_prefix (o, "-fprofile-update=") ||
         g_str_has_prefix (o, "-fprofile-reproducible=") ||
         g_str_has_prefix (o, "-fprofile-exclude-files=") ||
         g_str_has_prefix (o, "-fprofile-filter-files=");
}

/* Assembler pass-through items that write files: listings (-a*), dependency
 * files (--MD), another object (-o), or read options from a file (@). */
const char *
dcc_args_asm_item_problem (const char *item, gboolean server)
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
gboolean
dcc_args_output_path_confined (const char *p)
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

static gboolean
names_input_path (const DccOption *o)
{
  return o && (o->flags & DCC_OPT_PATH) && (o->cls == DCC_OPT_SEARCH_PATH || o->cls == DCC_OPT_INCLUDE);
}

/* Adds the pairs of argv[from..] to out; the items of -Wp and the values
 * of -Xpreprocessor to cpp (when not NULL). */
static void
option_paths (const char *const *argv, int from, GPtrArray *out, GPtrArray *cpp)
{
  for (int i = from; argv[i]; i++)
    {
      const char *a = argv[i];
      if (a[0] != '-')
        continue;
      if (cpp && g_str_has_prefix (a, "-Wp,"))
        {
          g_auto(GStrv) items = g_strsplit (a + 4, ",", -1);
          for (int k = 0; items[k]; k++)
            g_ptr_array_add (cpp, g_strdup (items[k]));
          continue;
        }
      if (cpp && strcmp (a, "-Xpreprocessor") == 0)
        {
          if (argv[i + 1])
            g_ptr_array_add (cpp, g_strdup (argv[++i]));
          continue;
        }
      if (g_str_has_prefix (a, "--") && a[2] != '\0')
        {
          ArgView v;
          int used = dcc_args_view_init (argv, i, &v);
          const DccOption *o = used >= 0 && v.value ? dcc_args_option_find (v.opt, NULL) : NULL;
          if (names_input_path (o))
            {
              g_ptr_array_add (out, g_strdup (o->name));
              g_ptr_array_add (out, g_strdup (v.value));
            }
          dcc_args_view_clear (&v);
          if (used > 0)
            i += used;
          continue;
        }
      const char *joined = NULL;
      const DccOption *o = dcc_args_option_find (a, &joined);
      if (!o)
        continue;
      const char *value = joined;
      if (!joined && (o->flags & DCC_OPT_SEPARATE) && strcmp (a, o->name) == 0 && argv[i + 1])
        value = argv[++i];
      if (value && names_input_path (o))
        {
          g_ptr_array_add (out, g_strdup (o->name));
          g_ptr_array_add (out, g_strdup (value));
        }
    }
}

GPtrArray *
dcc_args_option_paths (const char *const *argv)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) cpp = g_ptr_array_new_with_free_func (g_free);
  if (!argv || !argv[0])
    return out;
  option_paths (argv, 1, out, cpp);
  g_ptr_array_add (cpp, NULL);
  option_paths ((const char *const *) cpp->pdata, 0, out, NULL);
  return out;
}
