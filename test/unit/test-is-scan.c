/* libclang header scans (every branch, computed includes, __has_include)
 * and the expansion of computed include names. */
#include "clang-scan.h"
#include "closure.h"
#include <string.h>

static const char tricky[] =
  "#ifndef X\n"
  "#define X 0\n"
  "#endif\n"
  "#if X\n"
  "#include \"x.h\"\n"               /* in a branch clang could decide: still listed */
  "#endif\n"
  "#if 0\n"
  "# include <sys/a//b.h> // comment\n"
  "#endif\n"
  "#include_next <next.h>\n"
  "#import \"imp.h\"\n"
  "#define HDR \"computed.h\"\n"
  "#define LONG \\\n   \"long.h\"\n"
  "#define F(x) #x\n"
  "#include HDR\n"
  "#if __has_include(<hi.h>) && __has_include_next(\"hn.h\")\n"
  "#endif\n"
  "/* #include \"incomment.h\" */\n"
  "  #  include   \"spaced.h\"\n"
  "#define A 'x // unterminated\n"
  "#include \"after.h\"\n"
  "x = a # include \"notadirective.h\"\n";

static void
test_scan_tricky (void)
{
  static const struct { DccScanKind kind; char form; const char *name; } want[] = {
    { DCC_SCAN_INCLUDE, '"', "x.h" },
    { DCC_SCAN_INCLUDE, '<', "sys/a//b.h" },
    { DCC_SCAN_INCLUDE_NEXT, '<', "next.h" },
    { DCC_SCAN_INCLUDE, '"', "imp.h" },
    { DCC_SCAN_INCLUDE, 'm', "HDR" },
    { DCC_SCAN_HAS_INCLUDE, '<', "hi.h" },
    { DCC_SCAN_HAS_INCLUDE_NEXT, '"', "hn.h" },
    { DCC_SCAN_INCLUDE, '"', "spaced.h" },
    { DCC_SCAN_INCLUDE, '"', "after.h" },
  };
  g_autoptr(DccScanner) s = dcc_scanner_new ();
  g_autoptr(DccScanResult) r = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true (dcc_scanner_scan (s, "/nonexistent/tricky.h", (const guint8 *) tricky, strlen (tricky),
                                   FALSE, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r->includes->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      const DccScanInclude *inc = r->includes->pdata[i];
      g_assert_cmpint (inc->kind, ==, want[i].kind);
      g_assert_cmpint (inc->form, ==, want[i].form);
      g_assert_cmpstr (inc->name, ==, want[i].name);
    }
  g_autoptr(GHashTable) byname = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < r->macros->len; i++)
    {
      DccScanMacro *m = r->macros->pdata[i];
      g_hash_table_insert (byname, m->name, m);
    }
  DccScanMacro *m = g_hash_table_lookup (byname, "LONG");
  g_assert_nonnull (m);
  g_assert_cmpstr (m->body, ==, "\"long.h\"");
  m = g_hash_table_lookup (byname, "F");
  g_assert_true (m->function_like);
  g_assert_false (((DccScanMacro *) g_hash_table_lookup (byname, "HDR"))->function_like);
}

static void
test_scan_cplusplus (void)
{
  /* A raw string must not hide the include after it in C++ mode. */
  static const char src[] = "auto s = R\"(\n#include \"not.h\"\n)\";\n#include <vector>\nint n = 1'000;\n#include \"y.h\"\n";
  g_autoptr(DccScanner) s = dcc_scanner_new ();
  g_autoptr(DccScanResult) r = NULL;
  g_assert_true (dcc_scanner_scan (s, "/nonexistent/a.cc", (const guint8 *) src, strlen (src), TRUE, &r, NULL));
  g_assert_cmpuint (r->includes->len, ==, 2);
  g_assert_cmpstr (((DccScanInclude *) r->includes->pdata[0])->name, ==, "vector");
  g_assert_cmpstr (((DccScanInclude *) r->includes->pdata[1])->name, ==, "y.h");
}

static void
test_scan_comment_before_directive (void)
{
  /* Comments are white space: a directive may follow them on its line,
   * also one that spans lines (gcc and clang both include a.h, b.h and
   * c.h here), but not code before such a comment. */
  static const char src[] = "/* SPDX */ #include \"a.h\"\n"
                            "/* one\n two */ /* more */ #include \"b.h\"\n"
                            "  /* x */#include \"c.h\"\n"
                            "int q; /* y\n */ #include \"not1.h\"\n"
                            "int r; /* z */ #include \"not2.h\"\n"
                            "#define X /* w\n */ 1\n"
                            "#include \"after.h\"\n";
  static const char *const want[] = { "a.h", "b.h", "c.h", "after.h" };
  g_autoptr(DccScanner) s = dcc_scanner_new ();
  g_autoptr(DccScanResult) r = NULL;
  g_assert_true (dcc_scanner_scan (s, "/nonexistent/c.h", (const guint8 *) src, strlen (src), FALSE, &r, NULL));
  g_assert_cmpuint (r->includes->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    g_assert_cmpstr (((DccScanInclude *) r->includes->pdata[i])->name, ==, want[i]);
}

static void
test_scan_incbin (void)
{
  /* .incbin in assembler; not in a string, not with a space after the dot,
   * not with escapes in its name (those stay unfollowed). */
  static const char src[] = "\t.incbin \"data/blob.bin\"\n"
                            "msg: .ascii \".incbin \\\"no.bin\\\"\"\n"
                            "\t. incbin \"spaced.bin\"\n"
                            "\t.incbin \"esc\\\\aped.bin\"\n"
                            "#include \"after.h\"\n";
  g_autoptr(DccScanner) s = dcc_scanner_new ();
  g_autoptr(DccScanResult) r = NULL;
  g_assert_true (dcc_scanner_scan (s, "/nonexistent/a.S", (const guint8 *) src, strlen (src), FALSE, &r, NULL));
  g_assert_cmpuint (r->includes->len, ==, 2);
  const DccScanInclude *bin = r->includes->pdata[0];
  g_assert_cmpint (bin->kind, ==, DCC_SCAN_INCBIN);
  g_assert_cmpstr (bin->name, ==, "data/blob.bin");
  g_assert_cmpuint (bin->line, ==, 1);
  g_assert_cmpstr (((DccScanInclude *) r->includes->pdata[1])->name, ==, "after.h");
}

static DccScanMacro *
macro (const char *name, const char *body, gboolean fn)
{
  DccScanMacro *m = g_new0 (DccScanMacro, 1);
  m->name = g_strdup (name);
  m->body = g_strdup (body);
  m->function_like = fn;
  return m;
}

static void
macro_free (DccScanMacro *m)
{
  g_free (m->name);
  g_free (m->body);
  g_free (m);
}

static void
test_expand (void)
{
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func ((GDestroyNotify) macro_free);
  g_autoptr(GHashTable) macros = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) g_ptr_array_unref);
  static const char *const defs[][3] = {
    { "A", "\"a.h\"", "" }, { "B", "<b/c.h>", "" }, { "C", "A", "" }, { "TWO", "\"one.h\"", "" },
    { "TWO", "B", "" }, { "FN", "\"f.h\"", "fn" }, { "COMPOUND", "A B", "" }, { "LOOP", "LOOP", "" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (defs); i++)
    {
      DccScanMacro *m = macro (defs[i][0], defs[i][1], defs[i][2][0] != '\0');
      g_ptr_array_add (owned, m);
      GPtrArray *list = g_hash_table_lookup (macros, m->name);
      if (!list)
        g_hash_table_insert (macros, m->name, list = g_ptr_array_new ());
      g_ptr_array_add (list, m);
    }
  static const struct { const char *tokens; const char *want; } cases[] = {
    { "\"x.h\"", "\"x.h" }, { "< y.h >", "<y.h" }, { "A", "\"a.h" }, { "B", "<b/c.h" },
    { "C", "\"a.h" }, { "TWO", "\"one.h <b/c.h" },
    { "FN", NULL }, { "COMPOUND", "\"a.h" }, { "UNDEFINED", NULL }, { "LOOP", NULL }, { "F(x)", NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
      gboolean ok = dcc_closure_expand_computed (cases[i].tokens, macros, out);
      if (!cases[i].want)
        {
          g_assert_false (ok);
          continue;
        }
      g_assert_true (ok);
      g_ptr_array_add (out, NULL);
      g_autofree char *joined = g_strjoinv (" ", (char **) out->pdata);
      g_assert_cmpstr (joined, ==, cases[i].want);
    }
}

/* A scanner reuses one libclang unit per language: results must not depend
 * on what it scanned before, and lines and line starts come from the bytes. */
static const char lines_src[] =
  "#include \"one.h\"\n"
  "x \\\n"
  " #include \"spliced-not-directive.h\"\n"
  "/* c */ #include \"after-comment.h\"\n"
  "\t\f#  include <tabbed.h>\n"
  "\n"
  "#include \"six.h\"\n"
  "/* unterminated #include \"in-comment.h\"\n";

static void
expect_lines_src (const DccScanResult *r)
{
  g_assert_cmpuint (r->includes->len, ==, 4);
  static const struct { const char *name; guint line; } want[] = {
    { "one.h", 1 }, { "after-comment.h", 4 }, { "tabbed.h", 5 }, { "six.h", 7 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      const DccScanInclude *inc = r->includes->pdata[i];
      g_assert_cmpstr (inc->name, ==, want[i].name);
      g_assert_cmpuint (inc->line, ==, want[i].line);
    }
}

static void
test_scan_reused (void)
{
  g_autoptr(DccScanner) s = dcc_scanner_new ();
  for (int round = 0; round < 3; round++)
    for (int cplusplus = 0; cplusplus < 2; cplusplus++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(DccScanResult) a = NULL, b = NULL;
        g_assert_true (dcc_scanner_scan (s, "/x/lines.h", (const guint8 *) lines_src, strlen (lines_src),
                                         cplusplus, &a, &error));
        expect_lines_src (a);
        g_assert_true (dcc_scanner_scan (s, "/x/tricky.h", (const guint8 *) tricky, strlen (tricky),
                                         cplusplus, &b, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (b->includes->len, ==, 9);
        g_autoptr(DccScanResult) empty = NULL;
        g_assert_true (dcc_scanner_scan (s, "/x/empty.h", (const guint8 *) "", 0, cplusplus, &empty, &error));
        g_assert_cmpuint (empty->includes->len, ==, 0);
      }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/is-scan/tricky", test_scan_tricky);
  g_test_add_func ("/is-scan/reused", test_scan_reused);
  g_test_add_func ("/is-scan/cplusplus", test_scan_cplusplus);
  g_test_add_func ("/is-scan/incbin", test_scan_incbin);
  g_test_add_func ("/is-scan/comment-before-directive", test_scan_comment_before_directive);
  g_test_add_func ("/is-scan/expand", test_expand);
  return g_test_run ();
}
