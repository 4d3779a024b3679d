/* Per-process state files, read by distccmon-text.
 *
 * Each distcc client process keeps $DISTCC_DIR/state/binstate_<pid>,
 * rewritten in place on every change and removed at exit; a reader may catch
 * a half-written file, which does not parse and is skipped. The file is
 * stock distcc's binary record (see dcc_state_format_stock), so that stock
 * monitors see our jobs; the reader also takes the text format earlier
 * versions wrote, at most DCC_STATE_MAX_FILE bytes, one "key value" per
 * line, in this order:
 *
 *   distcc-state 1
 *   pid 12345
 *   phase compile          (startup blocked connect preprocess send
 *                           compile receive done)
 *   slot 2
 *   time 1700000000123456  (g_get_real_time(): microseconds since the epoch)
 *   host red               (may be empty)
 *   file src/foo.c         (may be empty; rest of the line)
 *
 * Host and file are truncated to DCC_STATE_MAX_STRING bytes and control
 * characters are replaced by '?', so every value fits on its line.
 */
#pragma once
#include <glib.h>

#define DCC_STATE_MAX_FILE    4096u
#define DCC_STATE_MAX_STRING  1024u
#define DCC_STATE_MAX_FILES   65536u  /* state files one read looks at */

typedef enum {
  DCC_PHASE_STARTUP,
  DCC_PHASE_BLOCKED,
  DCC_PHASE_CONNECT,
  DCC_PHASE_PREPROCESS,
  DCC_PHASE_SEND,
  DCC_PHASE_COMPILE,
  DCC_PHASE_RECEIVE,
  DCC_PHASE_DONE,
} DccPhase;

typedef struct {
  gint64 pid;
  DccPhase phase;
  int slot;
  gint64 time_us;
  char *host;
  char *file;
} DccStateEntry;

void dcc_state_entry_free (DccStateEntry *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccStateEntry, dcc_state_entry_free)

/* "Startup", "Blocked", ... as stock distccmon prints them. */
const char *dcc_phase_name (DccPhase phase);

/* Rewrites this process's state file. Best effort: monitoring never fails a
 * compile, so errors are only logged (debug). file and host may be NULL. */
void dcc_state_set (const char *distcc_dir, DccPhase phase, const char *file,
                    const char *host, int slot);
/* Removes this process's state file; call at exit. */
void dcc_state_remove (const char *distcc_dir);

/* Pure: renders / parses one state file's contents. dcc_state_parse takes
 * both this text format and stock distcc's binary record (its struct
 * dcc_task_state, native layout: 296 bytes on LP64), which is what
 * dcc_state_set writes, so that stock's monitors show this client's jobs
 * (the record has no time: time_us is 0, and dcc_state_read_all puts the
 * file's modification time there). */
#define DCC_STATE_STOCK_SIZE_MAX 512u
void dcc_state_format_stock (const DccStateEntry *e, guint8 *out, gsize *len);
char *dcc_state_format (const DccStateEntry *e);
DccStateEntry *dcc_state_parse (const char *buf, gsize len, GError **error);

/* Reads every state file in $DISTCC_DIR/state, sorted by host, slot, pid.
 * Files of processes that no longer exist are deleted and skipped, and so
 * are unreadable ones. A missing state directory gives an empty array.
 * Returns a GPtrArray of DccStateEntry* that frees them. */
GPtrArray *dcc_state_read_all (const char *distcc_dir, GError **error);
