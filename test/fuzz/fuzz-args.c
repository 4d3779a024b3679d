/* libFuzzer: the input split on NUL bytes into an argv, through the
 * client's dcc_args_scan and the server's dcc_args_check_server_safe. */
#include "dcc-args.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *p = (const char *) data, *end = p + size;
  while (p < end)
    {
      const char *nul = memchr (p, '\0', (size_t) (end - p));
      const char *stop = nul ? nul : end;
      g_ptr_array_add (argv, g_strndup (p, (gsize) (stop - p)));
      p = stop + 1;
    }
  if (argv->len == 0)
    return 0;
  g_ptr_array_add (argv, NULL);
  const char *const *av = (const char *const *) argv->pdata;
  g_autoptr(DccCompileArgs) args = NULL;
  g_autofree char *reason = NULL;
  dcc_args_scan (av, &args, &reason);
  dcc_args_check_server_safe (av, NULL);
  g_strfreev (dcc_args_strip_link_options (av));
  return 0;
}
