/* The volunteer's content-addressed file store (pump mode).
 *
 * Layout, modelled on ostree:
 *   DIR/objects/ab/<30 more hex digits>   one object per XXH3-128 digest
 *   DIR/tmp/                              files being written
 *   DIR/usage                             the shared byte count (see Budget)
 * An object is written to tmp/ and then hard-linked into place, so a crash
 * never leaves half an object and "already exists" counts as success. Every
 * path operation is relative to a directory fd (openat, linkat, ...).
 *
 * Processes. distccd forks a child per connection and several processes
 * share DIR. Correctness comes from the file system alone: an object on
 * disk under its name is valid because its bytes were hash-verified before
 * it was linked into place. The in-memory index (size, last use per
 * object) is per process and only an estimate that picks what to evict;
 * it is rebuilt from disk at open, by dcc_store_rescan, and when a put
 * finds too little to evict.
 *
 * Budget. The bound is on the disk the store takes, as `du` counts it
 * (a 100-byte header takes a 4 KiB block on ext4), and holds across
 * processes: DIR/usage (mapped, changed only under flock) counts the
 * blocks of objects/ (each object's st_blocks, at least its size rounded
 * up to the file system's block), of every objects/ab and results/ab
 * directory, of the store's own directories and DIR/usage, plus what
 * puts in progress reserved. A put evicts and reserves, under the lock and
 * before writing anything, its size rounded up to the block plus one
 * block for its objects/ab directory (which the new entry may create or
 * grow); once linked, the reservation is replaced by the object's blocks
 * and the directory's growth, so the store never takes more than the
 * budget. Naming a result reserves a block for results/ab the same way.
 * An eviction that empties objects/ab removes it (a put that wanted it
 * makes it again); the rescan's sweep does the same for results/ab. The
 * directories cannot be evicted: the low-water mark is a share of the
 * rest. Result names are symlinks short enough to live in their inode
 * (no block on ext4, xfs, tmpfs), and are not counted. Other entries of
 * DIR (distccd's compilers/ identity cache) are counted when the store
 * opens and rescans. When the
 * budget cannot take a content (everything older is pinned or within its
 * grace period, as under a flood of new contents), the put keeps it in
 * this process's memory for this job only (dcc_store_link_into writes a
 * copy) and the store stays as it is. The usage is recounted from the
 * disk at open (a process killed mid-put leaves it too high until then,
 * never too low); rescans walk the disk without the lock.
 *
 * Eviction unlinks; a job that has linked an object into its tree holds
 * its own hard link, so eviction is harmless afterwards.
 *
 * LRU clock. The object's mtime, refreshed (utimensat) on use, so
 * processes see each other's uses; a use within a quarter of the grace
 * period of the one the mtime shows is not written (store_touch).
 * Eviction removes least recently used objects down to
 * DCC_STORE_LOW_WATER_PERCENT of the budget, never one pinned in this
 * process and never one whose mtime is within the grace period (another
 * process may be about to link it).
 *
 * Objects are read-only (0444). Files linked into a job tree share the
 * object's inode, so a compile cannot modify the store through its tree
 * (a compiler that wants to replace an output unlinks it first, which only
 * removes the tree's link).
 *
 * Trust. XXH3-128 is not collision-resistant: clients that share a store
 * can, with effort, plant a header another client's job will use. Share a
 * store only among clients that trust each other (see doc/protocol.md).
 *
 * Not thread-safe: use one DccStore per process (a forked child owns its
 * copy; its fds are shared but only used with *at calls, never read from).
 */
#pragma once
#include <glib.h>
#include "dcc-hash.h"
#include <sys/stat.h>

#define DCC_STORE_MAX_OBJECTS        262144u  /* objects in the index (memory bound) */
#define DCC_STORE_LOW_WATER_PERCENT  90u      /* eviction stops at this share of max */
#define DCC_STORE_GRACE_SECONDS      60u      /* default: recently used objects are kept */
#define DCC_STORE_TMP_MAX_AGE        3600u    /* seconds before tmp/ leftovers are removed */

typedef struct DccStore DccStore;

/* Opens (creating as needed, mode 0700) the store at dir, refusing one
 * another user can write (dcc_store_stat_problem), with a budget of
 * max_bytes of disk (see Budget). Scans objects/ to rebuild the index, removes
 * tmp/ files older than DCC_STORE_TMP_MAX_AGE (younger ones may belong to
 * another process's write in progress) and empty objects whose name is
 * not the empty digest (what a power cut can leave, since writes are not
 * fsynced). Evicts if the store is over budget. */
DccStore *dcc_store_open (const char *dir, guint64 max_bytes, GError **error);
/* Why a daemon running as uid must not trust a store directory (top: the
 * store's own; else objects/, tmp/, results/, compilers/, the usage file)
 * with this stat, or NULL. Each must be uid's (the top may be root's) and
 * writable by no one else (the top may be if it is sticky, as /tmp: no one
 * else can then rename or remove what is in it, and what this checks is
 * the daemon's own). dcc_store_open refuses such a store. */
const char *dcc_store_stat_problem (const struct stat *st, uid_t uid, gboolean top);
void dcc_store_free (DccStore *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccStore, dcc_store_free)

/* Sets how long after its last use an object is safe from eviction
 * (default DCC_STORE_GRACE_SECONDS); tests use 0. */
void dcc_store_set_grace (DccStore *s, guint seconds);

/* TRUE if the object is on disk (checked on disk, not in the index), or
 * kept by this process; refreshes its last-use time. */
gboolean dcc_store_has (DccStore *s, const DccHash *h);

/* Stores bytes under h. The data is hashed first: a mismatch fails with
 * DCC_ERROR_MISMATCH and stores nothing; more than DCC_MAX_FILE_SIZE bytes
 * fails with DCC_ERROR_LIMIT. An object that already exists is success.
 * Evicts first, so that the store stays within its budget with the new
 * object; when that is not possible, keeps a reference to bytes for this
 * process only (see "Budget" above) and succeeds. */
gboolean dcc_store_put (DccStore *s, const DccHash *h, GBytes *bytes, GError **error);

/* Creates dirfd/name (one component, not "." or "..") as a hard link to
 * the object, sharing its read-only (0444) inode; refreshes its last use.
 * Never follows or replaces what is at name: an existing entry (symlink
 * included) is an error. If linking fails (EXDEV, EMLINK, EPERM, ENOTSUP),
 * or executable is TRUE, writes a private copy instead, mode 0444 or 0555
 * (a shared inode cannot have both modes). A missing object (never stored,
 * or evicted by another process) fails with DCC_ERROR_IO. */
gboolean dcc_store_link_into (DccStore *s, const DccHash *h, int dirfd, const char *name,
                              gboolean executable, GError **error);

/* Pinning: a job pins the objects it will link so that this process never
 * evicts them, and refreshes their last use so that other processes leave
 * them alone for the grace period. Link them promptly: the hard link in
 * the job tree is the only pin that holds across processes. Pins nest;
 * pinning an object not (yet) stored is allowed. */
void dcc_store_pin (DccStore *s, const DccHash *h);
void dcc_store_unpin (DccStore *s, const DccHash *h);

/* The upload lock: an flock on the store's directory, opened anew by the
 * calling process (a forked worker must not share its parent's lock).
 * Returns the fd that holds it (closing it releases it, as does the
 * process's death), or -1 if another process held it until until_us
 * (monotonic; 0: one try) or it could not be taken; *held says whether
 * another process held it at the first try. Used by pump jobs
 * (pump-job.c). */
int dcc_store_upload_lock (DccStore *s, gint64 until_us, gboolean *held);

/* Re-reads objects/ into the index (picking up other processes' puts and
 * evictions; the walk holds no lock) and evicts if over budget. The daemon
 * calls this from time to time, so that the children it forks start from a
 * recent estimate. */
gboolean dcc_store_rescan (DccStore *s, GError **error);

/* Reads an object's bytes (mapped read-only), checking its digest again;
 * refreshes its last use. NULL + DCC_ERROR_IO when it is not in the store,
 * DCC_ERROR_MISMATCH when its bytes do not hash to its name. */
GBytes *dcc_store_read (DccStore *s, const DccHash *h, GError **error);
/* TRUE when the last put of h kept it for this process only (the budget
 * was full): it is not in the shared store. */
gboolean dcc_store_is_private (DccStore *s, const DccHash *h);

/* Results (server/result-cache.c): DIR/results/ab/<30 hex digits of KEY>
 * is a symlink whose target text is the 32-hex digest of an object, the
 * result for KEY. Never followed: read with readlinkat and parsed. The
 * object is an ordinary object, under the same budget and eviction; a name
 * whose object is gone is a miss, and is removed then, or by the sweep of
 * open and dcc_store_rescan once older than the grace period. Only the
 * volunteer writes names, and only for results its own compiler made. */
/* TRUE with *value when KEY names a result whose object is in the store
 * (a stale name is removed). */
gboolean dcc_store_result_get (DccStore *s, const DccHash *key, DccHash *value);
/* Names value (stored before, not private) as the result for KEY,
 * replacing any older name atomically. */
gboolean dcc_store_result_set (DccStore *s, const DccHash *key, const DccHash *value, GError **error);
/* Names in results/ (for tests and logs). */
guint dcc_store_result_count (DccStore *s);

/* The shared usage: the store's disk bytes as du counts them (see Budget),
 * reservations of puts in progress included. */
guint64 dcc_store_total_bytes (DccStore *s);
/* Objects in this process's index. */
guint dcc_store_count (DccStore *s);
/* Contents this process keeps for itself because the budget was full. */
guint dcc_store_private_count (DccStore *s);
