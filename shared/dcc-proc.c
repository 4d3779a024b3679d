#include "dcc-proc.h"
#include <string.h>

guint64
dcc_proc_start_time (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  const char *p = strrchr (text, ')');   /* the command name may hold spaces */
  if (!p || p[1] != ' ')
    return 0;
  /* after ") " come fields 3.. ; starttime is field 22 */
  g_auto(GStrv) f = g_strsplit (p + 2, " ", 22);
  return g_strv_length (f) >= 20 ? g_ascii_strtoull (f[19], NULL, 10) : 0;
}
