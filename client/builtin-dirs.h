/* The compiler's own #include <...> directories (what `-E -v` prints), which
 * a pump-mode volunteer recreates from the client's copies with -nostdinc
 * and -isystem. Learnt once per compiler and target flags, cached in
 * $DISTCC_DIR/compilers/ and invalidated by the compiler binary's stat. */
#pragma once
#include <glib.h>
#include "dcc-args.h"

/* Pure: the `#include <...> search starts here:` list of `-E -v` stderr. */
GStrv dcc_builtin_dirs_parse (const char *text, gsize len, GError **error);
/* The flags of argv that change the builtin directories (-m32, --target=,
 * --sysroot, -nostdinc, -stdlib=, ...), in order. Pure. */
GStrv dcc_builtin_dirs_flags (const DccCompileArgs *a);
/* Pure: files the compiler includes by itself (gcc's stdc-predef.h), from
 * the line markers of `-E` output of an empty file, as names relative to
 * the builtin dir that holds them, e.g. "stdc-predef.h". */
GStrv dcc_builtin_dirs_preincludes (const char *text, gsize len, char **dirs);
/* From the cache, or by running the compiler. *preincludes as above. */
GStrv dcc_builtin_dirs_get (const char *distcc_dir, const char *compiler_path,
                            const DccCompileArgs *a, GStrv *preincludes, GError **error);
