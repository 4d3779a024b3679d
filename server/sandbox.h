/* The sandbox every compile runs in (see doc/security.md).
 *
 * The compiler gets fresh user, mount, PID, network, IPC and UTS
 * namespaces. Its file system is a read-only tmpfs holding only:
 *   - the toolchain, read-only: /usr (and /bin, /lib… as the host has
 *     them), the compiler's own prefix when it lives elsewhere, and the few
 *     public files of /etc a compiler reads (ld.so.cache, alternatives,
 *     os-release);
 *   - /dev/null and /dev/urandom; a fresh /proc of its own PID namespace;
 *   - /tmp: the job's private tmp directory;
 *   - the job's tree at its own path, as an overlay: the laid-out tree is
 *     the read-only lower layer (its files may be hard links into the
 *     shared store), and everything the compile writes lands in the job's
 *     private upper directory, which is where outputs are collected from.
 * No network, no other job, no store, no home directory, no /etc beyond
 * the list above. The compiler runs as a non-root user of its namespace
 * (no capabilities), under rlimits for memory, file size, CPU and
 * processes.
 *
 * Everything the child does between fork and exec is a plan of plain
 * syscalls computed beforehand (no allocation after fork). */
#pragma once
#include <glib.h>

typedef struct {
  guint64 memory_bytes;     /* RLIMIT_AS; 0 = unlimited */
  guint64 file_size_bytes;  /* RLIMIT_FSIZE */
  guint   cpu_seconds;      /* RLIMIT_CPU */
  guint   processes;        /* RLIMIT_NPROC (per job: counted in its user namespace) */
} DccJobLimits;

#define DCC_JOB_MEMORY_DEFAULT_MB     4096u
#define DCC_JOB_FILE_SIZE_DEFAULT_MB  1024u
#define DCC_JOB_PROCESSES_DEFAULT     64u

/* Sets the limits on this process (after fork, async-signal-safe); 0 leaves
 * a limit as it is. Outside a user namespace of its own the process count
 * would include the daemon's, so the caller says whether to set it.
 * Returns -1 with errno on failure. */
int dcc_job_limits_apply (const DccJobLimits *limits, gboolean with_processes);

typedef struct DccSandbox DccSandbox;

/* The daemon-wide part: which host directories make up the toolchain.
 * Cheap; call once at start. */
DccSandbox *dcc_sandbox_new (GError **error);
void dcc_sandbox_free (DccSandbox *sb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccSandbox, dcc_sandbox_free)

typedef struct DccSandboxPlan DccSandboxPlan;

/* Plans one run: job_dir is the job's private directory (the plan makes
 * job_dir/sandbox, job_dir/upper, job_dir/work in it), tmp_dir the job's
 * tmp directory, tree_root the laid-out tree (mounted read-only at its own
 * path, with writes going to job_dir/upper), compiler the program to run
 * (its prefix is made visible when outside /usr), client_cwd NULL or a
 * directory dcc_sandbox_cwd_showable accepts. */
DccSandboxPlan *dcc_sandbox_plan_new (const DccSandbox *sb, const char *job_dir, const char *tmp_dir,
                                      const char *tree_root, const char *compiler, const char *client_cwd,
                                      GError **error);

/* Whether the plan can show the client's working directory cwd at its own
 * path (a symlink to tree_root/cwd, pass it as client_cwd above): true when
 * cwd is in canonical form (dcc_path_is_canonical_dir: "//proc" is /proc),
 * neither holds nor lies in a path the plan mounts (the toolchain, /dev,
 * /proc, the tree, the job directory), /tmp's inside excepted (it is the
 * job's own), and the link's target fits in PATH_MAX. The plan makes the
 * link with *at() calls from the new root, following no symlink. The compiler then sees $PWD = cwd for
 * the same directory, and its getpwd() is the client's: gcc streams that
 * into LTO objects unmapped. */
gboolean dcc_sandbox_cwd_showable (const DccSandbox *sb, const char *cwd, const char *tree_root,
                                   const char *job_dir, const char *compiler);
void dcc_sandbox_plan_free (DccSandboxPlan *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DccSandboxPlan, dcc_sandbox_plan_free)

/* Where the compile's writes appear outside: job_dir/upper mirrors
 * tree_root (regular files written, copies of inputs it changed; overlay
 * whiteouts for files it removed are character devices). */
const char *dcc_sandbox_plan_upper (const DccSandboxPlan *p);

/* In a freshly forked child, async-signal-safe: enters the namespaces and
 * mounts of the plan and applies limits. Returns 0 in the process that
 * should go on to exec (PID 1 of the new PID namespace); the intermediate
 * process never returns (it waits and exits with the compiler's status).
 * On failure returns -1 with *step naming the failed step and errno set. */
int dcc_sandbox_enter (const DccSandboxPlan *p, const DccJobLimits *limits, const char **step);
