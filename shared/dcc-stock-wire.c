#include "dcc-stock-wire.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-lzo.h"
#include <string.h>

#define TOK(s) DCC_TAG ((s)[0], (s)[1], (s)[2], (s)[3])

gboolean
dcc_stock_header_parse (const guint8 *p, guint32 *token, guint32 *value, GError **error)
{
  for (int i = 0; i < 4; i++)
    if (p[i] < 0x20 || p[i] > 0x7e)
      return dcc_fail (error, DCC_ERROR_PROTOCOL, "stock protocol: token is not printable");
  guint32 v = 0;
  for (int i = 4; i < 12; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);
      if (d < 0)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "stock protocol: parameter is not 8 hex digits");
      v = v << 4 | (guint32) d;
    }
  *token = DCC_TAG (p[0], p[1], p[2], p[3]);
  *value = v;
  return TRUE;
}

void
dcc_stock_put (GByteArray *out, const char *token, guint32 value)
{
  char buf[13];
  g_snprintf (buf, sizeof buf, "%.4s%08x", token, value);
  g_byte_array_append (out, (const guint8 *) buf, 12);
}

void
dcc_stock_put_body (GByteArray *out, const char *token, const void *body, gsize len)
{
  dcc_stock_put (out, token, (guint32) len);
  if (len)
    g_byte_array_append (out, body, (guint) len);
}

void
dcc_stock_put_bulk (GByteArray *out, const char *token, const void *body, gsize len, gboolean compress)
{
  if (!compress || len == 0)
    {
      dcc_stock_put_body (out, token, body, len);
      return;
    }
  g_autoptr(GBytes) z = dcc_lzo_compress (body, len);
  gsize zl;
  const void *zp = g_bytes_get_data (z, &zl);
  dcc_stock_put_body (out, token, zp, zl);
}

void
dcc_stock_request_encode (GByteArray *out, guint32 protover, const char *const *argv, const void *doti,
                          gsize doti_len)
{
  dcc_stock_put (out, "DIST", protover);
  dcc_stock_put (out, "ARGC", g_strv_length ((char **) argv));
  for (const char *const *a = argv; *a; a++)
    dcc_stock_put_body (out, "ARGV", *a, strlen (*a));
  dcc_stock_put_bulk (out, "DOTI", doti, doti_len, protover >= 2);
}

/* A bulk body as received: decompressed for protocol 2 and 3. */
static gboolean
take_bulk (guint32 protover, const guint8 *body, gsize len, gsize max, GBytes **out, GError **error)
{
  if (protover >= 2)
    return dcc_lzo_decompress (body, len, max, out, error);
  if (len > max)
    return dcc_fail (error, DCC_ERROR_LIMIT, "stock protocol: %" G_GSIZE_FORMAT " bytes over the limit", len);
  *out = g_bytes_new (body, len);
  return TRUE;
}

static gboolean
expect (guint32 token, const char *want, GError **error)
{
  if (token == TOK (want))
    return TRUE;
  char got[5];
  return dcc_fail (error, DCC_ERROR_PROTOCOL, "stock protocol: expected %s, got %s", want,
                   dcc_wire_tag_name (token, got));
}

static gboolean
bounded (guint32 value, gsize max, const char *what, GError **error)
{
  if (value <= max)
    return TRUE;
  return dcc_fail (error, DCC_ERROR_LIMIT, "stock protocol: %s of %u bytes is over the limit", what, value);
}

/* ---- reply, client side ---- */

enum { R_DONE, R_STAT, R_SERR, R_SOUT, R_DOTO, R_BODY, R_END };

void
dcc_stock_reply_init (DccStockReply *r, guint32 protover)
{
  memset (r, 0, sizeof *r);
  r->protover = protover;
  r->state = R_DONE;
}

void
dcc_stock_reply_clear (DccStockReply *r)
{
  g_clear_pointer (&r->err, g_bytes_unref);
  g_clear_pointer (&r->out, g_bytes_unref);
  g_clear_pointer (&r->obj, g_bytes_unref);
}

gboolean
dcc_stock_reply_feed_header (DccStockReply *r, guint32 token, guint32 value, guint32 *body_len, GError **error)
{
  *body_len = 0;
  switch (r->state)
    {
    case R_DONE:
      if (!expect (token, "DONE", error))
        return FALSE;
      if (value != r->protover)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "stock protocol: reply version %u, not %u", value, r->protover);
      r->state = R_STAT;
      return TRUE;
    case R_STAT:
      if (!expect (token, "STAT", error))
        return FALSE;
      r->wait_status = (int) value;
      r->state = R_SERR;
      return TRUE;
    case R_SERR:
    case R_SOUT:
    case R_DOTO:
      {
        const char *want = r->state == R_SERR ? "SERR" : r->state == R_SOUT ? "SOUT" : "DOTO";
        if (!expect (token, want, error)
            || !bounded (value, r->state == R_DOTO ? DCC_MAX_FILE_SIZE : DCC_MAX_STREAM_SIZE, want, error))
          return FALSE;
        /* A failed compile's DOTO is announced with length 0 and no body. */
        if (r->state == R_DOTO && r->wait_status != 0)
          {
            if (value != 0)
              return dcc_fail (error, DCC_ERROR_PROTOCOL, "stock protocol: failed compile returned an object");
            r->complete = TRUE;
            r->state = R_END;
            return TRUE;
          }
        r->pending = token;
        r->state = R_BODY;
        *body_len = value;
        if (value == 0)
          return dcc_stock_reply_feed_body (r, NULL, 0, error);
        return TRUE;
      }
    default:
      return dcc_fail (error, DCC_ERROR_PROTOCOL, "stock protocol: reply continues after its end");
    }
}

gboolean
dcc_stock_reply_feed_body (DccStockReply *r, const guint8 *body, gsize len, GError **error)
{
  if (r->state != R_BODY)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "stock protocol: unexpected body");
  if (r->pending == TOK ("SERR"))
    {
      if (!take_bulk (r->protover, body, len, DCC_MAX_STREAM_SIZE, &r->err, error))
        return FALSE;
      r->state = R_SOUT;
    }
  else if (r->pending == TOK ("SOUT"))
    {
      if (!take_bulk (r->protover, body, len, DCC_MAX_STREAM_SIZE, &r->out, error))
        return FALSE;
      r->state = R_DOTO;
    }
  else
    {
      if (!take_bulk (r->protover, body, len, DCC_MAX_FILE_SIZE, &r->obj, error))
        return FALSE;
      r->state = R_END;
      r->complete = TRUE;
    }
  return TRUE;
}

/* ---- request, volunteer side ---- */

enum { Q_DIST, Q_CDIR, Q_ARGC, Q_ARGV, Q_DOTI, Q_NFIL, Q_NAME, Q_FILE_OR_LINK, Q_BODY, Q_END };

static void
stock_file_free (DccStockFile *f)
{
  g_free (f->name);
  g_clear_pointer (&f->data, g_bytes_unref);
  g_free (f->target);
  g_free (f);
}

DccStockRequest *
dcc_stock_request_new (void)
{
  DccStockRequest *r = g_new0 (DccStockRequest, 1);
  r->argv = g_ptr_array_new_with_free_func (g_free);
  r->files = g_ptr_array_new_with_free_func ((GDestroyNotify) stock_file_free);
  r->state = Q_DIST;
  r->input_limit = DCC_DEFAULT_JOB_INPUT_SIZE;
  return r;
}

void
dcc_stock_request_free (DccStockRequest *r)
{
  if (!r)
    return;
  g_free (r->cwd);
  g_ptr_array_unref (r->argv);
  g_clear_pointer (&r->doti, g_bytes_unref);
  g_ptr_array_unref (r->files);
  g_free (r);
}

/* A string body: no NUL inside. */
static char *
take_string (const guint8 *body, gsize len, const char *what, GError **error)
{
  /* An empty body comes as NULL: g_strndup (NULL, 0) would be NULL, a
   * failure without an error. */
  if (len == 0)
    return g_strdup ("");
  if (memchr (body, '\0', len))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "stock protocol: %s holds a NUL byte", what), NULL;
  return g_strndup ((const char *) body, len);
}

static gboolean
want_body (DccStockRequest *r, guint32 token, guint32 value, gsize max, const char *what, guint32 *body_len,
           GError **error)
{
  if (!bounded (value, max, what, error))
    return FALSE;
  if (r->total + value > DCC_MAX_FRAME * (gsize) 4)
    return dcc_fail (error, DCC_ERROR_LIMIT, "stock protocol: request larger than %u bytes", DCC_MAX_FRAME * 4);
  r->pending = token;
  r->state = Q_BODY;
  *body_len = value;
  if (value == 0)
    return dcc_stock_request_feed_body (r, NULL, 0, error);
  return TRUE;
}

/* DOTI and FILE: what is left of the input limit. A body declared longer
 * than that can hold (raw in protocol 1; LZO1X expands incompressible data
 * by at most len/16 + 67 bytes) is refused before it is read. */
static gboolean
want_input (DccStockRequest *r, guint32 token, guint32 value, const char *what, guint32 *body_len,
            GError **error)
{
  gsize left = r->input_limit > r->input_bytes ? r->input_limit - r->input_bytes : 0;
  gsize most = r->protover >= 2 ? left + left / 16 + 67 : left;
  if (value > most)
    return dcc_fail (error, DCC_ERROR_LIMIT,
                     "stock protocol: %s of %u bytes is more than the job input limit of %" G_GSIZE_FORMAT
                     " bytes allows", what, value, r->input_limit);
  return want_body (r, token, value, DCC_MAX_FILE_SIZE, what, body_len, error);
}

/* A DOTI or FILE body, decompressed within what is left of the input limit. */
static gboolean
take_input (DccStockRequest *r, const guint8 *body, gsize len, GBytes **out, GError **error)
{
  gsize left = r->input_limit > r->input_bytes ? r->input_limit - r->input_bytes : 0;
  g_autoptr(GError) local = NULL;
  if (!take_bulk (r->protover, body, len, left, out, &local))
    {
      if (g_error_matches (local, DCC_ERROR, DCC_ERROR_LIMIT))
        return dcc_fail (error, DCC_ERROR_LIMIT, "stock protocol: the job's input is more than the limit of %"
                         G_GSIZE_FORMAT " bytes", r->input_limit);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  r->input_bytes += g_bytes_get_size (*out);
  return TRUE;
}

gboolean
dcc_stock_request_feed_header (DccStockRequest *r, guint32 token, guint32 value, guint32 *body_len,
                               GError **error)
{
  *body_len = 0;
  switch (r->state)
    {
    case Q_DIST:
      if (!expect (token, "DIST", error))
        return FALSE;
      if (value < 1 || value > 3)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "stock protocol: version %u is not 1, 2 or 3", value);
      r->protover = value;
      r->state = value == 3 ? Q_CDIR : Q_ARGC;
      return TRUE;
    case Q_CDIR:
      return expect (token, "CDIR", error) && want_body (r, token, value, DCC_MAX_PATH_LEN, "CDIR", body_len, error);
    case Q_ARGC:
      if (!expect (token, "ARGC", error))
        return FALSE;
      if (value < 1 || value > DCC_MAX_ARGS)
        return dcc_fail (error, DCC_ERROR_LIMIT, "stock protocol: ARGC %u out of range", value);
      r->count = value;
      r->state = Q_ARGV;
      return TRUE;
    case Q_ARGV:
      return expect (token, "ARGV", error) && want_body (r, token, value, DCC_MAX_ARG_LEN, "ARGV", body_len, error);
    case Q_DOTI:
      return expect (token, "DOTI", error) && want_input (r, token, value, "DOTI", body_len, error);
    case Q_NFIL:
      if (!expect (token, "NFIL", error))
        return FALSE;
      if (value > DCC_MAX_MANIFEST_ENTRIES)
        return dcc_fail (error, DCC_ERROR_LIMIT, "stock protocol: NFIL %u over the limit", value);
      r->count = value;
      r->state = value ? Q_NAME : Q_END;
      r->complete = value == 0;
      return TRUE;
    case Q_NAME:
      return expect (token, "NAME", error) && want_body (r, token, value, DCC_MAX_PATH_LEN, "NAME", body_len, error);
    case Q_FILE_OR_LINK:
      if (token == TOK ("FILE"))
        return want_input (r, token, value, "FILE", body_len, error);
      if (token == TOK ("LINK"))
        return want_body (r, token, value, DCC_MAX_PATH_LEN, "LINK", body_len, error);
      return expect (token, "FILE", error);
    default:
      return dcc_fail (error, DCC_ERROR_PROTOCOL, "stock protocol: request continues after its end");
    }
}

gboolean
dcc_stock_request_feed_body (DccStockRequest *r, const guint8 *body, gsize len, GError **error)
{
  if (r->state != Q_BODY)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "stock protocol: unexpected body");
  r->total += len;
  guint32 t = r->pending;
  if (t == TOK ("CDIR"))
    {
      if (!(r->cwd = take_string (body, len, "CDIR", error)))
        return FALSE;
      r->state = Q_ARGC;
    }
  else if (t == TOK ("ARGV"))
    {
      char *s = take_string (body, len, "ARGV", error);
      if (!s)
        return FALSE;
      g_ptr_array_add (r->argv, s);
      if (--r->count > 0)
        r->state = Q_ARGV;
      else
        {
          g_ptr_array_add (r->argv, NULL);
          r->state = r->protover == 3 ? Q_NFIL : Q_DOTI;
        }
    }
  else if (t == TOK ("DOTI") && r->protover >= 2)
    {
      /* Kept compressed: inflating it (up to the input limit, LZO having
       * no declared size) is the worker's work, not the reading loop's,
       * where a few hundred KB expanding to the limit cost every client
       * 0.6 s of the daemon's parent. want_input bounded its length. */
      r->doti = g_bytes_new (body, len);
      r->doti_lzo = TRUE;
      r->state = Q_END;
      r->complete = TRUE;
    }
  else if (t == TOK ("DOTI"))
    {
      if (!take_input (r, body, len, &r->doti, error))
        return FALSE;
      r->state = Q_END;
      r->complete = TRUE;
    }
  else if (t == TOK ("NAME"))
    {
      DccStockFile *f = g_new0 (DccStockFile, 1);
      if (!(f->name = take_string (body, len, "NAME", error)))
        {
          g_free (f);
          return FALSE;
        }
      g_ptr_array_add (r->files, f);
      r->state = Q_FILE_OR_LINK;
    }
  else
    {
      DccStockFile *f = r->files->pdata[r->files->len - 1];
      if (t == TOK ("FILE"))
        {
          /* stock's include server sends files already LZO-compressed */
          if (!take_input (r, body, len, &f->data, error))
            return FALSE;
        }
      else if (!(f->target = take_string (body, len, "LINK", error)))
        return FALSE;
      if (--r->count > 0)
        r->state = Q_NAME;
      else
        {
          r->state = Q_END;
          r->complete = TRUE;
        }
    }
  return TRUE;
}

void
dcc_stock_reply_encode (GByteArray *out, guint32 protover, int wait_status, const void *err, gsize err_len,
                        const void *out_data, gsize out_len, const void *obj, gsize obj_len,
                        const void *dotd, gsize dotd_len)
{
  gboolean z = protover >= 2;
  dcc_stock_put (out, "DONE", protover);
  dcc_stock_put (out, "STAT", (guint32) wait_status);
  dcc_stock_put_bulk (out, "SERR", err, err_len, z);
  dcc_stock_put_bulk (out, "SOUT", out_data, out_len, z);
  if (wait_status != 0)
    {
      dcc_stock_put (out, "DOTO", 0);
      return;
    }
  dcc_stock_put_bulk (out, "DOTO", obj, obj_len, z);
  if (protover == 3)
    dcc_stock_put_bulk (out, "DOTD", dotd, dotd_len, z);
}
