/* libFuzzer: the input as a TXT record found by a zeroconf browse, through
 * dcc_zeroconf_txt_parse, and a host entry made from it that the host-list
 * parser must accept. */
#include "dcc-zeroconf-txt.h"
#include "dcc-hosts.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  DccZeroconfTxt t;
  if (!dcc_zeroconf_txt_parse (data, size, &t, NULL))
    return 0;
  g_assert (strlen (t.cc_machine) <= DCC_ZEROCONF_WORD_MAX && strlen (t.cc_id) <= DCC_ZEROCONF_ID_MAX);
  int limit = dcc_zeroconf_txt_limit (&t);
  g_assert (limit >= 1 && limit <= DCC_HOSTS_MAX_LIMIT);
  g_autofree char *e = dcc_zeroconf_host_entry ("10.0.0.1", 3632, &t);
  g_assert (e != NULL);
  g_autoptr(DccHostList) l = dcc_hosts_parse (e, NULL);
  g_assert (l != NULL && l->hosts->len == 1);
  return 0;
}
