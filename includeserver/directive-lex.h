/* A raw C/C++ lexer for the header scan (clang-scan.c): it splits a
 * file's bytes into the tokens clang's raw lexer (clang_tokenize) would
 * give, as far as the scan looks at them: where each token starts and
 * ends, and whether it is a comment, a literal, an identifier or anything
 * else. Comments, string and character literals (unterminated ones end at
 * the line's end, as clang's do), C++ raw strings and digit separators,
 * line splices inside and before tokens. Punctuation other than '#', '<'
 * and '.' is split into single characters: the scan compares only those
 * three, and joins the others by their bytes.
 *
 * Pure: no libclang, no files. About 50 times cheaper than libclang's
 * reparse and tokenize for a kernel header. */
#pragma once
#include <glib.h>

typedef enum {
  DCC_LEX_PUNCT,       /* punctuation, and what clang calls unknown (an unterminated literal) */
  DCC_LEX_IDENT,       /* identifiers and keywords */
  DCC_LEX_LITERAL,     /* numbers, strings, character constants */
  DCC_LEX_COMMENT,
} DccLexKind;

typedef struct {
  DccLexKind kind;
  gsize start, end;    /* byte offsets in the buffer: [start, end) */
} DccLexTok;

/* Appends the tokens of data[0..len) to toks (a GArray of DccLexTok), as C
 * (gnu11) or C++ (gnu++17). A token that would run past the end (an
 * unterminated block comment or raw string) is left out, as is everything
 * after it. */
void dcc_directive_lex (const char *data, gsize len, gboolean cplusplus, GArray *toks);
