/* Plain mode's pure pieces: stripping predefined macros, the preprocess and
 * remote command lines, response files, the -E -v parser, and which
 * returned files the client accepts. */
#include "builtin-dirs.h"
#include "dcc-args.h"
#include "dcc-error.h"
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
  /* The option table's DCC_OPT_BUILTIN entries, with a separate value. */
  g_autoptr(DccCompileArgs) b = scan ("clang -target x86_64-linux-gnu -mavx2 -stdlib=libc++ -isysroot /i "
                                      "-nostdinc -Wall --target=aarch64-linux-gnu -ffreestanding -c a.c");
  g_auto(GStrv) g = dcc_builtin_dirs_flags (b);
  g_autofree char *t = g_strjoinv (" ", g);
  g_assert_cmpstr (t, ==, "-target x86_64-linux-gnu -stdlib=libc++ -isysroot /i -nostdinc "
                          "--target=aarch64-linux-gnu -ffreestanding");
}

/* A reply of the given status carrying the given paths (NULL-terminated). */
static DccReply *
reply_with (int status, const char *const *paths)
{
  DccReply *r = dcc_reply_new ();
  r->status = status;
  for (; *paths; paths++)
    {
      DccOutputFile *f = g_new0 (DccOutputFile, 1);
      f->path = g_strdup (*paths);
      f->data = g_bytes_new_static ("x", 1);
      g_ptr_array_add (r->files, f);
    }
  return r;
}

static void
test_outputs_expected (void)
{
  static const struct {
    const char *cmd;
    gboolean dep_remote;
    const char *want;   /* expected outputs, space-separated */
  } rows[] = {
    { "gcc -c src/a.c -o out/a.o", TRUE, "/w/out/a.o" },
    { "gcc -c a.c", TRUE, "/w/a.o" },
    { "gcc -c a.c -MD", TRUE, "/w/a.o /w/a.d" },
    { "gcc -c a.c -MD", FALSE, "/w/a.o" },
    { "gcc -c a.c -o o/a.o -MD -MF d/x.d", TRUE, "/w/o/a.o /w/d/x.d" },
    { "gcc -c a.c -Wp,-MD,.a.o.d", TRUE, "/w/a.o /w/.a.o.d" },
    { "gcc -c a.c -o b.o -fstack-usage", FALSE, "/w/b.o /w/b.su" },
    { "gcc -c a.c -o o/b.o -g -gsplit-dwarf", FALSE, "/w/o/b.o /w/o/b.dwo" },
    { "gcc -c ../a.c -o ../b.o -ftest-coverage", FALSE, "/b.o /b.gcno" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(DccCompileArgs) a = scan (rows[i].cmd);
      g_autoptr(GPtrArray) e = dcc_outputs_expected (a, "/w", rows[i].dep_remote);
      g_ptr_array_add (e, NULL);
      g_autofree char *got = g_strjoinv (" ", (char **) e->pdata);
      if (strcmp (got, rows[i].want) != 0)
        g_error ("%s: expected \"%s\", got \"%s\"", rows[i].cmd, rows[i].want, got);
    }
}

/* The client writes only what its command line names, and a success must
 * bring each of those. */
static void
test_outputs_check (void)
{
  g_autoptr(DccCompileArgs) a = scan ("gcc -c src/x.c -o out/x.o -fstack-usage");
  g_autoptr(GPtrArray) e = dcc_outputs_expected (a, "/w", TRUE);
  static const struct {
    int status;
    const char *paths[4];
    const char *error;   /* NULL: accepted */
  } rows[] = {
    { 0, { "/w/out/x.o", "/w/out/x.su", NULL }, NULL },
    { 0, { "/w/out/x.su", "/w/out/x.o", NULL }, NULL },
    { 0, { NULL }, "without the output /w/out/x.o" },
    { 0, { "/w/out/x.o", NULL }, "without the output /w/out/x.su" },
    { 1, { NULL }, NULL },                     /* a failed compile may lack them */
    { 1, { "/w/out/x.o", NULL }, NULL },
    { 0, { "/w/out/x.o", "/w/out/x.su", "/w/src/x.h" }, "does not name: /w/src/x.h" },
    { 1, { "/w/src/x.h", NULL }, "does not name: /w/src/x.h" },
    { 0, { "/w/out/x.o", "/w/out/x.su", "/w/out/x.d" }, "does not name: /w/out/x.d" },
    { 0, { "/w/out/../out/x.o", "/w/out/x.su", NULL }, "does not name: /w/out/../out/x.o" },
    { 0, { "/w/out/./x.o", "/w/out/x.su", NULL }, "does not name" },
    { 0, { "/w//out/x.o", "/w/out/x.su", NULL }, "does not name" },
    { 0, { "out/x.o", "/w/out/x.su", NULL }, "does not name" },
    { 0, { "/w/out/x.o", "/w/out/x.su", "/w/out/x.o" }, "twice" },
    { 0, { "/w/src/x.c", NULL }, "does not name" },
    { 0, { "/etc/passwd", NULL }, "does not name" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(DccReply) r = reply_with (rows[i].status, rows[i].paths);
      g_autoptr(GError) error = NULL;
      gboolean ok = dcc_outputs_check (e, r, &error);
      if (rows[i].error == NULL && !ok)
        g_error ("row %zu refused: %s", i, error->message);
      if (rows[i].error != NULL && (ok || strstr (error->message, rows[i].error) == NULL))
        g_error ("row %zu: wanted an error with \"%s\", got %s", i, rows[i].error,
                 ok ? "success" : error->message);
      if (!ok)
        g_assert_error (error, DCC_ERROR, DCC_ERROR_PROTOCOL);
    }
}

static void
test_counter_in_directive (void)
{
  static const struct { const char *text; gboolean want; } rows[] = {
    { "int x = __COUNTER__;\n", FALSE },
    { "#define U __COUNTER__\n#undef U\n", FALSE },
    { "#if __COUNTER__ > 0\n#endif\n", TRUE },
    { "  #  elif (__COUNTER__ + 1 == __COUNTER__ + 0)\n", TRUE },
    /* clang -frewrite-includes: the original directive in a disabled block */
    { "#if 0 /* disabled by -frewrite-includes */\n#if defined(__COUNTER__) && (__COUNTER__ + 1 == __COUNTER__ + 0)\n"
      "#endif\n#endif /* disabled by -frewrite-includes */\n#if 1 /* evaluated by -frewrite-includes */\n", TRUE },
    { "#if defined(X) && \\\n    __COUNTER__ > 0\n", TRUE },
    { "#define A \\\n  __COUNTER__\n#if A\n", FALSE },   /* through a macro: the #if names A */
    { "#if MY__COUNTER__ || __COUNTER__X\n", FALSE },
    { "#if __COUNTER__", TRUE },                              /* no final newline */
    { "# 1 \"__COUNTER__.h\"\n", TRUE },                     /* a line marker naming it: local, harmless */
    { "", FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    if (dcc_plain_counter_in_directive ((const guint8 *) rows[i].text, strlen (rows[i].text)) != rows[i].want)
      g_error ("row %zu: wanted %d", i, rows[i].want);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plain/strip-predefined", test_strip);
  g_test_add_func ("/plain/argv", test_cpp_and_remote_argv);
  g_test_add_func ("/plain/local-reasons", test_local_reasons);
  g_test_add_func ("/plain/counter-in-directive", test_counter_in_directive);
  g_test_add_func ("/client/response-file-split", test_response_split);
  g_test_add_func ("/client/builtin-dirs-flags", test_builtin_dirs_flags);
  g_test_add_func ("/client/outputs-expected", test_outputs_expected);
  g_test_add_func ("/client/outputs-check", test_outputs_check);
  return g_test_run ();
}
