/* Counting by name: a table of DccTally keyed by a string, and its entries
 * most counted first. Used by the build summary and distccmon-web's counts. */
#pragma once
#include <glib.h>

typedef struct {
  char  *key;
  guint  count;
  gint64 busy_us;   /* hosts: time holding a slot there */
  guint  timed;     /* hosts: compiles with a slot time */
} DccTally;

/* An empty table: key -> DccTally*, both owned by the table. */
GHashTable *dcc_tally_table (void);
/* Counts key once more (adding it at 0 first); returns its entry (owned by h). */
DccTally *dcc_tally_add (GHashTable *h, const char *key);
/* The entries of h, most counted first, then by key (strcmp); the array
 * (caller frees) borrows them from h. */
GPtrArray *dcc_tally_sorted (GHashTable *h);
