/* Thin socket/file I/O with deadlines. errno-style underneath, GError on top. */
#pragma once
#include <glib.h>
#include <sys/types.h>

/* Writes all of buf, waiting at most timeout_s seconds between progress. */
gboolean dcc_io_write_all (int fd, const void *buf, gsize len, int timeout_s, GError **error);
/* One read of at most max bytes once fd is readable (within timeout_s):
 * *got is 0 at end of file. For peers whose messages come in a few writes
 * (one syscall, not one per frame). */
gboolean dcc_io_read_some (int fd, void *buf, gsize max, int timeout_s, gsize *got, GError **error);
/* Reads exactly len bytes; FALSE on EOF, timeout or error. */
gboolean dcc_io_read_exact (int fd, void *buf, gsize len, int timeout_s, GError **error);
/* Reads one frame header, checks it (tag and len <= max_len), then reads the payload.
 * *payload is a new buffer of *len bytes (plus a NUL byte after it), grown
 * as the bytes arrive rather than allocated from the declared length. */
gboolean dcc_io_read_frame (int fd, guint32 max_len, int timeout_s,
                            guint32 *tag, guint8 **payload, guint32 *len, GError **error);
/* Like read_frame but fails unless the tag is `expect`. */
/* The same for the first frame a peer sends: when its first bytes are not
 * a frame header of this protocol (an HTTP server, a stock distcc 3.x
 * daemon or client), fails with "PEER is not a distcc speaking this
 * protocol: it sent "..."" rather than a frame-length complaint. */
gboolean dcc_io_read_first_frame (int fd, const char *peer, guint32 max_len, int timeout_s,
                                  guint32 *tag, guint8 **payload, guint32 *len, GError **error);
gboolean dcc_io_expect_frame (int fd, guint32 expect, guint32 max_len, int timeout_s,
                              guint8 **payload, guint32 *len, GError **error);
/* The same, bounded also by an absolute deadline (g_get_monotonic_time
 * microseconds; 0 = none): they fail with DCC_ERROR_TIMEOUT once it has
 * passed, however steadily the peer trickles bytes. For distccd's
 * whole-request deadline. */
gboolean dcc_io_write_all_until (int fd, const void *buf, gsize len, int timeout_s, gint64 deadline_us,
                                 GError **error);
gboolean dcc_io_read_some_until (int fd, void *buf, gsize max, int timeout_s, gint64 deadline_us,
                                 gsize *got, GError **error);
gboolean dcc_io_read_frame_until (int fd, guint32 max_len, int timeout_s, gint64 deadline_us,
                                  guint32 *tag, guint8 **payload, guint32 *len, GError **error);
gboolean dcc_io_expect_frame_until (int fd, guint32 expect, guint32 max_len, int timeout_s,
                                    gint64 deadline_us, guint8 **payload, guint32 *len, GError **error);
/* Opens path read-only (close-on-exec) and fstat()s it into *st. Returns
 * the fd (caller owns it) or -1 with error set ("open PATH" / "stat PATH"). */
struct stat;
int dcc_io_open_stat (const char *path, struct stat *st, GError **error);
/* Reads size bytes from fd (from where it is) into a new buffer with a NUL
 * after them; fails if the file ends sooner. what names it in errors. */
gboolean dcc_io_read_fd (int fd, gsize size, const char *what, guint8 **data, GError **error);
/* Reads a whole file into memory, refusing files larger than max. */
gboolean dcc_io_read_file (const char *path, gsize max, guint8 **data, gsize *len, GError **error);
/* Writes a file atomically: temp file in the same dir, then rename. */
gboolean dcc_io_write_file_atomic (const char *path, const void *data, gsize len, int mode, GError **error);
/* Forks with a connected pair of Unix stream sockets (close-on-exec)
 * between parent and child: returns the child's pid in the parent and 0 in
 * the child, *fd being that process's end (the other end is closed there);
 * -1 with error set, no process and no fd left open. In the child only
 * async-signal-safe calls may follow. */
pid_t dcc_io_fork_socketpair (int *fd, GError **error);
