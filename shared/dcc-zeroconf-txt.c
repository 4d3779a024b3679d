#include "dcc-zeroconf-txt.h"
#include "dcc-error.h"
#include "dcc-hosts.h"
#include "dcc-limits.h"
#include <string.h>

/* A decimal 1..DCC_HOSTS_MAX_LIMIT with nothing around it, else 0. */
static int
small_number (const guint8 *v, gsize n)
{
  if (n == 0 || n > 4)
    return 0;
  int x = 0;
  for (gsize i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (v[i]))
        return 0;
      x = x * 10 + (v[i] - '0');
    }
  return x >= 1 && x <= DCC_HOSTS_MAX_LIMIT ? x : 0;
}

/* Copies a value of letters, digits and "._+-" of at most max bytes into
 * dst (max + 1 bytes); leaves dst alone otherwise. */
static void
word (char *dst, gsize max, const guint8 *v, gsize n, gboolean hex_only)
{
  if (n == 0 || n > max)
    return;
  for (gsize i = 0; i < n; i++)
    {
      gboolean okc = hex_only ? g_ascii_isxdigit (v[i])
                              : g_ascii_isalnum (v[i]) || v[i] == '.' || v[i] == '_' || v[i] == '+' || v[i] == '-';
      if (!okc)
        return;
    }
  memcpy (dst, v, n);
  dst[n] = '\0';
}

static gboolean
key_is (const guint8 *k, gsize klen, const char *name)
{
  return klen == strlen (name) && g_ascii_strncasecmp ((const char *) k, name, klen) == 0;
}

gboolean
dcc_zeroconf_txt_parse (const guint8 *rdata, gsize len, DccZeroconfTxt *out, GError **error)
{
  if (len > DCC_ZEROCONF_TXT_MAX)
    return dcc_fail (error, DCC_ERROR_LIMIT, "TXT record of %" G_GSIZE_FORMAT " bytes (at most %u)",
                     len, DCC_ZEROCONF_TXT_MAX);
  DccZeroconfTxt t = { 0 };
  enum { CPUS, JOBS, PROTO, DISTCC, MACHINE, VERSION, ID, NKEYS };
  gboolean seen[NKEYS] = { FALSE };
  guint items = 0;
  gsize off = 0;
  while (off < len)
    {
      gsize n = rdata[off++];
      if (n > len - off)
        return dcc_fail (error, DCC_ERROR_INVALID, "TXT string of %" G_GSIZE_FORMAT " bytes runs past the record's end", n);
      if (++items > DCC_ZEROCONF_TXT_ITEMS)
        return dcc_fail (error, DCC_ERROR_LIMIT, "TXT record with more than %u strings", DCC_ZEROCONF_TXT_ITEMS);
      const guint8 *s = rdata + off;
      off += n;
      const guint8 *eq = memchr (s, '=', n);
      if (eq == NULL || eq == s)
        continue;   /* a boolean attribute, or no key: nothing we use */
      gsize klen = (gsize) (eq - s);
      const guint8 *v = eq + 1;
      gsize vlen = n - klen - 1;
      int k = key_is (s, klen, "cpus") ? CPUS : key_is (s, klen, "jobs") ? JOBS
            : key_is (s, klen, "dcc_protocol") ? PROTO : key_is (s, klen, "distcc") ? DISTCC
            : key_is (s, klen, "cc_machine") ? MACHINE : key_is (s, klen, "cc_version") ? VERSION
            : key_is (s, klen, "dcc_cc_id") ? ID : -1;
      if (k < 0 || seen[k])
        continue;
      seen[k] = TRUE;
      switch (k)
        {
        case CPUS: t.cpus = small_number (v, vlen); break;
        case JOBS: t.jobs = small_number (v, vlen); break;
        case PROTO: t.protocol = (guint) small_number (v, vlen); break;
        case DISTCC: word (t.distcc, DCC_ZEROCONF_WORD_MAX, v, vlen, FALSE); break;
        case MACHINE: word (t.cc_machine, DCC_ZEROCONF_WORD_MAX, v, vlen, FALSE); break;
        case VERSION: word (t.cc_version, DCC_ZEROCONF_WORD_MAX, v, vlen, FALSE); break;
        case ID: word (t.cc_id, DCC_ZEROCONF_ID_MAX, v, vlen, TRUE); break;
        default: break;
        }
    }
  *out = t;
  return TRUE;
}

int
dcc_zeroconf_txt_limit (const DccZeroconfTxt *t)
{
  if (t->jobs > 0)
    return t->jobs;
  if (t->cpus > 0)
    return MIN (t->cpus + 2, DCC_HOSTS_MAX_LIMIT);
  return 4;
}

char *
dcc_zeroconf_host_entry (const char *address, guint port, const DccZeroconfTxt *t)
{
  gsize n = strlen (address);
  if (n == 0 || n > 45 || port == 0 || port > 65535)
    return NULL;
  gboolean v6 = FALSE;
  for (gsize i = 0; i < n; i++)
    {
      char c = address[i];
      if (c == ':')
        v6 = TRUE;
      else if (!g_ascii_isxdigit (c) && c != '.')
        return NULL;
    }
  return g_strdup_printf ("%s%s%s:%u/%d%s", v6 ? "[" : "", address, v6 ? "]" : "", port,
                          dcc_zeroconf_txt_limit (t), t->protocol > 0 ? ",cpp" : "");
}

static void
take (GStrvBuilder *b, char *s)
{
  g_strv_builder_add (b, s);
  g_free (s);
}

GStrv
dcc_zeroconf_txt_build (int cpus, int jobs, const char *cc_version, const char *cc_machine, const char *cc_id)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_strv_builder_add (b, "txtvers=1");
  take (b, g_strdup_printf ("cpus=%d", cpus));
  take (b, g_strdup_printf ("jobs=%d", jobs));
  g_strv_builder_add (b, "distcc=" DCC_VERSION);
  if (cc_machine)
    take (b, g_strdup_printf ("gnuhost=%s", cc_machine));
  if (cc_version)
    take (b, g_strdup_printf ("cc_version=%s", cc_version));
  if (cc_machine)
    take (b, g_strdup_printf ("cc_machine=%s", cc_machine));
  take (b, g_strdup_printf ("dcc_protocol=%u", DCC_PROTOCOL_VERSION));
  if (cc_id)
    take (b, g_strdup_printf ("dcc_cc_id=%s", cc_id));
  return g_strv_builder_end (b);
}

GBytes *
dcc_zeroconf_txt_serialize (const char *const *items)
{
  GByteArray *a = g_byte_array_new ();
  for (; items && *items; items++)
    {
      gsize n = strlen (*items);
      if (n > 255)
        continue;
      guint8 len = (guint8) n;
      g_byte_array_append (a, &len, 1);
      g_byte_array_append (a, (const guint8 *) *items, (guint) n);
    }
  return g_byte_array_free_to_bytes (a);
}

static void
strip_bad_chars (GString *s, const char *part)
{
  gsize n = MIN (strlen (part), 63);
  for (gsize i = 0; i < n; i++)
    {
      char c = part[i];
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        g_string_append_c (s, c);
      else if (c >= 'A' && c <= 'Z')
        g_string_append_c (s, (char) g_ascii_tolower (c));
      else
        g_string_append_c (s, '-');
    }
}

char *
dcc_zeroconf_subtype (const char *cc_machine, const char *cc_version)
{
  GString *s = g_string_new ("_");
  strip_bad_chars (s, cc_machine);
  g_string_append (s, "--");
  strip_bad_chars (s, cc_version);
  g_string_append (s, "._sub." DCC_ZEROCONF_SERVICE_TYPE);
  return g_string_free (s, FALSE);
}
