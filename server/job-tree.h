/* One job's private file tree: the client's "/" mapped to a fresh
 * directory BASE/job-XXXXXX, or (pump mode) to a slot's tree that the
 * next job in that slot reuses.
 *
 * Every client path is checked with dcc_path_check_client and created one
 * component at a time relative to the root's directory fd (mkdirat,
 * openat with O_NOFOLLOW, linkat, symlinkat), so nothing this module does
 * can follow a symlink, whether the client sent it or a compile planted
 * it: a path through a symlink component is refused, and an existing
 * entry at the final component is an error, never replaced or followed.
 *
 * Symlinks are written in their checked, lexical form: an absolute target
 * becomes root + normalised target, a relative one its normalised relative
 * form (e.g. "c/../../x" from /a/b/l is written as "../x"). Written so,
 * every symlink in the tree resolves inside the tree even when followed
 * through other symlinks: climbing ".." only ever crosses real
 * directories this module created.
 *
 * Files are hard links to store objects (see file-store.h), sharing their
 * read-only inode.
 */
#pragma once
#include <glib.h>
#include "dcc-hash.h"
#include "file-store.h"

/* Deeper than this, dcc_job_tree_free gives up (and warns) rather than
 * hold one fd per level; client paths are bounded by DCC_MAX_PATH_DEPTH. */
#define DCC_JOB_TREE_MAX_REMOVE_DEPTH 512u

typedef struct DccJobTree DccJobTree;

/* Creates base_dir (mode 0700) if needed and a new job-XXXXXX directory in
 * it, keeping fds to both. */
DccJobTree *dcc_job_tree_new (const char *base_dir, GError **error);

/* A slot's tree, kept between jobs: BASE/NAME, with its state in
 * BASE/NAME.state. What the last job in it left (per that state) is
 * reused where this job lays out the same file, symlink or directory at
 * the same path, so that an unchanged header costs no system call;
 * dcc_job_tree_prune then removes what this job did not lay out, so the
 * compiler sees exactly what a fresh tree would hold. Without a state
 * (first use, or a job that died before dcc_job_tree_sweep) the tree is
 * wiped. The caller must hold the slot: one job at a time per tree. */
DccJobTree *dcc_job_tree_reuse (const char *base_dir, const char *name, GError **error);

/* Reused tree, after the layout and before the compile: removes what the
 * last job left and this one did not lay out. A no-op for a fresh tree. */
gboolean dcc_job_tree_prune (DccJobTree *t, GError **error);

/* Reused tree, after the compile: removes everything that is not what
 * this job laid out (its outputs, a file replaced under the same name:
 * a kept file must still be the inode laid out) and saves the state for
 * the next job. A no-op for a fresh tree. */
gboolean dcc_job_tree_sweep (DccJobTree *t, GError **error);

/* Closes the tree's fds. A fresh tree is removed (never following
 * symlinks, making read-only directories writable first; warns on
 * failure); a reused one stays for the next job. */
void dcc_job_tree_free (DccJobTree *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccJobTree, dcc_job_tree_free)

/* The absolute path of the root; the client's "/" maps here. */
const char *dcc_job_tree_root (DccJobTree *t);
/* An fd (O_PATH, O_DIRECTORY) for the root, owned by the tree. */
int dcc_job_tree_root_fd (DccJobTree *t);

/* mkdir -p of client_path; existing directories are fine. Fails with
 * DCC_ERROR_REFUSED for a bad path, DCC_ERROR_IO when a component exists
 * and is not a directory (a symlink included). */
gboolean dcc_job_tree_add_dir (DccJobTree *t, const char *client_path, GError **error);

/* Links store object h at client_path, creating parents; see
 * dcc_store_link_into (an executable file gets a private 0555 copy).
 * Anything already at client_path (from this job) is an error. */
gboolean dcc_job_tree_add_file (DccJobTree *t, const char *client_path, DccStore *store,
                                const DccHash *h, gboolean executable, GError **error);

/* Creates a symlink at client_path, creating parents. The target is checked
 * with dcc_path_check_symlink and written in its lexical form (see above). */
gboolean dcc_job_tree_add_symlink (DccJobTree *t, const char *client_path, const char *target,
                                   GError **error);

/* root + client_path (normalised), or NULL if client_path fails
 * dcc_path_check_client. Free with g_free. */
char *dcc_job_tree_map (DccJobTree *t, const char *client_path);
