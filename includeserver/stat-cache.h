/* lstat and stat answers shared by the include server's requests, kept
 * while inotify reports no change, so that a closure walked or re-validated
 * a second time costs hash lookups instead of a system call per file,
 * directory and probe (a kernel unit needs about a thousand).
 *
 * Paths are kept as a tree of components. A path's answer is cached only
 * once its directory is watched (inotify, IN_ONLYDIR | IN_DONT_FOLLOW)
 * before the lstat, and only on local file systems whose every change goes
 * through this kernel (ext2/3/4, xfs, btrfs, tmpfs, f2fs): a network file
 * system changed elsewhere would send no event. Every regular file cached
 * gets a watch of its own too, so that a write through another hard link
 * (a `cp -al` tree) is seen. An event on a name forgets that name (and,
 * when it was created, deleted or renamed, everything below it and the
 * directory's own stat); an overflowed event queue forgets everything.
 * Paths with "." or ".." components, or that pass through a symlink, are
 * answered by the system call every time.
 *
 * Correctness rests on one ordering: dcc_stat_cache_sync() reads every
 * event queued so far, and the kernel queues an event before the system
 * call that changed the file returns. A request that arrives after a
 * change (make starts a compile after the command that wrote its headers
 * exits) therefore syncs, and forgets the changed answer, before it looks.
 *
 * Bounded: at most DCC_STAT_CACHE_MAX_WATCHES watches (fewer if the
 * system's inotify limit is lower) and DCC_STAT_CACHE_MAX_NODES paths;
 * past either, paths not yet cached are asked of the system. Safe for
 * concurrent use (one lock; a miss's system calls run under it). */
#pragma once
#include <glib.h>
#include <sys/stat.h>

#define DCC_STAT_CACHE_MAX_WATCHES  65536u
#define DCC_STAT_CACHE_MAX_NODES    1048576u

typedef struct DccStatCache DccStatCache;

/* A cache; if inotify is not available (or enabled is FALSE) it answers
 * every call with the system call and caches nothing. */
DccStatCache *dcc_stat_cache_new (gboolean enabled);
void          dcc_stat_cache_free (DccStatCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccStatCache, dcc_stat_cache_free)

/* Reads every event queued so far: call at the start of each request. */
void dcc_stat_cache_sync (DccStatCache *cache);

/* lstat (follow FALSE) or stat (follow TRUE) of path: 0, or -1 with errno
 * set, exactly as the system call would answer now. */
int dcc_stat_cache_stat (DccStatCache *cache, const char *path, gboolean follow, struct stat *st);

/* What one cached answer came from, to ask later whether it can have
 * changed without looking the path up again: the answer's node in the
 * tree (the path's own, or the ancestor that ended it) and the number it
 * was given when it became known. Any event that could change the answer
 * forgets the node, and knowing it again gives it a new number. */
typedef struct {
  gpointer node;     /* NULL: nothing to remember (the answer was not cached) */
  guint64  serial;
  guint64  epoch;    /* the cache's, when made: retired nodes are freed in a new epoch */
} DccStatMemo;

/* dcc_stat_cache_stat, also filling *memo (memo may be NULL); memo->node
 * is NULL when the answer is not cached or rests on more than one node
 * (a path through ".."). */
int dcc_stat_cache_stat_memo (DccStatCache *cache, const char *path, gboolean follow, struct stat *st,
                              DccStatMemo *memo);

/* For checking many memos under one lock: TRUE if the answer m was made
 * from is still the cache's answer now (same node, still known, not
 * forgotten since). Between lock and unlock only. */
void     dcc_stat_cache_lock (DccStatCache *cache);
void     dcc_stat_cache_unlock (DccStatCache *cache);
gboolean dcc_stat_cache_unchanged_locked (DccStatCache *cache, const DccStatMemo *m);
/* *dst = *src under the cache's lock (memos shared between threads are
 * read and written only under it). */
void     dcc_stat_cache_keep_memo (DccStatCache *cache, DccStatMemo *dst, const DccStatMemo *src);

typedef struct {
  guint64 hits, misses, uncached, events, resets;
  guint watches, nodes;
} DccStatCacheCounters;
void dcc_stat_cache_counters (DccStatCache *cache, DccStatCacheCounters *out);
