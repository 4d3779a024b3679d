/* What the compiler itself decides about a compile: which command-line flags
 * matter for the preprocessor, and the include search path the compiler
 * ends up with (its builtin system dirs included). The search path is learnt
 * by running `COMPILER <search flags> -E -v -x LANG /dev/null` once per
 * (compiler, flags, language, cwd) and parsing the lists it prints. */
#pragma once
#include <glib.h>
#include "dcc-search-path.h"

#define DCC_COMPILER_INFO_CACHE_MAX   512u       /* search-path configurations kept */
#define DCC_COMPILER_MAX_OUTPUT       (1u << 20) /* bytes of `-E -v` output accepted */

/* A compile command, as far as the include server cares. Pure data. */
typedef struct {
  char      *compiler;          /* argv[0] as given */
  char      *source;            /* the one input file, as given */
  char      *lang;              /* -x name: "c", "c++", "assembler-with-cpp", ... */
  gboolean   preprocessed;      /* .i/.ii/.s: the compiler reads no headers */
  gboolean   cplusplus;         /* scan headers as C++ */
  gboolean   no_std_predef;     /* -nostdinc or -ffreestanding: no stdc-predef.h */
  GPtrArray *search_flags;      /* char*: flags that shape the search path, in order */
  GPtrArray *forced_includes;   /* char*: -include and -imacros names, in order */
  GPtrArray *predef_flags;      /* char*: flags that may change predefined macros */
  GPtrArray *defines;           /* char*: "-DNAME[=VALUE]" or "-UNAME", joined, in order */
} DccIsCompileArgs;

void dcc_is_compile_args_free (DccIsCompileArgs *args);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccIsCompileArgs, dcc_is_compile_args_free)

/* Scans argv (argv[0] is the compiler). FALSE with a reason when the command
 * cannot be analysed (no or several inputs, response files, clang modules,
 * VFS overlays...): the caller answers "cannot analyse". Pure. */
gboolean dcc_is_compile_args_scan (const char *const *argv, DccIsCompileArgs **out, GError **error);



/* Finds argv0 as execvp would, relative to cwd, skipping anything whose real
 * name is "distcc" (a masquerade link). path_env may be NULL. */
char *dcc_is_compiler_find (const char *argv0, const char *cwd, const char *path_env,
                         GError **error);

/* The search path for this compile: from the cache, or by running the
 * compiler (with LC_ALL=C) in cwd. Thread-safe; concurrent misses may both
 * run the compiler. */
DccSearchPath *dcc_compiler_search_path (const char *compiler_path, const DccIsCompileArgs *args,
                                         const char *cwd, GError **error);

/* The compiler's predefined macros (`-dM -E` with the search flags and
 * language, without -D/-U) as source text. Cached like the search path. */
char *dcc_compiler_predefined_macros (const char *compiler_path, const DccIsCompileArgs *args,
                                      const char *cwd, GError **error);
