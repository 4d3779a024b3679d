#include "dcc-masquerade.h"
#include <stdlib.h>
#include <string.h>

gboolean
dcc_masquerade_is_distcc (const char *path)
{
  g_autofree char *real = realpath (path, NULL);
  if (!real)
    return TRUE;
  g_autofree char *base = g_path_get_basename (real);
  return strcmp (base, "distcc") == 0;
}
