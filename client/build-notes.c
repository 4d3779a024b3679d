#include "build-notes.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-hash.h"
#include "dcc-log.h"
#include "dcc-proc.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NOTE_MAX_AGE_S (7 * 24 * 3600)

char *
dcc_build_key (void)
{
  pid_t pg = getpgrp ();
  return g_strdup_printf ("%d.%" G_GUINT64_FORMAT, (int) pg, dcc_proc_start_time (pg));
}

static void
sweep_old (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  if (!d)
    return;
  time_t now = time (NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      struct stat st;
      if (lstat (p, &st) == 0 && S_ISREG (st.st_mode) && now - st.st_mtime > NOTE_MAX_AGE_S)
        unlink (p);
    }
}

gboolean
dcc_build_note_first (const char *distcc_dir, const char *topic)
{
  g_autofree char *key = dcc_build_key ();
  g_autofree char *text = g_strdup_printf ("%s\n%s", key, topic);
  DccHash h;
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_bytes (text, strlen (text), &h);
  dcc_hash_to_hex (&h, hex);
  g_autofree char *dir = g_build_filename (distcc_dir, "notes", NULL);
  if (g_mkdir_with_parents (dir, 0755) < 0)
    return FALSE;
  g_autofree char *path = g_build_filename (dir, hex, NULL);
  dcc_autofd fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return FALSE;
  (void) !write (fd, text, strlen (text));
  /* now and then, not on every first note */
  if (hex[0] == '0')
    sweep_old (dir);
  return TRUE;
}

void
dcc_build_warn_local (const char *distcc_dir, const char *topic, const char *why)
{
  g_autofree char *note = g_strconcat ("local\n", topic ? topic : why, NULL);
  if (!dcc_build_note_first (distcc_dir, note))
    {
      dcc_info ("%s; compiling locally (warned once this build)", why);
      return;
    }
  dcc_warning ("%s; compiling locally (said once per build)", why);
  /* With DISTCC_LOG the warning went to the log: say it here too. */
  if (dcc_log_fd () != 2)
    {
      g_autofree char *shown = dcc_escape_for_log (why, 600);
      fprintf (stderr, "distcc[%d] %s; compiling locally (said once per build)\n", (int) getpid (), shown);
    }
}

void
dcc_build_warn_refusal (const char *distcc_dir, const char *host, const char *compiler, const char *why)
{
  g_autofree char *topic = g_strdup_printf ("refused\n%s\n%s", host, compiler);
  if (!dcc_build_note_first (distcc_dir, topic))
    {
      dcc_info ("%s refused %s: %s (warned once this build)", host, compiler, why);
      return;
    }
  g_autofree char *shown = dcc_escape_for_log (why, 600);
  fprintf (stderr, "distcc: warning: %s refused %s, compiling locally (said once per build): %s\n", host,
           compiler, shown);
  dcc_info ("%s refused %s: %s", host, compiler, shown);
}
