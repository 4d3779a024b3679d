/* Table-driven tests for the DISTCC_HOSTS parser (shared/dcc-hosts.c). */
#include "dcc-hosts.h"
#include "dcc-error.h"
#include "dcc-limits.h"

/* A canonical rendering of a parsed list, so each table row is one string:
 * "local/N" or "HOST:PORT/N[,lzo][,cpp]" (IPv6 in brackets), blank-separated,
 * then " {rand}", " {ls=N}", " {lc=N}" when not the defaults. */
static char *
render (const DccHostList *l)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < l->hosts->len; i++)
    {
      const DccHost *h = l->hosts->pdata[i];
      if (i > 0)
        g_string_append_c (s, ' ');
      if (h->kind == DCC_HOST_SSH)
        {
          g_assert_cmpint (h->port, ==, 0);
          g_string_append_printf (s, "ssh:%s@%s/%d", h->user ? h->user : "", h->hostname, h->limit);
          if (h->command)
            g_string_append_printf (s, ":%s", h->command);
          if (h->lzo)
            g_string_append (s, ",lzo");
          if (h->cpp)
            g_string_append (s, ",cpp");
          continue;
        }
      if (h->kind == DCC_HOST_LOCAL)
        {
          g_assert_cmpstr (h->hostname, ==, "localhost");
          g_assert_cmpint (h->port, ==, 0);
          g_string_append_printf (s, "local/%d", h->limit);
          continue;
        }
      if (strchr (h->hostname, ':') != NULL)
        g_string_append_printf (s, "[%s]", h->hostname);
      else
        g_string_append (s, h->hostname);
      g_string_append_printf (s, ":%d/%d", h->port, h->limit);
      if (h->lzo)
        g_string_append (s, ",lzo");
      if (h->cpp)
        g_string_append (s, ",cpp");
    }
  if (l->randomize)
    g_string_append (s, " {rand}");
  if (l->localslots != DCC_HOSTS_DEFAULT_LOCALSLOTS)
    g_string_append_printf (s, " {ls=%d}", l->localslots);
  if (l->localslots_cpp != DCC_HOSTS_DEFAULT_LOCALSLOTS_CPP)
    g_string_append_printf (s, " {lc=%d}", l->localslots_cpp);
  return g_string_free (s, FALSE);
}

typedef struct {
  const char *text;
  const char *expect;      /* rendering, or NULL when an error is expected */
  int code;                /* expected DccErrorCode when expect == NULL */
  const char *msg_part;    /* substring of the error message, or NULL */
} Row;

#define OK(t, e)        { t, e, 0, NULL }
#define BAD(t, m)       { t, NULL, DCC_ERROR_INVALID, m }

static const Row rows[] = {
  /* the simple forms */
  OK ("", ""),
  OK ("   \t\n ", ""),
  OK ("localhost", "local/2"),
  OK ("localhost/3", "local/3"),
  OK ("red", "red:3632/4"),
  OK ("red/8", "red:3632/8"),
  OK ("red:4000", "red:4000/4"),
  OK ("red:4000/2", "red:4000/2"),
  OK ("red/2:4000", "red:4000/2"),              /* old style */
  OK ("10.0.0.1", "10.0.0.1:3632/4"),
  OK ("10.0.0.1:3633/1", "10.0.0.1:3633/1"),
  OK ("[::1]", "[::1]:3632/4"),
  OK ("[::1]:3633/4", "[::1]:3633/4"),
  OK ("[fe80::1%eth0]:3633", "[fe80::1%eth0]:3633/4"),
  OK ("[2001:db8::7]/6,lzo", "[2001:db8::7]:3632/6,lzo"),
  OK ("build-1.example.org", "build-1.example.org:3632/4"),
  /* options */
  OK ("red,lzo", "red:3632/4,lzo"),
  OK ("red,cpp", "red:3632/4,cpp"),
  OK ("red,lzo,cpp", "red:3632/4,lzo,cpp"),
  OK ("red,cpp,lzo", "red:3632/4,lzo,cpp"),
  OK ("red:4000/3,cpp,lzo", "red:4000/3,lzo,cpp"),
  OK ("red/3:4000,lzo", "red:4000/3,lzo"),
  /* stock: only "localhost" and "localhost/..." run locally */
  OK ("localhost:3632", "localhost:3632/4"),
  OK ("localhost,lzo", "localhost:3632/4,lzo"),
  OK ("localhost/2,cpp,lzo", "local/2"),
  OK ("127.0.0.1:9999/1", "127.0.0.1:9999/1"),
  /* lists, comments and globals */
  OK ("localhost/2 red green/8 blue:4000",
      "local/2 red:3632/4 green:3632/8 blue:4000/4"),
  OK ("# a hosts file\nred/2   # the fast one\n\n  green # slower\n#blue\n",
      "red:3632/2 green:3632/4"),
  OK ("red#comment green", "red:3632/4"),
  OK ("red\r\ngreen\f\vblue", "red:3632/4 green:3632/4 blue:3632/4"),
  OK ("--randomize red green", "red:3632/4 green:3632/4 {rand}"),
  OK ("red --randomize", "red:3632/4 {rand}"),
  OK ("--localslots=5 red", "red:3632/4 {ls=5}"),
  OK ("--localslots_cpp=16 red", "red:3632/4 {lc=16}"),
  OK ("--localslots=3 --localslots_cpp=4", " {ls=3} {lc=4}"),
  OK ("localhost red --localslots=6", "local/6 red:3632/4 {ls=6}"),
  OK ("localhost/1 --localslots=6", "local/1 {ls=6}"),
  OK ("red:65535/1024", "red:65535/1024"),
  OK ("red:1", "red:1/4"),

  /* errors, each naming the entry or the feature */
  /* ssh hosts, as stock: [USER]@HOST[/LIMIT][:COMMAND][OPTIONS] */
  OK ("@red", "ssh:@red/4"),
  OK ("me@red/2", "ssh:me@red/2"),
  OK ("red me@blue/3:/opt/bin/distccd,cpp,lzo", "red:3632/4 ssh:me@blue/3:/opt/bin/distccd,lzo,cpp"),
  OK ("@[::1]/2", "ssh:@::1/2"),
  BAD ("me@", "a host name is required"),
  BAD ("m!e@red", "invalid character in user name"),
  BAD ("@red:$(rm)", "invalid character in the command"),
  BAD ("@red:", "expected a command"),
  BAD ("@red/0", "bad limit"),
  BAD ("red,auth", "auth"),
  BAD ("red,auth=foo", "auth"),
  BAD ("red,gzip", "red,gzip"),
  BAD ("red,", "red,"),
  BAD ("red,lzo,", "red,lzo,"),
  BAD ("red:", "red:"),
  BAD ("red:0", "port"),
  BAD ("red:65536", "port"),
  BAD ("red:99999999999999999999", "port"),
  BAD ("red:http", "red:http"),
  BAD ("red:-1", "red:-1"),
  BAD ("red:40x", "red:40x"),
  BAD ("red/0", "limit"),
  BAD ("red/", "limit"),
  BAD ("red/-2", "limit"),
  BAD ("red/1025", "limit"),
  BAD ("red/4x", "red/4x"),
  BAD ("red/2:4000/3", "limit"),
  BAD ("red:4000:5000", "red:4000:5000"),
  BAD ("localhost/0", "limit"),
  BAD ("localhost/two", "localhost/two"),
  BAD ("localhost/2x", "localhost/2x"),
  BAD ("::1", "bracket"),
  BAD ("fe80::1:3632", "bracket"),
  BAD ("[::1", "]"),
  BAD ("[]", "IPv6 host address"),
  BAD ("[::1]x", "[::1]x"),
  BAD ("[red/2]", "[red/2]"),
  BAD (":3632", "host name is required"),
  BAD ("/4", "host name is required"),
  BAD (",lzo", "host name is required"),
  BAD ("red green blue;rm", "blue;rm"),
  BAD ("red'quote", "red'quote"),
  BAD ("--randomise", "--randomise"),
  BAD ("--localslots", "--localslots"),
  BAD ("--localslots=", "--localslots="),
  BAD ("--localslots=0", "--localslots=0"),
  BAD ("--localslots=abc", "--localslots=abc"),
  BAD ("--localslots_cpp=9999", "--localslots_cpp=9999"),
  BAD ("-x", "-x"),
  BAD ("red\x01", "red\\x01"),
  BAD ("r\xc3\xa9" "d", "invalid character"),
};

static void
test_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const Row *r = &rows[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DccHostList) l = dcc_hosts_parse (r->text, &error);
      g_test_message ("row %" G_GSIZE_FORMAT ": \"%s\"", i, r->text);
      if (r->expect != NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (l);
          g_autofree char *got = render (l);
          g_assert_cmpstr (got, ==, r->expect);
        }
      else
        {
          g_assert_null (l);
          g_assert_error (error, DCC_ERROR, r->code);
          if (r->msg_part != NULL && strstr (error->message, r->msg_part) == NULL)
            g_error ("row %" G_GSIZE_FORMAT " \"%s\": message \"%s\" lacks \"%s\"",
                     i, r->text, error->message, r->msg_part);
        }
    }
}

static void
test_spec_kept (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DccHostList) l = dcc_hosts_parse ("  localhost/2 [::1]:3633/4,lzo # x", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (l->hosts->len, ==, 2);
  g_assert_cmpstr (((DccHost *) l->hosts->pdata[0])->spec, ==, "localhost/2");
  g_assert_cmpstr (((DccHost *) l->hosts->pdata[1])->spec, ==, "[::1]:3633/4,lzo");
  g_assert_cmpstr (((DccHost *) l->hosts->pdata[1])->hostname, ==, "::1");
  g_assert_cmpuint (dcc_host_list_count_remote (l), ==, 1);

  g_autoptr(DccHost) c = dcc_host_copy (l->hosts->pdata[1]);
  g_assert_cmpstr (c->hostname, ==, "::1");
  g_assert_cmpstr (c->spec, ==, "[::1]:3633/4,lzo");
  g_assert_cmpint (c->port, ==, 3633);
  g_assert_true (c->lzo);
  g_assert_false (c->cpp);
  g_assert_cmpint (DCC_DEFAULT_PORT, ==, 3632);
}

static void
test_bounds (void)
{
  /* exactly the maximum number of hosts is fine, one more is not */
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < DCC_HOSTS_MAX_HOSTS; i++)
    g_string_append_printf (s, "h%u ", i);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DccHostList) l = dcc_hosts_parse (s->str, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (l->hosts->len, ==, DCC_HOSTS_MAX_HOSTS);
  }
  g_string_append (s, "onemore");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DccHostList) l = dcc_hosts_parse (s->str, &error);
    g_assert_null (l);
    g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  }
  g_string_free (s, TRUE);

  /* an over-long entry, and an over-long host name */
  g_autofree char *longent = g_strnfill (DCC_HOSTS_MAX_ENTRY_LEN + 1, 'a');
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DccHostList) l = dcc_hosts_parse (longent, &error);
    g_assert_null (l);
    g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  }
  g_autofree char *longname = g_strnfill (DCC_HOSTS_MAX_HOSTNAME + 1, 'b');
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DccHostList) l = dcc_hosts_parse (longname, &error);
    g_assert_null (l);
    g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  }
  /* comments do not count against the entry length */
  g_autofree char *longcomment = g_strconcat ("red #", longent, "\ngreen", NULL);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DccHostList) l = dcc_hosts_parse (longcomment, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (l->hosts->len, ==, 2);
  }
  /* the whole text is bounded too */
  g_autofree char *huge = g_strnfill (DCC_HOSTS_MAX_TEXT + 1, ' ');
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DccHostList) l = dcc_hosts_parse (huge, &error);
    g_assert_null (l);
    g_assert_error (error, DCC_ERROR, DCC_ERROR_LIMIT);
  }
}

/* dcc_hosts_parse_skipping: each bad entry is left out with its reason,
 * the good ones kept in order; the strict parser still fails. */
static void
test_skipping (void)
{
  static const struct { const char *text; const char *expect; guint skipped; } rows[] = {
    { "a/2 b,auth b", "a:3632/2 b:3632/4", 1 },
    { "127.0.0.1:45632/2 @buildbox/4,auth", "127.0.0.1:45632/2", 1 },   /* issue 14's example, with ,auth */
    { "+zeroconf x,auth y,zzz z:99999 w/0 [::1 ok:1/1,cpp", "ok:1/1,cpp", 5 },
    { "--localslots=x --randomize h", "h:3632/4 {rand}", 1 },
    { "+zeroconf x,auth", "", 1 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DccHostList) l = dcc_hosts_parse_skipping (rows[i].text, &error);
      g_assert_no_error (error);
      g_autofree char *got = render (l);
      if (i == 1)
        g_assert_nonnull (strstr (l->skipped->pdata[0], "\"@buildbox/4,auth\""));
      g_assert_cmpstr (got, ==, rows[i].expect);
      g_assert_cmpuint (l->skipped->len, ==, rows[i].skipped);
      g_autoptr(GError) strict_error = NULL;
      g_autoptr(DccHostList) strict = dcc_hosts_parse (rows[i].text, &strict_error);
      g_assert_null (strict);
      g_assert_error (strict_error, DCC_ERROR, DCC_ERROR_INVALID);
    }
  /* An entry over the length bound is skipped too. */
  g_autofree char *longe = g_strnfill (DCC_HOSTS_MAX_ENTRY_LEN + 10, 'h');
  g_autofree char *text = g_strconcat ("good ", longe, " other", NULL);
  g_autoptr(DccHostList) l = dcc_hosts_parse_skipping (text, NULL);
  g_autofree char *got = render (l);
  g_assert_cmpstr (got, ==, "good:3632/4 other:3632/4");
  g_assert_cmpuint (l->skipped->len, ==, 1);
}

/* +zeroconf is taken (once), and marks where its volunteers go. */
static void
test_zeroconf (void)
{
  static const struct { const char *text; int at; const char *expect; } rows[] = {
    { "+zeroconf", 0, "" },
    { "a/2 +zeroconf b", 1, "a:3632/2 b:3632/4" },
    { "a b +zeroconf", 2, "a:3632/4 b:3632/4" },
    { "+zeroconf a +zeroconf", 0, "a:3632/4" },
    { "a b", -1, "a:3632/4 b:3632/4" },
    { "+zeroconf,cpp", -1, "" },   /* not the keyword: a bad entry */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(DccHostList) l = dcc_hosts_parse_skipping (rows[i].text, NULL);
      g_autofree char *got = render (l);
      g_assert_cmpstr (got, ==, rows[i].expect);
      g_assert_cmpint (l->zeroconf_at, ==, rows[i].at);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hosts/table", test_table);
  g_test_add_func ("/hosts/spec-kept", test_spec_kept);
  g_test_add_func ("/hosts/bounds", test_bounds);
  g_test_add_func ("/hosts/skipping", test_skipping);
  g_test_add_func ("/hosts/zeroconf", test_zeroconf);
  return g_test_run ();
}
