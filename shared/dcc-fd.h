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
