/* What a reused job tree holds between jobs (see job-tree.h,
 * dcc_job_tree_reuse): one entry per path below the tree's root, saved in
 * a file beside the tree when a job ends cleanly and read back by the next
 * job in the same slot, so that it links only what differs.
 *
 * The state file is ours, but it is parsed like untrusted input: a pure
 * decoder over a bounded buffer that checks every path and count, so that
 * a damaged file costs a fresh tree, never a wrong one. */
#pragma once
#include <glib.h>
#include "dcc-hash.h"
#include "dcc-request.h"

#define DCC_TREE_STATE_MAX_BYTES (64u * 1024 * 1024)

typedef struct {
  DccEntryKind kind;
  DccHash hash;         /* FILE: the store object linked there */
  gboolean executable;  /* FILE: a private 0555 copy rather than a link */
  guint64 ino;          /* FILE, SYMLINK: the inode laid out; another one there is not ours */
  char *target;         /* SYMLINK: the client's target, as sent */
} DccTreeEntry;

/* A map from a path below the root ("usr/include/stdio.h", no leading "/")
 * to its DccTreeEntry; owns keys and values. */
GHashTable *dcc_tree_state_new (void);

/* TRUE when a and b lay out the same thing (kind, hash, mode, target);
 * inodes are not compared. */
gboolean dcc_tree_entry_same (const DccTreeEntry *a, const DccTreeEntry *b);

DccTreeEntry *dcc_tree_entry_copy (const DccTreeEntry *e);
void dcc_tree_entry_free (DccTreeEntry *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccTreeEntry, dcc_tree_entry_free)

void dcc_tree_state_encode (GHashTable *state, GByteArray *out);

/* Decodes what dcc_tree_state_encode wrote. NULL with DCC_ERROR_PROTOCOL
 * (or DCC_ERROR_LIMIT) for anything else: a bad magic or kind, a path that
 * is not a normalised relative path passing dcc_path_check_client, a path
 * twice, more than DCC_MAX_MANIFEST_ENTRIES * 2 entries, trailing bytes. */
GHashTable *dcc_tree_state_decode (const guint8 *buf, gsize len, GError **error);
