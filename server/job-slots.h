/* Bounding concurrent compiles across distccd's forked children: a slot is
 * an flock on <dir>/slot-N. The kernel drops the lock when a child dies, so
 * a crash never leaks a slot. Connections waiting for a slot hold none. */
#pragma once
#include <glib.h>

/* Creates dir if needed. Returns the locked fd (>= 0) and, if index is not
 * NULL, the slot's number N; or -1 + error if interrupted by *cancel
 * becoming TRUE or no slot freed within timeout_s. */
int dcc_job_slot_acquire (const char *dir, int jobs, int timeout_s, volatile int *cancel,
                          int *index, GError **error);
void dcc_job_slot_release (int fd);
