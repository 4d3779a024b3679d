#include "remote-common.h"
#include "dcc-compiler-id.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-io.h"
#include "dcc-log.h"
#include "dcc-state.h"
#include "outputs.h"
#include "remote.h"
#include "dcc-strv.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

gboolean
dcc_client_env_flag (const char *name, gboolean dflt)
{
  const char *v = g_getenv (name);
  if (!v || !*v)
    return dflt;
  return strcmp (v, "0") != 0;
}

GStrv
dcc_client_forwarded_env (void)
{
  /* doc/protocol.md, "Environment": the variables that change what a
   * compiler writes (objects, diagnostics); the volunteer passes on only
   * these (server/compile-job.c has the same list). */
  static const char *const names[] = {
    "SOURCE_DATE_EPOCH", "LANG", "LC_ALL", "LC_MESSAGES", "LC_CTYPE", "LANGUAGE", "GCC_COLORS",
    "GCC_URLS", "TERM_URLS", "GCC_EXTRA_DIAGNOSTIC_OUTPUT", "TZ", NULL
  };
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  for (const char *const *n = names; *n; n++)
    {
      const char *v = g_getenv (*n);
      if (v)
        {
          g_autofree char *kv = g_strdup_printf ("%s=%s", *n, v);
          g_strv_builder_add (b, kv);
        }
    }
  return g_strv_builder_end (b);
}

/* The environment variables that make a compile unfit for a volunteer:
 * they choose other programs or options (COMPILER_PATH, GCC_EXEC_PREFIX,
 * GCC_COMPARE_DEBUG), which a volunteer must not run. NULL when none is set. */
const char *
dcc_client_env_keeps_local (void)
{
  static const char *const names[] = { "COMPILER_PATH", "GCC_EXEC_PREFIX", "GCC_COMPARE_DEBUG", NULL };
  for (const char *const *n = names; *n; n++)
    {
      const char *v = g_getenv (*n);
      if (v && *v)
        return *n;
    }
  return NULL;
}

/* -fdiagnostics-color=auto decides on the client's terminal, not the
 * volunteer's pipe: say "always" when ours would be coloured. */
static const char *
color_flag (const DccCompileArgs *a, gboolean is_clang)
{
  for (int i = 1; a->argv[i]; i++)
    if (g_str_has_prefix (a->argv[i], "-fdiagnostics-color") || g_str_has_prefix (a->argv[i], "-fno-diagnostics-color")
        || g_str_has_prefix (a->argv[i], "-fcolor-diagnostics") || g_str_has_prefix (a->argv[i], "-fno-color-diagnostics"))
      return NULL;
  const char *term = g_getenv ("TERM");
  const char *gcc_colors = g_getenv ("GCC_COLORS");
  if (!isatty (2) || !term || strcmp (term, "dumb") == 0 || (gcc_colors && !*gcc_colors && !is_clang))
    return NULL;
  return is_clang ? "-fcolor-diagnostics" : "-fdiagnostics-color=always";
}

GStrv
dcc_client_remote_argv (const char *const *argv, const DccCompileArgs *a, gboolean is_clang)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autofree char *base = g_path_get_basename (argv[0]);
  g_strv_builder_add (b, base);
  for (int i = 1; argv[i]; i++)
    g_strv_builder_add (b, argv[i]);
  const char *color = color_flag (a, is_clang);
  if (color)
    g_strv_builder_add (b, color);
  /* clang wraps its messages at COLUMNS when its stderr is a terminal. */
  if (is_clang && isatty (2))
    {
      gboolean given = FALSE;
      for (int i = 1; a->argv[i]; i++)
        given |= g_str_has_prefix (a->argv[i], "-fmessage-length");
      const char *c = g_getenv ("COLUMNS");
      if (!given && c && atoi (c) > 0)
        dcc_strv_builder_take (b, g_strdup_printf ("-fmessage-length=%d", atoi (c)));
    }
  return g_strv_builder_end (b);
}

/* gcc, g++, gcc-12, g++-12 (and cc, c++ when they are gcc) become
 * TARGET-gcc etc., as stock distcc sends them, so that a volunteer with
 * several compilers picks the one for the client's target. Only when that
 * name is on our PATH too (stock's rule), so the volunteer is asked for a
 * compiler that exists. clang is not renamed: its identity says its target. */
char *
dcc_client_qualified_name (const char *name, const char *target, gboolean is_clang)
{
  if (is_clang || !target || !*target || strcmp (target, "-") == 0 || strchr (name, '/'))
    return NULL;
  const char *base = strcmp (name, "cc") == 0 ? "gcc" : strcmp (name, "c++") == 0 ? "g++" : name;
  gboolean generic = FALSE;
  static const char *const stems[] = { "gcc", "g++", NULL };
  for (const char *const *st = stems; *st; st++)
    {
      gsize n = strlen (*st);
      if (strncmp (base, *st, n) == 0 && (base[n] == '\0' || (base[n] == '-' && g_ascii_isdigit (base[n + 1]))))
        generic = TRUE;
    }
  if (!generic)
    return NULL;
  g_autofree char *q = g_strdup_printf ("%s-%s", target, base);
  g_autofree char *found = g_find_program_in_path (q);
  return found ? g_steal_pointer (&q) : NULL;
}

/* Source excerpts in diagnostics are read from the files named in them,
 * which a plain-mode volunteer does not have. */
static gboolean
diagnostics_show_source (const DccCompileArgs *a)
{
  gboolean show = TRUE;
  for (int i = 1; a->argv[i]; i++)
    {
      if (strcmp (a->argv[i], "-fno-diagnostics-show-caret") == 0 || strcmp (a->argv[i], "-fno-caret-diagnostics") == 0)
        show = FALSE;
      else if (strcmp (a->argv[i], "-fdiagnostics-show-caret") == 0 || strcmp (a->argv[i], "-fcaret-diagnostics") == 0)
        show = TRUE;
    }
  return show;
}

static void
write_bytes (int fd, GBytes *b)
{
  gsize len;
  const void *p = b ? g_bytes_get_data (b, &len) : NULL;
  if (p && len)
    dcc_io_write_all (fd, p, len, 0, NULL);
}

DccRemoteOutcome
dcc_client_exchange (int fd, const char *peer, GByteArray *request, int timeout, DccReply **reply, char **why)
{
  g_autoptr(GError) error = NULL;
  dcc_remote_count (request->len, 0);
  if (!dcc_io_write_all (fd, request->data, request->len, timeout, &error)
      || !dcc_remote_read_reply (fd, peer, timeout, reply, &error))
    {
      dcc_client_note_failure (error);
      *why = g_strdup (error->message);
      return DCC_REMOTE_HOST_FAILED;
    }
  return DCC_REMOTE_DONE;
}

DccRemoteOutcome
dcc_client_finish (const DccCompileArgs *a, const char *cwd, DccReply *reply,
                   gboolean exact_diagnostics, gboolean dep_file_remote, gboolean failure_is_final,
                   int *exit_status, char **why)
{
  g_autoptr(GError) error = NULL;
  if (reply->error_message && g_str_has_prefix (reply->error_message, DCC_VOLUNTEER_TROUBLE_PREFIX))
    {
      *why = g_strdup (reply->error_message);
      return DCC_REMOTE_HOST_FAILED;
    }
  if (reply->error_message)
    {
      *why = g_strconcat (DCC_REFUSED_PREFIX, reply->error_message, NULL);
      return DCC_REMOTE_RUN_LOCALLY;
    }
  if (reply->status != 0 && !failure_is_final && !dcc_client_env_flag ("DISTCC_SKIP_LOCAL_RETRY", FALSE))
    {
      *why = g_strdup_printf ("remote compile failed with status %d; retrying locally", reply->status);
      return DCC_REMOTE_RETRY_LOCALLY;
    }
  if (!exact_diagnostics && reply->status == 0 && g_bytes_get_size (reply->err) > 0
      && diagnostics_show_source (a))
    {
      *why = g_strdup ("diagnostics quote source lines the volunteer does not have; compiling locally for exact text");
      return DCC_REMOTE_RETRY_LOCALLY;
    }
  if (!dcc_outputs_write (a, cwd, dep_file_remote, reply, &error))
    {
      *why = g_strdup (error->message);
      return DCC_REMOTE_HOST_FAILED;
    }
  if (reply->status != 0)
    dcc_outputs_after_failure (a, cwd, dep_file_remote, reply);
  write_bytes (1, reply->out);
  write_bytes (2, reply->err);
  *exit_status = reply->status;
  if (reply->cache_hit)
    dcc_remote_note_cache_hit ();
  return DCC_REMOTE_DONE;
}

gboolean
dcc_client_request_basics (const char *distcc_dir, const char *compiler_path, const char *const *argv,
                           const DccCompileArgs *a, gboolean is_clang, DccRequestBasics *b, char **why)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *match_why = NULL;
  gboolean strict = dcc_compiler_match_strict_from_env (&match_why);
  if (match_why)
    dcc_warning ("%s", match_why);
  b->compiler_id = dcc_compiler_id_get (compiler_path, dcc_args_lang_name (a->lang), distcc_dir, strict, &error);
  if (!b->compiler_id)
    {
      *why = g_strdup_printf ("cannot identify the compiler: %s", error->message);
      return FALSE;
    }
  b->argv = dcc_client_remote_argv (argv, a, is_clang);
  if (!dcc_client_env_flag ("DISTCC_NO_REWRITE_CROSS", FALSE))
    {
      g_autofree char *target = dcc_compiler_id_target (b->compiler_id);
      gboolean is_gcc = g_str_has_prefix (b->compiler_id, "gcc ");
      g_autofree char *qualified = dcc_client_qualified_name (b->argv[0], target, is_clang || !is_gcc);
      if (qualified)
        {
          dcc_debug ("sending %s as %s (DISTCC_NO_REWRITE_CROSS=1 sends it as it is)", b->argv[0], qualified);
          g_free (b->argv[0]);
          b->argv[0] = g_steal_pointer (&qualified);
        }
    }
  b->env = dcc_client_forwarded_env ();
  return TRUE;
}

void
dcc_request_basics_clear (DccRequestBasics *b)
{
  g_clear_pointer (&b->argv, g_strfreev);
  g_clear_pointer (&b->env, g_strfreev);
  g_clear_pointer (&b->compiler_id, g_free);
}

static int connections_made;
static gboolean last_failure_timed_out;

gboolean
dcc_client_last_failure_timed_out (void)
{
  return last_failure_timed_out;
}

void
dcc_client_note_failure (const GError *error)
{
  last_failure_timed_out = g_error_matches (error, DCC_ERROR, DCC_ERROR_TIMEOUT);
}

int
dcc_client_connections (void)
{
  return connections_made;
}

int
dcc_client_connect (const char *distcc_dir, const DccHost *host, const char *source_name, int slot,
                    char **why)
{
  g_autoptr(GError) error = NULL;
  dcc_state_set (distcc_dir, DCC_PHASE_CONNECT, source_name, host->hostname, slot);
  int fd = dcc_remote_connect (host, MIN (dcc_remote_io_timeout (), 30), &error);
  if (fd < 0)
    *why = g_strdup (error->message);
  else
    connections_made++;
  return fd;
}

void
dcc_client_count_cache_hit (const char *distcc_dir)
{
  g_autofree char *path = g_build_filename (distcc_dir, "result-cache-hits", NULL);
  dcc_autofd fd = open (path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  if (flock (fd, LOCK_EX) == 0)
    {
      char buf[32];
      ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
      buf[n > 0 ? n : 0] = '\0';
      guint64 count = g_ascii_strtoull (buf, NULL, 10) + 1;
      int len = g_snprintf (buf, sizeof buf, "%" G_GUINT64_FORMAT "\n", count);
      if (pwrite (fd, buf, (size_t) len, 0) == len)
        {
          int unused = ftruncate (fd, len);
          (void) unused;
        }
      flock (fd, LOCK_UN);
    }
}
