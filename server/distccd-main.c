/* distccd: the volunteer. Accepts connections from allowed networks, reads
 * each request in one event loop (conn-loop.c), forks a worker per complete
 * request, bounds concurrent compiles with --jobs, and leaves nothing behind
 * when told to stop. */
#include "compiler-allow.h"
#include "conn-loop.h"
#include "dcc-cidr.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "inetd-relay.h"
#include "listener.h"
#include "run-compiler.h"
#include "run-as.h"
#include "session.h"
#include "stats.h"
#include "file-store.h"
#include "sandbox.h"
#include "dcc-tree-remove.h"
#include "zeroconf-publish.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t in_child;
static volatile sig_atomic_t child_compiling;
/* --no-fork (stock, for gdb): serve each connection in the daemon itself. */
static gboolean serve_in_parent;

static void
on_term (int sig)
{
  if (in_child)
    {
      /* The compile loop notices this and kills the compiler, then the job
       * directory is removed on the way out. Outside a compile, just go. */
      dcc_run_cancelled = 1;
      if (!child_compiling)
        _exit (1);
      return;
    }
  stop_requested = 1;
  if (serve_in_parent)
    dcc_run_cancelled = 1;
}

typedef struct {
  int       port;
  char     *listen_addr;
  char    **allow;
  gboolean  allow_private;
  int       jobs;
  int       nice_increment;
  char     *log_file;
  char     *log_level;
  gboolean  log_stderr;
  gboolean  daemon_mode;
  gboolean  no_detach;
  char     *pid_file;
  gboolean  inetd;
  char     *user;
  gboolean  tcp_insecure;
  gboolean  verbose;
  char     *cache_dir;
  int       cache_mb;
  char     *tmp_dir;
  int       io_timeout;
  int       request_timeout;
  int       max_connections;
  int       max_per_peer;
  int       max_request_mb;
  int       job_timeout;
  int       job_input_mb;
  int       job_output_mb;
  gboolean  version;
  gboolean  zeroconf;
  /* Stock distccd options (see doc/stock-compat.md). */
  int       job_lifetime;
  int       lifetime;
  gboolean  no_fork;
  gboolean  no_fifo;
  gboolean  wizard;
  gboolean  stats;
  int       stats_port;
  gboolean  auth;
  gboolean  show_principal;
  char     *blacklist;
  char     *whitelist;
  gboolean  botnet;
  gboolean  no_sandbox;
  gboolean  no_result_cache;
  int       job_memory_mb;
  int       job_file_size_mb;
  int       job_cpu_s;
  int       job_procs;
} Options;

static gboolean
parse_options (int *argc, char ***argv, Options *o, GError **error)
{
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &o->port, "TCP port to listen on (default 3632)", "PORT" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &o->listen_addr, "address to listen on (default all)", "ADDRESS" },
    { "allow", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &o->allow, "allow clients in this network (repeatable)", "IP[/BITS]" },
    { "allow-private", 0, 0, G_OPTION_ARG_NONE, &o->allow_private, "allow the private, loopback and link-local networks", NULL },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &o->jobs, "compiles at once (default CPUs + 2)", "N" },
    { "nice", 'N', 0, G_OPTION_ARG_INT, &o->nice_increment, "niceness added to the daemon and its compilers", "N" },
    { "log-file", 0, 0, G_OPTION_ARG_FILENAME, &o->log_file, "log to FILE", "FILE" },
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &o->log_level, "critical, error, warning, notice, info or debug", "LEVEL" },
    { "log-stderr", 0, 0, G_OPTION_ARG_NONE, &o->log_stderr, "log to stderr", NULL },
    { "verbose", 0, 0, G_OPTION_ARG_NONE, &o->verbose, "log at debug level", NULL },
    { "daemon", 0, 0, G_OPTION_ARG_NONE, &o->daemon_mode, "serve TCP connections (default unless stdin is a socket)", NULL },
    { "no-detach", 0, 0, G_OPTION_ARG_NONE, &o->no_detach, "stay in the foreground", NULL },
    { "pid-file", 'P', 0, G_OPTION_ARG_FILENAME, &o->pid_file, "write the daemon's pid to FILE", "FILE" },
    { "inetd", 0, 0, G_OPTION_ARG_NONE, &o->inetd, "serve one connection on stdin (from inetd)", NULL },
    { "user", 0, 0, G_OPTION_ARG_STRING, &o->user, "when started as root, run as USER (default distcc, else nobody)", "USER" },
    { "enable-tcp-insecure", 0, 0, G_OPTION_ARG_NONE, &o->tcp_insecure, "allow starting without --allow (any address may connect)", NULL },
    { "cache-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->cache_dir, "pump mode's file store (default " DCC_SYSTEM_STORE_DIR " as root, else ~/.cache/distccd)", "DIR" },
    { "cache-size", 0, 0, G_OPTION_ARG_INT, &o->cache_mb, "bound of the file store in MiB (default 2048)", "MB" },
    { "tmp-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->tmp_dir, "where job directories go (default $TMPDIR or /tmp)", "DIR" },
    { "io-timeout", 0, 0, G_OPTION_ARG_INT, &o->io_timeout, "seconds a client may stay silent (default 15)", "SECONDS" },
    { "request-timeout", 0, 0, G_OPTION_ARG_INT, &o->request_timeout, "seconds from a connection to its request's last byte, pump uploads included (default 30)", "SECONDS" },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &o->max_connections, "connections still sending their request, in all (default 1024)", "N" },
    { "max-connections-per-peer", 0, 0, G_OPTION_ARG_INT, &o->max_per_peer, "the same, from one address (default 64)", "N" },
    { "max-request-memory", 0, 0, G_OPTION_ARG_INT, &o->max_request_mb, "bytes those requests may hold together, in MiB (default 256)", "MB" },
    { "job-timeout", 0, 0, G_OPTION_ARG_INT, &o->job_timeout, "seconds a compiler may run (default 1800)", "SECONDS" },
    { "job-input-size", 0, 0, G_OPTION_ARG_INT, &o->job_input_mb, "a job's files in total, decompressed, in MiB (default 128)", "MB" },
    { "job-output-size", 0, 0, G_OPTION_ARG_INT, &o->job_output_mb, "a job's output files in total, in MiB (default 64); a job over it is refused and its client compiles locally", "MB" },
    { "zeroconf", 0, 0, G_OPTION_ARG_NONE, &o->zeroconf, "publish this volunteer with Avahi (DNS-SD _distcc._tcp), as stock", NULL },
    { "job-lifetime", 0, 0, G_OPTION_ARG_INT, &o->job_lifetime, "stock name of --job-timeout", "SECONDS" },
    { "lifetime", 0, 0, G_OPTION_ARG_INT, &o->lifetime, "shut down after SECONDS (stock, for tests)", "SECONDS" },
    { "no-fork", 0, 0, G_OPTION_ARG_NONE, &o->no_fork, "serve connections one at a time in the daemon itself (for gdb)", NULL },
    { "no-fifo", 0, 0, G_OPTION_ARG_NONE, &o->no_fifo, "accepted for stock compatibility; no effect", NULL },
    { "wizard", 'W', 0, G_OPTION_ARG_NONE, &o->wizard, "--daemon --no-detach --no-fork --log-stderr --verbose (for gdb)", NULL },
    { "stats", 0, 0, G_OPTION_ARG_NONE, &o->stats, "serve statistics over HTTP (stock <distccstats> page, and /json)", NULL },
    { "stats-port", 0, 0, G_OPTION_ARG_INT, &o->stats_port, "port of the statistics page (default 3633)", "PORT" },
    { "auth", 0, 0, G_OPTION_ARG_NONE, &o->auth, "GSS-API authentication: not supported (refused)", NULL },
    { "show-principal", 0, 0, G_OPTION_ARG_NONE, &o->show_principal, "GSS-API: not supported (refused)", NULL },
    { "blacklist", 0, 0, G_OPTION_ARG_FILENAME, &o->blacklist, "GSS-API principals to refuse: only with --auth (not supported)", "FILE" },
    { "whitelist", 0, 0, G_OPTION_ARG_FILENAME, &o->whitelist, "GSS-API principals to accept: only with --auth (not supported)", "FILE" },
    { "make-me-a-botnet", 0, 0, G_OPTION_ARG_NONE, &o->botnet, "stock: run any compiler; ignored (a warning), see DISTCC_CMDLIST", NULL },
    { "no-result-cache", 0, 0, G_OPTION_ARG_NONE, &o->no_result_cache, "neither keep nor serve compile results (see doc/result-cache.md)", NULL },
    { "no-sandbox", 0, 0, G_OPTION_ARG_NONE, &o->no_sandbox, "run compilers on the host, without the sandbox (see distccd(1))", NULL },
    { "job-memory", 0, 0, G_OPTION_ARG_INT, &o->job_memory_mb, "address space of a compile in MiB (default 4096; 0: no limit)", "MB" },
    { "job-file-size", 0, 0, G_OPTION_ARG_INT, &o->job_file_size_mb, "largest file a compile may write, MiB (default 1024; 0: no limit)", "MB" },
    { "job-cpu", 0, 0, G_OPTION_ARG_INT, &o->job_cpu_s, "CPU seconds of a compile (default: --job-timeout)", "SECONDS" },
    { "job-procs", 0, 0, G_OPTION_ARG_INT, &o->job_procs, "processes of a compile (default 64)", "N" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &o->version, "print the version", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- distcc volunteer daemon");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx, "See distccd(1). Compilers run only if linked in the masquerade directory\n"
                                         "(lib/distcc beside bin/) or listed in the file named by DISTCC_CMDLIST.");
  if (!g_option_context_parse (ctx, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    return dcc_fail (error, DCC_ERROR_INVALID, "unexpected argument '%s'", (*argv)[1]);
  return TRUE;
}

static int
default_jobs (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);
  return (n > 0 ? (int) n : 1) + 2;
}

/* In a forked worker (or, with --no-fork, in the daemon itself), with the
 * request the parent's event loop read. */
static void
serve_worker (int fd, const char *peer, DccRequest *req, gint64 deadline_us, gpointer data)
{
  const DccSessionConfig *cfg = data;
  if (!serve_in_parent)
    {
      in_child = 1;
      child_compiling = 1;   /* the session may be compiling; it checks the flag */
    }
  dcc_session_serve_request (fd, peer, req, deadline_us, cfg);
}

/* Workers inherit the store's index as it was at fork: refresh it now and
 * then so that eviction estimates stay close. */
static void
rescan_store (gpointer data)
{
  const DccSessionConfig *cfg = data;
  static gint64 last_rescan;
  gint64 now = g_get_monotonic_time ();
  if (!last_rescan)
    last_rescan = now;
  if (cfg->store && now - last_rescan > 60 * G_USEC_PER_SEC)
    {
      g_autoptr(GError) error = NULL;
      if (!dcc_store_rescan (cfg->store, &error))
        dcc_warning ("file store rescan failed: %s", error->message);
      last_rescan = now;
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GError) error = NULL;
  if (!dcc_remove_tree (path, &error))
    dcc_warning ("%s", error->message);
}

/* Options checked and completed (--wizard, --job-lifetime, defaults), and
 * logging set up. Returns -1 to go on, else the exit code (0 after
 * --version). */
static int
settle_options (Options *o)
{
  if (o->version)
    {
      printf ("distccd %s (protocol %u)\n", DCC_VERSION, DCC_PROTOCOL_VERSION);
      return 0;
    }
  /* Stock options that cannot apply here: refused with the alternative. */
  if (o->auth || o->show_principal)
    {
      fprintf (stderr, "distccd: %s is not supported: this distccd has no GSS-API authentication; "
               "limit clients with --allow, or reach it through ssh (DISTCC_HOSTS=@host, distccd --inetd)\n",
               o->auth ? "--auth" : "--show-principal");
      return 1;
    }
  if (o->wizard)
    o->daemon_mode = o->no_detach = o->no_fork = o->log_stderr = o->verbose = TRUE;
  if (o->job_lifetime > 0)
    o->job_timeout = o->job_lifetime;
  DccLogLevel level = o->verbose ? DCC_LOG_DEBUG : DCC_LOG_NOTICE;
  if (o->log_level && !dcc_log_level_parse (o->log_level, &level))
    {
      fprintf (stderr, "distccd: unknown --log-level '%s'\n", o->log_level);
      return 1;
    }
  if (o->jobs <= 0)
    o->jobs = default_jobs ();
  if (o->job_input_mb <= 0 || o->job_input_mb > 65536)
    {
      fprintf (stderr, "distccd: --job-input-size %d is out of range 1..65536 (MiB)\n", o->job_input_mb);
      return 1;
    }
  if (o->job_output_mb <= 0 || o->job_output_mb > 4096)
    {
      fprintf (stderr, "distccd: --job-output-size %d is out of range 1..4096 (MiB)\n", o->job_output_mb);
      return 1;
    }
  if (o->port <= 0 || o->port > 65535)
    {
      fprintf (stderr, "distccd: --port %d is out of range\n", o->port);
      return 1;
    }
  if (o->request_timeout <= 0 || o->max_connections <= 0 || o->max_per_peer <= 0 || o->max_request_mb <= 0)
    {
      fprintf (stderr, "distccd: --request-timeout, --max-connections, --max-connections-per-peer "
                       "and --max-request-memory must be positive\n");
      return 1;
    }
  dcc_log_setup ("distccd", o->log_stderr ? NULL : o->log_file, level);
  if (o->blacklist || o->whitelist)
    dcc_warning ("--%s ignored: it lists GSS-API principals, which only --auth uses (not supported); "
                 "limit clients with --allow", o->blacklist ? "blacklist" : "whitelist");
  if (o->zeroconf && !dcc_zeroconf_publish_available ())
    {
      fprintf (stderr, "distccd: --zeroconf is not available: this distccd was built without Avahi "
               "(apt-get install libavahi-client-dev, then ./configure && make); "
               "or list this host in the clients' DISTCC_HOSTS\n");
      return 1;
    }
  if (o->botnet)
    dcc_warning ("--make-me-a-botnet ignored: only compilers linked in the masquerade directory "
                 "or listed in DISTCC_CMDLIST run; add the compiler there");
  return -1;
}

/* The networks clients may connect from (DccCidr): --allow and
 * --allow-private; without either, stock's default (private networks, with
 * a warning) unless --enable-tcp-insecure or --inetd, which allow any.
 * NULL if an --allow does not parse. */
static GArray *
allowed_networks (const Options *o, GError **error)
{
  g_autoptr(GArray) allow = g_array_new (FALSE, FALSE, sizeof (DccCidr));
  for (char **a = o->allow; a && *a; a++)
    {
      DccCidr c;
      if (!dcc_cidr_parse (*a, &c, error))
        return NULL;
      g_array_append_val (allow, c);
    }
  if (o->allow_private)
    {
      g_autoptr(GArray) priv = dcc_cidr_private_networks ();
      g_array_append_vals (allow, priv->data, priv->len);
    }
  if (allow->len == 0 && !o->tcp_insecure && !o->inetd)
    {
      /* Stock distccd's default: private networks, with a warning. */
      dcc_warning ("no --allow option specified: defaulting to --allow-private "
                   "(10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 127.0.0.0/8, link-local, fc00::/7, ::1)");
      g_autoptr(GArray) priv = dcc_cidr_private_networks ();
      g_array_append_vals (allow, priv->data, priv->len);
    }
  if (allow->len == 0)
    {
      DccCidr any4, any6;
      dcc_cidr_parse ("0.0.0.0/0", &any4, NULL);
      dcc_cidr_parse ("::/0", &any6, NULL);
      g_array_append_val (allow, any4);
      g_array_append_val (allow, any6);
    }
  return g_steal_pointer (&allow);
}

/* The compilers this volunteer runs: those linked in masq and those listed
 * in DISTCC_CMDLIST. Stock: DISTCCD_PATH, when set, is the compilers' PATH,
 * unaltered. */
static DccCompilerAllow *
load_compilers (const char *masq, GError **error)
{
  if (g_getenv ("DISTCCD_PATH"))
    g_setenv ("PATH", g_getenv ("DISTCCD_PATH"), TRUE);
  const char *numwords = g_getenv ("DISTCC_CMDLIST_NUMWORDS");
  if (!numwords)
    numwords = g_getenv ("DISTCC_CMDLIST_MATCHWORDS");   /* the name stock's man page also uses */
  DccCompilerAllow *compilers
    = dcc_compiler_allow_new_full (masq, g_getenv ("DISTCC_CMDLIST"), numwords ? atoi (numwords) : 1, error);
  if (!compilers)
    return NULL;
  int masq_errno = dcc_compiler_allow_masq_errno (compilers);
  if (masq_errno)
    dcc_warning ("cannot open the masquerade directory %s (%s): only compilers listed in DISTCC_CMDLIST will run",
                 masq, g_strerror (masq_errno));
  return compilers;
}

/* Who we become, and what must be done as root first: the system-wide
 * store's directory handed over (its store is opened after the drop), the
 * pid file opened (its directory may be root's, as /run is; *pid_fd, -1
 * without one), the daemon niced. Then the user's own store directory when
 * no other was chosen. Returns 0, else the exit code after saying why. */
static int
drop_privileges (const Options *o, gboolean inetd, DccRunAs *run_as, char **cache_dir, const char **cache_why,
                 int *pid_fd)
{
  g_autoptr(GError) error = NULL;
  if (!dcc_run_as_lookup (o->user, run_as, &error))
    {
      fprintf (stderr, "distccd: %s\n", error->message);
      return 1;
    }
  *cache_why = "--cache-dir";
  if (o->cache_dir)
    *cache_dir = g_strdup (o->cache_dir);
  else if (geteuid () == 0)
    {
      /* One store per user: a store handed from one daemon's user to
       * another's fails the daemon that was using it. */
      g_auto(DccRunAs) dflt = { 0 };
      gboolean default_user = !o->user || (dcc_run_as_lookup (NULL, &dflt, NULL) && dflt.uid == run_as->uid);
      if (!(*cache_dir = dcc_run_as_system_store (run_as, default_user, cache_why, &error)))
        {
          fprintf (stderr, "distccd: cannot prepare the file store: %s\n", error->message);
          dcc_error ("cannot prepare the file store: %s", error->message);
          return 1;
        }
    }
  *pid_fd = -1;
  if (o->pid_file && !inetd)
    {
      *pid_fd = open (o->pid_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (*pid_fd < 0)
        {
          fprintf (stderr, "distccd: cannot write the pid file %s: %s\n", o->pid_file, g_strerror (errno));
          return 1;
        }
    }
  /* Stock nices the daemon itself (and so everything it runs). */
  errno = 0;
  if (o->nice_increment > 0 && nice (o->nice_increment) == -1 && errno != 0)
    dcc_warning ("--nice %d: %s", o->nice_increment, g_strerror (errno));
  if (!dcc_run_as_drop (run_as, &error))
    {
      fprintf (stderr, "distccd: %s\n", error->message);
      return 1;
    }
  if (!*cache_dir && !(*cache_dir = dcc_run_as_user_store_dir (cache_why, &error)))
    {
      fprintf (stderr, "distccd: cannot find a place for the file store: %s\n", error->message);
      return 1;
    }
  return 0;
}

/* A private directory for this daemon's jobs (removed whole at exit), the
 * limits of one compile, and the sandbox every compile runs in unless the
 * operator says otherwise: distccd refuses to start rather than serve
 * unconfined where the sandbox cannot be built. Returns the directory, or
 * NULL after saying why. */
static char *
prepare_jobs (const Options *o, const DccRunAs *run_as, DccJobLimits *limits, DccSandbox **sandbox)
{
  g_autoptr(GError) error = NULL;
  const char *tmp_root = o->tmp_dir ? o->tmp_dir : g_get_tmp_dir ();
  g_autofree char *tmp_base = dcc_run_as_make_tmp (tmp_root, o->tmp_dir == NULL, &error);
  if (!tmp_base)
    {
      fprintf (stderr, "distccd: %s (as user %s)\n", error->message, run_as->name);
      return NULL;
    }
  *limits = (DccJobLimits) {
    .memory_bytes = (guint64) MAX (o->job_memory_mb, 0) << 20, .file_size_bytes = (guint64) MAX (o->job_file_size_mb, 0) << 20,
    .cpu_seconds = o->job_cpu_s >= 0 ? (guint) o->job_cpu_s : (guint) MAX (o->job_timeout, 0),
    .processes = (guint) MAX (o->job_procs, 0),
  };
  if (!o->no_sandbox)
    {
      *sandbox = dcc_sandbox_new (&error);
      if (!*sandbox || !dcc_run_sandbox_probe (*sandbox, tmp_base, &error))
        {
          fprintf (stderr, "distccd: cannot isolate compiles here: %s\n"
                   "distccd: (user namespaces and overlayfs are needed; --no-sandbox runs compilers unconfined, "
                   "see distccd(1))\n", error->message);
          remove_tree (tmp_base);
          return NULL;
        }
    }
  else
    dcc_warning ("--no-sandbox: compilers run on the host with the daemon's rights; only for trusted clients");
  if (*sandbox)
    dcc_notice ("each compile runs in a sandbox (own user, mount, PID, network and IPC namespaces; toolchain "
                "read-only; writes to a private overlay); limits per compile: memory %d MiB, file size %d MiB, "
                "CPU %u s, %d processes (0: none)", MAX (o->job_memory_mb, 0), MAX (o->job_file_size_mb, 0),
                limits->cpu_seconds, MAX (o->job_procs, 0));
  return g_steal_pointer (&tmp_base);
}

/* The file store, opened once here; forked children share the directory,
 * each with a copy of the index (see file-store.h). Pump mode is never
 * silently off: without a store, distccd does not start (NULL, said why). */
static DccStore *
open_store (const Options *o, const char *cache_dir, const char *cache_why, const DccRunAs *run_as)
{
  g_autoptr(GError) store_error = NULL;
  DccStore *store = dcc_store_open (cache_dir, (guint64) o->cache_mb * 1024 * 1024, &store_error);
  if (!store)
    {
      fprintf (stderr, "distccd: cannot open the file store %s (%s) as user %s: %s\n",
               cache_dir, cache_why, run_as->name, store_error->message);
      dcc_error ("cannot open the file store %s as user %s: %s", cache_dir, run_as->name, store_error->message);
      return NULL;
    }
  dcc_notice ("file store %s (%s), running as %s", cache_dir, cache_why, run_as->name);
  return store;
}

static void
install_signals (const Options *o)
{
  struct sigaction sa = { .sa_handler = on_term };
  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  signal (SIGPIPE, SIG_IGN);
  signal (SIGHUP, SIG_IGN);
  serve_in_parent = o->no_fork;
  if (o->lifetime > 0)
    {
      /* Stock's --lifetime: stop as on SIGTERM after that long. */
      sigaction (SIGALRM, &sa, NULL);
      alarm ((unsigned) o->lifetime);
    }
}

/* The one connection on stdin (from inetd, or ssh through a relay), then
 * the job directory removed. Returns the exit code. */
static int
serve_inetd (GArray *allow, const char *tmp_base, const DccSessionConfig *cfg)
{
  g_autoptr(GError) error = NULL;
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  g_autofree char *peer = NULL;
  if (getpeername (0, (struct sockaddr *) &ss, &sl) == 0)
    {
      peer = dcc_peer_name ((struct sockaddr *) &ss, sl);
      if (!dcc_peer_allowed (allow, (struct sockaddr *) &ss, sl))
        {
          dcc_warning ("refused connection from %s: not in --allow", peer);
          remove_tree (tmp_base);
          return 1;
        }
    }
  /* Over ssh, stdin and stdout are two pipes: relay them to a socket. */
  int session_fd = dcc_inetd_session_fd (&error);
  if (session_fd < 0)
    {
      dcc_error ("--inetd: %s", error->message);
      remove_tree (tmp_base);
      return 1;
    }
  in_child = 1;
  child_compiling = 1;
  dcc_session_serve (session_fd, peer ? peer : "stdin", cfg);
  if (session_fd != 0)
    close (session_fd);
  remove_tree (tmp_base);
  return 0;
}

/* Into the background, as stock: a session of its own, stdin and stdout
 * (and stderr, without --log-stderr) on /dev/null, syslog without
 * --log-file. FALSE if it cannot fork. */
static gboolean
detach (const Options *o)
{
  pid_t pid = fork ();
  if (pid < 0)
    {
      fprintf (stderr, "distccd: fork: %s\n", g_strerror (errno));
      return FALSE;
    }
  if (pid > 0)
    _exit (0);
  setsid ();
  int devnull = open ("/dev/null", O_RDWR);
  if (devnull >= 0)
    {
      dup2 (devnull, 0);
      dup2 (devnull, 1);
      if (!o->log_stderr)
        dup2 (devnull, 2);
      if (devnull > 2)
        close (devnull);
    }
  /* Stock: a detached daemon without --log-file logs to syslog. */
  if (!o->log_file && !o->log_stderr)
    dcc_log_use_syslog ();
  return TRUE;
}

/* The daemon's pid into the pid file opened before the drop; closes it. */
static void
write_pid_file (int pid_fd_in, const char *path)
{
  dcc_autofd pid_fd = pid_fd_in;
  g_autofree char *pid = g_strdup_printf ("%d\n", (int) getpid ());
  if (write (pid_fd, pid, strlen (pid)) != (ssize_t) strlen (pid))
    dcc_warning ("cannot write pid file %s: %s", path, g_strerror (errno));
}

/* Ends a helper process (the statistics page, the zeroconf publisher,
 * which withdraws the service) and reaps it. */
static void
stop_helper (pid_t pid)
{
  if (pid > 0)
    {
      kill (pid, SIGTERM);
      waitpid (pid, NULL, 0);
    }
}

/* main, step by step: options, allowed networks and compilers, the
 * listening socket, the drop of privileges, the job directory and sandbox,
 * the store; then one inetd connection, or detach, helpers and the accept
 * loop until told to stop. */
int
main (int argc, char **argv)
{
  /* Static: these live as long as the daemon, and forked children end
   * with _exit, so they must stay reachable rather than look leaked. */
  static Options o = { .port = DCC_DEFAULT_PORT, .io_timeout = 15, .job_timeout = 1800, .cache_mb = 2048,
                      .job_input_mb = DCC_DEFAULT_JOB_INPUT_SIZE / (1024 * 1024),
                      .job_output_mb = DCC_DEFAULT_JOB_OUTPUT_SIZE / (1024 * 1024),
                      .job_memory_mb = DCC_JOB_MEMORY_DEFAULT_MB, .job_file_size_mb = DCC_JOB_FILE_SIZE_DEFAULT_MB,
                      .job_cpu_s = -1, .job_procs = DCC_JOB_PROCESSES_DEFAULT,
                       .request_timeout = DCC_DEFAULT_REQUEST_TIMEOUT,
                       .max_connections = DCC_DEFAULT_MAX_CONNECTIONS,
                       .max_per_peer = DCC_DEFAULT_MAX_CONNECTIONS_PER_PEER,
                       .max_request_mb = DCC_DEFAULT_MAX_REQUEST_MEMORY_MB };
  static GArray *allow;
  g_autoptr(GError) error = NULL;
  if (!parse_options (&argc, &argv, &o, &error))
    {
      fprintf (stderr, "distccd: %s (try --help)\n", error->message);
      return 1;
    }
  int rc = settle_options (&o);
  if (rc >= 0)
    return rc;
  allow = allowed_networks (&o, &error);
  if (!allow)
    {
      fprintf (stderr, "distccd: --allow: %s\n", error->message);
      return 1;
    }
  g_autofree char *masq = dcc_compiler_allow_default_masq_dir ();
  g_autoptr(DccCompilerAllow) compilers = load_compilers (masq, &error);
  if (!compilers)
    {
      fprintf (stderr, "distccd: %s\n", error->message);
      return 1;
    }

  struct stat st;
  gboolean inetd = o.inetd || (!o.daemon_mode && fstat (0, &st) == 0 && S_ISSOCK (st.st_mode));
  /* Stock: from inetd or ssh, without --log-file, log to syslog (stderr
   * would reach the client's terminal over ssh). */
  if (inetd && !o.log_file && !o.log_stderr)
    dcc_log_use_syslog ();
  if (inetd && o.zeroconf)
    dcc_warning ("--zeroconf ignored with --inetd: inetd or ssh starts this distccd per connection");
  int listen_fd = -1;
  if (!inetd)
    {
      listen_fd = dcc_listen_tcp (o.listen_addr, o.port, &error);
      if (listen_fd < 0)
        {
          fprintf (stderr, "distccd: %s\n", error->message);
          return 1;
        }
    }
  g_auto(DccRunAs) run_as = { 0 };
  g_autofree char *cache_dir = NULL;
  const char *cache_why = NULL;
  int pid_fd = -1;
  if ((rc = drop_privileges (&o, inetd, &run_as, &cache_dir, &cache_why, &pid_fd)) != 0)
    return rc;

  static DccJobLimits limits;
  static DccSandbox *sandbox;
  g_autofree char *tmp_base = prepare_jobs (&o, &run_as, &limits, &sandbox);
  if (!tmp_base)
    return 1;
  g_autofree char *slot_dir = g_build_filename (tmp_base, "slots", NULL);
  DccSessionConfig cfg = {
    .job = { .tmp_base = tmp_base, .nice_increment = o.nice_increment, .timeout_s = o.job_timeout,
             .sandbox = sandbox, .limits = &limits, .output_bytes = (guint64) o.job_output_mb * 1024 * 1024 },
    .allow = compilers, .slot_dir = slot_dir, .jobs = o.jobs, .io_timeout_s = o.io_timeout,
    .job_input_bytes = (guint64) o.job_input_mb * 1024 * 1024,
    .request_timeout_s = o.request_timeout,
  };
  g_autoptr(DccStore) store = open_store (&o, cache_dir, cache_why, &run_as);
  if (!store)
    {
      remove_tree (tmp_base);
      return 1;
    }
  cfg.store = store;
  cfg.cache_dir = cache_dir;
  /* Results only from sandboxed compiles: unconfined, a compiler can read
   * volunteer files that no key covers. */
  cfg.result_cache = !o.no_result_cache && sandbox != NULL;
  /* The result cache's scans, kept per content digest for every worker
   * forked from here (scan-memo.h). Without it every miss reads its
   * inputs back from the store to scan them. */
  g_autoptr(DccScanMemo) scan_memo = NULL;
  if (cfg.result_cache && !(scan_memo = dcc_scan_memo_new (DCC_SCAN_MEMO_SLOTS, &error)))
    {
      dcc_warning ("result cache: %s; inputs are scanned again for each compile", error->message);
      g_clear_error (&error);
    }
  cfg.scan_memo = scan_memo;
  if (cfg.result_cache)
    dcc_info ("result cache on, in the file store (--no-result-cache turns it off)");
  else
    dcc_info ("result cache off (%s)", o.no_result_cache ? "--no-result-cache" : "--no-sandbox");

  install_signals (&o);
  if (inetd)
    return serve_inetd (allow, tmp_base, &cfg);

  int stats_fd = -1;
  if (o.stats)
    {
      int sport = o.stats_port > 0 ? o.stats_port : DCC_STATS_DEFAULT_PORT;
      stats_fd = dcc_listen_tcp (o.listen_addr, sport, &error);
      if (stats_fd < 0)
        {
          fprintf (stderr, "distccd: --stats: %s\n", error->message);
          return 1;
        }
    }
  if (!o.no_detach && !detach (&o))
    return 1;
  if (pid_fd >= 0)
    write_pid_file (pid_fd, o.pid_file);
  pid_t stats_pid = -1;
  if (stats_fd >= 0)
    {
      /* The page has a process of its own, outside the accept loop. */
      int spid = -1;
      dcc_stats_set_store (store, (guint64) o.cache_mb * 1024 * 1024);
      if (!dcc_stats_init (o.jobs, tmp_base, &error) || (spid = dcc_stats_spawn_server (stats_fd, listen_fd, allow, &error)) < 0)
        {
          fprintf (stderr, "distccd: --stats: %s\n", error->message);
          return 1;
        }
      stats_pid = spid;
      close (stats_fd);
      dcc_notice ("statistics on port %d", o.stats_port > 0 ? o.stats_port : DCC_STATS_DEFAULT_PORT);
    }
  pid_t zeroconf_pid = -1;
  if (o.zeroconf && (zeroconf_pid = dcc_zeroconf_spawn_publisher ((guint) o.port, o.jobs, listen_fd, &error)) < 0)
    {
      fprintf (stderr, "distccd: --zeroconf: %s\n", error->message);
      return 1;
    }
  DccConnLimits conn_limits = {
    .max_connections = (guint) o.max_connections, .max_per_peer = (guint) o.max_per_peer,
    .max_buffered = (guint64) o.max_request_mb << 20, .request_timeout_s = o.request_timeout,
    .io_timeout_s = o.io_timeout, .max_workers = (guint) o.jobs * 4 + 16,
    .max_workers_per_peer = MAX (((guint) o.jobs * 4 + 16) / 2, 1u),
    .serve_in_parent = serve_in_parent, .job_input_bytes = cfg.job_input_bytes,
  };
  /* What an admin checks first, at the default log level: where it
   * listens, and whose compilers it runs. */
  g_autofree char *masq_shown = g_canonicalize_filename (masq, NULL);
  dcc_notice ("listening on port %d (address %s), %d jobs, compilers from %s%s", o.port,
              o.listen_addr && *o.listen_addr ? o.listen_addr : "0.0.0.0", o.jobs, masq_shown,
              g_getenv ("DISTCC_CMDLIST") ? " and DISTCC_CMDLIST" : "");
  dcc_conn_loop_run (listen_fd, allow, &conn_limits, serve_worker, rescan_store, &cfg, &stop_requested);
  stop_helper (stats_pid);
  stop_helper (zeroconf_pid);
  close (listen_fd);
  if (g_strcmp0 (g_getenv ("DISTCC_SAVE_TEMPS"), "1") == 0)
    dcc_notice ("DISTCC_SAVE_TEMPS: kept %s", tmp_base);
  else
    remove_tree (tmp_base);
  if (o.pid_file)
    unlink (o.pid_file);
  return 0;
}
