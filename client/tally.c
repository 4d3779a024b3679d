/* Counting by name; see tally.h. */
#include "tally.h"
#include <string.h>

static void
tally_free (DccTally *t)
{
  g_free (t->key);
  g_free (t);
}

GHashTable *
dcc_tally_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) tally_free);
}

DccTally *
dcc_tally_add (GHashTable *h, const char *key)
{
  DccTally *t = g_hash_table_lookup (h, key);
  if (!t)
    {
      t = g_new0 (DccTally, 1);
      t->key = g_strdup (key);
      g_hash_table_insert (h, t->key, t);
    }
  t->count++;
  return t;
}

static gint
by_count_desc (gconstpointer a, gconstpointer b)
{
  const DccTally *x = *(DccTally *const *) a, *y = *(DccTally *const *) b;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return strcmp (x->key, y->key);
}

GPtrArray *
dcc_tally_sorted (GHashTable *h)
{
  GPtrArray *a = g_ptr_array_new ();
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init (&it, h);
  while (g_hash_table_iter_next (&it, NULL, &v))
    g_ptr_array_add (a, v);
  g_ptr_array_sort (a, by_count_desc);
  return a;
}
