/* distcc: the client. Decides where a compile runs, runs it there, and makes
 * sure that a build never fails because a volunteer did. */
#include "build-notes.h"
#include "build-summary.h"
#include "dcc-build-record.h"
#include "compiler.h"
#include "dcc-compiler-id.h"
#include "host-protocol.h"
#include "stock-client.h"
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
#include "hosts-config.h"
#include "outputs.h"
#include "plain-mode.h"
#include "plain-client.h"
#include "pump-client.h"
#include "remote-common.h"
#include "remote.h"
#include "response-file.h"
#include "run-local.h"
#include "zeroconf-browse.h"
#include "dcc-zeroconf-txt.h"
#include <fcntl.h>
#include <malloc.h>
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
         "       distcc --summary | --timeline FILE  [--build-dir DIR | --records FILE] [--since WHEN]\n"
         "\n"
         "Distributes compilation of C and C++ to the hosts in DISTCC_HOSTS\n"
         "(or ~/.distcc/hosts, " DCC_SYSCONFDIR "/distcc/hosts). See distcc(1).\n", out);
}

static void
setup_logging (void)
{
  const char *log = g_getenv ("DISTCC_LOG");
  DccLogLevel level = dcc_client_env_flag ("DISTCC_VERBOSE", FALSE) ? DCC_LOG_DEBUG : DCC_LOG_WARNING;
  dcc_log_setup ("distcc", log && *log ? log : NULL, level);
  /* As stock: under ccache (which sets UNCACHED_ERR_FD), distcc's own
   * messages go to that fd so that ccache does not cache and replay them;
   * the compiler's messages stay on stderr. */
  const char *ufd = g_getenv ("UNCACHED_ERR_FD");
  if (!(log && *log) && ufd && *ufd)
    {
      char *end;
      long fd = strtol (ufd, &end, 10);
      if (*end == '\0' && fd > 2 && fd < 65536 && fcntl ((int) fd, F_GETFD) != -1)
        dcc_log_set_fd ((int) fd);
    }
}

/* distcc's own message to the user: stderr, or UNCACHED_ERR_FD. */
static void G_GNUC_PRINTF (1, 2)
say (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_autofree char *line = g_strconcat ("distcc: ", msg, "\n", NULL);
  int fd = dcc_log_fd ();
  ssize_t unused = write (fd > 2 ? fd : 2, line, strlen (line));
  (void) unused;
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

/* Warns of each skipped entry of a host list (stderr, or DISTCC_LOG), once
 * per build: not once per compile (a 21-file build printed 42 lines). */
static DccHostList *
warn_skipped (DccHostList *l, const char *source, const char *distcc_dir)
{
  for (guint i = 0; l && i < l->skipped->len; i++)
    {
      const char *said = l->skipped->pdata[i];
      g_autofree char *topic = g_strconcat ("skipped\n", said, NULL);
      if (dcc_build_note_first (distcc_dir, topic))
        dcc_warning ("%s: skipping it, using the other hosts (%s; said once per build)", said, source);
    }
  return l;
}

/* +zeroconf: the volunteers found, where the entry was. When there are
 * none or they cannot be looked for, l->zeroconf_none says why: the host
 * pick gives it as the reason to compile here when no other host is usable
 * (said once per build then); with other hosts, it is said here, once per
 * build. */
static DccHostList *
expand_zeroconf (DccHostList *l, const char *distcc_dir)
{
  if (!l || l->zeroconf_at < 0)
    return l;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = dcc_zeroconf_hosts_text (distcc_dir, &error);
  g_autoptr(DccHostList) found = text ? dcc_hosts_parse_skipping (text, NULL) : NULL;
  if (!text)
    l->zeroconf_none = g_strdup_printf ("host entry \"+zeroconf\" found no volunteer: %s", error->message);
  else if (!found || found->hosts->len == 0)
    l->zeroconf_none = g_strdup_printf ("host entry \"+zeroconf\" found no volunteer: none (%s) is published "
                                        "on the network", DCC_ZEROCONF_SERVICE_TYPE);
  if (l->zeroconf_none && l->hosts->len > 0)
    {
      g_autofree char *topic = g_strconcat ("zeroconf\n", l->zeroconf_none, NULL);
      if (dcc_build_note_first (distcc_dir, topic))
        dcc_warning ("%s; using the other hosts (said once per build)", l->zeroconf_none);
    }
  guint at = (guint) MIN ((guint) l->zeroconf_at, l->hosts->len);
  while (found && found->hosts->len > 0 && l->hosts->len < DCC_HOSTS_MAX_HOSTS)
    g_ptr_array_insert (l->hosts, (gint) at++, g_ptr_array_steal_index (found->hosts, 0));
  return l;
}

/* The host list (hosts-config.h says where from), its bad entries skipped
 * with a warning each and +zeroconf expanded. */
static DccHostList *
load_hosts (const char *distcc_dir, GError **error)
{
  g_autofree char *source = NULL;
  g_autofree char *text = dcc_hosts_config_text (distcc_dir, &source, error);
  if (!text)
    return NULL;
  DccHostList *l = dcc_hosts_parse_skipping (text, error);
  if (!l && strcmp (source, "DISTCC_HOSTS") != 0)
    g_prefix_error (error, "%s: ", source);
  return expand_zeroconf (warn_skipped (l, source, distcc_dir), distcc_dir);
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
  /* Before the arguments are scanned (-E, an @file that does not
   * expand), the record names the first source-like argument. */
  const char *file = job->source;
  for (int i = 1; !file && job->user_argv[i]; i++)
    if (job->user_argv[i][0] != '-' && dcc_args_is_source_suffix (job->user_argv[i]))
      file = job->user_argv[i];
  dcc_build_record_result (kind, NULL, why, file);
  dcc_build_record_host (NULL, 0, slot ? dcc_slot_index (slot) : 0);
  dcc_state_set (job->distcc_dir, DCC_PHASE_COMPILE, job->source, "localhost", slot ? dcc_slot_index (slot) : 0);
  g_autofree char *detail = g_strdup_printf ("reason=\"%s\"", why);
  log_result (kind, detail, job->source);
  int status = dcc_run_local (job->compiler_path, job->user_argv, &error);
  dcc_build_record_phase (DCC_PHASE_DONE);  /* the local slot is given back now */
  if (status < 0)
    {
      say ("cannot run %s: %s", job->compiler_path, error->message);
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
      if (strcmp (argv[1], "--summary") == 0 || strcmp (argv[1], "--timeline") == 0)
        {
          *exit_code = dcc_build_summary_main (argc - 1, argv + 1);  /* client/build-summary.c */
          return FALSE;
        }
      if (strcmp (argv[1], "--show-principal") == 0)
        {
          say ("--show-principal is not supported: this distcc has no GSS-API authentication (,auth); "
               "use --allow on the volunteers, or an ssh tunnel");
          *exit_code = 1;
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
              say ("%s", error->message);
              *exit_code = 1;
              return FALSE;
            }
          int total = 0;
          /* stock prints the list alone; what was learnt per host only
           * with --verbose or DISTCC_VERBOSE (doc/protocol.md) */
          gboolean verbose = dcc_client_env_flag ("DISTCC_VERBOSE", FALSE)
                             || (argv[2] && strcmp (argv[2], "--verbose") == 0);
          for (guint i = 0; i < hosts->hosts->len; i++)
            {
              DccHost *h = hosts->hosts->pdata[i];
              total += h->limit;
              if (argv[1][1] != 'j')
                {
                  if (h->kind == DCC_HOST_LOCAL)
                    printf ("localhost/%d\n", h->limit);
                  else if (h->kind == DCC_HOST_SSH)
                    printf ("%s@%s%s%s/%d%s%s%s%s\n", h->user ? h->user : "",
                            strchr (h->hostname, ':') ? "[" : "", h->hostname, strchr (h->hostname, ':') ? "]" : "",
                            h->limit, h->command ? ":" : "", h->command ? h->command : "",
                            h->cpp ? ",cpp" : "", h->lzo ? ",lzo" : "");
                  else
                    {
                      g_autofree char *learnt = verbose ? dcc_host_protocol_describe (dir, h) : NULL;
                      gboolean v6 = strchr (h->hostname, ':') != NULL;
                      printf ("%s%s%s:%d/%d%s%s%s%s\n", v6 ? "[" : "", h->hostname, v6 ? "]" : "", h->port, h->limit,
                              h->cpp ? ",cpp" : "", h->lzo ? ",lzo" : "", learnt ? " " : "", learnt ? learnt : "");
                    }
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

/* A compile a stock volunteer cannot take as it is (-g, ...) waits for one
 * of ours rather than take a stock host's slot and run here: the hosts
 * without those known to be stock, when any remote one is left; else NULL
 * (pick from them all, and the compile stays here saying why). The array
 * borrows hosts' entries. */
static GPtrArray *
stock_hosts_avoided (const DccHostList *hosts, Job *job, const DccCompileArgs *a)
{
  if (!dcc_stock_local_reason (a, dcc_compiler_is_clang (job->compiler_path)))
    return NULL;
  GPtrArray *kept = g_ptr_array_new ();
  gboolean remote_left = FALSE, dropped = FALSE;
  for (guint i = 0; i < hosts->hosts->len; i++)
    {
      const DccHost *h = hosts->hosts->pdata[i];
      if (h->kind == DCC_HOST_TCP && dcc_host_protocol_get (job->distcc_dir, h, NULL) == DCC_HOST_PROTO_STOCK)
        {
          dropped = TRUE;
          continue;
        }
      remote_left |= h->kind != DCC_HOST_LOCAL;
      g_ptr_array_add (kept, (gpointer) h);
    }
  if (!dropped || !remote_left)
    g_clear_pointer (&kept, g_ptr_array_unref);
  return kept;
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
  dcc_debug ("compile: %s with %s", job->source, job->compiler_path);
  const char *local_env = dcc_client_env_keeps_local ();
  if (local_env)
    {
      g_autofree char *why = g_strdup_printf ("%s is set (it chooses the compiler's programs or options)", local_env);
      return compile_locally (job, NULL, why, "local");
    }

  g_autoptr(DccHostList) hosts = load_hosts (job->distcc_dir, &error);
  if (!hosts)
    {
      dcc_warning ("%s; compiling locally", error->message);
      return compile_locally (job, NULL, error->message, "local");
    }
  dcc_debug ("hosts: %u from %s%s", hosts->hosts->len, g_getenv ("DISTCC_HOSTS") ? "DISTCC_HOSTS" : "the hosts file",
             dcc_hosts_any_cpp (hosts) ? (g_getenv ("INCLUDE_SERVER_PORT") ? ", pump mode" : ", ,cpp hosts but no include server (not under pump)") : "");

  /* Pump mode's analysis comes first, so that no volunteer slot is held
   * while the include server works. */
  g_autoptr(DccPumpPlan) plan = NULL;
  g_autofree char *pump_why = NULL;
  if (dcc_hosts_any_cpp (hosts))
    {
      DccRemoteOutcome po = dcc_pump_plan (job->distcc_dir, job->compiler_path, a, job->cwd, &plan, &pump_why);
      if (po == DCC_REMOTE_KEEP_LOCAL)
        dcc_build_warn_local (job->distcc_dir, NULL, pump_why);
      if (po == DCC_REMOTE_RUN_LOCALLY || po == DCC_REMOTE_KEEP_LOCAL)
        return compile_locally (job, hosts, pump_why, "local");
      if (po != DCC_REMOTE_DONE && pump_why)
        dcc_info ("pump mode not used: %s", pump_why);
    }

    {
      dcc_state_set (job->distcc_dir, DCC_PHASE_BLOCKED, job->source, NULL, 0);
      g_autoptr(GPtrArray) not_stock = stock_hosts_avoided (hosts, job, a);
      DccHostList view = *hosts;
      if (not_stock)
        view.hosts = not_stock;
      g_autoptr(DccSlot) slot = dcc_host_pick (&view, job->distcc_dir, &error);
      if (!slot)
        {
          dcc_warning ("cannot choose a host: %s", error->message);
          return compile_locally (job, hosts, error->message, "local");
        }
      const DccHost *host = dcc_slot_host (slot);
      if (host->kind == DCC_HOST_LOCAL)
        {
          /* No volunteer usable: say why, plainly, once per build. */
          g_autofree char *why = g_strdup (dcc_slot_local_why (slot));
          if (why)
            dcc_build_warn_local (job->distcc_dir, dcc_slot_local_topic (slot), why);
          g_clear_pointer (&slot, dcc_slot_release);
          return compile_locally (job, hosts, why ? why : "localhost chosen (a localhost entry of the host list)",
                                  "local");
        }

      dcc_build_record_host (host->hostname, host->port, dcc_slot_index (slot));
      dcc_debug ("host: %s:%d slot %d%s", host->hostname, host->port, dcc_slot_index (slot),
                 plan && host->cpp ? ", pump mode" : ", plain mode");
      gint64 t0 = g_get_monotonic_time ();
      int status = 0;
      g_autofree char *why = NULL;
      g_autofree char *stock_name = NULL;
      DccRemoteOutcome o = DCC_REMOTE_NOT_USED;
      const char *mode = "pump";
      if (dcc_host_protocol_get (job->distcc_dir, host, NULL) == DCC_HOST_PROTO_STOCK)
        {
          mode = "stock";
          o = dcc_stock_compile (job->distcc_dir, job->compiler_path, a, job->cwd, host, dcc_slot_index (slot),
                                 hosts->localslots_cpp, &status, &stock_name, &why);
        }
      else
        {
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
          /* A stock distccd reads our first frame as a protocol error and
           * closes without a byte: ask it again in its own protocol. */
          guint64 sent, received;
          dcc_remote_traffic (&sent, &received);
          if (o == DCC_REMOTE_HOST_FAILED && dcc_client_connections () > 0 && received == 0
              && !dcc_client_last_failure_timed_out ())
            {
              g_autofree char *name = dcc_host_port_name (host);
              dcc_info ("%s closed the connection without answering (%s); trying the stock distcc protocol",
                        name, why);
              g_clear_pointer (&why, g_free);
              o = dcc_stock_compile (job->distcc_dir, job->compiler_path, a, job->cwd, host, dcc_slot_index (slot),
                                     hosts->localslots_cpp, &status, &stock_name, &why);
              if (stock_name)
                mode = "stock";
            }
        }
      if (stock_name)
        dcc_host_protocol_remember (job->distcc_dir, host, DCC_HOST_PROTO_STOCK, stock_name);
      else if (o == DCC_REMOTE_DONE)
        {
          g_autofree char *id = dcc_compiler_id_get (job->compiler_path, dcc_args_lang_name (a->lang), job->distcc_dir,
                                                     dcc_compiler_match_strict_from_env (NULL), NULL);
          g_autofree char *summary = id ? dcc_compiler_id_summary (id) : NULL;
          dcc_host_protocol_remember (job->distcc_dir, host, DCC_HOST_PROTO_OURS, summary);
        }
      gboolean hit = o == DCC_REMOTE_DONE && dcc_remote_cache_hit ();
      g_autofree char *hostport = dcc_host_port_name (host);
      g_autofree char *where = g_strdup_printf ("host=%s mode=%s%s", hostport, mode, hit ? " cache=hit" : "");
      if (hit)
        dcc_client_count_cache_hit (job->distcc_dir);
      switch (o)
        {
        case DCC_REMOTE_DONE:
          if (dcc_log_enabled (DCC_LOG_DEBUG))
            {
              guint64 sent, received;
              dcc_remote_traffic (&sent, &received);
              dcc_debug ("remote: %s compiled %s in %.0f ms, status %d, sent %" G_GUINT64_FORMAT
                         " bytes, received %" G_GUINT64_FORMAT, hostport, job->source,
                         (double) (g_get_monotonic_time () - t0) / 1000.0, status, sent, received);
            }
          log_result ("remote", where, job->source);
          dcc_build_record_result (hit ? "cache-hit" : "remote", mode, NULL, job->source);
          log_traffic ();
          dcc_state_set (job->distcc_dir, DCC_PHASE_DONE, job->source, host->hostname, dcc_slot_index (slot));
          return status;
        case DCC_REMOTE_RUN_LOCALLY:
        case DCC_REMOTE_KEEP_LOCAL:
        case DCC_REMOTE_RETRY_LOCALLY:
          dcc_info ("compiling %s locally: %s", job->source, why);
          if (g_str_has_prefix (why, DCC_REFUSED_COMPILER_PREFIX))
            {
              g_autofree char *cc = g_path_get_basename (job->user_argv[0]);
              dcc_build_warn_refusal (job->distcc_dir, hostport, cc, why + strlen (DCC_REFUSED_PREFIX));
            }
          else if (o == DCC_REMOTE_KEEP_LOCAL)
            dcc_build_warn_local (job->distcc_dir, NULL, why);
          else if (g_str_has_prefix (why, DCC_REFUSED_PREFIX))
            {
              /* Expected remote, compiled here: said once per build. */
              g_autofree char *said = g_strdup_printf ("%s refused the compile: %s", hostport,
                                                       why + strlen (DCC_REFUSED_PREFIX));
              dcc_build_warn_local (job->distcc_dir, NULL, said);
            }
          g_clear_pointer (&slot, dcc_slot_release);
          return compile_locally (job, hosts, why, o == DCC_REMOTE_RETRY_LOCALLY ? "fallback" : "local");
        case DCC_REMOTE_HOST_FAILED:
        default:
          dcc_host_mark_failed (host, job->distcc_dir);
          if (!job->fallback)
            {
              say ("%s failed (%s) and DISTCC_FALLBACK=0", hostport, why);
              return EXIT_DISTCC_FAILED;
            }
          dcc_warning ("failed to distribute %s to %s (%s), running locally instead", job->source, hostport, why);
          g_clear_pointer (&slot, dcc_slot_release);
          return compile_locally (job, hosts, why, "fallback");
        }
    }
}

/* Prints the files pump mode would send for this compile (asking the
 * include server of the current pump session) and exits: 0 when listed,
 * 1 when pump mode does not apply (the reason on stderr). */
static int
scan_includes_only (Job *job)
{
  g_autofree char *reason = NULL;
  g_autoptr(DccCompileArgs) a = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = dcc_response_files_expand ((const char *const *) job->user_argv, &error);
  if (!argv)
    return say ("--scan-includes: %s", error->message), 1;
  if (!dcc_args_scan ((const char *const *) argv, &a, &reason))
    return say ("--scan-includes: this compile would run locally: %s", reason), 1;
  g_autoptr(DccPumpPlan) plan = NULL;
  g_autofree char *why = NULL;
  DccRemoteOutcome po = dcc_pump_plan (job->distcc_dir, job->compiler_path, a, job->cwd, &plan, &why);
  if (po != DCC_REMOTE_DONE || !plan)
    return say ("--scan-includes: pump mode does not apply (%s); run it under pump", why ? why : "no plan"), 1;
  dcc_pump_plan_print (plan, stdout);
  return 0;
}

int
main (int argc, char **argv)
{
  Job job = { 0 };
  int exit_code = 0;
  /* A short-lived process: the include server's reply (~70 KB) and the
   * request are served from the heap, not from an mmap that is faulted in
   * and unmapped again, and freeing never hands the heap back (issue 20:
   * page faults are most of a result-cache hit's cost). */
  mallopt (M_MMAP_THRESHOLD, 16 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  setup_logging ();
  /* distcc --scan-includes COMPILER ARGS: what pump mode would send. */
  gboolean scan_includes = argc > 1 && strcmp (argv[1], "--scan-includes") == 0;
  if (scan_includes)
    {
      argv[1] = argv[0];
      argv++;
      argc--;
    }
  if (!compiler_argv (argc, argv, &job.user_argv, &exit_code))
    return exit_code;

  g_autoptr(GError) error = NULL;
  job.compiler_path = dcc_compiler_find (job.user_argv[0], &error);
  if (!job.compiler_path)
    {
      say ("%s", error->message);
      return EXIT_DISTCC_FAILED;
    }
  job.distcc_dir = dcc_distcc_dir ();
  job.cwd = g_get_current_dir ();
  job.fallback = dcc_client_env_flag ("DISTCC_FALLBACK", TRUE);
  if (scan_includes)
    {
      exit_code = scan_includes_only (&job);
      g_strfreev (job.user_argv);
      g_free (job.compiler_path);
      g_free (job.distcc_dir);
      g_free (job.cwd);
      return exit_code;
    }
  dcc_state_set (job.distcc_dir, DCC_PHASE_STARTUP, NULL, NULL, 0);
  exit_code = run (&job);
  guint64 sent, received;
  dcc_remote_traffic (&sent, &received);
  dcc_build_record_write (job.distcc_dir, exit_code, sent, received);
  dcc_state_remove (job.distcc_dir);
  g_strfreev (job.user_argv);
  g_strfreev (job.argv);
  g_free (job.compiler_path);
  g_free (job.distcc_dir);
  g_free (job.cwd);
  return exit_code;
}
