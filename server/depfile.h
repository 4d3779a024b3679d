/* Dependency files made in a job tree name job paths; once those are mapped
 * back to the client's, the compiler's line wrapping no longer matches what
 * it would have written locally. These re-wrap the first rule exactly as
 * gcc (libcpp mkdeps, 72 columns) or clang (DependencyFile, 75) do. Pure. */
#pragma once
#include <glib.h>

GBytes *dcc_depfile_rewrap (const guint8 *text, gsize len, gboolean clang);
/* The whole step: removes root from a dependency file written in a job
 * tree and re-wraps the first rule as the compiler would have written it
 * with the client's paths. The targets (which may hold spaces, from -MT,
 * and ':') are kept as the compiler wrapped them unless they named a job
 * path; clang's widths count names unescaped, as clang does. Pure. */
GBytes *dcc_depfile_unmap (const char *root, const guint8 *data, gsize len, gboolean clang);
