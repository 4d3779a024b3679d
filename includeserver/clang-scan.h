/* The only module that talks to libclang (for the full-parse fallback and
 * as the reference lexer). It reads one header (or source)
 * on its own and lists what it may include, in every conditional branch:
 * #include, #include_next, #import, __has_include(_next) probes, and the
 * #define lines that computed includes (#include MACRO) may need.
 *
 * A scanner owns one CXIndex and is used by one thread at a time. */
#pragma once
#include <glib.h>

typedef enum {
  DCC_SCAN_INCLUDE,            /* #include, #import */
  DCC_SCAN_INCLUDE_NEXT,       /* #include_next */
  DCC_SCAN_HAS_INCLUDE,        /* __has_include(...) */
  DCC_SCAN_HAS_INCLUDE_NEXT,   /* __has_include_next(...) */
  DCC_SCAN_INCBIN,             /* .incbin "file" in assembler: read by as, from its working directory */
} DccScanKind;

typedef enum {
  DCC_SCAN_QUOTED = '"',       /* "name" */
  DCC_SCAN_ANGLED = '<',       /* <name> */
  DCC_SCAN_COMPUTED = 'm',     /* tokens to macro-expand; name holds them */
} DccScanForm;

typedef struct {
  DccScanKind kind;
  DccScanForm form;
  char       *name;            /* header name without delimiters, or the tokens */
  guint       line;
} DccScanInclude;

typedef struct {
  char     *name;
  char     *body;              /* replacement tokens, single-spaced */
  gboolean  function_like;
  char     *params;            /* function-like: "a,b", "fmt,...", "args..." or ""; else NULL */
} DccScanMacro;

/* Free an include or a macro made with g_new0 and g_strdup'd fields
 * (NULL is fine). */
void dcc_scan_include_free (DccScanInclude *inc);
void dcc_scan_macro_free (DccScanMacro *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccScanInclude, dcc_scan_include_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccScanMacro, dcc_scan_macro_free)

/* Immutable once made; reference-counted so that caches and requests can
 * share it across threads. */
typedef struct {
  GPtrArray *includes;         /* DccScanInclude*, in file order */
  GPtrArray *macros;           /* DccScanMacro*, every #define in the file */
  GHashTable *macro_index;     /* name -> GPtrArray of DccScanMacro* (borrowed from macros) */
} DccScanResult;

/* A result holding (a ref of) includes (freeing DccScanInclude*) and macros
 * (freeing DccScanMacro*), with the macros indexed by name. */
DccScanResult *dcc_scan_result_new (GPtrArray *includes, GPtrArray *macros);
DccScanResult *dcc_scan_result_ref (DccScanResult *r);
void           dcc_scan_result_unref (DccScanResult *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccScanResult, dcc_scan_result_unref)

typedef struct DccScanner DccScanner;
DccScanner *dcc_scanner_new (void);
/* Which libclang (its file's path, size and mtime: read without loading
 * it), for the cache file's tag. libclang itself is loaded by the first
 * scan that needs it (dcc_scanner_scan_clang, dcc_scanner_inclusions). */
char       *dcc_scanner_version (void);
void        dcc_scanner_free (DccScanner *scanner);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccScanner, dcc_scanner_free)

/* Scans data[0..len), the contents of path, lexing it as C or C++ with
 * the scan's own lexer (directive-lex.h). The caller read and hashed
 * exactly these bytes, so a result can be memoized by content hash. Every
 * branch of every conditional is scanned. Does not fail. */
gboolean dcc_scanner_scan (DccScanner *scanner, const char *path, const guint8 *data, gsize len,
                           gboolean cplusplus, DccScanResult **out, GError **error);
/* The same scan over libclang's tokens (clang_tokenize of the file wrapped
 * in #if 0), as the server did before directive-lex.c: the reference the
 * unit test compares the two with. FALSE only if libclang fails outright. */
gboolean dcc_scanner_scan_clang (DccScanner *scanner, const char *path, const guint8 *data, gsize len,
                                 gboolean cplusplus, DccScanResult **out, GError **error);

/* Exact fallback: parses the whole translation unit `source` with args
 * (language, -nostdinc, -include of a predefined-macros header, -iquote/-I
 * dirs) and lists every file clang included, as clang spelled their paths.
 * extra_name/extra_contents (may be NULL) is an in-memory file the args may
 * name. FALSE on a fatal error (the list would be short). Slow: a full parse. */
gboolean dcc_scanner_inclusions (DccScanner *scanner, const char *source,
                                 const char *const *args, const char *extra_name,
                                 const char *extra_contents, GPtrArray **files, GError **error);
