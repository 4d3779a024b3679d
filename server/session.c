#include "session.h"
#include "stats.h"
#include "dcc-error.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "dcc-compiler-id.h"
#include "dcc-request.h"
#include "dcc-args.h"
#include "job-slots.h"
#include "pump-job.h"
#include "run-compiler.h"
#include <string.h>

static gboolean
read_request (int fd, DccRequest *req, int timeout_s, GError **error)
{
  while (!req->complete)
    {
      guint32 tag, len;
      g_autofree guint8 *payload = NULL;
      if (!dcc_io_read_frame (fd, DCC_MAX_FRAME, timeout_s, &tag, &payload, &len, error))
        return FALSE;
      DccFrame frame = { .tag = tag, .len = len, .payload = payload };
      if (!dcc_request_feed (req, &frame, error))
        return FALSE;
    }
  return TRUE;
}

static void
send_error (int fd, const char *message, int timeout_s)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  dcc_reply_encode_error (out, message);
  dcc_io_write_all (fd, out->data, out->len, timeout_s, NULL);
}

/* A different compiler never silently makes the object: refuse, and the
 * client compiles elsewhere. */
static gboolean
check_compiler_id (DccRequest *req, const char *compiler, const char *cache_dir, GError **error)
{
  g_autoptr(DccCompileArgs) a = NULL;
  if (!dcc_args_scan ((const char *const *) req->argv->pdata, &a, NULL))
    return TRUE;   /* prepare refuses it with the reason */
  gboolean strict = dcc_compiler_id_is_strict (req->compiler_id) || dcc_compiler_match_strict_from_env (NULL);
  g_autofree char *ours = dcc_compiler_id_get (compiler, dcc_args_lang_name (a->lang), cache_dir, strict, error);
  if (!ours)
    return FALSE;
  g_autofree char *why = dcc_compiler_id_compare (req->compiler_id, ours);
  if (why)
    return dcc_fail (error, DCC_ERROR_MISMATCH, "%s", why);
  return TRUE;
}

/* The source file's name for log lines, escaped: plain mode sends it, a
 * pump-mode request names it in its command line. */
static char *
source_for_log (const DccRequest *req)
{
  if (req->source_name)
    return dcc_escape_for_log (req->source_name, 200);
  g_autoptr(DccCompileArgs) a = NULL;
  if (req->argv && dcc_args_scan ((const char *const *) req->argv->pdata, &a, NULL))
    return dcc_escape_for_log (a->argv[a->source_index], 200);
  return g_strdup ("(no source)");
}

static gboolean
serve (int fd, const char *peer, const DccSessionConfig *cfg, GError **error)
{
  g_autoptr(DccRequest) req = dcc_request_new ();
  if (cfg->job_input_bytes > 0)
    req->input_limit = cfg->job_input_bytes;
  if (!read_request (fd, req, cfg->io_timeout_s, error))
    return FALSE;
  const char *name = req->argv->pdata[0];
  g_autofree char *compiler = dcc_compiler_allow_resolve (cfg->allow, name, error);
  if (!compiler)
    return FALSE;

  if (req->compiler_id && !check_compiler_id (req, compiler, cfg->cache_dir, error))
    return FALSE;

  gint64 t0 = g_get_monotonic_time ();
  g_autoptr(DccCompileJob) job = dcc_compile_job_new (&cfg->job, error);
  if (!job)
    return FALSE;
  gboolean pump = req->mode == DCC_MODE_PUMP;
  if (pump ? !dcc_pump_job_receive (req, fd, cfg->store, cfg->io_timeout_s, error)
           : !dcc_compile_job_new_tree (job, error))
    return FALSE;
  gint64 t_received = g_get_monotonic_time ();

  int slot_index = 0;
  int slot = dcc_job_slot_acquire (cfg->slot_dir, cfg->jobs, 3600, &dcc_run_cancelled, &slot_index, error);
  if (slot < 0)
    return FALSE;
  gint64 t_slot = g_get_monotonic_time ();
  /* Pump mode reuses the slot's tree: consecutive jobs share most headers,
   * so only what differs is linked or removed. */
  g_autofree char *tree_name = g_strdup_printf ("tree-%d", slot_index);
  gboolean ok = !pump || (dcc_compile_job_reuse_tree (job, cfg->slot_dir, tree_name, error)
                          && dcc_pump_job_lay_out (job, req, cfg->store, error));
  ok = ok && dcc_compile_job_prepare (job, req, compiler, error);
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  gint64 start = g_get_monotonic_time ();
  ok = ok && dcc_compile_job_run (job, req, reply, error);
  dcc_job_slot_release (slot);
  if (!ok)
    return FALSE;
  gint64 t_run = g_get_monotonic_time ();
  g_autofree char *src = source_for_log (req);
  dcc_stats_compiled (src, name, (t_run - start) / 1000, dcc_compile_job_status (job));
  dcc_info ("compiled %s for %s with %s in %lld ms (%s mode)", src, peer, name,
            (long long) ((t_run - start) / 1000), pump ? "pump" : "plain");
  gboolean sent = dcc_io_write_all (fd, reply->data, reply->len, cfg->io_timeout_s, error);
  g_clear_pointer (&job, dcc_compile_job_free);
  dcc_debug ("timing: receive %lld ms, slot wait %lld ms, layout %lld ms, compile+collect %lld ms, "
             "reply+cleanup %lld ms",
             (long long) (t_received - t0) / 1000, (long long) (t_slot - t_received) / 1000,
             (long long) (start - t_slot) / 1000, (long long) (t_run - start) / 1000,
             (long long) (g_get_monotonic_time () - t_run) / 1000);
  return sent;
}

void
dcc_session_serve (int fd, const char *peer, const DccSessionConfig *cfg)
{
  g_autoptr(GError) error = NULL;
  dcc_stats_count (DCC_STATS_ACCEPT);
  dcc_stats_busy (1);
  gboolean served = serve (fd, peer, cfg, &error);
  dcc_stats_busy (-1);
  if (!served)
    {
      dcc_stats_count (g_error_matches (error, DCC_ERROR, DCC_ERROR_IO) ? DCC_STATS_CLI_DISCONNECT
                       : g_error_matches (error, DCC_ERROR, DCC_ERROR_TIMEOUT) ? DCC_STATS_COMPILE_TIMEOUT
                       : error->domain == DCC_ERROR && error->code != DCC_ERROR_FAILED ? DCC_STATS_REJ_BAD_REQ
                       : DCC_STATS_OTHER);
      g_autofree char *msg = dcc_escape_for_log (error->message, 500);
      dcc_warning ("job from %s failed: %s", peer, msg);
      if (!g_error_matches (error, DCC_ERROR, DCC_ERROR_IO) && !g_error_matches (error, DCC_ERROR, DCC_ERROR_TIMEOUT))
        send_error (fd, msg, 5);
    }
}
