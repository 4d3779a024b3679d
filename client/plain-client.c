#include "plain-client.h"
#include "compiler.h"
#include "dcc-fd.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "dcc-state.h"
#include "host-pick.h"
#include "plain-mode.h"
#include "remote.h"
#include "run-local.h"
#include <string.h>
#include <unistd.h>

GBytes *
dcc_plain_run_cpp (const char *distcc_dir, const char *compiler_path, char **cpp_argv, const char *source_name,
                   const DccHost *host, int slot, int localslots_cpp, char **why)
{
  g_autoptr(GError) error = NULL;
  dcc_state_set (distcc_dir, DCC_PHASE_PREPROCESS, source_name, host->hostname, slot);
  g_autoptr(GBytes) cpp_out = NULL, cpp_err = NULL;
  int cpp_status;
  g_autoptr(DccSlot) cpp_slot = dcc_host_pick_local_cpp (distcc_dir, localslots_cpp, NULL);
  gboolean ran = dcc_run_capture (compiler_path, cpp_argv, NULL, &cpp_out, &cpp_err, &cpp_status, &error);
  g_clear_pointer (&cpp_slot, dcc_slot_release);
  if (!ran)
    {
      *why = g_strdup_printf ("cannot preprocess: %s", error->message);
      return NULL;
    }
  /* Diagnostics from preprocessing cannot be interleaved with the
   * volunteer's the way one local compile interleaves them: compile here. */
  if (cpp_status != 0 || g_bytes_get_size (cpp_err) != 0)
    {
      gsize err_len;
      const void *err = g_bytes_get_data (cpp_err, &err_len);
      if (cpp_status != 0 && err_len > 0
          && memmem (err, err_len, DCC_PLAIN_GCC_COUNTER_ERROR, strlen (DCC_PLAIN_GCC_COUNTER_ERROR)))
        *why = g_strdup (DCC_PLAIN_COUNTER_REASON);
      else
        *why = g_strdup (cpp_status != 0 ? "preprocessing failed" : "preprocessor printed diagnostics");
      return NULL;
    }
  return g_steal_pointer (&cpp_out);
}

DccRemoteOutcome
dcc_plain_compile (const char *distcc_dir, const char *compiler_path, const DccCompileArgs *a,
                   const char *cwd, const DccHost *host, int slot, int localslots_cpp,
                   int *exit_status, char **why)
{
  const char *source_name = a->argv[a->source_index];
  gboolean is_clang = dcc_compiler_is_clang (compiler_path);
  const char *reason = dcc_plain_local_reason (a, is_clang);
  if (reason)
    {
      *why = g_strdup (reason);
      return DCC_REMOTE_KEEP_LOCAL;
    }

  g_auto(GStrv) cpp_argv = dcc_plain_cpp_argv (a, is_clang);
  g_autoptr(GBytes) cpp_out = dcc_plain_run_cpp (distcc_dir, compiler_path, cpp_argv, source_name, host, slot,
                                                 localslots_cpp, why);
  if (cpp_out == NULL)
    return g_strcmp0 (*why, DCC_PLAIN_COUNTER_REASON) == 0 ? DCC_REMOTE_KEEP_LOCAL : DCC_REMOTE_RUN_LOCALLY;
  gsize text_len;
  const guint8 *text = g_bytes_get_data (cpp_out, &text_len);
  if (is_clang && dcc_plain_counter_in_directive (text, text_len))
    {
      *why = g_strdup (DCC_PLAIN_COUNTER_REASON);
      return DCC_REMOTE_KEEP_LOCAL;
    }
  /* __TIMESTAMP__ is the source file's mtime, which the volunteer's copy
   * does not have. */
  if (memmem (text, text_len, "__TIMESTAMP__", 13) != NULL)
    {
      *why = g_strdup ("__TIMESTAMP__ needs the source file's own modification time");
      return DCC_REMOTE_KEEP_LOCAL;
    }
  g_autoptr(GBytes) source = is_clang ? g_bytes_ref (cpp_out) : dcc_plain_strip_predefined (text, text_len);
  if (g_bytes_get_size (source) > DCC_MAX_FILE_SIZE)
    {
      *why = g_strdup ("preprocessed source larger than the protocol allows");
      return DCC_REMOTE_RUN_LOCALLY;
    }

  /* Stock's DISTCC_SAVE_TEMPS=1: keep the preprocessed text sent. */
  if (dcc_client_env_flag ("DISTCC_SAVE_TEMPS", FALSE))
    {
      g_autofree char *base = g_path_get_basename (source_name);
      g_autofree char *tmpl = g_strdup_printf ("distcc-XXXXXX-%s.i", base);
      g_autofree char *saved = NULL;
      dcc_autofd tfd = g_file_open_tmp (tmpl, &saved, NULL);
      if (tfd >= 0)
        {
          gsize n;
          const guint8 *d = g_bytes_get_data (source, &n);
          if (dcc_io_write_all (tfd, d, n, 10, NULL))
            dcc_notice ("DISTCC_SAVE_TEMPS: kept the preprocessed source of %s in %s", source_name, saved);
        }
    }

  g_auto(GStrv) plain_argv = dcc_plain_remote_argv (a);
  g_auto(DccRequestBasics) basics = { 0 };
  if (!dcc_client_request_basics (distcc_dir, compiler_path, (const char *const *) plain_argv, a, is_clang,
                                  &basics, why))
    return DCC_REMOTE_RUN_LOCALLY;
  g_autoptr(GByteArray) request = g_byte_array_new ();
  dcc_request_encode (request, &(DccRequestSpec) {
                        .mode = DCC_MODE_PLAIN, .argv = (const char *const *) basics.argv, .cwd = cwd,
                        .env = (const char *const *) basics.env, .compiler_id = basics.compiler_id,
                        .source_name = source_name, .source = g_bytes_get_data (source, NULL),
                        .source_len = g_bytes_get_size (source) });

  int timeout = dcc_remote_io_timeout ();
  dcc_autofd fd = dcc_client_connect (distcc_dir, host, source_name, slot, why);
  if (fd < 0)
    return DCC_REMOTE_HOST_FAILED;
  dcc_state_set (distcc_dir, DCC_PHASE_COMPILE, source_name, host->hostname, slot);
  g_autoptr(DccReply) reply = NULL;
  g_autofree char *peer = dcc_host_port_name (host);
  DccRemoteOutcome o = dcc_client_exchange (fd, peer, request, timeout, &reply, why);
  dcc_fd_clear (&fd);   /* done with the volunteer before writing the outputs */
  if (o != DCC_REMOTE_DONE)
    return o;
  dcc_state_set (distcc_dir, DCC_PHASE_RECEIVE, source_name, host->hostname, slot);
  return dcc_client_finish (a, cwd, reply, FALSE, FALSE, FALSE, exit_status, why);
}
