/* The compiler's include search path as `COMPILER -E -v -x LANG /dev/null`
 * prints it, and the files it includes by itself. Pure parsing; used by the
 * include server and by the client (pump mode's builtin directories). */
#pragma once
#include <glib.h>

/* The search path: gcc's `#include "..."` list (the -iquote dirs) and
 * `#include <...>` list (-I, -isystem, builtin dirs, -idirafter), each made
 * absolute against cwd but otherwise as the compiler spells them. Immutable
 * and reference-counted; shared between threads. */
typedef struct {
  char  **quote_dirs;     /* NULL-terminated */
  char  **angled_dirs;    /* NULL-terminated */
  char  **implicit_includes; /* NULL-terminated: files the compiler includes by itself */
  guint   n_quote;
  guint   n_angled;
  char   *key;            /* identifies this configuration (for memo keys) */
} DccSearchPath;

DccSearchPath *dcc_search_path_ref (DccSearchPath *sp);
void           dcc_search_path_unref (DccSearchPath *sp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccSearchPath, dcc_search_path_unref)

/* Parses the stderr of `-E -v`: the lines between `#include "..." search
 * starts here:`, `#include <...> search starts here:` and `End of search
 * list.`; and from its stdout (preprocessed, may be NULL) the line markers
 * of files included implicitly. Relative dirs are joined to cwd. FALSE if the
 * markers are missing. Pure. */
gboolean dcc_search_path_parse (const char *output, const char *preprocessed, const char *cwd,
                                DccSearchPath **out, GError **error);
/* dir joined to cwd unless absolute ("." is cwd); no other normalisation. */
char *dcc_search_path_absolute (const char *dir, const char *cwd);
