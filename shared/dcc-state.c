/* State files for distccmon: writer (one per client process) and reader. */
#include "dcc-state.h"
#include "dcc-build-record.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAGIC   "distcc-state 1"
#define STATE_PREFIX  "binstate_"
#define MAX_SLOT      (1 << 20)

/* Stock distcc 3.x's state record (its src/state.h), in native types so the
 * layout is the one stock's distccmon-text and distccmon-gnome read on this
 * machine: what each client process writes, and what this reader takes too. */
#define STOCK_MAGIC     0x44494800ul   /* "DIH\0" */
#define STOCK_NAME_LEN  128
typedef struct {
  size_t        struct_size;
  unsigned long magic;
  unsigned long cpid;
  char          file[STOCK_NAME_LEN];
  char          host[STOCK_NAME_LEN];
  int           slot;
  int           curr_phase;   /* enum dcc_phase: same order as DccPhase */
  void         *next;         /* meaningless on disk; written as NULL */
} StockState;

static const struct {
  const char *keyword;  /* in the file */
  const char *name;     /* as distccmon prints it */
} phases[] = {
  [DCC_PHASE_STARTUP]    = { "startup", "Startup" },
  [DCC_PHASE_BLOCKED]    = { "blocked", "Blocked" },
  [DCC_PHASE_CONNECT]    = { "connect", "Connect" },
  [DCC_PHASE_PREPROCESS] = { "preprocess", "Preprocess" },
  [DCC_PHASE_SEND]       = { "send", "Send" },
  [DCC_PHASE_COMPILE]    = { "compile", "Compile" },
  [DCC_PHASE_RECEIVE]    = { "receive", "Receive" },
  [DCC_PHASE_DONE]       = { "done", "Done" },
};

const char *
dcc_phase_name (DccPhase phase)
{
  if ((guint) phase >= G_N_ELEMENTS (phases))
    return "Unknown";
  return phases[phase].name;
}

void
dcc_state_entry_free (DccStateEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->host);
  g_free (e->file);
  g_free (e);
}

/* A value that fits on one line: bounded, control characters replaced. */
static void
append_value (GString *out, const char *s)
{
  if (s == NULL)
    return;
  for (gsize i = 0; s[i] != '\0' && i < DCC_STATE_MAX_STRING; i++)
    {
      guchar c = (guchar) s[i];
      g_string_append_c (out, (c < 0x20 || c == 0x7f) ? '?' : (char) c);
    }
}

char *
dcc_state_format (const DccStateEntry *e)
{
  GString *out = g_string_new (STATE_MAGIC "\n");
  g_string_append_printf (out, "pid %" G_GINT64_FORMAT "\n", e->pid);
  g_string_append_printf (out, "phase %s\n",
                          (guint) e->phase < G_N_ELEMENTS (phases) ? phases[e->phase].keyword : "startup");
  g_string_append_printf (out, "slot %d\n", e->slot);
  g_string_append_printf (out, "time %" G_GINT64_FORMAT "\n", e->time_us);
  g_string_append (out, "host ");
  append_value (out, e->host);
  g_string_append (out, "\nfile ");
  append_value (out, e->file);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

void
dcc_state_format_stock (const DccStateEntry *e, guint8 *out, gsize *len)
{
  StockState st;
  memset (&st, 0, sizeof st);
  st.struct_size = sizeof st;
  st.magic = STOCK_MAGIC;
  st.cpid = (unsigned long) e->pid;
  g_strlcpy (st.file, e->file ? e->file : "", sizeof st.file);
  g_strlcpy (st.host, e->host ? e->host : "", sizeof st.host);
  st.slot = e->slot;
  st.curr_phase = (int) e->phase;
  memcpy (out, &st, sizeof st);
  *len = sizeof st;
}

/* A NUL-terminated copy of a fixed field, control characters as '?'. */
static char *
stock_string (const char *field, gsize size)
{
  char *s = g_strndup (field, strnlen (field, size));
  for (char *c = s; *c; c++)
    if ((unsigned char) *c < 0x20 || *c == 0x7f)
      *c = '?';
  return s;
}

static DccStateEntry *
parse_stock (const char *buf, gsize len, GError **error)
{
  StockState st;
  memcpy (&st, buf, sizeof st);
  if (st.struct_size != sizeof st || st.magic != STOCK_MAGIC)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "not a distcc state record"), NULL;
  if (st.cpid < 1 || st.cpid > G_MAXINT32 || st.slot < 0 || st.slot > MAX_SLOT
      || st.curr_phase < 0 || st.curr_phase > DCC_PHASE_DONE)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "state record: value out of range"), NULL;
  DccStateEntry *e = g_new0 (DccStateEntry, 1);
  e->pid = (gint64) st.cpid;
  e->phase = (DccPhase) st.curr_phase;
  e->slot = st.slot;
  e->file = stock_string (st.file, sizeof st.file);
  e->host = stock_string (st.host, sizeof st.host);
  return e;
}

/* Takes the next line "KEY VALUE\n" from [*p, end); *value is a new string. */
static gboolean
take_line (const char **p, const char *end, const char *key, char **value, GError **error)
{
  const char *nl = memchr (*p, '\n', (gsize) (end - *p));
  gsize klen = strlen (key);
  if (nl == NULL)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "state file: missing \"%s\" line", key);
  if ((gsize) (nl - *p) < klen + 1 || strncmp (*p, key, klen) != 0 || (*p)[klen] != ' ')
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "state file: expected \"%s\" line", key);
  *value = g_strndup (*p + klen + 1, (gsize) (nl - (*p + klen + 1)));
  *p = nl + 1;
  return TRUE;
}

static gboolean
take_number (const char **p, const char *end, const char *key, gint64 min, gint64 max,
             gint64 *out, GError **error)
{
  g_autofree char *v = NULL;
  guint64 u;
  if (!take_line (p, end, key, &v, error))
    return FALSE;
  /* digits only: no sign, no blanks */
  if (!g_ascii_string_to_unsigned (v, 10, (guint64) MAX (min, 0), (guint64) max, &u, NULL))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "state file: bad %s", key);
  *out = (gint64) u;
  return TRUE;
}

DccStateEntry *
dcc_state_parse (const char *buf, gsize len, GError **error)
{
  const char *p = buf, *end = buf + len;
  g_autofree char *phase = NULL;
  gint64 pid, slot, t;

  if (len > DCC_STATE_MAX_FILE)
    return dcc_fail (error, DCC_ERROR_LIMIT, "state file longer than %u bytes", DCC_STATE_MAX_FILE), NULL;
  if (len == sizeof (StockState))
    return parse_stock (buf, len, error);
  if (memchr (buf, '\0', len) != NULL)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "state file contains a NUL byte"), NULL;
  const char *nl = memchr (p, '\n', len);
  if (nl == NULL || (gsize) (nl - p) != strlen (STATE_MAGIC) || strncmp (p, STATE_MAGIC, strlen (STATE_MAGIC)) != 0)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "not a version 1 distcc state file"), NULL;
  p = nl + 1;

  g_autoptr(DccStateEntry) e = g_new0 (DccStateEntry, 1);
  if (!take_number (&p, end, "pid", 1, G_MAXINT32, &pid, error)
      || !take_line (&p, end, "phase", &phase, error))
    return NULL;
  guint i;
  for (i = 0; i < G_N_ELEMENTS (phases); i++)
    if (strcmp (phase, phases[i].keyword) == 0)
      break;
  if (i == G_N_ELEMENTS (phases))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "state file: unknown phase"), NULL;
  if (!take_number (&p, end, "slot", 0, MAX_SLOT, &slot, error)
      || !take_number (&p, end, "time", 0, G_MAXINT64, &t, error)
      || !take_line (&p, end, "host", &e->host, error)
      || !take_line (&p, end, "file", &e->file, error))
    return NULL;
  if (p != end)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "state file: trailing data"), NULL;
  if (pid < 1)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "state file: bad pid"), NULL;
  e->pid = pid;
  e->phase = (DccPhase) i;
  e->slot = (int) slot;
  e->time_us = t;
  return g_steal_pointer (&e);
}

static int
open_state_dir (const char *distcc_dir, gboolean create)
{
  g_autofree char *path = g_build_filename (distcc_dir, "state", NULL);
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create && g_mkdir_with_parents (path, 0755) == 0)
    fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd;
}

/* The open state file of this process. Rewriting one file in place costs a
 * write; replacing it (temp file + rename) cost a new inode on every phase
 * change, about 0.6 ms of system time each on ext4, eight times a compile.
 * A reader that catches a half-written file fails to parse it and skips it
 * for that refresh. */
static struct {
  int pid;
  char *dir;
  int fd;
  gsize len;   /* the file's length after our last write */
} state_file = { 0, NULL, -1, 0 };

static void
state_file_close (void)
{
  dcc_fd_clear (&state_file.fd);
  g_clear_pointer (&state_file.dir, g_free);
  state_file.pid = 0;
}

static int
state_file_open (const char *distcc_dir, int pid)
{
  if (state_file.fd >= 0 && state_file.pid == pid && g_strcmp0 (state_file.dir, distcc_dir) == 0)
    return state_file.fd;
  if (state_file.pid != pid)
    state_file.fd = -1;  /* a forked child: the descriptor is the parent's */
  state_file_close ();

  dcc_autofd dfd = open_state_dir (distcc_dir, TRUE);
  if (dfd < 0)
    {
      g_debug ("cannot open state directory in %s: %s", distcc_dir, g_strerror (errno));
      return -1;
    }
  g_autofree char *name = g_strdup_printf (STATE_PREFIX "%d", pid);
  int fd = openat (dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
  if (fd < 0)
    {
      g_debug ("cannot create state file %s: %s", name, g_strerror (errno));
      return -1;
    }
  state_file.fd = fd;
  state_file.len = G_MAXSIZE;  /* unknown: an old file of this pid may be longer */
  state_file.pid = pid;
  state_file.dir = g_strdup (distcc_dir);
  return fd;
}

void
dcc_state_set (const char *distcc_dir, DccPhase phase, const char *file,
               const char *host, int slot)
{
  int pid = (int) getpid ();
  dcc_build_record_phase (phase);  /* the per-compile record's timeline */
  DccStateEntry e = { pid, phase, MAX (slot, 0), g_get_real_time (), (char *) host, (char *) file };
  /* Stock's binary record, so that stock's distccmon-text and
   * distccmon-gnome show this client's jobs too. */
  guint8 text[DCC_STATE_STOCK_SIZE_MAX];
  gsize len;
  dcc_state_format_stock (&e, text, &len);

  int fd = state_file_open (distcc_dir, pid);
  if (fd < 0)
    return;
  ssize_t n = pwrite (fd, text, len, 0);
  /* Stock's records have one size, so the truncation is needed only once. */
  if (n != (ssize_t) len || (len != state_file.len && ftruncate (fd, (off_t) len) != 0))
    {
      g_debug ("cannot write state file in %s: %s", distcc_dir, n < 0 ? g_strerror (errno) : "short write");
      state_file.len = G_MAXSIZE;
      return;
    }
  state_file.len = len;
}

void
dcc_state_remove (const char *distcc_dir)
{
  int pid = (int) getpid ();
  if (state_file.pid == pid)
    state_file_close ();
  g_autofree char *name = g_strdup_printf (STATE_PREFIX "%d", pid);
  g_autofree char *tmp = g_strdup_printf ("." STATE_PREFIX "%d.tmp", pid);
  dcc_autofd dfd = open_state_dir (distcc_dir, FALSE);
  if (dfd < 0)
    return;
  unlinkat (dfd, name, 0);
  unlinkat (dfd, tmp, 0);  /* left by an older distcc that replaced the file */
}

/* If name is "binstate_<pid>" (or our temp name), returns the pid, else 0. */
static gint64
name_pid (const char *name, gboolean *is_tmp)
{
  const char *p = name;
  *is_tmp = (p[0] == '.');
  if (*is_tmp)
    p++;
  if (!g_str_has_prefix (p, STATE_PREFIX))
    return 0;
  p += strlen (STATE_PREFIX);
  g_autofree char *digits = g_strndup (p, strspn (p, "0123456789"));
  const char *rest = p + strlen (digits);
  if (strcmp (rest, *is_tmp ? ".tmp" : "") != 0)
    return 0;
  guint64 v;
  if (!g_ascii_string_to_unsigned (digits, 10, 1, G_MAXINT32, &v, NULL))
    return 0;
  return (gint64) v;
}

static gboolean
pid_is_dead (gint64 pid)
{
  return kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

static DccStateEntry *
read_one (int dfd, const char *name, GError **error)
{
  char buf[DCC_STATE_MAX_FILE + 1];
  gsize len = 0;
  dcc_autofd fd = openat (dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
  struct stat st;
  if (fd < 0)
    return dcc_fail_errno (error, "cannot open %s", name), NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    return dcc_fail (error, DCC_ERROR_IO, "%s is not a regular file", name), NULL;
  while (len < sizeof buf)
    {
      ssize_t n = read (fd, buf + len, sizeof buf - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return dcc_fail_errno (error, "cannot read %s", name), NULL;
      if (n == 0)
        break;
      len += (gsize) n;
    }
  DccStateEntry *e = dcc_state_parse (buf, len, error);
  /* Stock's record has no time: the file's last change is the job's. */
  if (e && e->time_us == 0)
    e->time_us = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
  return e;
}

static gint
compare_entries (gconstpointer a, gconstpointer b)
{
  const DccStateEntry *x = *(DccStateEntry * const *) a;
  const DccStateEntry *y = *(DccStateEntry * const *) b;
  int c = strcmp (x->host, y->host);
  if (c != 0)
    return c;
  if (x->slot != y->slot)
    return x->slot < y->slot ? -1 : 1;
  return x->pid < y->pid ? -1 : x->pid > y->pid;
}

GPtrArray *
dcc_state_read_all (const char *distcc_dir, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_state_entry_free);
  dcc_autofd dfd = open_state_dir (distcc_dir, FALSE);
  if (dfd < 0)
    {
      if (errno == ENOENT)
        return g_steal_pointer (&out);
      return dcc_fail_errno (error, "cannot open state directory in %s", distcc_dir), NULL;
    }
  dcc_autofd lfd = dup (dfd);
  DIR *d = lfd >= 0 ? fdopendir (lfd) : NULL;
  if (d == NULL)
    return dcc_fail_errno (error, "cannot list state directory in %s", distcc_dir), NULL;
  (void) g_steal_fd (&lfd);   /* d owns it now */

  guint seen = 0;
  struct dirent *de;
  while ((de = readdir (d)) != NULL && seen < DCC_STATE_MAX_FILES)
    {
      gboolean is_tmp;
      gint64 pid = name_pid (de->d_name, &is_tmp);
      if (pid == 0)
        continue;
      seen++;
      if (pid_is_dead (pid))
        {
          unlinkat (dfd, de->d_name, 0);
          continue;
        }
      if (is_tmp)
        continue;
      g_autoptr(GError) local_error = NULL;
      DccStateEntry *e = read_one (dfd, de->d_name, &local_error);
      if (e == NULL)
        {
          g_debug ("skipping state file %s: %s", de->d_name, local_error->message);
          continue;
        }
      if (e->pid != pid)
        {
          g_debug ("skipping state file %s: it names pid %" G_GINT64_FORMAT, de->d_name, e->pid);
          dcc_state_entry_free (e);
          continue;
        }
      g_ptr_array_add (out, e);
    }
  closedir (d);
  g_ptr_array_sort (out, compare_entries);
  return g_steal_pointer (&out);
}
