/* File-tree entries; see dcc-entry.h. */
#include "dcc-entry.h"

DccEntry *
dcc_entry_new (DccEntryKind kind, guint32 mode, guint64 size,
               const DccHash *hash, const char *path, const char *target)
{
  DccEntry *e = g_new0 (DccEntry, 1);
  e->kind = (guint8) kind;
  e->mode = mode;
  e->size = size;
  if (hash)
    e->hash = *hash;
  e->path = g_strdup (path);
  e->target = g_strdup (target ? target : "");
  return e;
}

DccEntry *
dcc_entry_ref (DccEntry *entry)
{
  g_atomic_int_inc (&entry->extra_refs);
  return entry;
}

void
dcc_entry_free (DccEntry *entry)
{
  if (!entry || g_atomic_int_add (&entry->extra_refs, -1) > 0)
    return;
  g_free (entry->path);
  g_free (entry->target);
  g_free (entry);
}
