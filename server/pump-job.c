#include "pump-job.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "dcc-lz4.h"
#include "dcc-path.h"
#include "result-cache.h"
#include <string.h>

/* The hashes of the manifest's files that the store lacks, each once. */
static GPtrArray *
missing_hashes (DccRequest *req, DccStore *store, GError **error)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (dcc_hash_hash, dcc_hash_equal_func);
  for (guint i = 0; i < req->manifest->len; i++)
    {
      DccEntry *e = req->manifest->pdata[i];
      if (!dcc_path_check_client (e->path, strlen (e->path), error))
        return NULL;
      if (e->kind != DCC_ENTRY_FILE || g_hash_table_contains (seen, &e->hash))
        continue;
      g_hash_table_add (seen, &e->hash);
      dcc_store_pin (store, &e->hash);
      if (!dcc_store_has (store, &e->hash))
        g_ptr_array_add (missing, &e->hash);
    }
  return g_steal_pointer (&missing);
}

/* Drops from missing what the store has gained meanwhile (another job's
 * upload), keeping the order. */
static void
drop_stored (GPtrArray *missing, DccStore *store)
{
  guint kept = 0;
  for (guint i = 0; i < missing->len; i++)
    if (!dcc_store_has (store, missing->pdata[i]))
      missing->pdata[kept++] = missing->pdata[i];
  g_ptr_array_set_size (missing, kept);
}

/* Receives one BLOB per missing hash. Before anything is allocated for a
 * BLOB's content, its declared size must be the size the manifest gave that
 * content (whose total the request decoder bounded by the job input limit),
 * and its frame no longer than lz4 makes of that size. */
static gboolean
receive_blobs (int fd, DccRequest *req, GPtrArray *missing, DccStore *store, DccScanMemo *memo, int timeout_s,
               gint64 deadline_us, GError **error)
{
  g_autoptr(GHashTable) expected = g_hash_table_new (dcc_hash_hash, dcc_hash_equal_func);
  for (guint i = 0; i < missing->len; i++)
    g_hash_table_add (expected, missing->pdata[i]);
  g_autoptr(GHashTable) sizes = g_hash_table_new (dcc_hash_hash, dcc_hash_equal_func);
  guint64 largest = 0;
  for (guint i = 0; i < req->manifest->len; i++)
    {
      DccEntry *e = req->manifest->pdata[i];
      if (e->kind == DCC_ENTRY_FILE && g_hash_table_contains (expected, &e->hash))
        {
          g_hash_table_insert (sizes, &e->hash, e);
          largest = MAX (largest, e->size);
        }
    }
  gsize max_frame = MIN ((gsize) DCC_MAX_FRAME, DCC_HASH_LEN + dcc_lz4_max_blob ((gsize) largest));
  for (guint i = 0; i < missing->len; i++)
    {
      g_autofree guint8 *payload = NULL;
      guint32 len;
      if (!dcc_io_expect_frame_until (fd, DCC_TAG_BLOB, (guint32) max_frame, timeout_s, deadline_us,
                                      &payload, &len, error))
        return FALSE;
      DccFrame frame = { .tag = DCC_TAG_BLOB, .len = len, .payload = payload };
      DccHash h;
      guint32 declared;
      if (!dcc_blob_peek (&frame, &h, &declared, error))
        return FALSE;
      /* Only what we asked for, each once, and of the size announced. */
      const DccEntry *e = g_hash_table_lookup (sizes, &h);
      if (!g_hash_table_remove (expected, &h) || e == NULL)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "BLOB for a hash that was not asked for");
      if (declared != e->size)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "BLOB claims %u bytes, the manifest said %"
                         G_GUINT64_FORMAT, declared, e->size);
      g_autoptr(GBytes) data = NULL;
      if (!dcc_blob_decode (&frame, declared, &h, &data, error))
        return FALSE;
      g_clear_pointer (&payload, g_free);
      if (memo)
        {
          gsize n;
          const guint8 *text = g_bytes_get_data (data, &n);
          dcc_scan_memo_put (memo, &h, dcc_result_scan_text (text, n));
        }
      if (!dcc_store_put (store, &h, data, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
dcc_pump_job_receive (DccRequest *req, int fd, DccStore *store, DccScanMemo *memo, int timeout_s,
                      gint64 deadline_us, GError **error)
{
  if (!store)
    return dcc_fail (error, DCC_ERROR_REFUSED, "this volunteer's file store is unavailable; use plain mode");
  g_autoptr(GPtrArray) missing = missing_hashes (req, store, error);
  if (!missing)
    return FALSE;
  /* A cold store: a build's first jobs arrive together, each lacking the
   * same headers, and each would upload all of them (4 jobs a volunteer,
   * 4 times the bytes on the client's link). One uploads at a time; a job
   * that waited asks only for what is still missing. Bounded, so that a
   * client stalling with the lock delays others' uploads, never fails
   * them: past the wait a job uploads without it. */
  dcc_autofd upload_lock = -1;
  if (missing->len >= DCC_PUMP_UPLOAD_LOCK_MIN_FILES)
    {
      gint64 until = g_get_monotonic_time () + DCC_PUMP_UPLOAD_LOCK_WAIT_MS * 1000;
      if (deadline_us > 0)
        until = MIN (until, deadline_us);
      guint before = missing->len;
      gboolean waited;
      upload_lock = dcc_store_upload_lock (store, 0, &waited);
      if (upload_lock < 0 && waited)
        {
          dcc_debug ("pump job: %u files missing; another job holds the upload lock: waiting", before);
          upload_lock = dcc_store_upload_lock (store, until, &waited);
          waited = TRUE;
        }
      if (waited)
        drop_stored (missing, store);
      dcc_debug ("pump job: %u files missing; %s the upload lock%s, %u missing then", before,
                 upload_lock >= 0 ? "took" : "went on without", waited ? " after waiting" : "", missing->len);
    }
  g_autoptr(GByteArray) need = g_byte_array_new ();
  dcc_need_encode (need, missing);
  if (!dcc_io_write_all_until (fd, need->data, need->len, timeout_s, deadline_us, error))
    return FALSE;
  if (!receive_blobs (fd, req, missing, store, memo, timeout_s, deadline_us, error))
    return FALSE;
  dcc_debug ("pump job: %u manifest entries, %u files received", req->manifest->len, missing->len);
  return TRUE;
}
