/* Per-header walk results shared by the walks of all units. A first kernel
 * build walks ~900 headers for each of its 444 units, nearly the same ones
 * every time, and resolving each header's directives again (a probe per
 * search directory) was most of its cost. One header under one search
 * path always yields the same facts while the files and directories
 * they rest on are unchanged: the header's record keeps them (the files,
 * directories and symlinks passed, the names probed and not found, the
 * headers its directives resolve to, its computed includes), and a later
 * walk checks the record's facts (a memo comparison each while nothing
 * changed) and takes them whole. The walk side is in closure.c. */
#include "closure-private.h"
#include <string.h>

struct DccHeaderTable {
  gint refs;
  GHashTable *nodes;    /* key (search path id, chain, lexical) -> DccHeaderNode* */
  GHashTable *paths;    /* search path signature -> its id, as a string */
};

static void
header_node_free (DccHeaderNode *n)
{
  g_free (n->lexical);
  if (n->record)
    dcc_header_record_unref (n->record);
  g_free (n);
}

static DccHeaderTable *
header_table_new (void)
{
  DccHeaderTable *t = g_new0 (DccHeaderTable, 1);
  t->refs = 1;
  t->nodes = g_hash_table_new_full (dcc_str_hash, g_str_equal, g_free, (GDestroyNotify) header_node_free);
  t->paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return t;
}

void
dcc_header_table_unref (DccHeaderTable *t)
{
  if (!t || !g_atomic_int_dec_and_test (&t->refs))
    return;
  g_hash_table_unref (t->nodes);
  g_hash_table_unref (t->paths);
  g_free (t);
}

DccHeaderRecord *
dcc_header_record_ref (DccHeaderRecord *r)
{
  g_atomic_int_inc (&r->refs);
  return r;
}

void
dcc_header_record_unref (DccHeaderRecord *r)
{
  if (!r || !g_atomic_int_dec_and_test (&r->refs))
    return;
  g_ptr_array_unref (r->entries);
  g_ptr_array_unref (r->checks);
  g_ptr_array_unref (r->next);
  g_ptr_array_unref (r->found);
  g_ptr_array_unref (r->pending);
  g_clear_pointer (&r->scan, dcc_scan_result_unref);
  g_free (r);
}

/* The table a walk uses, as a reference: a walk keeps the nodes it holds
 * alive by it. Bounded: past DCC_CLOSURE_HEADER_NODES_MAX nodes or
 * DCC_CLOSURE_HEADER_PATHS_MAX search paths a new walk starts a fresh
 * table, and the old one goes with its last walk. */
DccHeaderTable *
dcc_header_table_get (DccClosureEngine *e)
{
  g_mutex_lock (&e->header_lock);
  if (!e->headers || g_hash_table_size (e->headers->nodes) >= DCC_CLOSURE_HEADER_NODES_MAX
      || g_hash_table_size (e->headers->paths) >= DCC_CLOSURE_HEADER_PATHS_MAX)
    {
      dcc_header_table_unref (e->headers);
      e->headers = header_table_new ();
    }
  DccHeaderTable *t = e->headers;
  g_atomic_int_inc (&t->refs);
  g_mutex_unlock (&e->header_lock);
  return t;
}

void
dcc_header_table_path_id (DccClosureEngine *e, DccHeaderTable *t, const char *signature, char *id, gsize size)
{
  g_mutex_lock (&e->header_lock);
  const char *have = g_hash_table_lookup (t->paths, signature);
  if (!have)
    {
      have = g_strdup_printf ("%u", g_hash_table_size (t->paths));
      g_hash_table_insert (t->paths, g_strdup (signature), (gpointer) have);
    }
  g_strlcpy (id, have, size);
  g_mutex_unlock (&e->header_lock);
}

DccHeaderNode *
dcc_header_node (DccClosureEngine *e, DccHeaderTable *t, const char *key, const char *lexical, int chain)
{
  g_mutex_lock (&e->header_lock);
  DccHeaderNode *n = g_hash_table_lookup (t->nodes, key);
  if (!n)
    {
      n = g_new0 (DccHeaderNode, 1);
      n->lexical = g_strdup (lexical);
      n->chain = chain;
      g_hash_table_insert (t->nodes, g_strdup (key), n);
    }
  g_mutex_unlock (&e->header_lock);
  return n;
}

/* The node's record, if it has one and every fact it rests on still holds. */
DccHeaderRecord *
dcc_header_record_get (DccClosureEngine *e, DccHeaderNode *n, guintptr walk)
{
  g_mutex_lock (&e->header_lock);
  DccHeaderRecord *r = n->record ? dcc_header_record_ref (n->record) : NULL;
  g_mutex_unlock (&e->header_lock);
  if (r && !(dcc_closure_checks_hold (e, r->checks, walk) && dcc_closure_checks_hold (e, r->found, walk)))
    g_clear_pointer (&r, dcc_header_record_unref);
  return r;
}

void
dcc_header_record_set (DccClosureEngine *e, DccHeaderNode *n, DccHeaderRecord *r)
{
  g_mutex_lock (&e->header_lock);
  DccHeaderRecord *old = n->record;
  n->record = dcc_header_record_ref (r);
  g_mutex_unlock (&e->header_lock);
  dcc_header_record_unref (old);
}
