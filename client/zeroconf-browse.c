#include "zeroconf-browse.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-hosts.h"
#include "dcc-io.h"
#include "dcc-log.h"
#include "dcc-zeroconf-txt.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef DCC_HAVE_AVAHI
#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/address.h>
#include <avahi-common/error.h>
#include <avahi-common/simple-watch.h>
#include <avahi-common/strlst.h>
#include <dlfcn.h>

/* Avahi is loaded when a host list names +zeroconf, not linked: its client
 * library brings libdbus, libsystemd, libgcrypt and six more, whose loading
 * cost every compile about 4 ms of CPU (issue 20, test/bench/README "Cost
 * of one hit"). dlsym on the client library's handle also finds the
 * functions of libavahi-common, which it depends on. */
#define DCC_AVAHI_CLIENT_SONAME "libavahi-client.so.3"
#define AVAHI_FUNCTIONS(X) \
  X (avahi_address_snprint) X (avahi_client_errno) X (avahi_client_free) X (avahi_client_new) \
  X (avahi_service_browser_new) X (avahi_service_resolver_free) X (avahi_service_resolver_new) \
  X (avahi_simple_poll_free) X (avahi_simple_poll_get) X (avahi_simple_poll_iterate) X (avahi_simple_poll_new) \
  X (avahi_strerror) X (avahi_string_list_get_next) X (avahi_string_list_get_size) X (avahi_string_list_get_text)
#define AVAHI_POINTER(f) __typeof__ (f) *f;
static struct { AVAHI_FUNCTIONS (AVAHI_POINTER) } av;

/* Loads Avahi's client library once per process; FALSE with error when it
 * or one of its functions is missing. */
static gboolean
load_avahi (GError **error)
{
  static void *handle;
  if (handle)
    return TRUE;
  void *h = dlopen (DCC_AVAHI_CLIENT_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!h)
    return dcc_fail (error, DCC_ERROR_FAILED, "cannot load Avahi (%s): %s", DCC_AVAHI_CLIENT_SONAME, dlerror ());
#define AVAHI_LOAD(f) \
  if (!(av.f = (__typeof__ (av.f)) dlsym (h, #f))) \
    { \
      dlclose (h); \
      return dcc_fail (error, DCC_ERROR_FAILED, "cannot load Avahi: %s lacks %s", DCC_AVAHI_CLIENT_SONAME, #f); \
    }
  AVAHI_FUNCTIONS (AVAHI_LOAD)
#undef AVAHI_LOAD
  handle = h;
  return TRUE;
}

typedef struct {
  AvahiClient *client;
  AvahiSimplePoll *poll;
  GHashTable *found;     /* service name → host entry; names are only keys */
  guint pending;         /* resolvers still running */
  guint seen;            /* services announced, bounded by DCC_HOSTS_MAX_HOSTS */
  gboolean all_for_now;
  char *failure;
} Browse;

/* The TXT strings as DNS rdata, for the pure parser; a string over 255
 * bytes or a record over the parser's bound makes rdata it refuses. */
static GByteArray *
txt_rdata (AvahiStringList *txt)
{
  GByteArray *a = g_byte_array_new ();
  for (AvahiStringList *i = txt; i; i = av.avahi_string_list_get_next (i))
    {
      gsize n = av.avahi_string_list_get_size (i);
      if (n > 255 || a->len + 1 + n > DCC_ZEROCONF_TXT_MAX)
        {
          g_byte_array_set_size (a, DCC_ZEROCONF_TXT_MAX + 1);
          break;
        }
      guint8 len = (guint8) n;
      g_byte_array_append (a, &len, 1);
      g_byte_array_append (a, av.avahi_string_list_get_text (i), (guint) n);
    }
  return a;
}

static void
resolve_cb (AvahiServiceResolver *r, AvahiIfIndex iface, AvahiProtocol proto, AvahiResolverEvent event,
            const char *name, const char *type, const char *domain, const char *host_name,
            const AvahiAddress *address, uint16_t port, AvahiStringList *txt, AvahiLookupResultFlags flags,
            void *data)
{
  Browse *b = data;
  g_autofree char *shown = dcc_escape_for_log (name ? name : "", 80);
  if (event == AVAHI_RESOLVER_FOUND && address && address->proto == AVAHI_PROTO_INET)
    {
      char addr[AVAHI_ADDRESS_STR_MAX] = "";
      av.avahi_address_snprint (addr, sizeof addr, address);
      g_autoptr(GByteArray) rdata = txt_rdata (txt);
      g_autoptr(GError) error = NULL;
      DccZeroconfTxt t;
      g_autofree char *entry = NULL;
      if (!dcc_zeroconf_txt_parse (rdata->data, rdata->len, &t, &error))
        dcc_info ("zeroconf: \"%s\" left out: %s", shown, error->message);
      else if (!(entry = dcc_zeroconf_host_entry (addr, port, &t)))
        dcc_info ("zeroconf: \"%s\" left out: unusable address or port", shown);
      else if (!g_hash_table_contains (b->found, name))
        {
          dcc_debug ("zeroconf: \"%s\" is %s (%s)", shown, entry, t.protocol ? "ours" : "stock");
          g_hash_table_insert (b->found, g_strdup (name), g_steal_pointer (&entry));
        }
    }
  else if (event == AVAHI_RESOLVER_FAILURE)
    dcc_info ("zeroconf: cannot resolve \"%s\": %s", shown, av.avahi_strerror (av.avahi_client_errno (b->client)));
  av.avahi_service_resolver_free (r);
  b->pending--;
}

static void
browse_cb (AvahiServiceBrowser *sb, AvahiIfIndex iface, AvahiProtocol proto, AvahiBrowserEvent event,
           const char *name, const char *type, const char *domain, AvahiLookupResultFlags flags, void *data)
{
  Browse *b = data;
  switch (event)
    {
    case AVAHI_BROWSER_NEW:
      if (b->seen >= DCC_HOSTS_MAX_HOSTS)
        break;
      b->seen++;
      if (av.avahi_service_resolver_new (b->client, iface, proto, name, type, domain, AVAHI_PROTO_INET, 0,
                                      resolve_cb, b))
        b->pending++;
      break;
    case AVAHI_BROWSER_REMOVE:
      g_hash_table_remove (b->found, name);
      break;
    case AVAHI_BROWSER_ALL_FOR_NOW:
      b->all_for_now = TRUE;
      break;
    case AVAHI_BROWSER_FAILURE:
      b->failure = g_strdup (av.avahi_strerror (av.avahi_client_errno (b->client)));
      break;
    case AVAHI_BROWSER_CACHE_EXHAUSTED:
      break;
    }
}

static void
client_cb (AvahiClient *c, AvahiClientState state, void *data)
{
  Browse *b = data;
  if (state == AVAHI_CLIENT_FAILURE && !b->failure)
    b->failure = g_strdup (av.avahi_strerror (av.avahi_client_errno (c)));
}

static gint
by_name (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static char *
browse (GError **error)
{
  Browse b = { .found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };
  char *text = NULL;
  int err = 0;
  AvahiServiceBrowser *sb = NULL;
  gint64 t0 = g_get_monotonic_time ();
  gint64 deadline = t0 + DCC_ZEROCONF_BROWSE_MS * 1000;
  if (!load_avahi (error))
    goto out;
  if (!(b.poll = av.avahi_simple_poll_new ()))
    {
      dcc_fail (error, DCC_ERROR_FAILED, "cannot make an Avahi event loop");
      goto out;
    }
  if (!(b.client = av.avahi_client_new (av.avahi_simple_poll_get (b.poll), 0, client_cb, &b, &err)))
    {
      dcc_fail (error, DCC_ERROR_IO, "cannot reach avahi-daemon (%s)", av.avahi_strerror (err));
      goto out;
    }
  if (!(sb = av.avahi_service_browser_new (b.client, AVAHI_IF_UNSPEC, AVAHI_PROTO_INET, DCC_ZEROCONF_SERVICE_TYPE,
                                        NULL, 0, browse_cb, &b)))
    {
      dcc_fail (error, DCC_ERROR_IO, "cannot browse %s: %s", DCC_ZEROCONF_SERVICE_TYPE,
                av.avahi_strerror (av.avahi_client_errno (b.client)));
      goto out;
    }
  /* Until avahi-daemon has said all it knows and every service found is
   * resolved, or the deadline. */
  while (!b.failure && !(b.all_for_now && b.pending == 0))
    {
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      if (left_ms <= 0 || av.avahi_simple_poll_iterate (b.poll, (int) MIN (left_ms, 100)) != 0)
        break;
    }
  if (b.failure)
    {
      dcc_fail (error, DCC_ERROR_IO, "browsing %s failed: %s", DCC_ZEROCONF_SERVICE_TYPE, b.failure);
      goto out;
    }
  {
    g_autoptr(GPtrArray) names = g_ptr_array_new ();
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init (&it, b.found);
    while (g_hash_table_iter_next (&it, &key, NULL))
      g_ptr_array_add (names, key);
    g_ptr_array_sort (names, by_name);
    GString *s = g_string_new (NULL);
    g_string_append_printf (s, "# +zeroconf: %u volunteer(s) of %s found by avahi-daemon in %.1f s%s\n",
                            names->len, DCC_ZEROCONF_SERVICE_TYPE, (double) (g_get_monotonic_time () - t0) / 1e6,
                            b.all_for_now && b.pending == 0 ? "" : " (browse cut at its deadline)");
    for (guint i = 0; i < names->len; i++)
      g_string_append_printf (s, "%s\n", (const char *) g_hash_table_lookup (b.found, names->pdata[i]));
    text = g_string_free (s, FALSE);
  }
out:
  if (b.client)
    av.avahi_client_free (b.client);   /* frees the browser and resolvers too */
  if (b.poll)
    av.avahi_simple_poll_free (b.poll);
  g_hash_table_unref (b.found);
  g_free (b.failure);
  return text;
}

gboolean
dcc_zeroconf_browse_available (void)
{
  return TRUE;
}

#else

static char *
browse (GError **error)
{
  return dcc_fail (error, DCC_ERROR_INVALID, "this distcc was built without Avahi "
                   "(apt-get install libavahi-client-dev, then ./configure && make)"), NULL;
}

gboolean
dcc_zeroconf_browse_available (void)
{
  return FALSE;
}

#endif

/* The kept list and its age in seconds, or NULL. */
static char *
read_list (const char *path, gint64 *age)
{
  struct stat st;
  g_autofree guint8 *data = NULL;
  gsize len;
  if (stat (path, &st) != 0 || !dcc_io_read_file (path, DCC_ZEROCONF_MAX_FILE, &data, &len, NULL))
    return NULL;
  *age = (gint64) time (NULL) - (gint64) st.st_mtime;
  return g_strndup ((const char *) data, len);
}

/* A list that names no volunteer is browsed again sooner: one may have
 * started meanwhile. */
static gboolean
fresh (const char *text, gint64 age)
{
  gboolean empty = TRUE;
  for (const char *p = text; *p && empty; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : p + strlen (p))
    if (*p != '#' && *p != '\n')
      empty = FALSE;
  gint64 limit = empty ? 5 : DCC_ZEROCONF_FRESH_S;
  return age < limit && age > -limit;
}

char *
dcc_zeroconf_hosts_text (const char *distcc_dir, GError **error)
{
  if (!dcc_zeroconf_browse_available ())
    return browse (error);
  g_autofree char *dir = g_build_filename (distcc_dir, "zeroconf", NULL);
  g_autofree char *path = g_build_filename (dir, "volunteers", NULL);
  g_autofree char *lock = g_build_filename (dir, "volunteers.lock", NULL);
  gint64 age = 0;
  g_autofree char *old = read_list (path, &age);
  if (old && fresh (old, age))
    return g_steal_pointer (&old);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return old ? g_steal_pointer (&old) : (dcc_fail_errno (error, "cannot create %s", dir), NULL);
  dcc_autofd fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
  if (fd < 0)
    return old ? g_steal_pointer (&old) : (dcc_fail_errno (error, "cannot open %s", lock), NULL);
  gboolean locked = flock (fd, LOCK_EX | LOCK_NB) == 0;
  if (!locked && old)
    {
      /* another distcc is browsing: the older list meanwhile */
      return g_steal_pointer (&old);
    }
  /* No list at all yet: wait for the one browsing, as long as a browse may take. */
  gint64 give_up = g_get_monotonic_time () + (DCC_ZEROCONF_BROWSE_MS + 1000) * 1000;
  while (!locked && g_get_monotonic_time () < give_up)
    {
      g_usleep (50 * 1000);
      locked = flock (fd, LOCK_EX | LOCK_NB) == 0;
    }
  if (!locked)
    {
      return dcc_fail (error, DCC_ERROR_TIMEOUT, "another distcc has been browsing for over %d ms",
                       DCC_ZEROCONF_BROWSE_MS + 1000), NULL;
    }
  g_clear_pointer (&old, g_free);
  old = read_list (path, &age);
  if (old && fresh (old, age))
    {
      /* browsed by the one we waited for */
      return g_steal_pointer (&old);
    }
  g_autoptr(GError) browse_error = NULL;
  char *text = browse (&browse_error);
  if (text)
    {
      g_autoptr(GError) werr = NULL;
      if (!dcc_io_write_file_atomic (path, text, strlen (text), 0644, &werr))
        dcc_debug ("zeroconf: cannot keep the list: %s", werr->message);
    }
  dcc_fd_clear (&fd);   /* the lock: the list is written */
  if (!text && old)
    {
      dcc_info ("zeroconf: %s; using the list of %" G_GINT64_FORMAT " s ago", browse_error->message, age);
      return g_steal_pointer (&old);
    }
  if (!text)
    g_propagate_error (error, g_steal_pointer (&browse_error));
  return text;
}
