/* Logging for all programs: one line per event to a file (or stderr), each
 * prefixed "PROGRAM[PID] ". Untrusted strings must be passed through
 * dcc_escape_for_log before they reach a log line. */
#pragma once
#include <glib.h>

typedef enum { DCC_LOG_ERROR, DCC_LOG_WARNING, DCC_LOG_NOTICE, DCC_LOG_INFO, DCC_LOG_DEBUG } DccLogLevel;

/* program: "distcc" or "distccd"; path NULL means stderr. level: the most
 * verbose level written. Also routes GLib's g_message/g_warning here. */
void dcc_log_setup (const char *program, const char *path, DccLogLevel level);
gboolean dcc_log_level_parse (const char *name, DccLogLevel *out);
void dcc_log (DccLogLevel level, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
/* Writes the line unconditionally (used for the client's result lines). */
void dcc_log_always (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
gboolean dcc_log_enabled (DccLogLevel level);
/* Writes log lines to fd instead of stderr (when no log file is set):
 * the client's UNCACHED_ERR_FD. The fd stays the caller's. */
void dcc_log_set_fd (int fd);
/* The fd log lines go to now (2 unless a file or dcc_log_set_fd). */
int dcc_log_fd (void);
/* From now on, lines go to syslog (facility LOG_DAEMON, the program's name
 * as ident, with its pid): distccd detached without --log-file, as stock. */
void dcc_log_use_syslog (void);
/* Re-opens the log file (after fork/daemonize or SIGHUP). */
void dcc_log_reopen (void);

#define dcc_debug(...)   dcc_log (DCC_LOG_DEBUG, __VA_ARGS__)
#define dcc_info(...)    dcc_log (DCC_LOG_INFO, __VA_ARGS__)
#define dcc_notice(...)  dcc_log (DCC_LOG_NOTICE, __VA_ARGS__)
#define dcc_warning(...) dcc_log (DCC_LOG_WARNING, __VA_ARGS__)
#define dcc_error(...)   dcc_log (DCC_LOG_ERROR, __VA_ARGS__)
