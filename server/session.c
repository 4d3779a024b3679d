#include "session.h"
#include "job-board.h"
#include "stats.h"
#include "dcc-error.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "dcc-path.h"
#include "dcc-compiler-id.h"
#include "dcc-request.h"
#include "dcc-request-reader.h"
#include "dcc-args.h"
#include "job-slots.h"
#include "pump-job.h"
#include "result-cache.h"
#include "result-cwd.h"
#include "scan-memo.h"
#include "run-compiler.h"
#include "stock-session.h"
#include <string.h>

/* Blocking read of one request (inetd mode), with the same incremental
 * reader as distccd's event loop and the same whole-request deadline. */
static DccRequest *
read_request (int fd, int timeout_s, gint64 deadline_us, guint64 input_limit, DccProtocol *protocol,
              GError **error)
{
  g_autoptr(DccRequestReader) reader = dcc_request_reader_new (DCC_MAX_FRAME);
  dcc_request_reader_set_input_limit (reader, input_limit);
  g_autofree guint8 *buf = g_malloc (DCC_SESSION_READ_CHUNK);
  for (;;)
    {
      gsize got, used;
      if (!dcc_io_read_some_until (fd, buf, DCC_SESSION_READ_CHUNK, timeout_s, deadline_us, &got, error))
        return NULL;
      if (got == 0)
        return dcc_fail (error, DCC_ERROR_IO, "connection closed before the request was complete"), NULL;
      DccReaderResult r = dcc_request_reader_feed (reader, buf, got, &used, error);
      *protocol = dcc_request_reader_protocol (reader);
      if (r == DCC_READER_ERROR)
        return NULL;
      if (r == DCC_READER_COMPLETE)
        {
          /* A client sends nothing more until it is answered (NEED or the reply). */
          if (used != got)
            return dcc_fail (error, DCC_ERROR_PROTOCOL, "bytes after the end of the request"), NULL;
          return dcc_request_reader_steal_request (reader);
        }
    }
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
check_compiler_id (DccRequest *req, const char *compiler, const char *cache_dir, char **ours_out,
                   GError **error)
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
  *ours_out = g_steal_pointer (&ours);
  return TRUE;
}

/* The result cache's keys for this request, or FALSE when its result must
 * not be cached (*why says why, for the debug log). *key names the
 * working directory; *rel_key, when *has_rel, leaves it out (the working
 * directory cannot reach the output as far as the request's command line
 * and manifest show: result-cwd.h), else *rel_why says why not. */
static gboolean
result_key (DccRequest *req, const char *compiler, const char *compiler_id, const DccSessionConfig *cfg,
            DccHash *key, DccHash *rel_key, gboolean *has_rel, const char **rel_why, const char **why)
{
  g_autoptr(DccCompileArgs) a = NULL;
  *has_rel = FALSE;
  if (!cfg->result_cache || !cfg->store)
    return *why = "the result cache is off", FALSE;
  if (!dcc_args_scan ((const char *const *) req->argv->pdata, &a, NULL))
    return *why = "the command line is refused", FALSE;
  g_autofree char *id = compiler_id ? g_strdup (compiler_id) : NULL;
  if (!id && !(id = dcc_compiler_id_get (compiler, dcc_args_lang_name (a->lang), cfg->cache_dir,
                                         dcc_compiler_match_strict_from_env (NULL), NULL)))
    return *why = "the compiler cannot be identified", FALSE;
  g_auto(GStrv) env = dcc_job_forwarded_env (req->env);
  if ((*why = dcc_result_uncacheable_args ((const char *const *) req->argv->pdata, (const char *const *) env)))
    return FALSE;
  DccResultKeyInput in = {
    .req = req, .compiler = compiler, .compiler_id = id, .env = (const char *const *) env,
    .daemon_path = g_getenv ("PATH"),
  };
  dcc_result_key (&in, key);
  if (!(*rel_why = dcc_result_cwd_reaches (req)))
    {
      in.relative = TRUE;
      dcc_result_key (&in, rel_key);
      *has_rel = TRUE;
    }
  return TRUE;
}

/* result_unstorable's answer when memo_only and an input's scan is not in
 * the memo. */
static const char NOT_IN_MEMO[] = "an input's scan is not in the memo";

/* Why a finished compile's result must not be stored, or NULL: a failure,
 * stderr naming a temporary file, or an input whose text makes the result
 * depend on more than the key (doc/result-cache.md). Each content's scan
 * is remembered by its digest (scan-memo.h), so only contents the memo
 * does not know yet are read from the store (memo_only: NOT_IN_MEMO
 * instead); *read_out counts them.
 * *flags_out gets each manifest entry's scan flags (plain mode: the text's
 * in [0]), for dcc_result_cwd_texts_verdict. */
static const char *
result_unstorable (DccCompileJob *job, DccRequest *req, DccStore *store, DccScanMemo *memo, gboolean memo_only,
                   guint *read_out, guint **flags_out)
{
  *read_out = 0;
  *flags_out = NULL;
  if (dcc_compile_job_status (job) != 0)
    return "the compile failed";
  GBytes *err = dcc_compile_job_stderr (job);
  g_autofree char *tmp = dcc_compile_job_tmp_dir (job);
  gsize err_len = 0;
  const void *err_data = err ? g_bytes_get_data (err, &err_len) : NULL;
  if (err_len > 0 && dcc_result_names_temp_file (err_data, err_len, tmp))
    return "its messages name a temporary file";
  g_auto(GStrv) env = dcc_job_forwarded_env (req->env);
  guint flags = 0;
  guint *each = NULL;
  if (req->mode == DCC_MODE_PLAIN)
    {
      gsize len;
      const guint8 *text = g_bytes_get_data (req->source_text, &len);
      each = g_new0 (guint, 1);
      flags = each[0] = dcc_result_scan_text (text, len);
    }
  else
    {
      each = g_new0 (guint, MAX (req->manifest->len, 1u));
      g_autoptr(GHashTable) seen = g_hash_table_new (dcc_hash_hash, dcc_hash_equal_func);
      for (guint i = 0; i < req->manifest->len; i++)
        {
          DccEntry *e = req->manifest->pdata[i];
          if (e->kind != DCC_ENTRY_FILE)
            continue;
          gpointer known;
          if (g_hash_table_lookup_extended (seen, &e->hash, NULL, &known))
            {
              each[i] = GPOINTER_TO_UINT (known);
              continue;
            }
          guint f;
          if (!dcc_scan_memo_get (memo, &e->hash, &f))
            {
              if (memo_only)
                return g_free (each), NOT_IN_MEMO;
              g_autoptr(GBytes) text = dcc_store_read (store, &e->hash, NULL);
              if (!text)
                return g_free (each), "an input left the store";
              gsize len;
              const guint8 *p = g_bytes_get_data (text, &len);
              f = dcc_result_scan_text (p, len);
              dcc_scan_memo_put (memo, &e->hash, f);
              (*read_out)++;
            }
          g_hash_table_insert (seen, &e->hash, GUINT_TO_POINTER (f));
          each[i] = f;
          flags |= f;
        }
    }
  *flags_out = each;
  return dcc_result_text_verdict (flags, (const char *const *) env);
}

typedef struct {
  DccHash  key, rel_key;
  gboolean has_rel;
} ResultKeys;

/* Checks a finished compile's result and stores it under the key that
 * fits (doc/result-cache.md). memo_only: FALSE, without touching the
 * store, when an input's scan is not in the memo (call again with FALSE
 * later); else TRUE, stored or not. */
static gboolean
store_result (DccCompileJob *job, DccRequest *req, const DccSessionConfig *cfg, const ResultKeys *keys,
              const char *src, GByteArray *reply, gboolean memo_only)
{
  g_autoptr(GError) save_error = NULL;
  gint64 t_save = g_get_monotonic_time ();
  guint read = 0;
  g_autofree guint *flags = NULL;
  const char *unstorable = result_unstorable (job, req, cfg->store, cfg->scan_memo, memo_only, &read, &flags);
  if (unstorable == NOT_IN_MEMO)
    return FALSE;
  if (read > 0)
    dcc_debug ("result cache: %s: %u inputs read from the store and scanned (not in the scan memo), after the reply",
               src, read);
  /* Under the key without the working directory only when no input's
   * text can take a path out of it or into it from above. */
  const char *texts_why = NULL;
  gboolean rel = !unstorable && keys->has_rel && !(texts_why = dcc_result_cwd_texts_verdict (req, flags));
  if (texts_why)
    dcc_debug ("result cache: %s keyed with its working directory: %s", src, texts_why);
  if (unstorable)
    dcc_debug ("result cache: %s not stored: %s", src, unstorable);
  else if (!dcc_result_cache_save (cfg->store, rel ? &keys->rel_key : &keys->key, reply, rel ? req->cwd : NULL,
                                    &save_error))
    dcc_debug ("result cache: %s not stored: %s", src, save_error->message);
  else
    {
      dcc_stats_count (DCC_STATS_RESULT_STORED);
      dcc_debug ("result cache: stored %s%s (checked and stored in %.1f ms)", src,
                 rel ? " without its working directory in the key" : "",
                 (double) (g_get_monotonic_time () - t_save) / 1000.0);
    }
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

/* The reply in the client's protocol: ours as it is, a stock client's
 * transcoded. */
static gboolean
send_reply (int fd, const DccRequest *req, GByteArray *reply, int timeout_s, GError **error)
{
  if (!req->stock_protover)
    return dcc_io_write_all (fd, reply->data, reply->len, timeout_s, error);
  g_autoptr(GByteArray) stock = g_byte_array_new ();
  return dcc_stock_session_reply (req, reply->data, reply->len, stock, error)
         && dcc_io_write_all (fd, stock->data, stock->len, timeout_s, error);
}

static const char *
mode_for_log (const DccRequest *req)
{
  switch (req->stock_protover)
    {
    case 1: return "stock protocol 1";
    case 2: return "stock protocol 2, lzo";
    default: return req->mode == DCC_MODE_PUMP ? "pump" : "plain";
    }
}

static gboolean
serve (int fd, const char *peer, DccRequest *req, gint64 deadline_us, const DccSessionConfig *cfg,
       GError **error)
{
  /* A stock client sends no compiler identity: only its name is checked
   * (as stock distccd does), which a volunteer that insists on binary
   * equality cannot accept. */
  if (req->stock_protover)
    {
      if (dcc_compiler_match_strict_from_env (NULL))
        return dcc_fail (error, DCC_ERROR_REFUSED, "compiler identity cannot be checked for a stock distcc client "
                         "(its protocol carries none), and this volunteer has DISTCC_COMPILER_MATCH=strict");
      if (!dcc_stock_session_adapt (req, error))
        return FALSE;
    }
  const char *name = req->argv->pdata[0];
  g_autofree char *compiler = dcc_compiler_allow_resolve (cfg->allow, name, error);
  if (!compiler)
    return FALSE;
  /* After the checks that need no source text: a refused request costs
   * no inflating. */
  if (!dcc_request_inflate_source (req, error))
    return FALSE;

  g_autofree char *compiler_id = NULL;
  if (req->compiler_id && !check_compiler_id (req, compiler, cfg->cache_dir, &compiler_id, error))
    return FALSE;

  /* Before the result cache can answer: a hit must not serve a request
   * that the compile would refuse (its key leaves the directory out). */
  if (!dcc_path_check_client (req->cwd, strlen (req->cwd), error))
    return FALSE;

  gint64 t0 = g_get_monotonic_time ();
  g_autofree char *src = source_for_log (req);
  gboolean pump = req->mode == DCC_MODE_PUMP;
  g_auto(DccBoardJob) board = dcc_job_board_begin (peer, src, name, pump ? "pump" : "plain");
  DccHash key = { { 0 } }, rel_key = { { 0 } };
  gboolean has_rel = FALSE;
  const char *uncacheable = NULL, *rel_why = NULL;
  gboolean cacheable = result_key (req, compiler, compiler_id, cfg, &key, &rel_key, &has_rel, &rel_why, &uncacheable);
  if (cacheable)
    {
      /* A hit answers before any upload (pump mode sends no NEED). The
       * key without the working directory first: a result stored under
       * it passed dcc_result_cwd_texts_verdict for these very inputs. */
      g_autoptr(GByteArray) hit = has_rel ? dcc_result_cache_lookup (cfg->store, &rel_key, req->cwd) : NULL;
      if (!hit)
        hit = dcc_result_cache_lookup (cfg->store, &key, NULL);
      if (!has_rel)
        dcc_debug ("result cache: %s keyed with its working directory: %s", src, rel_why);
      if (hit)
        {
          dcc_stats_count (DCC_STATS_RESULT_HIT);
          dcc_job_board_result (board, "cache-hit", 0);
          dcc_info ("result cache hit: %s for %s with %s in %lld ms (%s mode), no compiler run", src, peer, name,
                    (long long) ((g_get_monotonic_time () - t0) / 1000), mode_for_log (req));
          return send_reply (fd, req, hit, cfg->io_timeout_s, error);
        }
    }
  else
    dcc_debug ("result cache: %s not cacheable: %s", src, uncacheable);
  g_autoptr(DccCompileJob) job = dcc_compile_job_new (&cfg->job, error);
  if (!job)
    return FALSE;
  if (cacheable && has_rel)
    dcc_compile_job_hide_cwd (job);
  if (pump ? !dcc_pump_job_receive (req, fd, cfg->store, cacheable ? cfg->scan_memo : NULL, cfg->io_timeout_s,
                                    deadline_us, error)
           : !dcc_compile_job_new_tree (job, error))
    return FALSE;
  gint64 t_received = g_get_monotonic_time ();

  int slot_index = 0;
  dcc_job_board_phase (board, "queue");
  int slot = dcc_job_slot_acquire (cfg->slot_dir, cfg->jobs, 3600, &dcc_run_cancelled, &slot_index, error);
  if (slot < 0)
    return FALSE;
  gint64 t_slot = g_get_monotonic_time ();
  /* Pump mode reuses the slot's tree: consecutive jobs share most headers,
   * so only what differs is linked or removed. */
  dcc_job_board_phase (board, "layout");
  g_autofree char *tree_name = g_strdup_printf ("tree-%d", slot_index);
  gboolean ok = !pump || (dcc_compile_job_reuse_tree (job, cfg->slot_dir, tree_name, error)
                          && dcc_compile_job_lay_out (job, req->manifest, cfg->store, error));
  ok = ok && dcc_compile_job_prepare (job, req, compiler, error);
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  gint64 start = g_get_monotonic_time ();
  dcc_job_board_phase (board, "compile");
  ok = ok && dcc_compile_job_run (job, req, reply, error);
  dcc_job_slot_release (slot);
  if (!ok)
    return FALSE;
  gint64 t_run = g_get_monotonic_time ();
  dcc_stats_compiled (peer, src, name, (t_run - start) / 1000, dcc_compile_job_status (job));
  dcc_job_board_result (board, dcc_compile_job_status (job) == 0 ? "ok" : "error", dcc_compile_job_status (job));
  dcc_job_board_phase (board, "reply");
  /* A failed compile is a normal answer, but the log says it failed. */
  int status = dcc_compile_job_status (job);
  dcc_info ("compiled %s for %s with %s in %lld ms (%s mode), exit status %d%s", src, peer, name,
            (long long) ((t_run - start) / 1000), mode_for_log (req), status,
            status != 0 ? ": the compile failed" : "");
  /* Stored before the reply goes out, so that the client's next request
   * for the same key finds it, when the scan memo knows every input; else
   * after it (a miss that reads inputs back from the store, as after a
   * restart, does not hold the reply: a request for the same key that
   * comes before the result is stored is compiled again). */
  ResultKeys keys = { .key = key, .rel_key = rel_key, .has_rel = has_rel };
  gboolean stored = !cacheable || store_result (job, req, cfg, &keys, src, reply, TRUE);
  gboolean sent = send_reply (fd, req, reply, cfg->io_timeout_s, error);
  gint64 t_sent = g_get_monotonic_time ();
  if (!stored)
    store_result (job, req, cfg, &keys, src, reply, FALSE);
  g_clear_pointer (&job, dcc_compile_job_free);
  /* "reply ready to sent": from the compile's outputs collected to the
   * reply written, the result cache's check and store included. */
  dcc_debug ("timing: receive %lld ms, slot wait %lld ms, layout %lld ms, compile+collect %lld ms, "
             "reply ready to sent %.1f ms, cleanup %lld ms",
             (long long) (t_received - t0) / 1000, (long long) (t_slot - t_received) / 1000,
             (long long) (start - t_slot) / 1000, (long long) (t_run - start) / 1000,
             (double) (t_sent - t_run) / 1000.0, (long long) (g_get_monotonic_time () - t_sent) / 1000);
  return sent;
}

/* A stock client gets no EROR (its protocol has none): the connection is
 * closed without a reply, as stock distccd does, and it compiles elsewhere.
 * A full disk is said as the volunteer's trouble, without the file it was
 * writing (a path of this machine's, for the log only). */
static void
report_failure (int fd, const char *peer, gboolean stock, GError *error)
{
  dcc_stats_count (g_error_matches (error, DCC_ERROR, DCC_ERROR_IO) ? DCC_STATS_CLI_DISCONNECT
                   : g_error_matches (error, DCC_ERROR, DCC_ERROR_TIMEOUT) ? DCC_STATS_COMPILE_TIMEOUT
                   : error->domain == DCC_ERROR && error->code != DCC_ERROR_FAILED
                     && error->code != DCC_ERROR_NO_SPACE ? DCC_STATS_REJ_BAD_REQ
                   : DCC_STATS_OTHER);
  g_autofree char *msg = dcc_escape_for_log (error->message, 500);
  dcc_warning ("job from %s failed: %s%s", peer, msg,
               stock ? " (stock distcc client: connection closed without a reply)" : "");
  if (stock)
    return;
  if (g_error_matches (error, DCC_ERROR, DCC_ERROR_NO_SPACE))
    send_error (fd, DCC_VOLUNTEER_TROUBLE_PREFIX "no space left on its disk (its log names the file)", 5);
  else if (!g_error_matches (error, DCC_ERROR, DCC_ERROR_IO)
           && !g_error_matches (error, DCC_ERROR, DCC_ERROR_TIMEOUT))
    send_error (fd, msg, 5);
}

static gboolean
serve_counted (int fd, const char *peer, DccRequest *req, gint64 deadline_us, const DccSessionConfig *cfg,
               GError **error)
{
  dcc_stats_count (DCC_STATS_ACCEPT);
  dcc_stats_busy (1);
  gboolean served = serve (fd, peer, req, deadline_us, cfg, error);
  dcc_stats_busy (-1);
  return served;
}

void
dcc_session_serve_request (int fd, const char *peer, DccRequest *req, gint64 deadline_us,
                           const DccSessionConfig *cfg)
{
  g_autoptr(GError) error = NULL;
  if (!serve_counted (fd, peer, req, deadline_us, cfg, &error))
    report_failure (fd, peer, req->stock_protover != 0, error);
}

void
dcc_session_serve (int fd, const char *peer, const DccSessionConfig *cfg)
{
  g_autoptr(GError) error = NULL;
  gint64 deadline_us = g_get_monotonic_time () + (gint64) cfg->request_timeout_s * G_USEC_PER_SEC;
  DccProtocol protocol = DCC_PROTOCOL_UNKNOWN;
  g_autoptr(DccRequest) req = read_request (fd, cfg->io_timeout_s, deadline_us, cfg->job_input_bytes, &protocol,
                                            &error);
  if (!req || !serve_counted (fd, peer, req, deadline_us, cfg, &error))
    report_failure (fd, peer, protocol == DCC_PROTOCOL_DIST, error);
}
