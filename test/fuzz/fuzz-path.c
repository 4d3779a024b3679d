/* libFuzzer harness for the client path validators (shared/dcc-path.c).
 *
 * Built and run by test/fuzz/run (e.g. `test/fuzz/run 60 path`), from the
 * seeds in test/fuzz/corpus/path/.
 *
 * The input is used three ways: as a client path of exactly `size` bytes,
 * and split at its first NUL into (link path, symlink target) and
 * (cwd, path). Besides the sanitizers, the harness traps when an
 * accepted result breaks an invariant: a checked path splits into
 * components that are never empty, ".", ".." or contain '/'; a checked
 * path is canonical exactly when normalising it changes nothing; a resolved
 * symlink target is itself a valid client path; normalisation is
 * idempotent; an accepted builtin include dir (the first part, with the
 * second as the manifest's one symlink) never climbs above the tree's
 * root even when that symlink leads to the root itself, and is canonical
 * when it has no ".."; an accepted implicit include name is canonical. */
#include "dcc-path.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include <stdint.h>
#include <string.h>

#define CHECK(cond) do { if (!(cond)) __builtin_trap (); } while (0)

static void
check_components (const char *path)
{
  g_auto(GStrv) comps = dcc_path_split (path);
  guint n = 0;
  for (char **c = comps; *c; c++, n++)
    {
      CHECK (**c != '\0');
      CHECK (strchr (*c, '/') == NULL);
      CHECK (strcmp (*c, ".") != 0 && strcmp (*c, "..") != 0);
      CHECK (strlen (*c) <= DCC_MAX_NAME_LEN);
    }
  CHECK (n <= DCC_MAX_PATH_DEPTH);
}

/* The kernel's walk of dir when the symlink link leads to "/": FALSE when
 * it would step above "/" (out of the job's tree). */
static gboolean
walk_stays_inside (const char *dir, const char *link)
{
  g_auto(GStrv) comps = g_strsplit (dir, "/", -1);
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  for (char **c = comps; *c; c++)
    {
      if (**c == '\0' || strcmp (*c, ".") == 0)
        continue;
      if (strcmp (*c, "..") == 0)
        {
          if (stack->len == 0)
            return FALSE;
          g_ptr_array_set_size (stack, stack->len - 1);
          continue;
        }
      g_ptr_array_add (stack, *c);
      g_autoptr(GString) here = g_string_new (NULL);
      for (guint i = 0; i < stack->len; i++)
        g_string_append_printf (here, "/%s", (char *) stack->pdata[i]);
      if (link && strcmp (here->str, link) == 0)
        g_ptr_array_set_size (stack, 0);
    }
  return TRUE;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *bytes = (const char *) data;

  /* 1. The raw bytes as a client path (not NUL-terminated). */
  GError *error = NULL;
  gboolean ok = dcc_path_check_client (bytes, size, &error);
  CHECK (ok == (error == NULL));
  if (ok)
    {
      char *copy = g_strndup (bytes, size);
      CHECK (strlen (copy) == size);
      check_components (copy);
      /* A checked path is already normal, up to repeated '/'. */
      char *norm = dcc_path_normalize ("/", copy);
      CHECK (dcc_path_check_client (norm, strlen (norm), NULL));
      /* Canonical (what the sandbox and the result cache compare as
       * strings) is exactly "normalisation changes nothing", "/" aside. */
      CHECK (dcc_path_is_canonical_dir (copy) == (strcmp (norm, copy) == 0 && strcmp (copy, "/") != 0));
      CHECK (strcmp (norm, "/") == 0 || dcc_path_is_canonical_dir (norm));
      g_free (norm);
      g_free (copy);
    }
  else
    {
      CHECK (g_error_matches (error, DCC_ERROR, DCC_ERROR_REFUSED));
      g_clear_error (&error);
    }

  /* 2. Split at the first NUL: first part, second part. */
  const char *nul = memchr (bytes, '\0', size);
  gsize first_len = nul ? (gsize) (nul - bytes) : size;
  char *first = g_strndup (bytes, first_len);
  char *second = nul ? g_strndup (nul + 1, size - first_len - 1) : g_strdup ("");

  char *resolved = NULL;
  ok = dcc_path_check_symlink (first, second, &resolved, &error);
  CHECK (ok == (error == NULL));
  if (ok)
    {
      CHECK (resolved != NULL && resolved[0] == '/');
      CHECK (dcc_path_check_client (resolved, strlen (resolved), NULL));
      check_components (resolved);
      /* The rewritten relative form leads back to the same place. */
      char *dir = dcc_path_normalize (first, "..");
      char *rel = dcc_path_relative (dir, resolved);
      char *back = dcc_path_normalize (dir, rel);
      CHECK (strcmp (back, resolved) == 0);
      g_free (back);
      g_free (rel);
      g_free (dir);
    }
  else
    {
      CHECK (resolved == NULL);
      g_clear_error (&error);
    }
  g_free (resolved);

  /* 3. Lexical normalisation: always absolute, idempotent. */
  char *norm = dcc_path_normalize (first, second);
  CHECK (norm[0] == '/');
  char *again = dcc_path_normalize ("/", norm);
  CHECK (strcmp (norm, again) == 0);
  g_free (again);
  g_free (norm);

  /* 4. Pump mode's SYSD (first, the manifest's symlink second) and PREI. */
  GHashTable *links = g_hash_table_new (g_str_hash, g_str_equal);
  if (second[0] == '/')
    g_hash_table_add (links, second);
  ok = dcc_path_check_sysdir (first, links, &error);
  CHECK (ok == (error == NULL));
  if (ok)
    {
      CHECK (dcc_path_check_sysdir (first, NULL, NULL));
      CHECK (walk_stays_inside (first, second[0] == '/' ? second : NULL));
      char *n = dcc_path_normalize ("/", first);
      CHECK (dcc_path_check_client (n, strlen (n), NULL));
      CHECK (strstr (first, "/..") != NULL || dcc_path_is_canonical_dir (first));
      g_free (n);
    }
  else
    {
      CHECK (g_error_matches (error, DCC_ERROR, DCC_ERROR_REFUSED));
      g_clear_error (&error);
    }
  /* A path option's path, relative to the working directory /w: when
   * accepted, the kernel's walk stays inside too. */
  if (strlen (first) <= DCC_MAX_PATH_LEN && dcc_path_check_option_path ("-I", "/w", first, links, NULL))
    {
      char *joined = first[0] == '/' ? g_strdup (first) : g_strconcat ("/w/", first, NULL);
      CHECK (walk_stays_inside (joined, second[0] == '/' ? second : NULL));
      g_free (joined);
    }
  g_hash_table_unref (links);
  if (dcc_path_check_implicit_include (first, NULL))
    {
      char *abs = g_strconcat ("/", first, NULL);
      CHECK (first[0] != '-' && dcc_path_is_canonical_dir (abs));
      g_free (abs);
    }

  g_free (second);
  g_free (first);
  return 0;
}
