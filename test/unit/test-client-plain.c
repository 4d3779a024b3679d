/* Plain mode's pure pieces: stripping predefined macros, the preprocess and
 * remote command lines, response files, the -E -v parser, and which
 * returned files the client accepts. */
#include "builtin-dirs.h"
#include "dcc-args.h"
#include "outputs.h"
#include "plain-mode.h"
#include "response-file.h"
#include <string.h>

static DccCompileArgs *
scan (const char *cmd)
{
  g_auto(GStrv) argv = g_strsplit (cmd, " ", -1);
  DccCompileArgs *a = NULL;
  g_autofree char *why = NULL;
  if (!dcc_args_scan ((const char *const *) argv, &a, &why))
    g_error ("%s: local: %s", cmd, why);
  return a;
}

static void
test_strip (void)
{
  const char *in =
    "# 0 \"a.c\"\n# 0 \"<built-in>\"\n#define __STDC__ 1\n# 0 \"<command-line>\"\n#define FOO 1\n#undef BAR\n"
    "# 1 \"a.c\"\n#define KEEP 2\nint x = KEEP;\n";
  const char *want =
    "# 0 \"a.c\"\n# 0 \"<built-in>\"\n# 0 \"<command-line>\"\n# 1 \"a.c\"\n#define KEEP 2\nint x = KEEP;\n";
  g_autoptr(GBytes) out = dcc_plain_strip_predefined ((const guint8 *) in, strlen (in));
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), want, strlen (want));
  /* No trailing newline, and an empty input. */
  g_autoptr(GBytes) e = dcc_plain_strip_predefined ((const guint8 *) "int y;", 6);
  g_assert_cmpuint (g_bytes_get_size (e), ==, 6);
  g_autoptr(GBytes) z = dcc_plain_strip_predefined ((const guint8 *) "", 0);
  g_assert_cmpuint (g_bytes_get_size (z), ==, 0);
}

static void
test_cpp_and_remote_argv (void)
{
  static const struct { const char *cmd; gboolean clang; const char *cpp; const char *remote; } rows[] = {
    { "gcc -c -O2 -Iinc a.c -o a.o", FALSE,
      "gcc -O2 -Iinc a.c -E -fdirectives-only", "gcc -nostdinc -c -O2 a.c -o a.o" },
    { "gcc -c -MD -I inc -isystem sys a.c -o out/a.o", FALSE,
      "gcc -MD -I inc -isystem sys a.c -E -fdirectives-only -MF out/a.d -MQ out/a.o",
      "gcc -nostdinc -c a.c -o out/a.o" },
    { "gcc -c -MD -MF x.d -MT t a.c -o a.o", FALSE,
      "gcc -MD -MF x.d -MT t a.c -E -fdirectives-only", "gcc -nostdinc -c a.c -o a.o" },
    { "gcc -Wp,-MMD,.a.o.d -include cfg.h -DX=1 -c a.c -o a.o", FALSE,
      "gcc -Wp,-MMD,.a.o.d -include cfg.h -DX=1 a.c -E -fdirectives-only", "gcc -nostdinc -DX=1 -c a.c -o a.o" },
    { "clang -c a.c -o a.o", TRUE, "clang a.c -E -frewrite-includes", "clang -nostdinc -c a.c -o a.o" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(DccCompileArgs) a = scan (rows[i].cmd);
      g_auto(GStrv) cpp = dcc_plain_cpp_argv (a, rows[i].clang);
      g_auto(GStrv) remote = dcc_plain_remote_argv (a);
      g_autofree char *cpp_s = g_strjoinv (" ", cpp);
      g_autofree char *remote_s = g_strjoinv (" ", remote);
      g_assert_cmpstr (cpp_s, ==, rows[i].cpp);
      g_assert_cmpstr (remote_s, ==, rows[i].remote);
    }
}

static void
test_local_reasons (void)
{
  g_autoptr(DccCompileArgs) g = scan ("clang -g -c a.c");
  g_assert_nonnull (dcc_plain_local_reason (g, TRUE));
  g_autoptr(DccCompileArgs) gg = scan ("gcc -g -c a.c");
  g_assert_null (dcc_plain_local_reason (gg, FALSE));
}

static void
test_response_split (void)
{
  const char *text = "-DA=1 'two words' \"q\\\"x\" back\\ slash\n-c";
  g_auto(GStrv) w = dcc_response_file_split (text, strlen (text));
  g_assert_cmpuint (g_strv_length (w), ==, 5);
  g_assert_cmpstr (w[1], ==, "two words");
  g_assert_cmpstr (w[2], ==, "q\"x");
  g_assert_cmpstr (w[3], ==, "back slash");
}

static void
test_builtin_dirs_flags (void)
{
  g_autoptr(DccCompileArgs) a = scan ("gcc -m32 -O2 -Iinc --sysroot=/sr -c a.c");
  g_auto(GStrv) f = dcc_builtin_dirs_flags (a);
  g_autofree char *s = g_strjoinv (" ", f);
  g_assert_cmpstr (s, ==, "-m32 --sysroot=/sr");
}

static void
test_outputs_allowed (void)
{
  g_autoptr(DccCompileArgs) a = scan ("gcc -c src/a.c -o out/a.o");
  static const struct { const char *path; gboolean ok; } rows[] = {
    { "/w/out/a.o", TRUE }, { "/w/out/a.su", TRUE }, { "/w/out/a.gcno", TRUE }, { "/w/a.i", TRUE },
    { "/w/src/a.c", FALSE }, { "/etc/passwd", FALSE }, { "/w/out/../../etc/x", FALSE },
    { "/w/out/b.o", FALSE }, { "out/a.o", FALSE }, { "/w/.bashrc", FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    if (dcc_outputs_path_allowed (a, "/w", rows[i].path) != rows[i].ok)
      g_error ("%s should be %s", rows[i].path, rows[i].ok ? "allowed" : "refused");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plain/strip-predefined", test_strip);
  g_test_add_func ("/plain/argv", test_cpp_and_remote_argv);
  g_test_add_func ("/plain/local-reasons", test_local_reasons);
  g_test_add_func ("/client/response-file-split", test_response_split);
  g_test_add_func ("/client/builtin-dirs-flags", test_builtin_dirs_flags);
  g_test_add_func ("/client/outputs-allowed", test_outputs_allowed);
  return g_test_run ();
}
