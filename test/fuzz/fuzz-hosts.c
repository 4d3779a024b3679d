/* libFuzzer: the input as DISTCC_HOSTS text through dcc_hosts_parse and
 * dcc_hosts_parse_skipping. The skipping parser keeps every host the strict
 * one keeps, and when the strict one succeeds, it skips nothing. */
#include "dcc-hosts.h"
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(DccHostList) list = dcc_hosts_parse (text, NULL);
  g_autoptr(DccHostList) lenient = dcc_hosts_parse_skipping (text, NULL);
  if (lenient && (lenient->zeroconf_at < -1 || lenient->zeroconf_at > (int) lenient->hosts->len))
    abort ();   /* +zeroconf marks a place in the list */
  if (list)
    {
      dcc_host_list_count_remote (list);
      if (!lenient || lenient->skipped->len != 0 || lenient->hosts->len != list->hosts->len)
        abort ();
    }
  return 0;
}
