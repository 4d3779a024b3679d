/* Pump mode on one chosen host: ask the include server for the compile's
 * files, send the volunteer the manifest, then only the contents it lacks. */
#pragma once
#include "remote-common.h"
#include <stdio.h>

typedef struct DccPumpPlan DccPumpPlan;
void dcc_pump_plan_free (DccPumpPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccPumpPlan, dcc_pump_plan_free)

/* Asks the include server and prepares the request, before any host slot
 * is taken (so a slow analysis never leaves a volunteer idle). DONE with
 * *plan; NOT_USED (with *why) when pump mode does not apply: no include
 * server, DEPENDENCIES_OUTPUT set, the analysis failed; RUN_LOCALLY when the
 * compile cannot be reproduced anywhere else (__TIMESTAMP__). */
DccRemoteOutcome dcc_pump_plan (const char *distcc_dir, const char *compiler_path,
                                const DccCompileArgs *a, const char *cwd, DccPumpPlan **plan,
                                char **why);
/* Runs the plan on a host with ,cpp. NOT_USED when the volunteer does not
 * serve pump mode or a file changed since the analysis: use plain mode. */
DccRemoteOutcome dcc_pump_compile (DccPumpPlan *plan, const char *distcc_dir, const DccCompileArgs *a,
                                   const char *cwd, const DccHost *host, int slot, int *exit_status,
                                   char **why);
/* --scan-includes: prints the plan's files, one a line, as stock does:
 * "FILE      PATH", "DIRECTORY PATH" or "SYMLINK   PATH". */
void dcc_pump_plan_print (DccPumpPlan *plan, FILE *out);

/* A remote compile that failed: is its failure the answer (returned as it
 * is, no local retry)? Yes when the closure covers everything the compile
 * reads and the failure is the source's (status 1, no sign of the
 * volunteer's own trouble in stderr); else FALSE with *doubt saying why. */
gboolean dcc_pump_failure_is_final (GPtrArray *manifest, const DccCompileArgs *a, int status, GBytes *err,
                                    char **doubt);
/* DISTCC_DIR/pump-retries: one line per pump compile retried locally
 * ("SECONDS PID SOURCE status=N REASON"), never printed on stderr. */
#define DCC_PUMP_RETRIES_FILE "pump-retries"
void dcc_pump_count_retry (const char *distcc_dir, const char *source, int status, const char *doubt);
