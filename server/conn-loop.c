#include "conn-loop.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "dcc-request-reader.h"
#include "listener.h"
#include "session.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

typedef enum { CONN_READING, CONN_READY, CONN_DETACHED } ConnState;

typedef struct {
  int               fd;
  ConnState         state;
  char             *peer;          /* "addr:port", for logs */
  char             *key;           /* what the per-peer bound counts (dcc_peer_key) */
  gint64            accepted_us;
  gint64            last_io_us;
  gint64            ready_us;      /* when the request became complete */
  gboolean          peer_bound_logged; /* "waits: its peer holds ... workers" said */
  DccRequestReader *reader;        /* while reading */
  DccRequest       *request;       /* once complete */
  guint64           held;          /* bytes counted in Loop.held or Loop.ready_held */
  GList             by_age;        /* in Loop.reading (accept order) or Loop.ready */
  GList             by_io;         /* in Loop.quiet while reading */
} Conn;

/* Drops of one kind are logged at most once a second, with a count of the
 * ones not logged, so that a flood does not flood the log. */
typedef struct {
  gint64 last_us;
  guint  unlogged;
} DropLog;

enum { DROP_PEER, DROP_TOTAL, DROP_MEMORY, DROP_DEADLINE_IDLE, DROP_DEADLINE_SLOW, DROP_SILENT, DROP_FDS, N_DROPS };

typedef struct {
  DccConnLimits     lim;
  GArray           *allow;
  int               listen_fd;
  int               epfd;
  GQueue            reading;       /* Conn.by_age, oldest first */
  GQueue            quiet;         /* Conn.by_io, least recently active first */
  GQueue            ready;         /* complete requests waiting for a worker */
  GPtrArray        *dead;          /* closed this iteration, freed at its end (their
                                    * events may still be in the batch) */
  GHashTable       *per_peer;      /* key -> reading connections from it */
  GHashTable       *workers;       /* pid -> its Conn, freed once the worker has ended */
  GHashTable       *peer_workers;  /* key -> workers serving that peer */
  guint64           held;          /* bytes held by reading connections */
  guint64           ready_held;    /* bytes held by complete requests waiting */
  gboolean          listening;     /* the listening socket is in the epoll set */
  gint64            paused_until;  /* out of fds: accept nothing before this */
  struct rlimit     nofile_before; /* restored in workers */
  DropLog           drops[N_DROPS];
  DccConnServeFunc  serve;
  gpointer          data;
} Loop;

static int wake_pipe[2] = { -1, -1 };

static void
on_sigchld (int sig)
{
  int saved = errno;
  ssize_t unused = write (wake_pipe[1], "c", 1);
  (void) unused;
  errno = saved;
}

/* Sentinels for epoll_event.data.ptr; connections use their Conn. */
static int listen_tag, wake_tag;

static double
seconds_since (gint64 t, gint64 now)
{
  return (double) (now - t) / G_USEC_PER_SEC;
}

static void
conn_free (Conn *c)
{
  dcc_fd_clear (&c->fd);
  dcc_request_reader_free (c->reader);
  dcc_request_free (c->request);
  g_free (c->peer);
  g_free (c->key);
  g_free (c);
}

/* Takes c out of every queue, count and the epoll set. */
static void
conn_detach (Loop *l, Conn *c)
{
  if (c->state == CONN_READING)
    {
      g_queue_unlink (&l->reading, &c->by_age);
      g_queue_unlink (&l->quiet, &c->by_io);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (l->per_peer, c->key));
      if (n <= 1)
        g_hash_table_remove (l->per_peer, c->key);
      else
        g_hash_table_insert (l->per_peer, g_strdup (c->key), GUINT_TO_POINTER (n - 1));
      l->held -= c->held;
      /* Explicitly: a worker forked a moment ago may still hold a copy of
       * the fd, and epoll forgets it only when every copy is closed. */
      epoll_ctl (l->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    }
  else if (c->state == CONN_READY)
    {
      g_queue_unlink (&l->ready, &c->by_age);
      l->ready_held -= c->held;
    }
  c->held = 0;
  c->state = CONN_DETACHED;
}

/* Closes c's fd now; the Conn itself is freed after this batch of events,
 * which may still name it (its events are skipped: state DETACHED). */
static void
conn_bury (Loop *l, Conn *c)
{
  dcc_fd_clear (&c->fd);
  g_ptr_array_add (l->dead, c);
}

static void
conn_close (Loop *l, Conn *c)
{
  conn_detach (l, c);
  conn_bury (l, c);
}

static void
drop (Loop *l, Conn *c, int kind, const char *why)
{
  gint64 now = g_get_monotonic_time ();
  DropLog *d = &l->drops[kind];
  if (now - d->last_us >= G_USEC_PER_SEC)
    {
      g_autofree char *more = d->unlogged ? g_strdup_printf (" (and %u more like it since the last such line)",
                                                             d->unlogged) : g_strdup ("");
      dcc_warning ("dropped connection from %s after %.1f s, %" G_GUINT64_FORMAT " bytes received: %s%s",
                   c->peer, seconds_since (c->accepted_us, now),
                   c->reader ? dcc_request_reader_total (c->reader) : 0, why, more);
      d->last_us = now;
      d->unlogged = 0;
    }
  else
    d->unlogged++;
  conn_close (l, c);
}

static Conn *
oldest_reading (Loop *l, const char *key)
{
  for (GList *it = l->reading.head; it; it = it->next)
    {
      Conn *c = it->data;
      if (!key || strcmp (c->key, key) == 0)
        return c;
    }
  return NULL;
}

static void
set_listening (Loop *l, gboolean on)
{
  if (on == l->listening)
    return;
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listen_tag };
  epoll_ctl (l->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, l->listen_fd, &ev);
  l->listening = on;
}

/* --- workers --- */

/* In the forked worker: keep only this connection's fd, then serve. */
G_GNUC_NORETURN static void
run_worker (Loop *l, Conn *c, gint64 deadline_us)
{
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  sigaction (SIGCHLD, &dfl, NULL);
  close (l->listen_fd);
  close (l->epfd);
  close (wake_pipe[0]);
  close (wake_pipe[1]);
  for (GList *it = l->reading.head; it; it = it->next)
    close (((Conn *) it->data)->fd);
  for (GList *it = l->ready.head; it; it = it->next)
    close (((Conn *) it->data)->fd);
  setrlimit (RLIMIT_NOFILE, &l->nofile_before);
  l->serve (c->fd, c->peer, c->request, deadline_us, l->data);
  close (c->fd);
  _exit (0);
}

static guint
peer_workers (Loop *l, const char *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (l->peer_workers, key));
}

static void
peer_workers_add (Loop *l, const char *key, int delta)
{
  guint n = peer_workers (l, key) + (guint) delta;
  if (n == 0)
    g_hash_table_remove (l->peer_workers, key);
  else
    g_hash_table_insert (l->peer_workers, g_strdup (key), GUINT_TO_POINTER (n));
}

/* The oldest complete request whose peer holds fewer than
 * max_workers_per_peer workers: one address cannot take every worker
 * (pump uploads it never sends, replies it never reads) while another
 * peer's request waits. */
static Conn *
next_ready (Loop *l)
{
  for (GList *it = l->ready.head; it; it = it->next)
    {
      Conn *c = it->data;
      if (peer_workers (l, c->key) < l->lim.max_workers_per_peer)
        return c;
      if (!c->peer_bound_logged)
        {
          dcc_debug ("request from %s waits: %u workers serve %s already (at most %u of the %u)", c->peer,
                     peer_workers (l, c->key), c->key, l->lim.max_workers_per_peer, l->lim.max_workers);
          c->peer_bound_logged = TRUE;
        }
    }
  return NULL;
}

static void
start_workers (Loop *l)
{
  Conn *c;
  while (g_hash_table_size (l->workers) < l->lim.max_workers && (c = next_ready (l)) != NULL)
    {
      conn_detach (l, c);
      gint64 now = g_get_monotonic_time ();
      /* The client is not charged for the time its request waited here. */
      gint64 deadline_us = c->accepted_us + (gint64) l->lim.request_timeout_s * G_USEC_PER_SEC
                           + (now - c->ready_us);
      if (l->lim.serve_in_parent)
        {
          l->serve (c->fd, c->peer, c->request, deadline_us, l->data);
          conn_bury (l, c);
          continue;
        }
      pid_t pid = fork ();
      if (pid < 0)
        {
          dcc_error ("fork failed: %s; dropping the request from %s", g_strerror (errno), c->peer);
          conn_bury (l, c);
          continue;
        }
      if (pid == 0)
        run_worker (l, c, deadline_us);
      dcc_debug ("request from %s complete after %.3f s, waited %.3f s for a worker (pid %d)",
                 c->peer, seconds_since (c->accepted_us, c->ready_us), seconds_since (c->ready_us, now),
                 (int) pid);
      /* The request stays allocated here until its worker has ended: its
       * pages are the worker's too (copy-on-write), and freeing its many
       * blocks now wrote to each, so the kernel copied them one by one,
       * each with a TLB flush on every CPU: more than half of a result-cache
       * hit's CPU in the daemon (issue 20). Once the worker is gone they are
       * this process's alone again. It holds no memory the worker does not
       * hold anyway. */
      dcc_fd_clear (&c->fd);
      g_hash_table_insert (l->workers, GINT_TO_POINTER (pid), c);
      peer_workers_add (l, c->key, 1);
    }
}

static void
reap_workers (Loop *l)
{
  char buf[64];
  while (read (wake_pipe[0], buf, sizeof buf) > 0)
    ;
  int ws;
  pid_t pid;
  struct rusage ru;
  while ((pid = wait4 (-1, &ws, WNOHANG, &ru)) > 0)
    {
      /* freed after this batch of events, as a closed connection is */
      Conn *c = NULL;
      if (g_hash_table_steal_extended (l->workers, GINT_TO_POINTER (pid), NULL, (gpointer *) &c) && c)
        {
          /* Its peak resident memory (the pages it touched, inherited
           * ones included): what one job cost the volunteer. */
          dcc_debug ("worker %d for %s ended: peak memory %ld KiB", (int) pid, c->peer, ru.ru_maxrss);
          peer_workers_add (l, c->key, -1);
          g_ptr_array_add (l->dead, c);
        }
    }
}

static void
stop_workers (Loop *l)
{
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, l->workers);
  while (g_hash_table_iter_next (&it, &key, NULL))
    kill (GPOINTER_TO_INT (key), SIGTERM);
  for (int i = 0; i < 100 && g_hash_table_size (l->workers) > 0; i++)
    {
      g_usleep (50 * 1000);
      reap_workers (l);
    }
  g_hash_table_iter_init (&it, l->workers);
  while (g_hash_table_iter_next (&it, &key, NULL))
    kill (GPOINTER_TO_INT (key), SIGKILL);
  while (g_hash_table_size (l->workers) > 0 && waitpid (-1, NULL, 0) > 0)
    reap_workers (l);
}

/* --- reading --- */

static void
refuse (Loop *l, Conn *c, GError *error)
{
  g_autofree char *msg = dcc_escape_for_log (error->message, 500);
  if (dcc_request_reader_protocol (c->reader) == DCC_PROTOCOL_DIST)
    {
      /* The stock protocol has no error reply: stock distccd drops the
       * connection, and its client compiles elsewhere. */
      dcc_warning ("request from %s refused (stock distcc client, connection dropped): %s", c->peer, msg);
      conn_close (l, c);
      return;
    }
  dcc_warning ("request from %s refused: %s", c->peer, msg);
  /* Best effort, without waiting: a short EROR fits the socket's buffer. */
  g_autoptr(GByteArray) out = g_byte_array_new ();
  dcc_reply_encode_error (out, msg);
  ssize_t unused = send (c->fd, out->data, out->len, MSG_NOSIGNAL | MSG_DONTWAIT);
  (void) unused;
  conn_close (l, c);
}

static void
enforce_memory (Loop *l)
{
  while (l->held > l->lim.max_buffered && l->reading.head)
    {
      g_autofree char *why = g_strdup_printf ("incomplete requests hold more than %" G_GUINT64_FORMAT
                                              " MiB (--max-request-memory)", l->lim.max_buffered >> 20);
      drop (l, l->reading.head->data, DROP_MEMORY, why);
    }
}

static void
on_readable (Loop *l, Conn *c)
{
  static guint8 buf[DCC_SESSION_READ_CHUNK];
  ssize_t n = read (c->fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return;
  if (n <= 0)
    {
      dcc_debug ("%s closed the connection before its request was complete (%s)", c->peer,
                 n < 0 ? g_strerror (errno) : "end of file");
      conn_close (l, c);
      return;
    }
  c->last_io_us = g_get_monotonic_time ();
  g_queue_unlink (&l->quiet, &c->by_io);
  g_queue_push_tail_link (&l->quiet, &c->by_io);

  g_autoptr(GError) error = NULL;
  gsize used;
  DccReaderResult r = dcc_request_reader_feed (c->reader, buf, (gsize) n, &used, &error);
  guint64 held = dcc_request_reader_held (c->reader);
  l->held = l->held - c->held + held;
  c->held = held;
  if (r == DCC_READER_COMPLETE && used != (gsize) n)
    {
      dcc_fail (&error, DCC_ERROR_PROTOCOL, "bytes after the end of the request");
      r = DCC_READER_ERROR;
    }
  if (r == DCC_READER_ERROR)
    {
      refuse (l, c, error);
      return;
    }
  if (r == DCC_READER_NEED_MORE)
    {
      enforce_memory (l);
      return;
    }
  /* Complete: stop reading (the worker talks from now on) and queue it. */
  conn_detach (l, c);
  c->request = dcc_request_reader_steal_request (c->reader);
  g_clear_pointer (&c->reader, dcc_request_reader_free);
  c->held = held;
  c->ready_us = g_get_monotonic_time ();
  c->state = CONN_READY;
  l->ready_held += c->held;
  c->by_age.data = c;
  g_queue_push_tail_link (&l->ready, &c->by_age);
  start_workers (l);
}

/* --- accepting --- */

static void
add_connection (Loop *l, int fd_in, const struct sockaddr *sa, socklen_t sl)
{
  dcc_autofd fd = fd_in;
  g_autofree char *peer = dcc_peer_name (sa, sl);
  if (!dcc_peer_allowed (l->allow, sa, sl))
    {
      dcc_warning ("refused connection from %s: not in --allow", peer);
      return;
    }
  g_autofree char *key = dcc_peer_key (sa, sl);
  if (GPOINTER_TO_UINT (g_hash_table_lookup (l->per_peer, key)) >= l->lim.max_per_peer)
    {
      g_autofree char *why = g_strdup_printf ("%u incomplete connections from %s (--max-connections-per-peer)",
                                              l->lim.max_per_peer, key);
      drop (l, oldest_reading (l, key), DROP_PEER, why);
    }
  if (l->reading.length >= l->lim.max_connections)
    {
      g_autofree char *why = g_strdup_printf ("%u incomplete connections in all (--max-connections)",
                                              l->lim.max_connections);
      drop (l, l->reading.head->data, DROP_TOTAL, why);
    }
  Conn *c = g_new0 (Conn, 1);
  c->peer = g_steal_pointer (&peer);
  c->key = g_steal_pointer (&key);
  c->accepted_us = c->last_io_us = g_get_monotonic_time ();
  c->reader = dcc_request_reader_new (DCC_MAX_FRAME);
  dcc_request_reader_set_input_limit (c->reader, l->lim.job_input_bytes);
  c->state = CONN_READING;
  struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
  if (epoll_ctl (l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
    {
      dcc_error ("epoll_ctl: %s; dropping connection from %s", g_strerror (errno), c->peer);
      c->fd = -1;
      conn_free (c);
      return;
    }
  c->fd = g_steal_fd (&fd);
  c->by_age.data = c->by_io.data = c;
  g_queue_push_tail_link (&l->reading, &c->by_age);
  g_queue_push_tail_link (&l->quiet, &c->by_io);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (l->per_peer, c->key));
  g_hash_table_insert (l->per_peer, g_strdup (c->key), GUINT_TO_POINTER (n + 1));
}

static void
accept_some (Loop *l)
{
  /* A bounded batch, so that reading keeps up while a flood connects. */
  for (int i = 0; i < 64; i++)
    {
      struct sockaddr_storage ss;
      socklen_t sl = sizeof ss;
      int fd = accept4 (l->listen_fd, (struct sockaddr *) &ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0)
        {
          add_connection (l, fd, (struct sockaddr *) &ss, sl);
          continue;
        }
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno == EMFILE || errno == ENFILE)
        {
          if (l->reading.head)
            {
              drop (l, l->reading.head->data, DROP_FDS, "out of file descriptors");
              continue;
            }
          /* Every descriptor is a complete request or a worker's: let new
           * connections wait in the backlog a little. */
          dcc_warning ("out of file descriptors (%s); not accepting for 100 ms", g_strerror (errno));
          l->paused_until = g_get_monotonic_time () + 100 * 1000;
          set_listening (l, FALSE);
        }
      return;
    }
}

/* --- time --- */

static void
expire (Loop *l, gint64 now)
{
  gint64 request_us = (gint64) l->lim.request_timeout_s * G_USEC_PER_SEC;
  gint64 io_us = (gint64) l->lim.io_timeout_s * G_USEC_PER_SEC;
  while (l->reading.head && ((Conn *) l->reading.head->data)->accepted_us + request_us <= now)
    {
      Conn *c = l->reading.head->data;
      /* Slow senders and silent connections are logged apart, so that a
       * crowd of one does not hide the other. */
      gboolean sent = dcc_request_reader_total (c->reader) > 0;
      g_autofree char *why = g_strdup_printf ("request not complete after %d s (--request-timeout)%s",
                                              l->lim.request_timeout_s, sent ? "" : ", nothing sent");
      drop (l, c, sent ? DROP_DEADLINE_SLOW : DROP_DEADLINE_IDLE, why);
    }
  while (io_us > 0 && l->quiet.head && ((Conn *) l->quiet.head->data)->last_io_us + io_us <= now)
    {
      g_autofree char *why = g_strdup_printf ("silent for %d s (--io-timeout)", l->lim.io_timeout_s);
      drop (l, l->quiet.head->data, DROP_SILENT, why);
    }
}

/* Milliseconds until the next connection's deadline, at most one second. */
static int
next_timeout_ms (Loop *l, gint64 now)
{
  gint64 next = now + G_USEC_PER_SEC;
  if (l->reading.head)
    next = MIN (next, ((Conn *) l->reading.head->data)->accepted_us
                      + (gint64) l->lim.request_timeout_s * G_USEC_PER_SEC);
  if (l->quiet.head && l->lim.io_timeout_s > 0)
    next = MIN (next, ((Conn *) l->quiet.head->data)->last_io_us
                      + (gint64) l->lim.io_timeout_s * G_USEC_PER_SEC);
  if (!l->listening && l->paused_until)
    next = MIN (next, l->paused_until);
  return next <= now ? 0 : (int) ((next - now + 999) / 1000);
}

/* Room for max_connections descriptors: raise the soft limit, or lower
 * max_connections to what the hard limit allows. */
static void
fit_nofile (Loop *l)
{
  struct rlimit rl;
  if (getrlimit (RLIMIT_NOFILE, &rl) < 0)
    return;
  l->nofile_before = rl;
  rlim_t want = (rlim_t) l->lim.max_connections + l->lim.max_workers + DCC_CONN_FD_RESERVE;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
    {
      rl.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want) ? want : rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
      getrlimit (RLIMIT_NOFILE, &rl);
    }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
    {
      rlim_t room = rl.rlim_cur > l->lim.max_workers + DCC_CONN_FD_RESERVE + 16
                      ? rl.rlim_cur - l->lim.max_workers - DCC_CONN_FD_RESERVE : 16;
      dcc_warning ("open file limit %llu: --max-connections lowered from %u to %llu",
                   (unsigned long long) rl.rlim_cur, l->lim.max_connections, (unsigned long long) room);
      l->lim.max_connections = (guint) room;
    }
}

void
dcc_conn_loop_run (int listen_fd, GArray *allow, const DccConnLimits *limits,
                   DccConnServeFunc serve, DccConnTickFunc tick, gpointer data,
                   volatile sig_atomic_t *stop)
{
  Loop l = { .lim = *limits, .allow = allow, .listen_fd = listen_fd, .serve = serve, .data = data };
  l.lim.max_connections = MAX (l.lim.max_connections, 1);
  l.lim.max_per_peer = MAX (l.lim.max_per_peer, 1);
  l.lim.max_workers = MAX (l.lim.max_workers, 1);
  if (l.lim.max_workers_per_peer == 0 || l.lim.max_workers_per_peer > l.lim.max_workers)
    l.lim.max_workers_per_peer = l.lim.max_workers;
  fit_nofile (&l);
  l.per_peer = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  l.workers = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) conn_free);
  l.peer_workers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  l.dead = g_ptr_array_new_with_free_func ((GDestroyNotify) conn_free);
  dcc_autofd epfd = epoll_create1 (EPOLL_CLOEXEC);
  l.epfd = epfd;
  if (l.epfd < 0 || pipe2 (wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
    {
      dcc_error ("cannot set up the event loop: %s", g_strerror (errno));
      return;
    }
  int fl = fcntl (listen_fd, F_GETFL);
  fcntl (listen_fd, F_SETFL, fl | O_NONBLOCK);
  struct sigaction sa = { .sa_handler = on_sigchld, .sa_flags = SA_RESTART | SA_NOCLDSTOP };
  sigemptyset (&sa.sa_mask);
  sigaction (SIGCHLD, &sa, NULL);
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &wake_tag };
  epoll_ctl (l.epfd, EPOLL_CTL_ADD, wake_pipe[0], &ev);
  set_listening (&l, TRUE);

  while (!*stop)
    {
      reap_workers (&l);
      start_workers (&l);
      if (tick)
        tick (data);
      gint64 now = g_get_monotonic_time ();
      /* Complete requests waiting for a worker past the memory bound: let
       * new connections wait in the backlog until workers catch up. */
      gboolean want_listen = l.ready_held <= l.lim.max_buffered && now >= l.paused_until;
      set_listening (&l, want_listen);
      struct epoll_event events[64];
      int n = epoll_wait (l.epfd, events, G_N_ELEMENTS (events), next_timeout_ms (&l, now));
      if (n < 0 && errno != EINTR)
        {
          dcc_error ("epoll_wait: %s", g_strerror (errno));
          break;
        }
      for (int i = 0; i < n; i++)
        {
          void *p = events[i].data.ptr;
          if (p == &listen_tag)
            accept_some (&l);
          else if (p == &wake_tag)
            reap_workers (&l);
        }
      /* A connection closed earlier in this batch (dropped for a newer
       * one, complete, refused) is still allocated, and skipped. */
      for (int i = 0; i < n; i++)
        {
          Conn *c = events[i].data.ptr;
          if (c != (void *) &listen_tag && c != (void *) &wake_tag && c->state == CONN_READING)
            on_readable (&l, c);
        }
      expire (&l, g_get_monotonic_time ());
      g_ptr_array_set_size (l.dead, 0);
    }

  dcc_notice ("shutting down");
  set_listening (&l, FALSE);
  while (l.reading.head)
    conn_close (&l, l.reading.head->data);
  while (l.ready.head)
    conn_close (&l, l.ready.head->data);
  stop_workers (&l);
  dcc_fd_clear (&epfd);
  dcc_fd_clear (&wake_pipe[0]);
  dcc_fd_clear (&wake_pipe[1]);
  g_ptr_array_unref (l.dead);
  g_hash_table_unref (l.per_peer);
  g_hash_table_unref (l.workers);
  g_hash_table_unref (l.peer_workers);
}
