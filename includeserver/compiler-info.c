#include "compiler-info.h"
#include "dcc-args.h"
#include "dcc-error.h"
#include "dcc-log.h"
#include "dcc-masquerade.h"
#include "dcc-fd.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void
dcc_is_compile_args_free (DccIsCompileArgs *args)
{
  if (!args)
    return;
  g_free (args->compiler);
  g_free (args->source);
  g_free (args->lang);
  g_clear_pointer (&args->search_flags, g_ptr_array_unref);
  g_clear_pointer (&args->predef_flags, g_ptr_array_unref);
  g_clear_pointer (&args->forced_includes, g_ptr_array_unref);
  g_clear_pointer (&args->defines, g_ptr_array_unref);
  g_free (args);
}

/* What the include server does with an option of the table in dcc-args.h:
 * SEARCH options shape the include search path and go to the `-E -v` run
 * and the predefined-macro run; PREDEF ones to that run only; DROP ones
 * change neither what the preprocessor reads nor what it defines. An
 * argument no entry matches (and a NONE one) goes to the predefined-macro
 * run, without a value. */
typedef enum { OPT_NONE, OPT_SEARCH, OPT_DROP, OPT_INCLUDE, OPT_DEFINE, OPT_LANG, OPT_PREDEF, OPT_REFUSE } OptUse;

static OptUse
option_use (DccOptClass cls)
{
  switch (cls)
    {
    case DCC_OPT_SEARCH_PATH:
    case DCC_OPT_TARGET:
    case DCC_OPT_PREPROCESSOR:
    case DCC_OPT_DIALECT:
      return OPT_SEARCH;
    case DCC_OPT_INCLUDE:
      return OPT_INCLUDE;
    case DCC_OPT_DEFINE:
      return OPT_DEFINE;
    case DCC_OPT_LANG:
      return OPT_LANG;
    case DCC_OPT_DEPENDENCY:
    case DCC_OPT_OUTPUT:
    case DCC_OPT_ASSEMBLER:
    case DCC_OPT_LINK:
    case DCC_OPT_DIAGNOSTIC:
    case DCC_OPT_DEBUG:
    case DCC_OPT_DRIVER:
    case DCC_OPT_DUMP:
      return OPT_DROP;
    case DCC_OPT_BACKEND:
    case DCC_OPT_PEDANTIC:
      return OPT_PREDEF;
    case DCC_OPT_UNSEEN_INPUT:
      /* The compiler would read files we do not see. */
      return OPT_REFUSE;
    case DCC_OPT_OTHER:
    case DCC_OPT_LTO:
    case DCC_OPT_PREFIX_MAP:
    case DCC_OPT_COVERAGE:
    case DCC_OPT_PROFILE_USE:
      break;
    }
  return OPT_NONE;
}

gboolean
dcc_is_compile_args_scan (const char *const *argv, DccIsCompileArgs **out, GError **error)
{
  if (!argv || !argv[0])
    return dcc_fail (error, DCC_ERROR_INVALID, "empty command line");
  g_autoptr(DccIsCompileArgs) a = g_new0 (DccIsCompileArgs, 1);
  a->compiler = g_strdup (argv[0]);
  a->search_flags = g_ptr_array_new_with_free_func (g_free);
  a->predef_flags = g_ptr_array_new_with_free_func (g_free);
  a->forced_includes = g_ptr_array_new_with_free_func (g_free);
  a->defines = g_ptr_array_new_with_free_func (g_free);
  const char *xlang = NULL;
  const char *source_lang = NULL;
  gboolean nostdinc = FALSE, freestanding = FALSE;

  for (gsize i = 1; argv[i]; i++)
    {
      const char *arg = argv[i];
      if (arg[0] == '@')
        return dcc_fail (error, DCC_ERROR_REFUSED, "response file %s", arg);
      if (arg[0] != '-' || g_str_equal (arg, "-"))
        {
          if (a->source)
            return dcc_fail (error, DCC_ERROR_REFUSED, "more than one input file");
          if (g_str_equal (arg, "-"))
            return dcc_fail (error, DCC_ERROR_REFUSED, "source on standard input");
          a->source = g_strdup (arg);
          source_lang = xlang;
          continue;
        }
      if (g_str_equal (arg, "-nostdinc"))
        nostdinc = TRUE;
      if (g_str_equal (arg, "-ffreestanding"))
        freestanding = TRUE;
      const char *value = NULL;
      const DccOption *opt = dcc_args_option_find (arg, &value);
      OptUse use = opt ? option_use (opt->cls) : OPT_NONE;
      if (use == OPT_REFUSE)
        return dcc_fail (error, DCC_ERROR_REFUSED, "option %s", opt->name);
      gboolean separate = use != OPT_NONE && value == NULL && (opt->flags & DCC_OPT_SEPARATE);
      if (separate)
        {
          if (!argv[i + 1])
            return dcc_fail (error, DCC_ERROR_INVALID, "option %s needs a value", arg);
          value = argv[++i];
        }
      switch (use)
        {
        case OPT_SEARCH:
          g_ptr_array_add (a->search_flags, g_strdup (arg));
          g_ptr_array_add (a->predef_flags, g_strdup (arg));
          if (separate)
            {
              g_ptr_array_add (a->search_flags, g_strdup (value));
              g_ptr_array_add (a->predef_flags, g_strdup (value));
            }
          break;
        case OPT_INCLUDE:
          if (value)
            g_ptr_array_add (a->forced_includes, g_strdup (value));
          break;
        case OPT_DEFINE:
          if (value)
            g_ptr_array_add (a->defines, g_strdup_printf ("%.2s%s", opt->name, value));
          break;
        case OPT_LANG:
          if (value)
            xlang = g_str_equal (value, "none") ? NULL : value;
          break;
        case OPT_DROP:
          break;
        case OPT_PREDEF:
        case OPT_NONE:
        case OPT_REFUSE:
          g_ptr_array_add (a->predef_flags, g_strdup (arg));
          if (separate)
            g_ptr_array_add (a->predef_flags, g_strdup (value));
          break;
        }
    }
  if (!a->source)
    return dcc_fail (error, DCC_ERROR_REFUSED, "no input file");
  DccLang file_lang = dcc_args_lang_of_file (a->source);
  const char *lang = source_lang ? source_lang
                     : file_lang != DCC_LANG_NONE ? dcc_args_lang_name (file_lang) : NULL;
  if (!lang)
    return dcc_fail (error, DCC_ERROR_REFUSED, "unknown language for input file");
  a->lang = g_strdup (lang);
  a->preprocessed = !dcc_args_lang_reads_headers (dcc_args_lang_from_name (lang));
  a->cplusplus = strstr (lang, "c++") != NULL;
  a->no_std_predef = nostdinc || freestanding;
  *out = g_steal_pointer (&a);
  return TRUE;
}

/* ---- finding and running the compiler ---- */

char *
dcc_is_compiler_find (const char *argv0, const char *cwd, const char *path_env, GError **error)
{
  if (strchr (argv0, '/'))
    {
      g_autofree char *p = argv0[0] == '/' ? g_strdup (argv0) : g_build_filename (cwd, argv0, NULL);
      if (access (p, X_OK) != 0)
        return (dcc_fail_errno (error, "compiler %s", argv0), NULL);
      return g_steal_pointer (&p);
    }
  g_auto(GStrv) dirs = g_strsplit (path_env ? path_env : "/usr/local/bin:/usr/bin:/bin", ":", -1);
  for (guint i = 0; dirs[i]; i++)
    {
      const char *d = dirs[i][0] ? dirs[i] : ".";
      g_autofree char *dir = dcc_search_path_absolute (d, cwd);
      g_autofree char *p = g_build_filename (dir, argv0, NULL);
      struct stat st;
      if (stat (p, &st) == 0 && S_ISREG (st.st_mode) && access (p, X_OK) == 0 && !dcc_masquerade_is_distcc (p))
        return g_steal_pointer (&p);
    }
  dcc_fail (error, DCC_ERROR_FAILED, "compiler %s not found in PATH", argv0);
  return NULL;
}

/* Reads out_fd and err_fd to their ends, keeping at most
 * DCC_COMPILER_MAX_OUTPUT + 1 bytes of each (more is refused by the
 * caller; the rest is drained so that the compiler does not block). */
static gboolean
read_both (int out_fd, int err_fd, GString *out, GString *err, GError **error)
{
  struct pollfd fds[2] = { { .fd = out_fd, .events = POLLIN }, { .fd = err_fd, .events = POLLIN } };
  GString *into[2] = { out, err };
  int open_fds = 2;
  char buf[16384];
  while (open_fds > 0)
    {
      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return dcc_fail_errno (error, "poll");
        }
      for (int i = 0; i < 2; i++)
        {
          if (fds[i].fd < 0 || !fds[i].revents)
            continue;
          ssize_t n = read (fds[i].fd, buf, sizeof buf);
          if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
          if (n < 0)
            return dcc_fail_errno (error, "read");
          if (n == 0)
            {
              fds[i].fd = -1;
              open_fds--;
              continue;
            }
          gsize room = DCC_COMPILER_MAX_OUTPUT + 1 - MIN (into[i]->len, DCC_COMPILER_MAX_OUTPUT + 1);
          g_string_append_len (into[i], buf, (gssize) MIN ((gsize) n, room));
        }
    }
  return TRUE;
}

/* Runs compiler with extra args in cwd under LC_ALL=C; returns stdout and
 * stderr. posix_spawn (vfork underneath) rather than g_spawn_sync's fork:
 * a fork write-protects the server's whole heap (100 MB in a kernel
 * build), and every page the server writes afterwards faults once. */
static gboolean
run_compiler (const char *compiler_path, GPtrArray *flags, const char *const *extra,
              const char *cwd, char **out, char **err, GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) compiler_path);
  for (guint i = 0; i < flags->len; i++)
    g_ptr_array_add (argv, flags->pdata[i]);
  for (guint i = 0; extra[i]; i++)
    g_ptr_array_add (argv, (char *) extra[i]);
  g_ptr_array_add (argv, NULL);
  g_auto(GStrv) env = g_get_environ ();
  env = g_environ_setenv (env, "LC_ALL", "C", TRUE);
  env = g_environ_unsetenv (env, "DEPENDENCIES_OUTPUT");
  env = g_environ_unsetenv (env, "SUNPRO_DEPENDENCIES");
  int out_pipe[2], err_pipe[2];
  if (pipe2 (out_pipe, O_CLOEXEC) < 0)
    return dcc_fail_errno (error, "pipe");
  dcc_autofd out_r = out_pipe[0];
  dcc_autofd out_w = out_pipe[1];
  if (pipe2 (err_pipe, O_CLOEXEC) < 0)
    return dcc_fail_errno (error, "pipe");
  dcc_autofd err_r = err_pipe[0];
  dcc_autofd err_w = err_pipe[1];
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2 (&fa, out_w, 1);
  posix_spawn_file_actions_adddup2 (&fa, err_w, 2);
  posix_spawn_file_actions_addclosefrom_np (&fa, 3);
  if (cwd)
    posix_spawn_file_actions_addchdir_np (&fa, cwd);
  /* As a new process: no signal blocked, default dispositions for those
   * the server handles or ignores (SIGPIPE). */
  posix_spawnattr_init (&attr);
  sigset_t none, all;
  sigemptyset (&none);
  sigfillset (&all);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setsigdefault (&attr, &all);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid;
  int rc = posix_spawn (&pid, compiler_path, &fa, &attr, (char **) argv->pdata, env);
  posix_spawn_file_actions_destroy (&fa);
  posix_spawnattr_destroy (&attr);
  if (rc != 0)
    {
      errno = rc;
      return dcc_fail_errno (error, "cannot run %s", compiler_path);
    }
  dcc_fd_clear (&out_w);
  dcc_fd_clear (&err_w);
  g_autoptr(GString) o = g_string_new (NULL);
  g_autoptr(GString) e = g_string_new (NULL);
  gboolean read_ok = read_both (out_r, err_r, o, e, error);
  dcc_fd_clear (&out_r);   /* a compiler still writing gets EPIPE, not a hang */
  dcc_fd_clear (&err_r);
  int status;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return dcc_fail_errno (error, "waitpid %s", compiler_path);
  if (!read_ok)
    return FALSE;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_autofree char *msg = dcc_escape_for_log (e->str, 300);
      return dcc_fail (error, DCC_ERROR_FAILED, "%s failed: %s", compiler_path, msg);
    }
  if (o->len > DCC_COMPILER_MAX_OUTPUT || e->len > DCC_COMPILER_MAX_OUTPUT)
    return dcc_fail (error, DCC_ERROR_LIMIT, "%s printed too much", compiler_path);
  *out = g_string_free (g_steal_pointer (&o), FALSE);
  *err = g_string_free (g_steal_pointer (&e), FALSE);
  return TRUE;
}

typedef struct {
  GMutex      lock;
  GHashTable *table;   /* key -> value (DccSearchPath* or char*) */
  GQueue      order;   /* keys, oldest first */
} Cache;

static Cache search_cache, predef_cache;

static char *
cache_key (const char *compiler_path, GPtrArray *flags, const char *lang, const char *cwd)
{
  struct stat st;
  g_autoptr(GString) key = g_string_new (compiler_path);
  /* A replaced compiler binary has other builtin dirs and macros. */
  if (stat (compiler_path, &st) == 0)
    g_string_append_printf (key, "@%lu:%lu:%lld.%09ld", (gulong) st.st_dev, (gulong) st.st_ino,
                            (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  g_string_append_printf (key, "\n%s\n%s", lang, cwd);
  for (guint i = 0; i < flags->len; i++)
    g_string_append_printf (key, "\n%s", (char *) flags->pdata[i]);
  return g_string_free (g_steal_pointer (&key), FALSE);
}

static gpointer
cache_lookup (Cache *c, const char *key, gpointer (*ref) (gpointer))
{
  g_mutex_lock (&c->lock);
  gpointer v = c->table ? g_hash_table_lookup (c->table, key) : NULL;
  if (v)
    v = ref (v);
  g_mutex_unlock (&c->lock);
  return v;
}

static void
cache_insert (Cache *c, char *key, gpointer value, GDestroyNotify free_value)
{
  g_mutex_lock (&c->lock);
  if (!c->table)
    c->table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_value);
  if (!g_hash_table_contains (c->table, key))
    {
      g_queue_push_tail (&c->order, key);
      g_hash_table_insert (c->table, key, value);
      while (c->order.length > DCC_COMPILER_INFO_CACHE_MAX)
        g_hash_table_remove (c->table, g_queue_pop_head (&c->order));
    }
  else
    {
      g_free (key);
      free_value (value);
    }
  g_mutex_unlock (&c->lock);
}

static gpointer
ref_search_path (gpointer p)
{
  return dcc_search_path_ref (p);
}

DccSearchPath *
dcc_compiler_search_path (const char *compiler_path, const DccIsCompileArgs *args,
                          const char *cwd, GError **error)
{
  g_autofree char *key = cache_key (compiler_path, args->search_flags, args->lang, cwd);
  DccSearchPath *sp = cache_lookup (&search_cache, key, ref_search_path);
  if (sp)
    return sp;
  const char *extra[] = { "-E", "-v", "-x", args->lang, "/dev/null", NULL };
  g_autofree char *out = NULL, *err = NULL;
  if (!run_compiler (compiler_path, args->search_flags, extra, cwd, &out, &err, error))
    return NULL;
  if (!dcc_search_path_parse (err, out, cwd, &sp, error))
    return NULL;
  dcc_debug ("search path for %s (%s): %u quote, %u angled dirs", compiler_path, args->lang,
             sp->n_quote, sp->n_angled);
  cache_insert (&search_cache, g_steal_pointer (&key), dcc_search_path_ref (sp),
                (GDestroyNotify) dcc_search_path_unref);
  return sp;
}

static gpointer
dup_string (gpointer p)
{
  return g_strdup (p);
}

char *
dcc_compiler_predefined_macros (const char *compiler_path, const DccIsCompileArgs *args,
                                const char *cwd, GError **error)
{
  g_autofree char *key = cache_key (compiler_path, args->predef_flags, args->lang, cwd);
  char *macros = cache_lookup (&predef_cache, key, dup_string);
  if (macros)
    return macros;
  const char *extra[] = { "-E", "-dM", "-x", args->lang, "/dev/null", NULL };
  g_autofree char *err = NULL;
  if (!run_compiler (compiler_path, args->predef_flags, extra, cwd, &macros, &err, error))
    return NULL;
  cache_insert (&predef_cache, g_steal_pointer (&key), g_strdup (macros), g_free);
  return macros;
}
