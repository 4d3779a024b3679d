/* distccd --inetd over ssh: sshd gives the command a pipe for stdin and
 * another for stdout, while a session needs one socket it both reads and
 * writes. */
#pragma once
#include <glib.h>

/* Returns 0 when stdin is already a socket (inetd). Otherwise forks a relay
 * process that copies stdin into one end of a socket pair and that end's
 * output to stdout, points the caller's stdin and stdout at /dev/null, and
 * returns the other end. The relay exits when both directions are done.
 * -1 with error when the socket pair or fork fails. */
int dcc_inetd_session_fd (GError **error);
