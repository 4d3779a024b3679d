/* Command-line scanning and `-E -v` search list parsing. */
#include "compiler-info.h"
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static char *
joined (GPtrArray *a)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < a->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", (char *) a->pdata[i]);
  return g_string_free (s, FALSE);
}

/* cmd (space-separated) scanned; it must be accepted. */
static DccIsCompileArgs *
scan_ok (const char *cmd)
{
  g_auto(GStrv) argv = g_strsplit (cmd, " ", -1);
  DccIsCompileArgs *a = NULL;
  g_autoptr(GError) error = NULL;
  if (!dcc_is_compile_args_scan ((const char *const *) argv, &a, &error))
    g_error ("refused: %s: %s", cmd, error->message);
  return a;
}

static void
test_args_scan (void)
{
  static const struct {
    const char *cmd;           /* space-separated argv */
    const char *source, *lang, *search, *forced, *defines;
    gboolean no_predef, preprocessed;
  } cases[] = {
    { "gcc -c -O2 x.c -o x.o", "x.c", "c", "", "", "", FALSE, FALSE },
    { "gcc -Iinc -I inc2 -isystem/s -iquote q -DA=1 -U B -c x.cc", "x.cc", "c++",
      "-Iinc -I inc2 -isystem/s -iquote q", "", "-DA=1 -UB", FALSE, FALSE },
    { "gcc -include a.h -imacros b.h -x c++ y.c -c", "y.c", "c++", "", "a.h b.h", "", FALSE, FALSE },
    { "gcc -nostdinc -m32 -std=gnu11 -Wp,-MMD,d.d -MD -MF x.d -c k.c", "k.c", "c",
      "-nostdinc -m32 -std=gnu11", "", "", TRUE, FALSE },
    { "cc -ffreestanding -c a.S", "a.S", "assembler-with-cpp", "-ffreestanding", "", "", TRUE, FALSE },
    { "cc -c a.i", "a.i", "cpp-output", "", "", "", FALSE, TRUE },
    { "cc -undef -c a.c", "a.c", "c", "", "", "", FALSE, FALSE },
    { "cc --sysroot=/r -c a.c", "a.c", "c", "--sysroot=/r", "", "", FALSE, FALSE },
    /* From the option table in dcc-args: values the server once read as a
     * second input, and a -mllvm value no longer taken into the search flags. */
    { "clang -mllvm -inline-threshold=9 -c a.c", "a.c", "c", "", "", "", FALSE, FALSE },
    { "gcc -iwithsysroot /w -u sym -T l.ld -c a.c", "a.c", "c", "-iwithsysroot /w", "", "", FALSE, FALSE },
    { "clang -gcc-toolchain /t --gcc-toolchain=/u -c a.c", "a.c", "c", "-gcc-toolchain /t --gcc-toolchain=/u", "", "", FALSE, FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DccIsCompileArgs) a = scan_ok (cases[i].cmd);
      g_assert_cmpstr (a->source, ==, cases[i].source);
      g_assert_cmpstr (a->lang, ==, cases[i].lang);
      g_autofree char *s = joined (a->search_flags), *f = joined (a->forced_includes), *d = joined (a->defines);
      g_assert_cmpstr (s, ==, cases[i].search);
      g_assert_cmpstr (f, ==, cases[i].forced);
      g_assert_cmpstr (d, ==, cases[i].defines);
      g_assert_cmpint (a->no_std_predef, ==, cases[i].no_predef);
      g_assert_cmpint (a->preprocessed, ==, cases[i].preprocessed);
    }
}

/* Which arguments go to the search-path run and which only to the
 * predefined-macro run, by the option table's classes; and the language of
 * a file by its suffix. */
static void
test_args_runs (void)
{
  static const struct {
    const char *cmd;
    const char *lang, *search, *predef;
    gboolean preprocessed;
  } cases[] = {
    { "g++ -Wpedantic -Wall -g -pedantic -O2 -pipe -save-temps -c a.cc -o a.o", "c++", "",
      "-Wpedantic -pedantic -O2", FALSE },
    { "clang -stdlib=libc++ --target=x86_64-linux-gnu -nostdlibinc -pthread -ansi -march=native "
      "-Wp,-DX -Wp,-MF,d -Wl,-z,now -Wa,-g -fdiagnostics-color -c a.cc", "c++",
      "-stdlib=libc++ --target=x86_64-linux-gnu -nostdlibinc -pthread -ansi -march=native -Wp,-DX",
      "-stdlib=libc++ --target=x86_64-linux-gnu -nostdlibinc -pthread -ansi -march=native -Wp,-DX", FALSE },
    { "cc -c a.mii", "objective-c++-cpp-output", "", "", TRUE },
    { "cc -x objc++-cpp-output -c a.c", "objc++-cpp-output", "", "", TRUE },
    { "cc -c a.s", "assembler", "", "", TRUE },
    { "cc -c a.hpp", "c++-header", "", "", FALSE },
    { "cc -c a.h", "c-header", "", "", FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DccIsCompileArgs) a = scan_ok (cases[i].cmd);
      g_autofree char *s = joined (a->search_flags), *p = joined (a->predef_flags);
      g_assert_cmpstr (a->lang, ==, cases[i].lang);
      g_assert_cmpstr (s, ==, cases[i].search);
      g_assert_cmpstr (p, ==, cases[i].predef);
      g_assert_cmpint (a->preprocessed, ==, cases[i].preprocessed);
    }
}

static void
test_args_refused (void)
{
  static const char *const cmds[] = {
    "gcc -c a.c b.c", "gcc -c", "gcc @args", "gcc -c - ", "clang -fmodules -c a.c",
    "clang -ivfsoverlay v.yaml -c a.c", "gcc -c a.unknown", "gcc -c -I",
    "clang -include-pch p.pch -c a.c", "gcc -specs=s -c a.c", "gcc --specs=s -c a.c",
    "clang -fmodules-cache-path=m -c a.c", "gcc -fplugin=p.so -c a.c", "gcc -c a.c -mllvm",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cmds); i++)
    {
      g_auto(GStrv) argv = g_strsplit (cmds[i], " ", -1);
      g_autoptr(DccIsCompileArgs) a = NULL;
      g_autoptr(GError) error = NULL;
      if (dcc_is_compile_args_scan ((const char *const *) argv, &a, &error))
        g_error ("accepted: %s", cmds[i]);
      g_assert_nonnull (error);
    }
}

static const char gcc_output[] =
  "Using built-in specs.\n"
  "ignoring nonexistent directory \"/usr/local/include/x86_64-linux-gnu\"\n"
  "#include \"...\" search starts here:\n"
  " q\n"
  "#include <...> search starts here:\n"
  " inc/\n"
  " /usr/lib/gcc/x86_64-linux-gnu/12/include\n"
  " /usr/include\n"
  " /System/Library/Frameworks (framework directory)\n"
  "End of search list.\n"
  " /after/end\n";

static void
test_search_path_parse (void)
{
  static const char pp[] = "# 0 \"/dev/null\"\n# 0 \"<built-in>\"\n# 1 \"/usr/include/stdc-predef.h\" 1 3 4\n# 0 \"<command-line>\" 2\n";
  g_autoptr(DccSearchPath) sp = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true (dcc_search_path_parse (gcc_output, pp, "/w", &sp, &error));
  g_assert_cmpuint (sp->n_quote, ==, 1);
  g_assert_cmpstr (sp->quote_dirs[0], ==, "/w/q");
  g_assert_cmpuint (sp->n_angled, ==, 3);
  g_assert_cmpstr (sp->angled_dirs[0], ==, "/w/inc");
  g_assert_cmpstr (sp->angled_dirs[2], ==, "/usr/include");
  g_assert_cmpstr (sp->implicit_includes[0], ==, "/usr/include/stdc-predef.h");
  g_assert_null (sp->implicit_includes[1]);

  g_autoptr(DccSearchPath) none = NULL;
  g_assert_false (dcc_search_path_parse ("gcc: error\n", NULL, "/w", &none, &error));
  g_assert_nonnull (error);
}

/* The compiler run for the search path: in the compile's directory, under
 * LC_ALL=C, stdin empty, stdout and stderr read together (each far past a
 * pipe's buffer: reading one to its end first would deadlock), a failure
 * reported with its message. */
static void
test_search_path_run (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dcc-is-compiler-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *work = g_build_filename (dir, "work", NULL);
  g_assert_cmpint (g_mkdir (work, 0755), ==, 0);
  g_autofree char *cc = g_build_filename (dir, "fake-cc", NULL);
  static const char script[] =
    "#!/bin/sh\n"
    "[ \"$LC_ALL\" = C ] || { echo 'not LC_ALL=C' >&2; exit 7; }\n"
    "[ -z \"$(cat)\" ] || { echo 'stdin not empty' >&2; exit 8; }\n"
    "i=0; while [ $i -lt 3000 ]; do\n"
    "  echo '# junk line of the preprocessor output, long enough to fill a pipe ............'\n"
    "  echo 'ignoring a line on stderr, long enough to fill the other pipe ..................' >&2\n"
    "  i=$((i + 1)); done\n"
    "echo '#include \"...\" search starts here:' >&2\n"
    "echo ' q' >&2\n"
    "echo '#include <...> search starts here:' >&2\n"
    "echo \" $(pwd -P)/inc\" >&2\n"
    "echo 'End of search list.' >&2\n";
  g_assert_true (g_file_set_contents (cc, script, -1, &error));
  g_assert_cmpint (g_chmod (cc, 0755), ==, 0);
  g_autoptr(DccIsCompileArgs) a = scan_ok ("cc -Iinc -c x.c");
  g_autofree char *real_work = realpath (work, NULL);
  g_autoptr(DccSearchPath) sp = dcc_compiler_search_path (cc, a, work, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sp);
  g_assert_cmpuint (sp->n_quote, ==, 1);
  g_autofree char *q = g_build_filename (work, "q", NULL);
  g_assert_cmpstr (sp->quote_dirs[0], ==, q);
  g_assert_cmpuint (sp->n_angled, ==, 1);
  g_autofree char *inc = g_build_filename (real_work, "inc", NULL);
  g_assert_cmpstr (sp->angled_dirs[0], ==, inc);

  g_autofree char *bad = g_build_filename (dir, "bad-cc", NULL);
  g_assert_true (g_file_set_contents (bad, "#!/bin/sh\necho 'cc1: fatal error: no such target' >&2\nexit 1\n", -1, &error));
  g_assert_cmpint (g_chmod (bad, 0755), ==, 0);
  g_autoptr(DccSearchPath) none = dcc_compiler_search_path (bad, a, work, &error);
  g_assert_null (none);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "no such target"));
  g_clear_error (&error);
  g_autofree char *gone = g_build_filename (dir, "gone", NULL);
  g_autoptr(DccSearchPath) none2 = dcc_compiler_search_path (cc, a, gone, &error);
  g_assert_null (none2);
  g_assert_nonnull (error);

  g_unlink (cc);
  g_unlink (bad);
  g_rmdir (work);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/is-compiler/args-scan", test_args_scan);
  g_test_add_func ("/is-compiler/args-runs", test_args_runs);
  g_test_add_func ("/is-compiler/args-refused", test_args_refused);
  g_test_add_func ("/is-compiler/search-path-parse", test_search_path_parse);
  g_test_add_func ("/is-compiler/search-path-run", test_search_path_run);
  return g_test_run ();
}
