/* The volunteer's result cache; see result-cache.h and doc/result-cache.md. */
#include "result-cache.h"
#include "result-cwd.h"
#include "dcc-args.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "dcc-wire.h"
#include <string.h>

#ifndef DCC_VERSION
#define DCC_VERSION "unknown"
#endif

static void
put_strv (GByteArray *b, const char *const *v, guint n)
{
  dcc_put_u32 (b, n);
  for (guint i = 0; i < n; i++)
    dcc_put_string (b, v[i] ? v[i] : "");
}

static guint
strv_len (const char *const *v)
{
  guint n = 0;
  while (v && v[n])
    n++;
  return n;
}

/* path is "/" or a directory above cwd. */
static gboolean
above_cwd (const char *path, const char *cwd)
{
  if (!path || path[0] != '/')
    return FALSE;
  gsize n = strlen (path);
  return strcmp (path, "/") == 0 || (strncmp (cwd, path, n) == 0 && cwd[n] == '/');
}

void
dcc_result_key (const DccResultKeyInput *in, DccHash *key)
{
  const DccRequest *req = in->req;
  g_autoptr(GByteArray) b = g_byte_array_new ();
  /* Every field is typed and length-prefixed: no two different inputs
   * serialise alike. */
  dcc_put_string (b, "distccd result key");
  dcc_put_u32 (b, DCC_RESULT_KEY_VERSION);
  dcc_put_string (b, DCC_VERSION);
  dcc_put_string (b, in->relative ? "relative to the working directory" : "absolute");
  dcc_put_u32 (b, (guint32) req->mode);
  dcc_put_string (b, in->compiler ? in->compiler : "");
  dcc_put_string (b, in->compiler_id ? in->compiler_id : "");
  dcc_put_string (b, in->daemon_path ? in->daemon_path : "");
  const char *cwd = req->cwd ? req->cwd : "";
  guint argc = req->argv ? req->argv->len : 0;
  /* argv is NULL-terminated once complete: leave the NULL out */
  while (argc > 0 && req->argv->pdata[argc - 1] == NULL)
    argc--;
  if (!in->relative)
    {
      put_strv (b, req->argv ? (const char *const *) req->argv->pdata : NULL, argc);
      dcc_put_string (b, cwd);
    }
  else
    {
      /* Each argument as it is (0), or a prefix map of exactly the
       * working directory without it (1). */
      dcc_put_u32 (b, argc);
      for (guint i = 0; i < argc; i++)
        {
          const char *a = req->argv->pdata[i] ? req->argv->pdata[i] : "";
          g_autofree char *form = i > 0 ? dcc_result_cwd_arg_form (a, cwd) : NULL;
          dcc_put_u8 (b, form ? 1 : 0);
          dcc_put_string (b, form ? form : a);
        }
    }
  put_strv (b, in->env, strv_len (in->env));
  put_strv (b, req->sysdirs ? (const char *const *) req->sysdirs->pdata : NULL, req->sysdirs ? req->sysdirs->len : 0);
  put_strv (b, req->preincludes ? (const char *const *) req->preincludes->pdata : NULL,
            req->preincludes ? req->preincludes->len : 0);
  if (req->mode == DCC_MODE_PLAIN)
    {
      dcc_put_string (b, req->source_name ? req->source_name : "");
      gsize len = 0;
      const void *text = req->source_text ? g_bytes_get_data (req->source_text, &len) : NULL;
      DccHash h;
      dcc_hash_bytes (text ? text : (const void *) "", len, &h);
      dcc_put_u64 (b, len);
      g_byte_array_append (b, h.bytes, DCC_HASH_LEN);
    }
  else
    {
      gsize cl = strlen (cwd);
      guint n = req->manifest ? req->manifest->len : 0;
      /* Relative: the directories above the working directory are left
       * out (they exist wherever it is; dcc_result_cwd_reaches checked
       * that they are plain directories), and paths in it are keyed from
       * it (1), others as they are (0). */
      guint kept = 0;
      for (guint i = 0; i < n; i++)
        kept += !(in->relative && above_cwd (((const DccEntry *) req->manifest->pdata[i])->path, cwd));
      dcc_put_u32 (b, kept);
      for (guint i = 0; i < n; i++)
        {
          const DccEntry *e = req->manifest->pdata[i];
          const char *path = e->path ? e->path : "";
          if (in->relative && above_cwd (path, cwd))
            continue;
          dcc_put_u8 (b, (guint8) e->kind);
          dcc_put_u32 (b, e->mode);
          dcc_put_u64 (b, e->kind == DCC_ENTRY_FILE ? e->size : 0);
          static const DccHash none = { { 0 } };
          g_byte_array_append (b, (e->kind == DCC_ENTRY_FILE ? &e->hash : &none)->bytes, DCC_HASH_LEN);
          gboolean rel = in->relative && strncmp (path, cwd, cl) == 0 && (path[cl] == '\0' || path[cl] == '/');
          dcc_put_u8 (b, rel ? 1 : 0);
          dcc_put_string (b, rel ? path + cl : path);
          dcc_put_string (b, e->target ? e->target : "");
        }
    }
  dcc_hash_bytes (b->data, b->len, key);
}

static gboolean
env_has (const char *const *env, const char *name)
{
  gsize n = strlen (name);
  for (guint i = 0; env && env[i]; i++)
    if (strncmp (env[i], name, n) == 0 && env[i][n] == '=')
      return TRUE;
  return FALSE;
}

const char *
dcc_result_uncacheable_args (const char *const *argv, const char *const *env)
{
  gboolean seed = FALSE;
  for (guint i = 1; argv && argv[i]; i++)
    if (g_str_has_prefix (argv[i], "-frandom-seed"))
      seed = TRUE;
  gboolean date_fixed = env_has (env, "SOURCE_DATE_EPOCH");
  for (guint i = 1; argv && argv[i]; i++)
    {
      const char *a = argv[i];
      DccOptClass cls = dcc_args_option_class (a);
      if (cls == DCC_OPT_PROFILE_USE)
        return "a profile is read from outside the inputs the key covers";
      if (!seed && cls == DCC_OPT_COVERAGE)
        return "coverage and profiling data carry a time stamp without -frandom-seed";
      if (!seed && cls == DCC_OPT_LTO)
        return "LTO sections are named with the compiler's random seed without -frandom-seed";
      if (cls == DCC_OPT_DUMP)
        return "dumps and -save-temps are not cached";
      if (strstr (a, "__TIMESTAMP__"))
        return "__TIMESTAMP__ is a file's modification time";
      if (!date_fixed && (strstr (a, "__DATE__") || strstr (a, "__TIME__")))
        return "__DATE__ or __TIME__ without SOURCE_DATE_EPOCH";
    }
  return NULL;
}

/* After a directive's name: blanks (and a "(" for __has_include), then a
 * quote or angle bracket and "/": an absolute path. */
static gboolean
absolute_operand (const guint8 *p, const guint8 *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '('))
    p++;
  return end - p >= 2 && (p[0] == '"' || p[0] == '<') && p[1] == '/';
}

static gboolean
any_absolute (const guint8 *text, gsize len, const char *word)
{
  gsize wl = strlen (word);
  const guint8 *end = text + len;
  const guint8 *p = text;
  while (p < end)
    {
      const guint8 *hit = memmem (p, (gsize) (end - p), word, wl);
      if (!hit)
        return FALSE;
      const guint8 *after = hit + wl;
      if (end - after >= 5 && memcmp (after, "_next", 5) == 0)
        after += 5;
      if (absolute_operand (after, end))
        return TRUE;
      p = hit + 1;
    }
  return FALSE;
}

static gboolean
run_delimiter (guint8 c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '"' || c == '\''
         || c == '<' || c == '>' || c == '\0';
}

/* The most "../" in one run of bytes without delimiters, capped at 255:
 * each one counts, after '/' or not ("INCBIN(../x)" stringized is a path). */
static guint
most_climb (const guint8 *text, gsize len)
{
  guint most = 0;
  const guint8 *end = text + len;
  const guint8 *p = text;
  while (p < end)
    {
      const guint8 *hit = memmem (p, (gsize) (end - p), "../", 3);
      if (!hit)
        break;
      const guint8 *start = hit;
      while (start > text && !run_delimiter (start[-1]))
        start--;
      const guint8 *stop = hit;
      while (stop < end && !run_delimiter (*stop))
        stop++;
      guint n = 0;
      for (const guint8 *q = start; q + 3 <= stop; q++)
        if (q[0] == '.' && q[1] == '.' && q[2] == '/')
          n++;                      /* after '/' or not: a macro may stringize (../x) */
      most = MAX (most, MIN (n, 255u));
      p = stop;
    }
  return most;
}

/* A copy of text with C comments blanked (their bytes but newlines made
 * spaces), so that "see ../../COPYING" in a licence comment does not
 * count as a climb; NULL when that cannot be done safely: a raw string
 * (R"...") or a trigraph ("??/") could hide where strings end. From a '#'
 * or "%:" in code to the end of its line (backslash continuations
 * included) nothing is blanked: a header name <a//b> is not a comment.
 * Blanking only ever happens in what this lexer takes for code, and where
 * it errs (a quote in #error text, a digit separator) it errs towards
 * counting more. */
static guint8 *
blank_comments (const guint8 *t, gsize len)
{
  if (memmem (t, len, "R\"", 2) || memmem (t, len, "?\?/", 3))
    return NULL;
  guint8 *o = g_memdup2 (t, len);
  enum { CODE, LINE, BLOCK, STR, CHR } st = CODE;
  gboolean directive = FALSE;     /* this line has a '#' or "%:" in code so far */
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = t[i];
      switch (st)
        {
        case CODE:
          if (c == '\\' && i + 1 < len && t[i + 1] == '\n')
            i++;                          /* a continuation: still this line */
          else if (c == '\n')
            directive = FALSE;
          else if (c == '#' || (c == '%' && i + 1 < len && t[i + 1] == ':'))
            directive = TRUE;
          else if (!directive && c == '/' && i + 1 < len && (t[i + 1] == '/' || t[i + 1] == '*'))
            {
              st = t[i + 1] == '/' ? LINE : BLOCK;
              o[i] = o[i + 1] = ' ';
              i++;
            }
          else if (c == '"')
            st = STR;
          else if (c == '\'')
            st = CHR;
          break;
        case LINE:
          if (c == '\n')
            st = CODE;
          else
            o[i] = ' ';
          break;
        case BLOCK:
          if (c == '*' && i + 1 < len && t[i + 1] == '/')
            {
              o[i] = o[i + 1] = ' ';
              i++;
              st = CODE;
            }
          else if (c != '\n')
            o[i] = ' ';
          break;
        case STR:
        case CHR:
          if (c == '\\')
            i++;                          /* the escaped byte, a newline included */
          else if (c == '\n')
            {
              st = CODE;
              directive = FALSE;
            }
          else if ((st == STR && c == '"') || (st == CHR && c == '\''))
            st = CODE;
          break;
        }
    }
  return o;
}

/* Translation phase 2, as gcc and clang do it: a backslash, then blanks
 * (gcc and clang splice despite them, with a warning), then a newline
 * (LF, CR LF or CR) joins two lines, so "__DA\<newline>TE__" is __DATE__
 * and "#inc\<newline>lude" a directive. "??/" counts as a backslash (it is
 * one under -trigraphs, -std=c89, c99...). A copy with every such splice
 * removed, or NULL when the text has none. */
static guint8 *
unsplice (const guint8 *t, gsize len, gsize *out_len)
{
  guint8 *o = NULL;
  gsize n = 0;
  for (gsize i = 0; i < len; i++)
    {
      gsize j = 0;
      if (t[i] == '\\')
        j = i + 1;
      else if (t[i] == '?' && len - i >= 3 && t[i + 1] == '?' && t[i + 2] == '/')
        j = i + 3;
      if (j > 0)
        {
          while (j < len && (t[j] == ' ' || t[j] == '\t' || t[j] == '\f' || t[j] == '\v'))
            j++;
          gsize eol = 0;
          if (j < len && t[j] == '\r')
            eol = j + 1 < len && t[j + 1] == '\n' ? 2 : 1;
          else if (j < len && t[j] == '\n')
            eol = 1;
          if (eol > 0)
            {
              if (!o)
                {
                  o = g_malloc (len);
                  memcpy (o, t, i);
                  n = i;
                }
              i = j + eol - 1;
              continue;
            }
        }
      if (o)
        o[n++] = t[i];
    }
  *out_len = n;
  return o;
}

static guint
scan_one (const guint8 *text, gsize len)
{
  guint flags = 0;
  if (!text || len == 0)
    return 0;
  if (memmem (text, len, "system_header", 13))
    flags |= DCC_RESULT_TEXT_SYSTEM_HEADER;
  if (memmem (text, len, "../", 3))
    {
      g_autofree guint8 *code = blank_comments (text, len);
      flags |= most_climb (code ? code : text, len) << DCC_RESULT_TEXT_CLIMB_SHIFT;
    }
  if (memmem (text, len, "__DATE__", 8) || memmem (text, len, "__TIME__", 8))
    flags |= DCC_RESULT_TEXT_DATE_TIME;
  if (memmem (text, len, "__TIMESTAMP__", 13))
    flags |= DCC_RESULT_TEXT_TIMESTAMP;
  if (any_absolute (text, len, "include") || any_absolute (text, len, "import")
      || any_absolute (text, len, "incbin"))
    flags |= DCC_RESULT_TEXT_ABSOLUTE_INCLUDE;
  return flags;
}

guint
dcc_result_scan_text (const guint8 *text, gsize len)
{
  guint flags = scan_one (text, len);
  gsize spliced_len = 0;
  g_autofree guint8 *spliced = text ? unsplice (text, len, &spliced_len) : NULL;
  if (!spliced)
    return flags;
  /* What the compiler tokenizes, as well as the bytes: the names and
   * directives above may be split across lines. The climb is a count:
   * the larger one. */
  guint more = scan_one (spliced, spliced_len);
  guint climb = MAX (flags >> DCC_RESULT_TEXT_CLIMB_SHIFT, more >> DCC_RESULT_TEXT_CLIMB_SHIFT);
  guint low = (1u << DCC_RESULT_TEXT_CLIMB_SHIFT) - 1;
  return ((flags | more) & low) | (climb << DCC_RESULT_TEXT_CLIMB_SHIFT);
}

const char *
dcc_result_text_verdict (guint flags, const char *const *env)
{
  if (flags & DCC_RESULT_TEXT_TIMESTAMP)
    return "an input uses __TIMESTAMP__ (a file's modification time)";
  if ((flags & DCC_RESULT_TEXT_DATE_TIME) && !env_has (env, "SOURCE_DATE_EPOCH"))
    return "an input uses __DATE__ or __TIME__ and SOURCE_DATE_EPOCH is not set";
  if (flags & DCC_RESULT_TEXT_ABSOLUTE_INCLUDE)
    return "an input includes an absolute path, which may name a volunteer file the key does not cover";
  return NULL;
}

gboolean
dcc_result_names_temp_file (const guint8 *text, gsize len, const char *tmp_dir)
{
  g_autofree char *prefix = g_strconcat (tmp_dir, "/", NULL);
  gsize pl = strlen (prefix);
  const guint8 *end = text + len;
  const guint8 *p = text;
  while (text && p < end)
    {
      const guint8 *hit = memmem (p, (gsize) (end - p), prefix, pl);
      if (!hit)
        return FALSE;
      const guint8 *q = hit + pl;
      while (q < end && *q != '/' && *q != ':' && *q != ' ' && *q != '\n' && *q != '\'' && *q != '"')
        q++;
      if (q > hit + pl && (q == end || *q != '/'))
        return TRUE;
      p = hit + 1;
    }
  return FALSE;
}

gboolean
dcc_result_reply_well_formed (const guint8 *reply, gsize len)
{
  gsize pos = 0;
  gboolean first = TRUE;
  while (pos < len)
    {
      DccFrame f;
      gsize used;
      if (dcc_wire_decode_at (reply, len, pos, DCC_MAX_FRAME, &f, &used, NULL) != DCC_WIRE_OK)
        return FALSE;
      pos += used;
      if (first ? f.tag != DCC_TAG_STATUS
                : f.tag != DCC_TAG_STDOUT && f.tag != DCC_TAG_STDERR && f.tag != DCC_TAG_OUTFILE
                  && f.tag != DCC_TAG_DONE)
        return FALSE;
      if (f.tag == DCC_TAG_DONE)
        return pos == len;
      first = FALSE;
    }
  return FALSE;
}

GByteArray *
dcc_result_reply_rebase (const guint8 *reply, gsize len, const char *cwd, gboolean to_relative)
{
  GByteArray *out = g_byte_array_sized_new ((guint) len + 64);
  gsize cl = strlen (cwd);
  gsize pos = 0;
  while (pos < len)
    {
      DccFrame f;
      gsize used;
      if (dcc_wire_decode_at (reply, len, pos, DCC_MAX_FRAME, &f, &used, NULL) != DCC_WIRE_OK)
        return g_byte_array_unref (out), NULL;
      pos += used;
      if (f.tag != DCC_TAG_OUTFILE)
        {
          dcc_wire_put_frame (out, f.tag, f.payload, f.len);
          continue;
        }
      DccReader r;
      dcc_reader_init (&r, f.payload, f.len);
      g_autofree char *path = NULL;
      if (!dcc_reader_string (&r, DCC_MAX_FRAME, &path))
        return g_byte_array_unref (out), NULL;
      g_autofree char *mapped = NULL;
      if (to_relative && strncmp (path, cwd, cl) == 0 && path[cl] == '/')
        mapped = g_strconcat (".", path + cl, NULL);
      else if (!to_relative && g_str_has_prefix (path, "./"))
        mapped = g_strconcat (cwd, path + 1, NULL);
      else if (!to_relative && path[0] != '/')
        return g_byte_array_unref (out), NULL;
      g_autoptr(GByteArray) body = g_byte_array_sized_new ((guint) f.len + 64);
      dcc_put_string (body, mapped ? mapped : path);
      g_byte_array_append (body, r.p, (guint) r.left);
      dcc_wire_put_frame (out, f.tag, body->data, body->len);
    }
  return out;
}

GByteArray *
dcc_result_cache_lookup (DccStore *store, const DccHash *key, const char *rebase_cwd)
{
  DccHash value;
  if (!store || !dcc_store_result_get (store, key, &value))
    return NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = dcc_store_read (store, &value, &error);
  if (!bytes)
    {
      dcc_debug ("result cache: %s", error->message);
      return NULL;
    }
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  if (!dcc_result_reply_well_formed (data, len))
    {
      dcc_warning ("result cache: a stored result is not a whole reply; ignored");
      return NULL;
    }
  g_autoptr(GByteArray) rebased = NULL;
  if (rebase_cwd)
    {
      if (!(rebased = dcc_result_reply_rebase (data, len, rebase_cwd, FALSE)))
        {
          dcc_warning ("result cache: a stored result's output names cannot be rebased; ignored");
          return NULL;
        }
      data = rebased->data;
      len = rebased->len;
    }
  GByteArray *out = g_byte_array_sized_new ((guint) len + DCC_FRAME_HEADER_LEN);
  dcc_reply_encode_cache_hit (out);
  g_byte_array_append (out, data, (guint) len);
  return out;
}

gboolean
dcc_result_cache_save (DccStore *store, const DccHash *key, const GByteArray *reply, const char *rebase_cwd,
                       GError **error)
{
  if (reply->len > DCC_MAX_FILE_SIZE)
    return dcc_fail (error, DCC_ERROR_LIMIT, "the reply is %u bytes, more than an object may hold", reply->len);
  if (!dcc_result_reply_well_formed (reply->data, reply->len))
    return dcc_fail (error, DCC_ERROR_FAILED, "not a whole reply");
  g_autoptr(GByteArray) rebased = NULL;
  if (rebase_cwd && !(rebased = dcc_result_reply_rebase (reply->data, reply->len, rebase_cwd, TRUE)))
    return dcc_fail (error, DCC_ERROR_FAILED, "the reply's output names cannot be rebased");
  const GByteArray *kept = rebased ? rebased : reply;
  DccHash h;
  dcc_hash_bytes (kept->data, kept->len, &h);
  g_autoptr(GBytes) bytes = g_bytes_new (kept->data, kept->len);
  if (!dcc_store_put (store, &h, bytes, error))
    return FALSE;
  if (dcc_store_is_private (store, &h))
    return dcc_fail (error, DCC_ERROR_LIMIT, "the store is full");
  return dcc_store_result_set (store, key, &h, error);
}
