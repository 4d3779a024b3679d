/* Compiler command-line scanning (the client side); see dcc-args.h. */
#include "dcc-args-private.h"

#include <string.h>

#include "dcc-error.h"
#include "dcc-limits.h"

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
char *
dcc_args_show (const char *a)
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
  g_autofree char *shown = dcc_args_show (whole);

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
      else if (dcc_args_is_foreign_code_option (it) || g_str_has_prefix (it, "-fdump-") || it[0] == '@')
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
  else if (dcc_args_is_foreign_code_option (o))
    go_local (s, "uses local compiler setup (%s)", shown);
  else if (g_str_has_prefix (o, "-o"))
    {
      if (v->value == NULL && o[2] == '\0')
        go_local (s, "-o without a file name");
      else if (v->value != NULL && v->value_index < 0)
        go_local (s, "long-form --output");
      s->n_outputs++;
      s->output = dcc_args_view_value (v, "-o");
      s->output_index = v->value_index >= 0 ? v->value_index : -2; /* fixed up by caller */
    }
  else if (g_str_has_prefix (o, "-x"))
    {
      const char *name = dcc_args_view_value (v, "-x");
      if (strcmp (name, "none") == 0)
        s->x_lang = DCC_LANG_NONE;
      else
        {
          DccLang lang = dcc_args_lang_from_name (name);
          if (lang == DCC_LANG_NONE)
            {
              g_autofree char *n = dcc_args_show (name);
              go_local (s, "language not distributed (-x %s)", n);
            }
          else
            s->x_lang = lang;
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
      s->mf = dcc_args_view_value (v, "-MF");
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
          v->value[0] == '@' || dcc_args_is_foreign_code_option (v->value))
        {
          g_autofree char *val = dcc_args_show (v->value);
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
          const char *problem = dcc_args_asm_item_problem (*it, FALSE);
          if (problem != NULL)
            {
              go_local (s, "%s (%s)", problem, shown);
              break;
            }
        }
    }
  /* Linking: harmless with -c; the client strips them before sending. */
  else if (dcc_args_is_link_option (o))
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
           (g_str_has_prefix (o, "-fprofile-") && !dcc_args_is_harmless_profile_value_option (o) &&
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
      if (!dcc_args_xclang_value_allowed (v->value, &s->xclang_expect_value))
        {
          g_autofree char *val = dcc_args_show (v->value);
          go_local (s, "-Xclang %s", val);
        }
    }
  else if (strcmp (o, "-mllvm") == 0)
    {
      if (dcc_args_mllvm_value_names_file (v->value))
        {
          g_autofree char *val = dcc_args_show (v->value);
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
  g_autofree char *shown = dcc_args_show (o);

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
  const char *suffix = dcc_args_find_suffix (path);
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
      g_autofree char *src = strip_suffix (dcc_args_find_basename (a->argv[a->source_index]));
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
      base = strip_suffix (s->save_temps == SAVE_TEMPS_CWD ? dcc_args_find_basename (a->output) : a->output);
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
    aux = strip_suffix (dcc_args_find_basename (a->output));
  else
    aux = strip_suffix (a->output);
  /* clang derives the .dwo from -o only with -c; else from the source, in
   * the current directory. */
  if (a->is_clang && !s->seen_c)
    dwo = strip_suffix (dcc_args_find_basename (a->argv[a->source_index]));
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
      used = dcc_args_view_init (argv, i, &v);
      if (used < 0)
        {
          g_autofree char *shown = dcc_args_show (arg);
          go_local (&s, "%s without its value", shown);
          dcc_args_view_clear (&v);
          break;
        }
      s.cur_index = i;
      scan_option (&s, &v);
      if (s.output_index == -2)   /* joined -oFILE */
        s.output_index = i;
      dcc_args_view_clear (&v);
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
          g_autofree char *shown = dcc_args_show (s.non_source);
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
      else if (g_str_has_prefix (dcc_args_find_basename (argv[s.source_index]), "conftest."))
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
  a->is_clang = strstr (dcc_args_find_basename (argv[0]), "clang") != NULL;
  a->lto = s.lto;
  if (s.output != NULL)
    {
      a->output = g_strdup (s.output);
      a->output_index = s.output_index;
    }
  else
    {
      g_autofree char *stem = strip_suffix (dcc_args_find_basename (argv[s.source_index]));
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

gboolean
dcc_args_gcc_lto (const DccCompileArgs *a, gboolean is_clang)
{
  return a->lto && !is_clang && a->lang != DCC_LANG_ASM_CPP;
}
