/* The volunteer's content-addressed file store; see file-store.h. */
#include "file-store-private.h"
#include "dcc-fd.h"

void
store_obj_path (const DccHash *h, char out[OBJ_PATH_LEN])
{
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_to_hex (h, hex);
  out[0] = hex[0];
  out[1] = hex[1];
  out[2] = '/';
  memcpy (out + 3, hex + 2, DCC_HASH_HEX_LEN - 2);
  out[OBJ_PATH_LEN - 1] = '\0';
}

gint64
store_now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (gint64) ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

gint64
store_mtime_ns (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * NS_PER_S + st->st_mtim.tv_nsec;
}

gboolean
store_is_lower_hex (const char *s, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return s[n] == '\0';
}

/* Opens parent/name as a directory stream without following a symlink. */
DIR *
store_open_dir_at (int parent, const char *name, GError **error)
{
  dcc_autofd fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      dcc_fail_errno (error, "opening directory %s", name);
      return NULL;
    }
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      dcc_fail_errno (error, "fdopendir %s", name);
      return NULL;
    }
  g_steal_fd (&fd);   /* closedir closes it */
  return d;
}

gboolean
store_is_pinned (DccStore *s, const DccHash *h)
{
  return g_hash_table_contains (s->pins, h);
}

const char *
dcc_store_stat_problem (const struct stat *st, uid_t uid, gboolean top)
{
  if (st->st_uid != uid && !(top && st->st_uid == 0))
    return top ? "belongs to another user (it must be this user's or root's)" : "belongs to another user";
  if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(top && (st->st_mode & S_ISVTX)))
    return top ? "is writable by other users and not sticky" : "is writable by other users";
  return NULL;
}

/* The store's bytes, its result names and its compilers' identities are
 * trusted by every client: whoever else can write them can change what
 * they get. */
static gboolean
check_private (int fd, const char *what, gboolean top, GError **error)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return dcc_fail_errno (error, "stat %s", what);
  const char *problem = dcc_store_stat_problem (&st, geteuid (), top);
  if (problem)
    return dcc_fail (error, DCC_ERROR_REFUSED, "%s %s (mode %04o, owner uid %u): another user could change what "
                     "clients get from this store; use a directory of this user's own that no one else can write",
                     what, problem, (unsigned) (st.st_mode & 07777), (unsigned) st.st_uid);
  return TRUE;
}

static gboolean
mkdir_open_at (int parent, const char *name, const char *what, int *out, GError **error)
{
  if (mkdirat (parent, name, 0755) < 0 && errno != EEXIST)
    return dcc_fail_errno (error, "creating %s", what);
  int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return dcc_fail_errno (error, "opening %s", what);
  *out = fd;
  return check_private (fd, what, FALSE, error);
}

/* Opens (creating) DIR/usage and maps it. A new or unrecognised file is
 * (re)initialised; the caller recounts it under the lock. */
static gboolean
open_usage (DccStore *s, GError **error)
{
  s->usage_fd = openat (s->dir_fd, "usage", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (s->usage_fd < 0)
    return dcc_fail_errno (error, "opening %s/usage", s->dir);
  struct stat st;
  if (fstat (s->usage_fd, &st) < 0)
    return dcc_fail_errno (error, "stat %s/usage", s->dir);
  if (!S_ISREG (st.st_mode))
    return dcc_fail (error, DCC_ERROR_IO, "%s/usage is not a regular file", s->dir);
  g_autofree char *what = g_strconcat (s->dir, "/usage", NULL);
  if (!check_private (s->usage_fd, what, FALSE, error))
    return FALSE;
  if ((gsize) st.st_size < sizeof (Usage) && ftruncate (s->usage_fd, sizeof (Usage)) < 0)
    return dcc_fail_errno (error, "sizing %s/usage", s->dir);
  void *m = mmap (NULL, sizeof (Usage), PROT_READ | PROT_WRITE, MAP_SHARED, s->usage_fd, 0);
  if (m == MAP_FAILED)
    return dcc_fail_errno (error, "mapping %s/usage", s->dir);
  s->usage = m;
  return TRUE;
}

DccStore *
dcc_store_open (const char *dir, guint64 max_bytes, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);

  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      dcc_fail_errno (error, "creating store %s", dir);
      return NULL;
    }
  g_autoptr(DccStore) s = g_new0 (DccStore, 1);
  s->dir_fd = s->objects_fd = s->tmp_fd = s->results_fd = s->usage_fd = s->lock_fd = -1;
  s->dir = g_strdup (dir);
  s->max_bytes = max_bytes;
  s->grace_s = DCC_STORE_GRACE_SECONDS;
  s->index = g_hash_table_new_full (dcc_hash_hash, dcc_hash_equal_func, NULL, g_free);
  s->pins = g_hash_table_new_full (dcc_hash_hash, dcc_hash_equal_func, g_free, NULL);
  s->private_objects = g_hash_table_new_full (dcc_hash_hash, dcc_hash_equal_func, g_free,
                                              (GDestroyNotify) g_bytes_unref);

  s->dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->dir_fd < 0)
    {
      dcc_fail_errno (error, "opening store %s", dir);
      return NULL;
    }
  g_autofree char *objects = g_build_filename (dir, "objects", NULL);
  g_autofree char *tmp = g_build_filename (dir, "tmp", NULL);
  g_autofree char *results = g_build_filename (dir, "results", NULL);
  /* compilers/: the compiler identities cached there (dcc-compiler-id.h) */
  g_autofree char *compilers = g_build_filename (dir, "compilers", NULL);
  dcc_autofd compilers_fd = -1;
  if (!check_private (s->dir_fd, dir, TRUE, error)
      || !mkdir_open_at (s->dir_fd, "objects", objects, &s->objects_fd, error)
      || !mkdir_open_at (s->dir_fd, "tmp", tmp, &s->tmp_fd, error)
      || !mkdir_open_at (s->dir_fd, "results", results, &s->results_fd, error)
      || !mkdir_open_at (s->dir_fd, "compilers", compilers, &compilers_fd, error)
      || !open_usage (s, error))
    return NULL;
  struct statvfs vfs;
  s->block = fstatvfs (s->objects_fd, &vfs) == 0 && vfs.f_frsize >= 512 && vfs.f_frsize <= 1024 * 1024
             ? vfs.f_frsize : FALLBACK_BLOCK;

  if (!store_lock_usage (s))
    {
      dcc_fail_errno (error, "locking %s/usage", dir);
      return NULL;
    }
  memcpy (s->usage->magic, USAGE_MAGIC, sizeof s->usage->magic);
  store_clean_tmp (s);
  gboolean ok = store_recount_locked (s, error);
  store_unlock_usage (s);
  if (!ok)
    {
      g_prefix_error (error, "store %s: ", dir);
      return NULL;
    }
  return g_steal_pointer (&s);
}

void
dcc_store_free (DccStore *s)
{
  if (s == NULL)
    return;
  if (s->usage)
    munmap (s->usage, sizeof (Usage));
  dcc_close_fdp (&s->usage_fd);
  dcc_close_fdp (&s->lock_fd);
  dcc_close_fdp (&s->dir_fd);
  dcc_close_fdp (&s->objects_fd);
  dcc_close_fdp (&s->tmp_fd);
  dcc_close_fdp (&s->results_fd);
  g_clear_pointer (&s->index, g_hash_table_unref);
  g_clear_pointer (&s->pins, g_hash_table_unref);
  g_clear_pointer (&s->private_objects, g_hash_table_unref);
  g_free (s->dir);
  g_free (s);
}

void
dcc_store_set_grace (DccStore *s, guint seconds)
{
  g_return_if_fail (s != NULL);
  s->grace_s = seconds;
}

gboolean
dcc_store_has (DccStore *s, const DccHash *h)
{
  g_return_val_if_fail (s != NULL && h != NULL, FALSE);
  return g_hash_table_contains (s->private_objects, h) || store_touch (s, h);
}

static gboolean
write_all (int fd, const guint8 *p, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, p, MIN (len, (gsize) G_MAXSSIZE));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Makes room for the object and reserves it (store_put_reservation): creates the
 * tmp/ file, sized len (sparse until written), under the lock. FALSE with
 * *full when the budget cannot hold it, else FALSE + error on I/O failure.
 * On success *fd_out and *name_out hold the reserved tmp file. */
static gboolean
reserve (DccStore *s, const DccHash *h, const char *hex, gsize len, gboolean *full, int *fd_out,
         char **name_out, GError **error)
{
  *full = FALSE;
  if (!store_lock_usage (s))
    return dcc_fail_errno (error, "locking %s/usage", s->dir);
  guint64 need = store_put_reservation (s, len);
  if (!store_reserve_locked (s, h, need))
    {
      if (s->lock_depth > 0)
        store_unlock_usage (s);
      *full = TRUE;
      return FALSE;
    }
  g_autofree char *tmp_name = NULL;
  dcc_autofd fd = -1;
  for (int i = 0; i < TMP_NAME_TRIES && fd < 0; i++)
    {
      g_free (tmp_name);
      tmp_name = g_strdup_printf ("%s.%d.%08x", hex, (int) getpid (), g_random_int ());
      fd = openat (s->tmp_fd, tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
      if (fd < 0 && errno != EEXIST)
        break;
    }
  gboolean ok = fd >= 0 && ftruncate (fd, (off_t) len) == 0;
  if (!ok)
    {
      dcc_fail_errno (error, "creating a temporary file in %s/tmp", s->dir);
      if (fd >= 0)
        unlinkat (s->tmp_fd, tmp_name, 0);
      store_usage_sub (s, need);
    }
  store_unlock_usage (s);
  if (!ok)
    return FALSE;
  *fd_out = g_steal_fd (&fd);
  *name_out = g_steal_pointer (&tmp_name);
  return TRUE;
}

/* Links tmp/TMP_NAME into place as objects/PATH, making objects/ab first
 * (within the put's reservation): an eviction that empties a subdirectory
 * removes it, so it may vanish in between and is made again. -1 + errno
 * on failure (EEXIST: the object is there already). */
int
store_link_object (DccStore *s, const char *tmp_name, const char *path)
{
  char sub[3] = { path[0], path[1], '\0' };
  for (int i = 0; i < SUBDIR_TRIES; i++)
    {
      if (mkdirat (s->objects_fd, sub, 0755) < 0 && errno != EEXIST)
        return -1;
      if (linkat (s->tmp_fd, tmp_name, s->objects_fd, path, 0) == 0)
        return 0;
      if (errno != ENOENT)
        return -1;
    }
  return -1;
}

/* Ends a put's reservation, under the lock: removes the tmp/ name and
 * gives back what was reserved, counts the object's own blocks (stored:
 * 0 when it was not linked into place) and what objects/SUB became. */
static void
settle_put (DccStore *s, const char *tmp_name, gsize len, guint64 stored, const char sub[3])
{
  if (!store_lock_usage (s))
    {
      unlinkat (s->tmp_fd, tmp_name, 0);
      return;
    }
  /* Gone already: a recount at open removed it (over an hour old) and
   * counted what was on disk then. */
  if (unlinkat (s->tmp_fd, tmp_name, 0) == 0)
    {
      store_usage_sub (s, store_put_reservation (s, len));
      store_usage_add (s, stored);
    }
  store_count_subdir_locked (s, SUB_OBJECTS, sub);
  store_unlock_usage (s);
}

gboolean
dcc_store_put (DccStore *s, const DccHash *h, GBytes *bytes, GError **error)
{
  g_return_val_if_fail (s != NULL && h != NULL && bytes != NULL, FALSE);

  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_to_hex (h, hex);
  if (len > DCC_MAX_FILE_SIZE)
    return dcc_fail (error, DCC_ERROR_LIMIT, "object %s is %" G_GSIZE_FORMAT
                     " bytes, more than %u", hex, len, DCC_MAX_FILE_SIZE);
  DccHash got;
  dcc_hash_bytes (data != NULL ? data : (const guint8 *) "", len, &got);
  if (!dcc_hash_equal (&got, h))
    {
      char got_hex[DCC_HASH_HEX_LEN + 1];
      dcc_hash_to_hex (&got, got_hex);
      return dcc_fail (error, DCC_ERROR_MISMATCH, "content announced as %s hashes to %s",
                       hex, got_hex);
    }

  if (g_hash_table_contains (s->private_objects, h) || store_touch (s, h))
    return TRUE;

  char path[OBJ_PATH_LEN];
  store_obj_path (h, path);
  char sub[3] = { path[0], path[1], '\0' };

  g_autofree char *tmp_name = NULL;
  dcc_autofd fd = -1;
  gboolean full = FALSE;
  if (len > s->max_bytes || !reserve (s, h, hex, len, &full, &fd, &tmp_name, error))
    {
      if (len <= s->max_bytes && !full)
        return FALSE;
      /* The budget cannot take it now: this job keeps its own copy, and
       * the store stays within its bound. */
      g_debug ("store: full, keeping %s (%" G_GSIZE_FORMAT " bytes) for this job only", hex, len);
      g_hash_table_insert (s->private_objects, g_memdup2 (h, sizeof *h), g_bytes_ref (bytes));
      return TRUE;
    }

  struct stat st;
  gboolean ok = write_all (fd, data, len) && fchmod (fd, 0444) == 0 && fstat (fd, &st) == 0;
  int rc = close (g_steal_fd (&fd));
  if (!ok || rc < 0)
    {
      int err = errno;
      settle_put (s, tmp_name, len, 0, sub);
      errno = err;
      return dcc_fail_errno (error, "writing %s/tmp/%s", s->dir, tmp_name);
    }
  /* The moment the object appears under its name it is complete. */
  if (store_link_object (s, tmp_name, path) < 0)
    {
      int err = errno;
      settle_put (s, tmp_name, len, 0, sub);   /* stored meanwhile by another process, or failed */
      if (err != EEXIST)
        {
          errno = err;
          return dcc_fail_errno (error, "linking %s/objects/%s", s->dir, path);
        }
    }
  else
    settle_put (s, tmp_name, len, store_disk_cost (s, &st), sub);   /* the object now holds its blocks */

  if (!store_touch (s, h))
    return dcc_fail_errno (error, "object %s vanished after it was stored", hex);
  return TRUE;
}

/* Creates name in dirfd to write a copy into. O_EXCL: never opens (or
 * follows) anything already at name. Returns the fd (caller owns it), or -1
 * with error set. */
static int
create_new (int dirfd, const char *name, GError **error)
{
  int fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    dcc_fail_errno (error, "creating %s", name);
  return fd;
}

/* Ends a copy made with create_new: takes dst, sets mode (when the writes
 * went well: ok) and closes it. On any failure removes name and fails with
 * "DOING HEX to NAME" and errno. */
static gboolean
finish_new (int dst, gboolean ok, mode_t mode, int dirfd, const char *name, const char *doing,
            const char *hex, GError **error)
{
  ok = ok && fchmod (dst, mode) == 0;
  int rc = close (dst);
  if (!ok || rc < 0)
    {
      dcc_fail_errno (error, "%s %s to %s", doing, hex, name);
      unlinkat (dirfd, name, 0);
      return FALSE;
    }
  return TRUE;
}

static gboolean
copy_object (DccStore *s, const char *path, const char *hex, int dirfd, const char *name,
             mode_t mode, GError **error)
{
  dcc_autofd src = openat (s->objects_fd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (src < 0)
    {
      if (errno == ENOENT)
        return dcc_fail (error, DCC_ERROR_IO, "object %s is not in the store", hex);
      return dcc_fail_errno (error, "opening object %s", hex);
    }
  dcc_autofd dst = create_new (dirfd, name, error);
  if (dst < 0)
    return FALSE;

  g_autofree guint8 *buf = g_malloc (COPY_BUF_SIZE);
  gboolean ok = TRUE;
  for (;;)
    {
      ssize_t n = read (src, buf, COPY_BUF_SIZE);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          ok = FALSE;
          break;
        }
      if (n == 0)
        break;
      if (!write_all (dst, buf, (gsize) n))
        {
          ok = FALSE;
          break;
        }
    }
  return finish_new (g_steal_fd (&dst), ok, mode, dirfd, name, "copying object", hex, error);
}

/* Writes a content this process keeps for itself (see dcc_store_put). */
static gboolean
write_private (GBytes *own, const char *hex, int dirfd, const char *name, mode_t mode,
               GError **error)
{
  dcc_autofd dst = create_new (dirfd, name, error);
  if (dst < 0)
    return FALSE;
  gsize len;
  const guint8 *data = g_bytes_get_data (own, &len);
  gboolean ok = write_all (dst, data, len);
  return finish_new (g_steal_fd (&dst), ok, mode, dirfd, name, "writing", hex, error);
}

/* An object's names: its hash in hex and its path under objects/; returns
 * this process's private copy of its content (owned by the store) when it
 * has one instead of a file. */
static GBytes *
object_names (DccStore *s, const DccHash *h, char hex[DCC_HASH_HEX_LEN + 1], char path[OBJ_PATH_LEN])
{
  dcc_hash_to_hex (h, hex);
  store_obj_path (h, path);
  return g_hash_table_lookup (s->private_objects, h);
}

gboolean
dcc_store_link_into (DccStore *s, const DccHash *h, int dirfd, const char *name,
                     gboolean executable, GError **error)
{
  g_return_val_if_fail (s != NULL && h != NULL && name != NULL, FALSE);

  gsize name_len = strlen (name);
  if (name_len == 0 || name_len > DCC_MAX_NAME_LEN || strchr (name, '/') != NULL
      || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      g_autofree char *m = dcc_escape_for_log (name, 200);
      return dcc_fail (error, DCC_ERROR_REFUSED, "“%s” is not a single file name", m);
    }

  char hex[DCC_HASH_HEX_LEN + 1];
  char path[OBJ_PATH_LEN];
  GBytes *own = object_names (s, h, hex, path);
  if (own)
    return write_private (own, hex, dirfd, name, executable ? 0555 : 0444, error);

  gboolean copy = executable;
  if (!copy)
    {
      /* flags 0: linkat follows neither the object nor an entry at name. */
      if (linkat (s->objects_fd, path, dirfd, name, 0) < 0)
        {
          int err = errno;
          struct stat st;
          if (err == ENOENT && fstatat (s->objects_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
            {
              store_index_drop (s, h);
              return dcc_fail (error, DCC_ERROR_IO, "object %s is not in the store", hex);
            }
          if (err != EXDEV && err != EMLINK && err != EPERM && err != ENOTSUP
              && err != EOPNOTSUPP)
            {
              errno = err;
              return dcc_fail_errno (error, "linking object %s to %s", hex, name);
            }
          copy = TRUE;
        }
    }
  if (copy && !copy_object (s, path, hex, dirfd, name, executable ? 0555 : 0444, error))
    return FALSE;
  store_touch (s, h);
  return TRUE;
}

int
dcc_store_upload_lock (DccStore *s, gint64 until_us, gboolean *held)
{
  *held = FALSE;
  int fd = openat (s->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  for (;;)
    {
      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        return fd;
      if (errno != EWOULDBLOCK && errno != EINTR)
        break;
      *held = TRUE;
      if (g_get_monotonic_time () >= until_us)
        break;
      g_usleep (5000);
    }
  close (fd);
  return -1;
}

void
dcc_store_pin (DccStore *s, const DccHash *h)
{
  g_return_if_fail (s != NULL && h != NULL);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (s->pins, h));
  /* On an existing key, insert keeps the old key and frees the new one. */
  g_hash_table_insert (s->pins, g_memdup2 (h, sizeof *h), GUINT_TO_POINTER (n + 1));
  store_touch (s, h);
}

void
dcc_store_unpin (DccStore *s, const DccHash *h)
{
  g_return_if_fail (s != NULL && h != NULL);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (s->pins, h));
  g_return_if_fail (n > 0);
  if (n == 1)
    g_hash_table_remove (s->pins, h);
  else
    g_hash_table_insert (s->pins, g_memdup2 (h, sizeof *h), GUINT_TO_POINTER (n - 1));
}

guint64
dcc_store_total_bytes (DccStore *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->usage->bytes;
}

guint
dcc_store_private_count (DccStore *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return g_hash_table_size (s->private_objects);
}

guint
dcc_store_count (DccStore *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return g_hash_table_size (s->index);
}

gboolean
dcc_store_is_private (DccStore *s, const DccHash *h)
{
  g_return_val_if_fail (s != NULL && h != NULL, FALSE);
  return g_hash_table_contains (s->private_objects, h);
}

GBytes *
dcc_store_read (DccStore *s, const DccHash *h, GError **error)
{
  g_return_val_if_fail (s != NULL && h != NULL, NULL);
  char hex[DCC_HASH_HEX_LEN + 1];
  char path[OBJ_PATH_LEN];
  GBytes *own = object_names (s, h, hex, path);
  if (own)
    return g_bytes_ref (own);
  dcc_autofd fd = openat (s->objects_fd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        {
          store_index_drop (s, h);
          return dcc_fail (error, DCC_ERROR_IO, "object %s is not in the store", hex), NULL;
        }
      return dcc_fail_errno (error, "opening object %s", hex), NULL;
    }
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return dcc_fail (error, DCC_ERROR_IO, "object %s is not a regular file", hex), NULL;
  if ((guint64) st.st_size > DCC_MAX_FILE_SIZE)
    return dcc_fail (error, DCC_ERROR_LIMIT, "object %s is larger than %u bytes", hex, DCC_MAX_FILE_SIZE), NULL;
  g_autoptr(GBytes) bytes = NULL;
  if (st.st_size == 0)
    bytes = g_bytes_new (NULL, 0);
  else
    {
      g_autoptr(GMappedFile) m = g_mapped_file_new_from_fd (fd, FALSE, error);
      if (!m)
        return NULL;
      bytes = g_mapped_file_get_bytes (m);
    }
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);
  DccHash got;
  dcc_hash_bytes (data != NULL ? data : (const void *) "", len, &got);
  if (!dcc_hash_equal (&got, h))
    return dcc_fail (error, DCC_ERROR_MISMATCH, "object %s does not hash to its name", hex), NULL;
  store_touch (s, h);
  return g_steal_pointer (&bytes);
}
