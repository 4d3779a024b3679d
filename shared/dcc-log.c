#include "dcc-log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static char *log_program;
static char *log_path;
static int log_fd = 2;
static DccLogLevel log_level = DCC_LOG_WARNING;
static gboolean log_syslog;

void
dcc_log_use_syslog (void)
{
  openlog (log_program ? log_program : "distcc", LOG_PID | LOG_NDELAY, LOG_DAEMON);
  log_syslog = TRUE;
}

void
dcc_log_reopen (void)
{
  if (log_path == NULL)
    return;
  int fd = open (log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return;   /* keep writing where we were */
  if (log_fd > 2)
    close (log_fd);
  log_fd = fd;
}

void
dcc_log_set_fd (int fd)
{
  if (log_path == NULL && fd >= 0)
    log_fd = fd;
}

int
dcc_log_fd (void)
{
  return log_fd;
}

static void
glib_log_handler (const char *domain, GLogLevelFlags flags, const char *message, gpointer data)
{
  DccLogLevel l = (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) ? DCC_LOG_ERROR
                : (flags & G_LOG_LEVEL_WARNING) ? DCC_LOG_WARNING
                : (flags & G_LOG_LEVEL_MESSAGE) ? DCC_LOG_NOTICE
                : (flags & G_LOG_LEVEL_INFO) ? DCC_LOG_INFO : DCC_LOG_DEBUG;
  dcc_log (l, "%s", message);
}

void
dcc_log_setup (const char *program, const char *path, DccLogLevel level)
{
  g_free (log_program);
  log_program = g_strdup (program);
  g_free (log_path);
  log_path = g_strdup (path);
  log_level = level;
  if (path)
    dcc_log_reopen ();
  g_log_set_default_handler (glib_log_handler, NULL);
}

gboolean
dcc_log_level_parse (const char *name, DccLogLevel *out)
{
  static const struct { const char *name; DccLogLevel level; } names[] = {
    { "critical", DCC_LOG_ERROR }, { "error", DCC_LOG_ERROR }, { "warning", DCC_LOG_WARNING },
    { "notice", DCC_LOG_NOTICE }, { "info", DCC_LOG_INFO }, { "debug", DCC_LOG_DEBUG },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i].name) == 0)
      {
        *out = names[i].level;
        return TRUE;
      }
  return FALSE;
}

gboolean
dcc_log_enabled (DccLogLevel level)
{
  return level <= log_level;
}

static void
write_line (DccLogLevel level, const char *fmt, va_list ap)
{
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  if (log_syslog)
    {
      static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };
      syslog (prio[level], "%s", msg);
      return;
    }
  g_autofree char *line = g_strdup_printf ("%s[%d] %s\n", log_program ? log_program : "distcc",
                                           (int) getpid (), msg);
  /* One write() per line so that concurrent processes do not interleave. */
  ssize_t unused = write (log_fd, line, strlen (line));
  (void) unused;
}

void
dcc_log (DccLogLevel level, const char *fmt, ...)
{
  if (level > log_level)
    return;
  int saved = errno;
  va_list ap;
  va_start (ap, fmt);
  write_line (level, fmt, ap);
  va_end (ap);
  errno = saved;
}

void
dcc_log_always (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  write_line (DCC_LOG_NOTICE, fmt, ap);
  va_end (ap);
}
