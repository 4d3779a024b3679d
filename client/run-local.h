/* Running a compiler on this machine. */
#pragma once
#include <glib.h>

/* Exit status in shell terms: the exit code, or 128 + signal. */
int dcc_wait_status_to_exit (int wait_status);
/* Runs argv (argv[0] replaced by compiler_path) with our stdio; returns its
 * shell-style exit status, or -1 + error when it could not be started. */
int dcc_run_local (const char *compiler_path, char *const *argv, GError **error);
/* Runs argv capturing stdout and stderr; *status is shell-style. extra_env
 * (NAME=VALUE strings, may be NULL) is set for the child only. */
gboolean dcc_run_capture (const char *compiler_path, char *const *argv, const char *const *extra_env,
                          GBytes **out, GBytes **err, int *status, GError **error);
