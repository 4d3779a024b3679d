#include "dcc-request-reader.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-stock-wire.h"
#include "dcc-wire.h"
#include <string.h>

struct _DccRequestReader {
  DccProtocol  protocol;
  guint8       magic[DCC_PROTOCOL_MAGIC_LEN];   /* the bytes seen before detection */
  gsize        magic_len;
  guint32      max_frame;
  guint64      input_limit; /* for the request, or 0 */
  guint64      held;       /* payloads decoded so far (and a decompressed source) */
  guint64      total;      /* bytes consumed */
  gboolean     done;       /* COMPLETE or ERROR was returned */
  /* DCC1 */
  GByteArray  *pending;    /* the partial frame: header, then payload as it arrives */
  DccRequest  *request;
  /* DIST (pending holds the partial header or body) */
  DccStockRequest *stock;
  guint32      stock_body; /* body bytes announced by the last header, 0: a header is next */
};

typedef DccReaderResult (*ProtocolFeedFunc) (DccRequestReader *r, const guint8 *buf, gsize len,
                                             gsize *consumed, GError **error);

static DccReaderResult dcc1_feed (DccRequestReader *r, const guint8 *buf, gsize len,
                                  gsize *consumed, GError **error);
static DccReaderResult dist_feed (DccRequestReader *r, const guint8 *buf, gsize len,
                                  gsize *consumed, GError **error);

/* Protocol detection: see the header for how to add a row. */
static const struct {
  char             magic[DCC_PROTOCOL_MAGIC_LEN];
  DccProtocol      protocol;
  ProtocolFeedFunc feed;
} protocols[] = {
  { { 'D', 'C', 'C', '1' }, DCC_PROTOCOL_DCC1, dcc1_feed },
  { { 'D', 'I', 'S', 'T' }, DCC_PROTOCOL_DIST, dist_feed },
};

DccRequestReader *
dcc_request_reader_new (guint32 max_frame)
{
  DccRequestReader *r = g_new0 (DccRequestReader, 1);
  r->max_frame = max_frame;
  r->pending = g_byte_array_new ();
  return r;
}

void
dcc_request_reader_free (DccRequestReader *r)
{
  if (!r)
    return;
  g_byte_array_unref (r->pending);
  dcc_request_free (r->request);
  dcc_stock_request_free (r->stock);
  g_free (r);
}

void
dcc_request_reader_set_input_limit (DccRequestReader *r, guint64 limit)
{
  r->input_limit = limit;
}

DccProtocol
dcc_request_reader_protocol (const DccRequestReader *r)
{
  return r->protocol;
}

guint64
dcc_request_reader_held (const DccRequestReader *r)
{
  return r->held + r->pending->len + r->magic_len;
}

guint64
dcc_request_reader_total (const DccRequestReader *r)
{
  return r->total;
}

DccRequest *
dcc_request_reader_steal_request (DccRequestReader *r)
{
  if (!r->request || !r->request->complete)
    return NULL;
  return g_steal_pointer (&r->request);
}

/* One whole DCC1 frame into the request decoder. */
static gboolean
dcc1_accept_frame (DccRequestReader *r, const DccFrame *f, GError **error)
{
  if (!r->request)
    {
      r->request = dcc_request_new ();
      if (r->input_limit > 0)
        r->request->input_limit = r->input_limit;
    }
  if (!dcc_request_feed (r->request, f, error))
    return FALSE;
  r->held += DCC_FRAME_HEADER_LEN + (guint64) f->len;
  if (r->request->complete && r->request->source_text)
    r->held += g_bytes_get_size (r->request->source_text);
  return TRUE;
}

/* --- DIST: a stock distcc client --- */

/* The stock request as one of ours, plain mode: argv as sent, DOTI as the
 * source text; the volunteer maps it onto a job (server/stock-session.c). */
static DccRequest *
request_from_stock (DccRequestReader *r)
{
  DccStockRequest *s = r->stock;
  DccRequest *req = dcc_request_new ();
  if (r->input_limit > 0)
    req->input_limit = r->input_limit;
  req->version = DCC_PROTOCOL_VERSION;
  req->mode = DCC_MODE_PLAIN;
  req->stock_protover = s->protover;
  for (guint i = 0; i + 1 < s->argv->len; i++)
    g_ptr_array_add (req->argv, g_steal_pointer (&s->argv->pdata[i]));
  g_ptr_array_add (req->argv, NULL);
  if (s->doti_lzo)
    req->source_lzo = g_steal_pointer (&s->doti);
  else
    req->source_text = g_steal_pointer (&s->doti);
  req->input_bytes = s->input_bytes;
  req->complete = TRUE;
  return req;
}

/* Header by header: a 12-byte header is parsed and fed as soon as it is
 * whole; the body it announces (already bounded by the stock decoder, and
 * here by max_frame) is gathered as it arrives, never allocated ahead. */
static DccReaderResult
dist_feed (DccRequestReader *r, const guint8 *buf, gsize len, gsize *consumed, GError **error)
{
  gsize off = 0;
  *consumed = 0;
  if (!r->stock)
    {
      r->stock = dcc_stock_request_new ();
      if (r->input_limit > 0)
        r->stock->input_limit = r->input_limit;
    }
  while (off < len)
    {
      gsize need = r->stock_body ? r->stock_body : DCC_STOCK_HEADER_LEN;
      gsize take = MIN (need - r->pending->len, len - off);
      g_byte_array_append (r->pending, buf + off, (guint) take);
      off += take;
      *consumed = off;
      if (r->pending->len < need)
        continue;
      gboolean ok;
      if (r->stock_body == 0)
        {
          guint32 token, value, body = 0;
          ok = dcc_stock_header_parse (r->pending->data, &token, &value, error);
          if (ok && token == DCC_TAG ('D', 'I', 'S', 'T') && value == 3)
            ok = dcc_fail (error, DCC_ERROR_REFUSED, "stock protocol 3 (pump mode) is not served here, only 1 and 2");
          ok = ok && dcc_stock_request_feed_header (r->stock, token, value, &body, error);
          if (ok && body > r->max_frame)
            {
              char name[5];
              ok = dcc_fail (error, DCC_ERROR_LIMIT, "stock protocol: %s claims %u bytes, limit is %u",
                             dcc_wire_tag_name (token, name), body, r->max_frame);
            }
          r->held += DCC_STOCK_HEADER_LEN;
          r->stock_body = ok ? body : 0;
          g_byte_array_set_size (r->pending, 0);
        }
      else
        {
          gsize before = r->stock->input_bytes;
          ok = dcc_stock_request_feed_body (r->stock, r->pending->data, r->pending->len, error);
          r->held += r->pending->len + (r->stock->input_bytes - before);
          r->stock_body = 0;
          /* as in dcc1_feed: a large body must not pin its buffer */
          g_byte_array_unref (r->pending);
          r->pending = g_byte_array_new ();
        }
      if (!ok)
        return DCC_READER_ERROR;
      if (r->stock->complete)
        {
          r->request = request_from_stock (r);
          g_clear_pointer (&r->stock, dcc_stock_request_free);
          return DCC_READER_COMPLETE;
        }
    }
  return DCC_READER_NEED_MORE;
}

static DccReaderResult
dcc1_feed (DccRequestReader *r, const guint8 *buf, gsize len, gsize *consumed, GError **error)
{
  gsize off = 0;
  *consumed = 0;
  while (off < len)
    {
      DccFrame f;
      gsize used;
      if (r->pending->len == 0)
        {
          /* Whole frames already in the caller's buffer are decoded from
           * there, without a copy (a real client's request arrives in a
           * few reads). */
          DccWireResult w = dcc_wire_decode (buf + off, len - off, r->max_frame, &f, &used, error);
          if (w == DCC_WIRE_ERROR)
            return DCC_READER_ERROR;
          if (w == DCC_WIRE_OK)
            {
              off += used;
              *consumed = off;
              if (!dcc1_accept_frame (r, &f, error))
                return DCC_READER_ERROR;
              if (r->request->complete)
                return DCC_READER_COMPLETE;
              continue;
            }
        }
      /* A partial frame: keep its bytes, asking for no more than this
       * frame still lacks. The header is checked as soon as it is whole,
       * and the payload buffer grows only as its bytes arrive. */
      gsize want;
      guint32 tag, plen = 0;
      if (r->pending->len < DCC_FRAME_HEADER_LEN)
        want = DCC_FRAME_HEADER_LEN - r->pending->len;
      else
        {
          dcc_wire_decode_header (r->pending->data, r->pending->len, r->max_frame, &tag, &plen, NULL);
          want = DCC_FRAME_HEADER_LEN + (gsize) plen - r->pending->len;
        }
      gsize take = MIN (want, len - off);
      g_byte_array_append (r->pending, buf + off, (guint) take);
      off += take;
      *consumed = off;
      if (r->pending->len < DCC_FRAME_HEADER_LEN)
        continue;
      if (dcc_wire_decode_header (r->pending->data, r->pending->len, r->max_frame, &tag, &plen, error)
          == DCC_WIRE_ERROR)
        return DCC_READER_ERROR;
      if (r->pending->len < DCC_FRAME_HEADER_LEN + (gsize) plen)
        continue;
      if (dcc_wire_decode (r->pending->data, r->pending->len, r->max_frame, &f, &used, error) != DCC_WIRE_OK)
        return DCC_READER_ERROR;   /* cannot happen: the frame is whole and its header checked */
      gboolean ok = dcc1_accept_frame (r, &f, error);
      /* Drop the frame's buffer rather than keep its capacity: one large
       * frame must not pin memory for the rest of the request. */
      g_byte_array_unref (r->pending);
      r->pending = g_byte_array_new ();
      if (!ok)
        return DCC_READER_ERROR;
      if (r->request->complete)
        return DCC_READER_COMPLETE;
    }
  return DCC_READER_NEED_MORE;
}

/* Picks the protocol from the first bytes, then hands them (and the rest)
 * to its feed function. */
static DccReaderResult
detect (DccRequestReader *r, const guint8 *buf, gsize len, gsize *consumed, GError **error)
{
  gsize take = MIN (len, DCC_PROTOCOL_MAGIC_LEN - r->magic_len);
  memcpy (r->magic + r->magic_len, buf, take);
  r->magic_len += take;
  *consumed = take;
  if (r->magic_len < DCC_PROTOCOL_MAGIC_LEN)
    return DCC_READER_NEED_MORE;
  for (gsize i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (memcmp (protocols[i].magic, r->magic, DCC_PROTOCOL_MAGIC_LEN) == 0)
      {
        r->protocol = protocols[i].protocol;
        gsize used;
        guint8 magic[DCC_PROTOCOL_MAGIC_LEN];
        memcpy (magic, r->magic, sizeof magic);
        r->magic_len = 0;
        DccReaderResult res = protocols[i].feed (r, magic, sizeof magic, &used, error);
        /* Four bytes cannot complete a request, only start one or fail. */
        return res;
      }
  char shown[5];
  return dcc_fail (error, DCC_ERROR_PROTOCOL, "unknown protocol: the connection starts with %s (%02x%02x%02x%02x)",
                   dcc_wire_tag_name ((guint32) r->magic[0] << 24 | (guint32) r->magic[1] << 16
                                      | (guint32) r->magic[2] << 8 | r->magic[3], shown),
                   r->magic[0], r->magic[1], r->magic[2], r->magic[3]),
         DCC_READER_ERROR;
}

DccReaderResult
dcc_request_reader_feed (DccRequestReader *r, const guint8 *buf, gsize len, gsize *consumed,
                         GError **error)
{
  *consumed = 0;
  if (r->done)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "bytes after the end of the request"), DCC_READER_ERROR;
  DccReaderResult res = DCC_READER_NEED_MORE;
  gsize off = 0;
  if (r->protocol == DCC_PROTOCOL_UNKNOWN)
    {
      res = detect (r, buf, len, &off, error);
      if (res != DCC_READER_NEED_MORE || r->protocol == DCC_PROTOCOL_UNKNOWN)
        goto out;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (protocols[i].protocol == r->protocol)
      {
        gsize used = 0;
        res = protocols[i].feed (r, buf + off, len - off, &used, error);
        off += used;
        break;
      }
out:
  *consumed = off;
  r->total += off;
  if (res != DCC_READER_NEED_MORE)
    r->done = TRUE;
  return res;
}
