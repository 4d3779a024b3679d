#include "host-protocol.h"
#include "dcc-error.h"
#include "dcc-io.h"
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* One file per host: HOST_PORT for TCP; for ssh, ssh_USER@HOST_ and a digest
 * of the far command, since two entries to one machine may run different
 * distccds there (ours and a stock one). */
static char *
path_for (const char *distcc_dir, const DccHost *host)
{
  g_autofree char *name = NULL;
  if (host->kind == DCC_HOST_SSH)
    {
      g_autofree char *cmd = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                            host->command ? host->command : "distccd", -1);
      cmd[16] = '\0';
      name = g_strdup_printf ("ssh_%s@%s_%s", host->user ? host->user : "", host->hostname, cmd);
    }
  else
    name = g_strdup_printf ("%s_%d", host->hostname, host->port);
  for (char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
      *p = '_';
  return g_build_filename (distcc_dir, "hosts.d", name, NULL);
}

/* The last entry this process read: a compile reads its host's entry
 * before it connects and compares it again after a success, and a second
 * read of the file would only cost a hit's client syscalls. */
static struct {
  char        *path;
  DccHostProto proto;
  char        *identity;
  time_t       mtime;
} last_read;

static DccHostProto
read_entry_file (const char *path, char **identity, time_t *mtime)
{
  g_autofree guint8 *text = NULL;
  gsize len;
  struct stat st;
  if (stat (path, &st) < 0 || !dcc_io_read_file (path, 4096, &text, &len, NULL))
    return DCC_HOST_PROTO_UNKNOWN;
  *mtime = st.st_mtime;
  g_autofree char *s = g_strndup ((const char *) text, len);
  g_auto(GStrv) lines = g_strsplit (s, "\n", 3);
  DccHostProto p = DCC_HOST_PROTO_UNKNOWN;
  if (lines[0] && strcmp (lines[0], "ours") == 0)
    p = DCC_HOST_PROTO_OURS;
  else if (lines[0] && strcmp (lines[0], "stock") == 0)
    p = DCC_HOST_PROTO_STOCK;
  if (identity && lines[0] && lines[1] && *lines[1])
    *identity = g_strdup (lines[1]);
  return p;
}

static DccHostProto
read_entry (const char *path, char **identity, time_t *mtime)
{
  if (g_strcmp0 (last_read.path, path) != 0)
    {
      g_clear_pointer (&last_read.path, g_free);
      g_clear_pointer (&last_read.identity, g_free);
      last_read.mtime = 0;
      last_read.proto = read_entry_file (path, &last_read.identity, &last_read.mtime);
      last_read.path = g_strdup (path);
    }
  if (identity)
    *identity = g_strdup (last_read.identity);
  *mtime = last_read.mtime;
  return last_read.proto;
}

DccHostProto
dcc_host_protocol_get (const char *distcc_dir, const DccHost *host, char **identity)
{
  g_autofree char *path = path_for (distcc_dir, host);
  time_t mtime = 0;
  if (identity)
    *identity = NULL;
  DccHostProto p = read_entry (path, identity, &mtime);
  if (p == DCC_HOST_PROTO_STOCK && time (NULL) - mtime > DCC_HOST_PROTOCOL_STOCK_TTL_S)
    return DCC_HOST_PROTO_UNKNOWN;
  return p;
}

static const char *
proto_name (DccHostProto p)
{
  return p == DCC_HOST_PROTO_OURS ? "ours" : p == DCC_HOST_PROTO_STOCK ? "stock" : "unknown";
}

void
dcc_host_protocol_remember (const char *distcc_dir, const DccHost *host, DccHostProto proto, const char *identity)
{
  g_autofree char *path = path_for (distcc_dir, host);
  g_autofree char *old_identity = NULL;
  time_t mtime = 0;
  DccHostProto old = read_entry (path, &old_identity, &mtime);
  const char *id = identity ? identity : "";
  /* A stock record's time is when ours was last tried and failed: using
   * the host in the stock protocol does not renew it (renewing it on use
   * kept a volunteer upgraded to ours taken for stock as long as builds
   * went on), an expired record asked again does. */
  if (old == proto && g_strcmp0 (old_identity ? old_identity : "", id) == 0
      && (proto != DCC_HOST_PROTO_STOCK || time (NULL) - mtime <= DCC_HOST_PROTOCOL_STOCK_TTL_S))
    return;
  g_autofree char *dir = g_path_get_dirname (path);
  g_mkdir_with_parents (dir, 0755);
  g_autofree char *text = g_strdup_printf ("%s\n%s\n", proto_name (proto), id);
  dcc_io_write_file_atomic (path, text, strlen (text), 0644, NULL);
  g_clear_pointer (&last_read.path, g_free);  /* read it again if asked */
}

char *
dcc_host_protocol_describe (const char *distcc_dir, const DccHost *host)
{
  g_autofree char *path = path_for (distcc_dir, host);
  g_autofree char *identity = NULL;
  time_t mtime = 0;
  DccHostProto p = read_entry (path, &identity, &mtime);
  if (p == DCC_HOST_PROTO_UNKNOWN)
    return g_strdup ("protocol=not-yet-known");
  gboolean stale = p == DCC_HOST_PROTO_STOCK && time (NULL) - mtime > DCC_HOST_PROTOCOL_STOCK_TTL_S;
  if (p == DCC_HOST_PROTO_STOCK)
    return g_strdup_printf ("protocol=stock%s identity=not-checked (the stock protocol has none; sent as %s)",
                            stale ? " (to be asked again)" : "", identity ? identity : "?");
  return g_strdup_printf ("protocol=ours identity=\"%s\"", identity ? identity : "?");
}
