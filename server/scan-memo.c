/* Per-digest memory of the result cache's text scan; see scan-memo.h. */
#include "scan-memo.h"
#include "dcc-error.h"
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

#define WAYS 4u

typedef struct {
  guint8  digest[DCC_HASH_LEN];
  guint32 flags;
  guint32 used;       /* nonzero once written */
  guint64 check;      /* XXH3-64 of digest, flags and used, seeded with the table's secret */
} Entry;

G_STATIC_ASSERT (sizeof (Entry) == 32);

struct DccScanMemo {
  Entry  *entries;    /* shared mapping of n_buckets * WAYS entries */
  gsize   map_len;
  guint   n_buckets;
  guint64 secret;
};

static guint64
entry_check (const DccScanMemo *m, const guint8 digest[DCC_HASH_LEN], guint32 flags, guint32 used)
{
  guint8 buf[DCC_HASH_LEN + 8];
  memcpy (buf, digest, DCC_HASH_LEN);
  memcpy (buf + DCC_HASH_LEN, &flags, 4);
  memcpy (buf + DCC_HASH_LEN + 4, &used, 4);
  return XXH3_64bits_withSeed (buf, sizeof buf, m->secret);
}

static Entry *
bucket_of (const DccScanMemo *m, const DccHash *h)
{
  guint64 v;
  memcpy (&v, h->bytes + DCC_HASH_LEN - 8, 8);
  return m->entries + (gsize) (v % m->n_buckets) * WAYS;
}

DccScanMemo *
dcc_scan_memo_new (guint slots, GError **error)
{
  guint n_buckets = MAX (slots / WAYS, 1u);
  gsize len = (gsize) n_buckets * WAYS * sizeof (Entry);
  void *p = mmap (NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return dcc_fail_errno (error, "cannot map the scan memo (%" G_GSIZE_FORMAT " bytes)", len), NULL;
  DccScanMemo *m = g_new0 (DccScanMemo, 1);
  m->entries = p;
  m->map_len = len;
  m->n_buckets = n_buckets;
  /* Unknown to anything outside distccd: no content can be crafted so
   * that a torn entry passes the check. */
  m->secret = ((guint64) g_random_int () << 32) | g_random_int ();
  return m;
}

void
dcc_scan_memo_free (DccScanMemo *m)
{
  if (!m)
    return;
  munmap (m->entries, m->map_len);
  g_free (m);
}

gboolean
dcc_scan_memo_get (DccScanMemo *m, const DccHash *h, guint *flags)
{
  if (!m)
    return FALSE;
  Entry *b = bucket_of (m, h);
  for (guint w = 0; w < WAYS; w++)
    {
      Entry e;
      /* A copy first: another process may be writing this entry. */
      memcpy (&e, (const void *) &b[w], sizeof e);
      if (e.used && memcmp (e.digest, h->bytes, DCC_HASH_LEN) == 0
          && e.check == entry_check (m, e.digest, e.flags, e.used))
        {
          *flags = e.flags;
          return TRUE;
        }
    }
  return FALSE;
}

void
dcc_scan_memo_put (DccScanMemo *m, const DccHash *h, guint flags)
{
  if (!m)
    return;
  Entry *b = bucket_of (m, h);
  /* The way: this digest's own entry, else an empty or invalid one, else
   * one chosen by the digest (the others stay). */
  guint way = h->bytes[0] % WAYS;
  for (guint w = 0; w < WAYS; w++)
    {
      Entry e;
      memcpy (&e, (const void *) &b[w], sizeof e);
      gboolean valid = e.used && e.check == entry_check (m, e.digest, e.flags, e.used);
      if (valid && memcmp (e.digest, h->bytes, DCC_HASH_LEN) == 0)
        {
          way = w;
          break;
        }
      if (!valid)
        way = w;
    }
  Entry e = { .flags = flags, .used = 1 };
  memcpy (e.digest, h->bytes, DCC_HASH_LEN);
  e.check = entry_check (m, e.digest, e.flags, e.used);
  memcpy ((void *) &b[way], &e, sizeof e);
}
