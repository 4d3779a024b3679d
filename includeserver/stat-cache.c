/* lstat/stat answers kept while inotify reports no change; see stat-cache.h. */
#include "stat-cache.h"
#include "dcc-hash.h"
#include "dcc-log.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <unistd.h>

/* Events that change what lstat says of a name in a watched directory, or
 * of a watched file or directory itself. A directory's watch leaves out
 * its files' writes (IN_MODIFY, IN_CLOSE_WRITE): every regular file the
 * cache answers for has a watch of its own that reports them, and a build
 * writing objects beside its sources made those most of the events (one
 * per write() of each object) that the server read and threw away. */
#define DIR_EVENTS  (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB \
                     | IN_DELETE_SELF | IN_MOVE_SELF)
#define FILE_EVENTS (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)

/* How long the reader waits after the first event before it drains the
 * queue: a build's writes come in bursts, and each request drains the
 * queue itself before it looks (dcc_stat_cache_sync), so the reader only
 * keeps the kernel's queue from overflowing and need not wake per event. */
#define READER_BATCH_MS 20

typedef struct Node Node;
struct Node {
  Node       *parent;
  char       *name;       /* component; "" for the root */
  char       *path;       /* the whole path, the key in DccStatCache.by_path */
  GHashTable *children;   /* name -> Node* (owned), or NULL */
  int         wd;         /* this node's watch, or -1 */
  gboolean    watch_failed; /* could not be watched: its children are not cached */
  gboolean    known;      /* err and st hold lstat's answer */
  gboolean    retired;    /* out of the tree: kept only so that memos can see it is gone */
  guint64     serial;     /* a new number each time the answer becomes known */
  int         err;        /* 0 or errno */
  struct stat st;
};

struct DccStatCache {
  GMutex      lock;
  int         fd;          /* inotify, or -1: nothing is cached */
  Node       *root;
  GHashTable *by_path;     /* path -> Node* below the root: a known answer in one lookup */
  GHashTable *watches;     /* wd -> GPtrArray of Node* watched by it (one inode, several paths) */
  guint       max_watches;
  guint       nodes;
  GThread    *reader;      /* drains events so that the queue does not overflow */
  int         stop_pipe[2];
  /* Nodes taken out of the tree are not freed at once: a DccStatMemo may
   * point at them. They are freed together, and memos made before that
   * are then told apart by the epoch. */
  GPtrArray  *retired;
  guint64     epoch;
  guint64     serials;
  DccStatCacheCounters counters;
};

/* Retired nodes kept before they are freed (and every memo goes stale). */
#define MAX_RETIRED 65536u

static Node *
node_new (Node *parent, const char *name)
{
  Node *n = g_new0 (Node, 1);
  n->parent = parent;
  n->name = g_strdup (name);
  if (!parent)
    n->path = g_strdup ("/");
  else if (!parent->parent)
    n->path = g_strconcat ("/", name, NULL);
  else
    n->path = g_strconcat (parent->path, "/", name, NULL);
  n->wd = -1;
  return n;
}

static void
unwatch (DccStatCache *c, Node *n)
{
  if (n->wd < 0)
    return;
  GPtrArray *nodes = g_hash_table_lookup (c->watches, GINT_TO_POINTER (n->wd));
  if (nodes)
    {
      g_ptr_array_remove_fast (nodes, n);
      if (nodes->len == 0)
        {
          inotify_rm_watch (c->fd, n->wd);
          g_hash_table_remove (c->watches, GINT_TO_POINTER (n->wd));
        }
    }
  n->wd = -1;
}

static void node_free (DccStatCache *c, Node *n);

/* Frees everything below n (n keeps an empty table). */
static void
free_children (DccStatCache *c, Node *n)
{
  GHashTableIter it;
  gpointer v;

  if (!n->children)
    return;
  g_hash_table_iter_init (&it, n->children);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      node_free (c, v);
      g_hash_table_iter_steal (&it);
    }
}

/* Takes n and everything below it out of the tree, dropping their watches;
 * their memory waits in c->retired (see purge_retired). */
static void
node_free (DccStatCache *c, Node *n)
{
  free_children (c, n);
  g_clear_pointer (&n->children, g_hash_table_unref);
  unwatch (c, n);
  g_hash_table_remove (c->by_path, n->path);
  c->nodes--;
  n->known = FALSE;
  n->retired = TRUE;
  n->parent = NULL;
  g_ptr_array_add (c->retired, n);
}

static void
node_release (gpointer p)
{
  Node *n = p;
  g_free (n->name);
  g_free (n->path);
  g_free (n);
}

/* Frees the retired nodes; every memo made before now goes stale. */
static void
purge_retired (DccStatCache *c)
{
  g_ptr_array_set_size (c->retired, 0);
  c->epoch++;
}

/* The name's meaning changed: forget n and everything below it. */
static void
node_remove (DccStatCache *c, Node *n)
{
  if (!n->parent)
    {
      /* The root itself: forget everything under it. */
      free_children (c, n);
      n->known = FALSE;
      return;
    }
  g_hash_table_steal (n->parent->children, n->name);
  node_free (c, n);
}

static void
reset (DccStatCache *c)
{
  node_remove (c, c->root);
  unwatch (c, c->root);
  c->root->watch_failed = FALSE;
  purge_retired (c);
  c->counters.resets++;
}

static gboolean
local_fs (const char *dir)
{
  struct statfs fs;
  if (statfs (dir, &fs) != 0)
    return FALSE;
  switch ((unsigned long) fs.f_type)
    {
    case 0xEF53:       /* ext2, ext3, ext4 */
    case 0x58465342:   /* xfs */
    case 0x9123683E:   /* btrfs */
    case 0x01021994:   /* tmpfs */
    case 0xF2F52010:   /* f2fs */
      return TRUE;
    default:
      return FALSE;
    }
}

/* Watches n (a directory or a regular file) by its path. FALSE: it cannot be. */
static gboolean
watch (DccStatCache *c, Node *n, const char *path, gboolean dir)
{
  if (n->wd >= 0)
    return TRUE;
  if (n->watch_failed)
    return FALSE;
  if (g_hash_table_size (c->watches) >= c->max_watches)
    return FALSE;   /* full: new paths are asked of the system */
  if (dir && !local_fs (path))
    {
      n->watch_failed = TRUE;
      return FALSE;
    }
  int wd = inotify_add_watch (c->fd, path, (dir ? DIR_EVENTS | IN_ONLYDIR : FILE_EVENTS) | IN_DONT_FOLLOW);
  if (wd < 0)
    {
      n->watch_failed = TRUE;
      return FALSE;
    }
  GPtrArray *nodes = g_hash_table_lookup (c->watches, GINT_TO_POINTER (wd));
  if (!nodes)
    {
      nodes = g_ptr_array_new ();
      g_hash_table_insert (c->watches, GINT_TO_POINTER (wd), nodes);
    }
  g_ptr_array_add (nodes, n);
  n->wd = wd;
  return TRUE;
}

static void
handle_event (DccStatCache *c, const struct inotify_event *ev)
{
  c->counters.events++;
  if (ev->mask & IN_Q_OVERFLOW)
    {
      reset (c);
      return;
    }
  GPtrArray *nodes = g_hash_table_lookup (c->watches, GINT_TO_POINTER (ev->wd));
  if (!nodes)
    return;   /* a watch already dropped */
  if (ev->mask & IN_IGNORED)
    {
      /* The watch is gone (its inode deleted, or its file system
       * unmounted): nothing under its nodes can be trusted any more. */
      g_autoptr(GPtrArray) copy = g_ptr_array_copy (nodes, NULL, NULL);
      g_hash_table_remove (c->watches, GINT_TO_POINTER (ev->wd));
      for (guint i = 0; i < copy->len; i++)
        {
          Node *n = copy->pdata[i];
          n->wd = -1;   /* the kernel dropped it already */
          node_remove (c, n);
        }
      return;
    }
  gboolean renamed = (ev->mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)) != 0;
  gboolean self_gone = (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) != 0;
  /* Node removal may shrink nodes: work on a copy. */
  g_autoptr(GPtrArray) copy = g_ptr_array_copy (nodes, NULL, NULL);
  for (guint i = 0; i < copy->len; i++)
    {
      Node *n = copy->pdata[i];
      if (ev->len > 0 && ev->name[0])
        {
          /* About the name ev->name in directory n. */
          if (renamed)
            n->known = FALSE;   /* its mtime and ctime changed */
          Node *child = n->children ? g_hash_table_lookup (n->children, ev->name) : NULL;
          if (!child)
            continue;
          if (renamed)
            node_remove (c, child);
          else
            child->known = FALSE;
        }
      else if (self_gone)
        {
          if (n->parent)
            n->parent->known = FALSE;
          node_remove (c, n);
        }
      else
        n->known = FALSE;
    }
}

/* Under the lock. */
static void
drain (DccStatCache *c)
{
  if (c->fd < 0)
    return;
  if (c->retired->len >= MAX_RETIRED)
    purge_retired (c);
  char buf[65536] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
  for (;;)
    {
      ssize_t n = read (c->fd, buf, sizeof buf);
      if (n <= 0)
        {
          if (n < 0 && errno == EINTR)
            continue;
          return;   /* EAGAIN: nothing more queued */
        }
      for (char *p = buf; p < buf + n; )
        {
          const struct inotify_event *ev = (const struct inotify_event *) p;
          handle_event (c, ev);
          p += sizeof (struct inotify_event) + ev->len;
        }
    }
}

static gpointer
reader_thread (gpointer data)
{
  DccStatCache *c = data;
  for (;;)
    {
      struct pollfd fds[2] = { { .fd = c->fd, .events = POLLIN }, { .fd = c->stop_pipe[0], .events = POLLIN } };
      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return NULL;
        }
      if (fds[1].revents)
        return NULL;
      /* Let the burst gather, still woken at once by a stop. */
      struct pollfd stop = { .fd = c->stop_pipe[0], .events = POLLIN };
      if (poll (&stop, 1, READER_BATCH_MS) > 0)
        return NULL;
      g_mutex_lock (&c->lock);
      drain (c);
      g_mutex_unlock (&c->lock);
    }
}

DccStatCache *
dcc_stat_cache_new (gboolean enabled)
{
  DccStatCache *c = g_new0 (DccStatCache, 1);
  g_mutex_init (&c->lock);
  c->fd = enabled ? inotify_init1 (IN_NONBLOCK | IN_CLOEXEC) : -1;
  c->stop_pipe[0] = c->stop_pipe[1] = -1;
  c->root = node_new (NULL, "");
  c->by_path = g_hash_table_new (dcc_str_hash, g_str_equal);
  c->retired = g_ptr_array_new_with_free_func (node_release);
  c->nodes = 1;
  c->watches = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  c->max_watches = DCC_STAT_CACHE_MAX_WATCHES;
  g_autofree char *limit = NULL;
  if (g_file_get_contents ("/proc/sys/fs/inotify/max_user_watches", &limit, NULL, NULL))
    {
      /* Leave most of the user's watches to others. */
      guint64 l = g_ascii_strtoull (limit, NULL, 10) / 2;
      if (l < c->max_watches)
        c->max_watches = (guint) l;
    }
  if (c->fd >= 0 && pipe2 (c->stop_pipe, O_CLOEXEC) == 0)
    c->reader = g_thread_new ("stat-cache", reader_thread, c);
  else if (c->fd >= 0)
    {
      close (c->fd);
      c->fd = -1;
    }
  if (enabled && c->fd < 0)
    dcc_debug ("stat cache: no inotify (%s): every stat is a system call", g_strerror (errno));
  return c;
}

void
dcc_stat_cache_free (DccStatCache *c)
{
  if (!c)
    return;
  if (c->reader)
    {
      (void) !write (c->stop_pipe[1], "x", 1);
      g_thread_join (c->reader);
      close (c->stop_pipe[0]);
      close (c->stop_pipe[1]);
    }
  node_remove (c, c->root);
  g_free (c->root->name);
  g_free (c->root->path);
  g_free (c->root);
  g_ptr_array_unref (c->retired);
  g_hash_table_unref (c->by_path);
  g_hash_table_unref (c->watches);
  if (c->fd >= 0)
    close (c->fd);
  g_mutex_clear (&c->lock);
  g_free (c);
}

void
dcc_stat_cache_sync (DccStatCache *c)
{
  if (c->fd < 0)
    return;
  g_mutex_lock (&c->lock);
  drain (c);
  g_mutex_unlock (&c->lock);
}

static Node *
child_of (DccStatCache *c, Node *parent, const char *name, gsize len)
{
  char stack[256];
  g_autofree char *heap = NULL;
  char *key = len < sizeof stack ? stack : (heap = g_malloc (len + 1));
  memcpy (key, name, len);
  key[len] = '\0';
  Node *n = parent->children ? g_hash_table_lookup (parent->children, key) : NULL;
  if (n)
    return n;
  if (c->nodes >= DCC_STAT_CACHE_MAX_NODES)
    return NULL;   /* full: new paths are asked of the system */
  if (!parent->children)
    parent->children = g_hash_table_new (dcc_str_hash, g_str_equal);
  n = node_new (parent, key);
  g_hash_table_insert (parent->children, n->name, n);
  g_hash_table_insert (c->by_path, n->path, n);
  c->nodes++;
  return n;
}

/* Makes n's answer known: its directory watched first, then lstat. FALSE:
 * it cannot be cached (the caller asks the system). path is n's path. */
static gboolean
know (DccStatCache *c, Node *n, const char *path)
{
  if (n->known)
    {
      c->counters.hits++;
      return TRUE;
    }
  if (n->parent)
    {
      if (!watch (c, n->parent, n->parent->path, TRUE))
        return FALSE;
    }
  struct stat st;
  int rc = lstat (path, &st);
  n->err = rc == 0 ? 0 : errno;
  if (rc == 0)
    n->st = st;
  if (rc != 0 && n->err != ENOENT && n->err != ENOTDIR)
    return FALSE;   /* EACCES, ELOOP...: not worth caching */
  if (rc == 0 && S_ISREG (st.st_mode) && !watch (c, n, path, FALSE))
    return FALSE;
  n->known = TRUE;
  n->serial = ++c->serials;
  c->counters.misses++;
  return TRUE;
}

/* Under the lock: the answer from the tree, or FALSE if it cannot be
 * cached. */
static gboolean
lookup (DccStatCache *c, const char *path, gboolean follow, int *err, struct stat *st, Node **by)
{
  if (path[0] != '/')
    return FALSE;
  Node *n = c->root;
  const char *p = path;
  gsize plen = strlen (path);
  if (plen >= 4096)
    return FALSE;
  char prefix[4096];
  while (*p == '/')
    p++;
  if (!*p)
    {
      /* "/" itself. */
      if (!n->known)
        {
          n->err = lstat ("/", &n->st) == 0 ? 0 : errno;
          if (n->err)
            return FALSE;
          n->known = TRUE;
          n->serial = ++c->serials;
        }
      *err = 0;
      *st = n->st;
      *by = n;
      return TRUE;
    }
  for (;;)
    {
      const char *slash = strchr (p, '/');
      gsize len = slash ? (gsize) (slash - p) : strlen (p);
      if (len == 0 || (slash && !slash[1]))
        return FALSE;   /* "a//b", "a/": collapsed by callers; ask the system */
      if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
        {
          /* n is a directory reached through no symlink (or the root):
           * "." is n itself, ".." its parent in this tree, as the kernel
           * resolves them (at a mount point too). */
          if (len == 2 && n->parent)
            n = n->parent;
          if (!slash)
            {
              if (!n->known)
                return FALSE;
              *err = 0;
              *st = n->st;
              *by = n;
              return TRUE;
            }
          p = slash + 1;
          continue;
        }
      gsize upto = (gsize) (p - path) + len;
      memcpy (prefix, path, upto);
      prefix[upto] = '\0';
      n = child_of (c, n, p, len);
      if (!n || !know (c, n, prefix))
        return FALSE;
      gboolean last = !slash;
      if (n->err)
        {
          *err = last ? n->err : (n->err == ENOENT ? ENOENT : ENOTDIR);
          *by = n;
          return TRUE;
        }
      if (S_ISLNK (n->st.st_mode) && (follow || !last))
        return FALSE;   /* the system call follows it */
      if (last)
        {
          *err = 0;
          *st = n->st;
          *by = n;
          return TRUE;
        }
      if (!S_ISDIR (n->st.st_mode))
        {
          *err = ENOTDIR;
          *by = n;
          return TRUE;
        }
      p = slash + 1;
    }
}

/* Does the node that answered for path stand for the answer by itself?
 * Yes for a path of plain components: the node is path's own, or the
 * ancestor where the walk ended (a missing directory, a file), and any
 * change to that answer forgets it; "." stays in the directory it names,
 * whose node is on the way (the kernel's -I./include makes every path of
 * a kernel build such a path). Not for a path through "..": its answer
 * also rests on the directories it climbed out of ("d/sub/.." needs sub),
 * which no one node's memo sees. */
static gboolean
answers_alone (const char *path)
{
  for (const char *p = path; (p = strchr (p, '/')) != NULL; )
    {
      p++;
      if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
        return FALSE;
    }
  return TRUE;
}

int
dcc_stat_cache_stat (DccStatCache *c, const char *path, gboolean follow, struct stat *st)
{
  return dcc_stat_cache_stat_memo (c, path, follow, st, NULL);
}

int
dcc_stat_cache_stat_memo (DccStatCache *c, const char *path, gboolean follow, struct stat *st,
                          DccStatMemo *memo)
{
  if (memo)
    memo->node = NULL;
  if (c && c->fd >= 0)
    {
      int err = 0;
      Node *by = NULL;
      g_mutex_lock (&c->lock);
      /* A path asked before, still known: one lookup. Its directories need
       * no look: a change to any of them that could change this answer
       * (a rename, a delete) removed the node. Nothing below a symlink is
       * ever a node. */
      Node *n = g_hash_table_lookup (c->by_path, path);
      gboolean ok;
      if (n && n->known && !(follow && n->err == 0 && S_ISLNK (n->st.st_mode)))
        {
          ok = TRUE;
          err = n->err;
          if (!err)
            *st = n->st;
          by = n;
          c->counters.hits++;
        }
      else
        ok = lookup (c, path, follow, &err, st, &by);
      if (!ok)
        c->counters.uncached++;
      else if (memo && by && answers_alone (path))
        *memo = (DccStatMemo) { .node = by, .serial = by->serial, .epoch = c->epoch };
      g_mutex_unlock (&c->lock);
      if (ok)
        {
          if (err == 0)
            return 0;
          errno = err;
          return -1;
        }
    }
  return follow ? stat (path, st) : lstat (path, st);
}

void
dcc_stat_cache_lock (DccStatCache *c)
{
  g_mutex_lock (&c->lock);
}

void
dcc_stat_cache_unlock (DccStatCache *c)
{
  g_mutex_unlock (&c->lock);
}

gboolean
dcc_stat_cache_unchanged_locked (DccStatCache *c, const DccStatMemo *m)
{
  if (!m->node || m->epoch != c->epoch)
    return FALSE;
  const Node *n = m->node;
  return n->known && !n->retired && n->serial == m->serial;
}

void
dcc_stat_cache_keep_memo (DccStatCache *c, DccStatMemo *dst, const DccStatMemo *src)
{
  g_mutex_lock (&c->lock);
  *dst = *src;
  g_mutex_unlock (&c->lock);
}

void
dcc_stat_cache_counters (DccStatCache *c, DccStatCacheCounters *out)
{
  g_mutex_lock (&c->lock);
  *out = c->counters;
  out->watches = g_hash_table_size (c->watches);
  out->nodes = c->nodes;
  g_mutex_unlock (&c->lock);
}
