/* The build timeline: per-compile records as Chrome trace-event JSON (the
 * "JSON Object Format": {"traceEvents": [...]}), which Perfetto and
 * chrome://tracing open.
 *
 * One process per host ("127.0.0.1:3632", "localhost"), one thread (track)
 * per slot there, and one process "client" whose tracks hold what a compile
 * does before it holds a slot (pump's closure from the include server,
 * waiting for a slot), packed so that no two compiles share a track at
 * once. Each phase of each compile is one complete ("X") event named for
 * the phase: closure, preprocess, wait for slot, connect, upload, compile
 * (on the volunteer, its queue included: the client cannot tell them
 * apart), download, local compile; its args name the file, result and
 * reason. Times are microseconds from the first compile's start. */
#include "build-summary.h"
#include "dcc-json.h"
#include <string.h>

#define CLIENT_PID 1
#define EXTRA_TID  1000   /* tracks for overlapping holders of one slot */

/* A track: busy until free_at. */
typedef struct {
  int    tid;
  gint64 free_at;
} Lane;

/* The first lane of LANES free at START (preferring tid PREFER when >= 0),
 * a new one when none is; marks it busy until END. Returns its tid. */
static int
take_lane (GArray *lanes, int prefer, int first_new_tid, gint64 start, gint64 end)
{
  Lane *pick = NULL;
  for (guint i = 0; i < lanes->len; i++)
    {
      Lane *l = &g_array_index (lanes, Lane, i);
      if (prefer >= 0 && l->tid == prefer)
        {
          if (l->free_at <= start)
            pick = l;
          break;
        }
    }
  if (prefer >= 0 && !pick)
    {
      gboolean exists = FALSE;
      for (guint i = 0; i < lanes->len; i++)
        exists |= g_array_index (lanes, Lane, i).tid == prefer;
      if (!exists)
        {
          Lane l = { prefer, 0 };
          g_array_append_val (lanes, l);
          pick = &g_array_index (lanes, Lane, lanes->len - 1);
        }
    }
  for (guint i = 0; !pick && i < lanes->len; i++)
    {
      Lane *l = &g_array_index (lanes, Lane, i);
      if (l->tid >= first_new_tid && l->free_at <= start)
        pick = l;
    }
  if (!pick)
    {
      int tid = first_new_tid;
      for (guint i = 0; i < lanes->len; i++)
        tid = MAX (tid, g_array_index (lanes, Lane, i).tid + 1);
      Lane l = { tid, 0 };
      g_array_append_val (lanes, l);
      pick = &g_array_index (lanes, Lane, lanes->len - 1);
    }
  pick->free_at = end;
  return pick->tid;
}

static const char *
phase_event_name (DccPhase phase, gboolean on_host, gboolean local)
{
  switch (phase)
    {
    case DCC_PHASE_STARTUP:    return "startup";
    case DCC_PHASE_BLOCKED:    return "wait for slot";
    case DCC_PHASE_CONNECT:    return "connect";
    case DCC_PHASE_PREPROCESS: return on_host ? "preprocess" : "closure";
    case DCC_PHASE_SEND:       return "upload";
    case DCC_PHASE_COMPILE:    return local ? "local compile" : "compile";
    case DCC_PHASE_RECEIVE:    return "download";
    case DCC_PHASE_DONE:       return "finish";
    default:                   return "unknown";
    }
}

static void
append_event (GString *out, gboolean *first, const char *name, const DccBuildRecord *r, gint64 t0,
              gint64 from, gint64 to, int pid, int tid)
{
  g_string_append (out, *first ? "\n  " : ",\n  ");
  *first = FALSE;
  g_string_append (out, "{\"name\": ");
  dcc_json_append_string (out, name);
  g_string_append (out, ", \"cat\": ");
  dcc_json_append_string (out, r->kind);
  g_string_append_printf (out, ", \"ph\": \"X\", \"ts\": %" G_GINT64_FORMAT ", \"dur\": %" G_GINT64_FORMAT
                          ", \"pid\": %d, \"tid\": %d, \"args\": {\"file\": ", from - t0, MAX (to - from, 0), pid, tid);
  dcc_json_append_string (out, r->file);
  g_string_append (out, ", \"result\": ");
  dcc_json_append_string (out, r->kind);
  g_string_append (out, ", \"host\": ");
  dcc_json_append_string (out, r->host);
  if (*r->mode)
    {
      g_string_append (out, ", \"mode\": ");
      dcc_json_append_string (out, r->mode);
    }
  if (*r->tried)
    {
      g_string_append (out, ", \"tried\": ");
      dcc_json_append_string (out, r->tried);
    }
  if (*r->reason)
    {
      g_string_append (out, ", \"reason\": ");
      dcc_json_append_string (out, r->reason);
    }
  g_string_append_printf (out, ", \"status\": %d, \"pid\": %" G_GINT64_FORMAT "}}", r->status, r->pid);
}

static void
append_metadata (GString *out, gboolean *first, const char *what, int pid, int tid, const char *name)
{
  g_string_append (out, *first ? "\n  " : ",\n  ");
  *first = FALSE;
  g_string_append_printf (out, "{\"name\": \"%s\", \"ph\": \"M\", \"pid\": %d, \"tid\": %d, \"args\": {\"name\": ",
                          what, pid, tid);
  dcc_json_append_string (out, name);
  g_string_append (out, "}}");
}

typedef struct {
  int     pid;
  GArray *lanes;
} HostTracks;

static void
host_tracks_free (HostTracks *h)
{
  g_array_unref (h->lanes);
  g_free (h);
}

char *
dcc_build_timeline_render (const GPtrArray *records)
{
  GString *out = g_string_new ("{\"displayTimeUnit\": \"ms\", \"traceEvents\": [");
  gboolean first = TRUE;
  gint64 t0 = G_MAXINT64;
  for (guint i = 0; i < records->len; i++)
    t0 = MIN (t0, ((const DccBuildRecord *) records->pdata[i])->start_us);

  g_autoptr(GArray) client_lanes = g_array_new (FALSE, FALSE, sizeof (Lane));
  g_autoptr(GHashTable) hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) host_tracks_free);
  g_autoptr(GPtrArray) host_order = g_ptr_array_new ();
  append_metadata (out, &first, "process_name", CLIENT_PID, 0, "client (before a slot)");

  for (guint i = 0; i < records->len; i++)
    {
      const DccBuildRecord *r = records->pdata[i];
      const char *hostname = *r->host ? r->host : "?";
      gboolean local = strcmp (hostname, "localhost") == 0;
      gint64 slot_at = (r->slot_at_us > 0 && r->slot_at_us <= r->end_us) ? MAX (r->slot_at_us, r->start_us) : r->end_us;
      gint64 slot_end = MAX (dcc_build_record_slot_end (r), slot_at);

      HostTracks *h = g_hash_table_lookup (hosts, hostname);
      if (!h)
        {
          h = g_new0 (HostTracks, 1);
          h->pid = CLIENT_PID + 1 + (int) g_hash_table_size (hosts);
          h->lanes = g_array_new (FALSE, FALSE, sizeof (Lane));
          g_hash_table_insert (hosts, g_strdup (hostname), h);
          g_ptr_array_add (host_order, h);
          append_metadata (out, &first, "process_name", h->pid, 0, hostname);
        }
      int client_tid = slot_at > r->start_us ? take_lane (client_lanes, -1, 0, r->start_us, slot_at) : -1;
      guint lanes_before = h->lanes->len;
      int host_tid = slot_at < slot_end ? take_lane (h->lanes, r->slot, EXTRA_TID, slot_at, slot_end) : -1;
      if (h->lanes->len > lanes_before)
        {
          g_autofree char *name = host_tid >= EXTRA_TID ? g_strdup_printf ("overlapping %d", host_tid - EXTRA_TID)
                                                         : g_strdup_printf ("slot %d", host_tid);
          append_metadata (out, &first, "thread_name", h->pid, host_tid, name);
        }

      /* Phase intervals; the part of one that crosses slot_at is split. */
      guint np = r->n_phases;
      if (np == 0)
        {
          if (client_tid >= 0)
            append_event (out, &first, "before a slot", r, t0, r->start_us, slot_at, CLIENT_PID, client_tid);
          if (host_tid >= 0)
            append_event (out, &first, local ? "local compile" : "compile", r, t0, slot_at, slot_end, h->pid, host_tid);
          continue;
        }
      if (client_tid >= 0 && r->phases[0].at_us > 0)
        append_event (out, &first, "startup", r, t0, r->start_us, MIN (r->start_us + r->phases[0].at_us, slot_at),
                      CLIENT_PID, client_tid);
      for (guint k = 0; k < np; k++)
        {
          gint64 from = r->start_us + r->phases[k].at_us;
          gint64 to = k + 1 < np ? r->start_us + r->phases[k + 1].at_us : r->end_us;
          from = CLAMP (from, r->start_us, r->end_us);
          to = CLAMP (to, from, r->end_us);
          if (r->phases[k].phase == DCC_PHASE_DONE)
            continue;  /* the slot given back: the end of the host's part */
          if (from < slot_at && client_tid >= 0)
            append_event (out, &first, phase_event_name (r->phases[k].phase, FALSE, local), r, t0, from,
                          MIN (to, slot_at), CLIENT_PID, client_tid);
          gint64 hfrom = MAX (from, slot_at), hto = MIN (to, slot_end);
          if (host_tid >= 0 && (hto > hfrom || (to == from && from >= slot_at && from < slot_end)))
            append_event (out, &first, phase_event_name (r->phases[k].phase, TRUE, local), r, t0, hfrom,
                          MAX (hto, hfrom), h->pid, host_tid);
        }
    }
  for (guint i = 0; i < client_lanes->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("compile %d", g_array_index (client_lanes, Lane, i).tid);
      append_metadata (out, &first, "thread_name", CLIENT_PID, g_array_index (client_lanes, Lane, i).tid, name);
    }
  g_string_append (out, "\n]}\n");
  return g_string_free (out, FALSE);
}
