/* Compiler command lines: what a gcc/clang invocation compiles, where it
 * writes, and whether it may run on another machine.
 *
 * Pure functions over argv: nothing here reads the environment, the file
 * system or a socket, so the client, the server, the unit tests and fuzzers
 * all call the same code. Rule of thumb everywhere: when an argument is not
 * understood well enough to reproduce the compile elsewhere, the answer is
 * "compile locally", never a guess.
 *
 * Client use: dcc_args_scan() decides local vs remote and names the source,
 * the object, the .d file and the side outputs a compile writes. Before
 * sending, the client rewrites the source (to the preprocessed file) and every
 * output path (to a relative name) by index, and then drops linker options
 * with dcc_args_strip_link_options(), because the server refuses them.
 *
 * Server use: dcc_args_check_server_safe() on the argv it received. It refuses
 * (DCC_ERROR_REFUSED) each class of argument documented at that function. */
#pragma once
#include <glib.h>

typedef enum {
  DCC_LANG_NONE,
  DCC_LANG_C,
  DCC_LANG_CXX,
  DCC_LANG_OBJC,
  DCC_LANG_OBJCXX,
  DCC_LANG_ASM_CPP,            /* .S .sx: assembler with cpp */
  DCC_LANG_ASM,                /* .s */
  DCC_LANG_C_PREPROCESSED,     /* .i */
  DCC_LANG_CXX_PREPROCESSED,   /* .ii */
  DCC_LANG_OBJC_PREPROCESSED,  /* .mi */
  DCC_LANG_OBJCXX_PREPROCESSED,/* .mii */
  DCC_LANG_C_HEADER,           /* .h: only from dcc_args_lang_of_file (the scan compiles no header) */
  DCC_LANG_CXX_HEADER,         /* .hh .hpp .hxx .H: likewise */
} DccLang;

typedef struct {
  GStrv      argv;            /* deep copy of the input argv; argv[0] is the compiler */
  int        source_index;    /* index into argv of the single source file */
  DccLang    lang;            /* from -x if given before the source, else from the suffix */
  gboolean   lang_from_x;     /* an explicit -x applies to the source */
  char      *output;          /* -o value, or the default (basename with .o, or .s for -S) */
  int        output_index;    /* index of the -o VALUE in argv (or of the joined -oFILE arg), -1 if defaulted */
  gboolean   assemble_only;   /* -S */
  gboolean   want_deps;       /* -MD or -MMD (driver form) */
  gboolean   deps_via_wp;     /* -Wp,-MD,f / -Wp,-MMD,f (kernel form) */
  char      *dep_file;        /* NULL when no .d is written; else the -MF value, the -Wp,-MD,FILE
                               * value, or the output with its suffix replaced by .d */
  int        dep_file_index;  /* argv element holding dep_file: the -MF value, the joined -MFFILE,
                               * or the whole -Wp,... argument; -1 if defaulted or none */
  gboolean   has_dep_target;  /* -MT or -MQ given */
  gboolean   debug_info;      /* some -g* other than -g0 in effect (last wins) */
  gboolean   split_dwarf;     /* -gsplit-dwarf (last of -gsplit-dwarf/-gno-split-dwarf) */
  GPtrArray *side_outputs;    /* char*: files the compile writes beside the object, named as the
                               * compiler (gcc, or clang when argv[0] says so) derives them:
                               * .su (-fstack-usage), .gcno (-ftest-coverage), .ci (-fcallgraph-info),
                               * .dwo (-gsplit-dwarf), -save-temps files (.i/.ii/.mi/.mii, clang .bc, .s) */
  gboolean   color_always;    /* -fdiagnostics-color=always / -fcolor-diagnostics (last wins) */
  gboolean   has_link_options;/* -Wl, -Xlinker, -l, -L, -T, -z, -fuse-ld: ignored with -c, refused by
                               * the server; strip them with dcc_args_strip_link_options() */
  gboolean   is_clang;        /* argv[0]'s basename contains "clang" (side-output naming differs) */
  gboolean   lto;             /* -flto[=...] in effect (last of -flto/-fno-lto): gcc records the
                               * working directory in the object (server/compile-job.c) */
} DccCompileArgs;

void dcc_compile_args_free (DccCompileArgs *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccCompileArgs, dcc_compile_args_free)

/* Classifies a compile. Returns TRUE and *out (caller frees) when it may run
 * remotely; returns FALSE with *local_reason (caller frees; a short human
 * string such as "preprocess only (-E)") when it must run locally. Never fails
 * otherwise. argv is NULL-terminated, argv[0] is the compiler. Either out
 * parameter may be NULL. Does not expand @file (the client does that first:
 * one still present means local). */
gboolean dcc_args_scan (const char *const *argv, DccCompileArgs **out, char **local_reason);

/* Whether the compile is gcc's (is_clang: the caller's knowledge of the
 * compiler) with -flto on a C-family source: gcc 12 streams the working
 * directory into its LTO object, unmapped by prefix maps (a volunteer must
 * compile it where the client's directory is). */
gboolean dcc_args_gcc_lto (const DccCompileArgs *a, gboolean is_clang);

/* Server side: checks every argument a client sent. argv is the whole
 * NULL-terminated argv; argv[0] (the compiler, checked elsewhere) is skipped.
 * Every element is examined, including values of options that take one, so
 * that no mistake about which option takes a value can hide an option.
 * Options spelled "--name" are also checked as "-name" and "-fname", which
 * is how gcc's driver translates unknown long options. Refuses, with
 * DCC_ERROR_REFUSED naming the argument:
 *  - response files (@file): they read an arbitrary file and would smuggle
 *    options past this check;
 *  - options that load or run other code or change which programs run:
 *    -B, -specs/--specs, -wrapper, -fplugin*, -fpass-plugin, -iplugindir,
 *    -fmodule-mapper, -fcompare-debug=OPTS, -ccc-*, --config, --gcc-toolchain,
 *    -Xarch_*, -Xcuda-*, -Xopenmp-target, -Xanalyzer, -Xclang (except a few
 *    harmless flags), -mllvm values that name files, -working-directory;
 *  - linking options (meaningless with -c, and -Wl/-Xlinker reach the linker
 *    unchecked): -Wl,*, -Xlinker, -l, -L, -T, -z, -fuse-ld;
 *  - outputs that leave the job directory: an output path that is absolute,
 *    empty or has a ".." component, for -o, -MF, -MJ, -aux-info, -dumpdir,
 *    -dumpbase, -serialize-diagnostics, -ftime-trace=, -foptimization-record-file=,
 *    -fcrash-diagnostics-dir=, -fmodules-cache-path=, -fmodule-output=, -fdeps-file=,
 *    and the -MD/-MMD/-MF file handed to the preprocessor by -Wp,/-Xpreprocessor;
 *    -o handed to the preprocessor or assembler; assembler listings to files
 *    (-Wa,-a*=FILE) and assembler dependency files (-Wa,--MD);
 *  - options that write files named by a free-form value: -fdump-* (all),
 *    -fopt-info*=FILE, -save-temps=/-save-stats= other than cwd/obj, and -fprofile-*=PATH
 *    / -fauto-profile=PATH / -fcs-profile-generate=PATH (profile read/write locations).
 * Input paths may be absolute (the server maps them into the job tree); in
 * pump mode the request decoder holds those of the search and include
 * options to the SYSD rule (dcc_args_option_paths, dcc_path_check_option_path).
 * Also fails with DCC_ERROR_LIMIT past DCC_MAX_ARGS / DCC_MAX_ARG_LEN. */
gboolean dcc_args_check_server_safe (const char *const *argv, GError **error);

/* A copy of argv without the linking options listed above (and the values of
 * -Xlinker, -l, -L, -T, -z given separately). Indices before the first
 * removed argument are unchanged, so rewrite sources/outputs first. */
GStrv dcc_args_strip_link_options (const char *const *argv);

/* The argv to run elsewhere: a->argv with the source replaced by source, the
 * object by output (in the form it was given; appended as "-o OUTPUT" when
 * it was defaulted) and an explicit dep file (-MF, -Wp,-MD,FILE) by
 * dep_file, each only when non-NULL; then linking options stripped. A
 * defaulted dep file follows the output. Caller frees. */
GStrv dcc_args_rewrite (const DccCompileArgs *a, const char *source, const char *output,
                        const char *dep_file);

/* Language of a file from its suffix (case matters: .C is C++, .c is C); NONE if not a source
 * (a header is not one). */
DccLang dcc_args_lang_from_suffix (const char *path);
/* The same with the header suffixes too (.h: C_HEADER; .hh .hpp .hxx .H: CXX_HEADER): what the
 * include server takes a file given without -x for. */
DccLang dcc_args_lang_of_file (const char *path);
/* The -x name: "c", "c++", "assembler-with-cpp", "c-header", ...; "none" for DCC_LANG_NONE. */
const char *dcc_args_lang_name (DccLang lang);
/* The language of an -x name the scan distributes ("c", "objc-cpp-output", ...); NONE for
 * "none" and for any other name (the header languages included). */
DccLang dcc_args_lang_from_name (const char *name);
/* FALSE for the languages the compiler reads no header for: preprocessed text (.i .ii .mi
 * .mii) and assembler without cpp (.s); TRUE for the others, NONE included. */
gboolean dcc_args_lang_reads_headers (DccLang lang);
/* TRUE when the suffix names a source language we know (including .s). */
gboolean dcc_args_is_source_suffix (const char *path);

/* ------------------------------------------------------------------------ */
/* The option table: the one list of the compiler options that take a value,
 * and of those that some part of distcc treats specially. The client's scan
 * and the server's check (here), plain mode's and the stock protocol's
 * remote command lines, the pump client, the include server and the result
 * cache all ask it; none keeps a list of its own. */

typedef enum {
  DCC_OPT_OTHER,         /* none of the classes below (its value is skipped, nothing more) */
  DCC_OPT_SEARCH_PATH,   /* where #include looks: -I, -iquote, -isystem, -idirafter, -iprefix,
                          * -iwithprefix[before], -isysroot, --sysroot, -imultilib, -F,
                          * -nostdinc, -nostdlibinc, ... */
  DCC_OPT_TARGET,        /* which target or toolchain, and so which builtin include dirs
                          * and predefined macros: -target, --target=, -arch, -B,
                          * --gcc-toolchain, -m*, -no-canonical-prefixes */
  DCC_OPT_PREPROCESSOR,  /* handed to the preprocessor: -Xpreprocessor */
  DCC_OPT_INCLUDE,       /* a file read before the source: -include, -imacros */
  DCC_OPT_DEFINE,        /* a macro: -D, -U */
  DCC_OPT_LANG,          /* the source's language: -x */
  DCC_OPT_DEPENDENCY,    /* the dependency file and its targets: -MF, -MT, -MQ, -MD, -Wp,-MD,... */
  DCC_OPT_OUTPUT,        /* another file written: -o, -aux-info, -dumpbase, -dumpdir, -MJ, ... */
  DCC_OPT_ASSEMBLER,     /* handed to the assembler: -Xassembler */
  DCC_OPT_LINK,          /* linking (meaningless with -c): -L, -l, -Xlinker, -T, -u, -z, -e */
  DCC_OPT_BACKEND,       /* handed to the compiler proper: --param, -Xclang, -mllvm */
  DCC_OPT_UNSEEN_INPUT,  /* makes the compiler read what the include server cannot follow:
                          * modules, precompiled headers, VFS overlays, plugins, specs */
  DCC_OPT_LTO,           /* -flto, -flto=N: the object holds the compiler's intermediate code */
  DCC_OPT_PEDANTIC,      /* -pedantic*, -Wpedantic*: gcc then warns about the line markers
                          * of preprocessed text compiled as source (g++: and does not
                          * define __cpp_runtime_arrays) */
  DCC_OPT_DIALECT,       /* the language dialect and its library: -std=, -ansi, -pthread,
                          * -ffreestanding, -stdlib= (predefined macros, builtin dirs) */
  DCC_OPT_DIAGNOSTIC,    /* warnings and the form of diagnostics: -W*, -w, -fdiagnostics*,
                          * -fmessage-length (nothing the preprocessor reads or defines) */
  DCC_OPT_DEBUG,         /* debug information: -g* */
  DCC_OPT_DRIVER,        /* where the driver stops and what it shows: -c, -S, -E, -v, -pipe */
  DCC_OPT_PREFIX_MAP,    /* a path prefix replaced in what the compile records:
                          * -fdebug-prefix-map=OLD=NEW, -fmacro-, -ffile-, -fprofile-prefix-map= */
  DCC_OPT_DUMP,          /* dumps and intermediate files beside the output: -save-temps,
                          * -fdump-*, -fopt-info*, -fcompare-debug* */
  DCC_OPT_COVERAGE,      /* coverage or profile data written: --coverage, -fprofile-arcs,
                          * -ftest-coverage, -fprofile-generate, ... */
  DCC_OPT_PROFILE_USE,   /* a profile read: -fprofile-use, -fauto-profile, ... */
} DccOptClass;

typedef enum {
  DCC_OPT_SEPARATE = 1 << 0,  /* "-X VALUE": the value may be the next argv element */
  DCC_OPT_JOINED   = 1 << 1,  /* "-XVALUE" (a long "--name" joins with "=": "--name=VALUE") */
  DCC_OPT_PREFIX   = 1 << 2,  /* no value: every argument that starts with the name */
  DCC_OPT_BY_CPP   = 1 << 3,  /* the client's preprocessing step does all it does (the
                               * search, the forced includes, the dependency file; the
                               * macros too, but for -fdirectives-only): the remote compile
                               * of the preprocessed text (plain mode, the stock protocol)
                               * leaves it out. Not set where the compile records the
                               * option itself (gcc -g puts -F in DW_AT_producer). */
  DCC_OPT_DIR      = 1 << 4,  /* the value is a directory searched as given, which the
                               * compiler may warn is missing (-Wmissing-include-dirs) */
  DCC_OPT_BUILTIN  = 1 << 5,  /* changes the compiler's own #include <...> directories:
                               * the probe and cache key of client/builtin-dirs.c */
  DCC_OPT_PATH     = 1 << 6,  /* the value is a path the compiler opens (a directory it
                               * searches, a file it reads or writes): the volunteer maps
                               * an absolute one into the job tree (server/compile-job.c) */
} DccOptFlags;

typedef struct {
  const char *name;   /* as written on the command line */
  DccOptClass cls;
  guint       flags;  /* DccOptFlags; none of SEPARATE, JOINED, PREFIX: a flag matched exactly */
} DccOption;

/* Pure: the entry for one argv element. An exact match first (with a value
 * after it, *joined NULL: the value is the next element when SEPARATE);
 * else the longest JOINED name the element starts with (*joined: the rest,
 * after the "=" of a long name) or PREFIX name (*joined NULL). NULL when no
 * entry matches. joined may be NULL. Does not translate long aliases
 * ("--include-directory"): the scan below does. */
const DccOption *dcc_args_option_find (const char *arg, const char **joined);
/* Pure: the class of arg's entry (dcc_args_option_find), DCC_OPT_OTHER when none. */
DccOptClass dcc_args_option_class (const char *arg);
/* Pure: the prefix-map option arg starts with ("-fdebug-prefix-map=", ...; the
 * table's DCC_OPT_PREFIX_MAP entries), or NULL. */
const char *dcc_args_prefix_map (const char *arg);
/* Pure: for an option with DCC_OPT_PATH and its path joined and absolute
 * ("-I/x", "--sysroot=/x", "-Wp,-MD,/x"), the offset of that path in arg;
 * the longest such option wins ("-isystem" over "-I"). 0 for anything else. */
gsize dcc_args_path_joined_offset (const char *arg);
/* Pure: arg is a DCC_OPT_PATH option as a whole word ("-I", "--sysroot",
 * "--sysroot=", "-Wp,-MD,"): the next argv element is its path. */
gboolean dcc_args_path_option_alone (const char *arg);
/* Pure: the paths argv's options name for the compiler to search or read
 * before the source (entries of class DCC_OPT_SEARCH_PATH or
 * DCC_OPT_INCLUDE with DCC_OPT_PATH: -I, -iquote, -isystem, -idirafter,
 * -iprefix, -iwithprefix[before], -isysroot, --sysroot, -include,
 * -imacros), joined, separate or through a long alias
 * ("--include-directory=DIR"), also as items of -Wp, and -Xpreprocessor:
 * pairs of new strings, the option's table name then the path. */
GPtrArray *dcc_args_option_paths (const char *const *argv);
