/* include-server: answers pump-mode clients with the files a compile reads.
 *
 *   include-server --socket PATH [--pid-file F] [--log-file F] [--cache-file F] [--verbose]
 *   include-server --verify [--verbose] -- COMPILER ARGS...
 *
 * The server accepts on a Unix socket and hands each connection to a bounded
 * thread pool; each worker thread owns its libclang scanner. See
 * doc/include-server.md. */
#include "closure.h"
#include "dcc-args.h"
#include "dcc-build-record.h"
#include "clang-scan.h"
#include "dcc-fd.h"
#include "dcc-is-protocol.h"
#include "dcc-error.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define IS_IO_TIMEOUT_S      30     /* a client has this long to send its request */
#define IS_MAX_THREADS       16
#define IS_MAX_QUEUED        1024   /* connections waiting for a worker */
#define IS_LISTEN_BACKLOG    128

typedef struct {
  DccClosureEngine *engine;
  GThreadPool      *pool;
  const char       *path_env;
  /* Counted for the exit line, which tells what a build cost this server. */
  gint              n_cached, n_walked, n_failed;
} Server;

/* CPU time of this process (all threads) in microseconds: wall time is
 * meaningless on a loaded machine. */
static gint64
cpu_us (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return (gint64) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000
         + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* CPU time of the calling thread, for one request's cost. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static GPrivate thread_scanner = G_PRIVATE_INIT ((GDestroyNotify) dcc_scanner_free);

/* One CXIndex per thread: libclang is thread-safe per index. */
static DccScanner *
get_scanner (void)
{
  DccScanner *s = g_private_get (&thread_scanner);
  if (!s)
    {
      s = dcc_scanner_new ();
      g_private_set (&thread_scanner, s);
    }
  return s;
}

/* Reads what the client sends until the pure decoder has a whole request
 * (a request comes in one or two writes: one read each, not two per frame).
 * The decoder sees every byte as it arrives, so a wrong frame is refused
 * at once, and goes on from where it stopped, so a request sent in many
 * small pieces costs no more to decode than one sent at once. */
static gboolean
read_request (int fd, char **cwd, char ***argv, GError **error)
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  g_auto(DccIsRequestDecoder) dec;
  dcc_is_request_decoder_init (&dec);
  for (;;)
    {
      guint8 chunk[16384];
      gsize got;
      if (!dcc_io_read_some (fd, chunk, MIN (sizeof chunk, DCC_IS_MAX_REQUEST_SIZE - buf->len),
                             IS_IO_TIMEOUT_S, &got, error))
        return FALSE;
      if (got == 0)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "connection closed before the request was complete");
      g_byte_array_append (buf, chunk, (guint) got);
      gsize used;
      DccWireResult r = dcc_is_request_decoder_feed (&dec, buf->data, buf->len, cwd, argv, &used, error);
      if (r == DCC_WIRE_ERROR)
        return FALSE;
      if (r == DCC_WIRE_OK && used != buf->len)
        {
          g_clear_pointer (cwd, g_free);
          g_clear_pointer (argv, g_strfreev);
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "bytes after the end of the request");
        }
      if (r == DCC_WIRE_OK)
        return TRUE;
      if (buf->len >= DCC_IS_MAX_REQUEST_SIZE)
        return dcc_fail (error, DCC_ERROR_LIMIT, "request over %u bytes", DCC_IS_MAX_REQUEST_SIZE);
    }
}

/* The compile's source file for log lines (the last word with a source
 * suffix; `-o x.o` often comes after it), or its last word. */
static const char *
source_for_log (char **argv)
{
  guint n = g_strv_length (argv);
  for (guint i = n; i-- > 1;)
    if (dcc_args_is_source_suffix (argv[i]))
      return argv[i];
  return n ? argv[n - 1] : "";
}

static void
serve_connection (gpointer data, gpointer user_data)
{
  dcc_autofd fd = GPOINTER_TO_INT (data);   /* this thread owns the connection */
  Server *server = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  gint64 t0 = g_get_monotonic_time (), c0 = thread_cpu_us ();

  if (!read_request (fd, &cwd, &argv, &error))
    {
      g_autofree char *msg = dcc_escape_for_log (error->message, 200);
      dcc_warning ("bad request: %s", msg);
      dcc_is_reply_encode (reply, DCC_IS_STATUS_BAD_REQUEST, error->message, NULL);
    }
  else
    {
      g_autoptr(GPtrArray) entries = NULL;
      DccClosureStats stats;
      g_autofree char *src = dcc_escape_for_log (source_for_log (argv), 120);
      if (dcc_closure_compute (server->engine, get_scanner (), cwd, (const char *const *) argv,
                               server->path_env, &entries, &stats, &error))
        {
          dcc_is_reply_encode (reply, DCC_IS_STATUS_OK, NULL, entries);
          g_atomic_int_inc (stats.cache_hit ? &server->n_cached : &server->n_walked);
          dcc_info ("%u entries for ...%s in %.1f ms, %.1f ms CPU (%s, %u scanned, %u hashed, %u headers walked%s)",
                    entries->len, src, (g_get_monotonic_time () - t0) / 1000.0,
                    (thread_cpu_us () - c0) / 1000.0, stats.cache_hit ? "cached" : "walked",
                    stats.files_scanned, stats.files_hashed, stats.headers_walked,
                    stats.full_parse ? ", full parse" : "");
        }
      else
        {
          g_autofree char *msg = dcc_escape_for_log (error->message, 300);
          g_atomic_int_inc (&server->n_failed);
          dcc_notice ("cannot analyse ...%s: %s", src, msg);
          dcc_is_reply_encode (reply, DCC_IS_STATUS_CANNOT_ANALYSE, error->message, NULL);
        }
    }
  g_clear_error (&error);
  if (!dcc_io_write_all (fd, reply->data, reply->len, IS_IO_TIMEOUT_S, &error))
    dcc_debug ("writing reply: %s", error->message);
}

static gboolean
on_accept (int listen_fd, GIOCondition cond, gpointer user_data)
{
  Server *server = user_data;
  dcc_autofd fd = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0)
    {
      if (errno != EINTR && errno != EAGAIN)
        dcc_warning ("accept: %s", g_strerror (errno));
      return G_SOURCE_CONTINUE;
    }
  if (g_thread_pool_unprocessed (server->pool) >= IS_MAX_QUEUED)
    {
      dcc_warning ("too many queued clients; refusing one");
      return G_SOURCE_CONTINUE;
    }
  g_thread_pool_push (server->pool, GINT_TO_POINTER (g_steal_fd (&fd)), NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static int
listen_unix (const char *path, GError **error)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof addr.sun_path)
    return (dcc_fail (error, DCC_ERROR_INVALID, "socket path too long: %s", path), -1);
  strcpy (addr.sun_path, path);
  struct stat st;
  /* A socket left by a dead server is replaced; anything else is not ours. */
  if (lstat (path, &st) == 0)
    {
      if (!S_ISSOCK (st.st_mode))
        return (dcc_fail (error, DCC_ERROR_INVALID, "%s exists and is not a socket", path), -1);
      unlink (path);
    }
  dcc_autofd fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return (dcc_fail_errno (error, "socket"), -1);
  mode_t old = umask (0077);
  int rc = bind (fd, (struct sockaddr *) &addr, sizeof addr);
  umask (old);
  if (rc < 0 || listen (fd, IS_LISTEN_BACKLOG) < 0)
    {
      dcc_fail_errno (error, "bind/listen %s", path);
      return -1;
    }
  return g_steal_fd (&fd);
}

static int
run_server (const char *socket_path, const char *pid_file, const char *cache_file, const char *stats_file)
{
  g_autoptr(GError) error = NULL;
  dcc_autofd fd = listen_unix (socket_path, &error);
  if (fd < 0)
    {
      dcc_error ("%s", error->message);
      return 1;
    }
  if (pid_file)
    {
      g_autofree char *pid = g_strdup_printf ("%d\n", (int) getpid ());
      if (!dcc_io_write_file_atomic (pid_file, pid, strlen (pid), 0644, &error))
        {
          dcc_error ("pid file: %s", error->message);
          return 1;
        }
    }
  signal (SIGPIPE, SIG_IGN);
  Server server = { .engine = dcc_closure_engine_new (), .path_env = g_getenv ("PATH") };
  gboolean cache_loaded = FALSE;
  if (cache_file)
    {
      g_autoptr(GError) cache_error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      cache_loaded = dcc_closure_engine_load (server.engine, cache_file, &cache_error);
      if (cache_loaded)
        dcc_notice ("cache %s loaded in %lld ms", cache_file,
                    (long long) (g_get_monotonic_time () - t0) / 1000);
      else if (!g_file_test (cache_file, G_FILE_TEST_EXISTS))
        dcc_notice ("no cache at %s yet: starting cold", cache_file);
      else
        dcc_warning ("cache %s not used, starting cold: %s", cache_file, cache_error->message);
    }
  guint threads = CLAMP (2 * g_get_num_processors (), 2, IS_MAX_THREADS);
  server.pool = g_thread_pool_new (serve_connection, &server, (gint) threads, FALSE, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_unix_fd_add (fd, G_IO_IN, on_accept, &server);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGHUP, on_signal, loop);
  dcc_notice ("listening on %s with %u threads", socket_path, threads);
  g_main_loop_run (loop);
  dcc_notice ("exiting");
  dcc_fd_clear (&fd);   /* no new client from here on */
  unlink (socket_path);
  if (pid_file)
    unlink (pid_file);
  /* Let running requests finish, then free. */
  g_thread_pool_free (server.pool, TRUE, TRUE);
  /* A build that only reused what the file held leaves it as it was:
   * rewriting it would cost as much as a few dozen compiles' analysis. */
  if (cache_file && cache_loaded && !dcc_closure_engine_learnt (server.engine))
    dcc_notice ("cache %s unchanged: nothing new learnt", cache_file);
  else if (cache_file)
    {
      g_autoptr(GError) cache_error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      gboolean appended = FALSE;
      if (dcc_closure_engine_save (server.engine, cache_file, &appended, &cache_error))
        dcc_notice ("cache saved to %s in %lld ms (%s)", cache_file,
                    (long long) (g_get_monotonic_time () - t0) / 1000,
                    appended ? "what was learnt appended" : "whole file written");
      else
        dcc_warning ("cache not saved: %s", cache_error->message);
    }
  /* CPU since start, cache load and save included: this server's whole
   * share of the build. */
  dcc_notice ("served %d requests (%d from cached closures, %d walked, %d not analysed) in %.2f s CPU",
              server.n_cached + server.n_walked + server.n_failed, server.n_cached, server.n_walked,
              server.n_failed, cpu_us () / 1e6);
  if (stats_file)
    {
      /* The same counters for pump's build summary (distcc --summary). */
      DccIsStats st = { (guint64) (server.n_cached + server.n_walked + server.n_failed), (guint64) server.n_cached,
                        (guint64) server.n_walked, (guint64) server.n_failed, (guint64) cpu_us () };
      g_autofree char *text = dcc_is_stats_format (&st);
      g_autoptr(GError) stats_error = NULL;
      if (!dcc_io_write_file_atomic (stats_file, text, strlen (text), 0644, &stats_error))
        dcc_warning ("counters not written: %s", stats_error->message);
    }
  dcc_closure_engine_free (server.engine);
  return 0;
}

/* ---- verify mode ---- */

/* Parses a make rule as gcc -M writes it; returns the prerequisites. */
static GPtrArray *
parse_make_deps (const char *text)
{
  GPtrArray *deps = g_ptr_array_new_with_free_func (g_free);
  const char *p = text;
  /* Skip the target (up to the first unescaped ':'). */
  while (*p && !(*p == ':' && (p[1] == ' ' || p[1] == '\n' || p[1] == '\0' || p[1] == '\t')))
    p++;
  if (*p)
    p++;
  GString *cur = g_string_new (NULL);
  for (; *p; p++)
    {
      if (*p == '\\' && p[1] == '\n')
        {
          p++;
          continue;
        }
      if (*p == '\\' && (p[1] == ' ' || p[1] == '#' || p[1] == '\\'))
        {
          g_string_append_c (cur, *++p);
          continue;
        }
      if (*p == '$' && p[1] == '$')
        {
          g_string_append_c (cur, '$');
          p++;
          continue;
        }
      if (*p == ' ' || *p == '\t' || *p == '\n')
        {
          if (cur->len)
            g_ptr_array_add (deps, g_strdup (cur->str));
          g_string_truncate (cur, 0);
          if (*p == '\n' && p[1] != ' ' && p[1] != '\t')
            break;   /* end of the first rule */
          continue;
        }
      g_string_append_c (cur, *p);
    }
  if (cur->len)
    g_ptr_array_add (deps, g_strdup (cur->str));
  g_string_free (cur, TRUE);
  return deps;
}

static int
run_verify (char **argv, gboolean verbose)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr(DccClosureEngine) engine = dcc_closure_engine_new ();
  g_autoptr(DccScanner) scanner = dcc_scanner_new ();
  g_autoptr(GPtrArray) entries = NULL;
  DccClosureStats stats;

  gint64 c0 = cpu_us ();
  gint64 t0 = g_get_monotonic_time ();
  if (!dcc_closure_compute (engine, scanner, cwd, (const char *const *) argv, g_getenv ("PATH"),
                            &entries, &stats, &error))
    {
      fprintf (stderr, "include-server: cannot analyse: %s\n", error->message);
      return 2;
    }
  gint64 t1 = g_get_monotonic_time ();
  gint64 c1 = cpu_us ();
  g_autoptr(GPtrArray) again = NULL;
  DccClosureStats stats2;
  if (!dcc_closure_compute (engine, scanner, cwd, (const char *const *) argv, g_getenv ("PATH"),
                            &again, &stats2, &error))
    {
      fprintf (stderr, "include-server: second run failed: %s\n", error->message);
      return 2;
    }
  gint64 t2 = g_get_monotonic_time ();

  g_autoptr(GHashTable) ours = g_hash_table_new (g_str_hash, g_str_equal);
  guint nfiles = 0, ndirs = 0, nlinks = 0;
  for (guint i = 0; i < entries->len; i++)
    {
      const DccEntry *e = entries->pdata[i];
      if (e->kind == DCC_ENTRY_FILE)
        {
          g_hash_table_add (ours, e->path);
          nfiles++;
        }
      else if (e->kind == DCC_ENTRY_DIR)
        ndirs++;
      else
        nlinks++;
      if (verbose)
        printf ("  %s %s%s%s\n", e->kind == 0 ? "file" : e->kind == 1 ? "dir " : "link", e->path,
                e->kind == 2 ? " -> " : "", e->target);
    }
  printf ("closure: %u files, %u dirs, %u symlinks; cold %.1f ms (cpu %.1f ms; %u scanned, %u hashed%s), "
          "cached %.1f ms%s\n", nfiles, ndirs, nlinks, (t1 - t0) / 1000.0, (c1 - c0) / 1000.0, stats.files_scanned,
          stats.files_hashed, stats.full_parse ? ", full parse" : "", (t2 - t1) / 1000.0,
          stats2.cache_hit ? "" : " (not a cache hit)");

  /* The compiler's own answer: the same command with -M. */
  g_autofree char *depfile = NULL;
  int dfd = g_file_open_tmp ("dcc-verify-XXXXXX.d", &depfile, &error);
  if (dfd < 0)
    {
      fprintf (stderr, "include-server: %s\n", error->message);
      return 2;
    }
  close (dfd);
  g_autoptr(GPtrArray) cmd = g_ptr_array_new ();
  for (guint i = 0; argv[i]; i++)
    {
      const char *a = argv[i];
      /* Outputs and dependency options with a separate value (the option
       * table's): the -M run writes neither. */
      const char *joined = NULL;
      const DccOption *o = i > 0 ? dcc_args_option_find (a, &joined) : NULL;
      if (o && !joined && (o->flags & DCC_OPT_SEPARATE)
          && (o->cls == DCC_OPT_OUTPUT || o->cls == DCC_OPT_DEPENDENCY))
        {
          i++;
          if (!argv[i])
            break;
          continue;
        }
      if (i > 0 && (g_str_equal (a, "-c") || g_str_equal (a, "-S") || g_str_equal (a, "-E")
                    || g_str_has_prefix (a, "-Wp,-M") || g_str_has_prefix (a, "-M")
                    || (g_str_has_prefix (a, "-o") && a[2])))
        continue;
      g_ptr_array_add (cmd, (char *) a);
    }
  g_ptr_array_add (cmd, "-M");
  g_ptr_array_add (cmd, "-MF");
  g_ptr_array_add (cmd, depfile);
  g_ptr_array_add (cmd, NULL);
  int status;
  g_autofree char *err = NULL;
  if (!g_spawn_sync (NULL, (char **) cmd->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    {
      fprintf (stderr, "include-server: %s -M failed: %s\n%s", argv[0], error->message, err ? err : "");
      unlink (depfile);
      return 2;
    }
  g_autofree char *deps_text = NULL;
  gboolean read_ok = g_file_get_contents (depfile, &deps_text, NULL, &error);
  unlink (depfile);
  if (!read_ok)
    {
      fprintf (stderr, "include-server: %s\n", error->message);
      return 2;
    }
  g_autoptr(GPtrArray) deps = parse_make_deps (deps_text);
  g_autoptr(GHashTable) theirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint missing = 0;
  for (guint i = 0; i < deps->len; i++)
    {
      const char *d = deps->pdata[i];
      char *real = realpath (d, NULL);
      if (!real)
        {
          printf ("unresolvable dependency: %s\n", d);
          missing++;
          continue;
        }
      if (!g_hash_table_contains (ours, real))
        {
          printf ("missing: %s\n", real);
          missing++;
        }
      g_hash_table_add (theirs, real);
    }
  guint extra = 0;
  for (guint i = 0; i < entries->len; i++)
    {
      const DccEntry *e = entries->pdata[i];
      if (e->kind == DCC_ENTRY_FILE && !g_hash_table_contains (theirs, e->path))
        {
          if (verbose)
            printf ("extra: %s\n", e->path);
          extra++;
        }
    }
  printf ("compiler lists %u files; missing %u, extra %u\n", g_hash_table_size (theirs), missing, extra);
  return missing ? 1 : 0;
}

/* glibc's malloc asks the kernel for transparent huge pages only when told
 * so at the process's start (the glibc.malloc.hugetlb tunable), and the
 * kernel here gives them only on request ("madvise"). A first kernel
 * build grows the server's heap to about 100 MB in 4 KB page faults, each
 * costly on a virtual machine (9,000 of them were about a fifth of its
 * CPU): so the server executes itself again, once, with the tunable.
 * Not when it starts from an existing cache file: executing again costs
 * a second start (libclang's loading, about 0.1 s of CPU), which a first
 * build repays several times over and a rebuild from the cache file does
 * not. DCC_IS_NO_HUGEPAGES=1 leaves it out (for comparisons). */
static gboolean
starts_from_cache_file (char **argv)
{
  for (int i = 1; argv[i]; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      const char *file = NULL;
      if (g_str_equal (argv[i], "--cache-file") && argv[i + 1])
        file = argv[i + 1];
      else if (g_str_has_prefix (argv[i], "--cache-file="))
        file = argv[i] + strlen ("--cache-file=");
      if (file && g_file_test (file, G_FILE_TEST_IS_REGULAR))
        return TRUE;
    }
  return FALSE;
}

static void
exec_with_huge_pages (char **argv)
{
  if (getauxval (AT_SECURE) || g_getenv ("DCC_IS_NO_HUGEPAGES") || starts_from_cache_file (argv))
    return;
  const char *tunables = g_getenv ("GLIBC_TUNABLES");
  if (tunables && strstr (tunables, "glibc.malloc.hugetlb"))
    return;   /* done already, or the user's own choice */
  g_autofree char *thp = NULL;
  if (!g_file_get_contents ("/sys/kernel/mm/transparent_hugepage/enabled", &thp, NULL, NULL)
      || strstr (thp, "[never]"))
    return;
  g_autofree char *with = tunables && tunables[0] ? g_strconcat (tunables, ":glibc.malloc.hugetlb=1", NULL)
                                                  : g_strdup ("glibc.malloc.hugetlb=1");
  g_autofree char *old = g_strdup (tunables);
  if (setenv ("GLIBC_TUNABLES", with, 1) != 0)
    return;
  execv ("/proc/self/exe", argv);
  /* Could not: go on as we are. */
  if (old)
    setenv ("GLIBC_TUNABLES", old, 1);
  else
    unsetenv ("GLIBC_TUNABLES");
}

int
main (int argc, char **argv)
{
  g_autofree char *socket_path = NULL, *pid_file = NULL, *log_file = NULL, *cache_file = NULL, *stats_file = NULL;
  gboolean verbose = FALSE, verify = FALSE, version = FALSE;
  char **compile = NULL;

  exec_with_huge_pages (argv);
  /* libclang runs every parse on a new thread of its own unless told not
   * to; ours are already pool threads, and the thread costs a tenth of a
   * header scan. Set before any thread exists. */
  g_setenv ("LIBCLANG_NOTHREADS", "1", FALSE);
  /* Each walk allocates and frees a few MB of small tables: without these
   * glibc hands the memory back to the kernel after every request and
   * takes page faults to get it again (12% of a first kernel build's CPU). */
  mallopt (M_TRIM_THRESHOLD, 256 << 20);
  mallopt (M_TOP_PAD, 16 << 20);
  mallopt (M_MMAP_THRESHOLD, 32 << 20);

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--"))
      {
        compile = argv + i + 1;
        argv[i] = NULL;
        argc = i;
        break;
      }
  GOptionEntry options[] = {
    { "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path, "Listen on this Unix socket", "PATH" },
    { "pid-file", 0, 0, G_OPTION_ARG_FILENAME, &pid_file, "Write the process id here", "FILE" },
    { "log-file", 0, 0, G_OPTION_ARG_FILENAME, &log_file, "Log here instead of stderr", "FILE" },
    { "cache-file", 0, 0, G_OPTION_ARG_FILENAME, &cache_file,
      "Start from the file hashes, header scans and closures saved here; save them here on exit", "FILE" },
    { "stats-file", 0, 0, G_OPTION_ARG_FILENAME, &stats_file,
      "On exit, write the counters of the exit line here (for pump's build summary)", "FILE" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log every request (debug level)", NULL },
    { "verify", 0, 0, G_OPTION_ARG_NONE, &verify,
      "Compare the closure of `-- COMPILER ARGS...` with the compiler's -M output", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("[-- COMPILER ARGS...]");
  g_option_context_set_summary (ctx, "Pump-mode include server: lists the files each compile reads.");
  g_option_context_add_main_entries (ctx, options, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "include-server: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      printf ("include-server %s (distcc pump mode; include-server protocol %u)\n", DCC_VERSION,
              DCC_IS_PROTOCOL_VERSION);
      return 0;
    }
  dcc_log_setup ("include-server", log_file, verbose ? DCC_LOG_DEBUG : DCC_LOG_NOTICE);
  if (verify)
    {
      if (!compile || !compile[0])
        {
          fprintf (stderr, "include-server: --verify needs -- COMPILER ARGS...\n");
          return 2;
        }
      return run_verify (compile, verbose);
    }
  if (!socket_path || compile)
    {
      fprintf (stderr, "include-server: --socket PATH is required (see --help)\n");
      return 2;
    }
  return run_server (socket_path, pid_file, cache_file, stats_file);
}
