/* Recognising distcc behind a compiler's name: a masquerade link (gcc ->
 * distcc) must never be run as the real compiler, it would send the job
 * out again. */
#pragma once
#include <glib.h>

/* TRUE when path's real name (symlinks resolved) is "distcc", or when it
 * cannot be resolved at all: callers skip such a path. */
gboolean dcc_masquerade_is_distcc (const char *path);
