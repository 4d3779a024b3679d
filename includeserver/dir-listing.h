/* Directory listings shared by the include server's walks, so that looking
 * for a header in each directory of a search path costs a hash lookup
 * instead of a stat: a kernel unit probes a few thousand paths that do not
 * exist, in a few dozen directories.
 *
 * A listing is used only while its directory's stat key (dev, inode, mode,
 * mtime, ctime) is unchanged. It is not kept for a directory changed in the
 * last DCC_DIR_LISTING_SETTLE_S seconds: timestamps come from a coarse
 * clock, so a file added in the same tick as the listing was read would
 * leave the key unchanged and go unseen. Bounded: a directory with more
 * than DCC_DIR_LISTING_MAX_NAMES names is not listed (its probes stat), and
 * the whole cache is dropped when it holds more than DCC_DIR_LISTING_MAX
 * directories or DCC_DIR_LISTING_MAX_TOTAL names. Safe for concurrent use. */
#pragma once
#include <glib.h>
#include <sys/stat.h>

#define DCC_DIR_LISTING_SETTLE_S   2
#define DCC_DIR_LISTING_MAX_NAMES  65536u
#define DCC_DIR_LISTING_MAX        16384u
#define DCC_DIR_LISTING_MAX_TOTAL  (4u << 20)   /* names over all listings */

typedef enum {
  DCC_DIR_NAME_UNKNOWN,   /* not listed, or a symlink: stat it */
  DCC_DIR_NAME_ABSENT,
  DCC_DIR_NAME_FILE,      /* a regular file */
  DCC_DIR_NAME_DIR,
} DccDirName;

typedef struct DccDirListings DccDirListings;
typedef struct DccDirListing DccDirListing;

/* settle_s: DCC_DIR_LISTING_SETTLE_S; 0 trusts a listing however recent
 * (for tests, where every directory is new). */
DccDirListings *dcc_dir_listings_new (guint settle_s);
void            dcc_dir_listings_free (DccDirListings *cache);

/* The listing of directory `dir`, whose stat (following symlinks) the
 * caller just took into *st, or NULL when it cannot be trusted now (see
 * above). Returns a reference. */
DccDirListing  *dcc_dir_listings_get (DccDirListings *cache, const char *dir, const struct stat *st);
DccDirName      dcc_dir_listing_lookup (const DccDirListing *listing, const char *name);
void            dcc_dir_listing_unref (DccDirListing *listing);
