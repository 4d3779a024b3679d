/* Compiler identity: the pure comparison (table), and identities computed
 * from real compilers: a one-byte-patched copy of gcc is the same compiler
 * by output and a different one in strict mode; clang and gcc differ, and
 * so do two gcc of different targets. */
#include "dcc-compiler-id.h"
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define H1 "0123456789abcdef0123456789abcdef"
#define H2 "fedcba9876543210fedcba9876543210"

static void
test_compare_table (void)
{
  static const struct {
    const char *theirs, *ours, *expect;   /* expect: NULL = match, else a substring of the reason */
  } cases[] = {
    { "gcc 12.2.0 x86_64-linux-gnu ver=" H1 " mac=" H1, "gcc 12.2.0 x86_64-linux-gnu ver=" H1 " mac=" H1, NULL },
    /* the free text does not take part */
    { "gcc 12 x ver=" H1 " | gcc version 12 (A)", "gcc 12 x ver=" H1 " | gcc version 12 (B)", NULL },
    { "gcc 12.2.0 x86_64-linux-gnu mac=" H1, "gcc 12.2.0 aarch64-linux-gnu mac=" H1, "in target:" },
    { "clang 14.0.6 x mac=" H1, "gcc 12.2.0 x mac=" H2, "in kind, version:" },
    { "gcc 12 x ver=" H1, "gcc 12 x ver=" H2, "version string" },
    /* a field of ours the client lacks is a difference, not a pass */
    { "gcc 12 x ver=" H1, "gcc 12 x ver=" H1 " opt=" H1, "option defaults" },
    { "gcc 12 x ver=" H1 " opt=" H1, "gcc 12 x ver=" H1, "option defaults" },
    /* strict: binary digests compared when both have them */
    { "gcc 12 x ver=" H1 " bin-driver=" H1, "gcc 12 x ver=" H1 " bin-driver=" H2, "driver binary" },
    { "gcc 12 x ver=" H1 " bin-driver=" H1, "gcc 12 x ver=" H1 " bin-driver=" H1, NULL },
    /* a volunteer that wants strict and a client that did not send it */
    { "gcc 12 x ver=" H1, "gcc 12 x ver=" H1 " bin-driver=" H1, "requires DISTCC_COMPILER_MATCH=strict" },
    /* malformed */
    { "gcc 12", "gcc 12 x", "malformed" },
    { "gcc 12 x =oops", "gcc 12 x", "malformed" },
    { "gcc 12 x y", "gcc 12 x", "malformed" },
    { "", "gcc 12 x", "malformed" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *why = dcc_compiler_id_compare (cases[i].theirs, cases[i].ours);
      if (!cases[i].expect)
        g_assert_null (why);
      else
        {
          g_assert_nonnull (why);
          if (!strstr (why, cases[i].expect))
            g_error ("case %zu: \"%s\" lacks \"%s\"", i, why, cases[i].expect);
        }
    }
}

static char *
id_of (const char *compiler, const char *lang, gboolean strict)
{
  g_autoptr(GError) error = NULL;
  char *id = dcc_compiler_id_get (compiler, lang, NULL, strict, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

/* A copy of the real gcc driver with one byte of a message changed, in
 * DIR/bin beside DIR/lib -> /usr/lib (gcc finds its back end relative to
 * its own directory). */
static char *
patched_gcc (const char *dir)
{
  g_autofree char *bindir = g_build_filename (dir, "bin", NULL);
  g_autofree char *lib = g_build_filename (dir, "lib", NULL);
  g_assert_cmpint (g_mkdir (bindir, 0755), ==, 0);
  g_assert_cmpint (symlink ("/usr/lib", lib), ==, 0);
  g_autofree char *real = realpath ("/usr/bin/gcc", NULL);
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (real, &data, &len, NULL));
  const char *needle = "Display this information";
  char *p = memmem (data, len, needle, strlen (needle));
  g_assert_nonnull (p);
  p[0] = 'd';
  char *path = g_build_filename (bindir, "gcc", NULL);
  g_assert_true (g_file_set_contents (path, data, len, NULL));
  g_chmod (path, 0755);
  return path;
}

static void
test_live (void)
{
  if (!g_file_test ("/usr/bin/gcc", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no gcc");
      return;
    }
  g_autofree char *dir = g_dir_make_tmp ("dcc-cid-XXXXXX", NULL);
  g_autofree char *copy = patched_gcc (dir);
  g_autofree char *gcc = id_of ("/usr/bin/gcc", "c", FALSE);
  g_autofree char *gcc_copy = id_of (copy, "c", FALSE);
  g_autofree char *why = dcc_compiler_id_compare (gcc_copy, gcc);
  g_assert_null (why);
  g_test_message ("gcc: %s", gcc);

  g_autofree char *gcc_s = id_of ("/usr/bin/gcc", "c", TRUE);
  g_autofree char *copy_s = id_of (copy, "c", TRUE);
  g_autofree char *why_s = dcc_compiler_id_compare (copy_s, gcc_s);
  g_assert_nonnull (why_s);
  g_assert_nonnull (strstr (why_s, "driver binary"));

  g_autofree char *gcc_cxx = id_of ("/usr/bin/gcc", "c++", FALSE);
  g_autofree char *why_lang = dcc_compiler_id_compare (gcc_cxx, gcc);
  g_assert_nonnull (why_lang);   /* C++ predefines other macros */

  if (g_file_test ("/usr/bin/clang", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_autofree char *clang = id_of ("/usr/bin/clang", "c", FALSE);
      g_autofree char *why_c = dcc_compiler_id_compare (clang, gcc);
      g_assert_nonnull (why_c);
      g_assert_nonnull (strstr (why_c, "kind"));
    }
  if (g_file_test ("/usr/bin/aarch64-linux-gnu-gcc", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_autofree char *cross = id_of ("/usr/bin/aarch64-linux-gnu-gcc", "c", FALSE);
      g_autofree char *why_x = dcc_compiler_id_compare (cross, gcc);
      g_assert_nonnull (why_x);
      g_assert_nonnull (strstr (why_x, "target"));
    }
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* The cache: a second lookup reads the file, and is much cheaper. */
static void
test_cache (void)
{
  if (!g_file_test ("/usr/bin/gcc", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no gcc");
      return;
    }
  g_autofree char *dir = g_dir_make_tmp ("dcc-cid-cache-XXXXXX", NULL);
  gint64 t0 = g_get_monotonic_time ();
  g_autofree char *a = dcc_compiler_id_get ("/usr/bin/gcc", "c", dir, FALSE, NULL);
  gint64 t1 = g_get_monotonic_time ();
  g_autofree char *b = dcc_compiler_id_get ("/usr/bin/gcc", "c", dir, FALSE, NULL);
  gint64 t2 = g_get_monotonic_time ();
  g_assert_cmpstr (a, ==, b);
  g_test_message ("identity of gcc for C: computed in %lld us, cached read in %lld us",
                  (long long) (t1 - t0), (long long) (t2 - t1));
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (cmd), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/compiler-id/compare", test_compare_table);
  g_test_add_func ("/compiler-id/live", test_live);
  g_test_add_func ("/compiler-id/cache", test_cache);
  return g_test_run ();
}
