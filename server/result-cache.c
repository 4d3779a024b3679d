/* The volunteer's result cache; see result-cache.h and doc/result-cache.md. */
#include "result-cache.h"
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
  dcc_put_u32 (b, (guint32) req->mode);
  dcc_put_string (b, in->compiler ? in->compiler : "");
  dcc_put_string (b, in->compiler_id ? in->compiler_id : "");
  dcc_put_string (b, in->daemon_path ? in->daemon_path : "");
  guint argc = req->argv ? req->argv->len : 0;
  /* argv is NULL-terminated once complete: leave the NULL out */
  while (argc > 0 && req->argv->pdata[argc - 1] == NULL)
    argc--;
  put_strv (b, req->argv ? (const char *const *) req->argv->pdata : NULL, argc);
  dcc_put_string (b, req->cwd ? req->cwd : "");
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
      guint n = req->manifest ? req->manifest->len : 0;
      dcc_put_u32 (b, n);
      for (guint i = 0; i < n; i++)
        {
          const DccManifestEntry *e = req->manifest->pdata[i];
          dcc_put_u8 (b, (guint8) e->kind);
          dcc_put_u32 (b, e->mode);
          dcc_put_u64 (b, e->kind == DCC_ENTRY_FILE ? e->size : 0);
          static const DccHash none = { { 0 } };
          g_byte_array_append (b, (e->kind == DCC_ENTRY_FILE ? &e->hash : &none)->bytes, DCC_HASH_LEN);
          dcc_put_string (b, e->path ? e->path : "");
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

static gboolean
has_prefix_any (const char *arg, const char *const *prefixes)
{
  for (const char *const *p = prefixes; *p; p++)
    if (g_str_has_prefix (arg, *p))
      return TRUE;
  return FALSE;
}

const char *
dcc_result_uncacheable_args (const char *const *argv, const char *const *env)
{
  static const char *const coverage[] = {
    "--coverage", "-fprofile-arcs", "-ftest-coverage", "-fprofile-generate", "-fprofile-instr-generate",
    "-fcs-profile-generate", NULL
  };
  static const char *const profile_use[] = {
    "-fprofile-use", "-fauto-profile", "-fprofile-sample-use", "-fprofile-instr-use", NULL
  };
  static const char *const dumps[] = { "-fdump-", "-fopt-info", "-fcompare-debug", "-save-temps", "--save-temps", NULL };
  gboolean seed = FALSE;
  for (guint i = 1; argv && argv[i]; i++)
    if (g_str_has_prefix (argv[i], "-frandom-seed"))
      seed = TRUE;
  gboolean date_fixed = env_has (env, "SOURCE_DATE_EPOCH");
  for (guint i = 1; argv && argv[i]; i++)
    {
      const char *a = argv[i];
      if (has_prefix_any (a, profile_use))
        return "a profile is read from outside the inputs the key covers";
      if (!seed && has_prefix_any (a, coverage))
        return "coverage and profiling data carry a time stamp without -frandom-seed";
      if (!seed && g_str_has_prefix (a, "-flto") && !g_str_has_prefix (a, "-flto-"))
        return "LTO sections are named with the compiler's random seed without -frandom-seed";
      if (has_prefix_any (a, dumps))
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

guint
dcc_result_scan_text (const guint8 *text, gsize len)
{
  guint flags = 0;
  if (!text || len == 0)
    return 0;
  if (memmem (text, len, "__DATE__", 8) || memmem (text, len, "__TIME__", 8))
    flags |= DCC_RESULT_TEXT_DATE_TIME;
  if (memmem (text, len, "__TIMESTAMP__", 13))
    flags |= DCC_RESULT_TEXT_TIMESTAMP;
  if (any_absolute (text, len, "include") || any_absolute (text, len, "import")
      || any_absolute (text, len, "incbin"))
    flags |= DCC_RESULT_TEXT_ABSOLUTE_INCLUDE;
  return flags;
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
dcc_result_cache_lookup (DccStore *store, const DccHash *key)
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
  GByteArray *out = g_byte_array_sized_new ((guint) len + DCC_FRAME_HEADER_LEN);
  dcc_reply_encode_cache_hit (out);
  g_byte_array_append (out, data, (guint) len);
  return out;
}

gboolean
dcc_result_cache_save (DccStore *store, const DccHash *key, const GByteArray *reply, GError **error)
{
  if (reply->len > DCC_MAX_FILE_SIZE)
    return dcc_fail (error, DCC_ERROR_LIMIT, "the reply is %u bytes, more than an object may hold", reply->len);
  if (!dcc_result_reply_well_formed (reply->data, reply->len))
    return dcc_fail (error, DCC_ERROR_FAILED, "not a whole reply");
  DccHash h;
  dcc_hash_bytes (reply->data, reply->len, &h);
  g_autoptr(GBytes) bytes = g_bytes_new (reply->data, reply->len);
  if (!dcc_store_put (store, &h, bytes, error))
    return FALSE;
  if (dcc_store_is_private (store, &h))
    return dcc_fail (error, DCC_ERROR_LIMIT, "the store is full");
  return dcc_store_result_set (store, key, &h, error);
}
