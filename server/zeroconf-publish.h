/* distccd --zeroconf: publishes this volunteer as a DNS-SD service of stock
 * distcc's type "_distcc._tcp" (and stock's subtype for its cc, which stock
 * clients browse) through avahi-daemon, with the TXT record of
 * dcc-zeroconf-txt.h. Needs a build with Avahi (DCC_HAVE_AVAHI). */
#pragma once
#include <glib.h>
#include <sys/types.h>

/* TRUE when this distccd was built with Avahi. */
gboolean dcc_zeroconf_publish_available (void);

/* Forks a process that publishes port with jobs slots until it gets SIGTERM
 * or the daemon exits (it unpublishes then). It learns cc's version,
 * machine and identity digest itself, so the daemon does not wait; it
 * waits for avahi-daemon when that is not running yet (as stock) and logs
 * what it published. close_fd (the listening socket) is closed in it.
 * Returns its pid, or -1 with error (also when built without Avahi). */
pid_t dcc_zeroconf_spawn_publisher (guint port, int jobs, int close_fd, GError **error);
