/* How the walk finds files: path strings, physical resolution one
 * component at a time (every symlink and directory passed becomes a check),
 * probes answered from directory listings, and #include resolution along
 * the search chain, memoized per walk. Split from closure.c, which drives
 * the walk, because this is the part that must behave as the compiler's
 * own lookup does. */
#include "closure-private.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

/* "a//b/" -> "a/b": the kernel ignores repeated slashes; dots stay, they
 * are resolved physically by the walk. */
char *
dcc_walk_collapse_slashes (const char *p)
{
  GString *s = g_string_sized_new (strlen (p));
  for (const char *c = p; *c; c++)
    if (!(*c == '/' && s->len && s->str[s->len - 1] == '/'))
      g_string_append_c (s, *c);
  if (s->len > 1 && s->str[s->len - 1] == '/')
    g_string_truncate (s, s->len - 1);
  return g_string_free (s, FALSE);
}

char *
dcc_walk_make_absolute (const char *cwd, const char *p)
{
  g_autofree char *joined = p[0] == '/' ? g_strdup (p) : g_strconcat (cwd, "/", p, NULL);
  return dcc_walk_collapse_slashes (joined);
}

char *
dcc_walk_join (const char *dir, const char *name)
{
  if (g_str_equal (dir, "/"))
    return g_strconcat ("/", name, NULL);
  return g_strconcat (dir, "/", name, NULL);
}

/* dir "/" name in buf when it fits (probes are many: no allocation), else
 * in *heap. */
static const char *
join_in (const char *dir, const char *name, char *buf, gsize size, char **heap)
{
  gsize d = g_str_equal (dir, "/") ? 0 : strlen (dir), n = strlen (name);
  if (d + 1 + n >= size)
    return *heap = dcc_walk_join (dir, name);
  memcpy (buf, dir, d);
  buf[d] = '/';
  memcpy (buf + d + 1, name, n + 1);
  return buf;
}

/* u in decimal (after a '-' if negative) at out; returns the end. */
static char *
put_number (char *out, gsize u, gboolean negative)
{
  char digits[24];
  int i = (int) sizeof digits;
  do
    digits[--i] = (char) ('0' + u % 10);
  while ((u /= 10) && i > 1);
  if (negative)
    digits[--i] = '-';
  memcpy (out, digits + i, sizeof digits - (gsize) i);
  return out + sizeof digits - (gsize) i;
}

/* The walk's scratch key for a number and one or two strings, each string
 * after its length (paths may hold any byte but NUL, so no separator would
 * be safe): "NUMBER LEN:A LEN:B". Valid until the next call. Written in
 * place (it is made for every directive, probe and check of a walk). */
const char *
dcc_walk_key (Walk *w, int number, const char *a, const char *b)
{
  GString *k = w->key;
  gsize na = a ? strlen (a) : 0, nb = b ? strlen (b) : 0;
  /* at most 21 for the number, 22 for each length and its ' ' and ':' */
  gsize need = 21 + (a ? 22 + na : 0) + (b ? 22 + nb : 0) + 1;
  if (k->allocated_len < need + 1)
    g_string_set_size (k, need);
  char *out = k->str;
  out = put_number (out, number < 0 ? (gsize) -(gint64) number : (gsize) number, number < 0);
  if (a)
    {
      *out++ = ' ';
      out = put_number (out, na, FALSE);
      *out++ = ':';
      memcpy (out, a, na);
      out += na;
      if (b)
        {
          *out++ = ' ';
          out = put_number (out, nb, FALSE);
          *out++ = ':';
          memcpy (out, b, nb);
          out += nb;
        }
    }
  *out = '\0';
  k->len = (gsize) (out - k->str);
  return k->str;
}

static char *
parent_of (const char *phys)
{
  const char *slash = strrchr (phys, '/');
  if (!slash || slash == phys)
    return g_strdup ("/");
  return g_strndup (phys, (gsize) (slash - phys));
}

/* p's directory: in buf when it fits (probes are many: no allocation),
 * else in *heap. */
static const char *
dir_of (const char *p, char *buf, gsize size, char **heap)
{
  const char *slash = strrchr (p, '/');
  gsize n = (!slash || slash == p) ? 1 : (gsize) (slash - p);
  if (n >= size)
    return *heap = parent_of (p);
  memcpy (buf, (!slash || slash == p) ? "/" : p, n);
  buf[n] = '\0';
  return buf;
}

/* follow: stat, else lstat. A directory checked with lstat is one the walk
 * passed through; only its identity matters (a file appearing in it matters
 * only where the compiler searched, and those get a stat check). */
void
dcc_walk_add_check (Walk *w, const char *path, gboolean follow, const struct stat *st)
{
  const char *key = dcc_walk_key (w, follow, path, NULL);
  if (g_hash_table_contains (w->checks, key))
    return;
  Check *c = g_new0 (Check, 1);
  c->path = g_strdup (path);
  c->follow = follow;
  c->exists = st != NULL;
  c->identity = !follow && st && S_ISDIR (st->st_mode);
  if (st)
    dcc_closure_stat_key_from (&c->key, st);
  g_hash_table_insert (w->checks, dcc_walk_str (w, key), c);
}

static void
add_entry (Walk *w, DccEntryKind kind, const struct stat *st, const DccHash *hash,
           const char *path, const char *target)
{
  if (g_hash_table_contains (w->entries, path))
    return;
  DccEntry *e = dcc_entry_new (kind, st->st_mode & 07777,
                                    kind == DCC_ENTRY_FILE ? (guint64) st->st_size : 0,
                                    hash, path, target);
  g_hash_table_insert (w->entries, e->path, e);
}

static char *resolve_components (Walk *w, const char *start, const char *rel, guint *links,
                                 struct stat *st_out);

/* Steps from physical dir `dir` into `name` (not "." or ".."), recording
 * every symlink and directory passed. Returns the physical result and its
 * stat (followed), or NULL if it does not exist. */
static char *
step (Walk *w, const char *dir, const char *name, guint *links, struct stat *st_out)
{
  g_autofree char *cand = dcc_walk_join (dir, name);
  struct stat st;
  if (dcc_stat_cache_stat (w->engine->stat_cache, cand, FALSE, &st) != 0)
    return NULL;
  if (S_ISLNK (st.st_mode))
    {
      if (++*links > DCC_CLOSURE_MAX_SYMLINKS)
        return NULL;
      char target[DCC_MAX_PATH_LEN + 1];
      ssize_t n = readlink (cand, target, DCC_MAX_PATH_LEN);
      if (n <= 0)
        return NULL;
      target[n] = '\0';
      add_entry (w, DCC_ENTRY_SYMLINK, &st, NULL, cand, target);
      dcc_walk_add_check (w, cand, FALSE, &st);
      return resolve_components (w, target[0] == '/' ? "/" : dir, target, links, st_out);
    }
  if (S_ISDIR (st.st_mode))
    {
      add_entry (w, DCC_ENTRY_DIR, &st, NULL, cand, NULL);
      dcc_walk_add_check (w, cand, FALSE, &st);
    }
  *st_out = st;
  return g_steal_pointer (&cand);
}

static char *
resolve_components (Walk *w, const char *start, const char *rel, guint *links, struct stat *st_out)
{
  g_autofree char *cur = g_strdup (start);
  g_auto(GStrv) comps = g_strsplit (rel, "/", -1);
  struct stat st;
  if (dcc_stat_cache_stat (w->engine->stat_cache, cur, TRUE, &st) != 0)
    return NULL;
  for (guint i = 0; comps[i]; i++)
    {
      const char *c = comps[i];
      if (!c[0] || g_str_equal (c, "."))
        continue;
      if (!S_ISDIR (st.st_mode))
        return NULL;
      if (g_str_equal (c, ".."))
        {
          char *up = parent_of (cur);
          g_free (cur);
          cur = up;
          if (dcc_stat_cache_stat (w->engine->stat_cache, cur, TRUE, &st) != 0)
            return NULL;
          continue;
        }
      char *next = step (w, cur, c, links, &st);
      if (!next)
        return NULL;
      g_free (cur);
      cur = next;
    }
  *st_out = st;
  return g_steal_pointer (&cur);
}

/* The physical directory for a lexical (absolute) directory, memoized. */
const char *
dcc_walk_resolve_dir (Walk *w, const char *lexical)
{
  const char *hit = g_hash_table_lookup (w->dir_memo, lexical);
  if (hit)
    return hit[0] ? hit : NULL;
  char *result;
  if (g_str_equal (lexical, "/"))
    result = g_strdup ("/");
  else
    {
      g_autofree char *lparent = parent_of (lexical);
      const char *base = strrchr (lexical, '/') + 1;
      const char *pparent = dcc_walk_resolve_dir (w, lparent);
      struct stat st;
      guint links = 0;
      result = NULL;
      if (pparent)
        {
          if (g_str_equal (base, "."))
            result = g_strdup (pparent);
          else if (g_str_equal (base, ".."))
            result = parent_of (pparent);
          else
            {
              result = step (w, pparent, base, &links, &st);
              if (result && !S_ISDIR (st.st_mode))
                g_clear_pointer (&result, g_free);
            }
        }
    }
  const char *kept = dcc_walk_str (w, result ? result : "");
  g_free (result);
  g_hash_table_insert (w->dir_memo, dcc_walk_str (w, lexical), (gpointer) kept);
  return kept[0] ? kept : NULL;
}

/* Walks a lexical absolute path to the file it names, recording the
 * directories and symlinks on the way. Returns the physical path. */
char *
dcc_walk_to_file (Walk *w, const char *lexical, struct stat *st)
{
  g_autofree char *dir = parent_of (lexical);
  const char *base = strrchr (lexical, '/') + 1;
  const char *pdir = dcc_walk_resolve_dir (w, dir);
  guint links = 0;
  if (!pdir || !base[0] || g_str_equal (base, ".") || g_str_equal (base, ".."))
    return NULL;
  return step (w, pdir, base, &links, st);
}

/* Reads, hashes (through the cache) and records a regular file. Returns its
 * content hash; *data is set to the bytes when read (for scanning), else NULL. */
gboolean
dcc_walk_add_file (Walk *w, const char *phys, const struct stat *st, DccHash *hash,
                   guint8 **data, gsize *len, gboolean need_data, GError **error)
{
  if (!dcc_closure_hash_file (w->engine, phys, st, hash, data, len, need_data, &w->stats->files_hashed, error))
    return FALSE;
  add_entry (w, DCC_ENTRY_FILE, st, hash, phys, NULL);
  dcc_walk_add_check (w, phys, FALSE, st);
  return TRUE;
}

void
dcc_walk_dir_seen_free (DirSeen *d)
{
  if (d->listing)
    dcc_dir_listing_unref (d->listing);
  g_free (d);
}

static DirSeen *
dir_seen (Walk *w, const char *dir)
{
  DirSeen *d = g_hash_table_lookup (w->dirs_seen, dir);
  if (d)
    return d;
  d = g_new0 (DirSeen, 1);
  d->exists = dcc_stat_cache_stat (w->engine->stat_cache, dir, TRUE, &d->st) == 0;
  d->missing = !d->exists && (errno == ENOENT || errno == ENOTDIR);
  g_hash_table_insert (w->dirs_seen, dcc_walk_str (w, dir), d);
  return d;
}

/* What p's directory listing says of p. */
static DccDirName
listed (Walk *w, const char *p)
{
  char buf[DCC_MAX_PATH_LEN + 1];
  g_autofree char *heap = NULL;
  DirSeen *d = dir_seen (w, dir_of (p, buf, sizeof buf, &heap));
  if (d->missing)
    return DCC_DIR_NAME_ABSENT;
  if (d->exists && !d->listing_tried)
    {
      d->listing_tried = TRUE;
      d->listing = dcc_dir_listings_get (w->engine->listings, heap ? heap : buf, &d->st);
    }
  return d->listing ? dcc_dir_listing_lookup (d->listing, strrchr (p, '/') + 1) : DCC_DIR_NAME_UNKNOWN;
}

/* Is there a non-directory at lexical path p (what the compiler would open)? */
gboolean
dcc_walk_probe (Walk *w, const char *p)
{
  if (g_hash_table_contains (w->absent_paths, p))
    return FALSE;
  DccDirName kind = listed (w, p);
  struct stat st;
  if (kind == DCC_DIR_NAME_FILE)
    return TRUE;
  if (kind == DCC_DIR_NAME_UNKNOWN && dcc_stat_cache_stat (w->engine->stat_cache, p, TRUE, &st) == 0 && !S_ISDIR (st.st_mode))
    return TRUE;
  g_hash_table_add (w->absent_paths, dcc_walk_str (w, p));
  /* Remember where we looked and for what, so that a file appearing there
   * later invalidates the cached closure: each directory on the way up to
   * the first that exists gets a check and the name looked for in it. */
  g_autofree char *below = NULL;
  for (const char *cur = p;;)
    {
      char buf[DCC_MAX_PATH_LEN + 1];
      g_autofree char *heap = NULL;
      const char *dir = dir_of (cur, buf, sizeof buf, &heap);
      GString *names = g_hash_table_lookup (w->probed_dirs, dir);
      gboolean known = names != NULL;
      if (!known)
        {
          names = g_string_new (NULL);
          g_hash_table_insert (w->probed_dirs, dcc_walk_str (w, dir), names);
        }
      g_string_append (names, strrchr (cur, '/') + 1);
      g_string_append_c (names, '/');
      if (known)
        break;
      const DirSeen *d = dir_seen (w, dir);
      dcc_walk_add_check (w, dir, TRUE, d->exists ? &d->st : NULL);
      if (d->exists || g_str_equal (dir, "/"))
        break;
      g_free (below);
      cur = below = g_strdup (dir);
    }
  return FALSE;
}

/* Resolves one header name like the compiler. form: '"' or '<'. Returns the
 * lexical path (and its chain index) or NULL if not found. */
const char *
dcc_walk_resolve (Walk *w, char form, gboolean next, const char *name, const char *includer,
                  int includer_chain, gboolean from_cmdline, int *chain_out)
{
  if (!name[0])
    return NULL;
  int start;
  const char *here = NULL;
  char here_buf[DCC_MAX_PATH_LEN + 1];
  g_autofree char *here_heap = NULL;
  if (name[0] == '/')
    start = -1;
  else if (next && includer_chain >= 0)
    start = includer_chain + 1;
  else if (next && includer_chain == CHAIN_NONE)
    start = 0;
  else if (form == '<')
    start = (int) w->sp->n_quote;
  else
    {
      start = 0;
      here = from_cmdline ? w->cwd : dir_of (includer, here_buf, sizeof here_buf, &here_heap);
    }
  const char *key = dcc_walk_key (w, start, here ? here : "", name);
  gpointer hit;
  if (g_hash_table_lookup_extended (w->resolve_memo, key, NULL, &hit))
    {
      const char *h = hit;
      if (!h[0])
        return NULL;
      *chain_out = atoi (h);
      return strchr (h, ':') + 1;   /* "CHAIN LEN:PATH", as dcc_walk_key made it */
    }
  key = dcc_walk_str (w, key);   /* a miss is always memoized; probes reuse the scratch buffer */
  char *found = NULL;
  int found_chain = CHAIN_NONE;
  if (start < 0)
    {
      if (dcc_walk_probe (w, name))
        found = dcc_walk_collapse_slashes (name);
    }
  else
    {
      char buf[DCC_MAX_PATH_LEN + 1];
      if (here)
        {
          g_autofree char *heap = NULL;
          const char *p = join_in (here, name, buf, sizeof buf, &heap);
          if (dcc_walk_probe (w, p))
            found = dcc_walk_collapse_slashes (p);
        }
      for (guint i = (guint) start; !found && i < w->n_chain; i++)
        {
          g_autofree char *heap = NULL;
          const char *p = join_in (w->chain[i], name, buf, sizeof buf, &heap);
          if (dcc_walk_probe (w, p))
            {
              found = dcc_walk_collapse_slashes (p);
              found_chain = (int) i;
            }
        }
    }
  const char *val = dcc_walk_str (w, found ? dcc_walk_key (w, found_chain, found, NULL) : "");
  g_free (found);
  g_hash_table_insert (w->resolve_memo, (gpointer) key, (gpointer) val);
  if (!val[0])
    return NULL;
  *chain_out = found_chain;
  return strchr (val, ':') + 1;
}
