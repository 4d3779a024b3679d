/* Pump mode on one chosen host: ask the include server for the compile's
 * files, send the volunteer the manifest, then only the contents it lacks. */
#pragma once
#include "remote-common.h"

/* DCC_REMOTE_NOT_USED (with *why) when pump mode does not apply: no include
 * server, a host without ,cpp, DEPENDENCIES_OUTPUT set, the analysis failed,
 * or the volunteer does not serve pump mode. The caller then uses plain mode. */
DccRemoteOutcome dcc_pump_compile (const char *distcc_dir, const char *compiler_path,
                                   const DccCompileArgs *a, const char *cwd, const DccHost *host,
                                   int slot, int *exit_status, char **why);
