#include "dcc-error.h"
#include <errno.h>
#include <string.h>

G_DEFINE_QUARK (dcc-error-quark, dcc_error)

gboolean
dcc_fail (GError **error, DccErrorCode code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, DCC_ERROR, code, msg);
  return FALSE;
}

gboolean
dcc_fail_errno (GError **error, const char *fmt, ...)
{
  int saved = errno;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  DccErrorCode code = saved == ENOSPC || saved == EDQUOT ? DCC_ERROR_NO_SPACE : DCC_ERROR_IO;
  g_set_error (error, DCC_ERROR, code, "%s: %s", msg, g_strerror (saved));
  errno = saved;
  return FALSE;
}

char *
dcc_escape_for_log (const char *s, gsize max)
{
  if (s == NULL)
    return g_strdup ("(null)");
  GString *out = g_string_new (NULL);
  gsize i;
  for (i = 0; s[i] != '\0' && out->len < max; i++)
    {
      guchar c = (guchar) s[i];
      if (c == '\\')
        g_string_append (out, "\\\\");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, (char) c);
    }
  if (s[i] != '\0')
    g_string_append (out, "...");
  return g_string_free (out, FALSE);
}
