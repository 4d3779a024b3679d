/* The +zeroconf host entry: the volunteers avahi-daemon finds as DNS-SD
 * services "_distcc._tcp" (ours and stock's), as host-list text.
 *
 * Like stock, the result is kept in DISTCC_DIR/zeroconf (in "volunteers",
 * beside stock's "hosts", which a stock client sharing the directory
 * rewrites under its own lock); unlike
 * stock there is no background process: the first compile that finds the
 * file missing or older than DCC_ZEROCONF_FRESH_S browses, for at most
 * DCC_ZEROCONF_BROWSE_MS, under zeroconf/volunteers.lock. Others meanwhile
 * use the older list; with none yet they wait for the lock at most as long
 * as a browse may take. So a compile waits about a second at most, once
 * every DCC_ZEROCONF_FRESH_S. */
#pragma once
#include <glib.h>

#define DCC_ZEROCONF_FRESH_S    30     /* seconds a browse's result is used */
#define DCC_ZEROCONF_BROWSE_MS  3000   /* longest browse */
#define DCC_ZEROCONF_MAX_FILE   (100u * 1024)   /* bytes of the kept list read */

/* TRUE when this distcc was built with Avahi. */
gboolean dcc_zeroconf_browse_available (void);

/* The volunteers' host-list text (dcc-hosts.h grammar: one
 * "ADDR:PORT/LIMIT[,cpp]" per line; ",cpp" for ours, which do pump mode),
 * possibly with none. NULL with error when it cannot browse (built without
 * Avahi, avahi-daemon not running) and there is no earlier result. */
char *dcc_zeroconf_hosts_text (const char *distcc_dir, GError **error);
