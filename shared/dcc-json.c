#include "dcc-json.h"

void
dcc_json_append_string (GString *out, const char *s)
{
  g_autofree char *valid = g_utf8_make_valid (s ? s : "", -1);
  g_string_append_c (out, '"');
  for (const char *p = valid; *p; p++)
    {
      guchar c = (guchar) *p;
      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

void
dcc_json_append_member (GString *out, const char *key, const char *value)
{
  dcc_json_append_string (out, key);
  g_string_append (out, ": ");
  dcc_json_append_string (out, value);
  g_string_append (out, ", ");
}
