#include "dcc-is-packed.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-wire.h"
#include <string.h>
#include <xxhash.h>

/* An entry's fixed part: kind, mode, size, hash; then [u32 len][path]
 * [u32 len][target]. */
#define FIXED_LEN (1 + 4 + 8 + DCC_HASH_LEN)

struct DccIsPacked {
  GByteArray *bytes;   /* [u32 count][entry]... */
  guint32     count;
  guint32    *slots;   /* open addressing by path: offset of an entry + 1; 0 = empty */
  guint32     mask;    /* slots has mask + 1 elements, a power of two */
};

static guint32
get_u32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static const char *
entry_path (const guint8 *base, guint32 off, guint32 *len)
{
  *len = get_u32 (base + off + FIXED_LEN);
  return (const char *) base + off + FIXED_LEN + 4;
}

/* The slot that holds path, or the empty slot where it would go. */
static guint32 *
find_slot (const DccIsPacked *p, const guint8 *base, const char *path, guint32 len)
{
  guint32 i = (guint32) XXH3_64bits (path, len) & p->mask;
  for (;; i = (i + 1) & p->mask)
    {
      guint32 *s = &p->slots[i];
      if (*s == 0)
        return s;
      guint32 n;
      const char *q = entry_path (base, *s - 1, &n);
      if (n == len && memcmp (q, path, len) == 0)
        return s;
    }
}

static void
insert (DccIsPacked *p, const guint8 *base, guint32 off)
{
  /* At most half full: grows before it would not be. */
  if ((p->count + 1) * 2 > p->mask + 1)
    {
      guint32 *old = p->slots, old_n = p->mask + 1;
      p->mask = old_n * 2 - 1;
      p->slots = g_new0 (guint32, p->mask + 1);
      for (guint32 i = 0; i < old_n; i++)
        if (old[i])
          {
            guint32 n;
            const char *q = entry_path (base, old[i] - 1, &n);
            *find_slot (p, base, q, n) = old[i];
          }
      g_free (old);
    }
  guint32 n;
  const char *q = entry_path (base, off, &n);
  *find_slot (p, base, q, n) = off + 1;
  p->count++;
}

static gboolean
hash_is_zero (const guint8 *h)
{
  for (guint i = 0; i < DCC_HASH_LEN; i++)
    if (h[i])
      return FALSE;
  return TRUE;
}

/* dcc_is_entry_decode's checks over an ENTR payload, without copying it. */
static gboolean
check_entry (const guint8 *buf, gsize len, GError **error)
{
  DccReader r;
  guint8 kind;
  guint32 mode, path_len, target_len;
  guint64 size;
  const guint8 *hash, *path, *target;
  dcc_reader_init (&r, buf, len);
  if (!dcc_reader_u8 (&r, &kind) || !dcc_reader_u32 (&r, &mode) || !dcc_reader_u64 (&r, &size)
      || !dcc_reader_bytes (&r, DCC_HASH_LEN, &hash)
      || !dcc_reader_u32 (&r, &path_len) || path_len > DCC_MAX_PATH_LEN
      || !dcc_reader_bytes (&r, path_len, &path) || memchr (path, '\0', path_len)
      || !dcc_reader_u32 (&r, &target_len) || target_len > DCC_MAX_PATH_LEN
      || !dcc_reader_bytes (&r, target_len, &target) || memchr (target, '\0', target_len))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "truncated or oversized entry");
  if (r.left != 0)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "trailing bytes in entry");
  if (kind > DCC_ENTRY_SYMLINK)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "entry kind %u unknown", kind);
  if (mode & ~07777u)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "entry mode %o has type bits", mode);
  if (!dcc_is_path_is_normalized_len ((const char *) path, path_len))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "entry path is not absolute and normalized");
  if (kind == DCC_ENTRY_FILE)
    {
      if (size > DCC_MAX_FILE_SIZE)
        return dcc_fail (error, DCC_ERROR_LIMIT, "file of %" G_GUINT64_FORMAT " bytes", size);
      if (target_len)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "file entry with a link target");
    }
  else
    {
      if (size != 0 || !hash_is_zero (hash))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "directory or symlink with size or hash");
      if ((kind == DCC_ENTRY_SYMLINK) != (target_len != 0))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "link target on a non-link, or empty target");
    }
  return TRUE;
}

/* take_in_order's checks: the path not listed yet, its parent "/" or a
 * directory listed earlier. */
static gboolean
check_order (const DccIsPacked *p, const guint8 *base, const guint8 *entry, GError **error)
{
  guint32 len = get_u32 (entry + FIXED_LEN);
  const char *path = (const char *) entry + FIXED_LEN + 4;
  if (*find_slot (p, base, path, len) != 0)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "entry path listed twice");
  const char *slash = path + len - 1;
  while (*slash != '/')
    slash--;
  if (slash != path)
    {
      guint32 at = *find_slot (p, base, path, (guint32) (slash - path));
      if (at == 0 || base[at - 1] != DCC_ENTRY_DIR)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "entry before its parent directory");
    }
  return TRUE;
}

/* The next frame of the reply, which must be tag and at most max_len. */
static gboolean
take_frame (const guint8 *buf, gsize len, gsize *pos, guint32 tag, guint32 max_len, DccFrame *f,
            GError **error)
{
  guint32 got;
  gsize used;
  DccWireResult r = dcc_wire_decode_header_at (buf, len, *pos, max_len, &got, &f->len, error);
  if (r == DCC_WIRE_OK && got != tag)
    {
      char want[5], name[5];
      return dcc_fail (error, DCC_ERROR_PROTOCOL, "expected frame %s, got %s",
                       dcc_wire_tag_name (tag, want), dcc_wire_tag_name (got, name));
    }
  if (r == DCC_WIRE_OK)
    r = dcc_wire_decode_at (buf, len, *pos, max_len, f, &used, error);
  if (r == DCC_WIRE_NEED_MORE)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "the reply ends before DONE");
  if (r != DCC_WIRE_OK)
    return FALSE;
  *pos += used;
  return TRUE;
}

static gboolean
frame_u32 (const DccFrame *f, guint32 *v, GError **error)
{
  char name[5];
  if (f->len != 4)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "frame %s must hold one u32", dcc_wire_tag_name (f->tag, name));
  *v = get_u32 (f->payload);
  return TRUE;
}

gboolean
dcc_is_packed_from_reply (GByteArray *reply, DccIsStatus *status_out, char **message_out,
                          DccIsPacked **packed_out, GError **error)
{
  g_autoptr(GByteArray) in = reply;
  guint8 *buf = in->data;
  gsize len = in->len, pos = 0;
  DccFrame f;
  guint32 status, count;

  if (!take_frame (buf, len, &pos, DCC_IS_TAG_STATUS, 4, &f, error) || !frame_u32 (&f, &status, error))
    return FALSE;
  if (status > DCC_IS_STATUS_BAD_REQUEST)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "include server status %u unknown", status);
  if (status != DCC_IS_STATUS_OK)
    {
      if (!take_frame (buf, len, &pos, DCC_IS_TAG_MESSAGE, DCC_IS_MAX_MESSAGE_LEN, &f, error))
        return FALSE;
      if (memchr (f.payload, '\0', f.len))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "frame EMSG contains a NUL byte");
      g_autofree char *msg = g_strndup ((const char *) f.payload, f.len);
      if (!take_frame (buf, len, &pos, DCC_IS_TAG_DONE, 0, &f, error))
        return FALSE;
      if (pos != len)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "bytes after the reply's DONE");
      *status_out = (DccIsStatus) status;
      *message_out = g_steal_pointer (&msg);
      *packed_out = NULL;
      return TRUE;
    }
  if (!take_frame (buf, len, &pos, DCC_IS_TAG_COUNT, 4, &f, error) || !frame_u32 (&f, &count, error))
    return FALSE;
  if (count > DCC_MAX_MANIFEST_ENTRIES)
    return dcc_fail (error, DCC_ERROR_LIMIT, "%u entries, limit %u", count, DCC_MAX_MANIFEST_ENTRIES);

  /* Each ENTR payload moves down over the frame headers before it: the
   * write position stays behind the read position (the STATUS and COUNT
   * frames leave 24 bytes for the 4 of the count). The table grows with
   * the entries found, not with the count announced. */
  g_autoptr(DccIsPacked) p = g_new0 (DccIsPacked, 1);
  p->mask = 1023;
  p->slots = g_new0 (guint32, p->mask + 1);
  gsize w = 4;
  for (guint32 i = 0; i < count; i++)
    {
      if (!take_frame (buf, len, &pos, DCC_IS_TAG_ENTRY, DCC_IS_MAX_ENTRY_FRAME, &f, error)
          || !check_entry (f.payload, f.len, error) || !check_order (p, buf, f.payload, error))
        {
          g_prefix_error (error, "entry %u: ", i);
          return FALSE;
        }
      memmove (buf + w, f.payload, f.len);
      insert (p, buf, (guint32) w);
      w += f.len;
    }
  if (!take_frame (buf, len, &pos, DCC_IS_TAG_DONE, 0, &f, error))
    return FALSE;
  if (pos != len)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "bytes after the reply's DONE");
  g_byte_array_set_size (in, (guint) w);
  dcc_patch_u32 (in, 0, p->count);
  p->bytes = g_steal_pointer (&in);
  *status_out = DCC_IS_STATUS_OK;
  *message_out = NULL;
  *packed_out = g_steal_pointer (&p);
  return TRUE;
}

void
dcc_is_packed_free (DccIsPacked *p)
{
  if (!p)
    return;
  if (p->bytes)
    g_byte_array_unref (p->bytes);
  g_free (p->slots);
  g_free (p);
}

guint32
dcc_is_packed_count (const DccIsPacked *p)
{
  return p->count;
}

gboolean
dcc_is_packed_contains (const DccIsPacked *p, const char *path)
{
  gsize n = strlen (path);
  return n <= G_MAXUINT32 && *find_slot (p, p->bytes->data, path, (guint32) n) != 0;
}

void
dcc_is_packed_add (DccIsPacked *p, const DccEntry *e)
{
  guint32 off = p->bytes->len;
  dcc_is_entry_encode (p->bytes, e);
  insert (p, p->bytes->data, off);
  dcc_patch_u32 (p->bytes, 0, p->count);
}

const guint8 *
dcc_is_packed_bytes (const DccIsPacked *p, gsize *len)
{
  *len = p->bytes->len;
  return p->bytes->data;
}

GPtrArray *
dcc_is_packed_entries (const DccIsPacked *p)
{
  GPtrArray *out = g_ptr_array_new_full (p->count, (GDestroyNotify) dcc_entry_free);
  DccReader r;
  guint32 n;
  dcc_reader_init (&r, p->bytes->data, p->bytes->len);
  dcc_reader_u32 (&r, &n);
  for (guint32 i = 0; i < n; i++)
    {
      /* Checked when packed (or built by dcc_is_entry_encode). */
      DccEntry *e = g_new0 (DccEntry, 1);
      const guint8 *hash;
      dcc_reader_u8 (&r, &e->kind);
      dcc_reader_u32 (&r, &e->mode);
      dcc_reader_u64 (&r, &e->size);
      dcc_reader_bytes (&r, DCC_HASH_LEN, &hash);
      memcpy (e->hash.bytes, hash, DCC_HASH_LEN);
      dcc_reader_string (&r, DCC_MAX_PATH_LEN, &e->path);
      dcc_reader_string (&r, DCC_MAX_PATH_LEN, &e->target);
      g_ptr_array_add (out, e);
    }
  return out;
}
