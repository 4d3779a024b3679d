/* What plain and pump mode share on the client once a host is chosen. */
#pragma once
#include <glib.h>
#include "dcc-args.h"
#include "dcc-hosts.h"
#include "dcc-request.h"

/* RUN_LOCALLY: decided before anything ran remotely. KEEP_LOCAL: the same,
 * because this mode cannot make what a local compile makes (the user
 * expected it remote: said once per build). RETRY_LOCALLY: the volunteer's
 * answer cannot be used as it is. HOST_FAILED: the volunteer or the network
 * failed; back it off. NOT_USED: pump mode does not apply, use plain
 * mode. */
typedef enum {
  DCC_REMOTE_DONE,
  DCC_REMOTE_RUN_LOCALLY,
  DCC_REMOTE_KEEP_LOCAL,
  DCC_REMOTE_HOST_FAILED,
  DCC_REMOTE_NOT_USED,
  DCC_REMOTE_RETRY_LOCALLY,
} DccRemoteOutcome;

/* The *why of RUN_LOCALLY when the volunteer refused the compiler itself
 * (not allowed there, or a different identity): the volunteer's EROR
 * messages about the compiler start with "compiler " (doc/protocol.md). */
#define DCC_REFUSED_PREFIX "volunteer refused: "
#define DCC_REFUSED_COMPILER_PREFIX DCC_REFUSED_PREFIX "compiler "

/* An environment variable as a boolean: unset or empty gives dflt, "0" FALSE. */
gboolean dcc_client_env_flag (const char *name, gboolean dflt);
/* NAME=VALUE for the variables the volunteer's compiler must see as ours does. */
GStrv dcc_client_forwarded_env (void);
/* The name of a set variable that keeps the compile here (COMPILER_PATH,
 * GCC_EXEC_PREFIX, GCC_COMPARE_DEBUG), NULL if none. */
const char *dcc_client_env_keeps_local (void);
/* argv for the volunteer: argv[0] reduced to its basename, plus colour
 * when ours would be coloured (-fdiagnostics-color=auto on a terminal). */
GStrv dcc_client_remote_argv (const char *const *argv, const DccCompileArgs *a, gboolean is_clang);
/* The target-qualified name to send for a generic gcc name (gcc, g++,
 * gcc-N, g++-N, cc, c++), when TARGET-name is on PATH; NULL to send name
 * as it is. */
char *dcc_client_qualified_name (const char *name, const char *target, gboolean is_clang);
/* What every request carries besides the work itself. */
typedef struct {
  GStrv  argv;          /* for the volunteer: basename compiler, colour */
  GStrv  env;           /* forwarded NAME=VALUE */
  char  *compiler_id;   /* see dcc-compiler-id.h */
} DccRequestBasics;

/* Fills *b; FALSE with *why when the compiler cannot be identified (then
 * compile here rather than risk a volunteer with a different compiler). */
gboolean dcc_client_request_basics (const char *distcc_dir, const char *compiler_path,
                                    const char *const *argv, const DccCompileArgs *a, gboolean is_clang,
                                    DccRequestBasics *b, char **why);
void dcc_request_basics_clear (DccRequestBasics *b);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DccRequestBasics, dcc_request_basics_clear)

/* Adds one to DISTCC_DIR/result-cache-hits (a decimal count, updated
 * under flock by every client process): compiles answered from a
 * volunteer's result cache. Failures are ignored. */
void dcc_client_count_cache_hit (const char *distcc_dir);

/* Connects within the I/O timeout, recording the phase; -1 with *why. */
int dcc_client_connect (const char *distcc_dir, const DccHost *host, const char *source_name,
                        int slot, char **why);

/* How many connections this process made: a HOST_FAILED after one, with
 * nothing received, is how a stock distccd answers our protocol. */
int dcc_client_connections (void);
/* Whether the last exchange failed by a timeout (a silent volunteer, not a
 * stock one, which closes at once); set by dcc_client_note_failure. */
gboolean dcc_client_last_failure_timed_out (void);
void dcc_client_note_failure (const GError *error);

/* Sends request (already encoded) and reads the reply; transport failures
 * are HOST_FAILED with *why set. peer: the host's name when the reply is
 * the first thing it sends (then a peer that is not a distccd of this
 * protocol is named as such), else NULL. */
DccRemoteOutcome dcc_client_exchange (int fd, const char *peer, GByteArray *request, int timeout,
                                      DccReply **reply, char **why);
/* Decides what to do with a reply: EROR, a failed compile (retried locally
 * unless failure_is_final or DISTCC_SKIP_LOCAL_RETRY), or success: outputs written, stdout and
 * stderr replayed, *exit_status set. exact_diagnostics: FALSE in plain mode,
 * where source excerpts cannot be right. dep_file_remote: the volunteer
 * makes the dependency file (pump mode). A reply with a file the command
 * line does not name, or a success without one it names, is HOST_FAILED
 * (dcc_outputs_check) and nothing is written: the caller compiles locally. */
DccRemoteOutcome dcc_client_finish (const DccCompileArgs *a, const char *cwd, DccReply *reply,
                                    gboolean exact_diagnostics, gboolean dep_file_remote,
                                    gboolean failure_is_final, int *exit_status, char **why);
