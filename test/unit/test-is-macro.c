/* The computed-include macro expander (includeserver/macro-expand.c):
 * object-like and function-like macros, #, ##, variadics, rescanning, every
 * definition tried, and the Linux kernel's TRACE_INCLUDE chain. */
#include "macro-expand.h"
#include <string.h>

/* name -> GPtrArray of DccScanMacro* (borrowed from owned) */
static GHashTable *
table_from (const char *defines, GPtrArray **owned)
{
  *owned = dcc_macro_parse_defines (defines);
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < (*owned)->len; i++)
    {
      DccScanMacro *m = (*owned)->pdata[i];
      GPtrArray *list = g_hash_table_lookup (t, m->name);
      if (!list)
        g_hash_table_insert (t, m->name, list = g_ptr_array_new ());
      g_ptr_array_add (list, m);
    }
  return t;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The results, sorted and joined by "|", or NULL if expansion failed. */
static char *
expand (const char *defines, const char *tokens)
{
  g_autoptr(GPtrArray) owned = NULL;
  g_autoptr(GHashTable) table = table_from (defines, &owned);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (out, g_strdup ("sentinel"));
  if (!dcc_macro_expand_include (tokens, table, out))
    {
      g_assert_cmpuint (out->len, ==, 1);   /* untouched on failure */
      return NULL;
    }
  g_ptr_array_remove_index (out, 0);
  g_ptr_array_sort (out, compare_strings);
  g_ptr_array_add (out, NULL);
  return g_strjoinv ("|", (char **) out->pdata);
}

static const char kernel[] =
  /* include/linux/stringify.h */
  "#define __stringify_1(x...) #x\n"
  "#define __stringify(x...) __stringify_1(x)\n"
  /* include/trace/define_trace.h, both branches */
  "#define TRACE_INCLUDE_FILE TRACE_SYSTEM\n"
  "#define __TRACE_INCLUDE(system) <trace/events/system.h>\n"
  "#define __TRACE_INCLUDE(system) __stringify(TRACE_INCLUDE_PATH/system.h)\n"
  "#define TRACE_INCLUDE(system) __TRACE_INCLUDE(system)\n"
  /* two event headers */
  "#define TRACE_SYSTEM sched\n"
  "#define TRACE_SYSTEM writeback\n";

static const char kernel_path[] =
  "#define __stringify_1(x...) #x\n"
  "#define __stringify(x...) __stringify_1(x)\n"
  "#define __TRACE_INCLUDE(system) __stringify(TRACE_INCLUDE_PATH/system.h)\n"
  "#define TRACE_INCLUDE(system) __TRACE_INCLUDE(system)\n"
  "#define TRACE_INCLUDE_PATH ../../fs/xfs\n"
  "#define TRACE_INCLUDE_FILE xfs_trace\n";

static const char common[] =
  "#define STR(x) #x\n"
  "#define XSTR(x) STR(x)\n"
  "#define STRV(...) #__VA_ARGS__\n"
  "#define NAME foo\n"
  "#define CAT(a, b) a ## b\n"
  "#define HDR_foo \"foo.h\"\n"
  "#define SYS(x) <sys/x.h>\n"
  "#define SP(x) < x . h >\n"
  "#define LST(a, ...) STRV(a , ## __VA_ARGS__)\n"
  "#define H \"a.h\"\n"
  "#define H <b.h>\n"
  "#define LOOP LOOP\n"
  "#define REC(x) REC(x)\n"
  "#define FN STR\n"
  "#define D dir\n"
  "#define E(x) <x/e.h>\n"
  "#define EMPTY\n"
  "#define Q(x) #x\n"
  "#define LIT(x) STR(x)\n"
  "#define TWO(a, b) <a/b.h>\n"
  "#define HDR \"computed.h\" trailing tokens\n";

typedef struct {
  const char *defines;
  const char *tokens;
  const char *want;   /* sorted results joined by "|"; NULL: cannot expand */
} Case;

static const Case cases[] = {
  { common, "\"plain.h\"", "\"plain.h" },
  { common, "< spaced.h >", "<spaced.h" },
  { common, "HDR", "\"computed.h" },                      /* trailing tokens: gcc warns only */
  { common, "STR(a/b.h)", "\"a/b.h" },
  { common, "STR(NAME.h)", "\"NAME.h" },                  /* # does not pre-expand */
  { common, "XSTR(NAME.h)", "\"NAME.h|\"foo.h" },         /* NAME may be undefined there */
  { common, "CAT(HDR_, foo)", "\"foo.h" },
  { common, "SYS(types)", "<sys/types.h" },
  { common, "SP(a)", "<a . h|<a.h" },                     /* spaced, and without spaces */
  { common, "LST(x)", "\"x" },                            /* , ## empty __VA_ARGS__ */
  { common, "LST(x, y)", "\"x ,y" },
  { common, "STRV(a, b.h)", "\"a, b.h" },
  { common, "H", "\"a.h|<b.h" },                          /* every definition */
  { common, "FN(x.h)", "\"x.h" },                         /* rescanning meets the ( */
  { common, "E(D)", "<D/e.h|<dir/e.h" },
  { common, "EMPTY \"e.h\"", "\"e.h" },
  { common, "Q(\"q.h\")", "\"\\\"q.h\\\"" },              /* # escapes quotes */
  { common, "TWO(x, y)", "<x/y.h" },
  { common, "LOOP", NULL },
  { common, "REC(a.h)", NULL },
  { common, "UNDEFINED", NULL },
  { common, "STR", NULL },                                /* function-like without ( */
  { common, "STR(unterminated", NULL },
  { common, "TWO(x)", NULL },                             /* wrong argument count */
  { common, "", NULL },
  { kernel, "TRACE_INCLUDE(TRACE_INCLUDE_FILE)",
    "\"TRACE_INCLUDE_PATH/TRACE_INCLUDE_FILE.h|\"TRACE_INCLUDE_PATH/TRACE_SYSTEM.h"
    "|\"TRACE_INCLUDE_PATH/sched.h|\"TRACE_INCLUDE_PATH/writeback.h"
    "|<trace/events/TRACE_INCLUDE_FILE.h|<trace/events/TRACE_SYSTEM.h"
    "|<trace/events/sched.h|<trace/events/writeback.h" },
  { kernel_path, "TRACE_INCLUDE(TRACE_INCLUDE_FILE)",
    "\"../../fs/xfs/TRACE_INCLUDE_FILE.h|\"../../fs/xfs/xfs_trace.h"
    "|\"TRACE_INCLUDE_PATH/TRACE_INCLUDE_FILE.h|\"TRACE_INCLUDE_PATH/xfs_trace.h" },
};

static void
test_cases (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = expand (cases[i].defines, cases[i].tokens);
      if (g_strcmp0 (got, cases[i].want) != 0)
        g_error ("case %" G_GSIZE_FORMAT " (%s): got %s, want %s", i, cases[i].tokens,
                 got ? got : "(fail)", cases[i].want ? cases[i].want : "(fail)");
    }
}

/* Thirteen independent two-definition macros: 3^13 combinations. */
static void
test_limits (void)
{
  g_autoptr(GString) defs = g_string_new (NULL);
  g_autoptr(GString) tokens = g_string_new ("<");
  for (int i = 0; i < 13; i++)
    {
      g_string_append_printf (defs, "#define A%d a%d\n#define A%d b%d\n", i, i, i, i);
      g_string_append_printf (tokens, "%sA%d", i ? "/" : "", i);
    }
  g_string_append (tokens, ".h>");
  g_autofree char *got = expand (defs->str, tokens->str);
  g_assert_null (got);

  /* Exponential growth is cut by the token bounds. */
  g_autoptr(GString) grow = g_string_new (NULL);
  for (int i = 0; i < 20; i++)
    g_string_append_printf (grow, "#define G%d G%d G%d\n", i, i + 1, i + 1);
  g_autofree char *grown = expand (grow->str, "G0");
  g_assert_null (grown);
}

static void
test_parse (void)
{
  g_autoptr(GPtrArray) defs = dcc_macro_parse_defines (
      "#define __x86_64__ 1\n"
      "#define F(a, b...) a ## b\n"
      "#define EMPTY\n"
      "junk\n"
      "#define (bad)\n");
  g_assert_cmpuint (defs->len, ==, 3);
  DccScanMacro *f = defs->pdata[1];
  g_assert_cmpstr (f->name, ==, "F");
  g_assert_true (f->function_like);
  g_assert_cmpstr (f->params, ==, "a, b...");
  g_assert_cmpstr (f->body, ==, "a ## b");
  g_assert_cmpstr (((DccScanMacro *) defs->pdata[2])->body, ==, "");

  static const struct { const char *arg, *name, *params, *body; } cl[] = {
    { "X", "X", NULL, "1" }, { "X=", "X", NULL, "" }, { "HDR=\"a.h\"", "HDR", NULL, "\"a.h\"" },
    { "F(a)=<a.h>", "F", "a", "<a.h>" }, { "1X", NULL, NULL, NULL }, { "X-1", NULL, NULL, NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cl); i++)
    {
      g_autoptr(DccScanMacro) m = dcc_macro_from_cmdline (cl[i].arg);
      if (!cl[i].name)
        {
          g_assert_null (m);
          continue;
        }
      g_assert_nonnull (m);
      g_assert_cmpstr (m->name, ==, cl[i].name);
      g_assert_cmpstr (m->params, ==, cl[i].params);
      g_assert_cmpstr (m->body, ==, cl[i].body);
      g_assert_true (m->function_like == (cl[i].params != NULL));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/is-macro/cases", test_cases);
  g_test_add_func ("/is-macro/limits", test_limits);
  g_test_add_func ("/is-macro/parse", test_parse);
  return g_test_run ();
}
