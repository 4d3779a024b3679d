/* Expanding @file arguments (gcc's response files) on the client, so that
 * the volunteer never has to read a file named by the client. */
#pragma once
#include <glib.h>

/* Splits response-file text as gcc does: whitespace separates, single and
 * double quotes group, backslash escapes. Pure. */
GStrv dcc_response_file_split (const char *text, gsize len);
/* Returns argv with every @file replaced by its contents (nested up to 8
 * deep). An @file that cannot be read is kept as is (gcc does the same). */
GStrv dcc_response_files_expand (const char *const *argv, GError **error);
