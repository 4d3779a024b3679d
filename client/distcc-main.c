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
#include "plain-client.h"
#include "pump-client.h"
#include "remote-common.h"
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

static void
setup_logging (void)
{
  const char *log = g_getenv ("DISTCC_LOG");
  DccLogLevel level = dcc_client_env_flag ("DISTCC_VERBOSE", FALSE) ? DCC_LOG_DEBUG : DCC_LOG_WARNING;
  dcc_log_setup ("distcc", log && *log ? log : NULL, level);
}

/* The result line that tests and users grep for: exactly one per compile,
 * written only when DISTCC_LOG names a file (or DISTCC_VERBOSE is set). */
static void
log_result (const char *what, const char *detail, const char *source)
{
  const char *log = g_getenv ("DISTCC_LOG");
  if ((log && *log) || dcc_client_env_flag ("DISTCC_VERBOSE", FALSE))
    dcc_log_always ("result: %s %s file=%s", what, detail, source ? source : "-");
}

/* Bytes on the wire for this compile, for benchmarks (DISTCC_LOG only). */
static void
log_traffic (void)
{
  guint64 sent, received;
  const char *log = g_getenv ("DISTCC_LOG");
  dcc_remote_traffic (&sent, &received);
  if (log && *log)
    dcc_log_always ("traffic: sent %" G_GUINT64_FORMAT " received %" G_GUINT64_FORMAT " bytes", sent, received);
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

  /* Pump mode's analysis comes first, so that no volunteer slot is held
   * while the include server works. */
  g_autoptr(DccPumpPlan) plan = NULL;
  g_autofree char *pump_why = NULL;
  if (dcc_hosts_any_cpp (hosts))
    {
      DccRemoteOutcome po = dcc_pump_plan (job->distcc_dir, job->compiler_path, a, job->cwd, &plan, &pump_why);
      if (po == DCC_REMOTE_RUN_LOCALLY)
        return compile_locally (job, hosts, pump_why, "local");
      if (po != DCC_REMOTE_DONE && pump_why)
        dcc_info ("pump mode not used: %s", pump_why);
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
      DccRemoteOutcome o = DCC_REMOTE_NOT_USED;
      const char *mode = "pump";
      if (plan && host->cpp)
        o = dcc_pump_compile (plan, job->distcc_dir, a, job->cwd, host, dcc_slot_index (slot), &status, &why);
      if (o == DCC_REMOTE_NOT_USED)
        {
          if (why)
            dcc_info ("pump mode not used: %s", why);
          g_clear_pointer (&why, g_free);
          mode = "plain";
          o = dcc_plain_compile (job->distcc_dir, job->compiler_path, a, job->cwd, host, dcc_slot_index (slot),
                                 hosts->localslots_cpp, &status, &why);
        }
      g_autofree char *where = g_strdup_printf ("host=%s:%d mode=%s", host->hostname, host->port, mode);
      switch (o)
        {
        case DCC_REMOTE_DONE:
          log_result ("remote", where, job->source);
          log_traffic ();
          dcc_state_set (job->distcc_dir, DCC_PHASE_DONE, job->source, host->hostname, dcc_slot_index (slot));
          return status;
        case DCC_REMOTE_RUN_LOCALLY:
        case DCC_REMOTE_RETRY_LOCALLY:
          dcc_info ("compiling %s locally: %s", job->source, why);
          g_clear_pointer (&slot, dcc_slot_release);
          return compile_locally (job, hosts, why, o == DCC_REMOTE_RETRY_LOCALLY ? "fallback" : "local");
        case DCC_REMOTE_HOST_FAILED:
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
  job.fallback = dcc_client_env_flag ("DISTCC_FALLBACK", TRUE);
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
