#include "job-slots.h"
#include "dcc-error.h"
#include "dcc-fd.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int
dcc_job_slot_acquire (const char *dir, int jobs, int timeout_s, volatile int *cancel,
                      int *index, GError **error)
{
  if (g_mkdir_with_parents (dir, 0700) < 0)
    return dcc_fail_errno (error, "create %s", dir), -1;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  for (;;)
    {
      for (int i = 0; i < jobs; i++)
        {
          g_autofree char *path = g_strdup_printf ("%s/slot-%d", dir, i);
          dcc_autofd fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
          if (fd < 0)
            return dcc_fail_errno (error, "open %s", path), -1;
          if (flock (fd, LOCK_EX | LOCK_NB) == 0)
            {
              if (index)
                *index = i;
              return g_steal_fd (&fd);
            }
        }
      if (cancel && *cancel)
        return dcc_fail (error, DCC_ERROR_FAILED, "shutting down"), -1;
      if (g_get_monotonic_time () > deadline)
        return dcc_fail (error, DCC_ERROR_TIMEOUT, "no compile slot free for %d s", timeout_s), -1;
      g_usleep (20 * 1000);
    }
}

void
dcc_job_slot_release (int fd)
{
  if (fd >= 0)
    close (fd);
}
