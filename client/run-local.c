#include "run-local.h"
#include "dcc-fd.h"
#include "compiler.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int
dcc_wait_status_to_exit (int wait_status)
{
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  if (WIFSIGNALED (wait_status))
    return 128 + WTERMSIG (wait_status);
  return 1;
}

/* Our environment with PATH cleared of masquerade directories (so that a
 * compiler which runs "gcc" cannot recurse into distcc) and extra_env set. */
static GStrv
child_environment (const char *const *extra_env)
{
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *child_path = dcc_compiler_child_path ();
  if (child_path)
    env = g_environ_setenv (env, "PATH", child_path, TRUE);
  for (; extra_env && *extra_env; extra_env++)
    {
      g_auto(GStrv) kv = g_strsplit (*extra_env, "=", 2);
      if (kv[0] && kv[1])
        env = g_environ_setenv (env, kv[0], kv[1], TRUE);
    }
  return g_steal_pointer (&env);
}

/* posix_spawn (vfork underneath): cheap, and nothing of ours runs between
 * fork and exec. out_fd/err_fd < 0 means inherit. */
static pid_t
spawn (const char *compiler_path, char *const *argv, const char *const *extra_env,
       int out_fd, int err_fd, GError **error)
{
  g_auto(GStrv) env = child_environment (extra_env);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, (char *) compiler_path);
  for (int i = 1; argv[i]; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init (&fa);
  if (out_fd >= 0)
    posix_spawn_file_actions_adddup2 (&fa, out_fd, 1);
  if (err_fd >= 0)
    posix_spawn_file_actions_adddup2 (&fa, err_fd, 2);
  pid_t pid;
  int rc = posix_spawn (&pid, compiler_path, &fa, NULL, (char **) args->pdata, env);
  posix_spawn_file_actions_destroy (&fa);
  if (rc != 0)
    {
      errno = rc;
      return dcc_fail_errno (error, "cannot run %s", compiler_path), -1;
    }
  return pid;
}

static int
wait_child (pid_t pid)
{
  int ws;
  while (waitpid (pid, &ws, 0) < 0)
    if (errno != EINTR)
      return 1;
  return dcc_wait_status_to_exit (ws);
}

int
dcc_run_local (const char *compiler_path, char *const *argv, GError **error)
{
  pid_t pid = spawn (compiler_path, argv, NULL, -1, -1, error);
  if (pid < 0)
    return -1;
  return wait_child (pid);
}

gboolean
dcc_run_capture (const char *compiler_path, char *const *argv, const char *const *extra_env,
                 GBytes **out, GBytes **err, int *status, GError **error)
{
  int po[2], pe[2];
  if (pipe2 (po, O_CLOEXEC) < 0)
    return dcc_fail_errno (error, "pipe");
  dcc_autofd out_r = po[0], out_w = po[1];
  if (pipe2 (pe, O_CLOEXEC) < 0)
    return dcc_fail_errno (error, "pipe");
  dcc_autofd err_r = pe[0], err_w = pe[1];
  pid_t pid = spawn (compiler_path, argv, extra_env, out_w, err_w, error);
  /* Our copies of the write ends go now: EOF comes when the child's do. */
  dcc_fd_clear (&out_w);
  dcc_fd_clear (&err_w);
  if (pid < 0)
    return FALSE;
  /* Both pipes at once, so that neither can fill up and stall the child. */
  int *read_end[2] = { &out_r, &err_r };
  GByteArray *bufs[2] = { g_byte_array_new (), g_byte_array_new () };
  struct pollfd pfd[2] = { { .fd = out_r, .events = POLLIN }, { .fd = err_r, .events = POLLIN } };
  int open_fds = 2;
  guint8 chunk[65536];
  while (open_fds > 0)
    {
      if (poll (pfd, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      for (int i = 0; i < 2; i++)
        {
          if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
          ssize_t n = read (pfd[i].fd, chunk, sizeof chunk);
          if (n < 0 && errno == EINTR)
            continue;
          if (n > 0 && bufs[i]->len + (gsize) n <= DCC_MAX_FILE_SIZE)
            g_byte_array_append (bufs[i], chunk, (guint) n);
          else if (n <= 0)
            {
              dcc_fd_clear (read_end[i]);
              pfd[i].fd = -1;
              open_fds--;
            }
        }
    }
  /* Before waiting: a child still writing fails (SIGPIPE) instead of blocking. */
  dcc_fd_clear (&out_r);
  dcc_fd_clear (&err_r);
  *status = wait_child (pid);
  *out = g_byte_array_free_to_bytes (bufs[0]);
  *err = g_byte_array_free_to_bytes (bufs[1]);
  return TRUE;
}
