/* libFuzzer: the input as a state file through dcc_state_parse (text, or
 * stock's binary record when it has that size). */
#include "dcc-state.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(DccStateEntry) e = dcc_state_parse ((const char *) data, size, NULL);
  if (e)
    g_assert (e->pid > 0 && e->phase <= DCC_PHASE_DONE && e->host && e->file);
  return 0;
}
