/* The compiler's own #include <...> directories (what `-E -v` prints), which
 * a pump-mode volunteer recreates from the client's copies with -nostdinc
 * and -isystem. Learnt once per compiler and target flags, cached in
 * $DISTCC_DIR/compilers/ and invalidated by the compiler binary's stat. */
#pragma once
#include <glib.h>
#include "dcc-args.h"

/* The flags of argv that change the builtin directories: the option
 * table's DCC_OPT_BUILTIN entries (-m32, --target=, --sysroot, -nostdinc,
 * -stdlib=, ...) with their values, in order. Pure. */
GStrv dcc_builtin_dirs_flags (const DccCompileArgs *a);
/* From the cache, or by running the compiler (parsed with
 * dcc_search_path_parse). *preincludes: files the compiler includes by
 * itself, relative to the builtin dir that holds them ("stdc-predef.h"). */
GStrv dcc_builtin_dirs_get (const char *distcc_dir, const char *compiler_path,
                            const DccCompileArgs *a, GStrv *preincludes, GError **error);
