/* What the three parts of the closure computation share: the engine's
 * state and cache calls (closure-engine.c), one walk's state and its
 * file lookup (closure-resolve.c), used by the walk itself (closure.c).
 * Private to the include server. */
#pragma once
#include "closure.h"
#include "cache-file.h"
#include "compiler-info.h"
#include "dir-listing.h"
#include "macro-expand.h"
#include "stat-cache.h"
#include "dcc-is-protocol.h"
#include "dcc-hash.h"
#include <sys/stat.h>

/* ---- the engine (closure-engine.c) ---- */

typedef DccFileKey StatKey;   /* the cache file stores them (cache-file.h) */

/* One fact a cached closure depends on. */
/* follow: stat (searched dirs, lexical) rather than lstat (entries);
 * identity: a directory passed through, only that it is the same one. */
typedef DccCachedCheck Check;

typedef struct {
  DccHash hash;
  gboolean cplusplus;
} ScanKey;

typedef struct DccHeaderTable DccHeaderTable;

struct DccClosureEngine {
  GMutex      hash_lock;
  GHashTable *hashes;        /* StatKey* -> DccHash* */
  GMutex      scan_lock;
  GHashTable *scans;         /* ScanKey* -> DccScanResult* */
  GMutex      closure_lock;
  GHashTable *closures;      /* key -> CachedClosure* */
  GQueue      closure_order; /* keys, oldest first */
  GHashTable *interned_entries; /* DccEntry* (a ref) by content: one copy for all closures */
  GHashTable *interned_checks;  /* Check* (a ref) by content */
  GHashTable *own_entries;      /* the pointers interned_entries holds (no ref): found by address */
  GHashTable *own_checks;       /* the same for interned_checks */
  guint       closure_entries;
  GMutex      header_lock;   /* headers, and every table and node in it */
  DccHeaderTable *headers;   /* per-header walk results (closure-record.c) */
  DccDirListings *listings;  /* for probes; has its own lock */
  DccStatCache   *stat_cache; /* lstat/stat answers while inotify sees no change; own lock */
  guintptr    walks;         /* walk ids handed out (dcc_closure_walk_id) */
  gint        learnt;        /* a scan or a walked closure inserted since creation or the last load */
  /* What was added since the cache file was loaded or saved, so that a save
   * can append just that to the file (see dcc_closure_engine_save). Each
   * under its table's lock. */
  GArray     *fresh_hashes;   /* StatKey */
  GArray     *fresh_scans;    /* ScanKey */
  GHashTable *fresh_closures; /* keys (owned) */
  gboolean    fresh_lost;     /* a table was emptied when full: only a rewrite is true */
  /* The file as this server read or wrote it: appending is only right onto
   * that very file (another server may have replaced it since). */
  gboolean    file_known;
  dev_t       file_dev;
  ino_t       file_ino;
  goffset     file_size;
  goffset     file_first;     /* bytes of its first segment (a whole rewrite) */
  guint       file_segments;
};

void dcc_closure_stat_key_from (StatKey *k, const struct stat *st);
gboolean dcc_closure_hash_lookup (DccClosureEngine *e, const StatKey *k, DccHash *out);
DccScanResult *dcc_closure_scan_lookup (DccClosureEngine *e, const ScanKey *k);
void dcc_closure_scan_insert (DccClosureEngine *e, const ScanKey *k, DccScanResult *r);
GPtrArray *dcc_closure_cache_lookup (DccClosureEngine *e, const char *key, guint *n_hashed);
void dcc_closure_cache_insert (DccClosureEngine *e, const char *key, GPtrArray *entries, GPtrArray *checks,
                               gboolean only_over_same);
gboolean dcc_closure_hash_file (DccClosureEngine *e, const char *phys, const struct stat *st, DccHash *hash,
                                guint8 **data, gsize *len, gboolean need_data, guint *n_hashed, GError **error);

/* A new walk's id, never 0 and never handed out before. */
guintptr dcc_closure_walk_id (DccClosureEngine *e);
/* Every check holds now (a memo comparison for those nothing touched since
 * they last held; a restamped file does not hold). walk (0 for none): a
 * check that held already in this walk is not looked at again (without
 * inotify, or on a network file system, a record's checks would otherwise
 * cost a system call each for every record). */
gboolean dcc_closure_checks_hold (DccClosureEngine *e, GPtrArray *checks, guintptr walk);
/* Replaces each of the new entries' (may be NULL) and checks' items by the
 * engine's one copy of it, adding those it lacks. */
void dcc_closure_intern (DccClosureEngine *e, GPtrArray *entries, GPtrArray *checks);

/* ---- per-header walk results (closure-record.c) ---- */

#define DCC_CLOSURE_HEADER_NODES_MAX 262144u
#define DCC_CLOSURE_HEADER_PATHS_MAX 4096u

/* A header as one walk reaches it: its lexical path and search-chain index
 * under one search path. Lives as long as its table. */
typedef struct DccHeaderRecord DccHeaderRecord;
typedef struct {
  char *lexical;
  int   chain;
  DccHeaderRecord *record;   /* under the engine's header_lock; NULL until walked */
} DccHeaderNode;

/* What walking one header yields, immutable once made. */
struct DccHeaderRecord {
  gint refs;
  GPtrArray *entries;   /* DccEntry*: the file, the directories and symlinks to it, files probed */
  GPtrArray *checks;    /* Check*: each directory searched lists the names looked for there */
  GPtrArray *next;      /* DccHeaderNode* its directives resolve to, of the table */
  GPtrArray *found;     /* Check* that each of next is still there (not in the closure) */
  GPtrArray *pending;   /* const DccScanInclude*: its computed includes, in scan */
  DccScanResult *scan;
};

DccHeaderTable  *dcc_header_table_get (DccClosureEngine *e);
void             dcc_header_table_unref (DccHeaderTable *t);
/* A short id for a search path's signature, the same for the same one. */
void             dcc_header_table_path_id (DccClosureEngine *e, DccHeaderTable *t, const char *signature,
                                           char *id, gsize size);
DccHeaderNode   *dcc_header_node (DccClosureEngine *e, DccHeaderTable *t, const char *key,
                                  const char *lexical, int chain);
DccHeaderRecord *dcc_header_record_get (DccClosureEngine *e, DccHeaderNode *n, guintptr walk);
void             dcc_header_record_set (DccClosureEngine *e, DccHeaderNode *n, DccHeaderRecord *r);
DccHeaderRecord *dcc_header_record_ref (DccHeaderRecord *r);
void             dcc_header_record_unref (DccHeaderRecord *r);

/* ---- one request's walk (closure.c, closure-resolve.c) ---- */

#define CHAIN_NONE  (-1)   /* found beside its includer or by absolute path */
#define CHAIN_MAIN  (-2)   /* the main file or a -include file */

typedef struct {
  DccClosureEngine *engine;
  DccScanner       *scanner;
  const char       *cwd;
  DccIsCompileArgs   *args;
  DccSearchPath    *sp;
  char            **chain;        /* quote dirs then angled dirs */
  guint             n_chain;

  GHashTable *entries;       /* physical path -> DccEntry* (owned) */
  GHashTable *checks;        /* dcc_walk_key (follow, path) -> Check* (owned) */
  GHashTable *dir_memo;      /* lexical dir -> physical dir, or "" if missing */
  GHashTable *resolve_memo;  /* dcc_walk_key (start, here, name) -> dcc_walk_key (chain, lexical path), or "" */
  GHashTable *visited;       /* DccHeaderNode* */
  GHashTable *probed_dirs;   /* dir searched without success -> GString of names not found there */
  GHashTable *absent_paths;  /* paths probed and not found */
  GHashTable *dirs_seen;     /* dir -> DirSeen*: stat'ed once a walk */
  GQueue      work;          /* DccHeaderNode* */
  GPtrArray  *scans;         /* DccScanResult* of every file walked (refs) */
  GPtrArray  *pending;       /* Pending*: computed includes */
  GHashTable *macros;        /* name -> GPtrArray of DccScanMacro*: -D and predefined (borrowed) */
  GPtrArray  *cmdline_macros;/* DccScanMacro* made from -D and predefined (owned) */
  GHashTable *macro_memo;    /* name -> GPtrArray of every DccScanMacro* seen (borrowed) */
  guint       memo_scans;    /* macro_memo covers scans[0..memo_scans) */
  gboolean    exact_done;    /* the full-parse fallback covered the TU */
  gboolean    predef_added;  /* the compiler's predefined macros are in macros */
  DccClosureStats *stats;
  DccHeaderTable *headers;   /* a ref: the nodes in work, visited and records live in it */
  char        path_id[16];   /* this walk's search path in headers */
  /* Making one header's record: a walk of that header alone, whose
   * directives' headers are collected in next instead of walked. */
  gboolean    collect;
  GPtrArray  *next;          /* collect: DccHeaderNode* */
  GPtrArray  *records;       /* DccHeaderRecord* taken (refs) */
  GPtrArray  *rec_entries;   /* what the records bring: DccEntry* and Check*, */
  GPtrArray  *rec_checks;    /* each once (taken_in) but when walks race */
  guintptr    id;            /* dcc_closure_walk_id; 0 in a record's own walk */
  GString    *key;           /* scratch for memo keys: built per lookup, copied only when inserted */
  GStringChunk *strings;     /* the walk's own strings (memo keys and values, work paths): freed at once */
} Walk;

/* A copy of s that lives as long as the walk. */
static inline char *
dcc_walk_str (Walk *w, const char *s)
{
  return g_string_chunk_insert (w->strings, s);
}

typedef struct {
  const DccScanInclude *inc;   /* borrowed from a scan in Walk.scans */
  const char *includer;        /* lexical path, in Walk.strings */
  int   includer_chain;
} Pending;

/* A directory as this walk first saw it: the listing that answers probes
 * and the checks that record them rest on the same stat. */
typedef struct {
  gboolean exists;
  gboolean missing;         /* ENOENT or ENOTDIR: nothing under it exists */
  struct stat st;
  gboolean listing_tried;   /* listing asked for (only directories probed in) */
  DccDirListing *listing;   /* NULL: not listed, stat the names */
} DirSeen;

char *dcc_walk_collapse_slashes (const char *p);
char *dcc_walk_make_absolute (const char *cwd, const char *p);
char *dcc_walk_join (const char *dir, const char *name);
const char *dcc_walk_key (Walk *w, int number, const char *a, const char *b);
void dcc_walk_add_check (Walk *w, const char *path, gboolean follow, const struct stat *st);
const char *dcc_walk_resolve_dir (Walk *w, const char *lexical);
char *dcc_walk_to_file (Walk *w, const char *lexical, struct stat *st);
gboolean dcc_walk_add_file (Walk *w, const char *phys, const struct stat *st, DccHash *hash,
                            guint8 **data, gsize *len, gboolean need_data, GError **error);
void dcc_walk_dir_seen_free (DirSeen *d);
gboolean dcc_walk_probe (Walk *w, const char *p);
const char *dcc_walk_resolve (Walk *w, char form, gboolean next, const char *name, const char *includer,
                              int includer_chain, gboolean from_cmdline, int *chain_out);
