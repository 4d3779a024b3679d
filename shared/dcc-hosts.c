/* DISTCC_HOSTS parser: a hand-written scanner over a bounded string. */
#include "dcc-hosts.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include <string.h>


void
dcc_host_free (DccHost *h)
{
  if (h == NULL)
    return;
  g_free (h->hostname);
  g_free (h->spec);
  g_free (h->user);
  g_free (h->command);
  g_free (h);
}

DccHost *
dcc_host_copy (const DccHost *h)
{
  DccHost *c = g_new0 (DccHost, 1);
  *c = *h;
  c->hostname = g_strdup (h->hostname);
  c->spec = g_strdup (h->spec);
  c->user = g_strdup (h->user);
  c->command = g_strdup (h->command);
  return c;
}

void
dcc_host_list_free (DccHostList *l)
{
  if (l == NULL)
    return;
  g_ptr_array_unref (l->hosts);
  if (l->skipped)
    g_ptr_array_unref (l->skipped);
  g_free (l->zeroconf_none);
  g_free (l);
}

guint
dcc_host_list_count_remote (const DccHostList *l)
{
  guint n = 0;
  for (guint i = 0; i < l->hosts->len; i++)
    if (((const DccHost *) l->hosts->pdata[i])->kind != DCC_HOST_LOCAL)
      n++;
  return n;
}

/* An entry, escaped and valid UTF-8, for an error message. */
static char *
quote_entry (const char *entry)
{
  g_autofree char *esc = dcc_escape_for_log (entry, 128);
  return g_utf8_make_valid (esc, -1);
}

static gboolean G_GNUC_PRINTF (4, 5)
fail_entry (GError **error, DccErrorCode code, const char *entry, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *why = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_autofree char *q = quote_entry (entry);
  return dcc_fail (error, code, "bad host entry \"%s\" in host list: %s", q, why);
}

/* Reads a decimal number in [1, max] at *p and advances over it; FALSE if
 * there are no digits or the value is out of range. */
static gboolean
parse_number (const char **p, int max, int *out)
{
  const char *s = *p;
  gint64 v = 0;
  if (!g_ascii_isdigit (*s))
    return FALSE;
  while (g_ascii_isdigit (*s))
    {
      v = v * 10 + (*s - '0');
      if (v > max)
        return FALSE;
      s++;
    }
  if (v < 1)
    return FALSE;
  *out = (int) v;
  *p = s;
  return TRUE;
}

static gboolean
is_hostname_char (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '-' || c == '_';
}

static gboolean
is_ipv6_char (char c)
{
  /* hex digits, ':' and '.', plus a zone id after '%' (fe80::1%eth0) */
  return g_ascii_isalnum (c) || c == ':' || c == '.' || c == '%' || c == '-' || c == '_';
}

/* Parses ",opt,opt..." up to the end of the entry. */
static gboolean
parse_options (const char *entry, const char *p, gboolean *lzo, gboolean *cpp, GError **error)
{
  while (*p != '\0')
    {
      if (*p != ',')
        return fail_entry (error, DCC_ERROR_INVALID, entry,
                           "unexpected \"%c\" (expected HOST[:PORT][/LIMIT][,lzo][,cpp])", *p);
      p++;
      gsize n = strcspn (p, ",");
      if (n == 0)
        return fail_entry (error, DCC_ERROR_INVALID, entry, "empty option after \",\"");
      if (n == 3 && strncmp (p, "lzo", 3) == 0)
        *lzo = TRUE;
      else if (n == 3 && strncmp (p, "cpp", 3) == 0)
        *cpp = TRUE;
      else if (strncmp (p, "auth", 4) == 0 && (n == 4 || p[4] == '='))
        return fail_entry (error, DCC_ERROR_INVALID, entry,
                           "GSSAPI authentication (,auth) is not supported by this distcc");
      else
        {
          g_autofree char *opt = g_strndup (p, n);
          g_autofree char *q = quote_entry (opt);
          return fail_entry (error, DCC_ERROR_INVALID, entry,
                             "unknown option \"%s\" (known: lzo, cpp)", q);
        }
      p += n;
    }
  return TRUE;
}

static gboolean
parse_limit (const char *entry, const char **p, int *limit, GError **error)
{
  if (!parse_number (p, DCC_HOSTS_MAX_LIMIT, limit))
    return fail_entry (error, DCC_ERROR_INVALID, entry,
                       "bad limit after \"/\" (expected a number from 1 to %d)", DCC_HOSTS_MAX_LIMIT);
  return TRUE;
}

/* "localhost" or "localhost/N", optionally followed by options that, as in
 * stock distcc, mean nothing for local execution. */
static DccHost *
parse_localhost (const char *entry, GError **error)
{
  const char *p = entry + strlen ("localhost");
  int limit = 0;  /* 0: the list's localslots, filled in at the end */
  gboolean lzo = FALSE, cpp = FALSE;

  if (*p == '/' && (p++, !parse_limit (entry, &p, &limit, error)))
    return NULL;
  if (!parse_options (entry, p, &lzo, &cpp, error))
    return NULL;

  DccHost *h = g_new0 (DccHost, 1);
  h->kind = DCC_HOST_LOCAL;
  h->hostname = g_strdup ("localhost");
  h->port = 0;
  h->limit = limit;
  h->spec = g_strdup (entry);
  return h;
}

static DccHost *
parse_tcp (const char *entry, GError **error)
{
  const char *p = entry;
  g_autofree char *hostname = NULL;
  int port = DCC_DEFAULT_PORT, limit = 0;
  gboolean lzo = FALSE, cpp = FALSE;

  if (*p == '[')
    {
      const char *start = ++p;
      while (is_ipv6_char (*p))
        p++;
      if (*p != ']')
        return fail_entry (error, DCC_ERROR_INVALID, entry,
                           "IPv6 address needs a closing \"]\""), NULL;
      if (p == start || memchr (start, ':', (gsize) (p - start)) == NULL)
        return fail_entry (error, DCC_ERROR_INVALID, entry,
                           "expected an IPv6 host address between \"[\" and \"]\""), NULL;
      hostname = g_strndup (start, (gsize) (p - start));
      p++;
    }
  else
    {
      const char *start = p;
      gsize n = strcspn (p, "/:,");
      gsize before_opts = strcspn (p, ",");
      const char *colon = memchr (p, ':', before_opts);
      if (colon != NULL && memchr (colon + 1, ':', before_opts - (gsize) (colon + 1 - p)) != NULL)
        return fail_entry (error, DCC_ERROR_INVALID, entry,
                           "too many \":\" (an IPv6 address must be written in brackets, e.g. [::1]:3632)"), NULL;
      if (n == 0)
        return fail_entry (error, DCC_ERROR_INVALID, entry, "a host name is required"), NULL;
      if (n > DCC_HOSTS_MAX_HOSTNAME)
        return fail_entry (error, DCC_ERROR_LIMIT, entry,
                           "host name longer than %u bytes", DCC_HOSTS_MAX_HOSTNAME), NULL;
      for (gsize i = 0; i < n; i++)
        if (!is_hostname_char (start[i]))
          return fail_entry (error, DCC_ERROR_INVALID, entry,
                             "invalid character in host name (allowed: letters, digits, \".\", \"-\", \"_\")"), NULL;
      hostname = g_strndup (start, n);
      p += n;
    }

  /* [/LIMIT] [:PORT] [/LIMIT], the limit at most once */
  if (*p == '/' && (p++, !parse_limit (entry, &p, &limit, error)))
    return NULL;
  if (*p == ':')
    {
      p++;
      if (!parse_number (&p, 65535, &port))
        return fail_entry (error, DCC_ERROR_INVALID, entry,
                           "bad port after \":\" (expected a number from 1 to 65535)"), NULL;
    }
  if (*p == '/')
    {
      if (limit != 0)
        return fail_entry (error, DCC_ERROR_INVALID, entry, "limit given twice"), NULL;
      p++;
      if (!parse_limit (entry, &p, &limit, error))
        return NULL;
    }
  if (!parse_options (entry, p, &lzo, &cpp, error))
    return NULL;

  DccHost *h = g_new0 (DccHost, 1);
  h->kind = DCC_HOST_TCP;
  h->hostname = g_steal_pointer (&hostname);
  h->port = port;
  h->limit = limit != 0 ? limit : DCC_HOSTS_DEFAULT_LIMIT;
  h->lzo = lzo;
  h->cpp = cpp;
  h->spec = g_strdup (entry);
  return h;
}

static gboolean
is_user_char (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '-' || c == '_';
}

static gboolean
is_command_char (char c)
{
  return g_ascii_isalnum (c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '+';
}

/* [USER]@HOSTID[/LIMIT][:COMMAND][OPTIONS], as stock distcc. */
static DccHost *
parse_ssh (const char *entry, GError **error)
{
  const char *at = strchr (entry, '@');
  gsize ulen = (gsize) (at - entry);
  if (ulen > DCC_HOSTS_MAX_USER)
    return fail_entry (error, DCC_ERROR_LIMIT, entry, "user name longer than %u bytes", DCC_HOSTS_MAX_USER), NULL;
  for (gsize i = 0; i < ulen; i++)
    if (!is_user_char (entry[i]))
      return fail_entry (error, DCC_ERROR_INVALID, entry,
                         "invalid character in user name (allowed: letters, digits, \".\", \"-\", \"_\")"), NULL;
  const char *p = at + 1;
  g_autofree char *hostname = NULL;
  if (*p == '[')
    {
      const char *start = ++p;
      while (is_ipv6_char (*p))
        p++;
      if (*p != ']' || p == start || memchr (start, ':', (gsize) (p - start)) == NULL)
        return fail_entry (error, DCC_ERROR_INVALID, entry, "expected [IPV6] after \"@\""), NULL;
      hostname = g_strndup (start, (gsize) (p - start));
      p++;
    }
  else
    {
      gsize n = strcspn (p, "/:,");
      if (n == 0)
        return fail_entry (error, DCC_ERROR_INVALID, entry, "a host name is required after \"@\""), NULL;
      if (n > DCC_HOSTS_MAX_HOSTNAME)
        return fail_entry (error, DCC_ERROR_LIMIT, entry, "host name longer than %u bytes", DCC_HOSTS_MAX_HOSTNAME), NULL;
      for (gsize i = 0; i < n; i++)
        if (!is_hostname_char (p[i]))
          return fail_entry (error, DCC_ERROR_INVALID, entry,
                             "invalid character in host name (allowed: letters, digits, \".\", \"-\", \"_\")"), NULL;
      hostname = g_strndup (p, n);
      p += n;
    }
  int limit = 0;
  if (*p == '/' && (p++, !parse_limit (entry, &p, &limit, error)))
    return NULL;
  g_autofree char *command = NULL;
  if (*p == ':')
    {
      p++;
      gsize n = strcspn (p, ",");
      if (n == 0 || n > DCC_HOSTS_MAX_COMMAND)
        return fail_entry (error, DCC_ERROR_INVALID, entry,
                           "expected a command of 1 to %u bytes after \":\"", DCC_HOSTS_MAX_COMMAND), NULL;
      for (gsize i = 0; i < n; i++)
        if (!is_command_char (p[i]))
          return fail_entry (error, DCC_ERROR_INVALID, entry,
                             "invalid character in the command after \":\" (allowed: letters, digits, \"/._-+\")"), NULL;
      command = g_strndup (p, n);
      p += n;
    }
  gboolean lzo = FALSE, cpp = FALSE;
  if (!parse_options (entry, p, &lzo, &cpp, error))
    return NULL;
  DccHost *h = g_new0 (DccHost, 1);
  h->kind = DCC_HOST_SSH;
  h->hostname = g_steal_pointer (&hostname);
  h->port = 0;
  h->limit = limit != 0 ? limit : DCC_HOSTS_DEFAULT_LIMIT;
  h->lzo = lzo;
  h->cpp = cpp;
  h->user = ulen > 0 ? g_strndup (entry, ulen) : NULL;
  h->command = g_steal_pointer (&command);
  h->spec = g_strdup (entry);
  return h;
}

/* --localslots=N and --localslots_cpp=N; stock also accepts "/N". */
static gboolean
parse_slots_option (const char *entry, const char *name, int *out, gboolean *matched, GError **error)
{
  gsize n = strlen (name);
  *matched = FALSE;
  if (strncmp (entry, name, n) != 0 || (entry[n] != '=' && entry[n] != '/' && entry[n] != '\0'))
    return TRUE;
  *matched = TRUE;
  const char *p = entry + n;
  int v;
  if (*p == '\0' || (p++, !parse_number (&p, DCC_HOSTS_MAX_LIMIT, &v)) || *p != '\0')
    return fail_entry (error, DCC_ERROR_INVALID, entry,
                       "expected %s=N with N from 1 to %d", name, DCC_HOSTS_MAX_LIMIT);
  *out = v;
  return TRUE;
}

static gboolean
parse_global (DccHostList *l, const char *entry, GError **error)
{
  gboolean matched;
  if (strcmp (entry, "--randomize") == 0)
    {
      l->randomize = TRUE;
      return TRUE;
    }
  if (!parse_slots_option (entry, "--localslots_cpp", &l->localslots_cpp, &matched, error))
    return FALSE;
  if (matched)
    return TRUE;
  if (!parse_slots_option (entry, "--localslots", &l->localslots, &matched, error))
    return FALSE;
  if (matched)
    return TRUE;
  return fail_entry (error, DCC_ERROR_INVALID, entry,
                     "unknown option (known: --randomize, --localslots=N, --localslots_cpp=N)");
}

static gboolean
parse_entry (DccHostList *l, const char *entry, GError **error)
{
  DccHost *h;

  if (entry[0] == '-')
    return parse_global (l, entry, error);
  if (strcmp (entry, "+zeroconf") == 0)
    {
      /* The caller puts the volunteers it finds here; once is enough. */
      if (l->zeroconf_at < 0)
        l->zeroconf_at = (int) l->hosts->len;
      return TRUE;
    }
  if (l->hosts->len >= DCC_HOSTS_MAX_HOSTS)
    return fail_entry (error, DCC_ERROR_LIMIT, entry,
                       "more than %u hosts in the list", DCC_HOSTS_MAX_HOSTS);

  if (strchr (entry, '@') != NULL)
    h = parse_ssh (entry, error);
  else if (strcmp (entry, "localhost") == 0 || g_str_has_prefix (entry, "localhost/"))
    h = parse_localhost (entry, error);
  else
    h = parse_tcp (entry, error);
  if (h == NULL)
    return FALSE;
  g_ptr_array_add (l->hosts, h);
  return TRUE;
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static DccHostList *
parse_text (const char *text, gboolean skip, GError **error)
{
  g_return_val_if_fail (text != NULL, NULL);

  gsize len = strnlen (text, DCC_HOSTS_MAX_TEXT + 1);
  if (len > DCC_HOSTS_MAX_TEXT)
    return dcc_fail (error, DCC_ERROR_LIMIT, "host list is longer than %u bytes",
                     DCC_HOSTS_MAX_TEXT), NULL;

  g_autoptr(DccHostList) l = g_new0 (DccHostList, 1);
  l->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_host_free);
  l->skipped = g_ptr_array_new_with_free_func (g_free);
  l->localslots = DCC_HOSTS_DEFAULT_LOCALSLOTS;
  l->localslots_cpp = DCC_HOSTS_DEFAULT_LOCALSLOTS_CPP;
  l->zeroconf_at = -1;

  const char *p = text;
  while (*p != '\0')
    {
      if (is_blank (*p))
        {
          p++;
          continue;
        }
      if (*p == '#')
        {
          while (*p != '\0' && *p != '\n' && *p != '\r')
            p++;
          continue;
        }
      gsize n = 0;
      while (p[n] != '\0' && p[n] != '#' && !is_blank (p[n]))
        n++;
      if (n > DCC_HOSTS_MAX_ENTRY_LEN)
        {
          g_autofree char *head = g_strndup (p, 32);
          g_autofree char *q = quote_entry (head);
          g_autoptr(GError) e = NULL;
          dcc_fail (&e, DCC_ERROR_LIMIT, "bad host entry \"%s...\" in host list: longer than %u bytes",
                    q, DCC_HOSTS_MAX_ENTRY_LEN);
          if (!skip)
            return g_propagate_error (error, g_steal_pointer (&e)), NULL;
          g_ptr_array_add (l->skipped, g_strdup (e->message));
          p += n;
          continue;
        }
      g_autofree char *entry = g_strndup (p, n);
      g_autoptr(GError) e = NULL;
      if (!parse_entry (l, entry, &e))
        {
          if (!skip)
            return g_propagate_error (error, g_steal_pointer (&e)), NULL;
          g_ptr_array_add (l->skipped, g_strdup (e->message));
        }
      p += n;
    }

  for (guint i = 0; i < l->hosts->len; i++)
    {
      DccHost *h = l->hosts->pdata[i];
      if (h->kind == DCC_HOST_LOCAL && h->limit == 0)
        h->limit = l->localslots;
    }
  return g_steal_pointer (&l);
}

DccHostList *
dcc_hosts_parse (const char *text, GError **error)
{
  return parse_text (text, FALSE, error);
}

DccHostList *
dcc_hosts_parse_skipping (const char *text, GError **error)
{
  return parse_text (text, TRUE, error);
}

gboolean
dcc_hosts_any_cpp (const DccHostList *l)
{
  for (guint i = 0; l && i < l->hosts->len; i++)
    {
      const DccHost *h = l->hosts->pdata[i];
      if (h->kind != DCC_HOST_LOCAL && h->cpp)
        return TRUE;
    }
  return FALSE;
}

char *
dcc_host_port_name (const DccHost *h)
{
  gboolean v6 = strchr (h->hostname, ':') != NULL;
  return g_strdup_printf ("%s%s%s:%d", v6 ? "[" : "", h->hostname, v6 ? "]" : "", h->port);
}
