/* A compiler's identity: what must be equal on client and volunteer for the
 * volunteer's object to be the one a local compile would make. Version and
 * target as the compiler reports them, plus digests of the driver, the
 * back end for the language (gcc's cc1/cc1plus) and the assembler.
 * Learnt by running the compiler, so cached on disk keyed by its stat. */
#pragma once
#include <glib.h>

/* lang is the -x name ("c", "c++", "assembler-with-cpp", ...). cache_dir
 * may be NULL or unwritable: then nothing is cached. */
char *dcc_compiler_id_get (const char *compiler_path, const char *lang, const char *cache_dir,
                           GError **error);
