/* libFuzzer: the input as DISTCC_HOSTS text through dcc_hosts_parse. */
#include "dcc-hosts.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(DccHostList) list = dcc_hosts_parse (text, NULL);
  if (list)
    dcc_host_list_count_remote (list);
  return 0;
}
