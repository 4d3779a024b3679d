/* What the files of the argument scanner share (dcc-args-options.c: the
 * languages, the option table, long options and the predicates both the
 * scan and the check use; dcc-args.c: the client scan; dcc-args-check.c:
 * the server check, stripping and rewriting). Not for use outside
 * shared/dcc-args*.c. */
#pragma once
#include "dcc-args.h"

/* One argument after long-option translation. opt is the option text as the
 * short-form rules below see it: a joined value stays part of it ("-ofoo.o",
 * "-specs=x"); value is a value that came separately (next argv element, or
 * "=VALUE" of a long option), with value_index its argv index (-1 for "="). */
typedef struct {
  const char *opt;
  const char *value;
  int         value_index;
  char       *owned;      /* storage behind opt when translated */
} ArgView;

const char *dcc_args_find_basename (const char *path);
const char *dcc_args_find_suffix (const char *path);
gboolean dcc_args_takes_separate_value (const char *opt);
void dcc_args_view_clear (ArgView *v);
int dcc_args_view_init (const char *const *argv, int i, ArgView *v);
const char *dcc_args_view_value (const ArgView *v, const char *prefix);
gboolean dcc_args_is_foreign_code_option (const char *o);
gboolean dcc_args_is_link_option (const char *o);
gboolean dcc_args_xclang_value_allowed (const char *v, gboolean *expect_value);
gboolean dcc_args_mllvm_value_names_file (const char *v);
gboolean dcc_args_is_harmless_profile_value_option (const char *o);
const char *dcc_args_asm_item_problem (const char *item, gboolean server);
gboolean dcc_args_output_path_confined (const char *p);
char *dcc_args_show (const char *a);
