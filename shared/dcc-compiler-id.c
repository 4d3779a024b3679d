#include "dcc-compiler-id.h"
#include "dcc-error.h"
#include "dcc-hash.h"
#include "dcc-io.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Runs compiler with one argument and returns its first line of stdout. */
static char *
ask (const char *compiler, const char *arg, GError **error)
{
  const char *argv[] = { compiler, arg, NULL };
  const char *envp[] = { "LC_ALL=C", "PATH=/usr/local/bin:/usr/bin:/bin", NULL };
  g_autofree char *out = NULL;
  int status;
  g_autofree char *path_env = g_strconcat ("PATH=", g_getenv ("PATH") ? g_getenv ("PATH") : "/usr/bin:/bin", NULL);
  envp[1] = path_env;
  if (!g_spawn_sync (NULL, (char **) argv, (char **) envp, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, &status, error))
    return NULL;
  if (!g_spawn_check_wait_status (status, error))
    return NULL;
  char *nl = strchr (out, '\n');
  if (nl)
    *nl = '\0';
  return g_steal_pointer (&out);
}

/* name=<hash> for a program the driver runs; "-" when there is none. */
static void
append_program_hash (GString *id, const char *name, const char *path)
{
  g_autofree char *found = NULL;
  if (path && path[0] != '/')
    found = g_find_program_in_path (path);
  const char *p = found ? found : path;
  DccHash h;
  char hex[DCC_HASH_HEX_LEN + 1];
  if (p && p[0] == '/' && dcc_hash_file (p, &h, NULL, NULL))
    {
      dcc_hash_to_hex (&h, hex);
      g_string_append_printf (id, " %s=%s", name, hex);
    }
  else
    g_string_append_printf (id, " %s=-", name);
}

static char *
compute (const char *compiler, const char *lang, GError **error)
{
  gboolean is_clang = strstr (compiler, "clang") != NULL;
  g_autofree char *version = ask (compiler, is_clang ? "-dumpversion" : "-dumpfullversion", error);
  if (!version)
    return NULL;
  g_autofree char *machine = ask (compiler, "-dumpmachine", error);
  if (!machine)
    return NULL;
  GString *id = g_string_new (NULL);
  g_string_append_printf (id, "%s %s %s", is_clang ? "clang" : "gcc", version, machine);
  g_autofree char *real = realpath (compiler, NULL);
  append_program_hash (id, "driver", real ? real : compiler);
  if (!is_clang)
    {
      const char *backend = strcmp (lang, "c++") == 0 ? "cc1plus"
                          : strcmp (lang, "objective-c") == 0 ? "cc1obj"
                          : strcmp (lang, "objective-c++") == 0 ? "cc1objplus" : "cc1";
      g_autofree char *q = g_strconcat ("-print-prog-name=", backend, NULL);
      g_autofree char *cc1 = ask (compiler, q, NULL);
      append_program_hash (id, backend, cc1);
      g_autofree char *as = ask (compiler, "-print-prog-name=as", NULL);
      append_program_hash (id, "as", as);
    }
  return g_string_free (id, FALSE);
}

char *
dcc_compiler_id_get (const char *compiler_path, const char *lang, const char *cache_dir, GError **error)
{
  struct stat st;
  if (stat (compiler_path, &st) < 0)
    return dcc_fail_errno (error, "stat %s", compiler_path), NULL;
  g_autofree char *key = g_strdup_printf ("id1\n%s\n%lld.%09ld\n%lld\n%lld\n%s\n", compiler_path,
                                          (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                                          (long long) st.st_size, (long long) st.st_ino, lang);
  DccHash h;
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_bytes (key, strlen (key), &h);
  dcc_hash_to_hex (&h, hex);
  g_autofree char *dir = cache_dir ? g_build_filename (cache_dir, "compilers", NULL) : NULL;
  g_autofree char *path = dir ? g_strconcat (dir, "/", hex, ".id", NULL) : NULL;
  g_autofree guint8 *cached = NULL;
  gsize len;
  if (path && dcc_io_read_file (path, 4096, &cached, &len, NULL) && len > 0)
    return g_strndup ((const char *) cached, len);
  char *id = compute (compiler_path, lang, error);
  if (id && path)
    {
      g_mkdir_with_parents (dir, 0755);
      dcc_io_write_file_atomic (path, id, strlen (id), 0644, NULL);
    }
  return id;
}
