/* A reused job tree's saved state; see tree-state.h.
 *
 * Format: "DCCTREE1", u32 count, then per entry
 *   u8 kind, string path, u64 ino,
 *   FILE: 16 bytes hash, u8 executable;  SYMLINK: string target. */
#include "tree-state.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-path.h"
#include "dcc-wire.h"
#include <string.h>

#define MAGIC "DCCTREE1"
#define MAX_ENTRIES (DCC_MAX_MANIFEST_ENTRIES * 2u)

GHashTable *
dcc_tree_state_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) dcc_tree_entry_free);
}

gboolean
dcc_tree_entry_same (const DccTreeEntry *a, const DccTreeEntry *b)
{
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case DCC_ENTRY_FILE:
      return dcc_hash_equal (&a->hash, &b->hash) && !a->executable == !b->executable;
    case DCC_ENTRY_SYMLINK:
      return g_strcmp0 (a->target, b->target) == 0;
    case DCC_ENTRY_DIR:
    default:
      return TRUE;
    }
}

DccTreeEntry *
dcc_tree_entry_copy (const DccTreeEntry *e)
{
  DccTreeEntry *c = g_memdup2 (e, sizeof *e);
  c->target = g_strdup (e->target);
  return c;
}

void
dcc_tree_entry_free (DccTreeEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->target);
  g_free (e);
}

void
dcc_tree_state_encode (GHashTable *state, GByteArray *out)
{
  g_byte_array_append (out, (const guint8 *) MAGIC, strlen (MAGIC));
  dcc_put_u32 (out, g_hash_table_size (state));
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, state);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      const DccTreeEntry *e = v;
      dcc_put_u8 (out, (guint8) e->kind);
      dcc_put_string (out, k);
      dcc_put_u64 (out, e->ino);
      if (e->kind == DCC_ENTRY_FILE)
        {
          g_byte_array_append (out, e->hash.bytes, DCC_HASH_LEN);
          dcc_put_u8 (out, e->executable ? 1 : 0);
        }
      else if (e->kind == DCC_ENTRY_SYMLINK)
        dcc_put_string (out, e->target ? e->target : "");
    }
}

/* A key as job-tree makes them: the client path's components joined by
 * "/", without a leading one, none empty, "." or "..". */
static gboolean
is_normal_relative (const char *path)
{
  if (path[0] == '\0' || path[0] == '/')
    return FALSE;
  g_autofree char *abs = g_strconcat ("/", path, NULL);
  if (!dcc_path_check_client (abs, strlen (abs), NULL))
    return FALSE;
  return strstr (path, "//") == NULL && !g_str_has_suffix (path, "/");
}

GHashTable *
dcc_tree_state_decode (const guint8 *buf, gsize len, GError **error)
{
  DccReader r;
  const guint8 *magic;
  guint32 count;
  dcc_reader_init (&r, buf, len);
  if (!dcc_reader_bytes (&r, strlen (MAGIC), &magic) || memcmp (magic, MAGIC, strlen (MAGIC)) != 0)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "tree state: bad magic"), NULL;
  if (!dcc_reader_u32 (&r, &count))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "tree state: truncated"), NULL;
  if (count > MAX_ENTRIES)
    return dcc_fail (error, DCC_ERROR_LIMIT, "tree state: %u entries, limit %u", count, MAX_ENTRIES), NULL;

  g_autoptr(GHashTable) state = dcc_tree_state_new ();
  for (guint32 i = 0; i < count; i++)
    {
      guint8 kind;
      g_autofree char *path = NULL;
      g_autoptr(DccTreeEntry) e = g_new0 (DccTreeEntry, 1);
      if (!dcc_reader_u8 (&r, &kind) || !dcc_reader_string (&r, DCC_MAX_PATH_LEN, &path)
          || !dcc_reader_u64 (&r, &e->ino))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "tree state: entry %u truncated", i), NULL;
      if (kind > DCC_ENTRY_SYMLINK)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "tree state: entry %u has kind %u", i, kind), NULL;
      e->kind = kind;
      if (!is_normal_relative (path))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "tree state: entry %u has a bad path", i), NULL;
      if (kind == DCC_ENTRY_FILE)
        {
          const guint8 *h;
          guint8 exec;
          if (!dcc_reader_bytes (&r, DCC_HASH_LEN, &h) || !dcc_reader_u8 (&r, &exec) || exec > 1)
            return dcc_fail (error, DCC_ERROR_PROTOCOL, "tree state: entry %u truncated", i), NULL;
          memcpy (e->hash.bytes, h, DCC_HASH_LEN);
          e->executable = exec;
        }
      else if (kind == DCC_ENTRY_SYMLINK
               && (!dcc_reader_string (&r, DCC_MAX_PATH_LEN, &e->target) || e->target[0] == '\0'))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "tree state: entry %u truncated", i), NULL;
      if (g_hash_table_contains (state, path))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "tree state: entry %u repeats a path", i), NULL;
      g_hash_table_insert (state, g_steal_pointer (&path), g_steal_pointer (&e));
    }
  if (r.left != 0)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "tree state: %zu bytes after the last entry", r.left), NULL;
  return g_steal_pointer (&state);
}
