/* Table-driven tests for client path validation (shared/dcc-path.c). */
#include "dcc-path.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include <string.h>

typedef struct {
  const char *path;
  gsize len;              /* 0: strlen (path) */
  const char *msg_part;   /* NULL: accepted; else a substring of the error */
} ClientRow;

#define GOOD(p)      { p, 0, NULL }
#define BAD(p, m)    { p, 0, m }
#define BADN(p, n, m) { p, n, m }

static const ClientRow client_rows[] = {
  GOOD ("/"),
  GOOD ("/usr/include/stdio.h"),
  GOOD ("//usr///include//"),
  GOOD ("/a/b/"),
  GOOD ("/.hidden/..x/x../.../a.b"),
  GOOD ("/caf\xc3\xa9/\xff\xfe"),       /* file names are bytes */
  GOOD ("/a b/c=d,e+f~"),              /* spaces and punctuation are fine */
  BAD ("", "empty"),
  BAD ("usr/include", "not absolute"),
  BAD ("./x", "not absolute"),
  BAD ("/../etc/passwd", "“..” component"),
  BAD ("/a/../../x", "“..” component"),
  BAD ("/a/..", "“..” component"),
  BAD ("/a/./b", "“.” component"),
  BAD ("/.", "“.” component"),
  BAD ("/a\nb", "control character 0x0a"),
  BAD ("/a\rb", "control character 0x0d"),
  BAD ("/a\x7f", "control character 0x7f"),
  BAD ("/a\x01/b", "control character 0x01"),
  BADN ("/a\0b", 4, "NUL byte at offset 2"),
  BADN ("/\0", 2, "NUL byte"),
};

static void
test_check_client_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (client_rows); i++)
    {
      const ClientRow *r = &client_rows[i];
      const char *path = r->path;
      gsize len = r->len ? r->len : strlen (path);
      g_autoptr(GError) error = NULL;
      gboolean ok = dcc_path_check_client (path, len, &error);
      g_test_message ("row %" G_GSIZE_FORMAT ": %s", i, error ? error->message : "ok");
      if (r->msg_part == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
          g_assert_nonnull (strstr (error->message, r->msg_part));
        }
    }
}

/* The length is honoured: bytes after len are never read. */
static void
test_check_client_len (void)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (dcc_path_check_client ("/ok/../bad", 3, &error));
  g_assert_no_error (error);
  g_assert_false (dcc_path_check_client ("/ok/../bad", 0, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
}

static void
test_check_client_limits (void)
{
  g_autoptr(GError) error = NULL;

  /* Exactly DCC_MAX_PATH_LEN bytes is fine, one more is refused. */
  g_autoptr(GString) s = g_string_new (NULL);
  while (s->len < DCC_MAX_PATH_LEN)
    g_string_append (s, "/abcdefghijklmno");
  g_string_truncate (s, DCC_MAX_PATH_LEN);
  g_assert_true (dcc_path_check_client (s->str, s->len, &error));
  g_assert_no_error (error);
  g_string_append_c (s, 'x');
  g_assert_false (dcc_path_check_client (s->str, s->len, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "more than"));
  g_clear_error (&error);

  /* Component length. */
  g_autofree char *name_ok = g_strnfill (DCC_MAX_NAME_LEN, 'n');
  g_autofree char *name_bad = g_strnfill (DCC_MAX_NAME_LEN + 1, 'n');
  g_autofree char *p_ok = g_strconcat ("/d/", name_ok, "/e", NULL);
  g_autofree char *p_bad = g_strconcat ("/d/", name_bad, "/e", NULL);
  g_assert_true (dcc_path_check_client (p_ok, strlen (p_ok), &error));
  g_assert_no_error (error);
  g_assert_false (dcc_path_check_client (p_bad, strlen (p_bad), &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "longer than"));
  g_clear_error (&error);

  /* Depth. */
  g_string_truncate (s, 0);
  for (guint i = 0; i < DCC_MAX_PATH_DEPTH; i++)
    g_string_append (s, "/d");
  g_assert_true (dcc_path_check_client (s->str, s->len, &error));
  g_assert_no_error (error);
  g_string_append (s, "/d");
  g_assert_false (dcc_path_check_client (s->str, s->len, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "components"));
}

typedef struct {
  const char *link;
  const char *target;
  const char *resolved;   /* NULL: refused */
} LinkRow;

static const LinkRow link_rows[] = {
  { "/a/l", "/", "/" },
  { "/a/l", "/etc", "/etc" },
  { "/a/l", "//etc//./x/../y/", "/etc/y" },
  { "/a/l", "b", "/a/b" },
  { "/a/l", ".", "/a" },
  { "/a/l", "..", "/" },
  { "/a/l", "../x", "/x" },
  { "/a/b/c/l", "../../x/./y", "/a/x/y" },
  { "/l", "x", "/x" },
  { "/l", ".", "/" },
  { "/usr/include/x86_64-linux-gnu/asm", "../asm-generic", "/usr/include/asm-generic" },
  { "/a/l", "x/../..", "/" },
  /* refused */
  { "/a/l", "../..", NULL },
  { "/a/l", "../../../../etc", NULL },
  { "/l", "..", NULL },
  { "/a/l", "/..", NULL },
  { "/a/l", "/../etc", NULL },
  { "/a/l", "x/../../..", NULL },
  { "/a/l", "", NULL },
  { "/a/l", "x\ny", NULL },
  { "/", "x", NULL },
  { "/a/../l", "x", NULL },
  { "a/l", "x", NULL },
};

static void
test_check_symlink_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (link_rows); i++)
    {
      const LinkRow *r = &link_rows[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *resolved = NULL;
      gboolean ok = dcc_path_check_symlink (r->link, r->target, &resolved, &error);
      g_test_message ("row %" G_GSIZE_FORMAT ": %s", i, error ? error->message : resolved);
      if (r->resolved)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpstr (resolved, ==, r->resolved);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
          g_assert_null (resolved);
        }
    }
}

static void
test_check_symlink_limits (void)
{
  g_autoptr(GError) error = NULL;
  /* A target that is fine on its own but resolves too deep. */
  g_autoptr(GString) link = g_string_new (NULL);
  for (guint i = 0; i < DCC_MAX_PATH_DEPTH; i++)
    g_string_append (link, "/d");
  g_assert_true (dcc_path_check_symlink (link->str, "x", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (dcc_path_check_symlink (link->str, "x/y", NULL, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
  g_clear_error (&error);

  g_autofree char *long_target = g_strnfill (DCC_MAX_PATH_LEN + 1, 'x');
  g_assert_false (dcc_path_check_symlink ("/l", long_target, NULL, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
  g_clear_error (&error);

  g_autofree char *long_name = g_strnfill (DCC_MAX_NAME_LEN + 1, 'x');
  g_assert_false (dcc_path_check_symlink ("/l", long_name, NULL, &error));
  g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
}

static const struct {
  const char *cwd, *path, *expect;
} norm_rows[] = {
  { "/home/u/src", "a.c", "/home/u/src/a.c" },
  { "/home/u/src", "./a.c", "/home/u/src/a.c" },
  { "/home/u/src", "../inc/x.h", "/home/u/inc/x.h" },
  { "/home/u/src", "/usr/include/../include/./stdio.h", "/usr/include/stdio.h" },
  { "/home/u/src/", "", "/home/u/src" },
  { "/home/u/src", ".", "/home/u/src" },
  { "/", "../../x", "/x" },
  { "/a", "..", "/" },
  { "/a//b/", "c//d/", "/a/b/c/d" },
  { NULL, "x/y", "/x/y" },
  { "rel", "x", "/rel/x" },
  { "/a", "/", "/" },
};

static void
test_normalize_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (norm_rows); i++)
    {
      g_autofree char *got = dcc_path_normalize (norm_rows[i].cwd, norm_rows[i].path);
      g_assert_cmpstr (got, ==, norm_rows[i].expect);
    }
}

static const struct {
  const char *path, *joined;   /* components joined by '|' */
} split_rows[] = {
  { "/", "" },
  { "/a", "a" },
  { "//a///b/", "a|b" },
  { "/usr/include/stdio.h", "usr|include|stdio.h" },
};

static void
test_split_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (split_rows); i++)
    {
      g_auto(GStrv) v = dcc_path_split (split_rows[i].path);
      g_autofree char *j = g_strjoinv ("|", v);
      g_assert_cmpstr (j, ==, split_rows[i].joined);
    }
}

static const struct {
  const char *dir, *path, *expect;
} rel_rows[] = {
  { "/a/b", "/a/c/d", "../c/d" },
  { "/a/b", "/a/b", "." },
  { "/a/b", "/a", ".." },
  { "/a/b", "/", "../.." },
  { "/", "/x/y", "x/y" },
  { "/", "/", "." },
  { "/a/b", "/a/b/c", "c" },
  { "/a/bc", "/a/b", "../b" },
};

static void
test_relative_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rel_rows); i++)
    {
      g_autofree char *got = dcc_path_relative (rel_rows[i].dir, rel_rows[i].path);
      g_assert_cmpstr (got, ==, rel_rows[i].expect);
      /* and it resolves back lexically */
      g_autofree char *back = dcc_path_normalize (rel_rows[i].dir, got);
      g_assert_cmpstr (back, ==, rel_rows[i].path);
    }
}

/* The sandbox and the result cache compare working directories as
 * strings: only canonical ones may be compared ("//proc" is /proc). */
static const struct { const char *path; gboolean canonical; } canon_rows[] = {
  { "/a", TRUE }, { "/a/b", TRUE }, { "/usr/src/p", TRUE }, { "/a/.b/..c", TRUE }, { "/a b/c\nd", TRUE },
  { "/", FALSE }, { "", FALSE }, { "a/b", FALSE }, { "//a", FALSE }, { "//proc/1/root/x", FALSE },
  { "/proc//1", FALSE }, { "/a/", FALSE }, { "/a/./b", FALSE }, { "/a/../b", FALSE }, { "/..", FALSE },
  { "/.", FALSE }, { "/a/..", FALSE }, { "/a/.", FALSE },
};

static void
test_canonical_dir_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (canon_rows); i++)
    g_assert_true (dcc_path_is_canonical_dir (canon_rows[i].path) == canon_rows[i].canonical);
  g_assert_false (dcc_path_is_canonical_dir (NULL));
}

/* Pump mode's builtin include dirs (SYSD): what a client's compiler prints
 * is accepted, clang++'s ".." included; anything that leaves the job's
 * tree, as a string or through a symlink of the manifest, is refused. */
/* A command-line option's path in pump mode (dcc_path_check_option_path):
 * cwd joined to a relative one; NULL msg_part: accepted. */
static const struct { const char *cwd, *path, *symlink, *msg_part; } option_path_rows[] = {
  { "/home/u/src", "include", NULL, NULL },
  { "/home/u/src", "../include", NULL, NULL },
  { "/home/u/src", "./inc/", NULL, NULL },
  { "/home/u/src", "..//..//..", NULL, NULL },                 /* "/": the tree's root */
  { "/home/u/src", "/usr/include", NULL, NULL },
  { "/home/u/src", "/usr/bin/../lib/gcc/x/12/../../../../include", NULL, NULL },
  { "/home/u/src", "../../../..", NULL, "climbs above" },
  { "/home/u/src", "../../../../usr/include", NULL, "climbs above" },
  { "/", "..", NULL, "climbs above" },
  { "/home/u/src", "/../../usr/include", NULL, "climbs above" },
  { "/home/u/src", "/./../usr/include", NULL, "climbs above" },
  { "/home/u/src", "/l/l/l/../../../usr/include", "/l", "out of the symlink" },
  { "/home/u/src", "l/../..", "/home/u/src/l", "out of the symlink" },
  { "/home/u/src", "l/x", "/home/u/src/l", NULL },             /* a link followed, not stepped back out of */
  { "/home/u/src", "../l2/../x", "/home/u/src/l", NULL },
};

static void
test_check_option_path_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (option_path_rows); i++)
    {
      g_autoptr(GHashTable) links = g_hash_table_new (g_str_hash, g_str_equal);
      if (option_path_rows[i].symlink)
        g_hash_table_add (links, (char *) option_path_rows[i].symlink);
      g_autoptr(GError) error = NULL;
      gboolean ok = dcc_path_check_option_path ("-I", option_path_rows[i].cwd, option_path_rows[i].path, links, &error);
      if (option_path_rows[i].msg_part == NULL)
        {
          if (!ok)
            g_error ("row %zu (%s): refused: %s", i, option_path_rows[i].path, error->message);
        }
      else
        {
          if (ok)
            g_error ("row %zu (%s): accepted", i, option_path_rows[i].path);
          g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
          g_assert_nonnull (strstr (error->message, option_path_rows[i].msg_part));
          g_assert_nonnull (strstr (error->message, "-I path"));
        }
    }
  g_assert_false (dcc_path_check_option_path ("-I", NULL, "x", NULL, NULL));
  g_assert_false (dcc_path_check_option_path ("-I", "rel", "x", NULL, NULL));
  g_assert_true (dcc_path_check_option_path ("-I", NULL, "/x", NULL, NULL));
}

static const struct { const char *dir; const char *symlink; const char *msg_part; } sysdir_rows[] = {
  { "/usr/include", NULL, NULL },
  { "/usr/lib/gcc/x86_64-linux-gnu/12/include", NULL, NULL },
  { "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12", NULL, NULL },
  { "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12", "/usr/include", NULL },
  { "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12", "/usr/include/c++", NULL },
  { "/usr/..", NULL, NULL },
  { "/a/..b/c..", NULL, NULL },
  { "/l/x", "/l", NULL },                /* through a symlink, never stepping back out of it */
  { "/a/b/../c", "/a/c", NULL },
  { "/..", NULL, "climbs above" },
  { "/../../usr/include", NULL, "climbs above" },
  { "/usr/../../usr/include", NULL, "climbs above" },
  { "/l/l/l/../../../usr/include", "/l", "out of the symlink “/l”" },
  { "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include", "/usr/bin", "out of the symlink “/usr/bin”" },
  { "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include", "/usr/lib/gcc", "out of the symlink" },
  { "/w/d/up/d/up/../../../../usr/include", "/w/d/up", "out of the symlink" },
  { "/", NULL, "canonical form" },
  { "", NULL, "not an absolute" },
  { "usr/include", NULL, "not an absolute" },
  { "//usr/include", NULL, "canonical form" },
  { "/usr//include", NULL, "canonical form" },
  { "/usr/./include", NULL, "canonical form" },
  { "/usr/include/", NULL, "canonical form" },
  { "/usr/include/.", NULL, "canonical form" },
  { "/usr/include\n", NULL, "control character 0x0a" },
};

static void
test_check_sysdir_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (sysdir_rows); i++)
    {
      g_autoptr(GHashTable) links = g_hash_table_new (g_str_hash, g_str_equal);
      if (sysdir_rows[i].symlink)
        g_hash_table_add (links, (char *) sysdir_rows[i].symlink);
      g_autoptr(GError) error = NULL;
      gboolean ok = dcc_path_check_sysdir (sysdir_rows[i].dir, links, &error);
      g_test_message ("row %" G_GSIZE_FORMAT ": %s", i, error ? error->message : "ok");
      if (sysdir_rows[i].msg_part == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, DCC_ERROR, DCC_ERROR_REFUSED);
          g_assert_nonnull (strstr (error->message, sysdir_rows[i].msg_part));
        }
      /* Before the manifest is known only the string is checked. */
      if (sysdir_rows[i].symlink && sysdir_rows[i].msg_part)
        g_assert_true (dcc_path_check_sysdir (sysdir_rows[i].dir, NULL, NULL));
    }
  g_autofree char *deep = g_strnfill (DCC_MAX_PATH_LEN + 1, 'x');
  deep[0] = '/';
  g_assert_false (dcc_path_check_sysdir (deep, NULL, NULL));
}

/* Pump mode's implicit includes (PREI): a relative canonical name. */
static const struct { const char *name; gboolean ok; } implicit_rows[] = {
  { "stdc-predef.h", TRUE }, { "bits/predefs.h", TRUE }, { "a..b/c..", TRUE }, { "..x", TRUE },
  { "", FALSE }, { "/stdc-predef.h", FALSE }, { "-fplugin=x.so", FALSE }, { "../x.h", FALSE },
  { "a/../x.h", FALSE }, { "..", FALSE }, { "./x.h", FALSE }, { "a//b.h", FALSE }, { "a/", FALSE },
  { ".", FALSE }, { "a/.", FALSE }, { "a\nb", FALSE }, { "a\x7f", FALSE },
};

static void
test_check_implicit_include_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (implicit_rows); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = dcc_path_check_implicit_include (implicit_rows[i].name, &error);
      g_test_message ("row %" G_GSIZE_FORMAT ": %s", i, error ? error->message : "ok");
      g_assert_true (ok == implicit_rows[i].ok);
      g_assert_true (ok || g_error_matches (error, DCC_ERROR, DCC_ERROR_REFUSED));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/path/check-client/table", test_check_client_table);
  g_test_add_func ("/path/check-client/len", test_check_client_len);
  g_test_add_func ("/path/check-client/limits", test_check_client_limits);
  g_test_add_func ("/path/check-symlink/table", test_check_symlink_table);
  g_test_add_func ("/path/check-symlink/limits", test_check_symlink_limits);
  g_test_add_func ("/path/normalize/table", test_normalize_table);
  g_test_add_func ("/path/split/table", test_split_table);
  g_test_add_func ("/path/relative/table", test_relative_table);
  g_test_add_func ("/path/canonical-dir/table", test_canonical_dir_table);
  g_test_add_func ("/path/check-sysdir/table", test_check_sysdir_table);
  g_test_add_func ("/path/check-option-path/table", test_check_option_path_table);
  g_test_add_func ("/path/check-implicit-include/table", test_check_implicit_include_table);
  return g_test_run ();
}
