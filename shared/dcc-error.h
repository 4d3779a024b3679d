/* One error domain for the project; codes say what kind of failure it was. */
#pragma once
#include <glib.h>

#define DCC_ERROR (dcc_error_quark ())
GQuark dcc_error_quark (void);

typedef enum {
  DCC_ERROR_FAILED,        /* anything else */
  DCC_ERROR_PROTOCOL,      /* peer sent something malformed or unexpected */
  DCC_ERROR_LIMIT,         /* a bound in dcc-limits.h was exceeded */
  DCC_ERROR_IO,            /* socket or file I/O failed */
  DCC_ERROR_TIMEOUT,       /* DISTCC_IO_TIMEOUT or similar */
  DCC_ERROR_REFUSED,       /* policy: not allowed (address, compiler, option, path) */
  DCC_ERROR_INVALID,       /* bad user input: options, host list */
  DCC_ERROR_MISMATCH,      /* compiler identity or hash differs */
  DCC_ERROR_NO_SPACE,      /* a disk or quota is full (ENOSPC, EDQUOT) */
} DccErrorCode;

/* Sets *error and returns FALSE, so a failure is one return statement. */
gboolean dcc_fail (GError **error, DccErrorCode code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);
/* Same, appending ": strerror(errno)"; errno is read first. The code is
 * DCC_ERROR_NO_SPACE for a full disk or quota, else DCC_ERROR_IO. */
gboolean dcc_fail_errno (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
/* Escapes an untrusted string for a log line and truncates it to max bytes. */
char *dcc_escape_for_log (const char *s, gsize max);
