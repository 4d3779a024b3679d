#include "run-local.h"
#include "compiler.h"
#include "dcc-error.h"
#include <gio/gio.h>
#include <sys/wait.h>

int
dcc_wait_status_to_exit (int wait_status)
{
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  if (WIFSIGNALED (wait_status))
    return 128 + WTERMSIG (wait_status);
  return 1;
}

static GSubprocess *
spawn (const char *compiler_path, char *const *argv, const char *const *extra_env,
       GSubprocessFlags flags, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  for (; extra_env && *extra_env; extra_env++)
    {
      g_auto(GStrv) kv = g_strsplit (*extra_env, "=", 2);
      if (kv[0] && kv[1])
        g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
    }
  g_autofree char *child_path = dcc_compiler_child_path ();
  if (child_path)
    g_subprocess_launcher_setenv (launcher, "PATH", child_path, TRUE);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, (char *) compiler_path);
  for (int i = 1; argv[i]; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char *const *) args->pdata, error);
}

int
dcc_run_local (const char *compiler_path, char *const *argv, GError **error)
{
  g_autoptr(GSubprocess) p = spawn (compiler_path, argv, NULL, G_SUBPROCESS_FLAGS_STDIN_INHERIT, error);
  if (!p)
    return -1;
  if (!g_subprocess_wait (p, NULL, error))
    return -1;
  return dcc_wait_status_to_exit (g_subprocess_get_status (p));
}

gboolean
dcc_run_capture (const char *compiler_path, char *const *argv, const char *const *extra_env,
                 GBytes **out, GBytes **err, int *status, GError **error)
{
  g_autoptr(GSubprocess) p = spawn (compiler_path, argv, extra_env,
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE
                                    | G_SUBPROCESS_FLAGS_STDIN_INHERIT, error);
  if (!p)
    return FALSE;
  if (!g_subprocess_communicate (p, NULL, NULL, out, err, error))
    return FALSE;
  *status = dcc_wait_status_to_exit (g_subprocess_get_status (p));
  return TRUE;
}
