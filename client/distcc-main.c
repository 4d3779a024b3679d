/* distcc: the client. Decides where a compile runs, runs it there, and makes
 * sure that a build never fails because a volunteer did. */
#include "compiler.h"
#include "dcc-args.h"
#include "dcc-error.h"
#include "dcc-hosts.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "dcc-request.h"
#include "dcc-state.h"
#include "dcc-strv.h"
#include "host-pick.h"
#include "outputs.h"
#include "plain-mode.h"
#include "pump-client.h"
#include "remote.h"
#include "response-file.h"
#include "run-local.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_DISTCC_FAILED 100   /* as stock distcc: distcc itself failed */

typedef struct {
  char        *distcc_dir;
  char        *compiler_path;   /* the real compiler */
  GStrv        user_argv;       /* as typed, argv[0] = compiler name */
  GStrv        argv;            /* @files expanded */
  char        *cwd;
  gboolean     fallback;        /* DISTCC_FALLBACK != 0 */
  const char  *source;          /* for state and log lines */
} Job;

static void
usage (FILE *out)
{
  fputs ("Usage: distcc [COMPILER] [compile options] -o OBJECT -c SOURCE\n"
         "       distcc --help | --version | --show-hosts | -j\n"
         "\n"
         "Distributes compilation of C and C++ to the hosts in DISTCC_HOSTS\n"
         "(or ~/.distcc/hosts). See distcc(1).\n", out);
}

static gboolean
env_flag (const char *name, gboolean dflt)
{
  const char *v = g_getenv (name);
  if (!v || !*v)
    return dflt;
  return strcmp (v, "0") != 0;
}

static void
setup_logging (void)
{
  const char *log = g_getenv ("DISTCC_LOG");
  DccLogLevel level = env_flag ("DISTCC_VERBOSE", FALSE) ? DCC_LOG_DEBUG : DCC_LOG_WARNING;
  dcc_log_setup ("distcc", log && *log ? log : NULL, level);
}

/* The result line that tests and users grep for: exactly one per compile,
 * written only when DISTCC_LOG names a file (or DISTCC_VERBOSE is set). */
static void
log_result (const char *what, const char *detail, const char *source)
{
  const char *log = g_getenv ("DISTCC_LOG");
  if ((log && *log) || env_flag ("DISTCC_VERBOSE", FALSE))
    dcc_log_always ("result: %s %s file=%s", what, detail, source ? source : "-");
}

static DccHostList *
load_hosts (const char *distcc_dir, GError **error)
{
  const char *env = g_getenv ("DISTCC_HOSTS");
  if (env)
    return dcc_hosts_parse (env, error);
  g_autofree char *home_hosts = g_build_filename (g_get_home_dir (), ".distcc", "hosts", NULL);
  g_autofree char *dir_hosts = g_build_filename (distcc_dir, "hosts", NULL);
  const char *candidates[] = { dir_hosts, home_hosts, DCC_SYSCONFDIR "/distcc/hosts" };
  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree guint8 *text = NULL;
      gsize len;
      if (dcc_io_read_file (candidates[i], 1024 * 1024, &text, &len, NULL))
        {
          DccHostList *l = dcc_hosts_parse ((const char *) text, error);
          if (!l)
            g_prefix_error (error, "%s: ", candidates[i]);
          return l;
        }
    }
  return dcc_fail (error, DCC_ERROR_INVALID,
                   "no hosts: set DISTCC_HOSTS or write ~/.distcc/hosts"), NULL;
}

/* Runs the compile here, with a local slot held so that local work is
 * bounded too. Returns the exit status to exit with. */
static int
compile_locally (Job *job, const DccHostList *hosts, const char *why, const char *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccSlot) slot = NULL;
  if (hosts)
    slot = dcc_host_pick_local (job->distcc_dir, hosts->localslots, NULL);
  dcc_state_set (job->distcc_dir, DCC_PHASE_COMPILE, job->source, "localhost", slot ? dcc_slot_index (slot) : 0);
  g_autofree char *detail = g_strdup_printf ("reason=\"%s\"", why);
  log_result (kind, detail, job->source);
  int status = dcc_run_local (job->compiler_path, job->user_argv, &error);
  if (status < 0)
    {
      fprintf (stderr, "distcc: cannot run %s: %s\n", job->compiler_path, error->message);
      return EXIT_DISTCC_FAILED;
    }
  return status;
}

static void
write_bytes (int fd, GBytes *b)
{
  gsize len;
  const void *p = b ? g_bytes_get_data (b, &len) : NULL;
  if (p && len)
    dcc_io_write_all (fd, p, len, 0, NULL);
}

/* Environment the volunteer's compiler needs to behave as ours would. */
static GStrv
forwarded_env (void)
{
  static const char *const names[] = {
    "SOURCE_DATE_EPOCH", "LANG", "LC_ALL", "LC_MESSAGES", "LC_CTYPE", "GCC_COLORS", NULL
  };
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  for (const char *const *n = names; *n; n++)
    {
      const char *v = g_getenv (*n);
      if (v)
        dcc_strv_builder_take (b, g_strdup_printf ("%s=%s", *n, v));
    }
  return g_strv_builder_end (b);
}

/* -fdiagnostics-color=auto decides on the client's terminal, not the
 * volunteer's pipe: say "always" when ours would be coloured. */
static void
add_color_if_terminal (GStrvBuilder *b, const DccCompileArgs *a, gboolean is_clang)
{
  for (int i = 1; a->argv[i]; i++)
    if (g_str_has_prefix (a->argv[i], "-fdiagnostics-color") || g_str_has_prefix (a->argv[i], "-fno-diagnostics-color")
        || g_str_has_prefix (a->argv[i], "-fcolor-diagnostics") || g_str_has_prefix (a->argv[i], "-fno-color-diagnostics"))
      return;
  const char *term = g_getenv ("TERM");
  const char *gcc_colors = g_getenv ("GCC_COLORS");
  if (!isatty (2) || !term || strcmp (term, "dumb") == 0 || (gcc_colors && !*gcc_colors && !is_clang))
    return;
  g_strv_builder_add (b, is_clang ? "-fcolor-diagnostics" : "-fdiagnostics-color=always");
}

/* RUN_LOCALLY: decided before anything ran remotely; RETRY_LOCALLY: the
 * volunteer's answer cannot be used as it is (kept in step with DccPumpOutcome). */
typedef enum { REMOTE_DONE, REMOTE_RUN_LOCALLY, REMOTE_HOST_FAILED, REMOTE_NOT_USED, REMOTE_RETRY_LOCALLY } RemoteOutcome;

/* Source excerpts in diagnostics are read from the files named in them,
 * which a plain-mode volunteer does not have. */
static gboolean
diagnostics_show_source (const DccCompileArgs *a)
{
  gboolean show = TRUE;
  for (int i = 1; a->argv[i]; i++)
    {
      if (strcmp (a->argv[i], "-fno-diagnostics-show-caret") == 0 || strcmp (a->argv[i], "-fno-caret-diagnostics") == 0)
        show = FALSE;
      else if (strcmp (a->argv[i], "-fdiagnostics-show-caret") == 0 || strcmp (a->argv[i], "-fcaret-diagnostics") == 0)
        show = TRUE;
    }
  return show;
}

/* Plain mode on one host. On REMOTE_DONE *exit_status is the compile's. */
static RemoteOutcome
compile_plain (Job *job, const DccCompileArgs *a, const DccHost *host, int slot,
               int *exit_status, char **why)
{
  g_autoptr(GError) error = NULL;
  gboolean is_clang = dcc_compiler_is_clang (job->compiler_path);
  const char *reason = dcc_plain_local_reason (a, is_clang);
  if (reason)
    {
      *why = g_strdup (reason);
      return REMOTE_RUN_LOCALLY;
    }

  dcc_state_set (job->distcc_dir, DCC_PHASE_PREPROCESS, job->source, host->hostname, slot);
  g_auto(GStrv) cpp_argv = dcc_plain_cpp_argv (a, is_clang);
  g_autoptr(GBytes) cpp_out = NULL, cpp_err = NULL;
  int cpp_status;
  if (!dcc_run_capture (job->compiler_path, cpp_argv, &cpp_out, &cpp_err, &cpp_status, &error))
    {
      *why = g_strdup_printf ("cannot preprocess: %s", error->message);
      return REMOTE_RUN_LOCALLY;
    }
  /* Diagnostics from preprocessing cannot be interleaved with the
   * volunteer's the way one local compile interleaves them: compile here. */
  if (cpp_status != 0 || g_bytes_get_size (cpp_err) != 0)
    {
      *why = g_strdup (cpp_status != 0 ? "preprocessing failed" : "preprocessor printed diagnostics");
      return REMOTE_RUN_LOCALLY;
    }
  gsize text_len;
  const guint8 *text = g_bytes_get_data (cpp_out, &text_len);
  /* __TIMESTAMP__ is the source file's mtime, which the volunteer's copy
   * does not have. */
  if (memmem (text, text_len, "__TIMESTAMP__", 13) != NULL)
    {
      *why = g_strdup ("__TIMESTAMP__ needs the source file's own modification time");
      return REMOTE_RUN_LOCALLY;
    }
  g_autoptr(GBytes) source = is_clang ? g_bytes_ref (cpp_out) : dcc_plain_strip_predefined (text, text_len);
  if (g_bytes_get_size (source) > DCC_MAX_FILE_SIZE)
    {
      *why = g_strdup ("preprocessed source larger than the protocol allows");
      return REMOTE_RUN_LOCALLY;
    }

  g_auto(GStrv) remote_argv0 = dcc_plain_remote_argv (a);
  g_autoptr(GStrvBuilder) rb = g_strv_builder_new ();
  g_autofree char *base = g_path_get_basename (remote_argv0[0]);
  g_strv_builder_add (rb, base);
  for (int i = 1; remote_argv0[i]; i++)
    g_strv_builder_add (rb, remote_argv0[i]);
  add_color_if_terminal (rb, a, is_clang);
  g_auto(GStrv) remote_argv = g_strv_builder_end (rb);
  g_auto(GStrv) env = forwarded_env ();

  g_autoptr(GByteArray) request = g_byte_array_new ();
  dcc_request_encode (request, DCC_MODE_PLAIN, (const char *const *) remote_argv, job->cwd,
                      (const char *const *) env, a->argv[a->source_index],
                      g_bytes_get_data (source, NULL), g_bytes_get_size (source), NULL);

  int timeout = dcc_remote_io_timeout ();
  dcc_state_set (job->distcc_dir, DCC_PHASE_CONNECT, job->source, host->hostname, slot);
  int fd = dcc_remote_connect (host, MIN (timeout, 30), &error);
  if (fd < 0)
    {
      *why = g_strdup (error->message);
      return REMOTE_HOST_FAILED;
    }
  dcc_state_set (job->distcc_dir, DCC_PHASE_SEND, job->source, host->hostname, slot);
  g_autoptr(DccReply) reply = NULL;
  gboolean ok = dcc_io_write_all (fd, request->data, request->len, timeout, &error);
  if (ok)
    {
      dcc_state_set (job->distcc_dir, DCC_PHASE_COMPILE, job->source, host->hostname, slot);
      ok = dcc_remote_read_reply (fd, timeout, &reply, &error);
    }
  close (fd);
  if (!ok)
    {
      *why = g_strdup (error->message);
      return REMOTE_HOST_FAILED;
    }
  dcc_state_set (job->distcc_dir, DCC_PHASE_RECEIVE, job->source, host->hostname, slot);
  if (reply->error_message)
    {
      *why = g_strdup_printf ("volunteer refused: %s", reply->error_message);
      return REMOTE_RUN_LOCALLY;
    }
  if (reply->status != 0 && !env_flag ("DISTCC_SKIP_LOCAL_RETRY", FALSE))
    {
      *why = g_strdup_printf ("remote compile failed with status %d; retrying locally", reply->status);
      return REMOTE_RETRY_LOCALLY;
    }
  if (reply->status == 0 && g_bytes_get_size (reply->err) > 0 && diagnostics_show_source (a))
    {
      *why = g_strdup ("diagnostics quote source lines the volunteer does not have; compiling locally for exact text");
      return REMOTE_RETRY_LOCALLY;
    }
  if (!dcc_outputs_write (a, job->cwd, reply, &error))
    {
      *why = g_strdup (error->message);
      return REMOTE_HOST_FAILED;
    }
  write_bytes (1, reply->out);
  write_bytes (2, reply->err);
  *exit_status = reply->status;
  return REMOTE_DONE;
}

/* Splits our own argv into the compiler command line. Returns FALSE after
 * handling --help and friends (with *exit_code set). */
static gboolean
compiler_argv (int argc, char **argv, GStrv *out, int *exit_code)
{
  g_autofree char *self = g_path_get_basename (argv[0]);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  int first = 1;
  if (strcmp (self, "distcc") == 0 || g_str_has_prefix (self, "distcc"))
    {
      if (argc < 2)
        {
          usage (stderr);
          *exit_code = 2;
          return FALSE;
        }
      if (strcmp (argv[1], "--help") == 0)
        {
          usage (stdout);
          *exit_code = 0;
          return FALSE;
        }
      if (strcmp (argv[1], "--version") == 0)
        {
          printf ("distcc %s (pump mode first; protocol %u)\n", DCC_VERSION, DCC_PROTOCOL_VERSION);
          *exit_code = 0;
          return FALSE;
        }
      if (strcmp (argv[1], "--show-hosts") == 0 || strcmp (argv[1], "-j") == 0)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *dir = dcc_distcc_dir ();
          g_autoptr(DccHostList) hosts = load_hosts (dir, &error);
          if (!hosts)
            {
              fprintf (stderr, "distcc: %s\n", error->message);
              *exit_code = 1;
              return FALSE;
            }
          int total = 0;
          for (guint i = 0; i < hosts->hosts->len; i++)
            {
              DccHost *h = hosts->hosts->pdata[i];
              total += h->limit;
              if (argv[1][1] != 'j')
                {
                  if (h->kind == DCC_HOST_LOCAL)
                    printf ("localhost/%d\n", h->limit);
                  else
                    printf ("%s:%d/%d%s%s\n", h->hostname, h->port, h->limit,
                            h->cpp ? ",cpp" : "", h->lzo ? ",lzo" : "");
                }
            }
          if (argv[1][1] == 'j')
            printf ("%d\n", total > 0 ? total : 1);
          *exit_code = 0;
          return FALSE;
        }
      if (argv[1][0] == '-')
        g_strv_builder_add (b, "cc");   /* "distcc -c a.c": implicit compiler */
      else
        {
          g_strv_builder_add (b, argv[1]);
          first = 2;
        }
    }
  else
    g_strv_builder_add (b, self);     /* masquerade: we are called "gcc" */
  for (int i = first; i < argc; i++)
    g_strv_builder_add (b, argv[i]);
  *out = g_strv_builder_end (b);
  return TRUE;
}

static int
run (Job *job)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *local_reason = NULL;
  g_autoptr(DccCompileArgs) a = NULL;

  job->argv = dcc_response_files_expand ((const char *const *) job->user_argv, &error);
  if (!job->argv)
    return compile_locally (job, NULL, error->message, "local");
  if (!dcc_args_scan ((const char *const *) job->argv, &a, &local_reason))
    return compile_locally (job, NULL, local_reason, "local");
  if (a->has_link_options)
    {
      /* Meaningless with -c, refused by volunteers: drop them, then scan
       * again so that every index matches the new argv. */
      g_auto(GStrv) stripped = dcc_args_strip_link_options ((const char *const *) a->argv);
      g_clear_pointer (&a, dcc_compile_args_free);
      if (!dcc_args_scan ((const char *const *) stripped, &a, &local_reason))
        return compile_locally (job, NULL, local_reason, "local");
    }
  job->source = a->argv[a->source_index];

  g_autoptr(DccHostList) hosts = load_hosts (job->distcc_dir, &error);
  if (!hosts)
    {
      dcc_warning ("%s; compiling locally", error->message);
      return compile_locally (job, NULL, error->message, "local");
    }

    {
      dcc_state_set (job->distcc_dir, DCC_PHASE_BLOCKED, job->source, NULL, 0);
      g_autoptr(DccSlot) slot = dcc_host_pick (hosts, job->distcc_dir, &error);
      if (!slot)
        {
          dcc_warning ("cannot choose a host: %s", error->message);
          return compile_locally (job, hosts, error->message, "local");
        }
      const DccHost *host = dcc_slot_host (slot);
      if (host->kind == DCC_HOST_LOCAL)
        {
          g_clear_pointer (&slot, dcc_slot_release);
          return compile_locally (job, hosts, "localhost chosen", "local");
        }

      int status = 0;
      g_autofree char *why = NULL;
      RemoteOutcome o;
      const char *mode = "plain";
      o = dcc_pump_try (job->distcc_dir, job->compiler_path, a, job->cwd, host,
                        dcc_slot_index (slot), &status, &why);
      if (o == REMOTE_NOT_USED)
        {
          if (why)
            dcc_info ("pump mode not used: %s", why);
          g_clear_pointer (&why, g_free);
          o = compile_plain (job, a, host, dcc_slot_index (slot), &status, &why);
        }
      else
        mode = "pump";
      g_autofree char *where = g_strdup_printf ("host=%s:%d mode=%s", host->hostname, host->port, mode);
      switch (o)
        {
        case REMOTE_DONE:
          log_result ("remote", where, job->source);
          dcc_state_set (job->distcc_dir, DCC_PHASE_DONE, job->source, host->hostname, dcc_slot_index (slot));
          return status;
        case REMOTE_RUN_LOCALLY:
        case REMOTE_RETRY_LOCALLY:
          dcc_info ("compiling %s locally: %s", job->source, why);
          g_clear_pointer (&slot, dcc_slot_release);
          return compile_locally (job, hosts, why, o == REMOTE_RETRY_LOCALLY ? "fallback" : "local");
        case REMOTE_HOST_FAILED:
        default:
          dcc_host_mark_failed (host, job->distcc_dir);
          if (!job->fallback)
            {
              fprintf (stderr, "distcc: %s:%d failed (%s) and DISTCC_FALLBACK=0\n",
                       host->hostname, host->port, why);
              return EXIT_DISTCC_FAILED;
            }
          dcc_warning ("failed to distribute %s to %s:%d (%s), running locally instead",
                       job->source, host->hostname, host->port, why);
          g_clear_pointer (&slot, dcc_slot_release);
          return compile_locally (job, hosts, why, "fallback");
        }
    }
}

int
main (int argc, char **argv)
{
  Job job = { 0 };
  int exit_code = 0;
  setup_logging ();
  if (!compiler_argv (argc, argv, &job.user_argv, &exit_code))
    return exit_code;

  g_autoptr(GError) error = NULL;
  job.compiler_path = dcc_compiler_find (job.user_argv[0], &error);
  if (!job.compiler_path)
    {
      fprintf (stderr, "distcc: %s\n", error->message);
      return EXIT_DISTCC_FAILED;
    }
  job.distcc_dir = dcc_distcc_dir ();
  job.cwd = g_get_current_dir ();
  job.fallback = env_flag ("DISTCC_FALLBACK", TRUE);
  dcc_state_set (job.distcc_dir, DCC_PHASE_STARTUP, NULL, NULL, 0);
  exit_code = run (&job);
  dcc_state_remove (job.distcc_dir);
  g_strfreev (job.user_argv);
  g_strfreev (job.argv);
  g_free (job.compiler_path);
  g_free (job.distcc_dir);
  g_free (job.cwd);
  return exit_code;
}
