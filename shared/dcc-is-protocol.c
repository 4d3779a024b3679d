#include "dcc-fd.h"
#include "dcc-is-protocol.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_QUERY_TIMEOUT_MS 30000

gboolean
dcc_is_path_is_normalized (const char *path)
{
  return dcc_is_path_is_normalized_len (path, strlen (path));
}

gboolean
dcc_is_path_is_normalized_len (const char *path, gsize len)
{
  if (len < 2 || len > DCC_MAX_PATH_LEN || path[0] != '/' || path[len - 1] == '/')
    return FALSE;
  guint depth = 0;
  const char *p = path + 1, *end = path + len;
  for (;;)
    {
      const char *slash = memchr (p, '/', (gsize) (end - p));
      gsize n = slash ? (gsize) (slash - p) : (gsize) (end - p);
      if (n == 0 || n > DCC_MAX_NAME_LEN)
        return FALSE;
      if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
        return FALSE;
      if (++depth > DCC_MAX_PATH_DEPTH)
        return FALSE;
      if (!slash)
        return TRUE;
      p = slash + 1;
    }
}

void
dcc_is_request_encode (GByteArray *out, const char *cwd, const char *const *argv)
{
  guint n = argv ? g_strv_length ((char **) argv) : 0;
  dcc_wire_put_u32_frame (out, DCC_IS_TAG_REQUEST, DCC_IS_PROTOCOL_VERSION);
  dcc_wire_put_str_frame (out, DCC_IS_TAG_CWD, cwd);
  dcc_wire_put_u32_frame (out, DCC_IS_TAG_ARGC, n);
  for (guint i = 0; i < n; i++)
    dcc_wire_put_str_frame (out, DCC_IS_TAG_ARGV, argv[i]);
  dcc_wire_put_frame (out, DCC_IS_TAG_DONE, NULL, 0);
}

/* Takes the next frame, which must carry `tag`. */
static DccWireResult
next_frame (const guint8 *buf, gsize len, gsize *pos, guint32 tag, guint32 max_len,
            DccFrame *frame, GError **error)
{
  gsize used;
  guint32 got_tag, got_len;
  /* The tag is checked as soon as the header is there: a reader feeding
   * bytes as they come refuses a wrong frame without waiting for it. */
  DccWireResult r = dcc_wire_decode_header_at (buf, len, *pos, max_len, &got_tag, &got_len, error);
  if (r != DCC_WIRE_OK)
    return r;
  if (got_tag != tag)
    {
      char got[5], want[5];
      dcc_fail (error, DCC_ERROR_PROTOCOL, "expected frame %s, got %s",
                dcc_wire_tag_name (tag, want), dcc_wire_tag_name (got_tag, got));
      return DCC_WIRE_ERROR;
    }
  r = dcc_wire_decode_at (buf, len, *pos, max_len, frame, &used, error);
  if (r != DCC_WIRE_OK)
    return r;
  *pos += used;
  return DCC_WIRE_OK;
}

static DccWireResult
frame_u32 (const DccFrame *frame, guint32 *v, GError **error)
{
  DccReader r;
  dcc_reader_init (&r, frame->payload, frame->len);
  if (frame->len != 4 || !dcc_reader_u32 (&r, v))
    {
      char name[5];
      dcc_fail (error, DCC_ERROR_PROTOCOL, "frame %s must hold one u32",
                dcc_wire_tag_name (frame->tag, name));
      return DCC_WIRE_ERROR;
    }
  return DCC_WIRE_OK;
}

static DccWireResult
frame_string (const DccFrame *frame, char **out, GError **error)
{
  if (memchr (frame->payload, '\0', frame->len) != NULL)
    {
      char name[5];
      dcc_fail (error, DCC_ERROR_PROTOCOL, "frame %s contains a NUL byte",
                dcc_wire_tag_name (frame->tag, name));
      return DCC_WIRE_ERROR;
    }
  *out = g_strndup ((const char *) frame->payload, frame->len);
  return DCC_WIRE_OK;
}

#define TRY(expr) G_STMT_START { DccWireResult r_ = (expr); if (r_ != DCC_WIRE_OK) return r_; } G_STMT_END

enum { STAGE_REQUEST, STAGE_CWD, STAGE_ARGC, STAGE_ARGV, STAGE_DONE };

void
dcc_is_request_decoder_init (DccIsRequestDecoder *d)
{
  memset (d, 0, sizeof *d);
  d->stage = STAGE_REQUEST;
  /* Never pre-size from the peer's count: grow as frames arrive. */
  d->args = g_ptr_array_new_with_free_func (g_free);
}

void
dcc_is_request_decoder_clear (DccIsRequestDecoder *d)
{
  g_clear_pointer (&d->cwd, g_free);
  g_clear_pointer (&d->args, g_ptr_array_unref);
}

DccWireResult
dcc_is_request_decoder_feed (DccIsRequestDecoder *d, const guint8 *buf, gsize len,
                             char **cwd_out, char ***argv_out, gsize *consumed, GError **error)
{
  DccFrame f;
  guint32 version;

  if (d->pos > len)
    {
      dcc_fail (error, DCC_ERROR_INVALID, "request buffer shrank");
      return DCC_WIRE_ERROR;
    }
  for (;;)
    switch (d->stage)
      {
      case STAGE_REQUEST:
        TRY (next_frame (buf, len, &d->pos, DCC_IS_TAG_REQUEST, 4, &f, error));
        TRY (frame_u32 (&f, &version, error));
        if (version != DCC_IS_PROTOCOL_VERSION)
          {
            dcc_fail (error, DCC_ERROR_PROTOCOL, "unsupported include server protocol version %u", version);
            return DCC_WIRE_ERROR;
          }
        d->stage = STAGE_CWD;
        break;
      case STAGE_CWD:
        TRY (next_frame (buf, len, &d->pos, DCC_IS_TAG_CWD, DCC_MAX_PATH_LEN, &f, error));
        TRY (frame_string (&f, &d->cwd, error));
        if (d->cwd[0] != '/')
          {
            dcc_fail (error, DCC_ERROR_PROTOCOL, "working directory is not absolute");
            return DCC_WIRE_ERROR;
          }
        d->stage = STAGE_ARGC;
        break;
      case STAGE_ARGC:
        TRY (next_frame (buf, len, &d->pos, DCC_IS_TAG_ARGC, 4, &f, error));
        TRY (frame_u32 (&f, &d->argc, error));
        if (d->argc == 0 || d->argc > DCC_MAX_ARGS)
          {
            dcc_fail (error, DCC_ERROR_LIMIT, "argument count %u is not within 1..%u", d->argc, DCC_MAX_ARGS);
            return DCC_WIRE_ERROR;
          }
        d->stage = STAGE_ARGV;
        break;
      case STAGE_ARGV:
        if (d->args->len == d->argc)
          {
            d->stage = STAGE_DONE;
            break;
          }
        {
          char *arg = NULL;
          TRY (next_frame (buf, len, &d->pos, DCC_IS_TAG_ARGV, DCC_MAX_ARG_LEN, &f, error));
          TRY (frame_string (&f, &arg, error));
          g_ptr_array_add (d->args, arg);
        }
        break;
      default:
        TRY (next_frame (buf, len, &d->pos, DCC_IS_TAG_DONE, 0, &f, error));
        g_ptr_array_add (d->args, NULL);
        *cwd_out = g_steal_pointer (&d->cwd);
        *argv_out = (char **) g_ptr_array_free (g_steal_pointer (&d->args), FALSE);
        *consumed = d->pos;
        return DCC_WIRE_OK;
      }
}

DccWireResult
dcc_is_request_decode (const guint8 *buf, gsize len, char **cwd_out, char ***argv_out,
                       gsize *consumed, GError **error)
{
  g_auto(DccIsRequestDecoder) d;
  dcc_is_request_decoder_init (&d);
  return dcc_is_request_decoder_feed (&d, buf, len, cwd_out, argv_out, consumed, error);
}

/* An encoded entry's bytes besides its path and target: kind, mode, size,
 * hash and the two strings' lengths. */
#define ENTRY_FIXED_LEN (1 + 4 + 8 + DCC_HASH_LEN + 4 + 4)

void
dcc_is_reply_encode (GByteArray *out, DccIsStatus status, const char *message, GPtrArray *entries)
{
  dcc_wire_put_u32_frame (out, DCC_IS_TAG_STATUS, (guint32) status);
  if (status != DCC_IS_STATUS_OK)
    {
      g_autofree char *msg = g_strndup (message ? message : "", DCC_IS_MAX_MESSAGE_LEN);
      dcc_wire_put_str_frame (out, DCC_IS_TAG_MESSAGE, msg);
    }
  else
    {
      guint n = entries ? entries->len : 0;
      dcc_wire_put_u32_frame (out, DCC_IS_TAG_COUNT, n);
      /* Room for every entry first (a kernel unit's reply is ~60 KB: one
       * allocation instead of a dozen reallocs), then each encoded in
       * place, its frame's length patched in after. */
      gsize need = 0;
      for (guint i = 0; i < n; i++)
        {
          const DccEntry *e = entries->pdata[i];
          need += 8 + ENTRY_FIXED_LEN + strlen (e->path) + (e->target ? strlen (e->target) : 0);
        }
      dcc_reserve (out, need + 8);
      for (guint i = 0; i < n; i++)
        {
          dcc_put_u32 (out, DCC_IS_TAG_ENTRY);
          guint at = out->len;
          dcc_put_u32 (out, 0);
          dcc_is_entry_encode (out, entries->pdata[i]);
          dcc_patch_u32 (out, at, out->len - at - 4);
        }
    }
  dcc_wire_put_frame (out, DCC_IS_TAG_DONE, NULL, 0);
}

static gboolean
hash_is_zero (const DccHash *h)
{
  for (guint i = 0; i < DCC_HASH_LEN; i++)
    if (h->bytes[i])
      return FALSE;
  return TRUE;
}

void
dcc_is_entry_encode (GByteArray *out, const DccEntry *e)
{
  /* The same bytes as a dcc_put_* per field, into one span grown once: a
   * kernel unit's reply is ~600 entries of six fields each. */
  guint32 path_len = (guint32) strlen (e->path), target_len = e->target ? (guint32) strlen (e->target) : 0;
  guint at = out->len;
  g_byte_array_set_size (out, at + ENTRY_FIXED_LEN + path_len + target_len);
  out->data[at] = e->kind;
  dcc_patch_u32 (out, at + 1, e->mode);
  dcc_patch_u32 (out, at + 5, (guint32) (e->size >> 32));
  dcc_patch_u32 (out, at + 9, (guint32) e->size);
  at += 13;
  memcpy (out->data + at, e->hash.bytes, DCC_HASH_LEN);
  at += DCC_HASH_LEN;
  dcc_patch_u32 (out, at, path_len);
  memcpy (out->data + at + 4, e->path, path_len);
  at += 4 + path_len;
  dcc_patch_u32 (out, at, target_len);
  if (target_len)
    memcpy (out->data + at + 4, e->target, target_len);
}

gboolean
dcc_is_entry_decode (const guint8 *buf, gsize len, DccEntry **out, GError **error)
{
  DccReader r;
  const guint8 *hash;
  g_autoptr(DccEntry) e = g_new0 (DccEntry, 1);
  dcc_reader_init (&r, buf, len);
  if (!dcc_reader_u8 (&r, &e->kind) || !dcc_reader_u32 (&r, &e->mode)
      || !dcc_reader_u64 (&r, &e->size) || !dcc_reader_bytes (&r, DCC_HASH_LEN, &hash)
      || !dcc_reader_string (&r, DCC_MAX_PATH_LEN, &e->path)
      || !dcc_reader_string (&r, DCC_MAX_PATH_LEN, &e->target))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "truncated or oversized entry");
  if (r.left != 0)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "trailing bytes in entry");
  memcpy (e->hash.bytes, hash, DCC_HASH_LEN);
  if (e->kind > DCC_ENTRY_SYMLINK)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "entry kind %u unknown", e->kind);
  if (e->mode & ~07777u)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "entry mode %o has type bits", e->mode);
  if (!dcc_is_path_is_normalized (e->path))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "entry path is not absolute and normalized");
  if (e->kind == DCC_ENTRY_FILE)
    {
      if (e->size > DCC_MAX_FILE_SIZE)
        return dcc_fail (error, DCC_ERROR_LIMIT, "file of %" G_GUINT64_FORMAT " bytes", e->size);
      if (e->target[0])
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "file entry with a link target");
    }
  else
    {
      if (e->size != 0 || !hash_is_zero (&e->hash))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "directory or symlink with size or hash");
      if ((e->kind == DCC_ENTRY_SYMLINK) != (e->target[0] != '\0'))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "link target on a non-link, or empty target");
    }
  *out = g_steal_pointer (&e);
  return TRUE;
}

/* Checks e's place after the entries in seen (path -> kind): not listed
 * twice, its parent a directory listed earlier; then adds it. */
static gboolean
take_in_order (GHashTable *seen, const DccEntry *e, GError **error)
{
  if (g_hash_table_contains (seen, e->path))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "entry path listed twice");
  const char *slash = strrchr (e->path, '/');
  if (slash != e->path)
    {
      g_autofree char *parent = g_strndup (e->path, (gsize) (slash - e->path));
      gpointer kind;
      if (!g_hash_table_lookup_extended (seen, parent, NULL, &kind)
          || GPOINTER_TO_UINT (kind) != DCC_ENTRY_DIR)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "entry before its parent directory");
    }
  g_hash_table_insert (seen, e->path, GUINT_TO_POINTER ((guint) e->kind));
  return TRUE;
}

gboolean
dcc_is_entries_check_order (const GPtrArray *entries, GError **error)
{
  /* Keys point into the entries, which outlive the table. */
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < entries->len; i++)
    if (!take_in_order (seen, entries->pdata[i], error))
      {
        g_prefix_error (error, "entry %u: ", i);
        return FALSE;
      }
  return TRUE;
}

/* Parses and checks one ENTR payload against the entries seen so far. */
static gboolean
parse_entry (const DccFrame *f, GHashTable *seen, DccEntry **out, GError **error)
{
  g_autoptr(DccEntry) e = NULL;
  if (!dcc_is_entry_decode (f->payload, f->len, &e, error) || !take_in_order (seen, e, error))
    return FALSE;
  *out = g_steal_pointer (&e);
  return TRUE;
}

DccWireResult
dcc_is_reply_decode (const guint8 *buf, gsize len, DccIsStatus *status_out, char **message_out,
                     GPtrArray **entries_out, gsize *consumed, GError **error)
{
  gsize pos = 0;
  DccFrame f;
  guint32 status, count;

  TRY (next_frame (buf, len, &pos, DCC_IS_TAG_STATUS, 4, &f, error));
  TRY (frame_u32 (&f, &status, error));
  if (status > DCC_IS_STATUS_BAD_REQUEST)
    {
      dcc_fail (error, DCC_ERROR_PROTOCOL, "include server status %u unknown", status);
      return DCC_WIRE_ERROR;
    }
  if (status != DCC_IS_STATUS_OK)
    {
      g_autofree char *msg = NULL;
      TRY (next_frame (buf, len, &pos, DCC_IS_TAG_MESSAGE, DCC_IS_MAX_MESSAGE_LEN, &f, error));
      TRY (frame_string (&f, &msg, error));
      TRY (next_frame (buf, len, &pos, DCC_IS_TAG_DONE, 0, &f, error));
      *status_out = (DccIsStatus) status;
      *message_out = g_steal_pointer (&msg);
      *consumed = pos;
      return DCC_WIRE_OK;
    }
  TRY (next_frame (buf, len, &pos, DCC_IS_TAG_COUNT, 4, &f, error));
  TRY (frame_u32 (&f, &count, error));
  if (count > DCC_MAX_MANIFEST_ENTRIES)
    {
      dcc_fail (error, DCC_ERROR_LIMIT, "%u entries, limit %u", count, DCC_MAX_MANIFEST_ENTRIES);
      return DCC_WIRE_ERROR;
    }
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
  /* Keys point into the entries, which outlive the table. */
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint32 i = 0; i < count; i++)
    {
      DccEntry *e = NULL;
      TRY (next_frame (buf, len, &pos, DCC_IS_TAG_ENTRY, DCC_IS_MAX_ENTRY_FRAME, &f, error));
      if (!parse_entry (&f, seen, &e, error))
        {
          g_prefix_error (error, "entry %u: ", i);
          return DCC_WIRE_ERROR;
        }
      g_ptr_array_add (entries, e);
    }
  TRY (next_frame (buf, len, &pos, DCC_IS_TAG_DONE, 0, &f, error));
  *status_out = DCC_IS_STATUS_OK;
  *entries_out = g_steal_pointer (&entries);
  *consumed = pos;
  return DCC_WIRE_OK;
}

/* ---- client side: the only part of this file that touches a socket ---- */

static gint64
remaining_ms (gint64 deadline)
{
  gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
  return left > 0 ? left : 0;
}

static gboolean
wait_fd (int fd, short events, gint64 deadline, GError **error)
{
  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = events };
      gint64 left = remaining_ms (deadline);
      if (left == 0)
        return dcc_fail (error, DCC_ERROR_TIMEOUT, "include server did not answer in time");
      int n = poll (&pfd, 1, (int) MIN (left, G_MAXINT));
      if (n > 0)
        return TRUE;
      if (n < 0 && errno != EINTR)
        return dcc_fail_errno (error, "poll");
    }
}


gboolean
dcc_is_exchange (const char *socket_path, const char *cwd, const char *const *argv,
                 int timeout_ms, GByteArray **reply_out, GError **error)
{
  gint64 deadline = g_get_monotonic_time ()
                    + (gint64) (timeout_ms > 0 ? timeout_ms : DEFAULT_QUERY_TIMEOUT_MS) * 1000;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (socket_path) >= sizeof addr.sun_path)
    return dcc_fail (error, DCC_ERROR_INVALID, "include server socket path too long");
  strcpy (addr.sun_path, socket_path);

  dcc_autofd fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return dcc_fail_errno (error, "socket");
  g_autoptr(GByteArray) out = g_byte_array_new ();
  /* Room for a kernel unit's reply (~70 KB), received in place: pages are
   * touched only as the reply fills them. */
  g_autoptr(GByteArray) in = g_byte_array_sized_new (128 * 1024);

  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return dcc_fail_errno (error, "connect to include server %s", socket_path);
  dcc_is_request_encode (out, cwd, argv);
  for (gsize done = 0; done < out->len;)
    {
      if (!wait_fd (fd, POLLOUT, deadline, error))
        return FALSE;
      ssize_t n = send (fd, out->data + done, out->len - done, MSG_NOSIGNAL);
      if (n < 0 && errno != EINTR && errno != EAGAIN)
        return dcc_fail_errno (error, "send to include server");
      if (n > 0)
        done += (gsize) n;
    }
  /* Read in large chunks (a reply has a frame per file, hundreds of
   * them), checking each frame header as soon as it is in, and decode once
   * the DONE frame is complete: the parser stays pure. */
  gsize scanned = 0;
  for (;;)
    {
      for (;;)
        {
          guint32 tag, flen;
          DccWireResult r = dcc_wire_decode_header_at (in->data, in->len, scanned,
                                                       DCC_IS_MAX_ENTRY_FRAME, &tag, &flen, error);
          if (r == DCC_WIRE_ERROR)
            return FALSE;
          if (r == DCC_WIRE_NEED_MORE || in->len - scanned - DCC_FRAME_HEADER_LEN < flen)
            break;
          scanned += DCC_FRAME_HEADER_LEN + flen;
          if (tag == DCC_IS_TAG_DONE)
            {
              /* Anything after DONE is not part of the reply. */
              g_byte_array_set_size (in, (guint) scanned);
              *reply_out = g_steal_pointer (&in);
              return TRUE;
            }
        }
      if (in->len > DCC_IS_MAX_REPLY_SIZE)
        return dcc_fail (error, DCC_ERROR_LIMIT, "include server reply over %u bytes", DCC_IS_MAX_REPLY_SIZE);
      if (!wait_fd (fd, POLLIN, deadline, error))
        return FALSE;
      guint had = in->len;
      g_byte_array_set_size (in, had + 65536);
      ssize_t n = recv (fd, in->data + had, 65536, 0);
      int saved = errno;
      g_byte_array_set_size (in, had + (guint) MAX (n, 0));
      errno = saved;
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n < 0)
        return dcc_fail_errno (error, "read from include server");
      if (n == 0)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "include server closed the connection mid-reply");
    }
}

gboolean
dcc_is_query (const char *socket_path, const char *cwd, const char *const *argv,
              int timeout_ms, GPtrArray **entries_out, GError **error)
{
  g_autoptr(GByteArray) in = NULL;
  if (!dcc_is_exchange (socket_path, cwd, argv, timeout_ms, &in, error))
    return FALSE;
  DccIsStatus status;
  g_autofree char *message = NULL;
  gsize used;
  GError *local = NULL;
  DccWireResult r = dcc_is_reply_decode (in->data, in->len, &status, &message, entries_out, &used, &local);
  if (r != DCC_WIRE_OK || used != in->len)
    {
      if (!local)
        local = g_error_new (DCC_ERROR, DCC_ERROR_PROTOCOL, "DONE before the reply was complete");
      g_propagate_prefixed_error (error, local, "include server reply: ");
      return FALSE;
    }
  if (status != DCC_IS_STATUS_OK)
    return dcc_fail (error, status == DCC_IS_STATUS_BAD_REQUEST ? DCC_ERROR_PROTOCOL : DCC_ERROR_FAILED,
                     "include server: %s", message);
  return TRUE;
}
