/* Where a client's host list comes from, as stock distcc looks for it:
 * DISTCC_HOSTS, else $DISTCC_DIR/hosts, ~/.distcc/hosts, then
 * SYSCONFDIR/distcc/hosts (/etc/distcc/hosts as installed). */
#pragma once
#include <glib.h>

#define DCC_HOSTS_FILE_MAX (1024 * 1024)

/* The text of the first of those that exists, and in *source what it was
 * ("DISTCC_HOSTS" or the file's path; free it). None: NULL and an error
 * that names the files looked for, the DISTCC_DIR one first (where to
 * write one). */
char *dcc_hosts_config_text (const char *distcc_dir, char **source, GError **error);
