/* What the file store's files share (file-store.c: opening, puts, copies
 * into job trees, reads; file-store-budget.c: the disk budget, the index,
 * eviction, rescans and sweeps; file-store-results.c: result names). Not
 * for use outside server/file-store*.c. */
#pragma once
#include "dcc-fd.h"
#include "file-store.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* A put triggered rescan happens at most this often, across all processes
 * (Usage.scanned_us); in between, eviction works from the index alone. */
#define RESCAN_MIN_INTERVAL_S  10
#define COPY_BUF_SIZE          (64 * 1024)
#define TMP_NAME_TRIES         16
#define SUBDIR_TRIES           4     /* an emptied subdirectory removed under a put */
#define NS_PER_S               G_GINT64_CONSTANT (1000000000)

#define FALLBACK_BLOCK         4096
#define SUBDIRS                256   /* objects/ab and results/ab: ab in 00..ff */

/* "ab/<30 hex>" plus NUL */
#define OBJ_PATH_LEN (DCC_HASH_HEX_LEN + 2)

typedef struct {
  DccHash hash;       /* the key */
  guint64 size;       /* disk bytes (store_disk_cost) */
  gint64 used;        /* mtime, ns since the epoch: the LRU clock */
  guint64 seq;        /* this process's use order; breaks mtime ties */
} Entry;

/* The two kinds of subdirectory, DIR/objects/ab and DIR/results/ab. */
enum { SUB_OBJECTS, SUB_RESULTS, SUB_KINDS };

/* DIR/usage, shared by every process using the store, changed only under
 * flock (LOCK_EX) of that file: the disk bytes of the store as du counts
 * them (see "Budget" in file-store.h), reservations of puts in progress
 * included. Smaller than a page, so that writing it never allocates. */
#define USAGE_MAGIC "DCCSTOR2"
typedef struct {
  char    magic[8];
  guint64 bytes;
  guint64 fixed;       /* of bytes: the store's directories and DIR/usage, never evicted */
  guint64 others;      /* of fixed: other entries of DIR (compilers/: see count_others_locked) */
  gint64  scanned_us;  /* monotonic time of the last full rescan by any process */
  guint32 dir_sectors[SUB_KINDS][SUBDIRS];  /* each subdirectory's blocks as counted */
} Usage;
G_STATIC_ASSERT (sizeof (Usage) <= 4096);

struct DccStore {
  char *dir;
  int dir_fd;
  int objects_fd;
  int tmp_fd;
  int results_fd;     /* DIR/results: result names (see file-store.h) */
  int usage_fd;
  Usage *usage;       /* mmap of DIR/usage */
  int lock_fd;        /* DIR/usage opened by this process: flock belongs to the open
                       * file, which a forked child would share with its parent */
  pid_t lock_pid;     /* the process that opened lock_fd */
  guint lock_depth;   /* store_lock_usage nests: only the outermost flocks */
  GHashTable *private_objects; /* DccHash* (owned) -> GBytes*: contents this process
                                * received but could not store within the budget */
  guint64 max_bytes;
  guint64 block;      /* the file system's block: sizes are rounded up to it */
  guint grace_s;
  GHashTable *index;  /* DccHash* (inside the Entry) -> Entry*, owns the entries */
  GHashTable *pins;   /* DccHash* (owned) -> GUINT_TO_POINTER (count) */
  guint64 total;
  guint64 seq;
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DIR, closedir)

/* file-store.c: object paths, clocks, directory streams, pins, links. */
void store_obj_path (const DccHash *h, char out[OBJ_PATH_LEN]);
gint64 store_now_ns (void);
gint64 store_mtime_ns (const struct stat *st);
gboolean store_is_lower_hex (const char *s, gsize n);
DIR *store_open_dir_at (int parent, const char *name, GError **error);
gboolean store_is_pinned (DccStore *s, const DccHash *h);
int store_link_object (DccStore *s, const char *tmp_name, const char *path);

/* file-store-budget.c: the accounting in DIR/usage (under store_lock_usage),
 * the index and LRU, reservations, eviction, rescans. */
guint64 store_disk_cost (DccStore *s, const struct stat *st);
void store_usage_add (DccStore *s, guint64 n);
void store_usage_sub (DccStore *s, guint64 n);
void store_count_subdir_locked (DccStore *s, int kind, const char sub[3]);
void store_index_drop (DccStore *s, const DccHash *h);
gboolean store_touch (DccStore *s, const DccHash *h);
gboolean store_lock_usage (DccStore *s);
void store_unlock_usage (DccStore *s);
gboolean store_recount_locked (DccStore *s, GError **error);
void store_clean_tmp (DccStore *s);
gboolean store_reserve_locked (DccStore *s, const DccHash *keep, guint64 extra);
guint64 store_put_reservation (DccStore *s, gsize len);
