/* The monitors' request routing and JSON strings (shared/dcc-http.c,
 * shared/dcc-json.c): table-driven, over hostile inputs too. */
#include "dcc-http.h"
#include "dcc-json.h"
#include <string.h>

static void
test_route (void)
{
  static const char *const paths[] = { "/json", "/jobs", "/", NULL };
  static const struct { const char *head; int want; } rows[] = {
    { "GET /json HTTP/1.0\r\n", 0 },
    { "GET /json?x=1 HTTP/1.1\r\n", 0 },
    { "GET /jobs\n", 1 },
    { "GET / HTTP/1.0\r\n", 2 },
    { "GET /json", 0 },                 /* cut: the path still ends at the string's end */
    { "GET /jsonx HTTP/1.0\r\n", -1 },  /* a prefix is not the path */
    { "GET /jso HTTP/1.0\r\n", -1 },
    { "POST /json HTTP/1.0\r\n", -1 },
    { "get /json HTTP/1.0\r\n", -1 },
    { "GET  /json HTTP/1.0\r\n", -1 },
    { "", -1 },
    { "GET ", -1 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      int got = dcc_http_route (rows[i].head, paths);
      if (got != rows[i].want)
        g_error ("route (%s): %d, want %d", rows[i].head, got, rows[i].want);
    }
}

static void
test_json_string (void)
{
  static const struct { const char *in, *want; } rows[] = {
    { "a.c", "\"a.c\"" },
    { "a\"b\\c", "\"a\\\"b\\\\c\"" },
    { "tab\there\nnl", "\"tab\\u0009here\\u000anl\"" },
    { "del\x7f", "\"del\\u007f\"" },
    { "caf\xc3\xa9", "\"caf\xc3\xa9\"" },          /* valid UTF-8 kept */
    { "bad\xff", "\"bad\xef\xbf\xbd\"" },          /* invalid bytes: U+FFFD */
    { "</script>", "\"</script>\"" },              /* the page sets textContent only */
    { NULL, "\"\"" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GString) o = g_string_new (NULL);
      dcc_json_append_string (o, rows[i].in);
      g_assert_cmpstr (o->str, ==, rows[i].want);
    }
  g_autoptr(GString) m = g_string_new (NULL);
  dcc_json_append_member (m, "file", "x\"y");
  g_assert_cmpstr (m->str, ==, "\"file\": \"x\\\"y\", ");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http/route", test_route);
  g_test_add_func ("/json/string", test_json_string);
  return g_test_run ();
}
