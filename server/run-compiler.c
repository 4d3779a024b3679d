#include "run-compiler.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-tree-remove.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int dcc_run_cancelled;

/* What a child that could not exec tells its parent through a pipe that
 * exec closes: the step that failed and its errno. */
typedef struct {
  int  err;
  char step[120];
} ChildFailure;

static void G_GNUC_NORETURN
child_fail (int report_fd, const char *step)
{
  ChildFailure f = { .err = errno };
  gsize n = strlen (step);
  if (n >= sizeof f.step)
    n = sizeof f.step - 1;
  memcpy (f.step, step, n);
  (void) !write (report_fd, &f, sizeof f);
  _exit (127);
}

/* The child, from fork to exec. Async-signal-safe calls only. */
static void G_GNUC_NORETURN
child_exec (const DccRunSpec *spec, int in, int out, int err, int report_fd)
{
  setpgid (0, 0);
  if (spec->sandbox)
    {
      const char *step = "sandbox";
      DccJobLimits none = { 0 };
      if (dcc_sandbox_enter (spec->sandbox, spec->limits ? spec->limits : &none, &step) < 0)
        child_fail (report_fd, step);
    }
  else if (spec->limits)
    {
      if (dcc_job_limits_apply (spec->limits, FALSE) < 0)
        child_fail (report_fd, "setrlimit");
    }
  if (dup2 (in, 0) < 0 || dup2 (out, 1) < 0 || dup2 (err, 2) < 0)
    child_fail (report_fd, "dup2");
  if (chdir (spec->cwd) < 0)
    child_fail (report_fd, "chdir into the job tree");
  if (spec->nice_increment)
    setpriority (PRIO_PROCESS, 0, spec->nice_increment);
  execve (spec->compiler, spec->argv, spec->envp);
  child_fail (report_fd, "execve");
}

static gboolean
wait_child (pid_t pid, int timeout_s, int *ws, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  /* A pidfd lets us sleep until the child exits, waking every 100 ms to
   * honour the deadline and shutdown; without one, poll in short steps. */
  dcc_autofd pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  for (;;)
    {
      pid_t r = waitpid (pid, ws, WNOHANG);
      if (r == pid)
        return TRUE;
      if (r < 0 && errno != EINTR)
        return dcc_fail_errno (error, "waitpid");
      if (dcc_run_cancelled || g_get_monotonic_time () > deadline)
        {
          kill (-pid, SIGKILL);
          kill (pid, SIGKILL);
          waitpid (pid, ws, 0);
          if (dcc_run_cancelled)
            return dcc_fail (error, DCC_ERROR_FAILED, "volunteer is shutting down");
          return dcc_fail (error, DCC_ERROR_TIMEOUT, "compiler ran for more than %d s", timeout_s);
        }
      if (pidfd >= 0)
        {
          struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
          poll (&pfd, 1, 100);
        }
      else
        g_usleep (2000);
    }
}

gboolean
dcc_run_compiler (const DccRunSpec *spec, int *status, GError **error)
{
  dcc_autofd out = open (spec->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  dcc_autofd err = open (spec->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  dcc_autofd devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || err < 0 || devnull < 0)
    return dcc_fail_errno (error, "cannot create output files for the compiler");
  int report[2];
  if (pipe2 (report, O_CLOEXEC) < 0)
    return dcc_fail_errno (error, "pipe");
  dcc_autofd report_read = report[0];
  dcc_autofd report_write = report[1];
  pid_t pid = fork ();
  if (pid < 0)
    return dcc_fail_errno (error, "fork");
  if (pid == 0)
    child_exec (spec, devnull, out, err, report_write);
  dcc_fd_clear (&report_write);   /* the child's end: EOF once it has exec'd */

  int ws = 0;
  if (!wait_child (pid, spec->timeout_s, &ws, error))
    return FALSE;
  /* Exec closed the pipe's other end; anything in it is a failure before
   * the compiler ran. */
  ChildFailure f;
  ssize_t n;
  do
    n = read (report_read, &f, sizeof f);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t) sizeof f)
    {
      f.step[sizeof f.step - 1] = '\0';
      return dcc_fail (error, DCC_ERROR_FAILED, "could not run the compiler: %s: %s",
                       f.step, g_strerror (f.err));
    }
  if (WIFEXITED (ws))
    *status = WEXITSTATUS (ws);
  else if (WIFSIGNALED (ws))
    *status = 128 + WTERMSIG (ws);
  else
    *status = 1;
  return TRUE;
}

gboolean
dcc_run_sandbox_probe (const DccSandbox *sb, const char *tmp_base, GError **error)
{
  g_autofree char *dir = g_build_filename (tmp_base, "sandbox-probe", NULL);
  g_autofree char *tree = g_build_filename (dir, "tree", NULL);
  g_autofree char *tmp = g_build_filename (dir, "tmp", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  if (g_mkdir_with_parents (tree, 0700) < 0 || g_mkdir_with_parents (tmp, 0700) < 0)
    return dcc_fail_errno (error, "sandbox probe: cannot create %s", dir);
  const char *prog = g_file_test ("/usr/bin/true", G_FILE_TEST_IS_EXECUTABLE) ? "/usr/bin/true" : "/bin/true";
  g_autoptr(DccSandboxPlan) plan = dcc_sandbox_plan_new (sb, dir, tmp, tree, prog, NULL, error);
  if (!plan)
    return FALSE;
  char *argv[] = { (char *) prog, NULL };
  char *envp[] = { NULL };
  DccJobLimits limits = { .processes = 8 };
  DccRunSpec spec = { .compiler = prog, .argv = argv, .envp = envp, .cwd = tree,
                      .stdout_path = out, .stderr_path = out, .timeout_s = 30,
                      .sandbox = plan, .limits = &limits };
  int status = -1;
  gboolean ok = dcc_run_compiler (&spec, &status, error);
  g_autoptr(GError) ignored = NULL;
  dcc_remove_tree (dir, &ignored);
  if (!ok)
    return g_prefix_error (error, "sandbox probe: "), FALSE;
  if (status != 0)
    return dcc_fail (error, DCC_ERROR_FAILED, "sandbox probe: %s exited with status %d", prog, status);
  return TRUE;
}
