/* JSON text for the monitors' endpoints and the build timeline. Strings
 * are made valid UTF-8 first and escaped, so that whatever bytes a client
 * sent (a file name) stay inside their string. */
#pragma once
#include <glib.h>

/* Appends s (NULL: empty) as a quoted JSON string. */
void dcc_json_append_string (GString *out, const char *s);
/* Appends "key": "value", (with the comma and a space), as the
 * object-building code of the endpoints writes its members. */
void dcc_json_append_member (GString *out, const char *key, const char *value);
