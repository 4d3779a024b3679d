/* One job's private file tree; see job-tree.h. */
#include "dcc-fd.h"
#include "job-tree.h"
#include "dcc-tree-remove.h"
#include "dcc-error.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-path.h"
#include "tree-state.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MSG_MAX 200   /* bytes of a client path quoted in a message */

struct DccJobTree {
  char *base;      /* absolute */
  char *name;      /* job-XXXXXX */
  char *root;      /* base/name */
  int base_fd;
  int root_fd;     /* O_PATH | O_DIRECTORY */
  /* Directories already opened, by their path below the root ("a/b"), so
   * that laying out hundreds of headers does not re-walk every parent for
   * every file. Only this module creates entries in the tree before the
   * compile runs, so a cached directory stays the one it was. */
  GHashTable *dir_fds;   /* char* -> fd + 1 */
  /* A reused tree (dcc_job_tree_reuse) stays between jobs. previous is
   * what the last job left there and this one has not claimed; state is
   * what this job laid out. Both NULL for a fresh tree. */
  gboolean reused;
  char *state_name;      /* NAME.state, in base */
  GHashTable *previous;  /* char* key -> DccTreeEntry* */
  GHashTable *state;
};

#define DIR_FD_CACHE_MAX 512u


G_DEFINE_AUTOPTR_CLEANUP_FUNC (DIR, closedir)

/* A tree object with base_dir made (mode 0700) and opened; no root yet. */
static DccJobTree *
tree_at (const char *base_dir, GError **error)
{
  g_autoptr(DccJobTree) t = g_new0 (DccJobTree, 1);
  t->base_fd = t->root_fd = -1;
  t->base = g_canonicalize_filename (base_dir, NULL);
  if (g_mkdir_with_parents (t->base, 0700) < 0)
    {
      dcc_fail_errno (error, "creating %s", t->base);
      return NULL;
    }
  t->base_fd = open (t->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (t->base_fd < 0)
    {
      dcc_fail_errno (error, "opening %s", t->base);
      return NULL;
    }
  return g_steal_pointer (&t);
}

DccJobTree *
dcc_job_tree_new (const char *base_dir, GError **error)
{
  g_return_val_if_fail (base_dir != NULL, NULL);

  g_autoptr(DccJobTree) t = tree_at (base_dir, error);
  if (!t)
    return NULL;
  g_autofree char *tmpl = g_build_filename (t->base, "job-XXXXXX", NULL);
  if (g_mkdtemp_full (tmpl, 0700) == NULL)
    {
      dcc_fail_errno (error, "creating a job directory in %s", t->base);
      return NULL;
    }
  t->name = g_path_get_basename (tmpl);
  t->root = g_steal_pointer (&tmpl);
  t->root_fd = openat (t->base_fd, t->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (t->root_fd < 0)
    {
      dcc_fail_errno (error, "opening %s", t->root);
      return NULL;   /* the free function removes the directory */
    }
  return g_steal_pointer (&t);
}

/* The state the last job in this tree saved, or NULL when there is none
 * or it does not decode (the caller then starts afresh). The file is
 * removed as it is read: until this job saves its own, a crash anywhere
 * leaves no state, and the next job wipes the tree. */
static GHashTable *
load_state (DccJobTree *t)
{
  g_autofree char *path = g_build_filename (t->base, t->state_name, NULL);
  g_autofree guint8 *buf = NULL;
  gsize len = 0;
  gboolean read = dcc_io_read_file (path, DCC_TREE_STATE_MAX_BYTES, &buf, &len, NULL);
  (void) unlinkat (t->base_fd, t->state_name, 0);
  if (!read)
    return NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *state = dcc_tree_state_decode (buf, len, &error);
  if (state == NULL)
    g_warning ("%s: %s; starting a fresh tree", path, error->message);
  return state;
}

DccJobTree *
dcc_job_tree_reuse (const char *base_dir, const char *name, GError **error)
{
  g_return_val_if_fail (base_dir != NULL && name != NULL && strchr (name, '/') == NULL, NULL);

  g_autoptr(DccJobTree) t = tree_at (base_dir, error);
  if (!t)
    return NULL;
  t->reused = TRUE;
  t->name = g_strdup (name);
  t->root = g_build_filename (t->base, name, NULL);
  t->state_name = g_strconcat (name, ".state", NULL);
  t->state = dcc_tree_state_new ();
  t->previous = load_state (t);
  if (t->previous == NULL)
    {
      if (!dcc_remove_tree_at (t->base_fd, name, t->root, error))
        return NULL;
      t->previous = dcc_tree_state_new ();
    }
  if (mkdirat (t->base_fd, name, 0700) < 0 && errno != EEXIST)
    {
      dcc_fail_errno (error, "creating %s", t->root);
      return NULL;
    }
  t->root_fd = openat (t->base_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (t->root_fd < 0)
    {
      dcc_fail_errno (error, "opening %s", t->root);
      return NULL;
    }
  return g_steal_pointer (&t);
}

void
dcc_job_tree_free (DccJobTree *t)
{
  if (t == NULL)
    return;
  if (t->dir_fds)
    {
      GHashTableIter it;
      gpointer v;
      g_hash_table_iter_init (&it, t->dir_fds);
      while (g_hash_table_iter_next (&it, NULL, &v))
        close (GPOINTER_TO_INT (v) - 1);
      g_hash_table_unref (t->dir_fds);
    }
  dcc_close_fdp (&t->root_fd);
  if (t->base_fd >= 0 && t->name != NULL && !t->reused)
    {
      g_autoptr(GError) error = NULL;
      if (!dcc_remove_tree_at (t->base_fd, t->name, t->root, &error))
        g_warning ("removing job tree: %s", error->message);
    }
  dcc_close_fdp (&t->base_fd);
  g_free (t->base);
  g_free (t->name);
  g_free (t->root);
  g_free (t->state_name);
  g_clear_pointer (&t->previous, g_hash_table_unref);
  g_clear_pointer (&t->state, g_hash_table_unref);
  g_free (t);
}

const char *
dcc_job_tree_root (DccJobTree *t)
{
  g_return_val_if_fail (t != NULL, NULL);
  return t->root;
}

int
dcc_job_tree_root_fd (DccJobTree *t)
{
  g_return_val_if_fail (t != NULL, -1);
  return t->root_fd;
}

/* The first n components joined with '/'. */
static char *
join_components (char **comps, guint n)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      if (i)
        g_string_append_c (s, '/');
      g_string_append (s, comps[i]);
    }
  return g_string_free (s, FALSE);
}

/* Checks client_path and splits it; *n_out components. */
static GStrv
checked_components (const char *client_path, guint *n_out, GError **error)
{
  if (!dcc_path_check_client (client_path, strlen (client_path), error))
    return NULL;
  GStrv comps = dcc_path_split (client_path);
  *n_out = g_strv_length (comps);
  return comps;
}

/* Moves key's entry, if any, from what the last job left to what this job
 * has; returns it (owned by t->state) or NULL. */
static DccTreeEntry *
adopt_previous (DccJobTree *t, const char *key)
{
  gpointer old_key, old;
  if (!g_hash_table_steal_extended (t->previous, key, &old_key, &old))
    return NULL;
  g_hash_table_insert (t->state, old_key, old);
  return old;
}

/* A reused tree, before laying out want at key (name in parent): when the
 * last job left the same thing there it becomes this job's (*kept);
 * otherwise whatever the last job left there is removed. */
static gboolean
claim (DccJobTree *t, int parent, const char *key, const char *name, const DccTreeEntry *want,
       gboolean *kept, const char *shown, GError **error)
{
  *kept = FALSE;
  const DccTreeEntry *old = g_hash_table_lookup (t->previous, key);
  if (!old)
    return TRUE;
  if (dcc_tree_entry_same (old, want))
    {
      adopt_previous (t, key);
      *kept = TRUE;
      return TRUE;
    }
  g_hash_table_remove (t->previous, key);
  return dcc_remove_tree_at (parent, name, shown, error);
}

/* claim () for a directory component of a reused tree; it is this job's
 * from now on, whether kept or about to be made. */
static gboolean
claim_dir (DccJobTree *t, int parent, const char *key, const char *name, const char *shown,
           GError **error)
{
  if (g_hash_table_contains (t->state, key))
    return TRUE;
  const DccTreeEntry dir = { .kind = DCC_ENTRY_DIR };
  gboolean kept;
  if (!claim (t, parent, key, name, &dir, &kept, shown, error))
    return FALSE;
  if (!kept)
    g_hash_table_insert (t->state, g_strdup (key), dcc_tree_entry_copy (&dir));
  return TRUE;
}

/* A reused tree: TRUE when each of the first n components is a directory
 * this job already has or the last job left, claiming them, so that an
 * unchanged entry below them costs no system call. The last job's state
 * is what its sweep found on disk, and nothing else writes the tree
 * while this job holds the slot. */
static gboolean
claim_dirs_in_memory (DccJobTree *t, char **comps, guint n)
{
  g_autoptr(GString) key = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      if (i)
        g_string_append_c (key, '/');
      g_string_append (key, comps[i]);
      if (g_hash_table_contains (t->state, key->str))
        continue;
      const DccTreeEntry *old = g_hash_table_lookup (t->previous, key->str);
      if (!old || old->kind != DCC_ENTRY_DIR)
        return FALSE;
      adopt_previous (t, key->str);
    }
  return TRUE;
}

/* A reused tree: claims an unchanged entry at comps[0..n) without system
 * calls (*done), or says it is not one. */
static gboolean
keep_unchanged (DccJobTree *t, char **comps, guint n, const char *key, const DccTreeEntry *want,
                const char *shown, gboolean *done, GError **error)
{
  *done = FALSE;
  if (g_hash_table_contains (t->state, key))
    return dcc_fail (error, DCC_ERROR_IO, "%s: listed twice", shown);
  const DccTreeEntry *old = g_hash_table_lookup (t->previous, key);
  if (old && dcc_tree_entry_same (old, want) && claim_dirs_in_memory (t, comps, n - 1))
    {
      adopt_previous (t, key);
      *done = TRUE;
    }
  return TRUE;
}

/* Notes what this job laid out at key (name in parent), with its inode,
 * so that the sweep can tell it from anything the compile put there. */
static gboolean
note_laid_out (DccJobTree *t, int parent, const char *key, const char *name,
               const DccTreeEntry *what, const char *shown, GError **error)
{
  struct stat st;
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return dcc_fail_errno (error, "%s: stat after creating", shown);
  DccTreeEntry *e = dcc_tree_entry_copy (what);
  e->ino = (guint64) st.st_ino;
  g_hash_table_insert (t->state, g_strdup (key), e);
  return TRUE;
}

/* Opens (creating when create is TRUE) the directory made of the first n
 * components under the root, one component at a time, never following a
 * symlink. Returns a new O_PATH fd, or -1 with error set. */
static int
open_dirs (DccJobTree *t, char **comps, guint n, gboolean create, const char *shown,
           GError **error)
{
  if (t->dir_fds == NULL)
    t->dir_fds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Start from the deepest directory already open. */
  int cur = t->root_fd;
  guint start = 0;
  g_autoptr(GString) key = g_string_new (NULL);
  for (guint i = n; i > 0; i--)
    {
      g_autofree char *prefix = join_components (comps, i);
      gpointer v = g_hash_table_lookup (t->dir_fds, prefix);
      if (v)
        {
          cur = GPOINTER_TO_INT (v) - 1;
          start = i;
          g_string_assign (key, prefix);
          break;
        }
    }
  dcc_autofd owned = -1;   /* an fd of ours not (yet) in the cache */
  for (guint i = start; i < n; i++)
    {
      if (key->len)
        g_string_append_c (key, '/');
      g_string_append (key, comps[i]);
      if (create && t->state && !claim_dir (t, cur, key->str, comps[i], shown, error))
        return -1;
      if (create && mkdirat (cur, comps[i], 0755) < 0 && errno != EEXIST)
        {
          dcc_fail_errno (error, "%s: creating component %u “%s”", shown, i + 1, comps[i]);
          return -1;
        }
      int next = openat (cur, comps[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        {
          struct stat st;
          if ((errno == ENOTDIR || errno == ELOOP)
              && fstatat (cur, comps[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode))
            dcc_fail (error, DCC_ERROR_IO, "%s: component %u “%s” is a symlink", shown, i + 1,
                      comps[i]);
          else
            dcc_fail_errno (error, "%s: opening component %u “%s”", shown, i + 1, comps[i]);
          return -1;
        }
      dcc_close_fdp (&owned);
      owned = -1;
      if (g_hash_table_size (t->dir_fds) < DIR_FD_CACHE_MAX)
        g_hash_table_insert (t->dir_fds, g_strdup (key->str), GINT_TO_POINTER (next + 1));
      else
        owned = next;
      cur = next;
    }
  /* The caller owns what we return. */
  int ret = fcntl (cur, F_DUPFD_CLOEXEC, 3);
  if (ret < 0)
    dcc_fail_errno (error, "dup");
  return ret;
}

gboolean
dcc_job_tree_add_dir (DccJobTree *t, const char *client_path, GError **error)
{
  g_return_val_if_fail (t != NULL && client_path != NULL, FALSE);

  guint n = 0;
  g_auto(GStrv) comps = checked_components (client_path, &n, error);
  if (comps == NULL)
    return FALSE;
  if (t->state && claim_dirs_in_memory (t, comps, n))
    return TRUE;
  g_autofree char *shown = dcc_escape_for_log (client_path, MSG_MAX);
  dcc_autofd fd = open_dirs (t, comps, n, TRUE, shown, error);
  return fd >= 0;
}

/* The steps a file and a symlink share before the leaf comps[n-1] is
 * written: with a tree state, an entry already laid out as wanted is kept
 * (or claimed from what the directory holds); otherwise the parent
 * directories are opened, created as needed. Returns the parent's fd
 * (caller owns it) and, with a state, *key (caller frees) for
 * note_laid_out; or -1 with *result the caller's return value: TRUE when
 * the entry is already there, FALSE with error set. */
static int
begin_leaf (DccJobTree *t, char **comps, guint n, const DccTreeEntry *want, const char *shown,
            char **key_out, gboolean *result, GError **error)
{
  g_autofree char *key = t->state ? join_components (comps, n) : NULL;
  gboolean done = FALSE, kept = FALSE;
  *result = FALSE;
  if (key && (!keep_unchanged (t, comps, n, key, want, shown, &done, error) || done))
    {
      *result = done;
      return -1;
    }
  dcc_autofd parent = open_dirs (t, comps, n - 1, TRUE, shown, error);
  if (parent < 0)
    return -1;
  if (key && (!claim (t, parent, key, comps[n - 1], want, &kept, shown, error) || kept))
    {
      *result = kept;
      return -1;
    }
  *key_out = g_steal_pointer (&key);
  return g_steal_fd (&parent);
}

gboolean
dcc_job_tree_add_file (DccJobTree *t, const char *client_path, DccStore *store,
                       const DccHash *h, gboolean executable, GError **error)
{
  g_return_val_if_fail (t != NULL && client_path != NULL && store != NULL && h != NULL, FALSE);

  guint n = 0;
  g_auto(GStrv) comps = checked_components (client_path, &n, error);
  if (comps == NULL)
    return FALSE;
  g_autofree char *shown = dcc_escape_for_log (client_path, MSG_MAX);
  if (n == 0)
    return dcc_fail (error, DCC_ERROR_REFUSED, "“/” cannot be a file");
  const DccTreeEntry want = { .kind = DCC_ENTRY_FILE, .hash = *h, .executable = executable };
  g_autofree char *key = NULL;
  gboolean result = FALSE;
  dcc_autofd parent = begin_leaf (t, comps, n, &want, shown, &key, &result, error);
  if (parent < 0)
    return result;
  if (!dcc_store_link_into (store, h, parent, comps[n - 1], executable, error))
    {
      g_prefix_error (error, "%s: ", shown);
      return FALSE;
    }
  return !key || note_laid_out (t, parent, key, comps[n - 1], &want, shown, error);
}

gboolean
dcc_job_tree_add_symlink (DccJobTree *t, const char *client_path, const char *target,
                          GError **error)
{
  g_return_val_if_fail (t != NULL && client_path != NULL && target != NULL, FALSE);

  g_autofree char *resolved = NULL;
  if (!dcc_path_check_symlink (client_path, target, &resolved, error))
    return FALSE;
  guint n = 0;
  g_auto(GStrv) comps = checked_components (client_path, &n, error);
  if (comps == NULL)
    return FALSE;
  g_assert (n > 0);   /* dcc_path_check_symlink refuses "/" */
  g_autofree char *shown = dcc_escape_for_log (client_path, MSG_MAX);

  /* The lexical form: root + target, or the normalised relative path. */
  g_autofree char *written = NULL;
  if (target[0] == '/')
    written = g_strconcat (t->root, strcmp (resolved, "/") == 0 ? "" : resolved, NULL);
  else
    {
      g_autofree char *dir = dcc_path_normalize (client_path, "..");
      written = dcc_path_relative (dir, resolved);
    }

  const DccTreeEntry want = { .kind = DCC_ENTRY_SYMLINK, .target = (char *) target };
  g_autofree char *key = NULL;
  gboolean result = FALSE;
  dcc_autofd parent = begin_leaf (t, comps, n, &want, shown, &key, &result, error);
  if (parent < 0)
    return result;
  if (symlinkat (written, parent, comps[n - 1]) < 0)
    return dcc_fail_errno (error, "%s: creating symlink", shown);
  return !key || note_laid_out (t, parent, key, comps[n - 1], &want, shown, error);
}

char *
dcc_job_tree_map (DccJobTree *t, const char *client_path)
{
  g_return_val_if_fail (t != NULL && client_path != NULL, NULL);

  if (!dcc_path_check_client (client_path, strlen (client_path), NULL))
    return NULL;
  g_autofree char *norm = dcc_path_normalize ("/", client_path);
  return g_strconcat (t->root, strcmp (norm, "/") == 0 ? "" : norm, NULL);
}

/* Opens the directory made of the first n components, without the cache
 * (what it opens may be removed next) and without creating anything. */
static int
open_parent_uncached (DccJobTree *t, char **comps, guint n)
{
  int cur = fcntl (t->root_fd, F_DUPFD_CLOEXEC, 3);
  for (guint i = 0; cur >= 0 && i < n; i++)
    {
      int next = openat (cur, comps[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (cur);
      cur = next;
    }
  return cur;
}

/* strcmp with '/' before every other byte, so that everything below a
 * directory sorts right after it ("a", "a/b", "a/b/c", "a.c"). */
static gint
compare_as_paths (gconstpointer a, gconstpointer b)
{
  const guchar *x = *(const guchar *const *) a, *y = *(const guchar *const *) b;
  while (*x && *x == *y)
    x++, y++;
  int cx = *x == '/' ? 1 : *x ? *x + 1 : 0;
  int cy = *y == '/' ? 1 : *y ? *y + 1 : 0;
  return cx - cy;
}

/* Removes each topmost entry the last job left and this one did not lay
 * out, with everything below it: nothing below a directory this job did
 * not claim can be this job's (claiming an entry claims its parents). One
 * removal per subtree, not one per entry from the root, which cost a
 * walk down per entry: 7.8 s for a tree of 32,000 directories 256 deep. */
gboolean
dcc_job_tree_prune (DccJobTree *t, GError **error)
{
  g_return_val_if_fail (t != NULL, FALSE);
  if (t->previous == NULL || g_hash_table_size (t->previous) == 0)
    return TRUE;
  guint n_keys = 0;
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (t->previous, &n_keys);
  qsort (keys, n_keys, sizeof *keys, compare_as_paths);
  const char *removed = NULL;
  gsize removed_len = 0;
  for (guint i = 0; i < n_keys; i++)
    {
      const char *key = keys[i];
      if (removed && strncmp (key, removed, removed_len) == 0 && key[removed_len] == '/')
        continue;
      g_auto(GStrv) comps = g_strsplit (key, "/", 0);
      guint n = g_strv_length (comps);
      dcc_autofd parent = open_parent_uncached (t, comps, n - 1);
      if (parent >= 0 && !dcc_remove_tree_at (parent, comps[n - 1], key, error))
        return FALSE;
      /* parent < 0: it went with a directory replaced during the layout. */
      removed = key;
      removed_len = strlen (key);
    }
  g_hash_table_remove_all (t->previous);
  return TRUE;
}

/* Keeps, below dir fd `parent`/name (the root when name is NULL), exactly
 * what state says this job laid out, moving each kept entry to kept;
 * removes the rest. */
static gboolean
sweep_dir (DccJobTree *t, int parent, const char *name, GString *key, GHashTable *kept,
           guint depth, GError **error)
{
  if (depth >= DCC_JOB_TREE_MAX_REMOVE_DEPTH)
    return dcc_fail (error, DCC_ERROR_LIMIT, "%s: more than %u levels deep", key->str,
                     DCC_JOB_TREE_MAX_REMOVE_DEPTH);
  dcc_autofd fd = openat (parent, name ? name : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return dcc_fail_errno (error, "opening %s", key->len ? key->str : t->root);
  g_autoptr(DIR) d = fdopendir (fd);
  if (d == NULL)
    return dcc_fail_errno (error, "fdopendir %s", key->str);
  g_steal_fd (&fd);   /* closedir closes it */
  gsize key_len = key->len;
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      g_string_truncate (key, key_len);
      if (key_len)
        g_string_append_c (key, '/');
      g_string_append (key, de->d_name);
      unsigned char type = de->d_type;
      guint64 ino = de->d_ino;
      if (type == DT_UNKNOWN)
        {
          struct stat st;
          if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
          type = S_ISDIR (st.st_mode) ? DT_DIR : S_ISREG (st.st_mode) ? DT_REG
                 : S_ISLNK (st.st_mode) ? DT_LNK : DT_UNKNOWN;
          ino = (guint64) st.st_ino;
        }
      gpointer k, v;
      gboolean keep = FALSE;
      if (g_hash_table_lookup_extended (t->state, key->str, &k, &v))
        {
          const DccTreeEntry *e = v;
          keep = (e->kind == DCC_ENTRY_DIR && type == DT_DIR)
                 || (e->kind == DCC_ENTRY_FILE && type == DT_REG && ino == e->ino)
                 || (e->kind == DCC_ENTRY_SYMLINK && type == DT_LNK && ino == e->ino);
        }
      if (!keep)
        {
          if (!dcc_remove_tree_at (dirfd (d), de->d_name, key->str, error))
            return FALSE;
          continue;
        }
      g_hash_table_steal (t->state, key->str);
      g_hash_table_insert (kept, k, v);
      if (type == DT_DIR && !sweep_dir (t, dirfd (d), de->d_name, key, kept, depth + 1, error))
        return FALSE;
    }
  g_string_truncate (key, key_len);
  return TRUE;
}

static gboolean
save_state (DccJobTree *t, GHashTable *state, GError **error)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  dcc_tree_state_encode (state, buf);
  g_autofree char *path = g_build_filename (t->base, t->state_name, NULL);
  return dcc_io_write_file_atomic (path, buf->data, buf->len, 0600, error);
}

gboolean
dcc_job_tree_sweep (DccJobTree *t, GError **error)
{
  g_return_val_if_fail (t != NULL, FALSE);
  if (!t->reused)
    return TRUE;
  g_autoptr(GHashTable) kept = dcc_tree_state_new ();
  g_autoptr(GString) key = g_string_new (NULL);
  if (!sweep_dir (t, t->root_fd, NULL, key, kept, 0, error))
    return FALSE;
  /* Whatever state still holds was not found on disk: forget it. */
  g_hash_table_remove_all (t->state);
  return save_state (t, kept, error);
}
