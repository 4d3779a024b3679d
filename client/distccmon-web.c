/* distccmon-web: this user's distcc jobs on every host, as a live web page
 * (http://127.0.0.1:3634/ by default), from the files the clients keep in
 * $DISTCC_DIR. The volunteer's own view is distccd --stats' /monitor; this
 * is the client's: which hosts it uses, what runs where now, and why the
 * recent compiles ran where they did. It listens on loopback unless told
 * otherwise, since file names are the user's business. One request at a
 * time, each read with a bound and a deadline (dcc-http.h). */
#include "client-monitor.h"
#include "build-summary.h"
#include "dcc-build-record.h"
#include "dcc-fd.h"
#include "dcc-http.h"
#include "dcc-state.h"
#include "host-pick.h"
#include "hosts-config.h"
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_PORT 3634

static const char usage_text[] =
  "usage: distccmon-web [--listen ADDRESS] [--port PORT]\n"
  "       distccmon-web --help | --version\n"
  "\n"
  "Serves this user's distcc jobs as a live web page: hosts and their slots,\n"
  "the jobs running now, the recent results and why compiles ran locally,\n"
  "read from $DISTCC_DIR (default ~/.distcc) and the host list.\n"
  "\n"
  "  --listen ADDRESS  address to listen on (default 127.0.0.1)\n"
  "  --port PORT       port (default " G_STRINGIFY (DEFAULT_PORT) ")\n"
  "\n"
  "GET / is the page; GET /json the same view as JSON (see distccmon-web(1)).\n";

/* A listening TCP socket on address:port, or -1 with a message printed. */
static int
listen_on (const char *address, const char *port)
{
  struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
  struct addrinfo *ai = NULL;
  int rc = getaddrinfo (address, port, &hints, &ai);
  if (rc != 0)
    {
      fprintf (stderr, "distccmon-web: cannot listen on %s port %s: %s\n", address, port, gai_strerror (rc));
      return -1;
    }
  dcc_autofd fd = socket (ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0)
    setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind (fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen (fd, 16) < 0)
    {
      fprintf (stderr, "distccmon-web: cannot listen on %s port %s: %s\n", address, port, g_strerror (errno));
      dcc_fd_clear (&fd);
    }
  freeaddrinfo (ai);
  return g_steal_fd (&fd);
}

/* The view now, as JSON. */
static char *
render_now (const char *distcc_dir)
{
  g_autoptr(GPtrArray) jobs = dcc_state_read_all (distcc_dir, NULL);
  g_autoptr(GPtrArray) records = dcc_build_records_read_tail (distcc_dir, DCC_CLIENT_MONITOR_TAIL_BYTES);
  g_autofree char *source = NULL;
  g_autofree char *text = dcc_hosts_config_text (distcc_dir, &source, NULL);
  g_autoptr(DccHostList) hosts = text ? dcc_hosts_parse_skipping (text, NULL) : NULL;
  g_autofree gboolean *backed_off = hosts ? g_new0 (gboolean, hosts->hosts->len + 1) : NULL;
  for (guint i = 0; hosts && i < hosts->hosts->len; i++)
    backed_off[i] = dcc_host_in_backoff (hosts->hosts->pdata[i], distcc_dir, dcc_backoff_period ());
  DccClientView v = { .jobs = jobs, .records = records, .hosts = hosts, .backed_off = backed_off,
                      .now_us = g_get_real_time () };
  return dcc_client_monitor_render_json (&v);
}

int
main (int argc, char **argv)
{
  const char *address = "127.0.0.1", *port = G_STRINGIFY (DEFAULT_PORT);
  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        return fputs (usage_text, stdout), 0;
      if (strcmp (a, "--version") == 0)
        return printf ("distccmon-web %s\n", DCC_VERSION), 0;
      if ((strcmp (a, "--listen") == 0 || strcmp (a, "--port") == 0) && i + 1 < argc)
        {
          *(a[2] == 'l' ? &address : &port) = argv[++i];
          continue;
        }
      if (strcmp (a, "--listen") == 0 || strcmp (a, "--port") == 0)
        return dcc_client_monitor_bad_usage ("distccmon-web", "%s needs a value", a);
      return dcc_client_monitor_bad_usage ("distccmon-web", "unknown option '%s'", a);
    }
  char *end = NULL;
  long p = strtol (port, &end, 10);
  if (!*port || *end || p < 1 || p > 65535)
    return dcc_client_monitor_bad_usage ("distccmon-web", "--port must be a number from 1 to 65535, not '%s'", port);

  int listen_fd = listen_on (address, port);
  if (listen_fd < 0)
    return 1;
  signal (SIGPIPE, SIG_IGN);
  g_autofree char *distcc_dir = dcc_distcc_dir ();
  printf ("distccmon-web: http://%s:%s/ shows the jobs in %s\n", strchr (address, ':') ? "[::1]" : address, port,
          distcc_dir);
  fflush (stdout);
  static const char *const paths[] = { "/", "/json", NULL };
  for (;;)
    {
      dcc_autofd fd = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0)
        continue;
      char head[DCC_HTTP_MAX_REQUEST + 1];
      dcc_http_read_head (fd, head);
      int page = dcc_http_route (head, paths);
      if (page == 1)
        {
          g_autofree char *json = render_now (distcc_dir);
          dcc_http_respond (fd, "application/json", json);
        }
      else
        dcc_http_respond (fd, "text/html; charset=utf-8", dcc_client_monitor_page ());
    }
}
