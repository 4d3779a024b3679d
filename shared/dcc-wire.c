#include "dcc-wire.h"
#include "dcc-error.h"
#include <string.h>

static guint32
get_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static gboolean
tag_is_valid (guint32 tag)
{
  for (int shift = 24; shift >= 0; shift -= 8)
    {
      guint8 c = (guint8) (tag >> shift);
      if (c < 0x20 || c > 0x7e)
        return FALSE;
    }
  return TRUE;
}

const char *
dcc_wire_tag_name (guint32 tag, char buf[5])
{
  for (int i = 0; i < 4; i++)
    {
      guint8 c = (guint8) (tag >> (24 - 8 * i));
      buf[i] = (c >= 0x20 && c <= 0x7e) ? (char) c : '?';
    }
  buf[4] = '\0';
  return buf;
}

DccWireResult
dcc_wire_decode_header (const guint8 *buf, gsize avail, guint32 max_len,
                        guint32 *tag, guint32 *len, GError **error)
{
  if (avail < DCC_FRAME_HEADER_LEN)
    return DCC_WIRE_NEED_MORE;
  guint32 t = get_be32 (buf);
  guint32 l = get_be32 (buf + 4);
  if (!tag_is_valid (t))
    {
      dcc_fail (error, DCC_ERROR_PROTOCOL, "frame tag %02x%02x%02x%02x is not ASCII",
                buf[0], buf[1], buf[2], buf[3]);
      return DCC_WIRE_ERROR;
    }
  if (l > max_len)
    {
      char name[5];
      dcc_fail (error, DCC_ERROR_LIMIT, "frame %s claims %u bytes, limit is %u",
                dcc_wire_tag_name (t, name), l, max_len);
      return DCC_WIRE_ERROR;
    }
  *tag = t;
  *len = l;
  return DCC_WIRE_OK;
}

DccWireResult
dcc_wire_decode (const guint8 *buf, gsize avail, guint32 max_len,
                 DccFrame *frame, gsize *consumed, GError **error)
{
  guint32 tag, len;
  DccWireResult r = dcc_wire_decode_header (buf, avail, max_len, &tag, &len, error);
  if (r != DCC_WIRE_OK)
    return r;
  if (avail - DCC_FRAME_HEADER_LEN < len)
    return DCC_WIRE_NEED_MORE;
  frame->tag = tag;
  frame->len = len;
  frame->payload = buf + DCC_FRAME_HEADER_LEN;
  *consumed = DCC_FRAME_HEADER_LEN + (gsize) len;
  return DCC_WIRE_OK;
}

DccWireResult
dcc_wire_decode_header_at (const guint8 *buf, gsize len, gsize pos, guint32 max_len,
                           guint32 *tag, guint32 *frame_len, GError **error)
{
  g_return_val_if_fail (pos <= len, DCC_WIRE_ERROR);
  if (len - pos < DCC_FRAME_HEADER_LEN)
    return DCC_WIRE_NEED_MORE;
  return dcc_wire_decode_header (buf + pos, len - pos, max_len, tag, frame_len, error);
}

DccWireResult
dcc_wire_decode_at (const guint8 *buf, gsize len, gsize pos, guint32 max_len,
                    DccFrame *frame, gsize *consumed, GError **error)
{
  g_return_val_if_fail (pos <= len, DCC_WIRE_ERROR);
  if (len - pos < DCC_FRAME_HEADER_LEN)
    return DCC_WIRE_NEED_MORE;
  return dcc_wire_decode (buf + pos, len - pos, max_len, frame, consumed, error);
}

void
dcc_reserve (GByteArray *out, gsize more)
{
  guint len = out->len;
  g_byte_array_set_size (out, (guint) (len + more));
  g_byte_array_set_size (out, len);
}

void
dcc_put_u8 (GByteArray *out, guint8 v)
{
  g_byte_array_append (out, &v, 1);
}

void
dcc_put_u32 (GByteArray *out, guint32 v)
{
  guint at = out->len;
  g_byte_array_set_size (out, at + 4);
  dcc_patch_u32 (out, at, v);
}

void
dcc_patch_u32 (GByteArray *out, guint at, guint32 v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };
  memcpy (out->data + at, b, 4);
}

void
dcc_put_u64 (GByteArray *out, guint64 v)
{
  dcc_put_u32 (out, (guint32) (v >> 32));
  dcc_put_u32 (out, (guint32) v);
}

void
dcc_put_string (GByteArray *out, const char *s)
{
  gsize n = strlen (s);
  dcc_put_u32 (out, (guint32) n);
  g_byte_array_append (out, (const guint8 *) s, (guint) n);
}

void
dcc_wire_put_frame (GByteArray *out, guint32 tag, const void *payload, gsize len)
{
  g_return_if_fail (len <= G_MAXUINT32);
  dcc_put_u32 (out, tag);
  dcc_put_u32 (out, (guint32) len);
  if (len)
    g_byte_array_append (out, payload, (guint) len);
}

void
dcc_wire_put_u32_frame (GByteArray *out, guint32 tag, guint32 value)
{
  dcc_put_u32 (out, tag);
  dcc_put_u32 (out, 4);
  dcc_put_u32 (out, value);
}

void
dcc_wire_put_str_frame (GByteArray *out, guint32 tag, const char *str)
{
  dcc_wire_put_frame (out, tag, str, strlen (str));
}

gboolean
dcc_reader_bytes (DccReader *r, gsize n, const guint8 **out)
{
  if (r->left < n)
    return FALSE;
  *out = r->p;
  r->p += n;
  r->left -= n;
  return TRUE;
}

gboolean
dcc_reader_u8 (DccReader *r, guint8 *v)
{
  const guint8 *p;
  if (!dcc_reader_bytes (r, 1, &p))
    return FALSE;
  *v = p[0];
  return TRUE;
}

gboolean
dcc_reader_u32 (DccReader *r, guint32 *v)
{
  const guint8 *p;
  if (!dcc_reader_bytes (r, 4, &p))
    return FALSE;
  *v = get_be32 (p);
  return TRUE;
}

gboolean
dcc_reader_u64 (DccReader *r, guint64 *v)
{
  guint32 hi, lo;
  if (r->left < 8 || !dcc_reader_u32 (r, &hi) || !dcc_reader_u32 (r, &lo))
    return FALSE;
  *v = (guint64) hi << 32 | lo;
  return TRUE;
}

gboolean
dcc_reader_string (DccReader *r, guint32 max_len, char **out)
{
  guint32 n;
  const guint8 *p;
  DccReader save = *r;
  if (!dcc_reader_u32 (r, &n) || n > max_len || !dcc_reader_bytes (r, n, &p)
      || memchr (p, '\0', n) != NULL)
    {
      *r = save;
      return FALSE;
    }
  *out = g_strndup ((const char *) p, n);
  return TRUE;
}
