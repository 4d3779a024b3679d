#include "dcc-request.h"
#include "dcc-path.h"
#include "dcc-args.h"
#include "dcc-error.h"
#include "dcc-limits.h"
#include "dcc-lz4.h"
#include "dcc-lzo.h"
#include <string.h>
#include <xxhash.h>

DccRequest *
dcc_request_new (void)
{
  DccRequest *r = g_new0 (DccRequest, 1);
  r->argv = g_ptr_array_new_with_free_func (g_free);
  r->env = g_ptr_array_new_with_free_func (g_free);
  r->sysdirs = g_ptr_array_new_with_free_func (g_free);
  r->preincludes = g_ptr_array_new_with_free_func (g_free);
  r->input_limit = DCC_DEFAULT_JOB_INPUT_SIZE;
  return r;
}

void
dcc_request_free (DccRequest *r)
{
  if (!r)
    return;
  g_ptr_array_unref (r->argv);
  g_ptr_array_unref (r->env);
  g_ptr_array_unref (r->sysdirs);
  g_ptr_array_unref (r->preincludes);
  g_free (r->cwd);
  g_free (r->compiler_id);
  g_free (r->source_name);
  if (r->source_text)
    g_bytes_unref (r->source_text);
  if (r->source_lzo)
    g_bytes_unref (r->source_lzo);
  if (r->manifest)
    g_ptr_array_unref (r->manifest);
  g_free (r);
}

gboolean
dcc_request_inflate_source (DccRequest *r, GError **error)
{
  if (!r->source_lzo)
    return TRUE;
  gsize len;
  const guint8 *data = g_bytes_get_data (r->source_lzo, &len);
  g_autoptr(GError) local = NULL;
  GBytes *text = NULL;
  if (!dcc_lzo_decompress (data, len, r->input_limit, &text, &local))
    {
      if (g_error_matches (local, DCC_ERROR, DCC_ERROR_LIMIT))
        return dcc_fail (error, DCC_ERROR_LIMIT, "stock protocol: the job's input is more than the limit of %"
                         G_GUINT64_FORMAT " bytes", r->input_limit);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  g_clear_pointer (&r->source_lzo, g_bytes_unref);
  r->source_text = text;
  r->input_bytes = g_bytes_get_size (text);
  return TRUE;
}

/* A payload that is a string: bounded, no NUL inside. */
static gboolean
payload_string (const DccFrame *f, guint32 max, const char *what, char **out, GError **error)
{
  if (f->len > max)
    return dcc_fail (error, DCC_ERROR_LIMIT, "%s is %u bytes, limit %u", what, f->len, max);
  if (memchr (f->payload, '\0', f->len) != NULL)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "%s contains a NUL byte", what);
  *out = g_strndup ((const char *) f->payload, f->len);
  return TRUE;
}

static gboolean
payload_u32 (const DccFrame *f, guint32 *v, GError **error)
{
  DccReader rd;
  dcc_reader_init (&rd, f->payload, f->len);
  if (f->len != 4 || !dcc_reader_u32 (&rd, v))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "expected a 4-byte integer, got %u bytes", f->len);
  return TRUE;
}

/* The job's files in total, each distinct content once (what the volunteer
 * may have to receive and decompress): at most limit, and one size per
 * hash. */
static gboolean
manifest_total (GPtrArray *entries, guint64 limit, guint64 *total_out, GError **error)
{
  g_autoptr(GHashTable) sizes = g_hash_table_new (dcc_hash_hash, dcc_hash_equal_func);
  guint64 total = 0;
  for (guint i = 0; i < entries->len; i++)
    {
      DccEntry *e = entries->pdata[i];
      if (e->kind != DCC_ENTRY_FILE)
        continue;
      DccEntry *first = g_hash_table_lookup (sizes, &e->hash);
      if (first)
        {
          if (first->size != e->size)
            return dcc_fail (error, DCC_ERROR_PROTOCOL,
                             "manifest entry %u declares another size for content already listed", i);
          continue;
        }
      g_hash_table_insert (sizes, &e->hash, e);
      total += e->size;   /* each <= DCC_MAX_FILE_SIZE, at most 65536 of them: no overflow */
      if (total > limit)
        return dcc_fail (error, DCC_ERROR_LIMIT, "manifest's files total more than the job input limit"
                         " of %" G_GUINT64_FORMAT " bytes", limit);
    }
  *total_out = total;
  return TRUE;
}

/* A directory of the job's tree, as a prefix of one entry's path. */
typedef struct {
  const char *path;
  gsize       len;
} DirKey;

static guint
dir_key_hash (gconstpointer k)
{
  const DirKey *d = k;
  return (guint) XXH3_64bits (d->path, d->len);
}

static gboolean
dir_key_equal (gconstpointer a, gconstpointer b)
{
  const DirKey *x = a, *y = b;
  return x->len == y->len && memcmp (x->path, y->path, x->len) == 0;
}

/* The length of the directory holding path[0, end): its last component
 * and the separators before it dropped; 0 when that is "/". */
static gsize
parent_end (const char *path, gsize end)
{
  while (end > 0 && path[end - 1] != '/')
    end--;
  while (end > 0 && path[end - 1] == '/')
    end--;
  return end;
}

/* The directories the job's tree will hold (each entry's parents, and
 * directory entries themselves), DCC_DIR_INPUT_COST each, added to
 * *total, which stays at most limit: a directory is an inode and a block
 * the slot tree keeps, which no file size counts. Each entry's walk up
 * stops at the first directory already counted, so the work is the
 * directories plus one lookup per entry. Overcounts, never under, a path
 * with "//" in it. */
static gboolean
manifest_dirs_total (GPtrArray *entries, guint64 limit, guint64 *total, GError **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (dir_key_hash, dir_key_equal, g_free, NULL);
  for (guint i = 0; i < entries->len; i++)
    {
      const DccEntry *e = entries->pdata[i];
      gsize end = strlen (e->path);
      if (e->kind == DCC_ENTRY_DIR)
        while (end > 0 && e->path[end - 1] == '/')
          end--;
      else
        end = parent_end (e->path, end);
      while (end > 0)
        {
          DirKey key = { e->path, end };
          if (g_hash_table_contains (seen, &key))
            break;
          g_hash_table_add (seen, g_memdup2 (&key, sizeof key));
          *total += DCC_DIR_INPUT_COST;
          if (*total > limit)
            return dcc_fail (error, DCC_ERROR_LIMIT, "manifest's files and %u directories (%u bytes each)"
                             " total more than the job input limit of %" G_GUINT64_FORMAT " bytes",
                             g_hash_table_size (seen), DCC_DIR_INPUT_COST, limit);
          end = parent_end (e->path, end);
        }
    }
  return TRUE;
}

/* A builtin dir with ".." must not step back out of a symlink the
 * manifest lays out: the compiler would resolve it to another place than
 * the string names, outside the tree (dcc_path_check_sysdir). */
static gboolean
sysdirs_clear_of_symlinks (DccRequest *r, GPtrArray *entries, GError **error)
{
  gboolean any = FALSE;
  for (guint i = 0; i < r->sysdirs->len && !any; i++)
    any = strstr (r->sysdirs->pdata[i], "/..") != NULL;
  if (!any)
    return TRUE;
  g_autoptr(GHashTable) links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < entries->len; i++)
    {
      DccEntry *e = entries->pdata[i];
      if (e->kind == DCC_ENTRY_SYMLINK)
        g_hash_table_add (links, dcc_path_normalize (NULL, e->path));
    }
  for (guint i = 0; i < r->sysdirs->len; i++)
    if (!dcc_path_check_sysdir (r->sysdirs->pdata[i], links, error))
      return FALSE;
  return TRUE;
}

/* The paths the command line's -I, -isystem, -include, ... name, by the
 * same rule (dcc_path_check_option_path): the compiler opens them in the
 * job's tree, which neither a ".." above "/" nor one out of a symlink of
 * the manifest may leave. */
static gboolean
option_paths_clear (DccRequest *r, GPtrArray *entries, GError **error)
{
  g_autofree const char **argv = g_new0 (const char *, r->argv->len + 1);   /* not NULL-ended yet */
  memcpy (argv, r->argv->pdata, r->argv->len * sizeof (char *));
  g_autoptr(GPtrArray) paths = dcc_args_option_paths (argv);
  g_autoptr(GHashTable) links = NULL;
  for (guint i = 0; i + 1 < paths->len; i += 2)
    {
      const char *opt = paths->pdata[i], *path = paths->pdata[i + 1];
      if (!strstr (path, ".."))
        continue;
      if (!links)
        {
          links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          for (guint k = 0; k < entries->len; k++)
            {
              DccEntry *e = entries->pdata[k];
              if (e->kind == DCC_ENTRY_SYMLINK)
                g_hash_table_add (links, dcc_path_normalize (NULL, e->path));
            }
        }
      /* -iwithprefix's path follows -iprefix's: it may not climb at all. */
      gboolean after_prefix = g_str_has_prefix (opt, "-iwithprefix");
      while (after_prefix && *path == '/')
        path++;
      if (!dcc_path_check_option_path (opt, after_prefix ? "/" : r->cwd, path, links, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
decode_manifest (DccRequest *r, const DccFrame *f, GError **error)
{
  DccReader rd;
  guint32 count;
  /* The manifest travels lz4-compressed: its paths repeat a lot. */
  g_autoptr(GBytes) raw = dcc_lz4_decompress (f->payload, f->len, DCC_MAX_MANIFEST_BYTES, error);
  if (!raw)
    return FALSE;
  gsize raw_len;
  const guint8 *raw_data = g_bytes_get_data (raw, &raw_len);
  dcc_reader_init (&rd, raw_data, raw_len);
  if (!dcc_reader_u32 (&rd, &count))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "manifest too short");
  if (count > DCC_MAX_MANIFEST_ENTRIES)
    return dcc_fail (error, DCC_ERROR_LIMIT, "manifest has %u entries, limit %u",
                     count, DCC_MAX_MANIFEST_ENTRIES);
  /* Never pre-size from the peer's count: grow as entries actually parse. */
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) dcc_entry_free);
  for (guint32 i = 0; i < count; i++)
    {
      guint8 kind;
      const guint8 *hash;
      g_autofree char *path = NULL, *target = NULL;
      DccEntry e = { 0 };
      if (!dcc_reader_u8 (&rd, &kind) || !dcc_reader_u32 (&rd, &e.mode)
          || !dcc_reader_u64 (&rd, &e.size) || !dcc_reader_bytes (&rd, DCC_HASH_LEN, &hash)
          || !dcc_reader_string (&rd, DCC_MAX_PATH_LEN, &path)
          || !dcc_reader_string (&rd, DCC_MAX_PATH_LEN, &target))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "manifest entry %u is truncated or malformed", i);
      if (kind > DCC_ENTRY_SYMLINK)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "manifest entry %u has unknown kind %u", i, kind);
      if (e.size > DCC_MAX_FILE_SIZE)
        return dcc_fail (error, DCC_ERROR_LIMIT, "manifest entry %u is %" G_GUINT64_FORMAT " bytes", i, e.size);
      DccEntry *ne = g_new0 (DccEntry, 1);
      *ne = e;
      ne->kind = kind;
      ne->mode &= 07777;
      memcpy (ne->hash.bytes, hash, DCC_HASH_LEN);
      ne->path = g_steal_pointer (&path);
      ne->target = g_steal_pointer (&target);
      g_ptr_array_add (entries, ne);
    }
  if (rd.left != 0)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "%zu stray bytes after the manifest", rd.left);
  if (!manifest_total (entries, r->input_limit, &r->input_bytes, error)
      || !manifest_dirs_total (entries, r->input_limit, &r->input_bytes, error))
    return FALSE;
  if (!sysdirs_clear_of_symlinks (r, entries, error) || !option_paths_clear (r, entries, error))
    return FALSE;
  r->manifest = g_steal_pointer (&entries);
  return TRUE;
}

gboolean
dcc_request_feed (DccRequest *r, const DccFrame *f, GError **error)
{
  char name[5];
  if (r->complete)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "frame %s after the end of the request",
                     dcc_wire_tag_name (f->tag, name));
  if (r->version == 0 && f->tag != DCC_TAG_HELLO)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "request does not start with DCC1 (got %s)",
                     dcc_wire_tag_name (f->tag, name));
  switch (f->tag)
    {
    case DCC_TAG_HELLO:
      {
        DccReader rd;
        guint32 version, mode;
        if (r->version != 0)
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "repeated DCC1");
        dcc_reader_init (&rd, f->payload, f->len);
        if (f->len != 8 || !dcc_reader_u32 (&rd, &version) || !dcc_reader_u32 (&rd, &mode))
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "malformed DCC1 frame");
        if (version != DCC_PROTOCOL_VERSION)
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "unsupported protocol version %u", version);
        if (mode != DCC_MODE_PLAIN && mode != DCC_MODE_PUMP)
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "unknown mode %u", mode);
        r->version = version;
        r->mode = mode;
        return TRUE;
      }
    case DCC_TAG_ARGC:
      if (r->argc_expected != 0)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "repeated ARGC");
      if (!payload_u32 (f, &r->argc_expected, error))
        return FALSE;
      if (r->argc_expected == 0 || r->argc_expected > DCC_MAX_ARGS)
        return dcc_fail (error, DCC_ERROR_LIMIT, "ARGC %u out of range 1..%u",
                         r->argc_expected, DCC_MAX_ARGS);
      return TRUE;
    case DCC_TAG_ARGV:
      {
        char *arg;
        if (r->argv->len >= r->argc_expected)
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "more ARGV frames than ARGC announced");
        if (!payload_string (f, DCC_MAX_ARG_LEN, "argument", &arg, error))
          return FALSE;
        g_ptr_array_add (r->argv, arg);
        return TRUE;
      }
    case DCC_TAG_CWD:
      if (r->cwd)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "repeated CWD");
      if (!payload_string (f, DCC_MAX_PATH_LEN, "working directory", &r->cwd, error))
        return FALSE;
      if (r->cwd[0] != '/')
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "working directory is not absolute");
      return TRUE;
    case DCC_TAG_ENV:
      {
        char *var;
        if (r->env->len >= DCC_MAX_ENV_VARS)
          return dcc_fail (error, DCC_ERROR_LIMIT, "too many ENVV frames");
        if (!payload_string (f, DCC_MAX_ARG_LEN, "environment variable", &var, error))
          return FALSE;
        if (strchr (var, '=') == NULL)
          {
            g_free (var);
            return dcc_fail (error, DCC_ERROR_PROTOCOL, "ENVV without '='");
          }
        g_ptr_array_add (r->env, var);
        return TRUE;
      }
    case DCC_TAG_COMPID:
      if (r->compiler_id)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "repeated CIDN");
      return payload_string (f, 1024, "compiler identity", &r->compiler_id, error);
    case DCC_TAG_SYSDIR:
      {
        char *dir;
        if (r->mode != DCC_MODE_PUMP)
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "SYSD in plain mode");
        if (r->sysdirs->len >= DCC_MAX_SYSDIRS)
          return dcc_fail (error, DCC_ERROR_LIMIT, "more than %u SYSD frames", DCC_MAX_SYSDIRS);
        if (!payload_string (f, DCC_MAX_PATH_LEN, "system include directory", &dir, error))
          return FALSE;
        g_ptr_array_add (r->sysdirs, dir);
        if (!dcc_path_check_sysdir (dir, NULL, error))
          return FALSE;
        return TRUE;
      }
    case DCC_TAG_PREINC:
      {
        char *name;
        if (r->mode != DCC_MODE_PUMP)
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "PREI in plain mode");
        if (r->preincludes->len >= DCC_MAX_SYSDIRS)
          return dcc_fail (error, DCC_ERROR_LIMIT, "more than %u PREI frames", DCC_MAX_SYSDIRS);
        if (!payload_string (f, DCC_MAX_PATH_LEN, "implicit include", &name, error))
          return FALSE;
        /* A name to search for in the builtin dirs, nothing more. */
        g_ptr_array_add (r->preincludes, name);
        if (!dcc_path_check_implicit_include (name, error))
          return FALSE;
        return TRUE;
      }
    case DCC_TAG_SRCNAME:
      if (r->mode != DCC_MODE_PLAIN || r->source_name)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "unexpected SRCN");
      return payload_string (f, DCC_MAX_PATH_LEN, "source name", &r->source_name, error);
    case DCC_TAG_SOURCE:
    case DCC_TAG_MANIFEST:
      if (r->argc_expected == 0 || r->argv->len != r->argc_expected || r->cwd == NULL)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "%s before the arguments and CWD are complete",
                         dcc_wire_tag_name (f->tag, name));
      if (f->tag == DCC_TAG_SOURCE)
        {
          if (r->mode != DCC_MODE_PLAIN || r->source_name == NULL)
            return dcc_fail (error, DCC_ERROR_PROTOCOL, "DOTI without SRCN, or in pump mode");
          guint32 declared;
          if (!dcc_lz4_check_declared (f->payload, f->len, DCC_MAX_FILE_SIZE, &declared, error))
            return FALSE;
          if (declared > r->input_limit)
            return dcc_fail (error, DCC_ERROR_LIMIT, "source claims %u bytes, more than the job input"
                             " limit of %" G_GUINT64_FORMAT " bytes", declared, r->input_limit);
          r->source_text = dcc_lz4_decompress (f->payload, f->len, declared, error);
          if (!r->source_text)
            return FALSE;
          r->input_bytes = declared;
        }
      else
        {
          if (r->mode != DCC_MODE_PUMP)
            return dcc_fail (error, DCC_ERROR_PROTOCOL, "MANI in plain mode");
          if (!decode_manifest (r, f, error))
            return FALSE;
        }
      g_ptr_array_add (r->argv, NULL);
      r->complete = TRUE;
      return TRUE;
    default:
      return dcc_fail (error, DCC_ERROR_PROTOCOL, "unknown request frame %s",
                       dcc_wire_tag_name (f->tag, name));
    }
}

void
dcc_request_encode (GByteArray *out, const DccRequestSpec *r)
{
  DccMode mode = r->mode;
  const char *const *argv = r->argv, *const *env = r->env;
  const char *const *sysdirs = r->sysdirs, *const *preincludes = r->preincludes;
  const char *cwd = r->cwd, *compiler_id = r->compiler_id, *source_name = r->source_name;
  const void *source = r->source;
  gsize source_len = r->source_len;
  GPtrArray *manifest = r->manifest;
  guint32 argc = g_strv_length ((char **) argv);
  dcc_put_u32 (out, DCC_TAG_HELLO);
  dcc_put_u32 (out, 8);
  dcc_put_u32 (out, DCC_PROTOCOL_VERSION);
  dcc_put_u32 (out, mode);
  dcc_wire_put_u32_frame (out, DCC_TAG_ARGC, argc);
  for (guint32 i = 0; i < argc; i++)
    dcc_wire_put_str_frame (out, DCC_TAG_ARGV, argv[i]);
  dcc_wire_put_str_frame (out, DCC_TAG_CWD, cwd);
  for (; env && *env; env++)
    dcc_wire_put_str_frame (out, DCC_TAG_ENV, *env);
  if (compiler_id)
    dcc_wire_put_str_frame (out, DCC_TAG_COMPID, compiler_id);
  if (mode == DCC_MODE_PLAIN)
    {
      g_autoptr(GByteArray) blob = g_byte_array_new ();
      dcc_wire_put_str_frame (out, DCC_TAG_SRCNAME, source_name);
      dcc_lz4_compress_append (blob, source, source_len);
      dcc_wire_put_frame (out, DCC_TAG_SOURCE, blob->data, blob->len);
    }
  else
    {
      for (; sysdirs && *sysdirs; sysdirs++)
        dcc_wire_put_str_frame (out, DCC_TAG_SYSDIR, *sysdirs);
      for (; preincludes && *preincludes; preincludes++)
        dcc_wire_put_str_frame (out, DCC_TAG_PREINC, *preincludes);
      g_autoptr(GByteArray) m = NULL;
      const guint8 *raw = r->manifest_bytes;
      gsize raw_len = r->manifest_len;
      if (!raw)
        {
          m = g_byte_array_new ();
          dcc_put_u32 (m, manifest->len);
          for (guint i = 0; i < manifest->len; i++)
            {
              DccEntry *e = manifest->pdata[i];
              dcc_put_u8 (m, (guint8) e->kind);
              dcc_put_u32 (m, e->mode);
              dcc_put_u64 (m, e->size);
              g_byte_array_append (m, e->hash.bytes, DCC_HASH_LEN);
              dcc_put_string (m, e->path);
              dcc_put_string (m, e->target ? e->target : "");
            }
          raw = m->data;
          raw_len = m->len;
        }
      /* Compressed straight into the frame, its length patched in after. */
      dcc_put_u32 (out, DCC_TAG_MANIFEST);
      guint at = out->len;
      dcc_put_u32 (out, 0);
      dcc_lz4_compress_append (out, raw, raw_len);
      dcc_patch_u32 (out, at, out->len - at - 4);
    }
}

void
dcc_need_encode (GByteArray *out, GPtrArray *hashes)
{
  dcc_put_u32 (out, DCC_TAG_NEED);
  dcc_put_u32 (out, 4 + hashes->len * DCC_HASH_LEN);
  dcc_put_u32 (out, hashes->len);
  for (guint i = 0; i < hashes->len; i++)
    g_byte_array_append (out, ((DccHash *) hashes->pdata[i])->bytes, DCC_HASH_LEN);
}

gboolean
dcc_need_decode (const DccFrame *f, guint32 max_count, GArray **hashes, GError **error)
{
  DccReader rd;
  guint32 n;
  dcc_reader_init (&rd, f->payload, f->len);
  if (f->tag != DCC_TAG_NEED || !dcc_reader_u32 (&rd, &n))
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "malformed NEED frame");
  if (n > max_count || rd.left != (gsize) n * DCC_HASH_LEN)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "NEED asks for %u hashes in %zu bytes", n, rd.left);
  GArray *a = g_array_sized_new (FALSE, FALSE, sizeof (DccHash), n);
  for (guint32 i = 0; i < n; i++)
    {
      const guint8 *p;
      DccHash h;
      dcc_reader_bytes (&rd, DCC_HASH_LEN, &p);
      memcpy (h.bytes, p, DCC_HASH_LEN);
      g_array_append_val (a, h);
    }
  *hashes = a;
  return TRUE;
}

void
dcc_blob_encode (GByteArray *out, const DccHash *hash, const void *data, gsize len)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_byte_array_append (body, hash->bytes, DCC_HASH_LEN);
  dcc_lz4_compress_append (body, data, len);
  dcc_wire_put_frame (out, DCC_TAG_BLOB, body->data, body->len);
}

gboolean
dcc_blob_peek (const DccFrame *f, DccHash *hash, guint32 *raw_len, GError **error)
{
  if (f->tag != DCC_TAG_BLOB || f->len < DCC_HASH_LEN)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "malformed BLOB frame");
  if (!dcc_lz4_check_declared (f->payload + DCC_HASH_LEN, f->len - DCC_HASH_LEN, DCC_MAX_FILE_SIZE,
                               raw_len, error))
    return FALSE;
  memcpy (hash->bytes, f->payload, DCC_HASH_LEN);
  return TRUE;
}

gboolean
dcc_blob_decode (const DccFrame *f, gsize max_raw, DccHash *hash, GBytes **data, GError **error)
{
  DccHash claimed, actual;
  guint32 raw_len;
  if (!dcc_blob_peek (f, &claimed, &raw_len, error))
    return FALSE;
  GBytes *b = dcc_lz4_decompress (f->payload + DCC_HASH_LEN, f->len - DCC_HASH_LEN,
                                  MIN (max_raw, (gsize) DCC_MAX_FILE_SIZE), error);
  if (!b)
    return FALSE;
  gsize len;
  const void *p = g_bytes_get_data (b, &len);
  dcc_hash_bytes (p, len, &actual);
  if (!dcc_hash_equal (&claimed, &actual))
    {
      g_bytes_unref (b);
      return dcc_fail (error, DCC_ERROR_MISMATCH, "BLOB content does not match its hash");
    }
  *hash = claimed;
  *data = b;
  return TRUE;
}

static void
output_file_free (DccOutputFile *f)
{
  g_free (f->path);
  if (f->data)
    g_bytes_unref (f->data);
  g_free (f);
}

DccReply *
dcc_reply_new (void)
{
  DccReply *r = g_new0 (DccReply, 1);
  r->files = g_ptr_array_new_with_free_func ((GDestroyNotify) output_file_free);
  return r;
}

void
dcc_reply_free (DccReply *r)
{
  if (!r)
    return;
  if (r->out)
    g_bytes_unref (r->out);
  if (r->err)
    g_bytes_unref (r->err);
  g_ptr_array_unref (r->files);
  g_free (r->error_message);
  g_free (r);
}

gboolean
dcc_reply_feed (DccReply *r, const DccFrame *f, GError **error)
{
  char name[5];
  if (r->complete)
    return dcc_fail (error, DCC_ERROR_PROTOCOL, "frame after the end of the reply");
  switch (f->tag)
    {
    case DCC_TAG_ERROR:
      {
        g_autofree char *raw = g_strndup ((const char *) f->payload, MIN (f->len, 4096u));
        r->error_message = dcc_escape_for_log (raw, 1024);
        r->complete = TRUE;
        return TRUE;
      }
    case DCC_TAG_CACHE_HIT:
      if (r->cache_hit || r->have_status || r->out || r->err || r->files->len > 0 || f->len != 0)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "CHIT not empty or not the reply's first frame");
      r->cache_hit = TRUE;
      return TRUE;
    case DCC_TAG_STATUS:
      {
        guint32 st;
        if (r->have_status || !payload_u32 (f, &st, error))
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "malformed or repeated STAT");
        if (st > 256 + 64)
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "status %u out of range", st);
        r->status = (int) st;
        r->have_status = TRUE;
        return TRUE;
      }
    case DCC_TAG_STDOUT:
    case DCC_TAG_STDERR:
      {
        GBytes **slot = f->tag == DCC_TAG_STDOUT ? &r->out : &r->err;
        if (*slot)
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "repeated %s", dcc_wire_tag_name (f->tag, name));
        *slot = dcc_lz4_decompress (f->payload, f->len, DCC_MAX_STREAM_SIZE, error);
        return *slot != NULL;
      }
    case DCC_TAG_OUTFILE:
      {
        DccReader rd;
        char *path;
        if (r->files->len >= DCC_MAX_OUTPUT_FILES)
          return dcc_fail (error, DCC_ERROR_LIMIT, "more than %u output files", DCC_MAX_OUTPUT_FILES);
        dcc_reader_init (&rd, f->payload, f->len);
        if (!dcc_reader_string (&rd, DCC_MAX_PATH_LEN, &path))
          return dcc_fail (error, DCC_ERROR_PROTOCOL, "malformed OUTF path");
        /* The total, before anything is allocated: 64 outputs of the
         * largest file each would be 16 GiB in the client. */
        guint32 declared;
        if (!dcc_lz4_check_declared (rd.p, rd.left, DCC_MAX_FILE_SIZE, &declared, error))
          {
            g_free (path);
            return FALSE;
          }
        if (r->files_bytes + declared > DCC_MAX_REPLY_OUTPUTS)
          {
            g_free (path);
            return dcc_fail (error, DCC_ERROR_LIMIT, "output files total more than %u bytes",
                             DCC_MAX_REPLY_OUTPUTS);
          }
        GBytes *data = dcc_lz4_decompress (rd.p, rd.left, DCC_MAX_FILE_SIZE, error);
        if (!data)
          {
            g_free (path);
            return FALSE;
          }
        r->files_bytes += g_bytes_get_size (data);
        DccOutputFile *of = g_new0 (DccOutputFile, 1);
        of->path = path;
        of->data = data;
        g_ptr_array_add (r->files, of);
        return TRUE;
      }
    case DCC_TAG_DONE:
      if (!r->have_status || !r->out || !r->err)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "DONE before STAT, SOUT and SERR");
      r->complete = TRUE;
      return TRUE;
    default:
      return dcc_fail (error, DCC_ERROR_PROTOCOL, "unknown reply frame %s",
                       dcc_wire_tag_name (f->tag, name));
    }
}

static void
put_blob_frame (GByteArray *out, guint32 tag, const void *data, gsize len)
{
  g_autoptr(GByteArray) blob = g_byte_array_new ();
  dcc_lz4_compress_append (blob, data, len);
  dcc_wire_put_frame (out, tag, blob->data, blob->len);
}

void
dcc_reply_encode_status (GByteArray *out, int status, const void *out_data, gsize out_len,
                         const void *err_data, gsize err_len)
{
  dcc_wire_put_u32_frame (out, DCC_TAG_STATUS, (guint32) status);
  put_blob_frame (out, DCC_TAG_STDOUT, out_data, out_len);
  put_blob_frame (out, DCC_TAG_STDERR, err_data, err_len);
}

void
dcc_reply_encode_file (GByteArray *out, const char *path, const void *data, gsize len)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  dcc_put_string (body, path);
  dcc_lz4_compress_append (body, data, len);
  dcc_wire_put_frame (out, DCC_TAG_OUTFILE, body->data, body->len);
}

void
dcc_reply_encode_done (GByteArray *out)
{
  dcc_wire_put_frame (out, DCC_TAG_DONE, NULL, 0);
}

void
dcc_reply_encode_cache_hit (GByteArray *out)
{
  dcc_wire_put_frame (out, DCC_TAG_CACHE_HIT, NULL, 0);
}

void
dcc_reply_encode_error (GByteArray *out, const char *message)
{
  dcc_wire_put_str_frame (out, DCC_TAG_ERROR, message);
}
