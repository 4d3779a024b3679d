/* The include server's caches on disk, so that a new server (every `pump`
 * session starts one) begins with what the last one learnt: file hashes by
 * stat key and header scans by content hash. Both stay true across
 * processes: a hash is only used while the file's (dev, inode, size, mtime,
 * ctime) are unchanged, and a scan is a function of the bytes scanned (and
 * of the scanner, named by the tag).
 *
 * The file is the user's own, but it is decoded like untrusted input: a
 * pure function over a bounded buffer, every count and length checked
 * before use, so that a damaged file costs a cold start, never a wrong
 * closure. */
#pragma once
#include <glib.h>
#include "clang-scan.h"
#include "dcc-hash.h"
#include "stat-cache.h"

#define DCC_IS_CACHE_MAX_BYTES     (512u * 1024 * 1024)
#define DCC_IS_CACHE_MAX_HASHES    262144u
#define DCC_IS_CACHE_MAX_SCANS     131072u
#define DCC_IS_CACHE_MAX_ITEMS     (1u << 20)       /* includes or macros in one scan */
#define DCC_IS_CACHE_MAX_STRING    (1u << 20)       /* a name, macro body or tag */
#define DCC_IS_CACHE_MAX_CLOSURES  65536u
#define DCC_IS_CACHE_MAX_CHECKS    (1u << 20)       /* checks of one closure */
#define DCC_IS_CACHE_MAX_CLOSURE_ENTRIES (1u << 20) /* entries over all closures */
#define DCC_IS_CACHE_MAX_TABLE     (1u << 20)       /* distinct entries, distinct checks */
#define DCC_IS_CACHE_MAX_SEGMENTS  16u              /* the first encoding and those appended after it */
#define DCC_IS_CACHE_APPEND_MIN    (256 * 1024)     /* appended bytes always allowed before a rewrite */

typedef struct {
  guint64 dev, ino, size;
  gint64 mtime_s, mtime_ns, ctime_s, ctime_ns;
  guint32 mode;
} DccFileKey;

typedef struct {
  DccFileKey key;
  DccHash hash;
} DccCachedHash;

typedef struct {
  DccHash hash;            /* of the bytes scanned */
  gboolean cplusplus;
  DccScanResult *scan;     /* a ref */
} DccCachedScan;

void dcc_cached_scan_free (DccCachedScan *c);

/* One fact a cached closure rests on: path exists or not, and if it does,
 * with this stat key (or, for identity, the same directory). A directory the
 * compiler searched also lists the names it looked for there and did not
 * find: if the directory changed, the fact still holds while none of them
 * has appeared (a build writing objects beside its sources changes the
 * directory, not the answer). */
typedef struct {
  char    *path;
  gboolean exists;
  gboolean follow;     /* stat rather than lstat */
  gboolean identity;   /* only dev, inode and mode count */
  DccFileKey key;
  char    *absent;     /* NULL, or names not found in the directory path, '/'-separated */
  gint     extra_refs; /* holders besides the first (dcc_cached_check_ref) */
  /* In memory only, neither saved nor compared: the stat-cache answer the
   * fact last held against (closure-engine.c). The one field written
   * after the check is shared, and only under the stat cache's lock. */
  DccStatMemo held;
  /* In memory only: the last walk (closure.c) that found it holding and
   * the last one that took it into its closure, so that a walk looks at
   * and takes a check once however many header records list it (a
   * kernel unit's ~700 records list ~8,400 checks, ~960 of them
   * different). Written without a lock (atomically): a walk sees only
   * its own id, which no other walk writes. */
  guintptr held_in;
  guintptr taken_in;
} DccCachedCheck;

/* Shares a check (read-only from then on); each holder calls
 * dcc_cached_check_free once, and the last one frees it. */
DccCachedCheck *dcc_cached_check_ref (DccCachedCheck *c);
void dcc_cached_check_free (DccCachedCheck *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccCachedCheck, dcc_cached_check_free)

/* A whole closure: re-validated by its checks before every use, in this
 * process or the next. */
typedef struct {
  char      *key;       /* cwd, argv and compiler, as closure.c makes it */
  GPtrArray *entries;   /* DccEntry* */
  GPtrArray *checks;    /* DccCachedCheck* */
} DccCachedClosure;

void dcc_cached_closure_free (DccCachedClosure *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccCachedClosure, dcc_cached_closure_free)

/* Appends the file: tag (e.g. the libclang version), hashes, scans,
 * closures. */
void dcc_is_cache_encode (GByteArray *out, const char *tag, const GArray *hashes /* DccCachedHash */,
                          const GPtrArray *scans /* DccCachedScan* */,
                          const GPtrArray *closures /* DccCachedClosure* */);

/* Decodes what dcc_is_cache_encode wrote with the same tag. FALSE with
 * DCC_ERROR_MISMATCH for another tag, DCC_ERROR_PROTOCOL or _LIMIT for
 * anything malformed; the out-parameters are set only on success.
 * consumed NULL: buf must hold exactly one encoding. Else buf may go on
 * after it (a file is one encoding followed by the segments later servers
 * appended, each an encoding of its own) and *consumed says where it ends. */
gboolean dcc_is_cache_decode (const guint8 *buf, gsize len, const char *tag, GArray **hashes,
                              GPtrArray **scans, GPtrArray **closures, gsize *consumed, GError **error);
