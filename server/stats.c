/* See stats.h. */
#include "stats.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-http.h"
#include "dcc-json.h"
#include "dcc-log.h"
#include "file-store.h"
#include "job-board.h"
#include "listener.h"
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define SECONDS_KEPT 900   /* compiles per second, for the last 1, 5 and 15 minutes */
#define LONGEST_KEPT 64    /* clients whose longest job is kept (the least recent goes) */

/* One client address's longest job: a peer is shown only its own. */
typedef struct {
  char    client[48];           /* dcc_peer_host; "" = unused */
  gint64  ms;
  gint64  last_us;              /* its last compile, to choose which to drop */
  char    job[256];
  char    compiler[64];
} Longest;

typedef struct {
  guint64 counters[DCC_STATS_N_COUNTERS];
  gint32  busy;
  int     max_kids;
  int     lock;                 /* guards longest and second_* */
  Longest longest[LONGEST_KEPT];
  gint64  second_stamp[SECONDS_KEPT];
  guint32 second_count[SECONDS_KEPT];
  double  avg_kids[3];          /* sampled by the page process */
  char    free_space_dir[512];
} Shared;

static Shared *shared;

gboolean
dcc_stats_init (int max_kids, const char *free_space_dir, GError **error)
{
  void *p = mmap (NULL, sizeof (Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return dcc_fail_errno (error, "cannot map the statistics counters");
  shared = p;
  shared->max_kids = max_kids;
  g_strlcpy (shared->free_space_dir, free_space_dir ? free_space_dir : "/tmp", sizeof shared->free_space_dir);
  return dcc_job_board_init (error);   /* the web monitor's running and recent jobs */
}

void
dcc_stats_count (DccStatsCounter c)
{
  if (shared && c < DCC_STATS_N_COUNTERS)
    __atomic_add_fetch (&shared->counters[c], 1, __ATOMIC_RELAXED);
}

void
dcc_stats_busy (int delta)
{
  if (shared)
    __atomic_add_fetch (&shared->busy, delta, __ATOMIC_RELAXED);
}

/* The entry of client (a dcc_peer_host), or the one to reuse for it. */
static Longest *
longest_for (const char *client)
{
  Longest *oldest = &shared->longest[0];
  for (int i = 0; i < LONGEST_KEPT; i++)
    {
      Longest *l = &shared->longest[i];
      if (strcmp (l->client, client) == 0)
        return l;
      if (!l->client[0] ? oldest->client[0] != 0 : oldest->client[0] && l->last_us < oldest->last_us)
        oldest = l;
    }
  memset (oldest, 0, sizeof *oldest);
  g_strlcpy (oldest->client, client, sizeof oldest->client);
  return oldest;
}

void
dcc_stats_compiled (const char *client, const char *source, const char *compiler, gint64 msecs, int status)
{
  if (!shared)
    return;
  g_autofree char *host = dcc_peer_host (client);
  dcc_stats_count (status == 0 ? DCC_STATS_COMPILE_OK : DCC_STATS_COMPILE_ERROR);
  gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC + 1;   /* never 0: 0 is "unused" */
  guint i = (guint) (second % SECONDS_KEPT);
  while (__atomic_test_and_set (&shared->lock, __ATOMIC_ACQUIRE))
    ;
  if (shared->second_stamp[i] != second)
    {
      shared->second_stamp[i] = second;
      shared->second_count[i] = 0;
    }
  shared->second_count[i]++;
  Longest *l = host ? longest_for (host) : NULL;
  if (l)
    {
      l->last_us = g_get_monotonic_time ();
      if (msecs >= l->ms)
        {
          l->ms = msecs;
          g_strlcpy (l->job, source ? source : "", sizeof l->job);
          g_strlcpy (l->compiler, compiler ? compiler : "", sizeof l->compiler);
        }
    }
  __atomic_clear (&shared->lock, __ATOMIC_RELEASE);
}

typedef struct {
  guint64 c[DCC_STATS_N_COUNTERS];
  int     max_kids;
  double  avg_kids[3];
  char    longest_job[256];
  char    longest_compiler[64];
  gint64  longest_ms;
  guint64 compiles[3];          /* last 1, 5, 15 minutes */
  int     running;              /* /proc/loadavg: runnable entities */
  double  load[3];
  int     procs_d;              /* processes in state D */
  long    max_rss_kb;
  long    free_mb;
  guint64 store_bytes;          /* the file store's shared usage, and its budget */
  guint64 store_max_bytes;
} Snapshot;

static void
read_proc (Snapshot *s)
{
  g_autofree char *la = NULL;
  if (g_file_get_contents ("/proc/loadavg", &la, NULL, NULL))
    sscanf (la, "%lf %lf %lf %d", &s->load[0], &s->load[1], &s->load[2], &s->running);
  g_autoptr(GDir) d = g_dir_open ("/proc", 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      if (!g_ascii_isdigit (name[0]))
        continue;
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *st = NULL;
      if (!g_file_get_contents (path, &st, NULL, NULL))
        continue;
      /* pid (comm) state ... field 24 is rss in pages */
      char *open = strchr (st, '('), *close = strrchr (st, ')');
      if (!open || !close || close[1] == '\0')
        continue;
      char state = close[2];
      if (state == 'D')
        s->procs_d++;
      g_auto(GStrv) f = g_strsplit (close + 2, " ", 0);
      if (g_strv_length (f) > 21)
        {
          long rss = g_ascii_strtoll (f[21], NULL, 10) * (sysconf (_SC_PAGESIZE) / 1024);
          /* Its size only: the name would tell a client what runs on
           * the volunteer (another client's compiler, the owner's programs). */
          s->max_rss_kb = MAX (s->max_rss_kb, rss);
        }
    }
}

/* The daemon's file store, whose usage counter is a shared mapping this
 * process inherited: its current value is the store's size now. */
static DccStore *stats_store;
static guint64 stats_store_max;

void
dcc_stats_set_store (DccStore *store, guint64 max_bytes)
{
  stats_store = store;
  stats_store_max = max_bytes;
}

/* viewer: the requester (dcc_peer_name); the longest job is its own. */
static void
snapshot (Snapshot *s, const char *viewer)
{
  g_autofree char *viewer_host = dcc_peer_host (viewer);
  memset (s, 0, sizeof *s);
  s->free_mb = -1;
  if (shared)
    {
      for (int i = 0; i < DCC_STATS_N_COUNTERS; i++)
        s->c[i] = __atomic_load_n (&shared->counters[i], __ATOMIC_RELAXED);
      s->max_kids = shared->max_kids;
      memcpy (s->avg_kids, shared->avg_kids, sizeof s->avg_kids);
      while (__atomic_test_and_set (&shared->lock, __ATOMIC_ACQUIRE))
        ;
      for (int i = 0; viewer_host && i < LONGEST_KEPT; i++)
        if (strcmp (shared->longest[i].client, viewer_host) == 0)
          {
            memcpy (s->longest_job, shared->longest[i].job, sizeof s->longest_job);
            memcpy (s->longest_compiler, shared->longest[i].compiler, sizeof s->longest_compiler);
            s->longest_ms = shared->longest[i].ms;
          }
      gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC + 1;
      for (int i = 0; i < SECONDS_KEPT; i++)
        {
          gint64 age = now - shared->second_stamp[i];
          if (shared->second_stamp[i] == 0 || age < 0)
            continue;
          if (age < 60) s->compiles[0] += shared->second_count[i];
          if (age < 300) s->compiles[1] += shared->second_count[i];
          if (age < 900) s->compiles[2] += shared->second_count[i];
        }
      __atomic_clear (&shared->lock, __ATOMIC_RELEASE);
      struct statvfs sv;
      if (statvfs (shared->free_space_dir, &sv) == 0)
        s->free_mb = (long) ((guint64) sv.f_bavail * sv.f_frsize / (1024 * 1024));
    }
  if (stats_store)
    {
      s->store_bytes = dcc_store_total_bytes (stats_store);
      s->store_max_bytes = stats_store_max;
    }
  read_proc (s);
}

char *
dcc_stats_render_text (const char *viewer)
{
  Snapshot s;
  snapshot (&s, viewer);
  GString *o = g_string_new ("argv /distccd\n<distccstats>\n");
  g_string_append_printf (o, "dcc_tcp_accept %" G_GUINT64_FORMAT "\n", s.c[DCC_STATS_ACCEPT]);
  g_string_append_printf (o, "dcc_rej_bad_req %" G_GUINT64_FORMAT "\n", s.c[DCC_STATS_REJ_BAD_REQ]);
  g_string_append_printf (o, "dcc_rej_overload %" G_GUINT64_FORMAT "\n", s.c[DCC_STATS_REJ_OVERLOAD]);
  g_string_append_printf (o, "dcc_compile_ok %" G_GUINT64_FORMAT "\n", s.c[DCC_STATS_COMPILE_OK]);
  g_string_append_printf (o, "dcc_compile_error %" G_GUINT64_FORMAT "\n", s.c[DCC_STATS_COMPILE_ERROR]);
  g_string_append_printf (o, "dcc_compile_timeout %" G_GUINT64_FORMAT "\n", s.c[DCC_STATS_COMPILE_TIMEOUT]);
  g_string_append_printf (o, "dcc_cli_disconnect %" G_GUINT64_FORMAT "\n", s.c[DCC_STATS_CLI_DISCONNECT]);
  g_string_append_printf (o, "dcc_other %" G_GUINT64_FORMAT "\n", s.c[DCC_STATS_OTHER]);
  g_string_append_printf (o, "dcc_longest_job %s\n", s.longest_job);
  g_string_append_printf (o, "dcc_longest_job_compiler %s\n", s.longest_compiler);
  g_string_append_printf (o, "dcc_longest_job_time_msecs %" G_GINT64_FORMAT "\n", s.longest_ms);
  g_string_append_printf (o, "dcc_max_kids %d\n", s.max_kids);
  for (int i = 0; i < 3; i++)
    g_string_append_printf (o, "dcc_avg_kids%d %d\n", i + 1, (int) (s.avg_kids[i] + 0.5));
  g_string_append_printf (o, "dcc_current_load %d\n", s.running);
  for (int i = 0; i < 3; i++)
    g_string_append_printf (o, "dcc_load%d %.2f\n", i + 1, s.load[i]);
  for (int i = 0; i < 3; i++)
    g_string_append_printf (o, "dcc_num_compiles%d %" G_GUINT64_FORMAT "\n", i + 1, s.compiles[i]);
  g_string_append_printf (o, "dcc_num_procstate_D %d\n", s.procs_d);
  g_string_append_printf (o, "dcc_max_RSS %ld\n", s.max_rss_kb);
  g_string_append (o, "dcc_max_RSS_name \n");
  g_string_append (o, "dcc_io_rate -1\n");
  g_string_append_printf (o, "dcc_free_space %ld MB\n", s.free_mb);
  g_string_append (o, "</distccstats>\n");
  return g_string_free (o, FALSE);
}

char *
dcc_stats_render_json (const char *viewer)
{
  Snapshot s;
  snapshot (&s, viewer);
  GString *o = g_string_new ("{");
  static const char *names[DCC_STATS_N_COUNTERS] = {
    "tcp_accept", "rej_bad_req", "rej_overload", "compile_ok", "compile_error",
    "compile_timeout", "cli_disconnect", "other", "result_cache_hit", "result_cache_stored" };
  for (int i = 0; i < DCC_STATS_N_COUNTERS; i++)
    g_string_append_printf (o, "\"%s\": %" G_GUINT64_FORMAT ", ", names[i], s.c[i]);
  dcc_json_append_member (o, "longest_job", s.longest_job);
  dcc_json_append_member (o, "longest_job_compiler", s.longest_compiler);
  g_string_append_printf (o, "\"longest_job_time_msecs\": %" G_GINT64_FORMAT ", ", s.longest_ms);
  g_string_append_printf (o, "\"max_kids\": %d, \"avg_kids\": [%.2f, %.2f, %.2f], ", s.max_kids,
                          s.avg_kids[0], s.avg_kids[1], s.avg_kids[2]);
  g_string_append_printf (o, "\"current_load\": %d, \"load\": [%.2f, %.2f, %.2f], ", s.running,
                          s.load[0], s.load[1], s.load[2]);
  g_string_append_printf (o, "\"num_compiles\": [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "], ",
                          s.compiles[0], s.compiles[1], s.compiles[2]);
  g_string_append_printf (o, "\"num_procstate_D\": %d, \"max_RSS_kb\": %ld, ", s.procs_d, s.max_rss_kb);
  dcc_json_append_member (o, "max_RSS_name", "");
  g_string_append_printf (o, "\"store_bytes\": %" G_GUINT64_FORMAT ", \"store_max_bytes\": %" G_GUINT64_FORMAT ", ",
                          s.store_bytes, s.store_max_bytes);
  g_string_append_printf (o, "\"free_space_mb\": %ld, \"busy\": %d}\n", s.free_mb,
                          shared ? __atomic_load_n (&shared->busy, __ATOMIC_RELAXED) : 0);
  return g_string_free (o, FALSE);
}

typedef enum { PAGE_TEXT, PAGE_JSON, PAGE_JOBS, PAGE_MONITOR } Page;

/* Reads a request head: the page it asks for; anything else gets stock's. */
static Page
requested_page (int fd)
{
  static const char *const paths[] = { "/json", "/jobs", "/monitor", "/monitor/", NULL };
  static const Page pages[] = { PAGE_JSON, PAGE_JOBS, PAGE_MONITOR, PAGE_MONITOR };
  char head[DCC_HTTP_MAX_REQUEST + 1];
  dcc_http_read_head (fd, head);
  int i = dcc_http_route (head, paths);
  return i < 0 ? PAGE_TEXT : pages[i];
}

static void
sample_kids (gint64 *last)
{
  /* Exponentially damped averages of busy jobs over 1, 5 and 15 minutes,
   * sampled every 5 s as the kernel does the load average. */
  gint64 now = g_get_monotonic_time ();
  if (now - *last < 5 * G_USEC_PER_SEC)
    return;
  *last = now;
  static const double decay[3] = { 0.920044, 0.983471, 0.994460 };   /* exp (-5 s / 1, 5, 15 min) */
  double busy = __atomic_load_n (&shared->busy, __ATOMIC_RELAXED);
  for (int i = 0; i < 3; i++)
    {
      double e = decay[i];
      shared->avg_kids[i] = shared->avg_kids[i] * e + busy * (1 - e);
    }
}

int
dcc_stats_spawn_server (int listen_fd, int other_fd, GArray *allow, GError **error)
{
  pid_t pid = fork ();
  if (pid < 0)
    return dcc_fail_errno (error, "cannot start the statistics server"), -1;
  if (pid > 0)
    return pid;
  if (other_fd >= 0)
    close (other_fd);
  signal (SIGTERM, SIG_DFL);
  signal (SIGINT, SIG_DFL);
  signal (SIGALRM, SIG_DFL);
  gint64 last_sample = g_get_monotonic_time ();
  for (;;)
    {
      if (getppid () == 1)
        _exit (0);
      sample_kids (&last_sample);
      struct pollfd p = { .fd = listen_fd, .events = POLLIN };
      if (poll (&p, 1, 1000) <= 0)
        continue;
      struct sockaddr_storage ss;
      socklen_t sl = sizeof ss;
      dcc_autofd fd = accept4 (listen_fd, (struct sockaddr *) &ss, &sl, SOCK_CLOEXEC);
      if (fd < 0 || !dcc_peer_allowed (allow, (struct sockaddr *) &ss, sl))
        continue;
      Page page = requested_page (fd);
      /* What names a job (its file, client, compiler) is shown to its own
       * client's address only. */
      g_autofree char *viewer = dcc_peer_name ((struct sockaddr *) &ss, sl);
      g_autofree char *body = page == PAGE_JSON ? dcc_stats_render_json (viewer)
                              : page == PAGE_JOBS ? dcc_job_board_render_json (g_get_host_name (), viewer)
                              : page == PAGE_MONITOR ? g_strdup (dcc_web_monitor_page ())
                              : dcc_stats_render_text (viewer);
      dcc_http_respond (fd, page == PAGE_TEXT ? "text/plain"
                            : page == PAGE_MONITOR ? "text/html; charset=utf-8" : "application/json", body);
    }
}
