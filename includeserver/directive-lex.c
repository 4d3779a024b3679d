/* The header scan's own lexer (directive-lex.h): token boundaries as
 * clang's raw lexer draws them, for the tokens the scan looks at. Written
 * against clang 14's Lexer.cpp (LexTokenInternal, getCharAndSizeSlow,
 * SkipLineComment, SkipBlockComment, LexStringLiteral, LexCharConstant,
 * LexRawStringLiteral, LexNumericConstant); checked against it by
 * test/unit/test-is-scan.c, which scans files with both. */
#include "directive-lex.h"
#include <string.h>

typedef struct {
  const char *d;
  gsize len;
  gboolean cpp;
  gboolean off;        /* a token ran past the end: stop */
} Lx;

static inline int
at (const Lx *l, gsize p)
{
  return p < l->len ? (guchar) l->d[p] : -1;
}

static inline gboolean
is_hws (int c)
{
  return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static inline gboolean
is_ident_cont (int c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

/* Code points allowed in identifiers (C11 Annex D, which clang 14 uses
 * for C11 and, near enough for headers, C++). */
static const guint32 allowed_ranges[][2] = {
  { 0x00A8, 0x00A8 }, { 0x00AA, 0x00AA }, { 0x00AD, 0x00AD }, { 0x00AF, 0x00AF }, { 0x00B2, 0x00B5 },
  { 0x00B7, 0x00BA }, { 0x00BC, 0x00BE }, { 0x00C0, 0x00D6 }, { 0x00D8, 0x00F6 }, { 0x00F8, 0x00FF },
  { 0x0100, 0x167F }, { 0x1681, 0x180D }, { 0x180F, 0x1FFF }, { 0x200B, 0x200D }, { 0x202A, 0x202E },
  { 0x203F, 0x2040 }, { 0x2054, 0x2054 }, { 0x2060, 0x206F }, { 0x2070, 0x218F }, { 0x2460, 0x24FF },
  { 0x2776, 0x2793 }, { 0x2C00, 0x2DFF }, { 0x2E80, 0x2FFF }, { 0x3004, 0x3007 }, { 0x3021, 0x302F },
  { 0x3031, 0x303F }, { 0x3040, 0xD7FF }, { 0xF900, 0xFD3D }, { 0xFD40, 0xFDCF }, { 0xFDF0, 0xFE44 },
  { 0xFE47, 0xFFFD },
};

static gboolean
cp_allowed (guint32 cp, gboolean initial)
{
  if (cp >= 0x10000)
    return (cp & 0xFFFF) <= 0xFFFD && cp <= 0xEFFFD;
  if (initial && ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1DC0 && cp <= 0x1DFF)
                  || (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F)))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (allowed_ranges); i++)
    if (cp >= allowed_ranges[i][0] && cp <= allowed_ranges[i][1])
      return TRUE;
  return FALSE;
}

/* The length of the UTF-8 sequence at p (0: not valid UTF-8), its code
 * point in *cp. */
static gsize
utf8_at (const char *d, gsize len, gsize p, guint32 *cp)
{
  guchar c = (guchar) d[p];
  gsize n = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (c >= 0xF5 || n == 0 || p + n > len)
    return 0;
  guint32 v = c & (0x7F >> n);
  for (gsize i = 1; i < n; i++)
    {
      guchar k = (guchar) d[p + i];
      if ((k & 0xC0) != 0x80)
        return 0;
      v = (v << 6) | (k & 0x3F);
    }
  if ((n == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)))
    return 0;
  *cp = v;
  return n;
}

/* The length of an identifier character at p that is not ASCII, or 0. */
static gsize
utf8_ident (const char *d, gsize len, gsize p, gboolean initial)
{
  guint32 cp;
  gsize n = (guchar) d[p] >= 0x80 ? utf8_at (d, len, p, &cp) : 0;
  return n && cp_allowed (cp, initial) ? n : 0;
}

static inline gboolean
is_digit (int c)
{
  return c >= '0' && c <= '9';
}

/* The length of a line splice (backslash, horizontal white space, one
 * newline: \n, \r, \r\n or \n\r) at p, or 0. The end of the buffer counts
 * as a newline: the scan's buffer, as libclang saw it, was followed by one. */
static gsize
splice_len (const Lx *l, gsize p)
{
  if (at (l, p) != '\\')
    return 0;
  gsize q = p + 1;
  while (is_hws (at (l, q)))
    q++;
  int c = at (l, q);
  if (c == -1)
    return q - p;
  if (c != '\n' && c != '\r')
    return 0;
  q++;
  int c2 = at (l, q);
  if ((c2 == '\n' || c2 == '\r') && c2 != c)
    q++;
  return q - p;
}

/* p moved over any line splices. */
static inline gsize
skip (const Lx *l, gsize p)
{
  while (p < l->len && l->d[p] == '\\')
    {
      gsize n = splice_len (l, p);
      if (!n)
        break;
      p += n;
    }
  return p;
}

/* As skip, inside a token: a splice that reaches the end runs the token
 * into what followed the buffer. */
static inline gsize
skip_in (Lx *l, gsize p)
{
  gsize q = skip (l, p);
  if (q >= l->len && q != p)
    l->off = TRUE;
  return q;
}

static void
emit (GArray *toks, DccLexKind kind, gsize start, gsize end)
{
  DccLexTok t = { kind, start, end };
  g_array_append_val (toks, t);
}

/* From p (after the first character), the end of an identifier. */
static gsize
ident_end (const Lx *l, gsize p)
{
  for (;;)
    {
      while (p < l->len && is_ident_cont ((guchar) l->d[p]))
        p++;
      gsize q = skip (l, p), u;
      if (q < l->len && (u = utf8_ident (l->d, l->len, q, FALSE)))
        {
          p = q + u;
          continue;
        }
      if (q == p || !is_ident_cont (at (l, q)))
        return p;
      p = q + 1;
    }
}

/* From p (after the first character c0 at first), the end of a
 * preprocessing number. */
static gsize
number_end (const Lx *l, gsize first, gsize p)
{
  int prev = at (l, first);
  gboolean hex = prev == '0' && (at (l, skip (l, first + 1)) | 0x20) == 'x';
  for (;;)
    {
      gsize q = skip (l, p);
      int c = at (l, q);
      if (is_ident_cont (c) || c == '.')
        {
          prev = c;
          p = q + 1;
          continue;
        }
      if ((c == '+' || c == '-')
          && (prev == 'e' || prev == 'E' || ((prev == 'p' || prev == 'P') && (!l->cpp || hex))))
        {
          prev = c;
          p = q + 1;
          continue;
        }
      if (c == '\'' && l->cpp)
        {
          gsize r = skip (l, q + 1);
          if (is_ident_cont (at (l, r)))
            {
              prev = at (l, r);
              p = r + 1;
              continue;
            }
        }
      return p;
    }
}

/* A string or character literal whose opening quote is at q (the token
 * starts at start). Unterminated: up to the line's end, as punctuation. */
static void
quoted (Lx *l, GArray *toks, gsize start, gsize q, char quote)
{
  gsize p = q + 1;
  for (;;)
    {
      gsize r = skip_in (l, p);
      if (l->off)
        return;
      int c = at (l, r);
      if (c == -1 || c == '\n' || c == '\r')
        {
          emit (toks, DCC_LEX_PUNCT, start, r);
          return;
        }
      if (c == quote)
        {
          emit (toks, DCC_LEX_LITERAL, start, r + 1);
          return;
        }
      p = r + 1;
      if (c == '\\')
        {
          r = skip_in (l, p);
          if (l->off)
            return;
          c = at (l, r);
          if (c == -1 || c == '\n' || c == '\r')
            {
              emit (toks, DCC_LEX_PUNCT, start, r);
              return;
            }
          p = r + 1;
        }
    }
}

static gboolean
is_raw_delim (int c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
         || (c > 0 && strchr ("{}[]#<>%:;?*+-/^&|~!=,\"'", c) != NULL);
}

/* A C++ raw string: q is its opening quote (no splices inside). */
static void
raw_string (Lx *l, GArray *toks, gsize start, gsize q)
{
  gsize dstart = q + 1, n = 0;
  while (n != 16 && is_raw_delim (at (l, dstart + n)))
    n++;
  if (at (l, dstart + n) != '(')
    {
      /* clang skips to the next quote */
      const char *quote = dstart < l->len ? memchr (l->d + dstart, '"', l->len - dstart) : NULL;
      if (!quote)
        {
          l->off = TRUE;
          return;
        }
      emit (toks, DCC_LEX_PUNCT, start, (gsize) (quote - l->d) + 1);
      return;
    }
  for (gsize p = dstart + n + 1; p < l->len; p++)
    if (l->d[p] == ')' && p + 1 + n < l->len && memcmp (l->d + p + 1, l->d + dstart, n) == 0
        && l->d[p + 1 + n] == '"')
      {
        emit (toks, DCC_LEX_LITERAL, start, p + 2 + n);
        return;
      }
  l->off = TRUE;   /* unterminated: runs to the end */
}

/* A block comment: q is the '*' after the opening '/'. */
static void
block_comment (Lx *l, GArray *toks, gsize start, gsize q)
{
  gsize p = q + 1;
  if (at (l, p) == '/')
    p++;   /* a slash right after the opening star does not close it */
  gsize floor = q + 1;
  while (p < l->len)
    {
      const char *slash = memchr (l->d + p, '/', l->len - p);
      if (!slash)
        break;
      gsize s = (gsize) (slash - l->d);
      p = s + 1;
      if (s <= floor)
        continue;
      gsize b = s - 1;
      for (;;)
        {
          int c = at (l, b);
          if (c == '*')
            {
              emit (toks, DCC_LEX_COMMENT, start, s + 1);
              return;
            }
          if (c != '\n' && c != '\r')
            break;
          /* "*", an escaped newline, "/" also closes it */
          if (b <= floor)
            break;
          b--;
          int c2 = at (l, b);
          if ((c2 == '\n' || c2 == '\r') && c2 != c && b > floor)
            b--;
          while (b > floor && is_hws (at (l, b)))
            b--;
          if (at (l, b) != '\\' || b <= floor)
            break;
          b--;
        }
    }
  l->off = TRUE;   /* unterminated */
}

/* A line comment from start; p is after its second '/'. It ends before a
 * newline not escaped by a backslash. */
static void
line_comment (Lx *l, GArray *toks, gsize start, gsize p)
{
  for (;;)
    {
      gsize n = p;
      while (n < l->len && l->d[n] != '\n' && l->d[n] != '\r')
        n++;
      gsize b = n;
      while (b > p && is_hws ((guchar) l->d[b - 1]))
        b--;
      if (b > p && l->d[b - 1] == '\\')
        {
          if (n >= l->len)
            {
              l->off = TRUE;   /* escaped into what followed the buffer */
              return;
            }
          p = (b - 1) + splice_len (l, b - 1);
          continue;
        }
      emit (toks, DCC_LEX_COMMENT, start, n);
      return;
    }
}

void
dcc_directive_lex (const char *data, gsize len, gboolean cplusplus, GArray *toks)
{
  Lx lx = { .d = data, .len = len, .cpp = cplusplus };
  Lx *l = &lx;
  gsize p = 0;
  while (!l->off)
    {
      while (p < len && (is_hws ((guchar) data[p]) || data[p] == '\n' || data[p] == '\r' || data[p] == '\0'))
        p++;
      if (p >= len)
        break;
      gsize start = p;
      gsize q = skip (l, p);
      if (q != p)
        {
          if (q >= len)
            break;
          int w = (guchar) data[q];
          if (is_hws (w) || w == '\n' || w == '\r' || w == '\0')
            {
              p = q + 1;
              continue;
            }
        }
      /* The token starts at start (a splice's backslash, if one comes
       * first, as in clang), its first character is at q. */
      int c = (guchar) data[q];
      gsize n1 = skip (l, q + 1);
      int c1 = at (l, n1);
      if (l->cpp && (c == 'R' || c == 'u' || c == 'U' || c == 'L'))
        {
          /* R"d(...)d", u8R, uR, UR, LR: raw, no splices in the prefix */
          gsize r = q;
          if (c != 'R')
            {
              r++;
              if (c == 'u' && at (l, r) == '8')
                r++;
            }
          if (at (l, r) == 'R' && at (l, r + 1) == '"')
            {
              gsize before = toks->len;
              raw_string (l, toks, start, r + 1);
              if (toks->len > before)
                p = g_array_index (toks, DccLexTok, toks->len - 1).end;
              continue;
            }
        }
      if (c >= 0x80)
        {
          /* clang: an identifier, an unknown token, or (not UTF-8) dropped */
          guint32 cp;
          gsize u = utf8_at (data, len, q, &cp);
          if (!u)
            {
              p = q + 1;
              continue;
            }
          gsize e = cp_allowed (cp, TRUE) ? ident_end (l, q + u) : q + u;
          emit (toks, cp_allowed (cp, TRUE) ? DCC_LEX_IDENT : DCC_LEX_PUNCT, start, e);
          p = e;
          continue;
        }
      if (is_ident_cont (c) && !is_digit (c))
        {
          gsize e = ident_end (l, q + 1);
          emit (toks, DCC_LEX_IDENT, start, e);
          p = e;
          continue;
        }
      if (is_digit (c) || (c == '.' && is_digit (c1)))
        {
          gsize e = number_end (l, q, q + 1);
          emit (toks, DCC_LEX_LITERAL, start, e);
          p = e;
          continue;
        }
      if (c == '"' || c == '\'')
        {
          gsize before = toks->len;
          quoted (l, toks, start, q, (char) c);
          if (toks->len > before)
            p = g_array_index (toks, DccLexTok, toks->len - 1).end;
          continue;
        }
      if (c == '/' && c1 == '*')
        {
          gsize before = toks->len;
          block_comment (l, toks, start, n1);
          if (toks->len > before)
            p = g_array_index (toks, DccLexTok, toks->len - 1).end;
          continue;
        }
      if (c == '/' && c1 == '/')
        {
          gsize before = toks->len;
          line_comment (l, toks, start, n1 + 1);
          if (toks->len > before)
            p = g_array_index (toks, DccLexTok, toks->len - 1).end;
          continue;
        }
      gsize e = q + 1;
      if (c == '#' && c1 == '#')
        e = n1 + 1;
      else if (c == '.' && c1 == '.')
        {
          gsize n2 = skip (l, n1 + 1);
          if (at (l, n2) == '.')
            e = n2 + 1;
        }
      else if (c == '.' && c1 == '*' && l->cpp)
        e = n1 + 1;
      else if (c == '<')
        {
          gsize n2 = skip (l, n1 + 1);
          int c2 = at (l, n2);
          if (c1 == '<')
            e = c2 == '=' ? n2 + 1 : n1 + 1;
          else if (c1 == '=' || c1 == '%')
            e = n1 + 1;
          else if (c1 == ':')
            {
              int c3 = at (l, skip (l, n2 + 1));
              if (!(l->cpp && c2 == ':' && c3 != ':' && c3 != '>'))
                e = n1 + 1;
            }
        }
      emit (toks, DCC_LEX_PUNCT, start, e);
      p = e;
    }
}
