#include "hosts-config.h"
#include "dcc-error.h"
#include "dcc-io.h"
#include <string.h>

char *
dcc_hosts_config_text (const char *distcc_dir, char **source, GError **error)
{
  const char *env = g_getenv ("DISTCC_HOSTS");
  if (env)
    {
      *source = g_strdup ("DISTCC_HOSTS");
      return g_strdup (env);
    }
  g_autofree char *home_hosts = g_build_filename (g_get_home_dir (), ".distcc", "hosts", NULL);
  g_autofree char *dir_hosts = g_build_filename (distcc_dir, "hosts", NULL);
  const char *candidates[] = { dir_hosts, home_hosts, DCC_SYSCONFDIR "/distcc/hosts" };
  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      guint8 *text = NULL;
      gsize len;
      if (dcc_io_read_file (candidates[i], DCC_HOSTS_FILE_MAX, &text, &len, NULL))
        {
          *source = g_strdup (candidates[i]);
          return (char *) text;
        }
    }
  if (strcmp (dir_hosts, home_hosts) == 0)
    return dcc_fail (error, DCC_ERROR_INVALID, "no hosts: set DISTCC_HOSTS or write %s (or %s)",
                     dir_hosts, candidates[2]), NULL;
  return dcc_fail (error, DCC_ERROR_INVALID, "no hosts: set DISTCC_HOSTS or write %s (or %s, %s)",
                   dir_hosts, home_hosts, candidates[2]), NULL;
}
