/* libFuzzer: the input as an --allow network through dcc_cidr_parse. */
#include "dcc-cidr.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  DccCidr net;
  if (dcc_cidr_parse (text, &net, NULL)
      && !((net.family == AF_INET && net.prefix_len <= 32)
           || (net.family == AF_INET6 && net.prefix_len <= 128)))
    __builtin_trap ();
  return 0;
}
