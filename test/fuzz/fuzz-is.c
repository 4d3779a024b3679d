/* libFuzzer: the input as an include-server request and as a reply
 * (dcc_is_request_decode, dcc_is_reply_decode), as a request arriving
 * in pieces (dcc_is_request_decoder_feed), which must decode exactly as the
 * whole-buffer decoder does, and as a reply packed for forwarding
 * (dcc_is_packed_from_reply), which must accept exactly the whole replies
 * the decoder accepts, with the same entries. */
#include "dcc-is-packed.h"
#include "dcc-is-protocol.h"
#include <stdint.h>
#include <string.h>

static gboolean
same_entry (const DccEntry *a, const DccEntry *b)
{
  return a->kind == b->kind && a->mode == b->mode && a->size == b->size && dcc_hash_equal (&a->hash, &b->hash)
         && strcmp (a->path, b->path) == 0 && strcmp (a->target, b->target) == 0;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *cwd = NULL, *message = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  DccIsStatus status;
  gsize used;
  DccWireResult whole = dcc_is_request_decode (data, size, &cwd, &argv, &used, NULL);
  DccWireResult reply = dcc_is_reply_decode (data, size, &status, &message, &entries, &used, NULL);
  gboolean whole_reply = reply == DCC_WIRE_OK && used == size;

  GByteArray *copy = g_byte_array_new ();
  g_byte_array_append (copy, data, (guint) size);
  g_autoptr(DccIsPacked) packed = NULL;
  g_autofree char *message2 = NULL;
  DccIsStatus status2;
  gboolean packed_ok = dcc_is_packed_from_reply (copy, &status2, &message2, &packed, NULL);
  if (packed_ok != whole_reply
      || (packed_ok && (status2 != status || g_strcmp0 (message, message2) != 0 || (packed == NULL) != (entries == NULL))))
    __builtin_trap ();
  if (packed)
    {
      g_autoptr(GPtrArray) back = dcc_is_packed_entries (packed);
      if (back->len != entries->len)
        __builtin_trap ();
      for (guint i = 0; i < back->len; i++)
        if (!same_entry (back->pdata[i], entries->pdata[i]) || !dcc_is_packed_contains (packed, ((DccEntry *) back->pdata[i])->path))
          __builtin_trap ();
    }

  /* Pieces of 1 + (byte % 64) bytes, the sizes taken from the input. */
  g_auto(DccIsRequestDecoder) d;
  dcc_is_request_decoder_init (&d);
  g_autofree char *cwd2 = NULL;
  g_auto(GStrv) argv2 = NULL;
  gsize used2 = 0, n = 0;
  DccWireResult r = DCC_WIRE_NEED_MORE;
  while (r == DCC_WIRE_NEED_MORE && n < size)
    {
      n = MIN (size, n + 1 + data[n] % 64);
      r = dcc_is_request_decoder_feed (&d, data, n, &cwd2, &argv2, &used2, NULL);
    }
  if (r != whole
      || (r == DCC_WIRE_OK && (used2 != used || g_strcmp0 (cwd, cwd2) != 0
                               || !g_strv_equal ((const char *const *) argv, (const char *const *) argv2))))
    __builtin_trap ();
  return 0;
}
