/* Removing a directory tree without ever following a symlink: every step
 * is relative to the parent's fd (unlinkat, openat with O_NOFOLLOW), so a
 * link planted inside cannot redirect the removal outside. */
#pragma once
#include <glib.h>

#define DCC_REMOVE_MAX_DEPTH 512u   /* deeper trees are refused, not recursed */

/* Removes parent/name (a file, a link or a whole tree). Carries on after
 * an error and reports the first one, naming `shown`. Missing is fine. */
gboolean dcc_remove_tree_at (int parent, const char *name, const char *shown, GError **error);
/* The same for an absolute or cwd-relative path. */
gboolean dcc_remove_tree (const char *path, GError **error);
