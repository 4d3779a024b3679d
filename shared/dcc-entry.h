/* One file, directory or symlink of a compile's file tree: the one entry
 * type of the include server's replies (dcc-is-protocol.h) and of the pump
 * request's manifest (dcc-request.h). The volunteer's job tree keeps its own record of what
 * it laid out (server/tree-state.h, DccTreeEntry: an inode and a store
 * object rather than a path and a mode) with the same kinds. */
#pragma once
#include <glib.h>
#include "dcc-hash.h"

/* On the wire as one byte in both protocols. */
typedef enum { DCC_ENTRY_FILE = 0, DCC_ENTRY_DIR = 1, DCC_ENTRY_SYMLINK = 2 } DccEntryKind;

/* path is absolute and normalized (no ".", "..", empty or trailing
 * components); target is the symlink's contents as readlink() returns them,
 * "" for other kinds; hash and size are zero for directories and symlinks. */
typedef struct {
  guint8   kind;     /* DccEntryKind */
  guint32  mode;     /* st_mode & 07777 */
  guint64  size;
  DccHash  hash;
  char    *path;
  char    *target;
  gint     extra_refs;   /* holders besides the first (dcc_entry_ref) */
  /* In memory only, for the include server: the last walk that took the
   * entry into its closure (includeserver/closure.c), so that a walk takes
   * it once however many header records list it. */
  guintptr taken_in;
} DccEntry;

/* A new entry (caller frees); target NULL means "". */
DccEntry *dcc_entry_new (DccEntryKind kind, guint32 mode, guint64 size,
                         const DccHash *hash, const char *path, const char *target);
/* Shares an entry (read-only from then on); each holder calls
 * dcc_entry_free once, and the last one frees it. */
DccEntry *dcc_entry_ref (DccEntry *entry);
void      dcc_entry_free (DccEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccEntry, dcc_entry_free)
