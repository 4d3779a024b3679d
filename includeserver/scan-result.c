/* Scan results (see clang-scan.h): made by the scanner or read back from
 * the include server's cache file; no libclang here, so that the cache
 * decoder can be fuzzed on its own. */
#include "clang-scan.h"

void
dcc_scan_include_free (DccScanInclude *inc)
{
  if (!inc)
    return;
  g_free (inc->name);
  g_free (inc);
}

void
dcc_scan_macro_free (DccScanMacro *m)
{
  if (!m)
    return;
  g_free (m->name);
  g_free (m->body);
  g_free (m->params);
  g_free (m);
}

static void
scan_result_clear (DccScanResult *r)
{
  g_clear_pointer (&r->includes, g_ptr_array_unref);
  g_clear_pointer (&r->macro_index, g_hash_table_unref);
  g_clear_pointer (&r->macros, g_ptr_array_unref);
}

DccScanResult *
dcc_scan_result_new (GPtrArray *includes, GPtrArray *macros)
{
  DccScanResult *r = g_atomic_rc_box_new0 (DccScanResult);
  r->includes = g_ptr_array_ref (includes);
  r->macros = g_ptr_array_ref (macros);
  r->macro_index = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < macros->len; i++)
    {
      DccScanMacro *m = macros->pdata[i];
      GPtrArray *defs = g_hash_table_lookup (r->macro_index, m->name);
      if (!defs)
        g_hash_table_insert (r->macro_index, m->name, defs = g_ptr_array_new ());
      g_ptr_array_add (defs, m);
    }
  return r;
}

DccScanResult *
dcc_scan_result_ref (DccScanResult *r)
{
  return g_atomic_rc_box_acquire (r);
}

void
dcc_scan_result_unref (DccScanResult *r)
{
  g_atomic_rc_box_release_full (r, (GDestroyNotify) scan_result_clear);
}
