/* Running the compiler for a job: fork, enter the job's sandbox (see
 * sandbox.h), chdir into the job tree, exec with a clean environment,
 * stdout/stderr to files, limits, a deadline, and a kill switch for
 * shutdown. Only async-signal-safe calls between fork and exec. */
#pragma once
#include <glib.h>
#include "sandbox.h"

typedef struct {
  const char  *compiler;      /* absolute path */
  char *const *argv;          /* argv[0] is ignored (compiler used) */
  char *const *envp;
  const char  *cwd;
  const char  *stdout_path;
  const char  *stderr_path;
  int          nice_increment;
  int          timeout_s;
  const DccSandboxPlan *sandbox;  /* NULL: run on the host (--no-sandbox) */
  const DccJobLimits   *limits;   /* NULL: none */
} DccRunSpec;

/* Set from a signal handler to stop the running compiler. */
extern volatile int dcc_run_cancelled;

/* Runs and waits. *status is shell-style (exit code or 128+signal); the
 * compile failing is not an error. FALSE only when it could not run (the
 * sandbox could not be built, exec failed), timed out, or was cancelled. */
gboolean dcc_run_compiler (const DccRunSpec *spec, int *status, GError **error);

/* Builds a sandbox in a scratch directory under tmp_base and runs
 * /bin/true in it: FALSE with the reason when this host cannot (no user
 * namespaces, no overlayfs in them, ...). */
gboolean dcc_run_sandbox_probe (const DccSandbox *sb, const char *tmp_base, GError **error);
