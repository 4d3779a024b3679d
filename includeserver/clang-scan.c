#include "clang-scan.h"
#include "dcc-error.h"
#include <clang-c/Index.h>
#include <string.h>

/* Cleanups for libclang types live here, the only file that uses them. */
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (CXIndex, clang_disposeIndex, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (CXTranslationUnit, clang_disposeTranslationUnit, NULL)

/* The file is handed to libclang wrapped in "#if 0 ... #endif": the
 * preprocessor then skips it in one cheap pass (no declarations are parsed,
 * so a header costs a lexing pass, not a parse), and the raw token list that
 * clang_tokenize returns still covers every byte, in every branch. Relying
 * on the preprocessing record of a single-file parse instead would miss
 * includes in branches that clang decided from file-local macros (for
 * example `#ifndef X / #define X 0 / #endif / #if X`, with -DX=1 given to
 * the real compile). */
static const char WRAP_HEAD[] = "#if 0\n";
static const char WRAP_TAIL[] = "\n#endif\n";

struct DccScanner {
  CXIndex index;
};

DccScanner *
dcc_scanner_new (void)
{
  DccScanner *s = g_new0 (DccScanner, 1);
  s->index = clang_createIndex (0, 0);
  return s;
}

char *
dcc_scanner_version (void)
{
  CXString v = clang_getClangVersion ();
  char *copy = g_strdup (clang_getCString (v));
  clang_disposeString (v);
  return copy;
}

void
dcc_scanner_free (DccScanner *scanner)
{
  if (!scanner)
    return;
  clang_disposeIndex (scanner->index);
  g_free (scanner);
}

/* One token, in offsets of the caller's buffer. */
typedef struct {
  CXTokenKind kind;
  gsize start, end;
  gboolean line_start;     /* first token of a logical line */
  gboolean space_before;
} Tok;

typedef struct {
  const char *data;
  gsize len;
  Tok *toks;
  gsize n;
} Lexed;

/* Does the gap data[a..b) hold a newline that ends a logical line? Only
 * whitespace and backslash-newlines lie between tokens (comments are tokens). */
static gboolean
gap_ends_line (const char *d, gsize a, gsize b)
{
  for (gsize p = a; p < b; p++)
    {
      if (d[p] != '\n')
        continue;
      gsize q = p;
      while (q > a && (d[q - 1] == ' ' || d[q - 1] == '\t' || d[q - 1] == '\r'))
        q--;
      if (q > a && d[q - 1] == '\\')
        continue;
      return TRUE;
    }
  return FALSE;
}

static gboolean
tok_is (const Lexed *lx, gsize i, const char *s)
{
  gsize n = strlen (s);
  return i < lx->n && lx->toks[i].end - lx->toks[i].start == n
         && memcmp (lx->data + lx->toks[i].start, s, n) == 0;
}

static gboolean
same_line (const Lexed *lx, gsize i)
{
  return i < lx->n && !lx->toks[i].line_start;
}

static guint
line_of (const Lexed *lx, gsize offset)
{
  guint line = 1;
  for (gsize p = 0; p < offset && p < lx->len; p++)
    line += lx->data[p] == '\n';
  return line;
}

/* Joins tokens [i, end) with single spaces where the source had space. */
static char *
join_tokens (const Lexed *lx, gsize i, gsize end)
{
  GString *s = g_string_new (NULL);
  for (gsize k = i; k < end; k++)
    {
      if (lx->toks[k].kind == CXToken_Comment)
        continue;
      if (s->len && (lx->toks[k].space_before || (k > i && lx->toks[k - 1].kind == CXToken_Comment)))
        g_string_append_c (s, ' ');
      g_string_append_len (s, lx->data + lx->toks[k].start, (gssize) (lx->toks[k].end - lx->toks[k].start));
    }
  return g_string_free (s, FALSE);
}

static gsize
end_of_line (const Lexed *lx, gsize i)
{
  while (same_line (lx, i))
    i++;
  return i;
}

/* Reads a header name at token i: "x" or <x> (taken from the raw bytes, as
 * the preprocessor does), or NULL if it is something else. *next is set past
 * the name. */
static char *
header_name (const Lexed *lx, gsize i, DccScanForm *form, gsize *next)
{
  const Tok *t = &lx->toks[i];
  if (t->kind == CXToken_Literal && lx->data[t->start] == '"' && t->end - t->start >= 2
      && lx->data[t->end - 1] == '"')
    {
      *form = DCC_SCAN_QUOTED;
      *next = i + 1;
      return g_strndup (lx->data + t->start + 1, t->end - t->start - 2);
    }
  if (tok_is (lx, i, "<"))
    {
      const char *p = lx->data + t->end;
      const char *stop = lx->data + lx->len;
      const char *gt = p;
      while (gt < stop && *gt != '>' && *gt != '\n')
        gt++;
      if (gt == stop || *gt != '>')
        return NULL;
      gsize k = i + 1;
      while (k < lx->n && lx->toks[k].start < (gsize) (gt - lx->data) + 1)
        k++;
      *form = DCC_SCAN_ANGLED;
      *next = k;
      return g_strndup (p, (gsize) (gt - p));
    }
  return NULL;
}

static void
add_include (GPtrArray *includes, DccScanKind kind, DccScanForm form, char *name, guint line)
{
  DccScanInclude *inc = g_new0 (DccScanInclude, 1);
  inc->kind = kind;
  inc->form = form;
  inc->name = name;
  inc->line = line;
  g_ptr_array_add (includes, inc);
}

static void
scan_tokens (const Lexed *lx, GPtrArray *includes, GPtrArray *macros)
{
  for (gsize i = 0; i < lx->n; i++)
    {
      const Tok *t = &lx->toks[i];
      if (t->line_start && tok_is (lx, i, "#") && same_line (lx, i + 1))
        {
          gsize d = i + 1;
          gboolean is_next = tok_is (lx, d, "include_next");
          if ((tok_is (lx, d, "include") || is_next || tok_is (lx, d, "import")) && same_line (lx, d + 1))
            {
              DccScanKind kind = is_next ? DCC_SCAN_INCLUDE_NEXT : DCC_SCAN_INCLUDE;
              gsize eol = end_of_line (lx, d + 1), after;
              DccScanForm form;
              char *name = header_name (lx, d + 1, &form, &after);
              if (!name)
                {
                  form = DCC_SCAN_COMPUTED;
                  name = join_tokens (lx, d + 1, eol);
                }
              add_include (includes, kind, form, name, line_of (lx, t->start));
              i = eol - 1;
              continue;
            }
          if (tok_is (lx, d, "define") && same_line (lx, d + 1)
              && (lx->toks[d + 1].kind == CXToken_Identifier || lx->toks[d + 1].kind == CXToken_Keyword))
            {
              gsize eol = end_of_line (lx, d + 1);
              gsize body = d + 2;
              DccScanMacro *m = g_new0 (DccScanMacro, 1);
              m->name = g_strndup (lx->data + lx->toks[d + 1].start, lx->toks[d + 1].end - lx->toks[d + 1].start);
              if (body < eol && tok_is (lx, body, "(") && !lx->toks[body].space_before)
                {
                  m->function_like = TRUE;
                  GString *params = g_string_new (NULL);
                  for (body++; body < eol && !tok_is (lx, body, ")"); body++)
                    g_string_append_len (params, lx->data + lx->toks[body].start,
                                         (gssize) (lx->toks[body].end - lx->toks[body].start));
                  m->params = g_string_free (params, FALSE);
                  body = MIN (body + 1, eol);
                }
              m->body = join_tokens (lx, body, eol);
              g_ptr_array_add (macros, m);
              /* Keep scanning the body: it may hold __has_include. */
              i = body - 1;
              continue;
            }
        }
      /* .incbin "file": the assembler reads it, no preprocessor sees it. */
      if (tok_is (lx, i, ".") && tok_is (lx, i + 1, "incbin") && lx->toks[i + 1].start == t->end
          && same_line (lx, i + 1) && same_line (lx, i + 2) && lx->toks[i + 2].kind == CXToken_Literal
          && lx->data[lx->toks[i + 2].start] == '"')
        {
          const Tok *lit = &lx->toks[i + 2];
          gsize n = lit->end - lit->start;
          const char *body = lx->data + lit->start + 1;
          if (n >= 2 && body[n - 2] == '"' && !memchr (body, '\\', n - 2))
            add_include (includes, DCC_SCAN_INCBIN, DCC_SCAN_QUOTED, g_strndup (body, n - 2),
                         line_of (lx, t->start));
          i += 2;
          continue;
        }
      if (t->kind == CXToken_Identifier
          && (tok_is (lx, i, "__has_include") || tok_is (lx, i, "__has_include_next"))
          && tok_is (lx, i + 1, "("))
        {
          DccScanKind kind = tok_is (lx, i, "__has_include") ? DCC_SCAN_HAS_INCLUDE : DCC_SCAN_HAS_INCLUDE_NEXT;
          gsize after;
          DccScanForm form;
          char *name = header_name (lx, i + 2, &form, &after);
          if (!name)
            {
              gsize k = i + 2;
              int depth = 1;
              for (; k < lx->n && same_line (lx, k); k++)
                {
                  if (tok_is (lx, k, "("))
                    depth++;
                  else if (tok_is (lx, k, ")") && --depth == 0)
                    break;
                }
              form = DCC_SCAN_COMPUTED;
              name = join_tokens (lx, i + 2, k);
              after = k;
            }
          add_include (includes, kind, form, name, line_of (lx, t->start));
          i = after > i ? after - 1 : i;
        }
    }
}

gboolean
dcc_scanner_scan (DccScanner *scanner, const char *path, const guint8 *data, gsize len,
                  gboolean cplusplus, DccScanResult **out, GError **error)
{
  gsize head = sizeof WRAP_HEAD - 1;
  g_autofree char *wrapped = g_malloc (head + len + sizeof WRAP_TAIL);
  memcpy (wrapped, WRAP_HEAD, head);
  memcpy (wrapped + head, data, len);
  memcpy (wrapped + head + len, WRAP_TAIL, sizeof WRAP_TAIL);
  gsize total = head + len + sizeof WRAP_TAIL - 1;

  struct CXUnsavedFile unsaved = { .Filename = path, .Contents = wrapped, .Length = (unsigned long) total };
  /* Only tokens are wanted, and the whole file is inside #if 0, so the
   * target does not matter; wasm32's driver does not look for GCC, CUDA
   * and ROCm installations on disk as the host's does on every parse
   * (about 100 failing stats and opens: half the cost of a small header). */
  const char *const args[] = { "-x", cplusplus ? "c++" : "c", cplusplus ? "-std=gnu++17" : "-std=gnu11",
                               "--target=wasm32", "-nostdinc", "-w", "-undef" };
  g_auto(CXTranslationUnit) tu = NULL;
  enum CXErrorCode rc = clang_parseTranslationUnit2 (
      scanner->index, path, args, G_N_ELEMENTS (args), &unsaved, 1,
      CXTranslationUnit_SingleFileParse | CXTranslationUnit_Incomplete
      | CXTranslationUnit_SkipFunctionBodies | CXTranslationUnit_KeepGoing, &tu);
  if (rc != CXError_Success || !tu)
    return dcc_fail (error, DCC_ERROR_FAILED, "libclang could not read %s (error %d)", path, (int) rc);

  CXFile file = clang_getFile (tu, path);
  if (!file)
    return dcc_fail (error, DCC_ERROR_FAILED, "libclang lost %s", path);
  CXSourceRange range = clang_getRange (clang_getLocationForOffset (tu, file, 0),
                                        clang_getLocationForOffset (tu, file, (unsigned) total));
  CXToken *ctoks = NULL;
  unsigned nctoks = 0;
  clang_tokenize (tu, range, &ctoks, &nctoks);

  Lexed lx = { .data = (const char *) data, .len = len, .toks = g_new0 (Tok, nctoks + 1) };
  gsize prev_end = 0;
  for (unsigned k = 0; k < nctoks; k++)
    {
      CXSourceRange ext = clang_getTokenExtent (tu, ctoks[k]);
      unsigned s, e;
      clang_getSpellingLocation (clang_getRangeStart (ext), NULL, NULL, NULL, &s);
      clang_getSpellingLocation (clang_getRangeEnd (ext), NULL, NULL, NULL, &e);
      if (s < head || e > head + len || e < s)
        continue;   /* the wrapper's own lines */
      Tok *t = &lx.toks[lx.n++];
      t->kind = clang_getTokenKind (ctoks[k]);
      t->start = s - head;
      t->end = e - head;
      t->line_start = lx.n == 1 || gap_ends_line (lx.data, prev_end, t->start);
      t->space_before = t->start > prev_end;
      prev_end = t->end;
    }
  clang_disposeTokens (tu, ctoks, nctoks);

  g_autoptr(GPtrArray) includes = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_include_free);
  g_autoptr(GPtrArray) macros = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_macro_free);
  scan_tokens (&lx, includes, macros);
  g_free (lx.toks);
  *out = dcc_scan_result_new (includes, macros);
  return TRUE;
}

static void
inclusion_visitor (CXFile included, CXSourceLocation *stack, unsigned depth, CXClientData data)
{
  CXString name = clang_getFileName (included);
  const char *s = clang_getCString (name);
  if (s && s[0])
    g_ptr_array_add (data, g_strdup (s));
  clang_disposeString (name);
}

gboolean
dcc_scanner_inclusions (DccScanner *scanner, const char *source, const char *const *args,
                        const char *extra_name, const char *extra_contents,
                        GPtrArray **files_out, GError **error)
{
  struct CXUnsavedFile unsaved = { .Filename = extra_name, .Contents = extra_contents,
                                   .Length = extra_contents ? (unsigned long) strlen (extra_contents) : 0 };
  int nargs = args ? (int) g_strv_length ((char **) args) : 0;
  g_auto(CXTranslationUnit) tu = NULL;
  enum CXErrorCode rc = clang_parseTranslationUnit2 (
      scanner->index, source, args, nargs, &unsaved, extra_name ? 1 : 0,
      CXTranslationUnit_SkipFunctionBodies | CXTranslationUnit_KeepGoing
      | CXTranslationUnit_Incomplete, &tu);
  if (rc != CXError_Success || !tu)
    return dcc_fail (error, DCC_ERROR_FAILED, "libclang could not parse %s (error %d)", source, (int) rc);
  /* A fatal error (a header not found) stops the parse early: the list
   * would be short, so refuse. */
  unsigned nd = clang_getNumDiagnostics (tu);
  for (unsigned i = 0; i < nd; i++)
    {
      CXDiagnostic d = clang_getDiagnostic (tu, i);
      enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity (d);
      if (sev == CXDiagnostic_Fatal)
        {
          CXString msg = clang_getDiagnosticSpelling (d);
          g_autofree char *text = dcc_escape_for_log (clang_getCString (msg), 200);
          clang_disposeString (msg);
          clang_disposeDiagnostic (d);
          return dcc_fail (error, DCC_ERROR_FAILED, "full parse of %s failed: %s", source, text);
        }
      clang_disposeDiagnostic (d);
    }
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  clang_getInclusions (tu, inclusion_visitor, files);
  *files_out = files;
  return TRUE;
}
