/* Plain mode on one chosen host: preprocess here (at most localslots_cpp
 * preprocessors at once across all clients), compile there. */
#pragma once
#include "remote-common.h"

DccRemoteOutcome dcc_plain_compile (const char *distcc_dir, const char *compiler_path,
                                    const DccCompileArgs *a, const char *cwd, const DccHost *host,
                                    int slot, int localslots_cpp, int *exit_status, char **why);
