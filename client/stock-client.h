/* Our client talking to a stock distcc 3.x distccd: protocol 1 (plain) or
 * 2 (",lzo", LZO1X). The client preprocesses fully (gcc -E, as stock
 * does), sends the compiler name target-qualified, and writes the object
 * the volunteer returns. No compiler identity can be checked: the stock
 * protocol has none (doc/protocol.md, "Mixed clusters"). */
#pragma once
#include <glib.h>
#include "dcc-args.h"
#include "dcc-hosts.h"
#include "remote-common.h"

/* Why this compile is not sent to a stock volunteer, or NULL. Pure. */
const char *dcc_stock_local_reason (const DccCompileArgs *a, gboolean is_clang);
/* The command line a stock volunteer runs (with the .i in place of the
 * source): include, macro and dependency options dropped, as stock's
 * client drops them. Pure. */
GStrv dcc_stock_remote_argv (const char *const *argv);

/* *sent_name is set (the compiler name sent) once the volunteer has
 * answered in the stock protocol, whatever the outcome. */
DccRemoteOutcome dcc_stock_compile (const char *distcc_dir, const char *compiler_path, const DccCompileArgs *a,
                                    const char *cwd, const DccHost *host, int slot, int localslots_cpp,
                                    int *exit_status, char **sent_name, char **why);
