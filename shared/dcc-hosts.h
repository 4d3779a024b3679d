/* Parsing the DISTCC_HOSTS grammar (and hosts-file text) into a host list.
 *
 * Pure: no environment, files or sockets; callers hand in the text.
 *
 *   DISTCC_HOSTS = ENTRY ...        (blank-separated; '#' starts a comment
 *                                    that runs to the end of the line)
 *   ENTRY   = localhost[/LIMIT]              run the compiler here
 *           | HOSTID[:PORT][/LIMIT][OPTIONS] a distccd over TCP
 *           | HOSTID[/LIMIT][:PORT][OPTIONS] (old style, same meaning)
 *           | [USER]@HOSTID[/LIMIT][:COMMAND][OPTIONS]
 *                                    ssh: run COMMAND (default distccd)
 *                                    --inetd there, through DISTCC_SSH
 *           | +zeroconf                the volunteers Avahi finds (the
 *                                    caller browses; see zeroconf_at)
 *           | --randomize | --localslots=N | --localslots_cpp=N
 *   HOSTID  = HOSTNAME | IPV4 | '[' IPV6 ']'
 *   OPTIONS = ,lzo | ,cpp   (any order, any number)
 *
 * As in stock distcc, only "localhost" and "localhost/..." mean local
 * execution; "localhost:PORT" or "localhost,lzo" is a TCP daemon on this
 * machine. ",auth" is refused with DCC_ERROR_INVALID. Unlike stock, trailing garbage after a limit or port
 * is an error, and a bare IPv6 address must be put in brackets.
 */
#pragma once
#include <glib.h>

#define DCC_HOSTS_MAX_HOSTS         1024u  /* entries in one list */
#define DCC_HOSTS_MAX_ENTRY_LEN     1024u  /* bytes in one entry */
#define DCC_HOSTS_MAX_HOSTNAME      255u   /* bytes in a host name or address */
#define DCC_HOSTS_MAX_LIMIT         1024   /* /LIMIT and --localslots* values */
#define DCC_HOSTS_MAX_TEXT          (1024u * 1024)  /* whole DISTCC_HOSTS or hosts file */
#define DCC_HOSTS_DEFAULT_LIMIT     4      /* TCP host without /LIMIT */
#define DCC_HOSTS_DEFAULT_LOCALSLOTS 2     /* --localslots; also localhost without /LIMIT */
#define DCC_HOSTS_DEFAULT_LOCALSLOTS_CPP 8 /* --localslots_cpp */

typedef enum {
  DCC_HOST_LOCAL,
  DCC_HOST_TCP,
  DCC_HOST_SSH,
} DccHostKind;

#define DCC_HOSTS_MAX_USER     64u    /* bytes in an ssh user name */
#define DCC_HOSTS_MAX_COMMAND  255u   /* bytes in an ssh host's :COMMAND */

typedef struct {
  DccHostKind kind;
  char *hostname;   /* literal; IPv6 without brackets; "localhost" for LOCAL */
  int port;         /* TCP: default 3632; LOCAL: 0 */
  int limit;        /* /N; default 4 for TCP, the list's localslots for localhost */
  gboolean cpp;     /* ,cpp: pump mode allowed */
  gboolean lzo;     /* ,lzo */
  char *spec;       /* the entry as written, for messages */
  char *user;       /* SSH: USER@, or NULL */
  char *command;    /* SSH: :COMMAND, or NULL (distccd) */
} DccHost;

typedef struct {
  GPtrArray *hosts;     /* DccHost*, in the order written; owns them */
  gboolean randomize;   /* --randomize seen */
  int localslots;       /* --localslots, default 2 */
  int localslots_cpp;   /* --localslots_cpp, default 8 */
  int zeroconf_at;      /* +zeroconf seen: index in hosts where the volunteers
                           it stands for go; -1 when absent */
  GPtrArray *skipped;   /* char*: why each skipped entry was skipped
                           (dcc_hosts_parse_skipping only; else empty) */
  char *zeroconf_none;  /* why +zeroconf stands for no volunteer (set by
                           the client that browsed); NULL otherwise */
} DccHostList;

/* Parses DISTCC_HOSTS or hosts-file text. A list with no hosts (only blanks,
 * comments or global options) is valid; the caller decides what that means.
 * Fails with DCC_ERROR_INVALID naming the bad entry, or DCC_ERROR_LIMIT. */
DccHostList *dcc_hosts_parse (const char *text, GError **error);
/* The same, but an entry that is malformed or not supported (,auth,
 * too long, one host too many) is left out and its error message
 * added to l->skipped, so that one bad entry does not cost the others.
 * Fails only when the whole text is over DCC_HOSTS_MAX_TEXT. */
DccHostList *dcc_hosts_parse_skipping (const char *text, GError **error);
void dcc_host_list_free (DccHostList *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccHostList, dcc_host_list_free)

/* Deep copy of one host; free with dcc_host_free. */
DccHost *dcc_host_copy (const DccHost *h);
void dcc_host_free (DccHost *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccHost, dcc_host_free)

/* "HOST:PORT" for messages, an IPv6 address in brackets ("[::1]:3632"),
 * as a host list writes it. */
char *dcc_host_port_name (const DccHost *h);

/* Number of hosts in the list that are not localhost. */
guint dcc_host_list_count_remote (const DccHostList *l);
/* TRUE if some TCP host allows pump mode (,cpp). */
gboolean dcc_hosts_any_cpp (const DccHostList *l);
