#include "macro-expand.h"
#include <string.h>

/* ---- tokens ---- */

typedef enum {
  TK_IDENT,
  TK_NUMBER,
  TK_STRING,
  TK_CHAR,
  TK_PUNCT,
  TK_PLACEMARKER,   /* an empty argument next to ## */
} TokKind;

typedef struct {
  const char *s;       /* spelling, interned in Ctx.chunk */
  guint64     hs;      /* hide set: bits from Ctx.bits */
  guint8      kind;
  guint8      space;   /* whitespace before it */
  guint8      paste;   /* a ## operator from a macro body */
  guint8      va;      /* placemarker for an empty variadic argument */
} Tok;

static gboolean
is_ident_start (char c)
{
  return g_ascii_isalpha (c) || c == '_' || c == '$';
}

static gboolean
is_ident_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '$';
}

static const char *const punctuators[] = {
  "...", "<<=", ">>=", "##", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
  "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "::",
};

/* Length of the token at p (p[0] is not whitespace or NUL), and its kind. */
static gsize
token_length (const char *p, TokKind *kind)
{
  const char *q = p;
  /* Encoding prefixes glue to the literal that follows. */
  if (*q == 'L' || *q == 'U' || *q == 'u')
    {
      const char *r = q + 1;
      if (*q == 'u' && *r == '8')
        r++;
      if (*r == '"' || *r == '\'')
        q = r;
    }
  if (*q == '"' || *q == '\'')
    {
      char quote = *q++;
      while (*q && *q != quote)
        q += (*q == '\\' && q[1]) ? 2 : 1;
      if (*q)
        q++;
      *kind = quote == '"' ? TK_STRING : TK_CHAR;
      return (gsize) (q - p);
    }
  if (is_ident_start (*p))
    {
      while (is_ident_char (*q))
        q++;
      *kind = TK_IDENT;
      return (gsize) (q - p);
    }
  if (g_ascii_isdigit (*p) || (*p == '.' && g_ascii_isdigit (p[1])))
    {
      q++;
      while (is_ident_char (*q) || *q == '.'
             || ((*q == '+' || *q == '-') && strchr ("eEpP", q[-1])))
        q++;
      *kind = TK_NUMBER;
      return (gsize) (q - p);
    }
  *kind = TK_PUNCT;
  for (gsize i = 0; i < G_N_ELEMENTS (punctuators); i++)
    if (g_str_has_prefix (p, punctuators[i]))
      return strlen (punctuators[i]);
  return 1;
}

/* ---- one expansion ---- */

typedef struct {
  gboolean  function_like;
  gboolean  variadic;     /* the last parameter takes the remaining arguments */
  GStrv     params;       /* names; a variadic one is "__VA_ARGS__" or its own name */
  guint     n_params;
  GArray   *body;         /* Tok */
} Def;

static void
def_free (Def *d)
{
  g_strfreev (d->params);
  g_array_unref (d->body);
  g_free (d);
}

typedef enum {
  RUN_MORE,       /* no verdict yet */
  RUN_DONE,       /* a header name is complete */
  RUN_DEAD,       /* this combination cannot be a successful compile */
  RUN_OVERFLOW,   /* a limit was hit: give up */
} RunStatus;

#define UNDEFINED ((gpointer) &undefined_marker)
static const char undefined_marker;

typedef struct {
  DccMacroLookup lookup;
  gpointer      lookup_data;
  GStringChunk *chunk;
  GHashTable   *defs;       /* name -> GPtrArray of Def* (distinct definitions) */
  GHashTable   *bits;       /* name -> bit index + 1 */
  /* The current combination. */
  GArray       *choice;     /* guint: definition picked at each decision */
  GArray       *options;    /* guint: how many there were */
  guint         decision;   /* next decision of this run */
  GHashTable   *chosen;     /* name -> Def* or UNDEFINED, in this run */
  guint         steps;
} Ctx;

static Tok
make_tok (Ctx *c, const char *s, gsize len, TokKind kind, gboolean space)
{
  Tok t = { .kind = (guint8) kind, .space = space };
  t.s = g_string_chunk_insert_len (c->chunk, s, (gssize) len);
  return t;
}

static void
lex (Ctx *c, const char *s, GArray *out)
{
  gboolean space = FALSE;
  for (const char *p = s; *p;)
    {
      if (g_ascii_isspace (*p))
        {
          space = TRUE;
          p++;
          continue;
        }
      TokKind kind;
      gsize n = token_length (p, &kind);
      Tok t = make_tok (c, p, n, kind, space);
      g_array_append_val (out, t);
      p += n;
      space = FALSE;
    }
}

static gboolean
tok_is (const Tok *t, const char *s)
{
  return t->kind != TK_PLACEMARKER && strcmp (t->s, s) == 0;
}

/* Parses "a,b", "fmt,...", "args..." into d; FALSE if malformed. */
static gboolean
parse_params (Def *d, const char *params)
{
  g_auto(GStrv) parts = g_strsplit (params, ",", -1);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; parts[i]; i++)
    {
      char *p = g_strstrip (parts[i]);
      if (!p[0] && !parts[i + 1] && i == 0)
        break;   /* "()" */
      if (d->variadic)
        return FALSE;   /* something after the variadic parameter */
      if (g_str_equal (p, "..."))
        {
          d->variadic = TRUE;
          g_ptr_array_add (names, g_strdup ("__VA_ARGS__"));
          continue;
        }
      gsize n = strlen (p);
      if (n > 3 && g_str_has_suffix (p, "..."))
        {
          d->variadic = TRUE;
          p[n - 3] = '\0';
          g_strstrip (p);
        }
      if (!is_ident_start (p[0]))
        return FALSE;
      for (const char *q = p; *q; q++)
        if (!is_ident_char (*q))
          return FALSE;
      g_ptr_array_add (names, g_strdup (p));
    }
  d->n_params = names->len;
  g_ptr_array_add (names, NULL);
  d->params = (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
  return TRUE;
}

/* The distinct, well-formed definitions of name (possibly none). */
static GPtrArray *
defs_of (Ctx *c, const char *name)
{
  GPtrArray *defs = g_hash_table_lookup (c->defs, name);
  if (defs)
    return defs;
  defs = g_ptr_array_new_with_free_func ((GDestroyNotify) def_free);
  g_hash_table_insert (c->defs, g_strdup (name), defs);
  GPtrArray *seen = c->lookup (name, c->lookup_data);
  g_autoptr(GHashTable) distinct = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; seen && i < seen->len; i++)
    {
      const DccScanMacro *m = seen->pdata[i];
      char *key = g_strdup_printf ("%d(%s)%s", m->function_like, m->params ? m->params : "",
                                   m->body ? m->body : "");
      if (!g_hash_table_add (distinct, key))
        continue;
      Def *d = g_new0 (Def, 1);
      d->function_like = m->function_like;
      d->body = g_array_new (FALSE, TRUE, sizeof (Tok));
      if (!parse_params (d, m->function_like && m->params ? m->params : ""))
        {
          def_free (d);
          continue;
        }
      lex (c, m->body ? m->body : "", d->body);
      for (guint k = 0; k < d->body->len; k++)
        {
          Tok *t = &g_array_index (d->body, Tok, k);
          t->paste = tok_is (t, "##") && k > 0 && k + 1 < d->body->len;
        }
      g_ptr_array_add (defs, d);
    }
  return defs;
}

/* The definition of name in this run: picked at its first use, then kept. */
static Def *
choose (Ctx *c, const char *name)
{
  gpointer hit = g_hash_table_lookup (c->chosen, name);
  if (hit)
    return hit == UNDEFINED ? NULL : hit;
  GPtrArray *defs = defs_of (c, name);
  Def *d = NULL;
  if (defs->len > 0)
    {
      guint pick;
      if (c->decision < c->choice->len)
        pick = g_array_index (c->choice, guint, c->decision);
      else
        {
          guint n = defs->len + 1;   /* every definition, or not defined */
          pick = 0;
          g_array_append_val (c->choice, pick);
          g_array_append_val (c->options, n);
        }
      c->decision++;
      d = pick < defs->len ? defs->pdata[pick] : NULL;
    }
  g_hash_table_insert (c->chosen, (gpointer) name, d ? (gpointer) d : UNDEFINED);
  return d;
}

/* The hide-set bit of name; 0 once there are too many names. */
static guint64
bit_of (Ctx *c, const char *name, gboolean assign)
{
  guint idx = GPOINTER_TO_UINT (g_hash_table_lookup (c->bits, name));
  if (!idx && assign && g_hash_table_size (c->bits) < DCC_MACRO_MAX_NAMES)
    {
      idx = g_hash_table_size (c->bits) + 1;
      g_hash_table_insert (c->bits, (gpointer) name, GUINT_TO_POINTER (idx));
    }
  return idx ? G_GUINT64_CONSTANT (1) << (idx - 1) : 0;
}

static RunStatus expand (Ctx *c, GArray *input, GArray *out, gboolean top, guint depth);

static void
array_unref_maybe (GArray *a)
{
  if (a)
    g_array_unref (a);
}

static void
append_seq (GArray *to, const GArray *from, gboolean space)
{
  for (guint i = 0; i < from->len; i++)
    {
      Tok t = g_array_index (from, Tok, i);
      if (i == 0)
        t.space = space;
      g_array_append_val (to, t);
    }
}

static Tok
stringize (Ctx *c, const GArray *arg, gboolean space)
{
  g_autoptr(GString) s = g_string_new ("\"");
  gboolean first = TRUE;
  for (guint i = 0; i < arg->len; i++)
    {
      const Tok *t = &g_array_index (arg, Tok, i);
      if (t->kind == TK_PLACEMARKER)
        continue;
      if (!first && t->space)
        g_string_append_c (s, ' ');
      first = FALSE;
      for (const char *p = t->s; *p; p++)
        {
          if ((t->kind == TK_STRING || t->kind == TK_CHAR) && (*p == '"' || *p == '\\'))
            g_string_append_c (s, '\\');
          g_string_append_c (s, *p);
        }
    }
  g_string_append_c (s, '"');
  return make_tok (c, s->str, s->len, TK_STRING, space);
}

static Tok
paste (Ctx *c, const Tok *l, const Tok *r)
{
  g_autofree char *text = g_strconcat (l->s, r->s, NULL);
  TokKind kind;
  token_length (text, &kind);
  Tok t = make_tok (c, text, strlen (text), kind, l->space);
  t.hs = l->hs;
  return t;
}

static int
param_index (const Def *d, const Tok *t)
{
  if (!d->function_like || t->kind != TK_IDENT)
    return -1;
  for (guint i = 0; i < d->n_params; i++)
    if (strcmp (d->params[i], t->s) == 0)
      return (int) i;
  return -1;
}

/* The replacement of one invocation: parameters replaced by their
 * (pre-expanded) arguments, # and ## applied, hs added to every token. */
static RunStatus
subst (Ctx *c, const Def *d, GPtrArray *args, guint64 hs, gboolean space, guint depth,
       GArray **result)
{
  g_autoptr(GArray) os = g_array_new (FALSE, TRUE, sizeof (Tok));
  g_autoptr(GPtrArray) expanded = g_ptr_array_new_with_free_func ((GDestroyNotify) array_unref_maybe);
  g_ptr_array_set_size (expanded, (gint) d->n_params);
  const GArray *body = d->body;
  for (guint i = 0; i < body->len; i++)
    {
      const Tok *b = &g_array_index (body, Tok, i);
      int p;
      if (d->function_like && tok_is (b, "#") && i + 1 < body->len
          && (p = param_index (d, &g_array_index (body, Tok, i + 1))) >= 0)
        {
          Tok t = stringize (c, args->pdata[p], b->space);
          g_array_append_val (os, t);
          i++;
          continue;
        }
      if ((p = param_index (d, b)) >= 0)
        {
          const GArray *arg = args->pdata[p];
          gboolean by_paste = (i + 1 < body->len && g_array_index (body, Tok, i + 1).paste)
                              || (i > 0 && g_array_index (body, Tok, i - 1).paste);
          if (by_paste)
            {
              if (arg->len == 0)
                {
                  Tok pm = { .s = "", .kind = TK_PLACEMARKER, .space = b->space,
                             .va = d->variadic && (guint) p == d->n_params - 1 };
                  g_array_append_val (os, pm);
                }
              else
                append_seq (os, arg, b->space);
              continue;
            }
          if (!expanded->pdata[p])
            {
              GArray *ex = g_array_new (FALSE, TRUE, sizeof (Tok));
              expanded->pdata[p] = ex;
              RunStatus st = expand (c, (GArray *) arg, ex, FALSE, depth + 1);
              if (st != RUN_MORE)
                return st;
            }
          append_seq (os, expanded->pdata[p], b->space);
          continue;
        }
      g_array_append_val (os, *b);
    }
  /* ## pastes, then placemarkers vanish. */
  GArray *rs = g_array_sized_new (FALSE, TRUE, sizeof (Tok), os->len);
  for (guint j = 0; j < os->len; j++)
    {
      const Tok *t = &g_array_index (os, Tok, j);
      if (t->paste && rs->len > 0 && j + 1 < os->len)
        {
          Tok l = g_array_index (rs, Tok, rs->len - 1);
          const Tok *r = &g_array_index (os, Tok, ++j);
          g_array_set_size (rs, rs->len - 1);
          if (l.kind == TK_PLACEMARKER)
            g_array_append_val (rs, *r);
          else if (r->kind == TK_PLACEMARKER)
            {
              if (!(r->va && tok_is (&l, ",")))   /* GNU: , ## __VA_ARGS__ */
                g_array_append_val (rs, l);
            }
          else
            {
              Tok n = paste (c, &l, r);
              g_array_append_val (rs, n);
            }
          continue;
        }
      g_array_append_val (rs, *t);
    }
  guint k = 0;
  for (guint j = 0; j < rs->len; j++)
    {
      Tok t = g_array_index (rs, Tok, j);
      if (t.kind == TK_PLACEMARKER)
        continue;
      t.hs |= hs;
      t.paste = FALSE;
      if (k == 0)
        t.space = space;
      g_array_index (rs, Tok, k++) = t;
    }
  g_array_set_size (rs, k);
  *result = rs;
  return RUN_MORE;
}

/* Pops tokens from the stack (reversed input) into the arguments of an
 * invocation whose "(" is on top. FALSE if the ")" is missing. */
static gboolean
collect_args (GArray *stack, const Def *d, GPtrArray *args, guint64 *rparen_hs)
{
  g_array_set_size (stack, stack->len - 1);   /* "(" */
  GArray *cur = g_array_new (FALSE, TRUE, sizeof (Tok));
  g_ptr_array_add (args, cur);
  int nest = 0;
  while (stack->len > 0)
    {
      Tok t = g_array_index (stack, Tok, stack->len - 1);
      g_array_set_size (stack, stack->len - 1);
      if (tok_is (&t, "(") )
        nest++;
      else if (tok_is (&t, ")"))
        {
          if (nest == 0)
            {
              *rparen_hs = t.hs;
              return TRUE;
            }
          nest--;
        }
      else if (tok_is (&t, ",") && nest == 0
               && !(d->variadic && args->len >= d->n_params))
        {
          cur = g_array_new (FALSE, TRUE, sizeof (Tok));
          g_ptr_array_add (args, cur);
          continue;
        }
      g_array_append_val (cur, t);
    }
  return FALSE;
}

static void
push_reversed (GArray *stack, const GArray *seq)
{
  for (guint i = seq->len; i > 0; i--)
    g_array_append_val (stack, g_array_index (seq, Tok, i - 1));
}

/* Is out (the directive's final tokens so far) a header name, a prefix of
 * one, or neither? */
static RunStatus
verdict (const GArray *out)
{
  const Tok *first = &g_array_index (out, Tok, 0);
  if (first->kind == TK_STRING && first->s[0] == '"')
    return RUN_DONE;
  if (!tok_is (first, "<"))
    return RUN_DEAD;
  if (out->len > 1 && tok_is (&g_array_index (out, Tok, out->len - 1), ">"))
    return RUN_DONE;
  return RUN_MORE;
}

/* Prosser's algorithm: macro-expands input into out. At the top level it
 * stops as soon as out is a complete header name (RUN_DONE) or cannot
 * become one (RUN_DEAD). */
static RunStatus
expand (Ctx *c, GArray *input, GArray *out, gboolean top, guint depth)
{
  if (depth > DCC_MACRO_MAX_DEPTH)
    return RUN_OVERFLOW;
  g_autoptr(GArray) stack = g_array_sized_new (FALSE, TRUE, sizeof (Tok), input->len);
  push_reversed (stack, input);
  while (stack->len > 0)
    {
      if (++c->steps > DCC_MACRO_MAX_STEPS || stack->len > DCC_MACRO_MAX_TOKENS
          || out->len > DCC_MACRO_MAX_TOKENS)
        return RUN_OVERFLOW;
      Tok t = g_array_index (stack, Tok, stack->len - 1);
      g_array_set_size (stack, stack->len - 1);
      if (t.kind == TK_IDENT && !(t.hs & bit_of (c, t.s, FALSE)))
        {
          Def *d = choose (c, t.s);
          gboolean invoked = d && d->function_like && stack->len > 0
                             && tok_is (&g_array_index (stack, Tok, stack->len - 1), "(");
          if (d && (!d->function_like || invoked))
            {
              guint64 bit = bit_of (c, t.s, TRUE);
              if (!bit)
                return RUN_OVERFLOW;
              guint64 hs = t.hs | bit;
              g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
              if (invoked)
                {
                  guint64 rparen_hs = 0;
                  if (!collect_args (stack, d, args, &rparen_hs))
                    return RUN_DEAD;   /* unterminated invocation: an error */
                  if (d->n_params == 0 && args->len == 1 && ((GArray *) args->pdata[0])->len == 0)
                    g_ptr_array_set_size (args, 0);
                  if (d->variadic && args->len == d->n_params - 1)
                    g_ptr_array_add (args, g_array_new (FALSE, TRUE, sizeof (Tok)));
                  if (args->len != d->n_params)
                    return RUN_DEAD;   /* wrong argument count: an error */
                  hs = (t.hs & rparen_hs) | bit;
                }
              g_autoptr(GArray) r = NULL;
              RunStatus st = subst (c, d, args, hs, t.space, depth, &r);
              if (st != RUN_MORE)
                return st;
              push_reversed (stack, r);
              continue;
            }
        }
      g_array_append_val (out, t);
      if (top)
        {
          RunStatus v = verdict (out);
          if (v != RUN_MORE)
            return v;
        }
    }
  return top ? RUN_DEAD : RUN_MORE;
}

static void
add_result (GHashTable *seen, GPtrArray *found, char *name)
{
  if (g_hash_table_add (seen, name))
    g_ptr_array_add (found, name);
}

/* The header name of a RUN_DONE out, and its spaceless twin. */
static void
header_names (const GArray *out, GHashTable *seen, GPtrArray *found)
{
  const Tok *first = &g_array_index (out, Tok, 0);
  if (first->kind == TK_STRING)
    {
      gsize n = strlen (first->s);
      add_result (seen, found, g_strdup_printf ("\"%.*s", (int) (n - 2), first->s + 1));
      return;
    }
  g_autoptr(GString) s = g_string_new ("<");
  for (guint i = 1; i + 1 < out->len; i++)
    {
      const Tok *t = &g_array_index (out, Tok, i);
      if (t->space && s->len > 1)
        g_string_append_c (s, ' ');
      g_string_append (s, t->s);
    }
  while (s->len > 1 && s->str[s->len - 1] == ' ')
    g_string_truncate (s, s->len - 1);
  if (strchr (s->str, ' '))
    {
      g_autoptr(GString) bare = g_string_new (NULL);
      for (const char *p = s->str; *p; p++)
        if (*p != ' ')
          g_string_append_c (bare, *p);
      add_result (seen, found, g_string_free (g_steal_pointer (&s), FALSE));
      add_result (seen, found, g_string_free (g_steal_pointer (&bare), FALSE));
      return;
    }
  add_result (seen, found, g_string_free (g_steal_pointer (&s), FALSE));
}

static GPtrArray *
table_lookup (const char *name, gpointer data)
{
  return data ? g_hash_table_lookup (data, name) : NULL;
}

gboolean
dcc_macro_expand_include (const char *tokens, GHashTable *macros, GPtrArray *out)
{
  return dcc_macro_expand_include_with (tokens, table_lookup, macros, out);
}

gboolean
dcc_macro_expand_include_with (const char *tokens, DccMacroLookup lookup, gpointer data,
                               GPtrArray *out)
{
  Ctx c = { .lookup = lookup, .lookup_data = data };
  c.chunk = g_string_chunk_new (1024);
  c.defs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  c.bits = g_hash_table_new (g_str_hash, g_str_equal);
  c.chosen = g_hash_table_new (g_str_hash, g_str_equal);
  c.choice = g_array_new (FALSE, TRUE, sizeof (guint));
  c.options = g_array_new (FALSE, TRUE, sizeof (guint));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) input = g_array_new (FALSE, TRUE, sizeof (Tok));
  lex (&c, tokens, input);
  gboolean ok = TRUE;
  for (guint runs = 0;; runs++)
    {
      if (runs >= DCC_MACRO_MAX_RUNS)
        {
          ok = FALSE;
          break;
        }
      c.decision = 0;
      c.steps = 0;
      g_hash_table_remove_all (c.chosen);
      g_autoptr(GArray) result = g_array_new (FALSE, TRUE, sizeof (Tok));
      RunStatus st = expand (&c, input, result, TRUE, 0);
      if (st == RUN_OVERFLOW)
        {
          ok = FALSE;
          break;
        }
      if (st == RUN_DONE)
        header_names (result, seen, found);
      if (found->len > DCC_MACRO_MAX_RESULTS)
        {
          ok = FALSE;
          break;
        }
      /* Next combination: the last decision with an option left moves on. */
      g_array_set_size (c.choice, c.decision);
      g_array_set_size (c.options, c.decision);
      while (c.choice->len > 0
             && g_array_index (c.choice, guint, c.choice->len - 1) + 1
                    >= g_array_index (c.options, guint, c.options->len - 1))
        {
          g_array_set_size (c.choice, c.choice->len - 1);
          g_array_set_size (c.options, c.options->len - 1);
        }
      if (c.choice->len == 0)
        break;
      g_array_index (c.choice, guint, c.choice->len - 1)++;
    }
  ok = ok && found->len > 0;
  if (ok)
    for (guint i = 0; i < found->len; i++)
      g_ptr_array_add (out, g_strdup (found->pdata[i]));
  g_hash_table_unref (c.chosen);
  g_hash_table_unref (c.bits);
  g_hash_table_unref (c.defs);
  g_array_unref (c.choice);
  g_array_unref (c.options);
  g_string_chunk_free (c.chunk);
  return ok;
}

/* ---- definitions from text ---- */

static DccScanMacro *
macro_from (const char *name, gsize name_len, const char *params, gsize params_len,
            const char *body)
{
  if (name_len == 0 || !is_ident_start (name[0]))
    return NULL;
  DccScanMacro *m = g_new0 (DccScanMacro, 1);
  m->name = g_strndup (name, name_len);
  if (params)
    {
      m->function_like = TRUE;
      m->params = g_strndup (params, params_len);
    }
  m->body = g_strstrip (g_strdup (body));
  return m;
}

/* "NAME(PARAMS) BODY" or "NAME BODY" at p; body_sep is what may end the
 * name besides "(" (space, or "=" on the command line). */
static DccScanMacro *
parse_one (const char *p, const char *body_sep, const char *default_body)
{
  const char *name = p;
  while (is_ident_char (*p))
    p++;
  gsize name_len = (gsize) (p - name);
  const char *params = NULL;
  gsize params_len = 0;
  if (*p == '(')
    {
      params = ++p;
      const char *close = strchr (p, ')');
      if (!close)
        return NULL;
      params_len = (gsize) (close - params);
      p = close + 1;
    }
  if (*p && !strchr (body_sep, *p))
    return NULL;
  return macro_from (name, name_len, params, params_len, *p ? p + 1 : default_body);
}

GPtrArray *
dcc_macro_parse_defines (const char *text)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_scan_macro_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] && out->len < DCC_MACRO_MAX_DEFINES; i++)
    {
      const char *l = lines[i];
      while (*l == ' ' || *l == '\t')
        l++;
      if (!g_str_has_prefix (l, "#define "))
        continue;
      l += strlen ("#define ");
      while (*l == ' ' || *l == '\t')
        l++;
      DccScanMacro *m = parse_one (l, " \t", "");
      if (m)
        g_ptr_array_add (out, m);
    }
  return out;
}

DccScanMacro *
dcc_macro_from_cmdline (const char *define)
{
  return parse_one (define, "=", "1");
}
