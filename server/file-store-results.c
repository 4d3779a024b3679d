/* The file store's result names (DIR/results/ab/...; see file-store.h). */
#include "file-store-private.h"

/* "ab" and the other 30 hex digits of a result key. */
static void
result_name (const DccHash *key, char sub[3], char name[DCC_HASH_HEX_LEN - 1])
{
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_to_hex (key, hex);
  sub[0] = hex[0];
  sub[1] = hex[1];
  sub[2] = '\0';
  memcpy (name, hex + 2, DCC_HASH_HEX_LEN - 2);
  name[DCC_HASH_HEX_LEN - 2] = '\0';
}

gboolean
dcc_store_result_get (DccStore *s, const DccHash *key, DccHash *value)
{
  g_return_val_if_fail (s != NULL && key != NULL && value != NULL, FALSE);
  char sub[3], name[DCC_HASH_HEX_LEN - 1];
  result_name (key, sub, name);
  dcc_autofd dfd = openat (s->results_fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return FALSE;
  char target[DCC_HASH_HEX_LEN + 2];
  ssize_t n = readlinkat (dfd, name, target, sizeof target);
  if (n < 0)
    return FALSE;
  DccHash v;
  if (n == DCC_HASH_HEX_LEN)
    target[n] = '\0';
  if (n != DCC_HASH_HEX_LEN || !store_is_lower_hex (target, DCC_HASH_HEX_LEN) || !dcc_hash_from_hex (target, &v)
      || !(g_hash_table_contains (s->private_objects, &v) || store_touch (s, &v)))
    {
      unlinkat (dfd, name, 0);   /* stale or not ours */
      return FALSE;
    }
  /* The name's own mtime keeps the sweep away from it. */
  struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_NOW } };
  utimensat (dfd, name, times, AT_SYMLINK_NOFOLLOW);
  *value = v;
  return TRUE;
}

/* Makes results/SUB/NAME a symlink to value's digest, atomically. */
static gboolean
name_result (DccStore *s, const char *sub, const char *name, const DccHash *value, GError **error)
{
  char target[DCC_HASH_HEX_LEN + 1];
  dcc_hash_to_hex (value, target);
  g_autofree char *tmp_name = g_strdup_printf (".%s.%d.%08x", name, (int) getpid (), g_random_int ());
  dcc_autofd dfd = -1;
  /* The sweep removes an emptied results/ab: it may vanish in between. */
  for (int i = 0; i < SUBDIR_TRIES; i++)
    {
      dcc_close_fdp (&dfd);
      if (mkdirat (s->results_fd, sub, 0755) < 0 && errno != EEXIST)
        return dcc_fail_errno (error, "creating %s/results/%s", s->dir, sub);
      dfd = openat (s->results_fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (dfd < 0 && errno != ENOENT)
        return dcc_fail_errno (error, "opening %s/results/%s", s->dir, sub);
      if (dfd >= 0 && symlinkat (target, dfd, tmp_name) == 0)
        break;
      if (dfd >= 0 && errno != ENOENT)
        return dcc_fail_errno (error, "creating a result name in %s/results/%s", s->dir, sub);
      if (i == SUBDIR_TRIES - 1)
        return dcc_fail_errno (error, "creating a result name in %s/results/%s", s->dir, sub);
    }
  if (renameat (dfd, tmp_name, dfd, name) < 0)
    {
      int err = errno;
      unlinkat (dfd, tmp_name, 0);
      errno = err;
      return dcc_fail_errno (error, "naming a result in %s/results/%s", s->dir, sub);
    }
  return TRUE;
}

gboolean
dcc_store_result_set (DccStore *s, const DccHash *key, const DccHash *value, GError **error)
{
  g_return_val_if_fail (s != NULL && key != NULL && value != NULL, FALSE);
  char sub[3], name[DCC_HASH_HEX_LEN - 1];
  result_name (key, sub, name);
  /* The new entry may create results/ab or grow it by a block: reserved
   * first, counted as it is once named. */
  if (!store_lock_usage (s))
    return dcc_fail_errno (error, "locking %s/usage", s->dir);
  if (!store_reserve_locked (s, value, s->block))
    {
      if (s->lock_depth > 0)
        store_unlock_usage (s);
      return dcc_fail (error, DCC_ERROR_LIMIT, "the store is full: no room for a result name");
    }
  store_unlock_usage (s);
  gboolean ok = name_result (s, sub, name, value, error);
  if (store_lock_usage (s))
    {
      store_usage_sub (s, s->block);
      store_count_subdir_locked (s, SUB_RESULTS, sub);
      store_unlock_usage (s);
    }
  return ok;
}

guint
dcc_store_result_count (DccStore *s)
{
  g_return_val_if_fail (s != NULL, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(DIR) top = store_open_dir_at (s->dir_fd, "results", &error);
  if (top == NULL)
    return 0;
  guint count = 0;
  struct dirent *de;
  while ((de = readdir (top)) != NULL)
    {
      if (!store_is_lower_hex (de->d_name, 2))
        continue;
      g_autoptr(DIR) d = store_open_dir_at (dirfd (top), de->d_name, &error);
      g_clear_error (&error);
      struct dirent *ne;
      while (d && (ne = readdir (d)) != NULL)
        if (store_is_lower_hex (ne->d_name, DCC_HASH_HEX_LEN - 2))
          count++;
    }
  return count;
}
