/* One request's walk: from the compile's source through every directive
 * its headers hold (computed includes by macro expansion, the full parse
 * as the exact fallback) to the sorted closure; the caches are in
 * closure-engine.c, file lookup in closure-resolve.c. */
#include "closure-private.h"
#include "cache-file.h"
#include "compiler-info.h"
#include "dir-listing.h"
#include "macro-expand.h"
#include "dcc-is-protocol.h"
#include "dcc-error.h"
#include "dcc-hash.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* ---- computed includes ---- */

gboolean
dcc_closure_expand_computed (const char *tokens, GHashTable *macros, GPtrArray *out)
{
  return dcc_macro_expand_include (tokens, macros, out);
}

static void
pending_free (Pending *p)
{
  g_free (p);
}

static void
push_node (Walk *w, DccHeaderNode *n)
{
  if (!g_hash_table_add (w->visited, n))
    return;
  if (w->collect)
    g_ptr_array_add (w->next, n);
  else
    g_queue_push_tail (&w->work, n);
}

static void
push_work (Walk *w, const char *lexical, int chain)
{
  const char *key = dcc_walk_key (w, chain, w->path_id, lexical);
  push_node (w, dcc_header_node (w->engine, w->headers, key, lexical, chain));
}

/* A file that __has_include finds is read by nobody but must exist remotely. */
static gboolean
add_probed_file (Walk *w, const char *lexical, GError **error)
{
  struct stat st;
  g_autofree char *phys = dcc_walk_to_file (w, lexical, &st);
  if (!phys || !S_ISREG (st.st_mode))
    return TRUE;
  DccHash hash;
  g_autofree guint8 *data = NULL;
  gsize len;
  return dcc_walk_add_file (w, phys, &st, &hash, &data, &len, FALSE, error);
}

/* Handles one resolved directive of a file. */
static gboolean
follow (Walk *w, DccScanKind kind, char form, const char *name, const char *includer,
        int includer_chain, gboolean from_cmdline, GError **error)
{
  if (kind == DCC_SCAN_INCBIN)
    {
      /* as opens it from its working directory (-Wa,-I dirs are not
       * followed: a file not found here fails remotely and is redone
       * locally). */
      g_autofree char *joined = name[0] == '/' ? g_strdup (name) : dcc_walk_join (w->cwd, name);
      g_autofree char *path = dcc_walk_collapse_slashes (joined);
      return !dcc_walk_probe (w, path) || add_probed_file (w, path, error);
    }
  gboolean next = kind == DCC_SCAN_INCLUDE_NEXT || kind == DCC_SCAN_HAS_INCLUDE_NEXT;
  int chain;
  const char *found = dcc_walk_resolve (w, form, next, name, includer, includer_chain, from_cmdline, &chain);
  if (!found)
    return TRUE;   /* the compiler won't find it either (or it is in a dead branch) */
  if (kind == DCC_SCAN_HAS_INCLUDE || kind == DCC_SCAN_HAS_INCLUDE_NEXT)
    return add_probed_file (w, found, error);
  push_work (w, found, chain);
  return TRUE;
}

/* Walks one header: its file, and each of its directives resolved. */
static gboolean
process_header (Walk *w, const char *lexical, int chain, GError **error)
{
  struct stat st;
  g_autofree char *phys = dcc_walk_to_file (w, lexical, &st);
  if (!phys)
    return TRUE;
  DccHash hash;
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  StatKey k;
  dcc_closure_stat_key_from (&k, &st);
  gboolean known = dcc_closure_hash_lookup (w->engine, &k, &hash);
  ScanKey sk = { .cplusplus = w->args->cplusplus };
  DccScanResult *scan = NULL;
  if (known)
    {
      sk.hash = hash;
      scan = dcc_closure_scan_lookup (w->engine, &sk);
    }
  if (!dcc_walk_add_file (w, phys, &st, &hash, &data, &len, scan == NULL, error))
    {
      g_clear_pointer (&scan, dcc_scan_result_unref);
      return FALSE;
    }
  if (!scan)
    {
      sk.hash = hash;
      if (!dcc_scanner_scan (w->scanner, phys, data, len, w->args->cplusplus, &scan, error))
        return FALSE;
      w->stats->files_scanned++;
      dcc_closure_scan_insert (w->engine, &sk, scan);
    }
  g_ptr_array_add (w->scans, scan);   /* the walk owns this ref */
  for (guint i = 0; i < scan->includes->len; i++)
    {
      const DccScanInclude *inc = scan->includes->pdata[i];
      if (inc->form == DCC_SCAN_COMPUTED)
        {
          Pending *p = g_new0 (Pending, 1);
          p->inc = inc;
          p->includer = lexical;
          p->includer_chain = chain;
          g_ptr_array_add (w->pending, p);
          continue;
        }
      if (!follow (w, inc->kind, (char) inc->form, inc->name, lexical, chain, FALSE, error))
        return FALSE;
    }
  return TRUE;
}

static void walk_init (Walk *w);
static void walk_clear (Walk *w);
static char *absent_list (GPtrArray *names);

/* Moves a table's values (it owns them) into a new array owning them. */
static GPtrArray *
steal_values (GHashTable *table, GDestroyNotify free_func)
{
  GPtrArray *out = g_ptr_array_new_full (g_hash_table_size (table), free_func);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init (&it, table);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      g_hash_table_iter_steal (&it);
      g_ptr_array_add (out, v);
    }
  return out;
}

/* Appends the names of list ("a.h/b.h/", as checks and probes keep them)
 * to names; the strings live in splits. */
static void
add_names (GPtrArray *names, GPtrArray *splits, const char *list)
{
  char **split = g_strsplit (list, "/", -1);
  g_ptr_array_add (splits, split);
  for (guint i = 0; split[i]; i++)
    if (split[i][0])
      g_ptr_array_add (names, split[i]);
}

/* Each directory searched lists on its check the names looked for there:
 * a directory that changed (an object written beside the sources, a
 * project's top directory in every unit's search path) keeps the record
 * while none of them has appeared. */
static void
list_absent_names (GPtrArray *checks, GHashTable *probed_dirs)
{
  for (guint i = 0; i < checks->len; i++)
    {
      Check *c = checks->pdata[i];
      GString *list = c->follow && c->exists ? g_hash_table_lookup (probed_dirs, c->path) : NULL;
      if (!list || list->len == 0)
        continue;
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      g_autoptr(GPtrArray) splits = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
      add_names (names, splits, list->str);
      c->absent = absent_list (names);
    }
}

/* That each header a header includes is still the file found there: were
 * it gone, the compiler would search on (the included header's own
 * record sees only its own file, not where it was searched for). */
static GPtrArray *
found_checks (Walk *w, GPtrArray *next)
{
  GPtrArray *out = g_ptr_array_new_full (next->len, (GDestroyNotify) dcc_cached_check_free);
  for (guint i = 0; i < next->len; i++)
    {
      const DccHeaderNode *n = next->pdata[i];
      struct stat st;
      Check *c = g_new0 (Check, 1);
      c->path = g_strdup (n->lexical);
      c->follow = TRUE;
      c->exists = dcc_stat_cache_stat (w->engine->stat_cache, n->lexical, TRUE, &st) == 0;
      if (c->exists)
        dcc_closure_stat_key_from (&c->key, &st);
      g_ptr_array_add (out, c);
    }
  return out;
}

/* Walks header n alone (a walk of its own, so that the record holds every
 * fact it rests on, not only those this walk has not met yet) and keeps
 * what that yields as n's record, if the header was found and read. */
static DccHeaderRecord *
make_record (Walk *w, DccHeaderNode *n, GError **error)
{
  Walk s = { .engine = w->engine, .scanner = w->scanner, .cwd = w->cwd, .args = w->args, .sp = w->sp,
             .chain = w->chain, .n_chain = w->n_chain, .stats = w->stats, .headers = w->headers,
             .collect = TRUE };
  memcpy (s.path_id, w->path_id, sizeof s.path_id);
  walk_init (&s);
  s.next = g_ptr_array_new ();
  g_hash_table_add (s.visited, n);
  DccHeaderRecord *r = NULL;
  w->stats->headers_walked++;
  if (process_header (&s, n->lexical, n->chain, error))
    {
      r = g_new0 (DccHeaderRecord, 1);
      r->refs = 1;
      r->entries = steal_values (s.entries, (GDestroyNotify) dcc_entry_free);
      r->checks = steal_values (s.checks, (GDestroyNotify) dcc_cached_check_free);
      list_absent_names (r->checks, s.probed_dirs);
      dcc_closure_intern (w->engine, r->entries, r->checks);
      r->next = g_steal_pointer (&s.next);
      r->found = found_checks (w, r->next);
      dcc_closure_intern (w->engine, NULL, r->found);
      r->pending = g_ptr_array_new ();
      for (guint i = 0; i < s.pending->len; i++)
        g_ptr_array_add (r->pending, (gpointer) ((Pending *) s.pending->pdata[i])->inc);
      r->scan = s.scans->len ? dcc_scan_result_ref (s.scans->pdata[0]) : NULL;
      if (r->scan)
        dcc_header_record_set (w->engine, n, r);
    }
  /* borrowed from w */
  s.sp = NULL;
  s.chain = NULL;
  s.headers = NULL;
  walk_clear (&s);
  return r;
}

/* TRUE the first time walk takes the item whose mark this is; marks it.
 * No lock: a walk only compares its own id, and when two walks race on a
 * mark the loser takes the item again, which gather_closure tolerates. */
static gboolean
first_taken (guintptr *mark, guintptr walk)
{
  if (g_atomic_pointer_get (mark) == walk)
    return FALSE;
  g_atomic_pointer_set (mark, walk);
  return TRUE;
}

/* Takes header n into the walk: its record's facts, its computed includes
 * and the headers it includes. */
static gboolean
process (Walk *w, DccHeaderNode *n, GError **error)
{
  DccHeaderRecord *r = dcc_header_record_get (w->engine, n, w->id);
  if (!r && !(r = make_record (w, n, error)))
    return FALSE;
  g_ptr_array_add (w->records, r);   /* the walk's ref: the sets below borrow from it */
  for (guint i = 0; i < r->entries->len; i++)
    {
      DccEntry *e = r->entries->pdata[i];
      if (first_taken (&e->taken_in, w->id))
        g_ptr_array_add (w->rec_entries, e);
    }
  for (guint i = 0; i < r->checks->len; i++)
    {
      Check *c = r->checks->pdata[i];
      if (first_taken (&c->taken_in, w->id))
        g_ptr_array_add (w->rec_checks, c);
    }
  if (r->scan)
    g_ptr_array_add (w->scans, dcc_scan_result_ref (r->scan));
  for (guint i = 0; i < r->pending->len; i++)
    {
      Pending *p = g_new0 (Pending, 1);
      p->inc = r->pending->pdata[i];
      p->includer = n->lexical;
      p->includer_chain = n->chain;
      g_ptr_array_add (w->pending, p);
    }
  for (guint i = 0; i < r->next->len; i++)
    push_node (w, r->next->pdata[i]);
  return TRUE;
}

/* Every definition of name: the command line's, the compiler's and those
 * of every file walked so far (found through each scan's index, so that only
 * the few names a computed include uses cost anything). */
static GPtrArray *
lookup_macro (const char *name, gpointer data)
{
  Walk *w = data;
  GPtrArray *defs = g_hash_table_lookup (w->macro_memo, name);
  if (defs)
    return defs;
  defs = g_ptr_array_new ();
  GPtrArray *fixed = g_hash_table_lookup (w->macros, name);
  if (fixed)
    g_ptr_array_extend (defs, fixed, NULL, NULL);
  for (guint i = 0; i < w->memo_scans; i++)
    {
      const DccScanResult *r = w->scans->pdata[i];
      GPtrArray *in_file = g_hash_table_lookup (r->macro_index, name);
      if (in_file)
        g_ptr_array_extend (defs, in_file, NULL, NULL);
    }
  g_hash_table_insert (w->macro_memo, g_strdup (name), defs);
  return defs;
}

static void
add_macro (Walk *w, DccScanMacro *m)
{
  g_ptr_array_add (w->cmdline_macros, m);
  GPtrArray *defs = g_hash_table_lookup (w->macros, m->name);
  if (!defs)
    {
      defs = g_ptr_array_new ();
      g_hash_table_insert (w->macros, m->name, defs);
    }
  g_ptr_array_add (defs, m);
}

/* -DNAME=VALUE becomes a definition like any #define (-U needs nothing: a
 * macro may always be undefined when expanding). */
static void
add_cmdline_macros (Walk *w)
{
  for (guint i = 0; i < w->args->defines->len; i++)
    {
      const char *d = w->args->defines->pdata[i];
      if (!g_str_has_prefix (d, "-D"))
        continue;
      DccScanMacro *m = dcc_macro_from_cmdline (d + 2);
      if (m)
        add_macro (w, m);
    }
}

/* The compiler's predefined macros (`linux`, `__x86_64__`...), once per
 * walk and only when a computed include needs expanding. The text is cached
 * by compiler-info.c; without it we just know less. */
static void
add_predefined_macros (Walk *w, const char *compiler_path)
{
  if (w->predef_added)
    return;
  w->predef_added = TRUE;
  g_autoptr(GError) local = NULL;
  g_autofree char *text = dcc_compiler_predefined_macros (compiler_path, w->args, w->cwd, &local);
  if (!text)
    {
      dcc_debug ("predefined macros unknown: %s", local->message);
      return;
    }
  g_autoptr(GPtrArray) defs = dcc_macro_parse_defines (text);
  for (guint i = 0; i < defs->len; i++)
    add_macro (w, g_steal_pointer (&defs->pdata[i]));
  g_ptr_array_set_free_func (defs, NULL);
}

/* The exact fallback: a full parse with the compiler's own macros. */
static gboolean
full_parse (Walk *w, const char *compiler_path, const char *source, GError **error)
{
  g_autofree char *predef = dcc_compiler_predefined_macros (compiler_path, w->args, w->cwd, error);
  if (!predef)
    return FALSE;
  g_autoptr(GString) header = g_string_new (predef);
  for (guint i = 0; i < w->args->defines->len; i++)
    {
      const char *d = w->args->defines->pdata[i];
      if (g_str_has_prefix (d, "-U"))
        g_string_append_printf (header, "#undef %s\n", d + 2);
      else
        {
          const char *eq = strchr (d + 2, '=');
          if (eq)
            g_string_append_printf (header, "#define %.*s %s\n", (int) (eq - d - 2), d + 2, eq + 1);
          else
            g_string_append_printf (header, "#define %s 1\n", d + 2);
        }
    }
  /* Handed to libclang as an unsaved file: nothing is written to disk. */
  const char *tmp = "/dcc-include-server/predefined-macros.h";
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (args, g_strdup ("-x"));
  g_ptr_array_add (args, g_strdup (w->args->lang));
  g_ptr_array_add (args, g_strdup ("-working-directory"));
  g_ptr_array_add (args, g_strdup (w->cwd));
  g_ptr_array_add (args, g_strdup ("-undef"));
  g_ptr_array_add (args, g_strdup ("-nostdinc"));
  g_ptr_array_add (args, g_strdup ("-w"));
  g_ptr_array_add (args, g_strdup ("-ferror-limit=0"));
  for (guint i = 0; i < w->args->predef_flags->len; i++)
    {
      const char *f = w->args->predef_flags->pdata[i];
      if (g_str_has_prefix (f, "-std=") || g_str_has_prefix (f, "-fms-extensions"))
        g_ptr_array_add (args, g_strdup (f));
    }
  g_ptr_array_add (args, g_strdup ("-include"));
  g_ptr_array_add (args, g_strdup (tmp));
  for (guint i = 0; i < w->args->forced_includes->len; i++)
    {
      g_ptr_array_add (args, g_strdup ("-include"));
      g_ptr_array_add (args, g_strdup (w->args->forced_includes->pdata[i]));
    }
  for (guint i = 0; i < w->sp->n_quote; i++)
    {
      g_ptr_array_add (args, g_strdup ("-iquote"));
      g_ptr_array_add (args, g_strdup (w->sp->quote_dirs[i]));
    }
  for (guint i = 0; i < w->sp->n_angled; i++)
    {
      g_ptr_array_add (args, g_strdup ("-I"));
      g_ptr_array_add (args, g_strdup (w->sp->angled_dirs[i]));
    }
  g_ptr_array_add (args, NULL);
  g_autoptr(GPtrArray) files = NULL;
  if (!dcc_scanner_inclusions (w->scanner, source, (const char *const *) args->pdata,
                               tmp, header->str, &files, error))
    return FALSE;
  w->stats->full_parse = TRUE;
  for (guint i = 0; i < files->len; i++)
    {
      const char *f = files->pdata[i];
      if (g_str_equal (f, tmp))
        continue;
      g_autofree char *abs = dcc_walk_make_absolute (w->cwd, f);
      push_work (w, abs, CHAIN_NONE);
    }
  return TRUE;
}

/* `#include X` where X is one identifier that nothing defines: neither the
 * command line, nor the compiler, nor any file of the walk (a superset of
 * the files the compile reads, -include and -imacros files among them).
 * Reached by the preprocessor, it would be an error ("#include expects
 * \"FILENAME\" or <FILENAME>") that needs no file to report, so in a
 * compile that can succeed it sits in a dead branch, as git's
 * `#ifdef SHA1DC_CUSTOM_TRAILING_INCLUDE_SHA1_H` does. Not for the builtins
 * that expand to a name (__FILE__...): they are never #defined. */
static gboolean
never_defined (Walk *w, const char *tokens)
{
  while (g_ascii_isspace (*tokens))
    tokens++;
  gsize n = 0;
  while (g_ascii_isalnum (tokens[n]) || tokens[n] == '_')
    n++;
  if (n == 0 || g_ascii_isdigit (tokens[0]))
    return FALSE;
  for (const char *rest = tokens + n; *rest; rest++)
    if (!g_ascii_isspace (*rest))
      return FALSE;
  if (n >= 4 && g_str_has_prefix (tokens, "__") && tokens[n - 1] == '_' && tokens[n - 2] == '_')
    return FALSE;
  g_autofree char *name = g_strndup (tokens, n);
  GPtrArray *defs = lookup_macro (name, w);
  return defs->len == 0;
}

/* Resolves pending computed includes with every definition seen so far.
 * Sets *progress if that added work; FALSE + error if one cannot be followed
 * and the full parse is not possible. */
static gboolean
resolve_pending (Walk *w, const char *compiler_path, const char *source, gboolean *progress,
                 GError **error)
{
  if (w->memo_scans != w->scans->len)
    {
      g_hash_table_remove_all (w->macro_memo);
      w->memo_scans = w->scans->len;
    }
  add_predefined_macros (w, compiler_path);
  guint before = w->work.length;
  g_autofree char *unresolved = NULL;
  for (guint i = 0; i < w->pending->len; i++)
    {
      const Pending *p = w->pending->pdata[i];
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      if (!dcc_macro_expand_include_with (p->inc->name, lookup_macro, w, names))
        {
          if (never_defined (w, p->inc->name))
            continue;   /* dead unless a file walked later defines it: asked again then */
          if (!unresolved)
            unresolved = g_strdup_printf ("#include %s in %s:%u", p->inc->name, p->includer, p->inc->line);
          continue;
        }
      for (guint k = 0; k < names->len; k++)
        {
          const char *n = names->pdata[k];
          if (!follow (w, p->inc->kind, n[0], n + 1, p->includer, p->includer_chain, FALSE, error))
            return FALSE;
        }
    }
  *progress = w->work.length > before;
  if (unresolved && !*progress && !w->exact_done)
    {
      g_autoptr(GError) local = NULL;
      g_autofree char *safe = dcc_escape_for_log (unresolved, 300);
      dcc_debug ("computed include not resolvable (%s): full parse", safe);
      w->exact_done = TRUE;
      if (!full_parse (w, compiler_path, source, &local))
        return dcc_fail (error, DCC_ERROR_FAILED, "cannot follow %s (%s)", safe, local->message);
      *progress = TRUE;
    }
  return TRUE;
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  const DccEntry *x = *(DccEntry *const *) a, *y = *(DccEntry *const *) b;
  return strcmp (x->path, y->path);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static int
compare_checks (gconstpointer a, gconstpointer b)
{
  const Check *x = *(Check *const *) a, *y = *(Check *const *) b;
  int c = strcmp (x->path, y->path);
  return c ? c : (int) x->follow - (int) y->follow;
}

static void
free_gstring (gpointer s)
{
  g_string_free (s, TRUE);
}

static void
walk_clear (Walk *w)
{
  g_clear_pointer (&w->entries, g_hash_table_unref);
  g_clear_pointer (&w->checks, g_hash_table_unref);
  g_clear_pointer (&w->dir_memo, g_hash_table_unref);
  g_clear_pointer (&w->resolve_memo, g_hash_table_unref);
  g_clear_pointer (&w->visited, g_hash_table_unref);
  g_clear_pointer (&w->probed_dirs, g_hash_table_unref);
  g_clear_pointer (&w->absent_paths, g_hash_table_unref);
  g_clear_pointer (&w->dirs_seen, g_hash_table_unref);
  g_queue_clear (&w->work);
  g_clear_pointer (&w->next, g_ptr_array_unref);
  g_clear_pointer (&w->rec_entries, g_ptr_array_unref);
  g_clear_pointer (&w->rec_checks, g_ptr_array_unref);
  g_clear_pointer (&w->records, g_ptr_array_unref);   /* after the sets that borrow from them */
  g_clear_pointer (&w->headers, dcc_header_table_unref);   /* after the records: their nodes are its */
  g_clear_pointer (&w->pending, g_ptr_array_unref);
  g_clear_pointer (&w->macros, g_hash_table_unref);
  g_clear_pointer (&w->macro_memo, g_hash_table_unref);
  g_clear_pointer (&w->cmdline_macros, g_ptr_array_unref);
  g_clear_pointer (&w->scans, g_ptr_array_unref);
  g_clear_pointer (&w->chain, g_free);
  g_clear_pointer (&w->sp, dcc_search_path_unref);
  if (w->key)
    g_string_free (g_steal_pointer (&w->key), TRUE);
  g_clear_pointer (&w->strings, g_string_chunk_free);
}

/* a and b state the same of the same path, whichever names they list. */
static gboolean
same_fact (const Check *a, const Check *b)
{
  return a->follow == b->follow && a->exists == b->exists && a->identity == b->identity
         && memcmp (&a->key, &b->key, sizeof a->key) == 0 && g_str_equal (a->path, b->path);
}

/* Names looked for in a directory and not found, as a check lists them:
 * sorted, each once, each followed by '/'. */
static char *
absent_list (GPtrArray *names)
{
  g_ptr_array_sort (names, compare_strings);
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    if (i == 0 || strcmp (names->pdata[i], names->pdata[i - 1]) != 0)
      {
        g_string_append (out, names->pdata[i]);
        g_string_append_c (out, '/');
      }
  return g_string_free (out, FALSE);
}

/* The first name of a names list ("a.h/b.h/") against b's, as strcmp
 * orders the names themselves. */
static int
compare_first_names (const char *a, const char *b)
{
  for (;; a++, b++)
    {
      guchar x = *a == '/' ? 0 : (guchar) *a, y = *b == '/' ? 0 : (guchar) *b;
      if (x != y || x == 0)
        return (int) x - (int) y;
    }
}

/* Sorted names lists merged into one, each name once: a record's checks
 * keep their names sorted (absent_list), so a directory that many records
 * searched costs one pass per list, not a split and a sort of them all. */
static char *
merge_absent_lists (const char *a, const char *b)
{
  GString *out = g_string_sized_new (strlen (a) + strlen (b));
  while (*a || *b)
    {
      int c = !*a ? 1 : !*b ? -1 : compare_first_names (a, b);
      const char *take = c <= 0 ? a : b;
      const char *end = strchr (take, '/') + 1;
      g_string_append_len (out, take, end - take);
      if (c <= 0)
        a = end;
      if (c >= 0)
        b = strchr (b, '/') + 1;
    }
  return g_string_free (out, FALSE);
}

/* The closure: the walk's own entries and checks with those its records
 * brought, sorted by path (a directory before everything inside it, and
 * checks in a fixed order so that the same closure is saved as the same
 * bytes), each once; each directory searched lists the names looked for
 * there and not found. FALSE if two entries for one path differ (it
 * changed while the walk read it). */
static gboolean
gather_closure (Walk *w, GPtrArray **entries_out, GPtrArray **checks_out, GError **error)
{
  g_autoptr(GPtrArray) entries = steal_values (w->entries, (GDestroyNotify) dcc_entry_free);
  g_autoptr(GPtrArray) checks = steal_values (w->checks, (GDestroyNotify) dcc_cached_check_free);
  /* Equal contents become one pointer (the records' are interned
   * already): duplicates are then neighbours with the same address. */
  dcc_closure_intern (w->engine, entries, checks);
  for (guint i = 0; i < w->rec_entries->len; i++)
    g_ptr_array_add (entries, dcc_entry_ref (w->rec_entries->pdata[i]));
  for (guint i = 0; i < w->rec_checks->len; i++)
    g_ptr_array_add (checks, dcc_cached_check_ref (w->rec_checks->pdata[i]));
  g_ptr_array_sort (entries, compare_entries);
  g_ptr_array_sort (checks, compare_checks);

  GPtrArray *unique = g_ptr_array_new_full (entries->len, (GDestroyNotify) dcc_entry_free);
  for (guint i = 0; i < entries->len; i++)
    {
      const DccEntry *e = entries->pdata[i];
      const DccEntry *last = unique->len ? unique->pdata[unique->len - 1] : NULL;
      if (last && g_str_equal (last->path, e->path))
        {
          if (last != e)
            {
              g_ptr_array_unref (unique);
              return dcc_fail (error, DCC_ERROR_FAILED, "%s changed while its includes were read", e->path);
            }
          continue;
        }
      g_ptr_array_add (unique, dcc_entry_ref (entries->pdata[i]));
    }

  /* Sorted, the checks of one path are neighbours: a directory searched
   * gets the names the walk and each record (on its own check) looked for
   * there, each fact once. */
  GPtrArray *kept = g_ptr_array_new_full (checks->len, (GDestroyNotify) dcc_cached_check_free);
  for (guint i = 0, end; i < checks->len; i = end)
    {
      const Check *first = checks->pdata[i];
      for (end = i + 1; end < checks->len; end++)
        if (compare_checks (&checks->pdata[i], &checks->pdata[end]) != 0)
          break;
      GString *own = first->follow ? g_hash_table_lookup (w->probed_dirs, first->path) : NULL;
      g_autofree char *absent = NULL;
      if (own)
        {
          g_autoptr(GPtrArray) names = g_ptr_array_new ();
          g_autoptr(GPtrArray) splits = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
          add_names (names, splits, own->str);
          absent = absent_list (names);
        }
      const char *single = NULL;   /* the one list if only one is met (no copy) */
      for (guint j = i; j < end; j++)
        {
          const char *list = ((const Check *) checks->pdata[j])->absent;
          if (!list || (single && (list == single || strcmp (list, single) == 0)))
            continue;
          if (!absent && !single)
            single = list;
          else
            {
              char *merged = merge_absent_lists (absent ? absent : single, list);
              g_free (absent);
              absent = merged;
            }
        }
      const char *names = absent ? absent : single;
      const Check *last = NULL;
      for (guint j = i; j < end; j++)
        {
          const Check *c = checks->pdata[j];
          if (last && (last == c || same_fact (last, c)))
            continue;
          last = c;
          if (!names || !c->exists || (c->absent && strcmp (c->absent, names) == 0))
            {
              g_ptr_array_add (kept, dcc_cached_check_ref (checks->pdata[j]));
              continue;
            }
          /* The walk's own copy: the check itself may be shared. */
          Check *copy = g_new0 (Check, 1);
          copy->path = g_strdup (c->path);
          copy->exists = c->exists;
          copy->follow = c->follow;
          copy->identity = c->identity;
          copy->key = c->key;
          copy->absent = g_strdup (names);
          g_ptr_array_add (kept, copy);
        }
    }
  *entries_out = unique;
  *checks_out = kept;
  return TRUE;
}

static void
walk_init (Walk *w)
{
  w->entries = g_hash_table_new_full (dcc_str_hash, g_str_equal, NULL, (GDestroyNotify) dcc_entry_free);
  /* Keys and memo values are in w.strings. */
  w->strings = g_string_chunk_new (16384);
  w->checks = g_hash_table_new_full (dcc_str_hash, g_str_equal, NULL, (GDestroyNotify) dcc_cached_check_free);
  w->dir_memo = g_hash_table_new (dcc_str_hash, g_str_equal);
  w->resolve_memo = g_hash_table_new (dcc_str_hash, g_str_equal);
  w->visited = g_hash_table_new (NULL, NULL);
  w->probed_dirs = g_hash_table_new_full (dcc_str_hash, g_str_equal, NULL, free_gstring);
  w->absent_paths = g_hash_table_new (dcc_str_hash, g_str_equal);
  w->dirs_seen = g_hash_table_new_full (dcc_str_hash, g_str_equal, NULL, (GDestroyNotify) dcc_walk_dir_seen_free);
  w->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  w->macros = g_hash_table_new_full (dcc_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  w->cmdline_macros = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_macro_free);
  w->macro_memo = g_hash_table_new_full (dcc_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  w->scans = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_result_unref);
  w->records = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_header_record_unref);
  w->rec_entries = g_ptr_array_new ();
  w->rec_checks = g_ptr_array_new ();
  w->key = g_string_sized_new (256);
}

static gboolean
walk_all (Walk *w, const char *compiler_path, const char *source_abs, GError **error)
{
  for (;;)
    {
      DccHeaderNode *n;
      while ((n = g_queue_pop_head (&w->work)))
        if (!process (w, n, error))
          return FALSE;
      if (w->pending->len == 0)
        return TRUE;
      gboolean progress = FALSE;
      if (!resolve_pending (w, compiler_path, source_abs, &progress, error))
        return FALSE;
      if (!progress)
        return TRUE;
    }
}

gboolean
dcc_closure_compute (DccClosureEngine *engine, DccScanner *scanner, const char *cwd,
                     const char *const *argv, const char *path_env, GPtrArray **entries_out,
                     DccClosureStats *stats, GError **error)
{
  DccClosureStats local_stats = { 0 };
  if (!stats)
    stats = &local_stats;
  memset (stats, 0, sizeof *stats);
  if (cwd[0] != '/')
    return dcc_fail (error, DCC_ERROR_INVALID, "working directory is not absolute");

  g_autoptr(DccIsCompileArgs) args = NULL;
  if (!dcc_is_compile_args_scan (argv, &args, error))
    return FALSE;
  g_autofree char *compiler_path = dcc_is_compiler_find (args->compiler, cwd, path_env, error);
  if (!compiler_path)
    return FALSE;

  /* Everything changed before this request is forgotten before we look. */
  dcc_stat_cache_sync (engine->stat_cache);
  g_autoptr(GString) key = g_string_new (cwd);
  for (guint i = 0; argv[i]; i++)
    g_string_append_printf (key, "%c%s", 0x1f, argv[i]);
  g_string_append_printf (key, "%c%s", 0x1f, compiler_path);
  GPtrArray *cached = dcc_closure_cache_lookup (engine, key->str, &stats->files_hashed);
  if (cached)
    {
      stats->cache_hit = TRUE;
      *entries_out = cached;
      return TRUE;
    }

  Walk w = { .engine = engine, .scanner = scanner, .cwd = cwd, .args = args, .stats = stats,
             .headers = dcc_header_table_get (engine), .id = dcc_closure_walk_id (engine) };
  walk_init (&w);
  gboolean ok = FALSE;

  g_autofree char *source = dcc_walk_make_absolute (cwd, args->source);
  struct stat st;
  /* The compiler binary: a new one may search other dirs. */
  if (dcc_stat_cache_stat (engine->stat_cache, compiler_path, TRUE, &st) == 0)
    dcc_walk_add_check (&w, compiler_path, TRUE, &st);
  if (dcc_stat_cache_stat (engine->stat_cache, source, TRUE, &st) != 0 || !S_ISREG (st.st_mode))
    {
      dcc_fail (error, DCC_ERROR_FAILED, "source %s not found", args->source);
      goto out;
    }
  /* The compile runs in cwd: it must exist remotely. */
  if (!dcc_walk_resolve_dir (&w, cwd))
    {
      dcc_fail (error, DCC_ERROR_FAILED, "working directory not found");
      goto out;
    }
  if (args->preprocessed)
    {
      g_autofree char *phys = dcc_walk_to_file (&w, source, &st);
      DccHash hash;
      g_autofree guint8 *data = NULL;
      gsize len;
      if (!phys || !dcc_walk_add_file (&w, phys, &st, &hash, &data, &len, FALSE, error))
        goto out;
    }
  else
    {
      w.sp = dcc_compiler_search_path (compiler_path, args, cwd, error);
      if (!w.sp)
        goto out;
      w.n_chain = w.sp->n_quote + w.sp->n_angled;
      w.chain = g_new0 (char *, w.n_chain + 1);
      for (guint i = 0; i < w.sp->n_quote; i++)
        w.chain[i] = w.sp->quote_dirs[i];
      for (guint i = 0; i < w.sp->n_angled; i++)
        w.chain[w.sp->n_quote + i] = w.sp->angled_dirs[i];
      /* Everything a header's walk depends on besides the files: records
       * are shared by walks with the same. */
      g_autoptr(GString) signature = g_string_new (cwd);
      g_string_append_printf (signature, "%c%d%c%u", 0x1f, args->cplusplus, 0x1f, w.sp->n_quote);
      for (guint i = 0; i < w.n_chain; i++)
        g_string_append_printf (signature, "%c%s", 0x1f, w.chain[i]);
      dcc_header_table_path_id (engine, w.headers, signature->str, w.path_id, sizeof w.path_id);
      /* Every search dir that exists, exists remotely too, so the compiler
       * there prunes and de-duplicates its search list the same way. */
      for (guint i = 0; i < w.n_chain; i++)
        dcc_walk_resolve_dir (&w, w.chain[i]);
      add_cmdline_macros (&w);

      push_work (&w, source, CHAIN_MAIN);
      if (!args->no_std_predef)
        for (guint i = 0; w.sp->implicit_includes[i]; i++)
          push_work (&w, w.sp->implicit_includes[i], CHAIN_NONE);
      for (guint i = 0; i < args->forced_includes->len; i++)
        if (!follow (&w, DCC_SCAN_INCLUDE, '"', args->forced_includes->pdata[i], source,
                     CHAIN_MAIN, TRUE, error))
          goto out;
      if (!walk_all (&w, compiler_path, source, error))
        goto out;
    }

  {
    GPtrArray *entries = NULL, *checks = NULL;
    if (!gather_closure (&w, &entries, &checks, error))
      goto out;
    if (entries->len > DCC_MAX_MANIFEST_ENTRIES)
      {
        g_ptr_array_unref (entries);
        g_ptr_array_unref (checks);
        dcc_fail (error, DCC_ERROR_LIMIT, "closure has more than %u entries", DCC_MAX_MANIFEST_ENTRIES);
        goto out;
      }
    dcc_closure_cache_insert (engine, key->str, entries, checks, FALSE);
    g_ptr_array_unref (checks);
    *entries_out = entries;
  }
  ok = TRUE;
out:
  walk_clear (&w);
  return ok;
}
