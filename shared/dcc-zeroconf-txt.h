/* Zeroconf (DNS-SD) records of a distcc volunteer: the TXT record distccd
 * --zeroconf publishes, and the reading of one a client found.
 *
 * Pure: no Avahi, no sockets. A TXT record found on the network is
 * untrusted: dcc_zeroconf_txt_parse reads its DNS wire form (a sequence of
 * <length byte><bytes> strings, RFC 6763 section 6) within the bounds below,
 * keeps only the keys it knows with values of the expected shape, and
 * never fails on content (a volunteer with an odd record is still a
 * volunteer); only a malformed or oversized record is refused.
 *
 * Keys, as stock distcc's zeroconf-reg.c publishes them: txtvers=1,
 * cpus=N, jobs=N (concurrent compiles: the host entry's /LIMIT),
 * distcc=VERSION, gnuhost=TRIPLE, cc_version=X (cc -dumpversion),
 * cc_machine=TRIPLE (cc -dumpmachine). Ours add dcc_protocol=N (this
 * project's protocol: pump mode possible) and dcc_cc_id=HEX (digest of the
 * identity of the volunteer's cc, see dcc-compiler-id.h). */
#pragma once
#include <glib.h>

#define DCC_ZEROCONF_SERVICE_TYPE "_distcc._tcp"
#define DCC_ZEROCONF_TXT_MAX      2048u  /* bytes of TXT rdata read */
#define DCC_ZEROCONF_TXT_ITEMS    64u    /* strings in one record */
#define DCC_ZEROCONF_WORD_MAX     63u    /* bytes of a kept string value */
#define DCC_ZEROCONF_ID_MAX       64u    /* hex digits of dcc_cc_id */

typedef struct {
  int cpus;                                  /* cpus=; 0 when absent or malformed */
  int jobs;                                  /* jobs=; 0 when absent or malformed */
  guint protocol;                            /* dcc_protocol=; 0: not one of ours */
  char distcc[DCC_ZEROCONF_WORD_MAX + 1];    /* distcc=; "" when absent */
  char cc_machine[DCC_ZEROCONF_WORD_MAX + 1];
  char cc_version[DCC_ZEROCONF_WORD_MAX + 1];
  char cc_id[DCC_ZEROCONF_ID_MAX + 1];
} DccZeroconfTxt;

/* Reads TXT rdata. Fails (DCC_ERROR_LIMIT / DCC_ERROR_INVALID) only when
 * len > DCC_ZEROCONF_TXT_MAX, a string's length runs past the end, or
 * there are more than DCC_ZEROCONF_TXT_ITEMS strings; *out is written only
 * on success. Keys are matched case-insensitively; the first occurrence of
 * a key counts (RFC 6763 6.4); a value of the wrong shape is ignored. */
gboolean dcc_zeroconf_txt_parse (const guint8 *rdata, gsize len, DccZeroconfTxt *out, GError **error);

/* The concurrent compiles to give the volunteer, as stock's client does:
 * jobs, else cpus + 2, else 4; at most DCC_HOSTS_MAX_LIMIT. */
int dcc_zeroconf_txt_limit (const DccZeroconfTxt *t);

/* A host-list entry (dcc-hosts.h grammar) for a resolved volunteer:
 * "ADDR:PORT/LIMIT" ("[ADDR]:..." for IPv6), with ",cpp" when it is one of
 * ours. NULL when the address has characters no address printer makes or
 * the port is 0. */
char *dcc_zeroconf_host_entry (const char *address, guint port, const DccZeroconfTxt *t);

/* The "key=value" strings distccd publishes (NULL-terminated). cc_version,
 * cc_machine and cc_id may be NULL (left out, as stock leaves the first
 * two out when cc cannot say). */
GStrv dcc_zeroconf_txt_build (int cpus, int jobs, const char *cc_version, const char *cc_machine,
                              const char *cc_id);

/* The DNS wire form of those strings (each at most 255 bytes; longer ones
 * are left out), as Avahi serializes a string list. */
GBytes *dcc_zeroconf_txt_serialize (const char *const *items);

/* Stock's DNS-SD subtype for a compiler: "_MACHINE--VERSION._sub._distcc._tcp"
 * with each character other than a-z and 0-9 made '-' (upper case lowered),
 * each part cut to 63 bytes. Stock clients browse this subtype. */
char *dcc_zeroconf_subtype (const char *cc_machine, const char *cc_version);
