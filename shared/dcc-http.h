/* The little HTTP the monitors speak (distccd --stats, distccmon-web):
 * one GET per connection, answered with HTTP/1.0 and closed. A request
 * head is read with a bound and a deadline, and only its path is used;
 * anything else about it is ignored. */
#pragma once
#include <glib.h>

#define DCC_HTTP_MAX_REQUEST  4096u   /* bytes of a request head read, at most */
#define DCC_HTTP_TIMEOUT_MS   2000    /* to read it */

/* Reads from fd until the first line is complete, DCC_HTTP_MAX_REQUEST
 * bytes or the deadline; buf (of DCC_HTTP_MAX_REQUEST + 1 bytes) ends with
 * '\0'. */
void dcc_http_read_head (int fd, char buf[DCC_HTTP_MAX_REQUEST + 1]);
/* Pure: whether head is "GET PATH ...", with PATH (up to '?', ' ' or the
 * line's end) equal to one of paths (NULL-terminated); the index, or -1. */
int dcc_http_route (const char *head, const char *const *paths);
/* Writes "HTTP/1.0 200 OK" with content_type, no caching, then body. */
void dcc_http_respond (int fd, const char *content_type, const char *body);
