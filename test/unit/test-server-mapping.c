/* The volunteer's command-line mapping into a job tree, and the unmapping
 * of paths in its messages. */
#include "compile-job.h"
#include "depfile.h"
#include "text-digest.h"
#include <string.h>

static void
test_map_argv (void)
{
  static const struct { const char *in; int src, out; const char *want; } rows[] = {
    { "gcc -c a.c -o a.o", 2, 4, "/usr/bin/gcc -fdebug-prefix-map=/R= -fmacro-prefix-map=/R= -c a.c -o a.o" },
    { "gcc -c /s/a.c -o /o/a.o", 2, 4, "/usr/bin/gcc -fdebug-prefix-map=/R= -fmacro-prefix-map=/R= -c /R/s/a.c -o /R/o/a.o" },
    { "gcc -c -I/inc -I /inc2 -isystem/sys -DX=/not/a/path a.c", 6, -1,
      "/usr/bin/gcc -fdebug-prefix-map=/R= -fmacro-prefix-map=/R= -c -I/R/inc -I /R/inc2 -isystem/R/sys -DX=/not/a/path a.c" },
    { "gcc -c -MT /t.o -MF /d/a.d a.c", 6, -1, "/usr/bin/gcc -fdebug-prefix-map=/R= -fmacro-prefix-map=/R= -c -MT /t.o -MF /R/d/a.d a.c" },
    { "gcc -c -fdebug-prefix-map=/src=/x a.c", 3, -1,
      "/usr/bin/gcc -fdebug-prefix-map=/R= -fmacro-prefix-map=/R= -c -fdebug-prefix-map=/src=/x a.c -fdebug-prefix-map=/R/src=/x" },
    { "gcc -c -Wp,-MD,/d/.a.d a.c -o/o/a.o", 3, 4,
      "/usr/bin/gcc -fdebug-prefix-map=/R= -fmacro-prefix-map=/R= -c -Wp,-MD,/R/d/.a.d a.c -o/R/o/a.o" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_auto(GStrv) argv = g_strsplit (rows[i].in, " ", -1);
      g_auto(GStrv) out = dcc_job_map_argv ("/R", "/usr/bin/gcc", (const char *const *) argv,
                                                    rows[i].src, rows[i].out, NULL, 0, NULL, 0);
      g_autofree char *s = g_strjoinv (" ", out);
      g_assert_cmpstr (s, ==, rows[i].want);
    }
  const char *sys[] = { "/usr/include", NULL };
  g_auto(GStrv) argv = g_strsplit ("gcc -c a.c", " ", -1);
  g_auto(GStrv) out = dcc_job_map_argv ("/R", "/usr/bin/gcc", (const char *const *) argv, 2, -1, sys, 1, NULL, 0);
  g_autofree char *s = g_strjoinv (" ", out);
  g_assert_cmpstr (s, ==, "/usr/bin/gcc -fdebug-prefix-map=/R= -fmacro-prefix-map=/R= -c a.c -nostdinc -isystem/R/usr/include");
  /* clang's extern-C system dirs keep their kind (the 4 of "1 3 4") */
  const char *csys[] = { "/usr/include/c++/12", "/usr/lib/llvm-14/lib/clang/14.0.6/include",
                         "/usr/local/include", "/usr/include/x86_64-linux-gnu", "/usr/include", NULL };
  g_auto(GStrv) cout = dcc_job_map_argv ("/R", "/usr/bin/clang++-14", (const char *const *) argv, 2, -1,
                                                 csys, 5, NULL, 0);
  g_autofree char *cs = g_strjoinv (" ", cout);
  g_assert_cmpstr (cs, ==, "/usr/bin/clang++-14 -fdebug-prefix-map=/R= -fmacro-prefix-map=/R= -c a.c -nostdinc"
                   " -isystem/R/usr/include/c++/12 -isystem/R/usr/lib/llvm-14/lib/clang/14.0.6/include"
                   " -isystem/R/usr/local/include"
                   " -Xclang -internal-externc-isystem -Xclang /R/usr/include/x86_64-linux-gnu"
                   " -Xclang -internal-externc-isystem -Xclang /R/usr/include");
  g_auto(GStrv) gout = dcc_job_map_argv ("/R", "/usr/bin/gcc", (const char *const *) argv, 2, -1,
                                                 csys, 5, NULL, 0);
  g_autofree char *gs = g_strjoinv (" ", gout);
  g_assert_null (strstr (gs, "-Xclang"));
  /* gcc: C++-aware dirs to *_INCLUDE_PATH, the leading others -isystem,
   * the rest -idirafter, before the user's first "after" dir */
  const char *gsys[] = { "/usr/include/c++/12", "/usr/include/x86_64-linux-gnu/c++/12",
                         "/usr/include/c++/12/backward", "/usr/lib/gcc/x86_64-linux-gnu/12/include",
                         "/usr/local/include", "/usr/include/x86_64-linux-gnu", "/usr/include", NULL };
  g_auto(GStrv) xargv = g_strsplit ("g++ -c a.cc -isystem /s -idirafter /a -iwithprefix w", " ", -1);
  g_auto(GStrv) xout = dcc_job_map_argv ("/R", "/usr/bin/g++", (const char *const *) xargv, 2, -1,
                                                 gsys, 7, NULL, 0);
  g_autofree char *xs = g_strjoinv (" ", xout);
  g_assert_cmpstr (xs, ==, "/usr/bin/g++ -fdebug-prefix-map=/R= -fmacro-prefix-map=/R= -c a.cc -isystem /R/s"
                   " -idirafter/R/usr/lib/gcc/x86_64-linux-gnu/12/include -idirafter/R/usr/local/include"
                   " -idirafter/R/usr/include/x86_64-linux-gnu -idirafter/R/usr/include"
                   " -idirafter /R/a -iwithprefix w -nostdinc");
  g_autofree char *xenv = dcc_job_gcc_env_dirs ("/R", "/usr/bin/g++", gsys, 7);
  g_assert_cmpstr (xenv, ==, "/R/usr/include/c++/12:/R/usr/include/x86_64-linux-gnu/c++/12:/R/usr/include/c++/12/backward");
  g_assert_null (dcc_job_gcc_env_dirs ("/R", "/usr/bin/clang++", gsys, 7));
  /* C: gcc's dir -isystem, /usr/local/include in the environment, the rest
   * -idirafter at the end when no user option is an "after" one */
  g_auto(GStrv) cargv = g_strsplit ("gcc -c a.c -iwithprefixbefore b", " ", -1);
  g_auto(GStrv) c2out = dcc_job_map_argv ("/R", "/usr/bin/gcc", (const char *const *) cargv, 2, -1,
                                                  gsys + 3, 4, NULL, 0);
  g_autofree char *c2s = g_strjoinv (" ", c2out);
  g_assert_cmpstr (c2s, ==, "/usr/bin/gcc -fdebug-prefix-map=/R= -fmacro-prefix-map=/R= -c a.c -iwithprefixbefore b"
                   " -nostdinc -isystem/R/usr/lib/gcc/x86_64-linux-gnu/12/include"
                   " -idirafter/R/usr/include/x86_64-linux-gnu -idirafter/R/usr/include");
  g_autofree char *c2env = dcc_job_gcc_env_dirs ("/R", "/usr/bin/gcc", gsys + 3, 4);
  g_assert_cmpstr (c2env, ==, "/R/usr/local/include");
  g_assert_true (dcc_job_gcc_cxx_aware_dir ("/usr/local/include/x86_64-linux-gnu"));
  g_assert_true (dcc_job_gcc_cxx_aware_dir ("/opt/gcc-13/include/c++/13.2.0"));
  g_assert_false (dcc_job_gcc_cxx_aware_dir ("/usr/local/include/a/b"));
  g_assert_false (dcc_job_gcc_cxx_aware_dir ("/usr/include/x86_64-linux-gnu"));
  g_assert_false (dcc_job_gcc_cxx_aware_dir ("/usr/lib/gcc/x86_64-linux-gnu/12/include"));
  g_assert_true (dcc_job_clang_externc_dir ("/include"));
  g_assert_true (dcc_job_clang_externc_dir ("/usr/include/aarch64-linux-gnu"));
  g_assert_false (dcc_job_clang_externc_dir ("/usr/include/c++"));
  g_assert_false (dcc_job_clang_externc_dir ("/usr/include/x86_64-linux-gnu/c++/12"));
  g_assert_false (dcc_job_clang_externc_dir ("/usr/local/include"));
  g_assert_false (dcc_job_clang_externc_dir ("/usr/include/"));
}

static void
test_unmap (void)
{
  const char *root = "/tmp/distccd-X/job-Y";
  const char *in = "/tmp/distccd-X/job-Y/home/u/a.c:1:2: warning\nIn file included from /tmp/distccd-X/job-Y/usr/include/x.h\n";
  const char *want = "/home/u/a.c:1:2: warning\nIn file included from /usr/include/x.h\n";
  g_autoptr(GBytes) out = dcc_job_unmap_text (root, (const guint8 *) in, strlen (in));
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), want, strlen (want));
}

static void
test_depfile_rewrap (void)
{
  /* What gcc 12 writes for these names (72 columns), and a job-tree
   * version of it wrapped differently: rewrapping must give gcc's. */
  const char *gcc =
    "dd/some/deeper/directory/name/obj.o: d.c /usr/include/stdc-predef.h \\\n"
    " /usr/include/stdio.h\n/usr/include/stdio.h:\n";
  const char *job =
    "dd/some/deeper/directory/name/obj.o: d.c \\\n /usr/include/stdc-predef.h \\\n"
    " /usr/include/stdio.h\n/usr/include/stdio.h:\n";
  g_autoptr(GBytes) out = dcc_depfile_rewrap ((const guint8 *) job, strlen (job), FALSE);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), gcc, strlen (gcc));
  g_autoptr(GBytes) same = dcc_depfile_rewrap ((const guint8 *) gcc, strlen (gcc), FALSE);
  g_assert_cmpmem (g_bytes_get_data (same, NULL), g_bytes_get_size (same), gcc, strlen (gcc));
  /* Not a rule: left alone. */
  g_autoptr(GBytes) odd = dcc_depfile_rewrap ((const guint8 *) "garbage", 7, TRUE);
  g_assert_cmpuint (g_bytes_get_size (odd), ==, 7);
}

static void
test_depfile_unmap (void)
{
  /* gcc 12 with -MT 'first target with spaces.o' -MT second.o and
   * absolute headers: the job tree's file, and what gcc writes locally.
   * The targets keep gcc's wrapping (a space inside a target is no place
   * to break); the dependencies are re-wrapped. */
  const char *root = "/tmp/distccd-X/slots/tree-0";
  const char *job =
    "first target with spaces.o second.o: src/a.c \\\n"
    " /tmp/distccd-X/slots/tree-0/usr/include/stdc-predef.h \\\n"
    " /tmp/distccd-X/slots/tree-0/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h\n"
    "/tmp/distccd-X/slots/tree-0/usr/include/stdc-predef.h:\n";
  const char *want =
    "first target with spaces.o second.o: src/a.c /usr/include/stdc-predef.h \\\n"
    " /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h\n"
    "/usr/include/stdc-predef.h:\n";
  g_autoptr(GBytes) out = dcc_depfile_unmap (root, (const guint8 *) job, strlen (job), FALSE);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), want, strlen (want));
  /* A target holding ':' (-MQ 'x:y') is not the rule's colon. */
  const char *colon_job = "x:y: /tmp/distccd-X/slots/tree-0/usr/include/a.h\n";
  const char *colon_want = "x:y: /usr/include/a.h\n";
  g_autoptr(GBytes) c = dcc_depfile_unmap (root, (const guint8 *) colon_job, strlen (colon_job), TRUE);
  g_assert_cmpmem (g_bytes_get_data (c, NULL), g_bytes_get_size (c), colon_want, strlen (colon_want));
}

static void
test_root_markers (void)
{
  const char *text = "# 0 \"/home/u/a.c\"\n# 0 \"<built-in>\"\n# 1 \"/home/u/a.c\"\n"
                     "# 1 \"/home/u/a.h\" 1\nint x;\n# 2 \"/home/u/a.c\" 2\n\"/home/u/a.c\"\n";
  const char *want = "# 0 \"/R/home/u/a.c\"\n# 0 \"<built-in>\"\n# 1 \"/R/home/u/a.c\"\n"
                     "# 1 \"/home/u/a.h\" 1\nint x;\n# 2 \"/R/home/u/a.c\" 2\n\"/home/u/a.c\"\n";
  g_autoptr(GBytes) out = dcc_job_root_markers ((const guint8 *) text, strlen (text), "/home/u/a.c", "/R");
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), want, strlen (want));
}

static void
test_text_digests (void)
{
  /* a .i line as the volunteer compiled it, and as it is returned */
  const char *compiled = "# 1 \"/R/usr/include/x.h\" 1 3 4\n";
  g_autoptr(GBytes) returned = dcc_job_unmap_text ("/R", (const guint8 *) compiled, strlen (compiled));
  g_autofree char *from = g_compute_checksum_for_string (G_CHECKSUM_MD5, compiled, -1);
  g_autofree char *to = g_compute_checksum_for_data (G_CHECKSUM_MD5, g_bytes_get_data (returned, NULL),
                                                     g_bytes_get_size (returned));
  g_autoptr(DccTextDigests) d = dcc_text_digests_new ();
  g_assert_true (dcc_text_digests_empty (d));
  /* the same text twice: nothing to rewrite */
  dcc_text_digests_add (d, (const guint8 *) "x", 1, (const guint8 *) "x", 1);
  g_assert_true (dcc_text_digests_empty (d));
  dcc_text_digests_add (d, (const guint8 *) compiled, strlen (compiled), g_bytes_get_data (returned, NULL),
                        g_bytes_get_size (returned));
  g_assert_false (dcc_text_digests_empty (d));
  /* hex, as in a .s directive and .bc metadata, twice in one file */
  g_autofree char *s = g_strdup_printf ("\t.file 0 \"/d\" \"a.c\" md5 0x%s\n%s.", from, from);
  g_autofree char *want = g_strdup_printf ("\t.file 0 \"/d\" \"a.c\" md5 0x%s\n%s.", to, to);
  g_autoptr(GBytes) out = dcc_text_digests_apply (d, (const guint8 *) s, strlen (s));
  g_assert_nonnull (out);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), want, strlen (want));
  /* raw bytes, as in a DWARF line table */
  guint8 raw[20] = { 0xAA, 0xBB }, raw_want[20] = { 0xAA, 0xBB };
  for (int i = 0; i < 16; i++)
    {
      raw[2 + i] = (guint8) g_ascii_xdigit_value (from[2 * i]) << 4 | (guint8) g_ascii_xdigit_value (from[2 * i + 1]);
      raw_want[2 + i] = (guint8) g_ascii_xdigit_value (to[2 * i]) << 4 | (guint8) g_ascii_xdigit_value (to[2 * i + 1]);
    }
  g_autoptr(GBytes) out2 = dcc_text_digests_apply (d, raw, sizeof raw);
  g_assert_nonnull (out2);
  g_assert_cmpmem (g_bytes_get_data (out2, NULL), g_bytes_get_size (out2), raw_want, sizeof raw_want);
  /* none there: NULL; shorter than a digest: NULL */
  g_assert_null (dcc_text_digests_apply (d, (const guint8 *) "no digest in here at all, none", 30));
  g_assert_null (dcc_text_digests_apply (d, (const guint8 *) "x", 1));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/job/map-argv", test_map_argv);
  g_test_add_func ("/job/unmap-text", test_unmap);
  g_test_add_func ("/job/depfile-rewrap", test_depfile_rewrap);
  g_test_add_func ("/job/depfile-unmap", test_depfile_unmap);
  g_test_add_func ("/job/root-markers", test_root_markers);
  g_test_add_func ("/job/text-digests", test_text_digests);
  return g_test_run ();
}
