/* What /proc says of a process. */
#pragma once
#include <glib.h>
#include <sys/types.h>

/* Field 22 of /proc/PID/stat: the process's start time in clock ticks since
 * boot; with the PID, it names one process even after the PID is reused.
 * 0 when there is no such process. */
guint64 dcc_proc_start_time (pid_t pid);
