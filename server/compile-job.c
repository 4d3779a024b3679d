#include "compile-job.h"
#include "dcc-args.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-io.h"
#include "dcc-limits.h"
#include "dcc-log.h"
#include "dcc-path.h"
#include "dcc-strv.h"
#include "job-tree.h"
#include "depfile.h"
#include "text-digest.h"
#include "run-compiler.h"
#include "dcc-tree-remove.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct DccCompileJob {
  DccJobConfig cfg;
  char   *dir;        /* private: stdout, stderr, tmp, and the tree */
  DccJobTree *tree;   /* the client's "/" */
  char   *root;       /* its path */
  GHashTable *inputs; /* paths under root the client sent: not outputs */
  char   *run_cwd;    /* root + client cwd */
  char   *shown_cwd;  /* the client cwd, when the sandbox shows it at its own path */
  char   *gcc_env_dirs; /* gcc's C++-aware builtin dirs, given in *_INCLUDE_PATH, or NULL */
  gboolean hide_cwd;  /* never shown (dcc_compile_job_hide_cwd) but for gcc -flto */
  char   *source;     /* root + source (plain mode), skipped when collecting outputs */
  GStrv   run_argv;
  GStrv   run_env;
  char   *compiler;
  int     status;     /* the compiler's, once run */
  GBytes *err;        /* its stderr as replied, once run */
};

int
dcc_compile_job_status (const DccCompileJob *job)
{
  return job->status;
}

GBytes *
dcc_compile_job_stderr (const DccCompileJob *job)
{
  return job->err;
}

char *
dcc_compile_job_tmp_dir (const DccCompileJob *job)
{
  return job->cfg.sandbox ? g_strdup ("/tmp") : g_build_filename (job->dir, "tmp", NULL);
}

DccCompileJob *
dcc_compile_job_new (const DccJobConfig *cfg, GError **error)
{
  g_autoptr(DccCompileJob) job = g_new0 (DccCompileJob, 1);
  job->cfg = *cfg;
  g_autofree char *templ = g_build_filename (cfg->tmp_base, "distccd-XXXXXX", NULL);
  if (!g_mkdtemp (templ))
    return dcc_fail_errno (error, "cannot create a job directory in %s", cfg->tmp_base), NULL;
  job->dir = g_steal_pointer (&templ);
  job->inputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *tmp = g_build_filename (job->dir, "tmp", NULL);
  if (mkdir (tmp, 0700) < 0)
    return dcc_fail_errno (error, "cannot create %s", tmp), NULL;
  return g_steal_pointer (&job);
}

static gboolean
set_tree (DccCompileJob *job, DccJobTree *tree)
{
  g_return_val_if_fail (job->tree == NULL, FALSE);
  if (!tree)
    return FALSE;
  job->tree = tree;
  job->root = g_strdup (dcc_job_tree_root (tree));
  return TRUE;
}

gboolean
dcc_compile_job_new_tree (DccCompileJob *job, GError **error)
{
  return set_tree (job, dcc_job_tree_new (job->dir, error));
}

gboolean
dcc_compile_job_reuse_tree (DccCompileJob *job, const char *base, const char *name, GError **error)
{
  return set_tree (job, dcc_job_tree_reuse (base, name, error));
}

void
dcc_compile_job_free (DccCompileJob *job)
{
  if (!job)
    return;
  g_clear_pointer (&job->tree, dcc_job_tree_free);
  /* Stock's DISTCC_SAVE_TEMPS=1 keeps the job's files for debugging. */
  if (job->dir && g_strcmp0 (g_getenv ("DISTCC_SAVE_TEMPS"), "1") == 0)
    dcc_notice ("DISTCC_SAVE_TEMPS: kept %s", job->dir);
  else if (job->dir)
    {
      g_autoptr(GError) error = NULL;
      if (!dcc_remove_tree (job->dir, &error))
        g_warning ("%s", error->message);
    }
  if (job->inputs)
    g_hash_table_unref (job->inputs);
  g_free (job->dir);
  g_free (job->shown_cwd);
  g_free (job->gcc_env_dirs);
  g_free (job->root);
  g_free (job->run_cwd);
  g_free (job->source);
  g_strfreev (job->run_argv);
  g_strfreev (job->run_env);
  g_free (job->compiler);
  if (job->err)
    g_bytes_unref (job->err);
  g_free (job);
}

void
dcc_compile_job_hide_cwd (DccCompileJob *job)
{
  job->hide_cwd = TRUE;
}

const char *
dcc_compile_job_root (DccCompileJob *job)
{
  return job->root;
}

/* Marks a client path as an input, so it is not returned as an output. */
static void
add_input (DccCompileJob *job, const char *client_path)
{
  g_hash_table_add (job->inputs, g_build_filename (job->root, client_path, NULL));
}

gboolean
dcc_compile_job_lay_out (DccCompileJob *job, const GPtrArray *manifest, DccStore *store,
                         GError **error)
{
  DccJobTree *tree = job->tree;
  for (guint i = 0; i < manifest->len; i++)
    {
      const DccEntry *e = manifest->pdata[i];
      gboolean ok;
      switch (e->kind)
        {
        case DCC_ENTRY_DIR:
          ok = dcc_job_tree_add_dir (tree, e->path, error);
          break;
        case DCC_ENTRY_SYMLINK:
          ok = dcc_job_tree_add_symlink (tree, e->path, e->target, error);
          break;
        case DCC_ENTRY_FILE:
        default:
          ok = dcc_job_tree_add_file (tree, e->path, store, &e->hash, FALSE, error);
          break;
        }
      if (!ok)
        {
          /* The manifest asked for something the tree refuses (a path
           * through a symlink, an entry twice): the client's doing, so
           * say so to it rather than drop the connection. The job-tree
           * message already names the path. */
          if (error && *error && (*error)->domain == DCC_ERROR && (*error)->code != DCC_ERROR_NO_SPACE)
            (*error)->code = DCC_ERROR_REFUSED;
          g_prefix_error (error, "manifest refused: ");
          return FALSE;
        }
      if (e->kind == DCC_ENTRY_FILE)
        add_input (job, e->path);
    }
  return TRUE;
}

/* cwd + path, normalised and checked like every client path. */
static char *
client_path (const char *cwd, const char *path, GError **error)
{
  g_autofree char *n = dcc_path_normalize (cwd, path);
  if (!dcc_path_check_client (n, strlen (n), error))
    return NULL;
  return g_steal_pointer (&n);
}

static gboolean
mkdir_under_root (DccJobTree *tree, const char *client_dir, GError **error)
{
  return dcc_job_tree_add_dir (tree, client_dir, error);
}


/* Environment: ours, trimmed, plus what the client may set. */
static GStrv
job_env (DccCompileJob *job, GPtrArray *client_env)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  const char *path = g_getenv ("PATH");
  dcc_strv_builder_take (b, g_strconcat ("PATH=", path ? path : "/usr/local/bin:/usr/bin:/bin", NULL));
  /* In the sandbox the job's tmp directory is its /tmp. */
  if (job->cfg.sandbox)
    g_strv_builder_add (b, "TMPDIR=/tmp");
  else
    dcc_strv_builder_take (b, g_strconcat ("TMPDIR=", job->dir, "/tmp", NULL));
  if (job->shown_cwd)
    dcc_strv_builder_take (b, g_strconcat ("PWD=", job->shown_cwd, NULL));
  /* gcc reads the one of its language (a client never sends these) */
  if (job->gcc_env_dirs)
    for (const char *const *v = (const char *const[]) { "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH",
                                                        "OBJC_INCLUDE_PATH", "OBJCPLUS_INCLUDE_PATH", NULL };
         *v; v++)
      dcc_strv_builder_take (b, g_strconcat (*v, "=", job->gcc_env_dirs, NULL));
  g_auto(GStrv) forwarded = dcc_job_forwarded_env (client_env);
  g_strv_builder_addv (b, (const char **) forwarded);
  return g_strv_builder_end (b);
}

static gboolean
output_clear (DccCompileJob *job, const char *cwd, const char *name, GError **error)
{
  g_autofree char *p = dcc_path_normalize (cwd, name);
  g_autofree char *mapped = g_build_filename (job->root, p, NULL);
  if (g_hash_table_contains (job->inputs, mapped))
    {
      g_autofree char *shown = dcc_escape_for_log (p, 300);
      return dcc_fail (error, DCC_ERROR_REFUSED, "output %s would overwrite one of the job's input files", shown);
    }
  return TRUE;
}

static gboolean
outputs_clear_of_inputs (DccCompileJob *job, const char *cwd, const DccCompileArgs *a, GError **error)
{
  if (!output_clear (job, cwd, a->output, error))
    return FALSE;
  if (a->dep_file && !output_clear (job, cwd, a->dep_file, error))
    return FALSE;
  for (guint i = 0; a->side_outputs && i < a->side_outputs->len; i++)
    if (!output_clear (job, cwd, a->side_outputs->pdata[i], error))
      return FALSE;
  return TRUE;
}

gboolean
dcc_compile_job_prepare (DccCompileJob *job, DccRequest *req, const char *compiler, GError **error)
{
  g_autoptr(DccCompileArgs) a = NULL;
  g_autofree char *local_reason = NULL;
  const char *const *argv = (const char *const *) req->argv->pdata;

  if (!dcc_path_check_client (req->cwd, strlen (req->cwd), error))
    return FALSE;
  if (!dcc_args_scan (argv, &a, &local_reason))
    return dcc_fail (error, DCC_ERROR_REFUSED, "this compile cannot run remotely: %s", local_reason);

  /* The output may be absolute: check it as a client path here, and let
   * the general check see it in the relative form it will take. */
  g_autofree char *output = client_path (req->cwd, a->output, error);
  if (!output)
    return FALSE;
  g_autofree char *dep_file = NULL;
  if (a->dep_file && !(dep_file = client_path (req->cwd, a->dep_file, error)))
    return FALSE;
  {
    /* The general check refuses outputs that are absolute or climb with
     * "..": those checked above are fine, since they map into the job. */
    g_auto(GStrv) check = dcc_args_rewrite (a, NULL, "job-output.o", a->dep_file ? "job-output.d" : NULL);
    if (!dcc_args_check_server_safe ((const char *const *) check, error))
      return FALSE;
  }

  job->run_cwd = g_build_filename (job->root, req->cwd, NULL);
  /* gcc streams getpwd() into LTO objects, unmapped by any prefix map;
   * getpwd() believes $PWD when it names the working directory. So the
   * sandbox shows the client's directory at its own path, and PWD names it
   * (a stock client sends no directory). */
  g_clear_pointer (&job->shown_cwd, g_free);
  if (job->cfg.sandbox && req->stock_protover == 0 && (!job->hide_cwd || dcc_args_gcc_lto (a, a->is_clang))
      && dcc_sandbox_cwd_showable (job->cfg.sandbox, req->cwd, job->root, job->dir, compiler))
    job->shown_cwd = g_strdup (req->cwd);
  if (dcc_args_gcc_lto (a, a->is_clang) && !job->shown_cwd)
    return dcc_fail (error, DCC_ERROR_REFUSED,
                     "gcc -flto records the working directory in the object, and this volunteer cannot "
                     "show the client's (%s)",
                     req->stock_protover ? "the stock protocol does not send it"
                     : !job->cfg.sandbox ? "it runs with --no-sandbox"
                     : "it is or holds a directory the sandbox mounts");
  g_autofree char *output_dir = g_path_get_dirname (output);
  if (!mkdir_under_root (job->tree, req->cwd, error) || !mkdir_under_root (job->tree, output_dir, error))
    return FALSE;
  if (dep_file)
    {
      g_autofree char *dep_dir = g_path_get_dirname (dep_file);
      if (!mkdir_under_root (job->tree, dep_dir, error))
        return FALSE;
    }

  if (req->mode == DCC_MODE_PLAIN)
    {
      const char *src = argv[a->source_index];
      if (strcmp (src, req->source_name) != 0)
        return dcc_fail (error, DCC_ERROR_PROTOCOL, "SRCN does not name the command line's source");
      g_autofree char *source = client_path (req->cwd, src, error);
      if (!source)
        return FALSE;
      g_autofree char *source_dir = g_path_get_dirname (source);
      if (!mkdir_under_root (job->tree, source_dir, error))
        return FALSE;
      job->source = g_build_filename (job->root, source, NULL);
      gsize len;
      const void *text = g_bytes_get_data (req->source_text, &len);
      /* gcc knows "the main file" by comparing the input's name with the
       * line markers' (-Wsubobject-linkage, "#pragma once in main file"):
       * an absolute source is compiled as root + source, so its markers
       * must say that too (the prefix maps and the stderr rewrite take the
       * root away again). */
      g_autoptr(GBytes) marked = NULL;
      if (src[0] == '/' && !strstr (compiler, "clang"))
        {
          marked = dcc_job_root_markers (text, len, src, job->root);
          text = g_bytes_get_data (marked, &len);
        }
      if (!dcc_io_write_file_atomic (job->source, text, len, 0600, error))
        return FALSE;
    }

  /* Inputs are hard links into the shared store: a compile that wrote an
   * output over one would change the store's object for every client. */
  if (!outputs_clear_of_inputs (job, req->cwd, a, error))
    return FALSE;
  /* A reused tree now holds exactly what a fresh one would. */
  if (!dcc_job_tree_prune (job->tree, error))
    return FALSE;

  job->compiler = g_strdup (compiler);
  job->run_argv = dcc_job_map_argv (job->root, compiler, argv, a->source_index, a->output_index,
                                    (const char *const *) req->sysdirs->pdata, req->sysdirs->len,
                                    (const char *const *) req->preincludes->pdata, req->preincludes->len);
  /* Already preprocessed (a stock client's text): there are no macros
   * left to map, and clang would warn that the map is unused. */
  if (a->lang == DCC_LANG_C_PREPROCESSED || a->lang == DCC_LANG_CXX_PREPROCESSED
      || a->lang == DCC_LANG_OBJC_PREPROCESSED || a->lang == DCC_LANG_OBJCXX_PREPROCESSED
      || a->lang == DCC_LANG_ASM)
    {
      g_autofree char *macro_map = g_strdup_printf ("-fmacro-prefix-map=%s=", job->root);
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      for (char **p = job->run_argv; *p; p++)
        if (strcmp (*p, macro_map) != 0)
          g_strv_builder_add (b, *p);
      g_strfreev (job->run_argv);
      job->run_argv = g_strv_builder_end (b);
    }
  /* clang 14's integrated assembler ignores -fdebug-prefix-map for the
   * compilation directory of .S files: name the client's directly. */
  if (strstr (compiler, "clang") && (a->lang == DCC_LANG_ASM_CPP || a->lang == DCC_LANG_ASM))
    {
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      g_strv_builder_addv (b, (const char **) job->run_argv);
      dcc_strv_builder_take (b, g_strconcat ("-fdebug-compilation-dir=", req->cwd, NULL));
      g_strfreev (job->run_argv);
      job->run_argv = g_strv_builder_end (b);
    }
  g_clear_pointer (&job->gcc_env_dirs, g_free);
  job->gcc_env_dirs = dcc_job_gcc_env_dirs (job->root, compiler, (const char *const *) req->sysdirs->pdata,
                                            req->sysdirs->len);
  job->run_env = job_env (job, req->env);
  return TRUE;
}


static GBytes *
read_stream (DccCompileJob *job, const char *name)
{
  g_autofree char *path = g_build_filename (job->dir, name, NULL);
  g_autofree guint8 *data = NULL;
  gsize len = 0;
  if (!dcc_io_read_file (path, DCC_MAX_STREAM_SIZE, &data, &len, NULL))
    return g_bytes_new (NULL, 0);
  return dcc_job_unmap_text (job->root, data, len);
}

/* Outputs that are text naming job paths: dependency files, stack-usage
 * reports, and -save-temps' preprocessed and assembler files. */
static gboolean
is_text_output (const char *name)
{
  static const char *const suffixes[] = { ".d", ".su", ".i", ".ii", ".mi", ".mii", ".s", NULL };
  for (const char *const *s = suffixes; *s; s++)
    if (g_str_has_suffix (name, *s))
      return TRUE;
  return FALSE;
}

/* -save-temps' preprocessed text: its digest is compiled into the .bc,
 * the .s and an -flto object (clang -g, DWARF 5). */
static gboolean
is_preprocessed_output (const char *name)
{
  static const char *const suffixes[] = { ".i", ".ii", ".mi", ".mii", NULL };
  for (const char *const *s = suffixes; *s; s++)
    if (g_str_has_suffix (name, *s))
      return TRUE;
  return FALSE;
}

typedef struct {
  char   *client;  /* the path the client knows it by */
  GBytes *data;    /* as written (text outputs: still naming job paths) */
} Output;

static void
output_free (gpointer p)
{
  Output *o = p;
  g_free (o->client);
  g_bytes_unref (o->data);
  g_free (o);
}

/* What a job's outputs may total (distccd --job-output-size). */
static guint64
output_limit (const DccCompileJob *job)
{
  return job->cfg.output_bytes ? job->cfg.output_bytes : DCC_DEFAULT_JOB_OUTPUT_SIZE;
}

/* Every regular file the compile wrote, except the inputs, into outputs.
 * base is where the compile's writes are: the sandbox's upper directory
 * (which mirrors the tree and holds only what was written), or the tree
 * itself. The tree holds hundreds of inputs, so readdir's d_type decides
 * without a stat wherever it can. *left is what the job's outputs may
 * still total: each file's size is taken from the file opened (fstat),
 * before a byte of it is read, and one that does not fit refuses the job. */
static gboolean
collect_outputs (DccCompileJob *job, const char *base, const char *dir, GHashTable *inputs,
                 GPtrArray *outputs, guint64 *left, GError **error)
{
  DIR *d = opendir (dir);
  if (!d)
    return dcc_fail_errno (error, "opendir %s", dir);
  struct dirent *de;
  gboolean ok = TRUE;
  while (ok && (de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      g_autofree char *path = g_build_filename (dir, de->d_name, NULL);
      unsigned char type = de->d_type;
      if (type == DT_UNKNOWN)
        {
          struct stat st;
          if (lstat (path, &st) < 0)
            continue;
          type = S_ISDIR (st.st_mode) ? DT_DIR : S_ISREG (st.st_mode) ? DT_REG : DT_LNK;
        }
      if (type == DT_DIR)
        {
          ok = collect_outputs (job, base, path, inputs, outputs, left, error);
          continue;
        }
      const char *client = path + strlen (base);
      g_autofree char *in_tree = g_strconcat (job->root, client, NULL);
      if (type != DT_REG || g_hash_table_contains (inputs, in_tree))
        continue;
      if (outputs->len >= DCC_MAX_OUTPUT_FILES)
        {
          ok = dcc_fail (error, DCC_ERROR_LIMIT, "the compile wrote more than %u files", DCC_MAX_OUTPUT_FILES);
          break;
        }
      dcc_autofd fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
      struct stat st;
      if (fd < 0 || fstat (fd, &st) < 0)
        {
          ok = dcc_fail_errno (error, "output %s", client);
          break;
        }
      if (!S_ISREG (st.st_mode))
        continue;
      guint64 limit = output_limit (job);
      if ((guint64) st.st_size > *left || (guint64) st.st_size > DCC_MAX_FILE_SIZE)
        {
          ok = dcc_fail (error, DCC_ERROR_LIMIT, "output %s is %lld bytes: %s over this volunteer's limit of "
                         "%" G_GUINT64_FORMAT " MiB (distccd --job-output-size)", client, (long long) st.st_size,
                         *left == limit ? "alone" : "with the job's other outputs, in total", limit >> 20);
          break;
        }
      *left -= (guint64) st.st_size;
      guint8 *data = NULL;
      gsize len = (gsize) st.st_size;
      if (!dcc_io_read_fd (fd, len, client, &data, error))
        {
          ok = FALSE;
          break;
        }
      Output *o = g_new0 (Output, 1);
      o->client = g_strdup (client);
      o->data = g_bytes_new_take (data, len);
      g_ptr_array_add (outputs, o);
    }
  closedir (d);
  return ok;
}

/* Encodes the collected outputs: text outputs with the job's paths taken
 * out, and the digests of preprocessed text as compiled replaced by those
 * of the text as returned wherever a compiled output carries them. */
static void
encode_outputs (DccCompileJob *job, GPtrArray *outputs, GByteArray *reply)
{
  g_autoptr(DccTextDigests) digests = dcc_text_digests_new ();
  g_autoptr(GPtrArray) texts = g_ptr_array_new_full (outputs->len, (GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < outputs->len; i++)
    {
      Output *o = outputs->pdata[i];
      gsize len;
      const guint8 *data = g_bytes_get_data (o->data, &len);
      GBytes *text = NULL;
      if (is_text_output (o->client))
        {
          /* Dependency files and stack-usage reports name job paths. */
          text = dcc_job_unmap_text (job->root, data, len);
          if (g_str_has_suffix (o->client, ".d") && g_bytes_get_size (text) != len)
            {
              g_bytes_unref (text);
              text = dcc_depfile_unmap (job->root, data, len, strstr (job->compiler, "clang") != NULL);
            }
          if (is_preprocessed_output (o->client))
            dcc_text_digests_add (digests, data, len, g_bytes_get_data (text, NULL), g_bytes_get_size (text));
        }
      g_ptr_array_add (texts, text ? text : g_bytes_ref (o->data));
    }
  for (guint i = 0; i < outputs->len; i++)
    {
      Output *o = outputs->pdata[i];
      GBytes *text = texts->pdata[i];
      g_autoptr(GBytes) fixed = NULL;
      if (!dcc_text_digests_empty (digests) && !is_preprocessed_output (o->client))
        fixed = dcc_text_digests_apply (digests, g_bytes_get_data (text, NULL), g_bytes_get_size (text));
      if (fixed)
        text = fixed;
      dcc_reply_encode_file (reply, o->client, g_bytes_get_data (text, NULL), g_bytes_get_size (text));
    }
}

static gboolean reply_with_outputs (DccCompileJob *job, const char *written, int status,
                                    GByteArray *reply, GError **error);

gboolean
dcc_compile_job_run (DccCompileJob *job, DccRequest *req, GByteArray *reply, GError **error)
{
  g_autofree char *out_path = g_build_filename (job->dir, "stdout", NULL);
  g_autofree char *err_path = g_build_filename (job->dir, "stderr", NULL);
  DccRunSpec spec = {
    .compiler = job->compiler, .argv = job->run_argv, .envp = job->run_env, .cwd = job->run_cwd,
    .stdout_path = out_path, .stderr_path = err_path,
    .nice_increment = job->cfg.nice_increment, .timeout_s = job->cfg.timeout_s,
    .limits = job->cfg.limits,
  };
  g_autoptr(DccSandboxPlan) plan = NULL;
  if (job->cfg.sandbox)
    {
      g_autofree char *tmp = g_build_filename (job->dir, "tmp", NULL);
      plan = dcc_sandbox_plan_new (job->cfg.sandbox, job->dir, tmp, job->root, job->compiler, job->shown_cwd,
                                   error);
      if (!plan)
        return FALSE;
      spec.sandbox = plan;
    }
  int status;
  if (dcc_log_enabled (DCC_LOG_DEBUG))
    {
      g_autofree char *cmd = g_strjoinv (" ", job->run_argv);
      g_autofree char *shown = dcc_escape_for_log (cmd, 2000);
      dcc_debug ("running in %s: %s", job->run_cwd, shown);
    }
  gboolean ran = dcc_run_compiler (&spec, &status, error);
  job->status = ran ? status : -1;
  gboolean ok = ran && reply_with_outputs (job, plan ? dcc_sandbox_plan_upper (plan) : job->root,
                                           status, reply, error);
  g_autoptr(GError) sweep_error = NULL;
  if (!dcc_job_tree_sweep (job->tree, &sweep_error))
    g_warning ("%s: %s (the next job in this slot starts afresh)", job->root, sweep_error->message);
  return ok;
}

static gboolean
reply_with_outputs (DccCompileJob *job, const char *written, int status, GByteArray *reply,
                    GError **error)
{
  g_autoptr(GBytes) out = read_stream (job, "stdout");
  g_autoptr(GBytes) err = read_stream (job, "stderr");
  dcc_reply_encode_status (reply, status, g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                           g_bytes_get_data (err, NULL), g_bytes_get_size (err));
  if (job->err)
    g_bytes_unref (job->err);
  job->err = g_bytes_ref (err);
  /* A failed compile may have written some outputs too (gcc writes the
   * dependency file when preprocessing went through): the client keeps
   * them when the failure is its answer. */
  if (job->source)
    g_hash_table_add (job->inputs, g_strdup (job->source));
  g_autoptr(GPtrArray) outputs = g_ptr_array_new_with_free_func (output_free);
  guint64 left = output_limit (job);
  if (!collect_outputs (job, written, written, job->inputs, outputs, &left, error))
    return FALSE;
  encode_outputs (job, outputs, reply);
  dcc_reply_encode_done (reply);
  return TRUE;
}
