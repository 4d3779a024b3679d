/* Running the compiler for a job: fork, chdir into the job tree, exec with a
 * clean environment, stdout/stderr to files, a deadline, and a kill switch
 * for shutdown. Only async-signal-safe calls between fork and exec. */
#pragma once
#include <glib.h>

typedef struct {
  const char  *compiler;      /* absolute path */
  char *const *argv;          /* argv[0] is ignored (compiler used) */
  char *const *envp;
  const char  *cwd;
  const char  *stdout_path;
  const char  *stderr_path;
  int          nice_increment;
  int          timeout_s;
} DccRunSpec;

/* Set from a signal handler to stop the running compiler. */
extern volatile int dcc_run_cancelled;

/* Runs and waits. *status is shell-style (exit code or 128+signal); the
 * compile failing is not an error. FALSE only when it could not run, timed
 * out, or was cancelled. */
gboolean dcc_run_compiler (const DccRunSpec *spec, int *status, GError **error);
