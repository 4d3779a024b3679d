/* Dependency files made in a job tree name job paths; once those are mapped
 * back to the client's, the compiler's line wrapping no longer matches what
 * it would have written locally. These re-wrap the first rule exactly as
 * gcc (libcpp mkdeps, 72 columns) or clang (DependencyFile, 75) do. Pure. */
#pragma once
#include <glib.h>

GBytes *dcc_depfile_rewrap (const guint8 *text, gsize len, gboolean clang);
