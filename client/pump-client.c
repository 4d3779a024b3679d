#include "pump-client.h"
#include "builtin-dirs.h"
#include "compiler.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "dcc-path.h"
#include "dcc-state.h"
#include "remote.h"
#include "dcc-is-packed.h"
#include "dcc-is-protocol.h"
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PUMP_QUERY_TIMEOUT_MS 20000

/* Adds a directory entry for every include directory that exists here, so
 * that the volunteer sees the same existing/missing dirs (-Wmissing-include-dirs),
 * and the file an include option names when it is not a directory. */
static void
add_include_dirs (DccIsPacked *manifest, const DccCompileArgs *a, const char *cwd, char **sysdirs)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; a->argv[i]; i++)
    {
      /* The table's directories searched as given: -I, -iquote, -isystem, -idirafter. */
      const char *joined = NULL;
      const DccOption *o = dcc_args_option_find (a->argv[i], &joined);
      if (o == NULL || !(o->flags & DCC_OPT_DIR))
        continue;
      if (joined && *joined)
        g_ptr_array_add (dirs, dcc_path_normalize (cwd, joined));
      else if (!joined && a->argv[i + 1])
        g_ptr_array_add (dirs, dcc_path_normalize (cwd, a->argv[i + 1]));
    }
  for (char **d = sysdirs; d && *d; d++)
    g_ptr_array_add (dirs, dcc_path_normalize (cwd, *d));
  g_ptr_array_add (dirs, g_strdup (cwd));
  for (guint i = 0; i < dirs->len; i++)
    {
      const char *d = dirs->pdata[i];
      struct stat st;
      if (dcc_is_packed_contains (manifest, d) || lstat (d, &st) < 0)
        continue;
      if (S_ISREG (st.st_mode))
        {
          /* -I naming a file: gcc warns "not a directory"; the volunteer
           * must find a file there too (its content, so that a header
           * reached by that path elsewhere is the same). */
          g_autofree guint8 *data = NULL;
          gsize len = 0;
          if (!dcc_io_read_file (d, DCC_MAX_FILE_SIZE, &data, &len, NULL))
            continue;
          DccHash h;
          dcc_hash_bytes (data, len, &h);
          g_autoptr(DccEntry) e = dcc_entry_new (DCC_ENTRY_FILE, st.st_mode & 07777, len, &h, d, NULL);
          dcc_is_packed_add (manifest, e);
          continue;
        }
      if (!S_ISDIR (st.st_mode))
        continue;
      g_autoptr(DccEntry) e = dcc_entry_new (DCC_ENTRY_DIR, st.st_mode & 07777, 0, NULL, d, NULL);
      dcc_is_packed_add (manifest, e);
    }
}

/* Reads each file the volunteer asked for, checks it still has the hash
 * the manifest promised, and appends BLOB frames. */
static gboolean
encode_needed (GArray *needed, GPtrArray *manifest, GByteArray *out, GError **error)
{
  g_autoptr(GHashTable) by_hash = g_hash_table_new (dcc_hash_hash, dcc_hash_equal_func);
  for (guint i = 0; i < manifest->len; i++)
    {
      DccEntry *e = manifest->pdata[i];
      if (e->kind == DCC_ENTRY_FILE)
        g_hash_table_insert (by_hash, &e->hash, e);
    }
  for (guint i = 0; i < needed->len; i++)
    {
      const DccHash *h = &g_array_index (needed, DccHash, i);
      /* Taken out once sent: a hash asked for twice would be read, hashed
       * and compressed again, as often as the volunteer repeats it. */
      DccEntry *e = g_hash_table_lookup (by_hash, h);
      if (!e || !g_hash_table_remove (by_hash, h))
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "volunteer asked for a hash not in the manifest, or twice");
      g_autofree guint8 *data = NULL;
      gsize len;
      if (!dcc_io_read_file (e->path, DCC_MAX_FILE_SIZE, &data, &len, error))
        return FALSE;
      DccHash actual;
      dcc_hash_bytes (data, len, &actual);
      if (!dcc_hash_equal (&actual, h))
        return dcc_fail (error, DCC_ERROR_MISMATCH, "%s changed during the build", e->path);
      dcc_blob_encode (out, h, data, len);
    }
  return TRUE;
}

struct DccPumpPlan {
  DccIsPacked *packed;     /* the manifest as sent */
  GPtrArray   *manifest;   /* DccEntry*: decoded from packed when a compile needs them */
  GByteArray  *request;    /* encoded: it does not depend on the host */
};

void
dcc_pump_plan_free (DccPumpPlan *plan)
{
  if (!plan)
    return;
  dcc_is_packed_free (plan->packed);
  if (plan->manifest)
    g_ptr_array_unref (plan->manifest);
  g_byte_array_unref (plan->request);
  g_free (plan);
}

/* The manifest's entries: a result-cache hit never needs them. */
static GPtrArray *
plan_manifest (DccPumpPlan *plan)
{
  if (!plan->manifest)
    plan->manifest = dcc_is_packed_entries (plan->packed);
  return plan->manifest;
}

void
dcc_pump_plan_print (DccPumpPlan *plan, FILE *out)
{
  GPtrArray *manifest = plan_manifest (plan);
  for (guint i = 0; i < manifest->len; i++)
    {
      const DccEntry *e = manifest->pdata[i];
      fprintf (out, "%s %s\n", e->kind == DCC_ENTRY_DIR ? "DIRECTORY" : e->kind == DCC_ENTRY_SYMLINK ? "SYMLINK  " : "FILE     ",
               e->path);
    }
}

/* clang -g -save-temps compiles the .i it wrote, whose MD5 goes into the
 * outputs; the volunteer's .i names its own paths, and the volunteer puts
 * the digest of the .i as returned in place of its own (server/text-digest.h).
 * A ThinLTO object also carries a hash of its whole bitcode (module hash),
 * which that cannot fix. */
static gboolean
clang_thinlto_save_temps_debug (const DccCompileArgs *a)
{
  if (!a->lto || !a->debug_info)
    return FALSE;
  gboolean thin = FALSE, save_temps = FALSE;
  for (int i = 1; a->argv[i]; i++)
    {
      const char *arg = a->argv[i];
      if (g_str_has_prefix (arg, "-flto"))
        thin = strcmp (arg, "-flto=thin") == 0;
      else if (g_str_has_prefix (arg, "-save-temps") || g_str_has_prefix (arg, "--save-temps"))
        save_temps = TRUE;
    }
  return thin && save_temps;
}

/* The include server's closure of the compile, as the manifest to send. */
static gboolean
query_include_server (const char *socket_path, const char *cwd, const DccCompileArgs *a,
                      DccIsPacked **manifest, GError **error)
{
  g_autoptr(GByteArray) reply = NULL;
  if (!dcc_is_exchange (socket_path, cwd, (const char *const *) a->argv, PUMP_QUERY_TIMEOUT_MS, &reply, error))
    return FALSE;
  DccIsStatus status;
  g_autofree char *message = NULL;
  if (!dcc_is_packed_from_reply (g_steal_pointer (&reply), &status, &message, manifest, error))
    {
      g_prefix_error (error, "include server reply: ");
      return FALSE;
    }
  if (status != DCC_IS_STATUS_OK)
    return dcc_fail (error, status == DCC_IS_STATUS_BAD_REQUEST ? DCC_ERROR_PROTOCOL : DCC_ERROR_FAILED,
                     "include server: %s", message);
  return TRUE;
}

DccRemoteOutcome
dcc_pump_plan (const char *distcc_dir, const char *compiler_path, const DccCompileArgs *a,
               const char *cwd, DccPumpPlan **plan_out, char **why)
{
  g_autoptr(GError) error = NULL;
  const char *socket_path = g_getenv ("INCLUDE_SERVER_PORT");
  const char *source_name = a->argv[a->source_index];
  if (!socket_path || !*socket_path)
    return DCC_REMOTE_NOT_USED;
  if (g_getenv ("DEPENDENCIES_OUTPUT") || g_getenv ("SUNPRO_DEPENDENCIES"))
    {
      *why = g_strdup ("DEPENDENCIES_OUTPUT is made by the local preprocessor");
      return DCC_REMOTE_NOT_USED;
    }
  /* The include server searches its own path, not one these extend; plain
   * mode's preprocessing here honours them. */
  static const char *const search_env[] = { "CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH", NULL };
  for (const char *const *n = search_env; *n; n++)
    if (g_getenv (*n))
      {
        *why = g_strdup_printf ("%s extends the include search path here", *n);
        return DCC_REMOTE_NOT_USED;
      }

  if (dcc_compiler_is_clang (compiler_path) && clang_thinlto_save_temps_debug (a))
    {
      *why = g_strdup ("clang -flto=thin -save-temps -g: the object's module hash covers the digest of the "
                       "preprocessed text, which names the volunteer's paths there");
      return DCC_REMOTE_KEEP_LOCAL;
    }
  /* __TIMESTAMP__ is the file's mtime, which the volunteer's copy does not
   * have (headers that use it are not caught; see distcc(1)). */
  {
    g_autofree guint8 *text = NULL;
    gsize text_len;
    if (dcc_io_read_file (source_name, DCC_MAX_FILE_SIZE, &text, &text_len, NULL)
        && memmem (text, text_len, "__TIMESTAMP__", 13) != NULL)
      {
        *why = g_strdup ("__TIMESTAMP__ needs the source file's own modification time");
        return DCC_REMOTE_KEEP_LOCAL;
      }
  }
  dcc_state_set (distcc_dir, DCC_PHASE_PREPROCESS, source_name, "include-server", 0);
  g_autoptr(DccIsPacked) manifest = NULL;
  gint64 t0 = g_get_monotonic_time ();
  if (!query_include_server (socket_path, cwd, a, &manifest, &error))
    {
      *why = g_strdup_printf ("include server: %s", error->message);
      dcc_info ("pump: include server failed for %s: %s", source_name, error->message);
      return DCC_REMOTE_NOT_USED;
    }
  g_auto(GStrv) preincludes = NULL;
  g_auto(GStrv) sysdirs = dcc_builtin_dirs_get (distcc_dir, compiler_path, a, &preincludes, &error);
  if (!sysdirs)
    {
      *why = g_strdup_printf ("cannot learn the compiler's include directories: %s", error->message);
      return DCC_REMOTE_NOT_USED;
    }
  add_include_dirs (manifest, a, cwd, sysdirs);
  dcc_debug ("closure: %u files and directories for %s from the include server in %.1f ms",
             dcc_is_packed_count (manifest), source_name, (double) (g_get_monotonic_time () - t0) / 1000.0);

  gboolean is_clang = dcc_compiler_is_clang (compiler_path);
  g_auto(DccRequestBasics) basics = { 0 };
  if (!dcc_client_request_basics (distcc_dir, compiler_path, (const char *const *) a->argv, a, is_clang,
                                  &basics, why))
    return DCC_REMOTE_RUN_LOCALLY;
  DccPumpPlan *plan = g_new0 (DccPumpPlan, 1);
  plan->request = g_byte_array_new ();
  gsize manifest_len;
  const guint8 *manifest_bytes = dcc_is_packed_bytes (manifest, &manifest_len);
  dcc_request_encode (plan->request, &(DccRequestSpec) {
                        .mode = DCC_MODE_PUMP, .argv = (const char *const *) basics.argv, .cwd = cwd,
                        .env = (const char *const *) basics.env, .compiler_id = basics.compiler_id,
                        .sysdirs = (const char *const *) sysdirs,
                        .preincludes = (const char *const *) preincludes,
                        .manifest_bytes = manifest_bytes, .manifest_len = manifest_len });
  plan->packed = g_steal_pointer (&manifest);
  *plan_out = plan;
  return DCC_REMOTE_DONE;
}

DccRemoteOutcome
dcc_pump_compile (DccPumpPlan *plan, const char *distcc_dir, const DccCompileArgs *a, const char *cwd,
                  const DccHost *host, int slot, int *exit_status, char **why)
{
  g_autoptr(GError) error = NULL;
  const char *source_name = a->argv[a->source_index];
  GByteArray *request = plan->request;

  int timeout = dcc_remote_io_timeout ();
  dcc_autofd fd = dcc_client_connect (distcc_dir, host, source_name, slot, why);
  if (fd < 0)
    return DCC_REMOTE_HOST_FAILED;
  dcc_state_set (distcc_dir, DCC_PHASE_SEND, source_name, host->hostname, slot);
  guint32 tag, len;
  g_autofree guint8 *payload = NULL;
  dcc_remote_count (request->len, 0);
  g_autofree char *peer = dcc_host_port_name (host);
  if (!dcc_io_write_all (fd, request->data, request->len, timeout, &error)
      || !dcc_io_read_first_frame (fd, peer, DCC_MAX_FRAME, timeout, &tag, &payload, &len, &error))
    {
      dcc_client_note_failure (error);
      *why = g_strdup (error->message);
      return DCC_REMOTE_HOST_FAILED;
    }
  if (tag == DCC_TAG_ERROR)
    {
      g_autofree char *msg = g_strndup ((const char *) payload, MIN (len, 1000u));
      g_autofree char *shown = dcc_escape_for_log (msg, 500);
      *why = g_strdup_printf ("volunteer refused pump mode: %s", shown);
      return DCC_REMOTE_NOT_USED;
    }
  dcc_remote_count (0, DCC_FRAME_HEADER_LEN + (guint64) len);
  DccFrame frame = { .tag = tag, .len = len, .payload = payload };
  if (tag == DCC_TAG_CACHE_HIT)
    {
      /* The volunteer's result cache knew this key: the reply follows at
       * once, and no file is uploaded. */
      g_autoptr(DccReply) reply = dcc_reply_new ();
      if (!dcc_reply_feed (reply, &frame, &error) || !dcc_remote_read_reply_rest (fd, timeout, reply, &error))
        {
          dcc_client_note_failure (error);
          *why = g_strdup (error->message);
          return DCC_REMOTE_HOST_FAILED;
        }
      dcc_fd_clear (&fd);
      dcc_debug ("pump: %u files in the manifest, answered from the volunteer's result cache",
                 dcc_is_packed_count (plan->packed));
      dcc_state_set (distcc_dir, DCC_PHASE_RECEIVE, source_name, host->hostname, slot);
      return dcc_client_finish (a, cwd, reply, TRUE, TRUE, FALSE, exit_status, why);
    }
  GPtrArray *manifest = plan_manifest (plan);
  g_autoptr(GArray) needed = NULL;
  g_autoptr(GByteArray) blobs = g_byte_array_new ();
  if (!dcc_need_decode (&frame, DCC_MAX_MANIFEST_ENTRIES, &needed, &error))
    {
      *why = g_strdup (error->message);
      return DCC_REMOTE_HOST_FAILED;
    }
  if (!encode_needed (needed, manifest, blobs, &error))
    {
      *why = g_strdup (error->message);
      return g_error_matches (error, DCC_ERROR, DCC_ERROR_PROTOCOL) ? DCC_REMOTE_HOST_FAILED : DCC_REMOTE_NOT_USED;
    }
  dcc_debug ("pump: %u files in the manifest, volunteer needed %u (%u bytes compressed)",
             manifest->len, needed->len, blobs->len);
  dcc_state_set (distcc_dir, DCC_PHASE_COMPILE, source_name, host->hostname, slot);
  g_autoptr(DccReply) reply = NULL;
  DccRemoteOutcome o = dcc_client_exchange (fd, NULL, blobs, timeout, &reply, why);
  dcc_fd_clear (&fd);
  if (o != DCC_REMOTE_DONE)
    return o;
  dcc_state_set (distcc_dir, DCC_PHASE_RECEIVE, source_name, host->hostname, slot);
  g_autofree char *doubt = NULL;
  gboolean final = reply->status != 0 && !reply->error_message
                   && dcc_pump_failure_is_final (manifest, a, reply->status, reply->err, &doubt);
  o = dcc_client_finish (a, cwd, reply, TRUE, TRUE, final, exit_status, why);
  if (o == DCC_REMOTE_RETRY_LOCALLY && reply->status != 0)
    {
      /* Only the local compile's own output reaches stderr: the retry is
       * counted in DISTCC_DIR and logged (DISTCC_LOG, DISTCC_VERBOSE). */
      dcc_info ("pump: remote compile of %s failed (status %d) and %s; retrying locally",
                source_name, reply->status, doubt ? doubt : "DISTCC_SKIP_LOCAL_RETRY is unset");
      dcc_pump_count_retry (distcc_dir, source_name, reply->status, doubt);
    }
  return o;
}

/* Messages that say the volunteer, not the source, made the compile fail:
 * its resources, its sandbox, its installation, a crash. */
static const char *const volunteer_trouble[] = {
  "out of memory", "memory exhausted", "Cannot allocate memory", "signal terminated program",
  "Killed", "internal compiler error", "LLVM ERROR", "PLEASE submit a bug report",
  "unable to execute command", "failed due to signal", "cannot execute", "installation problem",
  "error trying to exec", "posix_spawn", "vfork", "No space left on device", "File size limit exceeded",
  "CPU time limit exceeded", "Resource temporarily unavailable", "Too many open files",
  "Permission denied", "Input/output error", "Read-only file system", "Disk quota exceeded",
  "Stale file handle", "Bad address", "error while loading shared libraries", "failed to map segment", NULL
};

gboolean
dcc_pump_failure_is_final (GPtrArray *manifest, const DccCompileArgs *a, int status, GBytes *err,
                           char **doubt)
{
  /* gcc and clang end a compile that found errors in the source with 1;
   * an internal error is 4, a signal is above 255. */
  if (status != 1)
    {
      *doubt = g_strdup_printf ("status %d is not a compile error's", status);
      return FALSE;
    }
  /* The assembler reads .include and .incbin files the include server does
   * not follow (searched in -Wa,-I directories). */
  if (a->lang == DCC_LANG_ASM || a->lang == DCC_LANG_ASM_CPP)
    {
      *doubt = g_strdup ("the assembler's own includes are not in the closure");
      return FALSE;
    }
  gsize len = 0;
  const char *text = err ? g_bytes_get_data (err, &len) : NULL;
  for (const char *const *m = volunteer_trouble; text && *m; m++)
    if (memmem (text, len, *m, strlen (*m)))
      {
        *doubt = g_strdup_printf ("its stderr says \"%s\" (the volunteer's trouble, maybe)", *m);
        return FALSE;
      }
  /* The closure is every file the preprocessor reads, resolved as the
   * compiler resolves it (misses included). What it does not promise:
   * a precompiled header beside a header (the volunteer uses the header)
   * and files an asm statement's .incbin or .include reads. */
  for (guint i = 0; i < manifest->len; i++)
    {
      const DccEntry *e = manifest->pdata[i];
      if (e->kind != DCC_ENTRY_FILE)
        continue;
      g_autofree char *gch = g_strconcat (e->path, ".gch", NULL);
      struct stat st;
      if (lstat (gch, &st) == 0)
        {
          *doubt = g_strdup_printf ("%s exists (precompiled headers are not sent)", gch);
          return FALSE;
        }
      g_autofree guint8 *data = NULL;
      gsize n = 0;
      if (dcc_io_read_file (e->path, DCC_MAX_FILE_SIZE, &data, &n, NULL)
          && (memmem (data, n, ".incbin", 7) || memmem (data, n, ".include", 8)))
        {
          *doubt = g_strdup_printf ("%s names an assembler .incbin or .include", e->path);
          return FALSE;
        }
    }
  return TRUE;
}

void
dcc_pump_count_retry (const char *distcc_dir, const char *source, int status, const char *doubt)
{
  g_autofree char *path = g_build_filename (distcc_dir, DCC_PUMP_RETRIES_FILE, NULL);
  dcc_autofd fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  g_autofree char *src = dcc_escape_for_log (source, 300);
  g_autofree char *why = dcc_escape_for_log (doubt ? doubt : "-", 300);
  g_autofree char *line = g_strdup_printf ("%" G_GINT64_FORMAT " %d %s status=%d %s\n",
                                           g_get_real_time () / G_USEC_PER_SEC, (int) getpid (), src, status, why);
  /* One write: concurrent compiles append whole lines. */
  ssize_t unused = write (fd, line, strlen (line));
  (void) unused;
}
