/* The closure of a compile: every file, directory and symlink the compiler
 * reads, with content hashes. Walks the include graph using per-header scans
 * (clang-scan.h) memoized by content hash, resolves every directive against
 * the compiler's search path (compiler-info.h), and caches:
 *   - file hashes by (dev, inode, size, mtime ns, ctime ns);
 *   - header scans by (content hash, C or C++);
 *   - each header's walk under one search path (closure-record.c): its
 *     files, the names probed and not found, the headers it includes;
 *   - whole closures by (cwd, argv);
 * the last two re-validated by an lstat of everything they depend on
 * (files, symlinks, directories that were searched).
 * All caches are bounded and shared by the server's threads. */
#pragma once
#include <glib.h>
#include "clang-scan.h"

#define DCC_CLOSURE_HASH_CACHE_MAX     262144u  /* files whose hash is remembered */
#define DCC_CLOSURE_SCAN_CACHE_MAX     131072u  /* header scans remembered */
#define DCC_CLOSURE_CACHE_MAX_ENTRIES  524288u  /* entries over all cached closures */
#define DCC_CLOSURE_MAX_SYMLINKS       40u      /* symlinks followed in one path, as the kernel */
#define DCC_CLOSURE_MAX_MACRO_DEPTH    16u      /* nesting when expanding #include MACRO */

typedef struct DccClosureEngine DccClosureEngine;

DccClosureEngine *dcc_closure_engine_new (void);
void              dcc_closure_engine_free (DccClosureEngine *engine);
/* The engine's file hashes, header scans and closures to and from a cache file (see
 * cache-file.h), so that the next server starts warm. Saving appends what
 * was learnt since the file was loaded (*appended TRUE) while that stays
 * small and the file is the one loaded; otherwise it writes the whole
 * engine to a temporary file and renames it. Loading adds to what the
 * engine has. Closures, too, are checked against the disk before each use. */
gboolean dcc_closure_engine_save (DccClosureEngine *engine, const char *path, gboolean *appended,
                                  GError **error);
gboolean dcc_closure_engine_load (DccClosureEngine *engine, const char *path, GError **error);
/* Has the engine added to its caches since it was created or last loaded? */
gboolean dcc_closure_engine_learnt (DccClosureEngine *engine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccClosureEngine, dcc_closure_engine_free)

typedef struct {
  guint files_scanned;     /* headers scanned by libclang in this request */
  guint files_hashed;      /* files read and hashed */
  guint headers_walked;    /* headers walked for want of a valid record (the rest reused one) */
  gboolean cache_hit;      /* closure came from the closure cache */
  gboolean full_parse;     /* the exact fallback (a full libclang parse) ran */
} DccClosureStats;

/* Computes the closure of the compile `argv` run in `cwd` (argv[0] is the
 * compiler as typed; path_env is the PATH to find it in, may be NULL).
 * TRUE: *entries is a GPtrArray of DccEntry* sorted so that a directory
 * precedes its contents; it may be shared with the cache, so treat it as
 * read-only and unref it. FALSE: the compile cannot be analysed (error says
 * why); the client should compile in plain mode. stats may be NULL. */
gboolean dcc_closure_compute (DccClosureEngine *engine, DccScanner *scanner,
                              const char *cwd, const char *const *argv, const char *path_env,
                              GPtrArray **entries, DccClosureStats *stats, GError **error);

/* Expands the tokens of a computed include (`HDR`, `"a.h"`, `<a/b.h>`)
 * using macros (name -> GPtrArray of DccScanMacro*, every definition seen).
 * Appends "\"name" or "<name" strings to out for each possible result. FALSE
 * if any possibility cannot be followed (undefined, function-like or
 * compound). Pure. */
gboolean dcc_closure_expand_computed (const char *tokens, GHashTable *macros, GPtrArray *out);
