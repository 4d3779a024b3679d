/* distccmon-text: prints the jobs of the distcc clients of this user, from
 * the state files in $DISTCC_DIR/state, once or every DELAY seconds. The
 * output format is stock distcc's, so scripts that read it keep working. */
#include "build-summary.h"
#include "client-monitor.h"
#include "dcc-state.h"
#include "host-pick.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DELAY_SECONDS  86400.0
#define RESULTS_SHOWN      10
#define RESULTS_TAIL_BYTES (64 * 1024)   /* of $DISTCC_DIR/records, for --results */

static const char usage_text[] =
  "usage: distccmon-text [--results] [DELAY]\n"
  "       distccmon-text --help | --version\n"
  "\n"
  "Displays current compilation jobs in text form.\n"
  "\n"
  "If delay is specified, repeatedly updates after that many (fractional)\n"
  "seconds.  Otherwise, runs just once.\n"
  "\n"
  "Each line shows: pid, phase, source file, host[slot].\n"
  "With --results, the last " G_STRINGIFY (RESULTS_SHOWN) " compiles follow, newest last: end time,\n"
  "result (remote, cache-hit, local, fallback), mode, host[slot], time, file\n"
  "and (the volunteer that failed: the reason it ran locally).\n"
  "Jobs are read from $DISTCC_DIR/state (default ~/.distcc/state).\n";

/* Parses DELAY: a non-negative decimal number of seconds. */
static gboolean
parse_delay (const char *s, double *out)
{
  char *end = NULL;
  if (s[0] == '\0' || g_ascii_isspace (s[0]))
    return FALSE;
  errno = 0;
  double v = g_ascii_strtod (s, &end);
  if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0) || v > MAX_DELAY_SECONDS)
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
print_jobs (const char *distcc_dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = dcc_state_read_all (distcc_dir, &error);
  if (jobs == NULL)
    {
      fprintf (stderr, "distccmon-text: %s\n", error->message);
      return FALSE;
    }
  for (guint i = 0; i < jobs->len; i++)
    {
      const DccStateEntry *e = jobs->pdata[i];
      if (e->phase == DCC_PHASE_DONE)
        continue;
      /* as stock: assume 80 columns */
      printf ("%6ld  %-10.10s  %-30.30s %24.24s[%d]\n",
              (long) e->pid, dcc_phase_name (e->phase), e->file, e->host, e->slot);
    }
  printf ("\n");
  return TRUE;
}

/* The last compiles, from $DISTCC_DIR/records; an empty line ends them. */
static void
print_results (const char *distcc_dir)
{
  g_autoptr(GPtrArray) records = dcc_build_records_read_tail (distcc_dir, RESULTS_TAIL_BYTES);
  g_autofree char *text = dcc_build_results_render (records, RESULTS_SHOWN);
  fputs (text, stdout);
  printf ("\n");
}

int
main (int argc, char **argv)
{
  double delay = 0.0;
  gboolean results = argc > 1 && strcmp (argv[1], "--results") == 0;

  if (results)
    {
      argv[1] = argv[0];
      argv++;
      argc--;
    }
  if (argc > 2)
    return dcc_client_monitor_bad_usage ("distccmon-text", "too many arguments (%s...)", argv[2]);
  if (argc == 2)
    {
      const char *a = argv[1];
      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        {
          fputs (usage_text, stdout);
          return 0;
        }
      if (strcmp (a, "--version") == 0)
        {
          printf ("distccmon-text %s\n", DCC_VERSION);
          return 0;
        }
      if (a[0] == '-' && !g_ascii_isdigit (a[1]) && a[1] != '.')
        return dcc_client_monitor_bad_usage ("distccmon-text", "unknown option '%s'", a);
      if (!parse_delay (a, &delay))
        return dcc_client_monitor_bad_usage ("distccmon-text", "DELAY must be a number of seconds from 0 to 86400, not '%s'", a);
    }

  /* we may be writing to a pipe read by another program */
  setvbuf (stdout, NULL, _IOLBF, BUFSIZ);

  g_autofree char *distcc_dir = dcc_distcc_dir ();
  do
    {
      if (!print_jobs (distcc_dir))
        return 1;
      if (results)
        print_results (distcc_dir);
      if (ferror (stdout))
        return 1;
      if (delay > 0.0)
        g_usleep ((gulong) (delay * G_USEC_PER_SEC));
    }
  while (delay > 0.0);

  return fflush (stdout) == 0 ? 0 : 1;
}
