/* The zeroconf TXT record: what distccd publishes reads back; stock's
 * records read as stock's client reads them; hostile records are refused
 * or their odd values ignored (shared/dcc-zeroconf-txt.c). */
#include "dcc-zeroconf-txt.h"
#include "dcc-error.h"
#include "dcc-hosts.h"
#include "dcc-limits.h"
#include <string.h>

static gboolean
parse_items (const char *const *items, DccZeroconfTxt *t, GError **error)
{
  g_autoptr(GBytes) b = dcc_zeroconf_txt_serialize (items);
  gsize n;
  const guint8 *d = g_bytes_get_data (b, &n);
  return dcc_zeroconf_txt_parse (d, n, t, error);
}

static void
test_round_trip (void)
{
  g_auto(GStrv) items = dcc_zeroconf_txt_build (2, 4, "12", "x86_64-linux-gnu", "0123abcdef");
  g_assert_cmpstr (items[0], ==, "txtvers=1");
  DccZeroconfTxt t;
  g_assert_true (parse_items ((const char *const *) items, &t, NULL));
  g_assert_cmpint (t.cpus, ==, 2);
  g_assert_cmpint (t.jobs, ==, 4);
  g_assert_cmpuint (t.protocol, ==, DCC_PROTOCOL_VERSION);
  g_assert_cmpstr (t.cc_machine, ==, "x86_64-linux-gnu");
  g_assert_cmpstr (t.cc_version, ==, "12");
  g_assert_cmpstr (t.cc_id, ==, "0123abcdef");
  g_assert_cmpstr (t.distcc, ==, DCC_VERSION);
  g_assert_cmpint (dcc_zeroconf_txt_limit (&t), ==, 4);
  g_autofree char *e = dcc_zeroconf_host_entry ("10.1.2.3", 3632, &t);
  g_assert_cmpstr (e, ==, "10.1.2.3:3632/4,cpp");
  /* ... and the entry is one the host parser takes. */
  g_autoptr(DccHostList) l = dcc_hosts_parse (e, NULL);
  g_assert_nonnull (l);
  g_assert_cmpuint (l->hosts->len, ==, 1);
}

/* Stock distccd 3.4's record (zeroconf-reg.c): no dcc_ keys, so a plain
 * entry; its client's defaults when keys are missing. */
static void
test_stock (void)
{
  const char *stock[] = { "txtvers=1", "cpus=8", "jobs=10", "distcc=3.4", "gnuhost=x86_64-pc-linux-gnu",
                          "cc_version=12", "cc_machine=x86_64-linux-gnu", NULL };
  DccZeroconfTxt t;
  g_assert_true (parse_items (stock, &t, NULL));
  g_assert_cmpuint (t.protocol, ==, 0);
  g_autofree char *e = dcc_zeroconf_host_entry ("192.168.1.9", 3632, &t);
  g_assert_cmpstr (e, ==, "192.168.1.9:3632/10");
  const char *cpus_only[] = { "cpus=6", NULL };
  g_assert_true (parse_items (cpus_only, &t, NULL));
  g_assert_cmpint (dcc_zeroconf_txt_limit (&t), ==, 8);
  const char *none[] = { NULL };
  g_assert_true (parse_items (none, &t, NULL));
  g_assert_cmpint (dcc_zeroconf_txt_limit (&t), ==, 4);
  g_autofree char *v6 = dcc_zeroconf_host_entry ("fd00::5", 3632, &t);
  g_assert_cmpstr (v6, ==, "[fd00::5]:3632/4");
  g_autofree char *sub = dcc_zeroconf_subtype ("x86_64-linux-gnu", "12");
  g_assert_cmpstr (sub, ==, "_x86-64-linux-gnu--12._sub._distcc._tcp");
}

/* Values of the wrong shape are ignored; the first of a repeated key counts;
 * keys are case-insensitive. */
static void
test_odd_values (void)
{
  const char *odd[] = { "jobs=0", "cpus=-3", "CPUS=7", "jobs=99999", "dcc_protocol=1x", "cc_machine=a b",
                        "cc_version=$(reboot)", "dcc_cc_id=xyz", "flag", "=nokey", "jobs=5", NULL };
  DccZeroconfTxt t;
  g_assert_true (parse_items (odd, &t, NULL));
  g_assert_cmpint (t.jobs, ==, 0);      /* the first jobs= was 0: ignored, later ones too */
  g_assert_cmpint (t.cpus, ==, 0);
  g_assert_cmpuint (t.protocol, ==, 0);
  g_assert_cmpstr (t.cc_machine, ==, "");
  g_assert_cmpstr (t.cc_version, ==, "");
  g_assert_cmpstr (t.cc_id, ==, "");
  g_autofree char *as = g_strnfill (DCC_ZEROCONF_WORD_MAX + 1, 'a');
  g_autofree char *long_machine = g_strconcat ("cc_machine=", as, NULL);
  const char *lm[] = { long_machine, "jobs=1024", NULL };
  g_assert_true (parse_items (lm, &t, NULL));
  g_assert_cmpstr (t.cc_machine, ==, "");
  g_assert_cmpint (t.jobs, ==, DCC_HOSTS_MAX_LIMIT);
  /* Addresses: only what an address printer makes. */
  g_assert_null (dcc_zeroconf_host_entry ("evil.example;rm", 3632, &t));
  g_assert_null (dcc_zeroconf_host_entry ("", 3632, &t));
  g_assert_null (dcc_zeroconf_host_entry ("10.0.0.1", 0, &t));
  g_assert_null (dcc_zeroconf_host_entry ("fe80::1%eth0", 3632, &t));
}

static void
test_malformed (void)
{
  DccZeroconfTxt t = { .jobs = 77 };
  g_autoptr(GError) e1 = NULL;
  const guint8 past[] = { 5, 'c', 'p', 'u', 's' };
  g_assert_false (dcc_zeroconf_txt_parse (past, sizeof past, &t, &e1));
  g_assert_error (e1, DCC_ERROR, DCC_ERROR_INVALID);
  g_assert_cmpint (t.jobs, ==, 77);   /* untouched on failure */
  g_autoptr(GError) e2 = NULL;
  g_autofree guint8 *big = g_malloc0 (DCC_ZEROCONF_TXT_MAX + 1);
  g_assert_false (dcc_zeroconf_txt_parse (big, DCC_ZEROCONF_TXT_MAX + 1, &t, &e2));
  g_assert_error (e2, DCC_ERROR, DCC_ERROR_LIMIT);
  /* DCC_ZEROCONF_TXT_ITEMS empty strings are fine, one more is not. */
  g_autoptr(GError) e3 = NULL;
  g_autofree guint8 *many = g_malloc0 (DCC_ZEROCONF_TXT_ITEMS + 1);
  g_assert_true (dcc_zeroconf_txt_parse (many, DCC_ZEROCONF_TXT_ITEMS, &t, NULL));
  g_assert_false (dcc_zeroconf_txt_parse (many, DCC_ZEROCONF_TXT_ITEMS + 1, &t, &e3));
  g_assert_error (e3, DCC_ERROR, DCC_ERROR_LIMIT);
  /* An empty record is a volunteer with stock's defaults. */
  g_assert_true (dcc_zeroconf_txt_parse (NULL, 0, &t, NULL));
  g_assert_cmpint (dcc_zeroconf_txt_limit (&t), ==, 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/zeroconf-txt/round-trip", test_round_trip);
  g_test_add_func ("/zeroconf-txt/stock", test_stock);
  g_test_add_func ("/zeroconf-txt/odd-values", test_odd_values);
  g_test_add_func ("/zeroconf-txt/malformed", test_malformed);
  return g_test_run ();
}
