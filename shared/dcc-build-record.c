/* Per-compile records and the include server's counters: the pure format
 * and parse functions, and the client's writer. */
#include "dcc-build-record.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD_MAGIC   "dccrec1"
#define IS_STATS_MAGIC "include-server-stats 1"
#define MAX_SLOT       (1 << 20)
#define MAX_STATUS     65535

static const char *const phase_keywords[] = {
  [DCC_PHASE_STARTUP]    = "startup",
  [DCC_PHASE_BLOCKED]    = "blocked",
  [DCC_PHASE_CONNECT]    = "connect",
  [DCC_PHASE_PREPROCESS] = "preprocess",
  [DCC_PHASE_SEND]       = "send",
  [DCC_PHASE_COMPILE]    = "compile",
  [DCC_PHASE_RECEIVE]    = "receive",
  [DCC_PHASE_DONE]       = "done",
};

const char *
dcc_build_record_phase_keyword (DccPhase phase)
{
  if ((guint) phase >= G_N_ELEMENTS (phase_keywords))
    return "unknown";
  return phase_keywords[phase];
}

gint64
dcc_build_record_slot_end (const DccBuildRecord *r)
{
  for (guint i = r->n_phases; i-- > 0;)
    if (r->phases[i].phase == DCC_PHASE_DONE)
      {
        gint64 at = r->start_us + r->phases[i].at_us;
        if (at >= r->slot_at_us && at <= r->end_us)
          return at;
        break;
      }
  return r->end_us;
}

void
dcc_build_record_free (DccBuildRecord *r)
{
  if (r == NULL)
    return;
  g_free (r->kind);
  g_free (r->mode);
  g_free (r->host);
  g_free (r->tried);
  g_free (r->reason);
  g_free (r->file);
  g_free (r);
}

/* ---- format ---- */

/* A TEXT value: bounded, control characters replaced. */
static void
append_text (GString *out, const char *s, gsize max)
{
  for (gsize i = 0; s && s[i] != '\0' && i < max; i++)
    {
      guchar c = (guchar) s[i];
      g_string_append_c (out, (c < 0x20 || c == 0x7f) ? '?' : (char) c);
    }
}

char *
dcc_build_record_format (const DccBuildRecord *r)
{
  GString *out = g_string_sized_new (256);
  g_string_append_printf (out, RECORD_MAGIC "\tstart=%" G_GINT64_FORMAT "\tend=%" G_GINT64_FORMAT
                          "\tpid=%" G_GINT64_FORMAT, MAX (r->start_us, 0), MAX (r->end_us, 0), MAX (r->pid, 0));
  g_string_append (out, "\tkind=");
  append_text (out, r->kind ? r->kind : "unknown", DCC_RECORD_MAX_WORD);
  g_string_append (out, "\tmode=");
  append_text (out, r->mode, DCC_RECORD_MAX_WORD);
  g_string_append (out, "\thost=");
  append_text (out, r->host, DCC_RECORD_MAX_WORD * 8);
  g_string_append (out, "\ttried=");
  append_text (out, r->tried, DCC_RECORD_MAX_WORD * 8);
  g_string_append_printf (out, "\tslot=%d\tslot_at=%" G_GINT64_FORMAT "\tstatus=%d\tsent=%" G_GUINT64_FORMAT
                          "\trecv=%" G_GUINT64_FORMAT "\tphases=",
                          CLAMP (r->slot, 0, MAX_SLOT), MAX (r->slot_at_us, 0), CLAMP (r->status, 0, MAX_STATUS),
                          r->sent, r->received);
  for (guint i = 0; i < MIN (r->n_phases, DCC_RECORD_MAX_PHASES); i++)
    g_string_append_printf (out, "%s%s:%" G_GINT64_FORMAT, i ? "," : "",
                            dcc_build_record_phase_keyword (r->phases[i].phase), MAX (r->phases[i].at_us, 0));
  g_string_append (out, "\treason=");
  append_text (out, r->reason, DCC_RECORD_MAX_STRING);
  g_string_append (out, "\tfile=");
  append_text (out, r->file, DCC_RECORD_MAX_STRING);
  g_string_append_c (out, '\n');
  /* The fixed fields are short and every string is bounded: well within
   * the line limit, which the parser enforces. */
  g_assert (out->len <= DCC_RECORD_MAX_LINE);
  return g_string_free (out, FALSE);
}

/* ---- parse ---- */

static gboolean
parse_u64 (const char *v, gsize len, guint64 max, guint64 *out)
{
  char buf[24];
  if (len == 0 || len >= sizeof buf)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (v[i]))
      return FALSE;
  memcpy (buf, v, len);
  buf[len] = '\0';
  return g_ascii_string_to_unsigned (buf, 10, 0, max, out, NULL);
}

static gboolean
is_word (const char *v, gsize len)
{
  if (len > DCC_RECORD_MAX_WORD)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!(g_ascii_islower (v[i]) || v[i] == '-'))
      return FALSE;
  return TRUE;
}

static gboolean
parse_phases (const char *v, gsize len, DccBuildRecord *r)
{
  const char *p = v, *end = v + len;
  r->n_phases = 0;
  while (p < end)
    {
      const char *comma = memchr (p, ',', (gsize) (end - p));
      const char *item_end = comma ? comma : end;
      const char *colon = memchr (p, ':', (gsize) (item_end - p));
      guint64 at;
      if (!colon || r->n_phases >= DCC_RECORD_MAX_PHASES)
        return FALSE;
      gsize klen = (gsize) (colon - p);
      guint k;
      for (k = 0; k < G_N_ELEMENTS (phase_keywords); k++)
        if (strlen (phase_keywords[k]) == klen && memcmp (phase_keywords[k], p, klen) == 0)
          break;
      if (k == G_N_ELEMENTS (phase_keywords)
          || !parse_u64 (colon + 1, (gsize) (item_end - colon - 1), G_MAXINT64, &at))
        return FALSE;
      r->phases[r->n_phases].phase = (DccPhase) k;
      r->phases[r->n_phases].at_us = (gint64) at;
      r->n_phases++;
      if (!comma)
        break;
      p = comma + 1;
      if (p == end)
        return FALSE;  /* a trailing comma */
    }
  return TRUE;
}

enum { F_START, F_END, F_PID, F_KIND, F_MODE, F_HOST, F_TRIED, F_SLOT, F_SLOT_AT, F_STATUS, F_SENT, F_RECV,
       F_PHASES, F_REASON, F_FILE, F_COUNT };
static const char *const field_names[F_COUNT] = {
  "start", "end", "pid", "kind", "mode", "host", "tried", "slot", "slot_at", "status", "sent", "recv",
  "phases", "reason", "file",
};

static gboolean
parse_field (DccBuildRecord *r, int f, const char *v, gsize len)
{
  guint64 u;
  switch (f)
    {
    case F_START: if (!parse_u64 (v, len, G_MAXINT64, &u)) return FALSE; r->start_us = (gint64) u; return TRUE;
    case F_END:   if (!parse_u64 (v, len, G_MAXINT64, &u)) return FALSE; r->end_us = (gint64) u; return TRUE;
    case F_PID:   if (!parse_u64 (v, len, G_MAXINT32, &u)) return FALSE; r->pid = (gint64) u; return TRUE;
    case F_SLOT:  if (!parse_u64 (v, len, MAX_SLOT, &u)) return FALSE; r->slot = (int) u; return TRUE;
    case F_SLOT_AT: if (!parse_u64 (v, len, G_MAXINT64, &u)) return FALSE; r->slot_at_us = (gint64) u; return TRUE;
    case F_STATUS: if (!parse_u64 (v, len, MAX_STATUS, &u)) return FALSE; r->status = (int) u; return TRUE;
    case F_SENT:  return parse_u64 (v, len, G_MAXUINT64, &r->sent);
    case F_RECV:  return parse_u64 (v, len, G_MAXUINT64, &r->received);
    case F_KIND:
      if (len == 0 || !is_word (v, len)) return FALSE;
      r->kind = g_strndup (v, len); return TRUE;
    case F_MODE:
      if (!is_word (v, len)) return FALSE;
      r->mode = g_strndup (v, len); return TRUE;
    case F_PHASES: return parse_phases (v, len, r);
    case F_HOST: case F_TRIED: case F_REASON: case F_FILE:
      {
        if (len > DCC_RECORD_MAX_STRING)
          return FALSE;
        for (gsize i = 0; i < len; i++)
          if ((guchar) v[i] < 0x20 || v[i] == 0x7f)
            return FALSE;
        char **dst = f == F_HOST ? &r->host : f == F_TRIED ? &r->tried : f == F_REASON ? &r->reason : &r->file;
        *dst = g_strndup (v, len);
        return TRUE;
      }
    default:
      return FALSE;
    }
}

DccBuildRecord *
dcc_build_record_parse (const char *line, gsize len, GError **error)
{
  if (len > DCC_RECORD_MAX_LINE)
    return dcc_fail (error, DCC_ERROR_LIMIT, "record longer than %u bytes", DCC_RECORD_MAX_LINE), NULL;
  if (memchr (line, '\0', len) || memchr (line, '\n', len))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "record holds a NUL or newline"), NULL;
  gsize mlen = strlen (RECORD_MAGIC);
  if (len < mlen || memcmp (line, RECORD_MAGIC, mlen) != 0 || (len > mlen && line[mlen] != '\t'))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "not a " RECORD_MAGIC " record"), NULL;

  g_autoptr(DccBuildRecord) r = g_new0 (DccBuildRecord, 1);
  gboolean seen[F_COUNT] = { FALSE };
  const char *p = line + mlen, *end = line + len;
  while (p < end)
    {
      p++;  /* the TAB */
      const char *tab = memchr (p, '\t', (gsize) (end - p));
      const char *fend = tab ? tab : end;
      const char *eq = memchr (p, '=', (gsize) (fend - p));
      if (!eq)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "record field without '='"), NULL;
      gsize klen = (gsize) (eq - p);
      int f;
      for (f = 0; f < F_COUNT; f++)
        if (strlen (field_names[f]) == klen && memcmp (field_names[f], p, klen) == 0)
          break;
      if (f < F_COUNT)
        {
          if (seen[f])
            return dcc_fail (error, DCC_ERROR_PROTOCOL, "record field %s twice", field_names[f]), NULL;
          seen[f] = TRUE;
          if (!parse_field (r, f, eq + 1, (gsize) (fend - eq - 1)))
            return dcc_fail (error, DCC_ERROR_PROTOCOL, "bad record field %s", field_names[f]), NULL;
        }
      p = fend;
    }
  if (!seen[F_START] || !seen[F_END] || !seen[F_KIND])
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "record lacks start, end or kind"), NULL;
  if (r->end_us < r->start_us)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "record ends before it starts"), NULL;
  for (char **s = &r->kind; s <= &r->file; s++)
    if (*s == NULL)
      *s = g_strdup ("");
  return g_steal_pointer (&r);
}

GPtrArray *
dcc_build_records_parse (const char *buf, gsize len, guint *skipped)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_build_record_free);
  const char *p = buf, *end = buf + len;
  guint bad = 0;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      if (!nl)
        {
          bad++;  /* a line still being written, or torn */
          break;
        }
      DccBuildRecord *r = dcc_build_record_parse (p, (gsize) (nl - p), NULL);
      if (r)
        g_ptr_array_add (out, r);
      else
        bad++;
      p = nl + 1;
    }
  if (skipped)
    *skipped = bad;
  return out;
}

/* ---- include server counters ---- */

char *
dcc_is_stats_format (const DccIsStats *s)
{
  return g_strdup_printf (IS_STATS_MAGIC "\nrequests %" G_GUINT64_FORMAT "\ncached %" G_GUINT64_FORMAT
                          "\nwalked %" G_GUINT64_FORMAT "\nfailed %" G_GUINT64_FORMAT "\ncpu_us %" G_GUINT64_FORMAT
                          "\n", s->requests, s->cached, s->walked, s->failed, s->cpu_us);
}

gboolean
dcc_is_stats_parse (const char *buf, gsize len, DccIsStats *out, GError **error)
{
  static const char *const keys[] = { "requests", "cached", "walked", "failed", "cpu_us" };
  guint64 vals[G_N_ELEMENTS (keys)];
  gboolean seen[G_N_ELEMENTS (keys)] = { FALSE };
  if (len > DCC_IS_STATS_MAX_FILE)
    return dcc_fail (error, DCC_ERROR_LIMIT, "include server stats longer than %u bytes", DCC_IS_STATS_MAX_FILE);
  const char *p = buf, *end = buf + len;
  const char *nl = memchr (p, '\n', len);
  if (!nl || (gsize) (nl - p) != strlen (IS_STATS_MAGIC) || memcmp (p, IS_STATS_MAGIC, (gsize) (nl - p)) != 0)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "not include server stats");
  p = nl + 1;
  while (p < end)
    {
      nl = memchr (p, '\n', (gsize) (end - p));
      if (!nl)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "include server stats: a line without its newline");
      const char *sp = memchr (p, ' ', (gsize) (nl - p));
      if (!sp)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "include server stats: a line without a value");
      gsize klen = (gsize) (sp - p);
      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        if (strlen (keys[k]) == klen && memcmp (keys[k], p, klen) == 0)
          {
            if (seen[k] || !parse_u64 (sp + 1, (gsize) (nl - sp - 1), G_MAXINT64, &vals[k]))
              return dcc_fail (error, DCC_ERROR_PROTOCOL, "include server stats: bad %s", keys[k]);
            seen[k] = TRUE;
          }
      p = nl + 1;
    }
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    if (!seen[k])
      return dcc_fail (error, DCC_ERROR_PROTOCOL, "include server stats: no %s", keys[k]);
  out->requests = vals[0];
  out->cached = vals[1];
  out->walked = vals[2];
  out->failed = vals[3];
  out->cpu_us = vals[4];
  return TRUE;
}

/* ---- the client's record ---- */

static struct {
  gint64 pid;                /* whose record this is: a forked child starts over */
  DccBuildRecord r;
} current;

static DccBuildRecord *
current_record (void)
{
  gint64 pid = getpid ();
  if (current.pid != pid)
    {
      /* A forked child's copy of its parent's strings is its own to free;
       * it starts a record of its own (never written: children exec). */
      memset (&current.r, 0, sizeof current.r);
      current.pid = pid;
      current.r.pid = pid;
      current.r.start_us = g_get_real_time ();
    }
  return &current.r;
}

void
dcc_build_record_phase (DccPhase phase)
{
  DccBuildRecord *r = current_record ();
  if (r->n_phases > 0 && r->phases[r->n_phases - 1].phase == phase)
    return;
  if (r->n_phases >= DCC_RECORD_MAX_PHASES)
    return;  /* keep the first ones; the end time closes the last */
  r->phases[r->n_phases].phase = phase;
  r->phases[r->n_phases].at_us = MAX (g_get_real_time () - r->start_us, 0);
  r->n_phases++;
}

void
dcc_build_record_host (const char *host, int port, int slot)
{
  DccBuildRecord *r = current_record ();
  g_free (r->host);
  if (host == NULL)
    r->host = g_strdup ("localhost");
  else if (strchr (host, ':'))
    r->host = g_strdup_printf ("[%s]:%d", host, port);
  else
    r->host = g_strdup_printf ("%s:%d", host, port);
  r->slot = MAX (slot, 0);
  r->slot_at_us = g_get_real_time ();
}

void
dcc_build_record_result (const char *kind, const char *mode, const char *reason, const char *file)
{
  DccBuildRecord *r = current_record ();
  g_free (r->kind);
  g_free (r->mode);
  g_free (r->reason);
  g_free (r->file);
  r->kind = g_strdup (kind);
  r->mode = g_strdup (mode ? mode : "");
  r->reason = g_strdup (reason ? reason : "");
  r->file = g_strdup (file ? file : "");
  if (g_strcmp0 (kind, "remote") != 0 && g_str_has_prefix (kind, "cache") == FALSE
      && r->host && strcmp (r->host, "localhost") != 0)
    {
      g_free (r->tried);
      r->tried = g_steal_pointer (&r->host);
    }
}

static void
append_to (const char *dir, const char *line, gsize len)
{
  g_autofree char *path = g_build_filename (dir, "records", NULL);
  dcc_autofd fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
  struct stat st;
  if (fd >= 0 && fstat (fd, &st) == 0 && st.st_size >= (off_t) DCC_RECORDS_MAX_FILE)
    {
      /* Bounded: the older half goes to records.1. Two writers rotating at
       * once may lose a few records; a summary says how many it skipped. */
      g_autofree char *old = g_build_filename (dir, "records.1", NULL);
      dcc_fd_clear (&fd);
      if (rename (path, old) != 0)
        g_debug ("cannot rotate %s: %s", path, g_strerror (errno));
      fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
    }
  if (fd < 0)
    {
      g_debug ("cannot open %s: %s", path, g_strerror (errno));
      return;
    }
  ssize_t n = write (fd, line, len);
  if (n != (ssize_t) len)
    g_debug ("cannot append to %s: %s", path, n < 0 ? g_strerror (errno) : "short write");
}

void
dcc_build_record_write (const char *distcc_dir, int status, guint64 sent, guint64 received)
{
  DccBuildRecord *r = current_record ();
  if (r->kind == NULL)
    return;  /* not a compile (--help, a failure before one) */
  r->end_us = MAX (g_get_real_time (), r->start_us);
  r->status = status;
  r->sent = sent;
  r->received = received;
  g_autofree char *line = dcc_build_record_format (r);
  gsize len = strlen (line);
  if (distcc_dir && *distcc_dir)
    append_to (distcc_dir, line, len);
  const char *build_dir = g_getenv ("DISTCC_BUILD_DIR");
  if (build_dir && *build_dir)
    append_to (build_dir, line, len);
}
