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

/* ---- the scan's own lexer against libclang's tokens ---- */

/* A scan result as text: every include and every macro, in order. */
static char *
describe (const DccScanResult *r)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < r->includes->len; i++)
    {
      const DccScanInclude *inc = r->includes->pdata[i];
      g_string_append_printf (s, "inc %d %c %u [%s]\n", inc->kind, inc->form, inc->line, inc->name);
    }
  for (guint i = 0; i < r->macros->len; i++)
    {
      const DccScanMacro *m = r->macros->pdata[i];
      g_string_append_printf (s, "def [%s] %d [%s] [%s]\n", m->name, m->function_like,
                              m->params ? m->params : "(null)", m->body);
    }
  return g_string_free (s, FALSE);
}

/* Both scanners over data as C and as C++; the first difference, or NULL. */
static char *
compare_scanners (DccScanner *s, const char *name, const char *data, gsize len)
{
  for (int cplusplus = 0; cplusplus < 2; cplusplus++)
    {
      g_autoptr(DccScanResult) ours = NULL, ref = NULL;
      g_assert_true (dcc_scanner_scan (s, name, (const guint8 *) data, len, cplusplus, &ours, NULL));
      g_assert_true (dcc_scanner_scan_clang (s, name, (const guint8 *) data, len, cplusplus, &ref, NULL));
      g_autofree char *a = describe (ours), *b = describe (ref);
      if (!g_str_equal (a, b))
        return g_strdup_printf ("%s (%s):\n--- directive-lex\n%s--- libclang\n%s", name, cplusplus ? "C++" : "C", a, b);
    }
  return NULL;
}

/* Edge cases of the lexer: splices before and inside tokens, literals
 * left open, raw strings, digit separators, comments at the end. */
static const char *const lex_cases[] = {
  "#define X \\\nfoo\n#define Y \\\n  \"y.h\"\n#include Y\n",
  "#define A \\   \n\"a.h\"\n#inc\\\nlude \"b.h\"\n#\\\ninclude \"c.h\"\n",
  "\\\n#include \"d.h\"\n  \\\n  #include \"e.h\"\n",
  "#error don't #include \"no.h\"\n#include \"yes.h\"\n",
  "#define S \"open\n#include \"after-open.h\"\n",
  "int n = 1'000; #include \"x.h\"\n#include \"y.h\"\n#define Q 'a' \"b\" 1.5e+3 0x1p-3 .5\n",
  "auto s = R\"d(\n#include \"not.h\"\n)d\";\n#include <vector>\nauto t = u8R\"(x)\" LR\"(\n#include \"no2.h\"\n)\";\n#include \"z.h\"\n",
  "#define F(a, /* c */ b) a ## b // tail\n#define G( x ) < x >\n#define H(...) __VA_ARGS__\n",
  "#include <a//b.h> // x\n#include <a/*b*/c.h>\n#include < spaced.h >\n#include <<x.h>\n#include <:x.h>\n#include <%x.h>\n",
  "#if __has_include(<p.h>) || __has_include ( \"q.h\" ) || __has_include_next(MAC(x))\n#endif\n",
  "#define HI __has_include(<hi.h>)\n\t.incbin \"blob\"\n. incbin \"no\"\n..incbin \"x\"\n...incbin \"y\"\n",
  "/* one *\\\n/ #include \"in.h\"\n*/ #include \"out.h\"\n/*/ #include \"in2.h\" */\n",
  "// line \\\n#include \"continued.h\"\n#include \"real.h\"\n// a \\  \n#include \"c2.h\"\n",
  "#include \"a.h\"\r\n#define W \\\r\n  1\r\n// c\r\n#include \"b.h\"\r\n",
  "#include \"unterminated.h",
  "#include \"x.h\"\n// ends \\",
  "#include \"x.h\"\n/* never closed #include \"no.h\"\n",
  "#include \"x.h\"\nfoo\\",
  "#include \"x.h\"\n\"str\\",
  "#include \"x.h\"\n#define Z $a $ @b `c \\d \\u00e9\n",
  "#define E 1e\\\n+5 x.\\\n.\\\n.y a<\\\n<=b #\\\n# p\n",
  "# /* c */ include /* d */ \"cm.h\"\n#/**/define/**/M/**/1\n",
  "auto r = R\"abc(x)ab\" )abc\"; #include \"in-raw.h\"\n#include \"after-raw.h\"\nR\"bad delim\"\n#include \"k.h\"\n",
  "#include L\"wide.h\"\n#include u8\"u.h\"\nchar c = u8'x'; #define K u'a' U\"b\"\n",
  "a <: b :> <:: <::> <::: x\n#define LT <::x\n",
  "\xc2\xa0#include \"nbsp.h\"\n#define N\xc2\xa0x\n#define \xc3\xa9t\xc3\xa9 1\n",
  "#include \"nul.h\"\n#define A\0B 1\n#include \"after-nul.h\"\n",
};

static void
test_scan_lexer_cases (void)
{
  g_autoptr(DccScanner) s = dcc_scanner_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (lex_cases); i++)
    {
      gsize len = strlen (lex_cases[i]);
      if (strstr (lex_cases[i], "nul.h"))
        len = sizeof "#include \"nul.h\"\n#define A\0B 1\n#include \"after-nul.h\"\n" - 1;
      g_autofree char *name = g_strdup_printf ("case-%zu", i);
      g_autofree char *diff = compare_scanners (s, name, lex_cases[i], len);
      if (diff)
        g_error ("%s", diff);
    }
}

/* Every header of the system's include directory (or, with
 * DCC_SCAN_COMPARE=FILE, every path listed in FILE): the same scans from
 * both lexers. */
static void
test_scan_lexer_files (void)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *list = g_getenv ("DCC_SCAN_COMPARE");
  if (list)
    {
      g_autofree char *text = NULL;
      g_assert_true (g_file_get_contents (list, &text, NULL, NULL));
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i]; i++)
        if (lines[i][0])
          g_ptr_array_add (paths, g_strdup (lines[i]));
    }
  else
    {
      static const char *const dirs[] = { "/usr/include", "/usr/include/linux", "/usr/include/x86_64-linux-gnu/bits",
                                          "/usr/include/glib-2.0/glib" };
      for (gsize d = 0; d < G_N_ELEMENTS (dirs); d++)
        {
          g_autoptr(GDir) dir = g_dir_open (dirs[d], 0, NULL);
          const char *n;
          while (dir && (n = g_dir_read_name (dir)))
            if (g_str_has_suffix (n, ".h"))
              g_ptr_array_add (paths, g_build_filename (dirs[d], n, NULL));
        }
    }
  if (paths->len == 0)
    {
      g_test_skip ("no headers to compare");
      return;
    }
  g_autoptr(DccScanner) s = dcc_scanner_new ();
  guint compared = 0, differ = 0;
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *data = NULL;
      gsize len;
      if (!g_file_get_contents (paths->pdata[i], &data, &len, NULL))
        continue;
      compared++;
      g_autofree char *diff = compare_scanners (s, paths->pdata[i], data, len);
      if (diff)
        {
          differ++;
          g_printerr ("%s\n", diff);
        }
    }
  g_test_message ("%u files compared, %u differ", compared, differ);
  g_assert_cmpuint (compared, >, 0);
  g_assert_cmpuint (differ, ==, 0);
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
  g_test_add_func ("/is-scan/lexer-cases", test_scan_lexer_cases);
  g_test_add_func ("/is-scan/lexer-files", test_scan_lexer_files);
  return g_test_run ();
}
