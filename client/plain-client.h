/* Plain mode on one chosen host: preprocess here (at most localslots_cpp
 * preprocessors at once across all clients), compile there. */
#pragma once
#include "remote-common.h"

DccRemoteOutcome dcc_plain_compile (const char *distcc_dir, const char *compiler_path,
                                    const DccCompileArgs *a, const char *cwd, const DccHost *host,
                                    int slot, int localslots_cpp, int *exit_status, char **why);

/* Runs the client's preprocessing command (cpp_argv, from plain-mode.h)
 * under a local preprocessor slot; returns its output, or NULL with *why
 * set (compile locally) when it could not run, failed or printed
 * diagnostics. Shared by plain mode and the stock protocol. */
GBytes *dcc_plain_run_cpp (const char *distcc_dir, const char *compiler_path, char **cpp_argv,
                           const char *source_name, const DccHost *host, int slot, int localslots_cpp,
                           char **why);
