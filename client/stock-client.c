#include "stock-client.h"
#include "compiler.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "dcc-path.h"
#include "dcc-state.h"
#include "dcc-stock-wire.h"
#include "host-pick.h"
#include "plain-client.h"
#include "plain-mode.h"
#include "remote.h"
#include "run-local.h"
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *
dcc_stock_local_reason (const DccCompileArgs *a, gboolean is_clang)
{
  /* Not plain mode's -pedantic limit: a stock volunteer compiles a .i
   * file, whose line markers gcc -pedantic takes as they are. */
  const char *r = dcc_client_cpp_saves_temps (a);
  if (r)
    return r;
  /* The source is preprocessed here with its macros expanded (a stock
   * volunteer compiles it as a .i file, which cannot expand them): that
   * shifts the columns that -g records for everything after an expansion
   * on a line, so the object would not be a local build's. */
  if (a->debug_info)
    return "-g records columns that full preprocessing shifts; a stock volunteer cannot keep them (ours can)";
  /* A stock volunteer compiles in a directory of its own. */
  if (dcc_args_gcc_lto (a, is_clang))
    return "gcc -flto records the working directory in the object; a stock volunteer compiles in its own (ours can)";
  for (int i = 1; a->argv[i]; i++)
    {
      const char *s = a->argv[i];
      if (strcmp (s, "-x") == 0 || g_str_has_prefix (s, "-x"))
        return "a stock volunteer refuses -x";
      if (strcmp (s, "-fdirectives-only") == 0)
        return "-fdirectives-only cannot be given to a stock volunteer's compile of a .i file";
      if (g_str_has_prefix (s, "-fplugin=") || g_str_has_prefix (s, "-specs="))
        return "a stock volunteer refuses -fplugin= and -specs=";
    }
  return NULL;
}

GStrv
dcc_stock_remote_argv (const char *const *argv)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_strv_builder_add (b, argv[0]);
  for (int i = 1; argv[i]; i++)
    {
      gboolean with_value;
      if (dcc_plain_leaves_out (argv[i], TRUE, &with_value))
        {
          if (with_value && argv[i + 1])
            i++;
          continue;
        }
      g_strv_builder_add (b, argv[i]);
    }
  return g_strv_builder_end (b);
}

/* A first header that is no stock header: what answered is no distcc (a
 * web server, say), shown as text, other bytes as '.'. */
static gboolean
not_a_distcc (const guint8 *hdr, GError **error)
{
  char shown[DCC_STOCK_HEADER_LEN + 1];
  for (gsize i = 0; i < DCC_STOCK_HEADER_LEN; i++)
    shown[i] = hdr[i] >= 0x20 && hdr[i] < 0x7f && hdr[i] != '"' ? (char) hdr[i] : '.';
  shown[DCC_STOCK_HEADER_LEN] = '\0';
  return dcc_fail (error, DCC_ERROR_PROTOCOL, "not a distcc in this protocol either: it answered \"%s\"", shown);
}

/* Reads the reply header by header. */
static gboolean
read_reply (int fd, int timeout, DccStockReply *r, GError **error)
{
  for (gboolean first = TRUE; !r->complete; first = FALSE)
    {
      guint8 hdr[DCC_STOCK_HEADER_LEN];
      guint32 token, value, body_len;
      if (!dcc_io_read_exact (fd, hdr, sizeof hdr, timeout, error))
        return FALSE;
      if (!dcc_stock_header_parse (hdr, &token, &value, first ? NULL : error))
        return first ? not_a_distcc (hdr, error) : FALSE;
      if (!dcc_stock_reply_feed_header (r, token, value, &body_len, error))
        return FALSE;
      dcc_remote_count (0, sizeof hdr);
      if (body_len == 0)
        continue;
      g_autofree guint8 *body = g_malloc (body_len);
      if (!dcc_io_read_exact (fd, body, body_len, timeout, error)
          || !dcc_stock_reply_feed_body (r, body, body_len, error))
        return FALSE;
      dcc_remote_count (0, body_len);
    }
  return TRUE;
}

DccRemoteOutcome
dcc_stock_compile (const char *distcc_dir, const char *compiler_path, const DccCompileArgs *a, const char *cwd,
                   const DccHost *host, int slot, int localslots_cpp, int *exit_status, char **sent_name,
                   char **why)
{
  g_autoptr(GError) error = NULL;
  const char *source_name = a->argv[a->source_index];
  gboolean is_clang = dcc_compiler_is_clang (compiler_path);
  const char *reason = dcc_stock_local_reason (a, is_clang);
  if (reason)
    {
      *why = g_strdup (reason);
      return DCC_REMOTE_KEEP_LOCAL;
    }

  g_auto(GStrv) cpp_argv = dcc_plain_cpp_argv_full (a, is_clang);
  g_autoptr(GBytes) cpp_out = dcc_plain_run_cpp (distcc_dir, compiler_path, cpp_argv, source_name, host, slot,
                                                 localslots_cpp, why);
  if (cpp_out == NULL)
    return DCC_REMOTE_RUN_LOCALLY;
  if (g_bytes_get_size (cpp_out) > DCC_MAX_FILE_SIZE)
    {
      *why = g_strdup ("preprocessed source larger than we send");
      return DCC_REMOTE_RUN_LOCALLY;
    }

  /* The identity gives the target for the qualified name, as for ours. */
  g_auto(DccRequestBasics) basics = { 0 };
  if (!dcc_client_request_basics (distcc_dir, compiler_path, (const char *const *) a->argv, a, is_clang,
                                  &basics, why))
    return DCC_REMOTE_RUN_LOCALLY;
  g_auto(GStrv) argv = dcc_stock_remote_argv ((const char *const *) basics.argv);
  guint32 protover = host->lzo || host->cpp ? 2 : 1;
  g_autoptr(GByteArray) request = g_byte_array_new ();
  gsize text_len;
  const guint8 *text = g_bytes_get_data (cpp_out, &text_len);
  dcc_stock_request_encode (request, protover, (const char *const *) argv, text, text_len);

  int timeout = dcc_remote_io_timeout ();
  dcc_autofd fd = dcc_client_connect (distcc_dir, host, source_name, slot, why);
  if (fd < 0)
    return DCC_REMOTE_HOST_FAILED;
  dcc_state_set (distcc_dir, DCC_PHASE_COMPILE, source_name, host->hostname, slot);
  dcc_remote_count (request->len, 0);
  g_auto(DccStockReply) sr;
  dcc_stock_reply_init (&sr, protover);
  gboolean ok = dcc_io_write_all (fd, request->data, request->len, timeout, &error)
             && read_reply (fd, timeout, &sr, &error);
  dcc_fd_clear (&fd);
  if (!ok)
    {
      *why = g_strdup_printf ("stock protocol %u: %s", protover, error->message);
      return DCC_REMOTE_HOST_FAILED;
    }
  dcc_state_set (distcc_dir, DCC_PHASE_RECEIVE, source_name, host->hostname, slot);
  *sent_name = g_strdup (argv[0]);   /* it answered in the stock protocol */

  g_autoptr(DccReply) reply = dcc_reply_new ();
  int ws = sr.wait_status;
  reply->status = WIFSIGNALED (ws) ? 256 + WTERMSIG (ws) : WEXITSTATUS (ws);
  reply->out = sr.out ? g_bytes_ref (sr.out) : g_bytes_new (NULL, 0);
  reply->err = sr.err ? g_bytes_ref (sr.err) : g_bytes_new (NULL, 0);
  if (reply->status == 0)
    {
      DccOutputFile *f = g_new0 (DccOutputFile, 1);
      f->path = dcc_path_normalize (cwd, a->output);
      f->data = sr.obj ? g_bytes_ref (sr.obj) : g_bytes_new (NULL, 0);
      g_ptr_array_add (reply->files, f);
    }
  reply->complete = TRUE;
  return dcc_client_finish (a, cwd, reply, FALSE, FALSE, FALSE, exit_status, why);
}
