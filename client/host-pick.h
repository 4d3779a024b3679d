/* Choosing a host for one job, so that all distcc processes of a `make -j`
 * share each host's slots.
 *
 * A slot is an flock(2) on $DISTCC_DIR/lock/cpu_<host>_<port>_<i>
 * (0 <= i < limit); holding the lock means using the slot. Locks vanish
 * with the process, so a crash never leaks a slot. Local slots use
 * cpu_localhost_0_<i> (and cpu_localhost-cpp_0_<i> for preprocessing).
 * A host that failed is avoided for DISTCC_BACKOFF_PERIOD seconds, recorded
 * as the mtime of $DISTCC_DIR/lock/backoff_<host>_<port>.
 * Host names in file names are escaped ("%3a" for ':'), or replaced by a
 * digest when long, so every name maps to one safe file name.
 */
#pragma once
#include <glib.h>
#include "dcc-hosts.h"

#define DCC_HOST_PICK_POLL_MS  50   /* between rounds while every slot is busy */

typedef struct DccSlot DccSlot;

/* Picks the first host (in list order, or in an order shuffled once per
 * process when hosts->randomize) with a free slot, skipping TCP hosts in
 * backoff. localhost entries take part in list order and give a LOCAL slot
 * (the caller compiles here). When every slot is busy, waits, polling every
 * DCC_HOST_PICK_POLL_MS. When the list has no usable remote host (empty, all
 * in backoff, or, with want_cpp, none marked ,cpp) and no localhost entry,
 * returns a local slot bounded by hosts->localslots.
 * Reads DISTCC_BACKOFF_PERIOD. Fails only when the lock directory is unusable. */
DccSlot *dcc_host_pick (const DccHostList *hosts, const char *distcc_dir, GError **error);
/* Same, but with want_cpp (pump mode) only TCP hosts marked ,cpp count. */
DccSlot *dcc_host_pick_for (const DccHostList *hosts, const char *distcc_dir,
                            gboolean want_cpp, GError **error);
/* Waits for one of `localslots` local slots: for compiles (or links) that run
 * here, so local work is bounded too. */
DccSlot *dcc_host_pick_local (const char *distcc_dir, int localslots, GError **error);
/* Same for local preprocessing in pump mode (--localslots_cpp). */
DccSlot *dcc_host_pick_local_cpp (const char *distcc_dir, int localslots_cpp, GError **error);

/* For the local slot given when no listed host was usable (not for a
 * localhost entry): why, e.g. "every volunteer is backed off after
 * failures: HOST:PORT (until HH:MM:SS)", or the list's zeroconf_none.
 * NULL for any other slot. Owned by the slot. */
const char *dcc_slot_local_why (DccSlot *s);
/* The same reason without the times it names: what two compiles of one
 * build that failed a second apart have in common (dcc_build_warn_local's
 * topic). NULL with dcc_slot_local_why. Owned by the slot. */
const char *dcc_slot_local_topic (DccSlot *s);
/* The host the slot belongs to (owned by the slot), and its slot number. */
const DccHost *dcc_slot_host (DccSlot *s);
int dcc_slot_index (DccSlot *s);
/* Unlocks and frees; NULL is fine. */
void dcc_slot_release (DccSlot *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccSlot, dcc_slot_release)

/* Starts (or restarts) the host's backoff period; best effort. */
void dcc_host_mark_failed (const DccHost *h, const char *distcc_dir);
/* TRUE if h failed less than backoff_seconds ago; 0 disables backoff. */
gboolean dcc_host_in_backoff (const DccHost *h, const char *distcc_dir, int backoff_seconds);
/* DISTCC_BACKOFF_PERIOD in seconds (default DCC_DEFAULT_BACKOFF; 0 disables). */
int dcc_backoff_period (void);

/* $DISTCC_DIR, or ~/.distcc; created 0755 with lock/ and state/ inside
 * (failures show up later, when a lock or state file cannot be made). */
char *dcc_distcc_dir (void);
/* The escaped form of a host name used in lock and backoff file names. */
char *dcc_host_file_key (const char *hostname);
