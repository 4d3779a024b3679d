/* Auto-closing file descriptors (libglnx's glnx_autofd, in miniature). */
#pragma once
#include <errno.h>
#include <unistd.h>

static inline void
dcc_close_fdp (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}
#define dcc_autofd __attribute__ ((cleanup (dcc_close_fdp))) int

/* Closes an owned fd before its scope ends (where the moment matters: the
 * peer sees EOF now) and leaves -1 for the cleanup. To hand an fd over
 * instead, use g_steal_fd. */
static inline void
dcc_fd_clear (int *fd)
{
  dcc_close_fdp (fd);
  *fd = -1;
}
