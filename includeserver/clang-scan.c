#include "clang-scan.h"
#include "directive-lex.h"
#include "dcc-error.h"
#include <clang-c/Index.h>
#include <dlfcn.h>
#include <string.h>
#include <sys/stat.h>

/* libclang is loaded when a scan first needs it, not at the server's
 * start: a server answering from cached closures never does, and loading
 * it (libLLVM's relocations and static constructors) cost about 0.1 s of
 * CPU, a quarter of a kernel build's include-server CPU from the cache file
 * (issue 20). DCC_LIBCLANG is the library's path (configure: the file
 * its soname names, beside the one -lclang would link). */
#ifndef DCC_LIBCLANG
#define DCC_LIBCLANG "libclang.so"
#endif

#define CLANG_FUNCTIONS(X) \
  X (clang_createIndex) \
  X (clang_defaultReparseOptions) \
  X (clang_disposeDiagnostic) \
  X (clang_disposeIndex) \
  X (clang_disposeString) \
  X (clang_disposeTokens) \
  X (clang_disposeTranslationUnit) \
  X (clang_getCString) \
  X (clang_getClangVersion) \
  X (clang_getDiagnostic) \
  X (clang_getDiagnosticSeverity) \
  X (clang_getDiagnosticSpelling) \
  X (clang_getFile) \
  X (clang_getFileName) \
  X (clang_getInclusions) \
  X (clang_getLocationForOffset) \
  X (clang_getNumDiagnostics) \
  X (clang_getRange) \
  X (clang_getRangeEnd) \
  X (clang_getSpellingLocation) \
  X (clang_getTokenExtent) \
  X (clang_getTokenKind) \
  X (clang_getTokenLocation) \
  X (clang_reparseTranslationUnit) \
  X (clang_tokenize) \
  X (clang_parseTranslationUnit2)

static struct {
#define X(f) __typeof__ (f) *f;
  CLANG_FUNCTIONS (X)
#undef X
} api;

static gpointer
load_libclang (gpointer unused)
{
  void *lib = dlopen (DCC_LIBCLANG, RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return g_strdup_printf ("cannot load libclang (%s): %s", DCC_LIBCLANG, dlerror ());
#define X(f) \
  if (!(api.f = (__typeof__ (f) *) dlsym (lib, #f))) \
    return g_strdup_printf ("libclang (%s) lacks %s", DCC_LIBCLANG, #f);
  CLANG_FUNCTIONS (X)
#undef X
  return NULL;
}

/* TRUE once libclang's functions are there (loaded by the first caller). */
static gboolean
have_libclang (GError **error)
{
  static GOnce once = G_ONCE_INIT;
  const char *failed = g_once (&once, load_libclang, NULL);
  if (failed)
    return dcc_fail (error, DCC_ERROR_FAILED, "%s", failed);
  return TRUE;
}

/* From here on, clang_f means the loaded function. */
#define clang_createIndex (api.clang_createIndex)
#define clang_defaultReparseOptions (api.clang_defaultReparseOptions)
#define clang_disposeDiagnostic (api.clang_disposeDiagnostic)
#define clang_disposeIndex (api.clang_disposeIndex)
#define clang_disposeString (api.clang_disposeString)
#define clang_disposeTokens (api.clang_disposeTokens)
#define clang_disposeTranslationUnit (api.clang_disposeTranslationUnit)
#define clang_getCString (api.clang_getCString)
#define clang_getClangVersion (api.clang_getClangVersion)
#define clang_getDiagnostic (api.clang_getDiagnostic)
#define clang_getDiagnosticSeverity (api.clang_getDiagnosticSeverity)
#define clang_getDiagnosticSpelling (api.clang_getDiagnosticSpelling)
#define clang_getFile (api.clang_getFile)
#define clang_getFileName (api.clang_getFileName)
#define clang_getInclusions (api.clang_getInclusions)
#define clang_getLocationForOffset (api.clang_getLocationForOffset)
#define clang_getNumDiagnostics (api.clang_getNumDiagnostics)
#define clang_getRange (api.clang_getRange)
#define clang_getRangeEnd (api.clang_getRangeEnd)
#define clang_getSpellingLocation (api.clang_getSpellingLocation)
#define clang_getTokenExtent (api.clang_getTokenExtent)
#define clang_getTokenKind (api.clang_getTokenKind)
#define clang_getTokenLocation (api.clang_getTokenLocation)
#define clang_reparseTranslationUnit (api.clang_reparseTranslationUnit)
#define clang_tokenize (api.clang_tokenize)
#define clang_parseTranslationUnit2 (api.clang_parseTranslationUnit2)

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

/* Every scan reuses one translation unit per language, reparsed with the
 * new bytes under this fixed name: a reparse skips the driver and the
 * compiler invocation, about half the cost of a small header's first parse. */
static const char SCAN_NAME[] = "/dcc-scan/input.h";

struct DccScanner {
  CXIndex index;             /* NULL until a scan first needs libclang */
  CXTranslationUnit tu[2];   /* C, C++; NULL until first used */
  GArray *lexed;             /* DccLexTok: dcc_scanner_scan's, reused */
};

DccScanner *
dcc_scanner_new (void)
{
  DccScanner *s = g_new0 (DccScanner, 1);
  s->lexed = g_array_new (FALSE, FALSE, sizeof (DccLexTok));
  return s;
}

/* The scanner's libclang index, made (and libclang loaded) on first use. */
static CXIndex
scanner_index (DccScanner *s, GError **error)
{
  if (!s->index && have_libclang (error))
    s->index = clang_createIndex (0, 0);
  return s->index;
}

char *
dcc_scanner_version (void)
{
  /* Which libclang, without loading it: its file's identity, which every
   * upgrade changes. */
  struct stat st;
  if (stat (DCC_LIBCLANG, &st) != 0)
    return g_strdup ("libclang " DCC_LIBCLANG " (not found)");
  return g_strdup_printf ("libclang " DCC_LIBCLANG " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT ".%09ld",
                          (gint64) st.st_size, (gint64) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

void
dcc_scanner_free (DccScanner *scanner)
{
  if (!scanner)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (scanner->tu); i++)
    if (scanner->tu[i])
      clang_disposeTranslationUnit (scanner->tu[i]);
  if (scanner->index)
    clang_disposeIndex (scanner->index);
  g_array_unref (scanner->lexed);
  g_free (scanner);
}

#define TOK_END_UNKNOWN G_MAXSIZE

/* One token, in offsets of the caller's buffer. Its end costs libclang a
 * second lexing of the token, so it is asked for only when a token is
 * looked at (a few percent of them: directives, __has_include, .incbin). */
typedef struct {
  DccLexKind kind;
  gsize start, end;        /* end: TOK_END_UNKNOWN until tok_end */
  gboolean line_start;     /* first token of a logical line */
  unsigned ctok;           /* index in the CXToken array */
} Tok;

typedef struct {
  const char *data;
  gsize len;
  gsize head;              /* bytes of wrapper before data in libclang's buffer */
  Tok *toks;
  gsize n;
  CXTranslationUnit tu;    /* NULL: ends are known (directive-lex.c) */
  CXToken *ctoks;
  gsize line_offset;       /* line_of's memo: offset line_offset is on line line_no */
  guint line_no;
} Lexed;

/* Is the token starting at data[start] the first of a logical line, as far
 * as the bytes before it tell? Only whitespace and backslash-newlines lie
 * between tokens (comments are tokens, and none ends in a newline), so it
 * is when, going back over whitespace, a newline comes before anything
 * else and is not spliced. Otherwise *stop is the offset just after the
 * byte the walk back stopped at (the end of the token before, if any). */
static gboolean
starts_line (const char *d, gsize start, gsize *stop)
{
  gsize p = start;
  for (;;)
    {
      while (p > 0 && (d[p - 1] == ' ' || d[p - 1] == '\t' || d[p - 1] == '\r'
                       || d[p - 1] == '\f' || d[p - 1] == '\v'))
        p--;
      if (p == 0)
        return TRUE;
      if (d[p - 1] != '\n')
        {
          *stop = p;
          return FALSE;
        }
      gsize q = p - 1;
      while (q > 0 && (d[q - 1] == ' ' || d[q - 1] == '\t' || d[q - 1] == '\r'))
        q--;
      if (q == 0 || d[q - 1] != '\\')
        return TRUE;
      p = q - 1;   /* a line splice: keep going back */
    }
}

static gsize
tok_end (const Lexed *lx, gsize i)
{
  Tok *t = &lx->toks[i];
  if (t->end == TOK_END_UNKNOWN && lx->tu)
    {
      unsigned e;
      CXSourceRange ext = clang_getTokenExtent (lx->tu, lx->ctoks[t->ctok]);
      clang_getSpellingLocation (clang_getRangeEnd (ext), NULL, NULL, NULL, &e);
      t->end = e >= lx->head + t->start && e <= lx->head + lx->len ? e - lx->head : t->start;
    }
  return t->end;
}

/* Sets the last token's line_start. A comment is white space, so a
 * directive may follow one on its line, even one that spans lines (gcc and
 * clang agree): the token starts a line if the comment right before it did. */
static void
mark_line_start (Lexed *lx)
{
  Tok *t = &lx->toks[lx->n - 1];
  gsize stop;
  t->line_start = starts_line (lx->data, t->start, &stop);
  if (!t->line_start && lx->n >= 2 && lx->toks[lx->n - 2].kind == DCC_LEX_COMMENT
      && tok_end (lx, lx->n - 2) == stop)
    t->line_start = lx->toks[lx->n - 2].line_start;
}

static gboolean
space_before (const Lexed *lx, gsize i)
{
  return i == 0 ? lx->toks[0].start > 0 : lx->toks[i].start > tok_end (lx, i - 1);
}

static gboolean
tok_is (const Lexed *lx, gsize i, const char *s)
{
  if (i >= lx->n || lx->data[lx->toks[i].start] != s[0])
    return FALSE;
  gsize n = strlen (s);
  return tok_end (lx, i) - lx->toks[i].start == n && memcmp (lx->data + lx->toks[i].start, s, n) == 0;
}

static gboolean
same_line (const Lexed *lx, gsize i)
{
  return i < lx->n && !lx->toks[i].line_start;
}

/* Line number of offset; offsets asked for mostly increase, so counting
 * goes on from the previous answer. */
static guint
line_of (Lexed *lx, gsize offset)
{
  if (offset < lx->line_offset)
    {
      lx->line_offset = 0;
      lx->line_no = 1;
    }
  for (gsize p = lx->line_offset; p < offset && p < lx->len; p++)
    lx->line_no += lx->data[p] == '\n';
  lx->line_offset = offset;
  return lx->line_no;
}

/* Joins tokens [i, end) with single spaces where the source had space. */
static char *
join_tokens (const Lexed *lx, gsize i, gsize end)
{
  GString *s = g_string_new (NULL);
  for (gsize k = i; k < end; k++)
    {
      if (lx->toks[k].kind == DCC_LEX_COMMENT)
        continue;
      if (s->len && (space_before (lx, k) || (k > i && lx->toks[k - 1].kind == DCC_LEX_COMMENT)))
        g_string_append_c (s, ' ');
      g_string_append_len (s, lx->data + lx->toks[k].start, (gssize) (tok_end (lx, k) - lx->toks[k].start));
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
  if (t->kind == DCC_LEX_LITERAL && lx->data[t->start] == '"' && tok_end (lx, i) - t->start >= 2
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
scan_tokens (Lexed *lx, GPtrArray *includes, GPtrArray *macros)
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
              && lx->toks[d + 1].kind == DCC_LEX_IDENT)
            {
              gsize eol = end_of_line (lx, d + 1);
              gsize body = d + 2;
              DccScanMacro *m = g_new0 (DccScanMacro, 1);
              m->name = g_strndup (lx->data + lx->toks[d + 1].start, tok_end (lx, d + 1) - lx->toks[d + 1].start);
              if (body < eol && tok_is (lx, body, "(") && !space_before (lx, body))
                {
                  m->function_like = TRUE;
                  GString *params = g_string_new (NULL);
                  for (body++; body < eol && !tok_is (lx, body, ")"); body++)
                    g_string_append_len (params, lx->data + lx->toks[body].start,
                                         (gssize) (tok_end (lx, body) - lx->toks[body].start));
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
          && same_line (lx, i + 1) && same_line (lx, i + 2) && lx->toks[i + 2].kind == DCC_LEX_LITERAL
          && lx->data[lx->toks[i + 2].start] == '"')
        {
          const Tok *lit = &lx->toks[i + 2];
          gsize n = tok_end (lx, i + 2) - lit->start;
          const char *body = lx->data + lit->start + 1;
          if (n >= 2 && body[n - 2] == '"' && !memchr (body, '\\', n - 2))
            add_include (includes, DCC_SCAN_INCBIN, DCC_SCAN_QUOTED, g_strndup (body, n - 2),
                         line_of (lx, t->start));
          i += 2;
          continue;
        }
      if (t->kind == DCC_LEX_IDENT
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

/* The scanner's unit for the language, reparsed with unsaved's bytes (or
 * parsed the first time, or again when a reparse failed). Owned by the
 * scanner. */
static CXTranslationUnit
scan_unit (DccScanner *scanner, gboolean cplusplus, struct CXUnsavedFile *unsaved)
{
  CXTranslationUnit *tu = &scanner->tu[cplusplus ? 1 : 0];
  if (*tu)
    {
      if (clang_reparseTranslationUnit (*tu, 1, unsaved, clang_defaultReparseOptions (*tu)) == 0)
        return *tu;
      clang_disposeTranslationUnit (*tu);   /* a failed reparse leaves it unusable */
      *tu = NULL;
    }
  /* Only tokens are wanted, and the whole file is inside #if 0, so the
   * target does not matter; wasm32's driver does not look for GCC, CUDA
   * and ROCm installations on disk as the host's does (about 100 failing
   * stats and opens). */
  const char *const args[] = { "-x", cplusplus ? "c++" : "c", cplusplus ? "-std=gnu++17" : "-std=gnu11",
                               "--target=wasm32", "-nostdinc", "-w", "-undef" };
  if (clang_parseTranslationUnit2 (scanner->index, SCAN_NAME, args, G_N_ELEMENTS (args), unsaved, 1,
                                   CXTranslationUnit_SingleFileParse | CXTranslationUnit_Incomplete
                                   | CXTranslationUnit_SkipFunctionBodies | CXTranslationUnit_KeepGoing,
                                   tu) != CXError_Success)
    *tu = NULL;
  return *tu;
}

gboolean
dcc_scanner_scan_clang (DccScanner *scanner, const char *path, const guint8 *data, gsize len,
                  gboolean cplusplus, DccScanResult **out, GError **error)
{
  gsize head = sizeof WRAP_HEAD - 1;
  g_autofree char *wrapped = g_malloc (head + len + sizeof WRAP_TAIL);
  memcpy (wrapped, WRAP_HEAD, head);
  memcpy (wrapped + head, data, len);
  memcpy (wrapped + head + len, WRAP_TAIL, sizeof WRAP_TAIL);
  gsize total = head + len + sizeof WRAP_TAIL - 1;

  struct CXUnsavedFile unsaved = { .Filename = SCAN_NAME, .Contents = wrapped, .Length = (unsigned long) total };
  if (!scanner_index (scanner, error))
    return FALSE;
  CXTranslationUnit tu = scan_unit (scanner, cplusplus, &unsaved);
  if (!tu)
    return dcc_fail (error, DCC_ERROR_FAILED, "libclang could not read %s", path);
  CXFile file = clang_getFile (tu, SCAN_NAME);
  if (!file)
    return dcc_fail (error, DCC_ERROR_FAILED, "libclang lost %s", path);
  CXSourceRange range = clang_getRange (clang_getLocationForOffset (tu, file, 0),
                                        clang_getLocationForOffset (tu, file, (unsigned) total));
  CXToken *ctoks = NULL;
  unsigned nctoks = 0;
  clang_tokenize (tu, range, &ctoks, &nctoks);

  Lexed lx = { .data = (const char *) data, .len = len, .head = head, .toks = g_new0 (Tok, nctoks + 1),
               .tu = tu, .ctoks = ctoks, .line_no = 1 };
  for (unsigned k = 0; k < nctoks; k++)
    {
      unsigned s;
      clang_getSpellingLocation (clang_getTokenLocation (tu, ctoks[k]), NULL, NULL, NULL, &s);
      if (s < head || s >= head + len)
        continue;   /* the wrapper's own lines */
      Tok *t = &lx.toks[lx.n++];
      CXTokenKind kind = clang_getTokenKind (ctoks[k]);
      t->kind = kind == CXToken_Comment ? DCC_LEX_COMMENT
                : kind == CXToken_Literal ? DCC_LEX_LITERAL
                : kind == CXToken_Identifier || kind == CXToken_Keyword ? DCC_LEX_IDENT : DCC_LEX_PUNCT;
      t->start = s - head;
      t->end = TOK_END_UNKNOWN;
      t->ctok = k;
      mark_line_start (&lx);
    }
  /* Only the last token can run into the wrapper's tail (an unterminated
   * comment): it is not the file's. */
  if (lx.n > 0)
    {
      unsigned e;
      CXSourceRange ext = clang_getTokenExtent (tu, ctoks[lx.toks[lx.n - 1].ctok]);
      clang_getSpellingLocation (clang_getRangeEnd (ext), NULL, NULL, NULL, &e);
      if (e > head + len)
        lx.n--;
    }

  g_autoptr(GPtrArray) includes = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_include_free);
  g_autoptr(GPtrArray) macros = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_macro_free);
  scan_tokens (&lx, includes, macros);
  clang_disposeTokens (tu, ctoks, nctoks);
  g_free (lx.toks);
  *out = dcc_scan_result_new (includes, macros);
  return TRUE;
}

gboolean
dcc_scanner_scan (DccScanner *scanner, const char *path, const guint8 *data, gsize len,
                  gboolean cplusplus, DccScanResult **out, GError **error)
{
  /* The lexer's tokens, reused by the thread's next scan. */
  GArray *lexed = scanner->lexed;
  g_array_set_size (lexed, 0);
  dcc_directive_lex ((const char *) data, len, cplusplus, lexed);
  Lexed lx = { .data = (const char *) data, .len = len, .toks = g_new (Tok, lexed->len + 1), .line_no = 1 };
  for (guint k = 0; k < lexed->len; k++)
    {
      const DccLexTok *lt = &g_array_index (lexed, DccLexTok, k);
      Tok *t = &lx.toks[lx.n++];
      t->kind = lt->kind;
      t->start = lt->start;
      t->end = lt->end;
      t->ctok = 0;
      mark_line_start (&lx);
    }
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
  if (!scanner_index (scanner, error))
    return FALSE;
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
