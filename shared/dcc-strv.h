/* GStrvBuilder helpers missing from GLib 2.74 (Debian 12). */
#pragma once
#include <glib.h>

/* Adds s to b and frees it (g_strv_builder_take arrived in GLib 2.80). */
static inline void
dcc_strv_builder_take (GStrvBuilder *b, char *s)
{
  g_strv_builder_add (b, s);
  g_free (s);
}
