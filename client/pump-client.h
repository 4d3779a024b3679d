/* Pump mode on the client: ask the include server for the compile's files,
 * send the volunteer the manifest and only the contents it lacks. */
#pragma once
#include <glib.h>
#include "dcc-args.h"
#include "dcc-hosts.h"

/* Same values as the client's RemoteOutcome, plus NOT_USED: pump mode does
 * not apply (no include server, host without ,cpp, analysis failed) and the
 * caller should use plain mode; *why says why (may be NULL). */
typedef enum { DCC_PUMP_DONE, DCC_PUMP_RUN_LOCALLY, DCC_PUMP_HOST_FAILED, DCC_PUMP_NOT_USED,
               DCC_PUMP_RETRY_LOCALLY } DccPumpOutcome;

int dcc_pump_try (const char *distcc_dir, const char *compiler_path, const DccCompileArgs *a,
                  const char *cwd, const DccHost *host, int slot, int *exit_status, char **why);
