#include "zeroconf-publish.h"
#include "dcc-compiler-id.h"
#include "dcc-error.h"
#include "dcc-log.h"
#include "dcc-zeroconf-txt.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifdef DCC_HAVE_AVAHI
#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/simple-watch.h>

typedef struct {
  AvahiSimplePoll *poll;
  AvahiClient *client;
  AvahiEntryGroup *group;
  char *name;            /* avahi_malloc'd: avahi_alternative_service_name makes the next */
  guint16 port;
  AvahiStringList *txt;
  char *subtype;         /* NULL when cc could not say its version and machine */
  gboolean waiting_said;
} Publisher;

static volatile sig_atomic_t stop_requested;

static void
on_stop (int sig)
{
  stop_requested = 1;
}

static void publish (Publisher *p);

static void
group_cb (AvahiEntryGroup *g, AvahiEntryGroupState state, void *data)
{
  Publisher *p = data;
  switch (state)
    {
    case AVAHI_ENTRY_GROUP_ESTABLISHED:
      dcc_notice ("zeroconf: published \"%s\" as %s%s%s on port %u", p->name, DCC_ZEROCONF_SERVICE_TYPE,
                  p->subtype ? " and " : "", p->subtype ? p->subtype : "", p->port);
      break;
    case AVAHI_ENTRY_GROUP_COLLISION:
      {
        char *n = avahi_alternative_service_name (p->name);
        dcc_notice ("zeroconf: the name \"%s\" is taken on the network; trying \"%s\"", p->name, n);
        avahi_free (p->name);
        p->name = n;
        avahi_entry_group_reset (g);
        publish (p);
        break;
      }
    case AVAHI_ENTRY_GROUP_FAILURE:
      dcc_warning ("zeroconf: publishing failed: %s", avahi_strerror (avahi_client_errno (p->client)));
      avahi_simple_poll_quit (p->poll);
      break;
    default:
      break;
    }
}

static void
publish (Publisher *p)
{
  if (!p->group && !(p->group = avahi_entry_group_new (p->client, group_cb, p)))
    {
      dcc_warning ("zeroconf: %s", avahi_strerror (avahi_client_errno (p->client)));
      avahi_simple_poll_quit (p->poll);
      return;
    }
  if (!avahi_entry_group_is_empty (p->group))
    return;
  /* IPv4, as stock publishes by default: a client connects to the address
   * it resolves, and an IPv6 link-local one would need its interface. */
  int r = avahi_entry_group_add_service_strlst (p->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_INET, 0, p->name,
                                                DCC_ZEROCONF_SERVICE_TYPE, NULL, NULL, p->port, p->txt);
  if (r == AVAHI_ERR_COLLISION)
    {
      group_cb (p->group, AVAHI_ENTRY_GROUP_COLLISION, p);
      return;
    }
  if (r >= 0 && p->subtype)
    {
      int s = avahi_entry_group_add_service_subtype (p->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_INET, 0, p->name,
                                                     DCC_ZEROCONF_SERVICE_TYPE, NULL, p->subtype);
      if (s < 0)
        dcc_warning ("zeroconf: subtype %s not published: %s", p->subtype, avahi_strerror (s));
    }
  if (r < 0 || (r = avahi_entry_group_commit (p->group)) < 0)
    {
      dcc_warning ("zeroconf: cannot publish: %s", avahi_strerror (r));
      avahi_simple_poll_quit (p->poll);
    }
}

static void
client_cb (AvahiClient *c, AvahiClientState state, void *data)
{
  Publisher *p = data;
  p->client = c;
  switch (state)
    {
    case AVAHI_CLIENT_S_RUNNING:
      publish (p);
      break;
    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
      if (p->group)
        avahi_entry_group_reset (p->group);
      break;
    case AVAHI_CLIENT_CONNECTING:
      if (!p->waiting_said)
        dcc_notice ("zeroconf: avahi-daemon is not running; publishing when it starts");
      p->waiting_said = TRUE;
      break;
    case AVAHI_CLIENT_FAILURE:
      if (avahi_client_errno (c) == AVAHI_ERR_DISCONNECTED)
        {
          /* avahi-daemon restarted: connect again, and publish again. */
          int err;
          avahi_client_free (c);
          p->client = NULL;
          p->group = NULL;
          if (!avahi_client_new (avahi_simple_poll_get (p->poll), AVAHI_CLIENT_NO_FAIL, client_cb, p, &err))
            {
              dcc_warning ("zeroconf: cannot reach avahi-daemon: %s", avahi_strerror (err));
              avahi_simple_poll_quit (p->poll);
            }
        }
      else
        {
          dcc_warning ("zeroconf: avahi client failure: %s", avahi_strerror (avahi_client_errno (c)));
          avahi_simple_poll_quit (p->poll);
        }
      break;
    }
}

/* First line of "cc ARG", trimmed to its first word, or NULL. */
static char *
cc_says (const char *arg)
{
  const char *argv[] = { "cc", arg, NULL };
  g_autofree char *out = NULL;
  int status;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL) || !out)
    return NULL;
  out[strcspn (out, " \t\r\n")] = '\0';
  return *out ? g_steal_pointer (&out) : NULL;
}

static char *
cc_identity_digest (void)
{
  g_autofree char *cc = g_find_program_in_path ("cc");
  if (!cc)
    return NULL;
  g_autofree char *id = dcc_compiler_id_get (cc, "c", NULL, FALSE, NULL);
  return id ? g_compute_checksum_for_string (G_CHECKSUM_SHA256, id, -1) : NULL;
}

static int
publisher_main (pid_t parent, guint port, int jobs)
{
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  g_autofree char *version = cc_says ("-dumpversion");
  g_autofree char *machine = cc_says ("-dumpmachine");
  g_autofree char *digest = cc_identity_digest ();
  g_auto(GStrv) items = dcc_zeroconf_txt_build (ncpu > 0 ? (int) ncpu : 1, jobs, version, machine, digest);
  Publisher p = { .port = (guint16) port };
  p.txt = avahi_string_list_new_from_array ((const char **) items, -1);
  p.subtype = version && machine ? dcc_zeroconf_subtype (machine, version) : NULL;
  char host[256] = "";
  gethostname (host, sizeof host - 1);
  p.name = avahi_strdup_printf ("distcc@%s", host);   /* stock's service name */
  if (!(p.poll = avahi_simple_poll_new ()))
    return 1;
  int err;
  if (!avahi_client_new (avahi_simple_poll_get (p.poll), AVAHI_CLIENT_NO_FAIL, client_cb, &p, &err))
    {
      dcc_warning ("zeroconf: cannot use Avahi: %s", avahi_strerror (err));
      return 1;
    }
  /* (The daemon's pid, not 1: in a container the daemon may be pid 1.) */
  while (!stop_requested && getppid () == parent)
    if (avahi_simple_poll_iterate (p.poll, 500) != 0 && !stop_requested)
      break;
  if (p.client)
    avahi_client_free (p.client);   /* withdraws the service */
  avahi_simple_poll_free (p.poll);
  avahi_string_list_free (p.txt);
  avahi_free (p.name);
  g_free (p.subtype);
  return 0;
}

gboolean
dcc_zeroconf_publish_available (void)
{
  return TRUE;
}

pid_t
dcc_zeroconf_spawn_publisher (guint port, int jobs, int close_fd, GError **error)
{
  pid_t parent = getpid ();
  pid_t pid = fork ();
  if (pid < 0)
    return dcc_fail_errno (error, "cannot start the zeroconf publisher"), -1;
  if (pid > 0)
    return pid;
  if (close_fd >= 0)
    close (close_fd);
  struct sigaction sa = { .sa_handler = on_stop };
  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  signal (SIGALRM, SIG_DFL);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () != parent)
    _exit (0);
  _exit (publisher_main (parent, port, jobs));
}

#else  /* !DCC_HAVE_AVAHI */

gboolean
dcc_zeroconf_publish_available (void)
{
  return FALSE;
}

pid_t
dcc_zeroconf_spawn_publisher (guint port, int jobs, int close_fd, GError **error)
{
  return dcc_fail (error, DCC_ERROR_INVALID, "this distccd was built without Avahi"), -1;
}

#endif
