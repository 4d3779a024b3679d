#include "run-compiler.h"
#include "dcc-error.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int dcc_run_cancelled;

gboolean
dcc_run_compiler (const DccRunSpec *spec, int *status, GError **error)
{
  int out = open (spec->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  int err = open (spec->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  int devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || err < 0 || devnull < 0)
    {
      dcc_fail_errno (error, "cannot create output files for the compiler");
      if (out >= 0) close (out);
      if (err >= 0) close (err);
      if (devnull >= 0) close (devnull);
      return FALSE;
    }
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (out); close (err); close (devnull);
      return dcc_fail_errno (error, "fork");
    }
  if (pid == 0)
    {
      /* Child: async-signal-safe calls only. */
      setpgid (0, 0);
      if (dup2 (devnull, 0) < 0 || dup2 (out, 1) < 0 || dup2 (err, 2) < 0 || chdir (spec->cwd) < 0)
        _exit (127);
      if (spec->nice_increment)
        setpriority (PRIO_PROCESS, 0, spec->nice_increment);
      execve (spec->compiler, spec->argv, spec->envp);
      _exit (127);
    }
  close (out); close (err); close (devnull);

  gint64 deadline = g_get_monotonic_time () + (gint64) spec->timeout_s * G_USEC_PER_SEC;
  int ws = 0;
  /* A pidfd lets us sleep until the child exits, waking every 100 ms to
   * honour the deadline and shutdown; without one, poll in short steps. */
  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  for (;;)
    {
      pid_t r = waitpid (pid, &ws, WNOHANG);
      if (r == pid)
        break;
      if (r < 0 && errno != EINTR)
        {
          if (pidfd >= 0)
            close (pidfd);
          return dcc_fail_errno (error, "waitpid");
        }
      if (dcc_run_cancelled || g_get_monotonic_time () > deadline)
        {
          kill (-pid, SIGKILL);
          kill (pid, SIGKILL);
          waitpid (pid, &ws, 0);
          if (pidfd >= 0)
            close (pidfd);
          if (dcc_run_cancelled)
            return dcc_fail (error, DCC_ERROR_FAILED, "volunteer is shutting down");
          return dcc_fail (error, DCC_ERROR_TIMEOUT, "compiler ran for more than %d s", spec->timeout_s);
        }
      if (pidfd >= 0)
        {
          struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
          poll (&pfd, 1, 100);
        }
      else
        g_usleep (2000);
    }
  if (pidfd >= 0)
    close (pidfd);
  if (WIFEXITED (ws))
    *status = WEXITSTATUS (ws);
  else if (WIFSIGNALED (ws))
    *status = 128 + WTERMSIG (ws);
  else
    *status = 1;
  return TRUE;
}
