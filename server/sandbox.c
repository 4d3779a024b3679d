#include "sandbox.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include "dcc-path.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* One step of building the sandbox's file system, with every path already
 * prefixed by the new root. */
typedef enum {
  OP_MKDIR,       /* dst */
  OP_FILE,        /* dst: an empty file to bind a file onto */
  OP_SYMLINK,     /* src is the link's text, dst the link */
  OP_BIND_RO,     /* src onto dst, then read-only, nosuid, nodev */
  OP_BIND_DEV,    /* a device node src onto dst, writable */
  OP_BIND_RW,     /* src onto dst, writable, nosuid, nodev */
  OP_OVERLAY,     /* src is the mount's option string, dst the mount point */
  OP_PROC,        /* a fresh proc at dst; optional (some hosts mask /proc) */
} OpKind;

typedef struct {
  OpKind kind;
  char  *src;
  char  *dst;
} Op;

/* Host paths that make up a toolchain: directories bound read-only, or
 * recreated as the same symlink (merged /usr). */
static const char *const toolchain_paths[] = {
  "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL
};
/* Public files of /etc a compiler or its loader reads: the loader's cache,
 * Debian's alternatives (/usr/bin/cc points there), and the release files
 * clang's driver reads to know the distribution. */
static const char *const etc_paths[] = {
  "/etc/ld.so.cache", "/etc/alternatives", "/etc/os-release", "/etc/lsb-release",
  "/etc/debian_version", "/etc/redhat-release", "/etc/arch-release", NULL
};

struct DccSandbox {
  GPtrArray *host_paths;   /* of the two lists above, those present here */
};

struct DccSandboxPlan {
  char   *root;            /* job_dir/sandbox: the tmpfs that becomes "/" */
  char   *upper;
  char   *work;
  GArray *ops;             /* of Op */
  char   *cwd_target;      /* the client's directory in the tree, or NULL */
  char  **cwd_comps;       /* its path's components, where the link is made */
  char    uid_map[64];
  char    gid_map[64];
};

DccSandbox *
dcc_sandbox_new (GError **error)
{
  g_autoptr(DccSandbox) sb = g_new0 (DccSandbox, 1);
  sb->host_paths = g_ptr_array_new_with_free_func (g_free);
  const char *const *lists[] = { toolchain_paths, etc_paths };
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (const char *const *p = lists[l]; *p; p++)
      {
        struct stat st;
        if (lstat (*p, &st) == 0)
          g_ptr_array_add (sb->host_paths, g_strdup (*p));
      }
  struct stat st;
  if (stat ("/usr", &st) < 0 || !S_ISDIR (st.st_mode))
    return dcc_fail (error, DCC_ERROR_FAILED, "sandbox: this host has no /usr to offer compilers"), NULL;
  return g_steal_pointer (&sb);
}

void
dcc_sandbox_free (DccSandbox *sb)
{
  if (!sb)
    return;
  g_ptr_array_unref (sb->host_paths);
  g_free (sb);
}

static void
op_free (gpointer data)
{
  Op *op = data;
  g_free (op->src);
  g_free (op->dst);
}

void
dcc_sandbox_plan_free (DccSandboxPlan *p)
{
  if (!p)
    return;
  g_free (p->root);
  g_free (p->upper);
  g_free (p->work);
  if (p->ops)
    g_array_unref (p->ops);
  g_free (p->cwd_target);
  g_strfreev (p->cwd_comps);
  g_free (p);
}

const char *
dcc_sandbox_plan_upper (const DccSandboxPlan *p)
{
  return p->upper;
}

static void
add_op (DccSandboxPlan *p, OpKind kind, const char *src, const char *inside)
{
  Op op = { kind, g_strdup (src), g_strconcat (p->root, inside, NULL) };
  g_array_append_val (p->ops, op);
}

/* mkdir for each component of an absolute path inside the sandbox, so
 * that a mount point exists; components already made are made again
 * harmlessly (EEXIST is ignored). */
static void
add_mkdir_chain (DccSandboxPlan *p, const char *inside)
{
  g_auto(GStrv) comps = g_strsplit (inside, "/", -1);
  g_autoptr(GString) path = g_string_new (NULL);
  for (char **c = comps; *c; c++)
    {
      if (!**c)
        continue;
      g_string_append_c (path, '/');
      g_string_append (path, *c);
      add_op (p, OP_MKDIR, NULL, path->str);
    }
}

/* A host path shown as it is: a symlink recreated, a directory or a file
 * bound read-only. */
static void
add_host_path (DccSandboxPlan *p, const char *path)
{
  struct stat st;
  if (lstat (path, &st) < 0)
    return;
  g_autofree char *parent = g_path_get_dirname (path);
  if (strcmp (parent, "/") != 0)
    add_mkdir_chain (p, parent);
  if (S_ISLNK (st.st_mode))
    {
      g_autofree char *target = g_file_read_link (path, NULL);
      if (target)
        add_op (p, OP_SYMLINK, target, path);
    }
  else if (S_ISDIR (st.st_mode))
    {
      add_op (p, OP_MKDIR, NULL, path);
      add_op (p, OP_BIND_RO, path, path);
    }
  else if (S_ISREG (st.st_mode))
    {
      add_op (p, OP_FILE, NULL, path);
      add_op (p, OP_BIND_RO, path, path);
    }
}

static gboolean
is_under (const char *path, const char *dir)
{
  gsize n = strlen (dir);
  return strncmp (path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* overlayfs splits its options at ',' and its layer lists at ':'. */
static gboolean
overlay_safe (const char *path)
{
  return strpbrk (path, ",:\\") == NULL;
}

/* A compiler installed outside /usr (DISTCC_CMDLIST, /opt): its prefix,
 * which holds its back ends and libraries; NULL for one under /usr. */
static char *
compiler_prefix (const char *compiler)
{
  g_autofree char *real = realpath (compiler, NULL);
  if (!real || is_under (real, "/usr"))
    return NULL;
  g_autofree char *bin = g_path_get_dirname (real);
  return g_path_get_dirname (bin);
}

/* Whether a and b are the same path or one lies inside the other. */
static gboolean
overlaps (const char *a, const char *b)
{
  return is_under (a, b) || is_under (b, a);
}

gboolean
dcc_sandbox_cwd_showable (const DccSandbox *sb, const char *cwd, const char *tree_root,
                          const char *job_dir, const char *compiler)
{
  /* Only a canonical path: the checks below compare strings, and "//proc"
   * is not under "/proc" as a string. */
  if (!dcc_path_is_canonical_dir (cwd) || strlen (tree_root) + strlen (cwd) >= PATH_MAX)
    return FALSE;
  if (overlaps (cwd, "/dev") || overlaps (cwd, "/proc") || is_under ("/tmp", cwd))
    return FALSE;
  for (guint i = 0; i < sb->host_paths->len; i++)
    if (overlaps (cwd, sb->host_paths->pdata[i]))
      return FALSE;
  if (overlaps (cwd, tree_root) || overlaps (cwd, job_dir))
    return FALSE;
  g_autofree char *prefix = compiler_prefix (compiler);
  return !prefix || !overlaps (cwd, prefix);
}

DccSandboxPlan *
dcc_sandbox_plan_new (const DccSandbox *sb, const char *job_dir, const char *tmp_dir,
                      const char *tree_root, const char *compiler, const char *client_cwd,
                      GError **error)
{
  g_autoptr(DccSandboxPlan) p = g_new0 (DccSandboxPlan, 1);
  p->ops = g_array_new (FALSE, TRUE, sizeof (Op));
  g_array_set_clear_func (p->ops, op_free);
  p->root = g_build_filename (job_dir, "sandbox", NULL);
  p->upper = g_build_filename (job_dir, "upper", NULL);
  p->work = g_build_filename (job_dir, "work", NULL);
  if (!overlay_safe (tree_root) || !overlay_safe (p->upper) || !overlay_safe (p->work))
    return dcc_fail (error, DCC_ERROR_INVALID,
                     "sandbox: the job directory %s contains ',', ':' or '\\' (see --tmp-dir)", job_dir), NULL;
  const char *dirs[] = { p->root, p->upper, p->work };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (mkdir (dirs[i], 0700) < 0 && errno != EEXIST)
      return dcc_fail_errno (error, "sandbox: cannot create %s", dirs[i]), NULL;

  for (guint i = 0; i < sb->host_paths->len; i++)
    add_host_path (p, sb->host_paths->pdata[i]);
  g_autofree char *prefix = compiler_prefix (compiler);
  if (prefix)
    {
      if (strcmp (prefix, "/") == 0 || is_under (tree_root, prefix) || is_under (job_dir, prefix))
        return dcc_fail (error, DCC_ERROR_REFUSED,
                         "sandbox: compiler %s is not in a prefix of its own that can be shown to jobs", compiler),
               NULL;
      add_mkdir_chain (p, prefix);
      add_op (p, OP_BIND_RO, prefix, prefix);
    }
  add_op (p, OP_MKDIR, NULL, "/dev");
  add_op (p, OP_FILE, NULL, "/dev/null");
  add_op (p, OP_BIND_DEV, "/dev/null", "/dev/null");
  add_op (p, OP_FILE, NULL, "/dev/urandom");
  add_op (p, OP_BIND_DEV, "/dev/urandom", "/dev/urandom");
  add_op (p, OP_SYMLINK, "/proc/self/fd", "/dev/fd");
  add_op (p, OP_SYMLINK, "/proc/self/fd/0", "/dev/stdin");
  add_op (p, OP_SYMLINK, "/proc/self/fd/1", "/dev/stdout");
  add_op (p, OP_SYMLINK, "/proc/self/fd/2", "/dev/stderr");
  add_op (p, OP_MKDIR, NULL, "/proc");
  add_op (p, OP_PROC, NULL, "/proc");
  add_op (p, OP_MKDIR, NULL, "/tmp");
  add_op (p, OP_BIND_RW, tmp_dir, "/tmp");
  /* The tree last: its path usually lies under /tmp, bound just above. */
  add_mkdir_chain (p, tree_root);
  g_autofree char *options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s", tree_root, p->upper, p->work);
  add_op (p, OP_OVERLAY, options, tree_root);
  if (client_cwd)
    {
      /* Made last, by make_cwd_link: one component at a time from the
       * root, following no symlink. */
      if (!dcc_path_is_canonical_dir (client_cwd))
        return dcc_fail (error, DCC_ERROR_REFUSED, "sandbox: the working directory is not in canonical form"), NULL;
      p->cwd_target = g_strconcat (tree_root, client_cwd, NULL);
      p->cwd_comps = g_strsplit (client_cwd + 1, "/", -1);
    }

  /* The compiler is never uid 0 of its namespace: after exec it holds no
   * capability there, so it cannot remount what was made read-only. */
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  g_snprintf (p->uid_map, sizeof p->uid_map, "%u %u 1\n", uid ? (unsigned) uid : 65534u, (unsigned) uid);
  g_snprintf (p->gid_map, sizeof p->gid_map, "%u %u 1\n", gid ? (unsigned) gid : 65534u, (unsigned) gid);
  return g_steal_pointer (&p);
}

/* ---- After fork: async-signal-safe from here on ---- */

static int
write_file (const char *path, const char *text)
{
  dcc_autofd fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = write (fd, text, strlen (text));
  return n == (ssize_t) strlen (text) ? 0 : -1;   /* the close keeps errno */
}

/* The mount flags the kernel will not let a namespace drop (they are locked
 * from the host's mount), to be repeated on a remount. */
static unsigned long
locked_flags (const char *path)
{
  struct statfs sf;
  if (statfs (path, &sf) < 0)
    return 0;
  unsigned long f = 0;
  if (sf.f_flags & ST_NOSUID)     f |= MS_NOSUID;
  if (sf.f_flags & ST_NODEV)      f |= MS_NODEV;
  if (sf.f_flags & ST_NOEXEC)     f |= MS_NOEXEC;
  if (sf.f_flags & ST_NOATIME)    f |= MS_NOATIME;
  if (sf.f_flags & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (sf.f_flags & ST_RELATIME)   f |= MS_RELATIME;
  return f;
}

static int
bind_mount (const char *src, const char *dst, unsigned long extra)
{
  if (mount (src, dst, NULL, MS_BIND, NULL) < 0)
    return -1;
  return mount (NULL, dst, NULL, MS_REMOUNT | MS_BIND | extra | locked_flags (dst), NULL);
}

static int
run_op (const Op *op)
{
  switch (op->kind)
    {
    case OP_MKDIR:
      return mkdir (op->dst, 0755) < 0 && errno != EEXIST ? -1 : 0;
    case OP_FILE:
      {
        dcc_autofd fd = open (op->dst, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        return fd < 0 ? -1 : 0;
      }
    case OP_SYMLINK:
      return symlink (op->src, op->dst);
    case OP_BIND_RO:
      return bind_mount (op->src, op->dst, MS_RDONLY | MS_NOSUID | MS_NODEV);
    case OP_BIND_DEV:
      return bind_mount (op->src, op->dst, MS_NOSUID);
    case OP_BIND_RW:
      return bind_mount (op->src, op->dst, MS_NOSUID | MS_NODEV);
    case OP_OVERLAY:
      return mount ("overlay", op->dst, "overlay", MS_NOSUID | MS_NODEV, op->src);
    case OP_PROC:
      (void) mount ("proc", op->dst, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
      return 0;
    }
  return -1;
}

/* value 0 leaves the limit as it is (unlimited by default). */
static int
set_limit (int resource, guint64 value)
{
  if (value == 0)
    return 0;
  struct rlimit rl = { .rlim_cur = value, .rlim_max = value };
  return setrlimit (resource, &rl);
}

int
dcc_job_limits_apply (const DccJobLimits *limits, gboolean with_processes)
{
  if (set_limit (RLIMIT_AS, limits->memory_bytes) < 0 || set_limit (RLIMIT_FSIZE, limits->file_size_bytes) < 0
      || set_limit (RLIMIT_CPU, limits->cpu_seconds) < 0
      || (with_processes && set_limit (RLIMIT_NPROC, limits->processes) < 0))
    return -1;
  return setrlimit (RLIMIT_CORE, &(struct rlimit) { 0, 0 });
}

/* The client's directory: its parents made (or entered) and the link
 * written with *at() calls from the new root's fd, never following a
 * symlink: before pivot_root an absolute symlink (/dev/fd, /proc/1/root,
 * a link of the toolchain) leads to the host. */
static int
make_cwd_link (const DccSandboxPlan *p)
{
  int cur = open (p->root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  for (char **c = p->cwd_comps; cur >= 0 && c[1]; c++)
    {
      int next = -1;
      if (mkdirat (cur, *c, 0755) == 0 || errno == EEXIST)
        next = openat (cur, *c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (cur);
      cur = next;
    }
  if (cur < 0)
    return -1;
  int rc = symlinkat (p->cwd_target, cur, p->cwd_comps[g_strv_length (p->cwd_comps) - 1]);
  int saved = errno;
  close (cur);
  errno = saved;
  return rc;
}

#define FAIL(name) do { *step = (name); return -1; } while (0)

/* The intermediate process: parent of PID 1 of the new namespace. It holds
 * nothing open, waits, and passes the exit status on. */
static void G_GNUC_NORETURN
wait_and_exit (pid_t pid1)
{
  syscall (SYS_close_range, 3u, ~0u, 0u);
  int ws;
  while (waitpid (pid1, &ws, 0) < 0)
    if (errno != EINTR)
      _exit (127);
  if (WIFEXITED (ws))
    _exit (WEXITSTATUS (ws));
  _exit (128 + (WIFSIGNALED (ws) ? WTERMSIG (ws) : 0));
}

int
dcc_sandbox_enter (const DccSandboxPlan *p, const DccJobLimits *limits, const char **step)
{
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    FAIL ("prctl PDEATHSIG");
  /* A daemon that dropped root is not dumpable, which makes its /proc/self
   * files root's: this child (which holds only its own job) must be, to
   * write its own uid_map. */
  if (prctl (PR_SET_DUMPABLE, 1) < 0)
    FAIL ("prctl DUMPABLE");
  if (unshare (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
    FAIL ("unshare (user, mount, PID, network, IPC, UTS namespaces)");
  if (write_file ("/proc/self/setgroups", "deny") < 0)
    FAIL ("write /proc/self/setgroups");
  if (write_file ("/proc/self/uid_map", p->uid_map) < 0)
    FAIL ("write /proc/self/uid_map");
  if (write_file ("/proc/self/gid_map", p->gid_map) < 0)
    FAIL ("write /proc/self/gid_map");
  pid_t pid1 = fork ();
  if (pid1 < 0)
    FAIL ("fork into the PID namespace");
  if (pid1 > 0)
    wait_and_exit (pid1);

  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0)
    FAIL ("prctl PDEATHSIG");
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    FAIL ("make mounts private");
  if (mount ("tmpfs", p->root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m,nr_inodes=4096") < 0)
    FAIL ("mount the root tmpfs");
  for (guint i = 0; i < p->ops->len; i++)
    {
      const Op *op = &g_array_index (p->ops, Op, i);
      if (run_op (op) < 0)
        {
          static const char *const names[] = {
            [OP_MKDIR] = "mkdir", [OP_FILE] = "create a mount point", [OP_SYMLINK] = "symlink",
            [OP_BIND_RO] = "bind read-only", [OP_BIND_DEV] = "bind a device", [OP_BIND_RW] = "bind /tmp",
            [OP_OVERLAY] = "mount the job tree (overlay)", [OP_PROC] = "mount /proc",
          };
          FAIL (names[op->kind]);
        }
    }
  if (p->cwd_comps && make_cwd_link (p) < 0)
    FAIL ("show the working directory");
  if (chdir (p->root) < 0)
    FAIL ("chdir to the new root");
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    FAIL ("pivot_root");
  if (umount2 (".", MNT_DETACH) < 0)
    FAIL ("detach the old root");
  if (chdir ("/") < 0)
    FAIL ("chdir /");
  if (mount (NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
    FAIL ("make the root read-only");
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    FAIL ("prctl NO_NEW_PRIVS");
  if (dcc_job_limits_apply (limits, TRUE) < 0)
    FAIL ("setrlimit");
  return 0;
}
