/* Tests for the volunteer's result cache (server/result-cache.c): the key
 * changes with every component it covers and with nothing else, the rules
 * that keep results out, the stored-reply check, and save/lookup through a
 * real store (eviction, stale names). */
#include "result-cache.h"
#include "result-cwd.h"
#include "file-store.h"
#include "dcc-limits.h"
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the key ---- */

typedef struct {
  DccRequest *req;
  char *compiler;
  char *compiler_id;
  GStrv env;
  char *path;
} KeyCase;

static DccEntry *
entry (DccEntryKind kind, const char *path, const char *content, const char *target)
{
  DccEntry *e = g_new0 (DccEntry, 1);
  e->kind = kind;
  e->mode = kind == DCC_ENTRY_FILE ? 0644 : 0755;
  e->path = g_strdup (path);
  e->target = g_strdup (target ? target : "");
  if (kind == DCC_ENTRY_FILE)
    {
      e->size = strlen (content);
      dcc_hash_bytes (content, e->size, &e->hash);
    }
  return e;
}

static void
key_case_init (KeyCase *k, DccMode mode)
{
  const char *argv[] = { "x86_64-linux-gnu-gcc", "-c", "-O2", "-g", "a.c", "-o", "a.o", NULL };
  k->req = dcc_request_new ();
  k->req->mode = mode;
  for (const char *const *a = argv; *a; a++)
    g_ptr_array_add (k->req->argv, g_strdup (*a));
  g_ptr_array_add (k->req->argv, NULL);
  k->req->cwd = g_strdup ("/home/u/p");
  g_ptr_array_add (k->req->sysdirs, g_strdup ("/usr/include"));
  g_ptr_array_add (k->req->preincludes, g_strdup ("stdc-predef.h"));
  if (mode == DCC_MODE_PLAIN)
    {
      k->req->source_name = g_strdup ("a.c");
      k->req->source_text = g_bytes_new_static ("int a;\n", 7);
    }
  else
    {
      k->req->manifest = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
      g_ptr_array_add (k->req->manifest, entry (DCC_ENTRY_DIR, "/home/u/p", NULL, NULL));
      g_ptr_array_add (k->req->manifest, entry (DCC_ENTRY_FILE, "/home/u/p/a.c", "#include \"deep.h\"\nint a;\n", NULL));
      g_ptr_array_add (k->req->manifest, entry (DCC_ENTRY_FILE, "/home/u/p/deep.h", "#define D 1\n", NULL));
      g_ptr_array_add (k->req->manifest, entry (DCC_ENTRY_SYMLINK, "/home/u/p/l.h", NULL, "deep.h"));
    }
  k->compiler = g_strdup ("/usr/bin/x86_64-linux-gnu-gcc-12");
  k->compiler_id = g_strdup ("gcc 12.2.0 x86_64-linux-gnu ver=aa cfg=bb mac=cc opt=dd | gcc version 12.2.0");
  k->env = g_strsplit ("LANG=C SOURCE_DATE_EPOCH=1700000000", " ", -1);
  k->path = g_strdup ("/usr/bin:/bin");
}

static void
key_case_clear (KeyCase *k)
{
  dcc_request_free (k->req);
  g_free (k->compiler);
  g_free (k->compiler_id);
  g_strfreev (k->env);
  g_free (k->path);
}

static void
key_of (KeyCase *k, DccHash *key)
{
  DccResultKeyInput in = {
    .req = k->req, .compiler = k->compiler, .compiler_id = k->compiler_id,
    .env = (const char *const *) k->env, .daemon_path = k->path,
  };
  dcc_result_key (&in, key);
}

static void
set_arg (KeyCase *k, guint i, const char *v)
{
  g_free (k->req->argv->pdata[i]);
  k->req->argv->pdata[i] = g_strdup (v);
}

static DccEntry *
man (KeyCase *k, guint i)
{
  return k->req->manifest->pdata[i];
}

typedef void (*Mutate) (KeyCase *k);
static void m_option (KeyCase *k) { set_arg (k, 2, "-O1"); }
static void m_output (KeyCase *k) { set_arg (k, 6, "b.o"); }
static void m_argv0 (KeyCase *k) { set_arg (k, 0, "x86_64-linux-gnu-g++"); }
static void m_extra_arg (KeyCase *k) { g_ptr_array_insert (k->req->argv, 3, g_strdup ("-DX")); }
static void m_split_arg (KeyCase *k) { set_arg (k, 2, "-O2 -g"); g_ptr_array_remove_index (k->req->argv, 3); }
static void m_cwd (KeyCase *k) { g_free (k->req->cwd); k->req->cwd = g_strdup ("/home/v/p"); }
static void m_env_value (KeyCase *k) { g_free (k->env[1]); k->env[1] = g_strdup ("SOURCE_DATE_EPOCH=1700000001"); }
static void m_env_gone (KeyCase *k) { g_free (k->env[1]); k->env[1] = NULL; }
static void m_compiler_id (KeyCase *k) { k->compiler_id[strlen ("gcc 12.2.0 x86_64-linux-gnu ver=a")] = 'X'; }
static void m_compiler_path (KeyCase *k) { g_free (k->compiler); k->compiler = g_strdup ("/opt/gcc/bin/gcc"); }
static void m_daemon_path (KeyCase *k) { g_free (k->path); k->path = g_strdup ("/opt/bin:/usr/bin:/bin"); }
static void m_sysdir (KeyCase *k) { g_ptr_array_add (k->req->sysdirs, g_strdup ("/usr/local/include")); }
static void m_preinclude (KeyCase *k) { g_ptr_array_set_size (k->req->preincludes, 0); }
static void m_mode (KeyCase *k) { k->req->mode = k->req->mode == DCC_MODE_PUMP ? DCC_MODE_PLAIN : DCC_MODE_PUMP; }
static void m_deep_byte (KeyCase *k) { man (k, 2)->hash.bytes[15] ^= 1; }
static void m_deep_size (KeyCase *k) { man (k, 2)->size++; }
static void m_deep_path (KeyCase *k) { g_free (man (k, 2)->path); man (k, 2)->path = g_strdup ("/home/u/p/deep2.h"); }
static void m_file_mode (KeyCase *k) { man (k, 2)->mode = 0755; }
static void m_link_target (KeyCase *k) { g_free (man (k, 3)->target); man (k, 3)->target = g_strdup ("a.c"); }
static void m_entry_gone (KeyCase *k) { g_ptr_array_remove_index (k->req->manifest, 3); }
static void m_kind (KeyCase *k) { man (k, 3)->kind = DCC_ENTRY_DIR; }
static void m_text (KeyCase *k) { g_bytes_unref (k->req->source_text); k->req->source_text = g_bytes_new_static ("int b;\n", 7); }
static void m_source_name (KeyCase *k) { g_free (k->req->source_name); k->req->source_name = g_strdup ("./a.c"); }

static const struct { const char *name; Mutate m; gboolean pump_only, plain_only; } mutations[] = {
  { "option", m_option }, { "output", m_output }, { "compiler name", m_argv0 }, { "extra argument", m_extra_arg },
  { "two arguments as one", m_split_arg }, { "working directory", m_cwd }, { "variable's value", m_env_value },
  { "variable unset", m_env_gone }, { "compiler identity", m_compiler_id }, { "compiler path", m_compiler_path },
  { "daemon PATH", m_daemon_path }, { "builtin dir", m_sysdir }, { "pre-include", m_preinclude }, { "mode", m_mode },
  { "deep header byte", m_deep_byte, TRUE }, { "deep header size", m_deep_size, TRUE },
  { "deep header path", m_deep_path, TRUE }, { "file mode", m_file_mode, TRUE },
  { "symlink target", m_link_target, TRUE }, { "entry removed", m_entry_gone, TRUE }, { "entry kind", m_kind, TRUE },
  { "preprocessed text", m_text, FALSE, TRUE }, { "source name", m_source_name, FALSE, TRUE },
};

static void
test_key_components (void)
{
  for (DccMode mode = DCC_MODE_PLAIN; mode <= DCC_MODE_PUMP; mode++)
    {
      KeyCase base, same;
      DccHash kb, ks;
      key_case_init (&base, mode);
      key_case_init (&same, mode);
      key_of (&base, &kb);
      key_of (&same, &ks);
      g_assert_true (dcc_hash_equal (&kb, &ks));
      key_case_clear (&same);
      for (gsize i = 0; i < G_N_ELEMENTS (mutations); i++)
        {
          if ((mutations[i].pump_only && mode != DCC_MODE_PUMP) || (mutations[i].plain_only && mode != DCC_MODE_PLAIN))
            continue;
          KeyCase k;
          DccHash kk;
          key_case_init (&k, mode);
          mutations[i].m (&k);
          if (mutations[i].m == m_mode && mode == DCC_MODE_PLAIN)
            k.req->manifest = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
          key_of (&k, &kk);
          if (dcc_hash_equal (&kb, &kk))
            g_error ("%s mode: the key does not change with the %s", mode == DCC_MODE_PUMP ? "pump" : "plain",
                     mutations[i].name);
          key_case_clear (&k);
        }
      key_case_clear (&base);
    }
}

/* ---- the working directory (result-cwd.c) ---- */

/* The base request moved to another directory: every path under the
 * working directory moved with it. */
static void
move_to (KeyCase *k, const char *cwd)
{
  const char *old = "/home/u/p";
  for (guint i = 0; k->req->manifest && i < k->req->manifest->len; i++)
    {
      DccEntry *e = man (k, i);
      if (g_str_has_prefix (e->path, old))
        {
          char *n = g_strconcat (cwd, e->path + strlen (old), NULL);
          g_free (e->path);
          e->path = n;
        }
    }
  g_free (k->req->cwd);
  k->req->cwd = g_strdup (cwd);
}

static void
key_rel (KeyCase *k, DccHash *key)
{
  DccResultKeyInput in = {
    .req = k->req, .compiler = k->compiler, .compiler_id = k->compiler_id,
    .env = (const char *const *) k->env, .daemon_path = k->path, .relative = TRUE,
  };
  dcc_result_key (&in, key);
}

/* argv for the cases: the base's with "-g" replaced by these words. */
static void
set_args (KeyCase *k, const char *words)
{
  g_ptr_array_set_size (k->req->argv, 0);
  g_auto(GStrv) w = g_strsplit (words, " ", -1);
  for (char **p = w; *p; p++)
    g_ptr_array_add (k->req->argv, g_strdup (*p));
  g_ptr_array_add (k->req->argv, NULL);
}

static void
test_cwd_key (void)
{
  /* A second checkout: the same relative key, another absolute one, for
   * pump and plain mode. */
  for (DccMode mode = DCC_MODE_PLAIN; mode <= DCC_MODE_PUMP; mode++)
    {
      KeyCase a, b;
      key_case_init (&a, mode);
      key_case_init (&b, mode);
      set_args (&a, "gcc -c -O2 a.c -o a.o");
      set_args (&b, "gcc -c -O2 a.c -o a.o");
      if (mode == DCC_MODE_PUMP)
        {
          g_ptr_array_insert (a.req->manifest, 0, entry (DCC_ENTRY_DIR, "/home", NULL, NULL));
          g_ptr_array_insert (a.req->manifest, 1, entry (DCC_ENTRY_DIR, "/home/u", NULL, NULL));
          g_ptr_array_insert (b.req->manifest, 0, entry (DCC_ENTRY_DIR, "/srv", NULL, NULL));
        }
      move_to (&b, "/srv/checkout-2");
      g_assert_cmpstr (dcc_result_cwd_reaches (a.req), ==, NULL);
      g_assert_null (dcc_result_cwd_reaches (b.req));
      DccHash ra, rb, aa, ab;
      key_rel (&a, &ra);
      key_rel (&b, &rb);
      key_of (&a, &aa);
      key_of (&b, &ab);
      g_assert_true (dcc_hash_equal (&ra, &rb));
      g_assert_false (dcc_hash_equal (&aa, &ab));
      g_assert_false (dcc_hash_equal (&ra, &aa));
      /* A prefix map of exactly the directory: the same relative key. */
      set_args (&a, "gcc -c -g -fdebug-prefix-map=/home/u/p=. a.c -o a.o");
      set_args (&b, "gcc -c -g -fdebug-prefix-map=/srv/checkout-2=. a.c -o a.o");
      g_assert_null (dcc_result_cwd_reaches (a.req));
      key_rel (&a, &ra);
      key_rel (&b, &rb);
      g_assert_true (dcc_hash_equal (&ra, &rb));
      /* ... but not one that maps to somewhere else. */
      set_args (&b, "gcc -c -g -fdebug-prefix-map=/srv/checkout-2=/x a.c -o a.o");
      key_rel (&b, &rb);
      g_assert_false (dcc_hash_equal (&ra, &rb));
      if (mode == DCC_MODE_PUMP)
        {
          /* A file moved within the directory is another key. */
          set_args (&b, "gcc -c -g -fdebug-prefix-map=/srv/checkout-2=. a.c -o a.o");
          g_free (man (&b, 3)->path);
          man (&b, 3)->path = g_strdup ("/srv/checkout-2/sub/deep.h");
          key_rel (&b, &rb);
          g_assert_false (dcc_hash_equal (&ra, &rb));
        }
      key_case_clear (&a);
      key_case_clear (&b);
    }
}

static void
test_cwd_reaches (void)
{
  /* The base: cwd /home/u/p, a.c and deep.h in it, l.h -> deep.h. */
  static const struct { const char *args; gboolean reaches; } cases[] = {
    { "gcc -c -O2 a.c -o a.o", FALSE },
    { "gcc -c -O2 -Iinclude -Iinclude/../x -iquote q -include inc/c.h -MD -MF d/a.d a.c -o o/a.o", FALSE },
    { "gcc -c -O2 -Wp,-MMD,d/.a.o.d -Wa,-mtune=generic32 -fmacro-prefix-map=./= a.c -o a.o", FALSE },
    { "gcc -c -g a.c -o a.o", TRUE },
    { "gcc -c -g2 a.c -o a.o", TRUE },
    { "gcc -c -gsplit-dwarf a.c -o a.o", TRUE },
    { "gcc -c -g0 a.c -o a.o", FALSE },
    { "gcc -c -g -fdebug-prefix-map=/home/u/p=. a.c -o a.o", FALSE },
    { "gcc -c -g -ffile-prefix-map=/home/u/p=. a.c -o a.o", FALSE },
    { "gcc -c -g -fdebug-prefix-map=/home/u/p/=. a.c -o a.o", TRUE },
    { "gcc -c -g -fmacro-prefix-map=/home/u/p=. a.c -o a.o", TRUE },
    { "gcc -c -g -fdebug-prefix-map=/home/u/p=. -fdebug-prefix-map=/home=/x a.c -o a.o", TRUE },
    { "gcc -c -g -fdebug-prefix-map=/home/u/p=. -frecord-gcc-switches a.c -o a.o", TRUE },
    { "gcc -c -g -fdebug-prefix-map=/home/u/p=. -x assembler-with-cpp a.c -o a.o", TRUE },
    { "gcc -c -Wa,-g a.c -o a.o", TRUE },
    { "gcc -c -Wa,--gdwarf-5 a.c -o a.o", TRUE },
    { "gcc -c -Xassembler -g a.c -o a.o", TRUE },
    { "gcc -c --coverage -frandom-seed=a a.c -o a.o", TRUE },
    { "gcc -c -fprofile-arcs -frandom-seed=a a.c -o a.o", TRUE },
    { "gcc -c -flto -frandom-seed=a a.c -o a.o", TRUE },
    { "gcc -c -I/home/u/p/include a.c -o a.o", TRUE },
    { "gcc -c -I /home/u/p/include a.c -o a.o", TRUE },
    { "gcc -c -I/home/u a.c -o a.o", TRUE },
    { "gcc -c -I/ a.c -o a.o", TRUE },
    { "gcc -c -I/opt/include a.c -o a.o", FALSE },
    { "gcc -c -I../include a.c -o a.o", TRUE },
    { "gcc -c -Iinclude/../../x a.c -o a.o", TRUE },
    { "gcc -c -isystem sys a.c -o a.o", TRUE },
    { "gcc -c -idirafter sys a.c -o a.o", TRUE },
    { "gcc -c -isystem /opt/sys a.c -o a.o", FALSE },
    { "gcc -c --sysroot=/opt/root a.c -o a.o", TRUE },
    { "gcc -c -B/opt/bin a.c -o a.o", TRUE },
    { "gcc -c -DDIR=\"/home/u/p\" a.c -o a.o", TRUE },
    { "gcc -c -Wp,-I../x a.c -o a.o", TRUE },
    { "gcc -c -fworking-directory a.c -o a.o", TRUE },
    { "gcc -c -fdiagnostics-format=json a.c -o a.o", TRUE },
    { "gcc -c /home/u/p/a.c -o a.o", TRUE },
    { "gcc -c a.c -o /home/u/p/a.o", TRUE },
    { "gcc -c a.c -o ../a.o", TRUE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      KeyCase k;
      key_case_init (&k, DCC_MODE_PUMP);
      set_args (&k, cases[i].args);
      const char *why = dcc_result_cwd_reaches (k.req);
      if ((why != NULL) != cases[i].reaches)
        g_error ("%s: expected the working directory %s, got %s", cases[i].args,
                 cases[i].reaches ? "to reach the output" : "not to reach it", why ? why : "does not");
      key_case_clear (&k);
    }

  /* The directory, SYSD, PREI and the manifest's shape. */
  static const struct { const char *what; const char *cwd, *sysdir, *path; DccEntryKind kind; const char *target;
                        gboolean reaches; } shapes[] = {
    { "the root as the directory", "/", NULL, NULL, 0, NULL, TRUE },
    { "a directory with \"..\"", "/home/u/../u/p", NULL, NULL, 0, NULL, TRUE },
    { "a builtin dir above", NULL, "/home", NULL, 0, NULL, TRUE },
    { "a builtin dir inside", NULL, "/home/u/p/sys", NULL, 0, NULL, TRUE },
    { "a directory above as a symlink", NULL, NULL, "/home/u", DCC_ENTRY_SYMLINK, "/data/u", TRUE },
    { "a directory above as a plain dir", NULL, NULL, "/home/u", DCC_ENTRY_DIR, NULL, FALSE },
    { "a symlink inside with \"..\"", NULL, NULL, "/home/u/p/x/l", DCC_ENTRY_SYMLINK, "../y", TRUE },
    { "a symlink inside, absolute", NULL, NULL, "/home/u/p/l2", DCC_ENTRY_SYMLINK, "/opt/x", TRUE },
    { "a symlink inside, down", NULL, NULL, "/home/u/p/l2", DCC_ENTRY_SYMLINK, "sub/x.h", FALSE },
    { "a symlink outside into it", NULL, NULL, "/opt/l", DCC_ENTRY_SYMLINK, "/home/u/p/x", TRUE },
    { "a symlink outside above it", NULL, NULL, "/opt/l", DCC_ENTRY_SYMLINK, "../home/u", TRUE },
    { "a symlink outside, elsewhere", NULL, NULL, "/usr/include/ncursesw/term.h", DCC_ENTRY_SYMLINK, "../term.h", FALSE },
    { "a symlink with \"..\" below a symlink", NULL, NULL, "/home/u/p/l.h/x", DCC_ENTRY_SYMLINK, "../y", TRUE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      KeyCase k;
      key_case_init (&k, DCC_MODE_PUMP);
      set_args (&k, "gcc -c a.c -o a.o");
      if (shapes[i].cwd)
        {
          g_free (k.req->cwd);
          k.req->cwd = g_strdup (shapes[i].cwd);
        }
      if (shapes[i].sysdir)
        g_ptr_array_add (k.req->sysdirs, g_strdup (shapes[i].sysdir));
      if (shapes[i].path)
        g_ptr_array_add (k.req->manifest, entry (shapes[i].kind, shapes[i].path, "", shapes[i].target));
      if (g_str_has_suffix (shapes[i].what, "below a symlink"))
        {
          /* outside the directory: a link under a linked directory */
          g_free (man (&k, 4)->path);
          man (&k, 4)->path = g_strdup ("/opt/linked/x");
          g_ptr_array_add (k.req->manifest, entry (DCC_ENTRY_SYMLINK, "/opt/linked", NULL, "/srv/d"));
        }
      const char *why = dcc_result_cwd_reaches (k.req);
      if ((why != NULL) != shapes[i].reaches)
        g_error ("%s: expected the working directory %s, got %s", shapes[i].what,
                 shapes[i].reaches ? "to reach the output" : "not to reach it", why ? why : "does not");
      key_case_clear (&k);
    }
}

/* The texts' verdict: how far "../" in an input may climb against the
 * depths of its own directory and of the search directories. */
static void
test_cwd_texts (void)
{
  static const struct { const char *args; const char *file; guint climb; guint extra; gboolean reaches; } cases[] = {
    { "gcc -c src/a.c -o a.o", "/home/u/p/src/x.h", 1, 0, FALSE },
    { "gcc -c src/a.c -o a.o", "/home/u/p/src/x.h", 2, 0, TRUE },
    { "gcc -c src/a.c -o a.o", "/home/u/p/x.h", 1, 0, TRUE },
    { "gcc -c -Iinc/a src/a.c -o a.o", "/home/u/p/src/b/x.h", 2, 0, FALSE },
    { "gcc -c -Iinc src/a.c -o a.o", "/home/u/p/src/b/x.h", 2, 0, TRUE },
    { "gcc -c -I. src/a.c -o a.o", "/home/u/p/src/x.h", 1, 0, TRUE },
    { "gcc -c -Iinc src/a.c -o a.o", "/home/u/p/src/x.h", 0, DCC_RESULT_TEXT_SYSTEM_HEADER, TRUE },
    { "gcc -c -Iinc/a src/a.S -o a.o", "/home/u/p/src/b/x.h", 1, 0, TRUE },
    { "gcc -c -Iinc src/a.c -o a.o", "/usr/include/x.h", 1, 0, FALSE },
    { "gcc -c -Iinc src/a.c -o a.o", "/home/x.h", 0, 0, TRUE },
    { "gcc -c -Iinc -I/home/u/q/r src/a.c -o a.o", "/home/u/p/src/x.h", 1, 0, FALSE },
    { "gcc -c -Iinc -I/home/u/q/r src/a.c -o a.o", "/home/u/p/src/b/x.h", 2, 0, TRUE },
    { "gcc -c -Iinc/a -DH=\"../../h.h\" src/a.c -o a.o", "/home/u/p/src/x.h", 0, 0, TRUE },
    { "gcc -c -Iinc -isystem /usr/include src/a.c -o a.o", "/home/u/p/src/x.h", 1, 0, FALSE },
    { "gcc -c -Iinc/a -isystem /usr/include src/a.c -o a.o", "/home/u/p/src/b/x.h", 2, 0, TRUE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      KeyCase k;
      key_case_init (&k, DCC_MODE_PUMP);
      set_args (&k, cases[i].args);
      g_ptr_array_set_size (k.req->manifest, 0);
      g_ptr_array_set_size (k.req->sysdirs, 0);
      g_ptr_array_add (k.req->manifest, entry (DCC_ENTRY_DIR, "/home/u/p", NULL, NULL));
      g_ptr_array_add (k.req->manifest, entry (DCC_ENTRY_FILE, "/home/u/p/src/a.c", "int a;", NULL));
      g_ptr_array_add (k.req->manifest, entry (DCC_ENTRY_FILE, cases[i].file, "int x;", NULL));
      guint flags[3] = { 0, 0, (cases[i].climb << DCC_RESULT_TEXT_CLIMB_SHIFT) | cases[i].extra };
      g_assert_null (dcc_result_cwd_reaches (k.req));
      const char *why = dcc_result_cwd_texts_verdict (k.req, flags);
      if ((why != NULL) != cases[i].reaches)
        g_error ("%s with %s climbing %u: expected the working directory %s, got %s", cases[i].args, cases[i].file,
                 cases[i].climb, cases[i].reaches ? "to reach the output" : "not to reach it", why ? why : "does not");
      key_case_clear (&k);
    }
}

/* ---- rules ---- */

static void
test_uncacheable_args (void)
{
  static const struct { const char *args; gboolean epoch; gboolean cacheable; } cases[] = {
    { "gcc -c -O2 a.c", FALSE, TRUE },
    { "gcc -c -g -fdebug-prefix-map=/a=/b a.c", FALSE, TRUE },
    { "gcc -c --coverage a.c", FALSE, FALSE },
    { "gcc -c --coverage -frandom-seed=a.o a.c", FALSE, TRUE },
    { "gcc -c -fprofile-arcs a.c", FALSE, FALSE },
    { "gcc -c -ftest-coverage a.c", FALSE, FALSE },
    { "gcc -c -fprofile-generate a.c", FALSE, FALSE },
    { "gcc -c -fprofile-use=prof a.c", FALSE, FALSE },
    { "gcc -c -fprofile-use -frandom-seed=x a.c", FALSE, FALSE },
    { "gcc -c -fauto-profile=x a.c", FALSE, FALSE },
    { "gcc -c -flto a.c", FALSE, FALSE },
    { "gcc -c -flto=auto a.c", FALSE, FALSE },
    { "gcc -c -flto -frandom-seed=a a.c", FALSE, TRUE },
    { "gcc -c -fno-lto a.c", FALSE, TRUE },
    { "gcc -c -save-temps a.c", FALSE, FALSE },
    { "gcc -c -save-temps=obj a.c", FALSE, FALSE },
    { "gcc -c -fdump-tree-all a.c", FALSE, FALSE },
    { "gcc -c -DWHEN=__DATE__ a.c", FALSE, FALSE },
    { "gcc -c -DWHEN=__DATE__ a.c", TRUE, TRUE },
    { "gcc -c -DT=__TIME__ a.c", FALSE, FALSE },
    { "gcc -c -DT=__TIMESTAMP__ a.c", TRUE, FALSE },
  };
  const char *const epoch[] = { "LANG=C", "SOURCE_DATE_EPOCH=1", NULL };
  const char *const no_epoch[] = { "LANG=C", "SOURCE_DATE_EPOCHX=1", NULL };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) argv = g_strsplit (cases[i].args, " ", -1);
      const char *why = dcc_result_uncacheable_args ((const char *const *) argv, cases[i].epoch ? epoch : no_epoch);
      if ((why == NULL) != cases[i].cacheable)
        g_error ("%s (SOURCE_DATE_EPOCH %s): expected %s, got %s", cases[i].args, cases[i].epoch ? "set" : "unset",
                 cases[i].cacheable ? "cacheable" : "not cacheable", why ? why : "cacheable");
    }
}

static void
test_scan_text (void)
{
  static const struct { const char *text; guint flags; } cases[] = {
    { "int a;\n", 0 },
    { "const char *d = __DATE__;\n", DCC_RESULT_TEXT_DATE_TIME },
    { "const char *t = __TIME__;\n", DCC_RESULT_TEXT_DATE_TIME },
    { "const char *t = __TIMESTAMP__;\n", DCC_RESULT_TEXT_TIMESTAMP },
    { "int __DATE_x;\n", 0 },
    { "#include \"/usr/include/x.h\"\n", DCC_RESULT_TEXT_ABSOLUTE_INCLUDE },
    { "#  include </abs.h>\n", DCC_RESULT_TEXT_ABSOLUTE_INCLUDE },
    { "#include_next \"/abs.h\"\n", DCC_RESULT_TEXT_ABSOLUTE_INCLUDE },
    { "#if __has_include(\"/abs.h\")\n#endif\n", DCC_RESULT_TEXT_ABSOLUTE_INCLUDE },
    { ".incbin \"/etc/blob\"\n", DCC_RESULT_TEXT_ABSOLUTE_INCLUDE },
    { "#include \"sub/x.h\"\n#include <stdio.h>\n", 0 },
    { "#include", 0 },
    { "#include \"", 0 },
    { "#pragma GCC system_header\n", DCC_RESULT_TEXT_SYSTEM_HEADER },
    { "#include \"../x.h\"\n", 1u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "#include \"a/../../b/../../../x.h\"\n#include \"../y.h\"\n", 5u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "#define H \"../../h.h\"\n#include H\n", 2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "void f (int, ...);\n/* see Documentation/..x */\n", 0 },
    { "a/b../c", 1u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    /* comments do not count; strings, directives and header names do */
    { "/*\n * (see ../../COPYING)\n */\nint a; // ../../../x\n", 0 },
    { "/* ../../x */ const char *p = \"../../y\";\n", 2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "const char *p = \"a//../../y\";\n", 2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "#include <a//../../b.h>\n", 2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "/**/ #include <a//../../b.h>\n", 2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "%:include <a/*../../b.h>\n", 2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "#define P \\\n  \"x//../../h.h\"\n", 2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "const char *s = \"a\\\n//../../h.h\";\n", 2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "char c = '\"'; // ../../x\n", 0 },
    { "auto s = R\"(\")//../../h.h)\";\n", 2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "const char *t = \"?\?/\"//../../h.h\";\n", 2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "#define INCBIN(p) asm (\".incbin \\\"\" #p \"\\\"\")\nINCBIN(../../blob) // ../../../c\n",
      2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    /* split across lines (translation phase 2): what the compiler reads */
    { "const char *d = __DA\\\nTE__;\n", DCC_RESULT_TEXT_DATE_TIME },
    { "const char *t = __TI\\ \t\r\nME__;\n", DCC_RESULT_TEXT_DATE_TIME },
    { "const char *t = __TI\\\rME__;\n", DCC_RESULT_TEXT_DATE_TIME },
    { "const char *d = __DA?\?/\nTE__;\n", DCC_RESULT_TEXT_DATE_TIME },
    { "const char *t = __TIME\\\nSTAMP__;\n", DCC_RESULT_TEXT_TIMESTAMP },
    { "#inc\\\nlude \"/usr/include/x.h\"\n", DCC_RESULT_TEXT_ABSOLUTE_INCLUDE },
    { "#include \"\\\n/abs.h\"\n", DCC_RESULT_TEXT_ABSOLUTE_INCLUDE },
    { ".inc\\\nbin \"/etc/blob\"\n", DCC_RESULT_TEXT_ABSOLUTE_INCLUDE },
    { "#include \".\\\n./.\\\n./x.h\"\n", 2u << DCC_RESULT_TEXT_CLIMB_SHIFT },
    { "#pragma GCC system_hea\\\nder\n", DCC_RESULT_TEXT_SYSTEM_HEADER },
    { "#define A 1 \\\n  + 2\nint a\\\n;\n", 0 },
    { "\\\n", 0 },
    { "?\?/", 0 },
    { "\\", 0 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpuint (dcc_result_scan_text ((const guint8 *) cases[i].text, strlen (cases[i].text)), ==, cases[i].flags);
  const char *const epoch[] = { "SOURCE_DATE_EPOCH=5", NULL };
  g_assert_nonnull (dcc_result_text_verdict (DCC_RESULT_TEXT_DATE_TIME, NULL));
  g_assert_null (dcc_result_text_verdict (DCC_RESULT_TEXT_DATE_TIME, epoch));
  g_assert_nonnull (dcc_result_text_verdict (DCC_RESULT_TEXT_TIMESTAMP, epoch));
  g_assert_nonnull (dcc_result_text_verdict (DCC_RESULT_TEXT_ABSOLUTE_INCLUDE, epoch));
  g_assert_null (dcc_result_text_verdict (0, NULL));
}

static void
test_temp_file (void)
{
  static const struct { const char *text; gboolean names; } cases[] = {
    { "", FALSE },
    { "a.c:1:2: warning: unused variable\n", FALSE },
    { "/tmp/ccAbCdEf.s: Assembler messages:\n/tmp/ccAbCdEf.s:12: Warning: x\n", TRUE },
    { "/tmp/dcc-test.X/proj/src/a.c:3:1: warning: no return\n", FALSE },
    { "In file included from /tmp/x.h:1:\n", TRUE },
    { "/tmpfoo/ccX.s: x\n", FALSE },
    { "/tmp/", FALSE },
    { "at /tmp/ccQ", TRUE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    if (dcc_result_names_temp_file ((const guint8 *) cases[i].text, strlen (cases[i].text), "/tmp") != cases[i].names)
      g_error ("“%s”: expected %s", cases[i].text, cases[i].names ? "a temporary file" : "none");
}

static GByteArray *
a_reply (const char *object)
{
  GByteArray *r = g_byte_array_new ();
  dcc_reply_encode_status (r, 0, "", 0, "w\n", 2);
  dcc_reply_encode_file (r, "/home/u/p/a.o", object, strlen (object));
  dcc_reply_encode_done (r);
  return r;
}

static void
test_reply_well_formed (void)
{
  g_autoptr(GByteArray) r = a_reply ("\x7f" "ELF object");
  g_assert_true (dcc_result_reply_well_formed (r->data, r->len));
  for (guint cut = 0; cut < r->len; cut++)
    g_assert_false (dcc_result_reply_well_formed (r->data, cut));
  g_autoptr(GByteArray) extra = g_byte_array_new ();
  g_byte_array_append (extra, r->data, r->len);
  dcc_reply_encode_done (extra);
  g_assert_false (dcc_result_reply_well_formed (extra->data, extra->len));
  g_autoptr(GByteArray) hit = g_byte_array_new ();
  dcc_reply_encode_cache_hit (hit);
  g_byte_array_append (hit, r->data, r->len);
  g_assert_false (dcc_result_reply_well_formed (hit->data, hit->len));
}

/* Output names of a result kept without its working directory: relative
 * in the store, under the requester's directory when served. */
static void
test_reply_rebase (void)
{
  g_autoptr(GByteArray) r = g_byte_array_new ();
  dcc_reply_encode_status (r, 0, "", 0, "w\n", 2);
  dcc_reply_encode_file (r, "/home/u/p/o/a.o", "obj", 3);
  dcc_reply_encode_file (r, "/home/u/pp/a.d", "dep", 3);
  dcc_reply_encode_file (r, "/tmp/a.su", "su", 2);
  dcc_reply_encode_done (r);
  g_autoptr(GByteArray) rel = dcc_result_reply_rebase (r->data, r->len, "/home/u/p", TRUE);
  g_assert_nonnull (rel);
  g_assert_true (dcc_result_reply_well_formed (rel->data, rel->len));
  g_autoptr(GByteArray) back = dcc_result_reply_rebase (rel->data, rel->len, "/srv/b", FALSE);
  g_assert_nonnull (back);
  g_autoptr(DccReply) reply = dcc_reply_new ();
  for (gsize pos = 0; pos < back->len; )
    {
      DccFrame f;
      gsize used;
      g_assert_cmpint (dcc_wire_decode_at (back->data, back->len, pos, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_OK);
      g_assert_true (dcc_reply_feed (reply, &f, NULL));
      pos += used;
    }
  g_assert_cmpuint (reply->files->len, ==, 3);
  g_assert_cmpstr (((DccOutputFile *) reply->files->pdata[0])->path, ==, "/srv/b/o/a.o");
  g_assert_cmpstr (((DccOutputFile *) reply->files->pdata[1])->path, ==, "/home/u/pp/a.d");
  g_assert_cmpstr (((DccOutputFile *) reply->files->pdata[2])->path, ==, "/tmp/a.su");
  /* Back in the same directory: the same bytes. */
  g_autoptr(GByteArray) same = dcc_result_reply_rebase (rel->data, rel->len, "/home/u/p", FALSE);
  g_assert_cmpmem (same->data, same->len, r->data, r->len);
  /* A truncated reply is refused. */
  g_assert_null (dcc_result_reply_rebase (r->data, r->len - 1, "/home/u/p", TRUE));
}

/* ---- through a store ---- */

static void
test_save_lookup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("dcc-result-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *store_dir = g_build_filename (dir, "store", NULL);
  g_autoptr(DccStore) s = dcc_store_open (store_dir, 1024 * 1024, &error);
  g_assert_no_error (error);
  dcc_store_set_grace (s, 0);

  DccHash k1, k2;
  dcc_hash_bytes ("key one", 7, &k1);
  dcc_hash_bytes ("key two", 7, &k2);
  g_assert_null (dcc_result_cache_lookup (s, &k1, NULL));

  g_autoptr(GByteArray) r = a_reply ("object one");
  g_assert_true (dcc_result_cache_save (s, &k1, r, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dcc_store_result_count (s), ==, 1);
  g_autoptr(GByteArray) got = dcc_result_cache_lookup (s, &k1, NULL);
  g_assert_nonnull (got);
  g_assert_cmpuint (got->len, ==, r->len + DCC_FRAME_HEADER_LEN);
  g_assert_cmpmem (got->data + DCC_FRAME_HEADER_LEN, r->len, r->data, r->len);
  g_autoptr(DccReply) reply = dcc_reply_new ();
  for (gsize pos = 0; pos < got->len; )
    {
      DccFrame f;
      gsize used;
      g_assert_cmpint (dcc_wire_decode_at (got->data, got->len, pos, DCC_MAX_FRAME, &f, &used, NULL), ==, DCC_WIRE_OK);
      g_assert_true (dcc_reply_feed (reply, &f, NULL));
      pos += used;
    }
  g_assert_true (reply->complete && reply->cache_hit);
  g_assert_null (dcc_result_cache_lookup (s, &k2, NULL));

  /* Replacing a name points it at the new result. */
  g_autoptr(GByteArray) r2 = a_reply ("object two");
  g_assert_true (dcc_result_cache_save (s, &k1, r2, NULL, &error));
  g_autoptr(GByteArray) got2 = dcc_result_cache_lookup (s, &k1, NULL);
  g_assert_cmpmem (got2->data + DCC_FRAME_HEADER_LEN, r2->len, r2->data, r2->len);

  /* An evicted (or corrupted) object is a miss, and its name goes. */
  DccHash h;
  dcc_hash_bytes (r2->data, r2->len, &h);
  char hex[DCC_HASH_HEX_LEN + 1];
  dcc_hash_to_hex (&h, hex);
  g_autofree char *obj = g_strdup_printf ("%s/objects/%.2s/%s", store_dir, hex, hex + 2);
  g_assert_cmpint (chmod (obj, 0644), ==, 0);
  g_assert_true (g_file_set_contents (obj, "garbage", -1, NULL));
  g_assert_null (dcc_result_cache_lookup (s, &k1, NULL));
  g_assert_cmpint (unlink (obj), ==, 0);
  g_assert_null (dcc_result_cache_lookup (s, &k1, NULL));
  g_assert_cmpuint (dcc_store_result_count (s), ==, 0);

  /* A name whose object is gone is swept by a rescan. */
  g_assert_true (dcc_result_cache_save (s, &k2, r, NULL, &error));
  dcc_hash_bytes (r->data, r->len, &h);
  dcc_hash_to_hex (&h, hex);
  g_free (obj);
  obj = g_strdup_printf ("%s/objects/%.2s/%s", store_dir, hex, hex + 2);
  g_assert_cmpint (unlink (obj), ==, 0);
  g_assert_cmpuint (dcc_store_result_count (s), ==, 1);
  g_assert_true (dcc_store_rescan (s, &error));
  g_assert_cmpuint (dcc_store_result_count (s), ==, 0);

  /* A result larger than the budget is not named. */
  g_autoptr(DccStore) tiny = dcc_store_open (store_dir, 16, &error);
  g_assert_no_error (error);
  g_assert_false (dcc_result_cache_save (tiny, &k2, r, NULL, &error));
  g_clear_error (&error);
  g_assert_null (dcc_result_cache_lookup (tiny, &k2, NULL));

  g_autofree char *cmd = g_strdup_printf ("chmod -R u+w %s && rm -rf %s", dir, dir);
  g_assert_cmpint (system (cmd), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/result-cache/key-components", test_key_components);
  g_test_add_func ("/result-cache/uncacheable-args", test_uncacheable_args);
  g_test_add_func ("/result-cache/cwd-key", test_cwd_key);
  g_test_add_func ("/result-cache/cwd-reaches", test_cwd_reaches);
  g_test_add_func ("/result-cache/cwd-texts", test_cwd_texts);
  g_test_add_func ("/result-cache/scan-text", test_scan_text);
  g_test_add_func ("/result-cache/reply-well-formed", test_reply_well_formed);
  g_test_add_func ("/result-cache/temp-file", test_temp_file);
  g_test_add_func ("/result-cache/save-lookup", test_save_lookup);
  g_test_add_func ("/result-cache/reply-rebase", test_reply_rebase);
  return g_test_run ();
}
