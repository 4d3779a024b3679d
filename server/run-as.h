/* Who distccd runs as, and where its state lives by default.
 *
 * Started as root, distccd becomes --user, else "distcc", else "nobody",
 * as stock distccd does. Its pump-mode file store then defaults to a
 * system-wide directory (DCC_LOCALSTATEDIR/cache/distccd, or -NAME for
 * another user than the default) that root creates and hands to that user
 * before dropping privileges. Started as anyone
 * else, the store is the user's cache directory, or a private fallback when
 * HOME is unusable (a service user's /nonexistent). */
#pragma once
#include <glib.h>
#include <sys/types.h>

#ifndef DCC_LOCALSTATEDIR
#define DCC_LOCALSTATEDIR "/var"
#endif
#define DCC_SYSTEM_STORE_DIR DCC_LOCALSTATEDIR "/cache/distccd"

typedef struct {
  gboolean switch_user;   /* TRUE when started as root and the target is not root */
  uid_t    uid;
  gid_t    gid;
  char    *name;
  char    *home;
} DccRunAs;

/* Resolves the user to become (user NULL: distcc, else nobody). When not
 * root, describes the current user and switch_user is FALSE. */
gboolean dcc_run_as_lookup (const char *user, DccRunAs *out, GError **error);
void dcc_run_as_clear (DccRunAs *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DccRunAs, dcc_run_as_clear)

/* Becomes r's user (setgroups, setgid, setuid), and points HOME at its
 * home directory so that programs run later do not look in root's. */
gboolean dcc_run_as_drop (const DccRunAs *r, GError **error);

/* As root, before dropping: makes dir (and missing parents) a directory
 * owned by r with mode 0700, refusing a symlink. An existing directory
 * owned by root is handed over recursively (made by a package or an
 * earlier run as root), without following symlinks; one owned by another
 * user is refused (it may be another distccd's store, in use). */
gboolean dcc_run_as_prepare_dir (const DccRunAs *r, const char *dir, GError **error);

/* As root, before dropping: the system-wide store of r's user, prepared
 * by dcc_run_as_prepare_dir. DCC_SYSTEM_STORE_DIR when default_user (r is
 * the user distccd drops to without --user, so that every service started
 * as distros start it shares one store), else, or when another user owns
 * that, DCC_SYSTEM_STORE_DIR-NAME (e.g. /var/cache/distccd-root for
 * --user root). A directory another user owns is never taken; when both
 * are, fails naming their owners and --cache-dir. *why says which. */
char *dcc_run_as_system_store (const DccRunAs *r, gboolean default_user, const char **why, GError **error);

/* Not root: the default store directory for the current user, created
 * 0700: $XDG_CACHE_HOME/distccd or $HOME/.cache/distccd; when neither can
 * be created (HOME=/nonexistent), DCC_SYSTEM_STORE_DIR if it is ours,
 * else /var/tmp/distccd-UID (created 0700, must be ours and not a link).
 * Returns a newly allocated path; *why says which was chosen. */
char *dcc_run_as_user_store_dir (const char **why, GError **error);

/* A directory for this daemon's jobs under root (mkdtemp), falling back
 * to /var/tmp and /tmp when root is not usable by the current user and
 * may_fall_back. Returns the new directory. Its file "owner" names this
 * process (PID and start time); first, the distccd-XXXXXX directories
 * there that are this user's and whose owner is gone (a daemon killed with
 * SIGKILL) are removed. */
char *dcc_run_as_make_tmp (const char *root, gboolean may_fall_back, GError **error);
