/* One compile on the volunteer, plain or pump: a private directory whose
 * root stands for the client's "/", the command line mapped into it, the
 * compiler run inside it, and the outputs collected with the client's paths.
 * Paths in the compiler's messages are mapped back. */
#pragma once
#include <glib.h>
#include "dcc-request.h"
#include "file-store.h"
#include "sandbox.h"
#include "job-mapping.h"

typedef struct {
  const char *tmp_base;       /* where job directories are made */
  int         nice_increment;
  int         timeout_s;
  const DccSandbox   *sandbox;  /* NULL: compilers run on the host (--no-sandbox) */
  const DccJobLimits *limits;
  guint64     output_bytes;   /* a job's output files in total (--job-output-size); 0: the default */
} DccJobConfig;

typedef struct DccCompileJob DccCompileJob;

/* Makes <tmp_base>/distccd-XXXXXX/ (stdout, stderr, tmp/); the job gets
 * its tree from one of the two calls below before anything else. */
DccCompileJob *dcc_compile_job_new (const DccJobConfig *cfg, GError **error);
/* A fresh tree inside the job's directory, removed with the job. */
gboolean dcc_compile_job_new_tree (DccCompileJob *job, GError **error);
/* A slot's tree, BASE/NAME, reused from job to job (see dcc_job_tree_reuse);
 * the caller holds the slot until dcc_compile_job_run has returned. */
gboolean dcc_compile_job_reuse_tree (DccCompileJob *job, const char *base, const char *name,
                                     GError **error);
void dcc_compile_job_free (DccCompileJob *job);   /* removes the job's directory */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccCompileJob, dcc_compile_job_free)
const char *dcc_compile_job_root (DccCompileJob *job);
/* Pump mode: lays out the job's tree from the manifest (DccEntry*),
 * linking the files from the store (after dcc_pump_job_receive has put the
 * missing ones there); the files are the job's inputs, never returned as
 * outputs. Fails with DCC_ERROR_REFUSED for an entry the tree refuses. The
 * job is the tree's one owner: nothing else writes into it. */
gboolean dcc_compile_job_lay_out (DccCompileJob *job, const GPtrArray *manifest, DccStore *store,
                                  GError **error);

/* Before dcc_compile_job_prepare: the result may be kept under a key
 * without the working directory (result-cwd.h), so the sandbox does not
 * show the directory at its own path (gcc -flto excepted, which records
 * it and is never keyed so): through that link an absolute path computed
 * in a text would reach the job's copy in one checkout and nothing in
 * another, and whichever compiled first would answer both. */
void dcc_compile_job_hide_cwd (DccCompileJob *job);

/* Maps the request's command line into the job: source and output paths,
 * the prefix map that turns root/ back into "/", and the user's own prefix
 * maps. In plain mode writes the source text at its path. */
gboolean dcc_compile_job_prepare (DccCompileJob *job, DccRequest *req, const char *compiler,
                                  GError **error);
/* Runs the compiler and encodes the whole reply (STAT, SOUT, SERR, OUTF…,
 * DONE); then sweeps a reused tree back to what was laid out. */
gboolean dcc_compile_job_run (DccCompileJob *job, DccRequest *req, GByteArray *reply, GError **error);
/* The compiler's exit status after dcc_compile_job_run (0 before). */
int dcc_compile_job_status (const DccCompileJob *job);
/* Its stderr as replied (job paths mapped back), after dcc_compile_job_run;
 * NULL before. Owned by the job. */
GBytes *dcc_compile_job_stderr (const DccCompileJob *job);
/* The TMPDIR the compiler gets, as it sees it (/tmp in the sandbox). */
char *dcc_compile_job_tmp_dir (const DccCompileJob *job);
